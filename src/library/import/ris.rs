//! RIS import (`TY  - JOUR` … `ER  -`), as reference managers export it.
//! Records are mapped onto hayagriva fields through the same path as CSL-JSON
//! items; a record the file ends inside of is reported, not imported.

use serde_json::{Map, Value, json};

use super::{Import, Imported, dropped, escape, failed};

/// RIS type → (hayagriva type, parent type).
fn types(ris: &str) -> (&'static str, &'static str) {
    match ris {
        "JOUR" | "JFULL" | "MGZN" | "EJOUR" | "ABST" | "INPR" => ("article", "periodical"),
        "NEWS" => ("article", "newspaper"),
        "CONF" | "CPAPER" => ("article", "proceedings"),
        "BOOK" | "EBOOK" | "EDBOOK" | "CTLG" => ("book", "book"),
        "CHAP" | "ECHAP" => ("chapter", "book"),
        "ENCYC" | "DICT" => ("entry", "reference"),
        "RPRT" | "STAND" | "GOVDOC" => ("report", "book"),
        "THES" => ("thesis", "book"),
        "ELEC" | "WEB" => ("web", "web"),
        "BLOG" => ("post", "blog"),
        "COMP" | "DATA" | "DBASE" => ("repository", "repository"),
        "VIDEO" | "MPCT" | "ADVS" => ("video", "video"),
        "SOUND" | "MUSIC" => ("audio", "audio"),
        "PAT" => ("patent", "misc"),
        "CASE" => ("case", "misc"),
        "BILL" | "STAT" | "LEGAL" => ("legislation", "misc"),
        "MANSCPT" | "UNPB" => ("manuscript", "misc"),
        "ART" | "FIGURE" | "MAP" => ("artwork", "exhibition"),
        _ => ("misc", "misc"),
    }
}

/// Tags this importer maps (or that carry no bibliographic data).
const MAPPED: &[&str] = &[
    "TY", "ID", "AU", "A1", "A2", "ED", "A4", "TI", "T1", "CT", "BT", "T2", "JO", "JF", "JA", "J2", "T3", "PY", "Y1",
    "DA", "Y2", "VL", "IS", "SP", "EP", "SN", "DO", "UR", "PB", "CY", "AB", "N2", "N1", "LA", "ET", "M1", "ER",
];

/// One record's tags in order.
struct Record {
    line: usize,
    tags: Vec<(String, String)>,
}

impl Record {
    fn first(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| self.tags.iter().find(|(t, v)| t == n && !v.is_empty()).map(|(_, v)| v.clone()))
    }

    fn all(&self, names: &[&str]) -> Vec<String> {
        self.tags.iter().filter(|(t, v)| names.contains(&t.as_str()) && !v.is_empty()).map(|(_, v)| v.clone()).collect()
    }
}

/// A tag line: two upper-case letters or digits, two spaces, a dash.
fn tag_line(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let ok = b.len() >= 5
        && b[0].is_ascii_uppercase()
        && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
        && &b[2..4] == b"  "
        && b[4] == b'-';
    ok.then(|| (&line[..2], line[5..].trim()))
}

/// Reads an RIS file.
pub fn read(text: &str, name: &str) -> Import {
    let mut import = Import::default();
    let mut current: Option<Record> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_start_matches('\u{feff}').trim_end();
        if line.is_empty() {
            continue;
        }
        let Some((tag, value)) = tag_line(line) else {
            match current.as_mut().and_then(|r| r.tags.last_mut()) {
                // A continuation of the previous value.
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                None => import.findings.push(failed(name, line_no, format!("not an RIS tag line: {line:?}"))),
            }
            continue;
        };
        match (tag, current.take()) {
            ("TY", previous) => {
                if let Some(prev) = previous {
                    import.findings.push(failed(
                        name,
                        prev.line,
                        "record has no `ER  -` before the next `TY`; skipped".into(),
                    ));
                }
                current = Some(Record { line: line_no, tags: vec![(tag.into(), value.into())] });
            }
            ("ER", Some(rec)) => convert(rec, name, &mut import),
            (_, Some(mut rec)) => {
                rec.tags.push((tag.into(), value.into()));
                current = Some(rec);
            }
            (_, None) => import.findings.push(failed(
                name,
                line_no,
                format!("`{tag}` outside a record (records start with `TY  -`)"),
            )),
        }
    }
    if let Some(rec) = current {
        import.findings.push(failed(name, rec.line, "the file ends inside this record (no `ER  -`); skipped".into()));
    }
    import
}

