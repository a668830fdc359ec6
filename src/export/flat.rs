//! One flat view of a hayagriva entry, parents folded in (an article's
//! journal, a chapter's book), that every export format maps from. Months and
//! days here are one-based, as every format outside hayagriva writes them.

use hayagriva::Entry;
use hayagriva::types::{ChunkKind, EntryType, FormatString, Person};

/// What kind of work an entry is, from its type and its parent's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An article in a journal or magazine.
    JournalArticle,
    /// An article in a newspaper.
    NewspaperArticle,
    /// A paper in conference proceedings.
    Paper,
    /// A chapter or contribution in a book.
    Chapter,
    /// A book.
    Book,
    /// An edited collection of works.
    Anthology,
    /// Conference proceedings.
    Proceedings,
    /// A report.
    Report,
    /// A thesis.
    Thesis,
    /// A web page.
    Web,
    /// A blog post.
    BlogPost,
    /// A post (social media, forum).
    Post,
    /// A patent.
    Patent,
    /// An unpublished manuscript.
    Manuscript,
    /// A periodical as a whole.
    Periodical,
    /// Software or a code repository.
    Software,
    /// A legal case.
    Case,
    /// Legislation.
    Legislation,
    /// Anything else.
    Misc,
}

/// A date with one-based month and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ymd {
    /// The year.
    pub year: i32,
    /// 1–12.
    pub month: Option<u8>,
    /// 1–31.
    pub day: Option<u8>,
}

impl Ymd {
    fn of(d: &hayagriva::types::Date) -> Ymd {
        Ymd { year: d.year, month: d.month.map(|m| m + 1), day: d.month.and(d.day.map(|d| d + 1)) }
    }

    /// `2020`, `2020-05`, `2020-05-01`.
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

/// An entry, flattened.
pub struct Flat<'a> {
    /// The citation key.
    pub key: &'a str,
    /// The kind of work.
    pub kind: Kind,
    /// The title.
    pub title: Option<&'a FormatString>,
    /// Authors.
    pub authors: &'a [Person],
    /// Editors (its own, else its parent's for a chapter or paper).
    pub editors: &'a [Person],
    /// Its date, else its parent's.
    pub date: Option<Ymd>,
    /// The end of its date range, which the library keeps beside the entry
    /// ([`Flat::as_written`]).
    pub date_end: Option<Ymd>,
    /// The title of what contains it (journal, book, proceedings, site).
    pub container: Option<&'a FormatString>,
    /// The series a standalone work (a book, a report) belongs to.
    pub series: Option<&'a FormatString>,
    /// Volume.
    pub volume: Option<String>,
    /// Issue or number.
    pub issue: Option<String>,
    /// Pages.
    pub pages: Option<String>,
    /// Edition.
    pub edition: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Place of publication.
    pub place: Option<String>,
    /// Organisation or institution.
    pub organization: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// When the URL was visited.
    pub accessed: Option<Ymd>,
    /// DOI.
    pub doi: Option<String>,
    /// ISBN.
    pub isbn: Option<String>,
    /// ISSN.
    pub issn: Option<String>,
    /// arXiv id.
    pub arxiv: Option<String>,
    /// Version (of software, a standard).
    pub version: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Abstract.
    pub abstract_: Option<String>,
    /// Language tag.
    pub language: Option<String>,
    /// Archive holding the item (its own field).
    pub archive: Option<String>,
    /// Where in the archive.
    pub archive_location: Option<String>,
}

fn text(f: Option<&FormatString>) -> Option<String> {
    f.map(|f| f.value.to_string()).filter(|s| !s.is_empty())
}

fn kind(entry: &Entry) -> Kind {
    let parent = entry.parents().first().map(Entry::entry_type);
    match (entry.entry_type(), parent) {
        (EntryType::Article, Some(EntryType::Newspaper)) => Kind::NewspaperArticle,
        (EntryType::Article, Some(EntryType::Proceedings | EntryType::Conference)) => Kind::Paper,
        (EntryType::Article, Some(EntryType::Blog)) => Kind::BlogPost,
        (EntryType::Article, _) => Kind::JournalArticle,
        (EntryType::Chapter | EntryType::Anthos, _) => Kind::Chapter,
        (EntryType::Book, _) => Kind::Book,
        (EntryType::Anthology, _) => Kind::Anthology,
        (EntryType::Proceedings | EntryType::Conference, _) => Kind::Proceedings,
        (EntryType::Report, _) => Kind::Report,
        (EntryType::Thesis, _) => Kind::Thesis,
        (EntryType::Web, _) => Kind::Web,
        (EntryType::Blog, _) => Kind::BlogPost,
        (EntryType::Post | EntryType::Thread, _) => Kind::Post,
        (EntryType::Patent, _) => Kind::Patent,
        (EntryType::Manuscript, _) => Kind::Manuscript,
        (EntryType::Periodical | EntryType::Newspaper, _) => Kind::Periodical,
        (EntryType::Repository, _) => Kind::Software,
        (EntryType::Case, _) => Kind::Case,
        (EntryType::Legislation, _) => Kind::Legislation,
        _ => Kind::Misc,
    }
}

