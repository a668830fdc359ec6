//! `citelock check`: the editor's check, offline. Every marker resolves to a
//! reference; every cited reference is complete and has a snapshot whose hash
//! still verifies; every attributed quotation is in the current snapshot of a
//! source its marker cites (or, if it is in another source's, that is named).

mod allow;
pub mod evidence;
mod memo;
mod page;
pub mod trace;
pub mod verified;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::rc::Rc;

use crate::archive::{Archive, capture};
use crate::findings::{Code, Finding, Location};
use crate::library::{Library, lint};
use crate::repo::Repo;
use crate::report::{Report, Span, Syntax, Target, numbered_refs};
use crate::text::quote::{self, Source, Verdict};

pub use memo::Memo;

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Markers read (`[3][4]` is one marker).
    pub markers: usize,
    /// Citations in them (`[3][4]` is two).
    pub citations: usize,
    /// Quotations checked against a snapshot and found.
    pub verified: usize,
    /// Quotations not found in their sources.
    pub not_found: usize,
    /// Quotations with no text to check against.
    pub unverifiable: usize,
    /// Quotations no marker claims.
    pub unattributed: usize,
}

/// One report to check: its path (relative to the root, for findings) and text.
pub struct Input {
    /// Path relative to the repository root.
    pub name: String,
    /// The text.
    pub text: String,
    /// Its syntax.
    pub syntax: Syntax,
    /// `REPORT.refs`, if the report has one: (relative name, text).
    pub refs: Option<(String, String)>,
}

/// The state of a cited reference's snapshot.
enum Snapshot {
    /// Text to match against, and the object's SHA-256.
    Text(Rc<Source>, String),
    /// A snapshot whose type has no text (or a scanned PDF with none).
    NoText,
    /// No usable snapshot (none, missing, or corrupt): already reported.
    Missing,
}

/// A reference's current snapshot, as a claim shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SnapshotRef {
    /// The capture id.
    pub id: String,
    /// SHA-256 of the object.
    pub sha256: String,
    /// When it was captured.
    pub captured: String,
    /// `http`, `file`, `web-archive`.
    pub method: String,
    /// The object's path, relative to the repository root.
    pub path: String,
    /// Where it was fetched from, for snapshots fetched over HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Whether it is pinned (`archive --pin`), rather than simply the newest.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
}

/// A quotation tied to a claim, with its verdict.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuoteRef {
    /// The quotation.
    pub text: String,
    /// `exact`, `normalised`, `with-gaps`, `near-miss`, `not-found`, `other-source`,
    /// `unverifiable`, `verified-by-hand`.
    pub verdict: String,
    /// 1-based line of the quotation in its report.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
}

/// One citation in a report: the claims table's row (`citelock trace`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Claim {
    /// The report.
    pub file: String,
    /// 1-based line of the citation.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// The marker as written.
    pub marker: String,
    /// The key (or number) the report cites.
    pub cites: String,
    /// How the citation reads: `normal`, `prose`, `suppress-author`,
    /// `year` or `author`.
    pub form: crate::report::Form,
    /// The key it resolves to (none when it does not).
    pub key: Option<String>,
    /// A page or other locator.
    pub locator: Option<String>,
    /// The sentence the citation stands in.
    pub sentence: String,
    /// The cited reference's current snapshot.
    pub snapshot: Option<SnapshotRef>,
    /// Quotations attributed to the marker.
    pub quotations: Vec<QuoteRef>,
    /// The claim: the clause ending at the marker, or its sentence.
    pub claim: String,
    /// The passages of the snapshot's text most likely to support the claim, best first.
    pub evidence: std::sync::Arc<Vec<crate::text::evidence::Passage>>,
    /// The claim's numbers, looked up in the sentence's cited sources.
    pub numbers: Vec<evidence::ClaimNumber>,
    /// Byte offsets of the claim's start and its marker's end in the report.
    #[serde(skip)]
    pub span: (usize, usize),
}

