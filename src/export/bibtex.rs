//! BibTeX and BibLaTeX, written through the `biblatex` crate (hayagriva's
//! own dependency) from the flat view: it escapes `& % _ $ # { }`, and
//! `{Case}`-protected parts of titles stay braced. Text stays UTF-8, which
//! biber and modern BibTeX read.

use biblatex::{Chunk, Entry as Bib, EntryType, Spanned};

use super::Archived;
use super::flat::{Flat, Kind, chunks, family_given, is_institution};

/// BibTeX or BibLaTeX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Classic BibTeX fields (`journal`, `year`/`month`, `address`).
    Bibtex,
    /// BibLaTeX fields (`journaltitle`, `date`, `location`).
    Biblatex,
}

/// Text as a chunk. A `~` in hayagriva's text is TeX's tie, read literally:
/// written back it must stay a space that does not break, not become `\~`
/// (an accent).
fn normal(s: &str) -> Vec<Spanned<Chunk>> {
    vec![Spanned::detached(Chunk::Normal(s.replace('~', "\u{a0}")))]
}

/// A value for a BibLaTeX list field (`publisher`, `location`): a literal
/// " and " is braced, or it would split the value in two.
fn literal(s: &str) -> Vec<Spanned<Chunk>> {
    let mut out = Vec::new();
    for (i, part) in s.split(" and ").enumerate() {
        if i > 0 {
            out.push(Spanned::detached(Chunk::Normal(" ".into())));
            out.push(Spanned::detached(Chunk::Verbatim("and".into())));
            out.push(Spanned::detached(Chunk::Normal(" ".into())));
        }
        out.extend(normal(part));
    }
    out
}

/// Chunks of a format string, `{Case}`-protected parts kept verbatim.
fn protected(f: &hayagriva::types::FormatString) -> Vec<Spanned<Chunk>> {
    chunks(f)
        .into_iter()
        .map(|(s, verbatim)| {
            let s = s.replace('~', "\u{a0}");
            Spanned::detached(if verbatim { Chunk::Verbatim(s) } else { Chunk::Normal(s) })
        })
        .collect()
}

/// The babel name BibLaTeX's `langid` takes for a language tag.
fn babel(tag: &str) -> Option<&'static str> {
    let lower = tag.to_ascii_lowercase();
    Some(match lower.as_str() {
        "en" | "en-us" => "american",
        "en-gb" => "british",
        "en-ca" => "canadian",
        "en-au" => "australian",
        "en-nz" => "newzealand",
        "de" | "de-de" => "german",
        "de-at" => "austrian",
        "de-ch" => "swissgerman",
        "pt-br" => "brazil",
        "nb" | "no" => "norsk",
        "nn" => "nynorsk",
        "hu" => "magyar",
        "sr" => "serbian",
        _ => match lower.split('-').next().unwrap_or("") {
            "eu" => "basque",
            "bg" => "bulgarian",
            "ca" => "catalan",
            "hr" => "croatian",
            "cs" => "czech",
            "da" => "danish",
            "nl" => "dutch",
            "et" => "estonian",
            "fi" => "finnish",
            "fr" => "french",
            "el" => "greek",
            "is" => "icelandic",
            "it" => "italian",
            "lv" => "latvian",
            "lt" => "lithuanian",
            "pl" => "polish",
            "pt" => "portuguese",
            "ro" => "romanian",
            "ru" => "russian",
            "sk" => "slovak",
            "sl" => "slovene",
            "es" => "spanish",
            "sv" => "swedish",
            "tr" => "turkish",
            "uk" => "ukrainian",
            _ => return None,
        },
    })
}

