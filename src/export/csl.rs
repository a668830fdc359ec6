//! Bibliographies and citations through hayagriva's CSL engine: styles by
//! short name (the 80 hayagriva ships) or from a `.csl` file, locales, and our
//! own writer for its output tree, which escapes text for HTML and Markdown
//! (hayagriva's own HTML writer does not).

use std::fmt::Write as _;

use hayagriva::archive::{ArchivedStyle, locales};
use hayagriva::citationberg::{
    Display, FontStyle, FontVariant, FontWeight, IndependentStyle, Locale, LocaleCode, Style, TextDecoration,
    VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild, ElemChildren, Entry, Formatting,
    LocatorPayload, SpecificLocator,
};

use crate::findings::escape;

/// What rendered text is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// Plain text.
    Text,
    /// HTML, text escaped.
    Html,
    /// Markdown, text escaped.
    Markdown,
}

/// A style ready to render, and what it is called.
pub struct Styled {
    /// The style.
    pub style: IndependentStyle,
    /// Its title.
    pub title: String,
    /// The locales to choose from.
    pub locales: Vec<Locale>,
    /// The locale asked for.
    pub locale: Option<LocaleCode>,
}

/// Every bundled style: its short names and title.
pub fn style_names() -> Vec<(&'static [&'static str], &'static str)> {
    ArchivedStyle::all().iter().map(|s| (s.names(), s.display_name())).collect()
}

/// A bundled style by short name, or a `.csl` file by path (anything ending
/// in `.csl` or naming an existing file). Errors list close names.
pub fn load_style(name: &str, base: &std::path::Path, locale: Option<&str>) -> Result<Styled, String> {
    let path = base.join(name);
    let style = if name.ends_with(".csl") || path.is_file() {
        let xml = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        match IndependentStyle::from_xml(&xml) {
            Ok(s) => s,
            Err(e) => return Err(format!("{} is not a usable CSL style: {e}", path.display())),
        }
    } else {
        let Some(archived) = ArchivedStyle::by_name(name) else {
            return Err(unknown_style(name));
        };
        match archived.get() {
            Style::Independent(s) => s,
            Style::Dependent(_) => return Err(format!("style `{name}` depends on another style")),
        }
    };
    if style.bibliography.is_none() {
        return Err(format!("the style `{}` defines no bibliography", style.info.title.value));
    }
    let locales = locales();
    let locale = match locale {
        Some(code) => {
            let code = LocaleCode(code.to_owned());
            if !locales.iter().any(|l| l.lang.as_ref() == Some(&code)) {
                let known: Vec<String> = locales.iter().filter_map(|l| l.lang.as_ref().map(|c| c.0.clone())).collect();
                return Err(format!("unknown locale `{}` (known: {})", code.0, known.join(", ")));
            }
            Some(code)
        }
        None => None,
    };
    Ok(Styled { title: style.info.title.value.clone(), style, locales, locale })
}

fn unknown_style(name: &str) -> String {
    let mut near: Vec<(f64, &str)> = ArchivedStyle::all()
        .iter()
        .flat_map(|s| s.names().iter().copied())
        .map(|n| (strsim::jaro_winkler(&name.to_lowercase(), n), n))
        .filter(|(score, n)| *score > 0.8 || n.contains(&name.to_lowercase()))
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    let near: Vec<&str> = near.into_iter().take(5).map(|(_, n)| n).collect();
    let hint = if near.is_empty() { String::new() } else { format!("; did you mean {}?", near.join(", ")) };
    format!("unknown style `{name}` (`citelock export --list-styles` lists them, or give a .csl file){hint}")
}

/// One citation to render: entries with their locators (a page, `ch. 2`).
pub struct Cite<'a> {
    /// The cited entries and locators.
    pub items: Vec<(&'a Entry, Option<&'a str>)>,
}

/// What a render produced: each citation's text, and the bibliography's
/// entries in the style's order with their keys.
pub struct Output {
    /// The citations, in request order.
    pub citations: Vec<String>,
    /// (key, formatted entry).
    pub bibliography: Vec<(String, String)>,
}

