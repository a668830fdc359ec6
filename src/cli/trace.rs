//! `citelock trace`.

use std::path::PathBuf;

use anyhow::Context as _;

use super::{Ctx, Loaded, Outcome};
use citelock::check::{self, trace};

/// The claims table: every citation with its sentence, key, the cited source's current snapshot
/// (hash, capture date) and each quotation's verdict — Markdown, JSON, or one self-contained
/// HTML page linking to the archived copies.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report.
    report: PathBuf,
    /// What to produce.
    #[arg(long, value_enum, default_value_t = To::Markdown)]
    to: To,
    /// Write here instead of standard output (atomically).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// First pull the current snapshots this checkout lacks from the remote archive.
    #[arg(long)]
    pull: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum To {
    Markdown,
    Json,
    Html,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let Loaded { repo, library, config, .. } = ctx.load()?;
    if args.pull {
        let problems = super::pull::pull(ctx, &config, &repo.archive(), &[], true)?;
        if let Some(f) = problems.first() {
            anyhow::bail!("--pull: {} ({})", f.message, f.code.name());
        }
    }
    let path = ctx.cwd.join(&args.report);
    let input = check::input(repo.root(), &path, None).with_context(|| format!("cannot read {}", path.display()))?;
    let verified = check::verified::load(repo.root()).map_err(anyhow::Error::msg)?;
    let outcome = check::check(&repo, &library, std::slice::from_ref(&input), &verified, config.check.evidence());
    let out_path = args.output.as_ref().map(|o| ctx.cwd.join(o));
    let text = match args.to {
        To::Markdown => trace::markdown(&outcome.claims),
        To::Json => trace::json(&outcome.claims),
        To::Html => {
            // Links are relative to where the page is written.
            let dir = out_path
                .as_ref()
                .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
                .unwrap_or_else(|| ctx.cwd.clone());
            let depth = dir.strip_prefix(repo.root()).map_or(0, |rel| rel.components().count());
            trace::html(&outcome.claims, &input.text, &input.name, &"../".repeat(depth))
        }
    };
    match out_path {
        Some(p) => {
            citelock::atomic::write(&p, text.as_bytes())?;
            ctx.status(&format!("wrote {} ({} citations)", p.display(), outcome.claims.len()))?;
        }
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
    }
    Ok(Outcome::Done { errors: false })
}
