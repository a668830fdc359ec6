//! Duplicate detection: two entries are the same work when they share a DOI,
//! an ISBN (books themselves, not their chapters), a normalised URL, or a
//! normalised title + year + first author. An index answers in O(1) per
//! entry, so checking an import against a large library stays linear.

use std::collections::HashMap;

use hayagriva::Entry;
use unicode_normalization::UnicodeNormalization;

/// What two entries were found to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The same DOI (normalised).
    Doi(String),
    /// The same ISBN (as ISBN-13).
    Isbn(String),
    /// The same URL (normalised).
    Url(String),
    /// The same title, year and first author.
    Title,
}

impl Reason {
    /// A short phrase for messages: "the same DOI 10.1/x".
    pub fn describe(&self) -> String {
        match self {
            Reason::Doi(d) => format!("the same DOI {d}"),
            Reason::Isbn(i) => format!("the same ISBN {i}"),
            Reason::Url(u) => format!("the same URL {u}"),
            Reason::Title => "the same title, year and first author".into(),
        }
    }

    /// A machine name for `data`.
    pub fn name(&self) -> &'static str {
        match self {
            Reason::Doi(_) => "doi",
            Reason::Isbn(_) => "isbn",
            Reason::Url(_) => "url",
            Reason::Title => "title-year-author",
        }
    }
}

/// Maps identities to the key that first had them.
#[derive(Debug, Default)]
pub struct Index {
    by: HashMap<(u8, String), String>,
}

/// The identities of an entry: (kind, normalised value), with the reason each gives.
fn identities(entry: &Entry) -> Vec<((u8, String), Reason)> {
    let mut out = Vec::new();
    if let Some(doi) = entry.doi().and_then(normalise_doi) {
        out.push(((0, doi.clone()), Reason::Doi(doi)));
    }
    if entry.parents().is_empty()
        && let Some(isbn) = entry.isbn().and_then(normalise_isbn)
    {
        out.push(((1, isbn.clone()), Reason::Isbn(isbn)));
    }
    if let Some(url) = entry.url().and_then(|u| normalise_url(u.value.as_str())) {
        out.push(((2, url.clone()), Reason::Url(url)));
    }
    if let Some(t) = title_key(entry) {
        out.push(((3, t), Reason::Title));
    }
    out
}

impl Index {
    /// Records `entry` under `key` (earlier keys keep their identities).
    pub fn insert(&mut self, key: &str, entry: &Entry) {
        for (id, _) in identities(entry) {
            self.by.entry(id).or_insert_with(|| key.to_owned());
        }
    }

    /// The first indexed key that `entry` duplicates, other than `entry`'s own
    /// key and keys `distinct` says are different works.
    pub fn find(&self, entry: &Entry, distinct: impl Fn(&str) -> bool) -> Option<(String, Reason)> {
        identities(entry).into_iter().find_map(|(id, reason)| {
            let key = self.by.get(&id)?;
            (key != entry.key() && !distinct(key)).then(|| (key.clone(), reason))
        })
    }
}

/// What two entries share that makes them the same work, if anything.
pub fn same_work(a: &Entry, b: &Entry) -> Option<Reason> {
    let theirs: Vec<(u8, String)> = identities(b).into_iter().map(|(id, _)| id).collect();
    identities(a).into_iter().find(|(id, _)| theirs.contains(id)).map(|(_, reason)| reason)
}

/// `https://doi.org/10.1000/ABC` and `doi:10.1000/abc` → `10.1000/abc`.
pub fn normalise_doi(doi: &str) -> Option<String> {
    let d = doi.trim();
    let lower = d.to_lowercase();
    let start = lower.find("10.")?;
    let d = lower[start..].trim_end_matches(['.', ',', ';']);
    d.contains('/').then(|| d.to_owned())
}

/// Any ISBN-10 or ISBN-13, hyphens or not, as ISBN-13 digits.
pub fn normalise_isbn(isbn: &str) -> Option<String> {
    let chars: String = isbn.chars().filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x').collect();
    match chars.len() {
        13 => Some(chars),
        10 => {
            let body = format!("978{}", &chars[..9]);
            let sum: u32 =
                body.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
            Some(format!("{body}{}", (10 - sum % 10) % 10))
        }
        _ => None,
    }
}

/// Scheme, `www.`, default port, trailing slash, fragment and `utm_*`
/// parameters do not make a different page.
pub fn normalise_url(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    let host = url.host_str()?.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    let query: Vec<String> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_"))
        .map(|(k, v)| if v.is_empty() { k.into_owned() } else { format!("{k}={v}") })
        .collect();
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    Some(format!("{host}{port}{path}{query}"))
}

/// Letters and digits of a title, NFKC and lower case, single-spaced.
fn normalise_title(title: &str) -> String {
    let folded: String =
        title.nfkc().flat_map(char::to_lowercase).map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Title + year + first author, when the title and at least one of the others are there.
fn title_key(entry: &Entry) -> Option<String> {
    let title = normalise_title(&entry.title()?.value.to_string());
    if title.is_empty() {
        return None;
    }
    let year = entry.date().map(|d| d.year.to_string());
    let author = entry.authors().and_then(|a| a.first()).map(|p| normalise_title(&p.name));
    if year.is_none() && author.is_none() {
        return None;
    }
    Some(format!("{title}|{}|{}", year.unwrap_or_default(), author.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib(yaml: &str) -> hayagriva::Library {
        hayagriva::io::from_yaml_str(yaml).unwrap()
    }

    #[test]
    fn normalisers() {
        assert_eq!(normalise_doi("https://doi.org/10.1000/ABC.").as_deref(), Some("10.1000/abc"));
        assert_eq!(normalise_doi("not a doi"), None);
        assert_eq!(normalise_isbn("0-306-40615-2").as_deref(), Some("9780306406157"));
        assert_eq!(normalise_isbn("978-0-306-40615-7").as_deref(), Some("9780306406157"));
        assert_eq!(
            normalise_url("http://WWW.Example.org:80/a/?utm_source=x&b=1#top").as_deref(),
            normalise_url("https://example.org/a?b=1").as_deref()
        );
    }

    #[test]
    fn finds_by_each_identity_and_respects_distinct_pairs() {
        let l = lib("\
a:
  type: article
  title: On Things
  author: Doe, Jane
  date: 2020
  serial-number: {doi: 10.1/X}
b:
  type: article
  title: Something else
  serial-number: {doi: 10.1/x}
c:
  type: article
  title: 'On things!'
  author: Doe, J.
  date: 2020
d:
  type: web
  title: Other
  url: https://example.org/page/
e:
  type: web
  title: Other again
  url: http://www.example.org/page
");
        let mut index = Index::default();
        index.insert("a", l.get("a").unwrap());
        index.insert("d", l.get("d").unwrap());
        let none = |_: &str| false;
        assert_eq!(index.find(l.get("b").unwrap(), none).unwrap().0, "a");
        assert_eq!(index.find(l.get("c").unwrap(), none), Some(("a".into(), Reason::Title)));
        assert_eq!(index.find(l.get("e").unwrap(), none).unwrap().1.name(), "url");
        assert_eq!(index.find(l.get("b").unwrap(), |k| k == "a"), None);
        assert_eq!(index.find(l.get("a").unwrap(), none), None, "an entry is not its own duplicate");
    }
}
