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
        self.invert(rng.unit())
    }

    /// The draw that the uniform `u` gives.
    fn invert(self, u: f64) -> u64 {
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

/// The steps of [`Mode::draw`]'s walk worked out once: the distribution function at each value the walk passes,
/// in both directions from the mode, computed with the same operations in the same order, so that a draw compares
/// the uniform with stored values instead of dividing, and gives exactly the value the walk would. Worth it where
/// the same state is drawn from many times (the permutation test at one municipality); a uniform beyond the stored
/// steps falls back to the walk.
#[derive(Clone, Copy, Debug)]
pub struct Inversion {
    mode: Mode,
    value: u64,
    /// P(X < mode − j − 1) as the walk down computes it, for j in 0..down_len.
    down: [f64; Inversion::STEPS],
    /// P(X ≤ mode + j) as the walk up computes it, for j in 0..up_len.
    up: [f64; Inversion::STEPS],
    down_len: u64,
    up_len: u64,
    /// The stored steps reach the support's end (lo, hi).
    down_complete: bool,
    up_complete: bool,
}

impl Inversion {
    const STEPS: usize = 16;

    pub fn of(mode: Mode) -> Inversion {
        let mut t = Inversion {
            mode,
            value: mode.value as u64,
            down: [f64::NEG_INFINITY; Self::STEPS],
            up: [f64::INFINITY; Self::STEPS],
            down_len: 0,
            up_len: 0,
            down_complete: false,
            up_complete: false,
        };
        let (mut x, mut p, mut c) = (mode.value, mode.probability, mode.below);
        let mut n = 0;
        while x > mode.lo && n < Self::STEPS {
            p *= mode.down(x);
            x -= 1.0;
            c -= p;
            t.down[n] = c;
            n += 1;
        }
        t.down_len = n as u64;
        t.down_complete = x <= mode.lo;
        let (mut x, mut p) = (mode.value, mode.probability);
        let mut c = mode.below + p;
        t.up[0] = c;
        let mut n = 1;
        while x < mode.hi && n < Self::STEPS {
            p *= mode.up(x);
            x += 1.0;
            c += p;
            t.up[n] = c;
            n += 1;
        }
        t.up_len = n as u64;
        t.up_complete = x >= mode.hi;
        t
    }

    pub fn draw(&self, rng: &mut Rng) -> u64 {
        let u = rng.unit();
        if u < self.mode.below {
            let steps = &self.down[..self.down_len as usize];
            match steps.iter().position(|&c| c <= u) {
                Some(j) => self.value - j as u64 - 1,
                None if self.down_complete => self.value - self.down_len,
                None => self.mode.invert(u),
            }
        } else {
            let steps = &self.up[..self.up_len as usize];
            match steps.iter().position(|&c| u < c) {
                Some(j) => self.value + j as u64,
                None if self.up_complete => self.value + self.up_len - 1,
                None => self.mode.invert(u),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored steps give exactly the walk's draw for the same uniform, in narrow supports (all steps stored)
    /// and wide ones (the walk takes over beyond the stored steps), in both tails.
    #[test]
    fn an_inversion_table_draws_what_the_walk_draws() {
        let lf = LnFactorials::new(2_000);
        let mut pick = Rng::new(3);
        for case in 0..300 {
            let total = 2 + pick.below(if case % 2 == 0 { 40 } else { 2_000 });
            let successes = pick.below(total + 1);
            let draws = pick.below(total + 1);
            let Some(mode) = Mode::of(total, successes, draws, &lf) else {
                continue;
            };
            let table = Inversion::of(mode);
            let (mut a, mut b) = (Rng::new(case), Rng::new(case));
            for _ in 0..2_000 {
                assert_eq!(
                    table.draw(&mut a),
                    mode.draw(&mut b),
                    "Hypergeometric({total}, {successes}, {draws})"
                );
            }
        }
    }
}
