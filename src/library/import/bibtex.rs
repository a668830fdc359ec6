//! BibTeX and BibLaTeX import. The `biblatex` crate parses (all of a file or
//! nothing), so a parse error is traced to the entry it falls in, that entry is
//! blanked out, and the rest is parsed again: one unreadable entry never sinks
//! the file. hayagriva converts each entry on its own. Subtitles and title
//! addenda, which hayagriva ignores, are joined to the title as pandoc does.

mod raw;

use biblatex::{Bibliography, Chunk, RawBibliography, Spanned};
use hayagriva::Entry;

use super::{Import, Imported, dropped, failed};
use crate::findings::{Code, Finding, LineIndex, Location};

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
    /// A `@preamble`: TeX for BibTeX's output, nothing to import.
    preamble: bool,
    /// Where its opening `(` is, when parentheses delimit it.
    paren: Option<usize>,
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
            let paren = paren.then_some(j);
            out.push(Item { start: at, end, key, closed, depth: deepest, preamble: kind == "preamble", paren });
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
    let entries: Vec<(usize, usize)> =
        items(text).iter().filter(|i| i.closed && i.key.is_some()).map(|i| (i.start, i.end)).collect();
    let (text, bare) = raw::normalize_values(text, &entries);
    let text = text.as_str();
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
    // `@book(key, …)` is BibTeX too; the crate reads braces only.
    for item in found.iter().filter(|i| i.closed) {
        if let Some(open) = item.paren {
            src.replace_range(open..open + 1, "{");
            src.replace_range(item.end - 1..item.end, "}");
        }
    }
    for item in found.iter().filter(|i| !i.closed || i.depth > MAX_DEPTH || i.preamble) {
        blank(&mut src, item.start, item.end);
    }
    // Each failing item is blanked once; an error that blanking does not move
    // (inside an item already blanked) ends the loop instead of repeating it.
    let mut blanked = vec![false; found.len()];
    let mut parsed = loop {
        let e = match RawBibliography::parse(&src) {
            Ok(raw) => break raw,
            Err(e) => e,
        };
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
    };
    let mut repairs = bare;
    repairs.extend(raw::define_missing_macros(&mut parsed));
    repairs.extend(raw::drop_repeated_keys(&mut parsed, &src));
    repairs.extend(raw::cut_cycles(&mut parsed));
    for r in repairs {
        let (line, column) = position(r.offset);
        import.findings.push(match r.code {
            Code::ImportFailed => failed(name, line, r.message),
            code => Finding::new(code, r.message).at(Location::at(name, line, column)),
        });
    }
    // The crate resolves every entry at once: an entry it cannot resolve is
    // left out and the rest resolved again.
    let bib = loop {
        match Bibliography::from_raw(parsed.clone()) {
            Ok(bib) => break bib,
            Err(e) => {
                let (line, column) = position(e.span.start);
                // A value the crate cannot read costs its field, not its entry.
                if let Some((key, field)) = raw::remove_field_at(&mut parsed, e.span.start) {
                    let dropped_value = format!("{field} (unreadable: {}, line {line}, column {column})", e.kind);
                    import.findings.push(dropped(name, line, &key, &[dropped_value]));
                    continue;
                }
                let Some(i) = parsed.entries.iter().position(|en| en.span.contains(&e.span.start)) else {
                    import.findings.push(failed(
                        name,
                        line,
                        format!("cannot read the file at line {line}, column {column}: {}", e.kind),
                    ));
                    return import;
                };
                let entry = parsed.entries.remove(i);
                let (entry_line, _) = position(entry.span.start);
                let msg =
                    format!("entry `{}` cannot be read: {} (line {line}, column {column})", entry.v.key.v, e.kind);
                import.findings.push(failed(name, entry_line, msg));
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
        // A date range (`1884/1886`): hayagriva keeps its end; the start
        // becomes the date and the end `date-end` (`crate::library::written`).
        let range = bib_entry.fields.get("date").map(|c| chunks_text(c)).filter(|d| d.contains('/'));
        let range = range.map(|r| {
            let (start, end) = r.split_once('/').unwrap_or_default();
            let start = start.trim().parse::<hayagriva::types::Date>().ok();
            let end = Some(end.trim()).filter(|e| super::super::written::date_end(e).is_some()).map(str::to_owned);
            (r.clone(), start, end)
        });
        if let Some((range, None, _) | (range, _, None)) = &range {
            import.findings.push(dropped(
                name,
                line,
                &key,
                &[format!("date range {range} (hayagriva keeps one date: the end)")],
            ));
        }
        join_title_parts(&mut bib_entry);
        untex_fields(&mut bib_entry);
        match convert(&bib_entry) {
            Ok((entry, unusable)) => {
                if let Some(field) = unusable {
                    import.findings.push(dropped(name, line, &key, &[field]));
                }
                let mut imported = Imported::new(entry, line, bib_entry.url().ok().as_deref());
                if let Some((_, Some(start), Some(end))) = range {
                    imported.entry.set_date(start);
                    imported.kept.date_end = Some(end);
                }
                import.entries.push(imported);
            }
            Err(e) => {
                let (l, c) = position(e.span.start);
                let msg = format!("entry `{key}` cannot be converted: {} (line {l}, column {c})", e.kind);
                import.findings.push(failed(name, line, msg));
            }
        }
    }
    import
}

/// Fields whose values hayagriva parses, tried first when a conversion fails.
const TYPED: &[&str] = &[
    "month",
    "number",
    "issue",
    "volume",
    "volumes",
    "edition",
    "pages",
    "pagetotal",
    "chapter",
    "date",
    "year",
    "urldate",
    "eventdate",
    "origdate",
];

/// hayagriva's entry for `entry`; when one field's value is unusable
/// (`month = {First Quarter}`), the entry without that field, and which
/// field it was.
fn convert(entry: &biblatex::Entry) -> Result<(Entry, Option<String>), biblatex::TypeError> {
    let err = match Entry::try_from(entry) {
        Ok(e) => return Ok((e, None)),
        Err(e) => e,
    };
    let typed = TYPED.iter().copied().filter(|f| entry.fields.contains_key(*f));
    let others = entry.fields.keys().map(String::as_str).filter(|f| !TYPED.contains(f));
    for field in typed.chain(others) {
        let mut trial = entry.clone();
        let value = trial.fields.remove(field).map(|c| chunks_text(&c)).unwrap_or_default();
        if let Ok(e) = Entry::try_from(&trial) {
            return Ok((e, Some(format!("{field} = {{{value}}} (unusable: {})", err.kind))));
        }
    }
    Err(err)
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
    fn codes(imp: &Import) -> Vec<&'static str> {
        imp.findings.iter().map(|f| f.code.name()).collect()
    }

    #[test]
    fn crossref_and_xdata_cycles_are_cut_not_followed() {
        // Length 1, 2 and 50; xdata too. These overflowed the stack.
        let mut t = String::from(
            "@book{self, title={S}, crossref={self}}\n@book{a, title={A}, crossref={b}}\n@book{b, title={B}, crossref={a}}\n@xdata{x, publisher={P}, xdata={y}}\n@xdata{y, location={L}, xdata={x}}\n@book{u, title={U}, xdata={x}}\n",
        );
        for i in 0..50 {
            t.push_str(&format!("@book{{c{i}, title={{C{i}}}, crossref={{c{}}}}}\n", (i + 1) % 50));
        }
        let imp = read(&t, "x.bib");
        assert_eq!(imp.entries.len(), 56, "{:?}", imp.findings);
        // One cut per cycle; the 50-cycle, once cut, is a chain of 50 links,
        // cut twice more to stay within 16.
        let cycles = codes(&imp).iter().filter(|c| **c == "crossref-cycle").count();
        assert_eq!(cycles, 6, "{:?}", imp.findings);
        assert!(imp.findings.iter().any(|f| f.message.contains("a → b → a")));
    }

    #[test]
    fn a_chain_ten_thousand_deep_is_cut_every_sixteen() {
        let n = 10_000;
        let t: String = (0..n).map(|i| format!("@book{{c{i}, title={{C{i}}}, crossref={{c{}}}}}\n", i + 1)).collect();
        let imp = read(&t, "x.bib");
        assert_eq!(imp.entries.len(), n);
        assert!(codes(&imp).iter().all(|c| *c == "crossref-cycle"));
    }

    #[test]
    fn bare_words_undefined_macros_and_bad_fields_keep_their_entry() {
        let t = "@string{ack-nhfb = {N. H. F. B.}}\n\
                 @article{a, title={A}, journal = bams, month = June, pages = 1-19, note = ack-nhfb # \" and \" # ack-bnb, year = 1999}\n\
                 @article{b, title={B}, month = {22--24 Jun}, year = 2001}\n\
                 @article{c, title={C}, month = \"First Quarter\", year = 1978}\n";
        let imp = read(t, "x.bib");
        let keys: Vec<_> = imp.entries.iter().map(|e| e.entry.key().to_owned()).collect();
        assert_eq!(keys, ["a", "b", "c"], "{:?}", imp.findings);
        let a = &imp.entries[0].entry;
        assert_eq!(a.parents()[0].title().unwrap().value.to_string(), "bams");
        assert_eq!(a.note().unwrap().value.to_string(), "N. H. F. B. and ack-bnb");
        assert!(a.page_range().is_some());
        let found = codes(&imp);
        assert_eq!(found.iter().filter(|c| **c == "undefined-macro").count(), 3, "{:?}", imp.findings);
        assert!(found.contains(&"unquoted-value"));
        // `{22--24 Jun}` is kept (hayagriva reads the month); `First Quarter` is not a month.
        let dropped: Vec<_> = imp
            .findings
            .iter()
            .filter(|f| f.message.contains("unusable"))
            .map(|f| f.location.as_ref().unwrap().line)
            .collect();
        assert_eq!(dropped, [Some(4)], "{:?}", imp.findings);
    }

    #[test]
    fn preambles_comments_parentheses_and_repeats() {
        let t = format!(
            "@preamble{{ \"\\hyphenation{{a-b}}\" # \"\\def\\x{{y}}\" }}\n@comment{{jabref-meta: x}}\n@book(p, title={{P}})\n@book{{r, title={{R}}}}\n@book{{r, title={{R}}}}\n@book{{r, title={{Other}}}}\n@preamble{{\"{}\"}}\n",
            "x".repeat(5 << 20)
        );
        let imp = read(&t, "x.bib");
        let keys: Vec<_> = imp.entries.iter().map(|e| e.entry.key().to_owned()).collect();
        assert_eq!(keys, ["p", "r"]);
        assert_eq!(codes(&imp), ["repeated-entry", "import-failed"]);
    }

    #[test]
    fn an_unclosed_first_entry_and_a_macro_defined_after_use() {
        let imp = read("@book{a, title={A\n@book{b, title={B}, journal=j}\n@string{j = {Journal}}\n", "x.bib");
        // The unclosed entry swallows the rest as BibTeX would, and says so.
        assert!(imp.findings[0].message.contains("not closed"), "{:?}", imp.findings);
        let imp = read("@book{b, title={B}, journal=j}\n@string{j = {Journal}}\n", "x.bib");
        assert_eq!(imp.entries.len(), 1, "{:?}", imp.findings);
    }
}
