//! The generated contract (docs/case-types.md), timelines without a database, and what moving a
//! case to a changed definition does to its clocks.

use std::path::Path;

use fazhi_workflow::{
    Calendar, ClockChangeKind, ClockStatus, Registry, WorkflowConfig, case_types_markdown,
    check_definition, compare_clocks, parse_timeline, replay, timeline_clocks,
};
use jiff::civil::Date;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// docs/case-types.md is generated; regenerate it with `cargo run -p fazhi -- workflow doc`
/// (or run this test with FAZHI_WRITE_DOCS=1).
#[test]
fn the_committed_case_types_doc_matches_the_definitions() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/case-types.md");
    let generated = case_types_markdown(&Registry::embedded());
    if std::env::var_os("FAZHI_WRITE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/case-types.md drifted from the definitions: run `cargo run -p fazhi -- workflow doc`"
    );
    // What readers need is in it: states, transitions with roles, guards with article, clocks
    // with basis, for every case type.
    for needle in [
        "## `petition` (信访事项) — 《信访工作条例》",
        "## `mediation_case` (人民调解案件)",
        "| `request_recheck` 申请复查 | replied/closed → rechecking | handler |",
        "`window_since`{days=30, event=reply, unit=natural_days, code=petition.recheck_request_late} — 《信访工作条例》第三十五条",
        "| `confirmation_window` 司法确认申请期 | window | reach_agreement (from the date in `agreement_effective_on`)",
        "`min_certified_officers`{min=2} — 《中华人民共和国行政处罚法》第四十二条",
        "| `handling_limit` 办理期限 | deadline | accept | reply/divert | 60 natural days; +30 at approve_extension (at most 30 in total) with the notice in `extension_notice` | 《信访工作条例》第三十四条 |",
        "- `petitioner_name`: person_name — 信访人 (personal)",
    ] {
        assert!(generated.contains(needle), "missing: {needle}");
    }
}

