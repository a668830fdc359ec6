//! What one check can hand to the next (the language server checks a report
//! again at each pause in typing): objects' hashes and capture logs, both by
//! file size and modification time (as git's index trusts them); snapshot
//! texts and evidence indexes by object; passages and quotation verdicts by
//! what was asked. An entry not used for [`KEEP`] checks is dropped, so memory
//! follows what the reports cite, not how long the server has run.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::time::SystemTime;

use crate::archive::capture::{Capture, LogError};
use crate::archive::{Archive, store};
use crate::text::evidence::{Index, Passage, content_words};
use crate::text::numbers::Number;
use crate::text::quote::{Source, Verdict};

/// Checks an entry survives unused.
const KEEP: u64 = 64;

/// Values by key, each with the check that last used it.
struct Table<V>(HashMap<String, (V, u64)>);

impl<V: Clone> Table<V> {
    fn get(&mut self, key: &str, run: u64) -> Option<V> {
        self.0.get_mut(key).map(|(v, used)| {
            *used = run;
            v.clone()
        })
    }

    /// The value if this check already used it (no need to look at its file again).
    fn seen(&self, key: &str, run: u64) -> Option<V> {
        self.0.get(key).filter(|(_, used)| *used == run).map(|(v, _)| v.clone())
    }

    fn put(&mut self, key: String, value: V, run: u64) -> V {
        self.0.insert(key, (value.clone(), run));
        value
    }

    /// The value for `key`, computed by `make` the first time.
    fn get_or(&mut self, key: &str, run: u64, make: impl FnOnce() -> V) -> V {
        match self.get(key, run) {
            Some(v) => v,
            None => self.put(key.to_owned(), make(), run),
        }
    }

    fn prune(&mut self, run: u64) {
        self.0.retain(|_, (_, used)| *used + KEEP >= run);
    }
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table(HashMap::new())
    }
}

/// A file's size and modification time: what says it is unchanged.
type Stamp = (u64, Option<SystemTime>);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()))
}

/// The shared state; `Memo::default()` for a single check.
#[derive(Default)]
pub struct Memo {
    run: u64,
    /// Whether objects and capture logs, once read, are trusted until
    /// [`Memo::forget_files`] (the language server, which watches them).
    trusting: bool,
    hashes: Table<(Stamp, String)>,
    logs: Table<(Stamp, Rc<Vec<Capture>>)>,
    sources: Table<Option<Rc<Source>>>,
    indexes: Table<Rc<Index>>,
    passages: Table<Arc<Vec<Passage>>>,
    verdicts: Table<Verdict>,
    found: Table<bool>,
    words: Table<Rc<Vec<String>>>,
    near: Table<Rc<Near>>,
    elsewhere: Table<Option<String>>,
}

/// The numbers (and month names) of the passages near a claim.
pub(super) type Near = (Vec<Number>, Vec<u8>);

impl Memo {
    /// A memo that reads each object and capture log once, until told they
    /// changed ([`Memo::forget_files`]): for a caller that watches the archive.
    pub fn trusting() -> Memo {
        Memo { trusting: true, ..Memo::default() }
    }

    /// Forgets objects' hashes and capture logs (the archive changed).
    pub fn forget_files(&mut self) {
        self.hashes.0.clear();
        self.logs.0.clear();
    }

    /// Starts a check.
    pub(super) fn begin(&mut self) {
        self.run += 1;
    }

    /// Ends a check: drops what has not been used for a while.
    pub(super) fn end(&mut self) {
        let run = self.run;
        self.hashes.prune(run);
        self.logs.prune(run);
        self.sources.prune(run);
        self.indexes.prune(run);
        self.passages.prune(run);
        self.verdicts.prune(run);
        self.found.prune(run);
        self.words.prune(run);
        self.near.prune(run);
        self.elsewhere.prune(run);
    }

    /// SHA-256 of an object, hashed again only when its size or time changed.
    pub(super) fn hash(&mut self, path: &Path) -> std::io::Result<String> {
        let key = path.to_string_lossy().into_owned();
        let known = if self.trusting { self.hashes.get(&key, self.run) } else { self.hashes.seen(&key, self.run) };
        if let Some((_, hex)) = known {
            return Ok(hex);
        }
        let now = stamp(path);
        if let Some((was, hex)) = self.hashes.get(&key, self.run)
            && Some(was) == now
        {
            return Ok(hex);
        }
        let (hex, _) = store::hash_file(path)?;
        if let Some(now) = now {
            self.hashes.put(key, (now, hex.clone()), self.run);
        }
        Ok(hex)
    }

