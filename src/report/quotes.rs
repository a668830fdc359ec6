//! Quotations (DESIGN §4): text in quotation marks (curly, straight, guillemets,
//! low-9, mixed pairs as found in the wild; `'` between two letters is an
//! apostrophe), Markdown `>` blocks, LaTeX ``…'' and `\textquote`/`\enquote`,
//! Typst `#quote[…]`; three words or more. A quotation is attributed to the
//! first marker after it in the same sentence, else the last one before it.

use super::{Marker, Quote, Span, Syntax};

const DOUBLE_OPEN: &[char] = &['\u{201c}', '\u{201e}', '\u{ab}', '"'];
const DOUBLE_CLOSE: &[char] = &['\u{201d}', '\u{201c}', '\u{bb}', '"'];
const SINGLE_OPEN: &[char] = &['\u{2018}', '\u{201a}', '\''];
const SINGLE_CLOSE: &[char] = &['\u{2019}', '\u{2018}', '\''];

/// Longest quotation considered, in bytes (an unterminated mark stops here).
const MAX_QUOTE: usize = 4000;

fn words(s: &str) -> usize {
    s.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

fn prev_char(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn next_char(text: &str, i: usize) -> Option<char> {
    text[i..].chars().next()
}

/// Whether the mark at `i` is an apostrophe (between two letters, or a
/// possessive after an `s`).
fn apostrophe(text: &str, i: usize, len: usize) -> bool {
    let before = prev_char(text, i).is_some_and(char::is_alphanumeric);
    let after = next_char(text, i + len).is_some_and(char::is_alphanumeric);
    before && after
}

/// Finds the closer of a quotation opened at `start` (mark of `open_len` bytes).
fn closer(text: &str, start: usize, open_len: usize, closers: &[char], single: bool) -> Option<(usize, usize)> {
    let body_start = start + open_len;
    let limit = (body_start + MAX_QUOTE).min(text.len());
    let mut i = body_start;
    while i < limit {
        let c = next_char(text, i)?;
        let len = c.len_utf8();
        if c == '\n' && text[i + 1..].starts_with(['\n', '\r']) {
            return None; // a paragraph ends the search
        }
        if closers.contains(&c) && i > body_start {
            let straight_ok = !(c == '"' || c == '\'') || !prev_char(text, i).is_some_and(char::is_whitespace);
            if straight_ok && !(single && apostrophe(text, i, len)) {
                return Some((i, len));
            }
        }
        i += len;
    }
    None
}

/// Quotations in `text` (already masked of code and comments).
pub(super) fn find(text: &str, syntax: Syntax) -> Vec<Quote> {
    let mut out = Vec::new();
    if syntax == Syntax::Markdown {
        block_quotes(text, &mut out);
    }
    match syntax {
        Syntax::Latex => delimited(text, &["\\textquote", "\\enquote"], &mut out),
        Syntax::Typst => delimited(text, &["#quote"], &mut out),
        _ => {}
    }
    out.sort_by_key(|q| q.span.start);
    let taken: Vec<Span> = out.iter().map(|q| q.span).collect();
    let mut next_taken = 0;
    let mut i = 0;
    while i < text.len() {
        while next_taken < taken.len() && taken[next_taken].end <= i {
            next_taken += 1;
        }
        if let Some(t) = taken.get(next_taken).filter(|t| t.start <= i) {
            i = t.end;
            continue;
        }
        let Some(c) = next_char(text, i) else { break };
        let len = c.len_utf8();
        let latex_open = syntax == Syntax::Latex && text[i..].starts_with("``");
        let double = DOUBLE_OPEN.contains(&c) || latex_open;
        let single = SINGLE_OPEN.contains(&c)
            && !apostrophe(text, i, len)
            && !prev_char(text, i).is_some_and(char::is_alphanumeric);
        let opens = (double || single) && next_char(text, i + len).is_some_and(|n| !n.is_whitespace());
        if !opens {
            i += len;
            continue;
        }
        let (open_len, found) = if latex_open {
            (2, text[i + 2..].find("''").map(|e| (i + 2 + e, 2)).filter(|&(e, _)| e - i < MAX_QUOTE))
        } else if double {
            (len, closer(text, i, len, DOUBLE_CLOSE, false))
        } else {
            (len, closer(text, i, len, SINGLE_CLOSE, true))
        };
        match found {
            Some((close, close_len)) => {
                let body = &text[i + open_len..close];
                if words(body) >= 3 {
                    out.push(Quote {
                        text: body.to_owned(),
                        span: Span { start: i, end: close + close_len },
                        marker: None,
                    });
                }
                i = close + close_len;
            }
            None => i += len,
        }
    }
    out.sort_by_key(|q| q.span.start);
    out
}

/// Markdown `>` blocks: consecutive quoted lines, markers kept in the text.
fn block_quotes(text: &str, out: &mut Vec<Quote>) {
    let mut offset = 0;
    let mut current: Option<(usize, usize, String)> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start_matches([' ', '\t']);
        if let Some(rest) = t.strip_prefix('>') {
            let content = rest.strip_prefix(' ').unwrap_or(rest).trim_end();
            let entry = current.get_or_insert((offset, offset, String::new()));
            entry.1 = offset + line.trim_end().len();
            if !entry.2.is_empty() {
                entry.2.push('\n');
            }
            entry.2.push_str(content);
        } else if let Some((start, end, body)) = current.take()
            && words(&body) >= 3
        {
            out.push(Quote { text: body, span: Span { start, end }, marker: None });
        }
        offset += line.len();
    }
    if let Some((start, end, body)) = current
        && words(&body) >= 3
    {
        out.push(Quote { text: body, span: Span { start, end }, marker: None });
    }
}

/// `\textquote[…]{text}`, `#quote(…)[text]`: the last argument is the quotation.
fn delimited(text: &str, commands: &[&str], out: &mut Vec<Quote>) {
    for cmd in commands {
        let mut i = 0;
        while let Some(p) = text[i..].find(cmd) {
            let s = i + p;
            let mut j = s + cmd.len();
            let (open, close) = if cmd.starts_with('#') { ('[', ']') } else { ('{', '}') };
            // Skip optional arguments: `[..]` (LaTeX) or `(..)` (Typst).
            loop {
                let rest = &text[j..];
                let skip = if cmd.starts_with('\\') && rest.starts_with('[') {
                    rest.find(']').map(|e| e + 1)
                } else if cmd.starts_with('#') && rest.starts_with('(') {
                    rest.find(')').map(|e| e + 1)
                } else {
                    None
                };
                match skip {
                    Some(n) => j += n,
                    None => break,
                }
            }
            i = j.max(s + 1);
            if !text[j..].starts_with(open) {
                continue;
            }
            let mut depth = 0;
            let mut end = None;
            for (k, c) in text[j..].char_indices() {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j + k);
                        break;
                    }
                }
            }
            let Some(end) = end else { continue };
            let body = &text[j + 1..end];
            if words(body) >= 3 {
                out.push(Quote { text: body.trim().to_owned(), span: Span { start: s, end: end + 1 }, marker: None });
            }
            i = end + 1;
        }
    }
}

