//! Secrets, signed session cookies, CSRF tokens and per-client rate limits.
//!
//! Every secret is derived with HMAC-SHA-256 from the workshop's key, which is stored with the workshop, so that a
//! restarted server accepts the sessions, forms and facilitator address it handed out before it was killed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use sha2::{Digest, Sha256};

/// Random bytes from the operating system, as lower-case hex.
pub fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf)?;
    Ok(hex(&buf))
}

/// A join code of six characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 30 bits.
pub fn join_code() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut buf = [0u8; 6];
    getrandom::getrandom(&mut buf)?;
    // 31 symbols: the modulo bias (256 = 8·31 + 8) is irrelevant for a code that also needs the server to be open.
    Ok(buf
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA-256 (RFC 2104) of `message` under `key`, as hex.
pub fn hmac(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    hex(&outer.finalize())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The secrets of one workshop, all derived from its key.
#[derive(Clone)]
pub struct Keys {
    key: Vec<u8>,
}

impl Keys {
    pub fn new(key: &str) -> Keys {
        Keys {
            key: key.as_bytes().to_vec(),
        }
    }

    /// The facilitator's token: the secret part of the address printed on the terminal.
    pub fn facilitator_token(&self) -> String {
        hmac(&self.key, b"facilitator")[..40].to_string()
    }

    /// A participant's session cookie value: a random respondent token and its signature.
    pub fn session_cookie(&self, respondent: &str) -> String {
        format!(
            "{respondent}.{}",
            &hmac(&self.key, format!("session:{respondent}").as_bytes())[..32]
        )
    }

    /// The respondent token of a session cookie whose signature holds.
    pub fn respondent(&self, cookie: &str) -> Option<String> {
        let (respondent, _) = cookie.split_once('.')?;
        if respondent.len() != 32 || !respondent.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        same_secret(&self.session_cookie(respondent), cookie).then(|| respondent.to_string())
    }

    /// The CSRF token of a participant's forms, bound to their session.
    pub fn csrf(&self, respondent: &str) -> String {
        hmac(&self.key, format!("csrf:{respondent}").as_bytes())[..32].to_string()
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A token bucket per client: `capacity` requests at once, refilled at `per_second`.
pub struct RateLimit<K> {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: std::hash::Hash + Eq + Clone> RateLimit<K> {
    pub fn new(capacity: u32, per_second: u32) -> RateLimit<K> {
        RateLimit {
            capacity: f64::from(capacity),
            per_second: f64::from(per_second),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; `false` when it is empty.
    pub fn allow(&self, key: &K) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        // Full buckets are forgotten now and then, so that the map stays as small as the set of active clients.
        if buckets.len() > 10_000 {
            let (capacity, per_second) = (self.capacity, self.per_second);
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_second < capacity);
        }
        let (tokens, at) = buckets.entry(key.clone()).or_insert((self.capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Rate limits by peer address (every request) and by participant session (reactions).
pub struct Limits {
    pub by_peer: RateLimit<IpAddr>,
    pub by_session: RateLimit<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn sessions_are_signed_and_tokens_bound_to_them() {
        let keys = Keys::new("k");
        let r = "0123456789abcdef0123456789abcdef";
        let cookie = keys.session_cookie(r);
        assert_eq!(keys.respondent(&cookie).as_deref(), Some(r));
        let forged = format!("{}.{}", "f".repeat(32), &cookie[33..]);
        assert_eq!(keys.respondent(&forged), None);
        assert_eq!(keys.respondent("x"), None);
        assert_eq!(Keys::new("other").respondent(&cookie), None);
        assert_ne!(keys.csrf(r), keys.csrf("f".repeat(32).as_str()));
    }

    #[test]
    fn a_bucket_refuses_past_its_capacity() {
        let limit = RateLimit::new(3, 0);
        let results: Vec<bool> = (0..5).map(|_| limit.allow(&1)).collect();
        assert_eq!(results, [true, true, true, false, false]);
        assert!(limit.allow(&2), "another client has a bucket of its own");
    }

    #[test]
    fn join_codes_use_the_unambiguous_alphabet() {
        for _ in 0..50 {
            let code = join_code().unwrap();
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| !"01OIL".contains(c)), "{code}");
        }
    }
}
