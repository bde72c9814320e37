//! DOCX to plain text: one line per paragraph of `word/document.xml`.

use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::{Cursor, Read};

/// Upper bound on the decompressed size of `word/document.xml` (zip-bomb guard).
const MAX_XML: u64 = 64 * 1024 * 1024;

/// Extracts the text of a DOCX; on failure returns what it has and a warning.
pub fn docx_to_text(bytes: &[u8]) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let xml = match read_document_xml(bytes) {
        Ok(x) => x,
        Err(e) => {
            warnings.push(format!("docx: {e}"));
            return (String::new(), warnings);
        }
    };
    let text = match xml_to_text(&xml) {
        Ok(t) => t,
        Err((t, e)) => {
            warnings.push(format!("docx: malformed document.xml: {e}"));
            t
        }
    };
    (text, warnings)
}

fn read_document_xml(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let file = zip
        .by_name("word/document.xml")
        .map_err(|_| "word/document.xml missing".to_string())?;
    if file.size() > MAX_XML {
        return Err("word/document.xml too large".to_string());
    }
    let mut out = Vec::with_capacity(file.size() as usize);
    file.take(MAX_XML)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn xml_to_text(xml: &[u8]) -> Result<String, (String, String)> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_t = false;
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => return Err((out, e.to_string())),
        };
        match ev {
            Event::Start(e) if local(e.name().as_ref()) == "t" => in_t = true,
            Event::Empty(e) => match local(e.name().as_ref()) {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "p" => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match local(e.name().as_ref()) {
                "t" => in_t = false,
                "p" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_t => out.push_str(&t.into_inner()),
            Event::GeneralRef(r) if in_t => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    out.push_str(match r.into_inner().as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::CData(t) if in_t => out.push_str(&t.into_inner()),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    Ok(out)
}