/// What a check produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Problems (and notes).
    pub findings: Vec<Finding>,
    /// Counts.
    pub tally: Tally,
    /// Every citation, for the claims table.
    pub claims: Vec<Claim>,
    /// The reports as parsed, in the order given.
    pub reports: Vec<Report>,
}

/// Checks reports against the library and the archive; `settings` says
/// whether (and how many) evidence passages to look for.
pub fn check(
    repo: &Repo,
    library: &Library,
    inputs: &[Input],
    verified: &[verified::Verified],
    settings: evidence::Settings,
) -> Outcome {
    check_with(repo, library, inputs, verified, settings, &mut Memo::default())
}

/// [`check`], reusing what earlier checks with the same `memo` read and computed.
pub fn check_with(
    repo: &Repo,
    library: &Library,
    inputs: &[Input],
    verified: &[verified::Verified],
    settings: evidence::Settings,
    memo: &mut Memo,
) -> Outcome {
    memo.begin();
    let mut c = Checker {
        memo,
        repo,
        library,
        verified,
        evidence: settings,
        indexes: HashMap::new(),
        archive: repo.archive(),
        findings: Vec::new(),
        snapshots: HashMap::new(),
        others: HashMap::new(),
        tally: Tally::default(),
        claims: Vec::new(),
        reports: Vec::new(),
        library_id: None,
    };
    let mut cited: BTreeSet<String> = BTreeSet::new();
    for input in inputs {
        c.report(input, &mut cited);
    }
    for r in &library.records {
        if !cited.contains(r.entry.key()) {
            c.findings.push(
                Finding::new(Code::UnusedReference, format!("`{}` is not cited in the checked reports", r.entry.key()))
                    .at(library.location(r))
                    .data("key", r.entry.key()),
            );
        }
    }
    c.memo.end();
    Outcome { findings: c.findings, tally: c.tally, claims: c.claims, reports: c.reports }
}

struct Checker<'a> {
    memo: &'a mut Memo,
    repo: &'a Repo,
    library: &'a Library,
    verified: &'a [verified::Verified],
    evidence: evidence::Settings,
    indexes: HashMap<String, Option<(Rc<crate::text::evidence::Index>, String)>>,
    archive: Archive,
    findings: Vec<Finding>,
    snapshots: HashMap<String, Snapshot>,
    others: HashMap<String, Option<(Rc<Source>, String)>>,
    tally: Tally,
    claims: Vec<Claim>,
    reports: Vec<Report>,
    /// Every reference's key and current snapshot, hashed (once per check, when needed).
    library_id: Option<String>,
}

fn at(input: &Input, report: &Report, span: Span) -> Location {
    let (line, column) = report.position(span.start);
    let (end_line, end_column) = report.position(span.end);
    Location {
        file: input.name.clone(),
        line: Some(line),
        column: Some(column),
        end_line: Some(end_line),
        end_column: Some(end_column),
    }
}

