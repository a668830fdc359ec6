//! Names in a rendered bibliography as citeproc-js prints them, where
//! hayagriva 0.10.1 departs from it, mended in the rendered elements:
//! - a style's `subsequent-author-substitute` (`———`) under the
//!   `complete-all` rule: an entry whose names are those of the entry
//!   before it gets the substitute, whatever role they have in each.
//!   hayagriva compares the names with their role, so an author after the
//!   same person as editor (`Westfahl, Gary, ed. 2000a.` then `Westfahl,
//!   Gary. 2000b.`) kept the names where citeproc-js prints `———. 2000b.`
//!   (docs/upstream/hayagriva-substitute-role.md);
//! - a role's label in title case (ACS's `Ed. and Translator`): hayagriva
//!   capitalises a stop word after the abbreviation's period (`Ed. And
//!   Translator`), which citeproc-js's title case leaves in lower case;
//! - two names of which the second is an institution's: citeproc-js joins
//!   a person or an institution to an institution with the "and" alone,
//!   whatever the style's `delimiter-precedes-last` (`Hopkins, Richard L.
//!   and Hill & Dale Private Press`, where hayagriva has `L., and Hill`).
//!
//! And before the render, given names with initials where the style prints
//! given names whole with `initialize="false"` ([`initials_normalised`]).

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

/// Each label's English stop words after its first word in lower case
/// (`Ed. And Translator` is `Ed. and Translator`): a label element's, and
/// what a names element prints after its last name.
pub(super) fn labels_cased(item: &mut BibliographyItem) {
    fn walk(children: &mut [ElemChild], in_label: bool) {
        for child in children {
            match child {
                ElemChild::Text(t) if in_label => t.text = stop_words_lowered(&t.text),
                ElemChild::Elem(e) if matches!(e.meta, Some(ElemMeta::Names(_))) => {
                    // A names element that printed no name printed what
                    // stands in for them (a title): no label to mend.
                    match e.children.0.iter().rposition(|c| matches!(c, ElemChild::Elem(n) if holds_name(n))) {
                        Some(last) => walk(&mut e.children.0[last + 1..], true),
                        None => walk(&mut e.children.0, in_label),
                    }
                }
                ElemChild::Elem(e) => {
                    let label = in_label || matches!(e.meta, Some(ElemMeta::Label));
                    walk(&mut e.children.0, label);
                }
                _ => {}
            }
        }
    }
    walk(&mut item.content.0, false);
}

/// `text` with each capitalised English stop word but the first lowered.
fn stop_words_lowered(text: &str) -> String {
    let mut first = true;
    text.split_inclusive(' ')
        .map(|w| {
            let word = w.trim_end();
            let lower = word.to_lowercase();
            let lowered = !first && word != lower && super::titles::STOP_WORDS.contains(&lower.as_str());
            first &= word.is_empty();
            if lowered { format!("{lower}{}", &w[word.len()..]) } else { w.to_owned() }
        })
        .collect()
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

/// How a style's names take initials: `initialize-with`'s terminator,
/// whether hyphens stay between initials, and whether given names are
/// initialised (`initialize`).
pub struct Initials {
    pub terminator: String,
    pub hyphen: bool,
    pub initialize: bool,
}

/// The entry with the initials in its authors' and editors' given names
/// written as citeproc-js reads them, where a style gives
/// `initialize-with`; `None` when none changes. Initials run together get
/// a space (`P.Q.` is `P. Q.`, where hayagriva's initials read one word
/// and print `P.`). Where the style prints given names whole
/// (`initialize="false"`, MLA's and ASA's), each initial is followed by the
/// terminator and hyphens between initials are dropped (`J.-J.`, `J-J` and
/// `J.J.` are `J. J.`, `K.-Y. Li` is `K. Y. Li`), where hayagriva prints
/// them as written.
pub(super) fn initials_normalised(entry: &Entry, style: &Initials) -> Option<Entry> {
    super::titles::people_changed(entry, |p| {
        let given = p.given_name.as_deref()?;
        let normal = if style.initialize { spaced(given) } else { initials(given, &style.terminator, style.hyphen) };
        (normal != given).then(|| Person { given_name: Some(normal), ..p.clone() })
    })
}

/// A given name with a space after each period that a capital follows.
fn spaced(given: &str) -> String {
    let mut out = String::new();
    let mut chars = given.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '.' && chars.peek().is_some_and(|n| n.is_uppercase()) {
            out.push(' ');
        }
    }
    out
}

