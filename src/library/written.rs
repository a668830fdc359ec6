//! Numbers kept as written. hayagriva reads `issue`, `volume` and `edition`
//! as numbers where it can, and drops the leading zeros of every number after
//! a delimiter: TeX Live's `tugboat.bib` numbers its issues `1, 02` (the
//! issue, then the journal's running number), which every style would print
//! `1, 2` (docs/upstream/hayagriva-numeric-leading-zero.md). And it reads
//! `Release 2` as a number with a prefix, which CSL processors do not (a
//! style's `is-numeric` test then prints `Release 2 ed.`). Such a value is
//! given back to the entry as the text it was written as: from the outline
//! when a library is read, from the fields when an entry is imported.
//!
//! A URL hayagriva holds parsed, and prints normalised; where that differs
//! from the text it was written as, the text is kept beside the entry
//! ([`url`]) for the bibliography to print and for `add` to write. So is the
//! end of a date range, which hayagriva cannot hold: as `date-end`
//! ([`date_end`]), a field hayagriva ignores.

use std::str::FromStr;

use hayagriva::Entry;
use hayagriva::types::{MaybeTyped, Numeric};

/// The fields this applies to (hayagriva's `MaybeTyped<Numeric>` fields).
pub(crate) const FIELDS: [&str; 3] = ["issue", "volume", "edition"];

/// Gives `entry` (and its parents) back each numbered field whose written
/// text hayagriva's number would print differently: `written` holds each
/// field's name, its depth (0 for the entry's own, 1 for a parent's) and
/// its text.
pub(crate) fn restore<'a>(entry: &mut Entry, written: impl IntoIterator<Item = (&'a str, usize, &'a str)>) {
    for (name, depth, text) in written {
        if !FIELDS.contains(&name) || !prints_differently(text) {
            continue;
        }
        let Ok(number) = Numeric::from_str(text) else { continue };
        replace(entry, depth, name, &MaybeTyped::Typed(number), &MaybeTyped::String(text.trim().to_owned()));
    }
}

/// The numbered fields among hayagriva YAML fields (`parent` followed) that
/// a number would print differently, as [`restore`] takes them.
pub(crate) fn in_fields(fields: &serde_json::Map<String, serde_json::Value>, depth: usize) -> Vec<(&str, usize, &str)> {
    let mut out = Vec::new();
    for (name, value) in fields {
        match (name.as_str(), value) {
            ("parent", serde_json::Value::Object(p)) => out.extend(in_fields(p, depth + 1)),
            ("parent", serde_json::Value::Array(ps)) => {
                ps.iter().filter_map(|p| p.as_object()).for_each(|p| out.extend(in_fields(p, depth + 1)))
            }
            (name, serde_json::Value::String(text)) if FIELDS.contains(&name) && prints_differently(text) => {
                out.push((name, depth, text.as_str()))
            }
            _ => {}
        }
    }
    out
}

/// What an entry holds beside the fields hayagriva reads: its URL as
/// written ([`url`]) and the end of its date range ([`date_end`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    pub url: Option<String>,
    pub date_end: Option<String>,
}

/// A `date-end` as a date (hayagriva's date syntax: `1886`, `1886-02`,
/// `1886-02-14`), or `None` when it is not one.
pub fn date_end(text: &str) -> Option<hayagriva::types::Date> {
    hayagriva::types::Date::from_str(text.trim()).ok()
}

/// The URL as `text` writes it, where the URL hayagriva parsed from it
/// prints otherwise: `http://host:80/` loses its default port, `http://host`
/// gains a `/`, and the spaces between several URLs in one field become
/// `%20`. CSL processors print a URL as written.
pub(crate) fn url(entry: &Entry, text: &str) -> Option<String> {
    let text = text.trim();
    entry.url().is_some_and(|u| u.value.as_str() != text).then(|| text.to_owned())
}

