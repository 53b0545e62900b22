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
