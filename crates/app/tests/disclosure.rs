//! The 政府信息公开工作年度报告 from records: disclosure requests written through the store in a
//! street with two communities (and one in another street), table 三 computed for 2026 with
//! carry-over in and out, the form's checks, lineage to case numbers, and the scope of the
//! actor. Runs on SQLite and on PostgreSQL (`on_both!`).

use std::sync::Arc;

use fazhi_app::{Actor, App, FixedClock};
use fazhi_domain::{Role, Scope, UserId};
use fazhi_reports::Narrative;
use fazhi_store::cases::{self, CaseWrite};
use fazhi_store::{Db, UnitRow, on_both, org};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::{Map, Value, json};

struct Req<'a> {
    number: &'a str,
    unit: &'a UnitRow,
    received_on: &'a str,
    applicant: &'a str,
    state: &'a str,
    outcome: Option<&'a str>,
    closed_on: Option<&'a str>,
}

async fn write(db: &Db, r: Req<'_>) {
    let mut fields = json!({
        "channel": "当面提交",
        "received_on": r.received_on,
        "applicant_type": r.applicant,
        "content": "申请公开某项目的批复文件",
    });
    if let Some(o) = r.outcome {
        fields["outcome"] = json!(o);
    }
    let fields: Map<String, Value> = match fields {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let mut tx = db.begin().await.unwrap();
    cases::insert_case(
        &mut tx,
        &CaseWrite {
            case_type: "disclosure_request",
            number: r.number,
            unit_id: r.unit.id,
            unit_path: &r.unit.path,
            department_id: None,
            owner_id: None,
            state: r.state,
            title: r.number,
            category: Some(r.applicant),
            created_on: r.received_on,
            closed_on: r.closed_on,
            due_on: None,
            due_level: 0,
            published: false,
            fields: &fields,
            search_text: r.number,
            at: 1,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn actor(unit: &UnitRow) -> Actor {
    Actor {
        id: UserId(900),
        login: "tester".into(),
        display_name: "测试".into(),
        roles: vec![Role::Leader],
        scope: Scope::UnitSubtree,
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        unit_name: unit.name.clone(),
        department_id: None,
    }
}

async fn table3_from_records(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    let d = org::insert_unit(&mut tx, None, "D", "滨江区", "district")
        .await
        .unwrap();
    let s = org::insert_unit(&mut tx, Some(&d), "S", "望江街道", "street")
        .await
        .unwrap();
    let c1 = org::insert_unit(&mut tx, Some(&s), "C1", "望湖社区", "community")
        .await
        .unwrap();
    let other = org::insert_unit(&mut tx, Some(&d), "S2", "临江街道", "street")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let open = |number, unit, received_on, applicant| Req {
        number,
        unit,
        received_on,
        applicant,
        state: "received",
        outcome: None,
        closed_on: None,
    };
    let done = |number, unit, received_on, applicant, state, outcome, closed_on| Req {
        number,
        unit,
        received_on,
        applicant,
        state,
        outcome: Some(outcome),
        closed_on: Some(closed_on),
    };
    // Received in 2025, closed in 2025: not in the 2026 table.
    write(
        db,
        done(
            "GK20250040",
            &s,
            "2025-10-09",
            "自然人",
            "replied",
            "予以公开",
            "2025-10-30",
        ),
    )
    .await;
    // Received in 2025, open on 2026-01-01: carried in, replied in 2026.
    write(
        db,
        done(
            "GK20250051",
            &s,
            "2025-12-22",
            "自然人",
            "replied",
            "部分公开",
            "2026-01-16",
        ),
    )
    .await;
    // Received and closed in 2026.
    write(
        db,
        done(
            "GK20260001",
            &c1,
            "2026-02-05",
            "自然人",
            "replied",
            "予以公开",
            "2026-03-04",
        ),
    )
    .await;
    write(
        db,
        done(
            "GK20260002",
            &s,
            "2026-03-02",
            "商业企业",
            "abandoned",
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2026-03-19",
        ),
    )
    .await;
    write(
        db,
        done(
            "GK20260003",
            &c1,
            "2026-06-01",
            "法律服务机构",
            "withdrawn",
            "其他",
            "2026-06-03",
        ),
    )
    .await;
    write(
        db,
        done(
            "GK20260004",
            &s,
            "2026-09-14",
            "自然人",
            "replied",
            "保护第三方合法权益",
            "2026-11-02",
        ),
    )
    .await;
    // Received in December, still open: carried out.
    write(db, open("GK20260005", &s, "2026-12-28", "社会公益组织")).await;
    // Another street: not counted.
    write(db, open("GK20260099", &other, "2026-05-06", "自然人")).await;

    let app = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2027, 1, 10))),
    );
    let narrative = Narrative {
        overview: Some("本街道认真贯彻《政府信息公开条例》。".into()),
        problems: Some("主动公开的及时性有待提高。".into()),
        other: Some("本年度未收取信息处理费。".into()),
        ..Narrative::default()
    };
    let r = app
        .disclosure_report(&actor(&s), s.id, 2026, &narrative)
        .await
        .unwrap();
    assert_eq!(r.sources, ["disclosure_request"]);
    let cell = |k: &str, c: usize| r.line(k).unwrap().cells[c].value;
    // columns: 0 自然人, 1 商业企业, 2 科研机构, 3 社会公益组织, 4 法律服务机构, 5 其他, 6 总计
    assert_eq!(cell("new", 6), 5);
    assert_eq!(cell("new", 0), 2);
    assert_eq!(cell("new", 3), 1);
    assert_eq!(cell("carried_in", 0), 1);
    assert_eq!(cell("carried_in", 6), 1);
    assert_eq!(cell("result.open", 0), 1);
    assert_eq!(cell("result.partial", 0), 1);
    assert_eq!(cell("result.withheld.4", 0), 1);
    assert_eq!(cell("result.other.1", 1), 1);
    assert_eq!(cell("result.other.3", 4), 1);
    assert_eq!(cell("total", 6), 5);
    assert_eq!(cell("carried_out", 3), 1);
    assert_eq!(cell("carried_out", 6), 1);
    assert_eq!(
        r.line("carried_in").unwrap().cells[0].records,
        ["GK20250051"]
    );
    assert_eq!(
        r.line("total").unwrap().cells[0].records,
        ["GK20250051", "GK20260001", "GK20260004"]
    );
    // 一 + 二 = 三(七) + 四 per column; nothing left to write: may be frozen.
    assert!(r.blockers().is_empty(), "{:?}", r.blockers());

    // A community sees only its own requests.
    let r = app
        .disclosure_report(&actor(&c1), c1.id, 2026, &narrative)
        .await
        .unwrap();
    assert_eq!(r.line("new").unwrap().cells[6].value, 2);
    // … and not another unit's report.
    assert!(
        app.disclosure_report(&actor(&c1), s.id, 2026, &narrative)
            .await
            .is_err()
    );

    // A request closed without an outcome breaks the form's check.
    write(
        db,
        Req {
            number: "GK20260006",
            unit: &s,
            received_on: "2026-07-01",
            applicant: "自然人",
            state: "replied",
            outcome: None,
            closed_on: Some("2026-07-20"),
        },
    )
    .await;
    let r = app
        .disclosure_report(&actor(&s), s.id, 2026, &narrative)
        .await
        .unwrap();
    let problems = r.check();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("GK20260006") && p.contains("未记录办理结果")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("“自然人”列")),
        "{problems:?}"
    );
}

