//! The code action that adds an entry for an unknown key from a DOI written
//! near its citation: offered with the DOI in its `data` and no edit, and
//! resolved (`codeAction/resolve`) by looking the DOI up as `add --doi` does
//! and appending the entry, under the cited key, to the library file `add`
//! writes to. The lookup waits on the network, so it runs only when the
//! writer picks the action, and on a thread of its own: the server answers
//! other requests meanwhile.

use lsp_types::*;
use serde_json::{Value, json};

use super::document::path_uri;
use super::features::range;
use super::server::{Failure, Server};
use crate::library::import::{online, rekey};
use crate::library::{duplicates, edit};
use crate::report::Span;

/// The DOIs written in the paragraph around `span` (at most three), as
/// `add --doi` takes them.
pub(super) fn dois_near(text: &str, span: Span) -> Vec<String> {
    static DOI: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r#"\b10\.\d{4,9}/[^\s"<>]+"#).expect("a valid pattern"));
    let start = text[..span.start].rfind("\n\n").map_or(0, |i| i + 2);
    let end = text[span.end..].find("\n\n").map_or(text.len(), |i| span.end + i);
    let mut out: Vec<String> = Vec::new();
    for m in DOI.find_iter(&text[start..end]) {
        let doi = m.as_str().trim_end_matches(['.', ',', ';', ':', ')', ']', '}', '>', '\'']);
        if let Some(doi) = duplicates::normalise_doi(doi).filter(|d| !out.contains(d)) {
            out.push(doi);
        }
    }
    out.truncate(3);
    out
}

/// The unresolved action: its title, and the DOI and key to resolve it with.
pub(super) fn action(key: &str, doi: &str) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Add `{key}` from DOI {doi}"),
        kind: Some(CodeActionKind::QUICKFIX),
        data: Some(json!({"citelock": "doi", "doi": doi, "key": key})),
        ..Default::default()
    })
}

/// A lookup to run away from the message loop, and the reply it makes.
pub(super) type Lookup = Box<dyn FnOnce() -> Result<CodeAction, Failure> + Send>;

/// What resolving an action takes: nothing (the action as it is), or a lookup.
pub(super) enum Resolve {
    Done(Box<CodeAction>),
    Lookup(Lookup),
}

impl<W: std::io::Write> Server<W> {
    /// `codeAction/resolve`: what the lookup needs, gathered now; the
    /// lookup itself (the DOI looked up, the entry appended) is left to the
    /// caller to run on another thread, since it waits on the network.
    pub(super) fn resolve_action(&mut self, action: CodeAction) -> Result<Resolve, Failure> {
        let data = action.data.clone().unwrap_or(Value::Null);
        let (Some(doi), Some(key)) = (data["doi"].as_str(), data["key"].as_str()) else {
            return Ok(Resolve::Done(Box::new(action)));
        };
        let (doi, key, root, enc) = (doi.to_owned(), key.to_owned(), self.root(), self.enc);
        let Some(w) = self.world() else { return Err(Failure::invalid("no repository open".to_owned())) };
        let options =
            online::client_options(&w.config, &root).map_err(|e| Failure::invalid(format!("[fetch]: {e}")))?;
        let services = online::Services::from_config(&w.config);
        let into = w.config.add.into.clone().unwrap_or_else(|| "references/library.yml".into());
        let existing = w.library.file_index(&into).map(|i| w.library.files[i].text.clone());
        let uri = path_uri(&root.join(&into)).ok_or_else(|| Failure::invalid(format!("{into}: not a file path")))?;
        Ok(Resolve::Lookup(Box::new(move || {
            let lookup = || -> Result<crate::library::import::Import, String> {
                let client = crate::fetch::Client::new(options).map_err(|e| e.to_string())?;
                let runtime =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
                Ok(runtime.block_on(online::doi(&client, &services, &doi)))
            };
            let import = lookup().map_err(|e| Failure::invalid(format!("doi:{doi}: {e}")))?;
            let Some(found) = import.entries.first() else {
                let why = import.findings.first().map_or_else(|| "no entry".to_owned(), |f| f.message.clone());
                return Err(Failure::invalid(why));
            };
            let (entry, _) = edit::settle(&rekey(&found.entry, &key)).map_err(Failure::invalid)?;
            let yaml = edit::to_yaml(std::slice::from_ref(&entry));
            let mut action = action;
            action.edit = Some(append(uri, existing.as_deref(), &yaml, enc));
            Ok(action)
        })))
    }
}

/// `text` appended to a file (`existing` its text, or `None` when it is to
/// be created), as a `WorkspaceEdit`.
pub(super) fn append(uri: Uri, existing: Option<&str>, text: &str, enc: super::position::Encoding) -> WorkspaceEdit {
    let mut ops = Vec::new();
    let mut text = text.to_owned();
    let end = match existing {
        Some(t) => {
            if !t.is_empty() && !t.ends_with('\n') {
                text.insert(0, '\n');
            }
            range(t, Span { start: t.len(), end: t.len() }, enc)
        }
        None => {
            ops.push(DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                uri: uri.clone(),
                options: Some(CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
                annotation_id: None,
            })));
            Range::default()
        }
    };
    ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
        edits: vec![OneOf::Left(TextEdit { range: end, new_text: text })],
    }));
    WorkspaceEdit { document_changes: Some(DocumentChanges::Operations(ops)), ..Default::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_in_the_citations_paragraph_only() {
        let text = "Before https://doi.org/10.9999/other.\n\nAs shown [@smith2020] (doi:10.1000/ABC.12), \
                    see also https://doi.org/10.1000/abc.12 and 10.5555/x-y.\n\nAfter 10.7777/later.";
        let at = text.find("@smith").unwrap();
        let found = dois_near(text, Span { start: at, end: at + 10 });
        assert_eq!(found, ["10.1000/abc.12", "10.5555/x-y"]);
        assert!(dois_near("no doi here [@k]", Span { start: 12, end: 14 }).is_empty());
    }
}
