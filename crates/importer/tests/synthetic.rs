//! Synthetic reports in layouts the seeds do not have, with hand-written expectations:
//! * a saved government web page in GB18030 with navigation, breadcrumb, share bar and footer,
//!   full-width punctuation, a district-level unit and merged problems/plan part;
//! * a DOCX built here, with a number split across runs, a table and entities;
//! * a plain text with half-width punctuation, unnumbered part headings, `1)` and `①` items,
//!   the leader-duty part folded into part one and the problems/plan parts merged.

use fazhi_importer::{Direction, Extraction, Format, Part, Qualifier, extract};
use std::io::Write;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(p).expect("fixture")
}

/// (text, value, unit, approx)
type Expected<'a> = &'a [(&'a str, f64, &'a str, bool)];

fn check_figures(ex: &Extraction, expected: Expected) {
    let got: Vec<(String, f64, String, bool)> = ex
        .figures
        .iter()
        .map(|f| (f.text.clone(), f.value, f.unit.clone(), f.approx))
        .collect();
    let want: Vec<(String, f64, String, bool)> = expected
        .iter()
        .map(|(t, v, u, a)| (t.to_string(), *v, u.to_string(), *a))
        .collect();
    assert_eq!(got, want);
    let chars: Vec<char> = ex.decoded_text.chars().collect();
    for f in &ex.figures {
        let slice: String = chars[f.start..f.end].iter().collect();
        assert_eq!(slice, f.text);
    }
}

fn sections(ex: &Extraction) -> Vec<(u8, Part, String)> {
    ex.sections
        .iter()
        .map(|s| (s.level, s.part, s.heading.clone()))
        .collect()
}

fn figure<'a>(ex: &'a Extraction, text: &str) -> &'a fazhi_importer::Figure {
    ex.figures
        .iter()
        .find(|f| f.text == text)
        .unwrap_or_else(|| panic!("{text} not found"))
}

#[test]
fn gb18030_web_page_with_chrome() {
    let ex = extract(&fixture("wuhou_2022_gb18030.html"), None);
    assert_eq!(ex.format, Some(Format::Html));
    assert_eq!(ex.encoding.as_deref(), Some("gb18030"));
    assert!(!ex.decoded_text.contains("var _hmt"), "script dropped");
    assert!(!ex.decoded_text.contains("当前位置"), "breadcrumb dropped");
    assert_eq!(
        ex.title.as_deref(),
        Some("成都市武侯区人民政府关于2022年度法治政府建设工作情况的报告")
    );
    assert_eq!(ex.unit.as_deref(), Some("武侯区人民政府"));
    assert_eq!(ex.level.as_deref(), Some("district"));
    assert_eq!(ex.year, Some(2022));
    assert_eq!(ex.region.as_deref(), Some("成都市"));
    let s = sections(&ex);
    let heads: Vec<(u8, Part)> = s.iter().map(|x| (x.0, x.1)).collect();
    assert_eq!(
        heads,
        vec![
            (1, Part::Measures),
            (2, Part::LeaderDuty),
            (2, Part::Measures),
            (2, Part::Measures),
            (1, Part::Shortcomings),
            (2, Part::Shortcomings),
            (2, Part::Plan),
        ],
        "{s:?}"
    );
    assert_eq!(ex.sections[4].parts, vec![Part::Shortcomings, Part::Plan]);
    check_figures(
        &ex,
        &[
            ("6次", 6.0, "次", false),
            ("12次", 12.0, "次", false),
            ("2.3万件", 23000.0, "件", false),
            ("99.8％", 99.8, "%", false),
            ("十二万零五百件", 120500.0, "件", false),
            ("98.5％", 98.5, "%", false),
            ("1.2个百分点", 1.2, "个百分点", false),
            ("1,286件", 1286.0, "件", false),
            ("1.52亿元", 152_000_000.0, "元", false),
            ("三百二十件", 320.0, "件", false),
            ("约8000次", 8000.0, "次", true),
            ("100％", 100.0, "%", false),
            ("1,024名", 1024.0, "名", false),
        ],
    );
    let change = figure(&ex, "1.2个百分点");
    assert!(change.change && change.direction == Some(Direction::Increase));
    assert_eq!(figure(&ex, "约8000次").qualifier, Some(Qualifier::About));
    let ind = |t: &str| figure(&ex, t).indicator.clone();
    assert_eq!(ind("十二万零五百件").as_deref(), Some("hotline.received"));
    assert_eq!(ind("98.5％").as_deref(), Some("hotline.close_rate"));
    assert_eq!(
        ind("99.8％").as_deref(),
        Some("service_rating.on_time_rate")
    );
    assert_eq!(ind("1,286件").as_deref(), Some("enforcement.penalties"));
    assert_eq!(ind("1.52亿元").as_deref(), Some("enforcement.fines_total"));
    assert_eq!(ind("三百二十件").as_deref(), Some("enforcement.no_penalty"));
    assert_eq!(ind("100％").as_deref(), Some("officers.certified_share"));
    assert_eq!(ind("1,024名").as_deref(), Some("officers.certified"));
}

