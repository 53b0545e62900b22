//! Sampling from the hypergeometric distribution, the core of the permutation tests: shuffling municipality labels
//! among sources keeps both margins of a code's table fixed, so a permuted table is a multivariate hypergeometric
//! draw, made as one hypergeometric draw per municipality instead of a shuffle of every source.

use crosscase_model::Rng;

/// ln k! for k = 0..=n, summed once so that every probability afterwards costs a few lookups.
#[derive(Clone, Debug)]
pub struct LnFactorials(Vec<f64>);

impl LnFactorials {
    pub fn new(n: usize) -> LnFactorials {
        let mut v = Vec::with_capacity(n + 1);
        let mut acc = 0.0;
        v.push(0.0);
        for k in 1..=n {
            acc += (k as f64).ln();
            v.push(acc);
        }
        LnFactorials(v)
    }

    pub fn ln_factorial(&self, k: u64) -> f64 {
        self.0[k as usize]
    }

    /// ln C(n, k); −∞ when k > n.
    pub fn ln_choose(&self, n: u64, k: u64) -> f64 {
        if k > n {
            return f64::NEG_INFINITY;
        }
        self.0[n as usize] - self.0[k as usize] - self.0[(n - k) as usize]
    }
}

/// The number of successes in `draws` draws without replacement from `total` items of which `successes` are
/// successes. Inversion starting at the mode and walking outwards, so the expected cost is a few steps per
/// standard deviation; exact up to floating-point rounding.
pub fn hypergeometric(rng: &mut Rng, total: u64, successes: u64, draws: u64, lf: &LnFactorials) -> u64 {
    if draws == 0 || successes == 0 {
        return 0;
    }
    if successes == total {
        return draws;
    }
    if draws == total {
        return successes;
    }
    let (n, k, big_n) = (draws as f64, successes as f64, total as f64);
    let lo = (draws + successes).saturating_sub(total);
    let hi = draws.min(successes);
    let mode = (((n + 1.0) * (k + 1.0)) / (big_n + 2.0)).floor() as u64;
    let mode = mode.clamp(lo, hi);
    let pm = (lf.ln_choose(successes, mode) + lf.ln_choose(total - successes, draws - mode)
        - lf.ln_choose(total, draws))
    .exp();
    let mut u = rng.unit() - pm;
    if u <= 0.0 {
        return mode;
    }
    let failures = big_n - k;
    let (mut up, mut pu) = (mode, pm);
    let (mut down, mut pd) = (mode, pm);
    loop {
        let mut moved = false;
        if up < hi {
            let x = up as f64;
            pu *= (k - x) * (n - x) / ((x + 1.0) * (failures - n + x + 1.0));
            up += 1;
            u -= pu;
            if u <= 0.0 {
                return up;
            }
            moved = true;
        }
        if down > lo {
            let x = down as f64;
            pd *= x * (failures - n + x) / ((k - x + 1.0) * (n - x + 1.0));
            down -= 1;
            u -= pd;
            if u <= 0.0 {
                return down;
            }
            moved = true;
        }
        if !moved {
            // Only rounding leaves u above zero once the whole support is summed.
            return mode;
        }
    }
}
