//! fazhi-importer: the extraction part of the importer of published annual reports on
//! rule-of-law government construction (法治政府建设年度报告).
//!
//! [`extract`] takes the bytes of a report as plain text, HTML (a saved government web page) or
//! DOCX, in UTF-8 or GB18030, and returns an [`Extraction`]: metadata (title, unit, level,
//! reporting year, region), the section tree with the four standard parts recognised by
//! meaning, and every quantitative statement as a [`Figure`] mapped, where it can be, to an
//! indicator id of the catalogue in `data/indicator_map.toml`.
//!
//! # Offsets
//! All `start`/`end` offsets count characters (Unicode scalar values) of
//! [`Extraction::decoded_text`], and every `Figure::text` equals that slice of it.
//! * Plain text: the decoded text is the input decoded (UTF-8, UTF-16 with BOM, or GB18030), a
//!   leading byte-order mark removed, nothing else changed (line ends are kept as they are).
//! * HTML: the decoded text is the text content of the page as this crate renders it: one line
//!   per block element (`p`, `div`, `br`, `li`, `tr`, headings…), `script`/`style` and the like
//!   dropped, entities resolved, runs of blank space inside a block collapsed to one space.
//! * DOCX: one line per paragraph of `word/document.xml` (tables: one line per cell paragraph),
//!   `w:tab` as a tab, `w:br` as a line break, automatic list numbering (`word/numbering.xml`)
//!   rendered in front of its paragraph as Word displays it (`一、`, `（一）`, `1.`).
//!
//! # Never panics
//! Every input, however malformed, gives an [`Extraction`] (possibly empty, with `warnings`).
//! Work is linear in the input size: one pass per line with bounded look-around.

mod decode;
mod docx;
mod figures;
mod html;
mod indicators;
mod meta;
pub mod numeral;
mod sections;
pub mod tables;
mod text;

use serde::{Deserialize, Serialize};

pub use indicators::{Indicator, catalogue};
pub use tables::{Table, extract_tables};

/// The input format of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text.
    Text,
    /// An HTML page.
    Html,
    /// A Word document (Office Open XML).
    Docx,
}

/// One of the four standard parts of the annual report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// 主要举措和成效.
    Measures,
    /// 党政主要负责人履行推进法治建设第一责任人职责情况.
    LeaderDuty,
    /// 存在的不足和原因.
    Shortcomings,
    /// 下一年度工作计划/思路/安排.
    Plan,
    /// Anything else.
    Other,
}

/// A heading of the section tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Depth in the tree, 1 for the top (一、).
    pub level: u8,
    /// The heading as written, its marker included (`一、2023年主要工作`); for a paragraph that
    /// opens with its heading, the text up to the first full stop.
    pub heading: String,
    /// The standard part this section belongs to (inherited from its parent unless its own
    /// heading says otherwise).
    pub part: Part,
    /// Character offset of the marker.
    pub start: usize,
    /// Character offset where the section ends (the next heading of the same or a higher
    /// level, or the end of the report body).
    pub end: usize,
    /// The numbering marker kind: `一、`, `(一)`, `1.`, `(1)`, `1)`, `①`, `一是`, `第一部分`,
    /// or `none` for an unnumbered part heading.
    #[serde(default)]
    pub marker: String,
    /// All parts a merged heading covers (`存在的问题和下一步打算` → shortcomings and plan).
    #[serde(default)]
    pub parts: Vec<Part>,
}

/// The kind of approximation a qualifier expresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Qualifier {
    /// 余, 多, 超, 超过, 逾, 以上.
    Over,
    /// 近, 将近, 接近.
    Nearly,
    /// 约, 大约, 左右, 上下.
    About,
    /// 不足, 不到, 以下, 以内.
    Under,
}

/// Direction of a change (同比增长/下降).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// 增长, 上升, 提高….
    Increase,
    /// 下降, 减少, 降低….
    Decrease,
}

/// A quantitative statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The figure as written (qualifiers, numeral, multiplier and unit): an exact slice of the
    /// decoded text, `decoded_text[start..end]` in characters.
    pub text: String,
    /// The value, multipliers expanded (`近5万份` → 50000, `0.5万余元` → 5000). For a range,
    /// the lower bound.
    #[serde(with = "value_serde")]
    pub value: f64,
    /// The counting word as written (`次`, `件`, `人次`, `平方米`, `%`), except that `万元` and
    /// `亿元` are expanded into the value and give `元`. Empty when no unit is written.
    pub unit: String,
    /// True when a qualifier makes the value approximate.
    pub approx: bool,
    /// The phrase that says what is counted (`各类事项合法性审查`).
    pub metric: String,
    /// Indicator id from the catalogue, when the figure could be mapped.
    pub indicator: Option<String>,
    /// Character offset of `text` in the decoded text.
    pub start: usize,
    /// Character offset just past `text`.
    pub end: usize,
    /// Confidence of the indicator match, 0..1 (0 when unmapped).
    #[serde(default)]
    pub confidence: f64,
    /// The approximation kind, when `approx`.
    #[serde(default)]
    pub qualifier: Option<Qualifier>,
    /// True for a change (同比增长5%, 下降2.7个百分点) rather than a level.
    #[serde(default)]
    pub change: bool,
    /// The direction of a change.
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Lower and upper bound of a range (`3-5次`).
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// Index in `sections` of the innermost section containing the figure.
    #[serde(default)]
    pub section: Option<usize>,
}

