//! `citelock pull`, and `--pull` of the commands that read snapshots.

use super::{Ctx, Outcome, count, net};
use citelock::archive::{Archive, lock, store};
use citelock::config::Config;
use citelock::findings::Finding;
use citelock::remote;

/// Download the objects this checkout lacks from the remote ([remote] in citelock.toml),
/// re-hashing each as it streams in: a body that does not hash to its name is refused.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these references' captures (default: every object of the manifest).
    #[arg(value_name = "KEY")]
    keys: Vec<String>,
    /// Only each reference's current snapshot (its pinned or newest capture).
    #[arg(long)]
    current: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let config = ctx.config(&repo)?;
    let mut findings = ctx.findings(&config);
    findings.extend(pull(ctx, &config, &repo.archive(), &args.keys, args.current)?);
    ctx.emit(&repo, "pull", &findings)?;
    Ok(Outcome::Done { errors: findings.has_errors() })
}

/// Pulls the objects of `keys` (every object when empty; only current snapshots with
/// `current`) under the archive lock, with a progress bar and a status line; returns what
/// could not be pulled.
pub fn pull(
    ctx: &Ctx,
    config: &Config,
    archive: &Archive,
    keys: &[String],
    current: bool,
) -> anyhow::Result<Vec<Finding>> {
    let _lock = lock::acquire(archive)?;
    store::clean_temp(archive)?;
    let wanted = remote::select(archive, keys, current)?;
    let (name, report) = net::on_remote(ctx, config, "pulling", |remote, progress| async move {
        remote::pull::pull(&remote, archive, &wanted, progress).await
    })?;
    if !ctx.quiet_or_machine() {
        let mb = report.bytes as f64 / 1e6;
        ctx.status(&format!(
            "pulled {} ({mb:.1} MB) from {name}; {} already here",
            count(report.fetched, "object", "objects"),
            report.present
        ))?;
    }
    Ok(report.findings)
}
