//! DOCX in the official document format of GB/T 9704-2012, written as OOXML by hand and zipped
//! with `zip` (see README.md for why not docx-rs).
//!
//! Layout: A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area
//! 156 × 225 mm); document grid `linesAndChars` with a line pitch of 579 twips (28.95 pt) and a
//! character pitch of 15.79 pt (charSpace −849 on 16 pt), every body line exactly 28.95 pt, so
//! Word and LibreOffice set 22 lines of 28 characters. Title 2号 (22 pt) 方正小标宋简体 centred;
//! body 3号 (16 pt) 仿宋_GB2312 with a two-character first-line indent; headings 黑体 /
//! 楷体_GB2312 / 仿宋_GB2312 at 16 pt; page numbers `— 1 —` in 4号 (14 pt) 宋体, odd pages
//! right and even pages left, one character in from the edge of the type area.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::fill::{
    Filled, FilledSection, NO_DATE_MARKER, Para, Span, invalid_marker, missing_marker,
    no_previous_marker,
};
use crate::render::appendix_rows;

/// Page and grid geometry in twips (1/20 pt); see the module docs.
pub mod geometry {
    /// A4 width, 210 mm.
    pub const PAGE_W: u32 = 11906;
    /// A4 height, 297 mm.
    pub const PAGE_H: u32 = 16838;
    /// 37 mm.
    pub const MARGIN_TOP: u32 = 2098;
    /// 35 mm.
    pub const MARGIN_BOTTOM: u32 = 1984;
    /// 28 mm.
    pub const MARGIN_LEFT: u32 = 1587;
    /// 26 mm.
    pub const MARGIN_RIGHT: u32 = 1474;
    /// Distance of the footer's bottom from the page's bottom edge, 22.2 mm: puts the top of
    /// the page number line 7 mm below the type area (measured with LibreOffice).
    pub const FOOTER: u32 = 1256;
    /// Line pitch, exact: 28.95 pt; 22 × 579 = 12738 ≤ 12756 (225 mm) < 23 × 579.
    pub const LINE: u32 = 579;
    /// Character pitch adjustment in 1/4096 pt relative to 16 pt: 16 − 849/4096 = 15.79 pt;
    /// 28 × 15.79 pt = 442.2 pt ≤ 156 mm.
    pub const CHAR_SPACE: i32 = -849;
    /// One character of the grid, in twips (≈ 315.85).
    pub const CHAR_PITCH: f64 = 320.0 + CHAR_SPACE as f64 * 20.0 / 4096.0;
    /// Character spacing of all text but title, table and page number, in 1/20 pt: −0.3 pt, so
    /// a 16 pt full-width character advances 15.7 pt and 28 of them fill the 156 mm line
    /// (29 would need 455 pt). This, not the character grid, makes the 28 characters: see
    /// README.md ("Why the grid is declared but not snapped to").
    pub const CONDENSE: i32 = -6;
    /// Title line spacing, exact 35 pt.
    pub const TITLE_LINE: u32 = 700;
    /// One 4号 character (14 pt): the page number's indent.
    pub const PAGE_NUMBER_INDENT: u32 = 280;
}
use geometry::*;

/// Font names (as the recipients' Word knows them) and the alternate each falls back to.
pub mod fonts {
    pub const TITLE: &str = "方正小标宋简体";
    pub const BODY: &str = "仿宋_GB2312";
    pub const HEADING1: &str = "黑体";
    pub const HEADING2: &str = "楷体_GB2312";
    pub const PAGE_NUMBER: &str = "宋体";
    /// `(name, altName)`: Word substitutes the alternate when the named font is missing.
    pub const TABLE: &[(&str, &str)] = &[
        (TITLE, "华文中宋"),
        (BODY, "仿宋"),
        (HEADING1, "SimHei"),
        (HEADING2, "楷体"),
        (PAGE_NUMBER, "SimSun"),
        ("仿宋", "FangSong"),
        ("楷体", "KaiTi"),
    ];
}

pub(crate) const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub(crate) const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Escape XML text and drop characters XML 1.0 forbids.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn rfonts(font: &str) -> String {
    let f = xml(font);
    format!(
        "<w:rFonts w:ascii=\"{f}\" w:eastAsia=\"{f}\" w:hAnsi=\"{f}\" w:cs=\"{f}\" w:hint=\"eastAsia\"/>"
    )
}

