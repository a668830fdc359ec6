//! Repairs made to a BibTeX file before the biblatex crate resolves it, so
//! that one careless entry never costs the rest (BibTeX and pandoc read such
//! files too): values left bare (`pages = 1-19`), macros no `@string`
//! defines, `crossref`/`xdata` cycles and chains too deep to follow (the
//! crate resolves them recursively: a cycle overflowed the stack), and keys
//! defined twice.

use std::collections::{HashMap, HashSet};

use biblatex::{Pair, RawBibliography, RawChunk, Spanned};

use crate::findings::Code;

/// A repair, to be reported: its code, the byte offset it concerns, the key
/// of its entry and what was done.
pub(super) struct Repair {
    pub code: Code,
    pub offset: usize,
    pub message: String,
}

/// Links longer than this are cut: biblatex resolves them recursively.
const MAX_CHAIN: usize = 16;

/// Rewrites top-level field values the biblatex crate misreads: a bare
/// value that starts with a digit and is not a number (`pages = 1-19`),
/// which BibTeX reads as text, is braced; a quoted value is braced too,
/// since the crate ends it at the first `"` even inside braces
/// (`"{zeitgem{"a}{\ss}}"`, which BibTeX reads whole). Line numbers stay.
pub(super) fn normalize_values(text: &str, items: &[(usize, usize)]) -> (String, Vec<Repair>) {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut repairs = Vec::new();
    let mut copied = 0;
    let mut added = 0;
    for &(start, end) in items {
        let mut depth = 0usize;
        let mut k = start;
        let mut value_start = false;
        while k < end {
            match b[k] {
                b'{' => depth += 1,
                b'}' => depth = depth.saturating_sub(1),
                b'=' | b'#' if depth == 1 => value_start = true,
                b'"' if depth == 1 => {
                    if let Some(close) = closing_quote(b, k + 1, end) {
                        out.push_str(&text[copied..k]);
                        out.push('{');
                        out.push_str(&text[k + 1..close]);
                        out.push('}');
                        copied = close + 1;
                        k = close + 1;
                        value_start = false;
                        continue;
                    }
                }
                c if depth == 1 && value_start && !c.is_ascii_whitespace() => {
                    value_start = false;
                    let len = b[k..end]
                        .iter()
                        .take_while(|c| {
                            !c.is_ascii_whitespace() && !matches!(c, b',' | b'}' | b')' | b'#' | b'"' | b'{')
                        })
                        .count();
                    let token = &text[k..k + len];
                    if token.starts_with(|c: char| c.is_ascii_digit())
                        && !token.bytes().all(|c| c.is_ascii_digit() || c == b'.')
                    {
                        out.push_str(&text[copied..k]);
                        out.push('{');
                        out.push_str(token);
                        out.push('}');
                        copied = k + len;
                        repairs.push(Repair {
                            code: Code::UnquotedValue,
                            offset: k + added,
                            message: format!(
                                "`{token}` is neither braced, quoted nor a number; it was read as the text \"{token}\""
                            ),
                        });
                        added += 2;
                    }
                    k += len.max(1);
                    continue;
                }
                _ => {}
            }
            k += 1;
        }
    }
    out.push_str(&text[copied..]);
    (out, repairs)
}

/// The `"` that closes a quoted value whose text starts at `from`: the first
/// one outside braces, if the braces before it balance.
fn closing_quote(b: &[u8], from: usize, end: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &c) in b.iter().enumerate().take(end).skip(from) {
        match c {
            b'{' => depth += 1,
            b'}' => depth = depth.checked_sub(1)?,
            b'"' if depth == 0 => return Some(k),
            _ => {}
        }
    }
    None
}

/// Defines every macro the file uses and never defines as its own name, as
/// pandoc does (BibTeX uses an empty string); a macro defined in another
/// case is that definition (BibTeX's macros ignore case).
pub(super) fn define_missing_macros<'s>(raw: &mut RawBibliography<'s>) -> Vec<Repair> {
    let defined: HashMap<String, usize> =
        raw.abbreviations.iter().enumerate().map(|(i, p)| (p.key.v.to_ascii_lowercase(), i)).collect();
    let exact: HashSet<&str> = raw.abbreviations.iter().map(|p| p.key.v).collect();
    let mut added: HashSet<&'s str> = HashSet::new();
    let mut repairs = Vec::new();
    let mut new = Vec::new();
    let uses = raw.entries.iter().flat_map(|e| e.v.fields.iter()).chain(raw.abbreviations.iter());
    for chunk in uses.flat_map(|f| f.value.v.iter()) {
        let RawChunk::Abbreviation(name) = chunk.v else { continue };
        if exact.contains(name) || is_month(name) || !added.insert(name) {
            continue;
        }
        let key = Spanned::new(name, chunk.span.clone());
        if let Some(&i) = defined.get(&name.to_ascii_lowercase()) {
            new.push(Pair::new(key, raw.abbreviations[i].value.clone()));
            continue;
        }
        let value = vec![Spanned::new(RawChunk::Normal(name), chunk.span.clone())];
        new.push(Pair::new(key, Spanned::new(value, chunk.span.clone())));
        repairs.push(Repair {
            code: Code::UndefinedMacro,
            offset: chunk.span.start,
            message: format!("no @string defines `{name}`; it was read as the text \"{name}\" (as pandoc does)"),
        });
    }
    raw.abbreviations.extend(new);
    repairs
}

