//! SARIF 2.1.0: one run, a rule per code that occurs, regions with
//! `columnKind: unicodeCodePoints` (columns count characters, as ours do).

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::findings::{Code, Findings, Location, Severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes what a relative URI reference cannot hold as is.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn physical(loc: &Location) -> Value {
    let mut region = serde_json::Map::new();
    let fields = [
        ("startLine", loc.line),
        ("startColumn", loc.column),
        ("endLine", loc.end_line),
        ("endColumn", loc.end_column),
    ];
    for (k, v) in fields {
        if let Some(v) = v {
            region.insert(k.into(), v.into());
        }
    }
    let mut p = json!({"artifactLocation": {"uri": uri(&loc.file), "uriBaseId": "%SRCROOT%"}});
    if !region.is_empty() {
        p["region"] = Value::Object(region);
    }
    p
}

pub(super) fn write(findings: &Findings, out: &mut dyn Write) -> io::Result<()> {
    let mut rules: Vec<Code> = findings.items().iter().map(|f| f.code).collect();
    rules.sort();
    rules.dedup();
    let results: Vec<Value> = findings
        .items()
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut r = json!({
                "ruleId": f.code.name(),
                "ruleIndex": rules.iter().position(|c| *c == f.code),
                "level": level(f.severity),
                "message": {"text": text},
            });
            if let Some(loc) = &f.location {
                r["locations"] = json!([{"physicalLocation": physical(loc)}]);
            }
            if !f.related.is_empty() {
                let related: Vec<Value> = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        json!({"id": i, "physicalLocation": physical(&rel.location),
                               "message": {"text": rel.message}})
                    })
                    .collect();
                r["relatedLocations"] = related.into();
            }
            if !f.data.is_empty() {
                r["properties"] = Value::Object(f.data.clone());
            }
            r
        })
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|c| {
            json!({"id": c.name(), "shortDescription": {"text": c.summary()},
                   "defaultConfiguration": {"level": level(c.default_severity())}})
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "citelock",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/citelock",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encodes_spaces_and_keeps_slashes() {
        assert_eq!(uri("references/my refs/ä.yml"), "references/my%20refs/%C3%A4.yml");
    }
}
