//! Editing references files as text, never by re-serialising them: new entries
//! are appended, changed entries have exactly their own lines replaced, and
//! everything else (comments, order, formatting) stays byte for byte.

use super::written::Kept;
use std::str::FromStr;

use hayagriva::Entry;
use hayagriva::types::{MaybeTyped, PageRangesPart, Person};
use serde_json::{Map, Value};

/// An entry as hayagriva YAML fields, with two repairs to hayagriva's own
/// serializer, whose output does not always read back the same:
/// - page ranges converted from BibLaTeX lose their separators
///   (`431--456, 791--823` would be written `431-456791-823`);
/// - a name string such as `Vázques de Parga, Luis` re-parses with `de` as a
///   particle; such names are written as maps (`name`, `given-name`, `prefix`…);
/// - an approximate year (`~1850`) is written as the bare number `1850`
///   (docs/upstream/hayagriva-approximate-year.md).
pub fn entry_value(entry: &Entry) -> Map<String, Value> {
    let Ok(Value::Object(mut map)) = serde_json::to_value(entry) else {
        unreachable!("an entry serializes to a map");
    };
    if let Some(MaybeTyped::Typed(ranges)) = entry.page_range() {
        let mut text = String::new();
        let mut previous_was_range = false;
        for part in &ranges.ranges {
            let is_range = !matches!(part, PageRangesPart::Comma | PageRangesPart::Ampersand);
            if is_range && previous_was_range {
                text.push_str(", ");
            }
            text.push_str(&part.to_string());
            previous_was_range = is_range;
        }
        map.insert("page-range".into(), text.into());
    }
    if let Some(date) = entry.date().filter(|d| d.approximate) {
        map.insert("date".into(), date.to_string().into());
    }
    for (field, persons) in [("author", entry.authors()), ("editor", entry.editors())] {
        if let Some(persons) = persons {
            map.insert(field.into(), persons_value(persons));
        }
    }
    if let Some(groups) = entry.affiliated() {
        let groups: Vec<Value> = groups
            .iter()
            .map(|g| {
                let mut v = serde_json::to_value(g).unwrap_or_default();
                v["names"] = persons_value(&g.names);
                v
            })
            .collect();
        map.insert("affiliated".into(), groups.into());
    }
    if !entry.parents().is_empty() {
        let parents: Vec<Value> = entry.parents().iter().map(|p| Value::Object(entry_value(p))).collect();
        let parents = if parents.len() == 1 { parents.into_iter().next().unwrap_or_default() } else { parents.into() };
        map.insert("parent".into(), parents);
    }
    map
}

/// Persons as strings where the string reads back as the same person, else as maps.
fn persons_value(persons: &[Person]) -> Value {
    let values: Vec<Value> = persons
        .iter()
        .map(|p| {
            let v = serde_json::to_value(p).unwrap_or_default();
            match &v {
                Value::String(s) if Person::from_str(s).is_ok_and(|back| back == *p) => v,
                _ => {
                    let mut m = Map::new();
                    m.insert("name".into(), p.name.clone().into());
                    let optional = [
                        ("given-name", &p.given_name),
                        ("prefix", &p.prefix),
                        ("suffix", &p.suffix),
                        ("alias", &p.alias),
                    ];
                    for (k, val) in optional {
                        if let Some(val) = val {
                            m.insert(k.into(), val.clone().into());
                        }
                    }
                    Value::Object(m)
                }
            }
        })
        .collect();
    if values.len() == 1 { values.into_iter().next().unwrap_or_default() } else { values.into() }
}

/// hayagriva YAML for `entries`, in order.
pub fn to_yaml(entries: &[Entry]) -> String {
    let none = Kept::default();
    to_yaml_as_written(entries.iter().map(|e| (e, &none)))
}

