//! The bundled demo: a synthetic interactive-research project in five municipalities of Östergötland and Jönköping
//! county, three waves, interviews, observation field notes and workshop notes, coded by two coders.
//!
//! Differences between municipalities are planted on purpose (see [`propensity`]) so that comparisons have
//! something to find. Every name is made up: participants are known only by pseudonymous ids.

use crosscase_model::{
    Code, Coding, Date, Municipality, Participant, Project, ProjectSettings, Role, Source, SourceKind, Unit, Wave,
};

use crate::phrases::{FILLER, OBSERVER_REMARKS, SETTINGS, THEMES};
use crosscase_model::Rng;

const SEED: u64 = 20_161_018;
const PRIMARY_CODER: &str = "AL";
const SECOND_CODER: &str = "BK";

const MUNICIPALITIES: &[(&str, &str)] = &[
    ("0580", "Linköping"),
    ("0581", "Norrköping"),
    ("0583", "Motala"),
    ("0586", "Mjölby"),
    ("0687", "Tranås"),
];

const UNITS: &[(&str, &str)] = &[
    ("KLF", "Kommunledningsförvaltningen"),
    ("VOF", "Vård- och omsorgsförvaltningen"),
    ("UBF", "Utbildningsförvaltningen"),
];

/// Roles of the fourteen participants in each municipality.
const ROLES: &[Role] = &[
    Role::TopManager,
    Role::TopManager,
    Role::MiddleManager,
    Role::MiddleManager,
    Role::MiddleManager,
    Role::MiddleManager,
    Role::FirstLineManager,
    Role::FirstLineManager,
    Role::FirstLineManager,
    Role::FirstLineManager,
    Role::Employee,
    Role::Employee,
    Role::Employee,
    Role::Politician,
];

/// (wave id, name, year, interviews per municipality)
const WAVES: &[(&str, &str, i32, usize)] = &[
    ("v2016", "Våg 1 (2016)", 2016, 5),
    ("v2018", "Våg 2 (2018)", 2018, 5),
    ("v2019", "Våg 3 (2019)", 2019, 4),
];

/// How likely an interview in `municipality` and `wave` is to touch `theme`: the planted differences.
fn propensity(municipality: &str, wave: usize, theme: &str) -> f64 {
    match (municipality, theme) {
        // Motala introduced an idea sluice in 2018: idea handling rises sharply after the first wave.
        ("0583", "idehantering") => [0.35, 0.9, 0.95][wave],
        ("0583", "tid_resurser") => 0.25,
        ("0687", "kultur") => 0.9,
        ("0687", "organisering") => 0.15,
        ("0580", "organisering") => 0.9,
        ("0580", "medarbetardriven") => 0.2,
        ("0581", "samverkan") => 0.9,
        ("0586", "tid_resurser") => 0.9,
        ("0586", "spridning") => 0.1,
        _ => 0.45,
    }
}

/// The demo project, identical on every run.
pub fn demo_project() -> Project {
    let mut rng = Rng::new(SEED);
    let mut settings = ProjectSettings::new("Innovationsledning i kommuner (demo)");
    settings.primary_coder = Some(PRIMARY_CODER.to_string());
    let mut p = Project::empty(settings);

    p.codes = codebook();
    for (i, (id, name, year, _)) in WAVES.iter().enumerate() {
        let start = Date::new(*year, 1, 1).expect("valid date");
        let end = Date::new(*year, 12, 31).expect("valid date");
        p.waves.push(Wave {
            id: id.to_string(),
            name: name.to_string(),
            start,
            end,
            line: i as u64 + 2,
        });
    }
    for &(code, name) in MUNICIPALITIES {
        p.municipalities.push(Municipality {
            code: code.into(),
            name: name.into(),
            line: 0,
        });
        for &(unit, unit_name) in UNITS {
            p.units.push(Unit {
                id: format!("{code}-{unit}"),
                municipality: code.into(),
                name: unit_name.into(),
                line: 0,
            });
        }
        for (i, &role) in ROLES.iter().enumerate() {
            let unit = match role {
                Role::TopManager => Some("KLF"),
                Role::Politician => None,
                _ => Some(UNITS[1 + i % 2].0),
            };
            p.participants.push(Participant {
                id: participant_id(code, i),
                municipality: code.into(),
                unit: unit.map(|u| format!("{code}-{u}")),
                role,
                line: 0,
            });
        }
    }
    for &(code, _) in MUNICIPALITIES {
        interviews(&mut p, &mut rng, code);
        observations(&mut p, &mut rng, code);
        workshops(&mut p, &mut rng, code);
    }
    // A stream of its own, so that the idea records leave the rest of the demo as it was.
    crate::ideas::add_ideas(&mut p, &mut Rng::stream(SEED, 9));
    crate::surveys::add_surveys(&mut p, &mut Rng::stream(SEED, 10));
    // Lines as the native writer lays the files out, so that the in-memory project equals what is read back.
    for (i, m) in p.municipalities.iter_mut().enumerate() {
        m.line = i as u64 + 2;
    }
    for (i, u) in p.units.iter_mut().enumerate() {
        u.line = i as u64 + 2;
    }
    for (i, x) in p.participants.iter_mut().enumerate() {
        x.line = i as u64 + 2;
    }
    for (i, s) in p.sources.iter_mut().enumerate() {
        s.line = i as u64 + 2;
    }
    for (i, c) in p.codings.iter_mut().enumerate() {
        c.line = i as u64 + 2;
    }
    p
}

