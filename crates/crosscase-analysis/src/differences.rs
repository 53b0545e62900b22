//! Do municipalities differ in how common a code is, more than chance would make them? For every code: a classical
//! test of the municipality × (with code, without) table, a permutation test that shuffles municipality labels among
//! sources (or participants), effect sizes, Benjamini–Hochberg q-values, and each municipality against the rest.

use rayon::prelude::*;
use serde::Serialize;

use crate::prevalence::PrevalenceRow;
use crate::stats::{
    LnFactorials, Mode, benjamini_hochberg, chi_square_independence, cramers_v, draw_from, fisher_exact_2x2,
    newcombe_difference,
};

/// What is counted as one observation in the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountingUnit {
    /// A source has the code or not: many segments from one interview count once.
    Source,
    /// A participant has the code (in any of their sources) or not.
    Participant,
}

impl CountingUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            CountingUnit::Source => "source",
            CountingUnit::Participant => "participant",
        }
    }
}

/// The knobs of the difference tests.
#[derive(Clone, Debug)]
pub struct DifferenceConfig {
    pub unit: CountingUnit,
    /// Random permutations per code; 0 leaves the permutation test out.
    pub permutations: u64,
    pub seed: u64,
    /// Confidence level of the intervals, e.g. 0.95.
    pub confidence: f64,
}

impl Default for DifferenceConfig {
    fn default() -> Self {
        DifferenceConfig {
            unit: CountingUnit::Source,
            permutations: 9_999,
            seed: 1,
            confidence: 0.95,
        }
    }
}

/// One test of one code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DifferenceRow {
    pub code: String,
    /// `chi_square`, `fisher`, `permutation`, or `none` when no test is possible.
    pub test: &'static str,
    pub unit: &'static str,
    /// χ² (with Yates' correction for a classical 2×2 test; uncorrected for the permutation test); `null` for Fisher.
    pub statistic: Option<f64>,
    pub df: Option<u64>,
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg across codes, within the same kind of test (classical or permutation).
    pub q_value: Option<f64>,
    pub cramers_v: Option<f64>,
    /// Units (sources or participants) in the table.
    pub n: u64,
    /// Municipalities with at least one unit.
    pub municipalities: u64,
    pub permutations: Option<u64>,
    /// Standard error of a permutation p-value: √(p(1 − p) / permutations).
    pub monte_carlo_se: Option<f64>,
    /// Why this test, or why none.
    pub reason: String,
}

/// One municipality against all the others for one code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContrastRow {
    pub code: String,
    pub municipality: String,
    pub unit: &'static str,
    pub with_code: u64,
    pub n: u64,
    pub share: Option<f64>,
    pub rest_with_code: u64,
    pub rest_n: u64,
    pub rest_share: Option<f64>,
    /// share − rest_share.
    pub difference: Option<f64>,
    /// Newcombe's hybrid score interval (method 10).
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Differences {
    pub tests: Vec<DifferenceRow>,
    pub contrasts: Vec<ContrastRow>,
}

/// Per code: units with the code and units in all, per municipality (in the order of `rows`).
struct CodeTable {
    code: String,
    municipalities: Vec<String>,
    with: Vec<u64>,
    total: Vec<u64>,
}

fn tables(rows: &[PrevalenceRow], unit: CountingUnit) -> Vec<CodeTable> {
    let mut out: Vec<CodeTable> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|t| t.code != r.code) {
            out.push(CodeTable {
                code: r.code.clone(),
                municipalities: vec![],
                with: vec![],
                total: vec![],
            });
        }
        let t = out.last_mut().expect("pushed above");
        let (with, total) = match unit {
            CountingUnit::Source => (r.sources, r.sources_total),
            CountingUnit::Participant => (r.participants, r.participants_total),
        };
        t.municipalities.push(r.municipality.clone());
        t.with.push(with);
        t.total.push(total);
    }
    out
}

/// Tests and contrasts for every code of `rows` (as [`crate::prevalence`] returns them), codes in parallel.
pub fn differences(rows: &[PrevalenceRow], cfg: &DifferenceConfig) -> Differences {
    let tables = tables(rows, cfg.unit);
    let largest = tables.iter().map(|t| t.total.iter().sum::<u64>()).max().unwrap_or(0);
    let lf = LnFactorials::new(largest as usize);
    let per_code: Vec<(Vec<DifferenceRow>, Vec<ContrastRow>)> = tables
        .par_iter()
        .enumerate()
        .map(|(i, t)| (test_code(t, i as u64, cfg, &lf), contrasts(t, cfg)))
        .collect();
    let mut tests: Vec<DifferenceRow> = Vec::new();
    let mut all_contrasts = Vec::new();
    for (t, c) in per_code {
        tests.extend(t);
        all_contrasts.extend(c);
    }
    for family in [&["chi_square", "fisher"][..], &["permutation"][..]] {
        let idx: Vec<usize> = (0..tests.len()).filter(|&i| family.contains(&tests[i].test)).collect();
        let q = benjamini_hochberg(&idx.iter().map(|&i| tests[i].p_value).collect::<Vec<_>>());
        for (k, &i) in idx.iter().enumerate() {
            tests[i].q_value = q[k];
        }
    }
    Differences {
        tests,
        contrasts: all_contrasts,
    }
}

