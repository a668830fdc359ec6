//! `push`: the objects the remote lacks (found from one listing, not a request
//! per object), each in one create-only PUT (`If-None-Match: *`) streamed from
//! its file with its SHA-256 for the server to check. Nothing is recorded
//! locally: the remote's listing is the record, so a killed push is resumed by
//! running it again.

use std::sync::Arc;

use anyhow::anyhow;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use sha2::{Digest, Sha256};

use super::{Remote, Wanted, base64_of_hex};
use crate::archive::Archive;
use crate::findings::{Code, Finding, Location};

/// The largest object one PUT may carry (S3's limit); larger ones go in parts.
pub const MAX_SINGLE_PUT: u64 = 5 * 1024 * 1024 * 1024;

/// Smallest part S3 takes (but the last).
const MIN_PART: u64 = 5 * 1024 * 1024;

/// What a push did.
#[derive(Debug, Default)]
pub struct Pushed {
    /// Objects uploaded.
    pub sent: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Objects the remote already had (listed, or created by another push meanwhile).
    pub present: usize,
    /// Objects that could not be sent (refused checksum, not here, too large).
    pub findings: Vec<Finding>,
}

/// How one object went.
enum One {
    Sent(u64),
    Present,
    Problem(Box<Finding>),
}

/// Uploads every wanted object the remote does not list. `progress` gets the number of
/// objects done so far (of those to send).
pub async fn push(
    remote: &Remote,
    archive: &Archive,
    wanted: &[Wanted],
    progress: Arc<dyn Fn(u64, u64) + Send + Sync>,
) -> anyhow::Result<Pushed> {
    let listed = remote.list().await?;
    let mut report = Pushed::default();
    let todo: Vec<String> =
        wanted.iter().filter(|w| !listed.contains_key(&w.sha256)).map(|w| w.sha256.clone()).collect();
    report.present = wanted.len() - todo.len();
    let job = |hex: String| {
        let (remote, archive) = (remote.clone(), archive.clone());
        async move { put_one(&remote, &archive, &hex).await }
    };
    super::each(todo, remote.concurrency, &*progress, job, |one| match one {
        One::Sent(bytes) => {
            report.sent += 1;
            report.bytes += bytes;
        }
        One::Present => report.present += 1,
        One::Problem(f) => report.findings.push(*f),
    })
    .await?;
    report.findings.sort_by(|a, b| a.message.cmp(&b.message));
    Ok(report)
}

impl Remote {
    /// After a refused upload: a server that wrote the bytes before checking them (s3s-fs
    /// 0.14 does, `docs/upstream/s3s-fs-bad-digest-kept.md`) leaves them under the name, and
    /// every later listing would count the object as pushed. Reads back what is there and
    /// deletes it when it does not hash to its name. Whether something was deleted.
    async fn discard_if_corrupt(&self, hex: &str) -> anyhow::Result<bool> {
        match self.hash(hex).await? {
            Some((actual, _)) if actual != hex => {}
            _ => return Ok(false),
        }
        let key = self.key(hex);
        let request = self.client.delete_object().bucket(&self.location.bucket).key(&key);
        request.send().await.map_err(|e| self.error("delete", &key, e))?;
        Ok(true)
    }
}

/// One create-only PUT.
async fn put_one(remote: &Remote, archive: &Archive, hex: &str) -> anyhow::Result<One> {
    let path = archive.object_path(hex);
    let rel = format!("archive/{}", Archive::object_rel(hex));
    let size = match std::fs::metadata(&path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(One::Problem(Box::new(
                Finding::new(Code::MissingObject, "not in this checkout, so it cannot be pushed")
                    .at(Location::file(rel))
                    .help("`citelock pull` fetches it, or capture the source again")
                    .data("sha256", hex),
            )));
        }
        Err(e) => return Err(anyhow!("cannot read {rel}: {e}")),
    };
    if size > remote.multipart_threshold {
        return put_parts(remote, archive, hex, &path, size).await;
    }
    let body = ByteStream::from_path(&path).await.map_err(|e| anyhow!("cannot read {rel}: {e}"))?;
    let key = remote.key(hex);
    let sent = remote
        .client
        .put_object()
        .bucket(&remote.location.bucket)
        .key(&key)
        .body(body)
        .content_length(size as i64)
        .checksum_sha256(base64_of_hex(hex))
        .if_none_match("*")
        .send()
        .await;
    match sent {
        Ok(_) => Ok(One::Sent(size)),
        Err(e) => match e.code() {
            // Another push created it first: the name is the content, so it is the same object.
            Some("PreconditionFailed" | "ConditionalRequestConflict") => Ok(One::Present),
            Some("BadDigest" | "XAmzContentSHA256Mismatch" | "InvalidDigest") => {
                let mut message =
                    "the remote refused the upload: the bytes it received do not hash to the object's name".to_owned();
                if remote.discard_if_corrupt(hex).await? {
                    message.push_str("; it had kept them under the name anyway, so citelock deleted that copy");
                }
                Ok(One::Problem(Box::new(
                Finding::new(Code::HashMismatch, message)
                .at(Location::file(rel))
                .help("run `citelock verify`: the local object may be corrupt; if it verifies, the bytes changed in transit (a proxy?) — push again")
                .data("sha256", hex)
                .data("remote", remote.url(hex)),
            )))
            }
            _ => Err(remote.error("put", &key, e)),
        },
    }
}

