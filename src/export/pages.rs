//! Page ranges in formatted entries as CSL processors print them, where
//! hayagriva 0.10.1 does not, mended in the rendered text:
//! - a range whose ends are one page (`20-20`, how TeX bibliographies often
//!   give a one-page article) is labelled as one page, "p. 20–20", where
//!   citeproc-js and pandoc say "pp. 20–20"
//!   (docs/upstream/hayagriva-page-range-plural.md), and in a style that
//!   abbreviates ranges (Chicago, Vancouver) printed "127–7", where they keep
//!   both ends, "127–127";
//! - a range that is not numbers (`49-??`, an unknown last page) gets an en
//!   dash and a singular label, "p. 49–??", where they leave the value as
//!   written, "pp. 49-??" (docs/upstream/hayagriva-page-range-dash.md);
//!   the label is plural where citeproc-js counts the value as several
//!   numbers ([`counts_as_pages`]: `49-??` but not `??-??` or `11/1-11/9`),
//!   and only where the style's label takes its number from the range.

use std::sync::LazyLock;

use hayagriva::Entry;
use hayagriva::citationberg::taxonomy::Term;
use hayagriva::citationberg::{Locale, LocaleCode, TermForm};
use hayagriva::types::{MaybeTyped, PageRangesPart};
use regex::Regex;

use super::csl::{Markup, Styled};

/// What to mend in one entry's text.
pub(super) struct Mend {
    /// The range as hayagriva renders it, escaped, and as it should read.
    rendered: String,
    written: String,
    /// For a numeric range of one page, its end: the rendered text is only
    /// the range's start, and the end the style abbreviated follows.
    same_end: Option<String>,
    /// Whether a singular label before the range becomes plural.
    plural: bool,
}

/// The mend an entry's page range needs, if any.
pub(super) fn mend_for(entry: &Entry, markup: Markup) -> Option<Mend> {
    let escaped = |s: &str| super::csl::escaped(s, markup);
    match entry.page_range()? {
        MaybeTyped::Typed(pages) => {
            let (start, end) = pages.ranges.iter().find_map(|r| match r {
                PageRangesPart::Range(s, e) | PageRangesPart::EscapedRange(s, e) if s == e => {
                    Some((s.to_string(), e.to_string()))
                }
                _ => None,
            })?;
            Some(Mend {
                rendered: escaped(&start),
                written: escaped(&start),
                same_end: Some(escaped(&end)),
                plural: true,
            })
        }
        MaybeTyped::String(value) => value.contains('-').then(|| Mend {
            rendered: escaped(&value.replace('-', "\u{2013}")),
            written: escaped(value),
            same_end: None,
            plural: counts_as_pages(value),
        }),
    }
}

/// Whether citeproc-js labels a page value that is not a plain range as
/// several pages: it splits the value at its joiners (dashes, `, `, `; `,
/// `&`, `and`) and counts it as numbers when there are several parts and
/// the first, past a lettered prefix (`A12`), is a number or a lower-case
/// Roman one, with at most letters or a dashed number after it.
fn counts_as_pages(value: &str) -> bool {
    static JOINER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s*&\s*|\s+and\s+|[;,]\s+|\s*\\*[-\u{2013}]+\s*").expect("a valid pattern"));
    static PREFIXED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[0-9]*[a-zA-Z]+0*)?([0-9]+(?:[a-zA-Z]*|[-,a-zA-Z]+))$").expect("a valid pattern")
    });
    static NUMBER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:[0-9]+|[ixv]+)(?:[-,:a-zA-Z]*|-[-0-9]+)$").expect("a valid pattern"));
    let mut parts = JOINER.split(value);
    let first = parts.next().unwrap_or_default().trim();
    let first = PREFIXED.captures(first).and_then(|c| c.get(1)).map_or(first, |m| m.as_str());
    parts.next().is_some() && NUMBER.is_match(first)
}

