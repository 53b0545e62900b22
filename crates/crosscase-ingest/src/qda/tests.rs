//! Property test: random coded projects (texts with emoji, CRLF and Swedish letters; nested codes; several coders;
//! memos; folders that are not codable; sets of sources; participants, units and waves) survive export to `.qdpx` and import unchanged.

use crosscase_model::{
    Code, Coding, Date, KommunRegister, Language, Municipality, Participant, Project, ProjectSettings, Rng, Role,
    Source, SourceKind, SourceSet, Unit, Wave,
};

use super::{Mapping, QdaInput, build_project, read_refi, write_qdpx};

const WORDS: &[&str] = &[
    "tillit",
    "idésluss",
    "😀",
    "förvaltning",
    "🎉",
    "\r\n",
    "\n",
    "Åsa",
    "ledning",
    "&",
    "<b>",
    "\"citat\"",
    "\t",
    "e\u{301}",
    "👍🏽",
    "mötet",
    "x",
];

fn text(rng: &mut Rng) -> String {
    let n = rng.range(1, 60);
    let mut t = String::new();
    for _ in 0..n {
        t.push_str(rng.phrase(WORDS));
        t.push(' ');
    }
    t
}

fn random_project(seed: u64) -> Project {
    let mut rng = Rng::new(seed);
    let register = KommunRegister::sweden();
    let mut settings = ProjectSettings::new(format!("Projekt {seed} & <test>"));
    settings.language = if rng.chance(0.5) { Language::Sv } else { Language::En };
    settings.disclosure_threshold = rng.range(1, 9) as u32;
    settings.primary_coder = rng.chance(0.3).then(|| "kodare-0".to_string());
    let mut p = Project::empty(settings);
    let all = register.all();
    let n_m = rng.range(1, 4) as usize;
    for i in 0..n_m {
        let k = &all[(seed as usize * 7 + i * 31) % all.len()];
        if p.municipalities.iter().any(|m| m.code == k.code) {
            continue;
        }
        p.municipalities.push(Municipality {
            code: k.code.clone(),
            name: k.name.clone(),
            line: 0,
        });
    }
    let codes_of = |p: &Project| p.municipalities.iter().map(|m| m.code.clone()).collect::<Vec<_>>();
    let ms = codes_of(&p);
    for i in 0..rng.range(0, 3) {
        p.units.push(Unit {
            id: format!("enhet-{i}"),
            municipality: rng.pick(&ms).clone(),
            name: format!("Enhet {i} för vård & omsorg"),
            line: 0,
        });
    }
    for i in 0..rng.range(0, 2) {
        p.waves.push(Wave {
            id: format!("v{i}"),
            name: format!("Våg {i}"),
            start: Date::new(2018 + i as i32, 1, 1).unwrap(),
            end: Date::new(2018 + i as i32, 12, 31).unwrap(),
            line: 0,
        });
    }
    for i in 0..rng.range(0, 5) {
        let municipality = rng.pick(&ms).clone();
        let unit = p
            .units
            .iter()
            .filter(|u| u.municipality == municipality)
            .map(|u| u.id.clone())
            .next()
            .filter(|_| rng.chance(0.5));
        p.participants.push(Participant {
            id: format!("IP{i:02}"),
            municipality,
            unit,
            role: *rng.pick(&Role::ALL),
            line: 0,
        });
    }
    for i in 0..rng.range(1, 12) {
        let id = format!("c{i}");
        let parent = (i > 0 && rng.chance(0.5)).then(|| format!("c{}", rng.below(i)));
        p.codes.push(Code {
            id,
            parent,
            label_sv: format!("Kod {i} på svenska"),
            label_en: format!("Code {i}"),
            description: rng
                .chance(0.5)
                .then(|| format!("Beskrivning {i}\nmed två rader & <tecken>")),
            colour: rng.chance(0.5).then(|| format!("#{:06x}", rng.below(0xFFFFFF))),
            codable: rng.chance(0.8),
            line: 0,
        });
    }
    for i in 0..rng.range(1, 6) {
        let municipality = rng.pick(&ms).clone();
        let unit = p
            .units
            .iter()
            .find(|u| u.municipality == municipality)
            .map(|u| u.id.clone())
            .filter(|_| rng.chance(0.5));
        let participants = p
            .participants
            .iter()
            .filter(|x| x.municipality == municipality)
            .map(|x| x.id.clone())
            .filter(|_| rng.chance(0.5))
            .collect();
        let wave = (!p.waves.is_empty() && rng.chance(0.7)).then(|| rng.pick(&p.waves).id.clone());
        let date = wave
            .as_ref()
            .and_then(|w| p.waves.iter().find(|x| &x.id == w))
            .map(|w| w.start)
            .filter(|_| rng.chance(0.5));
        let kind = *rng.pick(&SourceKind::ALL);
        p.sources.push(Source {
            id: format!("Källa {i}"),
            kind,
            municipality,
            unit,
            date,
            wave,
            participants,
            setting: (kind == SourceKind::Observation).then(|| "ledningsgruppsmöte".to_string()),
            duration_minutes: rng.chance(0.3).then(|| rng.range(10, 120) as u32),
            title: rng.chance(0.5).then(|| format!("Titel {i}")),
            text: Some(text(&mut rng)),
            line: 0,
        });
    }
    let coders = ["kodare-0", "Kodare Ett", "k2"];
    for s in p.sources.clone() {
        let t: Vec<char> = s.text.as_deref().unwrap().chars().collect();
        for _ in 0..rng.range(0, 8) {
            let a = rng.below(t.len() as u64);
            let b = rng.range(a + 1, t.len() as u64);
            let code = rng.pick(&p.codes).id.clone();
            let coder = rng.pick(&coders).to_string();
            if p.codings
                .iter()
                .any(|c| c.source == s.id && c.code == code && c.coder == coder && c.start == a && c.end == b)
            {
                continue;
            }
            p.codings.push(Coding {
                source: s.id.clone(),
                code,
                coder,
                start: a,
                end: b,
                quote: t[a as usize..b as usize].iter().collect(),
                memo: rng.chance(0.2).then(|| "Memo: viktigt\r\nandra raden".to_string()),
                line: 0,
            });
        }
    }
    for name in ["Grupp A", "Kommun: ingen"] {
        let mut members: Vec<String> = p
            .sources
            .iter()
            .filter(|_| rng.chance(0.5))
            .map(|s| s.id.clone())
            .collect();
        members.sort();
        if !members.is_empty() {
            p.sets.push(SourceSet {
                name: name.to_string(),
                sources: members,
            });
        }
    }
    p
}