/// Width of `s` in em: CJK and other wide characters 1, ASCII ½.
fn em_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

#[derive(Default, Clone, Copy)]
pub(crate) struct RunStyle<'a> {
    pub font: Option<&'a str>,
    pub flag: bool,
    pub size: Option<u32>,
    pub color: Option<&'a str>,
}

pub(crate) fn run(text: &str, st: RunStyle<'_>) -> String {
    if text.is_empty() {
        return String::new();
    }
    let mut rpr = String::new();
    if let Some(f) = st.font {
        rpr.push_str(&rfonts(f));
    }
    if let Some(c) = st.color {
        rpr.push_str(&format!("<w:color w:val=\"{c}\"/>"));
    }
    if let Some(sz) = st.size {
        rpr.push_str(&format!("<w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/>"));
    }
    if st.flag {
        rpr.push_str("<w:highlight w:val=\"yellow\"/>");
    }
    let rpr = if rpr.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{rpr}</w:rPr>")
    };
    format!(
        "<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        xml(text)
    )
}

fn spans_runs(spans: &[Span], font: Option<&str>) -> String {
    let base = RunStyle {
        font,
        ..RunStyle::default()
    };
    let flagged = RunStyle {
        flag: true,
        color: Some("C00000"),
        ..base
    };
    spans
        .iter()
        .map(|s| match s {
            Span::Text { text } | Span::Figure { text, .. } => run(text, base),
            Span::Missing { id } => run(&missing_marker(id), flagged),
            Span::Invalid { raw } => run(&invalid_marker(raw), flagged),
            Span::NoPrevious { id } => run(&no_previous_marker(id), flagged),
        })
        .collect()
}

pub(crate) fn paragraph(style: &str, extra_ppr: &str, runs: &str) -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{extra_ppr}</w:pPr>{runs}</w:p>")
}

pub(crate) fn blank() -> String {
    "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr></w:p>".to_owned()
}

const KEEP_NEXT: &str = "<w:keepNext/>";

fn blank_keep() -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"Normal\"/>{KEEP_NEXT}</w:pPr></w:p>")
}

fn body_para(p: &Para) -> String {
    let mut runs = String::new();
    if let Some(lead) = &p.lead {
        runs.push_str(&run(lead, RunStyle::default()));
    }
    runs.push_str(&spans_runs(&p.spans, None));
    paragraph("FzBody", "", &runs)
}

fn heading_font(level: usize) -> Option<&'static str> {
    match level {
        1 => Some(fonts::HEADING1),
        2 => Some(fonts::HEADING2),
        _ => None,
    }
}

fn section(out: &mut String, s: &FilledSection) {
    let font = heading_font(s.level);
    let mut head = run(
        &s.number,
        RunStyle {
            font,
            ..RunStyle::default()
        },
    );
    head.push_str(&spans_runs(&s.heading, font));
    match &s.run_in {
        Some(p) => {
            let mut runs = head;
            if let Some(lead) = &p.lead {
                runs.push_str(&run(lead, RunStyle::default()));
            }
            runs.push_str(&spans_runs(&p.spans, None));
            out.push_str(&paragraph("FzBody", "", &runs));
        }
        None => {
            let style = format!("Heading{}", s.level.min(4));
            out.push_str(&paragraph(&style, "", &head));
        }
    }
    for p in &s.paras {
        out.push_str(&body_para(p));
    }
    for c in &s.children {
        section(out, c);
    }
}

/// Title runs; a title longer than one line is broken before `关于` when the unit name fits on
/// the first line (GB/T 9704 wants a balanced, meaningful break).
pub(crate) fn title_runs(title: &str) -> String {
    let per_line = (f64::from(PAGE_W - MARGIN_LEFT - MARGIN_RIGHT) / 440.0).floor();
    let plain = RunStyle::default();
    if em_width(title) > per_line
        && let Some(pos) = title.find("关于")
        && pos > 0
        && em_width(&title[..pos]) <= per_line
        && em_width(&title[pos..]) <= per_line
    {
        return format!(
            "{}<w:r><w:br/></w:r>{}",
            run(&title[..pos], plain),
            run(&title[pos..], plain)
        );
    }
    run(title, plain)
}

