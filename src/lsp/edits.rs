//! Features that change files, all as `WorkspaceEdit`s the editor applies:
//! code actions for findings (allow one finding, cite the key meant, take the
//! archived wording of a near-miss quotation, correct a page, record a quotation
//! checked by hand) and renaming a key everywhere it is written.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::*;

use super::document::{Kind, path_uri};
use super::features::{cite_at, finding_span, range, typst_label};
use super::lookup;
use super::position::{Encoding, Lines, from_line_column, offset};
use super::server::{Failure, Server};
use crate::archive::capture;
use crate::check::verified;
use crate::findings::{Code, Severity};
use crate::report::{Report, Span, Syntax, Target};

impl<W: std::io::Write> Server<W> {
    pub(super) fn actions(&mut self, p: CodeActionParams) -> Result<Option<CodeActionResponse>, Failure> {
        let doc = self.document(&p.text_document.uri)?;
        let (enc, uri, root, resolves) = (self.enc, p.text_document.uri.clone(), self.root(), self.resolves_actions);
        let d = &self.docs[&doc];
        let Kind::Report(syntax) = d.kind else { return Ok(None) };
        let version = d.version;
        let (from, to) = (offset(&d.text, p.range.start, enc), offset(&d.text, p.range.end, enc));
        let Some(a) = self.analysis(&doc) else { return Ok(None) };
        let text = &a.report.text;
        let lines = Lines::new(text);
        let mut out = Vec::new();
        let mut lookups = Vec::new();
        for f in &a.findings {
            let Some(span) = finding_span(f, text, &lines) else { continue };
            if span.end < from || span.start > to {
                continue;
            }
            let edit = |edits: Vec<(Span, String)>| {
                let edits =
                    edits.into_iter().map(|(s, t)| TextEdit { range: range(text, s, enc), new_text: t }).collect();
                one_file(&uri, Some(version), edits)
            };
            let mut add = |title: String, edit: WorkspaceEdit, preferred: bool| {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: None,
                    edit: Some(edit),
                    is_preferred: Some(preferred),
                    ..Default::default()
                }))
            };
            let data = |k: &str| f.data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            match f.code {
                Code::UnknownCitation => {
                    if let Some(k) = data("suggestion") {
                        add(format!("Cite `{k}`"), edit(vec![(span, k.clone())]), true);
                    }
                    if let Some(key) = data("key").filter(|_| resolves) {
                        lookups.extend(lookup::dois_near(text, span).iter().map(|doi| lookup::action(&key, doi)));
                    }
                }
                Code::QuoteNotFound if data("verdict").as_deref() == Some("near-miss") => {
                    let q = a.report.quotes.iter().find(|q| q.span.start == span.start);
                    if let (Some(q), Some(closest)) = (q, data("closest").filter(|c| !c.is_empty())) {
                        let inner = inner_span(text, q.span);
                        add("Use the archived wording".into(), edit(vec![(inner, closest)]), true);
                    }
                }
                Code::QuoteWrongPage => {
                    let fix = a.report.quotes.iter().find(|q| q.span.start == span.start).and_then(|q| {
                        let marker = &a.report.markers[q.marker?];
                        let cited = f.data.get("cited-page")?.to_string();
                        let found = f.data.get("found-page")?.to_string();
                        page_in(text, marker.span, &cited).map(|s| (s, found))
                    });
                    if let Some((s, found)) = fix {
                        add(format!("Cite p. {found}"), edit(vec![(s, found)]), true);
                    }
                }
                Code::QuoteUnverifiable => {
                    let q = a.report.quotes.iter().find(|q| q.span.start == span.start);
                    let keys = f.data.get("keys").and_then(|v| v.as_array()).cloned().unwrap_or_default();
                    if let (Some(q), Some(key)) = (q, keys.first().and_then(|k| k.as_str())) {
                        let page = q.marker.and_then(|m| a.report.markers[m].cites.first()?.locator.clone());
                        if let Some(e) = record_verified(&root, &q.text, key, page.as_deref(), enc) {
                            add(format!("Record as checked by hand in {}", verified::FILE), e, false);
                        }
                    }
                }
                _ => {}
            }
            if f.severity != Severity::Info {
                let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                let indent: String = text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
                let comment = allow_comment(syntax, f.code.name());
                let at = Span { start: line_start, end: line_start };
                add(
                    format!("Allow this `{}` here", f.code.name()),
                    edit(vec![(at, format!("{indent}{comment}\n"))]),
                    false,
                );
            }
        }
        out.extend(lookups);
        Ok(Some(out))
    }

    pub(super) fn prepare_rename(
        &mut self,
        p: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>, Failure> {
        let doc = self.document(&p.text_document.uri)?;
        let enc = self.enc;
        if self.docs[&doc].kind == Kind::References {
            return Ok(self.entry_key_at(&doc, p.position).map(|(k, s)| {
                let text = &self.docs[&doc].text;
                PrepareRenameResponse::RangeWithPlaceholder { range: range(text, s, enc), placeholder: k }
            }));
        }
        let Some(a) = self.analysis(&doc) else { return Ok(None) };
        let at = offset(&a.report.text, p.position, enc);
        Ok(cite_at(&a.report, at).and_then(|(_, c)| match &c.target {
            Target::Key(k) => Some(PrepareRenameResponse::RangeWithPlaceholder {
                range: range(&a.report.text, c.span, enc),
                placeholder: k.clone(),
            }),
            Target::Number(_) => None,
        }))
    }

    /// The entry key written at a position of an open references file.
    fn entry_key_at(&mut self, doc: &str, pos: Position) -> Option<(String, Span)> {
        let (path, text) = (self.docs[doc].path.clone(), self.docs[doc].text.clone());
        let at = offset(&text, pos, self.enc);
        let w = self.world()?;
        let file = w.library.files.iter().find(|f| f.path == path)?;
        file.outline.items.iter().find_map(|i| {
            let start = from_line_column(&text, i.line, i.column);
            let end = from_line_column(&text, i.line, i.column + i.width);
            (start <= at && at <= end).then(|| (i.key.clone(), Span { start, end }))
        })
    }

    pub(super) fn rename(&mut self, p: RenameParams) -> Result<Option<WorkspaceEdit>, Failure> {
        let tdp = p.text_document_position;
        let doc = self.document(&tdp.text_document.uri)?;
        let old = if self.docs[&doc].kind == Kind::References {
            self.entry_key_at(&doc, tdp.position).map(|(k, _)| k)
        } else {
            self.key_at(&tdp.text_document.uri, tdp.position)?.map(|(k, _)| k)
        };
        let Some(old) = old else { return Err(Failure::invalid("no citation key here")) };
        let new = p.new_name.trim().to_owned();
        if new.is_empty() || new.chars().any(|c| c.is_whitespace() || "{},;[]\"'#%".contains(c)) {
            return Err(Failure::invalid(format!("`{new}` cannot be a citation key")));
        }
        let enc = self.enc;
        let root = self.root();
        let versions: HashMap<std::path::PathBuf, i32> =
            self.docs.values().map(|d| (d.path.clone(), d.version)).collect();
        let open_text: HashMap<std::path::PathBuf, String> =
            self.docs.values().map(|d| (d.path.clone(), d.text.clone())).collect();
        let text_of = |p: &Path| open_text.get(p).cloned().or_else(|| std::fs::read_to_string(p).ok());
        let w = self.world().ok_or_else(|| Failure::invalid("no repository"))?;
        if new != old && w.library.has_key(&new) {
            return Err(Failure::invalid(format!("`{new}` is already a key in references/")));
        }
        let record = w.library.get(&old).map(|r| (w.library.files[r.file].path.clone(), w.library.item(r).clone()));
        let log = w.repo.archive().log_path(&old);
        let new_log = w.repo.archive().log_path(&new);
        let mut changes: Vec<DocumentChangeOperation> = Vec::new();
        let mut push = |path: &Path, text: &str, spans: Vec<(Span, String)>| {
            if spans.is_empty() {
                return;
            }
            let Some(uri) = path_uri(path) else { return };
            let edits = spans
                .into_iter()
                .map(|(s, t)| OneOf::Left(TextEdit { range: range(text, s, enc), new_text: t }))
                .collect();
            let version = versions.get(path).copied();
            changes.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                edits,
            }));
        };
        for (path, text, syntax) in self.all_reports() {
            let report = Report::parse(text, syntax);
            let mut spans = Vec::new();
            for c in report.markers.iter().flat_map(|m| &m.cites) {
                if c.target != Target::Key(old.clone()) {
                    continue;
                }
                if syntax == Syntax::Typst && !typst_label(&new) {
                    return Err(Failure::invalid(format!(
                        "`{new}` is not a Typst label, and {} cites `{old}` with one",
                        path.display()
                    )));
                }
                spans.push((c.span, new.clone()));
            }
            push(&path, &report.text, spans);
            let refs = crate::check::refs_path(&path);
            if let Some(t) = text_of(&refs) {
                push(&refs, &t, refs_spans(&t, &old, &new));
            }
        }
        if let Some((path, item)) = record
            && let Some(t) = text_of(&path)
        {
            let start = from_line_column(&t, item.line, item.column);
            let end = from_line_column(&t, item.line, item.column + item.width);
            let written = t[start..end].replacen(&old, &new, 1);
            push(&path, &t, vec![(Span { start, end }, written)]);
        }
        let verified_path = root.join(verified::FILE);
        if let Some(t) = text_of(&verified_path) {
            push(&verified_path, &t, yaml_key_spans(&t, &old, &new));
        }
        if let Some(t) = text_of(&log) {
            push(&log, &t, yaml_key_spans(&t, &old, &new));
            if log != new_log
                && let (Some(old_uri), Some(new_uri)) = (path_uri(&log), path_uri(&new_log))
            {
                changes.push(DocumentChangeOperation::Op(ResourceOp::Rename(RenameFile {
                    old_uri,
                    new_uri,
                    options: None,
                    annotation_id: None,
                })));
            }
        }
        Ok(Some(WorkspaceEdit { document_changes: Some(DocumentChanges::Operations(changes)), ..Default::default() }))
    }
}

