//! LaTeX citations as LaTeX itself writes them to the `.aux` file: cite
//! commands of LaTeX, natbib and biblatex with their starred forms, optional
//! arguments and spaces between arguments; `\nocite` (in the bibliography,
//! not the text); comments, verbatim environments and `\verb` masked; and
//! a user macro whose definition holds a cite command (`\newcommand
//! \seeknuth[1]{see \citet[#1]{knuth}}`) cites where it is used, not where
//! it is defined.

use std::collections::HashMap;

use super::markers::{blank, group, next_char, to_string};
use super::{Cite, Form, Marker, Span, Target};

/// Markers in `text` and the text with comments and verbatim masked.
pub(super) fn find(text: &str) -> (Vec<Marker>, String) {
    let masked = mask(text);
    let (macros, definitions) = cite_macros(&masked);
    let mut masked = masked.into_bytes();
    for (start, end) in definitions {
        blank(&mut masked, start, end);
    }
    let masked = to_string(masked);
    let markers = markers(&masked, &macros);
    (markers, masked)
}

fn mask(text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if bytes[i] == b'\\' {
            // A control symbol (`\%`, `\\`) is one unit: `\\%` starts a comment.
            if let Some(env) = ["verbatim", "Verbatim", "lstlisting", "minted", "comment"]
                .iter()
                .find(|e| rest.starts_with(&format!("\\begin{{{e}}}")))
            {
                let end = format!("\\end{{{env}}}");
                let e = rest.find(&end).map_or(rest.len(), |p| p + end.len());
                blank(&mut out, i, i + e);
                i += e;
                continue;
            }
            if let Some(after) = rest.strip_prefix("\\verb") {
                let after = after.strip_prefix('*').unwrap_or(after);
                let start = rest.len() - after.len();
                if let Some(delim) = after.chars().next().filter(|c| !c.is_alphabetic()) {
                    let body = &rest[start + delim.len_utf8()..];
                    let e = body.find([delim, '\n']).map_or(rest.len(), |p| start + 2 * delim.len_utf8() + p);
                    blank(&mut out, i, i + e);
                    i += e;
                    continue;
                }
            }
            i = next_char(text, i + 1);
            continue;
        }
        if bytes[i] == b'%' {
            let e = rest.find('\n').unwrap_or(rest.len());
            blank(&mut out, i, i + e);
            i += e;
            continue;
        }
        i = next_char(text, i);
    }
    to_string(out)
}

/// The cite commands: LaTeX's, natbib's and biblatex's.
const CITES: &[&str] = &[
    "cite",
    "Cite",
    "nocite",
    "citep",
    "Citep",
    "citet",
    "Citet",
    "citealp",
    "Citealp",
    "citealt",
    "Citealt",
    "citeauthor",
    "Citeauthor",
    "citeyear",
    "citeyearpar",
    "citenum",
    "parencite",
    "Parencite",
    "textcite",
    "Textcite",
    "autocite",
    "Autocite",
    "footcite",
    "footcitetext",
    "smartcite",
    "Smartcite",
    "supercite",
    "fullcite",
    "footfullcite",
    "cites",
    "Cites",
    "parencites",
    "Parencites",
    "textcites",
    "Textcites",
    "autocites",
    "Autocites",
    "footcites",
    "smartcites",
];

fn form_of(name: &str) -> Form {
    match name {
        "textcite" | "Textcite" | "textcites" | "Textcites" | "citet" | "Citet" | "citealt" | "Citealt" => Form::Prose,
        "citeyear" | "citeyearpar" => Form::Year,
        "citeauthor" | "Citeauthor" => Form::Author,
        "nocite" => Form::Hidden,
        _ => Form::Normal,
    }
}

