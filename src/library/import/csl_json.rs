//! CSL-JSON import (Zotero's and pandoc's exports): each item is mapped onto
//! hayagriva's fields. A container (`container-title`) becomes a parent whose
//! type follows the item's type, as hayagriva models journals and books;
//! volume, issue and ISSN belong to that parent.

use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::{Import, Imported, dropped, escape, failed};
use crate::findings::LineIndex;

/// CSL type → (hayagriva type, parent type when there is a container).
fn types(csl: &str) -> (&'static str, &'static str) {
    match csl {
        "article-journal" | "article-magazine" | "review" | "review-book" => ("article", "periodical"),
        "article-newspaper" => ("article", "newspaper"),
        "article" => ("article", "repository"),
        "paper-conference" => ("article", "proceedings"),
        "chapter" => ("chapter", "book"),
        "entry" | "entry-dictionary" | "entry-encyclopedia" => ("entry", "reference"),
        "book" | "classic" | "collection" => ("book", "book"),
        "report" => ("report", "book"),
        "thesis" => ("thesis", "book"),
        "webpage" => ("web", "web"),
        "post-weblog" => ("post", "blog"),
        "post" => ("post", "thread"),
        "software" | "dataset" => ("repository", "repository"),
        "motion_picture" | "broadcast" => ("video", "video"),
        "song" => ("audio", "audio"),
        "patent" => ("patent", "misc"),
        "legal_case" => ("case", "misc"),
        "bill" | "legislation" | "regulation" | "treaty" => ("legislation", "misc"),
        "manuscript" => ("manuscript", "misc"),
        "graphic" | "figure" => ("artwork", "exhibition"),
        "speech" | "performance" => ("performance", "misc"),
        "event" => ("exhibition", "misc"),
        "standard" => ("report", "misc"),
        _ => ("misc", "misc"),
    }
}

/// CSL fields this importer maps (or that carry no bibliographic data).
const MAPPED: &[&str] = &[
    "id",
    "type",
    "title",
    "author",
    "editor",
    "translator",
    "container-author",
    "issued",
    "accessed",
    "container-title",
    "collection-title",
    "collection-number",
    "publisher",
    "publisher-place",
    "volume",
    "issue",
    "page",
    "number-of-pages",
    "edition",
    "DOI",
    "ISBN",
    "ISSN",
    "PMID",
    "PMCID",
    "URL",
    "abstract",
    "language",
    "note",
    "genre",
    "archive",
    "archive_location",
    "call-number",
    "number",
    "title-short",
    "shortTitle",
    "citation-key",
    "source",
    "version",
    "number-of-volumes",
    "chapter-number",
    "_graph",
    "system_id",
    "citation-label",
    "original-date",
    "original-title",
    "original-publisher",
    "original-publisher-place",
    "event",
    "event-title",
    "event-place",
];

/// Reads a CSL-JSON array.
pub fn read(text: &str, name: &str) -> Import {
    let mut import = Import::default();
    let items: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(e) => {
            let message = if e.is_data() {
                "CSL-JSON must be an array of items (`[{\"id\": …, \"type\": …}, …]`)".to_owned()
            } else {
                format!("not valid JSON: {e}")
            };
            import.findings.push(failed(name, e.line().max(1), message).help("no entry was imported"));
            return import;
        }
    };
    let lines = LineIndex::new(text);
    for raw in items {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        let line = lines.position(text, offset).0;
        // serde_json stops at 128 levels of nesting ("recursion limit exceeded"),
        // so a hostile item costs neither stack nor much time.
        let item: Map<String, Value> = match serde_json::from_str(raw.get()) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                import.findings.push(failed(name, line, "a CSL-JSON item must be an object".into()));
                continue;
            }
            Err(e) => {
                import.findings.push(failed(name, line, format!("the item cannot be read: {e}")));
                continue;
            }
        };
        let mut item = item;
        let key = key_of(&item);
        let shown = if key.is_empty() { format!("item at line {line}") } else { format!("item `{key}`") };
        let mut unknown: Vec<String> = item.keys().filter(|k| !MAPPED.contains(&k.as_str())).cloned().collect();
        if let Some(end) = item.get("accessed").and_then(range_end) {
            unknown.push(format!("`accessed` ends {end} (a range: its start is kept)"));
        }
        // A URL without a scheme (`www.example.org`) cannot be held; the
        // rest of the item can.
        if let Some(url) = item.get("URL").and_then(Value::as_str).filter(|u| url::Url::parse(u).is_err()) {
            unknown.push(format!("`URL` {url:?} (not an absolute URL: write it with https://)"));
            item.remove("URL");
        }
        if !unknown.is_empty() {
            import.findings.push(dropped(name, line, &key, &unknown));
        }
        match fields(&item).and_then(|f| Imported::from_fields(&key, f, rich, line)) {
            Ok(imported) => import.entries.push(imported),
            Err(e) => import.findings.push(failed(name, line, format!("{shown} cannot be converted: {e}"))),
        }
    }
    import
}

