//! What the server knows of the repository: its config, library, hand
//! verifications and archive, reloaded when any of their files change (a
//! stamp of their sizes and times is compared before each use, so clients
//! without file watching are served too), and the analysis of each document.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

use crate::archive::capture;
use crate::check::{self, Claim, Input, Tally, verified::Verified};
use crate::config::Config;
use crate::export::csl::{self, Styled};
use crate::export::kept;
use crate::findings::{Code, Finding, Findings, Location};
use crate::library::{Library, lint};
use crate::repo::Repo;
use crate::report::{Report, Syntax};

use super::document::{Document, Kind};

/// The repository as last loaded.
pub struct World {
    /// The repository.
    pub repo: Repo,
    /// `citelock.toml` (defaults when it does not parse; the problem is a finding).
    pub config: Config,
    /// `references/`, unsaved buffers included.
    pub library: Library,
    /// Findings met loading the config, library and verifications.
    pub loading: Vec<Finding>,
    /// `references/verified.yml`.
    pub verified: Vec<Verified>,
    stamp: Vec<(PathBuf, u64, Option<SystemTime>)>,
    unsaved: Vec<(PathBuf, u64)>,
    styled: OnceLock<Option<Styled>>,
    archived: OnceLock<HashSet<String>>,
    cards: OnceLock<Vec<Card>>,
}

/// What key completion shows of an entry, built once per load rather than per keystroke.
pub struct Card {
    /// The key.
    pub key: String,
    /// The key in lower case, for matching.
    pub lower: String,
    /// `Authors (year) · snapshot archived`.
    pub detail: String,
    /// What clients filter on: the key, the title and the authors.
    pub filter: String,
}

/// A report's analysis: its markers and quotations, and what `check` says of it.
pub struct Analysis {
    /// The parsed report.
    pub report: Report,
    /// Findings located in this document, with the configured levels applied.
    pub findings: Vec<Finding>,
    /// Its citations, as `trace` shows them.
    pub claims: Vec<Claim>,
    /// Its counts.
    pub tally: Tally,
}

impl World {
    /// Loads the repository at `root`; `open` are the documents the editor holds.
    pub fn load(root: &Path, open: &HashMap<String, Document>) -> World {
        let repo = Repo::at(root);
        let mut loading = Vec::new();
        let config = Config::load(root).unwrap_or_else(|e| {
            loading.push(Finding::new(Code::ConfigInvalid, e.to_string()).at(Location::file("citelock.toml")));
            Config::default()
        });
        let unsaved = unsaved_library(open);
        let lookup = |p: &Path| unsaved.get(p).cloned();
        let library = match Library::load_with(&repo, &lookup) {
            Ok((library, found)) => {
                loading.extend(found);
                library
            }
            Err(e) => {
                loading.push(Finding::new(Code::YamlSyntax, e.to_string()).at(Location::file("references")));
                Library::default()
            }
        };
        let verified = check::verified::load(root).unwrap_or_else(|e| {
            loading.push(Finding::new(Code::YamlSyntax, e).at(Location::file(check::verified::FILE)));
            Vec::new()
        });
        let stamp = stamp(&repo);
        let unsaved = fingerprint(&unsaved);
        World {
            repo,
            config,
            library,
            loading,
            verified,
            stamp,
            unsaved,
            styled: OnceLock::new(),
            archived: OnceLock::new(),
            cards: OnceLock::new(),
        }
    }

    /// Every entry as key completion shows it, in the library's order.
    pub fn cards(&self) -> &[Card] {
        self.cards.get_or_init(|| {
            let archived = self.archived_keys();
            self.library
                .records
                .iter()
                .map(|r| {
                    let key = r.entry.key();
                    let title = r.entry.title().map(|t| t.value.to_string()).unwrap_or_default();
                    let authors = match r.entry.authors().unwrap_or_default() {
                        [one] => one.name.clone(),
                        [one, two] => format!("{} & {}", one.name, two.name),
                        [one, ..] => format!("{} et al.", one.name),
                        [] => String::new(),
                    };
                    let year = r.entry.date().map(|d| d.year.to_string()).unwrap_or_default();
                    let snapshot = if archived.contains(key) { "snapshot archived" } else { "no snapshot" };
                    Card {
                        key: key.to_owned(),
                        lower: key.to_lowercase(),
                        detail: format!("{authors} ({year}) · {snapshot}"),
                        filter: format!("{key} {title} {authors}"),
                    }
                })
                .collect()
        })
    }

