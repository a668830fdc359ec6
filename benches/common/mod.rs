//! What the check benchmarks share: a seeded generator, a repository of
//! generated books, and attaching generated text as a snapshot.

use citelock::archive::attach::{self, Attachment};
use citelock::repo::Repo;

/// A small deterministic generator (an LCG), so every run sees the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// A fresh repository whose library holds `n` books keyed `{prefix}0`…
pub fn repository(n: usize, prefix: &str) -> (tempfile::TempDir, Repo) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::at(dir.path());
    repo.init().unwrap();
    let lib: String = (0..n)
        .map(|i| format!("{prefix}{i}:\n  type: book\n  title: Source {i}\n  author: Writer, W.\n  date: 2000\n"))
        .collect();
    std::fs::write(dir.path().join("references/library.yml"), lib).unwrap();
    (dir, repo)
}

/// Attaches `text` as the plain-text snapshot of `key`.
pub fn attach_text(repo: &Repo, key: &str, text: &str) {
    let file = repo.root().join(format!("{key}.txt"));
    std::fs::write(&file, text).unwrap();
    let a = Attachment { key, url: None, file: &file, source: None, content_type: Some("text/plain".into()) };
    attach::attach(&repo.archive(), &repo.cache_dir(), &a).unwrap();
}
