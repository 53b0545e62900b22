//! The personal-data screen: one detector for feedback material, pseudonymisation and the audit alike.
//!
//! It finds Swedish personal identity and coordination numbers (with a valid check digit), e-mail addresses (also
//! written `namn (at) kommun.se`), Swedish phone numbers in every common notation, and the names of a roster with
//! their inflections. Text is matched in a normalised form (Unicode NFC, lower case, every run of white space as one
//! space, dashes as `-`) and findings are given as byte ranges of the text as it was.

mod email;
mod fields;
mod names;
mod normal;
mod numbers;
#[cfg(test)]
mod tests;

pub use fields::ScreenedFields;

use crate::project::Language;

/// What kind of personal data was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PersonalData {
    IdentityNumber,
    Email,
    Phone,
    RosterName,
}

impl PersonalData {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonalData::IdentityNumber => "personal identity number",
            PersonalData::Email => "e-mail address",
            PersonalData::Phone => "phone number",
            PersonalData::RosterName => "name from the roster",
        }
    }

    /// What a reader of feedback material sees in its place, e.g. `[namn]`.
    pub fn mask(self, language: Language) -> &'static str {
        match (self, language) {
            (PersonalData::IdentityNumber, Language::Sv) => "[personnummer]",
            (PersonalData::Email, Language::Sv) => "[e-post]",
            (PersonalData::Phone, Language::Sv) => "[telefon]",
            (PersonalData::RosterName, Language::Sv) => "[namn]",
            (PersonalData::IdentityNumber, Language::En) => "[identity number]",
            (PersonalData::Email, Language::En) => "[e-mail]",
            (PersonalData::Phone, Language::En) => "[phone]",
            (PersonalData::RosterName, Language::En) => "[name]",
        }
    }
}

/// One finding: its kind, its byte range in the text, and for a roster name the person (index into
/// [`Roster::people`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: PersonalData,
    pub start: usize,
    pub end: usize,
    pub person: Option<usize>,
}

/// A person of the roster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterPerson {
    /// The full name as the roster gives it.
    pub name: String,
    /// The first name(s): all but the last word of `name` unless the roster gives them.
    pub first_name: String,
    /// The surname: the last word of `name` unless the roster gives it; may be hyphenated.
    pub surname: String,
    /// The first name alone points at this person (the roster's column `identifying` says `first` or `both`).
    pub first_name_identifies: bool,
    /// The surname alone points at this person (`surname` or `both`).
    pub surname_identifies: bool,
}

impl RosterPerson {
    /// A person known by the full name only.
    pub fn new(name: &str) -> RosterPerson {
        let name = name.trim();
        let (first, surname) = match name.rsplit_once(char::is_whitespace) {
            Some((f, s)) => (f.trim(), s.trim()),
            None => ("", name),
        };
        RosterPerson {
            name: name.to_string(),
            first_name: first.to_string(),
            surname: surname.to_string(),
            first_name_identifies: false,
            surname_identifies: false,
        }
    }
}

/// The participants' real names, kept outside the database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roster {
    pub people: Vec<RosterPerson>,
}

impl Roster {
    /// A roster of full names only.
    pub fn from_names(names: &[String]) -> Roster {
        Roster {
            people: names
                .iter()
                .filter(|n| !n.trim().is_empty())
                .map(|n| RosterPerson::new(n))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }
}

/// The screen: the patterns and a roster's names, ready to look through texts.
#[derive(Clone, Debug, Default)]
pub struct Screen {
    roster: Roster,
    names: names::NameIndex,
}

impl Screen {
    pub fn new(roster: Roster) -> Screen {
        let names = names::NameIndex::new(&roster);
        Screen { roster, names }
    }

    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// Every piece of personal data in `text`, in order and not overlapping (the longest wins).
    pub fn find(&self, text: &str) -> Vec<Finding> {
        if text.is_empty() {
            return Vec::new();
        }
        let n = normal::Normalised::new(text);
        let t = n.text.as_str();
        let mut raw: Vec<(PersonalData, usize, usize)> = Vec::new();
        numbers::identity_numbers(t.as_bytes(), &mut raw);
        numbers::phones(t.as_bytes(), &mut raw);
        email::emails(t, &mut raw);
        let mut all: Vec<(PersonalData, usize, usize, Option<usize>)> =
            raw.into_iter().map(|(k, s, e)| (k, s, e, None)).collect();
        self.names.find(&n, text, &mut all);
        all.sort_by_key(|&(k, s, e, _)| (s, std::cmp::Reverse(e), k));
        let mut kept: Vec<Finding> = Vec::with_capacity(all.len());
        let mut covered = 0;
        for (kind, s, e, person) in all {
            if s < covered || s == e {
                continue;
            }
            covered = e;
            let (start, end) = n.original(s, e);
            kept.push(Finding {
                kind,
                start,
                end,
                person,
            });
        }
        kept
    }

    /// Whether `text` holds any personal data.
    pub fn holds_personal_data(&self, text: &str) -> bool {
        !self.find(text).is_empty()
    }

    /// `value` with every participant-facing text field masked in `language`; borrowed when nothing needed masking,
    /// so that a national corpus is not copied for clean labels.
    pub fn screened<'a, T: ScreenedFields + Clone>(&self, value: &'a T, language: Language) -> std::borrow::Cow<'a, T> {
        if !value.fields().iter().any(|f| self.holds_personal_data(f)) {
            return std::borrow::Cow::Borrowed(value);
        }
        let mut owned = value.clone();
        for f in owned.fields_mut() {
            let masked = self.mask(f, language);
            *f = masked;
        }
        std::borrow::Cow::Owned(owned)
    }

    /// `text` with every finding replaced by its mask in `language`.
    pub fn mask(&self, text: &str, language: Language) -> String {
        let found = self.find(text);
        mask_personal_data(text, &found, |k| k.mask(language).to_string())
    }
}

/// Every piece of personal data in `text`, in order, with `roster` as full names only.
pub fn find_personal_data(text: &str, roster: &[String]) -> Vec<Finding> {
    Screen::new(Roster::from_names(roster)).find(text)
}

/// Replaces every finding with a mask that says what was there, e.g. `[personal identity number]`.
pub fn mask_personal_data(text: &str, findings: &[Finding], mask: impl Fn(PersonalData) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        out.push_str(&text[at..f.start]);
        out.push_str(&mask(f.kind));
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}
