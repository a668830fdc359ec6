//! `citelock init`.

use super::{Ctx, Outcome};
use citelock::repo::Repo;

/// Create references/, archive/ (objects, captures, manifest, .gitattributes) and a commented
/// citelock.toml. Safe to run again: it only creates what is missing and never overwrites.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> anyhow::Result<Outcome> {
    let repo = Repo::at(&ctx.cwd);
    let created = repo.init()?;
    if created.is_empty() {
        ctx.status(&format!("citelock layout already complete in {}", repo.root().display()))?;
    } else {
        for path in &created {
            ctx.status(&format!("created {path}"))?;
        }
    }
    Ok(Outcome::Done { errors: false })
}
