//! `citelock number`.

use std::path::PathBuf;

use anyhow::bail;

use super::{Ctx, Outcome};
use citelock::library::Library;

/// Write REPORT.refs, the committed `N key` list that numbered markers (`[12]`) resolve through,
/// from the current order of references/. Once committed, adding a reference no longer re-points
/// any marker.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report.
    report: PathBuf,
    /// Replace an existing list (re-points every marker whose number changes).
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let (library, _) = Library::load(&repo)?;
    let report = ctx.cwd.join(&args.report);
    let refs = citelock::check::refs_path(&report);
    if refs.exists() && !args.force {
        bail!("{} exists; --force replaces it (and re-points markers whose number changes)", refs.display());
    }
    let mut text =
        format!("# Reference numbers of {}: `N key` per line. Written by citelock number.\n", args.report.display());
    for (i, r) in library.records.iter().enumerate() {
        text.push_str(&format!("{} {}\n", i + 1, r.entry.key()));
    }
    citelock::atomic::write(&refs, text.as_bytes())?;
    ctx.status(&format!("wrote {} ({} references)", refs.display(), library.records.len()))?;
    Ok(Outcome::Done { errors: false })
}
