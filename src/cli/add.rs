//! `citelock add`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context as _, bail};

use super::{Ctx, Outcome, count};
use citelock::archive::http::{self, Limits, Target};
use citelock::fetch;
use citelock::findings::{Code, Finding, Location};
use citelock::library::Library;
use citelock::library::add::{self, Options};
use citelock::library::import::encoding::{self, Decoded};
use citelock::library::import::online::{self, Services};
use citelock::library::import::{self, Source};

/// Add entries from a BibTeX/BibLaTeX, CSL-JSON or RIS file (`-` reads standard input), or look
/// one up online by DOI, ISBN or page URL.
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
    /// Look a DOI up (CSL-JSON by content negotiation at the DOI resolver).
    #[arg(long, group = "source")]
    doi: Option<String>,
    /// Look an ISBN up (Open Library's books API, or `isbn-service`).
    #[arg(long, group = "source")]
    isbn: Option<String>,
    /// Read a web page's citation metadata (Highwire, Dublin Core, OpenGraph, JSON-LD, <title>);
    /// the access date is today.
    #[arg(long, group = "source")]
    url: Option<String>,
    /// Also capture the added entries' sources into archive/ (as `citelock archive KEY` does).
    #[arg(long)]
    archive: bool,
    #[command(flatten)]
    net: super::net::NetArgs,
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
    /// The import file's encoding when it is not UTF-8 (a WHATWG label: latin1, windows-1252,
    /// shift_jis…); without it, an encoding the file declares (JabRef's `% Encoding:` line) is used.
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    /// Show what would happen; change no file.
    #[arg(long, short = 'n')]
    dry_run: bool,
}

/// Reads an import file (relative to the working directory `-C` names), or
/// stdin for `-`, decoded as `--encoding` says or as the file declares; a
/// declared encoding is reported as a warning.
fn read_input(ctx: &Ctx, path: &PathBuf, named: Option<&str>) -> anyhow::Result<(String, Option<Finding>)> {
    let bytes = if path.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).context("cannot read standard input")?;
        b
    } else {
        std::fs::read(ctx.cwd.join(path)).with_context(|| format!("cannot read {}", path.display()))?
    };
    let named =
        match named {
            Some(label) => Some(encoding_rs::Encoding::for_label(label.as_bytes()).with_context(|| {
                format!("--encoding {label}: not an encoding label (latin1, windows-1252, utf-16le…)")
            })?),
            None => None,
        };
    match encoding::decode(bytes, named) {
        Ok(Decoded::Utf8(text) | Decoded::Named(text)) => Ok((text, None)),
        Ok(Decoded::Declared { text, label, line }) => {
            let name = path.display().to_string();
            let finding = Finding::new(
                Code::NotUtf8,
                format!("the file is not UTF-8; it was read as {label}, the encoding it declares"),
            )
            .at(Location::at(&name, line, 1))
            .help("pass --encoding NAME to choose another");
            Ok((text, Some(finding)))
        }
        Err(e) => bail!(
            "{}:{}: not UTF-8 and no encoding declared (name one: --encoding latin1, or convert: `iconv -f latin1 -t utf-8`)",
            path.display(),
            e.line
        ),
    }
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let config = ctx.config(&repo)?;
    let online = args.doi.is_some() || args.isbn.is_some() || args.url.is_some();
    let needs_client = online || args.archive;
    let client =
        if needs_client { Some(fetch::Client::new(args.net.options(ctx, repo.root(), &config)?)?) } else { None };
    let runtime = if needs_client { Some(super::net::runtime()?) } else { None };
    let file = match (&args.bibtex, &args.csl_json, &args.ris) {
        (Some(p), _, _) => Some((Source::Bibtex, p)),
        (_, Some(p), _) => Some((Source::CslJson, p)),
        (_, _, Some(p)) => Some((Source::Ris, p)),
        _ => None,
    };
    let (imported, name) = match file {
        Some((source, path)) => {
            let name = path.display().to_string();
            let (text, guessed) = read_input(ctx, path, args.encoding.as_deref())?;
            let mut imported = import::read(source, &text, &name);
            imported.findings.extend(guessed);
            (imported, name)
        }
        None => {
            let (client, runtime) = (client.as_ref().expect("built above"), runtime.as_ref().expect("built above"));
            let services = Services::from_config(&config);
            let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
            match (&args.doi, &args.isbn, &args.url) {
                (Some(d), _, _) => (runtime.block_on(online::doi(client, &services, d)), format!("doi:{d}")),
                (_, Some(i), _) => (runtime.block_on(online::isbn(client, &services, i)), format!("isbn:{i}")),
                (_, _, Some(u)) => (runtime.block_on(online::page(client, u, &today)), u.clone()),
                _ => unreachable!("clap requires one source"),
            }
        }
    };
    // One writer at a time: two `add`s reading the same file would each write
    // back their own version, and the first one's entries would be lost.
    let archive = repo.archive();
    let _lock = if args.dry_run { None } else { Some(citelock::archive::lock::acquire(&archive)?) };
    let (library, _) = Library::load(&repo)?;
    let into = args.into.or(config.add.into.clone()).unwrap_or_else(|| "references/library.yml".into());
    let opts = Options { into, key: args.key, force: args.force, update: args.update, dry_run: args.dry_run };
    let outcome = add::add(&repo, &library, &config, imported, &name, &opts)?;
    let mut findings = ctx.findings(&config);
    findings.extend(outcome.findings);
    if args.archive && !args.dry_run && !outcome.added.is_empty() {
        let (library, _) = Library::load(&repo)?;
        let doi_base = Services::from_config(&config).doi;
        let targets: Vec<Target> = outcome
            .added
            .iter()
            .filter_map(|k| library.get(k))
            .filter_map(|r| http::target(&library, r, &doi_base)?.ok())
            .collect();
        let limits = Limits { total: 8, per_host: 2 };
        let (client, runtime) = (client.as_ref().expect("built above"), runtime.as_ref().expect("built above"));
        let summary =
            runtime.block_on(http::capture_all(client, &archive, &repo.cache_dir(), targets, limits, |_, _| {}));
        findings.extend(summary.findings);
    }
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
