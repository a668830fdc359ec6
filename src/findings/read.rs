//! Findings read back from JSON, version 1 (what `--format json` writes), so
//! that the parts of a sharded run can be merged into one report.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Code, Finding, Location, Related, Severity};

#[derive(Deserialize)]
struct Doc {
    version: u32,
    findings: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    code: String,
    severity: Severity,
    message: String,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<String>,
    #[serde(default)]
    related: Vec<RelatedItem>,
    #[serde(default)]
    data: Map<String, Value>,
}

#[derive(Deserialize)]
struct RelatedItem {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
}

/// The findings of a JSON v1 document, with the severities it gives. Errors
/// say what is wrong and where (serde's line and column).
pub fn from_json(text: &str) -> Result<Vec<Finding>, String> {
    let doc: Doc = serde_json::from_str(text).map_err(|e| format!("not citelock's JSON findings: {e}"))?;
    if doc.version != 1 {
        return Err(format!("JSON findings version {} (this citelock reads version 1)", doc.version));
    }
    doc.findings
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let code = Code::ALL
                .iter()
                .copied()
                .find(|c| c.name() == item.code)
                .ok_or_else(|| format!("finding {}: unknown code `{}`", i + 1, item.code))?;
            let location = item.file.map(|file| Location {
                file,
                line: item.line,
                column: item.column,
                end_line: item.end_line,
                end_column: item.end_column,
            });
            let related = item
                .related
                .into_iter()
                .map(|r| Related {
                    location: Location { file: r.file, line: r.line, column: r.column, ..Location::default() },
                    message: r.message,
                })
                .collect();
            Ok(Finding {
                code,
                severity: item.severity,
                message: item.message,
                location,
                help: item.help,
                related,
                data: item.data,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Context, Findings, Format, write};

    #[test]
    fn json_findings_read_back_as_written() {
        let mut findings = Findings::default();
        findings.push(
            Finding::new(Code::DuplicateKey, "`a` is defined twice")
                .at(Location::at("references/a.yml", 3, 1).width(2))
                .help("rename one")
                .related(Location::at("references/b.yml", 9, 1), "first defined here")
                .data("key", "a"),
        );
        let mut info = Finding::new(Code::MissingField, "no date");
        info.severity = Severity::Info;
        findings.push(info);
        let ctx = Context { root: std::path::Path::new("."), command: "lint", color: false };
        let mut out = Vec::new();
        write(Format::Json, &findings, &ctx, &mut out).unwrap();
        let back = from_json(std::str::from_utf8(&out).unwrap()).unwrap();
        assert_eq!(back, findings.items());
    }

    #[test]
    fn other_documents_are_refused_with_the_reason() {
        assert!(from_json("{").unwrap_err().contains("line 1"));
        assert!(from_json(r#"{"version": 2, "findings": []}"#).unwrap_err().contains("version 2"));
        let unknown = r#"{"version": 1, "findings": [{"code": "no-such", "severity": "error", "message": "m"}]}"#;
        assert!(from_json(unknown).unwrap_err().contains("unknown code `no-such`"));
    }
}