/// The project with record order and file lines left out.
fn normal(mut p: Project) -> Project {
    p.municipalities.iter_mut().for_each(|x| x.line = 0);
    p.units.iter_mut().for_each(|x| x.line = 0);
    p.participants.iter_mut().for_each(|x| x.line = 0);
    p.waves.iter_mut().for_each(|x| x.line = 0);
    p.codes.iter_mut().for_each(|x| x.line = 0);
    p.sources.iter_mut().for_each(|x| {
        x.line = 0;
        x.participants.sort();
    });
    p.codings.iter_mut().for_each(|x| x.line = 0);
    p.municipalities.sort_by(|a, b| a.code.cmp(&b.code));
    p.units.sort_by(|a, b| a.id.cmp(&b.id));
    p.participants.sort_by(|a, b| a.id.cmp(&b.id));
    p.waves.sort_by(|a, b| a.id.cmp(&b.id));
    p.codes.sort_by(|a, b| a.id.cmp(&b.id));
    p.sources.sort_by(|a, b| a.id.cmp(&b.id));
    p.codings.sort_by(|a, b| {
        (&a.source, a.start, a.end, &a.code, &a.coder).cmp(&(&b.source, b.start, b.end, &b.code, &b.coder))
    });
    p
}

#[test]
fn random_projects_survive_export_and_import() {
    let register = KommunRegister::sweden();
    let dir = tempfile::tempdir().unwrap();
    for seed in 0..60 {
        let project = random_project(seed);
        assert!(
            crosscase_model::validate(&project, &register).is_empty(),
            "seed {seed}: the generator made an invalid project: {:?}",
            crosscase_model::validate(&project, &register)
        );
        let path = dir.path().join(format!("{seed}.qdpx"));
        write_qdpx(&project, &path).unwrap();
        let read = read_refi(&QdaInput::Qdpx(path.clone())).unwrap_or_else(|d| panic!("seed {seed}: {d:?}"));
        let (back, summary) =
            build_project(&[read], &Mapping::default(), &register).unwrap_or_else(|d| panic!("seed {seed}: {d:?}"));
        assert_eq!(summary.selections_converted, 0, "seed {seed}");
        let (want, got) = (normal(project), normal(back));
        assert_eq!(want.settings, got.settings, "seed {seed}");
        assert_eq!(want.municipalities, got.municipalities, "seed {seed}");
        assert_eq!(want.units, got.units, "seed {seed}");
        assert_eq!(want.participants, got.participants, "seed {seed}");
        assert_eq!(want.waves, got.waves, "seed {seed}");
        assert_eq!(want.codes, got.codes, "seed {seed}");
        assert_eq!(want.sources, got.sources, "seed {seed}");
        assert_eq!(want.codings, got.codings, "seed {seed}");
        assert_eq!(want.sets, got.sets, "seed {seed}");
        // The same project gives the same bytes.
        let again = dir.path().join("again.qdpx");
        write_qdpx(&want, &again).unwrap();
        let again_bytes = std::fs::read(&again).unwrap();
        write_qdpx(&got, &again).unwrap();
        assert_eq!(again_bytes, std::fs::read(&again).unwrap(), "seed {seed}");
    }
}
