//! Markdown citations as pandoc reads them. pulldown-cmark's event offsets
//! decide what is prose: code blocks at any depth, inline code, math, raw
//! HTML tags, link destinations, footnote labels and metadata are masked,
//! then raw LaTeX (`\cmd{…}`, `\begin{env}…\end{env}`) and example-list
//! markers (`(@label)`). What is left is read with pandoc's own citation
//! grammar: `[prefix @key suffix; …]`, `@key`, `@key [locator]`, `-@key`,
//! with a suffix that may itself hold citations (`[@a, @b]` is `@a` with
//! the narrative `@b` in its suffix, as pandoc reads it).

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::markers::{blank, group, labels, next_char, to_string};
use super::{Cite, Form, Marker, Span, Target};

/// Markers in `text` and the text with everything but prose masked.
pub(super) fn find(text: &str) -> (Vec<Marker>, String) {
    let mut out = text.as_bytes().to_vec();
    mask_events(text, &mut out);
    mask_raw_latex(&mut out);
    let examples = mask_example_markers(&mut out);
    let masked = to_string(out);
    let mut skip = labels(&masked, "{#", '}');
    skip.extend(examples);
    let markers = Scan { t: &masked, b: masked.as_bytes(), skip: &skip }.run();
    (markers, masked)
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_MATH
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Blanks what pulldown-cmark says is not prose.
fn mask_events(text: &str, out: &mut [u8]) {
    // Open links and images: their range and where their last child ended.
    let mut links: Vec<(usize, usize, Option<usize>)> = Vec::new();
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        if let Some(link) = links.last_mut() {
            if link.2.is_none() && !matches!(event, Event::End(TagEnd::Link | TagEnd::Image)) {
                // The opening `[` or `![` runs up to the first child.
                blank(out, link.0, range.start.max(link.0));
            }
            if !matches!(event, Event::End(TagEnd::Link | TagEnd::Image)) {
                link.2 = Some(link.2.map_or(range.end, |e: usize| e.max(range.end)));
            }
        }
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::MetadataBlock(_))
            | Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::FootnoteReference(_) => blank(out, range.start, range.end),
            Event::InlineHtml(_) => mask_html(text, out, range.start, range.end),
            Event::Html(_) => {
                mask_html(text, out, range.start, range.end);
                mask_html_content(out, range.start, range.end);
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => links.push((range.start, range.end, None)),
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some((start, end, last)) = links.pop() {
                    blank(out, last.unwrap_or(start), end);
                    if let Some(outer) = links.last_mut() {
                        outer.2 = Some(outer.2.map_or(end, |e| e.max(end)));
                    }
                }
            }
            _ => {}
        }
    }
}

/// HTML as pandoc reads it: tags and comments are raw, the text between
/// them is Markdown, but `<pre>`, `<script>`, `<style>` and `<textarea>`
/// keep their content raw.
fn mask_html(text: &str, out: &mut [u8], start: usize, end: usize) {
    const RAW: &[&str] = &["pre", "script", "style", "textarea"];
    let s = &text[start..end];
    let mut i = 0;
    while let Some(p) = s[i..].find('<') {
        let at = i + p;
        let mut close = if s[at..].starts_with("<!--") {
            s[at..].find("-->").map_or(s.len(), |e| at + e + 3)
        } else {
            s[at..].find('>').map_or(s.len(), |e| at + e + 1)
        };
        let name_len = s[at + 1..].bytes().take_while(u8::is_ascii_alphanumeric).count();
        let name = s[at + 1..at + 1 + name_len].to_ascii_lowercase();
        if RAW.contains(&name.as_str()) {
            // The raw element's content runs to its closing tag, which for
            // inline HTML lies beyond this event.
            let closing = format!("</{name}");
            let rest = text[start + close..].to_ascii_lowercase();
            let raw_end = rest.find(&closing).map_or(text.len(), |e| start + close + e);
            blank(out, start + at, raw_end);
            if raw_end >= end {
                return;
            }
            close = raw_end - start;
        }
        blank(out, start + at, start + close);
        i = close.max(at + 1);
    }
}

