//! Reading one references file: the outline first, then hayagriva on slices
//! of about a thousand entries, in parallel. Slicing keeps one bad entry from
//! hiding the rest (a failing slice is re-read entry by entry) and sidesteps
//! hayagriva's quadratic duplicate-key scan, which dominates large files.
//! Files that use YAML aliases, or whose keys do not each start a line, are
//! read whole, since a slice could cut an alias from its anchor.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use hayagriva::Entry;

use super::outline::{self, Outline, SyntaxError};
use crate::findings::{Code, Finding, Location};

/// Entries, each with its outline index (boxed: an `Entry` is about 1 KB, and
/// entries are moved from slices to the library).
type Indexed = Vec<(usize, Box<Entry>)>;

/// Entries read from a slice and the findings met.
type Read = (Indexed, Vec<Finding>);

/// Entries per slice.
const SLICE: usize = 1000;

/// Byte offset of the start of each line; index 0 is line 1.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// The text of outline items `items` (block files only): from the first key's
/// line to the next key's line.
pub(crate) fn items_text<'a>(text: &'a str, outline: &Outline, starts: &[usize], items: Range<usize>) -> &'a str {
    let start = starts[outline.items[items.start].line - 1];
    let end = outline.items.get(items.end).map_or(text.len(), |next| starts[next.line - 1]);
    &text[start..end]
}

/// hayagriva's YAML error (serde_yaml's), split into message and position.
pub(crate) struct YamlError {
    /// The message without its " at line N column M" tail.
    pub(crate) message: String,
    /// 1-based line and column.
    position: Option<(usize, usize)>,
}

impl From<serde_yaml::Error> for YamlError {
    fn from(e: serde_yaml::Error) -> Self {
        let text = e.to_string();
        let message = text.rfind(" at line ").map_or(text.as_str(), |i| &text[..i]).to_owned();
        YamlError { message, position: e.location().map(|l| (l.line(), l.column())) }
    }
}

/// The outline of `text` and its entries, each with its outline index.
pub(crate) fn entries(text: &str, name: &str, findings: &mut Vec<Finding>) -> Result<(Outline, Indexed), SyntaxError> {
    let outline = outline::outline(text)?;
    let n = outline.items.len();
    if n == 0 {
        return Ok((outline, Vec::new()));
    }
    let file = File { text, name, outline: &outline, starts: line_starts(text) };
    if !outline.is_block() || outline.aliases {
        let (entries, found) = match hayagriva::io::from_yaml_str(text) {
            Ok(lib) => (file.match_items(lib, 0..n), Vec::new()),
            Err(_) if outline.is_block() => file.one_by_one(0..n),
            Err(e) => {
                let e = YamlError::from(e);
                let (line, column) = e.position.unwrap_or((1, 1));
                (Vec::new(), vec![Finding::new(Code::InvalidEntry, e.message).at(Location::at(name, line, column))])
            }
        };
        findings.extend(found);
        return Ok((outline, entries));
    }
    let slices: Vec<Range<usize>> = (0..n).step_by(SLICE).map(|s| s..(s + SLICE).min(n)).collect();
    let workers = std::thread::available_parallelism().map_or(1, |p| p.get()).min(slices.len());
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Read)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(range) = slices.get(i) else { break mine };
                        mine.push((i, file.slice(range.clone())));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a parsing thread panicked")).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    let mut all = Vec::with_capacity(n);
    for (_, (entries, found)) in done {
        all.extend(entries);
        findings.extend(found);
    }
    Ok((outline, all))
}

/// One file being read.
struct File<'a> {
    text: &'a str,
    name: &'a str,
    outline: &'a Outline,
    starts: Vec<usize>,
}

impl File<'_> {
    /// The text of the entries in `items` (block files only).
    fn text_of(&self, items: Range<usize>) -> &str {
        items_text(self.text, self.outline, &self.starts, items)
    }

    /// Pairs parsed entries with their outline items.
    fn match_items(&self, lib: hayagriva::Library, items: Range<usize>) -> Indexed {
        let pos: HashMap<&str, usize> = items.map(|i| (self.outline.items[i].key.as_str(), i)).collect();
        lib.into_iter().filter_map(|e| pos.get(e.key()).map(|&i| (i, Box::new(e)))).collect()
    }

    /// A slice of entries, read at once, or one by one if that fails.
    fn slice(&self, items: Range<usize>) -> Read {
        match hayagriva::io::from_yaml_str(self.text_of(items.clone())) {
            Ok(lib) => (self.match_items(lib, items), Vec::new()),
            Err(_) => self.one_by_one(items),
        }
    }

    /// Each entry read alone, so that one bad entry does not hide the others.
    fn one_by_one(&self, items: Range<usize>) -> Read {
        let name = self.name;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        let mut findings = Vec::new();
        for i in items {
            let item = &self.outline.items[i];
            if let Some(&first) = seen.get(item.key.as_str()) {
                let first = &self.outline.items[first];
                let here = Location::at(name, item.line, item.column).width(item.width);
                findings.push(super::duplicate_key(&item.key, here, Location::at(name, first.line, first.column)));
                continue;
            }
            seen.insert(&item.key, i);
            match hayagriva::io::from_yaml_str(self.text_of(i..i + 1)) {
                Ok(lib) => out.extend(lib.into_iter().map(|e| (i, Box::new(e)))),
                Err(e) => {
                    let e = YamlError::from(e);
                    let (line, column) = e.position.map_or((item.line, item.column), |(l, c)| (item.line + l - 1, c));
                    findings.push(
                        Finding::new(Code::InvalidEntry, format!("entry `{}` cannot be read: {}", item.key, e.message))
                            .at(Location::at(name, line, column))
                            .help("fix the value (see hayagriva's file format); the entry is skipped until then")
                            .data("key", item.key.clone()),
                    );
                }
            }
        }
        (out, findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(entries: &[(usize, Box<Entry>)]) -> Vec<String> {
        entries.iter().map(|(_, e)| e.key().to_owned()).collect()
    }

    #[test]
    fn aliases_across_entries_still_resolve() {
        let text = "a:\n  type: article\n  title: A\n  parent: &j {type: periodical, title: J}\nb:\n  type: article\n  title: B\n  parent: *j\n";
        let mut findings = Vec::new();
        let (outline, entries) = entries(text, "f.yml", &mut findings).unwrap();
        assert!(outline.aliases && findings.is_empty(), "{findings:?}");
        assert_eq!(entries[1].1.parents()[0].title().unwrap().value.to_string(), "J");
    }

    #[test]
    fn many_slices_in_order_with_a_bad_entry_and_a_far_duplicate() {
        let mut text = String::new();
        for i in 0..2500 {
            let date = if i == 1500 { "someday".to_owned() } else { "2000".to_owned() };
            text.push_str(&format!("k{i}:\n  type: book\n  title: T{i}\n  date: {date}\n"));
        }
        text.push_str("k3:\n  type: book\n  title: again\n");
        let mut findings = Vec::new();
        let (outline, entries) = entries(&text, "f.yml", &mut findings).unwrap();
        assert_eq!(outline.items.len(), 2501);
        let got = keys(&entries);
        assert_eq!(got.len(), 2500, "2499 good ones plus the far duplicate, which the library rejects later");
        assert_eq!(got[0], "k0");
        assert_eq!(got[1499], "k1499");
        assert_eq!(got[1500], "k1501");
        assert_eq!(entries.iter().map(|(i, _)| *i).collect::<Vec<_>>().windows(2).filter(|w| w[0] >= w[1]).count(), 0);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].location.as_ref().unwrap().line, Some(1500 * 4 + 4));
    }
}
