//! hayagriva's field names, and what to suggest for a name it does not know.
//! hayagriva drops unknown fields without a word; this list is how we notice.

/// Every field an entry (or a parent) may have, as hayagriva 0.10.1 reads
/// them, and citelock's `date-end`: the end of a date range (`date: 1884`,
/// `date-end: 1886`), which hayagriva has no place for and ignores.
pub const KNOWN: &[&str] = &[
    "date-end",
    "type",
    "parent",
    "title",
    "author",
    "date",
    "editor",
    "affiliated",
    "publisher",
    "location",
    "organization",
    "issue",
    "chapter",
    "volume",
    "volume-total",
    "edition",
    "page-range",
    "page-total",
    "time-range",
    "runtime",
    "url",
    "serial-number",
    "serial",
    "language",
    "archive",
    "archive-location",
    "call-number",
    "note",
    "abstract",
    "genre",
];

/// Names from other formats that people write by habit, and where hayagriva wants them.
const HABITS: &[(&str, &str)] = &[
    ("doi", "hayagriva keeps DOIs under `serial-number: {doi: …}`"),
    ("isbn", "hayagriva keeps ISBNs under `serial-number: {isbn: …}`"),
    ("issn", "hayagriva keeps ISSNs under `serial-number: {issn: …}`"),
    ("pmid", "hayagriva keeps PubMed ids under `serial-number: {pmid: …}`"),
    ("year", "use `date` (`date: 2020` or `date: 2020-05-01`)"),
    ("month", "use `date` (`date: 2020-05`)"),
    ("journal", "a journal is a parent: `parent: {type: periodical, title: …}`"),
    ("journaltitle", "a journal is a parent: `parent: {type: periodical, title: …}`"),
    ("booktitle", "the book is a parent: `parent: {type: book, title: …}`"),
    ("container-title", "the container is a parent: `parent: {title: …}`"),
    ("pages", "use `page-range` (`page-range: 12-34`)"),
    ("page", "use `page-range` (`page-range: 12-34`)"),
    ("authors", "use `author` (a list is fine)"),
    ("editors", "use `editor` (a list is fine)"),
    ("urldate", "the access date goes with the URL: `url: {value: …, date: 2024-05-01}`"),
    ("accessed", "the access date goes with the URL: `url: {value: …, date: 2024-05-01}`"),
    ("keywords", "hayagriva has no keywords field; it would be dropped"),
    ("address", "use `location`"),
    ("institution", "use `organization`"),
    ("school", "use `organization`"),
    ("number", "use `issue`, or `serial-number` for report numbers"),
];

/// Whether hayagriva reads a field of this name.
pub fn is_known(name: &str) -> bool {
    KNOWN.contains(&name)
}

/// Help for an unknown field: the habit it comes from, or the nearest known name.
pub fn suggest(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    if let Some((_, help)) = HABITS.iter().find(|(habit, _)| *habit == lower) {
        return Some((*help).to_owned());
    }
    let (best, score) =
        KNOWN.iter().map(|k| (*k, strsim::jaro_winkler(&lower, k))).max_by(|a, b| a.1.total_cmp(&b.1))?;
    (score >= 0.85).then(|| format!("did you mean `{best}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("titel").as_deref(), Some("did you mean `title`?"));
        assert_eq!(suggest("auhtor").as_deref(), Some("did you mean `author`?"));
        assert!(suggest("DOI").unwrap().contains("serial-number"));
        assert_eq!(suggest("zzzzzz"), None);
        assert!(is_known("page-range") && !is_known("pages"));
    }
}