/// Right indents (twips) of the signature's unit line and date line: unit two characters from
/// the right, the date starting two characters right of the unit's start; a date longer than
/// that is set two characters from the right and the unit moved left (GB/T 9704 7.3.5.2).
fn signature_indents(unit: &str, date: &str) -> (u32, u32) {
    let (n, d) = (em_width(unit), em_width(date));
    let date_ri = (n - d).max(2.0);
    let unit_ri = date_ri + d + 2.0 - n;
    let tw = |em: f64| (em * CHAR_PITCH).round().max(0.0) as u32;
    (tw(unit_ri), tw(date_ri))
}

fn table_cell(width: u32, content: &str) -> String {
    format!("<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>{content}</w:tc>")
}

fn table_para(text: &str, st: RunStyle<'_>) -> String {
    paragraph("FzTable", "", &run(text, st))
}

fn appendix(out: &mut String, f: &Filled) {
    // "附件" at the top left of a new page (3号黑体), the attachment's title centred on line 3.
    out.push_str(&paragraph(
        "FzAttachLabel",
        "<w:pageBreakBefore/>",
        &run("附件", RunStyle::default()),
    ));
    out.push_str(&blank());
    out.push_str(&paragraph(
        "FzTitle",
        "",
        &run("数据来源", RunStyle::default()),
    ));
    out.push_str(&blank());
    let rows = appendix_rows(f);
    if rows.is_empty() {
        out.push_str(&body_para(&Para {
            lead: None,
            spans: vec![Span::Text {
                text: "本报告未引用统计数据。".to_owned(),
            }],
        }));
        return;
    }
    const COLS: [(u32, &str); 7] = [
        (600, "序号"),
        (1850, "指标"),
        (1000, "数值"),
        (520, "单位"),
        (960, "类型"),
        (2015, "口径"),
        (1900, "来源"),
    ];
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
    };
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    let total: u32 = COLS.iter().map(|c| c.0).sum();
    out.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>"
    ));
    for (w, _) in COLS {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");
    let head_style = RunStyle {
        font: Some(fonts::HEADING1),
        ..RunStyle::default()
    };
    out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    for (w, name) in COLS {
        out.push_str(&table_cell(w, &table_para(name, head_style)));
    }
    out.push_str("</w:tr>");
    let plain = RunStyle::default();
    let flagged = RunStyle {
        color: Some("C00000"),
        flag: true,
        ..plain
    };
    let small = RunStyle {
        size: Some(16),
        color: Some("595959"),
        ..plain
    };
    for r in rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        let cells = [
            table_para(&r.number.to_string(), plain),
            format!(
                "{}{}",
                table_para(&r.label, plain),
                table_para(&r.id, small)
            ),
            table_para(&r.value, if r.missing { flagged } else { plain }),
            table_para(&r.unit, plain),
            table_para(&r.kind, plain),
            table_para(&r.definition, plain),
            table_para(&r.source, plain),
        ];
        for ((w, _), c) in COLS.iter().zip(cells) {
            out.push_str(&table_cell(*w, &c));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    // A paragraph must follow a table at the end of a cell/body.
    out.push_str(&blank());
}

fn document_xml(f: &Filled) -> String {
    let mut b = String::new();
    b.push_str(&paragraph("FzTitle", "", &title_runs(&f.title)));
    b.push_str(&blank());
    for p in &f.opening {
        b.push_str(&body_para(p));
    }
    for s in &f.sections {
        section(&mut b, s);
    }
    for p in &f.closing {
        b.push_str(&body_para(p));
    }
    // The last body paragraph, 附件说明 and signature stay on one page: a signature never
    // stands alone on a page (GB/T 9704 7.3.5).
    if let Some(pos) = b.rfind("<w:pPr><w:pStyle w:val=\"FzBody\"/>") {
        b.insert_str(pos + "<w:pPr><w:pStyle w:val=\"FzBody\"/>".len(), KEEP_NEXT);
    }
    // 附件说明: one blank line after the body, indented two characters.
    b.push_str(&blank_keep());
    b.push_str(&paragraph(
        "FzBody",
        KEEP_NEXT,
        &run(crate::render::APPENDIX_HEADING, RunStyle::default()),
    ));
    // Signature: one blank line, unit, date.
    b.push_str(&blank_keep());
    let date = f.signature_date.as_deref().unwrap_or(NO_DATE_MARKER);
    let (unit_ri, date_ri) = signature_indents(&f.signature_unit, date);
    b.push_str(&paragraph(
        "FzSignature",
        &format!("{KEEP_NEXT}<w:ind w:right=\"{unit_ri}\"/>"),
        &run(&f.signature_unit, RunStyle::default()),
    ));
    let date_run = match &f.signature_date {
        Some(d) => run(d, RunStyle::default()),
        None => run(
            NO_DATE_MARKER,
            RunStyle {
                color: Some("C00000"),
                flag: true,
                ..RunStyle::default()
            },
        ),
    };
    b.push_str(&paragraph(
        "FzSignature",
        &format!("<w:ind w:right=\"{date_ri}\"/>"),
        &date_run,
    ));
    appendix(&mut b, f);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>{b}<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/><w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/><w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"851\" w:footer=\"{FOOTER}\" w:gutter=\"0\"/><w:cols w:space=\"425\"/><w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{LINE}\" w:charSpace=\"{CHAR_SPACE}\"/></w:sectPr></w:body></w:document>"
    )
}

