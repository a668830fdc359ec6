//! `citelock export`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use citelock::archive::capture;
use citelock::check;
use citelock::export::csl::{self, Markup};
use citelock::export::flat::Flat;
use citelock::export::{Archived, bibtex, csl_json, kept, ris, warc};
use citelock::findings::{Code, Finding};
use citelock::library::{Library, lint};
use citelock::repo::Repo;

use super::{Ctx, Loaded, Outcome, count};

/// The library, or a bibliography of it, in another format: a CSL style (text, HTML,
/// Markdown), BibTeX, BibLaTeX, CSL-JSON, RIS or hayagriva YAML.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these references (default: all, or those the --cited-in reports cite).
    keys: Vec<String>,
    /// What to write.
    #[arg(long, value_enum, default_value_t = To::Text)]
    to: To,
    /// A style hayagriva ships, by short name (apa, chicago-author-date, ieee, modern-language-association…),
    /// or a .csl file [default: apa].
    #[arg(long, value_name = "NAME|FILE.csl")]
    style: Option<String>,
    /// The locale for the style, e.g. en-GB, de-DE, or a CSL locale file (locales-xx-YY.xml) in place of
    /// the bundled one of its language.
    #[arg(long, value_name = "xx-YY|FILE.xml")]
    locale: Option<String>,
    /// Only the references these reports cite, in the order they are first cited.
    #[arg(long, value_name = "REPORT", num_args = 1..)]
    cited_in: Vec<PathBuf>,
    /// Add where each entry's archived copy is (BibLaTeX `addendum`, CSL `archive_location`,
    /// RIS `AN`, hayagriva `archive-location`, a sentence in formatted bibliographies).
    #[arg(long)]
    with_archive: bool,
    /// Where to write [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Render every entry afresh instead of reusing .citelock/cache/render/.
    #[arg(long)]
    no_cache: bool,
    /// With --to warc: first pull the snapshots this checkout lacks from the remote archive.
    #[arg(long)]
    pull: bool,
    /// List the styles hayagriva ships and exit.
    #[arg(long, exclusive = true)]
    list_styles: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum To {
    Text,
    Html,
    Markdown,
    Latex,
    Bibtex,
    Biblatex,
    CslJson,
    Ris,
    Yaml,
    Warc,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    if args.list_styles {
        let mut out = std::io::stdout().lock();
        for (names, title) in csl::style_names() {
            writeln!(out, "{:<40} {title}", names.join(", "))?;
        }
        return Ok(Outcome::Done { errors: false });
    }
    let Loaded { repo, config, library, mut findings } = ctx.load()?;
    let keys = chosen_keys(ctx, &repo, &library, &args, &mut findings)?;
    if args.to == To::Warc {
        if args.pull {
            let problems = super::pull::pull(ctx, &config, &repo.archive(), &keys, false)?;
            if let Some(f) = problems.first() {
                bail!("--pull: {} ({})", f.message, f.code.name());
            }
        }
        return warc(ctx, &repo, &keys, args.output.as_deref());
    }
    let entries: Vec<&hayagriva::Entry> = keys.iter().filter_map(|k| library.get(k)).map(|r| &*r.entry).collect();
    let archived: Vec<Option<Archived>> = if args.with_archive {
        keys.iter().map(|k| Archived::of(&repo, config.export.archive_base_url.as_deref(), k)).collect()
    } else {
        keys.iter().map(|_| None).collect()
    };
    let text = match args.to {
        To::Text | To::Html | To::Markdown | To::Latex => {
            let markup = match args.to {
                To::Html => Markup::Html,
                To::Markdown => Markup::Markdown,
                To::Latex => Markup::Latex,
                _ => Markup::Text,
            };
            for (key, entry) in keys.iter().zip(&entries) {
                for (field, help) in lint::missing_fields(entry) {
                    let record = library.get(key).expect("chosen keys exist");
                    findings.push(
                        Finding::new(
                            Code::MissingField,
                            format!("`{key}` has no {field}; the style renders what it can"),
                        )
                        .at(library.location(record))
                        .help(help)
                        .data("key", key.clone())
                        .data("field", field),
                    );
                }
            }
            let name = args.style.as_deref().or(config.export.style.as_deref()).unwrap_or("apa");
            let locale = args.locale.as_deref().or(config.export.locale.as_deref());
            let mut styled = csl::load_style(name, &ctx.cwd, locale).map_err(anyhow::Error::msg)?;
            styled.year_ends = library.year_ends();
            let cache = (!args.no_cache).then(|| repo.cache_dir());
            let mut rendered = csl::bibliography(&styled, &entries, markup, cache.as_deref());
            kept::printed(&mut rendered.items, &library, markup);
            if rendered.reused > 0 {
                ctx.status(&format!(
                    "reused {} of {} rendered chunks from the cache",
                    rendered.reused, rendered.chunks
                ))?;
            }
            formatted(&rendered.items, &keys, &archived, markup, &styled.title)
        }
        To::Bibtex | To::Biblatex | To::CslJson | To::Ris => {
            let flat: Vec<(Flat, Option<&Archived>)> =
                entries.iter().zip(&archived).map(|(e, a)| (Flat::of(e).as_written(&library), a.as_ref())).collect();
            match args.to {
                To::Bibtex => bibtex::write(&flat, bibtex::Dialect::Bibtex),
                To::Biblatex => bibtex::write(&flat, bibtex::Dialect::Biblatex),
                To::CslJson => csl_json::write(&flat),
                _ => ris::write(&flat),
            }
        }
        To::Warc => unreachable!("written above"),
        To::Yaml => {
            let mut out = Vec::with_capacity(entries.len());
            for (entry, a) in entries.iter().zip(&archived) {
                let mut entry = (*entry).clone();
                if let Some(a) = a {
                    entry.set_archive(hayagriva::types::FormatString::from(a.holder()));
                    entry.set_archive_location(hayagriva::types::FormatString::from(a.sentence()));
                }
                out.push(entry);
            }
            // With what the library keeps beside each entry: its URL as
            // written and its date range's end.
            citelock::library::edit::to_yaml_kept(&library, &out)
        }
    };
    match &args.output {
        Some(path) => {
            let path = ctx.cwd.join(path);
            citelock::atomic::write(&path, text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            ctx.status(&format!("wrote {} to {}", count(entries.len(), "entry", "entries"), path.display()))?;
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    if args.output.is_some() {
        ctx.emit(&repo, "export", &findings)?;
    } else if !findings.items().is_empty() && !ctx.quiet {
        // Standard output is the export: findings go to stderr, as text.
        let context = citelock::findings::Context { root: repo.root(), command: "export", color: true };
        let mut err = anstream::stderr().lock();
        citelock::findings::write(citelock::findings::Format::Human, &findings, &context, &mut err)?;
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}

/// Every snapshot of the keys as a WARC file, written atomically.
fn warc(ctx: &Ctx, repo: &Repo, keys: &[String], out: Option<&std::path::Path>) -> anyhow::Result<Outcome> {
    let Some(out) = out else { bail!("--to warc writes a file: give -o OUT.warc.gz") };
    let out = ctx.cwd.join(out);
    let archive = repo.archive();
    let mut captures = Vec::new();
    for key in keys {
        captures.extend(archive.captures(key)?.into_iter().filter(|c| c.is_snapshot()));
    }
    let objects: Vec<std::path::PathBuf> =
        captures.iter().map(|c| archive.object_path(c.sha256.as_deref().expect("snapshots have objects"))).collect();
    if let Some((c, _)) = captures.iter().zip(&objects).find(|(_, o)| !o.exists()) {
        bail!(
            "the snapshot {} of `{}` is not in this checkout (missing-object): `citelock pull {}` fetches it",
            c.id,
            c.key,
            c.key
        );
    }
    let snapshots: Vec<warc::Snapshot> =
        captures.iter().zip(&objects).map(|(capture, object)| warc::Snapshot { capture, object }).collect();
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let records = citelock::atomic::write_with(&out, |mut w| warc::write(&mut w, &name, &capture::now(), &snapshots))
        .with_context(|| format!("cannot write {}", out.display()))?;
    ctx.status(&format!("wrote {records} WARC records ({} snapshots) to {}", snapshots.len(), out.display()))?;
    Ok(Outcome::Done { errors: false })
}

/// The keys to export, in order: named, else those the reports cite, else all.
fn chosen_keys(
    ctx: &Ctx,
    repo: &Repo,
    library: &Library,
    args: &Args,
    findings: &mut citelock::findings::Findings,
) -> anyhow::Result<Vec<String>> {
    if !args.keys.is_empty() {
        for k in &args.keys {
            if library.get(k).is_none() {
                bail!("no reference with key `{k}`");
            }
        }
        return Ok(args.keys.clone());
    }
    if args.cited_in.is_empty() {
        return Ok(library.records.iter().map(|r| r.entry.key().to_owned()).collect());
    }
    let mut inputs = Vec::new();
    for path in &args.cited_in {
        let path = ctx.cwd.join(path);
        inputs.push(check::input(repo.root(), &path, None).with_context(|| format!("cannot read {}", path.display()))?);
    }
    let outcome = check::check(repo, library, &inputs, &[], check::evidence::Settings::off());
    findings.extend(outcome.findings.into_iter().filter(|f| f.code == Code::UnknownCitation));
    let mut keys: Vec<String> = Vec::new();
    for claim in outcome.claims {
        if let Some(k) = claim.key
            && !keys.contains(&k)
        {
            keys.push(k);
        }
    }
    Ok(keys)
}

/// A formatted bibliography with each entry's archived copy.
fn formatted(
    list: &[(String, String)],
    keys: &[String],
    archived: &[Option<Archived>],
    markup: Markup,
    title: &str,
) -> String {
    let copy = |key: &str| keys.iter().position(|k| k == key).and_then(|i| archived[i].as_ref());
    let mut out = String::new();
    match markup {
        Markup::Html => {
            out.push_str(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Bibliography</title></head><body>\n",
            );
            out.push_str(&format!(
                "<div class=\"csl-bib-body\" data-style=\"{}\">\n",
                citelock::findings::escape(title)
            ));
            for (key, text) in list {
                // An entry set in two columns (second-field-align) takes its
                // archived copy into its text column.
                let (text, close) = match text.strip_suffix("</div>") {
                    Some(inner) if text.contains("csl-right-inline") => (inner, "</div>"),
                    _ => (text.as_str(), ""),
                };
                out.push_str(&format!(
                    "<div class=\"csl-entry\" id=\"ref-{}\">{text}",
                    citelock::findings::escape(key)
                ));
                if let Some(a) = copy(key) {
                    out.push_str(&format!(
                        " <span class=\"archived\"><a href=\"{}\">{}</a></span>",
                        citelock::findings::escape(&a.location),
                        citelock::findings::escape(&a.sentence())
                    ));
                }
                out.push_str(close);
                out.push_str("</div>\n");
            }
            out.push_str("</div>\n</body></html>\n");
        }
        Markup::Markdown | Markup::Text | Markup::Latex => {
            let entries: Vec<String> = list
                .iter()
                .map(|(key, text)| format!("{text}{}", copy(key).map(|a| a.note(markup)).unwrap_or_default()))
                .collect();
            out.push_str(&citelock::export::render::list(&entries, markup));
            out.push('\n');
        }
    }
    out
}
