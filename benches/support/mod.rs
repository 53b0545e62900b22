//! What the benchmarks share: generating and ingesting a national-shaped project, and running a program while its
//! wall time, CPU time and peak memory are measured.
//!
//! Each benchmark binary includes this module with `mod support;` and uses only part of it, so unused items are
//! allowed here rather than in every benchmark.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crosscase_model::KommunRegister;
use crosscase_synth::{ScaleConfig, scale_project};

/// A number from the environment variable `name`, or `default` when it is unset or not a number.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The national shape (290 municipalities, 300 codes, one source per 100 codings, no texts) at `codings` codings.
pub fn national_config(codings: usize) -> ScaleConfig {
    ScaleConfig {
        municipalities: 290,
        sources: (codings / 100).max(290),
        codes: 300,
        codings,
        with_text: false,
        waves: 0,
        seed: 11,
    }
}

/// Writes the generated project `cfg` into `dir/project` and returns the folder.
pub fn write_generated(cfg: &ScaleConfig, dir: &Path) -> PathBuf {
    let project_dir = dir.join("project");
    let project = scale_project(cfg, &KommunRegister::sweden());
    crosscase_ingest::write_project(&project, &project_dir).expect("write the generated project");
    project_dir
}

/// What [`measure`] saw of one run of a program.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    /// Wall time in seconds.
    pub wall: f64,
    /// Peak resident memory (VmHWM) in KB.
    pub peak_kb: u64,
    /// User plus system CPU time in seconds.
    pub cpu: f64,
}

impl Measured {
    pub fn peak_mb(&self) -> f64 {
        self.peak_kb as f64 / 1024.0
    }

    /// The CPU time over the wall time: 2.0 means both cores busy throughout.
    pub fn cores(&self) -> f64 {
        self.cpu / self.wall
    }
}

/// Runs `command` and returns its wall time, peak memory and CPU time; panics with its standard error if it fails.
///
/// Peak memory is the kernel's high-water mark of the process's resident set (`VmHWM` in `/proc/<pid>/status`),
/// and CPU time its `utime + stime`, both read every 10 ms while it runs (Linux). The high-water mark only grows,
/// so only a peak reached in the last 10 ms before the process exits could be missed. Reading the exact figure
/// from `wait4` would need `unsafe` or a new dependency, which the workspace's lints and house style keep out.
pub fn measure(command: &mut Command) -> Measured {
    let t = Instant::now();
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the benchmarked program");
    let (mut peak_kb, mut cpu_ticks) = (0u64, 0u64);
    // Standard error is collected on its own thread, so that a chatty program never blocks on a full pipe.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut e, &mut s).ok();
            s
        })
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the benchmarked program") {
            break status;
        }
        let pid = child.id();
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
        {
            peak_kb = peak_kb.max(kb.parse().unwrap_or(0));
        }
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // Fields after the command name: utime and stime are the 12th and 13th.
            let fields: Vec<&str> = s.rsplit(')').next().unwrap_or("").split_whitespace().collect();
            let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            cpu_ticks = cpu_ticks.max(ticks(11) + ticks(12));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let wall = t.elapsed().as_secs_f64();
    let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    assert!(status.success(), "{program} failed: {stderr}");
    // Clock ticks are 1/100 s on Linux.
    Measured {
        wall,
        peak_kb,
        cpu: cpu_ticks as f64 / 100.0,
    }
}

/// The total size of the files under `dir`.
pub fn walk_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        walk_size(&p)
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