fn style(kind: &str, id: &str, name: &str, extra: &str, ppr: &str, rpr: &str) -> String {
    let ppr = if ppr.is_empty() {
        String::new()
    } else {
        format!("<w:pPr>{ppr}</w:pPr>")
    };
    let rpr = if rpr.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{rpr}</w:rPr>")
    };
    format!(
        "<w:style w:type=\"{kind}\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>{extra}{ppr}{rpr}</w:style>"
    )
}

pub(crate) fn styles_xml() -> String {
    let indent2 = format!(
        "<w:ind w:firstLineChars=\"200\" w:firstLine=\"{}\"/>",
        (2.0 * CHAR_PITCH).round() as u32
    );
    let based = "<w:basedOn w:val=\"Normal\"/><w:qFormat/>";
    let heading = |n: usize, font: &str| {
        style(
            "paragraph",
            &format!("Heading{n}"),
            &format!("heading {n}"),
            "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"FzBody\"/><w:qFormat/>",
            &format!("<w:keepNext/>{indent2}<w:outlineLvl w:val=\"{}\"/>", n - 1),
            &rfonts(font),
        )
    };
    let mut s = String::new();
    s.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W_NS}\">"
    ));
    s.push_str(&format!(
        "<w:docDefaults><w:rPrDefault><w:rPr>{}<w:spacing w:val=\"{CONDENSE}\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/><w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>",
        rfonts(fonts::BODY)
    ));
    // Normal repeats the size: LibreOffice derives the grid's character width from Normal's
    // East-Asian font size (not from docDefaults), 12 pt when Normal has none.
    s.push_str(&format!(
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/><w:snapToGrid w:val=\"0\"/></w:pPr><w:rPr>{}<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>",
        rfonts(fonts::BODY)
    ));
    s.push_str("<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/></w:style>");
    s.push_str("<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:semiHidden/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>");
    s.push_str(&style(
        "paragraph",
        "FzBody",
        "公文正文",
        based,
        &indent2,
        "",
    ));
    s.push_str(&heading(1, fonts::HEADING1));
    s.push_str(&heading(2, fonts::HEADING2));
    s.push_str(&heading(3, fonts::BODY));
    s.push_str(&heading(4, fonts::BODY));
    s.push_str(&style(
        "paragraph",
        "FzTitle",
        "公文标题",
        based,
        &format!(
            "<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"{TITLE_LINE}\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/>"
        ),
        &format!(
            "{}<w:spacing w:val=\"0\"/><w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/>",
            rfonts(fonts::TITLE)
        ),
    ));
    s.push_str(&style(
        "paragraph",
        "FzSignature",
        "公文署名",
        based,
        "<w:jc w:val=\"right\"/>",
        "",
    ));
    s.push_str(&style(
        "paragraph",
        "FzAttachLabel",
        "附件标识",
        based,
        "<w:jc w:val=\"left\"/>",
        &rfonts(fonts::HEADING1),
    ));
    s.push_str(&style(
        "paragraph",
        "FzTable",
        "表格文字",
        based,
        "<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"300\" w:lineRule=\"auto\"/><w:jc w:val=\"left\"/>",
        "<w:spacing w:val=\"0\"/><w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/>",
    ));
    s.push_str(&style(
        "paragraph",
        "Footer",
        "footer",
        based,
        "<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"240\" w:lineRule=\"auto\"/>",
        &format!(
            "{}<w:spacing w:val=\"0\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/>",
            rfonts(fonts::PAGE_NUMBER)
        ),
    ));
    s.push_str("</w:styles>");
    s
}

