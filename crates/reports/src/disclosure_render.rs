//! The 政府信息公开工作年度报告 as Markdown, HTML and DOCX (GB/T 9704 page, heading and body
//! styles of [`crate::docx`]), with the tables laid out as the 2021 format prints them, and an
//! appendix tracing every non-zero cell of table 三 to the requests it counts.

use std::fmt::Write as _;

use crate::disclosure::{
    APPLICANT_COLUMNS, COMPUTED_NOTE, DisclosureReport, MANUAL_NOTE, T2_ROWS, T3_ROWS, T4_COLUMNS,
    manual_text,
};
use crate::docx::{self, RunStyle, fonts, geometry::*};
use crate::html::escape as html_escape;
use crate::markdown::escape as md_escape;

/// A cell of a laid-out table.
#[derive(Debug, Clone, PartialEq)]
enum GCell {
    /// A cell with text, spanning columns and rows.
    Text {
        text: String,
        cols: usize,
        rows: usize,
        head: bool,
        /// Lineage shown on hover in HTML (case numbers).
        title: Option<String>,
        /// A manual figure not yet entered.
        missing: bool,
    },
    /// The continuation of a cell above spanning rows (its column span).
    Cont(usize),
}

fn t(text: impl Into<String>, cols: usize, rows: usize, head: bool) -> GCell {
    GCell::Text {
        text: text.into(),
        cols,
        rows,
        head,
        title: None,
        missing: false,
    }
}

fn manual(v: Option<f64>, cols: usize) -> GCell {
    GCell::Text {
        text: manual_text(v),
        cols,
        rows: 1,
        head: false,
        title: None,
        missing: v.is_none(),
    }
}

/// A table as the format prints it: column widths (twips) and rows.
struct Grid {
    widths: Vec<u32>,
    rows: Vec<Vec<GCell>>,
}

const SECTIONS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

fn grid2(r: &DisclosureReport) -> Grid {
    let mut rows = Vec::new();
    let mut last_block = "";
    for ((_, block, label, cols), (_, values)) in T2_ROWS.iter().zip(&r.table2) {
        if *block != last_block {
            rows.push(vec![t(*block, 4, 1, true)]);
            let mut head = vec![t("信息内容", 1, 1, true)];
            if cols.len() == 1 {
                head.push(t(cols[0], 3, 1, true));
            } else {
                head.extend(cols.iter().map(|c| t(*c, 1, 1, true)));
            }
            rows.push(head);
            last_block = block;
        }
        let mut row = vec![t(*label, 1, 1, false)];
        if values.len() == 1 {
            row.push(manual(values[0], 3));
        } else {
            row.extend(values.iter().map(|v| manual(*v, 1)));
        }
        rows.push(row);
    }
    Grid {
        widths: vec![2645, 2066, 2066, 2066],
        rows,
    }
}

fn grid3(r: &DisclosureReport) -> Grid {
    let mut rows = vec![
        vec![
            t(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                3,
                3,
                true,
            ),
            t("申请人情况", 7, 1, true),
        ],
        vec![
            GCell::Cont(3),
            t("自然人", 1, 2, true),
            t("法人或其他组织", 5, 1, true),
            t("总计", 1, 2, true),
        ],
    ];
    let mut third = vec![GCell::Cont(3), GCell::Cont(1)];
    third.extend(APPLICANT_COLUMNS[1..].iter().map(|c| t(*c, 1, 1, true)));
    third.push(GCell::Cont(1));
    rows.push(third);
    let in_results = |key: &str| key.starts_with("result.") || key == "total";
    let results_len = T3_ROWS.iter().filter(|d| in_results(d.key)).count();
    let mut seen_results = false;
    let mut last_block = "";
    for (def, line) in T3_ROWS.iter().zip(&r.table3) {
        let mut row = Vec::new();
        if !in_results(def.key) {
            row.push(t(def.label, 3, 1, false));
        } else {
            if seen_results {
                row.push(GCell::Cont(1));
            } else {
                row.push(t("三、本年度办理结果", 1, results_len, false));
                seen_results = true;
            }
            if def.block.starts_with('（') {
                if def.block == last_block {
                    row.push(GCell::Cont(1));
                } else {
                    let n = T3_ROWS.iter().filter(|d| d.block == def.block).count();
                    row.push(t(def.block, 1, n, false));
                }
                row.push(t(def.label, 1, 1, false));
            } else {
                row.push(t(def.label, 2, 1, false));
            }
        }
        last_block = def.block;
        for cell in &line.cells {
            row.push(GCell::Text {
                text: cell.value.to_string(),
                cols: 1,
                rows: 1,
                head: false,
                title: (!cell.records.is_empty()).then(|| cell.records.join("、")),
                missing: false,
            });
        }
        rows.push(row);
    }
    let mut widths = vec![560, 900, 2340];
    widths.extend([720; 7]);
    Grid { widths, rows }
}

