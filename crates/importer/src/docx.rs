//! DOCX to plain text: one line per paragraph of `word/document.xml`, automatic list numbering
//! (`word/numbering.xml`: decimal, Chinese counting, circled numbers) rendered in front of the
//! paragraph as Word shows it (`一、`, `（一）`, `1.`).

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Upper bound on the decompressed size of `word/document.xml` (zip-bomb guard).
const MAX_XML: u64 = 64 * 1024 * 1024;

/// Extracts the text of a DOCX; on failure returns what it has and a warning.
pub fn docx_to_text(bytes: &[u8]) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            warnings.push(format!("docx: {e}"));
            return (String::new(), warnings);
        }
    };
    let xml = match read_part(&mut zip, "word/document.xml") {
        Ok(x) => x,
        Err(e) => {
            warnings.push(format!("docx: {e}"));
            return (String::new(), warnings);
        }
    };
    let numbering = read_part(&mut zip, "word/numbering.xml")
        .map(|x| parse_numbering(&x))
        .unwrap_or_default();
    let text = match xml_to_text(&xml, &numbering) {
        Ok(t) => t,
        Err((t, e)) => {
            warnings.push(format!("docx: malformed document.xml: {e}"));
            t
        }
    };
    (text, warnings)
}

fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, String> {
    let file = zip.by_name(name).map_err(|_| format!("{name} missing"))?;
    if file.size() > MAX_XML {
        return Err(format!("{name} too large"));
    }
    let mut out = Vec::with_capacity(file.size().min(MAX_XML) as usize);
    file.take(MAX_XML)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == name)
        .map(|a| a.value.to_string())
}

/// One level of a list definition.
#[derive(Default, Clone)]
struct Level {
    start: u32,
    fmt: String,
    text: String,
}

/// List definitions: abstract numbering levels and the numbering instances that use them.
#[derive(Default)]
struct Numbering {
    abstracts: HashMap<String, HashMap<u32, Level>>,
    nums: HashMap<String, String>,
}

fn parse_numbering(xml: &[u8]) -> Numbering {
    let mut n = Numbering::default();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut abs: Option<String> = None;
    let mut lvl: Option<u32> = None;
    let mut num: Option<String> = None;
    while let Ok(ev) = reader.read_event_into(&mut buf) {
        match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match local(e.name().as_ref()) {
                "abstractNum" => abs = attr(&e, "abstractNumId"),
                "lvl" => lvl = attr(&e, "ilvl").and_then(|v| v.parse().ok()),
                "num" => num = attr(&e, "numId"),
                "abstractNumId" => {
                    if let (Some(id), Some(a)) = (num.clone(), attr(&e, "val")) {
                        n.nums.insert(id, a);
                    }
                }
                k @ ("start" | "numFmt" | "lvlText") => {
                    if let (Some(a), Some(l), Some(v)) = (abs.clone(), lvl, attr(&e, "val")) {
                        let level = n.abstracts.entry(a).or_default().entry(l).or_default();
                        match k {
                            "start" => level.start = v.parse().unwrap_or(1),
                            "numFmt" => level.fmt = v,
                            _ => level.text = v,
                        }
                    }
                }
                _ => {}
            },
            Event::End(e) => match local(e.name().as_ref()) {
                "abstractNum" => abs = None,
                "lvl" => lvl = None,
                "num" => num = None,
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    n
}

fn format_counter(n: u32, fmt: &str) -> Option<String> {
    Some(match fmt {
        "decimal" | "decimalZero" => n.to_string(),
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "ideographDigital"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand" => crate::numeral::to_chinese(u64::from(n)),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .filter_map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32))
            .collect(),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32('①' as u32 + n - 1)?.to_string()
        }
        "lowerLetter" => char::from_u32('a' as u32 + (n.saturating_sub(1) % 26))?.to_string(),
        "upperLetter" => char::from_u32('A' as u32 + (n.saturating_sub(1) % 26))?.to_string(),
        _ => return None,
    })
}

/// Counters of the numbering instances met so far.
struct Counters<'a> {
    numbering: &'a Numbering,
    counts: HashMap<String, [u32; 9]>,
}

impl Counters<'_> {
    /// The label Word shows for the next paragraph of list `num_id` at level `ilvl`.
    fn label(&mut self, num_id: &str, ilvl: u32) -> Option<String> {
        let abs = self.numbering.nums.get(num_id)?;
        let levels = self.numbering.abstracts.get(abs)?;
        let lvl = levels.get(&ilvl)?;
        let i = usize::try_from(ilvl).ok().filter(|i| *i < 9)?;
        let c = self.counts.entry(num_id.to_string()).or_insert([0; 9]);
        c[i] = if c[i] == 0 {
            lvl.start.max(1)
        } else {
            c[i].saturating_add(1)
        };
        for d in c.iter_mut().skip(i + 1) {
            *d = 0;
        }
        let c = *c;
        let mut out = String::new();
        let mut chars = lvl.text.chars().peekable();
        while let Some(ch) = chars.next() {
            match (ch, chars.peek().and_then(|d| d.to_digit(10))) {
                ('%', Some(k @ 1..=9)) => {
                    chars.next();
                    let k = k as usize - 1;
                    let fmt = levels
                        .get(&(k as u32))
                        .map_or("decimal", |l| l.fmt.as_str());
                    let v = if c[k] == 0 { 1 } else { c[k] };
                    out.push_str(&format_counter(v, fmt)?);
                }
                _ => out.push(ch),
            }
        }
        Some(out)
    }
}

fn xml_to_text(xml: &[u8], numbering: &Numbering) -> Result<String, (String, String)> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_t = false;
    let mut counters = Counters {
        numbering,
        counts: HashMap::new(),
    };
    // Where the current paragraph starts in `out`, and its list membership.
    let mut para_start = 0usize;
    let mut num_id: Option<String> = None;
    let mut ilvl: u32 = 0;
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => return Err((out, e.to_string())),
        };
        match ev {
            Event::Start(e) if local(e.name().as_ref()) == "t" => in_t = true,
            Event::Start(e) if local(e.name().as_ref()) == "p" => {
                para_start = out.len();
                num_id = None;
                ilvl = 0;
            }
            Event::Empty(e) => match local(e.name().as_ref()) {
                "numId" => num_id = attr(&e, "val"),
                "ilvl" => ilvl = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0),
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "p" => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match local(e.name().as_ref()) {
                "t" => in_t = false,
                "p" => {
                    if let Some(id) = num_id.take()
                        && para_start <= out.len()
                        && out.is_char_boundary(para_start)
                        && let Some(label) = counters.label(&id, ilvl)
                    {
                        out.insert_str(para_start, &label);
                    }
                    out.push('\n');
                }
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