/// CSL-JSON's rich text in hayagriva's syntax: the formatting tags CSL
/// processors read (`<i>`, `<b>`, `<sup>`, `<sub>`, small-caps spans) are
/// dropped, since hayagriva's text has no formatting; `<span
/// class="nocase">` becomes `{…}`, which protects case as it does; the rest
/// is text, escaped.
fn rich(s: &str) -> String {
    const DROPPED: &[&str] = &["<i>", "</i>", "<b>", "</b>", "<sup>", "</sup>", "<sub>", "</sub>", "<sc>", "</sc>"];
    let mut out = String::with_capacity(s.len());
    let mut spans = Vec::new();
    let mut rest = s;
    loop {
        let Some((lt, gt)) = rest.find('<').and_then(|lt| Some((lt, lt + rest[lt..].find('>')?))) else {
            out.push_str(&plain(rest, &spans));
            break;
        };
        out.push_str(&plain(&rest[..lt], &spans));
        let tag = &rest[lt..=gt];
        if tag == "<span class=\"nocase\">" {
            out.push('{');
            spans.push(true);
        } else if tag.starts_with("<span ") {
            spans.push(false);
        } else if tag == "</span>" && !spans.is_empty() {
            if spans.pop() == Some(true) {
                out.push('}');
            }
        } else if !DROPPED.contains(&tag) {
            out.push_str(&escape(tag));
        }
        rest = &rest[gt + 1..];
    }
    out.extend(spans.iter().filter(|&&nocase| nocase).map(|_| '}'));
    out
}

/// Text between tags: escaped, and outside a nocase span, protected.
fn plain(text: &str, spans: &[bool]) -> String {
    if spans.contains(&true) { escape(text) } else { protect(&escape(text)) }
}

