//! JUnit XML: one `<testcase>` per finding, with a name unique in the report
//! (GitLab folds test cases that share a name). Errors and warnings are
//! `<failure>`s whose `type` is the severity; info findings pass with their
//! text in `<system-out>`. A clean run is one passing test case.

use std::collections::HashMap;
use std::io::{self, Write};

use super::Context;
use crate::findings::{Findings, Severity};

/// Escapes text for XML and HTML content and attribute values; characters
/// XML 1.0 cannot carry become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn write(findings: &Findings, ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    let items = findings.items();
    let failures = items.iter().filter(|f| f.severity != Severity::Info).count();
    let tests = items.len().max(1);
    let suite = format!("citelock {}", ctx.command);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="citelock" tests="{tests}" failures="{failures}" errors="0">"#)?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#,
        escape(&suite)
    )?;
    if items.is_empty() {
        writeln!(out, r#"    <testcase classname="citelock" name="{}: no findings"/>"#, escape(&suite))?;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for f in items {
        let place = f.location.as_ref().map_or_else(|| "(no file)".to_owned(), |l| l.display());
        let mut name = format!("{} at {place}", f.code.name());
        let n = seen.entry(name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            name = format!("{name} #{n}");
        }
        let classname = f.location.as_ref().map_or("citelock", |l| l.file.as_str());
        write!(out, r#"    <testcase classname="{}" name="{}""#, escape(classname), escape(&name))?;
        if let Some(loc) = &f.location {
            write!(out, r#" file="{}""#, escape(&loc.file))?;
            if let Some(line) = loc.line {
                write!(out, r#" line="{line}""#)?;
            }
        }
        writeln!(out, ">")?;
        let mut body = format!("{}: {}", f.code.name(), f.message);
        if let Some(help) = &f.help {
            body.push_str("\nhelp: ");
            body.push_str(help);
        }
        match f.severity {
            Severity::Info => writeln!(out, "      <system-out>{}</system-out>", escape(&body))?,
            sev => writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                sev.name(),
                escape(&f.message),
                escape(&body)
            )?,
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}
