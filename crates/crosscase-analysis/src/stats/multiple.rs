//! Adjustment for testing many codes at once.

/// Benjamini–Hochberg q-values: the step-up adjusted p-values, made monotone and capped at 1, as R's
/// `p.adjust(method = "BH")`. Missing p-values stay missing and do not count towards the number of tests.
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some_and(|v| v.is_finite())).collect();
    let m = idx.len() as f64;
    idx.sort_by(|&a, &b| p[a].unwrap_or(0.0).total_cmp(&p[b].unwrap_or(0.0)));
    let mut q = vec![None; p.len()];
    let mut running = 1.0_f64;
    for (rank, &i) in idx.iter().enumerate().rev() {
        let adjusted = p[i].unwrap_or(1.0) * m / (rank as f64 + 1.0);
        running = running.min(adjusted);
        q[i] = Some(running.min(1.0));
    }
    q
}
