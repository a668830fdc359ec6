//! Matching a quotation against a source's text (DESIGN §4), in tiers: exact
//! (verbatim in the extracted text), normalised (after the one normaliser),
//! with gaps (ellipses as omissions, editorial brackets as insertions), and
//! otherwise the closest passage with a similarity and a word diff. A
//! source's word index is built once, so each quotation costs time in its own
//! length and its words' occurrences, not in the size of the source.

use std::collections::HashMap;

use super::normalise;

/// The most text an ellipsis may stand for, in normalised characters.
pub const ELLIPSIS_GAP: usize = 300;
/// The most text an editorial insertion (`[his]`) may stand for.
const BRACKET_GAP: usize = 40;
/// Similarity from which a miss is a near miss.
pub const NEAR: f64 = 0.75;

/// How a quotation fared.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Verbatim in the extracted text.
    Exact {
        /// Offset in the normalised text.
        offset: usize,
    },
    /// Found after normalisation (quotes, dashes, case, spacing…).
    Normalised {
        /// Offset in the normalised text.
        offset: usize,
    },
    /// Found in parts, in order, within the allowed gaps.
    Gaps {
        /// Offset of the first part in the normalised text.
        offset: usize,
    },
    /// Not found; the closest passage, how similar it is, and a word diff.
    Missing {
        /// 0.0–1.0, word-level.
        similarity: f64,
        /// The closest passage of the source (normalised).
        passage: String,
        /// `[-quote word-] {+source word+}` differences.
        diff: String,
        /// Offset of the passage in the normalised text.
        offset: usize,
    },
}

impl Verdict {
    /// Whether the quotation is in the source.
    pub fn found(&self) -> bool {
        !matches!(self, Verdict::Missing { .. })
    }

    /// Where the quotation was found in the normalised text, if it was.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Verdict::Exact { offset } | Verdict::Normalised { offset } | Verdict::Gaps { offset } => Some(*offset),
            Verdict::Missing { .. } => None,
        }
    }

    /// The tier's name for `data.verdict`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Exact { .. } => "exact",
            Verdict::Normalised { .. } => "normalised",
            Verdict::Gaps { .. } => "with-gaps",
            Verdict::Missing { similarity, .. } if *similarity >= NEAR => "near-miss",
            Verdict::Missing { .. } => "not-found",
        }
    }
}

/// Drops encyclopedia reference marks (`[16]`, `[citation needed]`) that
/// sources carry inline, so they neither block nor fake a match.
fn drop_reference_marks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(']');
        let mark = end.filter(|&e| {
            let inner = &after[..e];
            (!inner.is_empty() && inner.len() <= 4 && inner.bytes().all(|b| b.is_ascii_digit()))
                || inner.eq_ignore_ascii_case("citation needed")
        });
        match mark {
            Some(e) => rest = &after[e + 1..],
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Matching's own view of normalised text: no reference marks, no space
/// before punctuation (French typography has one; an editor's `[sic]` leaves
/// one), and no hyphen inside a word: a hyphen at a line end may be the
/// typesetter's or the word's own (`fifty-\nfive`), and text cannot tell.
fn for_matching(s: &str) -> String {
    let n = normalise(&drop_reference_marks(s));
    let mut out = String::with_capacity(n.len());
    let mut chars = n.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | ')') && out.ends_with(' ') {
            out.pop();
        }
        let in_word = out.ends_with(char::is_alphanumeric) && chars.peek().is_some_and(|n| n.is_alphanumeric());
        if c == '-' && in_word {
            continue;
        }
        out.push(c);
    }
    out
}

/// A source prepared for matching: normalised text and a word index.
pub struct Source {
    raw: String,
    text: String,
    /// Offsets where each page starts (text from PDFs, pages split by form feeds).
    pages: Vec<usize>,
    /// Word spans and the word index, built on first need (a closest-passage search).
    index: std::cell::OnceCell<Index>,
}

