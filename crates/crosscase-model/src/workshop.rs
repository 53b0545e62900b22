//! Earlier feedback workshops as the next pack reads them: per municipality, the findings a workshop showed and each
//! participant's latest reaction to each, so that the pack can say "what you told us last time".

/// The earlier workshop of each municipality that has one (at most one per municipality).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkshopRecords {
    pub workshops: Vec<PastWorkshop>,
}

impl WorkshopRecords {
    /// The earlier workshop of a municipality, if it had one.
    pub fn of(&self, kommunkod: &str) -> Option<&PastWorkshop> {
        self.workshops.iter().find(|w| w.kommunkod == kommunkod)
    }
}

/// A workshop held on an earlier version of the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastWorkshop {
    /// The workshop's number, as `crosscase workshop` printed it.
    pub id: i64,
    pub kommunkod: String,
    /// The day it opened, `YYYY-MM-DD`.
    pub held_on: String,
    /// The findings in the order the workshop showed them.
    pub findings: Vec<PastFinding>,
}

/// A finding as the workshop showed it, with what the participants answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastFinding {
    /// The main theme's code id.
    pub theme: String,
    /// The sentence the participants reacted to, in the workshop's language.
    pub text: String,
    /// Each participant's latest reaction, in the order they arrived.
    pub reactions: Vec<PastReaction>,
}

/// One participant's answer to one finding: nothing about the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastReaction {
    /// 1–5, or `None` for "don't know".
    pub rating: Option<u8>,
    pub comment: Option<String>,
}
