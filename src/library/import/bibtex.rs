//! BibTeX and BibLaTeX import. The `biblatex` crate parses (all of a file or
//! nothing), so a parse error is traced to the entry it falls in, that entry is
//! blanked out, and the rest is parsed again: one unreadable entry never sinks
//! the file. hayagriva converts each entry on its own. Subtitles and title
//! addenda, which hayagriva ignores, are joined to the title as pandoc does.

use biblatex::{Bibliography, Chunk, Spanned};
use hayagriva::Entry;

use super::{Import, Imported, dropped, failed};
use crate::findings::LineIndex;

/// BibLaTeX fields hayagriva's converter reads, or that we fold into others.
const MAPPED: &[&str] = &[
    "abstract",
    "addendum",
    "address",
    "afterword",
    "annotation",
    "annotator",
    "author",
    "bookauthor",
    "booktitle",
    "chapter",
    "commentator",
    "crossref",
    "date",
    "day",
    "doi",
    "edition",
    "editor",
    "editora",
    "editorb",
    "editorc",
    "editortype",
    "editoratype",
    "editorbtype",
    "editorctype",
    "eprint",
    "eprinttype",
    "archiveprefix",
    "eventdate",
    "eventtitle",
    "foreword",
    "holder",
    "howpublished",
    "ids",
    "institution",
    "introduction",
    "isan",
    "isbn",
    "ismn",
    "issn",
    "issue",
    "issuetitle",
    "iswc",
    "journal",
    "journaltitle",
    "langid",
    "language",
    "location",
    "maintitle",
    "month",
    "note",
    "number",
    "organization",
    "pagetotal",
    "pages",
    "pmid",
    "publisher",
    "school",
    "series",
    "shorttitle",
    "subtitle",
    "title",
    "titleaddon",
    "translator",
    "type",
    "url",
    "urldate",
    "venue",
    "version",
    "volume",
    "volumes",
    "xref",
    "year",
    "primaryclass",
];

/// One `@type{…}` item of the file.
#[derive(Debug)]
struct Item {
    start: usize,
    end: usize,
    key: Option<String>,
    closed: bool,
    /// How deep its braces nest.
    depth: usize,
}

/// Braces nested deeper than this are refused before the biblatex crate
/// sees them: its field parser takes quadratic time in the depth (100,000
/// levels took 12 s). Real entries rarely pass 5.
const MAX_DEPTH: usize = 100;

/// Finds the `@…{…}` items (entries, strings, preambles) by brace matching.
fn items(text: &str) -> Vec<Item> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = text[i..].find('@').map(|p| p + i) {
        let mut j = at + 1;
        while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
            j += 1;
        }
        let kind = text[at + 1..j].to_ascii_lowercase();
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if kind.is_empty() || j >= bytes.len() || !matches!(bytes[j], b'{' | b'(') {
            i = at + 1;
            continue;
        }
        let paren = bytes[j] == b'(';
        let body = j + 1;
        let mut depth = 0usize;
        let mut deepest = 0;
        let mut k = body;
        let mut end = None;
        while k < bytes.len() {
            match bytes[k] {
                b'{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                b'}' if depth == 0 && !paren => {
                    end = Some(k + 1);
                    break;
                }
                b'}' => depth -= 1,
                b')' if paren && depth == 0 => {
                    end = Some(k + 1);
                    break;
                }
                _ => {}
            }
            k += 1;
        }
        let is_entry = !matches!(kind.as_str(), "string" | "preamble" | "comment");
        let key = is_entry.then(|| {
            let stop = text[body..].find([',', '}', ')', '\n']).map_or(text.len(), |p| p + body);
            text[body..stop].trim().to_owned()
        });
        let closed = end.is_some();
        let end = end.unwrap_or(text.len());
        if kind != "comment" {
            out.push(Item { start: at, end, key, closed, depth: deepest });
        }
        i = end.max(at + 1);
    }
    out
}

