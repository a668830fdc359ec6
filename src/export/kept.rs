//! What the library keeps beside hayagriva's fields ([`Kept`]), printed in a
//! rendered bibliography, after the cache, in the text each markup prints:
//! - URLs as written. hayagriva holds an entry's URL parsed, and prints it
//!   normalised: `http://host:80/a` without its default port, `http://host`
//!   with a `/`, the spaces between several URLs in one field as `%20`. CSL
//!   processors print the URL as written, which the library keeps
//!   (`Record::url`). A link's target stays the parsed URL, the one that
//!   resolves.
//! - Year ranges. hayagriva holds one date; the library keeps a range's end
//!   as `date-end` (`Record::date_end`), and the entry's year is printed as
//!   the range citeproc-js prints (`1884–1886`, `1984–1986a` with a year
//!   suffix). A range within one year prints its start only.
//!
//! [`Kept`]: crate::library::written::Kept

use super::csl::{self, Markup};
use crate::library::Library;

/// `items` (key, rendered entry) with each entry's URL printed as written
/// and its year as its range.
pub fn printed(items: &mut [(String, String)], library: &Library, markup: Markup) {
    for (key, text) in items {
        if let Some((parsed, url)) = library.written_url(key) {
            *text = replaced(text, &csl::escaped(parsed, markup), &csl::escaped(url, markup));
        }
        if let Some(ranged) = library.year_range(key).and_then(|(start, end)| year_ranged(text, start, end)) {
            *text = ranged;
        }
    }
}

/// `text` with the first standalone `start` year (after a space, a bracket
/// or the start; before a year suffix, punctuation, a space or the end: not
/// inside a URL) followed by `–end`.
fn year_ranged(text: &str, start: i32, end: i32) -> Option<String> {
    let year = start.to_string();
    let at = text.match_indices(&year).map(|(i, _)| i).find(|&i| {
        let opens = text[..i].chars().next_back().is_none_or(|c| c.is_whitespace() || "([".contains(c));
        let rest = text[i + year.len()..].trim_start_matches(|c: char| c.is_ascii_lowercase());
        let suffix = text.len() - i - year.len() - rest.len();
        opens && suffix <= 2 && rest.chars().next().is_none_or(|c| c.is_whitespace() || ".,;:)]".contains(c))
    })?;
    let cut = at + year.len();
    Some(format!("{}\u{2013}{end}{}", &text[..cut], &text[cut..]))
}

/// `text` with `from` replaced by `to` except where it is a link's target
/// (`href="…"`, Markdown's `](<…>)`).
fn replaced(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        out.push_str(&rest[..i]);
        let target = out.ends_with("href=\"") || out.ends_with("](<");
        out.push_str(if target { from } else { to });
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_url_is_the_written_one_and_a_link_target_the_parsed_one() {
        let url = "http://a.org/x_y;  http://b.org";
        let yaml = format!("k:\n  type: web\n  title: T\n  url: {url:?}\n");
        let (library, _) = Library::from_text("references/a.yml", yaml);
        let parsed = library.get("k").unwrap().entry.url().unwrap().value.to_string();
        assert_eq!(parsed, "http://a.org/x_y;%20%20http://b.org");
        let html = format!("A. <a href=\"{parsed}\">{parsed}</a>");
        let markdown = format!("A. [{}](<{parsed}>)", parsed.replace('_', "\\_"));
        let mut items = [
            ("k".to_owned(), html),
            ("k".to_owned(), markdown),
            ("k".to_owned(), format!("A. {parsed}")),
            ("other".to_owned(), format!("B. {parsed}")),
        ];
        printed(&mut items[..1], &library, Markup::Html);
        printed(&mut items[1..2], &library, Markup::Markdown);
        printed(&mut items[2..], &library, Markup::Text);
        assert_eq!(items[0].1, format!("A. <a href=\"{parsed}\">{url}</a>"));
        assert_eq!(items[1].1, format!("A. [{}](<{parsed}>)", url.replace('_', "\\_")));
        assert_eq!(items[2].1, format!("A. {url}"));
        assert_eq!(items[3].1, format!("B. {parsed}"), "another entry's text is left alone");
    }

    #[test]
    fn a_year_range_is_printed_where_the_year_is() {
        let ranged = |t: &str| year_ranged(t, 1984, 1986);
        assert_eq!(
            ranged("Knuth, D. E. (1984a). Computers").as_deref(),
            Some("Knuth, D. E. (1984\u{2013}1986a). Computers")
        );
        assert_eq!(ranged("Addison-Wesley, 1984.").as_deref(), Some("Addison-Wesley, 1984\u{2013}1986."));
        assert_eq!(
            ranged("Doe. https://x.org/1984/a. Press, 1984").as_deref(),
            Some("Doe. https://x.org/1984/a. Press, 1984\u{2013}1986"),
            "not in a URL"
        );
        assert_eq!(ranged("Volume 19845."), None);
    }
}