impl Checker<'_> {
    fn report(&mut self, input: &Input, cited: &mut BTreeSet<String>) {
        let first_finding = self.findings.len();
        self.report_findings(input, cited);
        allow::apply(&mut self.findings[first_finding..], &input.name, &input.text, input.syntax);
    }

    fn report_findings(&mut self, input: &Input, cited: &mut BTreeSet<String>) {
        let report = Report::parse(input.text.clone(), input.syntax);
        self.tally.markers += report.markers.len();
        self.tally.citations += report.markers.iter().map(|m| m.cites.len()).sum::<usize>();
        let numbers = self.numbering(input, &report);
        // Resolve every citation to a key (or report it).
        let mut keys_of: Vec<Vec<String>> = Vec::with_capacity(report.markers.len());
        let mut locators: Vec<HashMap<String, String>> = Vec::with_capacity(report.markers.len());
        let mut claims_of: Vec<Vec<usize>> = Vec::with_capacity(report.markers.len());
        let mut first_use: HashMap<String, Location> = HashMap::new();
        for m in &report.markers {
            let mut keys = Vec::new();
            let mut locs = HashMap::new();
            let mut claims = Vec::new();
            for cite in &m.cites {
                let here = at(input, &report, cite.span);
                claims.push(self.claims.len());
                self.claims.push(Claim {
                    file: input.name.clone(),
                    line: here.line.unwrap_or(0),
                    column: here.column.unwrap_or(0),
                    marker: report.text[m.span.start..m.span.end].to_owned(),
                    cites: match &cite.target {
                        Target::Key(k) => k.clone(),
                        Target::Number(n) => n.to_string(),
                    },
                    form: cite.form,
                    key: None,
                    locator: cite.locator.clone(),
                    sentence: sentence_of(&report.text, m.span.start, m.span.end),
                    snapshot: None,
                    quotations: Vec::new(),
                    claim: String::new(),
                    evidence: std::sync::Arc::default(),
                    numbers: Vec::new(),
                    span: (sentence_start(&report.prose, m.span.start), m.span.end),
                });
                let key = match &cite.target {
                    Target::Key(k) => Some(k.clone()),
                    Target::Number(n) => match numbers.get(n) {
                        Some(k) => Some(k.clone()),
                        None => {
                            self.findings.push(
                                Finding::new(
                                    Code::UnknownCitation,
                                    format!("[{n}] is not in the numbered reference list"),
                                )
                                .at(here.clone())
                                .help("add it to the report's .refs file (`citelock number REPORT` writes one)")
                                .data("number", *n),
                            );
                            None
                        }
                    },
                };
                let Some(key) = key else { continue };
                if self.library.get(&key).is_none() {
                    let near = self
                        .library
                        .records
                        .iter()
                        .map(|r| (r.entry.key(), strsim::jaro_winkler(r.entry.key(), &key)))
                        .filter(|(_, s)| *s > 0.85)
                        .max_by(|a, b| a.1.total_cmp(&b.1));
                    let mut f = Finding::new(Code::UnknownCitation, format!("`{key}` is not in references/"))
                        .at(here.clone())
                        .data("key", key.clone());
                    if let Some((k, _)) = near {
                        f = f.help(format!("did you mean `{k}`?")).data("suggestion", k);
                    }
                    self.findings.push(f);
                    continue;
                }
                first_use.entry(key.clone()).or_insert(here);
                if let Some(l) = &cite.locator {
                    locs.insert(key.clone(), l.clone());
                }
                if let Some(claim) = self.claims.last_mut() {
                    claim.key = Some(key.clone());
                }
                keys.push(key);
            }
            keys_of.push(keys);
            locators.push(locs);
            claims_of.push(claims);
        }
        let mut keys: Vec<(&String, &Location)> = first_use.iter().collect();
        keys.sort_by_key(|a| (a.1.line, a.1.column));
        for (key, used) in keys {
            if cited.insert(key.clone()) {
                self.cited_entry(key, used);
            }
        }
        for q in &report.quotes {
            let verdict = self.quote(input, &report, q, &keys_of, &locators);
            let here = at(input, &report, q.span);
            let (line, column) = (here.line.unwrap_or(1), here.column.unwrap_or(1));
            for &c in q.marker.map(|m| claims_of[m].as_slice()).unwrap_or_default() {
                let quote = QuoteRef { text: q.text.clone(), verdict: verdict.to_owned(), line, column };
                self.claims[c].quotations.push(quote);
            }
        }
        let first_claim = self.claims.len() - report.markers.iter().map(|m| m.cites.len()).sum::<usize>();
        for claim in &mut self.claims[first_claim..] {
            let Some(key) = &claim.key else { continue };
            let captures = self.memo.captures(&self.archive, key).unwrap_or_default();
            claim.snapshot = capture::current(&captures).map(|c| {
                let sha256 = c.sha256.clone().unwrap_or_default();
                SnapshotRef {
                    id: c.id.clone(),
                    path: format!("archive/{}", Archive::object_rel(&sha256)),
                    sha256,
                    captured: c.captured.clone(),
                    method: c.method.name().to_owned(),
                    url: c.url.clone().filter(|_| c.method.name() == "http"),
                    pinned: c.pinned,
                }
            });
        }
        if self.evidence.enabled {
            self.evidence(input, &report, &keys_of, &claims_of);
        }
        self.reports.push(report);
    }

    /// Number → key, from `REPORT.refs` or (with a warning) the library's order.
    fn numbering(&mut self, input: &Input, report: &Report) -> HashMap<u32, String> {
        let numbered = report.markers.iter().flat_map(|m| &m.cites).any(|c| matches!(c.target, Target::Number(_)));
        if !numbered {
            return HashMap::new();
        }
        match &input.refs {
            Some((name, text)) => {
                let (refs, bad) = numbered_refs(text);
                for line in bad {
                    self.findings.push(
                        Finding::new(Code::UnknownCitation, "not a `N key` line").at(Location::at(name, line, 1)),
                    );
                }
                let mut map = HashMap::new();
                for (n, key, line) in refs {
                    if self.library.get(&key).is_none() {
                        self.findings.push(
                            Finding::new(
                                Code::UnknownCitation,
                                format!("[{n}] names `{key}`, which is not in references/"),
                            )
                            .at(Location::at(name, line, 1))
                            .data("key", key.clone()),
                        );
                    }
                    map.insert(n, key);
                }
                map
            }
            None => {
                self.findings.push(
                    Finding::new(
                        Code::ImplicitNumbering,
                        "numbered markers follow the order of references/; adding a reference would re-point them",
                    )
                    .at(Location::file(&input.name))
                    .help(format!("commit a fixed list: `citelock number {}`", input.name)),
                );
                self.library.records.iter().enumerate().map(|(i, r)| (i as u32 + 1, r.entry.key().to_owned())).collect()
            }
        }
    }

    /// Completeness and snapshot of a cited entry.
    fn cited_entry(&mut self, key: &str, used: &Location) {
        let record = self.library.get(key).expect("resolved keys are in the library");
        for (field, help) in lint::missing_fields(&record.entry) {
            self.findings.push(
                Finding::new(Code::MissingField, format!("cited entry `{key}` has no {field}"))
                    .at(self.library.location(record))
                    .related(used.clone(), "cited here")
                    .help(help)
                    .data("key", key)
                    .data("field", field),
            );
        }
        let snapshot = self.snapshot(key, used);
        self.snapshots.insert(key.to_owned(), snapshot);
    }

    fn snapshot(&mut self, key: &str, used: &Location) -> Snapshot {
        let log = format!("archive/captures/{}.yml", capture::file_key(key));
        let captures = match self.memo.captures(&self.archive, key) {
            Ok(c) => c,
            Err(e) => {
                self.findings.push(Finding::new(Code::CaptureInvalid, e.message).at(Location::file(&log)));
                return Snapshot::Missing;
            }
        };
        let Some(current) = capture::current(&captures) else {
            self.findings.push(
                Finding::new(Code::NoSnapshot, format!("`{key}` has no snapshot: its quotations cannot be checked"))
                    .at(used.clone())
                    .help(format!(
                        "`citelock archive {key}`, or `citelock archive --attach {key} FILE` for a copy you hold"
                    ))
                    .data("key", key),
            );
            return Snapshot::Missing;
        };
        let hex = current.sha256.clone().unwrap_or_default();
        let object = self.archive.object_path(&hex);
        match self.memo.hash(&object) {
            Err(_) => {
                self.findings.push(
                    Finding::new(
                        Code::MissingObject,
                        format!("the current snapshot of `{key}` ({}) is not in the archive", current.id),
                    )
                    .at(Location::file(&log))
                    .help(format!(
                        "`citelock pull {key}` fetches it from the remote archive, if the repository has one"
                    ))
                    .data("key", key)
                    .data("sha256", hex),
                );
                return Snapshot::Missing;
            }
            Ok(actual) if actual != hex => {
                self.findings.push(
                    Finding::new(
                        Code::HashMismatch,
                        format!("the current snapshot of `{key}` no longer matches its hash"),
                    )
                    .at(Location::file(format!("archive/{}", Archive::object_rel(&hex))))
                    .data("key", key),
                );
                return Snapshot::Missing;
            }
            Ok(_) => {}
        }
        let (archive, cache) = (&self.archive, self.repo.cache_dir());
        let text = || archive.text(&cache, current).map(|t| Source::new(&t.text)).filter(|s| !s.is_empty());
        match self.memo.source(&hex, text) {
            Some(source) => Snapshot::Text(source, hex),
            None => Snapshot::NoText,
        }
    }

    /// `quote-wrong-page`: the citation's page locator against the page of the
    /// snapshot the quotation was found on.
    fn wrong_page(
        &self,
        key: &str,
        source: &Source,
        offset: usize,
        locator: Option<&String>,
        here: &Location,
    ) -> Option<Finding> {
        let found = source.page_of(offset)?;
        let (printed, expected) = self.cited_page(key, locator?)?;
        if expected == found {
            return None;
        }
        let found_printed = found + printed - expected;
        Some(
            Finding::new(
                Code::QuoteWrongPage,
                format!("quotation is on p. {found_printed} of `{key}`, not p. {printed} as cited"),
            )
            .at(here.clone())
            .help(format!("cite p. {found_printed}"))
            .data("key", key)
            .data("cited-page", printed)
            .data("found-page", found_printed),
        )
    }

    /// A page locator as (printed page, page of the snapshot). A printed page
    /// maps to a PDF page through the entry's own page range (an article
    /// starting at p. 379 has p. 380 as its second PDF page); without one,
    /// page numbers are PDF pages.
    fn cited_page(&self, key: &str, locator: &str) -> Option<(usize, usize)> {
        let printed = page_number(locator)?;
        let entry = &self.library.get(key)?.entry;
        let first = entry.page_range().and_then(|r| page_number(&r.to_string())).unwrap_or(1);
        Some((printed, printed.checked_sub(first)? + 1))
    }

    /// A reference's snapshot text for comparison only: loaded once, problems not reported here.
    fn quiet_text(&mut self, key: &str) -> Option<(Rc<Source>, String)> {
        if !self.snapshots.contains_key(key) && !self.others.contains_key(key) {
            let log = self.memo.captures(&self.archive, key).unwrap_or_default();
            let loaded = capture::current(&log).and_then(|c| {
                let sha = c.sha256.clone()?;
                let (archive, cache) = (&self.archive, self.repo.cache_dir());
                let text = || archive.text(&cache, c).map(|t| Source::new(&t.text)).filter(|s| !s.is_empty());
                Some((self.memo.source(&sha, text)?, sha))
            });
            self.others.insert(key.to_owned(), loaded);
        }
        match self.snapshots.get(key) {
            Some(Snapshot::Text(s, sha)) => Some((s.clone(), sha.clone())),
            Some(_) => None,
            None => self.others.get(key).and_then(|o| o.clone()),
        }
    }

    /// The first other reference whose current snapshot holds the quotation:
    /// remembered for this library and these snapshots.
    fn elsewhere(&mut self, text: &str, keys: &[String]) -> Option<String> {
        let library = self.library;
        if self.library_id.is_none() {
            use sha2::{Digest, Sha256};
            let mut h = Sha256::new();
            for r in &library.records {
                let log = self.memo.captures(&self.archive, r.entry.key()).unwrap_or_default();
                let sha = capture::current(&log).and_then(|c| c.sha256.clone()).unwrap_or_default();
                h.update(format!("{}={sha}\n", r.entry.key()));
            }
            self.library_id = Some(hex::encode(h.finalize()));
        }
        let id = self.library_id.as_deref().unwrap_or_default();
        let ask = format!("{id}\u{1f}{}\u{1f}{text}", keys.join(","));
        if let Some(known) = self.memo.elsewhere(&ask) {
            return known;
        }
        let other = library.records.iter().map(|r| r.entry.key()).filter(|k| !keys.iter().any(|c| c == k)).find(|k| {
            self.quiet_text(k).is_some_and(|(source, sha)| self.memo.found(&sha, text, || quote::found(text, &source)))
        });
        let other = other.map(str::to_owned);
        self.memo.remember_elsewhere(ask, other.clone());
        other
    }

    fn quote(
        &mut self,
        input: &Input,
        report: &Report,
        q: &crate::report::Quote,
        keys_of: &[Vec<String>],
        locators: &[HashMap<String, String>],
    ) -> &'static str {
        let here = at(input, report, q.span);
        let text = strip_markers(&q.text);
        let Some(marker) = q.marker else {
            self.tally.unattributed += 1;
            self.findings.push(
                Finding::new(Code::QuoteUnattributed, "quotation with no citation in its sentence")
                    .at(here)
                    .help("add a citation after it, in the same sentence"),
            );
            return "unattributed";
        };
        let keys = &keys_of[marker];
        if let Some(v) = verified::find(self.verified, &text, keys) {
            // A person's check stands where no archived copy can (print sources).
            let in_archive = keys.iter().any(|k| match self.snapshots.get(k) {
                Some(Snapshot::Text(s, sha)) => self.memo.found(sha, &text, || quote::found(&text, s)),
                _ => false,
            });
            if !in_archive {
                self.tally.verified += 1;
                let page = v.page.as_deref().map_or(String::new(), |p| format!(", p. {p}"));
                self.findings.push(
                    Finding::new(
                        Code::QuoteVerified,
                        format!("quotation verified by hand in `{}`{page} by {} on {}", v.key, v.by, v.date),
                    )
                    .at(here)
                    .data("key", v.key.clone())
                    .data("by", v.by.clone())
                    .data("date", v.date.clone()),
                );
                return "verified-by-hand";
            }
        }
        let mut misses = Vec::new();
        let mut checkable = false;
        let mut blank_page = None;
        for key in keys {
            if let Some(Snapshot::Text(source, sha)) = self.snapshots.get(key) {
                checkable = true;
                let verdict = self.memo.verdict(sha, &text, || quote::check(&text, source));
                let locator = locators[marker].get(key);
                if let Some(offset) = verdict.offset() {
                    self.tally.verified += 1;
                    if let Some(f) = self.wrong_page(key, source, offset, locator, &here) {
                        self.findings.push(f);
                    }
                    return verdict.name();
                }
                // A cited page without a text layer (a scanned page) cannot say "not there".
                let cited = locator.and_then(|l| self.cited_page(key, l));
                if let Some((printed, page)) = cited.filter(|&(_, page)| source.page_has_text(page) == Some(false)) {
                    blank_page = Some((key.clone(), printed, page));
                }
                misses.push((key.clone(), verdict));
            }
        }
        if !checkable || blank_page.is_some() {
            self.tally.unverifiable += 1;
            let why = match &blank_page {
                Some((key, printed, page)) => format!(
                    "p. {printed} of `{key}` (page {page} of its snapshot) has no text layer; it may be a scanned image"
                ),
                None if keys.is_empty() => "its citation does not resolve".to_owned(),
                None => "no cited source has a snapshot with text".to_owned(),
            };
            self.findings.push(
                Finding::new(Code::QuoteUnverifiable, format!("quotation cannot be checked: {why}"))
                    .at(here)
                    .data("keys", keys.clone()),
            );
            return "unverifiable";
        }
        self.tally.not_found += 1;
        // In another source? That is how a mis-numbered marker shows.
        let other = self.elsewhere(&text, keys);
        if let Some(other) = other {
            self.findings.push(
                Finding::new(
                    Code::QuoteOtherSource,
                    format!("quotation is not in {} but is in `{other}`", names(keys)),
                )
                .at(here)
                .help("check the marker: it may point at the wrong reference")
                .data("keys", keys.clone())
                .data("found-in", other.to_owned()),
            );
            return "other-source";
        }
        let (key, verdict) =
            misses.into_iter().max_by(|a, b| similarity(&a.1).total_cmp(&similarity(&b.1))).expect("checkable");
        let Verdict::Missing { similarity, passage, diff, .. } = &verdict else { unreachable!("misses are missing") };
        let mut f = Finding::new(
            Code::QuoteNotFound,
            format!("quotation is not in the snapshot of `{key}` ({}, similarity {similarity:.2})", verdict.name()),
        )
        .at(here)
        .data("key", key)
        .data("verdict", verdict.name())
        .data("similarity", (similarity * 100.0).round() / 100.0)
        .data("closest", passage.clone())
        .data("diff", diff.clone());
        if !passage.is_empty() {
            f = f.help(format!("closest passage: \u{201c}{passage}\u{201d}; words: {diff}"));
        }
        self.findings.push(f);
        verdict.name()
    }
}

