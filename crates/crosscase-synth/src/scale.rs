//! Projects of any size with planted differences, for benchmarks and scale tests (`crosscase synth`).

use crosscase_model::{
    Code, Coding, Date, Municipality, Participant, Project, ProjectSettings, Role, Source, SourceKind, Wave,
};

use crosscase_model::Rng;

/// The shape of a generated project.
#[derive(Clone, Debug)]
pub struct ScaleConfig {
    /// At most 290 (the Swedish municipalities, in register order).
    pub municipalities: usize,
    pub sources: usize,
    pub codes: usize,
    pub codings: usize,
    /// Give every source a text (and every coding a quote checked against it).
    pub with_text: bool,
    /// Data-collection waves, one per year from 2016; sources are spread over them in turn. 0: no waves.
    pub waves: usize,
    pub seed: u64,
}

const WORDS: &[&str] = &[
    "kommunen",
    "medarbetarna",
    "chefen",
    "idén",
    "utveckling",
    "samverkan",
    "förvaltningen",
    "tiden",
    "resurser",
    "kulturen",
    "ledningen",
    "arbetssätt",
    "förslag",
    "invånarna",
    "projektet",
    "återkoppling",
    "nämnden",
    "enheten",
];

/// A project of the configured size. Codes `0, 5, 10, …` are planted to be more common in the first fifth of the
/// municipalities, so that tests of differences have true positives to find.
pub fn scale_project(cfg: &ScaleConfig, register: &crosscase_model::KommunRegister) -> Project {
    let mut rng = Rng::new(cfg.seed);
    let mut p = Project::empty(ProjectSettings::new(format!(
        "synth-{}m-{}s-{}c-{}k",
        cfg.municipalities, cfg.sources, cfg.codes, cfg.codings
    )));
    let kommuner = &register.all()[..cfg.municipalities.clamp(1, register.all().len())];
    for k in kommuner {
        p.municipalities.push(Municipality {
            code: k.code.clone(),
            name: k.name.clone(),
            line: 0,
        });
    }
    let n_m = p.municipalities.len();
    for w in 0..cfg.waves {
        let year = 2016 + w as i32;
        p.waves.push(Wave {
            id: format!("w{}", w + 1),
            name: format!("Våg {} ({year})", w + 1),
            start: Date::new(year, 1, 1).expect("1 January exists"),
            end: Date::new(year, 12, 31).expect("31 December exists"),
            line: 0,
        });
    }
    let top = (cfg.codes / 10).max(1);
    for i in 0..cfg.codes {
        let parent = (i >= top).then(|| format!("C{:04}", i % top));
        p.codes.push(Code {
            id: format!("C{i:04}"),
            parent,
            label_sv: format!("Tema {i}"),
            label_en: format!("Theme {i}"),
            description: None,
            colour: None,
            codable: true,
            line: 0,
        });
    }
    // Eight participants per municipality.
    for (mi, m) in p.municipalities.iter().enumerate() {
        for j in 0..8 {
            p.participants.push(Participant {
                id: format!("P{}-{j}", m.code),
                municipality: m.code.clone(),
                unit: None,
                role: Role::ALL[(mi + j) % Role::ALL.len()],
                line: 0,
            });
        }
    }
    let per_source = cfg.codings.div_ceil(cfg.sources.max(1));
    let mut remaining = cfg.codings;
    for si in 0..cfg.sources {
        let mi = si % n_m;
        let code = p.municipalities[mi].code.clone();
        let id = format!("S{si:07}");
        let n = per_source.min(remaining);
        remaining -= n;
        let planted = mi < n_m.div_ceil(5);
        // Each coding covers one sentence of its own, so quotes can be checked against the text.
        let mut text = String::new();
        let mut len = 0u64;
        let mut codings = Vec::with_capacity(n);
        for _ in 0..n {
            let c = if planted && rng.chance(0.3) {
                5 * rng.below((cfg.codes as u64).div_ceil(5))
            } else {
                rng.below(cfg.codes as u64)
            } as usize;
            let mut sentence = String::new();
            for w in 0..rng.range(6, 14) {
                if w > 0 {
                    sentence.push(' ');
                }
                sentence.push_str(rng.phrase(WORDS));
            }
            sentence.push('.');
            let slen = sentence.chars().count() as u64;
            codings.push((c, len, len + slen, sentence.clone()));
            if cfg.with_text {
                text.push_str(&sentence);
                text.push(' ');
            }
            len += slen + 1;
        }
        for (c, s, e, quote) in codings {
            p.codings.push(Coding {
                source: id.clone(),
                code: p.codes[c].id.clone(),
                coder: "synth".into(),
                start: s,
                end: e,
                quote,
                memo: None,
                line: 0,
            });
        }
        // A municipality's sources go to the waves in turn, so each wave holds some of every municipality.
        let wave = (cfg.waves > 0).then(|| &p.waves[si / n_m % cfg.waves]);
        p.sources.push(Source {
            id,
            kind: SourceKind::Interview,
            municipality: code.clone(),
            unit: None,
            date: wave.map(|w| w.start),
            wave: wave.map(|w| w.id.clone()),
            participants: vec![format!("P{code}-{}", si / n_m % 8)],
            setting: None,
            duration_minutes: None,
            title: None,
            text: cfg.with_text.then_some(text),
            line: 0,
        });
    }
    p
}
