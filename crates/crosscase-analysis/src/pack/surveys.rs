//! The survey figures of a pack: each dimension's index (this municipality, the other municipalities pooled, and
//! the wave before) for instruments over the waves, and the paired before-and-after means for a training, each with
//! its number of respondents or hidden with its reason.
//!
//! The rules are the page's (`crosscase-report`'s survey section): a group's answers count only where the model
//! shows them (`PackModel::survey_shown`), an index from fewer respondents than the threshold is hidden, and so is a
//! number of improved respondents between one and the threshold.

use crosscase_model::{SurveyDesign, SurveyRecords, SurveyResponse};
use serde::Serialize;

use super::{Figure, Hidden};
use crate::survey::{dimension_items, index};

/// A mean on the instrument's scale as a pack may show it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    /// The mean of `n` respondents' indices.
    Shown {
        mean: f64,
        n: u64,
    },
    Hidden(Hidden),
}

impl Score {
    pub fn mean(&self) -> Option<f64> {
        match *self {
            Score::Shown { mean, .. } => Some(mean),
            Score::Hidden(_) => None,
        }
    }
}

/// One dimension of an instrument over the waves, in the latest wave the municipality answered.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DimensionFigures {
    /// Index into the instrument's dimensions.
    pub dimension: usize,
    pub own: Score,
    pub others: Score,
    /// This municipality in the wave before, when there is one.
    pub previous: Option<Score>,
    /// `own − previous`, when both are shown.
    pub change: Option<f64>,
}

/// What a before-and-after row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrePostTarget {
    /// Index into the instrument's dimensions.
    Dimension(usize),
    /// Index into the instrument's items.
    Item(usize),
}

/// One dimension or item before and after a training, over the respondents who answered both.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrePostFigures {
    pub target: PrePostTarget,
    pub before: Score,
    pub after: Score,
    /// Respondents who improved, of the pairs; hidden when fewer than the threshold but not none.
    pub improved: Figure,
}

/// The answers to one item in the latest wave the municipality answered, as the diverging bars show them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemFigures {
    /// Index into the instrument's items.
    pub item: usize,
    /// Reverse-worded: disagreeing is the favourable answer.
    pub reverse: bool,
    pub answers: ItemAnswers,
}

/// An item's answers as a pack may show them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemAnswers {
    /// The share of the `n` answers at each step of the scale, lowest first; `low` and `high` the shares below and
    /// above the middle, `favourable` the one of them that is the good answer (`high`, or `low` when reversed).
    Shown {
        shares: Vec<f64>,
        n: u64,
        low: f64,
        high: f64,
        favourable: f64,
    },
    /// Not even the number of answers is shown.
    Hidden(Hidden),
}

/// One instrument in one municipality's pack.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SurveyFigures {
    /// Index into the records' instruments.
    pub instrument: usize,
    /// The wave shown (instruments over the waves): the latest the municipality answered; `None` when it answered
    /// none.
    pub wave: Option<String>,
    /// The wave compared with, the one answered before `wave`.
    pub previous_wave: Option<String>,
    /// Why nothing of the instrument is shown, when nothing is.
    pub hidden: Option<Hidden>,
    pub dimensions: Vec<DimensionFigures>,
    /// The items in the latest wave (instruments over the waves), most favourable first, hidden ones last, so that
    /// the top is the best whichever way an item is worded.
    pub items: Vec<ItemFigures>,
    pub pre_post: Vec<PrePostFigures>,
}

