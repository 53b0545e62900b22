//! Decoding of text files as users' tools write them: UTF-8 with or without BOM; UTF-16 and Latin-1 are recognised and refused with a fix.

use std::path::Path;

use crate::diagnostic::Diagnostic;

/// Decodes a file's bytes as UTF-8, dropping a leading BOM, or says which encoding it has and how to re-save it.
pub(crate) fn decode_utf8(path: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let start = check_utf8(path, &bytes)?;
    // Checking with SIMD and copying the checked text is several times faster than the standard library's check for
    // text with many non-ASCII letters (measured: 0.29 s of CPU for a project of 244 MB).
    Ok(simdutf8::basic::from_utf8(&bytes[start..])
        .unwrap_or_default()
        .to_owned())
}

/// Checks that a file's bytes are UTF-8 and returns where the text starts (after a BOM), or says which encoding the
/// file has and how to re-save it. The standard library's check, which says where the text goes wrong, runs only on a
/// file that is not UTF-8.
pub(crate) fn check_utf8(path: &Path, bytes: &[u8]) -> Result<usize, Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || looks_like_utf16(bytes) {
        return Err(Diagnostic::file(
            path,
            "the file is UTF-16 (Excel's \"Unicode text\"), not UTF-8",
            "save it again as \"CSV UTF-8 (comma delimited)\" or plain UTF-8 text",
        ));
    }
    let start = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    let raw = &bytes[start..];
    if simdutf8::basic::from_utf8(raw).is_ok() {
        return Ok(start);
    }
    let at = std::str::from_utf8(raw).map_or_else(|e| e.valid_up_to(), |_| raw.len());
    let line = raw[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let column = raw[..at].iter().rev().take_while(|&&b| b != b'\n').count() as u64 + 1;
    let byte = raw.get(at).copied().unwrap_or(0);
    let guess = match byte {
        0xE5 => " (å in Latin-1)",
        0xE4 => " (ä in Latin-1)",
        0xF6 => " (ö in Latin-1)",
        0xC5 => " (Å in Latin-1)",
        0xC4 => " (Ä in Latin-1)",
        0xD6 => " (Ö in Latin-1)",
        0xE9 => " (é in Latin-1)",
        _ => "",
    };
    Err(Diagnostic::file(
        path,
        format!("the file is not UTF-8: byte 0x{byte:02X}{guess} cannot be read"),
        "it was probably saved as Latin-1 / Windows-1252 (Excel's plain \"CSV\"); save it again as \"CSV UTF-8 (comma delimited)\"",
    )
    .at(line, Some(column)))
}

/// UTF-16 without a BOM shows as a NUL byte every second byte in mostly-ASCII text.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64)];
    head.len() >= 4 && head.iter().filter(|&&b| b == 0).count() * 3 >= head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], expected: Result<&str, &str>) {
        let got = decode_utf8(Path::new("f.csv"), bytes.to_vec()).map_err(|d| d.to_string());
        match expected {
            Ok(text) => assert_eq!(got.as_deref(), Ok(text)),
            Err(needle) => {
                let msg = got.expect_err("expected an error");
                assert!(msg.contains(needle), "{msg}");
            }
        }
    }

    #[test]
    fn decodes_and_refuses() {
        check(b"a,b\n", Ok("a,b\n"));
        check(b"\xEF\xBB\xBFa,b\n", Ok("a,b\n"));
        check("Tranås".as_bytes(), Ok("Tranås"));
        check(
            b"a,b\nTran\xE5s\n",
            Err("f.csv:2:5: the file is not UTF-8: byte 0xE5 (å in Latin-1)"),
        );
        check(b"\xFF\xFEa\0,\0b\0", Err("UTF-16"));
        check(b"a\0,\0b\0\n\0c\0", Err("UTF-16"));
    }
}
