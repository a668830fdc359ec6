//! Citation markers by syntax. Each scanner first masks what can never hold a
//! citation (code, comments, verbatim, link targets) with spaces of the same
//! byte length, so spans stay true, then scans the rest.

use std::collections::HashSet;

use super::{Cite, Form, Marker, Span, Syntax, Target};

/// Markers in `text`, and the text with non-prose regions masked.
pub(super) fn find(text: &str, syntax: Syntax) -> (Vec<Marker>, String) {
    let scan = |masked: String, markers: fn(&str) -> Vec<Marker>| (markers(&masked), masked);
    match syntax {
        Syntax::Markdown => super::markdown::find(text),
        Syntax::Typst => scan(mask_typst(text), typst),
        Syntax::Latex => super::latex::find(text),
        Syntax::Plain => scan(text.to_owned(), plain),
    }
}

/// Replaces `text[start..end]` with spaces (line breaks kept), byte for byte.
pub(super) fn blank(out: &mut [u8], start: usize, end: usize) {
    for b in &mut out[start..end] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// Bytes to a String: masking only ever replaces whole characters' bytes
/// with ASCII spaces, but a range may split a character; repair if so.
pub(super) fn to_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| {
        let mut b = e.into_bytes();
        let mut i = 0;
        while i < b.len() {
            match std::str::from_utf8(&b[i..]) {
                Ok(_) => break,
                Err(err) => {
                    let bad = i + err.valid_up_to();
                    let len = err.error_len().unwrap_or(b.len() - bad);
                    blank(&mut b, bad, bad + len);
                    i = bad + len;
                }
            }
        }
        String::from_utf8(b).unwrap_or_default()
    })
}

/// Where the character after the one at `i` starts: scanners step by
/// characters, so they never slice inside one.
pub(super) fn next_char(text: &str, i: usize) -> usize {
    i + text[i..].chars().next().map_or(1, char::len_utf8)
}

fn mask_typst(text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let skip = if let Some(raw) = rest.strip_prefix("```") {
            raw.find("```").map_or(rest.len(), |e| e + 6)
        } else if let Some(raw) = rest.strip_prefix('`') {
            raw.find('`').map_or(1, |e| e + 2)
        } else if rest.starts_with("//") && (i == 0 || bytes[i - 1] != b':') {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |e| e + 2)
        } else {
            0
        };
        if skip > 0 {
            blank(&mut out, i, i + skip);
            i += skip;
        } else {
            i = next_char(text, i);
        }
    }
    to_string(out)
}

/// The end of a balanced group opened at `at` by `open`; a backslash
/// escapes the byte after it.
pub(super) fn group(b: &[u8], at: usize, open: u8, close: u8) -> Option<usize> {
    if b.get(at) != Some(&open) {
        return None;
    }
    let mut depth = 0usize;
    let mut k = at;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 1,
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// Labels a document defines (`{#fig:x}` in Markdown, `<intro>` in Typst).
pub(super) fn labels(text: &str, open: &str, close: char) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut rest = text;
    while let Some(p) = rest.find(open) {
        let after = &rest[p + open.len()..];
        let end = after.find(|c: char| c == close || c.is_whitespace()).unwrap_or(after.len());
        if end > 0 {
            out.insert(after[..end].to_owned());
        }
        rest = &after[end.min(after.len())..];
    }
    out
}

fn typst(text: &str) -> Vec<Marker> {
    let mut defined = HashSet::new();
    let bytes = text.as_bytes();
    // Labels: `<name>` not inside `#cite(…)`.
    let mut i = 0;
    while let Some(p) = text[i..].find('<') {
        let s = i + p;
        let in_cite = text[..s].ends_with("cite(");
        if let Some(e) = text[s + 1..].find('>') {
            let name = &text[s + 1..s + 1 + e];
            if !in_cite && !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || "_-:.".contains(c)) {
                defined.insert(name.to_owned());
            }
        }
        i = s + 1;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if bytes[i] == b'\\' {
            // `\@` is an escaped character, not a reference.
            i = next_char(text, next_char(text, i));
            continue;
        }
        if rest.starts_with("#cite(")
            && let Some((marker, end)) = typst_cite_call(text, i)
        {
            out.push(marker);
            i = end;
            continue;
        }
        if bytes[i] == b'@'
            && (i == 0 || !text[..i].ends_with(|c: char| c.is_alphanumeric()))
            && let Some((key, ks, ke)) = typst_label(text, i + 1).filter(|(k, ..)| !defined.contains(k))
        {
            let mut end = ke;
            let mut locator = None;
            if let Some(loc) = text[ke..].strip_prefix('[').and_then(|l| l.find(']').map(|e| &l[..e])) {
                locator = Some(loc.trim().to_owned());
                end = ke + loc.len() + 2;
            }
            out.push(Marker {
                span: Span { start: i, end },
                cites: vec![Cite {
                    target: Target::Key(key),
                    span: Span { start: ks, end: ke },
                    locator,
                    form: Form::Normal,
                }],
            });
            i = end;
            continue;
        }
        i = next_char(text, i);
    }
    out
}

