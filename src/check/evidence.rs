//! Claims against their sources. A citation stands for a claim: the clause
//! that ends at its marker (the whole sentence when the clause is too short
//! to say anything). For each, the passages of the cited snapshot's text most
//! likely to support it (`text::evidence`), and every number in the claim
//! looked up among the numbers of the sentence's cited sources
//! (`number-not-in-source`); a claim whose best passage holds too few of its
//! words gets a hint (`claim-weak-support`), never a verdict.

use std::collections::HashMap;
use std::rc::Rc;

use serde::Serialize;

use super::{Checker, Input, Snapshot, at, names, page_number, sentence_start};
use crate::findings::{Code, Finding};
use crate::report::{Report, Span};
use crate::text::evidence::Index;
use crate::text::numbers;

/// `[check]` settings for evidence.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Whether to look for evidence at all.
    pub enabled: bool,
    /// Passages per citation.
    pub passages: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { enabled: true, passages: 3 }
    }
}

impl Settings {
    /// No evidence (commands that only need markers and snapshots).
    pub fn off() -> Settings {
        Settings { enabled: false, passages: 0 }
    }
}

/// A number in a claim, and whether a cited source holds it.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimNumber {
    /// As written.
    pub text: String,
    /// Its value (the first reading, when there are several; a date's year).
    pub value: f64,
    /// A date's ISO 8601 form (`2001-05-16`, `--05-16`), when the number is one.
    pub date: Option<String>,
    /// Whether a source the sentence cites has it; none when no cited source has text.
    pub found: Option<bool>,
    /// Character offset in the report.
    pub start: usize,
    /// End character offset.
    pub end: usize,
}

/// Passages of each cited source a claim's numbers are looked up in.
const NUMBER_PASSAGES: usize = 5;

/// Fewer of the claim's words than this share in the best passage is weak support.
const WEAK: f64 = 0.5;

/// The claim of each marker (a byte span of the report), given where each
/// marker's sentence starts.
fn claim_spans(report: &Report, sentences: &[usize], memo: &mut super::Memo) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(report.markers.len());
    for (i, (m, &sentence)) in report.markers.iter().zip(sentences).enumerate() {
        let previous =
            i.checked_sub(1).map(|p| report.markers[p].span.end).filter(|&e| e > sentence && e <= m.span.start);
        let clause = previous.unwrap_or(sentence);
        let start = if memo.words(&claim_text(report, clause, m.span.start)).len() < 3 { sentence } else { clause };
        out.push(Span { start, end: m.span.start });
    }
    out
}

