//! Time-to-event statistics: the Kaplan–Meier estimate with Greenwood's variance, its median with the
//! Brookmeyer–Crowley interval, and the log-rank test across groups.
//!
//! Conventions are those of R's `survival` package (`survfit` with its default `conf.type = "log"`, `quantile`,
//! `survdiff` with `rho = 0`), so that figures can be checked against it.

use super::distributions::{chi_square_sf, normal_quantile};

/// One observation: the time until the event, or until it was last seen without the event (censored).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation {
    pub time: f64,
    /// True when the event happened at `time`; false when the observation is censored there.
    pub event: bool,
}

/// A time that is a finite number of at least 0 (not NaN).
fn valid_time(t: f64) -> bool {
    t.is_finite() && t >= 0.0
}

/// One step of a Kaplan–Meier curve: a distinct time at which something happened.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KmStep {
    pub time: f64,
    pub at_risk: u64,
    pub events: u64,
    pub censored: u64,
    /// S(t): the estimated share still without the event just after `time`.
    pub survival: f64,
    /// Greenwood's standard error of S(t); `None` once S(t) is 0, where R reports it as undefined on the log scale.
    pub std_err: Option<f64>,
    /// Confidence limits for S(t) on the log scale (R's default), capped at 1; `None` where S(t) is 0.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// A Kaplan–Meier curve, the number of observations and events it was made of, and its median.
#[derive(Clone, Debug, PartialEq)]
pub struct KaplanMeier {
    pub n: u64,
    pub events: u64,
    pub steps: Vec<KmStep>,
    /// The median time to the event: `None` while the curve stays above one half.
    pub median: Option<f64>,
    /// The Brookmeyer–Crowley interval of the median; each limit `None` where its curve stays above one half.
    pub median_lower: Option<f64>,
    pub median_upper: Option<f64>,
}

/// The Kaplan–Meier estimate of `observations`, with intervals at `confidence` (e.g. 0.95).
/// Censored observations at the time of an event are taken to be still at risk at that time, as usual.
/// Returns `None` for no observations or a time that is negative or not a number.
pub fn kaplan_meier(observations: &[Observation], confidence: f64) -> Option<KaplanMeier> {
    if observations.is_empty() || observations.iter().any(|o| !valid_time(o.time)) {
        return None;
    }
    let mut sorted = observations.to_vec();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    let z = normal_quantile(0.5 + confidence / 2.0);
    let n = sorted.len() as u64;
    let mut at_risk = n;
    let (mut survival, mut greenwood) = (1.0f64, 0.0f64);
    let mut steps = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let time = sorted[i].time;
        let (mut events, mut censored) = (0u64, 0u64);
        while i < sorted.len() && sorted[i].time == time {
            if sorted[i].event {
                events += 1;
            } else {
                censored += 1;
            }
            i += 1;
        }
        if events > 0 {
            survival *= 1.0 - events as f64 / at_risk as f64;
            if at_risk > events {
                greenwood += events as f64 / (at_risk as f64 * (at_risk - events) as f64);
            } else {
                greenwood = f64::INFINITY;
            }
        }
        let (std_err, lower, upper) = if survival > 0.0 && greenwood.is_finite() {
            let se_log = greenwood.sqrt();
            (
                Some(survival * se_log),
                Some((survival.ln() - z * se_log).exp()),
                Some((survival.ln() + z * se_log).exp().min(1.0)),
            )
        } else {
            (None, None, None)
        };
        steps.push(KmStep {
            time,
            at_risk,
            events,
            censored,
            survival,
            std_err,
            lower,
            upper,
        });
        at_risk -= events + censored;
    }
    let events = steps.iter().map(|s| s.events).sum();
    let curve = |pick: fn(&KmStep) -> Option<f64>| -> Vec<(f64, Option<f64>)> {
        steps.iter().map(|s| (s.time, pick(s))).collect()
    };
    let median = quantile_time(&curve(|s| Some(s.survival)), 0.5);
    // The lower limit of the median comes from the lower curve of times, that is the lower curve of survival
    // reaching one half first: R's quantile.survfit uses the `lower` survival limits for it. Where a limit is
    // undefined (S(t) = 0, R's NA) it is skipped, so a limit that only an undefined value would reach is `None`.
    let median_lower = quantile_time(&curve(|s| s.lower), 0.5);
    let median_upper = quantile_time(&curve(|s| s.upper), 0.5);
    Some(KaplanMeier {
        n,
        events,
        steps,
        median,
        median_lower,
        median_upper,
    })
}

/// The time at which a step curve `(time, value)` falls to `p`, as R's `quantile.survfit` (survival 3.x, `findq`)
/// finds it: undefined values (`None`, R's NA) are skipped; where the curve is `p` (within √ε) over an interval,
/// the middle of that interval: up to the next step down, or, when the curve ends there, up to the last time of the
/// curve. `None` when the curve never falls to `p`.
fn quantile_time(curve: &[(f64, Option<f64>)], p: f64) -> Option<f64> {
    const TOLERANCE: f64 = 1.490_116_119_384_765_6e-8; // sqrt(.Machine$double.eps), as R uses.
    let last_time = curve.last()?.0;
    // R drops repeated values (the censoring times) before it looks for the crossing.
    let mut levels: Vec<(f64, f64)> = Vec::new();
    for &(time, value) in curve {
        if let Some(v) = value
            && !levels.iter().any(|&(_, seen)| seen == v)
        {
            levels.push((time, v));
        }
    }
    let reach = levels.iter().position(|&(_, v)| v <= p + TOLERANCE)?;
    let (time, value) = levels[reach];
    if (value - p).abs() >= TOLERANCE {
        return Some(time);
    }
    match levels[reach..].iter().find(|&&(_, v)| v < p - TOLERANCE) {
        Some(&(next, _)) => Some((time + next) / 2.0),
        // A curve that turns undefined after the flat has no end to the flat (R: NA).
        None if curve.last().is_some_and(|c| c.1.is_none()) => None,
        None => Some((time + last_time) / 2.0),
    }
}

