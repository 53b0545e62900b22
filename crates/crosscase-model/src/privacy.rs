//! Finding personal data in text: Swedish personal identity numbers (personnummer and samordningsnummer, with a
//! valid check digit), e-mail addresses, phone numbers, and names from a roster.

/// What kind of personal data was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
}

/// One finding: its kind and byte range in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: PersonalData,
    pub start: usize,
    pub end: usize,
}

/// Every piece of personal data in `text`, in order. `roster` holds names (matched as whole words, ignoring case).
pub fn find_personal_data(text: &str, roster: &[String]) -> Vec<Finding> {
    let mut found = Vec::new();
    identity_numbers(text, &mut found);
    emails(text, &mut found);
    phones(text, &mut found);
    roster_names(text, roster, &mut found);
    found.sort_by_key(|f| (f.start, f.end));
    // A phone-like run inside an identity number is the identity number.
    let mut kept: Vec<Finding> = Vec::new();
    for f in found {
        if kept.last().is_some_and(|k| f.start < k.end) {
            continue;
        }
        kept.push(f);
    }
    kept
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

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// The Luhn check of the last ten digits (YYMMDDNNNC), as the Swedish Tax Agency defines the check digit.
fn luhn_ok(ten: &[u8]) -> bool {
    let sum: u32 = ten
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0') * if i % 2 == 0 { 2 } else { 1 };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    sum % 10 == 0
}

/// A plausible month and day (a samordningsnummer adds 60 to the day).
fn date_ok(mm: &[u8], dd: &[u8]) -> bool {
    let n = |b: &[u8]| u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    let (m, d) = (n(mm), n(dd));
    (1..=12).contains(&m) && ((1..=31).contains(&d) || (61..=91).contains(&d))
}

fn identity_numbers(text: &str, found: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !is_digit(b[i]) || (i > 0 && (is_digit(b[i - 1]) || b[i - 1] == b'-' && i > 1 && is_digit(b[i - 2]))) {
            i += 1;
            continue;
        }
        // A run of digits with at most one separator (- or +) before the last four.
        let start = i;
        let mut digits = Vec::new();
        let mut j = i;
        while j < b.len() && digits.len() < 12 {
            if is_digit(b[j]) {
                digits.push(b[j]);
                j += 1;
            } else if (b[j] == b'-' || b[j] == b'+')
                && (digits.len() == 6 || digits.len() == 8)
                && j + 1 < b.len()
                && is_digit(b[j + 1])
            {
                j += 1;
            } else {
                break;
            }
        }
        let followed_by_digit = j < b.len() && is_digit(b[j]);
        if (digits.len() == 10 || digits.len() == 12) && !followed_by_digit {
            let ten = &digits[digits.len() - 10..];
            if date_ok(&ten[2..4], &ten[4..6]) && luhn_ok(ten) {
                found.push(Finding {
                    kind: PersonalData::IdentityNumber,
                    start,
                    end: j,
                });
                i = j;
                continue;
            }
        }
        i += 1;
    }
}

fn emails(text: &str, found: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-".contains(&c);
    let domain = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && local(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain(b[e]) {
            e += 1;
        }
        while e > at + 1 && b[e - 1] == b'.' {
            e -= 1;
        }
        let host = &text[at + 1..e];
        let tld_ok = host
            .rsplit_once('.')
            .is_some_and(|(name, tld)| !name.is_empty() && tld.len() >= 2);
        if s < at && tld_ok {
            found.push(Finding {
                kind: PersonalData::Email,
                start: s,
                end: e,
            });
        }
    }
}

/// Swedish phone numbers: starting with 0 or +46, 8 to 10 digits in all, written with spaces or hyphens.
fn phones(text: &str, found: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let starts = (b[i] == b'0' || (b[i] == b'+' && text[i..].starts_with("+46")))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-'));
        if !starts {
            i += 1;
            continue;
        }
        let mut digits = 0;
        let mut j = i;
        let mut last_digit = i;
        while j < b.len() {
            if is_digit(b[j]) {
                digits += 1;
                last_digit = j + 1;
                j += 1;
            } else if (b[j] == b' ' || b[j] == b'-' || (b[j] == b'+' && j == i))
                && j + 1 < b.len()
                && is_digit(b[j + 1])
            {
                j += 1;
            } else {
                break;
            }
        }
        let next_alnum = last_digit < b.len() && b[last_digit].is_ascii_alphanumeric();
        let international = text[i..].starts_with("+46");
        let needed = if international { 10..=12 } else { 8..=10 };
        // A domestic number starts with an area code of at least two digits (08, 013, 070, 0470) that is not the
        // international prefix 00: this keeps coordinates such as `0 0 1920 1080` out.
        let first_group = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let area_ok = international || (first_group >= 2 && b[i + 1] != b'0');
        if needed.contains(&digits) && !next_alnum && area_ok {
            found.push(Finding {
                kind: PersonalData::Phone,
                start: i,
                end: last_digit,
            });
            i = last_digit;
        } else {
            i += 1;
        }
    }
}

