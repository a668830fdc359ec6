//! citelock keeps every claim in a report traceable to a fixed, verifiable copy
//! of its source. This crate is the library behind the `citelock` binary.
//!
//! Data flows one way: parse → model → check → findings → writer.
//! - [`repo`]: the repository layout and `init`;
//! - [`config`]: the `citelock.toml` settings;
//! - [`library`]: `references/` (loading, keys, lint, duplicates, import);
//! - [`archive`]: the content-addressed store, capture logs, manifest, lock, verify;
//! - [`fetch`]: the one HTTP client policy (timeouts, caps, redirects, address policy);
//! - [`text`]: text extraction and the one normaliser;
//! - [`report`]: citation markers and quotations in reports;
//! - [`check`]: the editor's check, composing the above into findings;
//! - [`remote`]: the same objects on S3-compatible storage: push, pull, verify in place;
//! - [`links`]: the CI link check: liveness, drift from the snapshot, fallbacks;
//! - [`export`]: bibliographies in CSL styles, BibTeX/CSL-JSON/RIS, rendered reports;
//! - [`findings`]: the `Finding` type and its output writers;
//! - [`atomic`]: crash-safe file replacement.
#![deny(missing_docs)]

pub mod archive;
pub mod atomic;
pub mod check;
pub mod config;
pub mod export;
pub mod faults;
pub mod fetch;
pub mod findings;
#[doc(hidden)]
pub mod fuzzing;
pub mod library;
pub mod links;
pub mod lsp;
pub mod remote;
pub mod repo;
pub mod report;
pub mod text;
