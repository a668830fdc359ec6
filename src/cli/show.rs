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
    /// With --text: only characters START to END (the offsets `trace` gives
    /// an evidence passage), with up to 200 characters of context either side,
    /// the passage itself between `>>>` and `<<<`.
    #[arg(long, requires = "text", value_name = "START:END", value_parser = parse_range)]
    range: Option<(usize, usize)>,
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s.split_once(':').ok_or("expected START:END (character offsets)")?;
    let (a, b): (usize, usize) = (
        a.trim().parse().map_err(|_| format!("`{a}` is not a character offset"))?,
        b.trim().parse().map_err(|_| format!("`{b}` is not a character offset"))?,
    );
    if a > b {
        return Err(format!("the range {a}:{b} ends before it starts"));
    }
    Ok((a, b))
}

/// Characters `start..end` of `text` with context, the passage marked.
fn excerpt(text: &str, start: usize, end: usize) -> Option<String> {
    const CONTEXT: usize = 200;
    let chars: Vec<char> = text.chars().collect();
    if end > chars.len() {
        return None;
    }
    let part = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    let before = part(start.saturating_sub(CONTEXT), start);
    let after = part(end, (end + CONTEXT).min(chars.len()));
    Some(format!("{before}>>>{}<<<{after}\n", part(start, end)))
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
        match args.range {
            Some((start, end)) => {
                let Some(shown) = excerpt(&text.text, start, end) else {
                    bail!(
                        "the range {start}:{end} is past the end of `{}`'s text ({} characters)",
                        args.key,
                        text.text.chars().count()
                    )
                };
                write!(out, "{shown}")?;
            }
            None => write!(out, "{}", text.text)?,
        }
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
