//! Evidence passages: the sentences of a snapshot's text most likely to
//! support a claim, best first. The text is split into sentences (Unicode
//! sentence boundaries, and every line break), each sentence into words
//! (Unicode word boundaries, case-folded, stop words left out); a passage is
//! one to three consecutive sentences, ranked by BM25 with the window as the
//! document, numbers the claim shares counting as rare words. Ranking is
//! deterministic: ties go to the earlier, then the shorter, passage.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_segmentation::UnicodeSegmentation;

use super::numbers;

/// BM25's parameters (the usual ones).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Longest passage, in sentences.
const WINDOW: usize = 3;
/// A sentence longer than this (a page with no punctuation) is cut into
/// pieces of about this many bytes, so that one passage is never a whole page.
const LONGEST_SENTENCE: usize = 1500;

/// One passage of a snapshot's text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Passage {
    /// Character offset where the passage starts in the snapshot's text
    /// (`citelock show KEY --text`).
    pub start: usize,
    /// Character offset where it ends.
    pub end: usize,
    /// The passage, spaces collapsed.
    pub text: String,
    /// The PDF page it is on (text with form feeds), 1-based.
    pub page: Option<usize>,
    /// Its score (BM25; higher is better).
    pub score: f64,
    /// The claim's words it holds.
    pub covered: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Sentence {
    /// Byte span in the text.
    start: usize,
    end: usize,
    /// The same span in characters (a passage's offsets).
    chars: (usize, usize),
    /// How many words it has (case-folded, stop words left out).
    length: u32,
    /// The values of its numbers.
    numbers: Vec<f64>,
    page: Option<usize>,
}

/// A snapshot's text split and counted, built once per snapshot and cached
/// (see [`Index::cached`]).
#[derive(Serialize, Deserialize)]
pub struct Index {
    #[serde(skip)]
    text: String,
    sentences: Vec<Sentence>,
    /// Each word's sentences (in order) and how often it is in each.
    postings: HashMap<String, Vec<(u32, u16)>>,
    average: f64,
    paged: bool,
}

/// Words that carry no content (English; other languages keep every word).
const STOP: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being",
    "between", "both", "but", "by", "can", "could", "did", "do", "does", "during", "each", "for", "from", "had", "has",
    "have", "he", "her", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "may", "more",
    "most", "much", "must", "my", "no", "not", "of", "on", "one", "only", "or", "other", "our", "out", "over", "own",
    "said", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "s",
];

/// The content words of a text, case-folded and stemmed (Snowball's English
/// stemmer, which leaves other scripts alone), in order.
pub fn content_words(text: &str) -> Vec<String> {
    content_words_with(text, &mut HashMap::new())
}

/// [`content_words`], remembering each word's stem in `stems` (a text
/// repeats its words: stemming each once is most of an index's build time).
fn content_words_with(text: &str, stems: &mut HashMap<String, String>) -> Vec<String> {
    static STEMMER: std::sync::LazyLock<rust_stemmers::Stemmer> =
        std::sync::LazyLock::new(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));
    let mut out = Vec::new();
    for word in text.unicode_words() {
        if let Some(stem) = stems.get(word) {
            if !stem.is_empty() {
                out.push(stem.clone());
            }
            continue;
        }
        let w = word.to_lowercase().replace('\u{2019}', "'");
        let w = w.strip_suffix("'s").unwrap_or(&w);
        // A stop word is remembered as an empty stem.
        let stem = if STOP.contains(&w) { String::new() } else { STEMMER.stem(w).into_owned() };
        if !stem.is_empty() {
            out.push(stem.clone());
        }
        stems.insert(word.to_owned(), stem);
    }
    out
}

/// Bump when the index's contents change (segmentation, words, numbers).
const INDEX_VERSION: &str = "citelock-evidence-index/4";

