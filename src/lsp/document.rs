//! Open documents: their text as the editor has it (unsaved edits included),
//! kept in step with incremental changes, and what kind of file each is.

use std::path::PathBuf;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::position::{Encoding, offset};
use crate::report::Syntax;

/// What citelock reads a document as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A report in this syntax.
    Report(Syntax),
    /// A `references/*.yml` file.
    References,
}

/// One open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// As the client names it.
    pub uri: Uri,
    /// On disk.
    pub path: PathBuf,
    /// Relative to the repository root, as findings name files.
    pub name: String,
    /// The editor's text.
    pub text: String,
    /// The editor's version of it.
    pub version: i32,
    /// What it is.
    pub kind: Kind,
}

impl Document {
    /// Applies the changes of one `didChange`, in order. A change with no
    /// range replaces the whole text.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = offset(&self.text, range.start, enc);
                    let end = offset(&self.text, range.end, enc).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
    }
}

/// The kind of a file by where it is and its name: YAML under `references/`
/// is the library, anything else a report of the syntax its extension implies.
pub fn kind_of(name: &str, path: &std::path::Path) -> Kind {
    let yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"));
    if yaml && name.starts_with("references/") { Kind::References } else { Kind::Report(Syntax::of(path)) }
}

/// A `file:` URI's path.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok().filter(|u| u.scheme() == "file").and_then(|u| u.to_file_path().ok())
}

/// The `file:` URI of a path.
pub fn path_uri(path: &std::path::Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    url.as_str().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut d = Document {
            uri: "file:///r/a.md".parse().unwrap(),
            path: "/r/a.md".into(),
            name: "a.md".into(),
            text: "😀 see [@a]\n".into(),
            version: 1,
            kind: Kind::Report(Syntax::Markdown),
        };
        let change = |l, c, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l, c), Position::new(l2, c2))),
            range_length: None,
            text: t.into(),
        };
        // UTF-16: the emoji is two units, so `see` starts at 3.
        d.apply(vec![change(0, 3, 0, 6, "read"), change(0, 11, 0, 11, "b")], Encoding::Utf16);
        assert_eq!(d.text, "😀 read [@ab]\n");
        d.apply(
            vec![TextDocumentContentChangeEvent { range: None, range_length: None, text: "new".into() }],
            Encoding::Utf16,
        );
        assert_eq!(d.text, "new");
    }

    #[test]
    fn files_are_told_apart_by_place_and_name() {
        let p = std::path::Path::new;
        assert_eq!(kind_of("references/library.yml", p("/r/references/library.yml")), Kind::References);
        assert_eq!(kind_of("notes.yml", p("/r/notes.yml")), Kind::Report(Syntax::Plain));
        assert_eq!(kind_of("a.typ", p("/r/a.typ")), Kind::Report(Syntax::Typst));
    }
}