/// Skips spaces and at most one line break, as TeX does between a command
/// and its arguments.
fn skip_space(b: &[u8], mut j: usize) -> usize {
    while matches!(b.get(j), Some(b' ' | b'\t')) {
        j += 1;
    }
    if b.get(j) == Some(&b'\n') {
        j += 1;
        while matches!(b.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
    }
    j
}

/// A control word at `s` (after its backslash): its name and end.
fn command(text: &str, s: usize) -> (&str, usize) {
    let len = text[s + 1..].bytes().take_while(u8::is_ascii_alphabetic).count();
    (&text[s + 1..s + 1 + len], s + 1 + len)
}

/// A user macro that cites: how many arguments it takes and its body.
struct Macro {
    args: usize,
    body: String,
}

/// Macros defined with `\newcommand`, `\renewcommand`, `\providecommand` or
/// `\def` whose body holds a cite command, and the byte ranges of every such
/// definition (not citations themselves).
fn cite_macros(text: &str) -> (HashMap<String, Macro>, Vec<(usize, usize)>) {
    let b = text.as_bytes();
    let mut macros = HashMap::new();
    let mut ranges = Vec::new();
    let mut i = 0;
    while let Some(p) = text[i..].find('\\') {
        let s = i + p;
        let (name, mut j) = command(text, s);
        i = j.max(s + 1);
        let def = matches!(name, "newcommand" | "renewcommand" | "providecommand" | "def");
        if !def {
            continue;
        }
        j = skip_space(b, j + usize::from(b.get(j) == Some(&b'*')));
        // The macro's name: `{\name}` or `\name`.
        let braced = b.get(j) == Some(&b'{');
        let at = skip_space(b, j + usize::from(braced));
        if b.get(at) != Some(&b'\\') {
            continue;
        }
        let (macro_name, after) = command(text, at);
        j = if braced { text[after..].find('}').map_or(after, |e| after + e + 1) } else { after };
        let mut args = 0;
        j = skip_space(b, j);
        if name == "def" {
            // `\def\name#1#2{…}`
            while b.get(j) == Some(&b'#') {
                args += 1;
                j += 2;
            }
        } else if let Some(e) = group(b, j, b'[', b']') {
            args = text[j + 1..e - 1].trim().parse().unwrap_or(0);
            j = skip_space(b, e);
            if let Some(e) = group(b, j, b'[', b']') {
                j = skip_space(b, e);
            }
        }
        let Some(end) = group(b, j, b'{', b'}') else { continue };
        let body = &text[j + 1..end - 1];
        let cites = body.match_indices('\\').any(|(k, _)| CITES.contains(&command(body, k).0));
        if cites && !macro_name.is_empty() {
            macros.insert(macro_name.to_owned(), Macro { args, body: body.to_owned() });
            ranges.push((s, end));
        }
        i = end;
    }
    (macros, ranges)
}

fn markers(text: &str, macros: &HashMap<String, Macro>) -> Vec<Marker> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = text[i..].find('\\') {
        let s = i + p;
        let (name, after) = command(text, s);
        i = after.max(s + 1);
        if let Some(m) = macros.get(name) {
            // Arguments in braces; the body's citations, with `#n` replaced.
            let mut j = after;
            let mut args = Vec::new();
            while args.len() < m.args {
                let at = skip_space(b, j);
                let Some(e) = group(b, at, b'{', b'}') else { break };
                args.push(&text[at + 1..e - 1]);
                j = e;
            }
            if args.len() == m.args {
                let mut body = m.body.clone();
                for (n, a) in args.iter().enumerate().rev() {
                    body = body.replace(&format!("#{}", n + 1), a);
                }
                let cites: Vec<Cite> = markers(&body, &HashMap::new())
                    .into_iter()
                    .flat_map(|m| m.cites)
                    .map(|c| Cite { span: Span { start: s + 1, end: after }, ..c })
                    .collect();
                if !cites.is_empty() {
                    out.push(Marker { span: Span { start: s, end: j }, cites });
                }
                i = j;
            }
            continue;
        }
        if !CITES.contains(&name) {
            continue;
        }
        if let Some((marker, end)) = cite_command(text, s, name, after) {
            out.extend(marker);
            i = end;
        }
    }
    out
}

