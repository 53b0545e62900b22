//! Do municipalities differ in how common a code is, more than chance would make them? For every code: a classical
//! test of the municipality × (with code, without) table, a permutation test that shuffles municipality labels among
//! units, effect sizes, Benjamini–Hochberg q-values, and each municipality against the rest.
//!
//! The unit is by default the participant cluster ([`crate::clusters`]): the same managers are interviewed in several
//! waves, so their sources are not independent, and a test that counts sources rejects far too often under no
//! difference at all. Each participant's sources move together between municipalities in the permutation test, and
//! the classical test and the contrasts count clusters.

use crosscase_model::Corpus;
use rayon::prelude::*;
use serde::Serialize;

use crate::clusters::{Clusters, cluster_counts, participant_clusters};
use crate::prevalence::PrevalenceRow;
use crate::stats::{
    Inversion, LnFactorials, Mode, benjamini_hochberg, chi_square_independence, cramers_v, draw_from, fisher_exact_2x2,
    fisher_freeman_halton_rx2, newcombe_difference,
};

/// What is counted as one observation in the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountingUnit {
    /// A participant cluster has the code (in any of its sources) or not; the default.
    Cluster,
    /// A source has the code or not: many segments from one interview count once, but the sources of one
    /// participant count as independent, which they are not.
    Source,
    /// A participant has the code (in any of their sources) or not; sources without participants are left out.
    Participant,
}

impl CountingUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            CountingUnit::Cluster => "cluster",
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
            unit: CountingUnit::Cluster,
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
    /// `chi_square`, `fisher`, `fisher_freeman_halton`, `permutation`, or `none` when no test is possible.
    pub test: &'static str,
    /// `cluster`, `source` or `participant`.
    pub unit: &'static str,
    /// χ² (with Yates' correction for a classical 2×2 test; uncorrected for the permutation test); `null` for the
    /// exact tests.
    pub statistic: Option<f64>,
    pub df: Option<u64>,
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg across codes, within the same kind of test (classical or permutation); `null` for a χ²
    /// whose approximation is rough and whose table is too large for the exact test.
    pub q_value: Option<f64>,
    pub cramers_v: Option<f64>,
    /// Units (clusters, sources or participants) in the table.
    pub n: u64,
    /// Municipalities with at least one unit.
    pub municipalities: u64,
    pub permutations: Option<u64>,
    /// Standard error of a permutation p-value: √(p(1 − p) / permutations).
    pub monte_carlo_se: Option<f64>,
    /// Why this test and this unit, or why none.
    pub reason: String,
}

/// One municipality against all the others for one code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContrastRow {
    pub code: String,
    pub municipality: String,
    /// `cluster`, `source` or `participant`: what `with_code` and `n` count.
    pub unit: &'static str,
    pub with_code: u64,
    pub n: u64,
    pub share: Option<f64>,
    pub rest_with_code: u64,
    pub rest_n: u64,
    pub rest_share: Option<f64>,
    /// share − rest_share.
    pub difference: Option<f64>,
    /// Newcombe's hybrid score interval (method 10) on the units, at level `confidence`.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The level of `ci_low`–`ci_high`, e.g. 0.95.
    pub confidence: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Differences {
    pub tests: Vec<DifferenceRow>,
    pub contrasts: Vec<ContrastRow>,
}

/// Per code: units with the code and units in all, per municipality.
pub(crate) struct CodeTable {
    pub(crate) code: String,
    pub(crate) municipalities: Vec<String>,
    pub(crate) with: Vec<u64>,
    pub(crate) total: Vec<u64>,
}

/// What the reason of every row says about the unit.
pub(crate) struct UnitNote {
    unit: CountingUnit,
    note: String,
}

pub(crate) fn tables(rows: &[PrevalenceRow], unit: CountingUnit) -> Vec<CodeTable> {
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
            CountingUnit::Participant => (r.participants, r.participants_total),
            CountingUnit::Source | CountingUnit::Cluster => (r.sources, r.sources_total),
        };
        t.municipalities.push(r.municipality.clone());
        t.with.push(with);
        t.total.push(total);
    }
    out
}

fn cluster_tables(corpus: &Corpus, clusters: &Clusters) -> Vec<CodeTable> {
    let (with, totals) = cluster_counts(corpus, clusters);
    let names: Vec<String> = corpus.municipalities.iter().map(|m| m.code.clone()).collect();
    corpus
        .codes
        .iter()
        .zip(with)
        .map(|(code, with)| CodeTable {
            code: code.id.clone(),
            municipalities: names.clone(),
            with,
            total: totals.clone(),
        })
        .collect()
}

