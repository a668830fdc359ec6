//! The remote archive: the same objects on S3-compatible storage, under the
//! same names (`prefix/objects/sha256/ab/<62 hex>`), so git carries the capture
//! logs and the manifest while object storage carries the bytes. Owns the S3
//! client, the choice of objects (`push`/`pull` of all, some keys, or current
//! snapshots) and the three operations; it never writes the capture logs.

pub mod parts;
pub mod pull;
pub mod push;
pub mod verify;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, anyhow};
use aws_config::environment::{EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider};
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::{ProfileFileCredentialsProvider, ProfileFileRegionProvider};
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{Region, RequestChecksumCalculation, ResponseChecksumValidation};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::ChecksumMode;

use crate::archive::{Archive, capture, manifest, store};
use crate::config::RemoteSection;

/// Requests in flight unless `[remote] concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// `s3://bucket/prefix`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The bucket.
    pub bucket: String,
    /// The prefix without slashes at either end (may be empty).
    pub prefix: String,
}

impl std::str::FromStr for Location {
    type Err = String;

    fn from_str(url: &str) -> Result<Location, String> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| format!("`{url}` is not an s3://bucket/prefix URL"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            return Err(format!("`{bucket}` is not a bucket name (3–63 lower-case letters, digits, `-` and `.`)"));
        }
        Ok(Location { bucket: bucket.to_owned(), prefix: prefix.trim_matches('/').to_owned() })
    }
}

/// An object the remote holds, from a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// Its size in bytes.
    pub size: u64,
}

/// What a HEAD with checksum mode says of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 the server checked and stored at upload, base64: the object's own, or for a
    /// multipart upload the checksum of its parts' checksums (`…-N`); `None` when it stored none.
    pub checksum: Option<String>,
    /// Whether the server says the checksum is of the parts' checksums (a multipart upload).
    pub composite: bool,
}

/// A connected remote.
#[derive(Clone)]
pub struct Remote {
    client: Client,
    location: Location,
    /// Requests in flight.
    pub concurrency: usize,
    /// Objects larger than this go in parts.
    pub multipart_threshold: u64,
    /// Bytes per part, unless chosen by size.
    pub part_size: Option<u64>,
    /// Where it is, for messages: `s3://bucket/prefix at https://endpoint`.
    pub name: String,
}

impl Remote {
    /// A client for `[remote]`: credentials and other settings from the standard AWS
    /// environment variables and profile files, the endpoint, region and addressing from
    /// the section. No request is made.
    pub async fn connect(section: &RemoteSection) -> anyhow::Result<Remote> {
        let url = section
            .url
            .as_deref()
            .ok_or_else(|| anyhow!("no remote: set `url = \"s3://bucket/prefix\"` under [remote] in citelock.toml"))?;
        let location: Location = url.parse().map_err(|e: String| anyhow!("[remote] url: {e}"))?;
        // Credentials and region from the environment and the profile files only: the SDK's
        // default chains would also ask the EC2 metadata service (169.254.169.254) when they
        // find nothing, a request to an address nobody configured.
        let profile =
            section.profile.clone().unwrap_or_else(|| std::env::var("AWS_PROFILE").unwrap_or("default".into()));
        let credentials =
            CredentialsProviderChain::first_try("environment", EnvironmentVariableCredentialsProvider::new())
                .or_else("profile", ProfileFileCredentialsProvider::builder().profile_name(&profile).build());
        let region = RegionProviderChain::first_try(section.region.clone().map(Region::new))
            .or_else(EnvironmentVariableRegionProvider::new())
            .or_else(ProfileFileRegionProvider::builder().profile_name(&profile).build())
            .or_else(Region::from_static("us-east-1"));
        let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .profile_name(&profile)
            .credentials_provider(credentials)
            .region(region)
            .load()
            .await;
        let mut config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(section.path_style.unwrap_or(false))
            // Checksums are ours to send (the object's name); none are computed on the side.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(5));
        if let Some(endpoint) = &section.endpoint {
            config = config.endpoint_url(endpoint);
        }
        let at = section.endpoint.as_deref().unwrap_or("AWS");
        Ok(Remote {
            client: Client::from_conf(config.build()),
            name: format!("{url} at {at}"),
            location,
            concurrency: section.concurrency.unwrap_or(DEFAULT_CONCURRENCY).max(1),
            multipart_threshold: section.multipart_threshold.unwrap_or(push::MAX_SINGLE_PUT),
            part_size: section.part_size,
        })
    }

    /// The object key of a hash: `prefix/objects/sha256/ab/<62 hex>`.
    pub fn key(&self, hex: &str) -> String {
        let rel = Archive::object_rel(hex);
        if self.location.prefix.is_empty() { rel } else { format!("{}/{rel}", self.location.prefix) }
    }

