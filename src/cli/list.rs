//! `citelock list`.

use std::io::Write;

use super::{Ctx, Loaded, Outcome};
use citelock::library::type_name;

/// List the references: key, type, year, title and where each is defined.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to print.
    #[arg(long, value_enum, default_value_t = To::Table)]
    to: To,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum To {
    /// Aligned columns.
    Table,
    /// One key per line.
    Keys,
    /// A JSON array of {key, type, year, title, file, line}.
    Json,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let Loaded { repo, library, findings, .. } = ctx.load()?;
    let rows: Vec<[String; 5]> = library
        .records
        .iter()
        .map(|r| {
            let e = &r.entry;
            let year = e.date().or_else(|| e.parents().first().and_then(|p| p.date())).map(|d| d.year.to_string());
            [
                e.key().to_owned(),
                type_name(e.entry_type()),
                year.unwrap_or_default(),
                e.title().map(|t| t.value.to_string()).unwrap_or_default(),
                library.location(r).display(),
            ]
        })
        .collect();
    let mut out = std::io::stdout().lock();
    match args.to {
        To::Keys => {
            for row in &rows {
                writeln!(out, "{}", row[0])?;
            }
        }
        To::Json => {
            let items: Vec<_> = rows
                .iter()
                .map(|[key, ty, year, title, at]| {
                    serde_json::json!({"key": key, "type": ty, "year": year, "title": title, "at": at})
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
        To::Table => {
            let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            let (wk, wt, wy) = (width(0), width(1), width(2));
            for [key, ty, year, title, at] in &rows {
                let title: String = if title.chars().count() > 60 {
                    title.chars().take(59).chain(['…']).collect()
                } else {
                    title.clone()
                };
                writeln!(out, "{key:wk$}  {ty:wt$}  {year:wy$}  {title}  ({at})")?;
            }
        }
    }
    drop(out);
    if !findings.items().is_empty() {
        // Loading problems go to stderr so that stdout stays a clean list.
        let ctx_w = citelock::findings::Context { root: repo.root(), command: "list", color: true };
        citelock::findings::write(citelock::findings::Format::Human, &findings, &ctx_w, &mut anstream::stderr())?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