fn entry_type(kind: Kind) -> EntryType {
    match kind {
        Kind::JournalArticle | Kind::NewspaperArticle => EntryType::Article,
        Kind::Paper => EntryType::InProceedings,
        Kind::Chapter => EntryType::InCollection,
        Kind::Book => EntryType::Book,
        Kind::Anthology => EntryType::Collection,
        Kind::Proceedings => EntryType::Proceedings,
        Kind::Report => EntryType::Report,
        Kind::Thesis => EntryType::Thesis,
        Kind::Web | Kind::BlogPost | Kind::Post => EntryType::Online,
        Kind::Patent => EntryType::Patent,
        Kind::Manuscript => EntryType::Unpublished,
        Kind::Periodical => EntryType::Periodical,
        Kind::Software => EntryType::Software,
        Kind::Case | Kind::Legislation | Kind::Misc => EntryType::Misc,
    }
}

/// Names joined by `and`; an organisation's name braced so it is not split.
fn names(people: &[hayagriva::types::Person]) -> Vec<Spanned<Chunk>> {
    let mut out = Vec::new();
    for (i, p) in people.iter().enumerate() {
        if i > 0 {
            out.push(Spanned::detached(Chunk::Normal(" and ".into())));
        }
        if is_institution(p) {
            out.push(Spanned::detached(Chunk::Verbatim(p.name.clone())));
        } else if p.name.contains(char::is_whitespace) {
            // A family name of several words (`{Vázques de Parga}`) is one name, not a particle and a name.
            if let Some(prefix) = &p.prefix {
                out.push(Spanned::detached(Chunk::Normal(format!("{prefix} "))));
            }
            out.push(Spanned::detached(Chunk::Verbatim(p.name.clone())));
            let rest = family_given(&hayagriva::types::Person { name: String::new(), prefix: None, ..p.clone() });
            out.push(Spanned::detached(Chunk::Normal(rest)));
        } else {
            out.push(Spanned::detached(Chunk::Normal(family_given(p))));
        }
    }
    out
}

fn set(e: &mut Bib, field: &str, value: Option<&String>) {
    if let Some(v) = value {
        e.set(field, normal(v));
    }
}

/// One entry in the dialect.
fn entry(f: &Flat, archived: Option<&Archived>, dialect: Dialect) -> Bib {
    let mut e = Bib::new(f.key.to_owned(), entry_type(f.kind));
    if let Some(t) = f.title {
        e.set("title", protected(t));
        if let Some(short) = &t.short {
            e.set("shorttitle", normal(&short.to_string()));
        }
    }
    if !f.authors.is_empty() {
        e.set("author", names(f.authors));
    }
    if !f.editors.is_empty() {
        e.set("editor", names(f.editors));
    }
    if let Some(d) = f.date {
        let range = f.date_end.map(|end| format!("{}/{}", d.iso(), end.iso()));
        e.set("date", normal(&range.unwrap_or_else(|| d.iso())));
    }
    if let Some(c) = f.container {
        let field = match f.kind {
            Kind::JournalArticle | Kind::NewspaperArticle => "journaltitle",
            Kind::Paper | Kind::Chapter => "booktitle",
            _ => "howpublished",
        };
        e.set(field, protected(c));
    }
    if let Some(series) = f.series {
        e.set("series", protected(series));
    }
    set(&mut e, "volume", f.volume.as_ref());
    set(&mut e, "number", f.issue.as_ref());
    set(&mut e, "pages", f.pages.as_ref());
    set(&mut e, "edition", f.edition.as_ref());
    let org = if matches!(f.kind, Kind::Report | Kind::Thesis) { "institution" } else { "organization" };
    for (field, value) in [("publisher", &f.publisher), ("location", &f.place), (org, &f.organization)] {
        if let Some(v) = value {
            e.set(field, literal(v));
        }
    }
    set(&mut e, "url", f.url.as_ref());
    set(&mut e, "urldate", f.accessed.map(|d| d.iso()).as_ref());
    set(&mut e, "doi", f.doi.as_ref());
    set(&mut e, "isbn", f.isbn.as_ref());
    set(&mut e, "issn", f.issn.as_ref());
    if let Some(a) = &f.arxiv {
        e.set("eprint", normal(a));
        e.set("eprinttype", normal("arxiv"));
    }
    set(&mut e, "note", f.note.as_ref());
    set(&mut e, "abstract", f.abstract_.as_ref());
    if let Some(name) = f.language.as_deref().and_then(babel) {
        e.set("langid", normal(name));
    }
    set(&mut e, "version", f.version.as_ref());
    let mut addendum = Vec::new();
    if let Some(a) = &f.archive {
        addendum.push(match &f.archive_location {
            Some(l) => format!("{a}, {l}"),
            None => a.clone(),
        });
    }
    if let Some(a) = archived {
        addendum.push(a.sentence());
    }
    if !addendum.is_empty() {
        e.set("addendum", normal(&addendum.join(". ")));
    }
    if dialect == Dialect::Bibtex && f.kind == Kind::Web {
        e.set("howpublished", normal("online"));
    }
    e
}