fn grid4(r: &DisclosureReport) -> Grid {
    let mut rows = vec![
        vec![t("行政复议", 5, 1, true), t("行政诉讼", 10, 1, true)],
        {
            let mut h: Vec<GCell> = T4_COLUMNS.iter().map(|c| t(*c, 1, 2, true)).collect();
            h.push(t("未经复议直接起诉", 5, 1, true));
            h.push(t("复议后起诉", 5, 1, true));
            h
        },
        {
            let mut h: Vec<GCell> = (0..5).map(|_| GCell::Cont(1)).collect();
            for _ in 0..2 {
                h.extend(T4_COLUMNS.iter().map(|c| t(*c, 1, 1, true)));
            }
            h
        },
    ];
    rows.push(
        r.table4
            .iter()
            .flat_map(|g| g.iter().map(|v| manual(*v, 1)))
            .collect(),
    );
    Grid {
        widths: vec![589; 15],
        rows,
    }
}

fn lineage_rows(r: &DisclosureReport) -> Vec<(String, String, i64, String)> {
    let mut out = Vec::new();
    for (def, line) in T3_ROWS.iter().zip(&r.table3) {
        for (c, cell) in line.cells.iter().enumerate().take(6) {
            if cell.value > 0 {
                let row = if def.block.starts_with('（') {
                    format!("{}{}", def.block, def.label)
                } else {
                    def.label.to_owned()
                };
                out.push((
                    row,
                    APPLICANT_COLUMNS[c].to_owned(),
                    cell.value,
                    cell.records.join("、"),
                ));
            }
        }
    }
    out
}

/// The clerk's text of section `i` (0 = 一, 4 = 五, 5 = 六).
fn narrative(r: &DisclosureReport, i: usize) -> &str {
    match i {
        0 => &r.overview,
        4 => &r.problems,
        _ => &r.other,
    }
}

fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

// ---------------------------------------------------------------- Markdown

