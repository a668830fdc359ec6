//! RIS (EndNote, Zotero, Mendeley) from the flat view: one tag per line,
//! dates as `YYYY/MM/DD/`, each record closed by `ER  -`.

use std::fmt::Write as _;

use super::Archived;
use super::flat::{Flat, Kind, family_given};

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::JournalArticle => "JOUR",
        Kind::NewspaperArticle => "NEWS",
        Kind::Paper => "CPAPER",
        Kind::Chapter => "CHAP",
        Kind::Book => "BOOK",
        Kind::Anthology => "EDBOOK",
        Kind::Proceedings => "CONF",
        Kind::Report => "RPRT",
        Kind::Thesis => "THES",
        Kind::Web | Kind::Post => "ELEC",
        Kind::BlogPost => "BLOG",
        Kind::Patent => "PAT",
        Kind::Manuscript => "UNPB",
        Kind::Periodical => "JFULL",
        Kind::Software => "COMP",
        Kind::Case => "CASE",
        Kind::Legislation => "STAT",
        Kind::Misc => "GEN",
    }
}

/// The entries as RIS records.
pub fn write(entries: &[(Flat, Option<&Archived>)]) -> String {
    let mut out = String::new();
    for (f, archived) in entries {
        let mut tag = |t: &str, v: &str| {
            // A value is one line: RIS has no continuation.
            let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(out, "{t}  - {v}");
        };
        tag("TY", kind(f.kind));
        tag("ID", f.key);
        for a in f.authors {
            tag("AU", &family_given(a));
        }
        for e in f.editors {
            tag("ED", &family_given(e));
        }
        if let Some(t) = f.title {
            tag("TI", &t.value.to_string());
        }
        if let Some(c) = f.container {
            tag("T2", &c.value.to_string());
        }
        if let Some(s) = f.series {
            tag("T3", &s.value.to_string());
        }
        if let Some(d) = f.date {
            tag("PY", &d.year.to_string());
            let part = |p: Option<u8>| p.map_or(String::new(), |p| format!("{p:02}"));
            tag("DA", &format!("{:04}/{}/{}/", d.year, part(d.month), part(d.day)));
        }
        let pairs = [
            ("VL", &f.volume),
            ("IS", &f.issue),
            ("ET", &f.edition),
            ("PB", if f.publisher.is_some() { &f.publisher } else { &f.organization }),
            ("CY", &f.place),
            ("UR", &f.url),
            ("DO", &f.doi),
            ("N1", &f.note),
            ("AB", &f.abstract_),
            ("LA", &f.language),
        ];
        for (t, v) in pairs {
            if let Some(v) = v {
                tag(t, v);
            }
        }
        if let Some(p) = &f.pages {
            let (sp, ep) = p.split_once(['-', '\u{2013}']).unwrap_or((p, ""));
            tag("SP", sp.trim());
            if !ep.trim().is_empty() {
                tag("EP", ep.trim());
            }
        }
        if let Some(sn) = f.isbn.as_ref().or(f.issn.as_ref()) {
            tag("SN", sn);
        }
        if let Some(d) = f.accessed {
            tag("Y2", &format!("{:04}/{:02}/{:02}", d.year, d.month.unwrap_or(1), d.day.unwrap_or(1)));
        }
        match archived {
            Some(a) => {
                tag("DP", &a.holder());
                tag("AN", &a.location);
            }
            None => {
                if let Some(a) = &f.archive {
                    tag("DP", a);
                }
                if let Some(l) = &f.archive_location {
                    tag("AN", l);
                }
            }
        }
        tag("ER", "");
        out.push('\n');
    }
    out
}