/// Where the sentence holding `start` begins: after the previous sentence
/// end (or paragraph break) within about 400 bytes. A marker right after
/// closing punctuation belongs to the sentence before it.
fn sentence_start(text: &str, start: usize) -> usize {
    sentence_bounds(text, start).0
}

/// [`sentence_start`], and whether the sentence was cut at the window's edge.
fn sentence_bounds(text: &str, start: usize) -> (usize, bool) {
    let mut window = start.saturating_sub(400);
    while !text.is_char_boundary(window) {
        window += 1;
    }
    let before = &text[window..start];
    let own_end = before.trim_end_matches(|c: char| c.is_whitespace() || "\"'\u{201d}\u{2019})".contains(c));
    let own_end = own_end.strip_suffix(['.', '!', '?']).unwrap_or(own_end);
    // A full stop after an initial (`J. Seymour`) or an abbreviation (`Dr.`) ends no sentence.
    const ABBREVIATIONS: &[&str] = &[
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "cf", "al", "no", "vol", "pp",
        "p", "fig",
    ];
    let ends_sentence = |i: usize| {
        if !own_end[i + 1..].starts_with([' ', '\n']) {
            return false;
        }
        if !own_end[i..].starts_with('.') {
            return true;
        }
        let word = own_end[..i].rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
        let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
        !initial && !ABBREVIATIONS.contains(&word.to_lowercase().as_str())
    };
    let from = own_end
        .match_indices(['.', '?', '!'])
        .map(|(i, _)| i)
        .filter(|&i| ends_sentence(i))
        .map(|i| i + 2)
        .chain(own_end.rfind("\n\n").map(|i| i + 2))
        .max();
    (window + from.unwrap_or(0), window > 0 && from.is_none())
}

