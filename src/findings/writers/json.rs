//! JSON, version 1: `{"version":1,"findings":[…],"summary":{…}}` (DESIGN §3).
//! Streamed from borrowed views of the findings: no copy of the document is
//! built in memory, however many findings there are.

use std::io::{self, Write};

use serde::Serialize;

use crate::findings::{Finding, Findings};

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    findings: All<'a>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
}

struct All<'a>(&'a [Finding]);

impl Serialize for All<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Item::of))
    }
}

/// One finding, in the order of DESIGN §3.
#[derive(Serialize)]
struct Item<'a> {
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
    data: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

impl<'a> Item<'a> {
    fn of(f: &'a Finding) -> Item<'a> {
        let l = f.location.as_ref();
        Item {
            code: f.code.name(),
            severity: f.severity.name(),
            message: &f.message,
            file: l.map(|l| l.file.as_str()),
            line: l.and_then(|l| l.line),
            column: l.and_then(|l| l.column),
            end_line: l.and_then(|l| l.end_line),
            end_column: l.and_then(|l| l.end_column),
            help: f.help.as_deref(),
            related: f
                .related
                .iter()
                .map(|r| Related {
                    file: &r.location.file,
                    line: r.location.line,
                    column: r.location.column,
                    message: &r.message,
                })
                .collect(),
            data: &f.data,
        }
    }
}

pub(super) fn write(findings: &Findings, out: &mut dyn Write) -> io::Result<()> {
    let s = findings.summary();
    let doc = Doc {
        version: 1,
        findings: All(findings.items()),
        summary: Summary { errors: s.errors, warnings: s.warnings, infos: s.infos },
    };
    let mut buffered = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut buffered, &doc)?;
    writeln!(buffered)?;
    buffered.flush()
}