pub(crate) fn footer_xml(odd: bool) -> String {
    let ppr = if odd {
        format!("<w:ind w:right=\"{PAGE_NUMBER_INDENT}\"/><w:jc w:val=\"right\"/>")
    } else {
        format!("<w:ind w:left=\"{PAGE_NUMBER_INDENT}\"/><w:jc w:val=\"left\"/>")
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{ppr}</w:pPr><w:r><w:t xml:space=\"preserve\">— </w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

pub(crate) fn settings_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"{W_NS}\"><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>"
    )
}

pub(crate) fn font_table_xml() -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:fonts xmlns:w=\"{W_NS}\">"
    );
    for (name, alt) in fonts::TABLE {
        s.push_str(&format!(
            "<w:font w:name=\"{}\"><w:altName w:val=\"{}\"/><w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>",
            xml(name),
            xml(alt)
        ));
    }
    s.push_str("</w:fonts>");
    s
}

pub(crate) const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

pub(crate) const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;

pub(crate) const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/><Relationship Id="rIdFooterOdd" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rIdFooterEven" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/></Relationships>"#;

fn core_xml(f: &Filled) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>",
        xml(&f.title),
        xml(&f.unit_name)
    )
}

pub(crate) const APP_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Fazhi</Application></Properties>"#;

/// The parts of the package, in the order they are zipped.
pub fn docx_parts(f: &Filled) -> Vec<(&'static str, String)> {
    vec![
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", ROOT_RELS.to_owned()),
        ("docProps/core.xml", core_xml(f)),
        ("docProps/app.xml", APP_XML.to_owned()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/document.xml", document_xml(f)),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", settings_xml()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml(true)),
        ("word/footer2.xml", footer_xml(false)),
    ]
}

/// Zips the parts of a package deterministically.
pub(crate) fn zip_parts(parts: Vec<(&'static str, String)>) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default());
    for (name, content) in parts {
        // Writing to an in-memory buffer cannot fail except by a bug in the zip crate.
        zip.start_file(name, opts).expect("zip entry into memory");
        zip.write_all(content.as_bytes())
            .expect("zip write into memory");
    }
    zip.finish().expect("zip finish into memory").into_inner()
}

/// The report as a DOCX package. Deterministic: the same input gives the same bytes (zip
/// entries carry the fixed DOS epoch as their time).
pub fn render_docx(f: &Filled) -> Vec<u8> {
    zip_parts(docx_parts(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_fits_the_grid() {
        let area_h = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM;
        let area_w = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
        assert!((22 * LINE..23 * LINE).contains(&area_h));
        assert!(28.0 * CHAR_PITCH <= f64::from(area_w) && 29.0 * CHAR_PITCH > f64::from(area_w));
        // 156 × 225 mm within a twip or two of rounding
        assert!((f64::from(area_w) / 1440.0 * 25.4 - 156.0).abs() < 0.05);
        assert!((f64::from(area_h) / 1440.0 * 25.4 - 225.0).abs() < 0.05);
    }

    #[test]
    fn signature_alignment() {
        // unit 17 em, date 6.5 em: unit 2 from the right, date starts 2 right of the unit's start
        let (u, d) = signature_indents("广州市海珠区人民政府海幢街道办事处", "2025年1月15日");
        assert_eq!(u, (2.0 * CHAR_PITCH).round() as u32);
        assert_eq!(d, (10.5 * CHAR_PITCH).round() as u32);
        // a date longer than the unit: date 2 from the right, unit moved left
        let (u, d) = signature_indents("某局", "2025年12月15日");
        assert_eq!(d, (2.0 * CHAR_PITCH).round() as u32);
        assert_eq!(u, ((2.0 + 7.0 + 2.0 - 2.0) * CHAR_PITCH).round() as u32);
    }

    #[test]
    fn title_breaks_before_guanyu() {
        let r = title_runs("广州市海珠区人民政府海幢街道办事处关于2023年度法治政府建设情况的报告");
        assert!(r.contains("<w:br/>"));
        assert!(r.contains(">关于2023年度"));
        assert!(!title_runs("某街道关于2023年度法治政府建设情况的报告").contains("<w:br/>"));
    }

    #[test]
    fn xml_escaping() {
        assert_eq!(xml("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
    }
}
