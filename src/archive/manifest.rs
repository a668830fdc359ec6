//! `archive/manifest-sha256.txt`: one `<hex>  objects/sha256/ab/cdef…` line per
//! object, sorted, so that `cd archive && sha256sum -c manifest-sha256.txt`
//! checks every object with coreutils alone.

use std::collections::BTreeSet;
use std::io;

use super::Archive;
use super::store::is_hex64;

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The hash it claims.
    pub sha256: String,
    /// The path it names, relative to `archive/`.
    pub path: String,
}

/// The manifest as read: good lines and unreadable ones (line number, text).
#[derive(Debug, Default)]
pub struct Manifest {
    /// Lines in the expected form.
    pub lines: Vec<Line>,
    /// Lines that are not `<64 hex>  <path>`.
    pub bad: Vec<(usize, String)>,
}

/// Reads the manifest; a missing file is an empty manifest.
pub fn read(archive: &Archive) -> io::Result<Manifest> {
    let text = match std::fs::read_to_string(archive.manifest_path()) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    Ok(parse(&text))
}

/// Parses manifest text (`<hex>  <path>` or `<hex> *<path>`).
pub fn parse(text: &str) -> Manifest {
    let mut m = Manifest::default();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let parsed = raw.split_once(' ').and_then(|(hex, rest)| {
            let path = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
            (is_hex64(hex) && !path.is_empty()).then(|| (hex.to_owned(), path.to_owned()))
        });
        match parsed {
            Some((sha256, path)) => m.lines.push(Line { number: i + 1, sha256, path }),
            None => m.bad.push((i + 1, raw.to_owned())),
        }
    }
    m
}

/// The manifest text for a set of objects.
pub fn render(objects: &BTreeSet<String>) -> String {
    objects.iter().map(|h| format!("{h}  {}\n", Archive::object_rel(h))).collect()
}

/// Adds objects to the manifest (atomically; a no-op when all are listed).
pub fn add(archive: &Archive, new: &[String]) -> io::Result<()> {
    let m = read(archive)?;
    let mut all: BTreeSet<String> = m.lines.iter().map(|l| l.sha256.clone()).collect();
    let before = all.len();
    all.extend(new.iter().cloned());
    if all.len() == before && m.bad.is_empty() {
        return Ok(());
    }
    crate::atomic::write(&archive.manifest_path(), render(&all).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_then_parse_round_trips() {
        let a = "a".repeat(64);
        let b = "0".repeat(64);
        let set: BTreeSet<String> = [a.clone(), b.clone()].into();
        let text = render(&set);
        assert!(text.starts_with(&format!("{b}  objects/sha256/00/")));
        let m = parse(&(text + "garbage line\n"));
        assert_eq!(m.lines.len(), 2);
        assert_eq!(m.lines[1].sha256, a);
        assert_eq!(m.bad, [(3, "garbage line".to_owned())]);
    }

    proptest::proptest! {
        /// Law: what `render` writes, `parse` reads back whole, line by line.
        #[test]
        fn any_set_of_objects_round_trips(set in proptest::collection::btree_set("[0-9a-f]{64}", 0..50)) {
            let m = parse(&render(&set));
            proptest::prop_assert!(m.bad.is_empty());
            let back: BTreeSet<String> = m.lines.iter().map(|l| l.sha256.clone()).collect();
            proptest::prop_assert_eq!(&back, &set);
            for (i, l) in m.lines.iter().enumerate() {
                proptest::prop_assert_eq!(l.number, i + 1);
                proptest::prop_assert_eq!(&l.path, &Archive::object_rel(&l.sha256));
            }
        }
    }
}
