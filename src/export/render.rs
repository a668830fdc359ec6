//! A report with its citations formatted by a CSL style and its
//! bibliography placed where it asks (a `<!-- bibliography -->` line, pandoc's
//! `::: {#refs}` div, or a closing "References" heading with nothing under
//! it), else at the end. Each entry with a snapshot links to its archived copy.

use hayagriva::Entry;

use super::Archived;
use super::csl::{self, Cite, Markup, Styled};
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
) -> String {
    let cites: Vec<Cite> = resolved.iter().map(|r| Cite { items: r.items.clone() }).collect();
    let out = csl::render(styled, &cites, markup);
    let mut text = String::with_capacity(report.text.len() + 1024);
    let mut at = 0;
    for (r, citation) in resolved.iter().zip(&out.citations) {
        let span = report.markers[r.marker].span;
        text.push_str(&report.text[at..span.start]);
        text.push_str(citation);
        at = span.end;
    }
    text.push_str(&report.text[at..]);
    let mut list = String::new();
    for (key, entry) in &out.bibliography {
        list.push_str(entry);
        if let Some(a) = archived(key) {
            list.push_str(&a.note(markup));
        }
        list.push_str("\n\n");
    }
    place(&text, list.trim_end(), markup)
}

/// Puts the bibliography where the report asks for it, else at the end.
fn place(text: &str, list: &str, markup: Markup) -> String {
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
    }
}
