//! A progress line on stderr, only when stderr is a terminal and not quiet.

use std::io::{IsTerminal, Write};

use super::Ctx;

/// `archiving 12/40`, redrawn in place.
pub struct Bar {
    total: u64,
    label: &'static str,
    shown: bool,
}

impl Bar {
    /// A bar, visible only on a terminal.
    pub fn new(ctx: &Ctx, total: u64, label: &'static str) -> Bar {
        Bar { total, label, shown: !ctx.quiet_or_machine() && std::io::stderr().is_terminal() && total > 0 }
    }

    /// Shows progress.
    pub fn set(&self, done: u64) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r{} {done}/{}", self.label, self.total);
        }
    }

    /// Clears the line.
    pub fn finish(&self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
