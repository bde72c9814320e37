//! A case type that exists only in a fixture folder (`tests/fixtures/noise_case`): its
//! report.toml paragraphs land in the declared place of the composed template and its
//! dashboard.toml cards are read, with no Rust naming it; a broken folder gives file:line
//! diagnostics.

use std::collections::BTreeMap;
use std::path::PathBuf;

use fazhi_indicators::Catalog;
use fazhi_reports::{
    Block, CaseTypeReport, Figure, case_type_reports, check_dashboards, check_reports, compose,
    dashboard_cards, fill, render_markdown, template_for,
};
use fazhi_workflow::Registry;
use fazhi_workflow::folders::{embedded_folders, merge_folders, read_folder};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn registry_with(name: &str) -> Registry {
    let (folder, warnings) = read_folder(&fixture(name)).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    Registry::from_folders(merge_folders(embedded_folders(), vec![folder])).unwrap()
}

fn items(b: &[Block]) -> Vec<String> {
    match &b[0] {
        Block::Items(i) => i.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_fixture_case_type_is_composed_into_the_report() {
    let registry = registry_with("noise_case");
    let catalog = Catalog::from_texts(&[], &registry).unwrap();
    let known = |id: &str| catalog.resolve(id).is_some();
    assert!(check_reports(&registry, &known).is_empty());
    let doc = template_for(&registry, "某街道办事处", 2025).unwrap();
    // 一、（六）依法有效化解社会矛盾纠纷: frame paragraphs at 10, 20, 30; the fixture's at 15.
    let disputes = doc.sections[0]
        .children
        .iter()
        .find(|s| s.heading == "依法有效化解社会矛盾纠纷")
        .unwrap();
    let list = items(&disputes.blocks);
    // Built-in case types place paragraphs here too (mediation at 12, petitions at 22).
    let at = |start: &str| list.iter().position(|p| p.starts_with(start)).unwrap();
    let fixture = list
        .iter()
        .position(|p| {
            p == "化解噪声扰民纠纷。全年受理噪声投诉{noise.received}件，{noise.received:yoy}。"
        })
        .unwrap_or_else(|| panic!("{list:?}"));
    assert_eq!(at("健全矛盾纠纷多元化解机制"), 0, "{list:?}");
    assert!(
        fixture > at("充分发挥人民调解") && fixture < at("推进信访工作法治化"),
        "{list:?}"
    );
    // 三、: its shortcoming (order 5) comes first; its noun (case-type order 5) leads the list.
    let shortcomings = &doc.sections[2].children;
    assert_eq!(shortcomings[0].heading, "噪声治理手段不足");
    assert!(shortcomings[0].run_in);
    let digital = doc.sections[0].children.last().unwrap();
    assert!(items(&digital.blocks)[0].contains("平台，噪声投诉、12345工单"));
    assert!(doc.placeholder_ids().contains("noise.received"));
    assert!(doc.yoy_ids().contains("noise.received"));

    // Filled: the figure and its change against last year.
    let mut figures = BTreeMap::new();
    figures.insert(
        "noise.received".to_owned(),
        Figure::computed(130.0, "件", "噪声投诉受理数").with_previous(Some(100.0)),
    );
    let md = render_markdown(&fill(&doc, &figures));
    assert!(md.contains("全年受理噪声投诉130件，同比增长30%。"), "{md}");

    // Only the case types passed in are composed (issue 17 passes a unit's own).
    let all = case_type_reports(&registry).unwrap();
    let noise: Vec<&CaseTypeReport> = all.iter().filter(|c| c.noun == "噪声投诉").collect();
    let alone = compose("某街道办事处", 2025, &noise);
    let ids: Vec<String> = alone
        .placeholder_ids()
        .into_iter()
        .filter(|id| id.starts_with("noise.") || !fazhi_reports::frame_indicators().contains(id))
        .collect();
    assert_eq!(ids, ["noise.received"]);
}

#[test]
fn a_fixture_case_types_dashboard_cards_are_read() {
    let registry = registry_with("noise_case");
    let catalog = Catalog::from_texts(&[], &registry).unwrap();
    assert!(check_dashboards(&registry, &|id| catalog.resolve(id).is_some()).is_empty());
    let cards = dashboard_cards(&registry).unwrap();
    let first = &cards.figures[0];
    assert_eq!(first.indicator, "noise.received");
    assert_eq!(first.label.as_deref(), Some("噪声投诉（件）"));
    assert_eq!(
        first.cases_link.as_deref(),
        Some("/cases?type=noise_case&due=open")
    );
    assert!(first.compare_units);
    assert_eq!(cards.trends[0].indicator, "noise.received");
}

#[test]
fn a_broken_folder_gives_file_and_line() {
    let registry = registry_with("broken_case");
    let catalog = Catalog::from_texts(&[], &registry).unwrap();
    let known = |id: &str| catalog.resolve(id).is_some();
    let d = check_reports(&registry, &known);
    let shown: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(d.len(), 3, "{shown:#?}");
    assert!(
        shown[0].contains("broken_case/report.toml:6:"),
        "{shown:#?}"
    );
    assert!(d[0].message.contains("unknown section `nowhere`"));
    assert_eq!(d[1].line, Some(11));
    assert!(d[1].message.contains("unknown indicator `noise.unknown`"));
    assert!(d[2].message.contains("placeholder_unknown_format"));
    assert!(case_type_reports(&registry).is_err());
    assert!(template_for(&registry, "某街道办事处", 2025).is_err());

    let d = check_dashboards(&registry, &known);
    let shown: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(d.len(), 2, "{shown:#?}");
    assert!(
        shown[0].contains("broken_case/dashboard.toml:2:"),
        "{shown:#?}"
    );
    assert!(d[0].message_zh.contains("指标“noise.unknown”不存在"));
    assert_eq!(d[1].line, Some(6));
    assert!(d[1].message_zh.contains("没有筛选条件“color”"));
    assert!(dashboard_cards(&registry).is_err());
}
