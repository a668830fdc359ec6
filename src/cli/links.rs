//! `citelock links`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use citelock::archive::{capture, http, verify::Shard};
use citelock::check;
use citelock::config::parse_duration;
use citelock::findings::{Code, Finding, Location};
use citelock::library::import::online::Services;
use citelock::links::judge::{Judge, Quoted};
use citelock::links::{self, Accept, Checked, Link, Settings, cache::Cache, wayback};

use super::{Ctx, Loaded, Outcome, To, count, progress::Bar};

/// The CI link check: every cited URL (DOIs through doi.org) is alive, and pages with snapshots
/// have not drifted from them; every dead or drifted link names its archived copy.
///
/// Flags that mean what a lychee flag means have lychee's name. Settings in citelock.toml
/// [links] apply where no flag is given. Exit 0 when all is well, 1 on error-level findings
/// (dead links), 2 when the network itself is unavailable.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also check every URL in these reports, and the quotations they take from archived sources.
    #[arg(long, num_args = 1.., value_name = "REPORT")]
    reports: Vec<PathBuf>,
    /// First pull the current snapshots this checkout lacks from the remote archive.
    #[arg(long)]
    pull: bool,
    /// Requests in flight at once [default: 64].
    #[arg(long, value_name = "N")]
    max_concurrency: Option<usize>,
    /// Requests in flight per host name [default: 4].
    #[arg(long, value_name = "N")]
    host_concurrency: Option<usize>,
    /// Least time between two requests to one host, e.g. 50ms, 0ms [default: 50ms].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    host_request_interval: Option<Duration>,
    /// Retries after timeouts, broken connections, 5xx and 429 [default: 3].
    #[arg(long, value_name = "N")]
    max_retries: Option<u32>,
    /// The first retry's wait; each further retry doubles it.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    retry_wait_time: Duration,
    /// The longest Retry-After waited for; beyond it a link is rate-limited [default: 60s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    retry_after_cap: Option<Duration>,
    /// A request's total time [default: 20s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// Statuses that count as alive, e.g. "200..=299, 403" [default: 100..=103, 200..=299].
    #[arg(long, value_name = "CODES")]
    accept: Option<String>,
    /// Do not check URLs matching this regular expression (repeatable).
    #[arg(long, value_name = "REGEX")]
    exclude: Vec<String>,
    /// GET every link (HEAD first, GET where HEAD is refused, otherwise).
    #[arg(long, value_enum, default_value_t = Method::Head)]
    method: Method,
    /// How long a success stays trusted, e.g. 1d, 12h [default: 1d].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    max_cache_age: Option<Duration>,
    /// Ignore and do not update .citelock/cache/links.json.
    #[arg(long)]
    no_cache: bool,
    /// No progress line.
    #[arg(long)]
    no_progress: bool,
    /// Call a link dead only after it failed in N runs at least --confirm-interval apart
    /// (until then: link-failing, a warning) [default: 1].
    #[arg(long, value_name = "N")]
    confirm_dead: Option<usize>,
    /// Least time between two failing runs that count [default: 1d].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    confirm_interval: Option<Duration>,
    /// Record that KEY's link is dead for good: its snapshot stands in (recorded in its capture log).
    #[arg(long, value_name = "KEY", conflicts_with_all = ["reports", "changed_since"])]
    acknowledge: Option<String>,
    /// Only references added or changed since this git revision.
    #[arg(long, value_name = "REV")]
    changed_since: Option<String>,
    /// Percent of a page's text that may change before content-drift is reported [default: 1].
    #[arg(long, value_name = "PERCENT")]
    drift_threshold: Option<f64>,
    /// Do not read pages to compare them with their snapshots.
    #[arg(long)]
    no_drift: bool,
    /// For each dead link, ask the Internet Archive's CDX API for its newest good capture.
    #[arg(long)]
    suggest_web_archive: bool,
    /// Write a Markdown report (for a pull-request comment) instead of the findings.
    #[arg(long, value_enum)]
    to: Option<To>,
    /// Where to write the findings (in --format) or the --to report [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Check only slice K of N of the links (stable across runs), e.g. 2/4.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    #[command(flatten)]
    net: super::net::NetArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Method {
    Head,
    Get,
}

