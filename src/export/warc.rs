//! WARC/1.1 (ISO 28500) out: a `warcinfo` record, then per snapshot a
//! `response` record (fetched over HTTP: status line, the headers kept at
//! capture, the body) or a `resource` record (an attached file), each its own
//! gzip member, with `WARC-Block-Digest` and `WARC-Payload-Digest` (SHA-256,
//! hex) and `WARC-Truncated` where a cap cut the body.
//!
//! citelock stores bodies decoded, so a response record's headers drop
//! `Content-Encoding` and `Transfer-Encoding` and give the stored length as
//! `Content-Length`: the record says what its bytes are.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use crate::archive::capture::{Capture, Method};

/// Headers not carried over: the body is stored decoded and whole.
const DROPPED: [&str; 3] = ["content-encoding", "transfer-encoding", "content-length"];

/// A record id from what identifies the record, so exports are reproducible.
fn record_id(seed: &str) -> String {
    let h = hex::encode(Sha256::digest(seed.as_bytes()));
    format!("<urn:uuid:{}-{}-{}-{}-{}>", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// The HTTP head of a response record, from what the capture kept.
fn http_head(c: &Capture, length: u64) -> Vec<u8> {
    let status = c.status.unwrap_or(200);
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for h in c.headers.iter().filter(|h| !DROPPED.contains(&h.name.to_ascii_lowercase().as_str())) {
        head.push_str(&format!("{}: {}\r\n", h.name, h.value.replace(['\r', '\n'], " ")));
    }
    head.push_str(&format!("Content-Length: {length}\r\n\r\n"));
    head.into_bytes()
}

/// Writes one gzip member holding one record: its header fields, then `head` and the object's bytes.
fn record(
    out: &mut impl Write,
    fields: &[(&str, String)],
    head: &[u8],
    object: Option<&Path>,
    length: u64,
) -> io::Result<()> {
    let mut gz = GzEncoder::new(&mut *out, Compression::default());
    write!(gz, "WARC/1.1\r\n")?;
    for (name, value) in fields {
        write!(gz, "{name}: {value}\r\n")?;
    }
    write!(gz, "Content-Length: {}\r\n\r\n", head.len() as u64 + length)?;
    gz.write_all(head)?;
    if let Some(path) = object {
        io::copy(&mut File::open(path)?.take(length), &mut gz)?;
    }
    gz.write_all(b"\r\n\r\n")?;
    gz.finish()?;
    Ok(())
}

/// SHA-256 (hex) of `head` followed by the object's bytes.
fn block_digest(head: &[u8], object: &Path) -> io::Result<String> {
    let mut h = Sha256::new();
    h.update(head);
    let mut f = File::open(object)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// One snapshot to write: its capture record and its object.
pub struct Snapshot<'a> {
    /// The capture record.
    pub capture: &'a Capture,
    /// The object's path.
    pub object: &'a Path,
}

/// Writes a WARC file of `snapshots`; `filename` is what `warcinfo` calls it. Returns the records written.
pub fn write(out: &mut impl Write, filename: &str, now: &str, snapshots: &[Snapshot]) -> io::Result<usize> {
    let info = format!(
        "software: citelock {}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\ndescription: snapshots of cited sources, exported from a citelock archive\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let info_id = record_id(&format!("warcinfo {filename} {now}"));
    let fields = [
        ("WARC-Type", "warcinfo".to_owned()),
        ("WARC-Record-ID", info_id.clone()),
        ("WARC-Date", now.to_owned()),
        ("WARC-Filename", filename.to_owned()),
        ("Content-Type", "application/warc-fields".to_owned()),
    ];
    record(out, &fields, info.as_bytes(), None, 0)?;
    for s in snapshots {
        let c = s.capture;
        let (Some(sha), Some(length)) = (c.sha256.as_deref(), c.length) else { continue };
        let target =
            c.final_url.clone().or_else(|| c.url.clone()).unwrap_or_else(|| format!("urn:citelock:{}:{}", c.key, c.id));
        let mut fields = vec![
            ("WARC-Record-ID", record_id(&format!("{} {}", c.key, c.id))),
            ("WARC-Date", c.captured.clone()),
            ("WARC-Target-URI", target),
            ("WARC-Warcinfo-ID", info_id.clone()),
            ("WARC-Payload-Digest", format!("sha256:{sha}")),
        ];
        let head = if c.method == Method::Http {
            fields.insert(0, ("WARC-Type", "response".to_owned()));
            if let Some(ip) = c.remote_addr.as_deref().and_then(|a| a.parse::<std::net::SocketAddr>().ok()) {
                fields.push(("WARC-IP-Address", ip.ip().to_string()));
            }
            fields.push(("Content-Type", "application/http;msgtype=response".to_owned()));
            http_head(c, length)
        } else {
            fields.insert(0, ("WARC-Type", "resource".to_owned()));
            fields.push(("Content-Type", c.content_type.clone().unwrap_or_else(|| "application/octet-stream".into())));
            Vec::new()
        };
        fields.push(("WARC-Block-Digest", format!("sha256:{}", block_digest(&head, s.object)?)));
        if let Some(t) = c.truncated {
            fields.push(("WARC-Truncated", t.name().to_owned()));
        }
        record(out, &fields, &head, Some(s.object), length)?;
    }
    Ok(snapshots.len() + 1)
}