/// Renders citations and the bibliography of the entries they cite.
pub fn render(styled: &Styled, cites: &[Cite<'_>], markup: Markup) -> Output {
    let mut driver = BibliographyDriver::new();
    for cite in cites {
        let items = cite
            .items
            .iter()
            .map(|(entry, locator)| {
                let locator = locator.map(|l| {
                    SpecificLocator(hayagriva::citationberg::taxonomy::Locator::Custom, LocatorPayload::Str(l))
                });
                CitationItem::with_locator(*entry, locator)
            })
            .collect();
        driver.citation(CitationRequest::new(items, &styled.style, styled.locale.clone(), &styled.locales, None));
    }
    let rendered = driver.finish(BibliographyRequest::new(&styled.style, styled.locale.clone(), &styled.locales));
    let citations = rendered.citations.iter().map(|c| write(&c.citation, markup)).collect();
    let bibliography = rendered
        .bibliography
        .map(|b| {
            b.items
                .into_iter()
                .map(|item| {
                    let mut text = String::new();
                    if let Some(first) = &item.first_field {
                        write_child(first, markup, &mut text);
                        text.push(' ');
                    }
                    write_children(&item.content, markup, &mut text);
                    (item.key, text.trim().to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    Output { citations, bibliography }
}

/// A bibliography of `entries` alone, each cited once.
pub fn bibliography(styled: &Styled, entries: &[&Entry], markup: Markup) -> Vec<(String, String)> {
    let cites: Vec<Cite> = entries.iter().map(|e| Cite { items: vec![(*e, None)] }).collect();
    render(styled, &cites, markup).bibliography
}

fn write(children: &ElemChildren, markup: Markup) -> String {
    let mut out = String::new();
    write_children(children, markup, &mut out);
    out
}

fn write_children(children: &ElemChildren, markup: Markup, out: &mut String) {
    for child in &children.0 {
        write_child(child, markup, out);
    }
}

fn write_child(child: &ElemChild, markup: Markup, out: &mut String) {
    match child {
        ElemChild::Text(t) => styled_text(&t.text, &t.formatting, markup, out),
        ElemChild::Markup(m) => text(m, markup, out),
        ElemChild::Link { text: t, url } => match markup {
            Markup::Html => {
                let _ = write!(out, "<a href=\"{}\">", escape(url));
                styled_text(&t.text, &t.formatting, markup, out);
                out.push_str("</a>");
            }
            Markup::Markdown => {
                out.push('[');
                styled_text(&t.text, &t.formatting, markup, out);
                let _ = write!(out, "](<{}>)", url.replace('>', "%3E"));
            }
            Markup::Text => styled_text(&t.text, &t.formatting, markup, out),
        },
        ElemChild::Elem(e) => {
            let block = matches!(e.display, Some(Display::Block));
            if markup == Markup::Html && e.display.is_some() {
                let class = match e.display {
                    Some(Display::Block) => "csl-block",
                    Some(Display::LeftMargin) => "csl-left-margin",
                    Some(Display::RightInline) => "csl-right-inline",
                    _ => "csl-indent",
                };
                let _ = write!(out, "<div class=\"{class}\">");
                write_children(&e.children, markup, out);
                out.push_str("</div>");
            } else {
                if block && !out.is_empty() {
                    out.push(if markup == Markup::Text { '\n' } else { ' ' });
                }
                write_children(&e.children, markup, out);
            }
        }
        ElemChild::Transparent { .. } => {}
    }
}

/// Text with its formatting, escaped for the markup.
fn styled_text(t: &str, f: &Formatting, markup: Markup, out: &mut String) {
    let (open, close): (Vec<&str>, Vec<&str>) = match markup {
        Markup::Text => (vec![], vec![]),
        Markup::Html => {
            let mut o = Vec::new();
            let mut c = Vec::new();
            if f.font_style == FontStyle::Italic {
                o.push("<i>");
                c.push("</i>");
            }
            if f.font_weight == FontWeight::Bold {
                o.push("<b>");
                c.push("</b>");
            }
            if f.font_variant == FontVariant::SmallCaps {
                o.push("<span style=\"font-variant: small-caps\">");
                c.push("</span>");
            }
            if f.text_decoration == TextDecoration::Underline {
                o.push("<u>");
                c.push("</u>");
            }
            match f.vertical_align {
                VerticalAlign::Sup => {
                    o.push("<sup>");
                    c.push("</sup>");
                }
                VerticalAlign::Sub => {
                    o.push("<sub>");
                    c.push("</sub>");
                }
                _ => {}
            }
            c.reverse();
            (o, c)
        }
        Markup::Markdown => {
            let mut o = Vec::new();
            if f.font_style == FontStyle::Italic {
                o.push("*");
            }
            if f.font_weight == FontWeight::Bold {
                o.push("**");
            }
            let mut c = o.clone();
            c.reverse();
            (o, c)
        }
    };
    if open.is_empty() || t.trim().is_empty() {
        text(t, markup, out);
        return;
    }
    // Emphasis markers hug the words: leading and trailing spaces stay outside.
    let lead = &t[..t.len() - t.trim_start().len()];
    let trail = &t[t.trim_end().len()..];
    out.push_str(lead);
    open.iter().for_each(|o| out.push_str(o));
    text(t.trim(), markup, out);
    close.iter().for_each(|c| out.push_str(c));
    out.push_str(trail);
}

/// Text escaped for the markup.
fn text(t: &str, markup: Markup, out: &mut String) {
    match markup {
        Markup::Text => out.push_str(t),
        Markup::Html => out.push_str(&escape(t)),
        Markup::Markdown => {
            for c in t.chars() {
                if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '#' | '|') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(yaml: &str) -> Entry {
        hayagriva::io::from_yaml_str(yaml).unwrap().iter().next().unwrap().clone()
    }

    #[test]
    fn html_is_escaped_and_markdown_too() {
        let e = entry(
            "x:\n  type: article\n  title: 'A <script>alert(1)</script> & *stars*'\n  author: Doe, Jane\n  date: 2020\n",
        );
        let apa = load_style("apa", std::path::Path::new("."), None).unwrap();
        let html = &bibliography(&apa, &[&e], Markup::Html)[0].1;
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
        let md = &bibliography(&apa, &[&e], Markup::Markdown)[0].1;
        assert!(md.contains("\\<script\\>") && md.contains("\\*stars\\*"), "{md}");
        let text = &bibliography(&apa, &[&e], Markup::Text)[0].1;
        assert!(text.starts_with("Doe, J. (2020). A <script>"), "{text}");
    }

    #[test]
    fn unknown_styles_suggest_close_names() {
        let err = load_style("chicago-author", std::path::Path::new("."), None).err().unwrap();
        assert!(err.contains("chicago-author-date"), "{err}");
        let err = load_style("apa", std::path::Path::new("."), Some("xx-YY")).err().unwrap();
        assert!(err.contains("unknown locale"), "{err}");
    }
}
