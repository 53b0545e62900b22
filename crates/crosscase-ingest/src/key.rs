//! The pseudonymisation key: 32 random bytes, kept as 64 hexadecimal digits in a file outside the database, so that
//! the same key gives the same pseudonyms in every import.

use std::path::{Path, PathBuf};

/// A key read from its file, or made and written there because the file did not exist.
#[derive(Debug)]
pub struct PseudonymKey {
    pub bytes: Vec<u8>,
    /// Whether this call made the key (and wrote its file).
    pub created: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read {}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error(
        "{} is not a crosscase key (64 hexadecimal digits); give the key file that made the earlier pseudonyms",
        path.display()
    )]
    NotAKey { path: PathBuf },
    #[error("cannot read random bytes for a new key")]
    Random { source: std::io::Error },
    #[error("cannot write {}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Lower-case hexadecimal digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the key in `path`; when there is no such file, makes a key from the operating system's random bytes and
/// writes it there.
pub fn load_or_create_key(path: &Path) -> Result<PseudonymKey, KeyError> {
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = text.trim();
        let bytes: Option<Vec<u8>> = (text.len() == 64 && text.is_ascii())
            .then(|| {
                (0..32)
                    .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
                    .collect()
            })
            .flatten();
        let bytes = bytes.ok_or_else(|| KeyError::NotAKey {
            path: path.to_path_buf(),
        })?;
        return Ok(PseudonymKey { bytes, created: false });
    }
    let mut bytes = vec![0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|source| KeyError::Random { source })?;
    // A new file only, readable by its owner alone: two first imports at once must not replace each other's key.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, (hex(&bytes) + "\n").as_bytes()));
    match written {
        Ok(()) => Ok(PseudonymKey { bytes, created: true }),
        // Another import made it first: use that one.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_key(path),
        Err(source) => Err(KeyError::Write {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_read_back_and_anything_else_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("roster.key");
        let made = load_or_create_key(&path).unwrap();
        assert!(made.created && made.bytes.len() == 32);
        let read = load_or_create_key(&path).unwrap();
        assert!(!read.created);
        assert_eq!(read.bytes, made.bytes);
        std::fs::write(&path, "not a key\n").unwrap();
        assert!(matches!(load_or_create_key(&path), Err(KeyError::NotAKey { .. })));
    }
}
