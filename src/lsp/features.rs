//! Read-only features: diagnostics from findings, hover, completion of keys,
//! go to definition, find references, links to archived copies, and the
//! code lens that counts a report's citations and quotations.

use std::path::{Path, PathBuf};

use lsp_types::*;

use super::document::{Kind, path_uri};
use super::position::{Encoding, Lines, from_line_column, offset, position};
use super::server::{Failure, Server};
use crate::check::Claim;
use crate::findings::{Finding, Severity};
use crate::report::{Cite, Report, Span, Syntax, Target};

/// Where finding codes are explained (README's table, in the published crate).
pub const CODES_URL: &str = "https://docs.rs/crate/citelock/latest/source/README.md#finding-codes";

/// A finding as a diagnostic of the document `text`.
pub fn diagnostic(f: &Finding, text: &str, lines: &Lines, enc: Encoding, root: &Path) -> Diagnostic {
    let range = finding_span(f, text, lines).map_or_else(Range::default, |s| lines.range(text, s.start, s.end, enc));
    let severity = match f.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .filter_map(|r| {
            let path = root.join(&r.location.file);
            let other = std::fs::read_to_string(&path).unwrap_or_default();
            let at = r.location.line.map_or(0, |l| from_line_column(&other, l, r.location.column.unwrap_or(1)));
            let pos = position(&other, at)(enc);
            Some(DiagnosticRelatedInformation {
                location: Location { uri: path_uri(&path)?, range: Range::new(pos, pos) },
                message: r.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range,
        severity: Some(severity),
        code: Some(NumberOrString::String(f.code.name().into())),
        code_description: CODES_URL.parse().ok().map(|href| CodeDescription { href }),
        source: Some("citelock".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(serde_json::json!({ "code": f.code.name(), "data": f.data })),
    }
}

/// The byte span a finding marks in `text` (a whole line's start when it names no column).
pub fn finding_span(f: &Finding, text: &str, lines: &Lines) -> Option<Span> {
    let l = f.location.as_ref()?;
    let line = l.line?;
    let start = lines.from_line_column(text, line, l.column.unwrap_or(1));
    let end = match (l.end_line, l.end_column) {
        (Some(el), Some(ec)) => lines.from_line_column(text, el, ec),
        _ => text[start..].chars().next().map_or(start, |c| start + c.len_utf8()),
    };
    Some(Span { start, end: end.max(start) })
}

/// A byte span as a protocol range.
pub fn range(text: &str, span: Span, enc: Encoding) -> Range {
    Range::new(position(text, span.start)(enc), position(text, span.end)(enc))
}

/// The citation at a byte offset (its key's span, ends included).
pub fn cite_at(report: &Report, at: usize) -> Option<(usize, &Cite)> {
    report
        .markers
        .iter()
        .enumerate()
        .flat_map(|(i, m)| m.cites.iter().map(move |c| (i, c)))
        .find(|(_, c)| c.span.start <= at && at <= c.span.end)
}

/// The claim `check` made of a citation (matched by its place).
pub fn claim_of<'a>(claims: &'a [Claim], report: &Report, cite: &Cite) -> Option<&'a Claim> {
    let (line, column) = report.position(cite.span.start);
    claims.iter().find(|c| c.line == line && c.column == column)
}

/// Reports on disk under `root` (the syntaxes `check` reads by extension;
/// plain text cites numbers, not keys), skipping hidden and build folders and
/// `references/` and `archive/`.
pub fn reports_on_disk(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                let skip = name.starts_with('.')
                    || ["target", "node_modules", "archive", "references"].contains(&name.as_str());
                if !skip && depth < 8 {
                    walk(&path, depth + 1, out);
                }
            } else if kind.is_file()
                && matches!(Syntax::of(&path), Syntax::Markdown | Syntax::Typst | Syntax::Latex)
                && e.metadata().is_ok_and(|m| m.len() <= 16 << 20)
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, 0, &mut out);
    out.sort();
    out
}

