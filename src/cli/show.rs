//! `citelock show`.

use std::io::Write;

use anyhow::bail;

use super::{Ctx, Outcome};
use citelock::library::Library;

/// Show one reference: its YAML exactly as written, with its file and line.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The citation key.
    key: String,
    /// What to print.
    #[arg(long, value_enum, default_value_t = To::Yaml)]
    to: To,
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
    match args.to {
        To::Yaml => {
            let item = library.item(record);
            let file = &library.files[record.file];
            writeln!(out, "# {}", library.location(record).display())?;
            for line in file.text.lines().skip(item.line - 1).take(item.last_line + 1 - item.line) {
                writeln!(out, "{line}")?;
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