/// A Typst label after `@` at `i`: letters, digits, `_`, `-`, and `:` or
/// `.` inside. Returns (label, start, end).
fn typst_label(text: &str, i: usize) -> Option<(String, usize, usize)> {
    let rest = &text[i..];
    let mut end =
        rest.char_indices().find(|&(_, c)| !(c.is_alphanumeric() || "_-:.".contains(c))).map_or(rest.len(), |(p, _)| p);
    while rest[..end].ends_with([':', '.']) {
        end -= 1;
    }
    (end > 0).then(|| (rest[..end].to_owned(), i, i + end))
}

/// `#cite(<key>, …)` or `#cite(label("key"), …)` at `i`, with its
/// `supplement: […]` and `form: "…"` arguments.
fn typst_cite_call(text: &str, i: usize) -> Option<(Marker, usize)> {
    let open = i + "#cite(".len();
    // The call ends at its balanced `)`; strings and content blocks nest.
    let mut depth = 1usize;
    let mut in_string = false;
    let mut close = None;
    let b = text.as_bytes();
    let mut k = open;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 1,
            b'"' => in_string = !in_string,
            b'(' | b'[' | b'{' if !in_string => depth += 1,
            b')' | b']' | b'}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
        k += 1;
    }
    let close = close?;
    let args = &text[open..close];
    let lead = args.len() - args.trim_start().len();
    let target = &args[lead..];
    let (key, ks, after) = if let Some(label) = target.strip_prefix('<') {
        let e = label.find('>')?;
        (&label[..e], open + lead + 1, lead + e + 2)
    } else {
        let quoted = target.strip_prefix("label(")?.trim_start();
        let inner = quoted.strip_prefix('"')?;
        let e = inner.find('"')?;
        let start = open + lead + (target.len() - inner.len());
        (&inner[..e], start, (start - open) + e + 1)
    };
    let call = args.get(after..).unwrap_or_default();
    let locator = call.split_once("supplement:").and_then(|(_, s)| {
        let a = s.find('[')?;
        let b = s.rfind(']')?;
        (b > a).then(|| s[a + 1..b].trim().to_owned())
    });
    let form = match call.split_once("form:").map(|(_, f)| f.trim_start()) {
        Some(f) if f.starts_with("\"prose\"") => Form::Prose,
        Some(f) if f.starts_with("\"year\"") => Form::Year,
        Some(f) if f.starts_with("\"author\"") => Form::Author,
        _ => Form::Normal,
    };
    let cite =
        Cite { target: Target::Key(key.to_owned()), span: Span { start: ks, end: ks + key.len() }, locator, form };
    Some((Marker { span: Span { start: i, end: close + 1 }, cites: vec![cite] }, close + 1))
}

