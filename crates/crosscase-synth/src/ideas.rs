//! Idea-management records for the demo: ideas submitted in the five municipalities from 2016 to 2019, the stages
//! they reached, and head counts.
//!
//! Planted on purpose: Motala opens an idea sluice at the start of 2018, after which many more ideas come in and
//! they are assessed and implemented much faster; Linköping's formal innovation organisation tests more of its ideas;
//! Tranås and Mjölby have few ideas and slow handling.

use crosscase_model::{Date, Headcount, Idea, IdeaEvent, Project, Rng};

/// Ideas are followed up to this date, when the records were collected.
pub(crate) const OBSERVED_UNTIL: (i32, u8, u8) = (2019, 12, 31);

/// (kommunkod, employees, ideas per year before 2018, from 2018)
const MUNICIPALITIES: &[(&str, u32, u64, u64)] = &[
    ("0580", 11_400, 28, 30),
    ("0581", 10_200, 22, 24),
    ("0583", 3_600, 6, 42),
    ("0586", 2_300, 8, 8),
    ("0687", 1_600, 7, 8),
];

/// Shares of the employees in each unit (the demo's units), summing to one.
const UNIT_SHARES: &[(&str, f64)] = &[("KLF", 0.08), ("VOF", 0.55), ("UBF", 0.37)];

/// Theme codes an idea may carry, with a second theme sometimes.
const THEMES: &[&str] = &[
    "idehantering",
    "medarbetardriven",
    "samverkan",
    "tid_resurser",
    "spridning",
    "organisering",
];

const TITLES: &[&str] = &[
    "Digital signering av blanketter",
    "Gemensam kalender för vikarier",
    "Matsvinnet i skolköken",
    "Nyckelfri hemtjänst",
    "Sms-påminnelse inför besök",
    "Lånecyklar för personalen",
    "Färre pappersutskick till vårdnadshavare",
    "Introduktionspaket för nyanställda",
    "Delade bilar mellan förvaltningar",
    "Tolk via video",
    "Fast mötesfri eftermiddag",
    "Enklare beställning av hjälpmedel",
    "Gemensam sida för lediga lokaler",
    "Digital tillsyn nattetid",
    "Språkstöd i förskolan",
    "Återbruk av möbler",
];

/// How an idea is handled in a municipality and year: chance to be assessed, then tested, then implemented, and
/// mean days for each step.
struct Handling {
    assess: f64,
    test: f64,
    implement: f64,
    spread: f64,
    mean_days: f64,
}

fn handling(municipality: &str, year: i32) -> Handling {
    match (municipality, year >= 2018) {
        // The idea sluice: quick assessment, most ideas tested and many implemented within weeks.
        ("0583", true) => Handling {
            assess: 0.95,
            test: 0.75,
            implement: 0.75,
            spread: 0.4,
            mean_days: 18.0,
        },
        ("0580", _) => Handling {
            assess: 0.9,
            test: 0.7,
            implement: 0.6,
            spread: 0.35,
            mean_days: 40.0,
        },
        ("0581", _) => Handling {
            assess: 0.85,
            test: 0.55,
            implement: 0.6,
            spread: 0.5,
            mean_days: 45.0,
        },
        ("0586" | "0687", _) => Handling {
            assess: 0.7,
            test: 0.45,
            implement: 0.5,
            spread: 0.2,
            mean_days: 90.0,
        },
        _ => Handling {
            assess: 0.75,
            test: 0.5,
            implement: 0.5,
            spread: 0.25,
            mean_days: 70.0,
        },
    }
}

/// An exponential waiting time in whole days, at least one.
fn wait(rng: &mut Rng, mean: f64) -> i64 {
    (-(1.0 - rng.unit()).ln() * mean).ceil().max(1.0) as i64
}

/// Adds ideas, their events and head counts to the demo project.
pub(crate) fn add_ideas(p: &mut Project, rng: &mut Rng) {
    let until = Date::new(OBSERVED_UNTIL.0, OBSERVED_UNTIL.1, OBSERVED_UNTIL.2).expect("valid date");
    let end = until.days_since_epoch();
    p.settings.idea_stages.observed_until = Some(until);
    for &(code, employees, before, after) in MUNICIPALITIES {
        p.headcounts.push(Headcount {
            municipality: code.into(),
            unit: None,
            employees,
            line: 0,
        });
        for &(unit, share) in UNIT_SHARES {
            p.headcounts.push(Headcount {
                municipality: code.into(),
                unit: Some(format!("{code}-{unit}")),
                employees: (f64::from(employees) * share).round() as u32,
                line: 0,
            });
        }
        let mut n = 0;
        for year in 2016..=2019 {
            let count = if year >= 2018 { after } else { before };
            let first = Date::new(year, 1, 1).expect("valid date").days_since_epoch();
            let mut days: Vec<i64> = (0..count).map(|_| first + rng.below(365) as i64).collect();
            days.sort_unstable();
            for day in days {
                n += 1;
                let id = format!("{code}-ID{n:03}");
                let submitted = Date::from_days_since_epoch(day);
                let unit = format!("{code}-{}", rng.pick(UNIT_SHARES).0);
                let mut codes = vec![rng.pick(THEMES).to_string()];
                let second = rng.pick(THEMES).to_string();
                if rng.chance(0.3) && second != codes[0] {
                    codes.push(second);
                }
                let wave = p
                    .waves
                    .iter()
                    .find(|w| w.start <= submitted && submitted <= w.end)
                    .map(|w| w.id.clone());
                p.ideas.push(Idea {
                    id: id.clone(),
                    municipality: code.into(),
                    unit: Some(unit),
                    submitted,
                    wave,
                    codes,
                    title: Some(rng.phrase(TITLES).to_string()),
                    line: 0,
                });
                events(p, rng, &id, code, year, day, end);
            }
        }
    }
    for (i, x) in p.ideas.iter_mut().enumerate() {
        x.line = i as u64 + 2;
    }
    for (i, x) in p.idea_events.iter_mut().enumerate() {
        x.line = i as u64 + 2;
    }
    for (i, x) in p.headcounts.iter_mut().enumerate() {
        x.line = i as u64 + 2;
    }
}

/// The stages one idea reaches before the end of follow-up, each after a waiting time.
fn events(p: &mut Project, rng: &mut Rng, idea: &str, code: &str, year: i32, submitted: i64, end: i64) {
    let h = handling(code, year);
    let mut day = submitted;
    let push = |p: &mut Project, stage: &str, day: i64| {
        p.idea_events.push(IdeaEvent {
            idea: idea.into(),
            stage: stage.into(),
            date: Date::from_days_since_epoch(day),
            line: 0,
        });
    };
    for (stage, chance) in [
        ("assessed", h.assess),
        ("tested", h.test),
        ("implemented", h.implement),
        ("spread", h.spread),
    ] {
        let next = day + wait(rng, h.mean_days);
        if next > end {
            return; // still open when the records were collected
        }
        if !rng.chance(chance) {
            // Not taken further: most are rejected at that point, some withdrawn by the submitter; spreading is not
            // a step an idea can fail, it just has not happened.
            if stage != "spread" {
                push(p, if rng.chance(0.8) { "rejected" } else { "withdrawn" }, next);
            }
            return;
        }
        push(p, stage, next);
        day = next;
    }
}
