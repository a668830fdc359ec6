//! `citelock render`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use citelock::check;
use citelock::export::Archived;
use citelock::export::csl::{self, Markup};
use citelock::export::render::{self, Resolved};
use citelock::findings::Code;
use citelock::report::{Report, Syntax};

use super::{Ctx, Loaded, Outcome};

/// The report with its citations formatted in a CSL style (author-date or numeric) and its
/// bibliography placed where it asks (`<!-- bibliography -->`, pandoc's `::: {#refs}`, a last
/// "References" heading) or at the end; each entry links to its archived copy.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report (Markdown or plain text with numbered markers; Typst and LaTeX read too).
    report: PathBuf,
    /// What to write [default: markdown for a Markdown report, else text].
    #[arg(long, value_enum)]
    to: Option<To>,
    /// A style hayagriva ships, by short name, or a .csl file [default: apa].
    #[arg(long, value_name = "NAME|FILE.csl")]
    style: Option<String>,
    /// The locale for the style, e.g. en-GB.
    #[arg(long, value_name = "xx-YY")]
    locale: Option<String>,
    /// Read the report as this syntax instead of guessing from its extension.
    #[arg(long, value_enum)]
    syntax: Option<Syntax>,
    /// Where to write [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum To {
    Markdown,
    Html,
    Latex,
    Text,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<Outcome> {
    let Loaded { repo, config, library, mut findings } = ctx.load()?;
    let path = ctx.cwd.join(&args.report);
    let input =
        check::input(repo.root(), &path, args.syntax).with_context(|| format!("cannot read {}", path.display()))?;
    let to = args.to.unwrap_or(match input.syntax {
        Syntax::Markdown => To::Markdown,
        Syntax::Latex => To::Latex,
        _ => To::Text,
    });
    let outcome = check::check(&repo, &library, std::slice::from_ref(&input), &[], check::evidence::Settings::off());
    findings.extend(
        outcome.findings.into_iter().filter(|f| matches!(f.code, Code::UnknownCitation | Code::ImplicitNumbering)),
    );
    let report = Report::parse(input.text.clone(), input.syntax);
    // Claims come in marker order, one per cite: pair them back up.
    let mut claims = outcome.claims.iter();
    let mut resolved = Vec::new();
    for (i, marker) in report.markers.iter().enumerate() {
        let mut items = Vec::new();
        for (claim, cite) in claims.by_ref().take(marker.cites.len()).zip(&marker.cites) {
            if let Some(record) = claim.key.as_deref().and_then(|k| library.get(k)) {
                items.push((&*record.entry, claim.locator.as_deref(), cite.form));
            }
        }
        if !items.is_empty() {
            resolved.push(Resolved { marker: i, items });
        }
    }
    let name = args.style.as_deref().or(config.export.style.as_deref()).unwrap_or("apa");
    let locale = args.locale.as_deref().or(config.export.locale.as_deref());
    let styled = csl::load_style(name, &ctx.cwd, locale).map_err(anyhow::Error::msg)?;
    let base = config.export.archive_base_url.clone();
    let archived = |key: &str| Archived::of(&repo, base.as_deref(), key);
    let markup = match to {
        To::Text => Markup::Text,
        To::Latex => Markup::Latex,
        To::Markdown | To::Html => Markup::Markdown,
    };
    let mut text = render::render(&report, &resolved, &styled, markup, &archived, &library);
    if to == To::Html {
        // Robust Links: a cited source's link carries its archived copy and date.
        let mut versions = std::collections::HashMap::new();
        for item in resolved.iter().flat_map(|r| &r.items) {
            if let (Some(url), Some(a)) = (item.0.url(), archived(item.0.key())) {
                versions.insert(url.value.to_string(), a);
            }
        }
        let events = pulldown_cmark::Parser::new(&text).map(|event| match &event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => {
                match versions.get(dest_url.as_ref()) {
                    Some(a) => pulldown_cmark::Event::Html(
                        format!(
                            "<a href=\"{}\" data-versionurl=\"{}\" data-versiondate=\"{}\">",
                            citelock::findings::escape(dest_url),
                            citelock::findings::escape(&a.location),
                            citelock::findings::escape(&a.date)
                        )
                        .into(),
                    ),
                    None => event,
                }
            }
            _ => event,
        });
        let mut body = String::new();
        pulldown_cmark::html::push_html(&mut body, events);
        let title = citelock::findings::escape(&input.name);
        text = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n{body}</body></html>\n"
        );
    }
    match &args.output {
        Some(out) => {
            let out = ctx.cwd.join(out);
            citelock::atomic::write(&out, text.as_bytes())
                .with_context(|| format!("cannot write {}", out.display()))?;
            ctx.emit(&repo, "render", &findings)?;
            ctx.status(&format!("wrote {} ({} citations, style {})", out.display(), resolved.len(), styled.title))?;
        }
        None => {
            std::io::stdout().lock().write_all(text.as_bytes())?;
            if !findings.items().is_empty() && !ctx.quiet {
                let context = citelock::findings::Context { root: repo.root(), command: "render", color: true };
                citelock::findings::write(
                    citelock::findings::Format::Human,
                    &findings,
                    &context,
                    &mut anstream::stderr().lock(),
                )?;
            }
        }
    }
    Ok(Outcome::Done { errors: findings.has_errors() })
}
