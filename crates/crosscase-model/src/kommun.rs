//! The register of Sweden's 290 municipalities (kommuner), embedded from `data/reference/kommuner.csv`.

use std::collections::HashMap;

/// The reference list, CC0; provenance in `data/reference/README.md`.
const KOMMUNER_CSV: &str = include_str!("../../../data/reference/kommuner.csv");

/// One Swedish municipality as Statistics Sweden lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kommun {
    /// Four-digit kommunkod, e.g. `0583`.
    pub code: String,
    /// Short name, e.g. `Motala`.
    pub name: String,
    /// Full name, e.g. `Motala kommun`.
    pub full_name: String,
    /// County (län), e.g. `Östergötlands län`.
    pub county: String,
}

/// Lookup of kommunkoder and names.
#[derive(Clone, Debug)]
pub struct KommunRegister {
    kommuner: Vec<Kommun>,
    by_code: HashMap<String, usize>,
}

impl KommunRegister {
    /// The embedded register of the 290 Swedish municipalities.
    pub fn sweden() -> KommunRegister {
        let kommuner: Vec<Kommun> = KOMMUNER_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                // The reference file has no quoted fields; this is checked by a test.
                let f: Vec<&str> = line.split(',').collect();
                Kommun {
                    code: f[0].to_string(),
                    name: f[1].to_string(),
                    full_name: f[2].to_string(),
                    county: f[4].to_string(),
                }
            })
            .collect();
        let by_code = kommuner.iter().enumerate().map(|(i, k)| (k.code.clone(), i)).collect();
        KommunRegister { kommuner, by_code }
    }

    pub fn get(&self, code: &str) -> Option<&Kommun> {
        self.by_code.get(code).map(|&i| &self.kommuner[i])
    }

    pub fn all(&self) -> &[Kommun] {
        &self.kommuner
    }

    /// The municipality whose name or full name is `name`, ignoring case.
    pub fn find_by_name(&self, name: &str) -> Option<&Kommun> {
        let name = name.trim().to_lowercase();
        self.kommuner
            .iter()
            .find(|k| k.name.to_lowercase() == name || k.full_name.to_lowercase() == name)
    }

    /// A hint for a code that is not in the register: the commonest cause is a spreadsheet dropping the leading zero.
    pub fn hint_for_unknown(&self, code: &str) -> String {
        let trimmed = code.trim();
        if trimmed.len() == 3 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            let padded = format!("0{trimmed}");
            if let Some(k) = self.get(&padded) {
                return format!(
                    "did you mean `{padded}` ({})? Spreadsheets drop the leading zero; format the column as text",
                    k.name
                );
            }
        }
        if let Some(k) = self.find_by_name(trimmed) {
            return format!("`{trimmed}` is a name; its kommunkod is `{}`", k.code);
        }
        "use the four-digit kommunkod from Statistics Sweden (see data/reference/kommuner.csv), or set `free_site_ids = true` in project.toml for sites that are not Swedish municipalities".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_has_290_municipalities_with_four_digit_codes() {
        let r = KommunRegister::sweden();
        assert_eq!(r.all().len(), 290);
        assert!(
            KOMMUNER_CSV
                .lines()
                .all(|l| !l.contains('"') && l.split(',').count() == 5)
        );
        assert!(r.all().iter().all(|k| k.code.len() == 4));
        assert_eq!(r.get("0583").unwrap().name, "Motala");
        assert_eq!(r.get("0580").unwrap().county, "Östergötlands län");
        assert_eq!(r.find_by_name("norrköpings kommun").unwrap().code, "0581");
    }

    #[test]
    fn hints_for_dropped_leading_zero_and_names() {
        let r = KommunRegister::sweden();
        assert!(r.hint_for_unknown("583").contains("`0583` (Motala)"));
        assert!(r.hint_for_unknown("Tranås").contains("`0687`"));
        assert!(r.hint_for_unknown("9999").contains("free_site_ids"));
    }
}
