//! `citelock add`: imported entries joined to the library. Duplicates are
//! refused (unless forced or declared distinct), missing or taken keys are
//! generated, `--update` patches entries a newer export changed, and every
//! file is re-parsed before it atomically replaces the old one.

use super::written::Kept;
use std::collections::{BTreeMap, HashMap, HashSet};

use hayagriva::Entry;

use super::duplicates::{self, Index};
use super::import::{Import, rekey};
use super::{Library, edit, items_text, keys, line_starts, outline};
use crate::config::Config;
use crate::findings::{Code, Finding, Location};
use crate::repo::Repo;

/// How to add.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Target file, relative to the repository root.
    pub into: String,
    /// The key for the one entry of the import.
    pub key: Option<String>,
    /// Add even entries that look like duplicates.
    pub force: bool,
    /// Refresh existing entries from the import.
    pub update: bool,
    /// Change no file.
    pub dry_run: bool,
}

/// What `add` did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Keys added, in order.
    pub added: Vec<String>,
    /// Keys updated, with the fields that changed.
    pub updated: Vec<(String, Vec<String>)>,
    /// Entries refused as duplicates.
    pub refused: usize,
    /// Entries already present unchanged (`--update`).
    pub unchanged: usize,
    /// Files written (or that would be, with `dry_run`).
    pub written: Vec<String>,
    /// Findings about individual entries.
    pub findings: Vec<Finding>,
}

