//! The checker thread: checks reports away from the message loop, so that
//! completion, hovers and other requests are answered while a check runs
//! (the first check of a large report takes seconds). It keeps the memo
//! of what earlier checks read and computed; of the jobs waiting, only the
//! newest of each document is run.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, mpsc};

use super::document::Document;
use super::world::{Analysis, World};
use crate::report::Syntax;

/// A report to check, with the repository as the message loop last loaded it.
pub struct Job {
    /// The document's key.
    pub key: String,
    /// The document as the editor has it.
    pub doc: Document,
    /// Its syntax.
    pub syntax: Syntax,
    /// The repository.
    pub world: Arc<World>,
    /// Whether files under `archive/` may have changed since the last job.
    pub forget: bool,
    /// Which load of the repository `world` is.
    pub generation: u64,
}

/// A check done: the document's key, the version checked, and the analysis
/// (`None` when the check failed; the thread said why on stderr).
pub struct Checked {
    pub key: String,
    pub version: i32,
    pub generation: u64,
    pub analysis: Option<Analysis>,
}

/// Starts the thread; `done` hands each result to the message loop.
pub fn spawn(done: impl Fn(Checked) + Send + 'static) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::spawn(move || {
        let mut memo = crate::check::Memo::trusting();
        while let Ok(first) = rx.recv() {
            // The newest job of each document, in the order they came.
            let mut jobs: Vec<Job> = vec![first];
            jobs.extend(rx.try_iter());
            let forget = jobs.iter().any(|j| j.forget);
            let mut newest: HashMap<String, usize> = HashMap::new();
            for (i, j) in jobs.iter().enumerate() {
                newest.insert(j.key.clone(), i);
            }
            if forget {
                memo.forget_files();
            }
            for (i, job) in jobs.into_iter().enumerate() {
                if newest[&job.key] != i {
                    continue;
                }
                let analysis = catch_unwind(AssertUnwindSafe(|| job.world.analyse(&job.doc, job.syntax, &mut memo)));
                if analysis.is_err() {
                    eprintln!("citelock lsp: checking {} failed", job.doc.uri.as_str());
                }
                let (key, version, generation) = (job.key, job.doc.version, job.generation);
                done(Checked { key, version, generation, analysis: analysis.ok() });
            }
        }
    });
    tx
}