/// Builds a minimal DOCX from paragraphs given as raw `<w:p>` bodies.
fn docx(paragraphs: &[String]) -> Vec<u8> {
    docx_with_numbering(paragraphs, None)
}

fn docx_with_numbering(paragraphs: &[String], numbering: Option<&str>) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p>{p}</w:p>"))
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
              <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>",
        )
        .unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        z.write_all(xml.as_bytes()).unwrap();
        if let Some(n) = numbering {
            z.start_file("word/numbering.xml", opts).unwrap();
            z.write_all(n.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn run(t: &str) -> String {
    format!("<w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r>")
}

fn sample_docx() -> Vec<u8> {
    let p = |t: &str| run(t);
    let table = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>行政诉讼一审案件</w:t></w:r></w:p></w:tc>\
                 <w:tc><w:p><w:r><w:t>4件</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";
    let paragraphs = vec![
        p("光山县槐店乡人民政府2024年度法治政府建设情况报告"),
        p("2024年，槐店乡坚持依法行政，现将情况报告如下："),
        p("一、2024年度推进法治政府建设的主要举措和成效"),
        p("（一）健全依法决策机制"),
        p("1.乡党委会议研究重大事项四十二次，集体讨论“三重一大”事项156项。"),
        // A number split over two runs, and an entity.
        format!(
            "{}{}{}",
            run("2.法律顾问审查合同、协议共计6"),
            run("5份，提出法律意见30余条"),
            run("，R&amp;D合同0份。")
        ),
        p("（二）化解矛盾纠纷"),
        format!(
            "{}<w:r><w:tab/></w:r>{}",
            run("调解各类矛盾纠纷218起，调解成功率97.2%，涉及金额约350万元。"),
            run("受理信访事项45件，办结45件，办结率100%。")
        ),
        "</w:p>".to_string() + table + "<w:p>",
        p("二、党政主要负责人履行推进法治建设第一责任人职责情况"),
        p("乡党委书记带头讲法治课2次，组织旁听庭审1次。"),
        p("三、存在的不足和原因"),
        p("执法人员数量不足，全乡仅有持证执法人员6名。"),
        p("四、2025年工作计划"),
        p("力争群众满意度达到95%以上。"),
    ];
    docx(&paragraphs)
}

#[test]
fn docx_built_in_the_test() {
    let ex = extract(&sample_docx(), None);
    assert_eq!(ex.format, Some(Format::Docx));
    assert!(ex.warnings.is_empty(), "{:?}", ex.warnings);
    assert!(ex.decoded_text.contains("共计65份"), "runs are joined");
    assert!(ex.decoded_text.contains("R&D"), "entities resolved");
    assert_eq!(
        ex.title.as_deref(),
        Some("光山县槐店乡人民政府2024年度法治政府建设情况报告")
    );
    assert_eq!(ex.unit.as_deref(), Some("槐店乡人民政府"));
    assert_eq!(ex.level.as_deref(), Some("township"));
    assert_eq!(ex.year, Some(2024));
    assert_eq!(ex.region.as_deref(), Some("光山县"));
    let heads: Vec<(u8, Part)> = ex.sections.iter().map(|x| (x.level, x.part)).collect();
    assert_eq!(
        heads,
        vec![
            (1, Part::Measures),
            (2, Part::Measures),
            (3, Part::Measures),
            (3, Part::Measures),
            (2, Part::Measures),
            (1, Part::LeaderDuty),
            (1, Part::Shortcomings),
            (1, Part::Plan),
        ],
        "{:?}",
        sections(&ex)
    );
    check_figures(
        &ex,
        &[
            ("四十二次", 42.0, "次", false),
            ("156项", 156.0, "项", false),
            ("65份", 65.0, "份", false),
            ("30余条", 30.0, "条", true),
            ("0份", 0.0, "份", false),
            ("218起", 218.0, "起", false),
            ("97.2%", 97.2, "%", false),
            ("约350万元", 3_500_000.0, "元", true),
            ("45件", 45.0, "件", false),
            ("45件", 45.0, "件", false),
            ("100%", 100.0, "%", false),
            ("4件", 4.0, "件", false),
            ("2次", 2.0, "次", false),
            ("1次", 1.0, "次", false),
            ("6名", 6.0, "名", false),
            ("95%以上", 95.0, "%", true),
        ],
    );
    let ind = |t: &str| figure(&ex, t).indicator.clone();
    assert_eq!(
        ind("四十二次").as_deref(),
        Some("collective_meeting.meetings")
    );
    assert_eq!(ind("30余条").as_deref(), Some("legality_review.opinions"));
    assert_eq!(ind("218起").as_deref(), Some("mediation.cases"));
    assert_eq!(ind("97.2%").as_deref(), Some("mediation.success_rate"));
    assert_eq!(ind("约350万元").as_deref(), Some("mediation.amount"));
    assert_eq!(ind("100%").as_deref(), Some("petition.close_rate"));
    assert_eq!(ind("6名").as_deref(), Some("officers.certified"));
}

#[test]
fn broken_docx_gives_a_warning_not_a_panic() {
    let mut bytes = sample_docx();
    bytes.truncate(bytes.len() / 2);
    let ex = extract(&bytes, Some(Format::Docx));
    assert!(!ex.warnings.is_empty());
    let ex = extract(b"PK\x03\x04 not a zip", None);
    assert_eq!(ex.format, Some(Format::Docx));
    assert!(ex.figures.is_empty() && !ex.warnings.is_empty());
}

#[test]
fn half_width_text_with_unnumbered_and_merged_parts() {
    let ex = extract(&fixture("ziyang_2023_halfwidth.txt"), None);
    assert_eq!(ex.format, Some(Format::Text));
    assert_eq!(
        ex.title.as_deref(),
        Some("关于紫阳镇2023年法治政府建设工作的报告")
    );
    assert_eq!(ex.unit.as_deref(), Some("紫阳镇"));
    assert_eq!(ex.level.as_deref(), Some("township"));
    assert_eq!(ex.year, Some(2023));
    assert_eq!(ex.region.as_deref(), Some("婺源县"));
    let heads: Vec<(u8, Part, String)> = sections(&ex);
    let want = [
        (1, Part::Measures, "主要工作和成效"),
        (2, Part::LeaderDuty, "1)落实第一责任人职责"),
        (2, Part::Measures, "2)推进严格执法"),
        (2, Part::Measures, "3)深化普法宣传"),
        (3, Part::Measures, "①以案释法:组织以案释法活动8次"),
        (3, Part::Measures, "②法律援助:受理法律援助案件12件"),
        (1, Part::Shortcomings, "存在的问题及下一步打算"),
    ];
    let want: Vec<(u8, Part, String)> = want
        .iter()
        .map(|(l, p, h)| (*l, *p, h.to_string()))
        .collect();
    assert_eq!(heads, want);
    assert_eq!(ex.sections[6].parts, vec![Part::Shortcomings, Part::Plan]);
    check_figures(
        &ex,
        &[
            ("6次", 6.0, "次", false),
            ("3次", 3.0, "次", false),
            ("86起", 86.0, "起", false),
            ("80起", 80.0, "起", false),
            ("93.0%", 93.0, "%", false),
            ("12.6万元", 126_000.0, "元", false),
            ("20-30起", 20.0, "起", false),
            ("15场", 15.0, "场", false),
            ("3,500份", 3500.0, "份", false),
            ("约1.2万人次", 12_000.0, "人次", true),
            ("8次", 8.0, "次", false),
            ("12件", 12.0, "件", false),
            ("80余万元", 800_000.0, "元", true),
            ("2辆", 2.0, "辆", false),
            ("100%", 100.0, "%", false),
            ("95%以上", 95.0, "%", true),
        ],
    );
    assert_eq!(figure(&ex, "20-30起").range, Some([20.0, 30.0]));
    let ind = |t: &str| figure(&ex, t).indicator.clone();
    assert_eq!(ind("86起").as_deref(), Some("enforcement.filed"));
    assert_eq!(ind("12.6万元").as_deref(), Some("enforcement.fines_total"));
    assert_eq!(ind("3,500份").as_deref(), Some("publicity.materials"));
    assert_eq!(ind("6次").as_deref(), Some("study.sessions"));
}

#[test]
fn the_same_report_in_utf8_and_gb18030_gives_the_same_extraction() {
    let utf8 = fixture("ziyang_2023_halfwidth.txt");
    let text = String::from_utf8(utf8.clone()).unwrap();
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let a = extract(&utf8, None);
    let b = extract(&gb, None);
    assert_eq!(b.encoding.as_deref(), Some("gb18030"));
    assert_eq!(a.figures, b.figures);
    assert_eq!(a.sections, b.sections);
    assert_eq!(a.decoded_text, b.decoded_text);
}

#[test]
fn thematic_parts_and_a_plan_named_only_by_its_year() {
    let text = "某县2023年法治政府建设情况报告\n\
                一. 深入学习贯彻习近平法治思想\n开展专题学法6次。\n\
                二. 依法全面履行政府职能\n办理行政许可事项1200件。\n\
                三. 面临的困难和问题\n执法力量不足。\n\
                四. 2024年重点工作\n力争办结率达到98%。\n";
    let ex = fazhi_importer::extract_text(text);
    let parts: Vec<(u8, Part)> = ex.sections.iter().map(|s| (s.level, s.part)).collect();
    assert_eq!(
        parts,
        vec![
            (1, Part::Measures),
            (1, Part::Measures),
            (1, Part::Shortcomings),
            (1, Part::Plan),
        ]
    );
    assert_eq!(ex.unit.as_deref(), Some("某县"));
    assert_eq!(ex.level.as_deref(), Some("district"));
    assert_eq!(ex.year, Some(2023));
}

#[test]
fn docx_automatic_numbering_is_rendered() {
    let numbering = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
        <w:abstractNum w:abstractNumId=\"7\">\
        <w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"%1、\"/></w:lvl>\
        <w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"（%2）\"/></w:lvl>\
        <w:lvl w:ilvl=\"2\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%3.\"/></w:lvl>\
        </w:abstractNum><w:num w:numId=\"3\"><w:abstractNumId w:val=\"7\"/></w:num></w:numbering>";
    let numbered = |lvl: u32, t: &str| {
        format!(
            "<w:pPr><w:numPr><w:ilvl w:val=\"{lvl}\"/><w:numId w:val=\"3\"/></w:numPr></w:pPr>{}",
            run(t)
        )
    };
    let paragraphs = vec![
        run("某街道2023年法治政府建设年度报告"),
        numbered(0, "主要举措和成效"),
        numbered(1, "健全依法决策机制"),
        numbered(2, "合法性审查合同56份。"),
        numbered(2, "提供法律意见20条。"),
        numbered(1, "化解矛盾纠纷"),
        numbered(0, "存在的问题"),
        numbered(0, "下一步工作计划"),
    ];
    let ex = extract(&docx_with_numbering(&paragraphs, Some(numbering)), None);
    assert!(ex.warnings.is_empty(), "{:?}", ex.warnings);
    let heads: Vec<(u8, Part, String)> = sections(&ex);
    let want = [
        (1, Part::Measures, "一、主要举措和成效"),
        (2, Part::Measures, "（一）健全依法决策机制"),
        (3, Part::Measures, "1.合法性审查合同56份"),
        (3, Part::Measures, "2.提供法律意见20条"),
        (2, Part::Measures, "（二）化解矛盾纠纷"),
        (1, Part::Shortcomings, "二、存在的问题"),
        (1, Part::Plan, "三、下一步工作计划"),
    ];
    let want: Vec<(u8, Part, String)> = want
        .iter()
        .map(|(l, p, h)| (*l, *p, h.to_string()))
        .collect();
    assert_eq!(heads, want);
    check_figures(
        &ex,
        &[("56份", 56.0, "份", false), ("20条", 20.0, "条", false)],
    );
}
