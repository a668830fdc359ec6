//! Reports: finding citation markers and quotations, with exact spans, in
//! Markdown (pandoc citations), Typst, LaTeX and plain text with numbered
//! markers (DESIGN §4). This module only reads the report; `check` decides
//! what the markers and quotations mean.

mod latex;
mod markdown;
mod markers;
mod quotes;

use std::path::Path;

pub use markers::numbered_refs;

/// A byte range in the report's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Syntax {
    /// Markdown with pandoc citations (`[@key]`).
    Markdown,
    /// Typst (`@key`, `#cite(<key>)`).
    Typst,
    /// LaTeX (`\cite{key}`).
    Latex,
    /// Plain text with numbered markers (`[12]`).
    Plain,
}

impl Syntax {
    /// The syntax a file name implies.
    pub fn of(path: &Path) -> Syntax {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("md" | "markdown" | "qmd" | "rmd") => Syntax::Markdown,
            Some("typ") => Syntax::Typst,
            Some("tex" | "ltx") => Syntax::Latex,
            _ => Syntax::Plain,
        }
    }
}

/// Where a marker points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A citation key.
    Key(String),
    /// A reference number (plain text), resolved through `REPORT.refs`.
    Number(u32),
}

/// One citation in a marker (`[@a; @b, p. 3]` holds two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    /// What it cites.
    pub target: Target,
    /// The key's (or number's) own span.
    pub span: Span,
    /// A locator such as `p. 12`, if given.
    pub locator: Option<String>,
    /// How it reads in the text.
    pub form: Form,
}

/// How a citation reads in the text: pandoc's `@key` and `[-@key]`, LaTeX's
/// `\textcite`, `\citeyear` and `\citeauthor`, Typst's `form:`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// As the style cites: `(Darwin, 1859)`, `[1]`.
    #[default]
    Normal,
    /// Part of the sentence: `Darwin (1859)`.
    Prose,
    /// The year alone: `1859`.
    Year,
    /// The citation without its author, who is named in the text: `(1859,
    /// p. 12)` (pandoc's `[-@key]`).
    SuppressAuthor,
    /// The author alone.
    Author,
    /// In the bibliography, not in the text (`\nocite`).
    Hidden,
}

/// A marker as written: one or more citations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The whole marker.
    pub span: Span,
    /// Its citations.
    pub cites: Vec<Cite>,
}

/// A quotation as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The quoted text, marks excluded.
    pub text: String,
    /// The whole quotation, marks included.
    pub span: Span,
    /// The marker it is attributed to (index into `markers`), if any.
    pub marker: Option<usize>,
}

/// A parsed report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The text.
    pub text: String,
    /// Its syntax.
    pub syntax: Syntax,
    /// Markers in order.
    pub markers: Vec<Marker>,
    /// Quotations of three words or more, in order.
    pub quotes: Vec<Quote>,
    /// The text with what is not prose (code, math, link targets, raw
    /// markup) blanked, byte for byte.
    pub prose: String,
    lines: crate::findings::LineIndex,
}

impl Report {
    /// Parses a report's text.
    pub fn parse(text: String, syntax: Syntax) -> Report {
        let (markers, masked) = markers::find(&text, syntax);
        let mut quotes = quotes::find(&masked, syntax);
        quotes::attribute(&masked, &mut quotes, &markers);
        let lines = crate::findings::LineIndex::new(&text);
        Report { text, syntax, markers, quotes, prose: masked, lines }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        self.lines.position(&self.text, offset)
    }
}

/// Each citation of `markers` as (key or number, form, locator): what the
/// scanners' tests compare.
#[cfg(test)]
fn written(markers: Vec<Marker>) -> Vec<(String, Form, Option<String>)> {
    markers
        .into_iter()
        .flat_map(|m| m.cites)
        .map(|c| match c.target {
            Target::Key(k) => (k, c.form, c.locator),
            Target::Number(n) => (n.to_string(), c.form, c.locator),
        })
        .collect()
}