    /// `s3://bucket/key`, how findings name a remote object.
    pub fn url(&self, hex: &str) -> String {
        format!("s3://{}/{}", self.location.bucket, self.key(hex))
    }

    /// `prefix/objects/sha256/`: what a listing asks for.
    fn objects_prefix(&self) -> String {
        let p = &self.location.prefix;
        if p.is_empty() { "objects/sha256/".into() } else { format!("{p}/objects/sha256/") }
    }

    /// The hash an object key names, if it is one of ours.
    fn hex_of(&self, key: &str) -> Option<String> {
        let (dir, rest) = key.strip_prefix(&self.objects_prefix())?.split_once('/')?;
        let hex = format!("{dir}{rest}");
        (dir.len() == 2 && store::is_hex64(&hex)).then_some(hex)
    }

    /// Every object under the prefix, from listing pages (1,000 objects a request).
    pub async fn list(&self) -> anyhow::Result<BTreeMap<String, Listed>> {
        let mut out = BTreeMap::new();
        let prefix = self.objects_prefix();
        let mut pages =
            self.client.list_objects_v2().bucket(&self.location.bucket).prefix(&prefix).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.error("list", &prefix, e))?;
            for object in page.contents() {
                if let Some(hex) = object.key().and_then(|k| self.hex_of(k)) {
                    out.insert(hex, Listed { size: object.size().unwrap_or(0).max(0) as u64 });
                }
            }
        }
        Ok(out)
    }

    /// The size and stored SHA-256 of one object (`None`: not there). No body is sent.
    pub async fn head(&self, hex: &str) -> anyhow::Result<Option<Head>> {
        let key = self.key(hex);
        let request = self.client.head_object().bucket(&self.location.bucket).key(&key);
        match request.checksum_mode(ChecksumMode::Enabled).send().await {
            Ok(out) => Ok(Some(Head {
                size: out.content_length().unwrap_or(0).max(0) as u64,
                checksum: out.checksum_sha256().map(str::to_owned),
                composite: out.checksum_type() == Some(&aws_sdk_s3::types::ChecksumType::Composite)
                    || out.checksum_sha256().is_some_and(|c| c.contains('-')),
            })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(self.error("head", &key, e)),
        }
    }

    /// A user-facing error of one request: what was asked, of what, and what the service
    /// (or the connection) said, with the likely cause of the common ones.
    fn error<E, R>(&self, op: &str, key: &str, e: SdkError<E, R>) -> anyhow::Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let hint = match e.code() {
            Some("NoSuchBucket") => format!(" (no bucket `{}` there)", self.location.bucket),
            Some("InvalidAccessKeyId" | "SignatureDoesNotMatch" | "AccessDenied" | "InvalidToken") => {
                " (credentials refused: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the profile)".into()
            }
            _ if matches!(e, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)) => {
                " (cannot reach the endpoint: check [remote] endpoint)".into()
            }
            _ => String::new(),
        };
        anyhow!("{op} {key} on {}{hint}: {}", self.name, DisplayErrorContext(e))
    }
}

/// Runs `job` on every item, at most `limit` at once, and hands each result to `done` as it
/// finishes. Only `limit` jobs exist at a time, so memory does not grow with the number of
/// objects; `progress` gets (done, total).
pub(crate) async fn each<T, R, Fut>(
    items: Vec<T>,
    limit: usize,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
    job: impl Fn(T) -> Fut,
    mut done: impl FnMut(R),
) -> anyhow::Result<()>
where
    Fut: std::future::Future<Output = anyhow::Result<R>> + Send + 'static,
    R: Send + 'static,
{
    let total = items.len() as u64;
    progress(0, total);
    let mut items = items.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut finished = 0;
    loop {
        while running.len() < limit.max(1) {
            let Some(item) = items.next() else { break };
            running.spawn(job(item));
        }
        let Some(joined) = running.join_next().await else { break };
        done(joined.map_err(|e| anyhow!("a request task failed: {e}"))??);
        finished += 1;
        progress(finished, total);
    }
    Ok(())
}

/// Hex of a base64 SHA-256 (`None` for anything else, such as a multipart `…-N`).
pub fn hex_of_base64(b64: &str) -> Option<String> {
    let bytes = data_encoding::BASE64.decode(b64.as_bytes()).ok()?;
    (bytes.len() == 32).then(|| hex::encode(bytes))
}

/// Base64 of a hex SHA-256, as `x-amz-checksum-sha256` carries it.
pub fn base64_of_hex(hex: &str) -> String {
    data_encoding::BASE64.encode(&hex::decode(hex).expect("object names are hex"))
}

/// One object to move or check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Its hash.
    pub sha256: String,
    /// Its size as a capture log records it, when one does.
    pub length: Option<u64>,
}

