//! The tables of a published document, as rows of cell texts: `<table>` of an HTML page, `w:tbl`
//! of a DOCX. A cell spanning several columns appears once (no repetition); a cell continuing a
//! vertical merge (`rowspan`, `w:vMerge`) is absent in HTML and an empty cell in DOCX — callers
//! read rows by their labels and trailing figures, not by column position. Nested tables are
//! read as tables of their own. Never panics; bounded by the input size.

use quick_xml::Reader;
use quick_xml::events::Event;
use scraper::{ElementRef, Html, Selector};
use std::io::{Cursor, Read};

use crate::Format;

/// One table: rows of cell texts (whitespace inside a cell collapsed to single spaces).
pub type Table = Vec<Vec<String>>;

/// Upper bound on the decompressed size of `word/document.xml` (zip-bomb guard).
const MAX_XML: u64 = 64 * 1024 * 1024;

/// The tables of a document given as bytes (format sniffed unless `hint`); plain text has none.
pub fn extract_tables(bytes: &[u8], hint: Option<Format>) -> Vec<Table> {
    match hint.unwrap_or_else(|| sniff(bytes)) {
        Format::Html => {
            let (src, _, _) = crate::decode::decode_text(bytes, true);
            html_tables(&src)
        }
        Format::Docx => docx_tables(bytes),
        Format::Text => Vec::new(),
    }
}

fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") {
        Format::Docx
    } else {
        let head = &bytes[..bytes.len().min(4096)];
        let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
        if lower.windows(6).any(|w| w == b"<table") || lower.windows(5).any(|w| w == b"<html") {
            Format::Html
        } else {
            Format::Text
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The tables of an HTML page.
pub fn html_tables(src: &str) -> Vec<Table> {
    let doc = Html::parse_document(src);
    let (Ok(tables), Ok(rows), Ok(cells)) = (
        Selector::parse("table"),
        Selector::parse("tr"),
        Selector::parse("td, th"),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in doc.select(&tables) {
        let mut table = Vec::new();
        for r in t.select(&rows) {
            // Rows and cells of this table only, not of a nested one.
            if nearest_table(r) != Some(t.id()) {
                continue;
            }
            let row: Vec<String> = r
                .select(&cells)
                .filter(|c| nearest_row(*c) == Some(r.id()))
                .map(|c| collapse(&c.text().collect::<String>()))
                .collect();
            table.push(row);
        }
        out.push(table);
    }
    out
}

fn nearest(e: ElementRef, name: &str) -> Option<ego_tree::NodeId> {
    e.ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == name)
        .map(|a| a.id())
}

fn nearest_table(e: ElementRef) -> Option<ego_tree::NodeId> {
    nearest(e, "table")
}

fn nearest_row(e: ElementRef) -> Option<ego_tree::NodeId> {
    nearest(e, "tr")
}

/// The tables of a DOCX (`w:tbl` of `word/document.xml`).
pub fn docx_tables(bytes: &[u8]) -> Vec<Table> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Vec::new();
    };
    let Ok(file) = zip.by_name("word/document.xml") else {
        return Vec::new();
    };
    let mut xml = Vec::new();
    if file.take(MAX_XML).read_to_end(&mut xml).is_err() {
        return Vec::new();
    }
    let xml = String::from_utf8_lossy(&xml);
    let mut reader = Reader::from_str(&xml);
    let mut out = Vec::new();
    // A stack of open tables (nested tables are separate tables): rows, open row, open cell.
    let mut stack: Vec<(Table, Option<Vec<String>>, Option<String>)> = Vec::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "tbl" => stack.push((Vec::new(), None, None)),
                "tr" => {
                    if let Some(t) = stack.last_mut() {
                        t.1 = Some(Vec::new());
                    }
                }
                "tc" => {
                    if let Some(t) = stack.last_mut() {
                        t.2 = Some(String::new());
                    }
                }
                "t" => in_text = true,
                "p" => {
                    if let Some((_, _, Some(cell))) = stack.last_mut()
                        && !cell.is_empty()
                    {
                        cell.push(' ');
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                if let Some((_, _, Some(cell))) = stack.last_mut() {
                    cell.push_str(&t.into_inner());
                }
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                if let Some((_, _, Some(cell))) = stack.last_mut() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        cell.push(c);
                    } else {
                        cell.push_str(match r.into_inner().as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => "",
                        });
                    }
                }
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "tc" => {
                    if let Some((_, Some(row), cell)) = stack.last_mut()
                        && let Some(c) = cell.take()
                    {
                        row.push(collapse(&c));
                    }
                }
                "tr" => {
                    if let Some((table, row, _)) = stack.last_mut()
                        && let Some(r) = row.take()
                    {
                        table.push(r);
                    }
                }
                "tbl" => {
                    if let Some((table, _, _)) = stack.pop() {
                        out.push(table);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}
