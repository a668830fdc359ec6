//! Quotation matching at scale (issue 4): 1,000 quotations against 1,000
//! snapshots of ~200 KB of text each (1 in 10 quotations altered, so the
//! closest-passage and other-source searches run too), and the same with
//! ~100 KB snapshots, to show the cost is not quadratic in snapshot size.
//! Run: `cargo bench --bench quotes`.

mod common;

use std::time::Instant;

use citelock::check::{self, Input};
use citelock::library::Library;
use citelock::report::Syntax;
use common::{Rng, attach_text, repository};

fn run(sources: usize, size: usize) -> f64 {
    let mut rng = Rng(42);
    let vocab: Vec<String> = (0..5000).map(|i| format!("w{}x{}", i, i % 7)).collect();
    let (_dir, repo) = repository(sources, "s");
    let mut report = String::new();
    for i in 0..sources {
        let mut text = String::with_capacity(size + 100);
        while text.len() < size {
            text.push_str(&vocab[(rng.next() % 5000) as usize]);
            text.push(if rng.next().is_multiple_of(12) { '\n' } else { ' ' });
        }
        attach_text(&repo, &format!("s{i}"), &text);
        let words: Vec<&str> = text.split_whitespace().collect();
        let at = (rng.next() as usize) % (words.len() - 12);
        let mut quote: Vec<&str> = words[at..at + 10].to_vec();
        if i % 10 == 0 {
            quote[5] = "altered";
        }
        report.push_str(&format!("A claim: \u{201c}{}\u{201d} [@s{i}].\n\n", quote.join(" ")));
    }
    let (library, _) = Library::load(&repo).unwrap();
    let input = Input { name: "report.md".into(), text: report, syntax: Syntax::Markdown, refs: None };
    let t = Instant::now();
    let tally =
        check::check(&repo, &library, std::slice::from_ref(&input), &[], check::evidence::Settings::off()).tally;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{sources} quotations against {sources} snapshots of {} KB: {secs:.2} s ({} verified, {} not found)",
        size / 1000,
        tally.verified,
        tally.not_found
    );
    secs
}

fn main() {
    let small = run(1000, 100_000);
    let large = run(1000, 200_000);
    println!("2x snapshot size took {:.2}x the time (quadratic would be 4x)", large / small);
}
