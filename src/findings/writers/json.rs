//! JSON, version 1: `{"version":1,"findings":[…],"summary":{…}}` (DESIGN §3).

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::findings::{Finding, Findings, Location};

fn location_fields(loc: Option<&Location>) -> [(&'static str, Value); 5] {
    let l = loc.cloned().unwrap_or_default();
    let file = loc.map(|l| Value::from(l.file.clone())).unwrap_or(Value::Null);
    [
        ("file", file),
        ("line", l.line.into()),
        ("column", l.column.into()),
        ("end_line", l.end_line.into()),
        ("end_column", l.end_column.into()),
    ]
}

/// The JSON object of one finding.
fn finding_value(f: &Finding) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("code".into(), f.code.name().into());
    obj.insert("severity".into(), f.severity.name().into());
    obj.insert("message".into(), f.message.clone().into());
    for (k, v) in location_fields(f.location.as_ref()) {
        obj.insert(k.into(), v);
    }
    obj.insert("help".into(), f.help.clone().into());
    let related: Vec<Value> = f
        .related
        .iter()
        .map(|r| {
            json!({"file": r.location.file, "line": r.location.line,
                   "column": r.location.column, "message": r.message})
        })
        .collect();
    obj.insert("related".into(), related.into());
    obj.insert("data".into(), Value::Object(f.data.clone()));
    Value::Object(obj)
}

pub(super) fn write(findings: &Findings, out: &mut dyn Write) -> io::Result<()> {
    let s = findings.summary();
    let doc = json!({
        "version": 1,
        "findings": findings.items().iter().map(finding_value).collect::<Vec<_>>(),
        "summary": {"errors": s.errors, "warnings": s.warnings, "infos": s.infos},
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
