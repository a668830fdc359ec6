//! URLs printed as written. hayagriva holds an entry's URL parsed, and
//! prints it normalised: `http://host:80/a` without its default port,
//! `http://host` with a `/`, the spaces between several URLs in one field
//! as `%20`. CSL processors print the URL as written, which the library
//! keeps beside the entry (`Record::url`); a rendered bibliography gets it
//! back here, after the cache, in the text each markup prints. A link's
//! target stays the parsed URL, the one that resolves.

use super::csl::{self, Markup};

/// An entry's URL as hayagriva prints it and as written, by key, where the
/// two differ.
pub type Written<'a> = &'a dyn Fn(&str) -> Option<(&'a str, &'a str)>;

/// `items` (key, rendered entry) with each entry's URL printed as written.
pub fn as_written(items: &mut [(String, String)], written: Written<'_>, markup: Markup) {
    for (key, text) in items {
        if let Some((parsed, url)) = written(key) {
            *text = replaced(text, &csl::escaped(parsed, markup), &csl::escaped(url, markup));
        }
    }
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
        let parsed = "http://a.org/x_y;%20%20http://b.org/";
        let url = "http://a.org/x_y;  http://b.org";
        let written = |k: &str| (k == "k").then_some((parsed, url));
        let html = format!("A. <a href=\"{parsed}\">{parsed}</a>");
        let markdown = format!("A. [{}](<{parsed}>)", parsed.replace('_', "\\_"));
        let mut items = [
            ("k".to_owned(), html),
            ("k".to_owned(), markdown),
            ("k".to_owned(), format!("A. {parsed}")),
            ("other".to_owned(), format!("B. {parsed}")),
        ];
        as_written(&mut items[..1], &written, Markup::Html);
        as_written(&mut items[1..2], &written, Markup::Markdown);
        as_written(&mut items[2..], &written, Markup::Text);
        assert_eq!(items[0].1, format!("A. <a href=\"{parsed}\">{url}</a>"));
        assert_eq!(items[1].1, format!("A. [{}](<{parsed}>)", url.replace('_', "\\_")));
        assert_eq!(items[2].1, format!("A. {url}"));
        assert_eq!(items[3].1, format!("B. {parsed}"), "another entry's text is left alone");
    }
}