/// `[12]`, with neighbours `[3] [4]` and `[3][4]` grouped into one marker.
fn plain(text: &str) -> Vec<Marker> {
    let bytes = text.as_bytes();
    let mut out: Vec<Marker> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'[' {
            let digits = bytes[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if (1..=6).contains(&digits) && bytes.get(i + 1 + digits) == Some(&b']') {
                let n: u32 = text[i + 1..i + 1 + digits].parse().unwrap_or(0);
                let end = i + digits + 2;
                let cite = Cite {
                    target: Target::Number(n),
                    span: Span { start: i + 1, end: i + 1 + digits },
                    locator: None,
                    form: Form::Normal,
                };
                match out.last_mut() {
                    Some(last) if text[last.span.end..i].bytes().all(|b| b == b' ') => {
                        last.span.end = end;
                        last.cites.push(cite);
                    }
                    _ => out.push(Marker { span: Span { start: i, end }, cites: vec![cite] }),
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Parses a `REPORT.refs` file: `N key` per line (blank lines and `#` comments
/// skipped). Returns (number, key, line) and the lines that do not parse.
pub fn numbered_refs(text: &str) -> (Vec<(u32, String, usize)>, Vec<usize>) {
    let mut refs = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut parts = t.split_whitespace();
        match (parts.next().and_then(|n| n.parse().ok()), parts.next(), parts.next()) {
            (Some(n), Some(key), None) => refs.push((n, key.to_owned(), i + 1)),
            _ => bad.push(i + 1),
        }
    }
    (refs, bad)
}

#[cfg(test)]
mod tests {
    /// Found by fuzzing (fuzz/corpus/report/crash-typst-slice-inside-a-character):
    /// the maskers stepped byte by byte and sliced inside a multi-byte character.
    #[test]
    fn multi_byte_characters_never_split() {
        for syntax in [crate::report::Syntax::Typst, crate::report::Syntax::Latex, crate::report::Syntax::Markdown] {
            let _ = crate::report::Report::parse(
                "\u{201c}thr{e words\u{201d} \u{ff}\u{e9}`\u{e9}/\u{e9}%\u{e9} [0].".into(),
                syntax,
            );
        }
    }

    use super::*;

    fn keys(text: &str, syntax: Syntax) -> Vec<(String, Option<String>)> {
        find(text, syntax)
            .0
            .into_iter()
            .flat_map(|m| m.cites)
            .map(|c| {
                (
                    match c.target {
                        Target::Key(k) => k,
                        Target::Number(n) => n.to_string(),
                    },
                    c.locator,
                )
            })
            .collect()
    }

    fn k(s: &str) -> (String, Option<String>) {
        (s.to_owned(), None)
    }

    #[test]
    fn markdown_pandoc_forms() {
        let t = "As [@doe2020, p. 12] and [see @a; -@b:c, ch. 2] say, @smith.2019 [p. 3] and @{odd key}.\n\
                 Mail me@example.org, see [a link](https://x.org/@notakey), `@code` and @fig:one.\n\
                 ![pic](p.png){#fig:one}\n```\n@fenced\n```\n<!-- @comment -->\n";
        assert_eq!(
            keys(t, Syntax::Markdown),
            [
                ("doe2020".into(), Some("p. 12".into())),
                k("a"),
                ("b:c".into(), Some("ch. 2".into())),
                ("smith.2019".into(), Some("p. 3".into())),
            ]
        );
    }

    #[test]
    fn a_braced_key_across_items_no_longer_panics() {
        // Found by fuzzing: the key's end lay beyond its `;`, and slicing the tail panicked.
        assert_eq!(keys("[@{a;b}] and [@ok; @{x]", Syntax::Markdown), [k("a;b"), k("ok")]);
    }

    #[test]
    fn spans_are_exact() {
        let t = "Ünïcode first [@key] then";
        let (m, _) = find(t, Syntax::Markdown);
        assert_eq!(&t[m[0].span.start..m[0].span.end], "[@key]");
        assert_eq!(&t[m[0].cites[0].span.start..m[0].cites[0].span.end], "key");
    }

    #[test]
    fn typst_forms_and_labels() {
        let t = "= Intro <intro>\nSee @intro and @doe2020[p. 4], #cite(<roe:1999>), #cite(<x>, supplement: [ch. 2]).\n// @commented\n```\n@raw\n```\n";
        assert_eq!(
            keys(t, Syntax::Typst),
            [("doe2020".into(), Some("p. 4".into())), k("roe:1999"), ("x".into(), Some("ch. 2".into()))]
        );
    }

    #[test]
    fn citation_forms_in_each_syntax() {
        let forms = |t: &str, syntax| -> Vec<Form> {
            find(t, syntax).0.iter().flat_map(|m| m.cites.iter().map(|c| c.form)).collect()
        };
        assert_eq!(
            forms("@a says [@b; -@c, p. 2] and [-@d].", Syntax::Markdown),
            [Form::Prose, Form::Normal, Form::SuppressAuthor, Form::SuppressAuthor]
        );
        assert_eq!(
            forms("\\textcite{a} \\citet{b} \\cite{c} \\citeyear{d} \\citeauthor{e} \\nocite{f}", Syntax::Latex),
            [Form::Prose, Form::Prose, Form::Normal, Form::Year, Form::Author, Form::Hidden]
        );
        assert_eq!(
            forms(
                "@a #cite(<b>, form: \"prose\") #cite(<c>, form: \"year\", supplement: [p. 1]) #cite(<d>) #cite(label(\"e:f\"), form: \"prose\") me\\@g",
                Syntax::Typst
            ),
            [Form::Normal, Form::Prose, Form::Year, Form::Normal, Form::Prose]
        );
    }

    #[test]
    fn plain_numbers_group_neighbours() {
        let (m, _) = find("One.[1] Two [2] [3] three[4][5], not [x] or [1234567].", Syntax::Plain);
        let groups: Vec<usize> = m.iter().map(|m| m.cites.len()).collect();
        assert_eq!(groups, [1, 2, 2]);
    }

    #[test]
    fn refs_files() {
        let (refs, bad) = numbered_refs("# numbering\n1 doe2020\n2 gaonkar:in\nthree x\n");
        assert_eq!(refs, [(1, "doe2020".into(), 2), (2, "gaonkar:in".into(), 3)]);
        assert_eq!(bad, [4]);
    }
}
