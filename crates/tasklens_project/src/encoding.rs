//! Source encodings: a file's bytes decoded the way CPython reads a module (UTF-8 by
//! default, PEP 3120; another encoding when a PEP 263 comment in the first two lines names
//! one), and fixed text encoded back into the file's own encoding.

use encoding_rs::Encoding;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// How a file's bytes become its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8 { bom: bool },
    /// Python's `latin-1` (ISO-8859-1): each byte is the code point of the same number.
    Latin1,
    /// Python's `ascii`: bytes below 128 only.
    Ascii,
    /// Another encoding a PEP 263 comment names, read by the WHATWG encoding of that label
    /// (for CJK code pages the WHATWG encoding is a superset of Python's codec).
    Other(&'static Encoding),
}

/// A source file's text and the encoding it was read in.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: SourceEncoding,
}

/// Decodes a source file as CPython would, or says why it cannot be read.
pub fn decode_source(bytes: &[u8]) -> Result<Decoded, String> {
    let skipped = "the file was skipped";
    if let Some(rest) = bytes.strip_prefix(BOM) {
        if let Some(name) =
            declared_encoding(rest).filter(|name| !matches!(resolve(name), Some(SourceEncoding::Utf8 { .. })))
        {
            return Err(format!(
                "the file starts with a UTF-8 byte-order mark but declares encoding `{name}`, which Python refuses (SyntaxError); {skipped}"
            ));
        }
        return decode_utf8(rest, true);
    }
    let Some(name) = declared_encoding(bytes) else { return decode_utf8(bytes, false) };
    match resolve(&name) {
        Some(SourceEncoding::Utf8 { .. }) => decode_utf8(bytes, false),
        Some(encoding) => match encoding.decode(bytes) {
            Some(text) => Ok(Decoded { text, encoding }),
            None => Err(format!("not valid `{name}`, the encoding the file declares; {skipped}")),
        },
        // Python refuses an encoding it does not know; one that reads as UTF-8 is checked
        // anyway, the way it always was.
        None => decode_utf8(bytes, false).map_err(|_| {
            format!("the file declares encoding `{name}`, which tasklens cannot read, and is not UTF-8; {skipped}")
        }),
    }
}

fn decode_utf8(bytes: &[u8], bom: bool) -> Result<Decoded, String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Decoded { text: text.to_owned(), encoding: SourceEncoding::Utf8 { bom } }),
        Err(error) => Err(format!("not valid UTF-8 ({error}); the file was skipped")),
    }
}

impl SourceEncoding {
    /// `text` decoded from `bytes` (without a byte-order mark), or `None` where a byte
    /// sequence is not valid in this encoding.
    fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            SourceEncoding::Utf8 { .. } => std::str::from_utf8(bytes).ok().map(str::to_owned),
            SourceEncoding::Latin1 => Some(bytes.iter().map(|&byte| char::from(byte)).collect()),
            SourceEncoding::Ascii => bytes.is_ascii().then(|| bytes.iter().map(|&byte| char::from(byte)).collect()),
            SourceEncoding::Other(encoding) => {
                encoding.decode_without_bom_handling_and_without_replacement(bytes).map(|text| text.into_owned())
            }
        }
    }

    /// The bytes of a file whose text is `text`, or `None` where a character has no
    /// encoding in it.
    pub fn encode(self, text: &str) -> Option<Vec<u8>> {
        match self {
            SourceEncoding::Utf8 { bom } => {
                let mut bytes = if bom { BOM.to_vec() } else { Vec::new() };
                bytes.extend_from_slice(text.as_bytes());
                Some(bytes)
            }
            SourceEncoding::Latin1 => text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect(),
            SourceEncoding::Ascii => text.is_ascii().then(|| text.as_bytes().to_vec()),
            SourceEncoding::Other(encoding) => {
                let (bytes, _, unmappable) = encoding.encode(text);
                (!unmappable).then(|| bytes.into_owned())
            }
        }
    }
}

