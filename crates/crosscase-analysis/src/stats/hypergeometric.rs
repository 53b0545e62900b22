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
/// successes. Inversion from the mode: a uniform below P(X < mode) walks down, one above walks up, so the expected
/// cost is about one step per standard deviation; exact up to floating-point rounding.
pub fn hypergeometric(rng: &mut Rng, total: u64, successes: u64, draws: u64, lf: &LnFactorials) -> u64 {
    draw_from(Mode::of(total, successes, draws, lf), rng, total, successes, draws)
}

/// A hypergeometric draw with its mode already known (`None`: the outcome is fixed and no randomness is used).
pub fn draw_from(mode: Option<Mode>, rng: &mut Rng, total: u64, successes: u64, draws: u64) -> u64 {
    match mode {
        None => degenerate(total, successes, draws),
        Some(mode) => mode.draw(rng),
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

/// The mode of a hypergeometric distribution, its probability and the probability below it, with what a walk from
/// it needs: the expensive part of a draw, which the permutation test caches because the same (population,
/// successes, draws) recur thousands of times.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    value: f64,
    probability: f64,
    /// P(X < value).
    below: f64,
    /// The support, lo..=hi.
    lo: f64,
    hi: f64,
    /// successes, draws, and total − successes − draws, for the ratios of neighbouring probabilities.
    k: f64,
    n: f64,
    rest: f64,
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
        let mut mode = Mode {
            value: value as f64,
            probability,
            below: 0.0,
            lo: lo as f64,
            hi: hi as f64,
            k,
            n,
            rest: big_n - k - n,
        };
        // The lower tail, summed from the mode down until its terms no longer change the sum.
        let (mut below, mut p, mut x) = (0.0f64, probability, mode.value);
        while x > mode.lo {
            p *= mode.down(x);
            x -= 1.0;
            below += p;
            if p <= below * 1e-17 {
                break;
            }
        }
        mode.below = below;
        Some(mode)
    }

    /// P(X = x − 1) / P(X = x).
    fn down(&self, x: f64) -> f64 {
        x * (self.rest + x) / ((self.k - x + 1.0) * (self.n - x + 1.0))
    }

    /// P(X = x + 1) / P(X = x).
    fn up(&self, x: f64) -> f64 {
        (self.k - x) * (self.n - x) / ((x + 1.0) * (self.rest + x + 1.0))
    }

    /// A draw by inversion: the uniform is compared with the distribution function, walking from the mode towards
    /// the tail it falls in. The walk counts in floating point, so no step converts an integer.
    pub fn draw(self, rng: &mut Rng) -> u64 {
        let u = rng.unit();
        let (mut x, mut p) = (self.value, self.probability);
        if u < self.below {
            // c = P(X < x); the draw is the first x, going down, with c ≤ u.
            let mut c = self.below;
            while x > self.lo {
                p *= self.down(x);
                x -= 1.0;
                c -= p;
                if c <= u {
                    break;
                }
            }
        } else {
            // c = P(X ≤ x); the draw is the first x, going up, with u < c.
            let mut c = self.below + p;
            while u >= c && x < self.hi {
                p *= self.up(x);
                x += 1.0;
                c += p;
            }
        }
        x as u64
    }
}
