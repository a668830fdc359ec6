//! The references library: every `references/**/*.yml|yaml` file read with
//! hayagriva, file and entry order kept, with positions from our own outline
//! (hayagriva gives none). Loading never stops at the first bad entry: each
//! problem becomes a finding and the rest of the library still loads.

pub mod add;
pub mod changed;
pub mod duplicates;
pub mod edit;
pub mod fields;
pub mod import;
pub mod keys;
pub mod lint;
pub mod outline;
mod parse;
pub(crate) mod written;

pub(crate) use parse::{items_text, line_starts};

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use hayagriva::Entry;

use crate::findings::{Code, Finding, Location};
use crate::repo::Repo;
use outline::{Item, Outline};

/// One loaded entry and where it is written.
#[derive(Debug, Clone)]
pub struct Record {
    /// The entry as hayagriva reads it (its key is the citation key).
    pub entry: Box<Entry>,
    /// Index of its file in [`Library::files`].
    pub file: usize,
    /// Its place in the outline of that file.
    pub item: usize,
    /// Its URL as written, where hayagriva's parsed URL prints otherwise
    /// ([`written::url`]).
    pub url: Option<String>,
    /// The end of its date range (`date-end`), as written, where the entry
    /// has one.
    pub date_end: Option<String>,
}

impl Record {
    /// Its date range as first and last year ([`Library::year_range`]).
    fn year_range(&self) -> Option<(i32, i32)> {
        let start = self.entry.date()?.year;
        let end = written::date_end(self.date_end.as_deref()?)?.year;
        (end > start).then_some((start, end))
    }
}

/// One references file, its text and its outline.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Path relative to the repository root.
    pub name: String,
    /// The file's text as read.
    pub text: String,
    /// The outline; empty when the file does not parse.
    pub outline: Outline,
    /// Whether the file parsed as YAML at all.
    pub parsed: bool,
}

/// All references, in file order and entry order.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// The files read.
    pub files: Vec<SourceFile>,
    /// Loaded entries, first definition of each key only.
    pub records: Vec<Record>,
    by_key: HashMap<String, usize>,
}

impl Library {
    /// The record of a key.
    pub fn get(&self, key: &str) -> Option<&Record> {
        self.by_key.get(key).map(|&i| &self.records[i])
    }

