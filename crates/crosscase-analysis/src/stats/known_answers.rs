//! Known-answer tests: published values, with their sources, against the functions of this module.

use std::collections::BTreeMap;

use super::*;

fn close(got: f64, expected: f64, tol: f64) {
    assert!((got - expected).abs() <= tol, "got {got}, expected {expected} (±{tol})");
}

#[test]
fn chi_square_with_yates_correction_on_2x2() {
    // ../shared/research/statistics.md: [[10,20],[30,40]] gives χ² = 0.4464, p = 0.5040 with Yates' correction,
    // as R's chisq.test(matrix(c(10,30,20,40), 2)) reports (X-squared = 0.44643, p-value = 0.504).
    let c = chi_square_independence(&[vec![10, 20], vec![30, 40]]).unwrap();
    assert!(c.yates);
    close(c.statistic, 0.446_428_571_428_571_4, 1e-12);
    close(c.p_value, 0.504_036_6, 1e-6);
    assert_eq!(c.df, 1);
}

#[test]
fn chi_square_distribution_quantiles() {
    // Textbook critical values: χ²(1) 3.841459 and χ²(4) 9.487729 at the 5 % level; χ²(2) has sf exp(−x/2).
    close(chi_square_sf(3.841_458_820_694_124, 1.0), 0.05, 1e-12);
    close(chi_square_sf(9.487_729_036_781_154, 4.0), 0.05, 1e-12);
    close(chi_square_sf(7.0, 2.0), (-3.5f64).exp(), 1e-14);
    // Far tail, checked with mpmath 1.3.0 at 40 digits: gammainc(5, 125, inf, regularized=True).
    close(chi_square_sf(250.0, 10.0) / 5.427_833_960_969_281e-48, 1.0, 1e-12);
    close(normal_quantile(0.975), 1.959_963_984_540_054, 1e-13);
    close(normal_quantile(0.005), -2.575_829_303_548_901, 1e-12);
}

#[test]
fn fisher_tea_tasting() {
    // Fisher's tea-tasting table [[3,1],[1,3]]: two-sided p = 34/70 (statistics.md).
    close(fisher_exact_2x2(3, 1, 1, 3), 34.0 / 70.0, 1e-12);
    // Extreme tables: [[4,0],[0,4]] has p = 2/70.
    close(fisher_exact_2x2(4, 0, 0, 4), 2.0 / 70.0, 1e-12);
}

#[test]
fn wilson_interval_newcombe_table_i() {
    // Newcombe (1998), Statistics in Medicine 17:857, Table I: 81/263 gives 0.2553 to 0.3662 (95 %).
    let (lo, hi) = wilson(81, 263, 0.95).unwrap();
    close(lo, 0.2553, 5e-5);
    close(hi, 0.3662, 5e-5);
    assert_eq!(wilson(0, 0, 0.95), None);
}

#[test]
fn newcombe_difference_method_10() {
    // Newcombe (1998), Statistics in Medicine 17:873, Table II, example (a): 56/70 − 48/80 = 0.2000,
    // method 10 (score interval from Wilson limits) 0.0524 to 0.3339.
    let (d, lo, hi) = newcombe_difference(56, 70, 48, 80, 0.95).unwrap();
    close(d, 0.2, 1e-12);
    close(lo, 0.0524, 5e-5);
    close(hi, 0.3339, 5e-5);
}