/// A given name with its initials normalised as citeproc-js's
/// `CSL.Util.Names.initializeWith` does when it only normalises.
fn initials(given: &str, terminator: &str, hyphen: bool) -> String {
    let latin = |c: char| c.is_alphabetic() && (c < '\u{530}' || ('\u{1E00}'..='\u{1FFF}').contains(&c));
    if matches!(given, "Lord" | "Lady") || !given.chars().next().is_some_and(latin) {
        return given.to_owned();
    }
    // Hyphens close up, and one before a lower-case letter joins a word.
    let name = closed_up(&if hyphen { given.to_owned() } else { given.replace('-', " ") });
    let chars: Vec<char> = name.chars().collect();
    let mut joined = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let joins = c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
        joined.push(if joins { '\u{2013}' } else { c });
        // A period not followed by a space (but the last) gets one.
        if c == '.' && i + 1 < chars.len() && chars[i + 1] != ' ' {
            joined.push(' ');
        }
    }
    // Elements and the hyphens and spaces between them.
    let mut parts: Vec<String> = Vec::new();
    for c in joined.chars() {
        let sep = c == '-' || c.is_whitespace();
        match parts.last_mut() {
            Some(last) if last.chars().all(|l| l == '-' || l.is_whitespace()) == sep && !last.is_empty() => {
                last.push(c)
            }
            _ => parts.push(c.to_string()),
        }
    }
    if parts.first().is_some_and(|p| p.starts_with(|c: char| c == '-' || c.is_whitespace())) {
        return given.to_owned();
    }
    if parts.len() == 1 {
        let tail = parts[0].rsplit('.').next().unwrap_or("");
        if tail.chars().count() == 1 && tail.chars().all(char::is_uppercase) {
            parts[0].push('.');
        }
    }
    let abbreviation: Vec<bool> = parts
        .iter_mut()
        .map(|p| {
            if p.chars().count() > 1 && p.ends_with('.') {
                p.pop();
                true
            } else {
                p.chars().count() == 1 && p.to_uppercase() == *p
            }
        })
        .collect();
    let n = parts.len();
    for i in (0..n).step_by(2) {
        if !abbreviation[i] {
            continue;
        }
        if i + 2 < n {
            if !abbreviation[i + 2] {
                parts[i + 1].push(' ');
            }
            parts[i + 1] = if parts[i + 2].chars().count() > 1 {
                format!("{terminator}{}", parts[i + 1])
            } else {
                terminator.to_owned()
            };
        }
        if i == n - 1 {
            parts[i].push_str(terminator);
        }
    }
    closed_up(&parts.concat()).replace('\u{2013}', "-")
}

/// `s` with one space between words and none around hyphens.
fn closed_up(s: &str) -> String {
    let mut out = String::new();
    for word in s.split_whitespace() {
        if !out.is_empty() && !out.ends_with('-') && !word.starts_with('-') {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_keeps_its_stop_words_in_lower_case() {
        assert_eq!(stop_words_lowered("Ed. And Translator"), "Ed. and Translator");
        assert_eq!(stop_words_lowered("Eds. And Trans."), "Eds. and Trans.");
        assert_eq!(stop_words_lowered("And More"), "And More", "the first word stays");
        assert_eq!(stop_words_lowered("Comp. By Hand"), "Comp. by Hand");
    }

    #[test]
    fn initials_are_normalised_as_citeproc_js_normalises_them() {
        for (given, hyphen, normal) in [
            ("J.-J.", true, "J. J."),
            ("J-J", true, "J. J."),
            ("J.J.", true, "J. J."),
            ("K.-Y. Li", true, "K. Y. Li"),
            ("J.-Jacques", true, "J.-Jacques"),
            ("Jean-Jacques", true, "Jean-Jacques"),
            ("James T", true, "James T."),
            ("Mary Jean", true, "Mary Jean"),
            ("J.-J.", false, "J. J."),
            ("Lord", true, "Lord"),
            ("Ŝ", true, "Ŝ."),
        ] {
            assert_eq!(initials(given, ". ", hyphen), normal, "{given}");
        }
        assert_eq!(spaced("P.Q."), "P. Q.");
        assert_eq!(spaced("J.-J. Rousseau"), "J.-J. Rousseau");
    }
}