/// A quotation's span without its opening and closing marks.
fn inner_span(text: &str, s: Span) -> Span {
    let quoted = &text[s.start..s.end];
    let open = quoted.chars().next().map_or(0, char::len_utf8);
    let close = quoted.chars().last().map_or(0, char::len_utf8);
    Span { start: s.start + open, end: (s.end - close).max(s.start + open) }
}

/// The page number `page` written in a marker (a whole number, after the key).
fn page_in(text: &str, marker: Span, page: &str) -> Option<Span> {
    let inside = &text[marker.start..marker.end];
    let re = regex::Regex::new(&format!(r"\b{}\b", regex::escape(page))).ok()?;
    let m = re.find_iter(inside).last()?;
    Some(Span { start: marker.start + m.start(), end: marker.start + m.end() })
}

/// `N key` lines of a `.refs` file that name `old`.
fn refs_spans(text: &str, old: &str, new: &str) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let mut words = line.split_whitespace();
        if let (Some(n), Some(key)) = (words.next(), words.next())
            && n.parse::<u32>().is_ok()
            && key == old
            && let Some(i) = line.find(char::is_whitespace).and_then(|w| line[w..].find(old).map(|k| w + k))
        {
            out.push((Span { start: at + i, end: at + i + old.len() }, new.to_owned()));
        }
        at += line.len();
    }
    out
}