impl<W: std::io::Write> Server<W> {
    /// Every report as the editor has it (open) or as it is on disk: (path, text, syntax).
    pub(super) fn all_reports(&self) -> Vec<(PathBuf, String, Syntax)> {
        let mut out: Vec<(PathBuf, String, Syntax)> = self
            .docs
            .values()
            .filter_map(|d| match d.kind {
                Kind::Report(s) => Some((d.path.clone(), d.text.clone(), s)),
                Kind::References => None,
            })
            .collect();
        for path in reports_on_disk(&self.root()) {
            if out.iter().any(|(p, _, _)| *p == path) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                let syntax = Syntax::of(&path);
                out.push((path, text, syntax));
            }
        }
        out
    }

    /// The key cited at a position of an open report: (its key, the cite's byte span).
    pub(super) fn key_at(&mut self, uri: &Uri, pos: Position) -> Result<Option<(String, Span)>, Failure> {
        let key = self.document(uri)?;
        let enc = self.enc;
        let at = offset(&self.docs[&key].text, pos, enc);
        let Some(a) = self.analysis(&key) else { return Ok(None) };
        let Some((_, cite)) = cite_at(&a.report, at) else { return Ok(None) };
        let resolved = match &cite.target {
            Target::Key(k) => Some(k.clone()),
            Target::Number(_) => claim_of(&a.claims, &a.report, cite).and_then(|c| c.key.clone()),
        };
        Ok(resolved.map(|k| (k, cite.span)))
    }

    pub(super) fn hover(&mut self, p: HoverParams) -> Result<Option<Hover>, Failure> {
        let uri = p.text_document_position_params.text_document.uri;
        let doc = self.document(&uri)?;
        let enc = self.enc;
        let at = offset(&self.docs[&doc].text, p.text_document_position_params.position, enc);
        let (root, markdown) = (self.root(), self.markdown.0);
        let Some(a) = self.analysis(&doc) else { return Ok(None) };
        let text = &a.report.text;
        if let Some(q) = a.report.quotes.iter().find(|q| q.span.start <= at && at < q.span.end) {
            let (line, column) = a.report.position(q.span.start);
            let verdict = a
                .claims
                .iter()
                .flat_map(|c| &c.quotations)
                .find(|r| r.line == line && r.column == column)
                .map_or("not attributed to a citation", |r| r.verdict.as_str());
            let mut md = format!("**Quotation**: {verdict}\n");
            let lines = Lines::new(text);
            for f in
                a.findings.iter().filter(|f| finding_span(f, text, &lines).is_some_and(|s| s.start == q.span.start))
            {
                md.push_str(&format!("\n- `{}` {}", f.code.name(), f.message));
                if let Some(closest) = f.data.get("closest").and_then(|v| v.as_str()).filter(|s| !s.is_empty()) {
                    md.push_str(&format!("\n\n  Archived: “{closest}”"));
                }
                if let Some(diff) = f.data.get("diff").and_then(|v| v.as_str()).filter(|s| !s.is_empty()) {
                    md.push_str(&format!("\n\n  Words: {diff}"));
                }
            }
            return Ok(Some(markdown_hover(md, range(text, q.span, enc), markdown)));
        }
        let Some((_, cite)) = cite_at(&a.report, at) else { return Ok(None) };
        let claim = claim_of(&a.claims, &a.report, cite).cloned();
        let span = cite.span;
        let hover_range = range(text, span, enc);
        let Some(key) = claim.as_ref().and_then(|c| c.key.clone()) else {
            let md = match &cite.target {
                Target::Key(k) => format!("`{k}` is not in references/"),
                Target::Number(n) => format!("[{n}] is not in the numbered reference list"),
            };
            return Ok(Some(markdown_hover(md, hover_range, markdown)));
        };
        let mut md = format!("**{key}**");
        if let Some(formatted) = self.world().and_then(|w| w.format(&key)) {
            md.push_str(&format!("\n\n{formatted}"));
        }
        match claim.as_ref().and_then(|c| c.snapshot.as_ref()) {
            Some(s) => {
                md.push_str(&format!(
                    "\n\n**Snapshot** `{}` · sha256 `{}…` · captured {} · {}",
                    s.id,
                    &s.sha256[..12.min(s.sha256.len())],
                    s.captured,
                    s.method
                ));
                if let Some(url) = &s.url {
                    md.push_str(&format!(" from <{url}>"));
                }
                if s.pinned {
                    md.push_str(" · pinned");
                }
                if let Some(u) = path_uri(&root.join(&s.path)) {
                    md.push_str(&format!(" · [archived copy]({})", u.as_str()));
                }
            }
            None => md.push_str("\n\n**No snapshot** (`citelock archive` takes one)"),
        }
        if let Some(best) = claim.as_ref().and_then(|c| c.evidence.first()) {
            let page = best.page.map(|p| format!(" (p. {p})")).unwrap_or_default();
            md.push_str(&format!("\n\n**Best passage**{page}:\n\n> {}", best.text.replace('\n', " ")));
        }
        Ok(Some(markdown_hover(md, hover_range, markdown)))
    }

    pub(super) fn definition(&mut self, p: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>, Failure> {
        let tdp = p.text_document_position_params;
        let Some((key, _)) = self.key_at(&tdp.text_document.uri, tdp.position)? else { return Ok(None) };
        Ok(self.entry_location(&key).map(GotoDefinitionResponse::Scalar))
    }

    /// Where an entry's key is written in `references/`.
    fn entry_location(&mut self, key: &str) -> Option<Location> {
        let enc = self.enc;
        let w = self.world()?;
        let r = w.library.get(key)?;
        let file = &w.library.files[r.file];
        let item = w.library.item(r);
        let start = from_line_column(&file.text, item.line, item.column);
        let end = from_line_column(&file.text, item.line, item.column + item.width);
        Some(Location { uri: path_uri(&file.path)?, range: range(&file.text, Span { start, end }, enc) })
    }

    pub(super) fn references(&mut self, p: ReferenceParams) -> Result<Option<Vec<Location>>, Failure> {
        let tdp = p.text_document_position;
        let Some((key, _)) = self.key_at(&tdp.text_document.uri, tdp.position)? else { return Ok(None) };
        let enc = self.enc;
        let mut out = Vec::new();
        for (path, text, syntax) in self.all_reports() {
            let report = Report::parse(text, syntax);
            let Some(uri) = path_uri(&path) else { continue };
            let lines = Lines::new(&report.text);
            for c in report.markers.iter().flat_map(|m| &m.cites) {
                if c.target == Target::Key(key.clone()) {
                    let range = lines.range(&report.text, c.span.start, c.span.end, enc);
                    out.push(Location { uri: uri.clone(), range });
                }
            }
        }
        if p.context.include_declaration
            && let Some(l) = self.entry_location(&key)
        {
            out.push(l);
        }
        Ok(Some(out))
    }

    pub(super) fn links(&mut self, p: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>, Failure> {
        let doc = self.document(&p.text_document.uri)?;
        let (enc, root) = (self.enc, self.root());
        let Some(a) = self.analysis(&doc) else { return Ok(None) };
        let mut out = Vec::new();
        let lines = Lines::new(&a.report.text);
        for cite in a.report.markers.iter().flat_map(|m| &m.cites) {
            let Some(s) = claim_of(&a.claims, &a.report, cite).and_then(|c| c.snapshot.as_ref()) else { continue };
            out.push(DocumentLink {
                range: lines.range(&a.report.text, cite.span.start, cite.span.end, enc),
                target: path_uri(&root.join(&s.path)),
                tooltip: Some(format!("archived copy, captured {}", s.captured)),
                data: None,
            });
        }
        Ok(Some(out))
    }

    pub(super) fn lenses(&mut self, p: CodeLensParams) -> Result<Option<Vec<CodeLens>>, Failure> {
        let doc = self.document(&p.text_document.uri)?;
        let Some(a) = self.analysis(&doc) else { return Ok(None) };
        let near =
            a.findings.iter().filter(|f| f.data.get("verdict").and_then(|v| v.as_str()) == Some("near-miss")).count();
        let t = a.tally;
        let mut parts = vec![
            plural(t.citations, "citation", "citations"),
            format!("{} verified", plural(t.verified, "quotation", "quotations")),
        ];
        if near > 0 {
            parts.push(plural(near, "near-miss", "near-misses"));
        }
        if t.not_found > near {
            parts.push(format!("{} not found", t.not_found - near));
        }
        if t.unverifiable > 0 {
            parts.push(format!("{} unverifiable", t.unverifiable));
        }
        let title = parts.join(" · ");
        let command = Command { title, command: "citelock.check".into(), arguments: None };
        Ok(Some(vec![CodeLens { range: Range::default(), command: Some(command), data: None }]))
    }

    pub(super) fn completion(&mut self, p: CompletionParams) -> Result<Option<CompletionResponse>, Failure> {
        let tdp = p.text_document_position;
        let doc = self.document(&tdp.text_document.uri)?;
        let enc = self.enc;
        let (text, kind) = (self.docs[&doc].text.clone(), self.docs[&doc].kind);
        let Kind::Report(syntax) = kind else { return Ok(None) };
        let at = offset(&text, tdp.position, enc);
        let Some((start, context)) = completion_context(&text, at, syntax) else { return Ok(None) };
        let Some(w) = self.world() else { return Ok(None) };
        let typed = &text[start..at];
        // Two ranges, computed once: the key typed, and with its `@` (for `#cite(label(…))`).
        let typed_range = range(&text, Span { start, end: at }, enc);
        let with_at = range(&text, Span { start: start.saturating_sub(1), end: at }, enc);
        let lower = typed.to_lowercase();
        let mut items = Vec::new();
        for card in w.cards() {
            let key = card.key.as_str();
            if !key.starts_with(typed) && !card.lower.contains(&lower) {
                continue;
            }
            let (replaced, insert) = match context {
                Context::TypstAt if !typst_label(key) => (with_at, format!("#cite(label(\"{key}\"))")),
                _ => (typed_range, key.to_owned()),
            };
            items.push(CompletionItem {
                label: key.to_owned(),
                kind: Some(CompletionItemKind::REFERENCE),
                detail: Some(card.detail.clone()),
                // The entry formatted in the style comes on resolve, for the item chosen.
                data: Some(serde_json::json!({ "key": key })),
                filter_text: Some(card.filter.clone()),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit { range: replaced, new_text: insert })),
                ..Default::default()
            });
        }
        Ok(Some(CompletionResponse::List(CompletionList { is_incomplete: false, items })))
    }
}

