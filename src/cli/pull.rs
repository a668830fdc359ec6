//! `citelock pull`.

use std::sync::Arc;

use super::{Ctx, Outcome, count, net, progress::Bar};
use citelock::archive::{lock, store};
use citelock::remote::{self, Remote};

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
    let archive = repo.archive();
    let _lock = lock::acquire(&archive)?;
    store::clean_temp(&archive)?;
    let wanted = remote::select(&archive, &args.keys, args.current)?;
    let bar = Bar::new(ctx, 0, "pulling");
    let shown = bar.clone();
    let report = net::runtime()?.block_on(async {
        let remote = Remote::connect(&config.remote).await?;
        let report = remote::pull::pull(&remote, &archive, &wanted, Arc::new(move |d, t| shown.set_of(d, t))).await?;
        anyhow::Ok((remote.name, report))
    });
    bar.finish();
    let (name, report) = report?;
    let mut findings = ctx.findings(&config);
    findings.extend(report.findings);
    ctx.emit(&repo, "pull", &findings)?;
    if !ctx.quiet_or_machine() {
        let mb = report.bytes as f64 / 1e6;
        ctx.status(&format!(
            "pulled {} ({mb:.1} MB) from {name}; {} already here",
            count(report.fetched, "object", "objects"),
            report.present
        ))?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
