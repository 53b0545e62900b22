//! Pseudonymisation on ingest: the names of a roster are replaced, in participant ids and in every text, by stable
//! pseudonyms made by keyed hashing (HMAC-SHA-256), in every form the personal-data screen knows (inflected, split by
//! a line break, in NFD, alone where the roster marks a part as identifying); identity numbers, e-mail addresses and
//! phone numbers are masked. The key lives outside the database; the same key gives the same pseudonyms in every
//! import. Codings are moved with the text, so every quote still lies at its offsets.

use std::collections::HashMap;

use crosscase_model::{Coding, CodingRow, Language, PersonalData, Project, Roster, Screen};
use sha2::{Digest, Sha256};

/// HMAC-SHA-256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let (mut inner_pad, mut outer_pad) = ([0x36u8; 64], [0x5cu8; 64]);
    for i in 0..64 {
        inner_pad[i] ^= k[i];
        outer_pad[i] ^= k[i];
    }
    let inner = Sha256::new().chain_update(inner_pad).chain_update(message).finalize();
    Sha256::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// A replacement in one text: code points `start..end` of the old text became `len` code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edit {
    start: u64,
    end: u64,
    len: u64,
}

/// What pseudonymisation changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PseudonymReport {
    pub names_replaced: u64,
    /// Identity numbers, e-mail addresses and phone numbers masked.
    pub other_masked: u64,
    pub texts_changed: u64,
    pub participant_ids_replaced: u64,
}

/// Replaces roster names with pseudonyms in a project, and then in its codings as they come.
pub struct Pseudonymiser {
    screen: Screen,
    /// The pseudonym of each roster person, in roster order.
    by_person: Vec<String>,
    /// Lower-cased full name → pseudonym.
    pseudonyms: HashMap<String, String>,
    /// The language of the masks of other personal data.
    language: Language,
    /// Source id → the edits made to its text, in order.
    edits: HashMap<String, Vec<Edit>>,
}

impl Pseudonymiser {
    pub fn new(key: &[u8], roster: &Roster) -> Pseudonymiser {
        let by_person: Vec<String> = roster
            .people
            .iter()
            .map(|p| {
                // The full name as written, trimmed and lower-cased: pseudonyms made by earlier versions stay the same.
                let normal = p.name.trim().to_lowercase();
                let mac = hmac_sha256(key, normal.as_bytes());
                let tag: String = mac[..4].iter().map(|b| format!("{b:02X}")).collect();
                format!("Person-{tag}")
            })
            .collect();
        let pseudonyms = roster
            .people
            .iter()
            .zip(&by_person)
            .map(|(p, pseudonym)| (p.name.trim().to_lowercase(), pseudonym.clone()))
            .collect();
        Pseudonymiser {
            screen: Screen::new(roster.clone()),
            by_person,
            pseudonyms,
            language: Language::Sv,
            edits: HashMap::new(),
        }
    }

    /// The pseudonym of a roster name.
    pub fn pseudonym(&self, name: &str) -> Option<&str> {
        self.pseudonyms.get(&name.trim().to_lowercase()).map(String::as_str)
    }

    /// Replaces personal data in `text`; returns the new text, the edits in code points, and how many were names.
    fn replace(&self, text: &str) -> (String, Vec<Edit>, u64) {
        let found = self.screen.find(text);
        let mut out = String::with_capacity(text.len());
        let mut edits = Vec::with_capacity(found.len());
        let mut names = 0;
        let (mut at, mut cp) = (0usize, 0u64);
        for f in found {
            let replacement = match (f.kind, f.person) {
                (PersonalData::RosterName, Some(p)) => {
                    names += 1;
                    self.by_person[p].as_str()
                }
                (kind, _) => kind.mask(self.language),
            };
            out.push_str(&text[at..f.start]);
            cp += text[at..f.start].chars().count() as u64;
            let old = text[f.start..f.end].chars().count() as u64;
            edits.push(Edit {
                start: cp,
                end: cp + old,
                len: replacement.chars().count() as u64,
            });
            out.push_str(replacement);
            cp += old;
            at = f.end;
        }
        out.push_str(&text[at..]);
        (out, edits, names)
    }

    /// Replaces in one field that codings do not point into.
    fn replace_field(&self, value: &mut String, report: &mut PseudonymReport) {
        let (new, edits, names) = self.replace(value);
        report.names_replaced += names;
        report.other_masked += edits.len() as u64 - names;
        *value = new;
    }