/// Why nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A usage problem.
    #[error("{0}")]
    Usage(String),
    /// The target file is broken.
    #[error("cannot add to {file}: it does not parse ({detail}); fix it first (`citelock lint` shows where)")]
    BrokenTarget {
        /// The file.
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// Our own edit did not re-parse: a bug, caught before any file changed.
    #[error("the edited {file} would not read back ({detail}); nothing was written")]
    Validation {
        /// The file.
        file: String,
        /// What failed.
        detail: String,
    },
    /// Writing failed.
    #[error("cannot write {file}")]
    Io {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Edits planned for one file.
#[derive(Default)]
struct FileEdits {
    /// (first line, last line, new entry, its URL as written)
    patches: Vec<(usize, usize, Entry, Kept)>,
    /// (new entry, what it keeps beside hayagriva's fields)
    appended: Vec<(Entry, Kept)>,
}

/// Adds `import` (read from `source`) to `library`.
pub fn add(
    repo: &Repo,
    library: &Library,
    config: &Config,
    import: Import,
    source: &str,
    opts: &Options,
) -> Result<Outcome, Error> {
    let into = check_target(library, &opts.into)?;
    if opts.key.is_some() && import.entries.len() != 1 {
        return Err(Error::Usage(format!("--key names one entry, but {source} has {}", import.entries.len())));
    }
    if let Some(k) = &opts.key
        && let Some(reason) = keys::invalid_reason(k)
    {
        return Err(Error::Usage(format!("--key {k:?}: {reason}")));
    }
    let mut out = Outcome { findings: import.findings, ..Outcome::default() };
    let mut index = Index::default();
    let mut taken: HashSet<String> = HashSet::new();
    for f in &library.files {
        taken.extend(f.outline.items.iter().map(|i| i.key.clone()));
    }
    for r in &library.records {
        index.insert(r.entry.key(), &r.entry);
    }
    let mut edits: BTreeMap<String, FileEdits> = BTreeMap::new();
    for imported in import.entries {
        let at = Location::at(source, imported.line, 1);
        let (mut entry, kept) = (imported.entry, imported.kept);
        if let Some(k) = &opts.key {
            entry = rekey(&entry, k);
        }
        let source_key = entry.key().to_owned();
        entry = match edit::settle(&entry) {
            Ok((settled, changed)) => {
                if !changed.is_empty() {
                    out.findings.push(
                        Finding::new(
                            Code::FieldDropped,
                            format!(
                                "entry `{source_key}`: hayagriva cannot hold {} exactly as imported",
                                changed.join(", ")
                            ),
                        )
                        .at(at.clone())
                        .help("compare the added entry with the source and correct it by hand")
                        .data("key", source_key.clone())
                        .data("fields", changed),
                    );
                }
                settled
            }
            Err(e) => {
                out.findings.push(
                    Finding::new(
                        Code::ImportFailed,
                        format!("entry `{source_key}` is not valid in hayagriva's format: {e}"),
                    )
                    .at(at.clone()),
                );
                continue;
            }
        };
        let existing = library.get(&source_key).map(|r| (r, duplicates::same_work(&entry, &r.entry))).or_else(|| {
            let (k, reason) = index.find(&entry, |k| config.declared_distinct(&source_key, k))?;
            library.get(&k).map(|r| (r, Some(reason)))
        });
        if let Some((record, reason)) = existing {
            let old = &record.entry;
            let candidate = rekey(&entry, old.key());
            if opts.update {
                let changed = edit::changed_fields(old, &candidate);
                if changed.is_empty() {
                    out.unchanged += 1;
                } else {
                    let item = library.item(record);
                    let file = library.files[record.file].name.clone();
                    out.findings.push(
                        Finding::new(Code::EntryUpdated, format!("updated `{}`: {}", old.key(), changed.join(", ")))
                            .at(library.location(record))
                            .data("key", old.key())
                            .data("changed", changed.clone()),
                    );
                    out.updated.push((old.key().to_owned(), changed));
                    edits.entry(file).or_default().patches.push((item.line, item.last_line, candidate, kept));
                }
                continue;
            }
            let same = edit::changed_fields(old, &candidate).is_empty();
            let duplicate = same || reason.is_some();
            if duplicate && !opts.force {
                let why =
                    if same { "the same entry".to_owned() } else { reason.map(|r| r.describe()).unwrap_or_default() };
                out.refused += 1;
                out.findings.push(
                    Finding::new(
                        Code::DuplicateReference,
                        format!("not added: `{}` is already in the library ({why})", old.key()),
                    )
                    .at(at.clone())
                    .related(library.location(record), format!("`{}` is here", old.key()))
                    .help("use --update to refresh it from this file, or --force to add it anyway")
                    .data("key", source_key.clone())
                    .data("duplicate-of", old.key()),
                );
                continue;
            }
        }
        let invalid = keys::invalid_reason(&source_key);
        let key = if invalid.is_none() && !taken.contains(&source_key) {
            source_key.clone()
        } else {
            let key = keys::unique(&keys::base(&entry), |k| taken.contains(k));
            let why = match (source_key.is_empty(), invalid) {
                (true, _) => "the source gave no usable key".to_owned(),
                (false, Some(reason)) => format!("`{source_key}` is not a valid key ({reason})"),
                (false, None) => format!("`{source_key}` is taken"),
            };
            out.findings.push(
                Finding::new(Code::KeyRenamed, format!("{why}; added as `{key}`"))
                    .at(at.clone())
                    .data("key", key.clone())
                    .data("source-key", source_key.clone()),
            );
            key
        };
        if key != entry.key() {
            entry = rekey(&entry, &key);
        }
        taken.insert(key.clone());
        index.insert(&key, &entry);
        out.added.push(key);
        edits.entry(into.clone()).or_default().appended.push((entry, kept));
    }
    for (file, edits) in edits {
        write_file(repo, library, &file, edits, opts.dry_run)?;
        out.written.push(file);
    }
    Ok(out)
}

/// The target must be a YAML file under `references/` that parses (or does not exist yet).
fn check_target(library: &Library, into: &str) -> Result<String, Error> {
    let into = into.trim_start_matches("./").to_owned();
    let ok_ext = into.ends_with(".yml") || into.ends_with(".yaml");
    if !into.starts_with("references/") || !ok_ext || into.split('/').any(|p| p == "..") {
        return Err(Error::Usage(format!("--into {into}: the target must be a .yml or .yaml file under references/")));
    }
    if let Some(i) = library.file_index(&into)
        && !library.files[i].parsed
    {
        return Err(Error::BrokenTarget { file: into, detail: "invalid YAML".into() });
    }
    Ok(into)
}

fn write_file(repo: &Repo, library: &Library, file: &str, mut edits: FileEdits, dry_run: bool) -> Result<(), Error> {
    let old_file = library.file_index(file).map(|i| &library.files[i]);
    let old = old_file.map_or("", |f| f.text.as_str());
    // Appending after a block-style file that read cleanly leaves everything up to its
    // last entry as it was, so only that entry onwards needs reading back.
    let unchanged_prefix =
        old_file.filter(|f| f.parsed && f.outline.is_block() && !f.outline.aliases && edits.patches.is_empty());
    let from = unchanged_prefix.and_then(|f| f.outline.items.last()).map_or(1, |last| last.line);
    let mut text = old.to_owned();
    edits.patches.sort_by_key(|p| std::cmp::Reverse(p.0));
    let mut expected: Vec<Entry> = Vec::new();
    for (first, last, entry, kept) in edits.patches {
        text = edit::replace_lines(&text, first, last, &edit::to_yaml_as_written([(&entry, &kept)]));
        expected.push(entry);
    }
    if !edits.appended.is_empty() {
        text = edit::append(&text, &edit::to_yaml_as_written(edits.appended.iter().map(|(e, k)| (e, k))));
        expected.extend(edits.appended.into_iter().map(|(e, _)| e));
    }
    verify(file, &text, from, &expected).map_err(|detail| Error::Validation { file: file.to_owned(), detail })?;
    if dry_run {
        return Ok(());
    }
    let path = repo.root().join(file);
    let io = |source| Error::Io { file: file.to_owned(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
        // What a killed `add` left behind; an hour is far longer than any write.
        crate::atomic::sweep(dir, std::time::Duration::from_secs(3600));
    }
    crate::atomic::write(&path, text.as_bytes()).map_err(io)
}

/// Proves that `text` reads back with each of `expected` exactly once and as
/// meant, reading from line `from` on (the lines before it are known to be
/// unchanged, whole entries). In a block-style file (each key starting a line,
/// no aliases) only the outline and the edited entries are read; otherwise the
/// whole file is read again.
fn verify(file: &str, text: &str, from: usize, expected: &[Entry]) -> Result<(), String> {
    let text = &text[line_starts(text)[from - 1]..];
    let outline = outline::outline(text).map_err(|e| format!("line {}: {}", e.line + from - 1, e.message))?;
    let reads_back = |key: &str, got: Option<&Entry>| match got {
        Some(entry) if edit::changed_fields(entry, expected.iter().find(|e| e.key() == key).unwrap()).is_empty() => {
            Ok(())
        }
        _ => Err(format!("entry `{key}` reads back differently")),
    };
    if !outline.is_block() || outline.aliases {
        let (parsed, _) = Library::from_text(file, text.to_owned());
        return expected.iter().try_for_each(|e| reads_back(e.key(), parsed.get(e.key()).map(|r| &*r.entry)));
    }
    let mut positions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, item) in outline.items.iter().enumerate() {
        positions.entry(item.key.as_str()).or_default().push(i);
    }
    let starts = line_starts(text);
    for e in expected {
        let [i] = positions.get(e.key()).map(Vec::as_slice).unwrap_or_default() else {
            return Err(format!("entry `{}` is not there exactly once", e.key()));
        };
        let (lib, findings) = Library::from_text(file, items_text(text, &outline, &starts, *i..*i + 1).to_owned());
        if let (None, Some(f)) = (lib.get(e.key()), findings.first()) {
            return Err(format!("entry `{}`: {}", e.key(), f.message));
        }
        reads_back(e.key(), lib.get(e.key()).map(|r| &*r.entry))?;
    }
    Ok(())
}