/// A flag, else the config's value, else the default.
fn pick(flag: Option<Duration>, config: Option<Duration>, default: Duration) -> Duration {
    flag.or(config).unwrap_or(default)
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let Loaded { repo, config, library, mut findings } = ctx.load()?;
    let archive = repo.archive();
    if let Some(key) = &args.acknowledge {
        if library.get(key).is_none() {
            bail!("no reference with key `{key}`");
        }
        let _lock = citelock::archive::lock::acquire(&archive)?;
        let id = archive.acknowledge_dead(key)?;
        ctx.status(&format!("`{key}`: link acknowledged dead; capture {id} stands in for it"))?;
        return Ok(Outcome::Done { errors: false });
    }
    if args.pull {
        findings.extend(super::pull::pull(ctx, &config, &archive, &[], true)?);
    }
    let cfg = &config.links;
    let host_accept: Vec<(String, String)> = cfg.accept_hosts.iter().map(|(h, a)| (h.clone(), a.clone())).collect();
    let accept_spec = args.accept.as_deref().or(cfg.accept.as_deref()).unwrap_or("100..=103, 200..=299");
    let settings = Settings {
        max_concurrency: args.max_concurrency.or(cfg.max_concurrency).unwrap_or(64),
        host_concurrency: args.host_concurrency.or(cfg.host_concurrency).unwrap_or(4),
        host_interval: pick(args.host_request_interval, cfg.host_request_interval, Duration::from_millis(50)),
        max_retries: args.max_retries.or(cfg.max_retries).unwrap_or(3),
        retry_wait: args.retry_wait_time,
        retry_after_cap: pick(args.retry_after_cap, cfg.retry_after_cap, Duration::from_secs(60)),
        get: args.method == Method::Get,
        accept: Accept::parse(accept_spec, &host_accept).map_err(|e| anyhow::anyhow!("--accept: {e}"))?,
        ..Settings::default()
    };
    let timeout = pick(args.timeout, cfg.timeout, Duration::from_secs(20));
    let max_cache_age = pick(args.max_cache_age, cfg.max_cache_age, Duration::from_secs(86_400));
    let confirm_interval = pick(args.confirm_interval, cfg.confirm_interval, Duration::from_secs(86_400));
    let mut excludes = Vec::new();
    for pattern in cfg.exclude.iter().chain(&args.exclude) {
        excludes.push(regex::Regex::new(pattern).with_context(|| format!("exclude pattern `{pattern}`"))?);
    }

    // The reports: their URLs, and the quotations they take from archived sources.
    let mut inputs = Vec::new();
    for path in &args.reports {
        let path = ctx.cwd.join(path);
        inputs.push(check::input(repo.root(), &path, None).with_context(|| format!("cannot read {}", path.display()))?);
    }
    let quotes = quotations(&repo, &library, &inputs);

    // The links: each reference's URL (or DOI), then report URLs no reference has.
    let changed = match &args.changed_since {
        Some(rev) => Some(citelock::library::changed::changed_since(&repo, &library, rev).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let doi_base = Services::from_config(&config).doi;
    let mut links = Vec::new();
    let mut snapshots = HashMap::new();
    let mut seen = HashSet::new();
    for record in &library.records {
        let key = record.entry.key();
        if changed.as_ref().is_some_and(|c| !c.contains(key)) {
            continue;
        }
        let Some(target) = http::target(&library, record, &doi_base) else { continue };
        let target = match target {
            Ok(t) => t,
            Err(e) => {
                findings.push(Finding::new(Code::DeadLink, e).at(library.location(record)).data("key", key));
                continue;
            }
        };
        // Each log is read once: the judge falls back on these snapshots.
        let snapshot = archive.captures(key).ok().and_then(|c| capture::current(&c).cloned());
        let want_body = snapshot.is_some() && !args.no_drift;
        if let Some(s) = snapshot {
            snapshots.insert(key.to_owned(), s);
        }
        seen.insert(target.url.to_string());
        links.push(Link { url: target.url, key: Some(key.to_owned()), at: target.at, want_body });
    }
    if changed.is_none() {
        for input in &inputs {
            let lines = citelock::findings::LineIndex::new(&input.text);
            for (offset, url) in links::urls_in(&input.text) {
                if seen.insert(url.to_string()) {
                    let (line, column) = lines.position(&input.text, offset);
                    links.push(Link { url, key: None, at: Location::at(&input.name, line, column), want_body: false });
                }
            }
        }
    }
    // What follows needs the links, not the library: give its memory back.
    drop(library);
    let found = links.len();
    links.retain(|l| !excludes.iter().any(|re| re.is_match(l.url.as_str())));
    let excluded = found - links.len();
    if let Some(shard) = &args.shard {
        links.retain(|l| links::in_shard(&l.url, *shard));
    }
    let now = jiff::Timestamp::now();
    let (mut cache, problem) = Cache::load(&repo.cache_dir());
    if let Some(p) = problem.filter(|_| !args.no_cache) {
        ctx.status(&format!("note: link cache {p}"))?;
    }
    let before = links.len();
    if !args.no_cache {
        links.retain(|l| !cache.fresh(l.url.as_str(), max_cache_age, now));
    }
    let cached = before - links.len();

    let mut options = args.net.options(ctx, repo.root(), &config)?;
    options.total_timeout = timeout;
    options.connect_timeout = options.connect_timeout.min(timeout);
    options.read_timeout = options.read_timeout.min(timeout);
    let client = citelock::fetch::Client::new(options)?;
    let rt = super::net::runtime()?;

    if let Some(canary) = &cfg.canary {
        let url = url::Url::parse(canary).with_context(|| format!("[links] canary {canary}"))?;
        let probe = Link { url, key: None, at: Location::file("citelock.toml"), want_body: false };
        let quick = Settings { max_retries: 0, ..settings.clone() };
        let result = rt.block_on(links::check_all(&client, vec![probe], &quick, |_, _| {}));
        if result.iter().any(|c| c.verdict.is_unreachable()) {
            findings.push(Finding::new(
                Code::NetworkUnavailable,
                format!("the canary {canary} cannot be reached: the network is down; no link was checked"),
            ));
            ctx.emit(&repo, "links", &findings)?;
            return Ok(Outcome::Failed);
        }
    }

    let bar = Bar::new(ctx, if args.no_progress { 0 } else { links.len() as u64 }, "checking links");
    let checked = rt.block_on(links::check_all(&client, links, &settings, |done, _| bar.set(done as u64)));
    bar.finish();
    if links::network_unavailable(&checked) {
        let hosts: HashSet<&str> = checked.iter().filter_map(|c| c.link.url.host_str()).collect();
        let down: HashSet<&str> =
            checked.iter().filter(|c| c.verdict.is_unreachable()).filter_map(|c| c.link.url.host_str()).collect();
        findings.push(
            Finding::new(
                Code::NetworkUnavailable,
                format!(
                    "{} of {} could not be reached at all: the network is down, not the links; nothing was recorded",
                    down.len(),
                    count(hosts.len(), "host", "hosts")
                ),
            )
            .help("run again when the network is back")
            .data("hosts", hosts.len())
            .data("unreachable", down.len()),
        );
        ctx.emit(&repo, "links", &findings)?;
        return Ok(Outcome::Failed);
    }

    let mementos = if args.suggest_web_archive {
        let base = config.fetch.web_archive.clone().unwrap_or_else(|| wayback::DEFAULT_BASE.to_owned());
        rt.block_on(suggestions(&client, &base, &checked))
    } else {
        HashMap::new()
    };
    let judge = Judge {
        archive: &archive,
        snapshots: &snapshots,
        cache_dir: &repo.cache_dir(),
        now,
        confirm_dead: args.confirm_dead.or(cfg.confirm_dead).unwrap_or(1).max(1),
        confirm_interval,
        drift_threshold: args.drift_threshold.or(cfg.drift_threshold).unwrap_or(1.0),
        quotes: &quotes,
        mementos: &mementos,
    };
    let mut tally: HashMap<&str, usize> = HashMap::new();
    for c in &checked {
        *tally.entry(c.verdict.name()).or_default() += 1;
        findings.extend(judge.judge(c, &mut cache));
    }
    if !args.no_cache {
        cache.save().with_context(|| format!("cannot write the link cache in {}", repo.cache_dir().display()))?;
    }
    let summary = summary_line(checked.len(), cached, excluded, &tally);
    let markdown = || citelock::findings::markdown(&findings, "citelock links", &summary);
    ctx.emit_for_ci(&repo, "links", &findings, markdown, args.to, args.output.as_deref())?;
    if !ctx.quiet_or_machine() {
        ctx.status(&summary)?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}

/// Quotations found in the archived copies of the sources the reports cite, by key.
fn quotations(
    repo: &citelock::repo::Repo,
    library: &citelock::library::Library,
    inputs: &[check::Input],
) -> HashMap<String, Vec<Quoted>> {
    let mut out: HashMap<String, Vec<Quoted>> = HashMap::new();
    if inputs.is_empty() {
        return out;
    }
    let outcome = check::check(repo, library, inputs, &[], check::evidence::Settings::off());
    for claim in &outcome.claims {
        let Some(key) = &claim.key else { continue };
        for q in claim.quotations.iter().filter(|q| matches!(q.verdict.as_str(), "exact" | "normalised" | "with-gaps"))
        {
            let quoted = Quoted { at: Location::at(&claim.file, q.line, q.column), text: q.text.clone() };
            let list = out.entry(key.clone()).or_default();
            if !list.iter().any(|o| o.at == quoted.at) {
                list.push(quoted);
            }
        }
    }
    out
}

/// Web-archive captures for the links that failed.
async fn suggestions(
    client: &citelock::fetch::Client,
    base: &str,
    checked: &[Checked],
) -> HashMap<String, wayback::Memento> {
    let mut out = HashMap::new();
    for c in
        checked.iter().filter(|c| matches!(c.verdict, links::Verdict::Dead { .. } | links::Verdict::Timeout { .. }))
    {
        if let Ok(Some(m)) = wayback::newest(client, base, c.link.url.as_str()).await {
            out.insert(c.link.url.to_string(), m);
        }
    }
    out
}

fn summary_line(checked: usize, cached: usize, excluded: usize, tally: &HashMap<&str, usize>) -> String {
    let mut parts = Vec::new();
    for name in ["ok", "redirected", "dead", "timeout", "blocked", "rate-limited", "refused"] {
        if let Some(n) = tally.get(name) {
            parts.push(format!("{n} {name}"));
        }
    }
    let mut line = format!("checked {}", count(checked, "link", "links"));
    if !parts.is_empty() {
        line.push_str(&format!(": {}", parts.join(", ")));
    }
    if cached + excluded > 0 {
        line.push_str(&format!(" ({cached} alive in the cache, {excluded} excluded)"));
    }
    line
}