/// Braces words with a capital after their first letter (`TUGboat`,
/// `MacUser`, `IBM`), which CSL processors leave as they are when they
/// change a title's case and hayagriva does not: its case changes skip
/// braced text.
fn protect(s: &str) -> String {
    let inner_capital = |w: &str| w.chars().skip(1).any(char::is_uppercase);
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if inner_capital(word) {
            out.push('{');
            out.push_str(word);
            out.push('}');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The item's id when it is a usable citation key (not Zotero's item URI, not a bare number).
fn key_of(item: &Map<String, Value>) -> String {
    let id = item.get("citation-key").or_else(|| item.get("id"));
    match id {
        Some(Value::String(s)) if !s.contains("://") && !s.chars().all(|c| c.is_ascii_digit()) => s.clone(),
        _ => String::new(),
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// [`text`], with the spaces it begins with.
fn leading_kept(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim_end().to_owned()),
        _ => text(v),
    }
}

/// CSL names → hayagriva persons.
fn persons(v: &Value) -> Result<Value, String> {
    let list = v.as_array().ok_or("names must be a list")?;
    let mut out = Vec::new();
    for n in list {
        let mut p = Map::new();
        // A space a name begins with is kept, as CSL processors sort it
        // (first): pandoc leaves one where it drops a TeX macro.
        if let Some(literal) = n.get("literal").and_then(leading_kept) {
            p.insert("name".into(), literal.into());
        } else {
            let family = n.get("family").and_then(leading_kept).ok_or("a name has neither `family` nor `literal`")?;
            if let Some(g) = n.get("given").and_then(text) {
                p.insert("given-name".into(), g.into());
            }
            // hayagriva reads a non-dropping particle from the family name
            // itself (`van Beethoven`) and calls the dropping one `prefix`.
            let family = match n.get("non-dropping-particle").and_then(text) {
                Some(particle) => format!("{particle} {family}"),
                None => family,
            };
            p.insert("name".into(), family.into());
            if let Some(prefix) = n.get("dropping-particle").and_then(text) {
                p.insert("prefix".into(), prefix.into());
            }
            if let Some(s) = n.get("suffix").and_then(text) {
                p.insert("suffix".into(), s.into());
            }
        }
        out.push(Value::Object(p));
    }
    Ok(out.into())
}

/// A CSL date as hayagriva writes it (`[~]YYYY[-MM[-DD]]`, `~` for
/// `circa`); none for an empty one (`"date-parts": []`, which pandoc writes
/// for a date it could not read: no date, as citeproc-js reads it, rather
/// than no entry). A range keeps its start: hayagriva's dates have no end
/// ([`range_end`] names what is left out).
fn date(v: &Value) -> Result<Option<String>, String> {
    let parts = v.get("date-parts").and_then(Value::as_array);
    if parts.is_some_and(|p| p.is_empty() || p[0].as_array().is_some_and(Vec::is_empty)) {
        return Ok(None);
    }
    let circa = match v.get("circa") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() != Some(0),
        Some(Value::String(s)) => !s.is_empty() && s != "0" && s != "false",
        _ => false,
    };
    let text = date_text(v)?;
    Ok(Some(if circa { format!("~{text}") } else { text }))
}

/// The end of a date range (`"date-parts": [[2019, 11], [2021, 2]]`): kept
/// as `date-end` for `issued`, which hayagriva ignores
/// (`crate::library::written`); an access date's is dropped.
fn range_end(v: &Value) -> Option<String> {
    let end = v.get("date-parts")?.as_array()?.get(1)?;
    let end = date_text(&json!({ "date-parts": [end] })).ok()?;
    Some(end)
}

fn date_text(v: &Value) -> Result<String, String> {
    if let Some(parts) = v.get("date-parts").and_then(|p| p.get(0)).and_then(Value::as_array) {
        let nums: Vec<i64> = parts
            .iter()
            .map(|p| p.as_i64().or_else(|| p.as_str().and_then(|s| s.trim().parse().ok())))
            .collect::<Option<_>>()
            .ok_or("date-parts must hold numbers")?;
        return match nums.as_slice() {
            [y] => Ok(format!("{y:04}")),
            [y, m] => Ok(format!("{y:04}-{m:02}")),
            [y, m, d, ..] => Ok(format!("{y:04}-{m:02}-{d:02}")),
            [] => Err("empty date-parts".into()),
        };
    }
    let raw = v.get("raw").or_else(|| v.get("literal")).and_then(text).ok_or("a date needs date-parts or raw")?;
    // ISO dates pass through; otherwise keep the year.
    let iso: String = raw.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    if iso.len() >= 4 && raw.len() == iso.len() {
        return Ok(iso.trim_end_matches('-').to_owned());
    }
    let year: String = raw.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 4).unwrap_or_default().to_owned();
    if year.is_empty() { Err(format!("cannot read the date {raw:?}")) } else { Ok(year) }
}

