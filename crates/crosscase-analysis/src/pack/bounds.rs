//! What an attacker can work out about suppressed counts from published ones: interval bounds over the published
//! tables' additive relations (`total = part + part + …`), tightened to a fixpoint, as statistical offices audit
//! tables (the "interval" or "feasibility" bounds of τ-ARGUS and sdcTable's audit).
//!
//! Every relation is an equation over non-negative integers; a published count is a point, a suppressed count an
//! interval `[0, max]` where `max` is what the attacker knows (a published base). Propagation is exact for the
//! hierarchical tables a pack publishes (each count in a row total and in its own wave breakdown); on a system with
//! cycles it can be looser than linear programming, never tighter.

/// One count: its bounds as they stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub low: u64,
    /// `None`: nothing bounds it from above.
    pub high: Option<u64>,
}

impl Range {
    pub fn point(v: u64) -> Range {
        Range { low: v, high: Some(v) }
    }

    pub fn unknown(max: Option<u64>) -> Range {
        Range { low: 0, high: max }
    }

    /// An attacker knows the count exactly, or knows it is a small group of at least one and fewer than
    /// `threshold` (the disclosure the threshold rule exists to prevent).
    pub fn pinned(&self, threshold: u64) -> bool {
        self.high == Some(self.low) || (self.low >= 1 && self.high.is_some_and(|h| h < threshold))
    }
}

/// `total = Σ parts`, indices into the variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sum {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// Tightens `ranges` under `sums` until nothing changes. Returns `false` when the relations contradict the published
/// figures (a published total smaller than its published parts): then the figures disagree with each other.
pub fn propagate(ranges: &mut [Range], sums: &[Sum]) -> bool {
    // Each pass tightens at least one bound by at least one or stops; counts are bounded by the largest total, so
    // this ends, and the cap only guards against a pathological cycle of unbounded variables.
    for _ in 0..10_000 {
        let mut changed = false;
        for s in sums {
            let low_sum: u64 = s.parts.iter().map(|&p| ranges[p].low).sum();
            let unbounded = s.parts.iter().filter(|&&p| ranges[p].high.is_none()).count();
            let bounded_sum: u64 = s.parts.iter().filter_map(|&p| ranges[p].high).sum();
            let high_sum = (unbounded == 0).then_some(bounded_sum);
            let t = ranges[s.total];
            let new_low = t.low.max(low_sum);
            let new_high = match (t.high, high_sum) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if new_high.is_some_and(|h| h < new_low) {
                return false;
            }
            if new_low != t.low || new_high != t.high {
                ranges[s.total] = Range {
                    low: new_low,
                    high: new_high,
                };
                changed = true;
            }
            let t = ranges[s.total];
            for &p in &s.parts {
                let r = ranges[p];
                let others_low = low_sum - r.low;
                let others_unbounded = unbounded - usize::from(r.high.is_none());
                let others_high = (others_unbounded == 0).then(|| bounded_sum - r.high.unwrap_or(0));
                // part ≤ total − Σ others' lows; part ≥ total's low − Σ others' highs.
                let high = t.high.map(|h| h.saturating_sub(others_low));
                let low = others_high.map_or(0, |oh| t.low.saturating_sub(oh));
                let new = Range {
                    low: r.low.max(low),
                    high: match (r.high, high) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    },
                };
                if new.high.is_some_and(|h| h < new.low) {
                    return false;
                }
                if new != r {
                    ranges[p] = new;
                    changed = true;
                }
            }
        }
        if !changed {
            return true;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ranges: &[Range], sums: &[Sum], expected: &[(u64, Option<u64>)]) {
        let mut r = ranges.to_vec();
        assert!(propagate(&mut r, sums));
        let got: Vec<(u64, Option<u64>)> = r.iter().map(|r| (r.low, r.high)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn row_minus_visible_cells_pins_a_single_suppressed_cell() {
        // total 20 = 9 + ? + 8
        let sums = [Sum {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let ranges = [
            Range::point(20),
            Range::point(9),
            Range::unknown(Some(30)),
            Range::point(8),
        ];
        check(
            &ranges,
            &sums,
            &[(20, Some(20)), (9, Some(9)), (3, Some(3)), (8, Some(8))],
        );
    }

    #[test]
    fn two_suppressed_cells_keep_a_range() {
        // total 20 = 9 + ? + ?, bases 10 and 12.
        let sums = [Sum {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let ranges = [
            Range::point(20),
            Range::point(9),
            Range::unknown(Some(10)),
            Range::unknown(Some(12)),
        ];
        check(
            &ranges,
            &sums,
            &[(20, Some(20)), (9, Some(9)), (0, Some(10)), (1, Some(11))],
        );
    }

    #[test]
    fn nested_sums_chain() {
        // T = a + b; a = a1 + a2 with a1, a2 shown: b = T − a1 − a2.
        let sums = [
            Sum {
                total: 0,
                parts: vec![1, 2],
            },
            Sum {
                total: 1,
                parts: vec![3, 4],
            },
        ];
        let ranges = [
            Range::point(10),
            Range::unknown(None),
            Range::unknown(None),
            Range::point(3),
            Range::point(4),
        ];
        check(
            &ranges,
            &sums,
            &[(10, Some(10)), (7, Some(7)), (3, Some(3)), (3, Some(3)), (4, Some(4))],
        );
    }

    #[test]
    fn contradictions_are_reported() {
        let sums = [Sum {
            total: 0,
            parts: vec![1, 2],
        }];
        let mut ranges = [Range::point(5), Range::point(4), Range::point(3)];
        assert!(!propagate(&mut ranges, &sums));
    }

    #[test]
    fn pinned_means_exact_or_a_small_group() {
        assert!(Range::point(3).pinned(5));
        assert!(Range::point(30).pinned(5));
        assert!(Range { low: 1, high: Some(4) }.pinned(5));
        assert!(!Range { low: 0, high: Some(4) }.pinned(5));
        assert!(!Range { low: 2, high: Some(9) }.pinned(5));
        assert!(!Range::unknown(None).pinned(5));
    }
}