fn is_month(name: &str) -> bool {
    const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    MONTHS.contains(&name.to_ascii_lowercase().as_str())
}

/// Keeps the first entry of each key: a later one that repeats it byte for
/// byte is dropped with a note; a later one that differs is refused.
pub(super) fn drop_repeated_keys(raw: &mut RawBibliography<'_>, src: &str) -> Vec<Repair> {
    let mut first: HashMap<&str, (usize, &str)> = HashMap::new();
    let mut repairs = Vec::new();
    raw.entries.retain(|e| {
        let body = src.get(e.span.clone()).unwrap_or_default();
        match first.get(e.v.key.v) {
            None => {
                first.insert(e.v.key.v, (e.span.start, body));
                true
            }
            Some(&(_, earlier)) if earlier == body => {
                repairs.push(Repair {
                    code: Code::RepeatedEntry,
                    offset: e.span.start,
                    message: format!(
                        "entry `{}` repeats an earlier one byte for byte; it was imported once",
                        e.v.key.v
                    ),
                });
                false
            }
            Some(&(at, _)) => {
                repairs.push(Repair {
                    code: Code::ImportFailed,
                    offset: e.span.start,
                    message: format!(
                        "key `{}` is defined again, differently (first at byte {at}); this one was not imported",
                        e.v.key.v
                    ),
                });
                false
            }
        }
    });
    repairs
}

/// Removes the field whose value holds byte `offset`: its entry's key and
/// the field's name.
pub(super) fn remove_field_at(raw: &mut RawBibliography<'_>, offset: usize) -> Option<(String, String)> {
    for entry in &mut raw.entries {
        if !entry.span.contains(&offset) {
            continue;
        }
        let i = entry.v.fields.iter().position(|f| f.value.span.contains(&offset) || f.key.span.contains(&offset))?;
        let field = entry.v.fields.remove(i);
        return Some((entry.v.key.v.to_owned(), field.key.v.to_ascii_lowercase()));
    }
    None
}

/// The keys an entry's `crossref` and `xdata` fields name.
fn links(fields: &[Pair<'_>]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let name = f.key.v.to_ascii_lowercase();
        if name != "crossref" && name != "xdata" {
            continue;
        }
        let value: String = f.value.v.iter().map(|c| if let RawChunk::Normal(s) = c.v { s } else { "" }).collect();
        for key in value.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            out.push((i, key.to_owned()));
        }
    }
    out
}

/// Cuts `crossref`/`xdata` links that form a cycle, and links that would
/// make a chain longer than [`MAX_CHAIN`]: the entries import without what
/// they would have inherited through that link.
pub(super) fn cut_cycles(raw: &mut RawBibliography<'_>) -> Vec<Repair> {
    let index: HashMap<&str, usize> = raw.entries.iter().enumerate().map(|(i, e)| (e.v.key.v, i)).collect();
    let edges: Vec<Vec<(usize, usize)>> = raw
        .entries
        .iter()
        .map(|e| links(&e.v.fields).into_iter().filter_map(|(f, k)| Some((f, *index.get(k.as_str())?))).collect())
        .collect();
    let n = edges.len();
    // Iterative depth-first search: 0 unvisited, 1 on the path, 2 done.
    let mut state = vec![0u8; n];
    let mut depth = vec![0usize; n];
    let mut cut: Vec<(usize, usize, String)> = Vec::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(field, target)) = edges[node].get(*next) {
                *next += 1;
                match state[target] {
                    0 => {
                        state[target] = 1;
                        stack.push((target, 0));
                    }
                    1 => {
                        let path: Vec<&str> = stack
                            .iter()
                            .skip_while(|(k, _)| *k != target)
                            .map(|&(k, _)| raw.entries[k].v.key.v)
                            .chain(std::iter::once(raw.entries[target].v.key.v))
                            .collect();
                        cut.push((node, field, format!("a cycle of links: {}", path.join(" → "))));
                    }
                    _ => {}
                }
                continue;
            }
            stack.pop();
            state[node] = 2;
            let cycle_cut: HashSet<usize> = cut.iter().filter(|c| c.0 == node).map(|c| c.1).collect();
            let longest = edges[node].iter().filter(|(f, _)| !cycle_cut.contains(f)).map(|&(_, t)| depth[t]).max();
            depth[node] = match longest {
                Some(d) if d + 1 > MAX_CHAIN => {
                    for &(f, _) in edges[node].iter().filter(|(f, _)| !cycle_cut.contains(f)) {
                        cut.push((node, f, format!("a chain of links more than {MAX_CHAIN} deep")));
                    }
                    0
                }
                Some(d) => d + 1,
                None => 0,
            };
        }
    }
    let mut repairs = Vec::new();
    let mut removed: HashMap<usize, HashSet<usize>> = HashMap::new();
    for (node, field, why) in cut {
        if !removed.entry(node).or_default().insert(field) {
            continue;
        }
        let entry = &raw.entries[node];
        let f = &entry.v.fields[field];
        repairs.push(Repair {
            code: Code::CrossrefCycle,
            offset: entry.span.start,
            message: format!(
                "entry `{}`: its `{}` link was not followed ({why}); it is imported without what it would inherit",
                entry.v.key.v,
                f.key.v.to_ascii_lowercase()
            ),
        });
    }
    for (node, fields) in removed {
        let mut i = 0;
        raw.entries[node].v.fields.retain(|_| {
            i += 1;
            !fields.contains(&(i - 1))
        });
    }
    repairs
}