#[test]
fn benjamini_hochberg_paper_example() {
    // Benjamini & Hochberg (1995), JRSS B 57:289, section 4: fifteen p-values from a clinical trial; at q = 0.05
    // the procedure rejects the four smallest.
    let p = [
        0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590,
        1.0,
    ];
    let q = benjamini_hochberg(&p.map(Some));
    let q: Vec<f64> = q.into_iter().map(Option::unwrap).collect();
    assert_eq!(q.iter().filter(|&&v| v <= 0.05).count(), 4);
    // Step-up values by hand: q(4) = 0.0095·15/4, q(5) = min over j ≥ 5 of p(j)·15/j = 0.0201·3.
    close(q[3], 0.035_625, 1e-12);
    close(q[4], 0.0603, 1e-12);
    close(q[14], 1.0, 0.0);
    assert!(q.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(benjamini_hochberg(&[None, Some(0.01)]), vec![None, Some(0.01)]);
}

#[test]
fn krippendorff_alpha_nominal_published_example() {
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers, twelve units,
    // nominal α = 0.743 (0.743421…); statistics.md gives the table.
    let table: [[Option<u32>; 12]; 4] = [
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(1),
            Some(4),
            Some(1),
            Some(2),
            None,
            None,
            None,
        ],
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(2),
            Some(4),
            Some(1),
            Some(2),
            Some(5),
            None,
            Some(3),
        ],
        [
            None,
            Some(3),
            Some(3),
            Some(3),
            Some(2),
            Some(3),
            Some(4),
            Some(2),
            Some(2),
            Some(5),
            Some(1),
            None,
        ],
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(4),
            Some(4),
            Some(1),
            Some(2),
            Some(5),
            Some(1),
            None,
        ],
    ];
    let units: Vec<Vec<Option<u32>>> = (0..12).map(|u| (0..4).map(|o| table[o][u]).collect()).collect();
    close(krippendorff_alpha_nominal(&units).unwrap(), 0.743_421, 1e-6);
}

#[test]
fn cohen_kappa_textbook_example() {
    // 50 grant proposals, two readers: yes/yes 20, A yes B no 5, A no B yes 10, no/no 15:
    // p_o = 0.70, p_e = 0.50, κ = 0.40 (statistics.md).
    let joint: BTreeMap<(u32, u32), u64> = [((1, 1), 20), ((1, 0), 5), ((0, 1), 10), ((0, 0), 15)].into();
    close(cohen_kappa(&joint).unwrap(), 0.40, 1e-12);
    let mut units = vec![];
    for (&(a, b), &n) in &joint {
        units.push((vec![Some(a), Some(b)], n));
    }
    let s = nominal_agreement(&units, 2);
    close(s.percent_agreement.unwrap(), 0.70, 1e-12);
    close(s.cohen_kappa.unwrap(), 0.40, 1e-12);
    // Brennan–Prediger with q = 2: (0.70 − 0.5) / 0.5.
    close(s.brennan_prediger.unwrap(), 0.40, 1e-12);
    assert_eq!(s.units, 50);
    assert_eq!(s.coders, 2);
}

#[test]
fn hypergeometric_draw_frequencies_match_the_probability_mass_function() {
    // Symmetric, skewed, near-degenerate and large populations; each value's frequency within 5 standard errors.
    for (total, successes, draws) in [
        (200, 60, 50),
        (50, 3, 40),
        (1000, 990, 20),
        (30, 15, 15),
        (10_000, 5000, 172),
    ] {
        let lf = LnFactorials::new(total as usize);
        let mut rng = crosscase_model::Rng::new(total ^ draws);
        let runs = 100_000u64;
        let mut seen = vec![0u64; draws as usize + 1];
        for _ in 0..runs {
            seen[hypergeometric(&mut rng, total, successes, draws, &lf) as usize] += 1;
        }
        for (x, &count) in seen.iter().enumerate() {
            let x = x as u64;
            let p = if x > successes || draws - x > total - successes {
                0.0
            } else {
                (lf.ln_choose(successes, x) + lf.ln_choose(total - successes, draws - x) - lf.ln_choose(total, draws))
                    .exp()
            };
            let freq = count as f64 / runs as f64;
            let se = (p * (1.0 - p) / runs as f64).sqrt();
            assert!(
                (freq - p).abs() <= 5.0 * se + 1e-9,
                "N={total} K={successes} n={draws}: P(X={x}) = {p}, drawn {freq}"
            );
        }
    }
}

#[test]
fn hypergeometric_draws_match_their_distribution() {
    // Mean n·K/N and variance n·K/N·(N−K)/N·(N−n)/(N−1) of draws from N = 200, K = 60, n = 50.
    let lf = LnFactorials::new(200);
    let mut rng = crosscase_model::Rng::new(3);
    let draws: Vec<f64> = (0..200_000)
        .map(|_| hypergeometric(&mut rng, 200, 60, 50, &lf) as f64)
        .collect();
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
    close(mean, 15.0, 0.03);
    close(var, 15.0 * 0.7 * 150.0 / 199.0, 0.08);
    assert!(draws.iter().all(|&x| (0.0..=50.0).contains(&x)));
    // Degenerate margins give the only possible value.
    assert_eq!(hypergeometric(&mut rng, 10, 10, 4, &lf), 4);
    assert_eq!(hypergeometric(&mut rng, 10, 3, 10, &lf), 3);
    assert_eq!(hypergeometric(&mut rng, 10, 0, 4, &lf), 0);
}