/// The survey figures of `municipality`'s pack, one per instrument in the records' order.
pub(super) fn survey_figures(
    records: &SurveyRecords,
    waves: &[String],
    municipality: &str,
    threshold: u64,
    shown: &dyn Fn(&str, &str, &str) -> bool,
) -> Vec<SurveyFigures> {
    records
        .instruments
        .iter()
        .enumerate()
        .map(|(k, instrument)| {
            let responses: Vec<&SurveyResponse> = records
                .responses
                .iter()
                .filter(|r| r.instrument == instrument.id)
                .collect();
            let score = |values: Vec<f64>| -> Score {
                if (values.len() as u64) < threshold || values.is_empty() {
                    Score::Hidden(Hidden::TooFewPeople)
                } else {
                    Score::Shown {
                        mean: values.iter().sum::<f64>() / values.len() as f64,
                        n: values.len() as u64,
                    }
                }
            };
            let mut figures = SurveyFigures {
                instrument: k,
                wave: None,
                previous_wave: None,
                hidden: None,
                dimensions: Vec::new(),
                items: Vec::new(),
                pre_post: Vec::new(),
            };
            match instrument.design {
                SurveyDesign::Waves => {
                    let answered: Vec<&String> = waves
                        .iter()
                        .filter(|w| {
                            responses
                                .iter()
                                .any(|r| &r.wave == *w && r.municipality == municipality)
                        })
                        .collect();
                    let Some(latest) = answered.last().copied() else {
                        figures.hidden = Some(Hidden::NoData);
                        return figures;
                    };
                    let previous = answered.len().checked_sub(2).map(|i| answered[i]);
                    figures.wave = Some(latest.clone());
                    figures.previous_wave = previous.cloned();
                    if !shown(&instrument.id, municipality, latest) {
                        figures.hidden = Some(Hidden::TooFewPeople);
                        return figures;
                    }
                    let mine = |wave: &str| -> Vec<&SurveyResponse> {
                        responses
                            .iter()
                            .copied()
                            .filter(|r| r.wave == wave && r.municipality == municipality)
                            .collect()
                    };
                    let now = mine(latest);
                    figures.items = item_figures(instrument, &now, threshold);
                    // Only groups that could be shown alone are pooled, so that no pooled figure minus shown ones
                    // leaves a small group.
                    let others: Vec<&SurveyResponse> = responses
                        .iter()
                        .copied()
                        .filter(|r| &r.wave == latest && r.municipality != municipality)
                        .filter(|r| shown(&instrument.id, &r.municipality, latest))
                        .collect();
                    let before = previous
                        .filter(|w| shown(&instrument.id, municipality, w))
                        .map(|w| mine(w))
                        .unwrap_or_default();
                    let of = |members: &[&SurveyResponse], items: &[usize]| {
                        score(members.iter().filter_map(|r| index(instrument, r, items)).collect())
                    };
                    for (d, (_, items)) in dimension_items(instrument).into_iter().enumerate() {
                        let own = of(&now, &items);
                        let previous_score = previous.map(|_| of(&before, &items));
                        let change = own
                            .mean()
                            .zip(previous_score.and_then(|p| p.mean()))
                            .map(|(a, b)| a - b);
                        figures.dimensions.push(DimensionFigures {
                            dimension: d,
                            own,
                            others: of(&others, &items),
                            previous: previous_score,
                            change,
                        });
                    }
                }
                SurveyDesign::PrePost => {
                    let enough =
                        shown(&instrument.id, municipality, "pre") && shown(&instrument.id, municipality, "post");
                    if !enough {
                        figures.hidden = Some(Hidden::TooFewPeople);
                        return figures;
                    }
                    let mine: Vec<&SurveyResponse> = responses
                        .iter()
                        .copied()
                        .filter(|r| r.municipality == municipality)
                        .collect();
                    let pairs_of = |items: &[usize]| -> Vec<(f64, f64)> {
                        mine.iter()
                            .filter(|r| r.wave == "pre")
                            .filter_map(|pre| {
                                let post = mine
                                    .iter()
                                    .find(|r| r.wave == "post" && r.respondent == pre.respondent)?;
                                Some((index(instrument, pre, items)?, index(instrument, post, items)?))
                            })
                            .collect()
                    };
                    let dimensions = dimension_items(instrument)
                        .into_iter()
                        .enumerate()
                        .map(|(d, (_, items))| (PrePostTarget::Dimension(d), items));
                    let items = (0..instrument.items.len()).map(|i| (PrePostTarget::Item(i), vec![i]));
                    for (target, items) in dimensions.chain(items) {
                        let pairs = pairs_of(&items);
                        let n = pairs.len() as u64;
                        if n < threshold || n == 0 {
                            let hidden = Score::Hidden(Hidden::TooFewPeople);
                            figures.pre_post.push(PrePostFigures {
                                target,
                                before: hidden,
                                after: hidden,
                                improved: Figure::Hidden(Hidden::TooFewPeople),
                            });
                            continue;
                        }
                        let improved = pairs.iter().filter(|p| p.1 > p.0).count() as u64;
                        figures.pre_post.push(PrePostFigures {
                            target,
                            before: score(pairs.iter().map(|p| p.0).collect()),
                            after: score(pairs.iter().map(|p| p.1).collect()),
                            // A handful who improved would be a group smaller than the threshold.
                            improved: if improved > 0 && improved < threshold {
                                Figure::Hidden(Hidden::TooFewPeople)
                            } else {
                                Figure::Shown {
                                    count: improved,
                                    base: n,
                                }
                            },
                        });
                    }
                }
            }
            figures
        })
        .collect()
}

/// Each item's answers among `answers`, most favourable first and hidden ones last (in the items' order among
/// equals); an item answered by fewer than `threshold` is hidden.
fn item_figures(
    instrument: &crosscase_model::Instrument,
    answers: &[&SurveyResponse],
    threshold: u64,
) -> Vec<ItemFigures> {
    let steps = instrument.steps();
    let mut items: Vec<ItemFigures> = instrument
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let values: Vec<u8> = answers.iter().filter_map(|r| r.values[i]).collect();
            let n = values.len() as u64;
            let answers = if n < threshold || n == 0 {
                ItemAnswers::Hidden(Hidden::TooFewPeople)
            } else {
                let mut shares = vec![0.0; steps];
                for v in &values {
                    shares[usize::from(v - instrument.scale_min)] += 1.0 / n as f64;
                }
                let low: f64 = shares.iter().take(steps / 2).sum();
                let high: f64 = shares.iter().skip(steps.div_ceil(2)).sum();
                let favourable = if item.reverse { low } else { high };
                ItemAnswers::Shown {
                    shares,
                    n,
                    low,
                    high,
                    favourable,
                }
            };
            ItemFigures {
                item: i,
                reverse: item.reverse,
                answers,
            }
        })
        .collect();
    let key = |f: &ItemFigures| match f.answers {
        ItemAnswers::Shown { favourable, .. } => favourable,
        ItemAnswers::Hidden(_) => -1.0,
    };
    items.sort_by(|a, b| key(b).total_cmp(&key(a)));
    items
}
