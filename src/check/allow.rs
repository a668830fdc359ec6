//! Suppressions written in the report itself: a comment line such as
//! `<!-- citelock: allow quote-not-found -->` (Markdown), `// citelock: allow …`
//! (Typst), `% citelock: allow …` (LaTeX) or `# citelock: allow …` (plain text)
//! silences one finding of those codes on the next line. Silenced findings are
//! still shown, as notes that say which comment allowed them.

use crate::findings::{Finding, Severity};
use crate::report::Syntax;

/// (line the comment applies to, codes it allows, the comment's own line).
pub(super) fn comments(text: &str, syntax: Syntax) -> Vec<(usize, Vec<String>, usize)> {
    let openers: &[&str] = match syntax {
        Syntax::Markdown => &["<!--"],
        Syntax::Typst => &["//"],
        Syntax::Latex => &["%"],
        Syntax::Plain => &["#", "//", "<!--"],
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if !openers.iter().any(|o| t.starts_with(o)) {
            continue;
        }
        let Some(p) = t.find("citelock: allow") else { continue };
        let rest = t[p + "citelock: allow".len()..].trim_end().trim_end_matches("-->");
        let codes: Vec<String> =
            rest.split([',', ' ']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
        if !codes.is_empty() {
            out.push((i + 2, codes, i + 1));
        }
    }
    out
}

/// Turns the first matching finding of each comment into a note.
pub(super) fn apply(findings: &mut [Finding], file: &str, text: &str, syntax: Syntax) {
    for (line, codes, at) in comments(text, syntax) {
        let hit = findings.iter_mut().find(|f| {
            f.severity != Severity::Info
                && codes.iter().any(|c| c == f.code.name())
                && f.location.as_ref().is_some_and(|l| l.file == file && l.line == Some(line))
        });
        if let Some(f) = hit {
            f.severity = Severity::Info;
            f.message = format!("allowed by the comment on line {at}: {}", f.message);
            f.data.insert("allowed-by-line".into(), at.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_forms() {
        let md = "a\n<!-- citelock: allow quote-not-found, no-snapshot -->\nquoted line\n";
        assert_eq!(
            comments(md, Syntax::Markdown),
            [(3, vec!["quote-not-found".to_owned(), "no-snapshot".to_owned()], 2)]
        );
        assert_eq!(comments("% citelock: allow unknown-citation\n", Syntax::Latex)[0].0, 2);
        assert!(comments("text citelock: allow x\n", Syntax::Markdown).is_empty(), "only in comments");
    }
}
