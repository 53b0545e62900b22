//! Survey data for the demo: a manager survey on innovation capability in the five municipalities in 2018 and 2019,
//! and a pre/post evaluation of a training for managers.
//!
//! Planted on purpose: Motala's "structures for innovation" rise from 2018 to 2019 with its idea sluice; Linköping
//! scores high on structures, Tranås on culture, Mjölby low on time and resources; after the training about eight
//! of ten participants know more than before.

use crosscase_model::{Dimension, Instrument, Project, Rng, Role, SurveyDesign, SurveyItem, SurveyResponse};

/// (kommunkod, managers answering the survey)
const MANAGERS: &[(&str, usize)] = &[("0580", 36), ("0581", 32), ("0583", 22), ("0586", 14), ("0687", 12)];

const LABELS_SV: [&str; 5] = [
    "Instämmer inte alls",
    "Instämmer till liten del",
    "Varken eller",
    "Instämmer till stor del",
    "Instämmer helt",
];
const LABELS_EN: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

/// (id, label_sv, label_en)
const DIMENSIONS: &[(&str, &str, &str)] = &[
    ("ledarstod", "Ledningens stöd", "Leadership support"),
    ("strukturer", "Strukturer för innovation", "Structures for innovation"),
    ("kultur", "Kultur", "Culture"),
    ("resurser", "Tid och resurser", "Time and resources"),
];

/// (id, dimension, reverse, text_sv, text_en)
const ITEMS: &[(&str, &str, bool, &str, &str)] = &[
    (
        "q01",
        "ledarstod",
        false,
        "Min närmaste chef uppmuntrar nya idéer.",
        "My line manager encourages new ideas.",
    ),
    (
        "q02",
        "ledarstod",
        false,
        "Ledningen följer upp förbättringsarbetet.",
        "Management follows up improvement work.",
    ),
    (
        "q03",
        "ledarstod",
        true,
        "Nya idéer stoppas ofta högre upp i organisationen.",
        "New ideas are often stopped higher up in the organisation.",
    ),
    (
        "q04",
        "strukturer",
        false,
        "Det finns en tydlig väg för att lämna och pröva idéer.",
        "There is a clear route for submitting and testing ideas.",
    ),
    (
        "q05",
        "strukturer",
        false,
        "Vi vet vem som beslutar om att pröva en idé.",
        "We know who decides whether an idea is tested.",
    ),
    (
        "q06",
        "strukturer",
        false,
        "Goda lösningar sprids till andra enheter.",
        "Good solutions spread to other units.",
    ),
    (
        "q07",
        "kultur",
        false,
        "Det är tillåtet att misslyckas när vi prövar något nytt.",
        "It is acceptable to fail when we try something new.",
    ),
    (
        "q08",
        "kultur",
        false,
        "Medarbetare tar egna initiativ till förbättringar.",
        "Employees take their own initiatives for improvement.",
    ),
    (
        "q09",
        "kultur",
        true,
        "Vi gör som vi alltid har gjort.",
        "We do things the way we have always done them.",
    ),
    (
        "q10",
        "resurser",
        false,
        "Det finns tid avsatt för utvecklingsarbete.",
        "Time is set aside for development work.",
    ),
    (
        "q11",
        "resurser",
        false,
        "Det finns pengar att pröva nya arbetssätt.",
        "There is money to try new ways of working.",
    ),
    (
        "q12",
        "resurser",
        true,
        "Den dagliga driften tar all tid.",
        "Day-to-day operations take all the time.",
    ),
];

/// The mean a municipality's managers lean towards on a dimension in a wave, on the 1–5 scale.
fn level(municipality: &str, dimension: &str, wave: &str) -> f64 {
    match (municipality, dimension, wave) {
        ("0583", "strukturer", "v2018") => 2.6,
        ("0583", "strukturer", _) => 3.9,
        ("0580", "strukturer", _) => 3.8,
        ("0687", "kultur", _) => 4.0,
        ("0586", "resurser", _) => 2.2,
        ("0581", "ledarstod", _) => 3.6,
        _ => 3.1,
    }
}

fn likert_labels(labels: [&str; 5]) -> Vec<String> {
    labels.iter().map(|s| s.to_string()).collect()
}

fn manager_survey() -> Instrument {
    Instrument {
        id: "chefsenkat".into(),
        name_sv: "Chefsenkät om innovationsförmåga".into(),
        name_en: "Manager survey on innovation capability".into(),
        design: SurveyDesign::Waves,
        scale_min: 1,
        scale_max: 5,
        labels_sv: likert_labels(LABELS_SV),
        labels_en: likert_labels(LABELS_EN),
        missing: vec!["vet ej".into(), "ej svar".into()],
        dimensions: DIMENSIONS
            .iter()
            .map(|&(id, sv, en)| Dimension {
                id: id.into(),
                label_sv: sv.into(),
                label_en: en.into(),
            })
            .collect(),
        items: ITEMS
            .iter()
            .map(|&(id, dimension, reverse, sv, en)| SurveyItem {
                id: id.into(),
                text_sv: sv.into(),
                text_en: en.into(),
                dimension: Some(dimension.into()),
                reverse,
            })
            .collect(),
    }
}

