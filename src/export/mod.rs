//! Getting references out: bibliographies in any CSL style ([`csl`]), the
//! library as BibTeX/BibLaTeX ([`bibtex`]), CSL-JSON ([`csl_json`]) and RIS
//! ([`ris`]), snapshots as WARC ([`warc`]), and reports rendered with their
//! citations ([`render`]). Each
//! entry can carry where its archived copy is ([`Archived`]), and prints
//! what the library keeps beside hayagriva's fields: its URL as written and
//! its date range ([`kept`]).

pub mod bibtex;
pub mod csl;
pub mod csl_json;
pub mod flat;
pub mod kept;
#[cfg(test)]
mod laws;
mod names;
mod numbers;
mod pages;
mod punctuation;
pub mod render;
pub mod ris;
mod sorting;
mod styles;
mod titles;
mod untyped;
pub mod warc;

/// An entry's archived copy, as the exports cite it.
#[derive(Debug, Clone)]
pub struct Archived {
    /// The object, relative to the repository root (or a URL under `archive-base-url`).
    pub location: String,
    /// When it was captured, `YYYY-MM-DD`.
    pub date: String,
    /// How: `http`, `file`, `web-archive`.
    pub method: String,
    /// For web-archive imports: the archive that holds it.
    pub service: Option<String>,
}

impl Archived {
    /// A reference's current snapshot, as exports cite it: its object's path
    /// under the repository root, or under `base_url` (`archive-base-url`).
    pub fn of(repo: &crate::repo::Repo, base_url: Option<&str>, key: &str) -> Option<Archived> {
        let captures = repo.archive().captures(key).ok()?;
        let c = crate::archive::capture::current(&captures)?;
        let rel = format!("archive/{}", crate::archive::Archive::object_rel(c.sha256.as_deref()?));
        let location = match base_url {
            Some(b) => format!("{}/{rel}", b.trim_end_matches('/')),
            None => rel,
        };
        let service = c
            .memento_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_owned));
        // A memento is dated when the web archive took it, not when it was imported.
        let date = c.memento_datetime.as_deref().unwrap_or(&c.captured).chars().take(10).collect();
        Some(Archived { location, date, method: c.method.name().to_owned(), service })
    }

    /// Who holds the copy: this repository's archive, or the web archive it came from.
    pub fn holder(&self) -> String {
        match (&self.service, self.method.as_str()) {
            (Some(s), _) => s.clone(),
            (None, "web-archive") => "a web archive".to_owned(),
            _ => "citelock archive".to_owned(),
        }
    }

    /// What follows a formatted entry: the sentence, a Markdown link to the
    /// copy in Markdown (brackets escaped), else plain.
    pub fn note(&self, markup: csl::Markup) -> String {
        match markup {
            csl::Markup::Markdown => {
                format!(" [{}](<{}>)", self.sentence().replace('[', "\\[").replace(']', "\\]"), self.location)
            }
            csl::Markup::Latex => format!(" {}", csl::escape_latex(&self.sentence())),
            _ => format!(" {}", self.sentence()),
        }
    }

    /// The sentence a bibliography carries, true to how the copy was made.
    pub fn sentence(&self) -> String {
        let (date, at) = (&self.date, &self.location);
        match (self.method.as_str(), &self.service) {
            ("http", _) => format!("Archived from the original on {date}: {at}"),
            ("web-archive", Some(service)) => format!("Archived by {service} on {date}: {at}"),
            ("web-archive", None) => format!("Archived by a web archive on {date}: {at}"),
            _ => format!("Copy on file, attached {date}: {at}"),
        }
    }
}

/// Whether a URL may become a link in what we write (HTML, Markdown, the
/// trace page): `http` and `https` only, as a browser would read the
/// address (spaces, tabs and line breaks inside a scheme ignored). A
/// `javascript:`, `data:`, `vbscript:` or `file:` address from an imported
/// library is printed as text.
pub fn linkable(url: &str) -> bool {
    url::Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}