/// `key: old` lines of a YAML file (quoted or not).
fn yaml_key_spans(text: &str, old: &str, new: &str) -> Vec<(Span, String)> {
    let re = regex::Regex::new(r#"^\s*(?:-\s+)?key:\s*["']?([^"'\r\n]*?)["']?\s*$"#).expect("a fixed pattern");
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(m) = re.captures(line).and_then(|c| c.get(1)).filter(|m| m.as_str() == old) {
            out.push((Span { start: at + m.start(), end: at + m.end() }, new.to_owned()));
        }
        at += line.len();
    }
    out
}

/// The comment that allows one finding of `code` on the next line.
fn allow_comment(syntax: Syntax, code: &str) -> String {
    match syntax {
        Syntax::Markdown => format!("<!-- citelock: allow {code} -->"),
        Syntax::Typst => format!("// citelock: allow {code}"),
        Syntax::Latex => format!("% citelock: allow {code}"),
        Syntax::Plain => format!("# citelock: allow {code}"),
    }
}

/// An edit adding a hand verification to `references/verified.yml` (created if missing).
fn record_verified(root: &Path, quote: &str, key: &str, page: Option<&str>, enc: Encoding) -> Option<WorkspaceEdit> {
    let path = root.join(verified::FILE);
    let uri = path_uri(&path)?;
    let existing = std::fs::read_to_string(&path).ok();
    let by = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(root)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "editor".into());
    let date = capture::now().chars().take(10).collect::<String>();
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut record = format!("- quote: {}\n  key: {}\n", q(quote), q(key));
    if let Some(p) = page {
        record.push_str(&format!("  page: {}\n", q(p.trim_start_matches("p.").trim_start_matches("pp.").trim())));
    }
    record.push_str(&format!("  by: {}\n  date: {date}\n", q(&by)));
    Some(lookup::append(uri, existing.as_deref(), &record, enc))
}

fn one_file(uri: &Uri, version: Option<i32>, edits: Vec<TextEdit>) -> WorkspaceEdit {
    let edits = edits.into_iter().map(OneOf::Left).collect();
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version },
            edits,
        }])),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, spans: Vec<(Span, String)>) -> String {
        let mut t = text.to_owned();
        for (s, new) in spans.into_iter().rev() {
            t.replace_range(s.start..s.end, &new);
        }
        t
    }

    #[test]
    fn keys_are_renamed_in_refs_and_yaml_lines_only() {
        let refs = "1 darwin\n2 darwinism\n# 3 darwin\n";
        assert_eq!(apply(refs, refs_spans(refs, "darwin", "dar")), "1 dar\n2 darwinism\n# 3 darwin\n");
        let yaml = "- schema: 1\n  key: darwin\n- quote: \"key: darwin\"\n  key: 'darwin'\n  key: darwinism\n";
        assert_eq!(
            apply(yaml, yaml_key_spans(yaml, "darwin", "dar")),
            "- schema: 1\n  key: dar\n- quote: \"key: darwin\"\n  key: 'dar'\n  key: darwinism\n"
        );
        let first = "- key: darwin\n";
        assert_eq!(apply(first, yaml_key_spans(first, "darwin", "dar")), "- key: dar\n");
    }

    #[test]
    fn quotation_marks_and_pages_are_found() {
        let t = "He said “a b c” [@k, p. 12].";
        let q = Span { start: t.find('“').unwrap(), end: t.find('”').unwrap() + '”'.len_utf8() };
        let inner = inner_span(t, q);
        assert_eq!(&t[inner.start..inner.end], "a b c");
        let m = Span { start: t.find('[').unwrap(), end: t.find(']').unwrap() + 1 };
        let p = page_in(t, m, "12").unwrap();
        assert_eq!(&t[p.start..p.end], "12");
        assert!(page_in(t, m, "2").is_none());
    }
}
