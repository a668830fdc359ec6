//! Capture records and capture logs. A record says exactly how a snapshot's
//! bytes were obtained; a reference's log (`archive/captures/<file-key>.yml`)
//! lists its records oldest first. Records are only ever appended; the one
//! thing that moves is the `pinned` flag (at most one per log).

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Archive;

/// The record format version written by this citelock.
pub const SCHEMA: u32 = 1;

/// How the bytes were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Fetched over HTTP(S) by citelock.
    Http,
    /// Attached from a file by a person (`archive --attach`).
    File,
    /// Imported from a web archive (a memento or a WARC record).
    WebArchive,
}

impl Method {
    /// The name as written in capture logs.
    pub fn name(self) -> &'static str {
        match self {
            Method::Http => "http",
            Method::File => "file",
            Method::WebArchive => "web-archive",
        }
    }
}

pub use crate::fetch::{Header, Hop, Truncated};

/// One capture of one reference (DESIGN §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Capture {
    /// Record format version.
    pub schema: u32,
    /// Unique id of this capture (`20261129T014500Z-5891b5b5`).
    pub id: String,
    /// The citation key.
    pub key: String,
    /// How the bytes were obtained.
    pub method: Method,
    /// What was requested (http, web-archive); the reference's URL (file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where the request ended after redirects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// Every redirect hop with its status, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<Hop>,
    /// The attached file's original name (method `file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Where an attached file came from, in the words of the person who attached it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The memento's URL (method `web-archive`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memento_url: Option<String>,
    /// The memento's datetime (method `web-archive`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memento_datetime: Option<String>,
    /// The WARC file a record was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warc_file: Option<String>,
    /// The WARC record's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warc_record_id: Option<String>,
    /// When the capture was taken, RFC 3339 UTC.
    pub captured: String,
    /// HTTP status (http).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response headers as received (http).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    /// The server's address (http).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_addr: Option<String>,
    /// Media type of the stored bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The content encoding the body came in; the stored bytes are decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    /// Length of the stored bytes (absent for a failed attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// SHA-256 of the stored bytes: the object's name (absent for a failed attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// SHA-256 of the normalised text, when text could be extracted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_sha256: Option<String>,
    /// The text extractor's name and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_extractor: Option<String>,
    /// Set when a cap cut the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Truncated>,
    /// Why this attempt did not produce a snapshot (a failed attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The copy claims are checked against (at most one per reference).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// When a person acknowledged the live link dead (`citelock links --acknowledge`):
    /// from then on this snapshot stands in for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_dead: Option<String>,
    /// `citelock <version>`.
    pub tool: String,
}

impl Capture {
    /// A record of `key` taken now by `method`, every other field empty; the
    /// id is set when the record is complete ([`new_id`]).
    pub fn new(key: &str, method: Method) -> Capture {
        Capture {
            schema: SCHEMA,
            id: String::new(),
            key: key.to_owned(),
            method,
            url: None,
            final_url: None,
            redirects: Vec::new(),
            file_name: None,
            source: None,
            memento_url: None,
            memento_datetime: None,
            warc_file: None,
            warc_record_id: None,
            captured: now(),
            status: None,
            headers: Vec::new(),
            remote_addr: None,
            content_type: None,
            content_encoding: None,
            length: None,
            sha256: None,
            text_sha256: None,
            text_extractor: None,
            truncated: None,
            error: None,
            pinned: false,
            acknowledged_dead: None,
            tool: tool(),
        }
    }

    /// Whether this capture holds a usable snapshot (bytes stored, no error).
    pub fn is_snapshot(&self) -> bool {
        self.sha256.is_some() && self.error.is_none() && self.status.is_none_or(|s| (200..300).contains(&s))
    }
}

/// The tool string of this build.
pub fn tool() -> String {
    format!("citelock {}", env!("CARGO_PKG_VERSION"))
}

/// The current time, RFC 3339 UTC to the second.
pub fn now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A capture id: the capture time and the first 8 hex digits of its bytes' hash.
pub fn new_id(captured: &str, sha256: Option<&str>, taken: &[Capture]) -> String {
    let stamp: String = captured.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let base = format!("{stamp}-{}", sha256.map_or("none", |h| &h[..8]));
    let mut id = base.clone();
    let mut n = 1;
    while taken.iter().any(|c| c.id == id) {
        n += 1;
        id = format!("{base}-{n}");
    }
    id
}

