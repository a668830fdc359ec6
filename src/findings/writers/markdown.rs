//! Markdown: a heading, a summary line and a table of the findings, for a
//! GitHub step summary or a merge-request comment (`links --to markdown`,
//! `merge --to markdown`).

use crate::findings::{Findings, Location, Severity};

/// A Markdown report (a GitHub step summary, a merge-request comment): a
/// heading, a summary line and a table of the findings.
pub fn markdown(findings: &Findings, heading: &str, summary: &str) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("## {heading}\n\n{summary}\n\n");
    let rows = findings.items();
    if rows.is_empty() {
        out.push_str("No problems found.\n");
        return out;
    }
    out.push_str("| | Where | Code | Problem | What to do |\n|---|---|---|---|---|\n");
    for f in rows {
        let icon = match f.severity {
            Severity::Error => "\u{274c}",
            Severity::Warning => "\u{26a0}\u{fe0f}",
            _ => "\u{2139}\u{fe0f}",
        };
        let at = match &f.location {
            Some(Location { file, line: Some(line), .. }) => format!("{file}:{line}"),
            Some(l) => l.file.clone(),
            None => String::new(),
        };
        out.push_str(&format!(
            "| {icon} | `{}` | `{}` | {} | {} |\n",
            cell(&at),
            f.code.name(),
            cell(&f.message),
            cell(f.help.as_deref().unwrap_or(""))
        ));
    }
    out
}