/// Participants who appear in more than one source: when there are any, a test with sources as units treats
/// dependent observations as independent.
pub fn repeated_participants(corpus: &Corpus) -> usize {
    let mut seen = vec![0u32; corpus.participants.len()];
    for s in &corpus.sources {
        for &p in &s.participants {
            seen[p as usize] += 1;
        }
    }
    seen.iter().filter(|&&n| n > 1).count()
}

fn unit_note(corpus: &Corpus, unit: CountingUnit, clusters: Option<&Clusters>) -> UnitNote {
    let repeated = repeated_participants(corpus);
    let note = match (unit, clusters) {
        (CountingUnit::Cluster, Some(c)) if c.repeated() > 0 => format!(
            "unit: participant clusters ({} sources in {} clusters, {} of them with several sources): the sources of the same participant (or the same group) are alike, so they count as one unit and move together",
            corpus.sources.len(),
            c.len(),
            c.repeated()
        ),
        (CountingUnit::Cluster, _) => {
            "unit: participant clusters, here one source each (no participant appears in two sources)".to_string()
        }
        (CountingUnit::Source, _) if repeated > 0 => format!(
            "unit: source (chosen with --unit source); {repeated} participants appear in several sources, which this test treats as independent, so it can reject too often"
        ),
        (CountingUnit::Source, _) => "unit: source (chosen with --unit source)".to_string(),
        (CountingUnit::Participant, _) => {
            "unit: participant (chosen with --unit participant); sources without participants are left out".to_string()
        }
    };
    UnitNote { unit, note }
}

/// Tests and contrasts for every code, codes in parallel, in the unit of `cfg`: participant clusters from
/// `corpus`, or sources or participants from `rows` (as [`crate::prevalence`] returns them for `corpus`).
pub fn differences(corpus: &Corpus, rows: &[PrevalenceRow], cfg: &DifferenceConfig) -> Differences {
    let (tables, clusters) = match cfg.unit {
        CountingUnit::Cluster => {
            let clusters = participant_clusters(corpus);
            (cluster_tables(corpus, &clusters), Some(clusters))
        }
        unit => (tables(rows, unit), None),
    };
    let note = unit_note(corpus, cfg.unit, clusters.as_ref());
    differences_of(&tables, cfg, &note)
}

/// Each municipality against all the others for every code, with participant clusters as units: the cluster-aware
/// contrasts that feedback packs' "stands out" statements use. The same rows as `differences(..).contrasts` with the
/// default unit.
pub fn cluster_contrasts(corpus: &Corpus, confidence: f64) -> Vec<ContrastRow> {
    let clusters = participant_clusters(corpus);
    let cfg = DifferenceConfig {
        unit: CountingUnit::Cluster,
        permutations: 0,
        confidence,
        ..DifferenceConfig::default()
    };
    cluster_tables(corpus, &clusters)
        .iter()
        .flat_map(|t| contrasts(t, &cfg))
        .collect()
}

/// Tests and contrasts of tables already counted in `cfg.unit` (for tests of the engine itself).
#[cfg(test)]
pub(crate) fn differences_of_rows(rows: &[PrevalenceRow], cfg: &DifferenceConfig) -> Differences {
    let note = UnitNote {
        unit: cfg.unit,
        note: format!("unit: {}", cfg.unit.as_str()),
    };
    differences_of(&tables(rows, cfg.unit), cfg, &note)
}

