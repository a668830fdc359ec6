//! Evidence passages at scale (issue 14): 1,000 snapshots of ~100 KB of
//! generated prose (sentences of 8–20 words from a 5,000-word vocabulary, one
//! in four with a number), cited by 1,000 and then 10,000 paraphrased claims
//! (a source sentence with two words dropped; one in ten with a number
//! changed). Each size is run cold (indexes built and cached) and warm (read
//! from the cache); peak memory is the process's. Run: `cargo bench --bench evidence`.

mod common;

use std::time::Instant;

use citelock::check::{self, Input};
use citelock::library::Library;
use citelock::report::Syntax;
use common::{Rng, attach_text, repository};

/// Peak resident memory of this process, in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn main() {
    let sources = 1000;
    let mut rng = Rng(7);
    let vocab: Vec<String> = (0..5000).map(|i| format!("w{}x{}", i, i % 7)).collect();
    let (_dir, repo) = repository(sources, "s");
    let mut sentences: Vec<Vec<String>> = Vec::new();
    for i in 0..sources {
        let mut text = String::with_capacity(100_100);
        let mut own = Vec::new();
        while text.len() < 100_000 {
            let n = 8 + (rng.next() % 13) as usize;
            let mut words: Vec<String> = (0..n).map(|_| vocab[(rng.next() % 5000) as usize].clone()).collect();
            if rng.next().is_multiple_of(4) {
                words.push(format!("{}", rng.next() % 100_000));
            }
            text.push_str(&words.join(" "));
            text.push_str(if rng.next().is_multiple_of(8) { ".\n" } else { ". " });
            own.push(words.join(" "));
        }
        attach_text(&repo, &format!("s{i}"), &text);
        sentences.push(own);
    }
    let (library, _) = Library::load(&repo).unwrap();
    let mut times = Vec::new();
    for citations in [1000, 10_000] {
        let mut report = String::new();
        for c in 0..citations {
            let s = c % sources;
            let own = &sentences[s];
            let mut words: Vec<String> = own[(rng.next() as usize) % own.len()].split(' ').map(str::to_owned).collect();
            words.remove((rng.next() as usize) % words.len());
            words.remove((rng.next() as usize) % words.len());
            if c % 10 == 0 {
                words.push("99999999".into());
            }
            report.push_str(&format!("{} [@s{s}].\n\n", words.join(" ")));
        }
        let input = Input { name: "report.md".into(), text: report, syntax: Syntax::Markdown, refs: None };
        let _ = std::fs::remove_dir_all(repo.cache_dir().join("evidence"));
        for run in ["cold", "warm"] {
            let t = Instant::now();
            let outcome =
                check::check(&repo, &library, std::slice::from_ref(&input), &[], check::evidence::Settings::default());
            let secs = t.elapsed().as_secs_f64();
            let flagged = outcome.findings.iter().filter(|f| f.code.name() == "number-not-in-source").count();
            println!(
                "{citations} citations, {sources} snapshots of 100 KB, {run}: {secs:.2} s ({flagged} numbers not in source), peak {:.0} MB",
                peak_mb()
            );
            times.push(secs);
        }
    }
    println!("10x the citations: {:.2}x the time cold, {:.2}x warm", times[2] / times[0], times[3] / times[1]);
    shared_fixture(&vocab);
}

/// The shared fixture (a real report with numbered markers, read from
/// ../shared/fixtures, not copied here), each of its references given a
/// generated ~100 KB snapshot: `check` cold, then warm.
fn shared_fixture(vocab: &[String]) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/report-sex-trafficking-in-china.txt");
    let Ok(report) = std::fs::read_to_string(&path) else {
        println!("shared fixture not found at {}: skipped", path.display());
        return;
    };
    let numbers: Vec<u32> =
        regex::Regex::new(r"\[(\d+)\]").unwrap().captures_iter(&report).filter_map(|c| c[1].parse().ok()).collect();
    let refs = numbers.iter().copied().max().unwrap_or(0) as usize;
    // The report's [1]…[N] are r0…r(N-1).
    let (_dir, repo) = repository(refs, "r");
    let mut rng = Rng(11);
    for i in 0..refs {
        let mut text = String::with_capacity(100_100);
        while text.len() < 100_000 {
            let n = 8 + (rng.next() % 13) as usize;
            let words: Vec<&str> = (0..n).map(|_| vocab[(rng.next() % 5000) as usize].as_str()).collect();
            text.push_str(&words.join(" "));
            text.push_str(". ");
        }
        attach_text(&repo, &format!("r{i}"), &text);
    }
    let numbered: String = (0..refs).map(|i| format!("{} r{i}\n", i + 1)).collect();
    let (library, _) = Library::load(&repo).unwrap();
    let input = Input {
        name: "report.txt".into(),
        text: report,
        syntax: Syntax::Plain,
        refs: Some(("report.txt.refs".into(), numbered)),
    };
    for run in ["cold", "warm"] {
        let t = Instant::now();
        let outcome =
            check::check(&repo, &library, std::slice::from_ref(&input), &[], check::evidence::Settings::default());
        println!(
            "shared fixture ({} citations, {refs} snapshots of 100 KB), {run}: {:.2} s",
            outcome.claims.len(),
            t.elapsed().as_secs_f64()
        );
    }
}