/// [`to_yaml`] of entries each with what it keeps beside hayagriva's fields
/// ([`Kept`]): its URL as written, where one is given (it reads back as the
/// same URL), and the end of its date range, after its date.
pub fn to_yaml_as_written<'a>(entries: impl IntoIterator<Item = (&'a Entry, &'a Kept)>) -> String {
    let doc: Map<String, Value> = entries
        .into_iter()
        .map(|(e, kept)| {
            let mut value = entry_value(e);
            match (value.get_mut("url"), kept.url.as_deref()) {
                (Some(Value::Object(u)), Some(url)) => _ = u.insert("value".into(), url.into()),
                (Some(u), Some(url)) => *u = url.into(),
                _ => {}
            }
            if let Some(end) = &kept.date_end {
                value = value
                    .into_iter()
                    .flat_map(|(k, v)| {
                        // A year is written as `date` writes one, unquoted.
                        let end = end.parse::<i64>().map_or_else(|_| Value::from(end.as_str()), Value::from);
                        let after = (k == "date").then(|| ("date-end".to_owned(), end));
                        std::iter::once((k, v)).chain(after)
                    })
                    .collect();
            }
            (e.key().to_owned(), Value::Object(value))
        })
        .collect();
    serde_yaml::to_string(&doc).expect("JSON values serialize to YAML")
}

/// [`to_yaml_as_written`] of entries of `library` (as they are there or
/// changed), each with what its record keeps beside it: `export --to yaml`.
pub fn to_yaml_kept(library: &super::Library, entries: &[Entry]) -> String {
    let kept: Vec<Kept> = entries
        .iter()
        .map(|e| {
            let record = library.get(e.key());
            Kept { url: record.and_then(|r| r.url.clone()), date_end: record.and_then(|r| r.date_end.clone()) }
        })
        .collect();
    to_yaml_as_written(entries.iter().zip(&kept))
}

/// The entry as it reads back from [`to_yaml`], and the fields that read back
/// differently (hayagriva cannot hold them as they were).
pub fn settle(entry: &Entry) -> Result<(Entry, Vec<String>), String> {
    let (library, findings) = super::Library::from_text("entry", to_yaml(std::slice::from_ref(entry)));
    let back = match library.get(entry.key()) {
        Some(record) => (*record.entry).clone(),
        None => return Err(findings.first().map_or_else(|| "the entry vanished".to_owned(), |f| f.message.clone())),
    };
    let changed = changed_fields(entry, &back);
    Ok((back, changed))
}

/// `text` with `yaml` appended after a blank line.
pub fn append(text: &str, yaml: &str) -> String {
    let mut out = text.to_owned();
    if !out.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
    }
    out.push_str(yaml);
    out
}

/// `text` with lines `first..=last` (1-based) replaced by `replacement`
/// (which ends with a line break).
pub fn replace_lines(text: &str, first: usize, last: usize, replacement: &str) -> String {
    let starts = super::line_starts(text);
    let from = starts[first - 1];
    let to = starts.get(last).copied().unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + replacement.len());
    out.push_str(&text[..from]);
    out.push_str(replacement);
    if to == text.len() && !text.ends_with('\n') && replacement.ends_with('\n') {
        out.pop();
    }
    out.push_str(&text[to..]);
    out
}

/// The names of the fields whose values differ between two entries.
pub fn changed_fields(old: &Entry, new: &Entry) -> Vec<String> {
    let (a, b) = (entry_value(old), entry_value(new));
    let mut names: Vec<String> = a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).cloned().collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_quotes_keys_that_need_it() {
        let lib = hayagriva::io::from_yaml_str("'gaonkar:in':\n  type: book\n  title: T\n").unwrap();
        let yaml = to_yaml(&[lib.get("gaonkar:in").unwrap().clone()]);
        let back = hayagriva::io::from_yaml_str(&yaml).unwrap();
        assert!(back.get("gaonkar:in").is_some(), "{yaml}");
    }

    #[test]
    fn append_and_replace_keep_the_rest() {
        let text = "# mine\na:\n  type: book\n  title: A\nb:\n  type: book\n";
        assert_eq!(append("x: 1", "y: 2\n"), "x: 1\n\ny: 2\n");
        assert_eq!(append("", "y: 2\n"), "y: 2\n");
        let out = replace_lines(text, 2, 4, "a:\n  type: web\n");
        assert_eq!(out, "# mine\na:\n  type: web\nb:\n  type: book\n");
        assert_eq!(replace_lines("a:\n  x: 1", 1, 2, "a: 2\n"), "a: 2");
    }
}
