//! `citelock show`.

use std::io::Write;

use anyhow::bail;

use super::{Ctx, Outcome};
use citelock::archive::capture;
use citelock::library::Library;

/// Show one reference: its YAML exactly as written, with its file and line.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The citation key.
    key: String,
    /// What to print.
    #[arg(long, value_enum, default_value_t = To::Yaml)]
    to: To,
    /// Print the text of the current snapshot instead (as extracted, before normalisation).
    #[arg(long, conflicts_with = "to")]
    text: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum To {
    /// The entry's lines from its references file.
    Yaml,
    /// The entry as hayagriva reads it, as JSON (shows what hayagriva keeps).
    Json,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let repo = ctx.repo();
    let (library, _) = Library::load(&repo)?;
    let Some(record) = library.get(&args.key) else {
        let near = library
            .records
            .iter()
            .map(|r| (r.entry.key(), strsim::jaro_winkler(r.entry.key(), &args.key)))
            .filter(|(_, s)| *s > 0.85)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match near {
            Some((k, _)) => bail!("no reference with key `{}` (did you mean `{k}`?)", args.key),
            None => bail!("no reference with key `{}` (`citelock list --to keys` lists them)", args.key),
        }
    };
    let mut out = std::io::stdout().lock();
    let archive = repo.archive();
    let captures = archive.captures(&args.key)?;
    if args.text {
        let Some(c) = capture::current(&captures) else { bail!("`{}` has no snapshot yet", args.key) };
        let Some(text) = archive.text(&repo.cache_dir(), c) else {
            let content_type = c.content_type.as_deref().unwrap_or("application/octet-stream");
            bail!("no text can be extracted from the snapshot of `{}` ({content_type})", args.key)
        };
        write!(out, "{}", text.text)?;
        return Ok(Outcome::Done { errors: false });
    }
    match args.to {
        To::Yaml => {
            let item = library.item(record);
            let file = &library.files[record.file];
            writeln!(out, "# {}", library.location(record).display())?;
            for line in file.text.lines().skip(item.line - 1).take(item.last_line + 1 - item.line) {
                writeln!(out, "{line}")?;
            }
            for c in &captures {
                let what = match (&c.error, c.pinned) {
                    (Some(e), _) => format!("failed: {e}"),
                    (None, true) => "pinned".to_owned(),
                    (None, false) => format!("{} bytes", c.length.unwrap_or(0)),
                };
                writeln!(out, "# capture {} ({}, {}): {what}", c.id, c.method.name(), c.captured)?;
            }
        }
        To::Json => {
            let mut value = serde_json::Value::Object(citelock::library::edit::entry_value(&record.entry));
            value["key"] = record.entry.key().into();
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Done { errors: false })
}