fn training_evaluation() -> Instrument {
    let items: &[(&str, &str, &str, &str)] = &[
        (
            "k1",
            "kunskap",
            "Jag vet hur man leder ett förbättringsarbete.",
            "I know how to lead improvement work.",
        ),
        (
            "k2",
            "kunskap",
            "Jag känner till metoder för att pröva idéer i liten skala.",
            "I know methods for testing ideas on a small scale.",
        ),
        (
            "k3",
            "kunskap",
            "Jag vet hur man sprider en ny lösning.",
            "I know how to spread a new solution.",
        ),
        (
            "t1",
            "tillampning",
            "Jag avsätter tid för mina medarbetares idéer.",
            "I set aside time for my staff's ideas.",
        ),
        (
            "t2",
            "tillampning",
            "Jag följer upp de idéer som prövas.",
            "I follow up the ideas that are tested.",
        ),
    ];
    Instrument {
        id: "utbildning".into(),
        name_sv: "Utvärdering av ledarutbildningen".into(),
        name_en: "Evaluation of the leadership training".into(),
        design: SurveyDesign::PrePost,
        scale_min: 1,
        scale_max: 5,
        labels_sv: likert_labels(LABELS_SV),
        labels_en: likert_labels(LABELS_EN),
        missing: vec!["vet ej".into()],
        dimensions: vec![
            Dimension {
                id: "kunskap".into(),
                label_sv: "Kunskap".into(),
                label_en: "Knowledge".into(),
            },
            Dimension {
                id: "tillampning".into(),
                label_sv: "Tillämpning".into(),
                label_en: "Application".into(),
            },
        ],
        items: items
            .iter()
            .map(|&(id, dimension, sv, en)| SurveyItem {
                id: id.into(),
                text_sv: sv.into(),
                text_en: en.into(),
                dimension: Some(dimension.into()),
                reverse: false,
            })
            .collect(),
    }
}

/// A normal draw by Box–Muller, from the demo's own generator.
fn normal(rng: &mut Rng) -> f64 {
    let u = 1.0 - rng.unit();
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn on_scale(x: f64) -> u8 {
    x.round().clamp(1.0, 5.0) as u8
}

/// Adds both instruments and their responses to the demo project.
pub(crate) fn add_surveys(p: &mut Project, rng: &mut Rng) {
    let survey = manager_survey();
    let roles = [
        Role::TopManager,
        Role::MiddleManager,
        Role::FirstLineManager,
        Role::FirstLineManager,
    ];
    for &(code, managers) in MANAGERS {
        // A manager's own leaning, kept across waves; about one in six is replaced between the waves.
        let leanings: Vec<f64> = (0..managers).map(|_| 0.5 * normal(rng)).collect();
        for (w, wave) in ["v2018", "v2019"].iter().enumerate() {
            for (m, leaning) in leanings.iter().enumerate() {
                let replaced = w == 1 && m % 6 == 5;
                let respondent = format!("C{code}-{:02}{}", m + 1, if replaced { "b" } else { "" });
                let values = survey
                    .items
                    .iter()
                    .map(|item| {
                        if rng.chance(0.04) {
                            return None; // "vet ej" or left empty
                        }
                        let dimension = item.dimension.as_deref().unwrap_or_default();
                        let agreement = level(code, dimension, wave) + leaning + 0.7 * normal(rng);
                        let v = on_scale(agreement);
                        Some(if item.reverse { 6 - v } else { v })
                    })
                    .collect();
                p.survey_responses.push(SurveyResponse {
                    instrument: survey.id.clone(),
                    respondent,
                    municipality: code.into(),
                    role: Some(roles[m % roles.len()]),
                    wave: wave.to_string(),
                    values,
                    line: 0,
                });
            }
        }
    }
    let training = training_evaluation();
    for &(code, _) in MANAGERS {
        for m in 0..10 {
            let respondent = format!("U{code}-{:02}", m + 1);
            let before = 2.4 + 0.5 * normal(rng);
            // Most gain about a step; a few do not.
            let gain = if rng.chance(0.8) {
                1.0 + 0.4 * normal(rng)
            } else {
                0.3 * normal(rng) - 0.2
            };
            for (wave, shift) in [("pre", 0.0), ("post", gain)] {
                if wave == "post" && m == 9 && code == "0586" {
                    continue; // one participant did not answer afterwards
                }
                let values = training
                    .items
                    .iter()
                    .map(|item| {
                        let extra = if item.dimension.as_deref() == Some("tillampning") {
                            -0.3
                        } else {
                            0.0
                        };
                        Some(on_scale(before + shift + extra + 0.5 * normal(rng)))
                    })
                    .collect();
                p.survey_responses.push(SurveyResponse {
                    instrument: training.id.clone(),
                    respondent: respondent.clone(),
                    municipality: code.into(),
                    role: Some(Role::FirstLineManager),
                    wave: wave.to_string(),
                    values,
                    line: 0,
                });
            }
        }
    }
    p.instruments = vec![survey, training];
    // Lines as the native writer lays each instrument's file out.
    for instrument in &p.instruments {
        for (i, r) in p
            .survey_responses
            .iter_mut()
            .filter(|r| r.instrument == instrument.id)
            .enumerate()
        {
            r.line = i as u64 + 2;
        }
    }
}
