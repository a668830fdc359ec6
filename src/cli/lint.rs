//! `citelock lint`.

use super::{Ctx, Loaded, Outcome};
use citelock::library::lint;

/// Check references/: YAML errors, duplicate and invalid keys, unknown (misspelt) fields,
/// entries missing what their type needs, and entries that describe the same work.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> anyhow::Result<Outcome> {
    let Loaded { repo, config, library, mut findings } = ctx.load()?;
    findings.extend(lint::lint(&library, &config));
    ctx.emit(&repo, "lint", &findings)?;
    if !ctx.quiet_or_machine() {
        ctx.status(&format!(
            "checked {} in {}",
            super::count(library.records.len(), "entry", "entries"),
            super::count(library.files.len(), "file", "files")
        ))?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