/// RIS names are `Last, First[, Suffix]`: everything before the first comma
/// is the family name: one of several words that starts in upper case
/// (`Vázques de Parga`) is kept whole; one that starts with a lower-case
/// particle (`van Gennep`) is split as BibLaTeX splits it.
fn persons(names: Vec<String>) -> Value {
    names
        .into_iter()
        .map(|n| match n.split_once(',') {
            Some((family, given))
                if family.trim().contains(char::is_whitespace) && family.trim().starts_with(char::is_uppercase) =>
            {
                serde_json::json!({"name": family.trim(), "given-name": given.trim()})
            }
            _ => Value::from(n),
        })
        .collect::<Vec<_>>()
        .into()
}

/// `2020/05/01/other`, `2020///`, `2020-05-01` → `2020-05-01`, `2020`.
fn date(raw: &str) -> Option<String> {
    let parts: Vec<&str> = raw.split(['/', '-']).take(3).collect();
    let year = parts.first().filter(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))?;
    let num = |i: usize| parts.get(i).and_then(|p| p.trim().parse::<u8>().ok()).filter(|n| *n > 0);
    Some(match (num(1), num(2)) {
        (Some(m), Some(d)) => format!("{year}-{m:02}-{d:02}"),
        (Some(m), None) => format!("{year}-{m:02}"),
        _ => (*year).to_owned(),
    })
}