#[test]
fn a_timeline_gives_every_clock_without_a_database() {
    let reg = Registry::embedded();
    let ct = reg.get("petition").unwrap();
    let events = parse_timeline(
        r#"[
          {"transition": "create", "date": "2026-01-05",
           "input": {"channel": "来信", "subject": "噪音", "content": "夜间施工噪音"}},
          {"transition": "accept", "date": "2026-01-09",
           "input": {"category": "申诉求决", "acceptance_notice": "已受理"}},
          {"transition": "approve_extension", "date": "2026-03-02",
           "input": {"reason": "情况复杂", "extension_notice": "延期三十日"}}
        ]"#,
    )
    .unwrap();
    let cal = Calendar::national();
    let cfg = WorkflowConfig::embedded();
    let clocks = timeline_clocks(ct, &events, d("2026-04-10"), &cal, &cfg).unwrap();
    let handling = clocks.iter().find(|c| c.code == "handling_limit").unwrap();
    assert_eq!(handling.due, Some(d("2026-04-09")));
    assert_eq!(handling.status, ClockStatus::Overdue);
    assert_eq!(handling.basis, "《信访工作条例》第三十四条");
    assert!(
        handling
            .explanation_zh
            .iter()
            .any(|l| l.contains("批准延期30"))
    );
    let routing = clocks.iter().find(|c| c.code == "routing_limit").unwrap();
    assert_eq!(routing.status, ClockStatus::Met);

    // Bad timelines are refused with the event and the field named.
    let bad = |json: &str| {
        replay(ct, &parse_timeline(json).unwrap())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        bad(r#"[{"transition": "reply", "date": "2026-01-05"}]"#),
        "第1个事件（reply）：案件尚未创建，不能“出具处理意见”"
    );
    assert_eq!(
        bad(r#"[{"transition": "create", "date": "2026-01-05", "input": {"channel": "飞鸽", "subject": "x", "content": "y"}}]"#)
            .split('：')
            .next()
            .unwrap(),
        "第1个事件（create）"
    );
    assert!(bad(r#"[{"transition": "create", "date": "2026-01-05", "input": {"channel": "来信", "subject": "x"}}]"#).contains("信访内容：必填"));
    assert!(
        bad(r#"[{"transition": "fly", "date": "2026-01-05"}]"#).contains("没有名为“fly”的操作")
    );
    assert!(parse_timeline(r#"[{"transition": "create", "date": "2026-13-01"}]"#).is_err());
    assert!(parse_timeline(r#"[{"transition": "create", "day": "2026-01-01"}]"#).is_err());
}

/// A local rule shortens the handling limit to 45 days (version 2026.2): a case accepted
/// 2026-01-09 moves from 2026-03-10 to 2026-02-23 (day 45 is Monday 2026-02-23 — inside the
/// Spring Festival holiday, so it rolls to Tuesday 2026-02-24); the clocks the change does not
/// touch stay; a definition without the case's transitions refuses the move.
#[test]
fn comparing_a_case_under_two_definitions_lists_the_moved_clocks() {
    let reg = Registry::embedded();
    let old = reg.get("petition").unwrap();
    let text = include_str!("../../../case_types/petition/case_type.toml");
    let changed = text
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace(
            "stop = [\"reply\", \"divert\"]\nn = 60",
            "stop = [\"reply\", \"divert\"]\nn = 45",
        );
    assert_ne!(changed, text);
    let (new, diags) = check_definition(Path::new("petition.toml"), &changed);
    assert!(diags.is_empty(), "{diags:#?}");
    let new = new.unwrap();
    assert_eq!(new.version.declared, "2026.2");
    assert_ne!(new.version.content_hash, old.version.content_hash);
    assert!(old.version_tag().starts_with("2026.1+"));

    let events = parse_timeline(
        r#"[
          {"transition": "create", "date": "2026-01-05",
           "input": {"channel": "来信", "subject": "噪音", "content": "夜间施工噪音"}},
          {"transition": "accept", "date": "2026-01-09",
           "input": {"category": "申诉求决", "acceptance_notice": "已受理"}}
        ]"#,
    )
    .unwrap();
    let snap = replay(old, &events).unwrap();
    let cal = Calendar::national();
    let cfg = WorkflowConfig::embedded();
    let plan = compare_clocks(
        old,
        &new,
        snap.state.as_deref(),
        &snap.history,
        &snap.fields,
        d("2026-02-01"),
        &cal,
        &cfg,
    );
    assert!(plan.can_migrate());
    let moved: Vec<_> = plan.changed().collect();
    assert_eq!(moved.len(), 1, "{moved:#?}");
    assert_eq!(moved[0].code, "handling_limit");
    assert_eq!(moved[0].kind, ClockChangeKind::Moved);
    assert_eq!(moved[0].due_before, Some(d("2026-03-10")));
    assert_eq!(moved[0].due_after, Some(d("2026-02-24")));
    assert!(
        plan.clocks
            .iter()
            .any(|c| c.code == "routing_limit" && c.kind == ClockChangeKind::Unchanged)
    );

    // A definition that dropped `accept` cannot take the case.
    let stripped = changed
        .replace("code = \"accept\"", "code = \"take\"")
        .replace("start = [\"accept\"]", "start = [\"take\"]")
        .replace(
            "stop = [\"accept\", \"divert\"]",
            "stop = [\"take\", \"divert\"]",
        )
        .replace(
            "stop = [\"route\", \"accept\", \"divert\"]",
            "stop = [\"route\", \"take\", \"divert\"]",
        );
    let (stripped, diags) = check_definition(Path::new("petition.toml"), &stripped);
    assert!(diags.is_empty(), "{diags:#?}");
    let plan = compare_clocks(
        old,
        &stripped.unwrap(),
        snap.state.as_deref(),
        &snap.history,
        &snap.fields,
        d("2026-02-01"),
        &cal,
        &cfg,
    );
    assert!(!plan.can_migrate());
    assert!(
        plan.problems_zh[0].contains("accept"),
        "{:?}",
        plan.problems_zh
    );
}
