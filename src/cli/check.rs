//! `citelock check`.

use std::path::PathBuf;

use anyhow::Context as _;

use super::{Ctx, Loaded, Outcome, count};
use citelock::check;
use citelock::report::Syntax;

/// The editor's check, offline: every marker resolves to a reference, every cited reference is
/// complete and has a snapshot whose hash verifies, every quotation is in the archived copy of
/// the source it is attributed to.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The reports (Markdown, Typst, LaTeX, or plain text with numbered markers).
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    /// Read every report as this syntax instead of guessing from its extension.
    #[arg(long, value_enum)]
    syntax: Option<Syntax>,
    /// First pull the current snapshots this checkout lacks from the remote archive.
    #[arg(long)]
    pull: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let Loaded { repo, library, mut findings, config } = ctx.load()?;
    if args.pull {
        findings.extend(super::pull::pull(ctx, &config, &repo.archive(), &[], true)?);
    }
    let mut inputs = Vec::new();
    for path in &args.reports {
        let path = ctx.cwd.join(path);
        inputs.push(
            check::input(repo.root(), &path, args.syntax).with_context(|| format!("cannot read {}", path.display()))?,
        );
    }
    let verified = check::verified::load(repo.root()).map_err(anyhow::Error::msg)?;
    let outcome = check::check(&repo, &library, &inputs, &verified, config.check.evidence());
    let tally = outcome.tally;
    findings.extend(outcome.findings);
    ctx.emit(&repo, "check", &findings)?;
    if !ctx.quiet_or_machine() {
        ctx.status(&format!(
            "checked {} ({}) and {}: {} verified against archived text, {} not found, {} unverifiable, {} unattributed",
            count(tally.citations, "citation", "citations"),
            count(tally.markers, "marker", "markers"),
            count(
                tally.verified + tally.not_found + tally.unverifiable + tally.unattributed,
                "quotation",
                "quotations"
            ),
            tally.verified,
            tally.not_found,
            tally.unverifiable,
            tally.unattributed
        ))?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