    /// An entry formatted (Markdown) in the configured style (`[export] style`, else APA).
    pub fn format(&self, key: &str) -> Option<String> {
        let entry = &self.library.get(key)?.entry;
        let styled = self.styled.get_or_init(|| {
            let name = self.config.export.style.as_deref().unwrap_or("apa");
            let locale = self.config.export.locale.as_deref();
            csl::load_style(name, self.repo.root(), locale).map_err(|e| eprintln!("citelock lsp: {e}")).ok()
        });
        let mut rendered = csl::bibliography(styled.as_ref()?, &[entry.as_ref()], csl::Markup::Markdown, None);
        kept::printed(&mut rendered.items, &self.library, csl::Markup::Markdown);
        rendered.items.into_iter().next().map(|(_, text)| text)
    }

    /// Keys that have a capture log (a snapshot was taken or attached).
    pub fn archived_keys(&self) -> &HashSet<String> {
        self.archived.get_or_init(|| {
            let logs: HashSet<String> = std::fs::read_dir(self.repo.archive().captures_dir())
                .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            self.library
                .records
                .iter()
                .map(|r| r.entry.key())
                .filter(|k| logs.contains(&format!("{}.yml", capture::file_key(k))))
                .map(str::to_owned)
                .collect()
        })
    }

    /// Whether files on disk, or unsaved references, differ from what was loaded.
    pub fn stale(&self, open: &HashMap<String, Document>) -> bool {
        stamp(&self.repo) != self.stamp || fingerprint(&unsaved_library(open)) != self.unsaved
    }

    /// What `check` says of a report as the editor has it; `memo` carries what earlier checks read and computed (snapshot texts,
    /// indexes, passages, verdicts), so a check after an edit redoes little.
    pub fn analyse(&self, doc: &Document, syntax: Syntax, memo: &mut check::Memo) -> Analysis {
        let refs = check::refs(self.repo.root(), &doc.path);
        let input = Input { name: doc.name.clone(), text: doc.text.clone(), syntax, refs };
        let settings = self.config.check.evidence();
        let outcome = check::check_with(&self.repo, &self.library, &[input], &self.verified, settings, memo);
        let findings = self.located(outcome.findings, &doc.name);
        let report = outcome.reports.into_iter().next().unwrap_or_else(|| Report::parse(doc.text.clone(), syntax));
        Analysis { report, findings, claims: outcome.claims, tally: outcome.tally }
    }

    /// `lint`'s findings for one references file, and what loading it met.
    pub fn lint(&self, name: &str) -> Vec<Finding> {
        let mut all = self.loading.clone();
        all.extend(lint::lint(&self.library, &self.config));
        self.located(all, name)
    }

    /// The findings located in `name`, at their configured levels.
    fn located(&self, findings: Vec<Finding>, name: &str) -> Vec<Finding> {
        let mut levelled = Findings::with_levels(self.config.levels.clone());
        levelled.extend(findings.into_iter().filter(|f| f.location.as_ref().is_some_and(|l| l.file == name)));
        levelled.items().to_vec()
    }
}

/// Unsaved texts of open references files, by path.
fn unsaved_library(open: &HashMap<String, Document>) -> HashMap<PathBuf, String> {
    open.values().filter(|d| d.kind == Kind::References).map(|d| (d.path.clone(), d.text.clone())).collect()
}

fn fingerprint(texts: &HashMap<PathBuf, String>) -> Vec<(PathBuf, u64)> {
    use std::hash::{Hash, Hasher};
    let mut v: Vec<(PathBuf, u64)> = texts
        .iter()
        .map(|(p, t)| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            t.hash(&mut h);
            (p.clone(), h.finish())
        })
        .collect();
    v.sort();
    v
}

/// Sizes and times of what a check reads besides the report: the config,
/// each file of `references/` (editors may write them in place), the
/// manifest, and the capture logs' folder, whose time changes with every log
/// citelock writes (it writes a new file and renames it over the old).
fn stamp(repo: &Repo) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let archive = repo.archive();
    let mut files = vec![repo.root().join("citelock.toml"), archive.manifest_path(), archive.captures_dir()];
    if let Ok(entries) = std::fs::read_dir(repo.references_dir()) {
        files.extend(entries.flatten().map(|e| e.path()));
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let meta = std::fs::metadata(&p).ok();
            let len = meta.as_ref().map_or(u64::MAX, |m| m.len());
            let time = meta.and_then(|m| m.modified().ok());
            (p, len, time)
        })
        .collect()
}