#[test]
// 3.14 is a measurement in the published data, not an approximation of π.
#[allow(clippy::approx_constant)]
fn wilcoxon_signed_rank_hollander_wolfe_depression_data() {
    // R's ?wilcox.test example, Hollander & Wolfe (1973), p. 29: Hamilton depression scores before (x) and after (y)
    // a tranquilizer. R: V = 40, one-sided p = 0.01953 (10/512); the two-sided p is twice that.
    let x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
    let y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    let d: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
    let (t, w_plus) = wilcoxon_signed_rank(&d).unwrap();
    assert_eq!(w_plus, 40.0);
    assert_eq!(t.statistic, 5.0);
    assert!(t.exact);
    close(t.p_value, 20.0 / 512.0, 1e-12);
}

#[test]
fn mann_whitney_hollander_wolfe_permeability_data() {
    // R's ?wilcox.test example, Hollander & Wolfe (1973), p. 69: x and y of 10 and 5 values; R reports W = 35 and,
    // for the one-sided alternative "greater", p = 0.1272; the two-sided p is twice that.
    let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    let y = [1.15, 0.88, 0.90, 0.74, 1.21];
    let t = mann_whitney(&x, &y).unwrap();
    assert_eq!(t.statistic, 35.0);
    assert!(t.exact);
    close(t.p_value, 2.0 * 0.1272, 1e-4);
    // The exact p by brute force over all C(15, 5) = 3003 ways to choose y's ranks.
    let mut extreme = 0u32;
    let mut total = 0u32;
    for mask in 0u32..(1 << 15) {
        if mask.count_ones() != 5 {
            continue;
        }
        total += 1;
        let rank_sum_y: u32 = (0..15).filter(|i| mask & (1 << i) != 0).map(|i| i + 1).sum();
        let u_x = 10 * 5 + 5 * 6 / 2 - rank_sum_y;
        if u_x >= 35 {
            extreme += 1;
        }
    }
    close(t.p_value, 2.0 * f64::from(extreme) / f64::from(total), 1e-12);
}

#[test]
fn kruskal_wallis_hollander_wolfe_lung_data() {
    // R's ?kruskal.test example, Hollander & Wolfe (1973), p. 116: mucociliary efficiency in three groups.
    // R: Kruskal-Wallis chi-squared = 0.77143, df = 2, p-value = 0.68.
    let groups = vec![
        vec![2.9, 3.0, 2.5, 2.6, 3.2],
        vec![3.8, 2.7, 4.0, 2.4],
        vec![2.8, 3.4, 3.7, 2.2, 2.0],
    ];
    let (t, df) = kruskal_wallis(&groups).unwrap();
    assert_eq!(df, 2);
    close(t.statistic, 0.771_428_571_428_571_4, 1e-12);
    // With two degrees of freedom the chi-square tail is exp(−H/2).
    close(t.p_value, (-t.statistic / 2.0).exp(), 1e-12);
    close(t.p_value, 0.68, 0.005);
}

#[test]
fn rank_tests_with_ties_and_degenerate_input() {
    // Ties use mid-ranks and the normal approximation; empty or constant input has no test.
    let t = mann_whitney(&[1.0, 2.0, 2.0, 3.0], &[2.0, 3.0, 3.0, 4.0]).unwrap();
    assert!(!t.exact && (0.0..=1.0).contains(&t.p_value));
    assert!(mann_whitney(&[], &[1.0]).is_none());
    assert!(wilcoxon_signed_rank(&[0.0, 0.0]).is_none());
    assert!(kruskal_wallis(&[vec![1.0, 1.0], vec![1.0]]).is_none());
    assert!(kruskal_wallis(&[vec![1.0, 2.0]]).is_none());
}

