//! The reading view of `trace --to html`: the report's own text, paragraph
//! by paragraph, each cited claim marked and numbered, and beside it (below
//! it on a narrow screen) a card per citation: the source, its snapshot, the
//! best passage with the claim's words in bold, the numbers found and not
//! found, the quotations' verdicts, and for a source fetched over HTTP a
//! text-fragment link that opens the live page at the passage. Every piece of
//! report, entry and source text is escaped.

use std::fmt::Write as _;

use super::Claim;
use crate::findings::escape;
use crate::text::evidence::content_words;

/// Whether a claim has a number no cited source holds.
pub fn missing_number(c: &Claim) -> bool {
    c.numbers.iter().any(|n| n.found == Some(false))
}

/// Whether a claim carries a quotation that was not found.
pub fn missing_quote(c: &Claim) -> bool {
    c.quotations.iter().any(|q| matches!(q.verdict.as_str(), "not-found" | "near-miss" | "other-source"))
}

/// The report's paragraphs (byte spans, split at blank lines) with the claims
/// marked, and the cards beside them.
pub fn reading(claims: &[Claim], report: &str, base: &str) -> String {
    let mut out = String::new();
    let mut start = 0;
    let mut paragraphs = Vec::new();
    for (i, _) in report.match_indices("\n\n") {
        paragraphs.push((start, i));
        start = i + 2;
    }
    paragraphs.push((start, report.len()));
    for (from, to) in paragraphs {
        if report[from..to].trim().is_empty() {
            continue;
        }
        let here: Vec<(usize, &Claim)> =
            claims.iter().enumerate().filter(|(_, c)| c.span.1 > from && c.span.1 <= to).collect();
        let mut classes = String::from("row");
        if here.iter().any(|(_, c)| missing_number(c)) {
            classes.push_str(" has-missing-number");
        }
        if here.iter().any(|(_, c)| missing_quote(c)) {
            classes.push_str(" has-missing-quote");
        }
        let cards: String = here.iter().map(|(i, c)| card(*i, c, base)).collect();
        let _ = writeln!(
            out,
            "<section class=\"{classes}\"><div class=\"text\">{}</div><aside>{cards}</aside></section>",
            marked(report, from, to, &here)
        );
    }
    out
}

/// A paragraph with each claim in `<mark>` and its numbers after it.
fn marked(report: &str, from: usize, to: usize, claims: &[(usize, &Claim)]) -> String {
    let mut out = String::new();
    let mut at = from;
    let mut i = 0;
    while i < claims.len() {
        // Citations of one marker share a claim: one mark, several numbers.
        let (s, e) = claims[i].1.span;
        let mut numbers = vec![claims[i].0];
        while i + 1 < claims.len() && claims[i + 1].1.span == (s, e) {
            i += 1;
            numbers.push(claims[i].0);
        }
        let s = s.clamp(at, e);
        out.push_str(&escape(&report[at..s]));
        let bad = missing_number(claims[i].1);
        let links: String =
            numbers.iter().map(|n| format!("<sup><a href=\"#card-{0}\">{0}</a></sup>", n + 1)).collect();
        let _ = write!(
            out,
            "<mark class=\"claim{}\" id=\"claim-{}\">{}</mark>{links}",
            if bad { " bad" } else { "" },
            numbers[0] + 1,
            escape(&report[s..e])
        );
        at = e;
        i += 1;
    }
    out.push_str(&escape(&report[at..to]));
    out
}

/// One citation's card.
fn card(i: usize, c: &Claim, base: &str) -> String {
    let mut out = format!(
        "<div class=\"card\" id=\"card-{n}\"><p><a href=\"#claim-{n}\">{n}</a> <code>{}</code>{}</p>",
        escape(c.key.as_deref().unwrap_or("(unresolved)")),
        c.locator.as_deref().map_or(String::new(), |l| format!(", {}", escape(l))),
        n = i + 1,
    );
    match &c.snapshot {
        Some(s) => {
            let _ = write!(
                out,
                "<p class=\"snapshot\">snapshot {}, {} ({})</p>",
                super::trace::snapshot_link(s, base),
                escape(&s.captured),
                escape(&s.method)
            );
        }
        None => out.push_str("<p class=\"snapshot\"><em>no snapshot</em></p>"),
    }
    if let Some(p) = c.evidence.first() {
        let _ = write!(
            out,
            "<blockquote>{}</blockquote><p class=\"where\">characters {}–{}{}",
            bold(&p.text, &p.covered),
            p.start,
            p.end,
            p.page.map_or(String::new(), |n| format!(", page {n}"))
        );
        if let Some(url) = c.snapshot.as_ref().and_then(|s| s.url.as_deref()).filter(|u| crate::export::linkable(u)) {
            let _ = write!(out, " · <a href=\"{}\">on the live page</a>", escape(&text_fragment(url, &p.text)));
        }
        out.push_str("</p>");
    }
    if !c.numbers.is_empty() {
        out.push_str("<ul class=\"numbers\">");
        for n in &c.numbers {
            let (class, says) = match n.found {
                Some(true) => ("found", "in the source"),
                Some(false) => ("not-found", "not in the source"),
                None => ("unverifiable", "no text to check"),
            };
            let _ = write!(out, "<li class=\"{class}\">{}: {says}</li>", escape(&n.text));
        }
        out.push_str("</ul>");
    }
    if !c.quotations.is_empty() {
        out.push_str("<ul class=\"quotes\">");
        for q in &c.quotations {
            let _ = write!(
                out,
                "<li class=\"{}\">\u{201c}{}\u{201d}: {}</li>",
                escape(&q.verdict),
                escape(&q.text),
                escape(&q.verdict)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
    out
}

/// A passage, escaped, with the words the claim shares in bold.
fn bold(text: &str, covered: &[String]) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let mut out = String::new();
    let mut at = 0;
    for (i, word) in text.unicode_word_indices() {
        out.push_str(&escape(&text[at..i]));
        let shared = content_words(word).first().is_some_and(|w| covered.contains(w));
        if shared {
            let _ = write!(out, "<b>{}</b>", escape(word));
        } else {
            out.push_str(&escape(word));
        }
        at = i + word.len();
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// `URL#:~:text=START,END`: a link that makes a browser scroll to and
/// highlight the passage on the live page (the first and last few words).
fn text_fragment(url: &str, passage: &str) -> String {
    let words: Vec<&str> = passage.split_whitespace().collect();
    let encode = |ws: &[&str]| {
        ws.join(" ")
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'_' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let url = url.split('#').next().unwrap_or(url);
    if words.len() <= 8 {
        format!("{url}#:~:text={}", encode(&words))
    } else {
        format!("{url}#:~:text={},{}", encode(&words[..4]), encode(&words[words.len() - 4..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fragments_encode_what_the_syntax_reserves() {
        assert_eq!(
            text_fragment("https://a.example/p#x", "one-two, & three"),
            "https://a.example/p#:~:text=one%2Dtwo%2C%20%26%20three"
        );
        let long = text_fragment("https://a.example/", "a b c d e f g h i j");
        assert_eq!(long, "https://a.example/#:~:text=a%20b%20c%20d,g%20h%20i%20j");
    }

    #[test]
    fn shared_words_are_bold_and_the_rest_escaped() {
        assert_eq!(
            bold("Floods <b>reached</b> town", &["flood".into()]),
            "<b>Floods</b> &lt;b&gt;reached&lt;/b&gt; town"
        );
    }
}