impl<W: std::io::Write> Server<W> {
    /// A completion item with its documentation: the entry in the configured
    /// style, and whether it has a snapshot.
    pub(super) fn resolve(&mut self, mut item: CompletionItem) -> Result<CompletionItem, Failure> {
        let Some(key) = item.data.as_ref().and_then(|d| d["key"].as_str()).map(str::to_owned) else { return Ok(item) };
        let markdown = self.markdown.1;
        let Some(w) = self.world() else { return Ok(item) };
        let formatted = w.format(&key).unwrap_or_else(|| key.clone());
        let snapshot = if w.archived_keys().contains(&key) { "snapshot archived" } else { "no snapshot" };
        item.documentation = Some(match markdown {
            true => Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!("{formatted}\n\n{snapshot}"),
            }),
            false => Documentation::String(format!("{formatted}\n{snapshot}")),
        });
        Ok(item)
    }
}

/// Where a key is being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// After `@` in Markdown (`@key`, `[@key]`, `[-@key]`).
    MarkdownAt,
    /// After `@` in Typst.
    TypstAt,
    /// Inside Typst's `#cite(<…>)` or `#cite(label("…"))`.
    TypstLabel,
    /// Inside a LaTeX `\cite…{…}`.
    Latex,
}

/// Whether a character can be part of a key being typed.
fn key_char(c: char) -> bool {
    c.is_alphanumeric() || "_-:./+".contains(c)
}

