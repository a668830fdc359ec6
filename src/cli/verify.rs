//! `citelock verify`.

use super::{Ctx, Outcome, count};
use citelock::archive::verify::{self, Shard};

/// Check the archive offline: re-hash every object and cross-check objects, the manifest and
/// the capture logs. Reads only; takes no lock; works while `archive` runs.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check only slice k of n of the objects (deterministic; all slices cover everything).
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let config = ctx.config(&repo)?;
    let report = verify::verify(&repo.archive(), "archive", args.shard.unwrap_or(Shard::ALL))?;
    let mut findings = ctx.findings(&config);
    findings.extend(report.findings);
    ctx.emit(&repo, "verify", &findings)?;
    if !ctx.quiet_or_machine() {
        let mb = report.bytes as f64 / 1e6;
        ctx.status(&format!(
            "verified {} ({mb:.1} MB) and {}",
            count(report.objects, "object", "objects"),
            count(report.logs, "capture log", "capture logs")
        ))?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