fn none_row(t: &CodeTable, cfg: &DifferenceConfig, n: u64, m: u64, reason: &str) -> DifferenceRow {
    DifferenceRow {
        code: t.code.clone(),
        test: "none",
        unit: cfg.unit.as_str(),
        statistic: None,
        df: None,
        p_value: None,
        q_value: None,
        cramers_v: None,
        n,
        municipalities: m,
        permutations: None,
        monte_carlo_se: None,
        reason: reason.to_string(),
    }
}

fn test_code(t: &CodeTable, key: u64, cfg: &DifferenceConfig, lf: &LnFactorials) -> Vec<DifferenceRow> {
    let keep: Vec<usize> = (0..t.total.len()).filter(|&i| t.total[i] > 0).collect();
    let n: u64 = keep.iter().map(|&i| t.total[i]).sum();
    let k: u64 = keep.iter().map(|&i| t.with[i]).sum();
    let m = keep.len() as u64;
    let unit = cfg.unit.as_str();
    if m < 2 {
        return vec![none_row(
            t,
            cfg,
            n,
            m,
            "fewer than two municipalities have data: there is nothing to compare",
        )];
    }
    if k == 0 {
        return vec![none_row(
            t,
            cfg,
            n,
            m,
            &format!("no {unit} has the code: there is no difference to test"),
        )];
    }
    if k == n {
        return vec![none_row(
            t,
            cfg,
            n,
            m,
            &format!("every {unit} has the code: there is no difference to test"),
        )];
    }
    let table: Vec<Vec<u64>> = keep.iter().map(|&i| vec![t.with[i], t.total[i] - t.with[i]]).collect();
    let chi = chi_square_independence(&table).expect("two rows and two non-empty columns");
    let v = cramers_v(&chi);
    let mut rows = Vec::new();
    let classical = if m == 2 && chi.min_expected < 5.0 {
        let p = fisher_exact_2x2(table[0][0], table[0][1], table[1][0], table[1][1]);
        DifferenceRow {
            test: "fisher",
            statistic: None,
            df: None,
            p_value: Some(p),
            reason: format!(
                "2×2 table with an expected count of {:.2}, below 5: Fisher's exact test, two-sided",
                chi.min_expected
            ),
            ..none_row(t, cfg, n, m, "")
        }
    } else {
        let reason = if chi.yates {
            "2×2 table: Pearson's chi-square with Yates' continuity correction".to_string()
        } else if chi.min_expected < 5.0 {
            format!(
                "{m}×2 table: Pearson's chi-square; the smallest expected count is {:.2}, below 5, so the approximation is rough: trust the permutation test",
                chi.min_expected
            )
        } else {
            format!("{m}×2 table with every expected count at least 5: Pearson's chi-square")
        };
        DifferenceRow {
            test: "chi_square",
            statistic: Some(chi.statistic),
            df: Some(chi.df),
            p_value: Some(chi.p_value),
            reason,
            ..none_row(t, cfg, n, m, "")
        }
    };
    rows.push(DifferenceRow {
        cramers_v: Some(v),
        ..classical
    });
    if cfg.permutations > 0 {
        let totals: Vec<u64> = keep.iter().map(|&i| t.total[i]).collect();
        let with: Vec<u64> = keep.iter().map(|&i| t.with[i]).collect();
        let (p, se) = permutation_p(
            &totals,
            &with,
            cfg.permutations,
            crosscase_model::Rng::stream(cfg.seed, key),
            lf,
        );
        rows.push(DifferenceRow {
            test: "permutation",
            statistic: Some(chi.uncorrected),
            df: Some(chi.df),
            p_value: Some(p),
            cramers_v: Some(v),
            permutations: Some(cfg.permutations),
            monte_carlo_se: Some(se),
            reason: format!(
                "municipality labels shuffled among {unit}s {} times (drawn from the multivariate hypergeometric distribution), so that many segments from one {unit} cannot inflate significance; p = (1 + #{{χ²* ≥ χ²}}) / (1 + permutations)",
                cfg.permutations
            ),
            ..none_row(t, cfg, n, m, "")
        });
    }
    rows
}

