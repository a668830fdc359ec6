//! `citelock merge`.

use std::path::PathBuf;

use anyhow::Context as _;
use citelock::findings::{self, Findings};

use super::{Ctx, Outcome, To, count};

/// Merge findings files (JSON v1, from `--format json`) into one report, e.g. the shards of a
/// `links --shard K/N` matrix: one set of findings, one summary, one exit code. Findings that
/// every part repeats (those about the library) are kept once.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The findings files.
    #[arg(required = true, value_name = "FILE.json")]
    files: Vec<PathBuf>,
    /// Write a Markdown report (a step summary, a pull-request comment) instead of the findings.
    #[arg(long, value_enum)]
    to: Option<To>,
    /// Where to write [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The Markdown report's heading.
    #[arg(long, default_value = "citelock", value_name = "TEXT")]
    title: String,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let mut merged = Findings::default();
    let mut seen = std::collections::HashSet::new();
    for file in &args.files {
        let path = ctx.cwd.join(file);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", file.display()))?;
        let part = findings::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        for f in part {
            let at = f.location.as_ref().map(|l| l.display()).unwrap_or_default();
            if seen.insert(format!("{}\0{}\0{at}\0{}", f.code.name(), f.severity.name(), f.message)) {
                merged.push(f);
            }
        }
    }
    let s = merged.summary();
    let mut summary = format!(
        "{}, {}, {}",
        count(s.errors, "error", "errors"),
        count(s.warnings, "warning", "warnings"),
        count(s.infos, "note", "notes")
    );
    if args.files.len() > 1 {
        summary = format!("{} parts merged: {summary}", args.files.len());
    }
    let markdown = || findings::markdown(&merged, &args.title, &summary);
    ctx.emit_for_ci(&ctx.repo(), "merge", &merged, markdown, args.to, args.output.as_deref())?;
    if !ctx.quiet_or_machine() {
        ctx.status(&summary)?;
    }
    Ok(Outcome::Done { errors: merged.has_errors() })
}