fn md_grid(out: &mut String, g: &Grid) {
    // Markdown has no spans: a spanning cell's text in its first column, the rest empty.
    let width = g.widths.len();
    let mut first = true;
    for row in &g.rows {
        let mut cells: Vec<String> = Vec::with_capacity(width);
        for c in row {
            match c {
                GCell::Text { text, cols, .. } => {
                    cells.push(md_escape(text));
                    cells.extend((1..*cols).map(|_| String::new()));
                }
                GCell::Cont(n) => cells.extend((0..*n).map(|_| String::new())),
            }
        }
        while cells.len() < width {
            cells.push(String::new());
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
        if first {
            let _ = writeln!(out, "|{}", " --- |".repeat(width));
            first = false;
        }
    }
    out.push('\n');
}

/// The report as Markdown.
pub fn render_disclosure_markdown(r: &DisclosureReport) -> String {
    let mut out = format!("# {}\n\n", md_escape(&r.title));
    for (i, heading) in SECTIONS.iter().enumerate() {
        let _ = writeln!(out, "## {heading}\n");
        match i {
            0 | 4 | 5 => {
                for p in paragraphs(narrative(r, i)) {
                    let _ = writeln!(out, "{}\n", md_escape(p));
                }
            }
            1 => {
                md_grid(&mut out, &grid2(r));
                let _ = writeln!(out, "{}\n", md_escape(&r.table2_note()));
            }
            2 => {
                md_grid(&mut out, &grid3(r));
                let _ = writeln!(out, "{COMPUTED_NOTE}\n");
            }
            _ => {
                md_grid(&mut out, &grid4(r));
                let _ = writeln!(out, "{MANUAL_NOTE}\n");
            }
        }
    }
    out.push_str("## 附件：表三数据来源\n\n");
    let rows = lineage_rows(r);
    if rows.is_empty() {
        out.push_str("本年度无政府信息公开申请。\n");
    } else {
        out.push_str("| 行 | 申请人类别 | 数值 | 所计申请 |\n| --- | --- | --- | --- |\n");
        for (row, col, v, records) in rows {
            let _ = writeln!(
                out,
                "| {} | {col} | {v} | {} |",
                md_escape(&row),
                md_escape(&records)
            );
        }
    }
    out
}

// ---------------------------------------------------------------- HTML

const DISCLOSURE_CSS: &str = ".fazhi-disclosure table{border-collapse:collapse;width:100%;font-size:10.5pt;line-height:1.4;margin:8pt 0}.fazhi-disclosure td,.fazhi-disclosure th{border:1px solid #000;padding:2pt 3pt;text-align:center}.fazhi-disclosure th{font-weight:normal;font-family:\"黑体\",\"SimHei\",sans-serif}.fazhi-disclosure td.label{text-align:left}.fazhi-disclosure .missing{color:#c00000;background:#ff0}.fazhi-disclosure p.note{font-size:12pt;text-indent:0}";

fn html_grid(out: &mut String, g: &Grid, numbers_from: usize) {
    out.push_str("<table>");
    for row in &g.rows {
        out.push_str("<tr>");
        let mut col = 0;
        for c in row {
            let GCell::Text {
                text,
                cols,
                rows,
                head,
                title,
                missing,
            } = c
            else {
                if let GCell::Cont(n) = c {
                    col += n;
                }
                continue;
            };
            let tag = if *head { "th" } else { "td" };
            let mut attrs = String::new();
            if *cols > 1 {
                let _ = write!(attrs, " colspan=\"{cols}\"");
            }
            if *rows > 1 {
                let _ = write!(attrs, " rowspan=\"{rows}\"");
            }
            if let Some(ti) = title {
                let _ = write!(attrs, " title=\"所计申请：{}\"", html_escape(ti));
            }
            if *missing {
                attrs.push_str(" class=\"missing\"");
            } else if !*head && col < numbers_from {
                attrs.push_str(" class=\"label\"");
            }
            let _ = write!(out, "<{tag}{attrs}>{}</{tag}>", html_escape(text));
            col += cols;
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

/// The report as a complete HTML page.
pub fn render_disclosure_html(r: &DisclosureReport) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}{}</style></head><body>{}</body></html>\n",
        html_escape(&r.title),
        crate::STYLESHEET,
        DISCLOSURE_CSS,
        disclosure_article(r)
    )
}

/// The report as a fragment for a page of the application (its own table style, scoped to the
/// article).
pub fn render_disclosure_html_fragment(r: &DisclosureReport) -> String {
    format!("<style>{DISCLOSURE_CSS}</style>{}", disclosure_article(r))
}

fn disclosure_article(r: &DisclosureReport) -> String {
    let mut out = format!(
        "<article class=\"fazhi-report fazhi-disclosure\"><h1>{}</h1>",
        html_escape(&r.title)
    );
    for (i, heading) in SECTIONS.iter().enumerate() {
        let _ = write!(out, "<h2>{}</h2>", html_escape(heading));
        match i {
            0 | 4 | 5 => {
                for p in paragraphs(narrative(r, i)) {
                    let _ = write!(out, "<p>{}</p>", html_escape(p));
                }
            }
            1 => {
                html_grid(&mut out, &grid2(r), 1);
                let _ = write!(
                    out,
                    "<p class=\"note\">{}</p>",
                    html_escape(&r.table2_note())
                );
            }
            2 => {
                html_grid(&mut out, &grid3(r), 3);
                let _ = write!(out, "<p class=\"note\">{COMPUTED_NOTE}</p>");
            }
            _ => {
                html_grid(&mut out, &grid4(r), 0);
                let _ = write!(out, "<p class=\"note\">{MANUAL_NOTE}</p>");
            }
        }
    }
    out.push_str("<h2>附件：表三数据来源</h2><table><tr><th>行</th><th>申请人类别</th><th>数值</th><th>所计申请</th></tr>");
    for (row, col, v, records) in lineage_rows(r) {
        let _ = write!(
            out,
            "<tr><td class=\"label\">{}</td><td>{col}</td><td>{v}</td><td class=\"label\">{}</td></tr>",
            html_escape(&row),
            html_escape(&records)
        );
    }
    out.push_str("</table></article>");
    out
}

// ---------------------------------------------------------------- DOCX

fn docx_grid(out: &mut String, g: &Grid) {
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
    };
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    let total: u32 = g.widths.iter().sum();
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"40\" w:type=\"dxa\"/><w:right w:w=\"40\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>"
    );
    for w in &g.widths {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    let small = |head: bool, missing: bool| RunStyle {
        font: head.then_some(fonts::HEADING1),
        size: Some(18),
        color: missing.then_some("C00000"),
        flag: missing,
    };
    let centred = "<w:jc w:val=\"center\"/>";
    for row in &g.rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        let mut col = 0;
        for c in row {
            let (cols, content, merge) = match c {
                GCell::Text {
                    text,
                    cols,
                    rows,
                    head,
                    missing,
                    ..
                } => (
                    *cols,
                    docx::paragraph("FzTable", centred, &docx::run(text, small(*head, *missing))),
                    if *rows > 1 {
                        "<w:vMerge w:val=\"restart\"/>"
                    } else {
                        ""
                    },
                ),
                GCell::Cont(n) => (*n, docx::paragraph("FzTable", "", ""), "<w:vMerge/>"),
            };
            let w: u32 = g.widths[col..(col + cols).min(g.widths.len())].iter().sum();
            let span = if cols > 1 {
                format!("<w:gridSpan w:val=\"{cols}\"/>")
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>{span}{merge}<w:vAlign w:val=\"center\"/></w:tcPr>{content}</w:tc>"
            );
            col += cols;
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

fn body(text: &str) -> String {
    docx::paragraph("FzBody", "", &docx::run(text, RunStyle::default()))
}

fn heading(text: &str) -> String {
    docx::paragraph(
        "Heading1",
        "",
        &docx::run(
            text,
            RunStyle {
                font: Some(fonts::HEADING1),
                ..RunStyle::default()
            },
        ),
    )
}

fn note(text: &str) -> String {
    docx::paragraph(
        "FzTable",
        "",
        &docx::run(
            text,
            RunStyle {
                size: Some(21),
                ..RunStyle::default()
            },
        ),
    )
}

fn document_xml(r: &DisclosureReport) -> String {
    let mut b = String::new();
    b.push_str(&docx::paragraph("FzTitle", "", &docx::title_runs(&r.title)));
    b.push_str(&docx::blank());
    for (i, h) in SECTIONS.iter().enumerate() {
        b.push_str(&heading(h));
        match i {
            0 | 4 | 5 => {
                for p in paragraphs(narrative(r, i)) {
                    b.push_str(&body(p));
                }
            }
            1 => {
                docx_grid(&mut b, &grid2(r));
                b.push_str(&note(&r.table2_note()));
            }
            2 => {
                docx_grid(&mut b, &grid3(r));
                b.push_str(&note(COMPUTED_NOTE));
            }
            _ => {
                docx_grid(&mut b, &grid4(r));
                b.push_str(&note(MANUAL_NOTE));
            }
        }
    }
    // Appendix: where every cell of table 三 comes from.
    b.push_str(&docx::paragraph(
        "FzAttachLabel",
        "<w:pageBreakBefore/>",
        &docx::run("附件", RunStyle::default()),
    ));
    b.push_str(&docx::blank());
    b.push_str(&docx::paragraph(
        "FzTitle",
        "",
        &docx::run("表三数据来源", RunStyle::default()),
    ));
    b.push_str(&docx::blank());
    let rows = lineage_rows(r);
    if rows.is_empty() {
        b.push_str(&body("本年度无政府信息公开申请。"));
    } else {
        let mut g = Grid {
            widths: vec![3000, 1300, 700, 3845],
            rows: vec![vec![
                t("行", 1, 1, true),
                t("申请人类别", 1, 1, true),
                t("数值", 1, 1, true),
                t("所计申请", 1, 1, true),
            ]],
        };
        for (row, col, v, records) in rows {
            g.rows.push(vec![
                t(row, 1, 1, false),
                t(col, 1, 1, false),
                t(v.to_string(), 1, 1, false),
                t(records, 1, 1, false),
            ]);
        }
        docx_grid(&mut b, &g);
        b.push_str(&docx::blank());
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{}\" xmlns:r=\"{}\"><w:body>{b}<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/><w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/><w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"851\" w:footer=\"{FOOTER}\" w:gutter=\"0\"/><w:cols w:space=\"425\"/><w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{LINE}\" w:charSpace=\"{CHAR_SPACE}\"/></w:sectPr></w:body></w:document>",
        docx::W_NS,
        docx::R_NS
    )
}

/// The report as a DOCX package (deterministic bytes).
pub fn render_disclosure_docx(r: &DisclosureReport) -> Vec<u8> {
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>",
        docx::xml(&r.title),
        docx::xml(&r.unit_name)
    );
    docx::zip_parts(vec![
        ("[Content_Types].xml", docx::CONTENT_TYPES.to_owned()),
        ("_rels/.rels", docx::ROOT_RELS.to_owned()),
        ("docProps/core.xml", core),
        ("docProps/app.xml", docx::APP_XML.to_owned()),
        (
            "word/_rels/document.xml.rels",
            docx::DOCUMENT_RELS.to_owned(),
        ),
        ("word/document.xml", document_xml(r)),
        ("word/styles.xml", docx::styles_xml()),
        ("word/settings.xml", docx::settings_xml()),
        ("word/fontTable.xml", docx::font_table_xml()),
        ("word/footer1.xml", docx::footer_xml(true)),
        ("word/footer2.xml", docx::footer_xml(false)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::{Narrative, Request};

    fn sample() -> DisclosureReport {
        let rs = vec![
            Request {
                case_id: 1,
                number: "GK20260001".into(),
                received_on: "2026-03-02".into(),
                applicant: "自然人".into(),
                outcome: Some("予以公开".into()),
                closed_on: Some("2026-03-20".into()),
            },
            Request {
                case_id: 2,
                number: "GK20260002".into(),
                received_on: "2026-12-28".into(),
                applicant: "法律服务机构".into(),
                outcome: None,
                closed_on: None,
            },
        ];
        let n = Narrative {
            overview: Some("第一段。\n第二段。".into()),
            ..Narrative::default()
        };
        DisclosureReport::build("某街道办事处", 2026, &rs, vec![], &n)
    }

    #[test]
    fn every_row_of_table3_has_ten_columns() {
        let g = grid3(&sample());
        // rows covered by spans from above still add up to the full width
        for (i, row) in g.rows.iter().enumerate() {
            let w: usize = row
                .iter()
                .map(|c| match c {
                    GCell::Text { cols, .. } => *cols,
                    GCell::Cont(n) => *n,
                })
                .sum();
            assert_eq!(w, 10, "row {i}");
        }
        assert_eq!(g.rows.len(), 3 + T3_ROWS.len());
        for g in [grid2(&sample()), grid4(&sample())] {
            for row in &g.rows {
                let w: usize = row
                    .iter()
                    .map(|c| match c {
                        GCell::Text { cols, .. } => *cols,
                        GCell::Cont(n) => *n,
                    })
                    .sum();
                assert_eq!(w, g.widths.len());
            }
        }
    }

    #[test]
    fn outputs_carry_the_sections_tables_and_lineage() {
        let r = sample();
        let md = render_disclosure_markdown(&r);
        for h in SECTIONS {
            assert!(md.contains(&format!("## {h}")), "{h}");
        }
        assert!(
            md.contains("| 一、本年新收政府信息公开申请数量 |  |  | 1 | 0 | 0 | 0 | 1 | 0 | 2 |"),
            "{md}"
        );
        assert!(md.contains("| （一）予以公开 | 自然人 | 1 | GK20260001 |"));
        assert!(md.contains("【待填写】"));
        let html = render_disclosure_html(&r);
        assert!(html.contains("rowspan=\"22\" class=\"label\">三、本年度办理结果"));
        assert!(html.contains("title=\"所计申请：GK20260002\""));
        assert!(html.contains("<p>第二段。</p>"));
        let docx = render_disclosure_docx(&r);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc)
            .unwrap();
        assert!(doc.contains("<w:vMerge w:val=\"restart\"/>"));
        assert!(doc.contains("本年新收政府信息公开申请数量"));
        assert!(doc.contains(&format!("w:top=\"{MARGIN_TOP}\"")));
    }
}