/// The start of the key being typed at `at`, and its context, if a key is being typed.
pub fn completion_context(text: &str, at: usize, syntax: Syntax) -> Option<(usize, Context)> {
    let before = &text[..at];
    let start = before.char_indices().rev().take_while(|(_, c)| key_char(*c)).last().map_or(at, |(i, _)| i);
    let head = &before[..start];
    let line = &head[head.rfind('\n').map_or(0, |i| i + 1)..];
    let context = match (syntax, line.chars().last()?) {
        (Syntax::Markdown, '@') => Context::MarkdownAt,
        (Syntax::Typst, '@') => Context::TypstAt,
        (Syntax::Typst, '<') if line.ends_with("cite(<") => Context::TypstLabel,
        (Syntax::Typst, '"') if line.ends_with("label(\"") => Context::TypstLabel,
        (Syntax::Latex, '{' | ',') => {
            let open = line.rfind('{')?;
            if line[open..].contains('}') {
                return None;
            }
            let command = regex::Regex::new(r"\\[A-Za-z]*cite[A-Za-z]*\*?(\[[^\]]*\])*$").expect("a fixed pattern");
            command.is_match(&line[..open]).then_some(Context::Latex)?
        }
        _ => return None,
    };
    Some((start, context))
}

/// Whether a key can be written as a Typst label (`@key`, `<key>`).
pub fn typst_label(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || "_-:.".contains(c)) && !key.ends_with(['.', ':'])
}