pub(crate) fn differences_of(tables: &[CodeTable], cfg: &DifferenceConfig, note: &UnitNote) -> Differences {
    let largest = tables.iter().map(|t| t.total.iter().sum::<u64>()).max().unwrap_or(0);
    let lf = LnFactorials::new(largest as usize);
    let per_code: Vec<(Vec<DifferenceRow>, Vec<ContrastRow>)> = tables
        .par_iter()
        .enumerate()
        .map(|(i, t)| (test_code(t, i as u64, cfg, note, &lf), contrasts(t, cfg)))
        .collect();
    let mut tests: Vec<DifferenceRow> = Vec::new();
    let mut all_contrasts = Vec::new();
    for (t, c) in per_code {
        tests.extend(t);
        all_contrasts.extend(c);
    }
    for family in [
        &["chi_square", "fisher", "fisher_freeman_halton"][..],
        &["permutation"][..],
    ] {
        // A rough χ² (small expected counts, too large a table to enumerate) stays out of the family.
        let idx: Vec<usize> = (0..tests.len())
            .filter(|&i| family.contains(&tests[i].test) && !tests[i].reason.contains(ROUGH))
            .collect();
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

/// The words that mark a χ² p-value as too rough for a q-value.
const ROUGH: &str = "too many tables to enumerate";

fn none_row(t: &CodeTable, note: &UnitNote, n: u64, m: u64, reason: &str) -> DifferenceRow {
    DifferenceRow {
        code: t.code.clone(),
        test: "none",
        unit: note.unit.as_str(),
        statistic: None,
        df: None,
        p_value: None,
        q_value: None,
        cramers_v: None,
        n,
        municipalities: m,
        permutations: None,
        monte_carlo_se: None,
        reason: if reason.is_empty() {
            String::new()
        } else {
            format!("{reason}; {}", note.note)
        },
    }
}

fn test_code(
    t: &CodeTable,
    key: u64,
    cfg: &DifferenceConfig,
    note: &UnitNote,
    lf: &LnFactorials,
) -> Vec<DifferenceRow> {
    let keep: Vec<usize> = (0..t.total.len()).filter(|&i| t.total[i] > 0).collect();
    let n: u64 = keep.iter().map(|&i| t.total[i]).sum();
    let k: u64 = keep.iter().map(|&i| t.with[i]).sum();
    let m = keep.len() as u64;
    let unit = match note.unit {
        CountingUnit::Cluster => "cluster",
        other => other.as_str(),
    };
    let with_reason = |row: DifferenceRow, reason: String| DifferenceRow {
        reason: format!("{reason}; {}", note.note),
        ..row
    };
    if m < 2 {
        return vec![none_row(
            t,
            note,
            n,
            m,
            "fewer than two municipalities have data: there is nothing to compare",
        )];
    }
    if k == 0 {
        return vec![none_row(
            t,
            note,
            n,
            m,
            &format!("no {unit} has the code: there is no difference to test"),
        )];
    }
    if k == n {
        return vec![none_row(
            t,
            note,
            n,
            m,
            &format!("every {unit} has the code: there is no difference to test"),
        )];
    }
    let table: Vec<Vec<u64>> = keep.iter().map(|&i| vec![t.with[i], t.total[i] - t.with[i]]).collect();
    let chi = chi_square_independence(&table).expect("two rows and two non-empty columns");
    let v = cramers_v(&chi);
    let totals: Vec<u64> = keep.iter().map(|&i| t.total[i]).collect();
    let with: Vec<u64> = keep.iter().map(|&i| t.with[i]).collect();
    let mut rows = Vec::new();
    let base = none_row(t, note, n, m, "");
    let classical = if m == 2 && chi.min_expected < 5.0 {
        let p = fisher_exact_2x2(table[0][0], table[0][1], table[1][0], table[1][1]);
        with_reason(
            DifferenceRow {
                test: "fisher",
                p_value: Some(p),
                ..base.clone()
            },
            format!(
                "2×2 table with an expected count of {:.2}, below 5: Fisher's exact test, two-sided",
                chi.min_expected
            ),
        )
    } else if chi.min_expected < 5.0 {
        match fisher_freeman_halton_rx2(&with, &totals) {
            Some(p) => with_reason(
                DifferenceRow {
                    test: "fisher_freeman_halton",
                    p_value: Some(p),
                    ..base.clone()
                },
                format!(
                    "{m}×2 table with an expected count of {:.2}, below 5: the Fisher–Freeman–Halton exact test (every table with the same margins enumerated), two-sided",
                    chi.min_expected
                ),
            ),
            None => with_reason(
                DifferenceRow {
                    test: "chi_square",
                    statistic: Some(chi.statistic),
                    df: Some(chi.df),
                    p_value: Some(chi.p_value),
                    ..base.clone()
                },
                format!(
                    "{m}×2 table with an expected count of {:.2}, below 5, and {ROUGH} exactly: Pearson's chi-square is rough, so it gets no q-value; trust the permutation test",
                    chi.min_expected
                ),
            ),
        }
    } else {
        let reason = if chi.yates {
            "2×2 table: Pearson's chi-square with Yates' continuity correction".to_string()
        } else {
            format!("{m}×2 table with every expected count at least 5: Pearson's chi-square")
        };
        with_reason(
            DifferenceRow {
                test: "chi_square",
                statistic: Some(chi.statistic),
                df: Some(chi.df),
                p_value: Some(chi.p_value),
                ..base.clone()
            },
            reason,
        )
    };
    rows.push(DifferenceRow {
        cramers_v: Some(v),
        ..classical
    });
    if cfg.permutations > 0 {
        let (p, se) = permutation_p(
            &totals,
            &with,
            cfg.permutations,
            crosscase_model::Rng::stream(cfg.seed, key),
            lf,
        );
        let shuffled = match note.unit {
            CountingUnit::Cluster => {
                "municipality labels shuffled among participant clusters (all sources of a participant move together; each municipality keeps its number of clusters)".to_string()
            }
            u => format!("municipality labels shuffled among {}s (each municipality keeps its number)", u.as_str()),
        };
        rows.push(with_reason(
            DifferenceRow {
                test: "permutation",
                statistic: Some(chi.uncorrected),
                df: Some(chi.df),
                p_value: Some(p),
                cramers_v: Some(v),
                permutations: Some(cfg.permutations),
                monte_carlo_se: Some(se),
                ..base
            },
            format!(
                "{shuffled} {} times, drawn from the multivariate hypergeometric distribution; p = (1 + #{{χ²* ≥ χ²}}) / (1 + permutations)",
                cfg.permutations
            ),
        ));
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
    if 2 * k.min(n - k) < totals.len() as u64 {
        return permutation_p_few(totals, with, permutations, rng);
    }
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
                let x = match cache.get(*s, || Mode::of(left, *s, draws, lf).map(Inversion::of)) {
                    Some(table) => table.draw(&mut rng),
                    None => draw_from(None, &mut rng, left, *s, draws),
                };
                // Through i64: one instruction, where u64 to f64 takes several.
                *t += (x * x) as i64 as f64 * weight;
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

/// [`permutation_p`] when one side of the table is small: fewer items with the code than half the number of
/// municipalities, or fewer without it (a code nearly every cluster has). A permuted table is then drawn as a random
/// subset of that many items among all N (Floyd's algorithm), whose municipalities give the table: the same
/// multivariate hypergeometric distribution, for a few draws per table instead of one per municipality.
///
/// With g_m the counts of the small side (with the code, or without it: g_m = n_m − x_m), Σ x_m² / n_m is
/// N − 2G + Σ g_m² / n_m in the second case, so the statistic of the small side is compared, with the tolerance
/// [`permutation_p`] uses for the whole one.
pub(crate) fn permutation_p_few(
    totals: &[u64],
    with: &[u64],
    permutations: u64,
    mut rng: crosscase_model::Rng,
) -> (f64, f64) {
    let n: u64 = totals.iter().sum();
    let k: u64 = with.iter().sum();
    let inv: Vec<f64> = totals.iter().map(|&t| 1.0 / t as f64).collect();
    let whole: f64 = with.iter().zip(&inv).map(|(&x, &w)| (x * x) as f64 * w).sum();
    let small: Vec<u64> = if k <= n - k {
        with.to_vec()
    } else {
        totals.iter().zip(with).map(|(&t, &x)| t - x).collect()
    };
    let marked: u64 = small.iter().sum();
    let observed: f64 = small.iter().zip(&inv).map(|(&g, &w)| (g * g) as f64 * w).sum();
    let threshold = observed - 1e-9 * whole.abs().max(1.0);
    // Item i belongs to the municipality `owner[i]`: the items are laid out municipality by municipality.
    let owner: Vec<u32> = totals
        .iter()
        .enumerate()
        .flat_map(|(m, &t)| std::iter::repeat_n(m as u32, t as usize))
        .collect();
    let mut taken = vec![0u64; (n as usize).div_ceil(64)];
    let mut count = vec![0u64; totals.len()];
    let mut picked: Vec<u64> = Vec::with_capacity(marked as usize);
    let mut extreme = 0u64;
    for _ in 0..permutations {
        let mut t = 0.0f64;
        for j in n - marked..n {
            let r = rng.below(j + 1);
            let item = if taken[(r / 64) as usize] & (1 << (r % 64)) != 0 {
                j
            } else {
                r
            };
            taken[(item / 64) as usize] |= 1 << (item % 64);
            picked.push(item);
            // One more item at m adds (g + 1)² − g² = 2g + 1 to g², over n_m.
            let m = owner[item as usize] as usize;
            t += (2 * count[m] + 1) as f64 * inv[m];
            count[m] += 1;
        }
        if t >= threshold {
            extreme += 1;
        }
        for item in picked.drain(..) {
            taken[(item / 64) as usize] = 0;
            count[owner[item as usize] as usize] = 0;
        }
    }
    let p = (1 + extreme) as f64 / (1 + permutations) as f64;
    (p, (p * (1.0 - p) / permutations as f64).sqrt())
}

/// The modes of the states met at one municipality, by successes left, with their inversion tables, in a
/// direct-mapped table: the states of one municipality span a narrow range, so they rarely collide, and a collision
/// only costs computing a mode again.
struct ModeCache {
    keys: Vec<u64>,
    modes: Vec<Option<Inversion>>,
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

    fn get(&mut self, successes: u64, compute: impl FnOnce() -> Option<Inversion>) -> Option<&Inversion> {
        let slot = successes as usize & (Self::SIZE - 1);
        if self.keys[slot] != successes {
            self.keys[slot] = successes;
            self.modes[slot] = compute();
        }
        self.modes[slot].as_ref()
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
                confidence: cfg.confidence,
            }
        })
        .collect()
}