/// Maps one CSL item onto hayagriva fields.
fn fields(item: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let get = |k: &str| item.get(k).and_then(text);
    let csl_type = get("type").unwrap_or_default();
    let (ty, parent_ty) = types(&csl_type);
    let mut f = Map::new();
    let mut parent = Map::new();
    f.insert("type".into(), ty.into());
    // A title keeps the spaces it begins or ends with, as CSL processors
    // print and sort it (a TeX macro pandoc dropped leaves `" macro index"`).
    if let Some(t) = item.get("title").and_then(|v| v.as_str()).filter(|t| !t.trim().is_empty()) {
        f.insert("title".into(), t.into());
    } else if let Some(t) = get("title") {
        f.insert("title".into(), t.into());
    }
    for (csl, ours) in [("author", "author"), ("editor", "editor")] {
        if let Some(v) = item.get(csl) {
            f.insert(ours.into(), persons(v)?);
        }
    }
    if let Some(v) = item.get("translator") {
        f.insert("affiliated".into(), json!([{"role": "translator", "names": persons(v)?}]));
    }
    if let Some(d) = item.get("issued").map(date).transpose()?.flatten() {
        f.insert("date".into(), d.into());
        if let Some(end) = item.get("issued").and_then(range_end) {
            f.insert("date-end".into(), end.into());
        }
    }
    if let Some(url) = get("URL") {
        let mut u = Map::new();
        u.insert("value".into(), url.into());
        if let Some(d) = item.get("accessed").map(date).transpose()?.flatten() {
            u.insert("date".into(), d.into());
        }
        f.insert("url".into(), Value::Object(u));
    }
    let container = get("container-title").or_else(|| get("collection-title"));
    // An article with an empty `container-title` (pandoc writes one for a
    // journal macro it could not resolve) still sits in a periodical, and a
    // conference paper without one in proceedings: hayagriva tells a paper
    // from an article by its parent.
    let has_parent = container.is_some()
        || (ty == "article" && item.contains_key("container-title"))
        || csl_type == "paper-conference";
    if has_parent {
        parent.insert("type".into(), parent_ty.into());
    }
    if let Some(c) = container {
        parent.insert("title".into(), c.into());
        if let Some(v) = item.get("container-author") {
            parent.insert("author".into(), persons(v)?);
        }
    }
    // A series (CSL's collection) is where hayagriva looks for one: a
    // book's own parent of its type, or the container's parent of the
    // container's type (a proceedings volume's series).
    let series_number = get("collection-number");
    let series_holder = matches!(parent_ty, "book" | "proceedings" | "periodical" | "reference" | "newspaper");
    match get("collection-title") {
        Some(title) if get("container-title").is_some() && series_holder => {
            let mut series = Map::new();
            series.insert("type".into(), parent_ty.into());
            series.insert("title".into(), title.into());
            if let Some(n) = series_number {
                series.insert("volume".into(), n.into());
            }
            parent.insert("parent".into(), Value::Object(series));
        }
        Some(_) if get("container-title").is_none() && ty == parent_ty => {
            if let Some(n) = series_number {
                parent.insert("volume".into(), n.into());
            }
        }
        _ => {}
    }
    // A chapter's editors and publisher are the book's.
    let on_book = has_parent && matches!(ty, "chapter" | "entry") || ty == "article" && parent_ty == "proceedings";
    let mut publisher = Map::new();
    if let Some(p) = get("publisher") {
        publisher.insert("name".into(), p.into());
    }
    if let Some(p) = get("publisher-place") {
        publisher.insert("location".into(), p.into());
    }
    if !publisher.is_empty() {
        let target = if on_book && has_parent { &mut parent } else { &mut f };
        target.insert("publisher".into(), Value::Object(publisher));
    }
    if on_book
        && has_parent
        && let Some(ed) = f.remove("editor")
    {
        parent.insert("editor".into(), ed);
    }
    let serial_target_is_parent = has_parent && ty == "article";
    for (csl, ours) in [("volume", "volume"), ("issue", "issue")] {
        if let Some(v) = get(csl) {
            let target = if serial_target_is_parent { &mut parent } else { &mut f };
            target.insert(ours.into(), v.into());
        }
    }
    if let Some(n) = get("number") {
        if ty == "article" && !parent.contains_key("issue") && !f.contains_key("issue") {
            let target = if serial_target_is_parent { &mut parent } else { &mut f };
            target.insert("issue".into(), n.into());
        } else {
            f.insert("serial-number".into(), json!({"serial": n}));
        }
    }
    for (csl, ours) in [
        ("page", "page-range"),
        ("edition", "edition"),
        ("abstract", "abstract"),
        ("note", "note"),
        ("genre", "genre"),
        ("archive", "archive"),
        ("archive_location", "archive-location"),
        ("call-number", "call-number"),
    ] {
        if let Some(v) = get(csl) {
            f.insert(ours.into(), v.into());
        }
    }
    if let Some(n) = get("number-of-pages").and_then(|n| n.parse::<u64>().ok()) {
        f.insert("page-total".into(), n.into());
    }
    if let Some(n) = get("number-of-volumes").and_then(|n| n.parse::<u64>().ok()) {
        f.insert("volume-total".into(), n.into());
    }
    if let Some(lang) = get("language").filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
        f.insert("language".into(), lang.into());
    }
    let mut serials = Map::new();
    for (csl, ours) in [("DOI", "doi"), ("ISBN", "isbn"), ("PMID", "pmid"), ("PMCID", "pmcid"), ("version", "version")]
    {
        if let Some(v) = get(csl) {
            serials.insert(ours.into(), v.into());
        }
    }
    if let Some(issn) = get("ISSN") {
        if has_parent {
            parent.insert("serial-number".into(), json!({"issn": issn}));
        } else {
            serials.insert("issn".into(), issn.into());
        }
    }
    if !serials.is_empty() {
        let mut existing = f.remove("serial-number").and_then(|v| v.as_object().cloned()).unwrap_or_default();
        existing.extend(serials);
        f.insert("serial-number".into(), Value::Object(existing));
    }
    let parents: Vec<Value> =
        [has_parent.then_some(Value::Object(parent)), original(item)?, event(item)].into_iter().flatten().collect();
    match parents.len() {
        0 => {}
        1 => {
            f.insert("parent".into(), parents.into_iter().next().unwrap_or_default());
        }
        _ => {
            f.insert("parent".into(), Value::Array(parents));
        }
    }
    Ok(f)
}

