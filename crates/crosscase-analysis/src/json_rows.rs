//! Result rows read back from JSON lines, as a run's rows are stored, with every number as the command wrote it.

use serde_json::{Map, Value};

/// The rows of `json_lines`, one JSON object per line, in order; an error when a line is not one.
pub fn rows_from_json_lines(json_lines: &str) -> Result<Vec<Map<String, Value>>, serde_json::Error> {
    json_lines
        .lines()
        .map(|line| match exact_row(line) {
            Some(row) => Ok(row),
            None => serde_json::from_str::<Map<String, Value>>(line),
        })
        .collect()
}

/// A row as serde_json wrote it, with its floats read by the standard library, which rounds correctly: serde_json's
/// own float parser (without its `float_roundtrip` feature, which would rebuild polars) can be one bit off, and the
/// CSV and Parquet of a run must hold the values the command wrote (floats inside arrays, which no run has, are
/// still read by serde_json). `None` for anything but an object written without white space.
fn exact_row(line: &str) -> Option<Map<String, Value>> {
    let b = line.as_bytes();
    let mut row = Map::new();
    let mut at = 1;
    if b.first() != Some(&b'{') {
        return None;
    }
    if line == "{}" {
        return Some(row);
    }
    loop {
        let end = literal_end(b, at)?;
        let key: String = serde_json::from_str(&line[at..end]).ok()?;
        if b.get(end) != Some(&b':') {
            return None;
        }
        let start = end + 1;
        let end = literal_end(b, start)?;
        let literal = &line[start..end];
        let value = match literal.as_bytes()[0] {
            b'-' | b'0'..=b'9' if literal.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')) => {
                Value::from(literal.parse::<f64>().ok()?)
            }
            _ => serde_json::from_str(literal).ok()?,
        };
        row.insert(key, value);
        match b.get(end) {
            Some(b',') => at = end + 1,
            Some(b'}') if end + 1 == b.len() => return Some(row),
            _ => return None,
        }
    }
}

/// Where the JSON value starting at `at` ends: a string, an array or object, or a bare word or number.
fn literal_end(b: &[u8], at: usize) -> Option<usize> {
    let (mut depth, mut i, mut in_string) = (0usize, at, false);
    while i < b.len() {
        match (in_string, b[i]) {
            (true, b'\\') => i += 1,
            (true, b'"') => {
                in_string = false;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            (true, _) => {}
            (false, b'"') => in_string = true,
            (false, b'[' | b'{') => depth += 1,
            (false, b']' | b'}') if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            (false, b',' | b'}') if depth == 0 => return (i > at).then_some(i),
            _ => {}
        }
        i += 1;
    }
    (!in_string && depth == 0 && i > at).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Floats come back bit for bit as Rust printed them, whatever serde_json's own parser would round them to;
    /// anything else (strings with escapes, arrays, nulls, nested objects, white space) as serde_json reads it.
    #[test]
    fn rows_come_back_as_written() {
        let values = [
            0.1,
            1.0 / 3.0,
            2.0f64.sqrt(),
            1e-300,
            123456.789e10,
            -0.000_012_5,
            0.30000000000000004,
        ];
        for v in values {
            let line = serde_json::json!({"kind": "x", "p": v, "n": 3}).to_string();
            let rows = rows_from_json_lines(&line).unwrap();
            assert_eq!(rows[0]["p"].as_f64().unwrap().to_bits(), v.to_bits(), "{line}");
            assert_eq!(rows[0]["n"], 3);
        }
        let cases = [
            r#"{"a":"x,\"}y","b":[1,2,3],"c":null,"d":{"e":[1.5]}}"#,
            r#"{ "spaced": 1 }"#,
            "{}",
        ];
        for line in cases {
            let expected: Map<String, Value> = serde_json::from_str(line).unwrap();
            assert_eq!(rows_from_json_lines(line).unwrap(), [expected], "{line}");
        }
        assert!(rows_from_json_lines("{\"a\":1}\n[1]").is_err());
    }
}