/// A claim's text: prose only, markers blanked, offsets kept.
fn claim_text(report: &Report, start: usize, end: usize) -> String {
    let mut bytes = report.prose.as_bytes()[start..end].to_vec();
    // Markers come in order: only those from the first that ends after `start`.
    let first = report.markers.partition_point(|m| m.span.end <= start);
    for m in report.markers[first..].iter().take_while(|m| m.span.start < end) {
        let (s, e) = (m.span.start.max(start), m.span.end.min(end));
        if s < e {
            bytes[s - start..e - start].fill(b' ');
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Numbers of a claim that are claims: not list numbering (`3.` or `3)` at
/// a line's start), not inside a quotation (checked as one), not a lone
/// small number in words.
fn claim_numbers(report: &Report, span: Span, text: &str) -> Vec<numbers::Number> {
    numbers::find(text)
        .into_iter()
        .filter(|n| {
            let (s, e) = (span.start + n.start, span.start + n.end);
            let line_start = report.text[..s].rfind('\n').map_or(0, |i| i + 1);
            let listed =
                report.text[line_start..s].trim().is_empty() && report.text[e..].starts_with(['.', ')']) && !n.spelled;
            let quoted = report.quotes.iter().any(|q| q.span.start <= s && e <= q.span.end);
            !listed && !quoted && !n.is_lone_word()
        })
        .collect()
}

impl Checker<'_> {
    /// A cited reference's text index and its object's SHA-256 (built once, kept in the memo).
    fn index(&mut self, key: &str) -> Option<(Rc<Index>, String)> {
        if let Some(found) = self.indexes.get(key) {
            return found.clone();
        }
        let index = match self.snapshots.get(key) {
            Some(Snapshot::Text(source, sha)) => {
                let cache = self.repo.cache_dir();
                Some((self.memo.index(sha, || Index::cached(&cache, source.raw())), sha.clone()))
            }
            _ => None,
        };
        self.indexes.insert(key.to_owned(), index.clone());
        index
    }

    /// Evidence and numbers for every claim of a report.
    pub(super) fn evidence(
        &mut self,
        input: &Input,
        report: &Report,
        keys_of: &[Vec<String>],
        claims_of: &[Vec<usize>],
    ) {
        let sentences: Vec<usize> =
            report.markers.iter().map(|m| sentence_start(&report.prose, m.span.start)).collect();
        let spans = claim_spans(report, &sentences, self.memo);
        // Keys cited anywhere in each sentence: a number may come from any of them.
        let mut by_sentence: HashMap<usize, Vec<String>> = HashMap::new();
        for (&sentence, keys) in sentences.iter().zip(keys_of) {
            let cited = by_sentence.entry(sentence).or_default();
            for k in keys {
                if !cited.contains(k) {
                    cited.push(k.clone());
                }
            }
        }
        // Character offsets, counted on from the last one (claims and their
        // numbers come in order), not from the start of the report each time.
        let mut cursor = (0, 0);
        let mut chars = |byte: usize| {
            if byte < cursor.0 {
                cursor = (0, 0);
            }
            cursor.1 += report.text[cursor.0..byte].chars().count();
            cursor.0 = byte;
            cursor.1
        };
        for (i, span) in spans.iter().enumerate() {
            let text = claim_text(report, span.start, span.end);
            let found_numbers = claim_numbers(report, *span, &text);
            let quoting = report.quotes.iter().any(|q| q.span.start < span.end && span.start < q.span.end);
            // Its words, numbers aside (those are looked up on their own).
            let all_words = self.memo.words(&text);
            let mut own_words: Vec<&String> = all_words.iter().filter(|w| w.chars().any(char::is_alphabetic)).collect();
            own_words.sort();
            own_words.dedup();
            let words = own_words.len();
            let sentence_keys = &by_sentence[&sentences[i]];
            // A number counts as the source's when a passage close to the
            // claim holds it: a year or a date elsewhere in the page is
            // another fact's (WiCE: recall of unsupported numbers 0.58 over
            // the whole text).
            let near: Option<Rc<super::memo::Near>> = {
                let sources: Vec<(Rc<Index>, String)> = sentence_keys.iter().filter_map(|k| self.index(k)).collect();
                (!sources.is_empty()).then(|| {
                    let shas: Vec<&str> = sources.iter().map(|(_, sha)| sha.as_str()).collect();
                    let ask = format!("{}\u{1f}{found_numbers:?}\u{1f}{text}", shas.join(","));
                    self.memo.near(ask, |memo| {
                        let ask = format!("{NUMBER_PASSAGES}\u{1f}\u{1f}{found_numbers:?}\u{1f}{text}");
                        let passages: Vec<String> = sources
                            .iter()
                            .flat_map(|(s, sha)| {
                                let found = memo
                                    .passages(sha, &ask, || s.passages(&text, &found_numbers, NUMBER_PASSAGES, None));
                                found.iter().map(|p| p.text.clone()).collect::<Vec<_>>()
                            })
                            .collect();
                        (
                            passages.iter().flat_map(|p| numbers::find(p)).collect(),
                            passages.iter().flat_map(|p| numbers::months(p)).collect(),
                        )
                    })
                })
            };
            let mut best: Option<(Vec<String>, String)> = None;
            for &c in &claims_of[i] {
                let claim = &mut self.claims[c];
                claim.claim = text.split_whitespace().collect::<Vec<_>>().join(" ");
                claim.span.0 = span.start;
                let Some(key) = claim.key.clone() else { continue };
                let page = claim.locator.as_deref().and_then(page_number);
                let Some((index, sha)) = self.index(&key) else { continue };
                let n = self.evidence.passages;
                let ask = format!("{n}\u{1f}{page:?}\u{1f}{found_numbers:?}\u{1f}{text}");
                let passages = self.memo.passages(&sha, &ask, || index.passages(&text, &found_numbers, n, page));
                let covered =
                    passages.first().map_or(0, |p| own_words.iter().filter(|w| p.covered.contains(w)).count());
                // A claim that carries a quotation is the quotation check's.
                if !quoting && words >= 3 && (covered as f64) < WEAK * words as f64 {
                    let cite = &report.markers[i].cites[claims_of[i].iter().position(|&x| x == c).unwrap_or(0)];
                    let mut f = Finding::new(
                        Code::ClaimWeakSupport,
                        format!(
                            "no passage of `{key}`'s archived text holds more than {covered} of the claim's {words} words"
                        ),
                    )
                    .at(at(input, report, cite.span))
                    .data("key", key.clone());
                    if let Some(p) = passages.first() {
                        f = f
                            .help(format!(
                                "closest passage (characters {}–{}): \u{201c}{}\u{201d}",
                                p.start,
                                p.end,
                                short(&p.text)
                            ))
                            .data("passage", serde_json::json!({"start": p.start, "end": p.end}));
                    }
                    self.findings.push(f);
                }
                if let Some(p) = passages.first().filter(|_| best.is_none()) {
                    let mut said: Vec<String> =
                        numbers::find(&p.text).iter().map(|n| p.text[n.start..n.end].to_owned()).collect();
                    said.dedup();
                    best =
                        Some((said, format!("characters {}–{}: \u{201c}{}\u{201d}", p.start, p.end, short(&p.text))));
                }
                self.claims[c].evidence = passages;
            }
            let mut listed = Vec::new();
            for n in &found_numbers {
                let found = near.as_deref().map(|(theirs, months)| {
                    theirs.iter().any(|t| n.agrees_with(t))
                        || n.date.is_some_and(|d| {
                            // A month and year (`June 2019`) the passages give apart
                            // (`… in June`, `the 2019 season`); a day must be given with its month.
                            d.day.is_none()
                                && d.month.is_some_and(|m| months.contains(&m))
                                && d.year.is_some_and(|y| theirs.iter().any(|t| t.values.contains(&f64::from(y))))
                        })
                });
                let (s, e) = (span.start + n.start, span.start + n.end);
                let written = report.text[s..e].to_owned();
                if found == Some(false) {
                    let mut f = Finding::new(
                        Code::NumberNotInSource,
                        format!("{written} is not in the archived text of {}", names(sentence_keys)),
                    )
                    .at(at(input, report, Span { start: s, end: e }))
                    .data("number", written.clone());
                    if let Some((said, passage)) = &best {
                        let says = if said.is_empty() { "no figure".to_owned() } else { said.join(", ") };
                        f = f.help(format!("the source's best passage says {says} ({passage})"));
                    }
                    self.findings.push(f);
                }
                listed.push(ClaimNumber {
                    text: written,
                    value: n.values[0],
                    date: n.date.map(|d| d.iso()),
                    found,
                    start: chars(s),
                    end: chars(e),
                });
            }
            for &c in &claims_of[i] {
                self.claims[c].numbers = listed.clone();
            }
        }
    }
}

/// At most about 160 characters of a passage.
fn short(text: &str) -> String {
    match text.char_indices().nth(160) {
        Some((i, _)) => format!("{}\u{2026}", &text[..i]),
        None => text.to_owned(),
    }
}