/// The remission data of Freireich et al. (1963), Blood 21:699, as Gehan (1965) and every survival textbook use it:
/// weeks in remission for 21 leukaemia patients on 6-MP (`false`: still in remission, censored) and 21 on placebo.
fn freireich() -> (Vec<Observation>, Vec<Observation>) {
    let obs = |t: &[(f64, bool)]| -> Vec<Observation> {
        t.iter().map(|&(time, event)| Observation { time, event }).collect()
    };
    let six_mp = obs(&[
        (6.0, true),
        (6.0, true),
        (6.0, true),
        (6.0, false),
        (7.0, true),
        (9.0, false),
        (10.0, true),
        (10.0, false),
        (11.0, false),
        (13.0, true),
        (16.0, true),
        (17.0, false),
        (19.0, false),
        (20.0, false),
        (22.0, true),
        (23.0, true),
        (25.0, false),
        (32.0, false),
        (32.0, false),
        (34.0, false),
        (35.0, false),
    ]);
    let placebo = obs(&[
        1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 5.0, 8.0, 8.0, 8.0, 8.0, 11.0, 11.0, 12.0, 12.0, 15.0, 17.0, 22.0, 23.0,
    ]
    .map(|t| (t, true)));
    (six_mp, placebo)
}

#[test]
fn kaplan_meier_freireich_6mp() {
    // Kleinbaum & Klein (2012), Survival Analysis: A Self-Learning Text, 3rd ed., ch. 2, table for the 6-MP group:
    // S(t) = .8571, .8067, .7529, .6902, .6275, .5378, .4482 at weeks 6, 7, 10, 13, 16, 22, 23.
    // R: summary(survfit(Surv(time, cens) ~ treat, data = MASS::gehan)) for 6-MP gives std.err .0764 .0869 .0963
    // .1068 .1141 .1282 .1346, lower 95 % CI .720 .653 .586 .510 .439 .337 .249, upper 1.000 .996 .968 .935 .896
    // .858 .807; print() gives median 23, 0.95LCL 16, 0.95UCL NA.
    let (six_mp, _) = freireich();
    let km = kaplan_meier(&six_mp, 0.95).unwrap();
    assert_eq!((km.n, km.events), (21, 9));
    let at_events: Vec<&KmStep> = km.steps.iter().filter(|s| s.events > 0).collect();
    let times = [6.0, 7.0, 10.0, 13.0, 16.0, 22.0, 23.0];
    let survival = [0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482];
    let std_err = [0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346];
    let lower = [0.720, 0.653, 0.586, 0.510, 0.439, 0.337, 0.249];
    let upper = [1.000, 0.996, 0.968, 0.935, 0.896, 0.858, 0.807];
    assert_eq!(at_events.len(), 7);
    for (i, s) in at_events.iter().enumerate() {
        close(s.time, times[i], 0.0);
        close(s.survival, survival[i], 5e-5);
        close(s.std_err.unwrap(), std_err[i], 5e-5);
        close(s.lower.unwrap(), lower[i], 5e-4);
        close(s.upper.unwrap(), upper[i], 5e-4);
    }
    // Exact values: S(6) = 18/21 and S(7) = 18/21 · 16/17.
    close(at_events[0].survival, 18.0 / 21.0, 1e-15);
    close(at_events[1].survival, 18.0 / 21.0 * 16.0 / 17.0, 1e-15);
    // Censored times are steps too (as survfit lists them), with the same survival as before.
    let at_9 = km.steps.iter().find(|s| s.time == 9.0).unwrap();
    assert_eq!((at_9.at_risk, at_9.events, at_9.censored), (16, 0, 1));
    close(at_9.survival, at_events[1].survival, 0.0);
    assert_eq!(km.median, Some(23.0));
    assert_eq!(km.median_lower, Some(16.0));
    assert_eq!(km.median_upper, None);
}

#[test]
fn kaplan_meier_median_where_the_curve_sits_at_one_half() {
    // R: survfit(Surv(c(1, 2, 3, 4), rep(1, 4)) ~ 1) has S = .75, .5, .25, 0 and median 2.5, the middle of the
    // interval where S is exactly one half (quantile.survfit's rule).
    let obs: Vec<Observation> = [1.0, 2.0, 3.0, 4.0]
        .iter()
        .map(|&time| Observation { time, event: true })
        .collect();
    let km = kaplan_meier(&obs, 0.95).unwrap();
    assert_eq!(km.median, Some(2.5));
    // Once S reaches 0 the log-scale interval is undefined, as in R.
    let last = km.steps.last().unwrap();
    assert_eq!((last.survival, last.std_err, last.lower), (0.0, None, None));
    assert_eq!(kaplan_meier(&[], 0.95), None);
    assert_eq!(
        kaplan_meier(
            &[Observation {
                time: f64::NAN,
                event: true
            }],
            0.95
        ),
        None
    );
}