fn convert(rec: Record, name: &str, import: &mut Import) {
    let key = rec.first(&["ID"]).filter(|k| !k.chars().any(char::is_whitespace)).unwrap_or_default();
    let mut unknown: Vec<String> =
        rec.tags.iter().map(|(t, _)| t.clone()).filter(|t| !MAPPED.contains(&t.as_str())).collect();
    unknown.dedup();
    if !unknown.is_empty() {
        import.findings.push(dropped(name, rec.line, &key, &unknown));
    }
    let (ty, parent_ty) = types(&rec.first(&["TY"]).unwrap_or_default());
    let mut f = Map::new();
    let mut parent = Map::new();
    f.insert("type".into(), ty.into());
    if let Some(t) = rec.first(&["TI", "T1", "CT"]) {
        f.insert("title".into(), t.into());
    }
    let authors = rec.all(&["AU", "A1"]);
    if !authors.is_empty() {
        f.insert("author".into(), persons(authors));
    }
    let editors = rec.all(&["A2", "ED"]);
    let container = rec.first(&["T2", "JO", "JF", "BT", "JA", "J2"]).filter(|_| ty != "book" && ty != "report");
    let has_parent = container.is_some();
    if let Some(c) = container {
        parent.insert("type".into(), parent_ty.into());
        parent.insert("title".into(), c.into());
    }
    if !editors.is_empty() {
        let target = if has_parent && ty != "article" { &mut parent } else { &mut f };
        target.insert("editor".into(), persons(editors));
    }
    let translators = rec.all(&["A4"]);
    if !translators.is_empty() {
        f.insert("affiliated".into(), json!([{"role": "translator", "names": persons(translators)}]));
    }
    if let Some(d) = rec.first(&["DA", "PY", "Y1"]).as_deref().and_then(date) {
        f.insert("date".into(), d.into());
    } else if let Some(raw) = rec.first(&["DA", "PY", "Y1"]) {
        import.findings.push(dropped(name, rec.line, &key, &[format!("date {raw:?} (not a date)")]));
    }
    if let Some(url) = rec.first(&["UR"]) {
        let mut u = Map::new();
        u.insert("value".into(), url.into());
        if let Some(d) = rec.first(&["Y2"]).as_deref().and_then(date) {
            u.insert("date".into(), d.into());
        }
        f.insert("url".into(), Value::Object(u));
    }
    let on_parent = has_parent && ty == "article";
    for (tag, field) in [("VL", "volume"), ("IS", "issue")] {
        if let Some(v) = rec.first(&[tag]) {
            let target = if on_parent { &mut parent } else { &mut f };
            target.insert(field.into(), v.into());
        }
    }
    let pages = match (rec.first(&["SP"]), rec.first(&["EP"])) {
        (Some(s), Some(e)) if s != e => Some(format!("{s}-{e}")),
        (Some(s), _) => Some(s),
        _ => None,
    };
    if let Some(p) = pages {
        f.insert("page-range".into(), p.into());
    }
    let mut publisher = Map::new();
    if let Some(p) = rec.first(&["PB"]) {
        publisher.insert("name".into(), p.into());
    }
    if let Some(p) = rec.first(&["CY"]) {
        publisher.insert("location".into(), p.into());
    }
    if !publisher.is_empty() {
        let target = if has_parent && ty != "article" { &mut parent } else { &mut f };
        target.insert("publisher".into(), Value::Object(publisher));
    }
    for (tags, field) in [(&["AB", "N2"][..], "abstract"), (&["N1"][..], "note"), (&["ET"][..], "edition")] {
        if let Some(v) = rec.first(tags) {
            f.insert(field.into(), v.into());
        }
    }
    if let Some(lang) = rec.first(&["LA"]).filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
        f.insert("language".into(), lang.into());
    }
    let mut serials = Map::new();
    if let Some(doi) = rec.first(&["DO"]) {
        serials.insert("doi".into(), doi.into());
    }
    if let Some(sn) = rec.first(&["SN"]) {
        // SN holds an ISBN for books and chapters, an ISSN for serials.
        let digits = sn.chars().filter(|c| c.is_ascii_alphanumeric()).count();
        let kind = if digits == 8 { "issn" } else { "isbn" };
        if kind == "issn" && has_parent {
            parent.insert("serial-number".into(), json!({"issn": sn}));
        } else {
            serials.insert(kind.into(), sn.into());
        }
    }
    if !serials.is_empty() {
        f.insert("serial-number".into(), Value::Object(serials));
    }
    if has_parent {
        f.insert("parent".into(), Value::Object(parent));
    }
    match Imported::from_fields(&key, f, escape, rec.line) {
        Ok(imported) => import.entries.push(imported),
        Err(e) => import.findings.push(failed(name, rec.line, format!("record cannot be converted: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RIS: &str = "\
TY  - JOUR
AU  - Doe, Jane
AU  - Roe, Richard
TI  - A study of
  long titles
T2  - Journal of Stuff
PY  - 2020/05/01/
VL  - 12
IS  - 3
SP  - 10
EP  - 20
DO  - 10.1234/abc
SN  - 1234-5678
UR  - https://example.org/a
Y2  - 2021/02/03
ID  - doe2020
ER  - 

TY  - BOOK
AU  - Smith, A.
TI  - A Book
PY  - 1999
PB  - Press
CY  - Paris
SN  - 978-0-306-40615-7
ER  - 
TY  - JOUR
TI  - Cut off
";

    #[test]
    fn maps_records_and_reports_the_unclosed_one() {
        let imp = read(RIS, "x.ris");
        assert_eq!(imp.entries.len(), 2, "{:?}", imp.findings);
        let a = &imp.entries[0].entry;
        assert_eq!(a.key(), "doe2020");
        assert_eq!(a.title().unwrap().value.to_string(), "A study of long titles");
        assert_eq!(a.authors().unwrap().len(), 2);
        let d = a.date().unwrap();
        assert_eq!((d.year, d.month, d.day), (2020, Some(4), Some(0)));
        assert_eq!(a.parents()[0].issue().unwrap().to_string(), "3");
        assert_eq!(a.page_range().unwrap().to_string(), "10-20");
        let b = &imp.entries[1].entry;
        assert_eq!(b.isbn(), Some("978-0-306-40615-7"));
        assert_eq!(imp.entries[1].line, 19);
        assert_eq!(imp.findings.len(), 1);
        assert_eq!(imp.findings[0].location.as_ref().unwrap().line, Some(27));
    }

    #[test]
    fn dates() {
        assert_eq!(date("2020///").as_deref(), Some("2020"));
        assert_eq!(date("2020/05//").as_deref(), Some("2020-05"));
        assert_eq!(date("May 2020"), None);
    }
}
