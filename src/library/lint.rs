//! `citelock lint`: entries that lack what their type needs (`missing-field`)
//! and entries that describe the same work (`duplicate-reference`). Unknown
//! fields and key problems are found while loading ([`super::Library::load`]).

use hayagriva::Entry;
use hayagriva::types::EntryType;

use super::Library;
use super::duplicates::Index;
use crate::config::Config;
use crate::findings::{Code, Finding, Location};

/// Types whose sources live on the web and need a URL with an access date.
fn is_web(t: &EntryType) -> bool {
    matches!(t, EntryType::Web | EntryType::Blog | EntryType::Post | EntryType::Thread)
}

/// The entry and its parents, nearest first.
fn lineage(entry: &Entry) -> Vec<&Entry> {
    let mut out = vec![entry];
    let mut i = 0;
    while i < out.len() {
        out.extend(out[i].parents());
        i += 1;
    }
    out
}

/// The fields an entry lacks, each with the help to give.
pub fn missing_fields(entry: &Entry) -> Vec<(&'static str, &'static str)> {
    let all = lineage(entry);
    let any = |f: &dyn Fn(&Entry) -> bool| all.iter().any(|e| f(e));
    let mut missing = Vec::new();
    if entry.title().is_none() {
        missing.push(("title", "add `title:`"));
    }
    if !any(&|e| {
        e.authors().is_some() || e.editors().is_some() || e.organization().is_some() || e.affiliated().is_some()
    }) {
        missing.push(("author", "add `author:`, `editor:` or `organization:` (who is responsible for the work)"));
    }
    if !any(&|e| e.date().is_some()) {
        missing.push(("date", "add `date:` (a year is enough: `date: 2020`)"));
    }
    if is_web(entry.entry_type()) {
        match entry.url() {
            None => missing.push(("url", "a web source needs `url:`")),
            Some(u) if u.visit_date.is_none() => {
                missing.push(("url.date", "a web source needs its access date: `url: {value: …, date: 2024-05-01}`"))
            }
            Some(_) => {}
        }
    }
    missing
}

/// All lint findings for the library.
pub fn lint(library: &Library, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for r in &library.records {
        let key = r.entry.key();
        for (field, help) in missing_fields(&r.entry) {
            findings.push(
                Finding::new(
                    Code::MissingField,
                    format!("entry `{key}` ({}) has no {field}", super::type_name(r.entry.entry_type())),
                )
                .at(library.location(r))
                .help(help)
                .data("key", key)
                .data("field", field),
            );
        }
    }
    for r in &library.records {
        if let Some(url) = r.entry.url().map(|u| u.value.to_string()).filter(|u| !crate::export::linkable(u)) {
            let key = r.entry.key();
            findings.push(
                Finding::new(Code::UnsafeUrl, format!("entry `{key}` has a URL that is not http or https: {url}"))
                    .at(library.location(r))
                    .help("outputs print it as text, never as a link; fix it if it is a mistake")
                    .data("key", key),
            );
        }
    }
    for r in &library.records {
        let key = r.entry.key();
        let titles = std::iter::once(&*r.entry).chain(r.entry.parents()).filter_map(|e| e.title());
        let names = std::iter::once(&*r.entry)
            .chain(r.entry.parents())
            .flat_map(|e| e.authors().into_iter().chain(e.editors()).flatten())
            .map(|p| ("name", p.name.clone()));
        let texts = titles.map(|t| ("title", t.value.to_string())).chain(names);
        for (what, text) in texts.filter(|(_, t)| t.trim() != t) {
            findings.push(
                Finding::new(Code::StraySpace, format!("entry `{key}`: the {what} {text:?} begins or ends with a space"))
                    .at(library.location(r))
                    .help("CSL processors print and sort it as written (a leading space sorts first); remove it if it is left over")
                    .data("key", key),
            );
        }
    }
    findings.extend(library.records.iter().filter_map(|r| bad_date_end(library, r)));
    findings.extend(duplicate_references(library, config));
    findings
}

/// A `date-end` that is not a date, or not after the entry's date.
fn bad_date_end(library: &Library, r: &super::Record) -> Option<Finding> {
    let text = r.date_end.as_deref()?;
    let key = r.entry.key();
    let order = |d: &hayagriva::types::Date| (d.year, d.month, d.day);
    let problem = match (super::written::date_end(text), r.entry.date()) {
        (None, _) => format!("entry `{key}`: `date-end: {text}` is not a date"),
        (Some(_), None) => format!("entry `{key}` has a `date-end` but no `date`"),
        (Some(end), Some(start)) if order(&end) <= order(start) => {
            format!("entry `{key}`: `date-end: {text}` does not come after its date")
        }
        _ => return None,
    };
    let location = library
        .item(r)
        .fields
        .iter()
        .find(|f| f.name == "date-end" && f.depth == 0)
        .map_or_else(|| library.location(r), |f| Location::at(&library.files[r.file].name, f.line, f.column));
    Some(
        Finding::new(Code::BadDateEnd, problem)
            .at(location)
            .help("write the end of the date range as a date (`date-end: 1886`, `1886-02`); it is ignored until then")
            .data("key", key),
    )
}

/// Each entry that duplicates an earlier one.
fn duplicate_references(library: &Library, config: &Config) -> Vec<Finding> {
    let mut index = Index::default();
    let mut findings = Vec::new();
    for r in &library.records {
        let key = r.entry.key();
        if let Some((other, reason)) = index.find(&r.entry, |k| config.declared_distinct(key, k)) {
            let first = library.get(&other).expect("indexed keys are loaded");
            findings.push(
                Finding::new(
                    Code::DuplicateReference,
                    format!("entry `{key}` looks like a duplicate of `{other}`: {}", reason.describe()),
                )
                .at(library.location(r))
                .related(library.location(first), format!("`{other}` is here"))
                .help(format!(
                    "merge them, or declare them distinct in citelock.toml: [duplicates] distinct = [[\"{other}\", \"{key}\"]]"
                ))
                .data("key", key)
                .data("duplicate-of", other)
                .data("reason", reason.name()),
            );
        }
        index.insert(key, &r.entry);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_sources_need_an_access_date_and_parents_count() {
        let l = hayagriva::io::from_yaml_str(
            "\
w:
  type: web
  title: Page
  organization: Org
  date: 2020
  url: https://example.org
c:
  type: article
  title: Chapter
  author: Doe, Jane
  parent: {type: periodical, title: J, date: 2019}
",
        )
        .unwrap();
        let w: Vec<_> = missing_fields(l.get("w").unwrap()).into_iter().map(|m| m.0).collect();
        assert_eq!(w, ["url.date"]);
        assert!(missing_fields(l.get("c").unwrap()).is_empty());
    }
}