#[test]
fn log_rank_freireich() {
    // Kleinbaum & Klein (2012), ch. 2: log-rank statistic 16.79 for the remission data, expected events 19.25 (6-MP)
    // and 10.75 (placebo) against 9 and 21 observed, Var(O − E) = 6.2570.
    // R: survdiff(Surv(time, cens) ~ treat, data = MASS::gehan) gives Chisq = 16.8 on 1 df, p = 4.17e-05.
    let (six_mp, placebo) = freireich();
    let lr = log_rank(&[six_mp.clone(), placebo.clone()]).unwrap();
    close(lr.statistic, 16.79, 5e-3);
    assert_eq!(lr.df, 1);
    close(lr.p_value, 4.17e-5, 5e-8);
    close(lr.observed[0], 9.0, 0.0);
    close(lr.observed[1], 21.0, 0.0);
    close(lr.expected[0], 19.25, 5e-3);
    close(lr.expected[1], 10.75, 5e-3);
    close((lr.observed[1] - lr.expected[1]).powi(2) / lr.statistic, 6.2570, 5e-4);
    // The order of the groups does not matter.
    let swapped = log_rank(&[placebo, six_mp]).unwrap();
    close(swapped.statistic, lr.statistic, 1e-12);
}

#[test]
fn log_rank_with_three_groups_and_empty_ones() {
    // With three groups the statistic is (O − E)' V⁻¹ (O − E) over two of them; checked here against the explicit
    // inverse of the 2 × 2 covariance matrix, worked out separately from the same sums.
    let (six_mp, placebo) = freireich();
    let third: Vec<Observation> = [3.0, 5.0, 9.0, 12.0, 14.0, 20.0, 26.0]
        .iter()
        .enumerate()
        .map(|(i, &time)| Observation {
            time,
            event: i % 3 != 2,
        })
        .collect();
    let groups = [six_mp.clone(), placebo.clone(), third.clone()];
    let lr = log_rank(&groups).unwrap();
    assert_eq!(lr.df, 2);
    let explicit = explicit_three_group_log_rank(&groups);
    close(lr.statistic, explicit, 1e-9);
    close(lr.p_value, (-lr.statistic / 2.0).exp(), 1e-12);
    // An empty group changes nothing; one group alone, or no event at all, has no test.
    let with_empty = log_rank(&[six_mp.clone(), Vec::new(), placebo.clone()]).unwrap();
    close(
        with_empty.statistic,
        log_rank(&[six_mp.clone(), placebo]).unwrap().statistic,
        1e-12,
    );
    assert_eq!(with_empty.df, 1);
    assert_eq!(log_rank(&[six_mp, Vec::new()]), None);
    let censored = vec![Observation {
        time: 1.0,
        event: false,
    }];
    assert_eq!(log_rank(&[censored.clone(), censored]), None);
}

/// The three-group log-rank statistic from its textbook definition, with the 2 × 2 inverse written out.
fn explicit_three_group_log_rank(groups: &[Vec<Observation>; 3]) -> f64 {
    let mut times: Vec<f64> = groups.iter().flatten().filter(|o| o.event).map(|o| o.time).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let (mut u, mut v) = ([0.0; 2], [[0.0; 2]; 2]);
    for t in times {
        let n: Vec<f64> = groups
            .iter()
            .map(|g| g.iter().filter(|o| o.time >= t).count() as f64)
            .collect();
        let d: Vec<f64> = groups
            .iter()
            .map(|g| g.iter().filter(|o| o.time == t && o.event).count() as f64)
            .collect();
        let (nt, dt) = (n.iter().sum::<f64>(), d.iter().sum::<f64>());
        for a in 0..2 {
            u[a] += d[a] - dt * n[a] / nt;
            for b in 0..2 {
                let delta = if a == b { n[a] / nt } else { 0.0 };
                v[a][b] += dt * (nt - dt) / (nt - 1.0) * (delta - n[a] * n[b] / (nt * nt));
            }
        }
    }
    let det = v[0][0] * v[1][1] - v[0][1] * v[1][0];
    let inv = [[v[1][1] / det, -v[0][1] / det], [-v[1][0] / det, v[0][0] / det]];
    (0..2)
        .map(|a| (0..2).map(|b| u[a] * inv[a][b] * u[b]).sum::<f64>())
        .sum()
}

