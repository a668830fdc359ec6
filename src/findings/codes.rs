//! The stable finding codes: one table, the single source of truth for names,
//! default levels and the one-line explanations that README's table repeats.

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $summary:literal;)*) => {
        /// A stable, kebab-case identifier for one kind of problem.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as users write it (`duplicate-key`).
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The level a finding of this code has unless `citelock.toml` changes it.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    YamlSyntax = "yaml-syntax", Error,
        "A references file is not valid YAML; none of its entries are loaded.";
    InvalidEntry = "invalid-entry", Error,
        "An entry hayagriva cannot read (wrong type for a field, bad date, no type); it is skipped.";
    DuplicateKey = "duplicate-key", Error,
        "The same citation key is defined twice, in one file or across files.";
    InvalidKey = "invalid-key", Error,
        "A citation key is empty or contains whitespace or control characters.";
    KeyCollision = "key-collision", Error,
        "Two keys differ only by case or Unicode normalisation and collide on some file systems.";
    UnknownField = "unknown-field", Warning,
        "A field hayagriva does not know (misspelt?); hayagriva drops it silently.";
    MissingField = "missing-field", Warning,
        "An entry lacks what its type needs (title, author, date, URL and access date for web sources).";
    UnsafeUrl = "unsafe-url", Warning,
        "An entry's URL is not http or https (javascript:, data:, file:…); every output prints it as text, never as a link.";
    StraySpace = "stray-space", Warning,
        "A title begins or ends with a space (often where a converter dropped a TeX macro such as `{\\TeX}`); it is printed and sorted as written, as CSL processors do.";
    BadDateEnd = "bad-date-end", Warning,
        "An entry's `date-end` (where citelock keeps the end of a date range, which hayagriva cannot hold) is not a date, or does not come after the entry's date; it is ignored.";
    DuplicateReference = "duplicate-reference", Warning,
        "Two entries describe the same work (same DOI, ISBN, URL, or title + year + first author).";
    ImportFailed = "import-failed", Error,
        "An entry of an imported file could not be read or converted; the other entries still import.";
    FieldDropped = "field-dropped", Warning,
        "A field of an imported entry has no place in hayagriva's model, or an unusable value; it was not imported.";
    NotUtf8 = "not-utf8", Warning,
        "An import file is not UTF-8; it was decoded with the encoding it declares (`--encoding` names another).";
    UndefinedMacro = "undefined-macro", Warning,
        "A BibTeX macro no @string defines; the entry is imported with the macro's name as text, as pandoc does.";
    UnquotedValue = "unquoted-value", Warning,
        "A BibTeX value that is neither braced, quoted, a number nor a macro (`pages = 1-19`); it is read as text.";
    CrossrefCycle = "crossref-cycle", Warning,
        "BibTeX crossref/xdata links form a cycle or a chain too deep to follow; the link is cut and the entries still import.";
    RepeatedEntry = "repeated-entry", Info,
        "An entry repeats an earlier one of the same file byte for byte; it is imported once.";
    HashMismatch = "hash-mismatch", Error,
        "An object's bytes no longer hash to its name: the snapshot was changed after capture.";
    MissingObject = "missing-object", Error,
        "The manifest or a capture log names an object that is not in the archive (or cannot be read).";
    OrphanObject = "orphan-object", Warning,
        "An object no capture log names (left by an interrupted capture, or its log was edited).";
    ManifestMismatch = "manifest-mismatch", Error,
        "A manifest line is malformed or names the wrong path for its hash.";
    UnlistedObject = "unlisted-object", Error,
        "An object is missing from manifest-sha256.txt, so `sha256sum -c` would not check it.";
    CaptureInvalid = "capture-invalid", Error,
        "A capture log cannot be read, or a record in it contradicts its file (wrong key, repeated id, two pins).";
    LfsPointer = "lfs-pointer", Error,
        "An object is a Git LFS pointer file, not the captured bytes (`git lfs pull` fetches them).";
    RemoteMissing = "remote-missing", Error,
        "An object of the manifest is not on the remote (`citelock push` sends it).";
    RemoteMismatch = "remote-mismatch", Error,
        "A remote object's size, stored SHA-256 or re-hashed bytes differ from its name.";
    RemoteNoChecksum = "remote-no-checksum", Info,
        "The remote stored no SHA-256 for an object, so `verify --remote` can check only its size (`--read-data-subset` re-hashes a sample).";
    FetchFailed = "fetch-failed", Error,
        "A source could not be captured (timeout, TLS, DNS, an error status, a redirect loop, a changed page type); the attempt is logged.";
    FetchRefused = "fetch-refused", Error,
        "The address policy refused a URL or a redirect hop (a private, loopback or link-local address).";
    Truncated = "truncated", Warning,
        "A captured body was cut by the size cap or the time limit; the stored copy is incomplete and marked so.";
    LargeObject = "large-object", Warning,
        "A captured object is over 50 MiB; consider Git LFS for archive/objects.";
    UnknownCitation = "unknown-citation", Error,
        "A marker cites a key that is not in references/ (or a number not in the report's .refs list).";
    UnusedReference = "unused-reference", Warning,
        "A reference no checked report cites.";
    ImplicitNumbering = "implicit-numbering", Warning,
        "Numbered markers follow the order of references/, so adding a reference would silently re-point them.";
    NoSnapshot = "no-snapshot", Warning,
        "A cited reference has no snapshot, so its quotations cannot be checked.";
    QuoteNotFound = "quote-not-found", Error,
        "A quotation is not in the current snapshot of any source its marker cites (closest passage, similarity and word diff in data).";
    QuoteOtherSource = "quote-other-source", Error,
        "A quotation is not in its cited source but is in another source's snapshot: a mis-numbered marker.";
    QuoteUnverifiable = "quote-unverifiable", Warning,
        "A quotation cannot be checked: no cited source has a snapshot with text (none yet, a type without text, a scanned PDF).";
    QuoteUnattributed = "quote-unattributed", Warning,
        "A quotation has no citation in its sentence.";
    QuoteWrongPage = "quote-wrong-page", Warning,
        "A quotation is in its source, but not on the page its citation gives (PDF snapshots; printed pages mapped through the entry's page range).";
    NumberNotInSource = "number-not-in-source", Warning,
        "A number in a cited claim is in none of the archived texts its sentence cites (the best passage's numbers are named).";
    ClaimWeakSupport = "claim-weak-support", Info,
        "The passages of a cited source's archived text closest to a claim hold less than half of its words: a hint, not a verdict.";
    QuoteVerified = "quote-verified", Info,
        "A quotation a person verified by hand against a source that cannot be archived (references/verified.yml).";
    KeyRenamed = "key-renamed", Info,
        "An imported entry's key was missing or taken, so a new key was generated.";
    EntryUpdated = "entry-updated", Info,
        "`add --update` changed an existing entry; the finding lists the fields that changed.";
    ConfigInvalid = "config-invalid", Error,
        "citelock.toml cannot be read; the language server checks with the defaults until it can.";
    WarcDigestMismatch = "warc-digest-mismatch", Error,
        "A WARC record's block or payload digest does not match its bytes; it was not imported.";
    WarcRecordSkipped = "warc-record-skipped", Warning,
        "A WARC record was not imported: no reference has its URL, its response is not a 2xx, or it holds no readable HTTP response.";
    DeadLink = "dead-link", Error,
        "A cited URL is gone: 404, 410, another error status, no such host, TLS refused; the finding names the archived copy.";
    LinkTimeout = "link-timeout", Error,
        "A cited URL did not answer in time, after the retries.";
    LinkFailing = "link-failing", Warning,
        "A cited URL failed, but not yet in the runs `--confirm-dead` asks for before calling it dead.";
    DeadLinkArchived = "dead-link-archived", Info,
        "A link a person acknowledged dead (`links --acknowledge`); its snapshot verifies and stands in for it.";
    Redirected = "redirected", Info,
        "A cited URL answers from another URL after redirects: the reference may want the new one.";
    Blocked = "blocked", Warning,
        "A cited URL exists but refuses robots (401, 403, 999, a bot challenge): not a dead link.";
    RateLimited = "rate-limited", Warning,
        "A host kept answering 429, or asked to wait longer than the cap; the link was not checked.";
    NetworkUnavailable = "network-unavailable", Error,
        "Most hosts could not be reached at all (or the canary URL failed): the network is down, not the links. Exit 2.";
    ContentDrift = "content-drift", Warning,
        "A live page's text differs from its snapshot's by more than the drift threshold; the finding gives the percentage.";
    QuoteDrift = "quote-drift", Warning,
        "A quotation found in a source's snapshot is no longer in the live page; the archived copy still holds it.";
}
