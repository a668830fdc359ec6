//! GitLab's Code Quality report: the subset of the Code Climate format GitLab
//! reads (`description`, `check_name`, `fingerprint`, `severity`,
//! `location.path`, `location.lines.begin`), so that findings show in a
//! merge request's widget. The fingerprint is a hash of the code, the file,
//! the message and how many identical findings came before: stable across
//! runs and across edits that move lines, so GitLab tells new findings from
//! resolved ones.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::findings::{Findings, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Place<'a>,
}

#[derive(Serialize)]
struct Place<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

pub(super) fn write(findings: &Findings, out: &mut dyn Write) -> io::Result<()> {
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let issues: Vec<Issue> = findings
        .items()
        .iter()
        .map(|f| {
            // GitLab needs a path; a finding about no file belongs to the repository.
            let path = f.location.as_ref().map_or(".", |l| l.file.as_str());
            let n = seen.entry((f.code.name(), path, &f.message)).or_default();
            *n += 1;
            let id = format!("{}\0{path}\0{}\0{n}", f.code.name(), f.message);
            let description = match &f.help {
                Some(help) => format!("{} ({help})", f.message),
                None => f.message.clone(),
            };
            Issue {
                description,
                check_name: f.code.name(),
                fingerprint: hex::encode(&Sha256::digest(id.as_bytes())[..16]),
                severity: match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                location: Place { path, lines: Lines { begin: f.location.as_ref().and_then(|l| l.line).unwrap_or(1) } },
            }
        })
        .collect();
    let mut buffered = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut buffered, &issues)?;
    writeln!(buffered)?;
    buffered.flush()
}