    /// Pseudonymises participant ids, source texts, titles and settings, and the labels, descriptions, names and
    /// item texts of the codebook, units, waves, surveys and ideas; remembers how each source's text moved.
    pub fn apply(&mut self, project: &mut Project) -> PseudonymReport {
        self.language = project.settings.language;
        let mut report = PseudonymReport::default();
        let mut renamed: HashMap<String, String> = HashMap::new();
        for p in &mut project.participants {
            if let Some(pseudonym) = self.pseudonym(&p.id) {
                renamed.insert(p.id.clone(), pseudonym.to_string());
                p.id = pseudonym.to_string();
                report.participant_ids_replaced += 1;
            }
        }
        for s in &mut project.sources {
            for p in &mut s.participants {
                if let Some(new) = renamed.get(p) {
                    *p = new.clone();
                }
            }
            for value in [&mut s.title, &mut s.setting].into_iter().flatten() {
                self.replace_field(value, &mut report);
            }
            if let Some(text) = &mut s.text {
                let (new, edits, names) = self.replace(text);
                if !edits.is_empty() {
                    report.names_replaced += names;
                    report.other_masked += edits.len() as u64 - names;
                    report.texts_changed += 1;
                    *text = new;
                    self.edits.insert(s.id.clone(), edits);
                }
            }
        }
        let mut fields: Vec<&mut String> = Vec::new();
        for c in &mut project.codes {
            fields.extend([&mut c.label_sv, &mut c.label_en]);
            fields.extend(c.description.as_mut());
        }
        fields.extend(project.units.iter_mut().map(|u| &mut u.name));
        fields.extend(project.waves.iter_mut().map(|w| &mut w.name));
        fields.extend(project.ideas.iter_mut().filter_map(|i| i.title.as_mut()));
        for i in &mut project.instruments {
            fields.extend([&mut i.name_sv, &mut i.name_en]);
            for d in &mut i.dimensions {
                fields.extend([&mut d.label_sv, &mut d.label_en]);
            }
            for item in &mut i.items {
                fields.extend([&mut item.text_sv, &mut item.text_en]);
            }
        }
        for f in fields {
            self.replace_field(f, &mut report);
        }
        report
    }

    /// Moves a coding with its source's text, and pseudonymises its quote and memo.
    pub fn remap(&self, c: &mut Coding) {
        self.remap_parts(
            &c.source,
            &mut c.start,
            &mut c.end,
            [Some(&mut c.quote), c.memo.as_mut()],
        );
    }

    /// [`Pseudonymiser::remap`] for a streamed row of the source `source` (its id).
    pub fn remap_row(&self, source: &str, c: &mut CodingRow) {
        self.remap_parts(source, &mut c.start, &mut c.end, [c.quote.as_mut(), c.memo.as_mut()]);
    }

    fn remap_parts(&self, source: &str, start: &mut u64, end: &mut u64, texts: [Option<&mut String>; 2]) {
        if let Some(edits) = self.edits.get(source) {
            *start = map_offset(edits, *start, false);
            *end = map_offset(edits, *end, true);
        }
        for value in texts.into_iter().flatten() {
            if !value.is_empty() {
                *value = self.replace(value).0;
            }
        }
    }
}

