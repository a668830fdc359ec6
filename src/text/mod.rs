//! Turning captured bytes into text, and the one normaliser every comparison
//! uses (DESIGN §4): quotations are matched, and `text-sha256` computed, on
//! normalised text only, so a curly quote or a soft hyphen never decides a verdict.

pub mod evidence;
pub mod html;
pub mod numbers;
pub mod pdf;
pub mod quote;

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// The extractors' names and versions, recorded with every capture
/// (`text-extractor`). Bump an extractor's version whenever its output changes.
pub const PLAIN_EXTRACTOR: &str = "citelock-text/1 plain";
/// HTML: version 2 reads tokens instead of a tree (same text, bounded time).
pub const HTML_EXTRACTOR: &str = "citelock-text/2 html";

/// Text extracted from a capture, before normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The text.
    pub text: String,
    /// Which extractor made it (`citelock-text/1 plain`).
    pub extractor: String,
}

/// Extracts text from bytes of a given media type, if citelock can read it
/// in-process (PDF goes through [`pdf::extract`], in a helper process).
/// Plain text is read as UTF-8, or as windows-1252 when it is not UTF-8.
pub fn extract(bytes: &[u8], content_type: &str) -> Option<Extracted> {
    match mime(content_type).as_str() {
        "text/plain" | "text/markdown" | "text/x-tex" | "application/x-tex" => {
            Some(Extracted { text: decode(bytes), extractor: PLAIN_EXTRACTOR.into() })
        }
        "text/html" | "application/xhtml+xml" => {
            Some(Extracted { text: html::text(&html::decode(bytes, content_type)), extractor: HTML_EXTRACTOR.into() })
        }
        _ => None,
    }
}

/// Extracts text from bytes held in memory, PDF included (through a temporary
/// file for the helper process): a live page compared with its snapshot.
pub fn extract_any(bytes: &[u8], content_type: &str) -> Option<Extracted> {
    if !is_pdf(content_type) {
        return extract(bytes, content_type);
    }
    let mut file = tempfile::NamedTempFile::new().ok()?;
    std::io::Write::write_all(&mut file, bytes).ok()?;
    pdf::extract(file.path())
}

/// UTF-8, else windows-1252 (which every byte sequence is).
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The normaliser: a hyphen at a line break joined where the word continues
/// in lower case; NFKC; case folded; quote, apostrophe and dash variants to one
/// form; soft hyphens and zero-width characters removed; whitespace collapsed.
pub fn normalise(text: &str) -> String {
    let joined = join_broken_words(text);
    let mut out = String::with_capacity(joined.len());
    let mut space = false;
    for c in joined.nfkc().flat_map(char::to_lowercase) {
        let c = match c {
            '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => continue,
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{ab}' | '\u{bb}' | '\u{2033}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '\u{2212}' => '-',
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// `exam-\nple` → `example`; `Anglo-\nSaxon` keeps its hyphen (and loses the break).
fn join_broken_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("-\n") {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let after = &after[2..];
        let trimmed = after.trim_start_matches([' ', '\t']);
        let letter_before = before.chars().last().is_some_and(char::is_alphabetic);
        let lower_after = trimmed.chars().next().is_some_and(char::is_lowercase);
        if letter_before && lower_after {
            rest = trimmed;
        } else {
            out.push('-');
            rest = if letter_before { trimmed } else { &rest[i + 1..] };
        }
    }
    out.push_str(rest);
    out
}

/// Where extracted text is cached (outside git): `<cache>/text/<extractor>/<object sha256>.txt`.
fn cache_path(cache: &std::path::Path, sha256: &str, extractor: &str) -> std::path::PathBuf {
    let slug: String = extractor.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    cache.join("text").join(slug).join(format!("{sha256}.txt"))
}

/// Caches extracted text. A cache is a convenience: failing to write it is not an error.
fn cache_put(cache: &std::path::Path, sha256: &str, e: &Extracted) {
    let path = cache_path(cache, sha256, &e.extractor);
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        let _ = crate::atomic::write(&path, e.text.as_bytes());
    }
}

/// Objects larger than this are not read for text: extraction holds the
/// whole document in memory, and a 100 MiB page is not something to quote.
pub const MAX_TEXT_INPUT: u64 = 16 * 1024 * 1024;

/// The text of an object: from the cache, else extracted again (and cached).
/// `None` when its type has no extractor or it is over [`MAX_TEXT_INPUT`].
pub fn text_of(
    cache: &std::path::Path,
    object: &std::path::Path,
    sha256: &str,
    content_type: &str,
) -> Option<Extracted> {
    let extractor = extractor_for(content_type)?;
    if let Ok(text) = std::fs::read_to_string(cache_path(cache, sha256, &extractor)) {
        return Some(Extracted { text, extractor });
    }
    if std::fs::metadata(object).ok()?.len() > MAX_TEXT_INPUT {
        return None;
    }
    let fresh =
        if is_pdf(content_type) { pdf::extract(object)? } else { extract(&std::fs::read(object).ok()?, content_type)? };
    cache_put(cache, sha256, &fresh);
    Some(fresh)
}

fn mime(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn is_pdf(content_type: &str) -> bool {
    matches!(mime(content_type).as_str(), "application/pdf" | "application/x-pdf")
}

/// The extractor that reads this media type, if any.
fn extractor_for(content_type: &str) -> Option<String> {
    match mime(content_type).as_str() {
        "text/plain" | "text/markdown" | "text/x-tex" | "application/x-tex" => Some(PLAIN_EXTRACTOR.into()),
        "text/html" | "application/xhtml+xml" => Some(HTML_EXTRACTOR.into()),
        _ if is_pdf(content_type) => Some(pdf::extractor()),
        _ => None,
    }
}

/// Lower-case hex SHA-256 of the normalised text.
pub fn text_sha256(normalised: &str) -> String {
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_quotes_dashes_case_space_and_invisibles() {
        assert_eq!(normalise("  “Don’t”\u{2014}STOP\u{ad}ping\u{200b}  now \n"), "\"don't\"-stopping now");
        assert_eq!(normalise("ﬁne"), "fine", "NFKC folds ligatures");
    }

    #[test]
    fn joins_only_words_that_continue_in_lower_case() {
        assert_eq!(normalise("an exam-\n  ple here"), "an example here");
        assert_eq!(normalise("Anglo-\nSaxon"), "anglo-saxon");
        assert_eq!(normalise("pages 3-\n4"), "pages 3- 4");
    }

    #[test]
    fn extracts_plain_text_and_falls_back_to_windows_1252() {
        let e = extract(b"caf\xe9 \x93quoted\x94", "text/plain; charset=iso-8859-1").unwrap();
        assert_eq!(e.text, "café “quoted”");
        assert!(extract(b"%PDF-1.4", "application/pdf").is_none());
        let html = extract(b"<p>caf\xe9</p>", "text/html; charset=iso-8859-1").unwrap();
        assert_eq!((html.text.as_str(), html.extractor.as_str()), ("café\n", HTML_EXTRACTOR));
    }
}
