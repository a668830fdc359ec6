//! Property tests of quotation matching on real texts Debian ships (the
//! license texts in /usr/share/common-licenses): quotations with allowed
//! changes are found at the right place; changed ones never verify. Prints
//! precision and recall.

use citelock::text::quote::{Source, check};
use unicode_normalization::UnicodeNormalization;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

/// A run of `n` words of the text starting at word `at`.
fn span(words: &[&str], at: usize, n: usize) -> String {
    words[at..at + n].join(" ")
}

#[test]
fn allowed_changes_verify_and_real_changes_never_do() {
    let mut rng = Rng(0x5eed);
    let mut tp = 0;
    let mut fn_ = 0;
    let mut fp = 0;
    let mut tn = 0;
    for name in ["GPL-3", "Apache-2.0", "MPL-2.0", "CC0-1.0"] {
        let text = std::fs::read_to_string(format!("/usr/share/common-licenses/{name}"))
            .expect("Debian's base-files ships the license texts");
        let source = Source::new(&text);
        let words: Vec<&str> = text.split_whitespace().collect();
        for _ in 0..50 {
            let at = rng.next() % (words.len() - 30);
            let n = 8 + rng.next() % 12;
            let quote = span(&words, at, n);
            // Allowed: curly quotes and dashes, NFD, re-wrapping, an ellipsis gap, case.
            let allowed = [
                quote.replace('\'', "\u{2019}").replace('"', "\u{201c}").replace("--", "\u{2014}"),
                quote.nfd().collect::<String>(),
                quote.replace(' ', "\n  "),
                format!("{} \u{2026} {}", span(&words, at, 3), span(&words, at + n - 3, 3)),
                quote.to_uppercase(),
            ];
            for q in &allowed {
                if check(q, &source).found() {
                    tp += 1
                } else {
                    fn_ += 1;
                    eprintln!("missed in {name}: {q:?}")
                }
            }
            // Changed: a word swapped, "not" inserted, a digit changed (where there is one).
            let mut changed: Vec<String> = Vec::new();
            let mut w: Vec<&str> = words[at..at + n].to_vec();
            let k = 2 + rng.next() % (n - 4);
            w[k] = "zebra";
            changed.push(w.join(" "));
            let mut w: Vec<&str> = words[at..at + n].to_vec();
            w.insert(k, "not");
            changed.push(w.join(" "));
            if let Some(pos) = quote.find(|c: char| c.is_ascii_digit()) {
                let mut q = quote.clone();
                let d = q.as_bytes()[pos];
                q.replace_range(pos..pos + 1, &((d - b'0' + 1) % 10).to_string());
                changed.push(q);
            }
            for q in &changed {
                // A changed quotation may still occur verbatim elsewhere in a repetitive
                // legal text; only count it as wrongly verified if it is not really there.
                let really_there = citelock::text::normalise(&text).contains(&citelock::text::normalise(q));
                match (check(q, &source).found(), really_there) {
                    (true, false) => {
                        fp += 1;
                        eprintln!("wrongly verified in {name}: {q:?}");
                    }
                    (false, _) | (true, true) => tn += 1,
                }
            }
        }
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fn_) as f64;
    println!("allowed found {tp}, missed {fn_}; changed rejected {tn}, wrongly verified {fp}");
    println!("precision {precision:.3}, recall {recall:.3}");
    assert_eq!(fp, 0, "a changed quotation verified");
    assert!(recall > 0.98, "recall {recall}");
}