/// Rewrites the biblatex crate's escapes that TeX reads otherwise: `\^` is a
/// circumflex on the next letter and `\\` a line break, and `\{` and `\}`
/// still count as braces, so a lone one leaves the entry unclosed. Every
/// backslash in the crate's output starts one of its escapes.
fn tex_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push_str("\\textbackslash{}"),
            Some('{') => out.push_str("\\textbraceleft{}"),
            Some('}') => out.push_str("\\textbraceright{}"),
            Some('^') => out.push_str("\\textasciicircum{}"),
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The whole bibliography in the dialect.
pub fn write(entries: &[(Flat, Option<&Archived>)], dialect: Dialect) -> String {
    let mut out = String::new();
    for (f, archived) in entries {
        let e = entry(f, *archived, dialect);
        let text = match dialect {
            Dialect::Biblatex => e.to_biblatex_string(),
            // The date was written as ISO parts, which always converts.
            Dialect::Bibtex => e.to_bibtex_string().unwrap_or_else(|_| e.to_biblatex_string()),
        };
        out.push_str(&tex_safe(&text));
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat_of(yaml: &str) -> hayagriva::Entry {
        hayagriva::io::from_yaml_str(yaml).unwrap().iter().next().unwrap().clone()
    }

    #[test]
    fn escapes_protects_case_and_converts_dates() {
        let e = flat_of(
            "k:\n  type: article\n  title: '{NASA} & the 100% _real_ Moon'\n  author: ['Doe, Jane', 'World Health Organization']\n  date: 2020-05-01\n  parent:\n    type: periodical\n    title: Journal of Things\n    volume: 3\n",
        );
        let bib = write(&[(Flat::of(&e), None)], Dialect::Bibtex);
        assert!(bib.starts_with("@article{k,"), "{bib}");
        assert!(
            bib.contains("{NASA}") && bib.contains("\\&") && bib.contains("100\\%") && bib.contains("\\_real\\_"),
            "{bib}"
        );
        assert!(bib.contains("year = {2020},\nmonth = {05},\nday = {01}"), "one-based month and day: {bib}");
        assert!(bib.contains("Doe, Jane and {World Health Organization}"), "{bib}");
        assert!(bib.contains("journal = {Journal of Things}") && bib.contains("volume = {3}"), "{bib}");
        let blx = write(&[(Flat::of(&e), None)], Dialect::Biblatex);
        assert!(blx.contains("date = {2020-05-01}") && blx.contains("journaltitle"), "{blx}");
    }

    #[test]
    fn a_caret_is_no_accent_and_a_lone_brace_leaves_the_entry_closed() {
        let e = flat_of("k:\n  type: misc\n  title: '^ A \\{ b \\\\ c'\n");
        let bib = write(&[(Flat::of(&e), None)], Dialect::Biblatex);
        assert!(bib.contains("title = {\\textasciicircum{} A \\textbraceleft{} b \\textbackslash{} c}"), "{bib}");
        let back = crate::library::import::read(crate::library::import::Source::Bibtex, &bib, "k.bib");
        assert_eq!(back.entries[0].entry.title().unwrap().value.to_string(), "^ A { b \\ c");
    }
}
