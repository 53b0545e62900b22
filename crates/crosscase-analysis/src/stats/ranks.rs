//! Rank tests for ordinal data (survey items): Mann–Whitney U, Wilcoxon signed-rank and Kruskal–Wallis, with the
//! conventions of the common statistics packages (documented per function).

use crate::stats::distributions::chi_square_sf;

/// The result of a rank test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankTest {
    pub statistic: f64,
    pub p_value: f64,
    /// Whether the p-value is exact (enumerated) rather than from the normal or chi-square approximation.
    pub exact: bool,
}

/// Values that differ by less than this (relative to their size, at least 1) are equal: answers are whole numbers
/// and indices means of them, so two values that are equal in exact arithmetic (5/3 − 4/3 and 4/3 − 1) but differ in
/// the last bits of their floating-point sums are ties, as they would be in rational arithmetic. Distinct means of
/// whole numbers over at most a few hundred items differ by far more.
pub const TIE_TOLERANCE: f64 = 1e-9;

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= TIE_TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// Mid-ranks (1-based) of `values`, and Σ(t³ − t) over groups of ties, for tie corrections.
fn ranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && same(values[order[j + 1]], values[order[i]]) {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = mid;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (ranks, ties)
}

/// Standard normal upper tail, through the chi-square distribution with one degree of freedom.
fn normal_sf(z: f64) -> f64 {
    if z <= 0.0 {
        1.0 - 0.5 * chi_square_sf(z * z, 1.0)
    } else {
        0.5 * chi_square_sf(z * z, 1.0)
    }
}

/// Counts of each value of the sum of ranks: `counts[s]` subsets of size `k` of {1..n} summing to `s`.
fn rank_sum_counts(n: usize, k: usize) -> Vec<f64> {
    let max = n * (n + 1) / 2;
    // dp[j][s]: subsets of size j with sum s.
    let mut dp = vec![vec![0.0f64; max + 1]; k + 1];
    dp[0][0] = 1.0;
    for v in 1..=n {
        for j in (1..=k.min(v)).rev() {
            for s in (v..=max).rev() {
                dp[j][s] += dp[j - 1][s - v];
            }
        }
    }
    dp.swap_remove(k)
}

/// Mann–Whitney U test of `x` against `y`, two-sided. The statistic is U of the first sample (the number of pairs
/// with x > y, ties counting one half), as R's `wilcox.test` reports W. The p-value is exact when both samples have
/// fewer than 50 values and there are no ties; otherwise the normal approximation with continuity correction and
/// tie correction. `None` when a sample is empty, or when every value is the same (the variance of U is 0 and the
/// statistic carries no information; R's `wilcox.test` returns NaN there).
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Option<RankTest> {
    let (m, n) = (x.len(), y.len());
    if m == 0 || n == 0 {
        return None;
    }
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let (r, ties) = ranks(&all);
    let rx: f64 = r[..m].iter().sum();
    let u = rx - (m * (m + 1)) as f64 / 2.0;
    let mean = (m * n) as f64 / 2.0;
    if m < 50 && n < 50 && ties == 0.0 {
        // The rank sum of x is a sum of m distinct ranks out of 1..m+n, all subsets equally likely.
        let counts = rank_sum_counts(m + n, m);
        let total: f64 = counts.iter().sum();
        let offset = m * (m + 1) / 2;
        let u_obs = u.round() as usize;
        let p_le: f64 = counts[offset..=offset + u_obs].iter().sum::<f64>() / total;
        let p_ge: f64 = counts[offset + u_obs..].iter().sum::<f64>() / total;
        return Some(RankTest {
            statistic: u,
            p_value: (2.0 * p_le.min(p_ge)).min(1.0),
            exact: true,
        });
    }
    let nn = (m + n) as f64;
    let var = (m * n) as f64 / 12.0 * ((nn + 1.0) - ties / (nn * (nn - 1.0)));
    if var <= 0.0 {
        return None;
    }
    let d = u - mean;
    let z = (d.abs() - 0.5).max(0.0) / var.sqrt();
    Some(RankTest {
        statistic: u,
        p_value: (2.0 * normal_sf(z)).min(1.0),
        exact: false,
    })
}

