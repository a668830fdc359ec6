//! Library load benchmark (issue 2): a generated 100,000-entry library, loaded
//! by citelock (outline + hayagriva + key checks + lint) and by a bare
//! hayagriva `from_yaml_str` of the same text, in the same process and run.
//! Run: `cargo bench --bench library` (ENTRIES=n to change the size; WRITE=FILE
//! writes the generated library to FILE and exits; BARE=FILE parses FILE with
//! bare hayagriva and exits; both for `benches/add.sh`, which measures memory).

use std::time::{Duration, Instant};

use citelock::config::Config;
use citelock::library::{Library, add, import, lint};
use citelock::repo::Repo;

/// A synthetic but realistic library: several entry types, parents, URLs, DOIs.
pub fn generate(n: usize) -> String {
    let mut s = String::with_capacity(n * 260);
    for i in 0..n {
        match i % 4 {
            0 => s.push_str(&format!(
                "article{i}:\n  type: article\n  title: On the structure of thing number {i}\n  author: [\"Doe{}, Jane\", \"Roe, Richard\"]\n  date: {}-{:02}-{:02}\n  page-range: {}-{}\n  serial-number: {{doi: 10.{}/x{i}}}\n  parent:\n    type: periodical\n    title: Journal of Things {}\n    volume: {}\n",
                i % 977, 1900 + i % 120, 1 + i % 12, 1 + i % 28, i % 300, i % 300 + 12, 1000 + i % 9000, i % 50, i % 40
            )),
            1 => s.push_str(&format!(
                "book{i}:\n  type: book\n  title: A Book about Subject {i}\n  author: Writer{}, Alex\n  date: {}\n  publisher: Press {}\n  serial-number: {{isbn: 978-0-{:06}-{}}}\n",
                i % 613, 1950 + i % 70, i % 30, i % 1_000_000, i % 10
            )),
            2 => s.push_str(&format!(
                "web{i}:\n  type: web\n  title: Page {i}\n  organization: Organisation {}\n  date: 2020\n  url: {{value: 'https://example{}.org/page/{i}', date: 2024-05-01}}\n",
                i % 100, i % 500
            )),
            _ => s.push_str(&format!(
                "chapter{i}:\n  type: chapter\n  title: Chapter {i}\n  author: Author{}, Sam\n  parent:\n    type: book\n    title: Collected Works {}\n    editor: Editor, Ed\n    date: 2001\n",
                i % 211, i % 1000
            )),
        }
    }
    s
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let n: usize = std::env::var("ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let runs: usize = std::env::var("RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    if let Ok(path) = std::env::var("BARE") {
        let text = std::fs::read_to_string(path).unwrap();
        let lib = hayagriva::io::from_yaml_str(&text).unwrap();
        println!("{} entries", lib.len());
        return;
    }
    if let Ok(path) = std::env::var("WRITE") {
        std::fs::write(path, generate(n)).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::at(dir.path());
    repo.init().unwrap();
    let text = generate(n);
    std::fs::write(dir.path().join("references/library.yml"), &text).unwrap();
    println!("entries: {n}, file: {:.1} MB, best of {runs}", text.len() as f64 / 1e6);

    let bare = best_of(runs, || {
        let lib = hayagriva::io::from_yaml_str(&text).unwrap();
        assert_eq!(lib.len(), n);
    });
    let outline = best_of(runs, || {
        std::hint::black_box(citelock::library::outline::outline(&text).unwrap());
    });
    println!("outline alone:           {:.3} s", outline.as_secs_f64());
    let config = Config::default();
    let ours = best_of(runs, || {
        let (library, findings) = Library::load(&repo).unwrap();
        assert_eq!(library.records.len(), n);
        assert!(findings.is_empty());
        let lint = lint::lint(&library, &config);
        std::hint::black_box(lint);
    });
    // The add step alone, on a loaded library: index, duplicate checks, append, verify, write.
    let (library, _) = Library::load(&repo).unwrap();
    let one = "@article{fresh2025, title={A Fresh Entry}, author={Doe, Jane}, year=2025, doi={10.9999/fresh}}";
    let opts = add::Options { into: "references/library.yml".into(), dry_run: true, ..add::Options::default() };
    let add_step = best_of(runs, || {
        let import = import::read(import::Source::Bibtex, one, "one.bib");
        let outcome = add::add(&repo, &library, &config, import, "one.bib", &opts).unwrap();
        assert_eq!(outcome.added, ["fresh2025"]);
    });
    println!("add step (1 entry):      {:.3} s", add_step.as_secs_f64());
    println!("hayagriva from_yaml_str: {:.3} s", bare.as_secs_f64());
    println!("citelock load + lint:    {:.3} s", ours.as_secs_f64());
    println!("ratio: {:.2}x (target <= 1.2x)", ours.as_secs_f64() / bare.as_secs_f64());
}
