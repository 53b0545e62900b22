//! Reading a `.qdpx` archive as untrusted input: every entry name is checked before anything is read, and only the
//! entries the project needs are decompressed, under caps on count, size and compression ratio. Nothing is written
//! to disk.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::Diagnostic;

/// More entries than any real project has sources.
pub const MAX_ENTRIES: usize = 100_000;
/// All entries crosscase reads from one archive together (the project XML and the plain texts).
pub const MAX_TOTAL_BYTES: u64 = 1 << 30;
/// An entry that expands more than this many times its compressed size, beyond [`RATIO_FLOOR`] bytes, is a bomb;
/// text compresses three to ten times.
pub const MAX_RATIO: u64 = 200;
const RATIO_FLOOR: u64 = 1 << 20;

pub(crate) struct Archive {
    file: String,
    zip: zip::ZipArchive<BufReader<File>>,
    /// Lower-case name with `/` separators → entry index and original name.
    by_name: HashMap<String, (usize, String)>,
    read_so_far: u64,
}

fn hostile(file: &str, message: String) -> Diagnostic {
    Diagnostic::file(
        file,
        message,
        "crosscase refuses the whole archive; a QDA tool does not write this, so ask for a fresh export of the project",
    )
}

impl Archive {
    pub fn open(path: &Path) -> Result<Archive, Diagnostic> {
        let file = path.display().to_string();
        let f = File::open(path).map_err(|e| Diagnostic::file(&file, format!("cannot open the file: {e}"), ""))?;
        let zip = zip::ZipArchive::new(BufReader::new(f)).map_err(|e| {
            Diagnostic::file(
                &file,
                format!("this is not a readable .qdpx (zip) archive: {e}"),
                "a .qdpx is a zip file; export the project again, or check that the copy is complete",
            )
        })?;
        if zip.len() > MAX_ENTRIES {
            return Err(hostile(
                &file,
                format!(
                    "the archive holds {} entries, more than the {MAX_ENTRIES} crosscase reads",
                    zip.len()
                ),
            ));
        }
        let mut by_name = HashMap::new();
        for i in 0..zip.len() {
            let raw = zip.name_for_index(i).and_then(Result::ok).map(|n| n.into_owned());
            let Some(name) = raw else {
                return Err(hostile(&file, format!("entry {i} of the archive has no readable name")));
            };
            let normal = name.replace('\\', "/");
            let escapes = normal.starts_with('/')
                || normal.as_bytes().get(1) == Some(&b':')
                || normal.split('/').any(|part| part == "..")
                || normal.contains('\0');
            if escapes {
                return Err(hostile(
                    &file,
                    format!("the archive entry `{name}` points outside the archive (an absolute path or `..`)"),
                ));
            }
            by_name.insert(normal.to_lowercase(), (i, name));
        }
        Ok(Archive {
            file,
            zip,
            by_name,
            read_so_far: 0,
        })
    }

    /// Entry names, as the archive spells them.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.values().map(|(_, n)| n.as_str())
    }

    /// The entry's name as the archive spells it, found ignoring case and separator style.
    pub fn find(&self, name: &str) -> Option<&str> {
        self.by_name
            .get(&name.replace('\\', "/").to_lowercase())
            .map(|(_, n)| n.as_str())
    }

    /// Decompresses one entry, checking the caps as the bytes come.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, Diagnostic> {
        let key = name.replace('\\', "/").to_lowercase();
        let Some((index, name)) = self.by_name.get(&key).cloned() else {
            return Err(Diagnostic::file(
                &self.file,
                format!("the archive has no entry `{name}`"),
                "export the project again with its sources",
            ));
        };
        let file = self.file.clone();
        let mut entry = self.zip.by_index(index).map_err(|e| {
            Diagnostic::file(
                &file,
                format!("cannot read the archive entry `{name}`: {e}"),
                "export the project again",
            )
        })?;
        let compressed = entry.compressed_size().max(1);
        let mut out = Vec::with_capacity(entry.size().min(64 << 20) as usize);
        let mut chunk = vec![0u8; 64 << 10];
        loop {
            let n = entry.read(&mut chunk).map_err(|e| {
                Diagnostic::file(
                    &file,
                    format!("cannot decompress the archive entry `{name}`: {e}"),
                    "the archive is damaged or cut short; export the project again",
                )
            })?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
            let total = self.read_so_far + out.len() as u64;
            if total > MAX_TOTAL_BYTES {
                return Err(hostile(
                    &file,
                    format!(
                        "the archive expands to more than {} MiB of project and text files (at `{name}`)",
                        MAX_TOTAL_BYTES >> 20
                    ),
                ));
            }
            let size = out.len() as u64;
            if size > RATIO_FLOOR && size > MAX_RATIO * compressed {
                return Err(hostile(
                    &file,
                    format!(
                        "the archive entry `{name}` expands more than {MAX_RATIO} times its compressed size of {compressed} bytes (a zip bomb)"
                    ),
                ));
            }
        }
        self.read_so_far += out.len() as u64;
        Ok(out)
    }
}