/// Whether a kind of work stands inside another (its parent is its container,
/// not its series).
fn contained(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::JournalArticle
            | Kind::NewspaperArticle
            | Kind::Paper
            | Kind::Chapter
            | Kind::BlogPost
            | Kind::Post
            | Kind::Web
    )
}

impl<'a> Flat<'a> {
    /// With what the library keeps beside the entry: its URL as written
    /// ([`crate::library::Record::url`]) and the end of its date range
    /// ([`crate::library::Record::date_end`]).
    pub fn as_written(mut self, library: &crate::library::Library) -> Flat<'a> {
        if let Some((_, url)) = library.written_url(self.key) {
            self.url = Some(url.to_owned());
        }
        let end = library.get(self.key).and_then(|r| r.date_end.as_deref());
        self.date_end =
            end.and_then(crate::library::written::date_end).filter(|_| self.date.is_some()).map(|d| Ymd::of(&d));
        self
    }

    /// Flattens an entry.
    pub fn of(entry: &'a Entry) -> Flat<'a> {
        let parent = entry.parents().first();
        let own_or_parent = |f: fn(&Entry) -> Option<String>| f(entry).or_else(|| parent.and_then(f));
        let serial = |k: &str| entry.keyed_serial_number(k).or_else(|| parent.and_then(|p| p.keyed_serial_number(k)));
        let number = |n: Option<&hayagriva::types::MaybeTyped<hayagriva::types::Numeric>>| n.map(|n| n.to_string());
        Flat {
            key: entry.key(),
            kind: kind(entry),
            title: entry.title(),
            authors: entry.authors().unwrap_or_default(),
            editors: entry.editors().or_else(|| parent.and_then(Entry::editors)).unwrap_or_default(),
            date: entry.date().or_else(|| parent.and_then(Entry::date)).map(Ymd::of),
            date_end: None,
            container: parent.and_then(Entry::title).filter(|_| contained(kind(entry))),
            series: parent.and_then(Entry::title).filter(|_| !contained(kind(entry))),
            volume: number(entry.volume()).or_else(|| parent.and_then(|p| number(p.volume()))),
            issue: number(entry.issue()).or_else(|| parent.and_then(|p| number(p.issue()))),
            pages: entry.page_range().map(|p| p.to_string()),
            edition: number(entry.edition()),
            publisher: own_or_parent(|e| text(e.publisher().and_then(|p| p.name()))),
            place: own_or_parent(|e| text(e.publisher().and_then(|p| p.location())).or_else(|| text(e.location()))),
            organization: own_or_parent(|e| text(e.organization())),
            url: entry.url().map(|u| u.value.to_string()),
            accessed: entry.url().and_then(|u| u.visit_date.as_ref()).map(Ymd::of),
            doi: serial("doi").map(str::to_owned),
            isbn: serial("isbn").map(str::to_owned),
            issn: serial("issn").map(str::to_owned),
            arxiv: serial("arxiv").map(str::to_owned),
            version: serial("version").map(str::to_owned),
            note: text(entry.note()),
            abstract_: text(entry.abstract_()),
            language: entry.language().map(ToString::to_string),
            archive: text(entry.archive()),
            archive_location: text(entry.archive_location()),
        }
    }
}

/// A person as "Family, Given" (with particle and suffix where there are).
pub fn family_given(p: &Person) -> String {
    let mut family = p.name.clone();
    if let Some(prefix) = &p.prefix {
        family = format!("{prefix} {family}");
    }
    match (&p.given_name, &p.suffix) {
        (Some(g), Some(s)) => format!("{family}, {s}, {g}"),
        (Some(g), None) => format!("{family}, {g}"),
        (None, _) => family,
    }
}

/// Whether a name is an organisation's (no given name): formats must keep it whole.
pub fn is_institution(p: &Person) -> bool {
    p.given_name.is_none() && p.prefix.is_none()
}

/// Chunks of a format string: (text, verbatim) — verbatim chunks are the
/// `{Case}`-protected parts.
pub fn chunks(f: &FormatString) -> Vec<(String, bool)> {
    f.value.0.iter().map(|c| (c.value.clone(), c.kind != ChunkKind::Normal)).collect()
}