/// pandoc reads the text between an HTML block's tags (already blanked in
/// `out`) as Markdown: each line, its indentation aside, goes through the
/// same masking, and what it masks is masked here.
fn mask_html_content(out: &mut [u8], start: usize, end: usize) {
    let Ok(content) = std::str::from_utf8(&out[start..end]) else { return };
    // Lines without their indentation (a blanked tag leaves spaces that
    // would read as an indented code block), and where each one came from.
    let mut inner = String::with_capacity(content.len());
    let mut origin = Vec::new();
    let mut offset = start;
    for line in content.split_inclusive('\n') {
        let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
        origin.push((inner.len(), offset + lead));
        inner.push_str(&line[lead..]);
        offset += line.len();
    }
    let mut masked = inner.as_bytes().to_vec();
    mask_events(&inner, &mut masked);
    for (n, &(from, to)) in origin.iter().enumerate() {
        let until = origin.get(n + 1).map_or(inner.len(), |o| o.0);
        for (k, &b) in masked[from..until].iter().enumerate() {
            if b == b' ' {
                out[to + k] = b' ';
            }
        }
    }
}

/// pandoc's raw LaTeX: `\begin{env}…\end{env}`, and a command with its
/// `[…]` and `{…}` arguments, pass through unread. Backslash escapes of
/// punctuation (`\[`, `\@`) are not commands.
fn mask_raw_latex(out: &mut [u8]) {
    let mut i = 0;
    while i < out.len() {
        if out[i] != b'\\' {
            i += 1;
            continue;
        }
        let name_len = out[i + 1..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if name_len == 0 {
            i += 2;
            continue;
        }
        let name = &out[i + 1..i + 1 + name_len];
        let mut end = i + 1 + name_len;
        if name == b"begin"
            && let Some(env_end) = group(out, end, b'{', b'}')
        {
            let env = out[end + 1..env_end - 1].to_vec();
            let closing = [b"\\end{".as_slice(), &env, b"}"].concat();
            end = memchr::memmem::find(&out[env_end..], &closing).map_or(out.len(), |p| env_end + p + closing.len());
        } else {
            loop {
                let next = group(out, end, b'{', b'}').or_else(|| group(out, end, b'[', b']'));
                match next {
                    Some(e) => end = e,
                    None => break,
                }
            }
        }
        blank(out, i, end);
        i = end;
    }
}

/// pandoc's example lists: a block starting `(@label)`, `@label)` or
/// `@label.` is a list item, and its label is no citation anywhere.
fn mask_example_markers(out: &mut [u8]) -> HashSet<String> {
    let mut labels = HashSet::new();
    let mut offset = 0;
    let mut after_break = true;
    while offset < out.len() {
        let line_end = memchr::memchr(b'\n', &out[offset..]).map_or(out.len(), |p| offset + p + 1);
        let line = &out[offset..line_end];
        // Block quote markers come first: `> (@good) …` is an item too.
        let mut quoted = 0;
        while let Some(p) = line[quoted..].iter().take_while(|&&b| b == b' ').count().checked_add(quoted)
            && line.get(p) == Some(&b'>')
        {
            quoted = p + 1 + usize::from(line.get(p + 1) == Some(&b' '));
        }
        let indent = quoted + line[quoted..].iter().take_while(|&&b| b == b' ').count();
        let blank_line = line[quoted..].iter().all(u8::is_ascii_whitespace);
        let mut item = false;
        if after_break && indent - quoted <= 3 {
            let rest = &line[indent..];
            let paren = rest.first() == Some(&b'(');
            let body = &rest[usize::from(paren)..];
            if body.first() == Some(&b'@') {
                let len =
                    body[1..].iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')).count();
                let close = body.get(1 + len).copied();
                let after = body.get(2 + len).copied();
                let delimited = if paren { close == Some(b')') } else { matches!(close, Some(b')' | b'.')) };
                if delimited && matches!(after, Some(b' ' | b'\t' | b'\n') | None) {
                    labels.insert(String::from_utf8_lossy(&body[1..1 + len]).into_owned());
                    let marker = indent + usize::from(paren) + 2 + len;
                    blank(out, offset, offset + marker);
                    item = true;
                }
            }
        }
        after_break = blank_line || item;
        offset = line_end;
    }
    labels.remove("");
    labels
}

/// pandoc's citation grammar over masked text.
struct Scan<'a> {
    t: &'a str,
    b: &'a [u8],
    /// Example-list and cross-reference labels: `@label` is not a citation.
    skip: &'a HashSet<String>,
}