/// Word spans of the normalised text, and where each word occurs.
struct Index {
    words: Vec<(usize, usize)>,
    by_word: HashMap<String, Vec<u32>>,
}

impl Source {
    /// The extracted text, as `citelock show KEY --text` prints it.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Prepares extracted text.
    pub fn new(raw: &str) -> Source {
        if !raw.contains('\u{c}') {
            return Source {
                raw: raw.to_owned(),
                text: for_matching(raw),
                pages: Vec::new(),
                index: std::cell::OnceCell::new(),
            };
        }
        let mut text = String::with_capacity(raw.len());
        let mut pages = Vec::new();
        for page in raw.split('\u{c}') {
            if !text.is_empty() {
                text.push(' ');
            }
            pages.push(text.len());
            text.push_str(&for_matching(page));
        }
        Source { raw: raw.to_owned(), text, pages, index: std::cell::OnceCell::new() }
    }

    /// The 1-based page an offset of the normalised text falls on, when the source has pages.
    pub fn page_of(&self, offset: usize) -> Option<usize> {
        (!self.pages.is_empty()).then(|| self.pages.partition_point(|&p| p <= offset))
    }

    /// Whether a 1-based page has any text; `None` when the source has no such page.
    pub fn page_has_text(&self, page: usize) -> Option<bool> {
        let start = *self.pages.get(page.checked_sub(1)?)?;
        let end = self.pages.get(page).copied().unwrap_or(self.text.len());
        Some(self.text[start..end].chars().any(char::is_alphanumeric))
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let words = word_spans(&self.text);
            let mut by_word: HashMap<String, Vec<u32>> = HashMap::new();
            for (i, &(s, e)) in words.iter().enumerate() {
                by_word.entry(self.text[s..e].to_owned()).or_default().push(i as u32);
            }
            Index { words, by_word }
        })
    }

    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the source has any text at all (a scanned PDF has none).
    pub fn is_empty(&self) -> bool {
        !self.text.chars().any(char::is_alphanumeric)
    }
}

