//! `archive --import-warc`: WARC files written by other tools (wget,
//! Webrecorder, pywb, our own export), gzipped per record or plain. Each
//! `response` or `resource` record whose URL is a reference's becomes a
//! capture with `method: web-archive` naming the WARC file and record id,
//! after its digests check out; a record that fails them is a finding and is
//! not imported.

use std::io::Read;
use std::path::Path;

use sha2::Digest;

use super::capture::{self, Capture, Header, Method};
use super::{Archive, lock, manifest, store};
use crate::findings::{Code, Finding, Location};

/// One WARC record: its header fields, where it starts, and its block.
#[derive(Debug)]
pub struct Record {
    /// Header fields, names as written.
    pub fields: Vec<(String, String)>,
    /// Byte offset in the (decompressed) stream.
    pub offset: usize,
    /// The block.
    pub block: Vec<u8>,
}

impl Record {
    /// A header field, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Reads every record of a WARC file's bytes (gzip members or plain).
pub fn read(bytes: &[u8]) -> Result<Vec<Record>, String> {
    let data = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| format!("the gzip stream is broken after {} bytes: {e}", out.len()))?;
        out
    } else {
        bytes.to_vec()
    };
    let mut records = Vec::new();
    let mut at = 0;
    while at < data.len() {
        // Records are separated by CRLF CRLF; tolerate extra blank lines.
        while data[at..].starts_with(b"\r\n") || data[at..].starts_with(b"\n") {
            at += if data[at] == b'\r' { 2 } else { 1 };
        }
        if at >= data.len() {
            break;
        }
        if !data[at..].starts_with(b"WARC/") {
            return Err(format!("no WARC record at byte {at} (not a WARC file, or a damaged one)"));
        }
        let head_end = find(&data[at..], b"\r\n\r\n").ok_or(format!("the record at byte {at} has no end of header"))?;
        let head = String::from_utf8_lossy(&data[at..at + head_end]).into_owned();
        let fields: Vec<(String, String)> = head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())))
            .collect();
        let length: usize = fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .and_then(|(_, v)| v.parse().ok())
            .ok_or(format!("the record at byte {at} has no Content-Length"))?;
        let start = at + head_end + 4;
        let end = start.checked_add(length).filter(|&e| e <= data.len()).ok_or(format!(
            "the record at byte {at} is cut short: {length} bytes announced, {} there",
            data.len().saturating_sub(start)
        ))?;
        records.push(Record { fields, offset: at, block: data[start..end].to_vec() });
        at = end;
    }
    Ok(records)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Whether a WARC digest (`sha1:BASE32`, `sha256:HEX`, base32 or base64)
/// matches `bytes`; `None` for an algorithm we do not know.
pub fn digest_matches(digest: &str, bytes: &[u8]) -> Option<bool> {
    let (algo, value) = digest.split_once(':')?;
    let ours: Vec<u8> = match algo.to_ascii_lowercase().replace('-', "").as_str() {
        "sha1" => sha1::Sha1::digest(bytes).to_vec(),
        "sha256" => sha2::Sha256::digest(bytes).to_vec(),
        _ => return None,
    };
    let value = value.trim();
    let theirs = if value.len() == ours.len() * 2 { hex::decode(value).ok() } else { base32(value) };
    Some(theirs.as_deref() == Some(ours.as_slice()))
}

/// RFC 4648 base32 (upper or lower case, padding optional).
fn base32(s: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(s.trim_end_matches('=').to_ascii_uppercase().as_bytes()).ok()
}

/// An HTTP response inside a `response` record: status, headers, and the
/// body with any chunking removed.
struct Http {
    status: u16,
    headers: Vec<Header>,
    raw_body: Vec<u8>,
    body: Vec<u8>,
}