/// A hover in Markdown, or in plain text for a client that reads no Markdown
/// there (the same words; its markup is light enough to read as it is).
fn markdown_hover(value: String, range: Range, markdown: bool) -> Hover {
    let kind = if markdown { MarkupKind::Markdown } else { MarkupKind::PlainText };
    Hover { contents: HoverContents::Markup(MarkupContent { kind, value }), range: Some(range) }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_completed_where_each_syntax_cites() {
        fn ctx(t: &str, s: Syntax) -> Option<(&str, Context)> {
            completion_context(t, t.len(), s).map(|(i, c)| (&t[i..], c))
        }
        assert_eq!(ctx("see [@dar", Syntax::Markdown), Some(("dar", Context::MarkdownAt)));
        assert_eq!(ctx("see @", Syntax::Markdown), Some(("", Context::MarkdownAt)));
        assert_eq!(ctx("see @dar", Syntax::Typst), Some(("dar", Context::TypstAt)));
        assert_eq!(ctx("#cite(<da", Syntax::Typst), Some(("da", Context::TypstLabel)));
        assert_eq!(ctx("#cite(label(\"da", Syntax::Typst), Some(("da", Context::TypstLabel)));
        assert_eq!(ctx("\\cite{da", Syntax::Latex), Some(("da", Context::Latex)));
        assert_eq!(ctx("\\parencite[p.~3]{a,da", Syntax::Latex), Some(("da", Context::Latex)));
        assert_eq!(ctx("\\section{da", Syntax::Latex), None);
        assert_eq!(ctx("\\cite{a} and {da", Syntax::Latex), None);
        assert_eq!(ctx("plain [1", Syntax::Plain), None);
    }

    #[test]
    fn typst_labels_are_told_from_keys_that_need_label() {
        assert!(typst_label("darwin1859"));
        assert!(typst_label("doe:2020-a.b"));
        assert!(!typst_label("doe/2020"));
        assert!(!typst_label("a+b"));
        assert!(!typst_label("end."));
    }
}
