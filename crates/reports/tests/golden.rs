//! Golden files for the HTML and Markdown output. `UPDATE_GOLDEN=1 cargo test -p fazhi-reports
//! --test golden` rewrites them; review the diff before committing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use fazhi_reports::{
    Block, Figure, ReportDoc, Section, Signature, cn_date, fill, render_html, render_markdown,
    sample, template,
};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\nexpected: {:?}\nactual:   {:?}\n(UPDATE_GOLDEN=1 rewrites)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

fn template_report() -> fazhi_reports::Filled {
    let mut doc = template("广州市海珠区人民政府海幢街道办事处", 2024);
    doc.signature.date = Some(cn_date(2025, 1, 15));
    fill(&doc, &sample::figures())
}

/// Small document with every kind of gap: a missing id, a `None` value, a malformed
/// placeholder, markup characters to escape, nested levels, run-in headings and no date.
fn edge_report() -> fazhi_reports::Filled {
    let doc = ReportDoc {
        title: "测试街道办事处关于2024年度法治政府建设情况的报告".into(),
        unit_name: "测试街道办事处".into(),
        year: 2024,
        opening: vec![Block::Paragraph(
            "2024年，受理{hotline.received}件；<b>标签</b>与*星号*、_下划线_和|竖线|照原样显示。\n# 不是标题"
                .into(),
        )],
        sections: vec![Section {
            heading: "主要举措".into(),
            blocks: vec![],
            run_in: false,
            children: vec![Section {
                heading: "第二级".into(),
                blocks: vec![Block::Items(vec![
                    "办结{hotline.closed}件，办结率{hotline.close_rate:pct2}。".into(),
                    "罚款{enforcement.fines_total:wan}元，格式{hotline.received:bogus}。".into(),
                ])],
                run_in: false,
                children: vec![Section {
                    heading: "第三级".into(),
                    blocks: vec![Block::Paragraph("正文{study.sessions}次。".into())],
                    run_in: true,
                    children: vec![Section {
                        heading: "第四级".into(),
                        blocks: vec![Block::Paragraph("1. 不是列表".into())],
                        run_in: false,
                        children: vec![],
                    }],
                }],
            }],
        }],
        closing: vec![],
        signature: Signature::default(),
    };
    let mut figs = BTreeMap::new();
    figs.insert(
        "hotline.received".to_owned(),
        Figure::computed(5571.0, "件", "12345工单受理量"),
    );
    figs.insert(
        "hotline.close_rate".to_owned(),
        Figure::computed(0.4746, "%", "12345工单办结率"),
    );
    figs.insert(
        "enforcement.fines_total".to_owned(),
        Figure::computed(3_371_857.0, "元", "罚没款金额"),
    );
    figs.insert(
        "study.sessions".to_owned(),
        Figure {
            value: None,
            unit: "次".into(),
            label: "学法次数".into(),
            manual: true,
            source: Some("党政办台账".into()),
            definition: "中心组学法次数".into(),
            previous: None,
        },
    );
    fill(&doc, &figs)
}

#[test]
fn template_html() {
    golden("template.html", &render_html(&template_report()));
}

#[test]
fn template_markdown() {
    golden("template.md", &render_markdown(&template_report()));
}

#[test]
fn edge_html() {
    golden("edge.html", &render_html(&edge_report()));
}

#[test]
fn edge_markdown() {
    golden("edge.md", &render_markdown(&edge_report()));
}

#[test]
fn edge_report_lists_its_gaps() {
    let f = edge_report();
    assert_eq!(f.missing, vec!["hotline.closed", "study.sessions"]);
    assert!(!f.is_complete());
    let codes: Vec<&str> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "figure_missing",
            "placeholder_unknown_format",
            "figure_missing",
            "signature_no_date"
        ]
    );
    assert_eq!(f.diagnostics[0].place, "一、（一）“一是”");
    assert_eq!(f.diagnostics[2].place, "一、（一）1.第1段");
    let md = render_markdown(&f);
    assert!(md.contains("**【缺数：hotline.closed】**"));
    assert!(md.contains("【待填：成文日期】"));
    // every output ends with the appendix
    assert!(md.contains("## 附件：数据来源"));
    assert!(render_html(&f).contains("<h2>附件：数据来源</h2>"));
}

#[test]
fn docx_contains_the_appendix_and_is_deterministic() {
    use std::io::Read;
    let f = template_report();
    let a = fazhi_reports::render_docx(&f);
    let b = fazhi_reports::render_docx(&f);
    assert_eq!(a, b, "same input, same bytes");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
    let mut doc = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut doc)
        .unwrap();
    assert!(doc.contains("附件：数据来源"));
    assert!(
        doc.contains("w:docGrid w:type=\"linesAndChars\" w:linePitch=\"579\" w:charSpace=\"-849\"")
    );
    assert!(
        doc.contains("w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\"")
    );
    assert!(doc.contains("hotline.dissatisfaction_rate"));
    let mut settings = String::new();
    zip.by_name("word/settings.xml")
        .unwrap()
        .read_to_string(&mut settings)
        .unwrap();
    assert!(settings.contains("<w:evenAndOddHeaders/>"));
    for part in [
        "word/footer1.xml",
        "word/footer2.xml",
        "word/styles.xml",
        "word/fontTable.xml",
    ] {
        assert!(zip.by_name(part).is_ok(), "{part}");
    }
}
