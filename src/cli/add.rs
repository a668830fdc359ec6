//! `citelock add`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context as _, bail};

use super::{Ctx, Outcome, count};
use citelock::library::Library;
use citelock::library::add::{self, Options};
use citelock::library::import::{self, Source};

/// Add entries from a BibTeX/BibLaTeX, CSL-JSON or RIS file (`-` reads standard input).
///
/// Keys are kept as the file has them; a missing or taken key is generated (authorYEARword,
/// then a, b, c…). Entries that duplicate one already in the library (same key and content, DOI,
/// ISBN, URL, or title + year + first author) are refused unless --force is given. Entries that
/// cannot be read are reported and skipped; the others are added.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true)))]
pub struct Args {
    /// A BibTeX or BibLaTeX file.
    #[arg(long, group = "source", value_name = "FILE")]
    bibtex: Option<PathBuf>,
    /// A CSL-JSON file (an array of items, as Zotero and pandoc write).
    #[arg(long, group = "source", value_name = "FILE")]
    csl_json: Option<PathBuf>,
    /// An RIS file.
    #[arg(long, group = "source", value_name = "FILE")]
    ris: Option<PathBuf>,
    /// The references file to add to [default: references/library.yml, or [add] into in citelock.toml].
    #[arg(long, value_name = "FILE")]
    into: Option<String>,
    /// The key for the (single) imported entry.
    #[arg(long)]
    key: Option<String>,
    /// Add entries even when they look like duplicates.
    #[arg(long)]
    force: bool,
    /// Refresh entries already in the library (same key, or same work) from this newer export,
    /// and report which fields changed.
    #[arg(long)]
    update: bool,
    /// Show what would happen; change no file.
    #[arg(long, short = 'n')]
    dry_run: bool,
}

fn read_input(path: &PathBuf) -> anyhow::Result<String> {
    let bytes = if path.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).context("cannot read standard input")?;
        b
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            bail!("{}:{line}: not UTF-8 (convert it first, e.g. `iconv -f latin1 -t utf-8`)", path.display())
        }
    }
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let (source, path) = match (&args.bibtex, &args.csl_json, &args.ris) {
        (Some(p), _, _) => (Source::Bibtex, p),
        (_, Some(p), _) => (Source::CslJson, p),
        (_, _, Some(p)) => (Source::Ris, p),
        _ => unreachable!("clap requires one source"),
    };
    let repo = ctx.repo();
    let config = ctx.config(&repo)?;
    let text = read_input(path)?;
    let name = path.display().to_string();
    let imported = import::read(source, &text, &name);
    let (library, _) = Library::load(&repo)?;
    let into = args.into.or(config.add.into.clone()).unwrap_or_else(|| "references/library.yml".into());
    let opts = Options { into, key: args.key, force: args.force, update: args.update, dry_run: args.dry_run };
    let outcome = add::add(&repo, &library, &config, imported, &name, &opts)?;
    let mut findings = ctx.findings(&config);
    findings.extend(outcome.findings);
    ctx.emit(&repo, "add", &findings)?;
    let failed = findings.items().iter().filter(|f| f.code == citelock::findings::Code::ImportFailed).count();
    let verb = if args.dry_run { "would add" } else { "added" };
    let mut parts = vec![format!("{verb} {}", count(outcome.added.len(), "entry", "entries"))];
    if !outcome.written.is_empty() {
        parts[0].push_str(&format!(" ({})", outcome.written.join(", ")));
    }
    if opts.update {
        parts.push(format!("{} updated, {} unchanged", outcome.updated.len(), outcome.unchanged));
    }
    if outcome.refused > 0 {
        parts.push(format!("{} refused as duplicates", outcome.refused));
    }
    if failed > 0 {
        parts.push(format!("{failed} could not be read"));
    }
    ctx.status(&parts.join("; "))?;
    Ok(Outcome::Done { errors: findings.has_errors() })
}
