//! Agreement between coders on nominal values, for units that may be weighted (a run of characters that all
//! coders treat alike counts as many units at once) and may miss values (a coder who did not code a source).

use std::collections::BTreeMap;

/// Agreement over the pairable units (those with at least two values).
#[derive(Clone, Debug, PartialEq)]
pub struct AgreementStats {
    /// Pairable units, weighted.
    pub units: u64,
    /// Coders with at least one value in a pairable unit.
    pub coders: usize,
    /// Mean agreement over all pairs of coders within a unit; for two coders the share of units they agree on.
    pub percent_agreement: Option<f64>,
    /// Cohen's κ, when exactly two coders have values in the pairable units (over the units both coded).
    pub cohen_kappa: Option<f64>,
    /// Brennan–Prediger κ: the percent agreement corrected for chance as 1/q for q categories.
    pub brennan_prediger: Option<f64>,
    /// Krippendorff's α for nominal data.
    pub krippendorff_alpha: Option<f64>,
}

/// Agreement statistics for `units`: each is the value every coder gave (`None`: not coded) and a weight.
/// `categories` is q, the number of values a coder could choose from (2 for present/absent).
///
/// Conventions: units with fewer than two values are not pairable and drop out (Krippendorff 2011); a statistic
/// whose chance agreement is 1 (all values the same) is undefined and returned as `None`.
pub fn nominal_agreement(units: &[(Vec<Option<u32>>, u64)], categories: u32) -> AgreementStats {
    let mut coincidence: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    let (mut total, mut pair_agree) = (0u64, 0.0);
    let mut coders_seen = vec![false; units.first().map_or(0, |u| u.0.len())];
    // Cohen's κ: the two coders' joint distribution over units both coded.
    let mut joint: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for (values, weight) in units {
        let present: Vec<u32> = values.iter().flatten().copied().collect();
        let m = present.len();
        if m < 2 || *weight == 0 {
            continue;
        }
        total += weight;
        for (i, v) in values.iter().enumerate() {
            if v.is_some() {
                coders_seen[i] = true;
            }
        }
        let w = *weight as f64;
        let mut counts: BTreeMap<u32, u64> = BTreeMap::new();
        for &v in &present {
            *counts.entry(v).or_default() += 1;
        }
        let mf = m as f64;
        let agreeing: f64 = counts.values().map(|&c| (c * c.saturating_sub(1)) as f64).sum();
        pair_agree += w * agreeing / (mf * (mf - 1.0));
        for (&a, &ca) in &counts {
            for (&b, &cb) in &counts {
                let pairs = if a == b { ca * (ca - 1) } else { ca * cb } as f64;
                *coincidence.entry((a, b)).or_default() += w * pairs / (mf - 1.0);
            }
        }
    }
    let coders = coders_seen.iter().filter(|&&s| s).count();
    // Cohen's κ is for two coders: defined when exactly two coders have values in the pairable units (however many
    // coders the project has), over the units both of them coded.
    let pair: Vec<usize> = (0..coders_seen.len()).filter(|&i| coders_seen[i]).collect();
    if let [first, second] = pair[..] {
        for (values, weight) in units {
            if let (Some(a), Some(b)) = (values[first], values[second])
                && *weight > 0
            {
                *joint.entry((a, b)).or_default() += weight;
            }
        }
    }
    if total == 0 {
        return AgreementStats {
            units: 0,
            coders,
            percent_agreement: None,
            cohen_kappa: None,
            brennan_prediger: None,
            krippendorff_alpha: None,
        };
    }
    let p_o = pair_agree / total as f64;
    let q = f64::from(categories.max(2));
    let brennan_prediger = Some((p_o - 1.0 / q) / (1.0 - 1.0 / q));

    // Krippendorff's α = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k.
    let mut n_c: BTreeMap<u32, f64> = BTreeMap::new();
    for (&(a, _), &o) in &coincidence {
        *n_c.entry(a).or_default() += o;
    }
    let n: f64 = n_c.values().sum();
    let observed: f64 = coincidence.iter().filter(|((a, b), _)| a != b).map(|(_, o)| o).sum();
    let mut expected = 0.0;
    for (&a, &na) in &n_c {
        for (&b, &nb) in &n_c {
            if a != b {
                expected += na * nb;
            }
        }
    }
    let krippendorff_alpha = (expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected);

    let cohen_kappa = (pair.len() == 2).then(|| cohen_kappa(&joint)).flatten();
    AgreementStats {
        units: total,
        coders,
        percent_agreement: Some(p_o),
        cohen_kappa,
        brennan_prediger,
        krippendorff_alpha,
    }
}

/// Cohen's κ = (p_o − p_e) / (1 − p_e) from the joint counts of two coders' values; `None` when p_e = 1.
pub fn cohen_kappa(joint: &BTreeMap<(u32, u32), u64>) -> Option<f64> {
    let n: u64 = joint.values().sum();
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let mut first: BTreeMap<u32, f64> = BTreeMap::new();
    let mut second: BTreeMap<u32, f64> = BTreeMap::new();
    let mut agree = 0.0;
    for (&(a, b), &c) in joint {
        *first.entry(a).or_default() += c as f64;
        *second.entry(b).or_default() += c as f64;
        if a == b {
            agree += c as f64;
        }
    }
    let p_o = agree / n;
    let p_e: f64 = first
        .iter()
        .map(|(k, &v)| v / n * second.get(k).copied().unwrap_or(0.0) / n)
        .sum();
    (p_e < 1.0).then(|| (p_o - p_e) / (1.0 - p_e))
}

/// Brennan–Prediger κ = (p_o − 1/q) / (1 − 1/q).
pub fn brennan_prediger(p_o: f64, categories: u32) -> f64 {
    let q = f64::from(categories.max(2));
    (p_o - 1.0 / q) / (1.0 - 1.0 / q)
}

/// Krippendorff's α for nominal values; see [`nominal_agreement`].
pub fn krippendorff_alpha_nominal(units: &[Vec<Option<u32>>]) -> Option<f64> {
    let categories = units.iter().flatten().flatten().max().map_or(2, |m| m + 1);
    let weighted: Vec<(Vec<Option<u32>>, u64)> = units.iter().map(|u| (u.clone(), 1)).collect();
    nominal_agreement(&weighted, categories).krippendorff_alpha
}
