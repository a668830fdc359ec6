//! Import files that are not UTF-8, as biber reads them with
//! `--input-encoding`: decoded with an encoding the user names (a WHATWG
//! label: `latin1`, `windows-1252`, `shift_jis`…), or else with the one the
//! file declares (JabRef's `% Encoding: …` line, a `jabref-meta: encoding`
//! comment, an Emacs `coding:` cookie).

use encoding_rs::Encoding;

/// How an import file's bytes became text.
#[derive(Debug)]
pub enum Decoded {
    /// UTF-8 (a byte-order mark removed).
    Utf8(String),
    /// Decoded with the encoding the user named.
    Named(String),
    /// Not UTF-8, decoded with the encoding the file declares on `line`.
    Declared {
        /// The text.
        text: String,
        /// The encoding's name.
        label: &'static str,
        /// The line that declares it.
        line: usize,
    },
}

/// The bytes are not UTF-8 and neither a named nor a declared encoding
/// applies: the 1-based line of the first bad byte.
#[derive(Debug)]
pub struct NotUtf8 {
    /// 1-based line of the first byte that is not UTF-8.
    pub line: usize,
}

/// Decodes an import file.
pub fn decode(bytes: Vec<u8>, named: Option<&'static Encoding>) -> Result<Decoded, NotUtf8> {
    if let Some(encoding) = named {
        let (text, _, _) = encoding.decode(&bytes);
        return Ok(Decoded::Named(text.into_owned()));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded::Utf8(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text))),
        Err(e) => {
            let bytes = e.into_bytes();
            let at = std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len());
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let Some((encoding, declared_on)) = declared(&bytes) else { return Err(NotUtf8 { line }) };
            let (text, _, _) = encoding.decode(&bytes);
            Ok(Decoded::Declared { text: text.into_owned(), label: encoding.name(), line: declared_on })
        }
    }
}

/// The encoding a file declares in its first 50 lines, and on which line.
fn declared(bytes: &[u8]) -> Option<(&'static Encoding, usize)> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
    for (n, line) in head.lines().take(50).enumerate() {
        let lower = line.to_ascii_lowercase();
        let after = ["% encoding:", "jabref-meta: encoding:", "coding:"]
            .iter()
            .find_map(|marker| lower.find(marker).map(|p| &line[p + marker.len()..]));
        let label: String =
            after?.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || "-_.:".contains(*c)).collect();
        if let Some(encoding) = Encoding::for_label(label.trim_end_matches([':', '.']).as_bytes()) {
            return Some((encoding, n + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_encodings_are_read() {
        let latin1 = b"% Encoding: ISO-8859-1\n@book{a, title={Caf\xe9}}\n".to_vec();
        match decode(latin1, None).unwrap() {
            Decoded::Declared { text, label, line } => {
                assert!(text.contains("Caf\u{e9}"));
                assert_eq!((label, line), ("windows-1252", 1));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(decode(b"@book{a,\n title={Caf\xe9}}".to_vec(), None).unwrap_err().line, 2);
        let named = decode(b"title={\xe9}".to_vec(), Encoding::for_label(b"latin1")).unwrap();
        assert!(matches!(named, Decoded::Named(t) if t == "title={\u{e9}}"));
    }
}