/// The page label's singular and plural in each form, from the style's own
/// locale blocks first, then the locale the render uses, then en-US; none
/// when the style's bibliography has no label that takes its number from
/// the range.
pub(super) fn labels(styled: &Styled) -> Vec<(String, String)> {
    if !super::styles::labels_pages_by_range(&styled.style) {
        return Vec::new();
    }
    let code = styled.locale.clone().or_else(|| styled.style.default_locale.clone()).unwrap_or_else(LocaleCode::en_us);
    let lang = code.0.split('-').next().unwrap_or_default().to_owned();
    let applies = |l: &Locale| l.lang.as_ref().is_none_or(|c| c == &code || c.0 == lang);
    let chain = styled
        .style
        .locale
        .iter()
        .filter(|l| applies(l))
        .chain(styled.locales.iter().filter(|l| l.lang.as_ref() == Some(&code)))
        .chain(styled.locales.iter().filter(|l| l.lang.as_ref() == Some(&LocaleCode::en_us())));
    let mut out = Vec::new();
    for locale in chain {
        for form in [TermForm::Short, TermForm::Long, TermForm::Symbol] {
            let term = locale.term(Term::PageVariable, form);
            if let Some((one, many)) = term.and_then(|t| Some((t.single()?, t.multiple()?)))
                && one != many
                && !out.iter().any(|(o, _): &(String, String)| o == one)
            {
                out.push((one.to_owned(), many.to_owned()));
            }
        }
    }
    out
}

/// The entry's text with its page range mended: a singular label directly
/// before the range made plural, and the range as written (a one-page
/// range with both ends whole).
pub(super) fn mend(text: &str, mend: &Mend, labels: &[(String, String)]) -> String {
    let Some(at) = find_range(text, mend) else { return text.to_owned() };
    let mut out = String::with_capacity(text.len() + 2);
    let before = &text[..at];
    // The label as the locale gives it, or capitalised where it opens a
    // sentence (ASA's "Pp. 625-?? in").
    let capital = |t: &str| t.chars().take(1).flat_map(char::to_uppercase).chain(t.chars().skip(1)).collect::<String>();
    let forms = labels.iter().flat_map(|(one, many)| [(one.clone(), many.clone()), (capital(one), capital(many))]);
    let label = before.strip_suffix([' ', '\u{a0}']).and_then(|b| {
        forms.clone().find_map(|(one, many)| b.strip_suffix(one.as_str()).map(|head| (head, many, &before[b.len()..])))
    });
    match label {
        Some((head, many, space))
            if mend.plural && (head.is_empty() || head.ends_with(|c: char| !c.is_alphanumeric())) =>
        {
            out.push_str(head);
            out.push_str(&many);
            out.push_str(space);
        }
        _ => out.push_str(before),
    }
    out.push_str(&mend.written);
    let mut rest = &text[at + mend.rendered.len()..];
    if let Some(end) = &mend.same_end {
        let dash = rest.chars().next().map_or(0, char::len_utf8);
        let tail = rest[dash..].find(|c: char| !c.is_alphanumeric()).map_or(rest.len(), |e| dash + e);
        if tail >= dash && end.ends_with(&rest[dash..tail]) {
            out.push_str(&rest[..dash]);
            out.push_str(end);
            rest = &rest[tail..];
        }
    }
    out.push_str(rest);
    out
}