/// A multipart upload, for objects above the threshold: parts read one at a time (one part in
/// memory), each sent with its SHA-256; the whole stream hashed on the way, so an object that
/// does not hash to its name is never completed; completed create-only; the part checksums
/// recorded in `archive/multipart/` once the server has the object.
async fn put_parts(
    remote: &Remote,
    archive: &Archive,
    hex: &str,
    path: &std::path::Path,
    size: u64,
) -> anyhow::Result<One> {
    use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
    use tokio::io::AsyncReadExt as _;

    let rel = format!("archive/{}", Archive::object_rel(hex));
    let part_size = remote.part_size.unwrap_or_else(|| (64 << 20).max(size.div_ceil(10_000))).max(MIN_PART);
    let key = remote.key(hex);
    let bucket = &remote.location.bucket;
    let created = remote
        .client
        .create_multipart_upload()
        .bucket(bucket)
        .key(&key)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .map_err(|e| remote.error("start upload", &key, e))?;
    let upload_id = created.upload_id().unwrap_or_default().to_owned();
    let abort = || async {
        let _ = remote.client.abort_multipart_upload().bucket(bucket).key(&key).upload_id(&upload_id).send().await;
    };
    let mut file = tokio::fs::File::open(path).await.map_err(|e| anyhow!("cannot read {rel}: {e}"))?;
    let mut whole = Sha256::new();
    let (mut digests, mut completed) = (Vec::new(), Vec::new());
    for number in 1.. {
        let mut buf = Vec::with_capacity(part_size.min(size) as usize);
        (&mut file).take(part_size).read_to_end(&mut buf).await.map_err(|e| anyhow!("cannot read {rel}: {e}"))?;
        if buf.is_empty() {
            break;
        }
        whole.update(&buf);
        let digest = data_encoding::BASE64.encode(&Sha256::digest(&buf));
        let sent = remote
            .client
            .upload_part()
            .bucket(bucket)
            .key(&key)
            .upload_id(&upload_id)
            .part_number(number)
            .content_length(buf.len() as i64)
            .checksum_sha256(&digest)
            .body(ByteStream::from(buf))
            .send()
            .await;
        let out = match sent {
            Ok(out) => out,
            Err(e) => {
                abort().await;
                return Err(remote.error(&format!("upload part {number} of"), &key, e));
            }
        };
        completed.push(
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(out.e_tag().map(str::to_owned))
                .checksum_sha256(&digest)
                .build(),
        );
        digests.push(digest);
    }
    if hex::encode(whole.finalize()) != hex {
        abort().await;
        return Ok(One::Problem(Box::new(
            Finding::new(Code::HashMismatch, "the object does not hash to its name; the upload was abandoned")
                .at(Location::file(rel))
                .help("run `citelock verify`: the local object is corrupt")
                .data("sha256", hex),
        )));
    }
    let done = remote
        .client
        .complete_multipart_upload()
        .bucket(bucket)
        .key(&key)
        .upload_id(&upload_id)
        .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(completed)).build())
        .if_none_match("*")
        .send()
        .await;
    let outcome = match done {
        Ok(_) => One::Sent(size),
        Err(e) if matches!(e.code(), Some("PreconditionFailed" | "ConditionalRequestConflict")) => {
            abort().await;
            One::Present
        }
        Err(e) => {
            abort().await;
            return Err(remote.error("complete upload", &key, e));
        }
    };
    super::parts::write(archive, &super::parts::Parts::new(hex, part_size, digests))?;
    Ok(outcome)
}
