//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz), one per parser
//! of untrusted input. The corpus each target builds is replayed through the
//! same functions by an ordinary test (`tests/fuzz_corpus.rs`), so CI checks
//! every input that ever mattered on stable Rust. Each takes any bytes and
//! must return, not panic.

use crate::library::import::{self, Source};
use crate::report::{Report, Syntax};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// The references YAML: our outline, then hayagriva, as `Library::load` reads a file.
pub fn references_yaml(data: &[u8]) {
    let t = text(data);
    if crate::library::outline::outline(&t).is_ok() {
        let _ = hayagriva::io::from_yaml_str(&t);
    }
}

/// BibTeX/BibLaTeX import.
pub fn bibtex(data: &[u8]) {
    let _ = import::read(Source::Bibtex, &text(data), "fuzz.bib");
}

/// CSL-JSON import.
pub fn csl_json(data: &[u8]) {
    let _ = import::read(Source::CslJson, &text(data), "fuzz.json");
}

/// RIS import.
pub fn ris(data: &[u8]) {
    let _ = import::read(Source::Ris, &text(data), "fuzz.ris");
}

/// Markers and quotations in each report syntax (the first byte picks it).
pub fn report(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else { return };
    let syntax = [Syntax::Markdown, Syntax::Typst, Syntax::Latex, Syntax::Plain][usize::from(first % 4)];
    let r = Report::parse(text(rest), syntax);
    for m in &r.markers {
        let _ = r.position(m.span.start);
    }
}

/// HTML: decoding, text extraction and metadata.
pub fn html(data: &[u8]) {
    let _ = crate::text::extract(data, "text/html");
    let _ = crate::text::html::metadata(&crate::text::html::decode(data, "text/html"));
}

/// Capture logs, the manifest and `citelock.toml`.
pub fn archive_files(data: &[u8]) {
    let t = text(data);
    let _ = crate::archive::capture::parse_log(&t, "fuzz.yml");
    let _ = crate::archive::manifest::parse(&t);
    let _ = crate::config::Config::parse(&t, "citelock.toml");
}

/// WARC files.
pub fn warc(data: &[u8]) {
    if let Ok(records) = crate::archive::warc::read(data) {
        let _ = crate::archive::warc::pages(&records);
    }
}

/// `Retry-After` values, durations and the key-to-file-name mapping.
pub fn small_values(data: &[u8]) {
    let t = text(data);
    let _ = crate::links::retry_after(&t, jiff::Timestamp::UNIX_EPOCH);
    let _ = crate::config::parse_duration(&t);
    let name = crate::archive::capture::file_key(&t);
    assert!(!name.contains('/') && !name.starts_with('.'), "a key maps to one safe file name: {name:?}");
}

/// A target's entry point.
pub type Target = fn(&[u8]);

/// Every target, by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("references_yaml", references_yaml),
    ("bibtex", bibtex),
    ("csl_json", csl_json),
    ("ris", ris),
    ("report", report),
    ("html", html),
    ("archive_files", archive_files),
    ("warc", warc),
    ("small_values", small_values),
];