/// A citation key as read: suppress-author flag, key, key span, end.
struct Key {
    suppress: bool,
    key: String,
    span: Span,
    end: usize,
}

impl Scan<'_> {
    fn run(&self) -> Vec<Marker> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.b.len() {
            match self.b[i] {
                b'\\' if self.b.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                    i += 2;
                    continue;
                }
                // `^[…]` is an inline note, not a bracketed citation.
                b'[' if i == 0 || self.b[i - 1] != b'^' => {
                    if let Some((end, cites)) = self.normal(i) {
                        out.push(Marker { span: Span { start: i, end }, cites });
                        i = end;
                        continue;
                    }
                }
                b'@' | b'-' => {
                    if let Some((end, cites)) = self.textual(i) {
                        out.push(Marker { span: Span { start: i, end }, cites });
                        i = end;
                        continue;
                    }
                }
                _ => {}
            }
            i = next_char(self.t, i);
        }
        out
    }

    /// Spaces and at most one line break (pandoc's `spnl`).
    fn spnl(&self, mut i: usize) -> usize {
        while matches!(self.b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if self.b.get(i) == Some(&b'\n') {
            let mut j = i + 1;
            while matches!(self.b.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            if self.b.get(j) != Some(&b'\n') {
                i = j;
            }
        }
        i
    }

    /// A blank line starts at the line break at `i`.
    fn paragraph_ends(&self, i: usize) -> bool {
        self.b[i] == b'\n' && self.b[i + 1..].iter().take_while(|&&c| c != b'\n').all(|c| c.is_ascii_whitespace())
    }

    /// `-@key` or `@key` at `i`, not right after a word.
    fn key(&self, i: usize) -> Option<Key> {
        let suppress = self.b.get(i) == Some(&b'-');
        let at = i + usize::from(suppress);
        if self.b.get(at) != Some(&b'@') || self.t[..i].ends_with(char::is_alphanumeric) {
            return None;
        }
        let start = at + 1;
        let rest = &self.t[start..];
        if rest.starts_with('{') {
            let end = group(self.b, start, b'{', b'}')?;
            let key = &self.t[start + 1..end - 1];
            if key.is_empty() || key.contains(char::is_whitespace) {
                return None;
            }
            return Some(Key { suppress, key: key.to_owned(), span: Span { start: start + 1, end: end - 1 }, end });
        }
        let mut chars = rest.char_indices().peekable();
        let (_, first) = chars.next()?;
        if !(first.is_alphanumeric() || first == '_' || first == '*') {
            return None;
        }
        let regular = |c: char| c.is_alphanumeric() || c == '_';
        let mut len = first.len_utf8();
        while let Some((p, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            let ok = regular(c)
                || (":.#$%&-+?<>~/".contains(c) && next.is_some_and(regular))
                || (":/".contains(c) && next == Some('/'));
            if !ok {
                break;
            }
            len = p + c.len_utf8();
        }
        let key = &rest[..len];
        Some(Key { suppress, key: key.to_owned(), span: Span { start, end: start + len }, end: start + len })
    }

    /// `[prefix @key suffix; …]` at `i`: its end and citations.
    fn normal(&self, i: usize) -> Option<(usize, Vec<Cite>)> {
        let (end, cites) = self.list(self.spnl(i + 1))?;
        let close = self.spnl(end);
        (self.b.get(close) == Some(&b']')).then_some((close + 1, cites))
    }

    /// One or more citations separated by `;`, from `j`: where the list
    /// stopped (at `]` or what cannot continue it) and the citations.
    fn list(&self, mut j: usize) -> Option<(usize, Vec<Cite>)> {
        let mut cites = Vec::new();
        loop {
            let at = self.prefix(j)?;
            let key = self.key(at)?;
            let (end, locator, nested) = self.suffix(key.end)?;
            let form = if key.suppress { Form::SuppressAuthor } else { Form::Normal };
            cites.push(Cite { target: Target::Key(key.key), span: key.span, locator, form });
            cites.extend(nested);
            if self.b.get(end) == Some(&b';') {
                j = self.spnl(end + 1);
            } else {
                return Some((end, cites));
            }
        }
    }

    /// Where the key after a citation's prefix starts. The prefix may not
    /// hold `]`, a `;` before a key, or a blank line.
    fn prefix(&self, mut k: usize) -> Option<usize> {
        while k < self.b.len() {
            match self.b[k] {
                b']' => return None,
                b';' if self.key(self.spnl(k + 1)).is_some() => return None,
                b'\n' if self.paragraph_ends(k) => return None,
                b'\\' if self.b.get(k + 1).is_some_and(u8::is_ascii_punctuation) => {
                    k += 2;
                    continue;
                }
                b'@' | b'-' if self.key(k).is_some() => return Some(k),
                _ => {}
            }
            k = next_char(self.t, k);
        }
        None
    }

    /// A citation's suffix from `k`, up to `;` or `]`: where it stopped, its
    /// text as a locator (up to any citation inside it), and the citations
    /// it holds.
    fn suffix(&self, from: usize) -> Option<(usize, Option<String>, Vec<Cite>)> {
        let mut nested = Vec::new();
        let mut text_end = None;
        let mut k = from;
        while k < self.b.len() {
            match self.b[k] {
                b';' | b']' => break,
                b'\n' if self.paragraph_ends(k) => return None,
                b'\\' if self.b.get(k + 1).is_some_and(u8::is_ascii_punctuation) => {
                    k += 2;
                    continue;
                }
                b'[' if self.b[k - 1] != b'^' => {
                    if let Some((end, cites)) = self.normal(k) {
                        text_end.get_or_insert(k);
                        nested.extend(cites);
                        k = end;
                        continue;
                    }
                }
                b'@' | b'-' => {
                    if let Some((end, cites)) = self.textual(k) {
                        text_end.get_or_insert(k);
                        nested.extend(cites);
                        k = end;
                        continue;
                    }
                }
                _ => {}
            }
            k = next_char(self.t, k);
        }
        if k >= self.b.len() {
            return None;
        }
        let text = &self.t[from..text_end.unwrap_or(k)];
        let locator = text.trim().trim_start_matches(',').trim().trim_end_matches(',').trim();
        let locator = (!locator.is_empty()).then(|| locator.split_whitespace().collect::<Vec<_>>().join(" "));
        Some((k, locator, nested))
    }

    /// `@key`, `-@key`, `@key [locator]` or `@key [@more]` at `i`.
    fn textual(&self, i: usize) -> Option<(usize, Vec<Cite>)> {
        let key = self.key(i)?;
        if self.skip.contains(&key.key) {
            return None;
        }
        let form = if key.suppress { Form::SuppressAuthor } else { Form::Prose };
        let mut first = Cite { target: Target::Key(key.key), span: key.span, locator: None, form };
        let j = self.spnl(key.end);
        if self.b.get(j) == Some(&b'[') {
            if let Some((end, rest)) = self.normal(j) {
                return Some((end, std::iter::once(first).chain(rest).collect()));
            }
            if let Some((end, locator, rest)) = self.bare_locator(j) {
                first.locator = locator;
                return Some((end, std::iter::once(first).chain(rest).collect()));
            }
        }
        Some((key.end, vec![first]))
    }

    /// `[p. 33]` after a narrative key (pandoc's `bareloc`): a suffix, then
    /// perhaps `; @more`, and not followed by `[` or `(`.
    fn bare_locator(&self, j: usize) -> Option<(usize, Option<String>, Vec<Cite>)> {
        if self.b.get(j + 1) == Some(&b'^') {
            return None;
        }
        let (mut end, locator, mut rest) = self.suffix(j + 1)?;
        if self.b.get(end) == Some(&b';')
            && let Some((e, more)) = self.list(self.spnl(end + 1))
        {
            end = e;
            rest.extend(more);
        }
        let close = self.spnl(end);
        (self.b.get(close) == Some(&b']') && !matches!(self.b.get(close + 1), Some(b'[' | b'('))).then_some((
            close + 1,
            locator,
            rest,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cites(text: &str) -> Vec<(String, Form, Option<String>)> {
        crate::report::written(find(text).0)
    }

    fn keys(text: &str) -> Vec<String> {
        cites(text).into_iter().map(|c| c.0).collect()
    }

    #[test]
    fn code_at_every_depth_is_not_prose() {
        let t = "Para @a.\n\n    @font-face {\n\n- item\n\n      ```\n      @fenced\n      ```\n\nTerm\n:   def @b\n\n        [@doe99; @smith2000]\n\n> quote `@code` and @c\n";
        assert_eq!(keys(t), ["a", "b", "c"]);
    }

    #[test]
    fn raw_tex_html_math_and_links_are_not_prose() {
        let t = "A \\caption{see @x} \\emph{@y} and $@m$ <span title=\"@t\">@s</span> <!-- @h --> [text](http://x.org/@u) <pre>@p</pre> me@mail.org @k.\n\n\\begin{figure}\n@f\n\n@g\n\\end{figure}\n";
        assert_eq!(keys(t), ["s", "k"]);
    }

    #[test]
    fn example_lists_are_not_citations() {
        let t = "(@good) An example.\n\n@other. Another.\n\nAs (@good) shows, @good and @other, but @bad.\n";
        assert_eq!(keys(t), ["bad"]);
    }

    #[test]
    fn brackets_as_pandoc_reads_them() {
        use Form::*;
        assert_eq!(
            cites("[@Reichstein2019; @Beucler2021;\n@Karniadakis2021]"),
            [
                ("Reichstein2019".into(), Normal, None),
                ("Beucler2021".into(), Normal, None),
                ("Karniadakis2021".into(), Normal, None)
            ]
        );
        // pandoc reads the literal `[AIA;` and a narrative citation.
        assert_eq!(cites("[AIA; @key]"), [("key".into(), Prose, None)]);
        // A comma-separated key is a narrative citation in the first one's suffix.
        assert_eq!(
            cites("[@wang2018, @wang2019]"),
            [("wang2018".into(), Normal, None), ("wang2019".into(), Prose, None)]
        );
        assert_eq!(
            cites("[see @a, p. 3; also -@b] and @c [ch. 2] and @d [@e]"),
            [
                ("a".into(), Normal, Some("p. 3".into())),
                ("b".into(), SuppressAuthor, None),
                ("c".into(), Prose, Some("ch. 2".into())),
                ("d".into(), Prose, None),
                ("e".into(), Normal, None)
            ]
        );
        assert_eq!(
            keys("@{a;b} @{odd key} [@{x}; @y] @a:b/c//d @e/ @_f @*"),
            ["a;b", "x", "y", "a:b/c//d", "e", "_f", "*"]
        );
        assert_eq!(keys("\\@esc \\[@a] [@b](http://x) x^[note @n]"), ["a", "b", "n"]);
    }

    /// Two places where current pandoc reads differently from Debian's
    /// pandoc 2.17, and we follow current pandoc: `-@key` alone is
    /// suppress-author (2.17: narrative), and `[@key][^1]` is a bracketed
    /// citation followed by a note (2.17: a reference link's text).
    #[test]
    fn follows_current_pandoc_where_it_changed_since_2_17() {
        assert_eq!(cites("As -@a says.")[0].1, Form::SuppressAuthor);
        assert_eq!(cites("Said.[@a][^1]\n\n[^1]: A note.\n")[0].1, Form::Normal);
    }

    #[test]
    fn unclosed_fence_and_tab_indented_code() {
        assert_eq!(keys("Text @a.\n\n```\n@b\n\nmore @c\n"), ["a"]);
        assert_eq!(keys("Text @a.\n\n\t@tab\n"), ["a"]);
    }

    #[test]
    fn a_citation_in_a_footnote_inside_a_list() {
        assert_eq!(keys("- item[^n]\n\n    [^n]: Note [@inner].\n\n- next @b\n"), ["inner", "b"]);
    }
}