fn participant_id(code: &str, i: usize) -> String {
    format!("P{code}-{:02}", i + 1)
}

fn codebook() -> Vec<Code> {
    let mut codes = Vec::new();
    for t in THEMES {
        codes.push(Code {
            id: t.id.into(),
            parent: None,
            label_sv: t.label_sv.into(),
            label_en: t.label_en.into(),
            description: Some(t.description.into()),
            colour: Some(t.colour.into()),
            codable: true,
            line: 0,
        });
        for s in t.subcodes {
            codes.push(Code {
                id: s.id.into(),
                parent: Some(t.id.into()),
                label_sv: s.label_sv.into(),
                label_en: s.label_en.into(),
                description: None,
                colour: Some(t.colour.into()),
                codable: true,
                line: 0,
            });
        }
    }
    for (i, c) in codes.iter_mut().enumerate() {
        c.line = i as u64 + 2;
    }
    codes
}

/// A text being written, with its length in code points so that codings can be placed as it grows.
struct TextBuilder {
    text: String,
    len: u64,
}

impl TextBuilder {
    fn new() -> TextBuilder {
        TextBuilder {
            text: String::new(),
            len: 0,
        }
    }

    /// Appends `s` and returns its code-point range.
    fn push(&mut self, s: &str) -> (u64, u64) {
        let start = self.len;
        self.text.push_str(s);
        self.len += s.chars().count() as u64;
        (start, self.len)
    }
}

/// A theme sentence placed in a text: (sub-code index in THEMES, theme index, start, end).
type Placed = (usize, usize, u64, u64);

fn date_in(rng: &mut Rng, year: i32) -> Date {
    Date::new(year, rng.range(2, 11) as u8, rng.range(1, 28) as u8).expect("valid date")
}

fn interviews(p: &mut Project, rng: &mut Rng, code: &str) {
    let mut n = 0;
    for (w, &(wave_id, _, year, count)) in WAVES.iter().enumerate() {
        for _ in 0..count {
            n += 1;
            let id = format!("{code}-I{n:02}");
            // The politician (last) is interviewed once a wave at most; others in turn.
            let who = (n * 5 + w) % (ROLES.len() - 1);
            let mut participants = vec![participant_id(code, who)];
            if rng.chance(0.15) {
                participants.push(participant_id(code, (who + 1) % (ROLES.len() - 1)));
            }
            let role = ROLES[who];
            let mut t = TextBuilder::new();
            t.push(&format!(
                "Intervju med {} ({}), {}.\n\n",
                role.label(crosscase_model::Language::Sv),
                UNITS[if role == Role::TopManager { 0 } else { 1 + who % 2 }].1,
                year
            ));
            let mut placed: Vec<Placed> = Vec::new();
            t.push("I: Kan du börja med att berätta om din roll?\n");
            t.push(&format!("IP: {} {}\n\n", rng.phrase(FILLER), rng.phrase(FILLER)));
            for (ti, theme) in THEMES.iter().enumerate() {
                if !rng.chance(propensity(code, w, theme.id)) {
                    continue;
                }
                t.push(&format!("I: {}\n", theme.question));
                t.push("IP: ");
                if rng.chance(0.5) {
                    t.push(rng.phrase(FILLER));
                    t.push(" ");
                }
                let k = if rng.chance(0.3) { 2 } else { 1 };
                for j in 0..k {
                    let si = rng.below(theme.subcodes.len() as u64) as usize;
                    let (s, e) = t.push(rng.phrase(theme.subcodes[si].sentences));
                    placed.push((si, ti, s, e));
                    if j + 1 < k {
                        t.push(" ");
                    }
                }
                t.push("\n\n");
            }
            t.push("I: Tack för att du tog dig tid.\n");
            let double_coded = n % 4 == 1;
            code_placed(p, rng, &id, &t.text, &placed, double_coded);
            let unit = if role == Role::TopManager {
                UNITS[0].0
            } else {
                UNITS[1 + who % 2].0
            };
            p.sources.push(Source {
                id,
                kind: SourceKind::Interview,
                municipality: code.into(),
                unit: Some(format!("{code}-{unit}")),
                date: Some(date_in(rng, year)),
                wave: Some(wave_id.into()),
                participants,
                setting: None,
                duration_minutes: Some(rng.range(45, 90) as u32),
                title: Some(format!("Intervju {n}")),
                text: Some(t.text),
                line: 0,
            });
        }
    }
}

