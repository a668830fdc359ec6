//! The fetch policy flags, shared by every command that goes online.

use std::path::PathBuf;

use citelock::config::Config;
use citelock::fetch;
use citelock::library::import::online;

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

impl NetArgs {
    /// The client options: flags over `[fetch]` in citelock.toml over defaults.
    pub fn options(&self, ctx: &Ctx, root: &std::path::Path, config: &Config) -> anyhow::Result<fetch::Options> {
        let mut o = online::client_options(config, root).map_err(anyhow::Error::msg)?;
        for origin in &self.allow_host {
            o.policy.allow_hosts.push(online::parse_origin(origin).map_err(|e| anyhow::anyhow!("--{e}"))?);
        }
        o.policy.allow_private |= self.allow_private;
        if let Some(p) = &self.ca_file {
            o.ca_file = Some(ctx.cwd.join(p));
        }
        Ok(o)
    }
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