/// The log-rank test across groups (Mantel–Haenszel; R's `survdiff` with `rho = 0`).
#[derive(Clone, Debug, PartialEq)]
pub struct LogRank {
    pub statistic: f64,
    pub df: u64,
    pub p_value: f64,
    /// Observed and expected events per group, in the order the groups were given.
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
}

/// Compares the groups' curves. Groups without observations are left out of the degrees of freedom.
/// Returns `None` when fewer than two groups have observations, or when no event happened at all.
pub fn log_rank(groups: &[Vec<Observation>]) -> Option<LogRank> {
    let k = groups.len();
    let mut all: Vec<(f64, usize, bool)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, obs)| obs.iter().map(move |o| (o.time, g, o.event)))
        .collect();
    if all.iter().any(|&(t, _, _)| !valid_time(t)) {
        return None;
    }
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut at_risk: Vec<f64> = groups.iter().map(|g| g.len() as f64).collect();
    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut variance = vec![vec![0.0; k]; k];
    let mut i = 0;
    while i < all.len() {
        let time = all[i].0;
        let mut deaths = vec![0.0; k];
        let mut leaving = vec![0.0; k];
        while i < all.len() && all[i].0 == time {
            let (_, g, event) = all[i];
            if event {
                deaths[g] += 1.0;
            }
            leaving[g] += 1.0;
            i += 1;
        }
        let d: f64 = deaths.iter().sum();
        let n: f64 = at_risk.iter().sum();
        if d > 0.0 {
            for g in 0..k {
                observed[g] += deaths[g];
                expected[g] += d * at_risk[g] / n;
            }
            if n > 1.0 {
                let factor = d * (n - d) / (n * n * (n - 1.0));
                for a in 0..k {
                    for b in 0..k {
                        let delta = if a == b { n * at_risk[a] } else { 0.0 };
                        variance[a][b] += factor * (delta - at_risk[a] * at_risk[b]);
                    }
                }
            }
        }
        for g in 0..k {
            at_risk[g] -= leaving[g];
        }
    }
    let used: Vec<usize> = (0..k).filter(|&g| !groups[g].is_empty()).collect();
    if used.len() < 2 || observed.iter().sum::<f64>() == 0.0 {
        return None;
    }
    // The covariance matrix has rank (groups − 1): drop the last group and solve for the rest.
    let m = used.len() - 1;
    let diff: Vec<f64> = used[..m].iter().map(|&g| observed[g] - expected[g]).collect();
    let matrix: Vec<Vec<f64>> = used[..m]
        .iter()
        .map(|&a| used[..m].iter().map(|&b| variance[a][b]).collect())
        .collect();
    let (statistic, rank) = quadratic_form_pinv(&matrix, &diff);
    if rank == 0 {
        return None;
    }
    Some(LogRank {
        statistic,
        df: rank as u64,
        p_value: chi_square_sf(statistic, rank as f64),
        observed,
        expected,
    })
}

/// x' A⁻ x for a symmetric positive semi-definite A, by a Cholesky decomposition that skips singular pivots
/// (as R's `survdiff` does with its generalised inverse); also returns the rank found.
fn quadratic_form_pinv(a: &[Vec<f64>], x: &[f64]) -> (f64, usize) {
    let m = x.len();
    let scale = (0..m).map(|i| a[i][i].abs()).fold(0.0f64, f64::max);
    let eps = 1e-9 * scale.max(f64::MIN_POSITIVE);
    // L with unit diagonal and D, so that A = L D L'; pivots at or below eps are treated as zero.
    let mut l = vec![vec![0.0; m]; m];
    let mut d = vec![0.0; m];
    for j in 0..m {
        let mut dj = a[j][j];
        for k in 0..j {
            dj -= l[j][k] * l[j][k] * d[k];
        }
        d[j] = if dj > eps { dj } else { 0.0 };
        l[j][j] = 1.0;
        for i in j + 1..m {
            if d[j] == 0.0 {
                l[i][j] = 0.0;
                continue;
            }
            let mut v = a[i][j];
            for k in 0..j {
                v -= l[i][k] * l[j][k] * d[k];
            }
            l[i][j] = v / d[j];
        }
    }
    // Solve L y = x; then x' A⁻ x = Σ y_j² / d_j over the non-zero pivots.
    let mut y = vec![0.0; m];
    for i in 0..m {
        let mut v = x[i];
        for k in 0..i {
            v -= l[i][k] * y[k];
        }
        y[i] = v;
    }
    let mut statistic = 0.0;
    let mut rank = 0;
    for j in 0..m {
        if d[j] > 0.0 {
            statistic += y[j] * y[j] / d[j];
            rank += 1;
        }
    }
    (statistic, rank)
}
