//! Round-trip laws, checked on generated entries: what an export writes, the
//! matching import reads back, field for field, for every field the format
//! carries (README's table of what survives each format).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::flat::Flat;
use super::{bibtex, csl_json, ris};
use crate::library::import::{self, Source, entry_from_fields};

/// A word as titles, names of publishers and notes have them, in hayagriva's
/// syntax: plain, accented, case-protected (`{DNA}`), or one of the characters
/// that BibTeX, RIS and JSON each need to escape (`$`, braces and `\\`
/// escaped, as hayagriva's format strings want them). Not `~`: in hayagriva's
/// text it is TeX's tie, which BibLaTeX export writes as a tie and import
/// reads as a no-break space, as README's table says.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z][a-z]{0,9}",
        1 => "[À-ÖØ-öø-ÿ][a-zà-ÿ]{0,6}",
        1 => "[0-9]{1,4}",
        1 => "\\{[A-Z][A-Za-z]{1,4}\\}",
        1 => prop::sample::select(vec![
            "&", "%", "\\$", "#", "_", "\\{", "\\}", "\\\\", "^", "'", "\"", ":", "?", "–", "“quoted”", "C++", "50%",
        ])
        .prop_map(str::to_owned),
    ]
}

fn words(n: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), n).prop_map(|w| w.join(" "))
}

/// A name as `Family, Given`: family names of two words or with a particle,
/// given names with initials or a hyphen.
fn person() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "", "", "van ", "de ", "von der "]),
        "[A-Z][a-zé]{1,9}( [A-Z][a-z]{1,6})?",
        "[A-Z][a-z]{1,8}(-[A-Z][a-z]{1,5}| [A-Z]\\.)?",
    )
        .prop_map(|(particle, family, given)| format!("{particle}{family}, {given}"))
}

/// Fields of one entry, in hayagriva's YAML names.
fn fields() -> impl Strategy<Value = Map<String, Value>> {
    let date = (1500i32..2100, prop::option::of((1u8..=12, prop::option::of(1u8..=28))));
    (
        prop::sample::select(vec!["article", "book", "web", "report"]),
        words(1..7),
        (prop::collection::vec(person(), 0..4), prop::collection::vec(person(), 0..3)),
        date,
        words(1..4),
        (prop::option::of("[1-9][0-9]{0,2}"), prop::option::of("[1-9][0-9]?"), prop::option::of((1u32..900, 1u32..50))),
        prop::option::of("10\\.[0-9]{4,5}/[a-z0-9.]{1,10}"),
        prop::option::of("https://example\\.org/[a-z0-9]{1,8}"),
        prop::option::of(words(1..5)),
    )
        .prop_map(
            |(kind, title, (authors, editors), (year, md), other, (volume, issue, pages), doi, url, note)| {
                let mut f = Map::new();
                f.insert("type".into(), kind.into());
                f.insert("title".into(), title.into());
                if !authors.is_empty() {
                    f.insert("author".into(), authors.into());
                }
                if !editors.is_empty() && kind == "book" {
                    f.insert("editor".into(), editors.into());
                }
                let date = match md {
                    Some((m, Some(d))) => format!("{year:04}-{m:02}-{d:02}"),
                    Some((m, None)) => format!("{year:04}-{m:02}"),
                    None => format!("{year:04}"),
                };
                f.insert("date".into(), date.into());
                if kind == "article" {
                    let mut parent = json!({"type": "periodical", "title": other});
                    for (k, v) in [("volume", volume), ("issue", issue)] {
                        if let Some(v) = v {
                            parent[k] = v.into();
                        }
                    }
                    f.insert("parent".into(), parent);
                    if let Some((start, len)) = pages {
                        f.insert("page-range".into(), format!("{start}-{}", start + len).into());
                    }
                } else {
                    f.insert("publisher".into(), other.into());
                }
                if let Some(doi) = doi {
                    f.insert("serial-number".into(), json!({ "doi": doi }));
                }
                if let Some(url) = url {
                    f.insert("url".into(), json!({"value": url, "date": "2024-02-03"}));
                }
                if let Some(note) = note {
                    f.insert("note".into(), note.into());
                }
                f
            },
        )
}

/// An entry as CSL-JSON, the common ground every format is compared on.
fn as_csl(entry: &hayagriva::Entry) -> Value {
    let text = csl_json::write(&[(Flat::of(entry), None)]);
    serde_json::from_str::<Vec<Value>>(&text).expect("our CSL-JSON parses").remove(0)
}

/// Exports one entry, imports it again, and compares `carried` fields.
fn round_trip(fields: Map<String, Value>, source: Source, carried: &[&str]) -> Result<(), TestCaseError> {
    let entry = entry_from_fields("k", fields).map_err(TestCaseError::fail)?;
    let flat = [(Flat::of(&entry), None)];
    let text = match source {
        Source::Bibtex => bibtex::write(&flat, bibtex::Dialect::Biblatex),
        Source::CslJson => csl_json::write(&flat),
        Source::Ris => ris::write(&flat),
    };
    let back = import::read(source, &text, "export");
    prop_assert_eq!(back.entries.len(), 1, "{}\n{:?}", text, back.findings);
    let (before, after) = (as_csl(&entry), as_csl(&back.entries[0].entry));
    // RIS has no markup: case protection is the one thing it cannot carry.
    let unmarked = |v: &Value| match (source, v) {
        (Source::Ris, Value::String(s)) => {
            Value::String(s.replace("<span class=\"nocase\">", "").replace("</span>", ""))
        }
        _ => v.clone(),
    };
    for field in carried {
        prop_assert_eq!(unmarked(&before[field]), unmarked(&after[field]), "{} in\n{}", field, text);
    }
    Ok(())
}

const CARRIED: &[&str] =
    &["title", "issued", "author", "container-title", "volume", "issue", "page", "publisher", "DOI", "URL"];

proptest! {
    #[test]
    fn biblatex_export_then_import(f in fields()) {
        round_trip(f, Source::Bibtex, &[CARRIED, &["editor", "accessed", "note", "type"]].concat())?;
    }

    #[test]
    fn csl_json_export_then_import(f in fields()) {
        round_trip(f, Source::CslJson, &[CARRIED, &["editor", "accessed", "note", "type"]].concat())?;
    }

    #[test]
    fn ris_export_then_import(f in fields()) {
        round_trip(f, Source::Ris, CARRIED)?;
    }
}
