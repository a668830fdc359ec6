//! Objects pushed in parts. One PUT carries at most 5 GiB; above that S3 takes a
//! multipart upload, and what it stores is not the object's SHA-256 but a
//! SHA-256 of the parts' SHA-256s, suffixed `-N`. For those objects citelock
//! records, in git beside the capture logs (`archive/multipart/<hex>.yml`), the
//! part size and each part's SHA-256, so `verify --remote` can still compare
//! the server's stored checksum without a download.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::archive::Archive;

/// The record of one object pushed in parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Parts {
    /// The object (its SHA-256, hex).
    pub sha256: String,
    /// Bytes per part (the last may be shorter).
    pub part_size: u64,
    /// Each part's SHA-256, base64, in order.
    pub part_sha256: Vec<String>,
    /// What the server stores: base64 SHA-256 of the parts' digests, `-` their count.
    pub checksum: String,
}

impl Parts {
    /// A record from the parts' SHA-256 digests (base64).
    pub fn new(sha256: &str, part_size: u64, part_sha256: Vec<String>) -> Parts {
        let checksum = composite(&part_sha256);
        Parts { sha256: sha256.to_owned(), part_size, part_sha256, checksum }
    }

    /// Whether the recorded checksum is the one its parts give.
    pub fn is_consistent(&self) -> bool {
        composite(&self.part_sha256) == self.checksum
    }
}

/// S3's checksum of a multipart upload: base64 SHA-256 of the concatenated raw part
/// digests, then `-` and the number of parts.
pub fn composite(part_sha256: &[String]) -> String {
    let mut h = Sha256::new();
    for p in part_sha256 {
        h.update(data_encoding::BASE64.decode(p.as_bytes()).unwrap_or_default());
    }
    format!("{}-{}", data_encoding::BASE64.encode(&h.finalize()), part_sha256.len())
}

fn path(archive: &Archive, hex: &str) -> PathBuf {
    archive.dir().join("multipart").join(format!("{hex}.yml"))
}

/// Every record, by object (one read of `archive/multipart/`, not a lookup per object).
pub fn read_all(archive: &Archive) -> anyhow::Result<BTreeMap<String, Parts>> {
    let entries = match std::fs::read_dir(archive.dir().join("multipart")) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(anyhow::anyhow!("cannot read archive/multipart/: {e}")),
    };
    let mut out = BTreeMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(hex) = name.strip_suffix(".yml") else { continue };
        let text = std::fs::read_to_string(entry.path())
            .map_err(|e| anyhow::anyhow!("cannot read archive/multipart/{name}: {e}"))?;
        let parts: Parts = serde_yaml::from_str(&text).map_err(|e| anyhow::anyhow!("archive/multipart/{name}: {e}"))?;
        out.insert(hex.to_owned(), parts);
    }
    Ok(out)
}

/// Writes a record (atomically).
pub fn write(archive: &Archive, parts: &Parts) -> anyhow::Result<()> {
    let p = path(archive, &parts.sha256);
    std::fs::create_dir_all(p.parent().expect("a parent"))?;
    let text = format!(
        "# Pushed in parts: the remote stores the checksum of the parts' checksums, not the\n\
         # object's SHA-256; `citelock verify --remote` compares it with this record.\n{}",
        serde_yaml::to_string(parts)?
    );
    crate::atomic::write(&p, text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_is_the_digest_of_the_part_digests_with_their_count() {
        // Two parts, "hello\n" and "world\n"; checked with coreutils:
        // (printf 'hello\n' | sha256sum; printf 'world\n' | sha256sum) | cut -c1-64 | xxd -r -p | sha256sum
        let parts: Vec<String> =
            [b"hello\n", b"world\n"].iter().map(|p| data_encoding::BASE64.encode(&Sha256::digest(p))).collect();
        let c = composite(&parts);
        assert!(c.ends_with("-2"), "{c}");
        let raw = data_encoding::BASE64.decode(c.trim_end_matches("-2").as_bytes()).unwrap();
        assert_eq!(hex::encode(raw), "96cb8058ed58b58f8fc0ad459bacf81108599b403e91674460ccb089f8ebb9db");
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let record = Parts::new(&"ab".repeat(32), 6, parts);
        write(&archive, &record).unwrap();
        let all = read_all(&archive).unwrap();
        assert_eq!(all.get(&"ab".repeat(32)), Some(&record));
        assert!(record.is_consistent());
        assert_eq!(all.get(&"cd".repeat(32)), None);
    }
}