fn roster_names(text: &str, roster: &[String], found: &mut Vec<Finding>) {
    let lower = text.to_lowercase();
    // Lower-casing keeps byte offsets only where it keeps lengths; otherwise fall back to exact matching.
    let haystack = if lower.len() == text.len() {
        lower.as_str()
    } else {
        text
    };
    for name in roster.iter().map(|n| n.trim()).filter(|n| n.chars().count() >= 2) {
        let needle = if haystack.len() == text.len() && lower.len() == text.len() {
            name.to_lowercase()
        } else {
            name.to_string()
        };
        for (s, m) in haystack.match_indices(needle.as_str()) {
            let e = s + m.len();
            let before = text[..s].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after = text[e..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            if before && after {
                found.push(Finding {
                    kind: PersonalData::RosterName,
                    start: s,
                    end: e,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[(PersonalData, &str)]) {
        let roster = vec!["Anna Lind".to_string(), "Örjan".to_string()];
        let got: Vec<(PersonalData, &str)> = find_personal_data(text, &roster)
            .iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect();
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn finds_identity_numbers_with_valid_check_digits() {
        // 811218-9876 is the Swedish Tax Agency's own example of a valid personnummer; the last digit is Luhn's.
        check(
            "Mitt nummer är 811218-9876.",
            &[(PersonalData::IdentityNumber, "811218-9876")],
        );
        check("19811218-9876", &[(PersonalData::IdentityNumber, "19811218-9876")]);
        check("8112189876", &[(PersonalData::IdentityNumber, "8112189876")]);
        check(
            "811218+9876 (över hundra år)",
            &[(PersonalData::IdentityNumber, "811218+9876")],
        );
        // Samordningsnummer: day + 60 (811278-9873 has a valid check digit).
        check("811278-9873", &[(PersonalData::IdentityNumber, "811278-9873")]);
        // A wrong check digit, an impossible month, or a longer number are not identity numbers.
        check("811218-9875", &[]);
        check("811318-9876", &[]);
        check("12811218-98765", &[]);
    }

    #[test]
    fn finds_emails_and_phones_but_not_dates_or_codes() {
        check(
            "Skriv till anna.lind@motala.se.",
            &[(PersonalData::Email, "anna.lind@motala.se")],
        );
        check(
            "Ring 070-123 45 67 eller 013-20 60 00",
            &[
                (PersonalData::Phone, "070-123 45 67"),
                (PersonalData::Phone, "013-20 60 00"),
            ],
        );
        check("+46 70 123 45 67", &[(PersonalData::Phone, "+46 70 123 45 67")]);
        check("0701234567", &[(PersonalData::Phone, "0701234567")]);
        // Dates, kommunkoder, participant ids and offsets are not phone numbers.
        check("2018-03-14, 0583, P0583-01, 0580-I01, 0,6", &[]);
        check("kostar 0 kronor", &[]);
        check("viewBox=\"0 0 1920 1080\"", &[]);
        check("00 46 70 123 45 67", &[]);
    }

    #[test]
    fn finds_roster_names_as_whole_words_and_masks() {
        check("Som Anna Lind sa på mötet", &[(PersonalData::RosterName, "Anna Lind")]);
        check("örjan höll med", &[(PersonalData::RosterName, "örjan")]);
        check("Annalind och Örjansson", &[]);
        let text = "Anna Lind, 811218-9876";
        let f = find_personal_data(text, &["Anna Lind".into()]);
        assert_eq!(
            mask_personal_data(text, &f, |k| format!("[{}]", k.as_str())),
            "[name from the roster], [personal identity number]"
        );
    }
}