const ABBREVIATIONS: &[&str] = &[
    "al", "e.g", "i.e", "cf", "vs", "p", "pp", "vol", "vols", "no", "nos", "ed", "eds", "dr", "mr", "mrs", "ms",
    "prof", "st", "fig", "figs", "ch", "sec", "jr", "sr", "inc", "ltd", "co", "corp", "approx", "ca", "op", "cit",
    "ibid", "viz", "u.s", "u.k", "u.n", "e.u", "n.d", "a.m", "p.m", "mt", "ft", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// Whether the `.`, `!` or `?` at `i` ends a sentence (not an abbreviation,
/// not inside parentheses opened in this sentence); a marker right after it
/// (`slaves.[54]`) does not hide the end.
fn ends_sentence(text: &str, i: usize, depth: i32, marker_next: bool) -> bool {
    if depth > 0 {
        return false;
    }
    let c = text.as_bytes()[i];
    if c == b'.' {
        let word: String = text[..i]
            .chars()
            .rev()
            .take(12)
            .take_while(|c| c.is_alphanumeric() || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let lower = word.to_lowercase();
        if ABBREVIATIONS.contains(&lower.as_str())
            || (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
        {
            return false;
        }
        if word.contains('.') && word.split('.').all(|p| p.chars().count() <= 1) {
            return false; // U.S., e.g. written as letters and dots
        }
        if text[i + 1..].starts_with(|c: char| c.is_alphanumeric()) {
            return false; // 3.14, example.org
        }
    }
    let after = text[i + 1..].trim_start_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']', '\u{bb}']);
    marker_next || after.is_empty() || after.starts_with(char::is_whitespace)
}

/// Where a sentence ends: its closing punctuation, and where a marker right
/// after that punctuation would start (`None` at a paragraph break).
#[derive(Debug, Clone, Copy)]
struct End {
    at: usize,
    resume: Option<usize>,
}

/// Every sentence end, in one pass; marker spans are skipped (keys hold dots).
fn sentence_ends(text: &str, markers: &[Marker]) -> Vec<End> {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    let mut depth = 0i32;
    let mut next_marker = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(m) = markers.get(next_marker)
            && m.span.start <= i
        {
            i = i.max(m.span.end);
            next_marker += 1;
            continue;
        }
        match bytes[i] {
            b'\n' if text[i + 1..].trim_start_matches([' ', '\t']).starts_with('\n') => {
                ends.push(End { at: i, resume: None });
                depth = 0;
            }
            b'(' => depth += 1,
            b')' => depth = (depth - 1).max(0),
            b'.' | b'!' | b'?' => {
                let rest = &text[i + 1..];
                let skipped = rest.len() - rest.trim_start_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ' ']).len();
                let marker_next = markers.get(next_marker).is_some_and(|m| m.span.start == i + 1 + skipped);
                if ends_sentence(text, i, depth, marker_next) {
                    ends.push(End { at: i, resume: Some(i + 1 + skipped) });
                }
            }
            _ => {}
        }
        i += 1;
    }
    ends
}

