//! Tests of independence in contingency tables.

use crate::stats::distributions::chi_square_sf;
use crate::stats::hypergeometric::LnFactorials;

/// A chi-square test of independence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    pub df: u64,
    pub p_value: f64,
    /// Whether Yates' continuity correction was applied (2×2 tables).
    pub yates: bool,
    /// The smallest expected count, which decides whether the approximation can be trusted.
    pub min_expected: f64,
    /// The statistic without correction, for effect sizes.
    pub uncorrected: f64,
    pub n: u64,
    pub rows: usize,
    pub columns: usize,
}

/// Pearson's chi-square test of independence on `table[row][column]`.
///
/// Rows and columns whose total is zero carry no information and are dropped first; `None` when fewer than two
/// rows or two columns remain (no test is possible). On a 2×2 table Yates' correction is applied as R's
/// `chisq.test` does: each |O − E| is reduced by min(0.5, min |O − E|).
pub fn chi_square_independence(table: &[Vec<u64>]) -> Option<ChiSquare> {
    let cols = table.first().map_or(0, Vec::len);
    let row_tot: Vec<u64> = table.iter().map(|r| r.iter().sum()).collect();
    let col_tot: Vec<u64> = (0..cols).map(|j| table.iter().map(|r| r[j]).sum()).collect();
    let rows_kept: Vec<usize> = (0..table.len()).filter(|&i| row_tot[i] > 0).collect();
    let cols_kept: Vec<usize> = (0..cols).filter(|&j| col_tot[j] > 0).collect();
    if rows_kept.len() < 2 || cols_kept.len() < 2 {
        return None;
    }
    let n: u64 = row_tot.iter().sum();
    let nf = n as f64;
    let expected = |i: usize, j: usize| row_tot[i] as f64 * col_tot[j] as f64 / nf;
    let yates = rows_kept.len() == 2 && cols_kept.len() == 2;
    let correction = if yates {
        let mut m = f64::INFINITY;
        for &i in &rows_kept {
            for &j in &cols_kept {
                m = m.min((table[i][j] as f64 - expected(i, j)).abs());
            }
        }
        m.min(0.5)
    } else {
        0.0
    };
    let (mut stat, mut raw, mut min_expected) = (0.0, 0.0, f64::INFINITY);
    for &i in &rows_kept {
        for &j in &cols_kept {
            let e = expected(i, j);
            let d = (table[i][j] as f64 - e).abs();
            stat += (d - correction).powi(2) / e;
            raw += d * d / e;
            min_expected = min_expected.min(e);
        }
    }
    let df = ((rows_kept.len() - 1) * (cols_kept.len() - 1)) as u64;
    Some(ChiSquare {
        statistic: stat,
        df,
        p_value: chi_square_sf(stat, df as f64),
        yates,
        min_expected,
        uncorrected: raw,
        n,
        rows: rows_kept.len(),
        columns: cols_kept.len(),
    })
}

/// Cramér's V from the uncorrected chi-square statistic: √(χ² / (n · (min(r, c) − 1))).
pub fn cramers_v(chi: &ChiSquare) -> f64 {
    let k = chi.rows.min(chi.columns) as f64 - 1.0;
    if chi.n == 0 || k <= 0.0 {
        0.0
    } else {
        (chi.uncorrected / (chi.n as f64 * k)).sqrt().min(1.0)
    }
}

/// Two-sided Fisher's exact test of the 2×2 table [[a, b], [c, d]]: the sum of the probabilities of all tables with
/// the same margins that are no more likely than the observed one (with R's relative tolerance of 1e-7).
pub fn fisher_exact_2x2(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (r1, r2, c1) = (a + b, c + d, a + c);
    let n = r1 + r2;
    let lf = LnFactorials::new(n as usize);
    let ln_p = |x: u64| lf.ln_choose(r1, x) + lf.ln_choose(r2, c1 - x) - lf.ln_choose(n, c1);
    let lo = c1.saturating_sub(r2);
    let hi = r1.min(c1);
    let observed = ln_p(a);
    let mut p = 0.0;
    for x in lo..=hi {
        let lp = ln_p(x);
        if lp <= observed + 1e-7_f64.ln_1p() {
            p += lp.exp();
        }
    }
    p.min(1.0)
}

/// The most tables [`fisher_freeman_halton_rx2`] enumerates; larger tables get `None`.
pub const EXACT_TABLE_LIMIT: f64 = 2_000_000.0;

