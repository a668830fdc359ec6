//! `pull`: the objects a checkout lacks, streamed from the remote through
//! SHA-256 into the store's atomic write path. A body that does not hash to its
//! name is refused (nothing kept); an interrupted download leaves only a temp
//! file, which the next writer under the lock removes.

use std::io::Write as _;
use std::sync::Arc;

use anyhow::anyhow;

use super::{Remote, Wanted};
use crate::archive::{Archive, store};
use crate::findings::{Code, Finding, Location};

/// What a pull did.
#[derive(Debug, Default)]
pub struct Pulled {
    /// Objects downloaded.
    pub fetched: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Objects the checkout already had.
    pub present: usize,
    /// Objects not on the remote, or whose bytes did not hash to their name.
    pub findings: Vec<Finding>,
}

enum One {
    Fetched(u64),
    Problem(Box<Finding>),
}

/// Downloads every wanted object that is not in the archive. Call under the archive lock.
pub async fn pull(
    remote: &Remote,
    archive: &Archive,
    wanted: &[Wanted],
    progress: Arc<dyn Fn(u64, u64) + Send + Sync>,
) -> anyhow::Result<Pulled> {
    let mut report = Pulled::default();
    let todo: Vec<String> =
        wanted.iter().filter(|w| !archive.object_path(&w.sha256).exists()).map(|w| w.sha256.clone()).collect();
    report.present = wanted.len() - todo.len();
    let job = |hex: String| {
        let (remote, archive) = (remote.clone(), archive.clone());
        async move { get_one(&remote, &archive, &hex).await }
    };
    super::each(todo, remote.concurrency, &*progress, job, |one| match one {
        One::Fetched(bytes) => {
            report.fetched += 1;
            report.bytes += bytes;
        }
        One::Problem(f) => report.findings.push(*f),
    })
    .await?;
    report.findings.sort_by(|a, b| a.message.cmp(&b.message));
    Ok(report)
}

async fn get_one(remote: &Remote, archive: &Archive, hex: &str) -> anyhow::Result<One> {
    let rel = format!("archive/{}", Archive::object_rel(hex));
    let mut writer = store::Writer::new(archive, None).map_err(|e| anyhow!("cannot write {rel}: {e}"))?;
    let Some(()) = remote.download(hex, |chunk| writer.write_all(chunk)).await? else {
        return Ok(One::Problem(Box::new(
            Finding::new(Code::RemoteMissing, "not on the remote, so it cannot be pulled")
                .at(Location::file(remote.url(hex)))
                .help("push it from a checkout that has it (`citelock push`)")
                .data("sha256", hex),
        )));
    };
    match writer.finish_expecting(hex).map_err(|e| anyhow!("cannot write {rel}: {e}"))? {
        Ok(stored) => Ok(One::Fetched(stored.length)),
        Err(actual) => Ok(One::Problem(Box::new(
            Finding::new(
                Code::HashMismatch,
                format!("the remote's bytes hash to {actual}, not to their name; refused"),
            )
            .at(Location::file(remote.url(hex)))
            .help("the remote copy is corrupt: push it again from a checkout whose `citelock verify` is clean")
            .data("expected", hex)
            .data("actual", actual),
        ))),
    }
}

impl Remote {
    /// Downloads an object and hashes it without keeping it: its (hex SHA-256, length), or
    /// `None` when it is not there.
    pub async fn hash(&self, hex: &str) -> anyhow::Result<Option<(String, u64)>> {
        use sha2::Digest as _;
        let mut hasher = sha2::Sha256::new();
        let mut length = 0u64;
        let there = self.download(hex, |chunk| {
            hasher.update(chunk);
            length += chunk.len() as u64;
            Ok(())
        });
        Ok(there.await?.map(|()| (hex::encode(hasher.finalize()), length)))
    }

    /// Streams an object's body into `sink`, chunk by chunk; `None` when it is not there.
    pub async fn download(
        &self,
        hex: &str,
        mut sink: impl FnMut(&[u8]) -> std::io::Result<()>,
    ) -> anyhow::Result<Option<()>> {
        let key = self.key(hex);
        let got = self.client.get_object().bucket(&self.location.bucket).key(&key).send().await;
        let mut body = match got {
            Ok(out) => out.body,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(self.error("get", &key, e)),
        };
        while let Some(chunk) = body.try_next().await.map_err(|e| anyhow!("get {key} on {}: {e}", self.name))? {
            sink(&chunk).map_err(|e| anyhow!("cannot store {key}: {e}"))?;
        }
        Ok(Some(()))
    }
}