#[test]
fn cronbach_alpha_worked_examples() {
    // Five respondents, three items, worked by hand from the definition (Cronbach 1951, Psychometrika 16:297):
    // item variances 1.3, 1.3 and 1.7 (sum 4.3); the sums 6, 8, 9, 12, 14 have variance 10.2;
    // α = 3/2 · (1 − 4.3/10.2) = 0.867647…
    let rows = [
        [1.0, 2.0, 3.0],
        [2.0, 3.0, 3.0],
        [3.0, 3.0, 3.0],
        [4.0, 4.0, 4.0],
        [3.0, 5.0, 6.0],
    ];
    let rows: Vec<Vec<f64>> = rows.iter().map(|r| r.to_vec()).collect();
    close(cronbach_alpha(&rows).unwrap(), 1.5 * (1.0 - 4.3 / 10.2), 1e-12);
    close(cronbach_alpha(&rows).unwrap(), 0.867_647_058_823_529_4, 1e-12);
    // Two items: α = 4 cov / (var1 + var2 + 2 cov), which for two halves is the Flanagan–Rulon split-half coefficient (Cronbach 1951).
    let two: Vec<Vec<f64>> = [[1.0, 2.0], [2.0, 2.0], [3.0, 4.0], [4.0, 3.0], [5.0, 5.0]]
        .iter()
        .map(|r| r.to_vec())
        .collect();
    let (v1, v2, cov) = (2.5, 1.7, 1.75);
    close(cronbach_alpha(&two).unwrap(), 4.0 * cov / (v1 + v2 + 2.0 * cov), 1e-12);
    // Identical items are perfectly consistent; one item or one respondent has no α.
    let same: Vec<Vec<f64>> = (1..=4).map(|v| vec![v as f64; 3]).collect();
    close(cronbach_alpha(&same).unwrap(), 1.0, 1e-12);
    assert_eq!(cronbach_alpha(&[vec![1.0], vec![2.0]]), None);
    assert_eq!(cronbach_alpha(&[vec![1.0, 2.0]]), None);
}

#[test]
fn fisher_freeman_halton_on_r_by_2_tables() {
    // On a 2×2 table the Fisher–Freeman–Halton test is Fisher's: the tea-tasting table gives 34/70 (statistics.md).
    close(fisher_freeman_halton_rx2(&[3, 1], &[4, 4]).unwrap(), 34.0 / 70.0, 1e-12);
    close(fisher_freeman_halton_rx2(&[4, 0], &[4, 4]).unwrap(), 2.0 / 70.0, 1e-12);
    // A 3×2 table [[1,4],[4,1],[2,3]]: every table with these margins enumerated in exact rational arithmetic
    // (Python's fractions; the definition of R's fisher.test for r×c tables) gives p = 43/143; SciPy 1.17's
    // fisher_exact on the same table (Monte Carlo for r×c) reports 0.3009.
    close(
        fisher_freeman_halton_rx2(&[1, 4, 2], &[5, 5, 5]).unwrap(),
        43.0 / 143.0,
        1e-12,
    );
    // A 4×2 table with small counts, [[0,3],[3,0],[1,2],[2,1]]: 37/154 by the same exact enumeration.
    close(
        fisher_freeman_halton_rx2(&[0, 3, 1, 2], &[3, 3, 3, 3]).unwrap(),
        37.0 / 154.0,
        1e-12,
    );
    // Too many tables to enumerate: no exact p.
    assert_eq!(fisher_freeman_halton_rx2(&[50; 40], &[100; 40]), None);
}

