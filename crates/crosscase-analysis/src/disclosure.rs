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

/// A row with a single suppressed cell could be worked out from the row's pooled figure (the network, or "the other
/// municipalities" in a pack) and the cells shown. So where exactly one cell of a code is suppressed, the shown cell
/// of the municipality with the fewest participants is suppressed too (secondary suppression).
fn secondary_suppression(cells: &mut [Vec<Cell>], rows: &[PrevalenceRow], municipalities: &[String]) {
    let participants: Vec<u64> = municipalities
        .iter()
        .map(|m| {
            rows.iter()
                .find(|r| &r.municipality == m)
                .map_or(0, |r| r.participants_total)
        })
        .collect();
    for row in cells.iter_mut() {
        if row.iter().filter(|c| matches!(c, Cell::Suppressed)).count() != 1 {
            continue;
        }
        let smallest = (0..row.len())
            .filter(|&i| matches!(row[i], Cell::Shown(_)))
            .min_by_key(|&i| (participants[i], i));
        if let Some(i) = smallest {
            row[i] = Cell::Suppressed;
        }
    }
}

/// Suppresses a municipality's share of sources for a code when fewer than `threshold` participants stand behind
/// it: a municipality with fewer participants in all than the threshold is suppressed entirely, and so is a cell
/// where between 1 and `threshold − 1` participants had the code (zero is shown: it names nobody).
/// A cell from sources without registered participants (workshop notes) is shown only when the municipality
/// reaches the threshold. Then [`secondary_suppression`] makes sure no suppressed cell stands alone in its row.
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
    secondary_suppression(&mut cells, rows, municipalities);
    DisclosedPrevalence {
        codes: codes.to_vec(),
        municipalities: municipalities.to_vec(),
        cells,
    }
}
