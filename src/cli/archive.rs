//! `citelock archive`.

use std::path::PathBuf;

use anyhow::{Context as _, bail};

use super::{Ctx, Outcome, count};
use citelock::archive::attach::{self, Attachment};
use citelock::archive::capture;
use citelock::archive::http::{self, Limits};
use citelock::fetch;
use citelock::findings::{Code, Finding};
use citelock::library::Library;
use citelock::library::import::online::Services;
use citelock::links::wayback;

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
    /// Take each snapshot from the web archive (`[fetch] web-archive`, the Internet Archive by
    /// default): the capture with status 200 closest to the entry's access date, fetched raw.
    #[arg(long, conflicts_with_all = ["attach", "pin", "import_warc"])]
    from_web_archive: bool,
    /// Also ask the web archive to save each live page now. This publishes the URLs: do not use
    /// it for sources that must stay confidential.
    #[arg(long, conflicts_with_all = ["attach", "pin", "import_warc", "from_web_archive"])]
    submit_web_archive: bool,
    /// Least time between two submissions to the web archive.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, requires = "submit_web_archive")]
    submit_interval: f64,
    /// With --import-warc: add a reference (from the page's metadata) for each record whose URL
    /// no reference has, then import it.
    #[arg(long, requires = "import_warc", conflicts_with = "key")]
    add_references: bool,
    /// With --import-warc: import the file's first record as this reference, whatever its URL.
    #[arg(long, value_name = "KEY", requires = "import_warc")]
    key: Option<String>,
    /// Then push what was captured to the remote archive ([remote] in citelock.toml).
    #[arg(long, conflicts_with_all = ["pin", "import_warc"])]
    push: bool,
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
        let (library, added) = if args.add_references {
            add_references(ctx, &repo, &config, library, file)?
        } else {
            (library, Vec::new())
        };
        return import_warc(ctx, &repo, &library, file, args.key.as_deref(), added);
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
        if args.push {
            let mut findings = ctx.findings(&config);
            findings.extend(super::push::push(ctx, &config, &archive, std::slice::from_ref(key))?);
            ctx.emit(&repo, "archive", &findings)?;
            return Ok(Outcome::Done { errors: findings.has_errors() });
        }
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
    let doi_base = Services::from_config(&config).doi;
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
    let runtime = super::net::runtime()?;
    let mut findings = ctx.findings(&config);
    if args.from_web_archive {
        let base = config.fetch.web_archive.clone().unwrap_or_else(|| wayback::DEFAULT_BASE.to_owned());
        let source = match &config.fetch.timegate {
            Some(tg) => Mementos::TimeGate(tg),
            None => Mementos::Cdx(&base),
        };
        targets = runtime.block_on(mementos(&client, source, &library, targets, &mut findings));
    }
    if args.submit_web_archive {
        let base = config.fetch.web_archive.clone().unwrap_or_else(|| wayback::DEFAULT_BASE.to_owned());
        ctx.status(&format!(
            "warning: --submit-web-archive publishes {} to {base}; unpublished or confidential sources should not be submitted",
            count(targets.len(), "URL", "URLs")
        ))?;
        let gap = std::time::Duration::from_secs_f64(args.submit_interval.max(0.0));
        let submitted = runtime.block_on(submit(&client, &base, &targets, gap, &mut findings));
        ctx.status(&format!("submitted {} to {base}", count(submitted, "URL", "URLs")))?;
    }
    let _lock = citelock::archive::lock::acquire(&archive)?;
    citelock::archive::store::clean_temp(&archive)?;
    let limits = Limits { total: args.max_concurrency, per_host: args.host_concurrency };
    let n = targets.len();
    let keys: Vec<String> = targets.iter().map(|t| t.key.clone()).collect();
    let progress = super::progress::Bar::new(ctx, n as u64, "archiving");
    let summary =
        runtime.block_on(http::capture_all(&client, &archive, &repo.cache_dir(), targets, limits, |done, _| {
            progress.set(done as u64)
        }));
    progress.finish();
    findings.extend(summary.findings);
    drop(_lock);
    if args.push && !keys.is_empty() {
        let captured: Vec<String> =
            keys.into_iter().filter(|k| archive.captures(k).is_ok_and(|c| capture::current(&c).is_some())).collect();
        findings.extend(super::push::push(ctx, &config, &archive, &captured)?);
    }
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

