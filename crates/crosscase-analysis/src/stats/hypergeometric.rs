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
    match Mode::of(total, successes, draws, lf) {
        None => degenerate(total, successes, draws),
        Some(mode) => mode.draw(rng, total, successes, draws),
    }
}

/// The value of a draw whose outcome is fixed (nothing drawn, no successes, all successes, or everything drawn).
fn degenerate(total: u64, successes: u64, draws: u64) -> u64 {
    if draws == 0 || successes == 0 {
        0
    } else if successes == total {
        draws
    } else {
        successes
    }
}

/// The mode of a hypergeometric distribution and its probability: the expensive part of a draw, which the
/// permutation test caches because the same (population, successes, draws) recur thousands of times.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    value: u64,
    probability: f64,
}

impl Mode {
    /// `None` when the outcome is fixed.
    pub fn of(total: u64, successes: u64, draws: u64, lf: &LnFactorials) -> Option<Mode> {
        if draws == 0 || successes == 0 || successes == total || draws == total {
            return None;
        }
        let (n, k, big_n) = (draws as f64, successes as f64, total as f64);
        let lo = (draws + successes).saturating_sub(total);
        let hi = draws.min(successes);
        let value = ((((n + 1.0) * (k + 1.0)) / (big_n + 2.0)).floor() as u64).clamp(lo, hi);
        let probability = (lf.ln_choose(successes, value) + lf.ln_choose(total - successes, draws - value)
            - lf.ln_choose(total, draws))
        .exp();
        Some(Mode { value, probability })
    }

    /// A draw by inversion from the mode, walking alternately up and down.
    pub fn draw(self, rng: &mut Rng, total: u64, successes: u64, draws: u64) -> u64 {
        let (n, k, big_n) = (draws as f64, successes as f64, total as f64);
        let lo = (draws + successes).saturating_sub(total);
        let hi = draws.min(successes);
        let mut u = rng.unit() - self.probability;
        if u <= 0.0 {
            return self.value;
        }
        let failures = big_n - k;
        let (mut up, mut pu) = (self.value, self.probability);
        let (mut down, mut pd) = (self.value, self.probability);
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
                return self.value;
            }
        }
    }
}
