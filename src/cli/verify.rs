//! `citelock verify`.

use super::{Ctx, Outcome, count, net};
use citelock::archive::verify::{self, Shard};
use citelock::remote::{self, Subset};

/// Check the archive offline: re-hash every object and cross-check objects, the manifest and
/// the capture logs. Reads only; takes no lock; works while `archive` runs. With --remote,
/// check the remote's copies instead, without downloading them.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check only slice k of n of the objects (deterministic; all slices cover everything).
    #[arg(long, value_name = "K/N", conflicts_with = "remote")]
    shard: Option<Shard>,
    /// Check the remote ([remote] in citelock.toml): every object of the manifest is there with
    /// its size, and the SHA-256 the server stored at upload equals its name (one HEAD each).
    #[arg(long)]
    remote: bool,
    /// With --remote: presence and size from listing pages alone (one request per 1,000 objects).
    #[arg(long, requires = "remote")]
    quick: bool,
    /// With --remote: also download and re-hash a deterministic sample, `N%` or slice `K/N`
    /// (for stores whose stored checksums cannot be trusted).
    #[arg(long, value_name = "N%|K/N", requires = "remote")]
    read_data_subset: Option<Subset>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    if args.remote {
        return run_remote(ctx, &args);
    }
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

fn run_remote(ctx: &Ctx, args: &Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let config = ctx.config(&repo)?;
    let archive = repo.archive();
    let wanted = remote::select(&archive, &[], false)?;
    let depth = remote::verify::Depth { quick: args.quick, subset: args.read_data_subset };
    let (name, report) = net::on_remote(ctx, &config, "verifying remote", |remote, progress| async move {
        remote::verify::verify(&remote, &archive, &wanted, depth, progress).await
    })?;
    let mut findings = ctx.findings(&config);
    findings.extend(report.findings);
    ctx.emit(&repo, "verify", &findings)?;
    if !ctx.quiet_or_machine() {
        let what = if args.quick { "presence and size" } else { "presence, size and stored SHA-256" };
        let mut line = format!("verified {what} of {} on {name}", count(report.objects, "object", "objects"));
        if report.rehashed > 0 {
            let mb = report.bytes as f64 / 1e6;
            line.push_str(&format!("; downloaded and re-hashed {} ({mb:.1} MB)", report.rehashed));
        } else {
            line.push_str("; their bytes were not read (--read-data-subset re-hashes a sample)");
        }
        ctx.status(&line)?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
