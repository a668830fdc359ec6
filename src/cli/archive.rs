//! `citelock archive`.

use std::path::PathBuf;

use anyhow::{Context as _, bail};

use super::{Ctx, Outcome, count};
use citelock::archive::attach::{self, Attachment};
use citelock::archive::capture;
use citelock::archive::http::{self, Limits};
use citelock::fetch;
use citelock::library::Library;

/// Keep snapshots of sources in archive/.
///
/// Without --attach or --pin: fetch every reference with a URL (or only a DOI, resolved through
/// doi.org) that has no snapshot yet, or the KEYs named; --refresh takes a new capture even when
/// one exists. Each snapshot is stored under its SHA-256 with a record of how it was fetched.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these references.
    keys: Vec<String>,
    /// Take a new capture even of references that have one (an identical body adds a log entry,
    /// not an object; an error or another page type is logged and never becomes current).
    #[arg(long)]
    refresh: bool,
    /// Attach FILE as a capture of KEY (`method: file`): for sources a bot cannot fetch, or
    /// copies you legitimately hold.
    #[arg(long, num_args = 2, value_names = ["KEY", "FILE"], conflicts_with_all = ["keys", "refresh", "pin"])]
    attach: Option<Vec<String>>,
    /// Where the attached file came from (recorded as `source`).
    #[arg(long, requires = "attach")]
    source: Option<String>,
    /// The attached file's media type [default: from its extension].
    #[arg(long, requires = "attach")]
    content_type: Option<String>,
    /// Pin a capture of KEY (the newest snapshot, or ID): claims are checked against it.
    #[arg(long, num_args = 1..=2, value_names = ["KEY", "ID"], conflicts_with_all = ["keys", "refresh"])]
    pin: Option<Vec<String>>,
    /// Import the response and resource records of a WARC file (wget, Webrecorder, pywb…) as
    /// `web-archive` captures of the references whose URL they hold; digests are checked.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["keys", "refresh", "pin", "attach"])]
    import_warc: Option<PathBuf>,
    /// With --import-warc: import the file's first record as this reference, whatever its URL.
    #[arg(long, value_name = "KEY", requires = "import_warc")]
    key: Option<String>,
    #[command(flatten)]
    net: super::net::NetArgs,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    max_concurrency: usize,
    /// Requests in flight per host.
    #[arg(long, default_value_t = 2, value_name = "N")]
    host_concurrency: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let config = ctx.config(&repo)?;
    let archive = repo.archive();
    let (library, _) = Library::load(&repo)?;
    if let Some(file) = &args.import_warc {
        return import_warc(ctx, &repo, &library, file, args.key.as_deref());
    }
    if let Some(v) = args.attach {
        let (key, file) = (&v[0], PathBuf::from(&v[1]));
        let Some(record) = library.get(key) else { bail!("no reference with key `{key}` (add it first)") };
        let file = ctx.cwd.join(file);
        if !file.is_file() {
            bail!("{}: not a file", file.display());
        }
        let url = record.entry.url().map(|u| u.value.to_string());
        let a = Attachment { key, url, file: &file, source: args.source, content_type: args.content_type };
        let c = attach::attach(&archive, &repo.cache_dir(), &a)
            .with_context(|| format!("cannot attach {}", file.display()))?;
        ctx.status(&format!(
            "attached {} to `{key}` as capture {} (sha256 {}, {} bytes)",
            file.display(),
            c.id,
            c.sha256.as_deref().unwrap_or("?"),
            c.length.unwrap_or(0)
        ))?;
        return Ok(Outcome::Done { errors: false });
    }
    if let Some(v) = args.pin {
        let key = &v[0];
        if library.get(key).is_none() {
            bail!("no reference with key `{key}`");
        }
        let _lock = citelock::archive::lock::acquire(&archive)?;
        let captures = archive.captures(key)?;
        let id = match v.get(1) {
            Some(id) => id.clone(),
            None => match captures.iter().rev().find(|c| c.is_snapshot()) {
                Some(c) => c.id.clone(),
                None => bail!("`{key}` has no snapshot to pin"),
            },
        };
        archive.pin(key, &id)?;
        ctx.status(&format!("pinned capture {id} of `{key}`"))?;
        return Ok(Outcome::Done { errors: false });
    }
    for key in &args.keys {
        if library.get(key).is_none() {
            bail!("no reference with key `{key}`");
        }
    }
    let doi_base = super::net::services(&config).doi;
    let mut targets = Vec::new();
    for r in &library.records {
        let key = r.entry.key();
        if !args.keys.is_empty() && !args.keys.iter().any(|k| k == key) {
            continue;
        }
        if !args.refresh && capture::current(&archive.captures(key)?).is_some() {
            continue;
        }
        if let Some(target) = http::target(&library, r, &doi_base) {
            targets.push(target.map_err(anyhow::Error::msg)?);
        }
    }
    let options = args.net.options(ctx, repo.root(), &config)?;
    let client = fetch::Client::new(options)?;
    let _lock = citelock::archive::lock::acquire(&archive)?;
    citelock::archive::store::clean_temp(&archive)?;
    let limits = Limits { total: args.max_concurrency, per_host: args.host_concurrency };
    let n = targets.len();
    let progress = super::progress::Bar::new(ctx, n as u64, "archiving");
    let runtime = super::net::runtime()?;
    let summary =
        runtime.block_on(http::capture_all(&client, &archive, &repo.cache_dir(), targets, limits, |done, _| {
            progress.set(done as u64)
        }));
    progress.finish();
    let mut findings = ctx.findings(&config);
    findings.extend(summary.findings);
    ctx.emit(&repo, "archive", &findings)?;
    ctx.status(&format!(
        "archive: {} captured, {} unchanged, {} failed (of {})",
        summary.captured,
        summary.unchanged,
        summary.failed,
        count(n, "reference", "references")
    ))?;
    Ok(Outcome::Done { errors: findings.has_errors() })
}

/// `--import-warc`: records matched to references by normalised URL.
fn import_warc(
    ctx: &Ctx,
    repo: &citelock::repo::Repo,
    library: &Library,
    file: &std::path::Path,
    key: Option<&str>,
) -> anyhow::Result<Outcome> {
    use citelock::library::duplicates::normalise_url;
    if let Some(k) = key
        && library.get(k).is_none()
    {
        bail!("no reference with key `{k}`");
    }
    let path = ctx.cwd.join(file);
    let urls: std::collections::HashMap<String, String> = library
        .records
        .iter()
        .filter_map(|r| Some((normalise_url(r.entry.url()?.value.as_ref())?, r.entry.key().to_owned())))
        .collect();
    let key_of = |uri: &str| normalise_url(uri).and_then(|u| urls.get(&u).cloned());
    let name = citelock::findings::relative_path(repo.root(), &path);
    let done = citelock::archive::warc::import(&repo.archive(), &repo.cache_dir(), &path, &name, &key_of, key)
        .map_err(anyhow::Error::msg)?;
    let mut findings = ctx.findings(&ctx.config(repo)?);
    findings.extend(done.findings);
    ctx.emit(repo, "archive", &findings)?;
    if !ctx.quiet_or_machine() {
        for c in &done.captures {
            ctx.status(&format!("imported {} as `{}` (capture {})", c.url.as_deref().unwrap_or("?"), c.key, c.id))?;
        }
        ctx.status(&format!("imported {} from {}", count(done.captures.len(), "record", "records"), path.display()))?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
