//! Entries of no particular type, rendered as citeproc-js renders them.
//! pandoc writes a BibTeX `@misc` as CSL-JSON of type `""`, which citelock
//! imports as hayagriva's `misc`, and citelock's CSL-JSON export writes a
//! `misc` as `document`: either way citeproc-js matches none of a style's
//! type tests for it unless the style tests for `document`. hayagriva reads
//! a `misc` with a URL as a web page (APA's full date, Harvard's title
//! without quotation marks where citeproc-js prints `‘WhatTheFont’`), and
//! the title of a `misc` parent as the event's (`ClickArt, Mountain View`
//! where citeproc-js prints the series at the end, `(ClickArt)`).
//!
//! For the render, such an entry becomes one of a type hayagriva matches to
//! no CSL type (its `conference`, which it reads like `misc` otherwise), and
//! a `misc` parent that holds only a title and a number, which is how a
//! CSL-JSON `collection-title` and a BibTeX `series` arrive, its series:
//! hayagriva finds an entry's collection in a parent's parent of the
//! parent's type, so that parent becomes an untitled anthology in an
//! anthology of that title. The library is not changed.

use hayagriva::citationberg::taxonomy::Kind;
use hayagriva::citationberg::{IndependentStyle, LayoutRenderingElement};
use hayagriva::types::EntryType;
use hayagriva::{Entry, Library};
use serde_json::{Map, Value};

/// Whether the style tests an item's type for `document`, which hayagriva
/// matches a `misc` entry to: then entries stay as they are.
pub(super) fn tests_document(style: &IndependentStyle) -> bool {
    fn tests(list: &[LayoutRenderingElement]) -> bool {
        list.iter().any(|e| match e {
            LayoutRenderingElement::Group(g) => tests(&g.children),
            LayoutRenderingElement::Choose(c) => {
                c.branches()
                    .any(|b| b.type_.as_ref().is_some_and(|t| t.contains(&Kind::Document)) || tests(&b.children))
                    || c.otherwise.as_ref().is_some_and(|o| tests(&o.children))
            }
            _ => false,
        })
    }
    let layouts = [Some(&style.citation.layout), style.bibliography.as_ref().map(|b| &b.layout)];
    style.macros.iter().any(|m| tests(&m.children)) || layouts.into_iter().flatten().any(|l| tests(&l.elements))
}

/// The `misc` entry as an entry of no CSL type with its series where
/// hayagriva looks for one, or `None` for any other entry.
pub(super) fn untyped(entry: &Entry) -> Option<Entry> {
    if *entry.entry_type() != EntryType::Misc {
        return None;
    }
    // hayagriva has no setter for an entry's type: the entry goes through
    // its serialised form, which writes a name as one string
    // (`Generic Software, Inc` comes back as given name `Inc`), so the
    // names and parents are set again from the entry itself.
    let Value::Object(mut fields) = serde_json::to_value(entry).ok()? else { return None };
    fields.insert("type".into(), "conference".into());
    let library: Library =
        serde_json::from_value(Value::Object(Map::from_iter([(entry.key().into(), fields.into())]))).ok()?;
    let mut out = library.iter().next()?.clone();
    if let Some(a) = entry.authors() {
        out.set_authors(a.to_vec());
    }
    if let Some(e) = entry.editors() {
        out.set_editors(e.to_vec());
    }
    if let Some(a) = entry.affiliated() {
        out.set_affiliated(a.to_vec());
    }
    out.set_parents(entry.parents().iter().map(|p| as_series(p).unwrap_or_else(|| p.clone())).collect());
    Some(out)
}

/// A `misc` parent with a title and at most a number besides, as an
/// untitled anthology in an anthology of that title and number.
fn as_series(parent: &Entry) -> Option<Entry> {
    let only_title_and_number = parent.parents().is_empty()
        && crate::library::fields::KNOWN.iter().all(|f| matches!(*f, "title" | "volume") || !parent.has(f));
    if *parent.entry_type() != EntryType::Misc || parent.title().is_none() || !only_title_and_number {
        return None;
    }
    let mut series = Entry::new(parent.key(), EntryType::Anthology);
    series.set_title(parent.title()?.clone());
    if let Some(v) = parent.volume() {
        series.set_volume(v.clone());
    }
    let mut holder = Entry::new(parent.key(), EntryType::Anthology);
    holder.set_parents(vec![series]);
    Some(holder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(yaml: &str) -> Entry {
        hayagriva::io::from_yaml_str(yaml).unwrap().iter().next().unwrap().clone()
    }

    #[test]
    fn a_misc_entry_gets_no_type_and_its_series() {
        let e = entry(
            "a:\n  type: misc\n  title: Image pak\n  url: https://example.org/pak\n  publisher: T/Maker\n  parent:\n    type: misc\n    title: ClickArt\n    volume: 3\n",
        );
        let u = untyped(&e).unwrap();
        assert_eq!(u.key(), "a");
        assert_eq!(*u.entry_type(), EntryType::Conference);
        assert_eq!(u.title(), e.title());
        assert_eq!(u.url(), e.url());
        assert_eq!(u.publisher(), e.publisher());
        let parent = &u.parents()[0];
        assert_eq!(*parent.entry_type(), EntryType::Anthology);
        assert!(parent.title().is_none());
        let series = &parent.parents()[0];
        assert_eq!(*series.entry_type(), EntryType::Anthology);
        assert_eq!(series.title().map(|t| t.value.to_string()).as_deref(), Some("ClickArt"));
        assert!(series.volume().is_some());
    }

    #[test]
    fn nothing_but_the_type_changes() {
        let e = entry(
            "a:\n  type: misc\n  title: '{FONTastic} Macintosh font editor'\n  author: [{name: 'Generic Software, Inc'}, 'Doe, Jane']\n  editor: {name: Smith, given-name: Al, prefix: van}\n  date: 1985\n  volume: Version 1.0.\n  note: 1 disk\n",
        );
        let u = untyped(&e).unwrap();
        assert_eq!(format!("{u:?}").replacen("Conference", "Misc", 1), format!("{e:?}"));
    }

    #[test]
    fn other_entries_and_other_parents_stay() {
        assert!(untyped(&entry("a:\n  type: book\n  title: T\n")).is_none());
        let e =
            entry("a:\n  type: misc\n  title: T\n  parent:\n    type: misc\n    title: Festival\n    location: Oslo\n");
        let u = untyped(&e).unwrap();
        assert_eq!(*u.parents()[0].entry_type(), EntryType::Misc, "an event keeps its type");
    }
}