/// One cite command at `s`: `\name*[pre][post]{keys}`, or biblatex's
/// multicite `\names(pre)(post)[pre][post]{keys}[pre][post]{keys}…`.
fn cite_command(text: &str, s: usize, name: &str, after: usize) -> Option<(Option<Marker>, usize)> {
    let b = text.as_bytes();
    let multi = name.ends_with("cites");
    let mut j = after;
    if b.get(j) == Some(&b'*') {
        j += 1;
    }
    if multi {
        // Global pre- and postnotes in parentheses.
        for _ in 0..2 {
            let at = skip_space(b, j);
            match group(b, at, b'(', b')') {
                Some(e) => j = e,
                None => break,
            }
        }
    }
    let form = form_of(name);
    let mut cites = Vec::new();
    let mut end = j;
    loop {
        let mut optional = Vec::new();
        let mut k = skip_space(b, end);
        while let Some(e) = group(b, k, b'[', b']') {
            optional.push(text[k + 1..e - 1].trim().to_owned());
            k = skip_space(b, e);
        }
        let Some(e) = group(b, k, b'{', b'}') else { break };
        // A locator is TeX (`p.~12`): its characters, as a reader sees them.
        let locator = optional
            .last()
            .filter(|l| !l.is_empty())
            .map(|l| crate::library::import::bibtex::untex(l).replace('~', "\u{a0}"));
        let mut offset = k + 1;
        for key in text[k + 1..e - 1].split(',') {
            let lead = key.len() - key.trim_start().len();
            let trimmed = key.trim();
            // `\nocite{*}` puts every entry in the bibliography: no key of its own.
            if !trimmed.is_empty() && trimmed != "*" {
                let ks = offset + lead;
                cites.push(Cite {
                    target: Target::Key(trimmed.to_owned()),
                    span: Span { start: ks, end: ks + trimmed.len() },
                    locator: locator.clone(),
                    form,
                });
            }
            offset += key.len() + 1;
        }
        end = e;
        if !multi {
            break;
        }
    }
    if end == j {
        return None;
    }
    let marker = (!cites.is_empty()).then_some(Marker { span: Span { start: s, end }, cites });
    Some((marker, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cites(text: &str) -> Vec<(String, Form, Option<String>)> {
        crate::report::written(find(text).0)
    }

    fn keys(text: &str) -> Vec<String> {
        cites(text).into_iter().map(|c| c.0).collect()
    }

    #[test]
    fn commands_arguments_and_forms() {
        let t = "As \\cite{a, b} and \\parencite[see][p. 3]{c} and \\textcite*{d}. % \\cite{hidden}\n\
                 \\begin{verbatim}\\cite{v}\\end{verbatim} 50\\% \\autocite {e} \\verb|\\cite{w}| \\verb*+\\cite{x}+\n\
                 \\citep\n  [p.~4]{f} \\nocite{g,*} \\\\% \\cite{comment}\n\\parencites(all)[p. 1]{h}[ch. 2]{i} next";
        assert_eq!(keys(t), ["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
        let all = cites(t);
        assert_eq!(all[2].2.as_deref(), Some("p. 3"));
        assert_eq!(all[3].1, Form::Prose);
        assert_eq!(all[5].2.as_deref(), Some("p.\u{a0}4"));
        assert_eq!(all[6].1, Form::Hidden);
        assert_eq!((all[8].0.as_str(), all[8].2.as_deref()), ("i", Some("ch. 2")));
    }

    #[test]
    fn macros_cite_where_they_are_used() {
        let t = "\\newcommand{\\seeknuth}[1]{see \\citet[#1]{knuth}}\n\\def\\both#1#2{\\cite{#1,#2}}\n\
                 \\renewcommand\\std{\\citep{iso}}\nFirst \\seeknuth{p. 3}, then \\both{a}{b}.";
        assert_eq!(
            cites(t),
            [
                ("knuth".into(), Form::Prose, Some("p. 3".into())),
                ("a".into(), Form::Normal, None),
                ("b".into(), Form::Normal, None),
            ]
        );
    }
}