fn http(block: &[u8]) -> Option<Http> {
    let end = find(block, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&block[..end]);
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<Header> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| Header { name: n.trim().to_owned(), value: v.trim().to_owned() })
        .collect();
    let raw_body = block[end + 4..].to_vec();
    let chunked =
        headers.iter().any(|h| h.name.eq_ignore_ascii_case("transfer-encoding") && h.value.contains("chunked"));
    let body = if chunked { dechunk(&raw_body)? } else { raw_body.clone() };
    Some(Http { status, headers, raw_body, body })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// A record's page: its URL, date, media type and body, decoded (2xx
/// responses and resources only).
pub struct Page {
    /// `WARC-Target-URI`.
    pub uri: String,
    /// `WARC-Date`.
    pub date: String,
    /// The body's media type.
    pub content_type: String,
    /// The body, transfer- and content-decoded.
    pub body: Vec<u8>,
}

/// The pages a WARC file's records hold.
pub fn pages(records: &[Record]) -> Vec<Page> {
    let mut out = Vec::new();
    for r in records {
        let kind = r.field("WARC-Type").unwrap_or_default().to_ascii_lowercase();
        let uri = r.field("WARC-Target-URI").unwrap_or_default().trim_matches(['<', '>']).to_owned();
        let date = r.field("WARC-Date").unwrap_or_default().to_owned();
        let (content_type, body) = match kind.as_str() {
            "response" => {
                let Some(h) = http(&r.block).filter(|h| (200..300).contains(&h.status)) else { continue };
                let header =
                    |n: &str| h.headers.iter().find(|x| x.name.eq_ignore_ascii_case(n)).map(|x| x.value.clone());
                let Ok(body) = decoded(h.body, header("content-encoding").as_deref()) else { continue };
                (header("content-type").unwrap_or_default(), body)
            }
            "resource" => (r.field("Content-Type").unwrap_or_default().to_owned(), r.block.clone()),
            _ => continue,
        };
        out.push(Page { uri, date, content_type, body });
    }
    out
}

/// A body with its `Content-Encoding` undone.
fn decoded(body: Vec<u8>, encoding: Option<&str>) -> Result<Vec<u8>, String> {
    match encoding.map(str::to_ascii_lowercase).as_deref() {
        Some("gzip" | "x-gzip") => decode(flate2::read::MultiGzDecoder::new(body.as_slice())),
        Some("deflate") => decode(flate2::read::ZlibDecoder::new(body.as_slice())),
        _ => Ok(body),
    }
}

/// What an import did.
#[derive(Default)]
pub struct Imported {
    /// Captures recorded.
    pub captures: Vec<Capture>,
    /// Problems, one per record that was not imported.
    pub findings: Vec<Finding>,
}

