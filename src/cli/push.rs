//! `citelock push`.

use std::sync::Arc;

use super::{Ctx, Outcome, count, net, progress::Bar};
use citelock::remote::{self, Remote};

/// Upload the objects the remote ([remote] in citelock.toml) lacks: one listing finds them,
/// each goes in one create-only PUT with its SHA-256 for the server to check. Run it again
/// after an interruption: it sends only what is still missing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these references' captures (default: every object of the manifest).
    #[arg(value_name = "KEY")]
    keys: Vec<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let config = ctx.config(&repo)?;
    let archive = repo.archive();
    let wanted = remote::select(&archive, &args.keys, false)?;
    let bar = Bar::new(ctx, 0, "pushing");
    let shown = bar.clone();
    let report = net::runtime()?.block_on(async {
        let remote = Remote::connect(&config.remote).await?;
        let report = remote::push::push(&remote, &archive, &wanted, Arc::new(move |d, t| shown.set_of(d, t))).await?;
        anyhow::Ok((remote.name, report))
    });
    bar.finish();
    let (name, report) = report?;
    let mut findings = ctx.findings(&config);
    findings.extend(report.findings);
    ctx.emit(&repo, "push", &findings)?;
    if !ctx.quiet_or_machine() {
        let mb = report.bytes as f64 / 1e6;
        ctx.status(&format!(
            "pushed {} ({mb:.1} MB) to {name}; {} already there",
            count(report.sent, "object", "objects"),
            report.present
        ))?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
