//! The claims table (`citelock trace`): every citation with its line, its key,
//! the cited source's current snapshot, and the verdict of each quotation it
//! carries — as Markdown, JSON, or one self-contained HTML page an editor
//! opens in a browser (every piece of report or entry text escaped).

use super::Claim;
use crate::findings::escape;

/// Markdown pipe characters and line breaks would break a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown table.
pub fn markdown(claims: &[Claim]) -> String {
    let mut out = String::from(
        "| # | where | key | claim | snapshot | quotations | best passage | numbers not found |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (i, c) in claims.iter().enumerate() {
        let snapshot = c.snapshot.as_ref().map_or("none".to_owned(), |s| {
            format!("[{}]({}) {} ({})", &s.sha256[..12.min(s.sha256.len())], s.path, s.captured, s.method)
        });
        let quotes: Vec<String> =
            c.quotations.iter().map(|q| format!("\u{201c}{}\u{201d}: {}", cell(&q.text), q.verdict)).collect();
        let passage = c.evidence.first().map_or(String::new(), |p| {
            format!("{}–{}: {}", p.start, p.end, cell(&p.text.chars().take(200).collect::<String>()))
        });
        let missing: Vec<&str> = c.numbers.iter().filter(|n| n.found == Some(false)).map(|n| n.text.as_str()).collect();
        out.push_str(&format!(
            "| {} | {}:{}:{} | {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            cell(&c.file),
            c.line,
            c.column,
            c.key.as_deref().map_or("(unresolved)".to_owned(), |k| format!("`{}`", cell(k))),
            cell(&c.sentence),
            snapshot,
            quotes.join("<br>"),
            passage,
            cell(&missing.join(", "))
        ));
    }
    out
}

/// JSON: `{"version": 1, "claims": [...]}`.
pub fn json(claims: &[Claim]) -> String {
    let doc = serde_json::json!({"version": 1, "claims": claims});
    serde_json::to_string_pretty(&doc).expect("claims serialize") + "\n"
}

/// A link to a snapshot's archived copy, named by the start of its hash.
pub(super) fn snapshot_link(s: &super::SnapshotRef, base: &str) -> String {
    format!(
        "<a href=\"{}{}\"><code>{}</code></a>",
        escape(base),
        escape(&s.path),
        escape(&s.sha256[..12.min(s.sha256.len())])
    )
}