/// The sentence a marker stands in, lines joined, at most about 400 characters.
fn sentence_of(text: &str, start: usize, end: usize) -> String {
    let (from, cut) = sentence_bounds(text, start);
    let joined = text[from..end].split_whitespace().collect::<Vec<_>>().join(" ");
    if cut { format!("\u{2026}{joined}") } else { joined }
}

/// The first page number of a locator: `p. 12`, `pp. 3-4`, `12`.
fn page_number(locator: &str) -> Option<usize> {
    let digits: String = locator.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&n| n > 0)
}

fn similarity(v: &Verdict) -> f64 {
    match v {
        Verdict::Missing { similarity, .. } => *similarity,
        _ => 1.0,
    }
}

fn names(keys: &[String]) -> String {
    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" or ")
}

/// A quotation's text without citation markers inside it (`> … [@doe]`).
fn strip_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(']') {
            Some(e) if after[..e].trim_start_matches(['-', ' ']).starts_with('@') || after[..e].contains(" @") => {
                rest = &after[e + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads a report and its `.refs` file; paths relative to `root` for findings.
pub fn input(root: &Path, path: &Path, syntax: Option<Syntax>) -> std::io::Result<Input> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}:{line}: not UTF-8 (convert it first, e.g. with iconv)", path.display()),
        )
    })?;
    let name = crate::findings::relative_path(root, path);
    Ok(Input { name, text, syntax: syntax.unwrap_or_else(|| Syntax::of(path)), refs: refs(root, path) })
}

/// `REPORT.refs`, the numbered reference list beside a report.
pub fn refs_path(report: &Path) -> std::path::PathBuf {
    report.with_file_name(format!("{}.refs", report.file_name().unwrap_or_default().to_string_lossy()))
}

/// A report's `.refs` file, if it has one: (name relative to `root`, text).
pub fn refs(root: &Path, report: &Path) -> Option<(String, String)> {
    let path = refs_path(report);
    std::fs::read_to_string(&path).ok().map(|t| (crate::findings::relative_path(root, &path), t))
}
