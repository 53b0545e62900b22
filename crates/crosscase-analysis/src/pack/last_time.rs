//! "What you told us last time": per finding of the municipality's earlier workshop, how many answered, how the
//! ratings fell (only when at least the threshold answered, as the facilitator's live view shows them) and the
//! comments, which the report screens for personal data as it screens quotes.

use crosscase_model::{Corpus, PastWorkshop};
use serde::Serialize;

/// How the ratings of one finding may be shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ratings {
    /// `counts[k]` answered `k + 1`; `unrated` answered without a rating ("don't know").
    Shown { counts: [u64; 5], unrated: u64 },
    /// Fewer than the threshold answered: no distribution.
    TooFewAnswered,
}

/// One finding of the earlier workshop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastTimeFinding {
    /// The finding's theme (index into the corpus' codes), when the codebook still has it.
    pub code: Option<usize>,
    /// The theme's code id, as the workshop stored it.
    pub theme: String,
    /// The sentence the participants reacted to, in the workshop's language.
    pub text: String,
    /// Participants who answered (with or without a rating).
    pub answered: u64,
    pub ratings: Ratings,
    /// The comments as they were given: the report screens them before it shows any.
    pub comments: Vec<String>,
}

/// The earlier workshop of a pack's municipality.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastTime {
    pub workshop: i64,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub findings: Vec<LastTimeFinding>,
}

/// The section of a pack on its municipality's earlier workshop.
pub(crate) fn last_time(corpus: &Corpus, workshop: &PastWorkshop, threshold: u64) -> LastTime {
    let findings = workshop
        .findings
        .iter()
        .map(|f| {
            let answered = f.reactions.len() as u64;
            let ratings = if answered < threshold.max(1) {
                Ratings::TooFewAnswered
            } else {
                let mut counts = [0u64; 5];
                let mut unrated = 0;
                for r in &f.reactions {
                    match r.rating {
                        Some(v @ 1..=5) => counts[usize::from(v) - 1] += 1,
                        _ => unrated += 1,
                    }
                }
                Ratings::Shown { counts, unrated }
            };
            LastTimeFinding {
                code: corpus.codes.iter().position(|c| c.id == f.theme),
                theme: f.theme.clone(),
                text: f.text.clone(),
                answered,
                ratings,
                comments: f
                    .reactions
                    .iter()
                    .filter_map(|r| r.comment.as_deref())
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect();
    LastTime {
        workshop: workshop.id,
        held_on: workshop.held_on.clone(),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use crosscase_model::{CodingColumns, Corpus, PastFinding, PastReaction, ProjectSettings};

    use super::*;
    use crate::tests::code;

    fn reaction(rating: Option<u8>, comment: &str) -> PastReaction {
        PastReaction {
            rating,
            comment: (!comment.is_empty()).then(|| comment.to_string()),
        }
    }

    /// (reactions to one finding, threshold) → (answered, ratings, comments).
    fn check(reactions: Vec<PastReaction>, threshold: u64, expected: (u64, Ratings, &[&str])) {
        let corpus = Corpus {
            settings: ProjectSettings::new("t"),
            municipalities: vec![],
            waves: vec![],
            wave_names: vec![],
            codes: vec![code("a", None)],
            participants: vec![],
            sources: vec![],
            coders: vec![],
            codings: CodingColumns::default(),
        };
        let workshop = PastWorkshop {
            id: 7,
            kommunkod: "0583".into(),
            held_on: "2026-11-30".into(),
            findings: vec![PastFinding {
                theme: "a".into(),
                text: "A finding.".into(),
                reactions,
            }],
        };
        let last = last_time(&corpus, &workshop, threshold);
        assert_eq!((last.workshop, last.held_on.as_str()), (7, "2026-11-30"));
        let f = &last.findings[0];
        assert_eq!(f.code, Some(0));
        assert_eq!(
            (f.answered, f.ratings.clone(), f.comments.clone()),
            (
                expected.0,
                expected.1,
                expected.2.iter().map(|c| c.to_string()).collect()
            )
        );
    }

    #[test]
    fn ratings_are_shown_from_the_threshold_on() {
        let five = || {
            vec![
                reaction(Some(4), "Stämmer."),
                reaction(Some(4), ""),
                reaction(Some(2), "  "),
                reaction(None, "Vet inte riktigt."),
                reaction(Some(5), ""),
            ]
        };
        check(
            five(),
            5,
            (
                5,
                Ratings::Shown {
                    counts: [0, 1, 0, 2, 1],
                    unrated: 1,
                },
                &["Stämmer.", "Vet inte riktigt."],
            ),
        );
        // One answer short: no distribution, but the comments stay (the report screens them).
        let mut four = five();
        four.pop();
        check(
            four,
            5,
            (4, Ratings::TooFewAnswered, &["Stämmer.", "Vet inte riktigt."]),
        );
        check(vec![], 5, (0, Ratings::TooFewAnswered, &[]));
    }
}
