//! Problems in a user's files, placed at file, line and column.

use std::fmt;
use std::path::PathBuf;

/// One problem in one input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u64,
    /// 1-based column (field number in a CSV file, character in TOML), when known.
    pub column: Option<u64>,
    /// The CSV column or TOML key the problem is in.
    pub field: Option<String>,
    pub message: String,
    pub help: String,
}

impl Diagnostic {
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            line: 0,
            column: None,
            field: None,
            message: message.into(),
            help: help.into(),
        }
    }

    pub fn at(mut self, line: u64, column: Option<u64>) -> Diagnostic {
        self.line = line;
        self.column = column;
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Diagnostic {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        write!(f, ": {}", tame(&self.message))?;
        if !self.help.is_empty() {
            write!(f, "\n  help: {}", tame(&self.help))?;
        }
        Ok(())
    }
}

/// Every problem found in a project; returned instead of a project when there is at least one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{} found", if n == 1 { "" } else { "s" })
    }
}

/// A name shown in a message: control characters escaped and anything beyond 80 characters cut, so that a hostile
/// name cannot fill the terminal or move its cursor.
pub fn shorten(name: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == MAX {
            out.push_str(&format!("… ({} characters)", name.chars().count()));
            break;
        }
        if is_hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that would move the cursor, change colours (ANSI escapes start with one) or reverse the text a message
/// is read in, rather than show.
fn is_hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A message as printed: every name between backticks shortened (a hostile file can make one a megabyte long), and
/// hidden characters escaped everywhere but in the line breaks the message itself is laid out with.
pub(crate) fn tame(message: &str) -> String {
    if message.len() < 200 && !message.chars().any(|c| c != '\n' && is_hidden(c)) {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len().min(4096));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&shorten(part));
        } else {
            for c in part.chars() {
                if c != '\n' && is_hidden(c) {
                    out.extend(c.escape_default());
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_hidden_names_are_shortened_and_escaped() {
        let long = "x".repeat(1_000_000);
        let d = Diagnostic::file("a.csv", format!("source `{long}` is unknown"), "fix `\u{1b}[31mred`");
        let shown = d.to_string();
        assert!(shown.len() < 300, "{}", shown.len());
        assert!(shown.contains("… (1000000 characters)`"), "{shown}");
        assert!(shown.contains("`\\u{1b}[31mred`"), "{shown}");
        assert!(!shown.contains('\u{1b}'));
        assert_eq!(tame("line one\n  line two"), "line one\n  line two");
    }
}
