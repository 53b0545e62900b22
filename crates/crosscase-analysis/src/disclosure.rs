//! Disclosure control for feedback material: no figure computed from fewer participants than the project's
//! threshold is shown.

use serde::Serialize;

use crate::prevalence::PrevalenceRow;

/// A figure as feedback material may show it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Cell {
    Shown(f64),
    /// Computed from too few participants.
    Suppressed,
    /// No data (the municipality has no sources).
    Missing,
}

/// Source shares by code × municipality, with small groups suppressed.
#[derive(Clone, Debug, PartialEq)]
pub struct DisclosedPrevalence {
    /// Code ids, rows of `cells`.
    pub codes: Vec<String>,
    /// Kommunkoder, columns of `cells`.
    pub municipalities: Vec<String>,
    pub cells: Vec<Vec<Cell>>,
}

/// Suppresses a municipality's share of sources for a code when fewer than `threshold` participants stand behind
/// it: a municipality with fewer participants in all than the threshold is suppressed entirely, and so is a cell
/// where between 1 and `threshold − 1` participants had the code (zero is shown: it names nobody).
/// A cell from sources without registered participants (workshop notes) is shown only when the municipality
/// reaches the threshold.
pub fn disclose_prevalence(
    rows: &[PrevalenceRow],
    codes: &[String],
    municipalities: &[String],
    threshold: u32,
) -> DisclosedPrevalence {
    let threshold = u64::from(threshold);
    let index = |list: &[String], v: &str| list.iter().position(|x| x == v);
    let mut cells = vec![vec![Cell::Missing; municipalities.len()]; codes.len()];
    for r in rows {
        let (Some(ci), Some(mi)) = (index(codes, &r.code), index(municipalities, &r.municipality)) else {
            continue;
        };
        cells[ci][mi] = match r.source_share {
            None => Cell::Missing,
            Some(_) if r.participants_total < threshold => Cell::Suppressed,
            Some(_) if r.participants > 0 && r.participants < threshold => Cell::Suppressed,
            Some(share) => Cell::Shown(share),
        };
    }
    DisclosedPrevalence {
        codes: codes.to_vec(),
        municipalities: municipalities.to_vec(),
        cells,
    }
}
