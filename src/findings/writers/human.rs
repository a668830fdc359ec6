//! The human format: rustc-like, with the source line and a caret under the span.

use std::collections::HashMap;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::Context;
use crate::findings::{Finding, Findings, Severity};

struct Styles {
    error: Style,
    warning: Style,
    info: Style,
    gutter: Style,
    bold: Style,
}

impl Styles {
    fn new(color: bool) -> Self {
        if !color {
            let plain = Style::new();
            return Styles { error: plain, warning: plain, info: plain, gutter: plain, bold: plain };
        }
        Styles {
            error: AnsiColor::Red.on_default().bold(),
            warning: AnsiColor::Yellow.on_default().bold(),
            info: AnsiColor::Cyan.on_default().bold(),
            gutter: AnsiColor::Blue.on_default().bold(),
            bold: Style::new().bold(),
        }
    }

    fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

/// Source files read once each, split into lines.
struct Sources<'a> {
    ctx: &'a Context<'a>,
    files: HashMap<String, Option<Vec<String>>>,
}

impl Sources<'_> {
    fn line(&mut self, file: &str, line: usize) -> Option<&str> {
        let root = self.ctx.root;
        let lines = self.files.entry(file.to_owned()).or_insert_with(|| {
            std::fs::read_to_string(root.join(file)).ok().map(|t| t.lines().map(str::to_owned).collect())
        });
        lines.as_ref()?.get(line.checked_sub(1)?).map(String::as_str)
    }
}

pub(super) fn write(findings: &Findings, ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    let st = Styles::new(ctx.color);
    let mut sources = Sources { ctx, files: HashMap::new() };
    for f in findings.items() {
        write_one(f, &st, &mut sources, out)?;
    }
    Ok(())
}

fn write_one(f: &Finding, st: &Styles, sources: &mut Sources, out: &mut dyn Write) -> io::Result<()> {
    let sev = st.severity(f.severity);
    let bold = st.bold;
    let gutter = st.gutter;
    writeln!(out, "{sev}{}[{}]{sev:#}{bold}: {}{bold:#}", f.severity.name(), f.code.name(), f.message)?;
    let mut width = 1;
    if let Some(loc) = &f.location {
        let snippet = loc.line.and_then(|l| sources.line(&loc.file, l).map(|s| (l, s.replace('\t', " "))));
        width = snippet.as_ref().map_or(1, |(l, _)| l.to_string().len());
        let pad = " ".repeat(width);
        writeln!(out, "{pad}{gutter}-->{gutter:#} {}", loc.display())?;
        if let Some((line, text)) = snippet {
            writeln!(out, "{pad} {gutter}|{gutter:#}")?;
            let start = loc.column.unwrap_or(1).max(1);
            let end = match (loc.end_line, loc.end_column) {
                (Some(el), Some(ec)) if el == line && ec > start => ec,
                _ => start + 1,
            };
            let (shown, start, end) = window(&text, start, end);
            writeln!(out, "{gutter}{line} |{gutter:#} {shown}")?;
            let carets = "^".repeat(end - start);
            let lead = " ".repeat(start - 1);
            writeln!(out, "{pad} {gutter}|{gutter:#} {lead}{sev}{carets}{sev:#}")?;
        }
    }
    let pad = " ".repeat(width);
    for r in &f.related {
        writeln!(out, "{pad} {gutter}={gutter:#} {bold}note{bold:#}: {} ({})", r.message, r.location.display())?;
    }
    if let Some(help) = &f.help {
        writeln!(out, "{pad} {gutter}={gutter:#} {bold}help{bold:#}: {help}")?;
    }
    writeln!(out)
}

/// Characters of a source line shown at most: a 200 KB line (a minified
/// file, a hostile one) is cut to the part around the span.
const SHOWN: usize = 120;

/// The part of `text` to show around the span `start..end` (1-based
/// character columns), and the span's columns within it.
fn window(text: &str, start: usize, end: usize) -> (String, usize, usize) {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= SHOWN {
        return (text.to_owned(), start, end);
    }
    let from = (start - 1).saturating_sub(SHOWN / 3).min(chars.len().saturating_sub(SHOWN));
    let to = (from + SHOWN).min(chars.len());
    let mut shown = String::new();
    let mut shift = from;
    if from > 0 {
        shown.push('\u{2026}');
        shift -= 1;
    }
    shown.extend(&chars[from..to]);
    if to < chars.len() {
        shown.push('\u{2026}');
    }
    let start = start - shift;
    let end = (end - shift).min(to - shift + 1).max(start + 1);
    (shown, start, end)
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let (shown, start, end) = window(&line, 5001, 5002);
        assert!(shown.chars().count() <= 122, "{}", shown.len());
        assert_eq!(shown.chars().nth(start - 1), Some('X'));
        assert_eq!(end, start + 1);
        assert!(shown.starts_with('\u{2026}') && shown.ends_with('\u{2026}'));
        assert_eq!(window("short", 2, 3), ("short".to_owned(), 2, 3));
    }
}