/// The Fisher–Freeman–Halton exact test of an r × 2 table, rows given as (units with, units in all): the exact
/// conditional p-value, the sum of the probabilities of all tables with the same margins that are no more likely than
/// the observed one (relative tolerance 1e-7, as R's `fisher.test`), by full enumeration. `None` when the table has
/// more than [`EXACT_TABLE_LIMIT`] tables with its margins, where enumeration is not feasible.
pub fn fisher_freeman_halton_rx2(with: &[u64], totals: &[u64]) -> Option<f64> {
    let r = with.len();
    let k: u64 = with.iter().sum();
    let n: u64 = totals.iter().sum();
    if r == 0 {
        return Some(1.0);
    }
    // A table and its mirror (the columns swapped) have the same probability, so the smaller column is walked:
    // a common code is as cheap as a rare one.
    if 2 * k > n {
        let without: Vec<u64> = with.iter().zip(totals).map(|(&w, &t)| t.saturating_sub(w)).collect();
        return fisher_freeman_halton_rx2(&without, totals);
    }
    // ways[s]: tables of the rows seen so far whose first column sums to s, counted in f64 (only to bound the
    // enumeration), row by row with prefix sums so that a large table costs O(r · K) before it is turned down.
    // Every table of the rows seen so far whose sum the rows still to come can bring to K has at least one
    // completion, so as soon as one such sum has more tables than the limit the whole table does.
    let kk = k as usize;
    let mut ways = vec![0.0f64; kk + 1];
    ways[0] = 1.0;
    let mut prefix = vec![0.0f64; kk + 2];
    let mut held = 0usize;
    let mut still = n;
    for &t in totals {
        held = (held + t as usize).min(kk);
        still -= t;
        for s in 0..=held {
            prefix[s + 1] = prefix[s] + ways[s];
        }
        for s in 0..=held {
            let top = (t as usize).min(s);
            // Saturated far above the limit, so the sums stay finite and exact enough near it.
            ways[s] = (prefix[s + 1] - prefix[s - top]).min(1e12);
        }
        let reachable = kk.saturating_sub(still as usize);
        if reachable <= held && ways[reachable..=held].iter().any(|&w| w > EXACT_TABLE_LIMIT) {
            return None;
        }
    }
    if ways[kk] > EXACT_TABLE_LIMIT {
        return None;
    }
    let lf = LnFactorials::new(n as usize);
    // The bounds cost about r · K · min(n_i, K) steps; a table with few rows and a large K has few tables to
    // enumerate, so there each table is visited instead.
    let bound_steps: f64 = totals
        .iter()
        .map(|&t| (kk as f64 + 1.0) * (t.min(k) as f64 + 1.0))
        .sum();
    let p = if bound_steps <= 4.0 * EXACT_TABLE_LIMIT {
        exact_rx2_p(with, totals, &lf)
    } else {
        enumerated_rx2_p(with, totals, &lf)
    };
    Some(p.min(1.0))
}

/// The same sum as [`exact_rx2_p`], visiting every table.
fn enumerated_rx2_p(with: &[u64], totals: &[u64], lf: &LnFactorials) -> f64 {
    let r = with.len();
    let k: u64 = with.iter().sum();
    let n: u64 = totals.iter().sum();
    let ln_total = lf.ln_choose(n, k);
    let observed: f64 = (0..r).map(|i| lf.ln_choose(totals[i], with[i])).sum::<f64>() - ln_total;
    let threshold = observed + 1e-7_f64.ln_1p();
    let mut capacity = vec![0u64; r + 1];
    for i in (0..r).rev() {
        capacity[i] = capacity[i + 1] + totals[i];
    }
    struct Walk<'a> {
        totals: &'a [u64],
        capacity: &'a [u64],
        lf: &'a LnFactorials,
        threshold: f64,
        p: f64,
    }
    // `ln_p` starts at −ln C(n, k), so that a leaf's value is its table's log-probability.
    fn walk(w: &mut Walk<'_>, i: usize, left: u64, ln_p: f64) {
        if i == w.totals.len() - 1 {
            let lp = ln_p + w.lf.ln_choose(w.totals[i], left);
            if lp <= w.threshold {
                w.p += lp.exp();
            }
            return;
        }
        let lo = left.saturating_sub(w.capacity[i + 1]);
        let hi = left.min(w.totals[i]);
        for x in lo..=hi {
            walk(w, i + 1, left - x, ln_p + w.lf.ln_choose(w.totals[i], x));
        }
    }
    let mut state = Walk {
        totals,
        capacity: &capacity,
        lf,
        threshold,
        p: 0.0,
    };
    walk(&mut state, 0, k, -ln_total);
    state.p
}