/// Imports the records of `file` whose URL a reference has (`key_of`), or,
/// with `only`, the first response/resource record as that key.
pub fn import(
    archive: &Archive,
    cache: &Path,
    file: &Path,
    name: &str,
    key_of: &dyn Fn(&str) -> Option<String>,
    only: Option<&str>,
) -> Result<Imported, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let records = read(&bytes).map_err(|e| format!("{name}: {e}"))?;
    let _lock = lock::acquire(archive).map_err(|e| e.to_string())?;
    store::clean_temp(archive).map_err(|e| format!("cannot clean the object directory: {e}"))?;
    let mut done = Imported::default();
    for r in &records {
        let kind = r.field("WARC-Type").unwrap_or_default().to_ascii_lowercase();
        if kind != "response" && kind != "resource" {
            continue;
        }
        let uri = r.field("WARC-Target-URI").unwrap_or_default().trim_matches(['<', '>']).to_owned();
        let id = r.field("WARC-Record-ID").unwrap_or_default().to_owned();
        let here = |code: Code, why: String| {
            Finding::new(code, why)
                .at(Location::file(name))
                .data("offset", r.offset)
                .data("uri", uri.clone())
                .data("record-id", id.clone())
        };
        let skip = |why: String| here(Code::WarcRecordSkipped, why);
        let key = match only {
            Some(k) if done.captures.is_empty() => Some(k.to_owned()),
            Some(_) => None,
            None => key_of(&uri),
        };
        let Some(key) = key else {
            if only.is_none() {
                done.findings.push(skip(format!("{uri}: no reference has this URL; not imported")));
            }
            continue;
        };
        if let Some(d) = r.field("WARC-Block-Digest")
            && digest_matches(d, &r.block) == Some(false)
        {
            let why = format!("{uri}: the record's WARC-Block-Digest does not match its bytes; not imported");
            done.findings.push(here(Code::WarcDigestMismatch, why));
            continue;
        }
        let (status, headers, payload, raw) = if kind == "response" {
            let Some(h) = http(&r.block) else {
                done.findings.push(skip(format!("{uri}: the response record holds no readable HTTP response")));
                continue;
            };
            (Some(h.status), h.headers, h.body, h.raw_body)
        } else {
            (None, Vec::new(), r.block.clone(), r.block.clone())
        };
        if let Some(d) = r.field("WARC-Payload-Digest")
            && digest_matches(d, &payload) == Some(false)
            && digest_matches(d, &raw) == Some(false)
        {
            let why = format!("{uri}: the record's WARC-Payload-Digest does not match its payload; not imported");
            done.findings.push(here(Code::WarcDigestMismatch, why));
            continue;
        }
        if status.is_some_and(|s| !(200..300).contains(&s)) {
            done.findings
                .push(skip(format!("{uri}: the archived response is HTTP {}, not a page", status.unwrap_or(0))));
            continue;
        }
        let header = |n: &str| headers.iter().find(|h| h.name.eq_ignore_ascii_case(n)).map(|h| h.value.clone());
        let encoding = header("content-encoding").filter(|e| !e.eq_ignore_ascii_case("identity"));
        let body = decoded(payload, encoding.as_deref())?;
        let (stored, _) =
            store::put(archive, &mut body.as_slice(), None).map_err(|e| format!("cannot store a record: {e}"))?;
        manifest::add(archive, std::slice::from_ref(&stored.sha256))
            .map_err(|e| format!("cannot update the manifest: {e}"))?;
        let existing = archive.captures(&key).map_err(|e| e.to_string())?;
        let mut c = Capture::new(&key, Method::WebArchive);
        if let Some(date) = r.field("WARC-Date") {
            c.captured = date.to_owned();
        }
        c.id = capture::new_id(&c.captured, Some(&stored.sha256), &existing);
        c.url = Some(uri.clone());
        c.warc_file = Some(name.to_owned());
        c.warc_record_id = Some(id.clone());
        c.status = status;
        c.content_type = header("content-type").or_else(|| r.field("Content-Type").map(str::to_owned));
        c.content_encoding = encoding;
        c.headers = headers;
        c.length = Some(stored.length);
        c.sha256 = Some(stored.sha256);
        if r.field("WARC-Truncated").is_some() {
            c.truncated = Some(capture::Truncated::Length);
        }
        archive.record_text(cache, &mut c);
        archive.append(&c).map_err(|e| e.to_string())?;
        done.captures.push(c);
    }
    Ok(done)
}

fn decode(mut r: impl Read) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    r.read_to_end(&mut out).map_err(|e| format!("cannot decode a record's body: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_in_every_encoding() {
        let body = b"hello";
        assert_eq!(digest_matches("sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N", body), Some(true));
        let hex = hex::encode(sha2::Sha256::digest(body));
        assert_eq!(digest_matches(&format!("sha256:{hex}"), body), Some(true));
        assert_eq!(digest_matches(&format!("sha256:{hex}"), b"hellO"), Some(false));
        assert_eq!(digest_matches("md5:abc", body), None);
    }

    #[test]
    fn damaged_files_say_where() {
        assert!(read(b"GIF89a not a warc").unwrap_err().contains("byte 0"));
        let cut = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 100\r\n\r\nshort";
        assert!(read(cut).unwrap_err().contains("cut short"));
        let chunked = http(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").unwrap();
        assert_eq!(chunked.body, b"hello");
    }
}
