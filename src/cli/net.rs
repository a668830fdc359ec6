//! The fetch policy flags, shared by every command that goes online.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use citelock::config::Config;
use citelock::fetch::{self, Policy};
use citelock::library::import::online::Services;

use super::Ctx;

/// `--allow-private`, `--allow-host`, `--ca-file`.
#[derive(Debug, Clone, clap::Args)]
pub struct NetArgs {
    /// Permit private, loopback and link-local addresses (refused by default).
    #[arg(long)]
    allow_private: bool,
    /// Permit exactly this origin even if it is not public (repeatable), e.g. 127.0.0.1:8080.
    #[arg(long, value_name = "HOST:PORT")]
    allow_host: Vec<String>,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
}

/// `host:port` or `[v6]:port`.
fn parse_origin(s: &str) -> anyhow::Result<(String, u16)> {
    let (host, port) = s.rsplit_once(':').with_context(|| format!("--allow-host {s}: expected HOST:PORT"))?;
    let port: u16 = port.parse().with_context(|| format!("--allow-host {s}: bad port"))?;
    Ok((host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase(), port))
}

impl NetArgs {
    /// The client options: flags over `[fetch]` in citelock.toml over defaults.
    pub fn options(&self, ctx: &Ctx, root: &std::path::Path, config: &Config) -> anyhow::Result<fetch::Options> {
        let f = &config.fetch;
        let mut allow_hosts = Vec::new();
        for origin in f.allow_hosts.iter().chain(&self.allow_host) {
            allow_hosts.push(parse_origin(origin)?);
        }
        let mut o = fetch::Options {
            policy: Policy { allow_private: self.allow_private || f.allow_private, allow_hosts },
            ca_file: self
                .ca_file
                .as_ref()
                .map(|p| ctx.cwd.join(p))
                .or_else(|| f.ca_file.as_ref().map(|p| root.join(p))),
            proxy: f.proxy.clone(),
            github_token: std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty()),
            ..fetch::Options::default()
        };
        let secs = |v: Option<u64>, d: Duration| v.map_or(d, Duration::from_secs);
        o.connect_timeout = secs(f.connect_timeout, o.connect_timeout);
        o.read_timeout = secs(f.read_timeout, o.read_timeout);
        o.total_timeout = secs(f.total_timeout, o.total_timeout);
        o.max_body = f.max_body.unwrap_or(o.max_body);
        Ok(o)
    }
}

/// The lookup services: `[fetch]` settings over the public defaults.
pub fn services(config: &Config) -> Services {
    let mut s = Services::default();
    if let Some(d) = &config.fetch.doi_resolver {
        s.doi = d.clone();
    }
    if let Some(i) = &config.fetch.isbn_service {
        s.isbn = i.clone();
    }
    s
}

/// A runtime for one command's network work.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

/// Runs one operation on the remote archive (`[remote]`) with a progress bar whose total is
/// learnt on the way; returns the remote's name, for the status line, and the result.
pub fn on_remote<R, Fut>(
    ctx: &super::Ctx,
    config: &Config,
    label: &'static str,
    op: impl FnOnce(citelock::remote::Remote, std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>) -> Fut,
) -> anyhow::Result<(String, R)>
where
    Fut: std::future::Future<Output = anyhow::Result<R>>,
{
    let bar = super::progress::Bar::new(ctx, 0, label);
    let shown = bar.clone();
    let result = runtime()?.block_on(async {
        let remote = citelock::remote::Remote::connect(&config.remote).await?;
        let name = remote.name.clone();
        anyhow::Ok((name, op(remote, std::sync::Arc::new(move |d, t| shown.set_of(d, t))).await?))
    });
    bar.finish();
    result
}
