//! Importing entries from other formats: BibTeX/BibLaTeX (through hayagriva's
//! converter, entry by entry), CSL-JSON and RIS (mapped onto hayagriva's entry
//! model here, field by field). An importer never fails a whole file for one
//! bad entry: it returns what it could read and a finding for each problem.

pub mod bibtex;
pub mod csl_json;
pub mod encoding;
pub mod online;
pub mod ris;

use super::written::Kept;
use hayagriva::Entry;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::findings::{Code, Finding, Location};

/// One entry read from an import file.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The entry; its key is the one the file gave, or empty when it gave none
    /// usable (`add` then generates one).
    pub entry: Entry,
    /// Where it starts in the import file (1-based line).
    pub line: usize,
    /// What `add` writes beside the entry's fields: its URL as the file wrote
    /// it, where the parsed URL prints otherwise, and the end of its date
    /// range ([`Kept`]).
    pub kept: Kept,
}

impl Imported {
    /// `entry`, read at `line` from a URL written as `url`.
    pub fn new(entry: Entry, line: usize, url: Option<&str>) -> Imported {
        let url = url.and_then(|u| super::written::url(&entry, u));
        Imported { entry, line, kept: Kept { url, date_end: None } }
    }

    /// The entry built from fields named as in hayagriva's YAML format, after
    /// `text` has turned each format-string field's value into hayagriva's
    /// syntax ([`entry_from_text_fields`]).
    pub fn from_fields(
        key: &str,
        fields: Map<String, Value>,
        text: fn(&str) -> String,
        line: usize,
    ) -> Result<Imported, String> {
        let url = super::written::url_in_fields(&fields).map(str::to_owned);
        let date_end = fields.get("date-end").and_then(Value::as_str).map(str::to_owned);
        let mut imported = Imported::new(entry_from_text_fields(key, fields, text)?, line, url.as_deref());
        imported.kept.date_end = date_end;
        Ok(imported)
    }
}

/// What an import file yielded.
#[derive(Debug, Default)]
pub struct Import {
    /// Entries read, in file order.
    pub entries: Vec<Imported>,
    /// Problems met.
    pub findings: Vec<Finding>,
}

/// The import formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// BibTeX or BibLaTeX.
    Bibtex,
    /// CSL-JSON (Zotero, pandoc).
    CslJson,
    /// RIS.
    Ris,
}

/// Reads `text` (named `name` in findings) as `source`.
pub fn read(source: Source, text: &str, name: &str) -> Import {
    match source {
        Source::Bibtex => bibtex::read(text, name),
        Source::CslJson => csl_json::read(text, name),
        Source::Ris => ris::read(text, name),
    }
}

/// Builds an entry from fields named as in hayagriva's YAML format, through
/// hayagriva's own deserializer, so imported values obey the same rules as
/// values a person writes.
pub fn entry_from_fields(key: &str, fields: Map<String, Value>) -> Result<Entry, String> {
    let written: Vec<(String, usize, String)> = super::written::in_fields(&fields, 0)
        .into_iter()
        .map(|(name, depth, text)| (name.to_owned(), depth, text.to_owned()))
        .collect();
    let mut doc = Map::new();
    doc.insert(key.to_owned(), Value::Object(fields));
    let lib = hayagriva::Library::deserialize(Value::Object(doc)).map_err(|e| e.to_string())?;
    let mut entry = lib.into_iter().next().ok_or_else(|| "no entry".to_owned())?;
    super::written::restore(&mut entry, written.iter().map(|(n, d, t)| (n.as_str(), *d, t.as_str())));
    Ok(entry)
}

/// hayagriva's fields that are format strings, where `$` starts math, braces
/// protect case and `\\` escapes.
const FORMAT_STRINGS: &[&str] =
    &["title", "location", "organization", "archive", "archive-location", "call-number", "note", "abstract", "genre"];

/// Builds an entry after `text` has turned each format-string field's value
/// into hayagriva's syntax: [`escape`] for fields that hold plain text (RIS,
/// web pages), so a title "Costs $5" stays text rather than starting math.
pub fn entry_from_text_fields(
    key: &str,
    mut fields: Map<String, Value>,
    text: fn(&str) -> String,
) -> Result<Entry, String> {
    map_format_strings(&mut fields, text);
    entry_from_fields(key, fields)
}

