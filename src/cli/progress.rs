//! A progress bar on stderr (indicatif), drawn only on a terminal, not when
//! quiet or printing a machine format, and not in CI (`CI` set), where a
//! redrawn line only clutters the log.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Ctx;

/// `checking links [=====>    ] 12/40`, redrawn in place and cleared at the end.
#[derive(Clone)]
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar, visible only on a terminal outside CI.
    pub fn new(ctx: &Ctx, total: u64, label: &'static str) -> Bar {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        let shown = !ctx.quiet_or_machine() && !ci && total > 0;
        let target = if shown { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("a fixed template")
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(label);
        Bar(bar)
    }

    /// Shows progress.
    pub fn set(&self, done: u64) {
        self.0.set_position(done);
    }

    /// Shows progress when the total is learnt on the way (after a listing).
    pub fn set_of(&self, done: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(done);
    }

    /// Clears the line.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