/// Where an old offset lands in the new text. An offset inside a replaced name moves to the pseudonym's start (for a
/// start) or end (for an end), so that a coding keeps covering the whole pseudonym.
fn map_offset(edits: &[Edit], x: u64, is_end: bool) -> u64 {
    let mut shift: i64 = 0;
    for e in edits {
        if x <= e.start || (x == e.start && !is_end) {
            break;
        }
        let delta = e.len as i64 - (e.end - e.start) as i64;
        if x < e.end {
            let base = (e.start as i64 + shift) as u64;
            return if is_end { base + e.len } else { base };
        }
        shift += delta;
    }
    (x as i64 + shift) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An interview in Motala with `text` and nothing else.
    fn interview(text: &str) -> crosscase_model::Source {
        crosscase_model::Source {
            id: "S".into(),
            kind: crosscase_model::SourceKind::Interview,
            municipality: "0583".into(),
            unit: None,
            date: None,
            wave: None,
            participants: vec![],
            setting: None,
            duration_minutes: None,
            title: None,
            text: Some(text.into()),
            line: 2,
        }
    }

    #[test]
    fn hmac_sha256_rfc_4231_test_case_2() {
        // RFC 4231, section 4.3: key "Jefe", data "what do ya want for nothing?".
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn names_become_stable_pseudonyms_and_codings_move_with_the_text() {
        let roster = Roster::from_names(&["Karin Ek".to_string(), "Örjan".to_string()]);
        let mut p = Pseudonymiser::new(b"a key that stays outside the database", &roster);
        let karin = p.pseudonym("karin ek").unwrap().to_string();
        assert!(karin.starts_with("Person-") && karin.len() == 15);
        // The same key gives the same pseudonym; another key another one.
        assert_eq!(
            Pseudonymiser::new(b"a key that stays outside the database", &roster).pseudonym("Karin Ek"),
            Some(karin.as_str())
        );
        assert_ne!(
            Pseudonymiser::new(b"another key", &roster).pseudonym("Karin Ek"),
            Some(karin.as_str())
        );

        let mut project = Project::empty(crosscase_model::ProjectSettings::new("t"));
        let text = "Karin Ek sa att Örjan borde fråga Karin Ek.";
        project.sources.push(interview(text));
        let report = p.apply(&mut project);
        assert_eq!((report.names_replaced, report.texts_changed), (3, 1));
        let new = project.sources[0].text.clone().unwrap();
        let orjan = p.pseudonym("Örjan").unwrap().to_string();
        assert_eq!(new, format!("{karin} sa att {orjan} borde fråga {karin}."));
        // Codings: "sa att" (after the first name), "borde fråga Karin Ek" (ends on a name), all of it.
        let cases = [(9, 15, "sa att"), (22, 42, "borde fråga Karin Ek"), (0, 43, text)];
        for (start, end, old_quote) in cases {
            assert_eq!(crosscase_model::slice_code_points(text, start, end), Some(old_quote));
            let mut c = Coding {
                source: "S".into(),
                code: "c".into(),
                coder: "AL".into(),
                start,
                end,
                quote: old_quote.into(),
                memo: Some("Karin Ek var tydlig".into()),
                line: 2,
            };
            p.remap(&mut c);
            let moved = crosscase_model::slice_code_points(&new, c.start, c.end).unwrap();
            assert_eq!(moved, c.quote, "{old_quote:?}");
            assert!(!c.quote.contains("Karin") && !c.memo.as_deref().unwrap().contains("Karin"));
        }
    }

    #[test]
    fn every_form_of_a_name_and_other_personal_data_go_and_codings_follow() {
        let mut karin = crosscase_model::RosterPerson::new("Åke Ek");
        karin.first_name_identifies = true;
        let roster = Roster { people: vec![karin] };
        let mut p = Pseudonymiser::new(b"k", &roster);
        let pseudonym = p.pseudonym("Åke Ek").unwrap().to_string();
        // NFD, a line break, the possessive, the first name alone, a phone number and an identity number.
        let text = "A\u{30a}ke  Eks idé.\nÅke\nEk ringer 070–123 45 67. Åkes nr 811218-9876 är känt.";
        let mut project = Project::empty(crosscase_model::ProjectSettings::new("t"));
        project.sources.push(interview(text));
        let report = p.apply(&mut project);
        assert_eq!((report.names_replaced, report.other_masked), (3, 2));
        let new = project.sources[0].text.clone().unwrap();
        assert_eq!(
            new,
            format!("{pseudonym} idé.\n{pseudonym} ringer [telefon]. {pseudonym} nr [personnummer] är känt.")
        );
        // Segments that start and end in ordinary words keep them at both ends.
        let len = text.chars().count() as u64;
        let at = |word: &str| text[..text.find(word).unwrap()].chars().count() as u64;
        let cases = [
            (at("idé"), at("ringer") + 6),
            (at("idé"), len),
            (0, len),
            (at("ringer"), at("känt")),
        ];
        for (start, end) in cases {
            let old = crosscase_model::slice_code_points(text, start, end)
                .unwrap()
                .to_string();
            let mut c = Coding {
                source: "S".into(),
                code: "c".into(),
                coder: "AL".into(),
                start,
                end,
                quote: old.clone(),
                memo: None,
                line: 2,
            };
            p.remap(&mut c);
            let moved = crosscase_model::slice_code_points(&new, c.start, c.end).unwrap();
            assert_eq!(moved, c.quote, "{old:?}");
        }
    }
}