/// Attributes each quotation to a marker of its sentence: the first marker
/// after it before the sentence ends (markers right after the closing
/// punctuation still belong to it), else the last marker before it in the
/// same sentence (`@doe writes "…"`). Linear in the text and the markers.
pub(super) fn attribute(text: &str, quotes: &mut [Quote], markers: &[Marker]) {
    let ends = sentence_ends(text, markers);
    for q in quotes.iter_mut() {
        let first = markers.partition_point(|m| m.span.start < q.span.start);
        let end = ends.partition_point(|e| e.at < q.span.end);
        let after = markers.get(first).and_then(|m| {
            let inside = m.span.start < q.span.end;
            let within = match ends.get(end) {
                None => true,
                Some(e) => m.span.start < e.at || e.resume == Some(m.span.start),
            };
            (inside || within).then_some(first)
        });
        q.marker = after.or_else(|| {
            let last = first.checked_sub(1)?;
            let m = &markers[last];
            let between = ends.partition_point(|e| e.at < m.span.end);
            let crosses = ends.get(between).is_some_and(|e| e.at < q.span.start);
            (!crosses && !closes_previous(text, &ends, markers, last)).then_some(last)
        });
    }
}

/// Whether a marker stands after a sentence's closing punctuation (`…slaves.[54] [55]`),
/// perhaps behind other such markers: it belongs to that sentence, not the next.
fn closes_previous(text: &str, ends: &[End], markers: &[Marker], mut i: usize) -> bool {
    while i > 0 && text[markers[i - 1].span.end..markers[i].span.start].trim().is_empty() {
        i -= 1;
    }
    let start = markers[i].span.start;
    let before = ends.partition_point(|e| e.at < start);
    before.checked_sub(1).is_some_and(|e| {
        let gap = &text[ends[e].at + 1..start];
        gap.chars().all(|c| c.is_whitespace() || "\"'\u{201d}\u{2019})".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use crate::report::{Report, Syntax};

    fn quotes(text: &str, syntax: Syntax) -> Vec<(String, Option<usize>)> {
        let r = Report::parse(text.to_owned(), syntax);
        r.quotes.into_iter().map(|q| (q.text, q.marker)).collect()
    }

    #[test]
    fn marks_pairs_and_apostrophes() {
        let t = "He wrote \u{201c}the first of many words\u{201d} and \"straight quoted words here\" and \u{201c}mixed pair of marks\". \
                 A title \u{2018}Ain\u{2019}t No Sunshine Here\u{2019} stays whole. Don't 'scare' me. \u{ab}Trois mots fran\u{e7}ais\u{bb}.";
        let found: Vec<String> = quotes(t, Syntax::Plain).into_iter().map(|q| q.0).collect();
        assert_eq!(
            found,
            [
                "the first of many words",
                "straight quoted words here",
                "mixed pair of marks",
                "Ain\u{2019}t No Sunshine Here",
                "Trois mots fran\u{e7}ais"
            ]
        );
    }

    #[test]
    fn attribution_follows_the_sentence() {
        let t = "They said \u{201c}one two three.\u{201d} [1] Next sentence [2].\n\n\
                 As (Doe et al. 2) put it, \u{201c}four five six\u{201d} in the U.S. today.[3]\n\n\
                 \u{201c}No marker here at all\u{201d}. Then a sentence with one.[4]\n\n\
                 \u{201c}Across two sentences. Still quoted here\u{201d} she said.[5]\n\
                 A sentence ends.[6] [7]\nThe next has \u{201c}a marker-less quotation\u{201d} in it.";
        let q = quotes(t, Syntax::Plain);
        let r = Report::parse(t.to_owned(), Syntax::Plain);
        let num = |i: Option<usize>| {
            i.map(|i| match &r.markers[i].cites[0].target {
                crate::report::Target::Number(n) => *n,
                crate::report::Target::Key(_) => 0,
            })
        };
        assert_eq!(q.iter().map(|(_, m)| num(*m)).collect::<Vec<_>>(), [Some(1), Some(3), None, Some(5), None]);
    }

    #[test]
    fn markdown_blocks_latex_and_typst() {
        let md = "Intro.\n\n> A quoted block of several words\n> on two lines [@doe].\n\nAfter.";
        assert_eq!(
            quotes(md, Syntax::Markdown),
            [("A quoted block of several words\non two lines [@doe].".into(), Some(0))]
        );
        let tex = "As ``three quoted words'' say \\cite{a}. Also \\textquote[\\cite{b}]{four more quoted words}.";
        let q: Vec<String> = quotes(tex, Syntax::Latex).into_iter().map(|q| q.0).collect();
        assert_eq!(q, ["three quoted words", "four more quoted words"]);
        let typ = "#quote(attribution: [Doe])[five words quoted in typst] @doe";
        assert_eq!(quotes(typ, Syntax::Typst)[0].0, "five words quoted in typst");
    }

    #[test]
    fn short_unterminated_and_code_quotes_are_skipped() {
        assert!(quotes("a \u{201c}two words\u{201d} b", Syntax::Plain).is_empty());
        assert!(quotes("an \u{201c}unterminated quotation here\n\nnew paragraph", Syntax::Plain).is_empty());
        assert!(quotes("`\"code with many quoted words\"`", Syntax::Markdown).is_empty());
    }
}