#[tokio::test]
async fn disclosure_table3_from_records() {
    on_both!(table3_from_records);
}

/// The stored report: opened once per unit and year, the clerk's part saved (audited), freezing
/// refused while a section is unwritten or the form's checks fail, then frozen with its figures
/// and lineage: a request written afterwards changes neither the frozen report nor its
/// downloads; editing is refused until it is unfrozen, which recomputes from the records.
async fn stored_report_lifecycle(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    let d = org::insert_unit(&mut tx, None, "D", "滨江区", "district")
        .await
        .unwrap();
    let s = org::insert_unit(&mut tx, Some(&d), "S", "望江街道", "street")
        .await
        .unwrap();
    let c1 = org::insert_unit(&mut tx, Some(&s), "C1", "望湖社区", "community")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let done = |number, received_on, outcome, closed_on| Req {
        number,
        unit: &s,
        received_on,
        applicant: "自然人",
        state: "replied",
        outcome: Some(outcome),
        closed_on: Some(closed_on),
    };
    write(
        db,
        done("GK20260001", "2026-02-05", "予以公开", "2026-03-04"),
    )
    .await;
    write(
        db,
        done("GK20260002", "2026-05-11", "部分公开", "2026-06-02"),
    )
    .await;
    let app = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2027, 1, 10))),
    );
    let a = actor(&s);
    let r = app.disclosure_open(&a, s.id, 2026).await.unwrap();
    assert_eq!(r.row.status, "draft");
    // Opening again gives the same report; a community cannot open the street's.
    assert_eq!(
        app.disclosure_open(&a, s.id, 2026).await.unwrap().row.id,
        r.row.id
    );
    assert!(app.disclosure_stored(&actor(&c1), r.row.id).await.is_err());
    assert!(app.disclosure_open(&a, s.id, 1999).await.is_err());

    // Nothing written yet: freezing is refused and says why.
    let err = app
        .disclosure_freeze(&a, r.row.id, r.row.version)
        .await
        .unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("一、总体情况"), "{text}");

    // Bad manual cells are refused with the cell named.
    let mut bad = Narrative::default();
    bad.table4.insert("4.1".into(), 1.0);
    let err = app
        .disclosure_save(&a, r.row.id, r.row.version, &bad)
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("4.1"), "{err:?}");

    let mut n = Narrative {
        overview: Some("本街道认真贯彻《政府信息公开条例》。".into()),
        problems: Some("主动公开的及时性有待提高。".into()),
        other: Some("本年度未收取信息处理费。".into()),
        ..Narrative::default()
    };
    n.table2.insert("normative.1".into(), 2.0);
    let v = app
        .disclosure_save(&a, r.row.id, r.row.version, &n)
        .await
        .unwrap();
    // A stale version is refused.
    assert!(
        app.disclosure_save(&a, r.row.id, r.row.version, &n)
            .await
            .is_err()
    );
    app.disclosure_freeze(&a, r.row.id, v).await.unwrap();
    let frozen = app.disclosure_stored(&a, r.row.id).await.unwrap();
    assert_eq!(frozen.row.status, "frozen");
    let (title, md) = app
        .disclosure_render(&a, r.row.id, fazhi_app::reports::Format::Markdown)
        .await
        .unwrap();
    assert_eq!(title, "望江街道2026年政府信息公开工作年度报告");
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains("本街道认真贯彻"), "{md}");
    assert!(md.contains("GK20260002"), "lineage in the appendix: {md}");

    // A request recorded later (received in 2026) changes nothing in the frozen report.
    write(
        db,
        done("GK20260003", "2026-12-01", "予以公开", "2026-12-20"),
    )
    .await;
    let inputs = app.disclosure_inputs_of(&a, &frozen).await.unwrap();
    assert_eq!(inputs.build().line("new").unwrap().cells[6].value, 2);
    let (_, md2) = app
        .disclosure_render(&a, r.row.id, fazhi_app::reports::Format::Markdown)
        .await
        .unwrap();
    assert_eq!(String::from_utf8(md2).unwrap(), md);
    for f in [
        fazhi_app::reports::Format::Docx,
        fazhi_app::reports::Format::Html,
    ] {
        let (_, bytes) = app.disclosure_render(&a, r.row.id, f).await.unwrap();
        assert!(!bytes.is_empty());
    }
    // Frozen: no edit, no second freeze.
    assert!(
        app.disclosure_save(&a, r.row.id, frozen.row.version, &n)
            .await
            .is_err()
    );
    assert!(
        app.disclosure_freeze(&a, r.row.id, frozen.row.version)
            .await
            .is_err()
    );
    // Unfrozen, it is computed from the records again.
    app.disclosure_unfreeze(&a, r.row.id, frozen.row.version)
        .await
        .unwrap();
    let again = app.disclosure_stored(&a, r.row.id).await.unwrap();
    let now = app.disclosure_inputs_of(&a, &again).await.unwrap().build();
    assert_eq!(now.line("new").unwrap().cells[6].value, 3);
    assert_eq!(now.overview, "本街道认真贯彻《政府信息公开条例》。");

    // Every change is in the audit log, scoped to the street.
    let log = fazhi_store::audit::list(
        db,
        &fazhi_store::audit::AuditFilter {
            entity: Some("disclosure_report".into()),
            entity_id: Some(r.row.id.to_string()),
            limit: 50,
            unit_path: Some(s.path.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(actions, ["create", "edit", "freeze", "unfreeze"]);
}

#[tokio::test]
async fn disclosure_stored_report_lifecycle() {
    on_both!(stored_report_lifecycle);
}