    /// Whether a key is defined (or was defined twice, or failed to load: any use of it).
    pub fn has_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key) || self.files.iter().any(|f| f.outline.items.iter().any(|i| i.key == key))
    }

    /// A key's URL as hayagriva prints it and as written, where they differ
    /// ([`Record::url`]).
    pub fn written_url(&self, key: &str) -> Option<(&str, &str)> {
        let record = self.get(key)?;
        Some((record.entry.url()?.value.as_str(), record.url.as_deref()?))
    }

    /// A key's date range as its first and last year, where its `date-end`
    /// is a date in a later year than its `date` ([`written::date_end`]).
    pub fn year_range(&self, key: &str) -> Option<(i32, i32)> {
        self.get(key)?.year_range()
    }

    /// The last year of each date range across years, by key ([`Library::year_range`]).
    pub fn year_ends(&self) -> HashMap<String, i32> {
        self.records.iter().filter_map(|r| Some((r.entry.key().to_owned(), r.year_range()?.1))).collect()
    }

    /// The outline item of a record.
    pub fn item(&self, record: &Record) -> &Item {
        &self.files[record.file].outline.items[record.item]
    }

    /// Where a record's key is written.
    pub fn location(&self, record: &Record) -> Location {
        let item = self.item(record);
        Location::at(&self.files[record.file].name, item.line, item.column).width(item.width)
    }

    /// Index of a file by its relative name.
    pub fn file_index(&self, name: &str) -> Option<usize> {
        self.files.iter().position(|f| f.name == name)
    }

    /// Loads every references file under `repo`, with the findings met on the way.
    pub fn load(repo: &Repo) -> io::Result<(Library, Vec<Finding>)> {
        Library::load_with(repo, &|_| None)
    }

    /// Loads as [`Library::load`] does, with `unsaved` giving the text of files
    /// an editor holds with changes not yet written.
    pub fn load_with(repo: &Repo, unsaved: &dyn Fn(&Path) -> Option<String>) -> io::Result<(Library, Vec<Finding>)> {
        let mut paths = Vec::new();
        collect_yaml(&repo.references_dir(), &mut paths)?;
        paths.sort();
        let mut library = Library::default();
        let mut findings = Vec::new();
        for path in paths {
            let bytes = match unsaved(&path) {
                Some(text) => text.into_bytes(),
                None => std::fs::read(&path)
                    .map_err(|e| io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())))?,
            };
            let name = repo.relative(&path);
            library.add_file(path, name, bytes, &mut findings);
        }
        library.check_keys(&mut findings);
        Ok((library, findings))
    }

    /// A library of one file's text, as `load` would read it (used to prove an edit reads back).
    pub(crate) fn from_text(name: &str, text: String) -> (Library, Vec<Finding>) {
        let mut library = Library::default();
        let mut findings = Vec::new();
        library.add_file(PathBuf::from(name), name.to_owned(), text.into_bytes(), &mut findings);
        (library, findings)
    }

    /// Parses one file's bytes and adds its entries; findings for what fails.
    fn add_file(&mut self, path: PathBuf, name: String, bytes: Vec<u8>, findings: &mut Vec<Finding>) {
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let (line, column) = crate::findings::position(&lossy, valid);
                findings.push(
                    Finding::new(Code::YamlSyntax, "the file is not valid UTF-8").at(Location::at(&name, line, column)),
                );
                self.files.push(SourceFile { path, name, text: lossy, outline: Outline::default(), parsed: false });
                return;
            }
        };
        let file = self.files.len();
        let (outline, entries) = match parse::entries(&text, &name, findings) {
            Ok(parsed) => parsed,
            Err(e) => {
                findings.push(
                    Finding::new(Code::YamlSyntax, format!("invalid YAML: {}", e.message))
                        .at(Location::at(&name, e.line, e.column))
                        .help("none of this file's entries are loaded until it parses"),
                );
                self.files.push(SourceFile { path, name, text, outline: Outline::default(), parsed: false });
                return;
            }
        };
        self.files.push(SourceFile { path, name, text, outline, parsed: true });
        self.records.reserve(entries.len());
        for (item, mut entry) in entries {
            let fields = &self.files[file].outline.items[item].fields;
            written::restore(
                &mut entry,
                fields.iter().filter_map(|f| Some((f.name.as_str(), f.depth, f.value.as_deref()?))),
            );
            let url = fields.iter().find(|f| f.name == "url" && f.depth == 0).and_then(|f| f.value.as_deref());
            let url = url.and_then(|text| written::url(&entry, text));
            let date_end = fields.iter().find(|f| f.name == "date-end" && f.depth == 0).and_then(|f| f.value.clone());
            self.push_record(Record { entry, file, item, url, date_end }, findings);
        }
    }

    /// Adds a record unless its key is already defined (then `duplicate-key`).
    fn push_record(&mut self, record: Record, findings: &mut Vec<Finding>) {
        let key = record.entry.key().to_owned();
        if let Some(&first) = self.by_key.get(&key) {
            let first = &self.records[first];
            findings.push(duplicate_key(&key, self.location(&record), self.location(first)));
            return;
        }
        self.by_key.insert(key, self.records.len());
        self.records.push(record);
    }

    /// `invalid-key`, `key-collision`, `unknown-field` over the loaded records.
    fn check_keys(&self, findings: &mut Vec<Finding>) {
        let mut folded: HashMap<String, &Record> = HashMap::new();
        for r in &self.records {
            let key = r.entry.key();
            let here = self.location(r);
            if let Some(reason) = keys::invalid_reason(key) {
                findings.push(
                    Finding::new(Code::InvalidKey, format!("invalid citation key {key:?}: {reason}"))
                        .at(here.clone())
                        .help("keys may hold letters, digits and punctuation such as `:` `/` `-` `.`, but no spaces")
                        .data("key", key),
                );
            }
            match folded.get(&keys::fold(key)) {
                Some(other) => findings.push(
                    Finding::new(
                        Code::KeyCollision,
                        format!(
                            "keys `{key}` and `{}` differ only by case or Unicode normalisation",
                            other.entry.key()
                        ),
                    )
                    .at(here.clone())
                    .related(self.location(other), "the other key")
                    .help("their capture logs would share one file name on macOS and Windows: rename one")
                    .data("key", key)
                    .data("other", other.entry.key()),
                ),
                None => {
                    folded.insert(keys::fold(key), r);
                }
            }
            let file = &self.files[r.file].name;
            for field in &self.item(r).fields {
                if fields::is_known(&field.name) {
                    continue;
                }
                let owner = if field.depth == 0 { String::new() } else { " (in a parent)".to_owned() };
                let mut f = Finding::new(
                    Code::UnknownField,
                    format!("unknown field `{}` in entry `{key}`{owner}: hayagriva ignores it", field.name),
                )
                .at(Location::at(file, field.line, field.column).width(field.width))
                .data("key", key)
                .data("field", field.name.clone());
                if let Some(help) = fields::suggest(&field.name) {
                    f = f.help(help);
                }
                findings.push(f);
            }
        }
    }
}

/// `duplicate-key`: `key` at `here` was first defined at `first`.
pub(crate) fn duplicate_key(key: &str, here: Location, first: Location) -> Finding {
    Finding::new(Code::DuplicateKey, format!("key `{key}` is defined twice; the first definition is used"))
        .at(here)
        .related(first, "first defined here")
        .help("rename one of the two entries, or delete the copy")
        .data("key", key)
}

/// An entry type's name as written in YAML (`article`).
pub fn type_name(t: &hayagriva::types::EntryType) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{t:?}").to_lowercase(),
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(io::Error::new(e.kind(), format!("cannot list {}: {e}", dir.display())));
        }
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let ty = entry.file_type()?;
        if ty.is_dir() {
            collect_yaml(&path, out)?;
        } else if ty.is_file()
            && matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
            && !path.ends_with(crate::check::verified::FILE)
        {
            out.push(path);
        }
    }
    Ok(())
}
