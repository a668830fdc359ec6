//! `citelock lsp`: the check, the evidence and the library inside the
//! writer's editor, over the Language Server Protocol on stdio. This module
//! owns the protocol: the message loop (rust-analyzer's `lsp-server` framing,
//! `lsp-types` messages), open documents, debounced diagnostics checked on a
//! thread of their own, and turning
//! what `check`, `lint` and the library know into hovers, completions,
//! locations and edits. It writes no file itself: every change is a
//! `WorkspaceEdit` the editor applies. Nothing but protocol messages goes to
//! stdout; problems of the server itself go to stderr.

mod checker;
mod document;
mod edits;
mod features;
mod lookup;
pub mod position;
mod server;
mod world;

pub use server::serve;
