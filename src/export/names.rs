//! Names in a rendered bibliography as citeproc-js prints them, where
//! hayagriva 0.10.1 departs from it, mended in the rendered elements:
//! - a style's `subsequent-author-substitute` (`———`) under the
//!   `complete-all` rule: an entry whose names are those of the entry
//!   before it gets the substitute, whatever role they have in each.
//!   hayagriva compares the names with their role, so an author after the
//!   same person as editor (`Westfahl, Gary, ed. 2000a.` then `Westfahl,
//!   Gary. 2000b.`) kept the names where citeproc-js prints `———. 2000b.`
//!   (docs/upstream/hayagriva-substitute-role.md);
//! - two names of which the second is an institution's: citeproc-js joins
//!   a person or an institution to an institution with the "and" alone,
//!   whatever the style's `delimiter-precedes-last` (`Hopkins, Richard L.
//!   and Hill & Dale Private Press`, where hayagriva has `L., and Hill`).

use std::collections::HashMap;

use hayagriva::citationberg::taxonomy::NameVariable;
use hayagriva::types::Person;
use hayagriva::{BibliographyItem, Elem, ElemChild, ElemMeta, Entry, Formatted, Formatting};

/// Substitutes `substitute` for the names of each item whose names, in any
/// role, are the previous item's.
pub(super) fn substitute(items: &mut [BibliographyItem], entries: &HashMap<&str, &Entry>, substitute: &str) {
    let mut last: Option<Vec<Person>> = None;
    for item in items {
        let Some(entry) = entries.get(item.key.as_str()) else { continue };
        let Some(names) = item.content.find_names_mut() else { continue };
        let people = people(names, entry);
        if people.as_ref().is_none_or(Vec::is_empty) || last != people {
            last = people;
            continue;
        }
        if !holds_text(names, substitute) {
            replace_names(names, substitute);
        }
    }
}

/// Drops the delimiter before the "and" that joins two names where the
/// second is an institution's.
pub(super) fn institutions_joined(item: &mut BibliographyItem, entry: &Entry) {
    fn walk(children: &mut [ElemChild], entry: &Entry) {
        let named: Vec<(NameVariable, usize)> = children
            .iter()
            .filter_map(|c| match c {
                ElemChild::Elem(Elem { meta: Some(ElemMeta::Name(var, i)), .. }) => Some((*var, *i)),
                _ => None,
            })
            .collect();
        if let [(var, 0), (same, 1)] = named.as_slice()
            && var == same
            && let Some([_, second]) = list(entry, *var)
            && super::flat::is_institution(second)
        {
            join_without_delimiter(children);
        }
        for child in children {
            if let ElemChild::Elem(e) = child {
                walk(&mut e.children.0, entry);
            }
        }
    }
    walk(&mut item.content.0, entry);
}

/// The entry's own list of people for a name variable, where it is one.
fn list(entry: &Entry, var: NameVariable) -> Option<&[Person]> {
    match var {
        NameVariable::Author => entry.authors(),
        NameVariable::Editor => entry.editors(),
        _ => None,
    }
}

/// The text between the two names without its leading comma (`, & `
/// becoming ` & `), when it has one and the "and" follows in it.
fn join_without_delimiter(children: &mut [ElemChild]) {
    let Some(first) = children.iter().position(|c| matches!(c, ElemChild::Elem(e) if holds_name(e))) else { return };
    for child in &mut children[first + 1..] {
        match child {
            ElemChild::Text(t) => {
                if let Some(rest) = t.text.strip_prefix(',').filter(|r| r.starts_with(' ') && !r.trim().is_empty()) {
                    t.text = rest.to_owned();
                }
                return;
            }
            ElemChild::Elem(e) if holds_name(e) => return,
            _ => {}
        }
    }
}

/// The people a names element renders, in order, whatever their role;
/// `None` where one is of a variable [`list`] does not give.
fn people(names: &Elem, entry: &Entry) -> Option<Vec<Person>> {
    fn named(elem: &Elem, out: &mut Vec<(NameVariable, usize)>) {
        for c in &elem.children.0 {
            if let ElemChild::Elem(e) = c {
                match e.meta {
                    Some(ElemMeta::Name(var, i)) => out.push((var, i)),
                    _ => named(e, out),
                }
            }
        }
    }
    let mut found = Vec::new();
    named(names, &mut found);
    found.into_iter().map(|(var, i)| list(entry, var)?.get(i).cloned()).collect()
}

/// Whether the element's text includes `text` (hayagriva substituted it).
fn holds_text(elem: &Elem, text: &str) -> bool {
    elem.children.0.iter().any(|c| match c {
        ElemChild::Text(t) => t.text.contains(text),
        ElemChild::Elem(e) => holds_text(e, text),
        _ => false,
    })
}

/// Whether the element is or holds one name.
fn holds_name(elem: &Elem) -> bool {
    matches!(elem.meta, Some(ElemMeta::Name(..)))
        || elem.children.0.iter().any(|c| matches!(c, ElemChild::Elem(e) if holds_name(e)))
}

/// The names and the delimiters between them replaced by the substitute;
/// what follows the last name (a role's label, `, ed.`) stays.
fn replace_names(names: &mut Elem, substitute: &str) {
    let Some(last) = names.children.0.iter().rposition(|c| matches!(c, ElemChild::Elem(e) if holds_name(e))) else {
        return;
    };
    let text = ElemChild::Text(Formatted { text: substitute.to_owned(), formatting: Formatting::default() });
    names.children.0.splice(..=last, [text]);
}
