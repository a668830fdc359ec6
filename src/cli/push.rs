//! `citelock push`, and `--push` of the commands that capture.

use super::{Ctx, Outcome, count, net};
use citelock::archive::Archive;
use citelock::config::Config;
use citelock::findings::Finding;
use citelock::remote;

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
    let mut findings = ctx.findings(&config);
    findings.extend(push(ctx, &config, &repo.archive(), &args.keys)?);
    ctx.emit(&repo, "push", &findings)?;
    Ok(Outcome::Done { errors: findings.has_errors() })
}

/// Pushes the objects of `keys` (every object when empty), with a progress bar and a status
/// line; returns what could not be pushed.
pub fn push(ctx: &Ctx, config: &Config, archive: &Archive, keys: &[String]) -> anyhow::Result<Vec<Finding>> {
    let wanted = remote::select(archive, keys, false)?;
    let (name, report) = net::on_remote(ctx, config, "pushing", |remote, progress| async move {
        remote::push::push(&remote, archive, &wanted, progress).await
    })?;
    if !ctx.quiet_or_machine() {
        let mb = report.bytes as f64 / 1e6;
        ctx.status(&format!(
            "pushed {} ({mb:.1} MB) to {name}; {} already there",
            count(report.sent, "object", "objects"),
            report.present
        ))?;
    }
    Ok(report.findings)
}
