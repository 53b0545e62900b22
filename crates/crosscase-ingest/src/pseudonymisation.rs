//! A roster and its key together, as `ingest` and `import` pseudonymise with them: the pseudonymiser they make, and
//! what the stored import says of them (identified together without revealing either).

use std::path::{Path, PathBuf};

use crosscase_model::{InputFile, Roster};

use crate::diagnostic::Diagnostics;
use crate::key::{KeyError, hex, load_or_create_key};
use crate::pseudonymise::{Pseudonymiser, hmac_sha256};
use crate::roster::read_roster;

/// A roster read and its key read (or made).
#[derive(Debug)]
pub struct Pseudonymisation {
    pub roster: Roster,
    key: Vec<u8>,
    /// Whether the key file was made by [`Pseudonymisation::load`].
    pub key_created: bool,
    /// Identifies roster and key together without revealing either.
    fingerprint: String,
    roster_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PseudonymisationError {
    /// The roster has problems; each names its line.
    #[error("{} has problems", path.display())]
    Roster { path: PathBuf, problems: Diagnostics },
    #[error("cannot read {}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl Pseudonymisation {
    /// Reads the roster and the key; a missing key file is made with 32 random bytes.
    pub fn load(roster_path: &Path, key_path: &Path) -> Result<Pseudonymisation, PseudonymisationError> {
        let roster = read_roster(roster_path).map_err(|problems| PseudonymisationError::Roster {
            path: roster_path.to_path_buf(),
            problems,
        })?;
        let bytes = std::fs::read(roster_path).map_err(|source| PseudonymisationError::Read {
            path: roster_path.to_path_buf(),
            source,
        })?;
        let key = load_or_create_key(key_path)?;
        let fingerprint = hex(&hmac_sha256(&key.bytes, &bytes));
        Ok(Pseudonymisation {
            roster,
            key: key.bytes,
            key_created: key.created,
            fingerprint,
            roster_bytes: bytes.len() as u64,
        })
    }

    /// A pseudonymiser with this roster and key.
    pub fn pseudonymiser(&self) -> Pseudonymiser {
        Pseudonymiser::new(&self.key, &self.roster)
    }

    /// What an import pseudonymised with these stores of its input: the roster as one more input file (named
    /// `(roster)`, with the fingerprint for its hash, never its path or content), and the content hash of the input
    /// turned by the fingerprint, since another roster or key stores other data and the import is then not
    /// "unchanged".
    pub fn mark_input(&self, files: &mut Vec<InputFile>, content_hash: &str) -> String {
        files.push(InputFile {
            path: "(roster)".into(),
            sha256: self.fingerprint.clone(),
            bytes: self.roster_bytes,
        });
        hex(&hmac_sha256(content_hash.as_bytes(), self.fingerprint.as_bytes()))
    }
}
