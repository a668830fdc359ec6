//! CSL-JSON (Zotero's and pandoc's format) from the flat view, through our
//! own serde structs: `date-parts` one-based, names split into family and
//! given (an organisation as `literal`).

use serde::Serialize;

use super::Archived;
use super::flat::{Flat, Kind, Ymd, chunks, is_institution};
use hayagriva::types::FormatString;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Item {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    author: Vec<Name>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    editor: Vec<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issued: Option<DateParts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collection_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    volume: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher_place: Option<String>,
    #[serde(rename = "URL", skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accessed: Option<DateParts>,
    #[serde(rename = "DOI", skip_serializing_if = "Option::is_none")]
    doi: Option<String>,
    #[serde(rename = "ISBN", skip_serializing_if = "Option::is_none")]
    isbn: Option<String>,
    #[serde(rename = "ISSN", skip_serializing_if = "Option::is_none")]
    issn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(rename = "abstract", skip_serializing_if = "Option::is_none")]
    abstract_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    archive: Option<String>,
    #[serde(rename = "archive_location", skip_serializing_if = "Option::is_none")]
    archive_location: Option<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Name {
    Person {
        family: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        given: Option<String>,
        #[serde(rename = "dropping-particle", skip_serializing_if = "Option::is_none")]
        dropping: Option<String>,
        #[serde(rename = "non-dropping-particle", skip_serializing_if = "Option::is_none")]
        particle: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        suffix: Option<String>,
    },
    Literal {
        literal: String,
    },
}

#[derive(Serialize)]
struct DateParts {
    #[serde(rename = "date-parts")]
    parts: Vec<Vec<i32>>,
}

impl DateParts {
    /// A date, or a range to `end`.
    fn of(d: Ymd, end: Option<Ymd>) -> DateParts {
        let parts = |d: Ymd| {
            let mut p = vec![d.year];
            p.extend(d.month.map(i32::from));
            p.extend(d.day.map(i32::from));
            p
        };
        DateParts { parts: std::iter::once(d).chain(end).map(parts).collect() }
    }
}

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::JournalArticle => "article-journal",
        Kind::NewspaperArticle => "article-newspaper",
        Kind::Paper => "paper-conference",
        Kind::Chapter => "chapter",
        Kind::Book | Kind::Anthology | Kind::Proceedings => "book",
        Kind::Report => "report",
        Kind::Thesis => "thesis",
        Kind::Web => "webpage",
        Kind::BlogPost => "post-weblog",
        Kind::Post => "post",
        Kind::Patent => "patent",
        Kind::Manuscript => "manuscript",
        Kind::Periodical => "periodical",
        Kind::Software => "software",
        Kind::Case => "legal_case",
        Kind::Legislation => "legislation",
        Kind::Misc => "document",
    }
}

fn names(people: &[hayagriva::types::Person]) -> Vec<Name> {
    people
        .iter()
        .map(|p| {
            if is_institution(p) {
                Name::Literal { literal: p.name.clone() }
            } else {
                // hayagriva's `prefix` is the dropping particle; a
                // non-dropping one opens the family name (`van Beethoven`).
                Name::Person {
                    family: p.name_without_particle().to_owned(),
                    given: p.given_name.clone(),
                    dropping: p.prefix.clone(),
                    particle: p.name_particle().map(str::to_owned),
                    suffix: p.suffix.clone(),
                }
            }
        })
        .collect()
}

/// A title as CSL-JSON's rich text: case-protected parts (`{DNA}`) in
/// `<span class="nocase">`, as pandoc and Zotero write them.
fn rich(f: &FormatString) -> String {
    chunks(f)
        .into_iter()
        .map(|(s, protected)| if protected { format!("<span class=\"nocase\">{s}</span>") } else { s })
        .collect()
}

fn item(f: &Flat, archived: Option<&Archived>) -> Item {
    let (archive, archive_location) = match archived {
        Some(a) => (Some(a.holder()), Some(a.location.clone())),
        None => (f.archive.clone(), f.archive_location.clone()),
    };
    Item {
        id: f.key.to_owned(),
        kind: kind(f.kind),
        title: f.title.map(rich),
        author: names(f.authors),
        editor: names(f.editors),
        issued: f.date.map(|d| DateParts::of(d, f.date_end)),
        container_title: f.container.map(rich),
        collection_title: f.series.map(rich),
        volume: f.volume.clone(),
        issue: f.issue.clone(),
        page: f.pages.clone(),
        edition: f.edition.clone(),
        publisher: f.publisher.clone().or_else(|| f.organization.clone()),
        publisher_place: f.place.clone(),
        url: f.url.clone(),
        accessed: f.accessed.map(|d| DateParts::of(d, None)),
        doi: f.doi.clone(),
        isbn: f.isbn.clone(),
        issn: f.issn.clone(),
        version: f.version.clone(),
        note: f.note.clone(),
        abstract_: f.abstract_.clone(),
        language: f.language.clone(),
        archive,
        archive_location,
    }
}

/// The entries as a CSL-JSON array.
pub fn write(entries: &[(Flat, Option<&Archived>)]) -> String {
    let items: Vec<Item> = entries.iter().map(|(f, a)| item(f, *a)).collect();
    let mut s = serde_json::to_string_pretty(&items).expect("plain data serialises");
    s.push('\n');
    s
}
