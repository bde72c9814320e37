//! Golden files of every document template of every case type (text and HTML), filled from a
//! fixed sample case. `UPDATE_GOLDEN=1 cargo test -p fazhi-reports --test documents` rewrites
//! them; review the diff before committing.

use std::path::PathBuf;

use fazhi_reports::documents::{
    self, DocContext, DocValue, Layout, case_type_documents, document_text, fill_document,
    render_document_docx, render_document_page,
};
use fazhi_workflow::{FieldKind, Registry};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/documents")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
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
            "{} differs at line {}:\nexpected: {:?}\nactual:   {:?}\n(UPDATE_GOLDEN=1 rewrites)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// A sample case: every field of the case type gets a value of its kind, so every placeholder
/// of every template is filled (a template using a value the sample lacks shows a marker in
/// its golden file, and the test says which).
fn sample_context(registry: &Registry, code: &str) -> DocContext {
    let ct = registry.get(code).unwrap();
    let mut c = DocContext::default();
    c.text("case.number", "ZF20260042");
    c.date("case.opened_on", "2026-03-02");
    c.text("case.type_name", ct.name_zh.clone());
    c.text("unit.name", "滨江区望江街道办事处");
    c.text("unit.reconsideration_body", "滨江区人民政府");
    c.text("unit.court", "滨江区人民法院");
    c.date("document.date", "2026-04-08");
    c.text("document.number", "望江执罚决字〔2026〕第12号");
    c.text(
        "officers",
        "王建国（执法证号：33019900101）、李敏（执法证号：33019900102）",
    );
    c.text(
        "service.document",
        "行政处罚决定书（望江执罚决字〔2026〕第12号）",
    );
    c.text("service.method", "直接送达");
    c.date("service.date", "2026-04-09");
    c.text("service.recipient", "张某某");
    for t in &ct.transitions {
        c.date(&format!("step.{}", t.code), "2026-03-16");
    }
    for f in &ct.fields {
        let id = format!("field.{}", f.code);
        match f.kind {
            FieldKind::Date => c.date(&id, "2026-03-01"),
            FieldKind::Money => c.money(&id, 500_000),
            FieldKind::Enum => {
                let v = f
                    .dictionary
                    .as_ref()
                    .and_then(|d| ct.dictionaries.get(d))
                    .and_then(|d| d.first())
                    .map(|e| e.label_zh.clone())
                    .unwrap_or_default();
                c.text(&id, v)
            }
            _ => c.text(&id, format!("{}（示例）", f.label_zh)),
        }
    }
    c
}

#[test]
fn every_template_of_every_case_type() {
    let registry = Registry::embedded();
    let mut seen = 0;
    for ct in registry.types() {
        let Some(docs) = case_type_documents(&registry, &ct.code).unwrap() else {
            continue;
        };
        let ctx = sample_context(&registry, &ct.code);
        for t in &docs.templates {
            let filled = fill_document(t, &docs.periods, &ctx);
            assert!(
                filled.missing.is_empty(),
                "{}/{}: no value for {:?}",
                ct.code,
                t.name,
                filled.missing
            );
            golden(
                &format!("{}/{}.txt", ct.code, t.name),
                &document_text(&filled),
            );
            golden(
                &format!("{}/{}.html", ct.code, t.name),
                &render_document_page(&filled),
            );
            let docx = render_document_docx(&filled);
            assert_eq!(docx, render_document_docx(&filled), "deterministic");
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml)
                .unwrap();
            assert!(xml.contains(&documents_escape(&t.title)), "{}", t.name);
            assert!(xml.contains("w:top=\"2098\""), "GB/T 9704 top margin");
            seen += 1;
        }
    }
    assert!(seen >= 8, "templates checked: {seen}");
}

fn documents_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

#[test]
fn the_decision_states_rights_periods_and_bodies() {
    let registry = Registry::embedded();
    let docs = case_type_documents(&registry, "enforcement_case")
        .unwrap()
        .unwrap();
    let t = docs.template("行政处罚决定书").unwrap();
    assert_eq!(t.layout, Layout::Letter);
    assert_eq!(t.kind.as_deref(), Some("执罚决"));
    let ctx = sample_context(&registry, "enforcement_case");
    let text = document_text(&fill_document(t, &docs.periods, &ctx));
    for needle in [
        "望江执罚决字〔2026〕第12号",
        "罚款人民币伍仟元整（¥5000.00）",
        "自收到本决定书之日起十五日内缴至指定银行",
        "在收到本决定书之日起六十日内向滨江区人民政府申请行政复议",
        "也可以在六个月内依法向滨江区人民法院提起行政诉讼",
        "《中华人民共和国行政复议法》第二十条",
        "《中华人民共和国行政诉讼法》第四十六条",
        "2026年4月8日",
    ] {
        assert!(text.contains(needle), "decision lacks {needle:?}:\n{text}");
    }
    // The periods come from the data: change them and the text follows.
    let mut changed = docs.periods.clone();
    changed
        .iter_mut()
        .find(|p| p.code == "reconsideration")
        .unwrap()
        .n = 90;
    let text = document_text(&fill_document(t, &changed, &ctx));
    assert!(text.contains("之日起九十日内向滨江区人民政府"), "{text}");
    // The notice states the statement window of the definition's clock (five working days).
    let notice = docs.template("行政处罚告知书").unwrap();
    let text = document_text(&fill_document(notice, &docs.periods, &ctx));
    assert!(text.contains("收到本告知书之日起五个工作日内"), "{text}");
}

#[test]
fn optional_paragraphs_and_missing_values() {
    let registry = Registry::embedded();
    let docs = case_type_documents(&registry, "enforcement_case")
        .unwrap()
        .unwrap();
    let t = docs.template("行政处罚决定书").unwrap();
    let mut ctx = sample_context(&registry, "enforcement_case");
    ctx.values.remove("field.party_uscc");
    ctx.values.remove("field.fine_amount");
    ctx.values.remove("unit.court");
    let f = fill_document(t, &docs.periods, &ctx);
    let text = document_text(&f);
    assert!(!text.contains("统一社会信用代码"), "{text}");
    assert!(!text.contains("罚款人民币"), "{text}");
    assert_eq!(f.missing, vec!["unit.court".to_owned()]);
    assert!(text.contains("【待填：unit.court】"));
    // Dates in Chinese numerals where a template asks for them.
    assert_eq!(
        documents::format_doc_value(
            &DocValue::Date("2026-03-05".into()),
            fazhi_reports::Format::CnDate
        ),
        "二〇二六年三月五日"
    );
}