/// Where mementos come from.
#[derive(Clone, Copy)]
enum Mementos<'a> {
    /// A CDX API and its raw (`id_`) replay, at this base URL.
    Cdx(&'a str),
    /// A Memento TimeGate (RFC 7089): the URL is appended to this.
    TimeGate(&'a str),
}

/// A TimeGate's memento of `original` nearest to `when` (`YYYYMMDD`, else now).
async fn timegate(
    client: &fetch::Client,
    tg: &str,
    original: &str,
    when: Option<&str>,
) -> Result<http::Memento, String> {
    let at = match when {
        Some(w) => format!("{}-{}-{}T12:00:00Z", &w[..4], &w[4..6], &w[6..8])
            .parse::<jiff::Timestamp>()
            .map_err(|e| e.to_string())?,
        None => jiff::Timestamp::now(),
    };
    let accept = at.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let url = url::Url::parse(&format!("{tg}{original}")).map_err(|e| format!("TimeGate {tg}: {e}"))?;
    let (memento, status, datetime) =
        client.timegate(&url, &accept).await.map_err(|e| format!("the TimeGate failed: {e}"))?;
    let Some(datetime) = datetime.filter(|_| (200..300).contains(&status)) else {
        return Err(format!("the TimeGate has no memento of {original} (HTTP {status})"));
    };
    let datetime = jiff::fmt::rfc2822::parse(&datetime)
        .map(|z| z.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .map_err(|e| format!("the memento's Memento-Datetime {datetime:?}: {e}"))?;
    Ok(http::Memento { original: original.to_owned(), url: memento, datetime })
}

/// The web archive's capture closest to each entry's access date (else the
/// newest), as targets to fetch raw; a URL it has no capture of is a finding.
async fn mementos(
    client: &fetch::Client,
    source: Mementos<'_>,
    library: &Library,
    targets: Vec<http::Target>,
    findings: &mut citelock::findings::Findings,
) -> Vec<http::Target> {
    let mut out = Vec::new();
    for t in targets {
        let accessed = library
            .get(&t.key)
            .and_then(|r| r.entry.url())
            .and_then(|u| u.visit_date.as_ref())
            .map(|d| format!("{:04}{:02}{:02}", d.year, d.month.map_or(1, |m| m + 1), d.day.map_or(1, |x| x + 1)));
        let original = t.url.to_string();
        let base = match source {
            Mementos::Cdx(base) => base,
            Mementos::TimeGate(tg) => {
                match timegate(client, tg, &original, accessed.as_deref()).await {
                    Ok(m) => {
                        let url = url::Url::parse(&m.url).expect("a URL the client fetched");
                        out.push(http::Target { url, memento: Some(m), ..t });
                    }
                    Err(why) => findings.push(
                        Finding::new(Code::FetchFailed, format!("`{}`: {why}", t.key))
                            .at(t.at.clone())
                            .data("key", t.key.clone()),
                    ),
                }
                continue;
            }
        };
        let found = match &accessed {
            Some(when) => wayback::closest(client, base, &original, when).await,
            None => wayback::newest(client, base, &original).await,
        };
        let failed = |why: String| Finding::new(Code::FetchFailed, why).at(t.at.clone()).data("key", t.key.clone());
        match found {
            Ok(Some(m)) => match url::Url::parse(&wayback::raw_url(base, &m)) {
                Ok(raw) => {
                    let datetime = wayback::rfc3339(&m.timestamp);
                    out.push(http::Target {
                        memento: Some(http::Memento { original, url: m.url, datetime }),
                        url: raw,
                        ..t
                    });
                }
                Err(e) => findings.push(failed(format!("`{}`: bad memento URL: {e}", t.key))),
            },
            Ok(None) => findings
                .push(failed(format!("`{}`: the web archive has no capture of {original} with status 200", t.key))),
            Err(e) => findings.push(failed(format!("`{}`: the web archive's CDX API failed: {e}", t.key))),
        }
    }
    out
}

/// Asks the web archive to save each target's live page, one at a time, `gap` apart.
async fn submit(
    client: &fetch::Client,
    base: &str,
    targets: &[http::Target],
    gap: std::time::Duration,
    findings: &mut citelock::findings::Findings,
) -> usize {
    let mut done = 0;
    for (i, t) in targets.iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(gap).await;
        }
        let failed = |why: String| Finding::new(Code::FetchFailed, why).at(t.at.clone()).data("key", t.key.clone());
        match wayback::submit(client, base, t.url.as_str()).await {
            Ok(status) if status < 400 => done += 1,
            Ok(status) => findings
                .push(failed(format!("`{}`: the web archive answered HTTP {status} to saving {}", t.key, t.url))),
            Err(e) => findings.push(failed(format!("`{}`: cannot ask the web archive to save {}: {e}", t.key, t.url))),
        }
    }
    done
}

/// `--add-references`: an entry for each page of the WARC file whose URL no
/// reference has, from its HTML metadata, through `add` (duplicates refused,
/// keys generated); the library as it is afterwards, and what `add` found.
fn add_references(
    ctx: &Ctx,
    repo: &citelock::repo::Repo,
    config: &citelock::config::Config,
    library: Library,
    file: &std::path::Path,
) -> anyhow::Result<(Library, Vec<Finding>)> {
    use citelock::library::duplicates::normalise_url;
    use citelock::library::import::{Import, online};
    let path = ctx.cwd.join(file);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let records = citelock::archive::warc::read(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let known: std::collections::HashSet<String> =
        library.records.iter().filter_map(|r| normalise_url(r.entry.url()?.value.as_ref())).collect();
    let mut import = Import::default();
    for page in citelock::archive::warc::pages(&records) {
        if normalise_url(&page.uri).is_none_or(|u| known.contains(&u)) {
            continue;
        }
        let accessed: String = page.date.chars().take(10).collect();
        let found = online::page_from_html(&page.uri, &page.body, &page.content_type, &accessed);
        import.entries.extend(found.entries);
        import.findings.extend(found.findings);
    }
    if import.entries.is_empty() && import.findings.is_empty() {
        return Ok((library, Vec::new()));
    }
    let into = config.add.into.clone().unwrap_or_else(|| "references/library.yml".into());
    let opts = citelock::library::add::Options { into, ..Default::default() };
    let name = citelock::findings::relative_path(repo.root(), &path);
    let outcome = citelock::library::add::add(repo, &library, config, import, &name, &opts)?;
    if !ctx.quiet_or_machine() {
        ctx.status(&format!(
            "added {} from {}",
            count(outcome.added.len(), "reference", "references"),
            path.display()
        ))?;
    }
    Ok((Library::load(repo)?.0, outcome.findings))
}

/// `--import-warc`: records matched to references by normalised URL.
fn import_warc(
    ctx: &Ctx,
    repo: &citelock::repo::Repo,
    library: &Library,
    file: &std::path::Path,
    key: Option<&str>,
    added: Vec<Finding>,
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
    findings.extend(added);
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