impl Index {
    /// The index of `text`, from `cache/evidence/` when it was built before,
    /// else built and cached. Keyed by the SHA-256 of the text the offsets
    /// point into (and of this index's version); a cache that cannot be read
    /// or written is rebuilt, never an error.
    pub fn cached(cache: &Path, text: &str) -> Index {
        let key = hex::encode(Sha256::new().chain_update(INDEX_VERSION).chain_update(text).finalize());
        let path = cache.join("evidence").join(format!("{key}.json"));
        if let Some(mut index) = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<Index>(&b).ok()) {
            index.text = text.to_owned();
            if index
                .sentences
                .iter()
                .all(|s| s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end))
            {
                return index;
            }
        }
        let index = Index::new(text);
        if let (Some(dir), Ok(bytes)) = (path.parent(), serde_json::to_vec(&index))
            && std::fs::create_dir_all(dir).is_ok()
        {
            let _ = crate::atomic::write(&path, &bytes);
        }
        index
    }

    /// Splits and counts `text` (the snapshot's extracted text).
    pub fn new(text: &str) -> Index {
        let mut sentences = Vec::new();
        let mut postings: HashMap<String, Vec<(u32, u16)>> = HashMap::new();
        let mut stems = HashMap::new();
        // Characters before the byte offset `cursor.0`, counted once.
        let mut cursor = (0, 0);
        let mut chars_at = |byte: usize| {
            cursor.1 += text[cursor.0..byte].chars().count();
            cursor.0 = byte;
            cursor.1
        };
        let mut page = 1;
        let paged = text.contains('\u{c}');
        for (offset, piece) in text.split_sentence_bound_indices() {
            // Line breaks end sentences too (lists, headings, one sentence a line).
            let mut at = offset;
            for line in piece.split_inclusive(['\n', '\u{c}']) {
                for (s, e) in cut(line) {
                    let (s, e) = (at + s, at + e);
                    let part = &text[s..e];
                    let words = content_words_with(part, &mut stems);
                    if !words.is_empty() {
                        let id = sentences.len() as u32;
                        let mut counts: HashMap<String, u16> = HashMap::new();
                        for w in &words {
                            let n = counts.entry(w.clone()).or_default();
                            *n = n.saturating_add(1);
                        }
                        for (w, n) in counts {
                            postings.entry(w).or_default().push((id, n));
                        }
                        let numbers = numbers::find(part).into_iter().flat_map(|n| n.values).collect();
                        let length = words.len() as u32;
                        let chars = (chars_at(s), chars_at(e));
                        sentences.push(Sentence {
                            start: s,
                            end: e,
                            chars,
                            length,
                            numbers,
                            page: paged.then_some(page),
                        });
                    }
                }
                at += line.len();
                if line.ends_with('\u{c}') {
                    page += 1;
                }
            }
        }
        let average = sentences.iter().map(|s| s.length as f64).sum::<f64>() / sentences.len().max(1) as f64;
        Index { text: text.to_owned(), sentences, postings, average, paged }
    }

    fn idf(&self, word: &str) -> f64 {
        let n = self.sentences.len() as f64;
        let df = self.postings.get(word).map_or(0.0, |p| p.len() as f64);
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// The `n` best passages for a claim, best first, none overlapping. With
    /// `page` (a page locator), passages on that page come first.
    pub fn passages(
        &self,
        claim: &str,
        claim_numbers: &[numbers::Number],
        n: usize,
        page: Option<usize>,
    ) -> Vec<Passage> {
        let words: Vec<String> = {
            let mut seen = HashSet::new();
            content_words(claim).into_iter().filter(|w| seen.insert(w.clone())).collect()
        };
        if words.is_empty() || n == 0 {
            return Vec::new();
        }
        let idf: Vec<f64> = words.iter().map(|w| self.idf(w)).collect();
        let number_weight = self.idf("\u{0}");
        // Only sentences holding a claim word or number can score: their
        // counts of each claim word, and which claim numbers they hold.
        let mut counts: HashMap<u32, Vec<u16>> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            for &(id, n) in self.postings.get(w).map_or(&[][..], Vec::as_slice) {
                counts.entry(id).or_insert_with(|| vec![0; words.len()])[i] = n;
            }
        }
        let mut holds: HashMap<u32, u64> = HashMap::new();
        if !claim_numbers.is_empty() {
            for (id, s) in self.sentences.iter().enumerate() {
                let mask = claim_numbers
                    .iter()
                    .take(64)
                    .enumerate()
                    .filter(|(_, c)| s.numbers.iter().any(|&v| c.agrees(v)))
                    .fold(0u64, |m, (i, _)| m | 1 << i);
                if mask != 0 {
                    holds.insert(id as u32, mask);
                }
            }
        }
        let mut firsts: Vec<usize> = counts
            .keys()
            .chain(holds.keys())
            .flat_map(|&id| (id as usize).saturating_sub(WINDOW - 1)..=id as usize)
            .collect();
        firsts.sort_unstable();
        firsts.dedup();
        let zeros = vec![0u16; words.len()];
        let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
        let mut tf = vec![0u32; words.len()];
        for first in firsts {
            tf.iter_mut().for_each(|t| *t = 0);
            let (mut length, mut shared) = (0u32, 0u64);
            for last in first..(first + WINDOW).min(self.sentences.len()) {
                let s = &self.sentences[last];
                if last > first && s.page != self.sentences[first].page {
                    break;
                }
                length += s.length;
                let here = counts.get(&(last as u32)).unwrap_or(&zeros);
                tf.iter_mut().zip(here).for_each(|(t, &n)| *t += u32::from(n));
                shared |= holds.get(&(last as u32)).copied().unwrap_or(0);
                let size = (last - first + 1) as f64;
                let norm = K1 * (1.0 - B + B * f64::from(length) / (self.average * size).max(1.0));
                let mut score: f64 = tf
                    .iter()
                    .zip(&idf)
                    .map(|(&t, idf)| {
                        let t = f64::from(t);
                        idf * t * (K1 + 1.0) / (t + norm)
                    })
                    .sum();
                score += f64::from(shared.count_ones()) * number_weight;
                // A longer window must earn its length.
                score /= 1.0 + 0.1 * (size - 1.0);
                if score > 0.0 {
                    candidates.push((score, first, last));
                }
            }
        }
        let on_page = |c: &(f64, usize, usize)| page.is_some() && self.sentences[c.1].page == page;
        candidates.sort_by(|a, b| {
            on_page(b).cmp(&on_page(a)).then(b.0.total_cmp(&a.0)).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        });
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let mut out = Vec::new();
        for (score, first, last) in candidates {
            if taken.iter().any(|&(f, l)| first <= l && f <= last) {
                continue;
            }
            taken.push((first, last));
            out.push(self.passage(score, first, last, &words));
            if out.len() == n {
                break;
            }
        }
        out
    }

    fn passage(&self, score: f64, first: usize, last: usize, words: &[String]) -> Passage {
        let (start, end) = (self.sentences[first].start, self.sentences[last].end);
        let present = |w: &str| {
            self.postings.get(w).is_some_and(|p| {
                let at = p.partition_point(|&(id, _)| (id as usize) < first);
                p.get(at).is_some_and(|&(id, _)| id as usize <= last)
            })
        };
        Passage {
            start: self.sentences[first].chars.0,
            end: self.sentences[last].chars.1,
            text: self.text[start..end].split_whitespace().collect::<Vec<_>>().join(" "),
            page: if self.paged { self.sentences[first].page } else { None },
            score: (score * 1000.0).round() / 1000.0,
            covered: words.iter().filter(|w| present(w)).cloned().collect(),
        }
    }
}