/// Which objects: every object of the manifest (no keys), or the objects of the given keys'
/// captures; with `current`, only each key's current snapshot.
pub fn select(archive: &Archive, keys: &[String], current: bool) -> anyhow::Result<Vec<Wanted>> {
    let logs: Vec<Vec<capture::Capture>> = if keys.is_empty() {
        all_logs(archive)?
    } else {
        keys.iter()
            .map(|k| archive.captures(k).map_err(|e| anyhow!("{}: {}", e.path, e.message)))
            .collect::<anyhow::Result<_>>()?
    };
    for (key, log) in keys.iter().zip(&logs) {
        if log.is_empty() {
            anyhow::bail!("`{key}` has no captures in archive/captures/");
        }
    }
    let mut lengths = BTreeMap::new();
    let mut chosen = BTreeSet::new();
    for log in &logs {
        for c in log {
            if let (Some(hex), Some(len)) = (&c.sha256, c.length) {
                lengths.insert(hex.clone(), len);
            }
        }
        let picked: Vec<&capture::Capture> =
            if current { capture::current(log).into_iter().collect() } else { log.iter().collect() };
        chosen.extend(picked.into_iter().filter_map(|c| c.sha256.clone()));
    }
    if keys.is_empty() && !current {
        let m = manifest::read(archive).context("cannot read archive/manifest-sha256.txt")?;
        chosen.extend(m.lines.into_iter().map(|l| l.sha256));
    }
    Ok(chosen.into_iter().map(|hex| Wanted { length: lengths.get(&hex).copied(), sha256: hex }).collect())
}

/// Every capture log's records.
fn all_logs(archive: &Archive) -> anyhow::Result<Vec<Vec<capture::Capture>>> {
    let texts = archive.log_texts().context("cannot read archive/captures/")?;
    texts
        .iter()
        .map(|(p, text)| {
            let name = format!("archive/captures/{}", p.file_name().unwrap_or_default().to_string_lossy());
            capture::parse_log(text, &name).map_err(|e| anyhow!("{name}: {}", e.message))
        })
        .collect()
}

/// A deterministic share of the objects for `verify --remote --read-data-subset`: `N%`
/// (objects whose hash prefix falls in the first N% of the range) or `K/N` (slice k of n).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Subset {
    /// A percentage, 0–100.
    Percent(f64),
    /// Slice k of n.
    Slice(crate::archive::verify::Shard),
}

impl Subset {
    /// Whether an object belongs to the subset.
    pub fn holds(&self, hex: &str) -> bool {
        match self {
            Subset::Percent(p) => {
                let prefix = u32::from_str_radix(&hex[..8], 16).unwrap_or(0) as f64;
                prefix < p / 100.0 * 4_294_967_296.0
            }
            Subset::Slice(shard) => shard.holds(hex),
        }
    }
}

impl std::str::FromStr for Subset {
    type Err = String;

    fn from_str(s: &str) -> Result<Subset, String> {
        if let Some(p) = s.strip_suffix('%') {
            let p: f64 = p.trim().parse().map_err(|_| format!("`{s}` is not a percentage"))?;
            if !(0.0..=100.0).contains(&p) {
                return Err(format!("`{s}`: a percentage is 0–100"));
            }
            return Ok(Subset::Percent(p));
        }
        s.parse().map(Subset::Slice).map_err(|e| format!("`{s}`: {e} (or a percentage, e.g. 5%)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_bad_ones_say_why() {
        let l: Location = "s3://my-bucket/team/report/".parse().unwrap();
        assert_eq!((l.bucket.as_str(), l.prefix.as_str()), ("my-bucket", "team/report"));
        let l: Location = "s3://bucket".parse().unwrap();
        assert_eq!(l.prefix, "");
        assert!("https://bucket/x".parse::<Location>().unwrap_err().contains("not an s3://"));
        assert!("s3://My_Bucket/x".parse::<Location>().unwrap_err().contains("not a bucket name"));
    }

    #[test]
    fn checksums_convert_both_ways() {
        let hex = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
        let b64 = base64_of_hex(hex);
        assert_eq!(b64, "WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=");
        assert_eq!(hex_of_base64(&b64).as_deref(), Some(hex));
        assert_eq!(hex_of_base64("WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=-3"), None);
    }

    #[test]
    fn subsets_are_deterministic_shares() {
        let hexes: Vec<String> =
            (0..1000u32).map(|i| format!("{:08x}{}", i.wrapping_mul(2_654_435_761), "0".repeat(56))).collect();
        let share = |s: &str| hexes.iter().filter(|h| s.parse::<Subset>().unwrap().holds(h)).count();
        assert_eq!(share("0%"), 0);
        assert_eq!(share("100%"), 1000);
        assert!((80..120).contains(&share("10%")), "{}", share("10%"));
        assert_eq!(share("1/4") + share("2/4") + share("3/4") + share("4/4"), 1000);
        assert!("150%".parse::<Subset>().is_err() && "5/4".parse::<Subset>().is_err());
    }
}