/// Word spans (letters and digits) of normalised text.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// A quotation split into fragments, each with the largest gap allowed before it.
fn fragments(quote: &str) -> Vec<(String, usize)> {
    let mut parts: Vec<(String, usize)> = vec![(String::new(), 0)];
    let mut rest = quote.trim();
    let gap = |parts: &mut Vec<(String, usize)>, g: usize| {
        if parts.last().is_some_and(|(s, _)| s.trim().is_empty()) {
            let last = parts.last_mut().expect("not empty");
            last.1 = last.1.max(g);
        } else {
            parts.push((String::new(), g));
        }
    };
    while !rest.is_empty() {
        let ellipsis = ["[\u{2026}]", "[...]", "\u{2026}", ". . .", "..."].iter().find(|e| rest.starts_with(**e));
        if let Some(e) = ellipsis {
            gap(&mut parts, ELLIPSIS_GAP);
            rest = &rest[e.len()..];
            continue;
        }
        if rest.starts_with('[')
            && let Some(end) = rest.find(']')
        {
            let inner = &rest[1..end];
            let prev_letter = parts.last().is_some_and(|(s, _)| s.ends_with(char::is_alphanumeric));
            let next_letter = rest[end + 1..].starts_with(char::is_alphanumeric);
            if inner.eq_ignore_ascii_case("sic") || inner.eq_ignore_ascii_case("sic!") {
                // An editor's mark: nothing of the source.
            } else if prev_letter || next_letter {
                // `[T]he`, `wom[a]n`: an alteration inside a word; keep the letters.
                parts.last_mut().expect("not empty").0.push_str(inner);
            } else {
                // `[his]`, `[Chinese]`, `[railroad?]`: an insertion standing for a few words.
                gap(&mut parts, BRACKET_GAP);
            }
            rest = &rest[end + 1..];
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        parts.last_mut().expect("not empty").0.push(c);
        rest = &rest[c.len_utf8()..];
    }
    parts
        .into_iter()
        .map(|(s, g)| (for_matching(&s), g))
        .map(|(s, g)| (s.trim_matches(|c: char| !c.is_alphanumeric()).to_owned(), g))
        .filter(|(s, _)| !s.is_empty())
        .collect()
}

/// Substring search with SIMD (memchr's memmem): matching spends most of its
/// time here when a quotation is looked for in every other source.
fn find_str(haystack: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
}

fn boundary_ok(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
    let after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    before && after
}

/// Finds the fragments in order within their gaps; the first one's offset.
fn find_parts(text: &str, parts: &[(String, usize)]) -> Option<usize> {
    let (first, _) = parts.first()?;
    let mut from = 0;
    for _ in 0..10_000 {
        let start = from + find_str(&text[from..], first)?;
        from = start + first.len();
        if !boundary_ok(text, start, from) {
            continue;
        }
        let mut pos = from;
        let mut ok = true;
        for (frag, gap) in &parts[1..] {
            let window_end = (pos + gap + frag.len() + 1).min(text.len());
            let window_end =
                (0..=3).map(|d| window_end.saturating_sub(d)).find(|&e| text.is_char_boundary(e)).unwrap_or(pos);
            match find_str(&text[pos..window_end], frag).map(|p| pos + p) {
                Some(p) if boundary_ok(text, p, p + frag.len()) => pos = p + frag.len(),
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Some(start);
        }
    }
    None
}

/// Whether a quotation is in a source, without looking for the closest passage.
pub fn found(quote: &str, source: &Source) -> bool {
    let parts = fragments(quote);
    parts.is_empty() || find_parts(&source.text, &parts).is_some()
}

/// Matches a quotation (as written in the report) against a source.
pub fn check(quote: &str, source: &Source) -> Verdict {
    let parts = fragments(quote);
    if parts.is_empty() {
        return Verdict::Normalised { offset: 0 };
    }
    if parts.len() == 1 {
        if let Some(offset) = find_parts(&source.text, &parts) {
            let verbatim = source.raw.contains(quote.trim());
            return if verbatim { Verdict::Exact { offset } } else { Verdict::Normalised { offset } };
        }
    } else if let Some(offset) = find_parts(&source.text, &parts) {
        return Verdict::Gaps { offset };
    }
    closest(&parts, source)
}

/// The passage most like the quotation: its rare words vote for a start, and
/// the best-voted windows are compared word by word.
fn closest(parts: &[(String, usize)], source: &Source) -> Verdict {
    let index = source.index();
    let joined: String = parts.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(" ");
    let q: Vec<&str> = word_spans(&joined).into_iter().map(|(s, e)| &joined[s..e]).collect();
    let mut votes: HashMap<i64, u32> = HashMap::new();
    for (qi, w) in q.iter().enumerate() {
        let Some(hits) = index.by_word.get(*w) else { continue };
        if hits.len() > 200 {
            continue; // too common to say where the passage is
        }
        for &h in hits {
            *votes.entry(i64::from(h) - qi as i64).or_default() += 1;
        }
    }
    let mut starts: Vec<(i64, u32)> = votes.into_iter().collect();
    starts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut best = (0.0f64, 0usize, 0usize);
    for &(start, _) in starts.iter().take(8) {
        let s = start.max(0) as usize;
        let e = (s + q.len()).min(index.words.len());
        if s >= e {
            continue;
        }
        let w: Vec<&str> = index.words[s..e].iter().map(|&(a, b)| &source.text[a..b]).collect();
        let sim = similarity(&q, &w);
        if sim > best.0 {
            best = (sim, s, e);
        }
    }
    let (similarity, s, e) = best;
    if e == 0 {
        return Verdict::Missing { similarity: 0.0, passage: String::new(), diff: String::new(), offset: 0 };
    }
    let (a, b) = (index.words[s].0, index.words[e - 1].1);
    let passage = source.text[a..b].to_owned();
    let w: Vec<&str> = index.words[s..e].iter().map(|&(x, y)| &source.text[x..y]).collect();
    Verdict::Missing { similarity, passage, diff: word_diff(&q, &w), offset: a }
}

fn lcs(a: &[&str], b: &[&str]) -> Vec<Vec<u16>> {
    let mut t = vec![vec![0u16; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            t[i][j] = if a[i] == b[j] { t[i + 1][j + 1] + 1 } else { t[i + 1][j].max(t[i][j + 1]) };
        }
    }
    t
}

/// 2·LCS / (|a| + |b|), on words.
fn similarity(a: &[&str], b: &[&str]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (a, b) = (&a[..a.len().min(2000)], &b[..b.len().min(2000)]);
    2.0 * f64::from(lcs(a, b)[0][0]) / (a.len() + b.len()) as f64
}

/// `[-removed-] {+added+}` between the quotation's words and the source's.
fn word_diff(a: &[&str], b: &[&str]) -> String {
    let (a, b) = (&a[..a.len().min(2000)], &b[..b.len().min(2000)]);
    let t = lcs(a, b);
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(a[i].to_owned());
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || t[i + 1][j] >= t[i][j + 1]) {
            out.push(format!("[-{}-]", a[i]));
            i += 1;
        } else {
            out.push(format!("{{+{}+}}", b[j]));
            j += 1;
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The licenses for most software and other practical works are designed\n\
        to take away your freedom to share and change the works.  By contrast,\n\
        the General Public License is intended to guarantee your free-\n\
        dom to share and change all versions of a program.[16] It is an exam\u{ad}ple of ﬁne print,\n\
        a fifty-\nfive page licence.";

    fn v(q: &str) -> Verdict {
        check(q, &Source::new(TEXT))
    }

    #[test]
    fn tiers() {
        assert!(matches!(v("most software and other practical works"), Verdict::Exact { .. }));
        assert_eq!(v("\u{201c}The LICENSES for most   software\u{201d}").name(), "normalised");
        assert_eq!(v("the licenses for most software \u{2026} to take away your freedom").name(), "with-gaps");
        assert_eq!(v("the licenses . . . are designed [\u{2026}] your freedom").name(), "with-gaps");
        assert_eq!(v("[T]he General Public License is intended").name(), "normalised");
        assert_eq!(v("intended to guarantee [the reader's] freedom to share").name(), "with-gaps");
        assert_eq!(v("change the works [sic]. By contrast").name(), "normalised");
    }

    #[test]
    fn source_quirks_do_not_block_a_match() {
        assert!(v("guarantee your freedom to share and change all versions").found(), "hyphen at a line break");
        assert!(v("all versions of a program. It is an example").found(), "reference mark and soft hyphen");
        assert!(v("a fifty-five page licence").found() && v("a fifty\u{2010}five page").found(), "word's own hyphen");
        assert!(v("an example of fine print").found(), "ligature");
    }

    #[test]
    fn changed_words_never_verify() {
        for q in [
            "the licenses for most software and other practical works are not designed",
            "designed to take away your liberty to share",
            "to share and change all versions of two programs",
            "the licenses for most software \u{2026} a completely different ending",
        ] {
            assert!(!v(q).found(), "{q}");
        }
        match v("designed to take away your liberty to share and change") {
            Verdict::Missing { similarity, diff, passage, .. } => {
                assert!(similarity >= NEAR, "{similarity}");
                assert!(diff.contains("[-liberty-] {+freedom+}") || diff.contains("{+freedom+} [-liberty-]"), "{diff}");
                assert!(passage.contains("freedom"), "{passage}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pages_are_kept() {
        let s = Source::new("first page text\u{c}second page here\u{c}third");
        let offset = check("second page here", &s).offset().unwrap();
        assert_eq!(s.page_of(offset), Some(2));
        assert_eq!(Source::new("no pages").page_of(0), None);
    }

    #[test]
    fn words_are_not_matched_inside_other_words() {
        assert!(!v("other practical work").found());
    }
}