/// The permutation p-value of the chi-square statistic of a municipality × (with, without) table whose margins are
/// fixed, with its Monte Carlo standard error.
///
/// With both margins fixed, χ² = N² / (K (N − K)) · (Σ x_m² / n_m − K² / N) is increasing in T = Σ x_m² / n_m, so
/// T is compared instead. A permuted table is drawn as successive hypergeometric draws, one per municipality.
///
/// The permutations are advanced together, municipality by municipality (in blocks, to bound memory): the states
/// met at one municipality (successes left) lie close together, so the modes computed for them stay in a small
/// cache instead of a large table that every draw would miss in memory.
pub fn permutation_p(
    totals: &[u64],
    with: &[u64],
    permutations: u64,
    mut rng: crosscase_model::Rng,
    lf: &LnFactorials,
) -> (f64, f64) {
    const BLOCK: u64 = 16_384;
    let n: u64 = totals.iter().sum();
    let k: u64 = with.iter().sum();
    let inv: Vec<f64> = totals.iter().map(|&t| 1.0 / t as f64).collect();
    let observed: f64 = with.iter().zip(&inv).map(|(&x, &w)| (x * x) as f64 * w).sum();
    // Ties count as extreme; the tolerance absorbs rounding in the sums.
    let threshold = observed - 1e-9 * observed.abs().max(1.0);
    let last = totals.len() - 1;
    let mut extreme = 0u64;
    let mut cache = ModeCache::new();
    let (mut successes, mut stat) = (Vec::new(), Vec::new());
    let mut done = 0u64;
    while done < permutations {
        let size = (permutations - done).min(BLOCK) as usize;
        done += size as u64;
        successes.clear();
        successes.resize(size, k);
        stat.clear();
        stat.resize(size, 0.0f64);
        let mut left = n;
        for m in 0..last {
            cache.clear();
            let (draws, weight) = (totals[m], inv[m]);
            for (s, t) in successes.iter_mut().zip(stat.iter_mut()) {
                if *s == 0 {
                    continue;
                }
                let mode = cache.get(*s, || Mode::of(left, *s, draws, lf));
                let x = draw_from(mode, &mut rng, left, *s, draws);
                *t += (x * x) as f64 * weight;
                *s -= x;
            }
            left -= draws;
        }
        extreme += successes
            .iter()
            .zip(&stat)
            .filter(|&(&s, &t)| t + (s * s) as f64 * inv[last] >= threshold)
            .count() as u64;
    }
    let p = (1 + extreme) as f64 / (1 + permutations) as f64;
    (p, (p * (1.0 - p) / permutations as f64).sqrt())
}

/// The modes of the states met at one municipality, by successes left, in a direct-mapped table: the states of one
/// municipality span a narrow range, so they rarely collide, and a collision only costs computing a mode again.
struct ModeCache {
    keys: Vec<u64>,
    modes: Vec<Option<Mode>>,
}

impl ModeCache {
    const SIZE: usize = 4096;

    fn new() -> ModeCache {
        ModeCache {
            keys: vec![u64::MAX; Self::SIZE],
            modes: vec![None; Self::SIZE],
        }
    }

    fn clear(&mut self) {
        self.keys.fill(u64::MAX);
    }

    fn get(&mut self, successes: u64, compute: impl FnOnce() -> Option<Mode>) -> Option<Mode> {
        let slot = successes as usize & (Self::SIZE - 1);
        if self.keys[slot] != successes {
            self.keys[slot] = successes;
            self.modes[slot] = compute();
        }
        self.modes[slot]
    }
}

fn contrasts(t: &CodeTable, cfg: &DifferenceConfig) -> Vec<ContrastRow> {
    let n: u64 = t.total.iter().sum();
    let k: u64 = t.with.iter().sum();
    let share = |x: u64, total: u64| (total > 0).then(|| x as f64 / total as f64);
    (0..t.total.len())
        .map(|i| {
            let (x, ni) = (t.with[i], t.total[i]);
            let (rx, rn) = (k - x, n - ni);
            let diff = newcombe_difference(x, ni, rx, rn, cfg.confidence);
            ContrastRow {
                code: t.code.clone(),
                municipality: t.municipalities[i].clone(),
                unit: cfg.unit.as_str(),
                with_code: x,
                n: ni,
                share: share(x, ni),
                rest_with_code: rx,
                rest_n: rn,
                rest_share: share(rx, rn),
                difference: diff.map(|d| d.0),
                ci_low: diff.map(|d| d.1),
                ci_high: diff.map(|d| d.2),
            }
        })
        .collect()
}