/// The encoding Python takes a declared name for, where tasklens can read it.
fn resolve(name: &str) -> Option<SourceEncoding> {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    if lower == "utf-8" || lower == "utf8" || lower.starts_with("utf-8-") {
        return Some(SourceEncoding::Utf8 { bom: false });
    }
    // Python's aliases of `latin_1` and `ascii`, compared without separators.
    let bare: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let latin1 = ["latin1", "latin", "l1", "iso88591", "isolatin1", "iso8859", "8859", "cp819", "ibm819"];
    if latin1.contains(&bare.as_str()) || ["isoir100", "csisolatin1", "iso885911987"].contains(&bare.as_str()) {
        return Some(SourceEncoding::Latin1);
    }
    if ["ascii", "usascii", "us", "646", "cp367", "ibm367", "csascii", "iso646us"].contains(&bare.as_str()) {
        return Some(SourceEncoding::Ascii);
    }
    // Python's names for the Windows CJK code pages, which WHATWG spells otherwise.
    let label = match bare.as_str() {
        "cp932" | "ms932" | "mskanji" => "shift_jis",
        "cp936" | "ms936" => "gbk",
        "cp949" | "ms949" | "uhc" => "euc-kr",
        "cp950" | "ms950" => "big5",
        _ => name,
    };
    let encoding = Encoding::for_label(label.as_bytes()).or_else(|| Encoding::for_label(lower.as_bytes()))?;
    let unusable =
        [encoding_rs::REPLACEMENT, encoding_rs::UTF_16LE, encoding_rs::UTF_16BE, encoding_rs::X_USER_DEFINED];
    (!unusable.contains(&encoding)).then_some(SourceEncoding::Other(encoding))
}

/// The encoding a PEP 263 comment declares: `coding[:=]` followed by a name, in a comment
/// on the first line, or on the second when the first is blank or a comment (as
/// `tokenize.detect_encoding` reads it).
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&b| b == b'\n');
    let first = lines.next()?;
    if let Some(name) = coding_in(first) {
        return Some(name);
    }
    let rest = first.trim_ascii_start();
    if rest.is_empty() || rest.starts_with(b"#") || rest == b"\r" {
        return lines.next().and_then(coding_in);
    }
    None
}

/// The name in a line's `coding[:=] name`, if the line is a comment.
fn coding_in(line: &[u8]) -> Option<String> {
    let line = String::from_utf8_lossy(line);
    let comment = line.trim_start_matches([' ', '\t', '\x0c']).strip_prefix('#')?;
    let mut from = 0;
    while let Some(at) = comment[from..].find("coding") {
        let after = &comment[from + at + "coding".len()..];
        if let Some(rest) = after.strip_prefix([':', '=']) {
            let name: String = rest
                .trim_start_matches([' ', '\t'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            return (!name.is_empty()).then_some(name);
        }
        from += at + "coding".len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_are_found_where_python_looks() {
        assert_eq!(declared_encoding(b"# -*- coding: latin-1 -*-\nx = 1\n").as_deref(), Some("latin-1"));
        // "encoding" on a first comment line that declares nothing does not hide the second.
        assert_eq!(
            declared_encoding(b"# test encoding\n# vim: set fileencoding=koi8-r :\n").as_deref(),
            Some("koi8-r")
        );
        assert_eq!(declared_encoding(b"#!/usr/bin/env python\n# coding=cp1252\n").as_deref(), Some("cp1252"));
        // Not after a first line of code, and not outside a comment.
        assert_eq!(declared_encoding(b"x = 1\n# coding: latin-1\n"), None);
        assert_eq!(declared_encoding(b"s = 'coding: latin-1'\n"), None);
    }

    #[test]
    fn bytes_decode_as_python_reads_them_and_encode_back() {
        let latin1 = b"# -*- coding: latin-1 -*-\nx = '\xe9\x80'\n";
        let decoded = decode_source(latin1).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding),
            ("# -*- coding: latin-1 -*-\nx = '\u{e9}\u{80}'\n", SourceEncoding::Latin1)
        );
        assert_eq!(decoded.encoding.encode(&decoded.text).as_deref(), Some(&latin1[..]));
        let koi8 = b"# coding: koi8-r\nx = '\xd0\xd2'\n";
        let decoded = decode_source(koi8).unwrap();
        assert_eq!(decoded.text, "# coding: koi8-r\nx = '\u{43f}\u{440}'\n");
        assert_eq!(decoded.encoding.encode(&decoded.text).as_deref(), Some(&koi8[..]));
        assert_eq!(decoded.encoding.encode("\u{e9}"), None);
        assert!(decode_source(b"# coding: ascii\nx = '\xe9'\n").unwrap_err().contains("not valid `ascii`"));
        assert!(decode_source(b"\xef\xbb\xbf# coding: latin-1\n").unwrap_err().contains("byte-order mark"));
        let bom = decode_source(b"\xef\xbb\xbfx = 1\n").unwrap();
        assert_eq!(bom.encoding.encode(&bom.text).as_deref(), Some(&b"\xef\xbb\xbfx = 1\n"[..]));
        assert!(decode_source(b"# coding: no-such-codec\nx = '\xe9'\n").unwrap_err().contains("cannot read"));
        assert!(decode_source(b"x = '\xff'\n").unwrap_err().starts_with("not valid UTF-8"));
    }
}