/// A line cut into pieces of at most about [`LONGEST_SENTENCE`] bytes, at
/// spaces where there are some: (start, end) byte spans, blank edges left out.
fn cut(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while from < line.len() {
        let mut to = line.len();
        if to - from > LONGEST_SENTENCE {
            to = from + LONGEST_SENTENCE;
            while !line.is_char_boundary(to) {
                to -= 1;
            }
            if let Some(space) = line[from..to].rfind(char::is_whitespace) {
                to = from + space.max(1);
            }
        }
        let piece = &line[from..to];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            out.push((from + lead, from + lead + trimmed.len()));
        }
        from = to;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "The river floods every spring. Farmers plant rice after the water recedes.\n\
        In 2011 the flood reached the town hall. It was the highest in a century.\n\
        Tourism grew by 12% that year.";

    #[test]
    fn finds_the_passage_a_claim_rests_on() {
        let index = Index::new(SOURCE);
        let claim = "The 2011 flood reached the town hall";
        let best = &index.passages(claim, &numbers::find(claim), 3, None)[0];
        assert!(best.text.starts_with("In 2011 the flood reached the town hall."), "{best:?}");
        let chars: Vec<char> = SOURCE.chars().collect();
        let at: String = chars[best.start..best.end].iter().collect();
        assert_eq!(at.split_whitespace().collect::<Vec<_>>().join(" "), best.text);
        assert!(best.covered.contains(&"flood".to_owned()));
    }

    #[test]
    fn passages_do_not_overlap_and_are_deterministic() {
        let index = Index::new(SOURCE);
        let a = index.passages("river flood water town", &[], 5, None);
        let b = index.passages("river flood water town", &[], 5, None);
        assert_eq!(a, b);
        for (i, p) in a.iter().enumerate() {
            for q in &a[i + 1..] {
                assert!(p.end <= q.start || q.end <= p.start, "{p:?} {q:?}");
            }
        }
    }

    #[test]
    fn a_page_locator_ranks_its_page_first() {
        let index = Index::new("Cats sleep a lot.\u{c}Dogs sleep too. Cats sleep less than owls.");
        let found = index.passages("cats sleep", &[], 2, Some(2));
        assert_eq!(found[0].page, Some(2));
        assert!(found[0].text.contains("Cats sleep less"), "{found:?}");
    }

    #[test]
    fn stop_words_alone_and_hostile_text_give_nothing_or_bounded_passages() {
        let index = Index::new(SOURCE);
        assert!(index.passages("it was the", &[], 3, None).is_empty());
        let long = "word ".repeat(400_000);
        let index = Index::new(&long);
        let found = index.passages("word", &[], 3, None);
        assert!(found.iter().all(|p| p.text.len() <= WINDOW * LONGEST_SENTENCE), "passages stay short");
        let repeated = "The same sentence again. ".repeat(10_000);
        assert_eq!(Index::new(&repeated).passages("same sentence", &[], 3, None).len(), 3);
    }

    #[test]
    fn a_cached_index_ranks_as_a_fresh_one() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = Index::new(SOURCE).passages("flood town hall 2011", &[], 3, None);
        let first = Index::cached(dir.path(), SOURCE).passages("flood town hall 2011", &[], 3, None);
        assert_eq!(std::fs::read_dir(dir.path().join("evidence")).unwrap().count(), 1, "written once");
        let again = Index::cached(dir.path(), SOURCE).passages("flood town hall 2011", &[], 3, None);
        assert_eq!((&first, &again), (&fresh, &fresh));
        for e in std::fs::read_dir(dir.path().join("evidence")).unwrap() {
            std::fs::write(e.unwrap().path(), b"{not json").unwrap();
        }
        assert_eq!(Index::cached(dir.path(), SOURCE).passages("flood town hall 2011", &[], 3, None), fresh);
    }

    #[test]
    fn other_scripts_segment() {
        let index = Index::new("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας. 北京是中国的首都。上海是最大的城市。");
        let found = index.passages("Αθήνα πρωτεύουσα", &[], 1, None);
        assert!(found[0].text.starts_with("Η Αθήνα"), "{found:?}");
        let found = index.passages("北京", &[], 1, None);
        assert!(found[0].text.contains("北京"), "{found:?}");
    }
}