/// One page, no external resources and no script: the report read with its
/// claims marked and a card per citation beside them (`page`), filters for
/// numbers and quotations not found (CSS), then every citation in a table. Links to archived
/// copies are relative to the page's own location (`base` is the path from
/// the page to the repository root).
pub fn html(claims: &[Claim], report: &str, title: &str, base: &str) -> String {
    let mut rows = String::new();
    for (i, c) in claims.iter().enumerate() {
        let snapshot = c.snapshot.as_ref().map_or("<em>none</em>".to_owned(), |s| {
            format!("{}<br>{} ({})", snapshot_link(s, base), escape(&s.captured), escape(&s.method))
        });
        let quotes: String = c
            .quotations
            .iter()
            .map(|q| {
                format!(
                    "<li class=\"{}\">\u{201c}{}\u{201d} <strong>{}</strong></li>",
                    escape(&q.verdict),
                    escape(&q.text),
                    escape(&q.verdict)
                )
            })
            .collect();
        let passage = c.evidence.first().map_or(String::new(), |p| {
            format!(
                "<blockquote>{}</blockquote><small>characters {}–{}{}</small>",
                escape(&p.text),
                p.start,
                p.end,
                p.page.map_or(String::new(), |n| format!(", page {n}"))
            )
        });
        let numbers: String = c
            .numbers
            .iter()
            .map(|n| {
                let class = match n.found {
                    Some(true) => "found",
                    Some(false) => "not-found",
                    None => "unverifiable",
                };
                format!("<li class=\"{class}\">{} {}</li>", escape(&n.text), class)
            })
            .collect();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}:{}:{}</td><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td><ul>{}</ul></td><td>{}<ul>{}</ul></td></tr>\n",
            i + 1,
            escape(&c.file),
            c.line,
            c.column,
            escape(c.key.as_deref().unwrap_or("(unresolved)")),
            c.locator.as_deref().map_or(String::new(), |l| format!("<br>{}", escape(l))),
            escape(&c.sentence),
            snapshot,
            quotes,
            passage,
            numbers
        ));
    }
    let missing_numbers = claims.iter().filter(|c| super::page::missing_number(c)).count();
    let missing_quotes = claims.iter().filter(|c| super::page::missing_quote(c)).count();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Claims: {t}</title>\n<style>\n\
         body{{font-family:system-ui,sans-serif;margin:2em;max-width:90em}}table{{border-collapse:collapse;width:100%}}\n\
         .row{{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.5em;border-top:1px solid #eee;padding:.6em 0}}\n\
         .text{{line-height:1.6;white-space:pre-wrap}}mark.claim{{background:#fff3c4}}mark.claim.bad{{background:#ffd7d5}}\n\
         .card{{font-size:.9em;border:1px solid #ddd;border-radius:6px;padding:.5em .7em;margin-bottom:.6em;background:#fafafa}}\n\
         .card p{{margin:.2em 0}}.card blockquote b{{background:#e6f4ea}}\n\
         body:has(#only-numbers:checked) .row:not(.has-missing-number),\
         body:has(#only-quotes:checked) .row:not(.has-missing-quote){{display:none}}\n\
         @media (max-width:700px){{body{{margin:.8em}}.row{{grid-template-columns:1fr}}table{{display:block;overflow-x:auto}}}}\n\
         td,th{{border:1px solid #ccc;padding:.4em;vertical-align:top}}th{{background:#f4f4f4}}\n\
         li.exact,li.normalised,li.with-gaps,li.verified-by-hand{{color:#1a7f37}}\n\
         li.near-miss,li.not-found,li.other-source{{color:#cf222e}}li.unverifiable{{color:#9a6700}}\n\
         li.found{{color:#1a7f37}}blockquote{{margin:0;padding-left:.6em;border-left:3px solid #ccc}}\n\
         </style></head><body>\n<h1>Claims: {t}</h1>\n<p>{n} citations · {missing_numbers} with a number not in the source · \
         {missing_quotes} with a quotation not found. Generated by citelock {v}.</p>\n\
         <p><label><input type=\"checkbox\" id=\"only-numbers\"> only numbers not found</label> \
         <label><input type=\"checkbox\" id=\"only-quotes\"> only quotations not found</label></p>\n\
         <main>\n{reading}</main>\n<h2>Every citation</h2>\n\
         <table><thead><tr><th>#</th><th>where</th><th>key</th><th>claim</th><th>snapshot</th><th>quotations</th><th>best passage, numbers</th></tr></thead>\n<tbody>\n{rows}</tbody></table>\n</body></html>\n",
        reading = super::page::reading(claims, report, base),
        t = escape(title),
        n = claims.len(),
        v = env!("CARGO_PKG_VERSION"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_everything_it_is_given() {
        let claim = Claim {
            file: "r.md".into(),
            line: 1,
            column: 2,
            marker: "[@k]".into(),
            cites: "k<script>".into(),
            form: crate::report::Form::Normal,
            key: Some("k<script>".into()),
            locator: None,
            sentence: "<script>alert(1)</script> & more".into(),
            snapshot: None,
            quotations: vec![super::super::QuoteRef {
                text: "\"<b>\"".into(),
                verdict: "exact".into(),
                line: 1,
                column: 1,
            }],
            claim: String::new(),
            evidence: std::sync::Arc::new(vec![crate::text::evidence::Passage {
                start: 0,
                end: 9,
                text: "<img src=x onerror=alert(2)>".into(),
                page: None,
                score: 1.0,
                covered: Vec::new(),
            }]),
            numbers: Vec::new(),
            span: (0, 9),
        };
        let page = html(&[claim], "<script>x [@k]", "<r>", "");
        // No script at all: the filters are CSS (`:has`).
        assert!(!page.contains("<script") && !page.contains("<img") && !page.contains("<b>\""), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(page.contains("<mark class=\"claim\" id=\"claim-1\">&lt;script&gt;x</mark>"), "{page}");
        assert!(markdown(&[]).starts_with("| # |"));
    }
}