/// The sum of the probabilities of the tables no more likely than the observed one, by a walk over the rows that
/// settles whole subtrees at once (the network algorithm of Mehta and Patel, in its r × 2 form): at row i with
/// `left` units with the code still to place, the most and the least likely completions bound every table below;
/// when even the most likely is no more likely than the observed table, all of them count, and their probabilities
/// sum to C(units in rows i.., left) (Vandermonde's identity); when even the least likely is more likely, none
/// does. Only the rows between are walked further. Each table is counted exactly once, as in full enumeration.
fn exact_rx2_p(with: &[u64], totals: &[u64], lf: &LnFactorials) -> f64 {
    let r = with.len();
    let k: u64 = with.iter().sum();
    let n: u64 = totals.iter().sum();
    let kk = k as usize;
    let ln_total = lf.ln_choose(n, k);
    let observed: f64 = (0..r).map(|i| lf.ln_choose(totals[i], with[i])).sum::<f64>() - ln_total;
    let threshold = observed + 1e-7_f64.ln_1p();
    // Capacity of rows i.. : how many units with the code they can still hold.
    let mut capacity = vec![0u64; r + 1];
    for i in (0..r).rev() {
        capacity[i] = capacity[i + 1] + totals[i];
    }
    // most[i][left], least[i][left]: the largest and smallest Σ ln C(n_j, x_j) over rows j ≥ i with Σ x_j = left.
    let width = kk + 1;
    let mut most = vec![f64::NEG_INFINITY; (r + 1) * width];
    let mut least = vec![f64::INFINITY; (r + 1) * width];
    most[r * width] = 0.0;
    least[r * width] = 0.0;
    for i in (0..r).rev() {
        for left in 0..=kk.min(capacity[i] as usize) {
            let lo = (left as u64).saturating_sub(capacity[i + 1]);
            let hi = (left as u64).min(totals[i]);
            let (mut best, mut worst) = (f64::NEG_INFINITY, f64::INFINITY);
            for x in lo..=hi {
                let here = lf.ln_choose(totals[i], x);
                let rest = (left as u64 - x) as usize;
                best = best.max(here + most[(i + 1) * width + rest]);
                worst = worst.min(here + least[(i + 1) * width + rest]);
            }
            most[i * width + left] = best;
            least[i * width + left] = worst;
        }
    }
    struct Walk<'a> {
        totals: &'a [u64],
        capacity: &'a [u64],
        most: &'a [f64],
        least: &'a [f64],
        width: usize,
        lf: &'a LnFactorials,
        threshold: f64,
        ln_total: f64,
        p: f64,
    }
    fn walk(w: &mut Walk<'_>, i: usize, left: u64, ln_p: f64) {
        let at = i * w.width + left as usize;
        if ln_p + w.most[at] - w.ln_total <= w.threshold {
            w.p += (ln_p + w.lf.ln_choose(w.capacity[i], left) - w.ln_total).exp();
            return;
        }
        if ln_p + w.least[at] - w.ln_total > w.threshold {
            return;
        }
        let lo = left.saturating_sub(w.capacity[i + 1]);
        let hi = left.min(w.totals[i]);
        for x in lo..=hi {
            walk(w, i + 1, left - x, ln_p + w.lf.ln_choose(w.totals[i], x));
        }
    }
    let mut state = Walk {
        totals,
        capacity: &capacity,
        most: &most,
        least: &least,
        width,
        lf,
        threshold,
        ln_total,
        p: 0.0,
    };
    walk(&mut state, 0, k, 0.0);
    state.p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscase_model::Rng;

    /// The walk that settles subtrees gives full enumeration's p-value on random tables, ties included (equal
    /// totals make many tables exactly as likely as the observed one), up to the rounding of adding in another order.
    #[test]
    fn settled_subtrees_give_the_enumerated_p_value() {
        let mut rng = Rng::new(7);
        for case in 0..400 {
            let r = 2 + rng.below(9) as usize;
            let equal = case % 3 == 0;
            let totals: Vec<u64> = (0..r).map(|_| if equal { 4 } else { 1 + rng.below(9) }).collect();
            let with: Vec<u64> = totals.iter().map(|&t| rng.below(t + 1)).collect();
            let n: u64 = totals.iter().sum();
            let lf = LnFactorials::new(n as usize);
            let (settled, enumerated) = (exact_rx2_p(&with, &totals, &lf), enumerated_rx2_p(&with, &totals, &lf));
            assert!(
                (settled - enumerated).abs() <= 1e-9 * enumerated + 1e-15,
                "{with:?} of {totals:?}: {settled} against {enumerated}"
            );
        }
    }
}