/// The file name of a key's capture log: characters outside `[A-Za-z0-9._-]`
/// (and a leading `.`) percent-encoded, so any key maps to one safe name.
pub fn file_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for (i, b) in key.bytes().enumerate() {
        let safe = b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || (b == b'.' && i > 0);
        if safe {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A capture log that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct LogError {
    /// The log, relative to the repository root.
    pub path: String,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Archive {
    /// The path of a key's capture log.
    pub fn log_path(&self, key: &str) -> PathBuf {
        self.captures_dir().join(format!("{}.yml", file_key(key)))
    }

    /// Every capture log's path and text, sorted by path.
    pub fn log_texts(&self) -> io::Result<Vec<(PathBuf, String)>> {
        let mut logs: Vec<PathBuf> = match std::fs::read_dir(self.captures_dir()) {
            Ok(d) => d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "yml")).collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        logs.sort();
        logs.into_iter().map(|p| std::fs::read_to_string(&p).map(|t| (p, t))).collect()
    }

    /// A key's captures, oldest first (empty when it has none).
    pub fn captures(&self, key: &str) -> Result<Vec<Capture>, LogError> {
        let path = self.log_path(key);
        crate::atomic::refuse_link(&path).map_err(|e| LogError {
            path: format!("archive/captures/{}.yml", file_key(key)),
            line: None,
            message: e.to_string(),
        })?;
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_log(&text, &format!("archive/captures/{}.yml", file_key(key))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(LogError { path: path.display().to_string(), line: None, message: e.to_string() }),
        }
    }

    /// The text of a capture's object (cached outside git); `None` when it
    /// stored no bytes or no extractor reads its type.
    pub fn text(&self, cache: &std::path::Path, capture: &Capture) -> Option<crate::text::Extracted> {
        let hex = capture.sha256.as_deref()?;
        let content_type = capture.content_type.as_deref().unwrap_or("");
        crate::text::text_of(cache, &self.object_path(hex), hex, content_type)
    }

    /// Sets `text-sha256` and `text-extractor` from the capture's object.
    pub fn record_text(&self, cache: &std::path::Path, capture: &mut Capture) {
        if let Some(e) = self.text(cache, capture) {
            capture.text_sha256 = Some(crate::text::text_sha256(&crate::text::normalise(&e.text)));
            capture.text_extractor = Some(e.extractor);
        }
    }

    /// Appends a record to its key's log (atomically; the old log must parse).
    pub fn append(&self, capture: &Capture) -> Result<(), LogError> {
        let mut all = self.captures(&capture.key)?;
        all.push(capture.clone());
        self.write_log(&capture.key, &all)
    }

    /// Pins one capture of a key (and unpins the others).
    pub fn pin(&self, key: &str, id: &str) -> Result<(), LogError> {
        let mut all = self.captures(key)?;
        if !all.iter().any(|c| c.id == id && c.is_snapshot()) {
            let known: Vec<&str> = all.iter().filter(|c| c.is_snapshot()).map(|c| c.id.as_str()).collect();
            return Err(LogError {
                path: format!("archive/captures/{}.yml", file_key(key)),
                line: None,
                message: format!("`{key}` has no snapshot with id {id} (snapshots: {})", known.join(", ")),
            });
        }
        for c in &mut all {
            c.pinned = c.id == id;
        }
        self.write_log(key, &all)
    }

    /// Records that a person acknowledged `key`'s live link dead, on its
    /// current snapshot; that capture's id.
    pub fn acknowledge_dead(&self, key: &str) -> Result<String, LogError> {
        let mut all = self.captures(key)?;
        let Some(id) = current(&all).map(|c| c.id.clone()) else {
            return Err(LogError {
                path: format!("archive/captures/{}.yml", file_key(key)),
                line: None,
                message: format!("`{key}` has no snapshot to stand in for its link (archive or attach one first)"),
            });
        };
        let when = now();
        for c in all.iter_mut().filter(|c| c.id == id) {
            c.acknowledged_dead = Some(when.clone());
        }
        self.write_log(key, &all)?;
        Ok(id)
    }

    fn write_log(&self, key: &str, all: &[Capture]) -> Result<(), LogError> {
        let path = self.log_path(key);
        let err = |message: String| LogError { path: path.display().to_string(), line: None, message };
        let text = serde_yaml::to_string(all).map_err(|e| err(e.to_string()))?;
        std::fs::create_dir_all(self.captures_dir()).map_err(|e| err(e.to_string()))?;
        crate::atomic::write(&path, text.as_bytes()).map_err(|e| err(e.to_string()))
    }
}

/// Parses a capture log's text (`name` for messages).
pub fn parse_log(text: &str, name: &str) -> Result<Vec<Capture>, LogError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    crate::library::outline::check(text).map_err(|e| LogError {
        path: name.to_owned(),
        line: Some(e.line),
        message: format!("invalid YAML: {}", e.message),
    })?;
    serde_yaml::from_str(text).map_err(|e| LogError {
        path: name.to_owned(),
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    })
}

/// A reference's current snapshot: its pinned capture, else its newest snapshot.
pub fn current(captures: &[Capture]) -> Option<&Capture> {
    captures.iter().find(|c| c.pinned && c.is_snapshot()).or_else(|| captures.iter().rev().find(|c| c.is_snapshot()))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn record(key: &str, id: &str, sha: Option<&str>) -> Capture {
        let mut c = Capture::new(key, Method::File);
        c.id = id.into();
        c.captured = "2026-11-29T01:00:00Z".into();
        c.sha256 = sha.map(str::to_owned);
        c.length = Some(1);
        c
    }

    #[test]
    fn file_keys_are_safe_and_distinct() {
        assert_eq!(file_key("gaonkar:in"), "gaonkar%3Ain");
        assert_eq!(file_key("baez/article"), "baez%2Farticle");
        assert_eq!(file_key("../../.git/hooks/x"), "%2E.%2F..%2F.git%2Fhooks%2Fx");
        assert_eq!(file_key("müller"), "m%C3%BCller");
        assert_eq!(file_key("a b"), "a%20b");
        assert_ne!(file_key("a%3Ab"), file_key("a:b"), "a literal % is encoded too");
    }

    #[test]
    fn append_pin_and_current() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let h1 = "1".repeat(64);
        let h2 = "2".repeat(64);
        a.append(&record("k:1", "one", Some(&h1))).unwrap();
        a.append(&record("k:1", "two", Some(&h2))).unwrap();
        let mut failed = record("k:1", "three", None);
        failed.error = Some("HTTP 404".into());
        a.append(&failed).unwrap();
        let all = a.captures("k:1").unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(current(&all).unwrap().id, "two", "the newest snapshot, not the failed attempt");
        a.pin("k:1", "one").unwrap();
        assert_eq!(current(&a.captures("k:1").unwrap()).unwrap().id, "one");
        assert!(a.pin("k:1", "three").is_err(), "a failed attempt cannot be pinned");
        assert_eq!(new_id("2026-11-29T01:00:00Z", Some(&h1), &all), "20261129T010000Z-11111111");
    }

    proptest::proptest! {
        /// Law: a log as written parses back to the same records, whatever
        /// text users and servers put in them (control characters, YAML's
        /// `~`, `null`, `yes`, `: `, `#`, leading spaces, line breaks).
        #[test]
        fn any_log_round_trips(
            key in "\\PC{1,20}",
            texts in proptest::collection::vec(proptest::option::of(proptest::prelude::any::<String>()), 4),
            headers in proptest::collection::vec(("[!-9;-~]{1,12}", proptest::prelude::any::<String>()), 0..4),
            status in proptest::option::of(100u16..600),
            length in proptest::option::of(proptest::prelude::any::<u64>()),
            pinned in proptest::prelude::any::<bool>(),
        ) {
            let mut c = record(&key, "20261129T010000Z-11111111", Some(&"1".repeat(64)));
            c.method = Method::Http;
            (c.url, c.final_url, c.source, c.error) = (texts[0].clone(), texts[1].clone(), texts[2].clone(), texts[3].clone());
            c.headers = headers.into_iter().map(|(name, value)| Header { name, value }).collect();
            (c.status, c.length, c.pinned) = (status, length, pinned);
            let log = vec![c.clone(), record(&key, "second", None)];
            let text = serde_yaml::to_string(&log).unwrap();
            proptest::prop_assert_eq!(parse_log(&text, "log.yml").unwrap(), log, "{}", text);
        }
    }

    #[test]
    fn deep_nesting_in_a_log_is_refused_quickly() {
        let deep = format!("- schema: 1\n  id: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_log(&deep, "log.yml").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("recursion limit exceeded"), "{err}");
    }

    #[test]
    fn unknown_fields_in_a_log_are_errors_with_a_line() {
        let err = parse_log("- schema: 1\n  id: x\n  colour: red\n", "log.yml").unwrap_err();
        assert!(err.line.is_some(), "{err}");
    }
}
