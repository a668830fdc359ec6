//! A report with its citations formatted by a CSL style and its
//! bibliography placed where it asks (a `<!-- bibliography -->` line, pandoc's
//! `::: {#refs}` div, or a closing "References" heading with nothing under
//! it), else at the end. Each entry with a snapshot links to its archived
//! copy, and prints its URL as written.

use hayagriva::Entry;

use super::csl::{self, Cite, Markup, Styled};
use super::{Archived, kept};
use crate::report::{Form, Report};

/// A resolved citation of the report: its marker's index, and for each cite
/// the entry and locator (`None` when the cite did not resolve).
pub struct Resolved<'a> {
    /// Index into the report's markers.
    pub marker: usize,
    /// The cites that resolved, with how each reads.
    pub items: Vec<(&'a Entry, Option<&'a str>, Form)>,
}

/// The rendered report.
pub fn render(
    report: &Report,
    resolved: &[Resolved<'_>],
    styled: &Styled,
    markup: Markup,
    archived: &dyn Fn(&str) -> Option<Archived>,
    library: &crate::library::Library,
) -> String {
    // A narrative citation inside another's suffix (`[@a, @b]`) is rendered
    // on its own and read as part of the preceding cite's locator, as
    // pandoc prints it: (A 2020, B (2019)).
    let nested: Vec<(usize, usize)> = resolved
        .iter()
        .enumerate()
        .flat_map(|(r, res)| {
            res.items.iter().enumerate().filter_map(move |(k, item)| {
                (k > 0 && item.2 == Form::Prose && res.items[..k].iter().any(|i| i.2 != Form::Prose)).then_some((r, k))
            })
        })
        .collect();
    // First pass: each nested citation as a citation of its own, right after
    // its host, so numeric styles number it where it stands.
    let originals: Vec<Vec<Option<&str>>> = resolved.iter().map(|r| r.items.iter().map(|i| i.1).collect()).collect();
    let alone: Vec<String> = if nested.is_empty() {
        Vec::new()
    } else {
        let (split, _, alone_at) = split_nested(resolved, &nested, &originals, None);
        let first = csl::render(styled, &split, markup).citations;
        alone_at.iter().map(|&i| first[i].clone()).collect()
    };
    // Second pass: the host's locator holds a placeholder, replaced after
    // rendering (a style would merge the nested citation's closing
    // parenthesis with its own); the nested cite stays, hidden, so that it
    // is cited (and numbered) where it stands.
    let placeholder = |n: usize| format!("\u{e000}{n}\u{e001}");
    let mut locators: Vec<Vec<Option<String>>> =
        originals.iter().map(|r| r.iter().map(|l| l.map(str::to_owned)).collect()).collect();
    for (n, &(r, k)) in nested.iter().enumerate() {
        let host = (0..k).rev().find(|j| !nested.contains(&(r, *j))).unwrap_or(0);
        let host = &mut locators[r][host];
        *host = Some(match host.take() {
            Some(l) => format!("{l}, {}", placeholder(n)),
            None => placeholder(n),
        });
    }
    let locators: Vec<Vec<Option<&str>>> = locators.iter().map(|r| r.iter().map(Option::as_deref).collect()).collect();
    let (cites, host_at, _) = split_nested(resolved, &nested, &locators, Some(Form::Hidden));
    let mut out = csl::render(styled, &cites, markup);
    kept::printed(&mut out.bibliography, library, markup);
    for citation in out.citations.iter_mut().filter(|c| c.contains('\u{e000}')) {
        for (n, text) in alone.iter().enumerate() {
            *citation = citation.replace(&placeholder(n), text);
        }
    }
    let mut text = String::with_capacity(report.text.len() + 1024);
    let mut at = 0;
    for (r, &at_cite) in resolved.iter().zip(&host_at) {
        let citation = &out.citations[at_cite];
        let span = report.markers[r.marker].span;
        text.push_str(&report.text[at..span.start]);
        text.push_str(citation);
        at = span.end;
    }
    text.push_str(&report.text[at..]);
    let entries: Vec<String> = out
        .bibliography
        .iter()
        .map(|(key, entry)| format!("{entry}{}", archived(key).map(|a| a.note(markup)).unwrap_or_default()))
        .collect();
    place(&text, &list(&entries, markup), markup)
}

/// The citations to render: each marker's cites, with the nested ones
/// (`nested`: (marker, item)) each in a citation of its own right after
/// its host's, in `form` when given. Returns them, where each marker's
/// citation is, and where each nested one is.
fn split_nested<'a>(
    resolved: &[Resolved<'a>],
    nested: &[(usize, usize)],
    locators: &[Vec<Option<&'a str>>],
    form: Option<Form>,
) -> (Vec<Cite<'a>>, Vec<usize>, Vec<usize>) {
    let (mut cites, mut host_at, mut alone_at) = (Vec::new(), Vec::new(), Vec::new());
    for (r, res) in resolved.iter().enumerate() {
        let item = |k: usize| (res.items[k].0, locators[r][k], res.items[k].2);
        let (inner, outer): (Vec<usize>, Vec<usize>) = (0..res.items.len()).partition(|k| nested.contains(&(r, *k)));
        host_at.push(cites.len());
        cites.push(Cite { items: outer.into_iter().map(item).collect() });
        for k in inner {
            alone_at.push(cites.len());
            let (entry, locator, own) = item(k);
            cites.push(Cite { items: vec![(entry, locator, form.unwrap_or(own))] });
        }
    }
    (cites, host_at, alone_at)
}

/// A bibliography's entries as one block of the markup: paragraphs, or for
/// LaTeX a list with hanging indents.
pub fn list(entries: &[String], markup: Markup) -> String {
    if markup != Markup::Latex {
        return entries.join("\n\n");
    }
    let items: String = entries.iter().map(|e| format!("\\item {e}\n")).collect();
    format!(
        "\\begin{{list}}{{}}{{\\setlength{{\\leftmargin}}{{2em}}\\setlength{{\\itemindent}}{{-2em}}}}\n{items}\\end{{list}}"
    )
}

/// Puts the bibliography where the report asks for it, else at the end.
fn place(text: &str, list: &str, markup: Markup) -> String {
    if markup == Markup::Latex {
        return place_latex(text, list);
    }
    for marker in ["<!-- bibliography -->", "::: {#refs}\n:::"] {
        if let Some(i) = text.find(marker) {
            return format!("{}{list}{}", &text[..i], &text[i + marker.len()..]);
        }
    }
    let trimmed = text.trim_end();
    let last_line = trimmed.rsplit('\n').next().unwrap_or("");
    let heading = last_line.trim_start_matches('#').trim().to_lowercase();
    if matches!(heading.as_str(), "references" | "bibliography" | "works cited" | "sources") {
        return format!("{trimmed}\n\n{list}\n");
    }
    let title = match markup {
        Markup::Markdown => "## References",
        _ => "References",
    };
    format!("{trimmed}\n\n{title}\n\n{list}\n")
}

/// In LaTeX: at `\\printbibliography` or `\\bibliography{…}` (now without
/// a bibliography to print), else before `\\end{document}`, under a
/// starred section.
fn place_latex(text: &str, list: &str) -> String {
    let block = format!("\\section*{{References}}\n{list}\n");
    for command in ["\\printbibliography", "\\bibliography{"] {
        if let Some(i) = text.find(command) {
            let rest = &text[i + command.len()..];
            let end = match command {
                // `\printbibliography[heading=…]`: its options go with it.
                "\\printbibliography" if rest.starts_with('[') => rest.find(']').map_or(0, |e| e + 1),
                "\\printbibliography" => 0,
                _ => rest.find('}').map_or(0, |e| e + 1),
            };
            return format!("{}{block}{}", &text[..i], &rest[end..]);
        }
    }
    match text.rfind("\\end{document}") {
        Some(i) => format!("{}{block}{}", &text[..i], &text[i..]),
        None => format!("{}\n\n{block}", text.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bibliography_goes_where_the_report_asks() {
        let list = "A. (2020).";
        assert_eq!(
            place("Text.\n\n<!-- bibliography -->\n\nEnd.", list, Markup::Markdown),
            "Text.\n\nA. (2020).\n\nEnd."
        );
        assert_eq!(place("Text.\n\n## References\n", list, Markup::Markdown), "Text.\n\n## References\n\nA. (2020).\n");
        assert_eq!(place("Text.", list, Markup::Text), "Text.\n\nReferences\n\nA. (2020).\n");
        let tex = list_latex_once();
        assert_eq!(
            place("A.\n\\printbibliography[heading=none]\nB.\n", &tex, Markup::Latex),
            format!("A.\n\\section*{{References}}\n{tex}\n\nB.\n")
        );
        assert_eq!(
            place("A.\n\\bibliography{refs}\n\\end{document}\n", &tex, Markup::Latex),
            format!("A.\n\\section*{{References}}\n{tex}\n\n\\end{{document}}\n")
        );
        assert_eq!(
            place("A.\n\\end{document}\n", &tex, Markup::Latex),
            format!("A.\n\\section*{{References}}\n{tex}\n\\end{{document}}\n")
        );
    }

    fn list_latex_once() -> String {
        let tex = list(&["A. (2020).".to_owned()], Markup::Latex);
        assert!(
            tex.starts_with("\\begin{list}") && tex.contains("\\item A. (2020).\n") && tex.ends_with("\\end{list}")
        );
        tex
    }
}
