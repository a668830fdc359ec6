//! Titles as CSL title case leaves them, where hayagriva 0.10.1 does not:
//! it capitalises a stop word after a comma or semicolon ("Origination,
//! Dissemination, And Design"), where CSL capitalises one only first, last or
//! after a colon, and citeproc-js and pandoc print "…, and Design"
//! (docs/upstream/hayagriva-title-case-after-comma.md). Such a word, written
//! in lower case, is handed to hayagriva case-protected (verbatim) for the
//! render, which leaves it as written in every case change. And a title that
//! opens with case-protected text (`{TeX} font metric files`) loses the space
//! after it in title case (`TeXFont Metric Files`,
//! docs/upstream/hayagriva-leading-verbatim-space.md) unless an empty
//! unprotected chunk comes first, which is added for the render. The library
//! is not changed.

use hayagriva::Entry;
use hayagriva::types::{ChunkKind, ChunkedString, FormatString, StringChunk};

/// CSL 1.0.2's stop words (the specification's list for English title case).
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor", "of", "on", "onto", "or",
    "over", "so", "the", "till", "to", "up", "via", "with", "yet",
];

/// The entry with its titles' stop words after a comma or semicolon
/// protected, and its parents' (a journal's, a book's), or `None` when
/// nothing needs it.
pub(super) fn mended(entry: &Entry) -> Option<Entry> {
    let title = entry.title().and_then(mend_format);
    let parents: Vec<Option<Entry>> = entry.parents().iter().map(mended).collect();
    if title.is_none() && parents.iter().all(Option::is_none) {
        return None;
    }
    let mut out = entry.clone();
    if let Some(t) = title {
        out.set_title(t);
    }
    if parents.iter().any(Option::is_some) {
        let new = entry.parents().iter().zip(parents).map(|(p, m)| m.unwrap_or_else(|| p.clone())).collect();
        out.set_parents(new);
    }
    Some(out)
}

fn mend_format(f: &FormatString) -> Option<FormatString> {
    let value = mend_chunks(&f.value);
    let short = f.short.as_deref().and_then(mend_chunks);
    if value.is_none() && short.is_none() {
        return None;
    }
    Some(FormatString {
        value: value.unwrap_or_else(|| f.value.clone()),
        short: short.map(Box::new).or_else(|| f.short.clone()),
    })
}

fn mend_chunks(s: &ChunkedString) -> Option<ChunkedString> {
    let mut out = Vec::with_capacity(s.0.len() + 1);
    let mut changed = false;
    if s.0.first().is_some_and(|c| c.kind == ChunkKind::Verbatim) {
        out.push(StringChunk { value: String::new(), kind: ChunkKind::Normal });
        changed = true;
    }
    for chunk in &s.0 {
        if chunk.kind != ChunkKind::Normal {
            out.push(chunk.clone());
            continue;
        }
        let mut rest = chunk.value.as_str();
        while let Some((before, word, after)) = next_stop_word(rest) {
            changed = true;
            out.push(StringChunk { value: before.to_owned(), kind: ChunkKind::Normal });
            out.push(StringChunk { value: word.to_owned(), kind: ChunkKind::Verbatim });
            rest = after;
        }
        if !rest.is_empty() {
            out.push(StringChunk { value: rest.to_owned(), kind: ChunkKind::Normal });
        }
    }
    changed.then_some(ChunkedString(out))
}

/// The first lower-case stop word after `, ` or `; ` that another word
/// follows: the text before it, the word, the text after it.
fn next_stop_word(s: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(i) = s[from..].find([',', ';']).map(|i| from + i) {
        from = i + 1;
        let after = &s[from..];
        let spaced = after.trim_start_matches(' ');
        if spaced.len() == after.len() {
            continue;
        }
        let start = s.len() - spaced.len();
        let end = spaced.find(|c: char| !c.is_alphabetic()).map_or(s.len(), |e| start + e);
        if s[end..].starts_with(' ') && STOP_WORDS.contains(&&s[start..end]) {
            return Some((&s[..start], &s[start..end], &s[end..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Vec<(String, bool)> {
        let chunked = ChunkedString(vec![StringChunk { value: s.to_owned(), kind: ChunkKind::Normal }]);
        mend_chunks(&chunked)
            .map(|c| c.0.into_iter().map(|p| (p.value, p.kind == ChunkKind::Verbatim)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn stop_words_after_a_comma_or_semicolon_are_protected() {
        assert_eq!(
            parts("Origination, dissemination, and design; or not"),
            [
                ("Origination, dissemination, ".to_owned(), false),
                ("and".to_owned(), true),
                (" design; ".to_owned(), false),
                ("or".to_owned(), true),
                (" not".to_owned(), false)
            ]
        );
        assert!(parts("Fonts, Andes and design").is_empty(), "not a stop word");
        assert!(parts("Fonts, And design").is_empty(), "written capitalised: the case change decides");
        assert!(parts("Fonts, and").is_empty(), "the last word");
        assert!(parts("1,000 and more").is_empty(), "no space after the comma");
    }

    #[test]
    fn a_title_opening_with_protected_text_gets_an_empty_chunk_first() {
        let chunked = ChunkedString(vec![
            StringChunk { value: "TeX".into(), kind: ChunkKind::Verbatim },
            StringChunk { value: " font metric files".into(), kind: ChunkKind::Normal },
        ]);
        let mended = mend_chunks(&chunked).unwrap();
        assert_eq!(mended.0[0], StringChunk { value: String::new(), kind: ChunkKind::Normal });
        assert_eq!(&mended.0[1..], &chunked.0[..]);
    }

    #[test]
    fn the_entry_and_its_parents_are_mended_and_the_rest_kept() {
        let yaml = "a:\n  type: article\n  title: Type, and fonts\n  parent:\n    type: periodical\n    title: Publishing, and design\n";
        let library = hayagriva::io::from_yaml_str(yaml).unwrap();
        let e = library.iter().next().unwrap();
        let m = mended(e).unwrap();
        assert_eq!(m.title().unwrap().value.to_string(), "Type, and fonts");
        assert!(m.title().unwrap().value.0.iter().any(|c| c.kind == ChunkKind::Verbatim && c.value == "and"));
        assert!(m.parents()[0].title().unwrap().value.0.iter().any(|c| c.kind == ChunkKind::Verbatim));
        let plain = hayagriva::io::from_yaml_str("b:\n  type: book\n  title: Fonts and type\n").unwrap();
        assert!(mended(plain.iter().next().unwrap()).is_none());
    }
}