/// Where the rendered range is: for a numeric range, its start followed by a
/// dash and not preceded by a digit.
fn find_range(text: &str, mend: &Mend) -> Option<usize> {
    text.match_indices(mend.rendered.as_str()).map(|(i, _)| i).find(|&i| {
        let after = &text[i + mend.rendered.len()..];
        let clean_start = !text[..i].ends_with(|c: char| c.is_alphanumeric());
        clean_start && (mend.same_end.is_none() || after.starts_with(['-', '\u{2013}']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(pages: &str) -> Entry {
        let yaml = format!("a:\n  type: article\n  title: T\n  page-range: \"{pages}\"\n");
        hayagriva::io::from_yaml_str(&yaml).unwrap().iter().next().unwrap().clone()
    }

    fn en() -> Vec<(String, String)> {
        vec![("p.".into(), "pp.".into()), ("page".into(), "pages".into())]
    }

    #[test]
    fn a_range_of_one_page_takes_the_plural_label() {
        let m = mend_for(&entry("20-20"), Markup::Text).unwrap();
        assert_eq!(mend("vol. 1, p. 20–20, Oct. 1980.", &m, &en()), "vol. 1, pp. 20–20, Oct. 1980.");
        assert_eq!(mend("vol. 1, page 20–20.", &m, &en()), "vol. 1, pages 20–20.");
        assert_eq!(mend("Title 1, 20–20.", &m, &en()), "Title 1, 20–20.", "no label, nothing to change");
        assert_eq!(mend("vol. 120, p. 20–20.", &m, &en()), "vol. 120, pp. 20–20.", "not inside 120");
        assert!(mend_for(&entry("20-21"), Markup::Text).is_none(), "hayagriva labels a range of pages right");
        assert!(mend_for(&entry("20"), Markup::Text).is_none());
    }

    #[test]
    fn a_range_of_one_page_keeps_both_ends_whole() {
        let m = mend_for(&entry("127-127"), Markup::Text).unwrap();
        assert_eq!(mend("1981;2(1):127–7. Available", &m, &en()), "1981;2(1):127–127. Available");
        assert_eq!(mend("TUGboat 2 (1): 127–27.", &m, &en()), "TUGboat 2 (1): 127–127.");
        assert_eq!(mend("TUGboat 2: 127–127.", &m, &en()), "TUGboat 2: 127–127.");
        let m = mend_for(&entry("c3-c3"), Markup::Text).unwrap();
        assert_eq!(mend("6(1, 11):c3–3.", &m, &en()), "6(1, 11):c3–c3.");
        // MLA's minimal ranges leave nothing after the dash.
        assert_eq!(
            mend("TUGboat 6.1 (1985): c3–, https://tug.org.", &m, &en()),
            "TUGboat 6.1 (1985): c3–c3, https://tug.org."
        );
        let m = mend_for(&entry("127-127"), Markup::Text).unwrap();
        assert_eq!(mend("TUGboat 2.1 (1981): 127–.", &m, &en()), "TUGboat 2.1 (1981): 127–127.");
        let m = mend_for(&entry("20-20, 30"), Markup::Text).unwrap();
        assert_eq!(mend("pp. 20–20, 30.", &m, &en()), "pp. 20–20, 30.", "already plural");
    }

    #[test]
    fn a_range_that_is_not_numbers_stays_as_written() {
        let m = mend_for(&entry("49-??"), Markup::Text).unwrap();
        assert_eq!(mend("Newsweek, 124, 49–??.", &m, &en()), "Newsweek, 124, 49-??.");
        assert_eq!(mend("vol. 6, p. 49–??, 1980.", &m, &en()), "vol. 6, pp. 49-??, 1980.");
        assert_eq!(mend("vol. 6, Up. 49–??", &m, &en()), "vol. 6, Up. 49-??", "a label is a whole word");
        assert_eq!(mend("“Title.” P. 49–?? in", &m, &en()), "“Title.” Pp. 49-?? in", "capitalised");
        assert!(mend_for(&entry("xii"), Markup::Text).is_none());
    }

    #[test]
    fn a_value_citeproc_js_reads_as_one_page_keeps_a_singular_label() {
        for one in
            ["??-??", "11/1-11/9", "12.5.1-12.5.4", "15:1-15:??", "G-i-G-v", "xiii + 457, with 230 illustrations"]
        {
            assert!(!counts_as_pages(one), "{one}");
        }
        for many in ["49-??", "43-49 (or 43-48??)", "xi-??", "A12-A??", "3, 5 and ??"] {
            assert!(counts_as_pages(many), "{many}");
        }
        let m = mend_for(&entry("??-??"), Markup::Text).unwrap();
        assert_eq!(mend("46, p. ??–??", &m, &en()), "46, p. ??-??");
    }
}