/// The event an item was given at (CSL's `event-title`, or the older
/// `event`, and `event-place`), as hayagriva holds it: a parent of type
/// `conference`, whose title and location its CSL engine reads for those
/// variables.
fn event(item: &Map<String, Value>) -> Option<Value> {
    let get = |k: &str| item.get(k).and_then(text);
    let mut e = Map::new();
    if let Some(t) = get("event-title").or_else(|| get("event")) {
        e.insert("title".into(), t.into());
    }
    if let Some(p) = get("event-place") {
        e.insert("location".into(), p.into());
    }
    if e.is_empty() {
        return None;
    }
    e.insert("type".into(), "conference".into());
    Some(Value::Object(e))
}

/// The work an item reprints or translates (CSL's `original-date`,
/// `original-title`, `original-publisher`, `original-publisher-place`), as
/// hayagriva holds it: a parent of type `original`, which its CSL engine
/// reads for those variables (APA's "(Original work published 1959)").
fn original(item: &Map<String, Value>) -> Result<Option<Value>, String> {
    let get = |k: &str| item.get(k).and_then(text);
    let mut o = Map::new();
    if let Some(d) = item.get("original-date").map(date).transpose()?.flatten() {
        o.insert("date".into(), d.into());
    }
    if let Some(t) = get("original-title") {
        o.insert("title".into(), t.into());
    }
    if let Some(p) = get("original-publisher") {
        let mut publisher = Map::new();
        publisher.insert("name".into(), p.into());
        if let Some(place) = get("original-publisher-place") {
            publisher.insert("location".into(), place.into());
        }
        o.insert("publisher".into(), Value::Object(publisher));
    }
    if o.is_empty() {
        return Ok(None);
    }
    o.insert("type".into(), "original".into());
    Ok(Some(Value::Object(o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZOTERO: &str = r#"[
  {"id": "http://zotero.org/users/local/x/items/ABCD", "type": "article-journal",
   "title": "A study of things", "container-title": "Journal of Stuff",
   "author": [{"family": "Doe", "given": "Jane"}, {"literal": "The Consortium"}],
   "issued": {"date-parts": [[2020, 5, 1]]}, "volume": "12", "issue": "3", "page": "10-20",
   "DOI": "10.1234/abc", "ISSN": "1234-5678", "URL": "https://example.org/a",
   "accessed": {"date-parts": [["2021", "2", "3"]]}, "custom-thing": 1},
  {"id": "pandocKey", "type": "chapter", "title": "Inside", "container-title": "The Book",
   "editor": [{"family": "Roe", "given": "Richard", "non-dropping-particle": "van"}],
   "publisher": "Press", "publisher-place": "Paris", "issued": {"raw": "1999"}}
]"#;

    #[test]
    fn maps_a_journal_article_and_a_chapter() {
        let imp = read(ZOTERO, "z.json");
        assert_eq!(imp.entries.len(), 2, "{:?}", imp.findings);
        let a = &imp.entries[0].entry;
        assert_eq!(a.key(), "", "Zotero's item URIs are not kept as keys");
        assert_eq!(imp.entries[0].line, 2);
        let d = a.date().unwrap();
        assert_eq!((d.year, d.month, d.day), (2020, Some(4), Some(0)));
        assert_eq!(a.authors().unwrap()[1].name, "The Consortium");
        assert_eq!(a.doi(), Some("10.1234/abc"));
        let journal = &a.parents()[0];
        assert_eq!(journal.title().unwrap().value.to_string(), "Journal of Stuff");
        assert_eq!(journal.volume().unwrap().to_string(), "12");
        assert_eq!(a.url().unwrap().visit_date.unwrap().month, Some(1));
        assert!(imp.findings.iter().any(|f| f.message.contains("custom-thing")));
        let c = &imp.entries[1].entry;
        assert_eq!(c.key(), "pandocKey");
        let book = &c.parents()[0];
        assert_eq!(book.editors().unwrap()[0].name_particle(), Some("van"));
        assert_eq!(book.editors().unwrap()[0].name_without_particle(), "Roe");
        assert_eq!(c.date().unwrap().year, 1999);
    }

    #[test]
    fn volumes_and_the_original_work_are_kept() {
        let imp = read(
            r#"[{"id": "c", "type": "chapter", "title": "T", "container-title": "B", "number-of-volumes": "3",
                "original-date": {"date-parts": [[1960]]}, "original-title": "Ein <i>Kapitel</i>",
                "original-publisher": "Verlag", "original-publisher-place": "Wien"}]"#,
            "o.json",
        );
        assert!(imp.findings.is_empty(), "nothing dropped: {:?}", imp.findings);
        let c = &imp.entries[0].entry;
        assert_eq!(c.volume_total().map(|n| n.to_string()), Some("3".into()));
        let kinds: Vec<hayagriva::types::EntryType> = c.parents().iter().map(|p| *p.entry_type()).collect();
        assert_eq!(kinds, [hayagriva::types::EntryType::Book, hayagriva::types::EntryType::Original]);
        let original = &c.parents()[1];
        assert_eq!(original.date().unwrap().year, 1960);
        assert_eq!(original.title().unwrap().value.to_string(), "Ein Kapitel");
        assert_eq!(original.publisher().and_then(|p| p.location()).map(|l| l.value.to_string()), Some("Wien".into()));
    }

    #[test]
    fn a_url_without_a_scheme_is_dropped_and_the_item_kept() {
        let imp = read(r#"[{"id": "r", "type": "report", "title": "T", "URL": "www.example.org"}]"#, "u.json");
        assert_eq!(imp.entries.len(), 1, "{:?}", imp.findings);
        assert!(imp.entries[0].entry.url().is_none());
        assert!(imp.findings.iter().any(|f| f.message.contains("www.example.org")), "{:?}", imp.findings);
    }

    #[test]
    fn a_version_is_kept_for_every_type() {
        let imp = read(
            r#"[{"id": "w", "type": "webpage", "title": "T", "version": "3"}, {"id": "s", "type": "software", "title": "S", "version": "1.2"}]"#,
            "v.json",
        );
        assert_eq!(imp.entries.len(), 2, "{:?}", imp.findings);
        let version = |i: usize| imp.entries[i].entry.serial_number().and_then(|s| s.0.get("version").cloned());
        assert_eq!((version(0).as_deref(), version(1).as_deref()), (Some("3"), Some("1.2")));
        assert!(imp.findings.is_empty(), "exports print it for any type: {:?}", imp.findings);
    }

    #[test]
    fn an_event_is_a_conference_parent() {
        let imp = read(
            r#"[{"id": "p", "type": "paper-conference", "title": "T", "container-title": "Proceedings",
                "event-title": "Fonts 2001", "event-place": "Lyon"}]"#,
            "e.json",
        );
        assert!(imp.findings.is_empty(), "{:?}", imp.findings);
        let e = &imp.entries[0].entry;
        let conference = e.parents().iter().find(|p| *p.entry_type() == hayagriva::types::EntryType::Conference);
        let conference = conference.expect("a conference parent");
        assert_eq!(conference.title().unwrap().value.to_string(), "Fonts 2001");
        assert_eq!(conference.location().unwrap().value.to_string(), "Lyon");
        assert_eq!(e.parents()[0].title().unwrap().value.to_string(), "Proceedings");
    }

    #[test]
    fn not_an_array_is_one_clear_finding() {
        let imp = read("{\"id\": \"a\"}", "z.json");
        assert!(imp.entries.is_empty());
        assert!(imp.findings[0].message.contains("array"));
        let imp = read("[{\"id\": ", "z.json");
        assert!(imp.findings[0].message.contains("not valid JSON"));
    }

    #[test]
    fn rich_text_markup_is_read_not_kept() {
        assert_eq!(rich("The <i>Origin</i> of x<sup>2</sup>"), "The Origin of x2");
        assert_eq!(rich("On <span class=\"nocase\">DNA</span> and $5"), "On {DNA} and \\$5");
        assert_eq!(rich("a <span style=\"font-variant:small-caps;\">b</span> c"), "a b c");
        assert_eq!(rich("1 < 2 > 0 <unknown> {x}"), "1 < 2 > 0 <unknown> \\{x\\}");
        assert_eq!(rich("<span class=\"nocase\">open"), "{open}");
        assert_eq!(rich("A review of MacUser and TUGboat"), "A review of {MacUser} and {TUGboat}");
        assert_eq!(rich("IBM Technical Bulletin"), "{IBM} Technical Bulletin");
        assert_eq!(rich("stray </span> and <"), "stray </span> and <");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "[{{\"id\": \"a\", \"title\": {}1{}}},\n {{\"id\": \"b\", \"type\": \"book\", \"title\": \"B\"}}]",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let import = read(&deep, "deep.json");
        assert_eq!(import.entries.len(), 1, "the next item is still read");
        let message = &import.findings[0].message;
        assert!(message.contains("recursion limit exceeded"), "{message}");
        let whole = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(read(&whole, "deep.json").findings.len(), 1);
    }

    #[test]
    fn one_bad_item_does_not_sink_the_rest() {
        let imp = read(
            r#"[{"id":"a","type":"book","issued":{"raw":"someday"}}, {"id":"b","type":"book","title":"B"}, 7]"#,
            "z.json",
        );
        assert_eq!(imp.entries.len(), 1);
        assert_eq!(imp.findings.len(), 2);
    }

    /// pandoc writes `"date-parts": []` for a date it could not read
    /// (`year = "19xx"`): the item is kept, without a date.
    #[test]
    fn an_empty_date_keeps_its_item() {
        let imp = read(
            r#"[{"id": "a", "type": "book", "title": "T", "issued": {"date-parts": []}}, {"id": "b", "type": "book", "title": "U", "issued": {"date-parts": [[]]}}]"#,
            "x.json",
        );
        assert_eq!(imp.entries.len(), 2, "{:?}", imp.findings);
        assert!(imp.entries[0].entry.date().is_none());
    }
}