/// The URL written in hayagriva YAML `fields`: `url` itself or its `value`.
pub(crate) fn url_in_fields(fields: &serde_json::Map<String, serde_json::Value>) -> Option<&str> {
    let url = fields.get("url")?;
    url.as_str().or_else(|| url.get("value")?.as_str())
}

/// Whether hayagriva's number would print `text` otherwise than as written:
/// a number after the first starts with a zero (`1, 02`), or the text is
/// not a number as citeproc-js tells one (each part digits or a Roman
/// numeral, then letters: `2nd`, `12a`, `1-2`; not `Release 2`).
fn prints_differently(text: &str) -> bool {
    let part = |p: &str| {
        let rest = p.trim_start_matches(|c: char| c.is_ascii_digit());
        let rest = if rest.len() == p.len() { p.trim_start_matches(['i', 'v', 'x']) } else { rest };
        rest.len() < p.len() && rest.chars().all(|c| c.is_ascii_alphabetic())
    };
    let mut parts =
        text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '&' | '-' | '\u{2013}')).filter(|p| !p.is_empty());
    loses_zeros(text) || !parts.all(part)
}

/// Whether a number after the first starts with a zero (`1, 02`).
fn loses_zeros(text: &str) -> bool {
    let mut runs = text.split(|c: char| !c.is_ascii_digit()).filter(|r| !r.is_empty());
    runs.next();
    runs.any(|r| r.len() > 1 && r.starts_with('0'))
}

fn get<'a>(entry: &'a Entry, name: &str) -> Option<&'a MaybeTyped<Numeric>> {
    match name {
        "issue" => entry.issue(),
        "volume" => entry.volume(),
        "edition" => entry.edition(),
        _ => None,
    }
}

/// Sets `name` to `written` where it holds `typed`, at `depth` below `entry`.
fn replace(entry: &mut Entry, depth: usize, name: &str, typed: &MaybeTyped<Numeric>, written: &MaybeTyped<Numeric>) {
    if depth > 0 {
        if !entry.parents().is_empty() {
            let mut parents = entry.parents().to_vec();
            parents.iter_mut().for_each(|p| replace(p, depth - 1, name, typed, written));
            entry.set_parents(parents);
        }
        return;
    }
    if get(entry, name) != Some(typed) {
        return;
    }
    match name {
        "issue" => entry.set_issue(written.clone()),
        "volume" => entry.set_volume(written.clone()),
        "edition" => entry.set_edition(written.clone()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::library::Library;
    use hayagriva::types::MaybeTyped;

    const TEXT: &str = "\
a:
  type: article
  title: Errata
  issue: '3, 04'
  parent:
    type: periodical
    title: TUGboat
    volume: 2
    issue: '1, 02'
b:
  type: article
  title: Plain
  issue: '07'
  volume: 1-2
  edition: Release 2
";

    #[test]
    fn zeros_after_a_delimiter_are_kept_as_written() {
        let (library, findings) = Library::from_text("references/t.yml", TEXT.to_owned());
        assert!(findings.is_empty(), "{findings:?}");
        let a = &library.get("a").unwrap().entry;
        assert_eq!(a.issue(), Some(&MaybeTyped::String("3, 04".into())));
        assert_eq!(a.parents()[0].issue(), Some(&MaybeTyped::String("1, 02".into())));
        assert_eq!(a.parents()[0].volume().map(ToString::to_string).as_deref(), Some("2"));
        assert!(matches!(a.parents()[0].volume(), Some(MaybeTyped::Typed(_))));
        // A first number's zeros hayagriva keeps itself; a range stays a number.
        let b = &library.get("b").unwrap().entry;
        assert!(matches!(b.issue(), Some(MaybeTyped::Typed(n)) if n.to_string() == "07"));
        assert!(matches!(b.volume(), Some(MaybeTyped::Typed(_))));
        // Words before a number: a number to hayagriva, not to CSL processors.
        assert!("Release 2".parse::<hayagriva::types::Numeric>().is_ok());
        assert_eq!(b.edition(), Some(&MaybeTyped::String("Release 2".into())));
    }
}
