//! Confidence intervals for proportions and their differences.

use crate::stats::distributions::normal_quantile;

/// The Wilson score interval for x successes in n trials, without continuity correction; `None` when n = 0.
pub fn wilson(x: u64, n: u64, confidence: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let z = normal_quantile(0.5 + confidence / 2.0);
    let (x, n) = (x as f64, n as f64);
    let z2 = z * z;
    let centre = (x + z2 / 2.0) / (n + z2);
    let half = z * (x * (n - x) / n + z2 / 4.0).sqrt() / (n + z2);
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The difference p1 − p2 of two independent proportions with Newcombe's hybrid score interval (Newcombe 1998,
/// method 10), built from the Wilson intervals of each proportion. `None` when either n is 0.
pub fn newcombe_difference(x1: u64, n1: u64, x2: u64, n2: u64, confidence: f64) -> Option<(f64, f64, f64)> {
    let (l1, u1) = wilson(x1, n1, confidence)?;
    let (l2, u2) = wilson(x2, n2, confidence)?;
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let d = p1 - p2;
    let lower = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let upper = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Some((d, lower, upper))
}
