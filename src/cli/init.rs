//! `citelock init`.

use super::{Ctx, Outcome};
use citelock::repo::Repo;

/// Create references/, archive/ (objects, captures, manifest, .gitattributes) and a commented
/// citelock.toml. Safe to run again: it only creates what is missing and never overwrites.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep objects on this remote (`s3://bucket/prefix`) rather than in git: writes
    /// `objects/` into archive/.gitignore and the URL under [remote] in citelock.toml.
    #[arg(long, value_name = "URL")]
    remote: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = Repo::at(&ctx.cwd);
    if let Some(url) = &args.remote {
        url.parse::<citelock::remote::Location>().map_err(|e| anyhow::anyhow!("--remote: {e}"))?;
    }
    let created = repo.init()?;
    let updated = match &args.remote {
        Some(url) => repo.use_remote(url)?,
        None => Vec::new(),
    };
    if created.is_empty() && updated.is_empty() {
        ctx.status(&format!("citelock layout already complete in {}", repo.root().display()))?;
    }
    for path in &created {
        ctx.status(&format!("created {path}"))?;
    }
    for path in updated.iter().filter(|p| !created.contains(p)) {
        ctx.status(&format!("updated {path}"))?;
    }
    Ok(Outcome::Done { errors: false })
}
