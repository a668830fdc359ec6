//! `check` on generated reports (issue 4): a 10 MB Markdown report with 100k
//! markers against 10k references, and the same at 10x, in-process; time
//! should grow linearly (<= 11x for 10x input).
//! Run: `cargo bench --bench check`.

use std::time::Instant;

use citelock::check::{self, Input};
use citelock::library::Library;
use citelock::repo::Repo;
use citelock::report::Syntax;

fn report(markers: usize, refs: usize) -> String {
    let mut s = String::with_capacity(markers * 100);
    for i in 0..markers {
        let k = i % refs;
        if i % 50 == 0 {
            s.push_str(&format!(
                "As one source put it, \u{201c}a quoted phrase of several words number {i}\u{201d} [@k{k}].\n\n"
            ));
        } else {
            s.push_str(&format!(
                "Sentence {i} states a claim about matter {k}, e.g. in the U.S. (Doe et al. 2) [@k{k}, p. {}].\n",
                i % 300
            ));
        }
    }
    s
}

fn main() {
    let refs = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::at(dir.path());
    repo.init().unwrap();
    let lib: String = (0..refs)
        .map(|i| format!("k{i}:\n  type: book\n  title: Book {i}\n  author: Writer, W.\n  date: 2000\n"))
        .collect();
    std::fs::write(dir.path().join("references/library.yml"), lib).unwrap();
    let (library, _) = Library::load(&repo).unwrap();
    let mut times = Vec::new();
    for markers in [100_000, 1_000_000] {
        let text = report(markers, refs);
        let mb = text.len() as f64 / 1e6;
        let input = Input { name: "report.md".into(), text, syntax: Syntax::Markdown, refs: None };
        let t = Instant::now();
        let outcome =
            check::check(&repo, &library, std::slice::from_ref(&input), &[], check::evidence::Settings::default());
        let (findings, tally) = (outcome.findings, outcome.tally);
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{markers} markers, {mb:.1} MB: {secs:.2} s ({} citations, {} quotations, {} findings)",
            tally.citations,
            tally.unverifiable + tally.unattributed + tally.verified + tally.not_found,
            findings.len()
        );
        times.push(secs);
    }
    println!("10x input took {:.1}x the time (target <= 11x)", times[1] / times[0]);
}
