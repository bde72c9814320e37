//! Format and encoding detection.

use crate::Format;
use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

/// The decoded text of an input and how it was obtained.
pub struct Decoded {
    pub text: String,
    pub format: Format,
    pub encoding: String,
    pub warnings: Vec<String>,
    /// The `<title>` of an HTML page.
    pub html_title: Option<String>,
}

/// Decodes `bytes`: DOCX by its ZIP signature, HTML by its markup, else plain text.
pub fn decode(bytes: &[u8], hint: Option<Format>) -> Decoded {
    let format = hint.unwrap_or_else(|| sniff(bytes));
    match format {
        Format::Docx => {
            let (text, warnings) = crate::docx::docx_to_text(bytes);
            Decoded {
                text,
                format,
                encoding: "UTF-8".to_string(),
                warnings,
                html_title: None,
            }
        }
        Format::Html => {
            let (src, encoding, mut warnings) = decode_text(bytes, true);
            let (text, title) = crate::html::html_to_text(&src);
            if text.trim().is_empty() && !src.trim().is_empty() {
                warnings.push("html: no text content".to_string());
            }
            Decoded {
                text,
                format,
                encoding,
                warnings,
                html_title: title,
            }
        }
        Format::Text => {
            let (text, encoding, warnings) = decode_text(bytes, false);
            Decoded {
                text,
                format,
                encoding,
                warnings,
                html_title: None,
            }
        }
    }
}

fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") {
        return Format::Docx;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    let first = lower
        .iter()
        .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xef | 0xbb | 0xbf))
        .map(|i| lower[i]);
    if has(b"<!doctype html")
        || has(b"<html")
        || has(b"<body")
        || (first == Some(b'<') && (has(b"<p") || has(b"<div") || has(b"<meta") || has(b"<br")))
    {
        return Format::Html;
    }
    Format::Text
}

/// The charset declared in the first bytes of an HTML page.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let at = lower.windows(7).position(|w| w == b"charset")?;
    let mut i = at + 7;
    while i < lower.len() && matches!(lower[i], b' ' | b'=' | b'"' | b'\'') {
        i += 1;
    }
    let start = i;
    while i < lower.len() && (lower[i].is_ascii_alphanumeric() || matches!(lower[i], b'-' | b'_')) {
        i += 1;
    }
    Encoding::for_label(&lower[start..i])
}

/// Decodes text bytes: BOM, declared HTML charset, UTF-8 when valid, else GB18030.
pub fn decode_text(bytes: &[u8], html: bool) -> (String, String, Vec<String>) {
    let mut warnings = Vec::new();
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            warnings.push(format!("{}: undecodable bytes replaced", enc.name()));
        }
        return (text.into_owned(), enc.name().to_string(), warnings);
    }
    // Valid UTF-8 wins over a declared charset: pages saved by a browser are often re-encoded
    // as UTF-8 but keep their old `charset=gb2312`, while GB18030 Chinese text is practically
    // never valid UTF-8.
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), "UTF-8".to_string(), warnings);
    }
    let declared = if html { declared_charset(bytes) } else { None };
    // GBK and GB2312 labels are decoded as GB18030, their superset.
    let enc = match declared {
        Some(d) if d == GBK_OR_GB18030 || d.name() == "GBK" => GB18030,
        Some(d) if d == UTF_16LE || d == UTF_16BE => GB18030,
        Some(d) if d != UTF_8 => d,
        _ => GB18030,
    };
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        warnings.push(format!("{}: undecodable bytes replaced", enc.name()));
    }
    (text.into_owned(), enc.name().to_string(), warnings)
}

const GBK_OR_GB18030: &Encoding = GB18030;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb18030_and_utf8_and_boms() {
        let s = "一、主要举措和成效";
        let (gb, _, _) = GB18030.encode(s);
        let (t, enc, w) = decode_text(&gb, false);
        assert_eq!((t.as_str(), enc.as_str(), w.len()), (s, "gb18030", 0));
        let (t, enc, _) = decode_text(s.as_bytes(), false);
        assert_eq!((t.as_str(), enc.as_str()), (s, "UTF-8"));
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode_text(&bom, false).0, s);
    }

    #[test]
    fn utf8_wins_over_a_stale_declared_charset() {
        let page = "<html><head><meta charset=\"gb2312\"></head><body><p>合法性审查131次</p></body></html>";
        let (t, enc, _) = decode_text(page.as_bytes(), true);
        assert_eq!((t.as_str(), enc.as_str()), (page, "UTF-8"));
        let (gb, _, _) = GB18030.encode(page);
        let (t, enc, _) = decode_text(&gb, true);
        assert_eq!((t.as_str(), enc.as_str()), (page, "gb18030"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Format::Docx);
        assert_eq!(sniff(b"<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(sniff("一、主要".as_bytes()), Format::Text);
    }
}