/// Everything extracted from one report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// The report's title, when the text carries one.
    pub title: Option<String>,
    /// The reporting unit (`海幢街道办事处`, `横沥镇人民政府`).
    pub unit: Option<String>,
    /// `street`, `township` or `district`.
    pub level: Option<String>,
    /// The year reported on (not the publication date).
    pub year: Option<i32>,
    /// The region the unit belongs to, where the text says it (`广州市海珠区`).
    #[serde(default)]
    pub region: Option<String>,
    /// The section tree in document order.
    pub sections: Vec<Section>,
    /// The figures in document order.
    pub figures: Vec<Figure>,
    /// Detected input format.
    #[serde(default)]
    pub format: Option<Format>,
    /// Detected encoding (`UTF-8`, `GB18030`, `UTF-16LE`…).
    #[serde(default)]
    pub encoding: Option<String>,
    /// The text all offsets refer to (see the crate documentation).
    #[serde(default)]
    pub decoded_text: String,
    /// Problems met on the way (undecodable bytes, unreadable DOCX…).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// Extracts a report from raw bytes. The format is detected unless `hint` is given; the
/// encoding is detected (BOM, HTML `charset`, UTF-8 validity, else GB18030).
pub fn extract(bytes: &[u8], hint: Option<Format>) -> Extraction {
    let decoded = decode::decode(bytes, hint);
    let mut ex = extract_inner(&decoded.text);
    if ex.title.is_none() {
        ex.title = decoded
            .html_title
            .as_deref()
            .and_then(meta::title_from_html);
        if let Some(t) = ex.title.clone()
            && ex.unit.is_none()
        {
            meta::fill_unit_from_title(&mut ex, &t);
        }
    }
    ex.format = Some(decoded.format);
    ex.encoding = Some(decoded.encoding);
    ex.warnings.extend(decoded.warnings);
    ex.decoded_text = decoded.text;
    ex
}

/// Extracts a report from text that is already decoded.
pub fn extract_text(text: &str) -> Extraction {
    let mut ex = extract_inner(text);
    ex.decoded_text = text.to_string();
    ex
}

/// Everything but `decoded_text`, which the callers fill without another copy.
fn extract_inner(text: &str) -> Extraction {
    let doc = text::Document::new(text);
    let sections = sections::detect(&doc);
    let meta = meta::detect(&doc, &sections);
    let mut figures = figures::extract(&doc);
    let heads = sections::heading_texts(&doc, &sections);
    let inner = sections::innermost(&sections, figures.iter().map(|f| f.start));
    indicators::map_all(&doc, &mut figures, &inner, &heads);
    let conv = doc.char_offsets(
        sections
            .iter()
            .flat_map(|s| [s.start, s.end])
            .chain(figures.iter().flat_map(|f| [f.start, f.end])),
    );
    let public_sections: Vec<Section> = sections
        .iter()
        .map(|s| Section {
            level: s.level,
            heading: s.heading.clone(),
            part: s.part,
            start: conv.get(s.start),
            end: conv.get(s.end),
            marker: s.marker.to_string(),
            parts: s.parts.clone(),
        })
        .collect();
    let public_figures: Vec<Figure> = figures
        .into_iter()
        .zip(inner)
        .map(|(f, section)| Figure {
            text: text[f.start..f.end].to_string(),
            value: f.value,
            unit: f.unit,
            approx: f.qualifier.is_some(),
            metric: f.metric,
            indicator: f.indicator,
            start: conv.get(f.start),
            end: conv.get(f.end),
            confidence: f.confidence,
            qualifier: f.qualifier,
            change: f.change,
            direction: f.direction,
            range: f.range,
            section,
        })
        .collect();
    Extraction {
        title: meta.title,
        unit: meta.unit,
        level: meta.level,
        year: meta.year,
        region: meta.region,
        sections: public_sections,
        figures: public_figures,
        format: Some(Format::Text),
        encoding: Some("UTF-8".to_string()),
        decoded_text: String::new(),
        warnings: Vec::new(),
    }
}

/// Serialises integral values as JSON integers (`131`, not `131.0`).
mod value_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            s.serialize_i64(*v as i64)
        } else {
            s.serialize_f64(*v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        f64::deserialize(d)
    }
}
