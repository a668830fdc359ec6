//! `citelock archive`.

use std::path::PathBuf;

use anyhow::{Context as _, bail};

use super::{Ctx, Outcome};
use citelock::archive::attach::{self, Attachment};
use citelock::archive::capture;

/// Keep snapshots of sources in archive/: attach a file you hold, or pin the capture that
/// claims are checked against. (Fetching URLs is not built yet.)
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("action").required(true)))]
pub struct Args {
    /// Attach FILE as a capture of KEY (`method: file`): for sources a bot cannot fetch, or
    /// copies you legitimately hold.
    #[arg(long, num_args = 2, value_names = ["KEY", "FILE"], group = "action")]
    attach: Option<Vec<String>>,
    /// Where the attached file came from (recorded as `source`).
    #[arg(long, requires = "attach")]
    source: Option<String>,
    /// The attached file's media type [default: from its extension].
    #[arg(long, requires = "attach")]
    content_type: Option<String>,
    /// Pin a capture of KEY (the newest snapshot, or ID): claims are checked against it.
    #[arg(long, num_args = 1..=2, value_names = ["KEY", "ID"], group = "action")]
    pin: Option<Vec<String>>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let archive = repo.archive();
    let (library, _) = citelock::library::Library::load(&repo)?;
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
    } else if let Some(v) = args.pin {
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
        let current = capture::current(&archive.captures(key)?).map(|c| c.id.clone()).unwrap_or_default();
        ctx.status(&format!("pinned capture {current} of `{key}`"))?;
    }
    Ok(Outcome::Done { errors: false })
}
