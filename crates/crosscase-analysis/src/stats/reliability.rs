//! Internal consistency of a scale: Cronbach's α.

/// Cronbach's α of `k` items from complete cases: `rows[i][j]` is respondent i's (scored) value of item j.
/// α = k / (k − 1) · (1 − Σ var(item) / var(sum)), with sample variances (n − 1), as R's `psych::alpha` reports
/// `raw_alpha` and SPSS's RELIABILITY. `None` with fewer than two items, fewer than two respondents, or no variance
/// in the sum.
pub fn cronbach_alpha(rows: &[Vec<f64>]) -> Option<f64> {
    let n = rows.len();
    let k = rows.first()?.len();
    if k < 2 || n < 2 || rows.iter().any(|r| r.len() != k) {
        return None;
    }
    let variance = |values: &mut dyn Iterator<Item = f64>| {
        let v: Vec<f64> = values.collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    let items: f64 = (0..k).map(|j| variance(&mut rows.iter().map(|r| r[j]))).sum();
    let total = variance(&mut rows.iter().map(|r| r.iter().sum::<f64>()));
    if total <= 0.0 {
        return None;
    }
    Some(k as f64 / (k - 1) as f64 * (1.0 - items / total))
}
