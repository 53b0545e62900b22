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
    // ways[s]: tables of the rows seen so far whose first column sums to s, counted in f64 (only to bound the
    // enumeration), row by row with prefix sums so that a large table costs O(r · K) before it is turned down.
    let kk = k as usize;
    let mut ways = vec![0.0f64; kk + 1];
    ways[0] = 1.0;
    let mut prefix = vec![0.0f64; kk + 2];
    for &t in totals {
        for s in 0..=kk {
            prefix[s + 1] = prefix[s] + ways[s];
        }
        for s in 0..=kk {
            let top = (t as usize).min(s);
            // Saturated far above the limit, so the sums stay finite and exact enough near it.
            ways[s] = (prefix[s + 1] - prefix[s - top]).min(1e12);
        }
    }
    if ways[kk] > EXACT_TABLE_LIMIT {
        return None;
    }
    let lf = LnFactorials::new(n as usize);
    let ln_total = lf.ln_choose(n, k);
    let observed: f64 = (0..r).map(|i| lf.ln_choose(totals[i], with[i])).sum::<f64>() - ln_total;
    let threshold = observed + 1e-7_f64.ln_1p();
    // Capacity of rows i.. : how many units with the code they can still hold.
    let mut capacity = vec![0u64; r + 1];
    for i in (0..r).rev() {
        capacity[i] = capacity[i + 1] + totals[i];
    }
    struct Walk<'a> {
        totals: &'a [u64],
        capacity: &'a [u64],
        lf: &'a LnFactorials,
        threshold: f64,
        ln_total: f64,
        p: f64,
    }
    fn walk(w: &mut Walk<'_>, i: usize, left: u64, ln_p: f64) {
        let last = w.totals.len() - 1;
        if i == last {
            let lp = ln_p + w.lf.ln_choose(w.totals[i], left) - w.ln_total;
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
        lf: &lf,
        threshold,
        ln_total,
        p: 0.0,
    };
    walk(&mut state, 0, k, 0.0);
    Some(state.p.min(1.0))
}