/// Wilcoxon signed-rank test of paired differences, two-sided, as R's `wilcox.test(paired = TRUE)`: zero differences
/// are dropped; the statistic is min(W+, W−); the p-value is exact below 50 pairs when there are neither ties (among
/// the |differences|) nor zeros, otherwise the normal approximation with continuity and tie correction. Differences
/// within [`TIE_TOLERANCE`] of each other are ties, and within it of 0 are zeros. Also returns W+ (R's V). `None`
/// when every difference is zero.
pub fn wilcoxon_signed_rank(differences: &[f64]) -> Option<(RankTest, f64)> {
    let d: Vec<f64> = differences.iter().copied().filter(|&v| !same(v, 0.0)).collect();
    let zeros = d.len() < differences.len();
    let n = d.len();
    if n == 0 {
        return None;
    }
    let abs: Vec<f64> = d.iter().map(|v| v.abs()).collect();
    let (r, ties) = ranks(&abs);
    // An empty float sum is −0.0; adding 0.0 makes it 0, so no statistic is written as "-0.0".
    let w_plus: f64 = r.iter().zip(&d).filter(|(_, v)| **v > 0.0).map(|(r, _)| r).sum::<f64>() + 0.0;
    let total = (n * (n + 1)) as f64 / 2.0;
    let w = w_plus.min(total - w_plus);
    if n < 50 && ties == 0.0 && !zeros {
        // Each subset of ranks is equally likely to be the positive ones.
        let mut counts = vec![0.0f64; n * (n + 1) / 2 + 1];
        counts[0] = 1.0;
        for v in 1..=n {
            for s in (v..counts.len()).rev() {
                counts[s] += counts[s - v];
            }
        }
        let all: f64 = counts.iter().sum();
        let p_le: f64 = counts[..=w.round() as usize].iter().sum::<f64>() / all;
        return Some((
            RankTest {
                statistic: w,
                p_value: (2.0 * p_le).min(1.0),
                exact: true,
            },
            w_plus,
        ));
    }
    let nf = n as f64;
    let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ties / 48.0;
    let z = ((w_plus - total / 2.0).abs() - 0.5).max(0.0) / var.sqrt();
    Some((
        RankTest {
            statistic: w,
            p_value: (2.0 * normal_sf(z)).min(1.0),
            exact: false,
        },
        w_plus,
    ))
}

/// Kruskal–Wallis test across groups: H with the tie correction, against χ² with (groups − 1) degrees of freedom,
/// as R's `kruskal.test`. Empty groups are left out; `None` with fewer than two non-empty groups or no variation.
pub fn kruskal_wallis(groups: &[Vec<f64>]) -> Option<(RankTest, u64)> {
    let groups: Vec<&Vec<f64>> = groups.iter().filter(|g| !g.is_empty()).collect();
    if groups.len() < 2 {
        return None;
    }
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let nn = all.len() as f64;
    let (r, ties) = ranks(&all);
    let mut h = 0.0;
    let mut at = 0;
    for g in &groups {
        let sum: f64 = r[at..at + g.len()].iter().sum();
        h += sum * sum / g.len() as f64;
        at += g.len();
    }
    h = 12.0 / (nn * (nn + 1.0)) * h - 3.0 * (nn + 1.0);
    let correction = 1.0 - ties / (nn * nn * nn - nn);
    if correction <= 0.0 {
        return None;
    }
    h /= correction;
    let df = (groups.len() - 1) as u64;
    Some((
        RankTest {
            statistic: h,
            p_value: chi_square_sf(h, df as f64),
            exact: false,
        },
        df,
    ))
}
