//! A coded project as QDA tools exchange it (REFI-QDA files, QualCoder databases), before it is placed into a
//! crosscase [`crate::Project`].
//!
//! Positions are kept exactly as the file wrote them ([`QdaSelection::start`], [`QdaSelection::end`]); which unit
//! they count in is decided later, per source, from the producing tool and from the text itself.

use std::fmt;

/// What a tool counted when it wrote a selection's positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OffsetUnit {
    /// Unicode code points, as the REFI-QDA standard says (MAXQDA, crosscase).
    CodePoints,
    /// UTF-16 code units: a character outside the Basic Multilingual Plane counts twice (NVivo for Windows, Qt and
    /// so QualCoder).
    Utf16,
    /// Code points, but a CRLF line break counts as one (ATLAS.ti).
    CodePointsCrlfAsOne,
    /// Bytes of the UTF-8 text (Taguette).
    Utf8Bytes,
}

impl OffsetUnit {
    pub const ALL: [OffsetUnit; 4] = [
        OffsetUnit::CodePoints,
        OffsetUnit::Utf16,
        OffsetUnit::CodePointsCrlfAsOne,
        OffsetUnit::Utf8Bytes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OffsetUnit::CodePoints => "code points",
            OffsetUnit::Utf16 => "UTF-16 units",
            OffsetUnit::CodePointsCrlfAsOne => "code points with CRLF as one",
            OffsetUnit::Utf8Bytes => "UTF-8 bytes",
        }
    }
}

impl fmt::Display for OffsetUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whole exchange file, or the codebook of one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QdaProject {
    /// The file it was read from, for messages.
    pub file: String,
    pub name: String,
    /// The producing tool and version, e.g. "NVivo for Windows 12.6" (`Project/@origin`).
    pub origin: String,
    pub description: Option<String>,
    /// The unit the positions are known to count in (a QualCoder database); `None`: decide from origin and text.
    pub offset_unit: Option<OffsetUnit>,
    pub users: Vec<QdaUser>,
    /// In document order; parents before their children.
    pub codes: Vec<QdaCode>,
    pub sources: Vec<QdaSource>,
    pub cases: Vec<QdaCase>,
    pub sets: Vec<QdaSet>,
    /// Sources that carry no text crosscase can read (pictures, audio, video, PDF without a text representation).
    pub skipped_sources: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaUser {
    pub guid: String,
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaCode {
    pub guid: String,
    pub name: String,
    pub parent: Option<String>,
    /// `false` for folders and categories that only hold other codes.
    pub codable: bool,
    pub colour: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaSource {
    pub guid: String,
    pub name: String,
    /// Where the text came from (an archive entry, a file, `PlainTextContent`), for messages.
    pub text_origin: String,
    /// The text without a byte-order mark.
    pub text: String,
    pub description: Option<String>,
    pub creating_user: Option<String>,
    /// Variable name → value, given on the source itself.
    pub variables: Vec<(String, String)>,
    pub selections: Vec<QdaSelection>,
    /// Codings of the whole document.
    pub whole: Vec<QdaCoding>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaSelection {
    pub guid: String,
    pub start: i64,
    pub end: i64,
    pub creating_user: Option<String>,
    pub codings: Vec<QdaCoding>,
    pub memo: Option<String>,
    /// The text the tool itself stored for the selection (QualCoder's `seltext`), when it did.
    pub quote: Option<String>,
    /// 1-based line in the XML file (0 for a database row), for messages.
    pub line: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaCoding {
    /// The code's guid.
    pub code: String,
    /// A user's guid, or a coder's name where the tool keeps no users (QualCoder).
    pub user: Option<String>,
    pub memo: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QdaCase {
    pub guid: String,
    pub name: Option<String>,
    pub variables: Vec<(String, String)>,
    /// Guids of sources the case holds as a whole.
    pub sources: Vec<String>,
    /// Guids of selections the case holds.
    pub selections: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QdaSet {
    pub name: String,
    pub sources: Vec<String>,
}
