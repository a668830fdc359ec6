//! Findings: every problem citelock reports to a user, with a stable code, a
//! severity and a location, and the writers that print them (human, JSON,
//! GitHub annotations, JUnit XML, SARIF, GitLab Code Quality). Modules that find problems build
//! [`Finding`]s; only the writers here decide how they look.

mod codes;
mod read;
mod writers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use codes::Code;
pub use read::from_json;
pub use writers::{Context, Format, escape, markdown, write};

/// How serious a finding is. Only `Error` makes a command exit with 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Informational: something citelock did or noticed, nothing to fix.
    Info,
    /// Worth fixing; does not fail the run.
    Warning,
    /// Fails the run (exit code 1).
    Error,
}

impl Severity {
    /// The lower-case name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A place in a file: 1-based line and column, columns counted in Unicode
/// characters. The end is exclusive (one past the last character), as in SARIF.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Location {
    /// Path relative to the repository root, with `/` separators.
    pub file: String,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column in characters, if known.
    pub column: Option<usize>,
    /// Line of the end of the span.
    pub end_line: Option<usize>,
    /// Column one past the end of the span.
    pub end_column: Option<usize>,
}

impl Location {
    /// A whole file, no position.
    pub fn file(file: impl Into<String>) -> Self {
        Location { file: file.into(), ..Location::default() }
    }

    /// A point in a file.
    pub fn at(file: impl Into<String>, line: usize, column: usize) -> Self {
        Location { file: file.into(), line: Some(line), column: Some(column), ..Location::default() }
    }

    /// Extends a point to a span of `width` characters on the same line.
    pub fn width(mut self, width: usize) -> Self {
        if let (Some(line), Some(column)) = (self.line, self.column) {
            self.end_line = Some(line);
            self.end_column = Some(column + width.max(1));
        }
        self
    }

    /// `file:line:column` as far as known.
    pub fn display(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            (Some(l), None) => format!("{}:{l}", self.file),
            _ => self.file.clone(),
        }
    }
}

/// Another place that explains a finding (the first definition of a duplicate key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub location: Location,
    /// What is there.
    pub message: String,
}

/// One problem, located.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// Level after configuration.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// Where, if anywhere.
    pub location: Option<Location>,
    /// What to do about it.
    pub help: Option<String>,
    /// Other places that explain it.
    pub related: Vec<Related>,
    /// Machine-readable details (URL, keys, field names).
    pub data: Map<String, Value>,
}

impl Finding {
    /// A finding at the code's default level.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.default_severity(),
            message: message.into(),
            location: None,
            help: None,
            related: Vec::new(),
            data: Map::new(),
        }
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a related location.
    pub fn related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related { location, message: message.into() });
        self
    }

    /// Adds one item of machine-readable data.
    pub fn data(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.data.insert(key.to_owned(), value.into());
        self
    }
}

/// The level a user may give a code in `citelock.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Report as an error.
    Error,
    /// Report as a warning.
    Warning,
    /// Report as information.
    Info,
    /// Do not report.
    Off,
}

/// Counts of findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Error-level findings.
    pub errors: usize,
    /// Warning-level findings.
    pub warnings: usize,
    /// Info-level findings.
    pub infos: usize,
}

/// All findings of one run, in the order they were found.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    items: Vec<Finding>,
    levels: BTreeMap<Code, Level>,
}

impl Findings {
    /// An empty set that applies the given level overrides as findings arrive.
    pub fn with_levels(levels: BTreeMap<Code, Level>) -> Self {
        Findings { items: Vec::new(), levels }
    }

    /// Adds one finding, applying the configured level (dropping it if `off`).
    pub fn push(&mut self, mut finding: Finding) {
        match self.levels.get(&finding.code) {
            Some(Level::Off) => return,
            Some(Level::Error) => finding.severity = Severity::Error,
            Some(Level::Warning) => finding.severity = Severity::Warning,
            Some(Level::Info) => finding.severity = Severity::Info,
            None => {}
        }
        self.items.push(finding);
    }

    /// Adds many.
    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for f in findings {
            self.push(f);
        }
    }

    /// The findings so far.
    pub fn items(&self) -> &[Finding] {
        &self.items
    }

    /// Counts by severity.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for f in &self.items {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    /// Whether any finding is at error level.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Turns a path under `root` into the `/`-separated relative form findings use.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

/// Line starts of a text, for many position lookups: each costs a binary
/// search plus the characters of its own line, not a scan from the start.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        LineIndex { starts: std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect() }
    }

    /// Line and column (1-based, columns in characters) of a byte offset in `text`.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, text[start..offset].chars().count() + 1)
    }
}

/// Line and column (1-based, columns in characters) of a byte offset in `text`.
/// Offsets past the end map to the end; offsets inside a character map to it.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_characters_not_bytes() {
        let text = "ab\nçé x\n";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 3), (2, 1));
        // "çé " is 5 bytes; 'x' is the 4th character on line 2.
        assert_eq!(position(text, 8), (2, 4));
        assert_eq!(position(text, 999), (3, 1));
        let index = LineIndex::new(text);
        for offset in [0, 3, 8, 999] {
            assert_eq!(index.position(text, offset), position(text, offset));
        }
    }

    #[test]
    fn levels_override_and_silence() {
        let mut levels = BTreeMap::new();
        levels.insert(Code::UnknownField, Level::Error);
        levels.insert(Code::MissingField, Level::Off);
        let mut f = Findings::with_levels(levels);
        f.push(Finding::new(Code::UnknownField, "x"));
        f.push(Finding::new(Code::MissingField, "y"));
        assert_eq!(f.items().len(), 1);
        assert!(f.has_errors());
    }
}