/// Plain text in hayagriva's format-string syntax: `$`, braces and `\\` escaped.
pub fn escape(s: &str) -> String {
    s.chars().fold(String::with_capacity(s.len()), |mut out, c| {
        if matches!(c, '$' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

fn map_format_strings(fields: &mut Map<String, Value>, text: fn(&str) -> String) {
    let convert = |v: &mut Value| {
        if let Value::String(s) = v {
            *s = text(s);
        }
    };
    for (k, v) in fields.iter_mut() {
        match (k.as_str(), v) {
            (k, Value::Object(o)) if FORMAT_STRINGS.contains(&k) || k == "publisher" => {
                for part in ["value", "short", "name", "location"] {
                    o.get_mut(part).map(convert);
                }
            }
            (k, v) if FORMAT_STRINGS.contains(&k) || k == "publisher" => convert(v),
            ("parent", Value::Object(p)) => map_format_strings(p, text),
            ("parent", Value::Array(ps)) => {
                ps.iter_mut().filter_map(Value::as_object_mut).for_each(|p| map_format_strings(p, text));
            }
            _ => {}
        }
    }
}

/// The same entry under another key.
pub fn rekey(entry: &Entry, key: &str) -> Entry {
    entry_from_fields(key, super::edit::entry_value(entry)).expect("an entry's own fields deserialize again")
}

/// An `import-failed` finding at a line of the import file.
fn failed(name: &str, line: usize, message: String) -> Finding {
    Finding::new(Code::ImportFailed, message)
        .at(Location::at(name, line, 1))
        .help("the other entries of the file are still imported")
}

/// A `field-dropped` finding listing fields hayagriva has no place for.
fn dropped(name: &str, line: usize, key: &str, fields: &[String]) -> Finding {
    Finding::new(
        Code::FieldDropped,
        format!(
            "entry `{key}`: {} not imported ({})",
            if fields.len() == 1 { "a field was" } else { "fields were" },
            fields.join(", ")
        ),
    )
    .at(Location::at(name, line, 1))
    .help("hayagriva's model has no place for these; keep the source file if you need them")
    .data("key", key)
    .data("fields", fields.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rekey_keeps_every_field() {
        let lib = hayagriva::io::from_yaml_str(
            "a:\n  type: article\n  title: '{DNA} and me'\n  author: [Doe, Jane]\n  date: 2020-05-01\n  url: {value: 'https://example.org/x', date: 2021-01-02}\n  parent: {type: periodical, title: J, volume: 3}\n",
        )
        .unwrap();
        let a = lib.get("a").unwrap();
        let b = rekey(a, "b");
        assert_eq!(b.key(), "b");
        assert_eq!(rekey(&b, "a"), *a);
    }

    #[test]
    fn plain_text_stays_text() {
        let m: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "type": "article", "title": "Costs $5 {or} \\6", "note": "50$",
            "publisher": {"name": "A $ B", "location": "{X}"},
            "parent": {"type": "periodical", "title": "J$"},
        }))
        .unwrap();
        let e = entry_from_text_fields("k", m, escape).unwrap();
        assert_eq!(e.title().unwrap().value.to_string(), "Costs $5 {or} \\6");
        assert_eq!(e.note().unwrap().value.to_string(), "50$");
        assert_eq!(e.publisher().unwrap().name().unwrap().value.to_string(), "A $ B");
        assert_eq!(e.parents()[0].title().unwrap().value.to_string(), "J$");
    }

    #[test]
    fn fields_go_through_hayagrivas_rules() {
        let mut m = Map::new();
        m.insert("type".into(), "book".into());
        m.insert("date".into(), "2020-05-01".into());
        let e = entry_from_fields("k", m).unwrap();
        let d = e.date().unwrap();
        assert_eq!((d.year, d.month, d.day), (2020, Some(4), Some(0)), "hayagriva months and days are zero-based");
        let mut bad = Map::new();
        bad.insert("type".into(), "book".into());
        bad.insert("date".into(), "May the fourth".into());
        assert!(entry_from_fields("k", bad).is_err());
    }
}
