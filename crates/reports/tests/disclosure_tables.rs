//! Tables 二, 三 and 四 read out of a published 政府信息公开工作年度报告 (HTML and DOCX) into
//! cells, so units can be compared cell by cell: a hand-made page in the official layout (merged
//! cells, full-width digits), and the report this crate renders read back from its HTML and DOCX.

use fazhi_importer::{Format, extract_tables};
use fazhi_reports::disclosure::{Cells, compare_cells, read_published_tables, report_cells};
use fazhi_reports::{
    DisclosureReport, Narrative, Request, render_disclosure_docx, render_disclosure_html,
};

const FIXTURE: &str = include_str!("fixtures/disclosure_published.html");

#[test]
fn the_official_layout_is_read_cell_by_cell() {
    let tables = extract_tables(FIXTURE.as_bytes(), None);
    assert_eq!(tables.len(), 3);
    let p = read_published_tables(&tables);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let c = |k: &str| p.cells.get(k).copied();
    // Table 二: three columns for documents, one for the rest; full-width 7, "1,024".
    assert_eq!(c("t2.normative.1"), Some(2.0));
    assert_eq!(c("t2.normative.2"), Some(1.0));
    assert_eq!(c("t2.normative.3"), Some(7.0));
    assert_eq!(c("t2.rules.3"), Some(0.0));
    assert_eq!(c("t2.licensing.1"), Some(15.0));
    assert_eq!(c("t2.penalty.1"), Some(1024.0));
    assert_eq!(c("t2.coercion.1"), Some(3.0));
    assert_eq!(c("t2.fees.1"), Some(0.0));
    assert_eq!(c("t2.licensing.2"), None);
    // Table 三: the rows under a rowspan block, the parenthetical of 部分公开, the quotes of
    // 三安全一稳定, and 3.其他 (not the header's 其他).
    assert_eq!(c("t3.new.0"), Some(40.0));
    assert_eq!(c("t3.new.6"), Some(54.0));
    assert_eq!(c("t3.carried_in.6"), Some(2.0));
    assert_eq!(c("t3.result.open.0"), Some(20.0));
    assert_eq!(c("t3.result.open.6"), Some(26.0));
    assert_eq!(c("t3.result.partial.6"), Some(6.0));
    assert_eq!(c("t3.result.withheld.3.6"), Some(0.0));
    assert_eq!(c("t3.result.withheld.4.0"), Some(1.0));
    assert_eq!(c("t3.result.unable.1.3"), Some(1.0));
    assert_eq!(c("t3.result.rejected.2.6"), Some(1.0));
    assert_eq!(c("t3.result.other.1.6"), Some(2.0));
    assert_eq!(c("t3.result.other.3.6"), Some(0.0));
    assert_eq!(c("t3.total.6"), Some(50.0));
    assert_eq!(c("t3.carried_out.6"), Some(6.0));
    // 25 rows × 7 columns.
    assert_eq!(
        p.cells.keys().filter(|k| k.starts_with("t3.")).count(),
        25 * 7
    );
    // Table 四: 3 groups × 5.
    assert_eq!(c("t4.1.1"), Some(1.0));
    assert_eq!(c("t4.1.4"), Some(1.0));
    assert_eq!(c("t4.1.5"), Some(2.0));
    assert_eq!(c("t4.3.5"), Some(1.0));
    assert_eq!(p.cells.keys().filter(|k| k.starts_with("t4.")).count(), 15);
}

#[test]
fn two_units_compare_cell_by_cell() {
    let a = read_published_tables(&extract_tables(FIXTURE.as_bytes(), Some(Format::Html))).cells;
    let mut b: Cells = a.clone();
    b.insert("t3.result.open.0".into(), 21.0);
    b.remove("t4.2.1");
    let d = compare_cells(&a, &b);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(d[0].key, "t3.result.open.0");
    assert_eq!(d[0].label, "表三“（一）予以公开”·自然人");
    assert_eq!((d[0].left, d[0].right), (Some(20.0), Some(21.0)));
    assert_eq!(d[1].label, "表四“行政诉讼（未经复议直接起诉）”·结果维持");
    assert_eq!((d[1].left, d[1].right), (Some(0.0), None));
    assert!(compare_cells(&a, &a).is_empty());
}

/// A page missing a table says so.
#[test]
fn a_missing_table_is_reported() {
    let html = FIXTURE.split("<p>四、政府信息公开行政复议").next().unwrap();
    let p = read_published_tables(&extract_tables(html.as_bytes(), None));
    assert!(
        p.warnings.iter().any(|w| w.contains("表四")),
        "{:?}",
        p.warnings
    );
    assert!(p.cells.contains_key("t3.new.6"));
}

fn computed() -> DisclosureReport {
    let req = |n: &str, on: &str, who: &str, outcome: Option<&str>, closed: Option<&str>| Request {
        case_id: 1,
        number: n.into(),
        received_on: on.into(),
        applicant: who.into(),
        outcome: outcome.map(Into::into),
        closed_on: closed.map(Into::into),
    };
    let requests = [
        req(
            "GK1",
            "2025-12-22",
            "自然人",
            Some("部分公开"),
            Some("2026-01-16"),
        ),
        req(
            "GK2",
            "2026-02-05",
            "自然人",
            Some("予以公开"),
            Some("2026-03-04"),
        ),
        req(
            "GK3",
            "2026-03-02",
            "商业企业",
            Some("重复申请"),
            Some("2026-03-19"),
        ),
        req(
            "GK4",
            "2026-04-02",
            "法律服务机构",
            Some("属于四类过程性信息"),
            Some("2026-04-29"),
        ),
        req("GK5", "2026-12-28", "社会公益组织", None, None),
    ];
    let mut n = Narrative::default();
    n.table2.insert("normative.1".into(), 3.0);
    n.table2.insert("penalty.1".into(), 12.0);
    n.table2.insert("fees.1".into(), 0.5);
    for g in 1..=3 {
        for c in 1..=5 {
            n.table4.insert(
                format!("{g}.{c}"),
                f64::from(u8::try_from(g * c % 3).unwrap()),
            );
        }
    }
    DisclosureReport::build("望江街道办事处", 2026, &requests, vec![], &n)
}

/// What this crate renders reads back to the same cells, from the HTML and from the DOCX (with
/// its merged cells: gridSpan and vMerge).
#[test]
fn the_rendered_report_reads_back_from_html_and_docx() {
    let r = computed();
    let want = report_cells(&r);
    assert_eq!(want.get("t3.new.6"), Some(&4.0));
    for (bytes, format) in [
        (render_disclosure_html(&r).into_bytes(), Format::Html),
        (render_disclosure_docx(&r), Format::Docx),
    ] {
        let p = read_published_tables(&extract_tables(&bytes, None));
        let diffs = compare_cells(&want, &p.cells);
        assert!(diffs.is_empty(), "{format:?}: {diffs:#?}");
        assert!(p.warnings.is_empty(), "{format:?}: {:?}", p.warnings);
    }
}
