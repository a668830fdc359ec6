//! `.citelock/cache/links.json` (git-ignored): when each URL was last found
//! alive, and the runs it failed in since. A fresh success is not asked for
//! again; the failures are how `--confirm-dead` counts runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What is remembered of one URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    /// When it last answered as it should.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<Timestamp>,
    /// Runs it failed in since, at least the confirm interval apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Timestamp>,
}

/// The cache file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    version: u32,
    links: BTreeMap<String, Entry>,
    #[serde(skip)]
    path: PathBuf,
}

impl Cache {
    /// Reads the cache in `dir`; a missing or unreadable cache is an empty one
    /// (it only saves work), and says so.
    pub fn load(dir: &Path) -> (Cache, Option<String>) {
        let path = dir.join("links.json");
        let (mut cache, problem) = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Cache>(&bytes) {
                Ok(c) if c.version == 1 => (c, None),
                Ok(c) => (
                    Cache::default(),
                    Some(format!("{}: version {} unknown; starting afresh", path.display(), c.version)),
                ),
                Err(e) => (Cache::default(), Some(format!("{}: {e}; starting afresh", path.display()))),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Cache::default(), None),
            Err(e) => (Cache::default(), Some(format!("{}: {e}", path.display()))),
        };
        cache.version = 1;
        cache.path = path;
        (cache, problem)
    }

    /// Whether `url` was found alive less than `max_age` ago.
    pub fn fresh(&self, url: &str, max_age: Duration, now: Timestamp) -> bool {
        self.links
            .get(url)
            .and_then(|e| e.ok)
            .is_some_and(|ok| now.duration_since(ok).as_secs_f64() < max_age.as_secs_f64())
    }

    /// Records a success: the failures are forgotten.
    pub fn ok(&mut self, url: &str, now: Timestamp) {
        self.links.insert(url.to_owned(), Entry { ok: Some(now), failures: Vec::new() });
    }

    /// Records a failure (once per `interval`); the runs it has failed in.
    pub fn fail(&mut self, url: &str, now: Timestamp, interval: Duration) -> usize {
        let e = self.links.entry(url.to_owned()).or_default();
        let apart =
            e.failures.last().is_none_or(|last| now.duration_since(*last).as_secs_f64() >= interval.as_secs_f64());
        if apart {
            e.failures.push(now);
        }
        e.failures.len()
    }

    /// Writes the cache (atomically).
    pub fn save(&self) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::atomic::write(&self.path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_runs_an_interval_apart() {
        let dir = tempfile::tempdir().unwrap();
        let (mut c, problem) = Cache::load(dir.path());
        assert!(problem.is_none());
        let t0: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let day = Duration::from_secs(86_400);
        assert_eq!(c.fail("u", t0, day), 1);
        assert_eq!(c.fail("u", t0 + jiff::SignedDuration::from_hours(2), day), 1, "same day: same run");
        assert_eq!(c.fail("u", t0 + jiff::SignedDuration::from_hours(25), day), 2);
        c.ok("u", t0 + jiff::SignedDuration::from_hours(30));
        assert!(c.fresh("u", day, t0 + jiff::SignedDuration::from_hours(31)));
        assert!(!c.fresh("u", day, t0 + jiff::SignedDuration::from_hours(60)));
        c.save().unwrap();
        let (again, _) = Cache::load(dir.path());
        assert!(again.links["u"].failures.is_empty() && again.links["u"].ok.is_some());
        std::fs::write(dir.path().join("links.json"), "{not json").unwrap();
        assert!(Cache::load(dir.path()).1.unwrap().contains("starting afresh"));
    }
}