/// Replaces a range with spaces, keeping line breaks so positions stay true.
fn blank(text: &mut String, start: usize, end: usize) {
    let replaced: String = text[start..end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
    let spaces: String = replaced.chars().map(|c| if c == '\n' { c } else { ' ' }).collect();
    // Multi-byte characters become one space each: pad to keep byte offsets.
    let pad = (end - start) - spaces.len();
    text.replace_range(start..end, &(spaces + &" ".repeat(pad)));
}

/// Reads a BibTeX/BibLaTeX file.
pub fn read(text: &str, name: &str) -> Import {
    let mut import = Import::default();
    let found = items(text);
    let lines = LineIndex::new(text);
    let position = |offset: usize| lines.position(text, offset);
    let line_of_key: std::collections::HashMap<&str, usize> =
        found.iter().rev().filter_map(|i| Some((i.key.as_deref()?, position(i.start).0))).collect();
    for item in found.iter().filter(|i| !i.closed) {
        let (line, _) = position(item.start);
        let what = item.key.as_deref().map_or_else(|| "an item".to_owned(), |k| format!("entry `{k}`"));
        import.findings.push(failed(
            name,
            line,
            format!("{what} starting here is not closed (the file ends inside it)"),
        ));
    }
    for item in found.iter().filter(|i| i.closed && i.depth > MAX_DEPTH) {
        let (line, _) = position(item.start);
        let what = item.key.as_deref().map_or_else(|| "an item".to_owned(), |k| format!("entry `{k}`"));
        import.findings.push(failed(
            name,
            line,
            format!("{what} nests braces {} deep (more than {MAX_DEPTH}); it was not imported", item.depth),
        ));
    }
    let mut src = text.to_owned();
    for item in found.iter().filter(|i| !i.closed || i.depth > MAX_DEPTH) {
        blank(&mut src, item.start, item.end);
    }
    // Each failing item is blanked once; an error that blanking does not move
    // (inside an item already blanked) ends the loop instead of repeating it.
    let mut blanked = vec![false; found.len()];
    let bib = loop {
        match Bibliography::parse(&src) {
            Ok(bib) => break bib,
            Err(e) => {
                let (line, column) = position(e.span.start);
                let at = found.iter().position(|i| i.closed && i.start <= e.span.start && e.span.start < i.end);
                let Some(item) = at.filter(|&i| !std::mem::replace(&mut blanked[i], true)).map(|i| &found[i]) else {
                    import.findings.push(failed(
                        name,
                        line,
                        format!("cannot parse the file at line {line}, column {column}: {}", e.kind),
                    ));
                    return import;
                };
                let (item_line, _) = position(item.start);
                let what = item.key.as_deref().map_or_else(|| "an item".to_owned(), |k| format!("entry `{k}`"));
                import.findings.push(failed(
                    name,
                    item_line,
                    format!("{what} cannot be parsed: {} (line {line}, column {column})", e.kind),
                ));
                blank(&mut src, item.start, item.end);
            }
        }
    };
    for mut bib_entry in bib.into_iter() {
        let line = line_of_key.get(bib_entry.key.as_str()).copied().unwrap_or(1);
        let key = bib_entry.key.clone();
        let unknown: Vec<String> = bib_entry.fields.keys().filter(|f| !MAPPED.contains(&f.as_str())).cloned().collect();
        if !unknown.is_empty() {
            import.findings.push(dropped(name, line, &key, &unknown));
        }
        if let Some(range) = bib_entry.fields.get("date").map(|c| chunks_text(c)).filter(|d| d.contains('/')) {
            import.findings.push(dropped(
                name,
                line,
                &key,
                &[format!("date range {range} (hayagriva keeps one date: the end)")],
            ));
        }
        join_title_parts(&mut bib_entry);
        untex_fields(&mut bib_entry);
        match Entry::try_from(&bib_entry) {
            Ok(entry) => import.entries.push(Imported { entry, line }),
            Err(e) => {
                let (l, c) = position(e.span.start);
                let msg = format!("entry `{key}` cannot be converted: {} (line {l}, column {c})", e.kind);
                import.findings.push(failed(name, line, msg));
            }
        }
    }
    import
}

fn chunks_text(chunks: &[Spanned<Chunk>]) -> String {
    chunks.iter().map(|c| c.v.get()).collect()
}

/// Fields whose text is taken literally (no TeX in them).
const VERBATIM: &[&str] = &["url", "doi", "eprint", "file", "verba", "verbb", "verbc", "pdf"];

/// Rewrites common TeX/BibLaTeX markup in text fields to the characters it
/// stands for, as pandoc does; hayagriva would keep `\mkbibquote{…}` literally.
fn untex_fields(entry: &mut biblatex::Entry) {
    for (field, chunks) in entry.fields.iter_mut() {
        if VERBATIM.contains(&field.as_str()) {
            continue;
        }
        for chunk in chunks.iter_mut() {
            if let Chunk::Normal(s) | Chunk::Verbatim(s) = &mut chunk.v
                && s.contains('\\')
            {
                *s = untex(s);
            }
        }
    }
}

/// Replaces known TeX commands in `s`; unknown ones are left as they are.
pub fn untex(s: &str) -> String {
    const WRAPPERS: &[(&str, &str, &str)] = &[
        ("mkbibquote", "\u{201c}", "\u{201d}"),
        ("enquote", "\u{201c}", "\u{201d}"),
        ("emph", "", ""),
        ("mkbibemph", "", ""),
        ("textit", "", ""),
        ("mkbibitalic", "", ""),
        ("textbf", "", ""),
        ("mkbibbold", "", ""),
        ("textsc", "", ""),
        ("texttt", "", ""),
        ("textup", "", ""),
        ("textnormal", "", ""),
        ("mbox", "", ""),
    ];
    const SYMBOLS: &[(&str, &str)] = &[
        ("hyphen", "-"),
        ("textendash", "\u{2013}"),
        ("textemdash", "\u{2014}"),
        ("textquoteright", "\u{2019}"),
        ("textquoteleft", "\u{2018}"),
        ("textless", "<"),
        ("textgreater", ">"),
        ("textasciitilde", "~"),
        ("dots", "\u{2026}"),
        ("ldots", "\u{2026}"),
        ("textellipsis", "\u{2026}"),
        ("slash", "/"),
        ("textpercent", "%"),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let name_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let name = &after[..name_len];
        let tail = &after[name_len..];
        if let Some((_, open, close)) = WRAPPERS.iter().find(|(n, ..)| *n == name)
            && let Some(body) = tail.strip_prefix('{').and_then(balanced)
        {
            out.push_str(open);
            out.push_str(&untex(&tail[1..1 + body]));
            out.push_str(close);
            rest = &tail[body + 2..];
            continue;
        }
        if let Some((_, sym)) = SYMBOLS.iter().find(|(n, _)| *n == name) {
            out.push_str(sym);
            rest = tail.strip_prefix("{}").unwrap_or(tail.strip_prefix(' ').unwrap_or(tail));
            continue;
        }
        out.push('\\');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Length of the text before the `}` that closes an already opened brace.
fn balanced(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `title: subtitle. titleaddon`, as pandoc reads BibLaTeX.
fn join_title_parts(entry: &mut biblatex::Entry) {
    for (field, sep) in [("subtitle", ": "), ("titleaddon", ". ")] {
        let Some(part) = entry.fields.remove(field) else {
            continue;
        };
        match entry.fields.get_mut("title") {
            Some(title) => {
                title.push(Spanned::detached(Chunk::Normal(sep.to_owned())));
                title.extend(part);
            }
            None => {
                entry.fields.insert("title".into(), part);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untex_rewrites_known_markup_only() {
        assert_eq!(
            untex(r"\mkbibquote{Intention} und \emph{De \textsc{Anima}}"),
            "\u{201c}Intention\u{201d} und De Anima"
        );
        assert_eq!(untex(r"methodology\hyphen independent"), "methodology-independent");
        assert_eq!(untex(r"\unknown{x} \emph{open"), r"\unknown{x} \emph{open");
    }

    #[test]
    fn finds_items_and_unclosed_ones() {
        let t = "@string{j = {J}}\n% note @ here\n@article{a, title={x}}\n@book(b, title={y})\n@misc{c, title={z}\n";
        let it = items(t);
        let keys: Vec<_> = it.iter().map(|i| (i.key.clone(), i.closed)).collect();
        assert_eq!(keys, [(None, true), (Some("a".into()), true), (Some("b".into()), true), (Some("c".into()), false)]);
    }

    #[test]
    fn braces_nested_too_deep_are_refused_alone() {
        let n = 100_000;
        let t =
            format!("@book{{deep, title = {}x{}}}\n@book{{ok, title = {{{{Fine}}}}}}\n", "{".repeat(n), "}".repeat(n));
        let import = read(&t, "deep.bib");
        assert_eq!(import.entries.len(), 1);
        assert_eq!(import.entries[0].entry.key(), "ok");
        let m = &import.findings[0].message;
        assert!(m.contains("entry `deep` nests braces 100000 deep (more than 100)"), "{m}");
    }

    #[test]
    fn one_bad_entry_does_not_sink_the_rest() {
        let t = "@article{good1, title={One}, author={Doe, Jane}, year=2020}\n\
                 @article{bad, title={Two} author={x}}\n\
                 @book{good2, title={Three}, subtitle={More}, author={Roe, R.}, year=1999}\n";
        let imp = read(t, "x.bib");
        let keys: Vec<_> = imp.entries.iter().map(|e| e.entry.key().to_owned()).collect();
        assert_eq!(keys, ["good1", "good2"]);
        assert_eq!(imp.entries[1].line, 3);
        assert_eq!(imp.entries[1].entry.title().unwrap().value.to_string(), "Three: More");
        assert_eq!(imp.findings.len(), 1);
        assert!(imp.findings[0].message.contains("`bad`"), "{:?}", imp.findings);
        assert_eq!(imp.findings[0].location.as_ref().unwrap().line, Some(2));
    }

    #[test]
    fn truncated_file_keeps_complete_entries() {
        let t = "@article{a, title={One}, year=2020}\n@article{b, title={Tw";
        let imp = read(t, "x.bib");
        assert_eq!(imp.entries.len(), 1);
        assert!(imp.findings[0].message.contains("not closed"));
    }

    #[test]
    fn strings_still_resolve_after_a_failure() {
        let t = "@string{nat = {Nature}}\n@article{bad, title = }\n@article{a, title={T}, journal=nat, year=2001}\n";
        let imp = read(t, "x.bib");
        assert_eq!(imp.entries.len(), 1);
        let parent = &imp.entries[0].entry.parents()[0];
        assert_eq!(parent.title().unwrap().value.to_string(), "Nature");
    }
}