    /// A key's capture log, read again only when it changed.
    pub(super) fn captures(&mut self, archive: &Archive, key: &str) -> Result<Rc<Vec<Capture>>, LogError> {
        let known = if self.trusting { self.logs.get(key, self.run) } else { self.logs.seen(key, self.run) };
        if let Some((_, log)) = known {
            return Ok(log);
        }
        let path = archive.log_path(key);
        let now = stamp(&path);
        if let Some((was, log)) = self.logs.get(key, self.run)
            && Some(was) == now
        {
            return Ok(log);
        }
        let log = Rc::new(archive.captures(key)?);
        if let Some(now) = now {
            self.logs.put(key.to_owned(), (now, log.clone()), self.run);
        }
        Ok(log)
    }

    /// An object's text prepared for matching (`None`: no text).
    pub(super) fn source(&mut self, sha: &str, load: impl FnOnce() -> Option<Source>) -> Option<Rc<Source>> {
        self.sources.get_or(sha, self.run, || load().map(Rc::new))
    }

    /// An object's evidence index.
    pub(super) fn index(&mut self, sha: &str, build: impl FnOnce() -> Index) -> Rc<Index> {
        self.indexes.get_or(sha, self.run, || Rc::new(build()))
    }

    /// Passages of an object for a claim (`ask` names everything the search depends on).
    pub(super) fn passages(&mut self, sha: &str, ask: &str, find: impl FnOnce() -> Vec<Passage>) -> Arc<Vec<Passage>> {
        self.passages.get_or(&format!("{sha}\u{1f}{ask}"), self.run, || Arc::new(find()))
    }

    /// A quotation's verdict against an object.
    pub(super) fn verdict(&mut self, sha: &str, quote: &str, check: impl FnOnce() -> Verdict) -> Verdict {
        self.verdicts.get_or(&format!("{sha}\u{1f}{quote}"), self.run, check)
    }

    /// A text's content words (stemmed), as the evidence index counts them.
    pub(super) fn words(&mut self, text: &str) -> Rc<Vec<String>> {
        self.words.get_or(text, self.run, || Rc::new(content_words(text)))
    }

    /// The numbers of the passages near a claim (`ask` names the claim and its sources).
    pub(super) fn near(&mut self, ask: String, find: impl FnOnce(&mut Memo) -> Near) -> Rc<Near> {
        if let Some(n) = self.near.get(&ask, self.run) {
            return n;
        }
        let found = Rc::new(find(self));
        self.near.put(ask, found, self.run)
    }

    /// The other reference a quotation was found in, if this was asked before
    /// (`ask` names the library's snapshots, the cited keys and the quotation).
    pub(super) fn elsewhere(&mut self, ask: &str) -> Option<Option<String>> {
        self.elsewhere.get(ask, self.run)
    }

    /// Remembers the answer to [`Memo::elsewhere`].
    pub(super) fn remember_elsewhere(&mut self, ask: String, found: Option<String>) {
        self.elsewhere.put(ask, found, self.run);
    }

    /// Whether a quotation is in an object (no closest passage looked for).
    pub(super) fn found(&mut self, sha: &str, quote: &str, find: impl FnOnce() -> bool) -> bool {
        self.found.get_or(&format!("{sha}\u{1f}{quote}"), self.run, find)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_unused_for_a_while_are_dropped() {
        let mut memo = Memo::default();
        memo.begin();
        memo.verdict("a", "q", || Verdict::Exact { offset: 1 });
        memo.end();
        for _ in 0..KEEP {
            memo.begin();
            memo.verdict("b", "q", || Verdict::Exact { offset: 2 });
            memo.end();
        }
        assert_eq!(memo.verdicts.0.len(), 2);
        memo.begin();
        memo.end();
        assert_eq!(memo.verdicts.0.len(), 1);
        // A used entry is kept and not recomputed.
        memo.begin();
        let v = memo.verdict("b", "q", || unreachable!("memoised"));
        assert_eq!(v, Verdict::Exact { offset: 2 });
    }

    #[test]
    fn a_trusting_memo_reads_a_file_again_only_when_told() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o");
        std::fs::write(&p, "one").unwrap();
        let mut memo = Memo::trusting();
        memo.begin();
        let a = memo.hash(&p).unwrap();
        std::fs::write(&p, "other").unwrap();
        memo.begin();
        assert_eq!(memo.hash(&p).unwrap(), a);
        memo.forget_files();
        assert_ne!(memo.hash(&p).unwrap(), a);
    }

    #[test]
    fn a_changed_file_is_hashed_again() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o");
        std::fs::write(&p, "one").unwrap();
        let mut memo = Memo::default();
        memo.begin();
        let a = memo.hash(&p).unwrap();
        std::fs::write(&p, "other").unwrap();
        // Within one check a file is looked at once; the next check sees the change.
        assert_eq!(memo.hash(&p).unwrap(), a);
        memo.begin();
        assert_ne!(memo.hash(&p).unwrap(), a);
    }
}
