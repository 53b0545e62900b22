//! Workshop server benchmark: the real `crosscase workshop` on a generated project whose packs have ten findings
//! (`crosscase synth`: 3 municipalities, 150 sources, 100 codes in 10 main themes), on loopback, with simulated
//! participants (raw HTTP/1.1 over `std::net::TcpStream`, a connection per request as a phone on a flaky network
//! would). Each participant opens the join page and sends its reactions as fast as the server acknowledges them;
//! every reaction is acknowledged only after its commit (WAL, synchronous=FULL), so the figures include the fsyncs.
//! Prints p50, p95 and p99 latency of the acknowledged reactions, the throughput, and checks that none was lost.
//!
//! Run with `just bench` (or `cargo bench --bench workshop`). `CROSSCASE_BENCH_PARTICIPANTS` (default 200) and
//! `CROSSCASE_BENCH_REACTIONS` (per participant, default 10) change the load. All traffic goes to 127.0.0.1, and the
//! run stops by itself (socket timeouts of 30 s; the server is killed at the end).

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);
/// The findings of the generated project's packs.
const FINDINGS: usize = 10;

fn request(port: u16, method: &str, path: &str, cookie: Option<&str>, body: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    s.set_write_timeout(Some(TIMEOUT)).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        head.push_str(&format!("Cookie: {c}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(body.unwrap_or(""));
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let participants = support::env_number("CROSSCASE_BENCH_PARTICIPANTS", 200);
    let reactions = support::env_number("CROSSCASE_BENCH_REACTIONS", 10);
    let tmp = std::env::temp_dir().join(format!("crosscase-bench-workshop-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let db = tmp.join("ten.sqlite");
    let exe = env!("CARGO_BIN_EXE_crosscase");
    let project = tmp.join("project");
    let ok = Command::new(exe)
        .args([
            "synth",
            "--out",
            project.to_str().unwrap(),
            "--municipalities",
            "3",
            "--sources",
            "150",
        ])
        .args(["--codes", "100", "--codings", "3000"])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "synth failed");
    let ok = Command::new(exe)
        .args(["ingest", project.to_str().unwrap(), "--db", db.to_str().unwrap()])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "ingest failed");
    let mut server = Command::new(exe)
        .args(["workshop", "--db", db.to_str().unwrap(), "--municipality", "0114"])
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let join_url = loop {
        let line = lines.next().expect("the server stopped before it listened").unwrap();
        if let Some(url) = line.strip_prefix("Participants: ") {
            break url.to_string();
        }
    };
    // The rest of what the server says is drained so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let rest = join_url.trim_start_matches("http://127.0.0.1:");
    let (port, code) = rest.split_once("/j/").unwrap();
    let port: u16 = port.parse().unwrap();
    let code = code.to_string();

    let started = Instant::now();
    let per_participant: Vec<Result<Vec<Duration>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..participants)
            .map(|i| {
                let code = code.clone();
                scope.spawn(move || {
                    let (status, page) = request(port, "GET", &format!("/j/{code}"), None, None);
                    if status != 200 {
                        return Err(format!("join page: {status}"));
                    }
                    let cookie = page
                        .lines()
                        .find_map(|l| l.strip_prefix("set-cookie: "))
                        .and_then(|c| c.split(';').next())
                        .ok_or("no session cookie")?
                        .to_string();
                    let csrf = page
                        .split("name=\"csrf\" value=\"")
                        .nth(1)
                        .and_then(|s| s.split('"').next())
                        .ok_or("no CSRF token")?
                        .to_string();
                    let mut latencies = Vec::with_capacity(reactions);
                    for k in 0..reactions {
                        let body = format!(
                            "csrf={csrf}&finding={}&rating={}&comment=deltagare+{i}+reaktion+{k}&lang=sv",
                            k % FINDINGS,
                            (i + k) % 5 + 1
                        );
                        let at = Instant::now();
                        let (status, _) = request(port, "POST", &format!("/j/{code}/r"), Some(&cookie), Some(&body));
                        if status != 303 {
                            return Err(format!("reaction: {status}"));
                        }
                        latencies.push(at.elapsed());
                    }
                    Ok(latencies)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    let _ = server.kill();
    let _ = server.wait();
    let errors: Vec<&String> = per_participant.iter().filter_map(|r| r.as_ref().err()).collect();
    let mut latencies: Vec<Duration> = per_participant
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .flatten()
        .copied()
        .collect();
    latencies.sort();
    let stored: i64 = {
        let out = Command::new(exe)
            .args(["workshop", "summarise", "--db", db.to_str().unwrap()])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.trim().strip_prefix("answered: "))
            .filter_map(|l| l.split(';').next()?.parse::<i64>().ok())
            .sum()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "workshop: {participants} participants × {reactions} reactions on loopback in {:.2} s: {:.0} reactions/s",
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    if !latencies.is_empty() {
        println!(
            "  latency of an acknowledged reaction: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.95)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().unwrap())
        );
    }
    // Each participant's latest answer per finding is what the summary counts.
    let expected = (participants * reactions.min(FINDINGS)) as i64;
    println!(
        "  errors: {}; answers stored (latest per participant and finding): {stored} of {expected}",
        errors.len()
    );
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(errors.is_empty(), "the first error: {}", errors[0]);
    assert_eq!(stored, expected, "answers were lost");
}
