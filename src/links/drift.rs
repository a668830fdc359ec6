//! Content drift: how far a live page's text has moved from its snapshot's,
//! as shingled Jaccard similarity over normalised words (3-word shingles).

use std::collections::HashSet;

use crate::text::normalise;

/// Words per shingle.
const SHINGLE: usize = 3;

/// Similarity of two texts in 0..=1 (1 when their normalised forms are equal).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (normalise(a), normalise(b));
    if a == b {
        return 1.0;
    }
    let (sa, sb) = (shingles(&a), shingles(&b));
    if sa.is_empty() && sb.is_empty() {
        return 1.0;
    }
    let common = sa.intersection(&sb).count();
    common as f64 / (sa.len() + sb.len() - common) as f64
}

fn shingles(text: &str) -> HashSet<Vec<&str>> {
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.len() < SHINGLE {
        return std::iter::once(words).filter(|w| !w.is_empty()).collect();
    }
    words.windows(SHINGLE).map(<[&str]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_drifts_a_little_a_new_page_a_lot() {
        let page: String = (0..200).map(|i| format!("word{i} ")).collect();
        let one = page.replacen("word100 ", "changed ", 1);
        let other: String = (0..200).map(|i| format!("other{i} ")).collect();
        assert_eq!(similarity(&page, &page.to_uppercase()), 1.0, "normalised first");
        let small = similarity(&page, &one);
        assert!(small > 0.95 && small < 1.0, "{small}");
        assert_eq!(similarity(&page, &other), 0.0);
    }
}