#[test]
fn wilcoxon_signed_rank_treats_equal_differences_of_means_as_ties() {
    // Differences of dimension indices (means of whole-number answers): 5/3 − 4/3 and 4/3 − 1 are both 1/3 in exact
    // arithmetic but not in floating point. With them tied the data are |d| = 1/3, 1/3, 2/3, 1, 1/3 (signs + + − + +),
    // which R's wilcox.test(d, correct = TRUE) treats with the normal approximation and the tie correction:
    // mid-ranks 2, 2, 4, 5, 2; V = W+ = 11; σ² = 5·6·11/24 − (27 − 3)/48 = 13.25; z = (11 − 7.5 − 0.5)/√13.25.
    let d = [
        5.0 / 3.0 - 4.0 / 3.0,
        4.0 / 3.0 - 1.0,
        1.0 / 3.0 - 1.0,
        2.0 - 1.0,
        2.0 / 3.0 - 1.0 / 3.0,
    ];
    assert_ne!(d[0], d[1], "the floating-point differences are not equal");
    let (t, w_plus) = wilcoxon_signed_rank(&d).unwrap();
    assert!(!t.exact);
    assert_eq!(w_plus, 11.0);
    assert_eq!(t.statistic, 4.0);
    let z: f64 = 3.0 / 13.25f64.sqrt();
    close(t.p_value, chi_square_sf(z * z, 1.0), 1e-12);
    // scipy.stats.wilcoxon([1/3, 1/3, -2/3, 1, 1/3], correction=True, method="approx") (SciPy 1.17): p = 0.40984673.
    close(t.p_value, 0.409_846_729_368_463_2, 1e-9);
    // With a zero difference R leaves the exact distribution for the normal approximation too (ZEROES in
    // wilcox.test.default): the Hollander–Wolfe data with a zero added.
    let mut hw: Vec<f64> = [0.952, -0.147, 1.022, 0.43, 0.62, 0.59, 0.49, -0.08, 0.01].to_vec();
    hw.push(0.0);
    let (t, _) = wilcoxon_signed_rank(&hw).unwrap();
    assert!(!t.exact);
}

#[test]
fn cohen_kappa_with_a_third_coder_who_coded_other_sources() {
    // The 50 grant proposals of statistics.md (κ = 0.40), with a third coder who coded only units nobody else coded:
    // those units are not pairable, so κ is the two readers' κ.
    let mut units: Vec<(Vec<Option<u32>>, u64)> = vec![
        (vec![Some(1), Some(1), None], 20),
        (vec![Some(1), Some(0), None], 5),
        (vec![Some(0), Some(1), None], 10),
        (vec![Some(0), Some(0), None], 15),
    ];
    units.push((vec![None, None, Some(1)], 7));
    let s = nominal_agreement(&units, 2);
    close(s.cohen_kappa.unwrap(), 0.4, 1e-12);
    // When all three coders share units, κ (a two-coder statistic) is undefined.
    units.push((vec![Some(1), Some(1), Some(1)], 1));
    assert_eq!(nominal_agreement(&units, 2).cohen_kappa, None);
}

#[test]
fn kaplan_meier_median_on_a_flat_at_the_end_and_undefined_limits() {
    // R's quantile.survfit (survival 3.x, findq): where the curve ends exactly at one half, the median is the middle
    // of the flat up to the last time. Events at 1 and 2, censored at 3 and 4: S = .75, .5, .5, .5; median
    // (2 + 4) / 2 = 3.
    let obs = [(1.0, true), (2.0, true), (3.0, false), (4.0, false)].map(|(time, event)| Observation { time, event });
    let km = kaplan_meier(&obs, 0.95).unwrap();
    assert_eq!(km.median, Some(3.0));
    // One idea implemented on day 5: S = 0 there, where the log-scale limits are undefined (R: NA), so the
    // median is 5 and both limits are unknown, not 5 [5, 5].
    let km = kaplan_meier(&[Observation { time: 5.0, event: true }], 0.95).unwrap();
    assert_eq!((km.median, km.median_lower, km.median_upper), (Some(5.0), None, None));
}

#[test]
fn mann_whitney_on_identical_answers_has_no_test() {
    // Every answer the same: the variance of U is 0 and R's wilcox.test returns NaN; crosscase reports no test.
    assert_eq!(mann_whitney(&[3.0, 3.0, 3.0], &[3.0, 3.0]), None);
}