fn observations(p: &mut Project, rng: &mut Rng, code: &str) {
    for n in 1..=5u64 {
        let w = (n as usize - 1) % WAVES.len();
        let (wave_id, _, year, _) = WAVES[w];
        let (setting, opening) = *rng.pick(SETTINGS);
        let mut t = TextBuilder::new();
        t.push(&format!("Fältanteckning, {setting}.\n{opening}\n\n"));
        let mut placed = Vec::new();
        let mut participants: Vec<String> = Vec::new();
        let speakers = rng.range(3, 6) as usize;
        // The themes the meeting takes up, each as likely as in an interview there (so the planted differences show
        // in field notes as they do in interviews and workshops), in a random order; speaker k voices the k-th, so
        // a meeting with fewer speakers than themes leaves the last of them unsaid.
        let mut discussed: Vec<usize> = (0..THEMES.len())
            .filter(|&ti| rng.chance(propensity(code, w, THEMES[ti].id)))
            .collect();
        for i in (1..discussed.len()).rev() {
            discussed.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for k in 0..speakers {
            let who = (n as usize * 3 + k * 2) % (ROLES.len() - 1);
            let pid = participant_id(code, who);
            if !participants.contains(&pid) {
                participants.push(pid);
            }
            if let Some(&ti) = discussed.get(k) {
                let theme = &THEMES[ti];
                let si = rng.below(theme.subcodes.len() as u64) as usize;
                t.push(&format!(
                    "En {} säger: ”",
                    ROLES[who].label(crosscase_model::Language::Sv)
                ));
                let (s, e) = t.push(rng.phrase(theme.subcodes[si].sentences));
                placed.push((si, ti, s, e));
                t.push("”\n");
            }
            t.push(rng.phrase(OBSERVER_REMARKS));
            t.push("\n");
        }
        participants.sort();
        let id = format!("{code}-O{n:02}");
        code_placed(p, rng, &id, &t.text, &placed, n == 2);
        p.sources.push(Source {
            id,
            kind: SourceKind::Observation,
            municipality: code.into(),
            unit: Some(format!("{code}-{}", UNITS[(n as usize) % UNITS.len()].0)),
            date: Some(date_in(rng, year)),
            wave: Some(wave_id.into()),
            participants,
            setting: Some(setting.into()),
            duration_minutes: Some(rng.range(60, 150) as u32),
            title: Some(format!("Observation {n}")),
            text: Some(t.text),
            line: 0,
        });
    }
}

fn workshops(p: &mut Project, rng: &mut Rng, code: &str) {
    for (w, &(wave_id, _, year, _)) in WAVES.iter().enumerate() {
        let mut t = TextBuilder::new();
        t.push("Anteckningar från gemensam workshop med forskare och kommunens chefer.\n\nLappar från övningen:\n");
        let mut placed = Vec::new();
        for (ti, theme) in THEMES.iter().enumerate() {
            if rng.chance(propensity(code, w, theme.id)) {
                let si = rng.below(theme.subcodes.len() as u64) as usize;
                t.push("- ");
                let (s, e) = t.push(rng.phrase(theme.subcodes[si].sentences));
                placed.push((si, ti, s, e));
                t.push("\n");
            }
        }
        let id = format!("{code}-W{:02}", w + 1);
        code_placed(p, rng, &id, &t.text, &placed, false);
        p.sources.push(Source {
            id,
            kind: SourceKind::Workshop,
            municipality: code.into(),
            unit: None,
            date: Some(date_in(rng, year)),
            wave: Some(wave_id.into()),
            // Workshop participants are not registered individually.
            participants: Vec::new(),
            setting: Some("workshop".into()),
            duration_minutes: Some(180),
            title: Some(format!("Workshop {}", w + 1)),
            text: Some(t.text),
            line: 0,
        });
    }
}

/// Codes each placed sentence for the primary coder and, when `double_coded`, for a second coder who mostly agrees.
fn code_placed(p: &mut Project, rng: &mut Rng, source: &str, text: &str, placed: &[Placed], double_coded: bool) {
    let quote = |s: u64, e: u64| {
        crosscase_model::slice_code_points(text, s, e)
            .expect("placed inside")
            .to_string()
    };
    let add = |p: &mut Project, code: &str, coder: &str, s: u64, e: u64| {
        p.codings.push(Coding {
            source: source.into(),
            code: code.into(),
            coder: coder.into(),
            start: s,
            end: e,
            quote: quote(s, e),
            memo: None,
            line: 0,
        });
    };
    for &(si, ti, s, e) in placed {
        let theme = &THEMES[ti];
        // Now and then the coder uses the theme itself rather than a sub-code.
        let primary = if rng.chance(0.1) {
            theme.id
        } else {
            theme.subcodes[si].id
        };
        add(p, primary, PRIMARY_CODER, s, e);
        if double_coded {
            let roll = rng.unit();
            if roll < 0.78 {
                add(p, primary, SECOND_CODER, s, e);
            } else if roll < 0.88 {
                // Same code, the closing full stop left out.
                add(p, primary, SECOND_CODER, s, e - 1);
            } else if roll < 0.95 {
                let other = &theme.subcodes[(si + 1) % theme.subcodes.len()];
                add(p, other.id, SECOND_CODER, s, e);
            }
            // Otherwise the second coder missed the segment.
        }
    }
}
