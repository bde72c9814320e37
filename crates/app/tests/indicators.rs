//! Indicators end to end on hand-built data with known answers: a district with two streets, the
//! street 望江街道 with two communities; hotline tickets, enforcement cases and officers written
//! through the store with chosen states, fields, dates, events and clocks. Every built-in
//! computed indicator is checked for the street, one community and a quarter; ratios without a
//! denominator have no value; manual figures are flagged and audited; lineage lists exactly the
//! records behind a figure. Each test runs on SQLite and on PostgreSQL (a fresh database per run,
//! dropped afterwards; PostgreSQL unreachable fails loudly unless FAZHI_TEST_POSTGRES=skip).

use std::collections::BTreeMap;
use std::sync::Arc;

use fazhi_app::indicators::{
    LineageHandle, LineageRecords, ManualFigureInput, ManualFigureQuery, Page,
};
use fazhi_app::{Actor, App, AppError, FixedClock};
use fazhi_domain::{DepartmentId, Role, Scope, UnitId, UserId};
use fazhi_indicators::{Catalog, Period};
use fazhi_store::cases::{self, CaseWrite, NewEvent};
use fazhi_store::org::{self, NewCertificate, NewOfficer};
use fazhi_store::{AuditFilter, ClockRow, Db, UnitRow};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::{Map, Value, json};

use fazhi_store::on_both;

// ------------------------------------------------------------------ the dataset

struct Units {
    street: UnitRow,
    c1: UnitRow,
    c2: UnitRow,
    /// A community with no records at all.
    c3: UnitRow,
    other_street: UnitRow,
    dept: DepartmentId,
}

struct Case<'a> {
    case_type: &'a str,
    number: &'a str,
    unit: &'a UnitRow,
    department: Option<DepartmentId>,
    state: &'a str,
    created_on: &'a str,
    closed_on: Option<&'a str>,
    published: bool,
    fields: Value,
    events: &'a [(&'a str, &'a str)],
    /// (code, status, due)
    clocks: &'a [(&'a str, &'a str, &'a str)],
}

async fn write_case(db: &Db, c: Case<'_>) {
    let fields: Map<String, Value> = match c.fields {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let empty = Map::new();
    let category = fields.get("category").and_then(Value::as_str);
    let mut tx = db.begin().await.unwrap();
    let first = CaseWrite {
        case_type: c.case_type,
        number: c.number,
        unit_id: c.unit.id,
        unit_path: &c.unit.path,
        department_id: c.department,
        owner_id: None,
        state: if c.case_type == "hotline_ticket" {
            "received"
        } else {
            "clue"
        },
        title: c.number,
        category,
        created_on: c.created_on,
        closed_on: None,
        due_on: None,
        due_level: 0,
        published: false,
        fields: &fields,
        search_text: c.number,
        at: 1,
    };
    let id = cases::insert_case(&mut tx, &first).await.unwrap();
    let mut all_events = vec![("create", c.created_on)];
    all_events.extend_from_slice(c.events);
    for (i, (t, on)) in all_events.iter().enumerate() {
        cases::insert_event(
            &mut tx,
            c.case_type,
            &NewEvent {
                case_id: id,
                seq: i as i64 + 1,
                transition: t,
                from_state: None,
                to_state: c.state,
                on_date: on,
                at: 1,
                actor_id: None,
                input: &empty,
            },
        )
        .await
        .unwrap();
    }
    let clocks: Vec<ClockRow> = c
        .clocks
        .iter()
        .map(|(code, status, due)| ClockRow {
            case_id: id,
            code: code.to_string(),
            label: code.to_string(),
            basis: "test".into(),
            started_on: c.created_on.into(),
            due_on: Some(due.to_string()),
            status: status.to_string(),
            level: "normal".into(),
            calendar_version: "cn-test-1".into(),
            detail: json!({}),
        })
        .collect();
    cases::replace_clocks(&mut tx, id, c.case_type, &clocks)
        .await
        .unwrap();
    let last = CaseWrite {
        state: c.state,
        closed_on: c.closed_on,
        published: c.published,
        ..first
    };
    cases::update_case(&mut tx, id, 1, &last).await.unwrap();
    tx.commit().await.unwrap();
}

async fn officer(
    db: &Db,
    code: &str,
    unit: &UnitRow,
    legal_reviewer: bool,
    cert: Option<(&str, &str, Option<i64>, bool)>,
) {
    let mut tx = db.begin().await.unwrap();
    let id = org::insert_officer(
        &mut tx,
        &NewOfficer {
            code,
            name: &format!("执法人员{code}"),
            user_id: None,
            unit_id: unit.id,
            department_id: None,
            legal_reviewer,
        },
    )
    .await
    .unwrap();
    if let Some((from, to, annual, revoked)) = cert {
        let cid = org::insert_certificate(
            &mut tx,
            &NewCertificate {
                officer_id: id,
                number: &format!("证{code}"),
                domain: "城市管理",
                valid_from: from,
                valid_to: to,
                annual_check_year: annual,
            },
        )
        .await
        .unwrap();
        if revoked {
            org::set_certificate_revoked(&mut tx, cid, true)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

async fn seed(db: &Db) -> Units {
    let mut tx = db.begin().await.unwrap();
    let d = org::insert_unit(&mut tx, None, "D", "滨江区", "district")
        .await
        .unwrap();
    let street = org::insert_unit(&mut tx, Some(&d), "S", "望江街道", "street")
        .await
        .unwrap();
    let c1 = org::insert_unit(&mut tx, Some(&street), "C1", "望湖社区", "community")
        .await
        .unwrap();
    let c2 = org::insert_unit(&mut tx, Some(&street), "C2", "江畔社区", "community")
        .await
        .unwrap();
    let c3 = org::insert_unit(&mut tx, Some(&street), "C3", "新城社区", "community")
        .await
        .unwrap();
    let other_street = org::insert_unit(&mut tx, Some(&d), "S2", "临江街道", "street")
        .await
        .unwrap();
    let dept = org::insert_department(&mut tx, street.id, "D12345", "12345热线办")
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let u = Units {
        street,
        c1,
        c2,
        c3,
        other_street,
        dept,
    };

    // ---------------------------------------------------------- 12345 tickets
    let hotline =
        |number, unit, created_on, closed_on: Option<&'static str>, fields, events, clocks| Case {
            case_type: "hotline_ticket",
            number,
            unit,
            department: None,
            state: if closed_on.is_some() {
                "closed"
            } else {
                "handling"
            },
            created_on,
            closed_on,
            published: false,
            fields,
            events,
            clocks,
        };
    write_case(
        db,
        Case {
            department: Some(u.dept),
            ..hotline(
                "H1",
                &u.c1,
                "2025-01-10",
                Some("2025-01-25"),
                json!({"category": "投诉", "channel": "电话", "satisfaction": "不满意"}),
                &[("reply", "2025-01-15"), ("revisit", "2025-01-25")],
                &[("handling_limit", "met", "2025-01-24")],
            )
        },
    )
    .await;
    write_case(
        db,
        Case {
            department: Some(u.dept),
            ..hotline(
                "H2",
                &u.c1,
                "2025-02-03",
                Some("2025-02-10"),
                json!({"category": "咨询", "channel": "微信", "satisfaction": "满意"}),
                &[("reply", "2025-02-05"), ("revisit", "2025-02-10")],
                &[("handling_limit", "met", "2025-02-14")],
            )
        },
    )
    .await;
    write_case(
        db,
        hotline(
            "H3",
            &u.c2,
            "2025-03-28",
            Some("2025-04-10"),
            json!({"category": "求助", "channel": "电话", "satisfaction": "基本满意"}),
            &[("reply", "2025-04-08"), ("revisit", "2025-04-10")],
            &[("handling_limit", "missed", "2025-04-05")],
        ),
    )
    .await;
    write_case(
        db,
        hotline(
            "H4",
            &u.c2,
            "2025-05-06",
            None,
            json!({"category": "投诉", "channel": "APP"}),
            &[("dispatch", "2025-05-06")],
            &[("handling_limit", "running", "2025-05-20")],
        ),
    )
    .await;
    write_case(
        db,
        hotline(
            "H5",
            &u.street,
            "2025-12-20",
            Some("2026-01-05"),
            json!({"category": "举报", "channel": "电话", "satisfaction": "不满意"}),
            &[("reply", "2025-12-28"), ("revisit", "2026-01-05")],
            &[("handling_limit", "met", "2025-12-31")],
        ),
    )
    .await;
    write_case(
        db,
        hotline(
            "H6",
            &u.c1,
            "2024-12-15",
            Some("2025-01-08"),
            json!({"category": "建议", "channel": "网站", "satisfaction": "满意"}),
            &[("reply", "2025-01-02"), ("revisit", "2025-01-08")],
            &[("handling_limit", "met", "2025-01-03")],
        ),
    )
    .await;
    write_case(
        db,
        hotline(
            "H7",
            &u.other_street,
            "2025-06-01",
            Some("2025-06-05"),
            json!({"category": "投诉", "channel": "电话", "satisfaction": "不满意"}),
            &[("reply", "2025-06-02"), ("revisit", "2025-06-05")],
            &[("handling_limit", "met", "2025-06-10")],
        ),
    )
    .await;

    // ---------------------------------------------------------- enforcement cases
    let enf = |number, unit, state, created_on, fields, events, clocks| Case {
        case_type: "enforcement_case",
        number,
        unit,
        department: None,
        state,
        created_on,
        closed_on: (state == "closed").then_some("2025-03-20"),
        published: false,
        fields,
        events,
        clocks,
    };
    write_case(
        db,
        Case {
            published: true,
            ..enf(
                "E1",
                &u.c1,
                "closed",
                "2025-01-05",
                json!({"domain": "城市管理", "procedure": "普通程序", "outcome": "处罚", "penalty": "罚款", "fine_amount": 150000}),
                &[
                    ("file", "2025-01-06"),
                    ("pass_review", "2025-02-10"),
                    ("decide", "2025-02-12"),
                    ("publish", "2025-02-18"),
                ],
                &[
                    ("publicity_limit", "met", "2025-02-21"),
                    ("decision_limit", "met", "2025-04-07"),
                ],
            )
        },
    )
    .await;
    write_case(
        db,
        Case {
            published: true,
            ..enf(
                "E2",
                &u.c2,
                "decided",
                "2025-03-01",
                json!({"domain": "消防", "procedure": "普通程序", "outcome": "不予处罚（首违）"}),
                &[
                    ("file", "2025-03-02"),
                    ("decide", "2025-04-20"),
                    ("publish", "2025-05-10"),
                ],
                &[("publicity_limit", "missed", "2025-04-29")],
            )
        },
    )
    .await;
    write_case(
        db,
        enf(
            "E3",
            &u.street,
            "decided",
            "2025-06-01",
            json!({"domain": "城市管理", "procedure": "简易程序", "outcome": "处罚", "penalty": "罚款", "fine_amount": 20000}),
            &[("decide_on_spot", "2025-06-01")],
            &[],
        ),
    )
    .await;
    write_case(
        db,
        enf(
            "E4",
            &u.c1,
            "investigating",
            "2025-11-01",
            json!({"domain": "生态环境", "procedure": "普通程序"}),
            &[("file", "2025-11-03")],
            &[("decision_limit", "running", "2026-02-01")],
        ),
    )
    .await;
    write_case(
        db,
        enf(
            "E5",
            &u.c2,
            "decided",
            "2025-09-01",
            json!({"domain": "住房建设", "procedure": "普通程序", "outcome": "不予处罚（轻微）"}),
            &[
                ("file", "2025-09-02"),
                ("pass_review", "2025-10-10"),
                ("decide", "2025-10-12"),
            ],
            &[("publicity_limit", "running", "2025-10-21")],
        ),
    )
    .await;
    write_case(
        db,
        enf(
            "E6",
            &u.c1,
            "decided",
            "2025-12-01",
            json!({"domain": "城市管理", "procedure": "普通程序", "outcome": "处罚", "penalty": "罚款", "fine_amount": 50000}),
            &[("file", "2025-12-02"), ("decide", "2025-12-30")],
            &[("publicity_limit", "running", "2026-01-20")],
        ),
    )
    .await;
    write_case(
        db,
        enf(
            "E7",
            &u.other_street,
            "decided",
            "2025-05-01",
            json!({"domain": "城市管理", "procedure": "普通程序", "outcome": "处罚", "penalty": "罚款", "fine_amount": 999900}),
            &[
                ("file", "2025-05-01"),
                ("pass_review", "2025-05-20"),
                ("decide", "2025-05-21"),
                ("publish", "2025-05-22"),
            ],
            &[("publicity_limit", "met", "2025-05-30")],
        ),
    )
    .await;
    write_case(
        db,
        Case {
            published: true,
            ..enf(
                "E8",
                &u.c1,
                "served",
                "2024-12-20",
                json!({"domain": "城市管理", "procedure": "普通程序", "outcome": "处罚", "penalty": "罚款", "fine_amount": 30000}),
                &[
                    ("file", "2024-12-21"),
                    ("pass_review", "2025-01-10"),
                    ("decide", "2025-01-15"),
                    ("publish", "2025-01-20"),
                ],
                &[("publicity_limit", "met", "2025-01-24")],
            )
        },
    )
    .await;

    // ---------------------------------------------------------- officers
    officer(
        db,
        "O1",
        &u.street,
        false,
        Some(("2024-01-01", "2027-12-31", Some(2024), false)),
    )
    .await;
    // Issued before 2024 and no annual check recorded: not certified in 2025.
    officer(
        db,
        "O2",
        &u.c1,
        false,
        Some(("2020-01-01", "2026-12-31", None, false)),
    )
    .await;
    officer(
        db,
        "O3",
        &u.c2,
        false,
        Some(("2020-01-01", "2026-12-31", Some(2024), false)),
    )
    .await;
    // Expires mid-year: certified at the end of Q1, not at the end of the year.
    officer(
        db,
        "O4",
        &u.street,
        false,
        Some(("2023-07-01", "2025-06-30", Some(2024), false)),
    )
    .await;
    officer(
        db,
        "O5",
        &u.street,
        true,
        Some(("2023-05-01", "2028-04-30", Some(2024), false)),
    )
    .await;
    officer(
        db,
        "O6",
        &u.c1,
        false,
        Some(("2024-03-01", "2028-02-28", None, true)),
    )
    .await;
    officer(
        db,
        "O7",
        &u.street,
        false,
        Some(("2024-01-01", "2027-12-31", None, false)),
    )
    .await;
    sqlx::query("UPDATE officers SET active = 0 WHERE code = 'O7'")
        .execute(db.pool())
        .await
        .unwrap();
    officer(
        db,
        "O8",
        &u.other_street,
        false,
        Some(("2024-01-01", "2027-12-31", None, false)),
    )
    .await;
    officer(db, "O9", &u.c2, true, None).await;
    u
}

fn app(db: &Db) -> App {
    App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2026, 1, 15))),
    )
}

fn actor(unit: &UnitRow, roles: &[Role], scope: Scope, dept: Option<DepartmentId>) -> Actor {
    Actor {
        id: UserId(900),
        login: "tester".into(),
        display_name: "测试".into(),
        roles: roles.to_vec(),
        scope,
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        unit_name: unit.name.clone(),
        department_id: dept,
    }
}

fn leader(u: &UnitRow) -> Actor {
    actor(u, &[Role::Leader], Scope::UnitSubtree, None)
}

type Expect = BTreeMap<&'static str, Option<f64>>;

/// The case types of which the seeded street has records: every one of their computed
/// indicators needs a known answer in the test.
const SEEDED_TYPES: &[&str] = &["hotline_ticket", "enforcement_case"];

/// Every computed built-in indicator must have an expected value: a new built-in indicator
/// needs a known answer here.
async fn check_all(app: &App, who: &Actor, unit: UnitId, period: &str, expect: &Expect) {
    let period: Period = period.parse().unwrap();
    let got = app
        .compute_indicators(who, unit, period, &[])
        .await
        .unwrap();
    let catalog = Catalog::embedded();
    for ind in catalog.indicators() {
        let computed_from_records = !ind.is_manual()
            && !matches!(&ind.formula, fazhi_indicators::Formula::Ratio { denominator, .. }
                if catalog.get(denominator).is_some_and(|d| d.is_manual()));
        if computed_from_records && !expect.contains_key(ind.id.as_str()) {
            // A case type of which the seeded street has no records: its counts and sums are 0
            // and its ratios, shares and durations have no value. Their values over real records
            // are checked in the case types' own tests (e.g. crates/web/tests/legal_affairs.rs).
            let (select, zero) = match &ind.formula {
                fazhi_indicators::Formula::Count(s) => (Some(s), Some(0.0)),
                fazhi_indicators::Formula::Sum { select, .. } => (Some(select), Some(0.0)),
                fazhi_indicators::Formula::Duration { select, .. }
                | fazhi_indicators::Formula::OnTime { select, .. } => (Some(select), None),
                _ => (None, None),
            };
            let case_type = match (&ind.formula, select) {
                (_, Some(s)) => Some(s.case_type.as_str()),
                (fazhi_indicators::Formula::Ratio { numerator, .. }, None) => {
                    catalog.get(numerator).and_then(|n| match &n.formula {
                        fazhi_indicators::Formula::Count(s) => Some(s.case_type.as_str()),
                        fazhi_indicators::Formula::Sum { select, .. } => {
                            Some(select.case_type.as_str())
                        }
                        _ => None,
                    })
                }
                _ => None,
            };
            assert!(
                case_type.is_some_and(|c| !SEEDED_TYPES.contains(&c)),
                "no expected value for {} ({period})",
                ind.id
            );
            let v = got.values.iter().find(|v| v.id == ind.id);
            assert_eq!(
                v.and_then(|v| v.value),
                zero,
                "{} ({period}): no records of {case_type:?}",
                ind.id
            );
        }
    }
    for (id, want) in expect {
        let v = got
            .values
            .iter()
            .find(|v| v.id == *id)
            .unwrap_or_else(|| panic!("{id} not computed"));
        match (want, v.value) {
            (Some(w), Some(g)) => {
                assert!((w - g).abs() < 1e-9, "{id} for {period}: want {w}, got {g}")
            }
            (None, None) => {}
            (w, g) => panic!("{id} for {period}: want {w:?}, got {g:?}"),
        }
    }
}

/// The seeded street has no mediation, petition or disclosure cases: their counts and sums are 0 and their
/// rates, on-time shares and durations have no value (missing is not zero). Their values over
/// real records are checked in `tests/new_case_types.rs`.
const NO_MEDIATION_OR_PETITION: &[(&str, Option<f64>)] = &[
    // No 法律明白人 in the seeded officer register.
    ("publicity.legal_understanders", Some(0.0)),
    ("mediation.applications", Some(0.0)),
    ("mediation.cases", Some(0.0)),
    ("mediation.agreed", Some(0.0)),
    ("mediation.failed", Some(0.0)),
    ("mediation.concluded", Some(0.0)),
    ("mediation.success_rate", None),
    ("mediation.amount", Some(0.0)),
    ("mediation.parties", Some(0.0)),
    ("mediation.from_referrals", Some(0.0)),
    ("mediation.confirmations", Some(0.0)),
    ("mediation.on_time_rate", None),
    ("mediation.avg_days", None),
    ("petition.registered", Some(0.0)),
    ("petition.received", Some(0.0)),
    ("petition.closed", Some(0.0)),
    ("petition.received_closed", Some(0.0)),
    ("petition.close_rate", None),
    ("petition.on_time_rate", None),
    ("petition.diverted", Some(0.0)),
    ("petition.rechecks", Some(0.0)),
    ("petition.reviews", Some(0.0)),
    ("petition.avg_days", None),
    ("disclosure.requests", Some(0.0)),
    ("disclosure.replied", Some(0.0)),
    ("disclosure.disclosed", Some(0.0)),
    ("disclosure.on_time_rate", None),
    ("disclosure.supplement_requests", Some(0.0)),
];

fn expect(pairs: &[(&'static str, Option<f64>)]) -> Expect {
    let mut e: Expect = pairs.iter().copied().collect();
    for (id, v) in NO_MEDIATION_OR_PETITION {
        e.entry(id).or_insert(*v);
    }
    e
}

fn street_2025() -> Expect {
    expect(&[
        ("hotline.received", Some(5.0)),
        ("hotline.closed", Some(4.0)),
        ("hotline.received_closed", Some(3.0)),
        ("hotline.close_rate", Some(60.0)),
        ("hotline.on_time_rate", Some(75.0)),
        ("hotline.dissatisfied", Some(1.0)),
        ("hotline.dissatisfaction_rate", Some(25.0)),
        ("hotline.satisfied", Some(3.0)),
        ("hotline.satisfaction_rate", Some(75.0)),
        ("hotline.by_category.咨询", Some(1.0)),
        ("hotline.by_category.投诉", Some(2.0)),
        ("hotline.by_category.求助", Some(1.0)),
        ("hotline.by_category.举报", Some(1.0)),
        ("hotline.by_category.建议", Some(0.0)),
        ("hotline.by_category.表扬", Some(0.0)),
        ("hotline.avg_reply_days", Some(9.0)),
        ("enforcement.filed", Some(5.0)),
        ("enforcement.filed_by_domain.城市管理", Some(2.0)),
        ("enforcement.filed_by_domain.住房建设", Some(1.0)),
        ("enforcement.filed_by_domain.水务", Some(0.0)),
        ("enforcement.filed_by_domain.生态环境", Some(1.0)),
        ("enforcement.filed_by_domain.消防", Some(1.0)),
        ("enforcement.filed_by_domain.安全生产", Some(0.0)),
        ("enforcement.filed_by_domain.市场监管", Some(0.0)),
        ("enforcement.filed_by_domain.其他", Some(0.0)),
        ("enforcement.decided", Some(6.0)),
        ("enforcement.penalties", Some(4.0)),
        ("enforcement.fines_total", Some(2500.0)),
        ("enforcement.no_penalty", Some(2.0)),
        ("enforcement.legal_reviews", Some(3.0)),
        ("enforcement.published", Some(3.0)),
        ("enforcement.published_on_time", Some(2.0)),
        ("enforcement.published_on_time_rate", Some(50.0)),
        ("enforcement.avg_decision_days", Some(35.8)),
        ("officers.total", Some(7.0)),
        ("officers.certified", Some(3.0)),
        ("officers.legal_reviewers", Some(2.0)),
        ("officers.legal_reviewer_share", Some(200.0 / 7.0)),
        // The establishment is a manual figure nobody has entered yet.
        ("officers.certified_share", None),
    ])
}

async fn every_indicator_for_the_street_a_community_and_a_quarter(db: &Db) {
    let u = seed(db).await;
    let app = app(db);
    let who = leader(&u.street);
    check_all(&app, &who, u.street.id, "2025", &street_2025()).await;

    check_all(
        &app,
        &who,
        u.c1.id,
        "2025",
        &expect(&[
            ("hotline.received", Some(2.0)),
            ("hotline.closed", Some(3.0)),
            ("hotline.received_closed", Some(2.0)),
            ("hotline.close_rate", Some(100.0)),
            ("hotline.on_time_rate", Some(100.0)),
            ("hotline.dissatisfied", Some(1.0)),
            ("hotline.dissatisfaction_rate", Some(100.0 / 3.0)),
            ("hotline.satisfied", Some(2.0)),
            ("hotline.satisfaction_rate", Some(200.0 / 3.0)),
            ("hotline.by_category.咨询", Some(1.0)),
            ("hotline.by_category.投诉", Some(1.0)),
            ("hotline.by_category.求助", Some(0.0)),
            ("hotline.by_category.举报", Some(0.0)),
            ("hotline.by_category.建议", Some(0.0)),
            ("hotline.by_category.表扬", Some(0.0)),
            ("hotline.avg_reply_days", Some(25.0 / 3.0)),
            ("enforcement.filed", Some(3.0)),
            ("enforcement.filed_by_domain.城市管理", Some(2.0)),
            ("enforcement.filed_by_domain.住房建设", Some(0.0)),
            ("enforcement.filed_by_domain.水务", Some(0.0)),
            ("enforcement.filed_by_domain.生态环境", Some(1.0)),
            ("enforcement.filed_by_domain.消防", Some(0.0)),
            ("enforcement.filed_by_domain.安全生产", Some(0.0)),
            ("enforcement.filed_by_domain.市场监管", Some(0.0)),
            ("enforcement.filed_by_domain.其他", Some(0.0)),
            ("enforcement.decided", Some(3.0)),
            ("enforcement.penalties", Some(3.0)),
            ("enforcement.fines_total", Some(2300.0)),
            ("enforcement.no_penalty", Some(0.0)),
            ("enforcement.legal_reviews", Some(2.0)),
            ("enforcement.published", Some(2.0)),
            ("enforcement.published_on_time", Some(2.0)),
            ("enforcement.published_on_time_rate", Some(100.0)),
            ("enforcement.avg_decision_days", Some(30.0)),
            ("officers.total", Some(2.0)),
            ("officers.certified", Some(0.0)),
            ("officers.legal_reviewers", Some(0.0)),
            ("officers.legal_reviewer_share", Some(0.0)),
            ("officers.certified_share", None),
        ]),
    )
    .await;

    check_all(
        &app,
        &who,
        u.street.id,
        "2025-Q1",
        &expect(&[
            ("hotline.received", Some(3.0)),
            ("hotline.closed", Some(3.0)),
            ("hotline.received_closed", Some(2.0)),
            ("hotline.close_rate", Some(200.0 / 3.0)),
            ("hotline.on_time_rate", Some(100.0)),
            ("hotline.dissatisfied", Some(1.0)),
            ("hotline.dissatisfaction_rate", Some(100.0 / 3.0)),
            ("hotline.satisfied", Some(2.0)),
            ("hotline.satisfaction_rate", Some(200.0 / 3.0)),
            ("hotline.by_category.咨询", Some(1.0)),
            ("hotline.by_category.投诉", Some(1.0)),
            ("hotline.by_category.求助", Some(1.0)),
            ("hotline.by_category.举报", Some(0.0)),
            ("hotline.by_category.建议", Some(0.0)),
            ("hotline.by_category.表扬", Some(0.0)),
            ("hotline.avg_reply_days", Some(25.0 / 3.0)),
            ("enforcement.filed", Some(2.0)),
            ("enforcement.filed_by_domain.城市管理", Some(1.0)),
            ("enforcement.filed_by_domain.住房建设", Some(0.0)),
            ("enforcement.filed_by_domain.水务", Some(0.0)),
            ("enforcement.filed_by_domain.生态环境", Some(0.0)),
            ("enforcement.filed_by_domain.消防", Some(1.0)),
            ("enforcement.filed_by_domain.安全生产", Some(0.0)),
            ("enforcement.filed_by_domain.市场监管", Some(0.0)),
            ("enforcement.filed_by_domain.其他", Some(0.0)),
            ("enforcement.decided", Some(2.0)),
            ("enforcement.penalties", Some(2.0)),
            ("enforcement.fines_total", Some(1800.0)),
            ("enforcement.no_penalty", Some(0.0)),
            ("enforcement.legal_reviews", Some(2.0)),
            ("enforcement.published", Some(2.0)),
            ("enforcement.published_on_time", Some(2.0)),
            ("enforcement.published_on_time_rate", Some(100.0)),
            ("enforcement.avg_decision_days", Some(31.0)),
            ("officers.total", Some(7.0)),
            // O4's certificate is still valid on 2025-03-31.
            ("officers.certified", Some(4.0)),
            ("officers.legal_reviewers", Some(2.0)),
            ("officers.legal_reviewer_share", Some(200.0 / 7.0)),
            ("officers.certified_share", None),
        ]),
    )
    .await;

    // A month and a custom range go through the same path.
    spot(
        &app,
        &who,
        u.street.id,
        "2025-01",
        &[
            ("hotline.received", Some(1.0)),
            ("hotline.closed", Some(2.0)),
            ("enforcement.filed", Some(1.0)),
            ("enforcement.fines_total", Some(300.0)),
        ],
    )
    .await;
    spot(
        &app,
        &who,
        u.street.id,
        "2025-02-01..2025-04-30",
        &[
            ("hotline.received", Some(2.0)),
            ("enforcement.fines_total", Some(1500.0)),
            ("enforcement.no_penalty", Some(1.0)),
        ],
    )
    .await;
}

async fn spot(app: &App, who: &Actor, unit: UnitId, period: &str, want: &[(&str, Option<f64>)]) {
    let ids: Vec<String> = want.iter().map(|(id, _)| id.to_string()).collect();
    let got = app
        .compute_indicators(who, unit, period.parse().unwrap(), &ids)
        .await
        .unwrap();
    let have: Vec<(&str, Option<f64>)> = got
        .values
        .iter()
        .map(|v| (v.id.as_str(), v.value))
        .collect();
    assert_eq!(have, want, "{period}");
}

async fn ratios_without_denominator_have_no_value(db: &Db) {
    let u = seed(db).await;
    let app = app(db);
    let who = leader(&u.street);
    // 江畔社区 had no tickets in Q3 2025; 新城社区 has no records at all.
    for (unit, period) in [(u.c2.id, "2025-Q3"), (u.c3.id, "2025")] {
        let got = app
            .compute_indicators(&who, unit, period.parse().unwrap(), &[])
            .await
            .unwrap();
        let v = |id: &str| got.values.iter().find(|v| v.id == id).unwrap();
        assert_eq!(v("hotline.received").value, Some(0.0), "counts are 0");
        assert_eq!(v("hotline.closed").value, Some(0.0));
        for id in [
            "hotline.close_rate",
            "hotline.dissatisfaction_rate",
            "hotline.satisfaction_rate",
            "hotline.on_time_rate",
            "hotline.avg_reply_days",
        ] {
            assert_eq!(
                v(id).value,
                None,
                "{id} for {period} must be missing, not 0"
            );
            assert!(!v(id).manual);
        }
        assert_eq!(
            v("hotline.close_rate").parts,
            Some((Some(0.0), Some(0.0))),
            "the parts are shown"
        );
    }
    let got = app
        .compute_indicators(
            &who,
            u.c3.id,
            "2025".parse().unwrap(),
            &[
                "officers.legal_reviewer_share".into(),
                "enforcement.fines_total".into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(got.values.len(), 2, "only what was asked");
    assert_eq!(got.values[0].value, None, "no officers: no share");
    assert_eq!(got.values[0].meets_target, None);
    assert_eq!(got.values[1].value, Some(0.0), "no fines is 0 元");
    // The report map says the same.
    let figures = app.figures_for_report(u.c3.id, 2025).await.unwrap();
    assert_eq!(figures["hotline.dissatisfaction_rate"].value, None);
    assert_eq!(figures["hotline.received"].value, Some(0.0));
}

async fn manual_figures_are_flagged_audited_and_validated(db: &Db) {
    let u = seed(db).await;
    let app = app(db);
    let who = leader(&u.street);
    let input = |indicator: &str, period: &str, value: &str, source: &str| ManualFigureInput {
        unit_code: Some("S".into()),
        indicator: indicator.into(),
        period: period.into(),
        value: value.into(),
        source: source.into(),
        note: String::new(),
    };
    // Before: no establishment, no share, and the report says so.
    let figures = app.figures_for_report(u.street.id, 2025).await.unwrap();
    let posts = &figures["officers.posts"];
    assert_eq!((posts.value, posts.manual), (None, true));
    assert_eq!(posts.source, "手工填报（未填报）");
    assert_eq!(figures["officers.certified_share"].value, None);
    assert!(figures["officers.certified_share"].manual);
    assert_eq!(figures["study.trainings"].value, None);
    assert!(!figures["hotline.received"].manual);
    assert_eq!(figures["hotline.received"].source, "平台记录");
    assert_eq!(figures["enforcement.fines_total"].value, Some(2500.0));
    assert_eq!(figures["enforcement.fines_total"].unit, "元");
    assert!(
        figures["enforcement.fines_total"]
            .definition_summary
            .contains("罚款金额")
    );

    // The importer's id is an alias of officers.posts.
    let e = app
        .enter_manual_figure(
            &who,
            &input("officers.establishment", "2025", "5", "区委编办2025年核定"),
        )
        .await
        .unwrap();
    assert_eq!(
        (e.indicator.as_str(), e.value, e.unit_label.as_str()),
        ("officers.posts", 5.0, "人")
    );
    let got = app
        .compute_indicators(
            &who,
            u.street.id,
            "2025".parse().unwrap(),
            &["officers.certified_share".into(), "officers.posts".into()],
        )
        .await
        .unwrap();
    assert_eq!(got.values[0].value, Some(60.0), "3 certified of 5 posts");
    assert!(
        got.values[0].manual,
        "a share computed from a manual figure is manual"
    );
    assert_eq!(got.values[0].parts, Some((Some(3.0), Some(5.0))));
    assert_eq!(
        (got.values[1].value, got.values[1].manual),
        (Some(5.0), true)
    );
    // Only for that unit and period.
    let q1 = app
        .compute_indicators(
            &who,
            u.street.id,
            "2025-Q1".parse().unwrap(),
            &["officers.posts".into()],
        )
        .await
        .unwrap();
    assert_eq!(q1.values[0].value, None);
    let c1 = app
        .compute_indicators(
            &who,
            u.c1.id,
            "2025".parse().unwrap(),
            &["officers.posts".into()],
        )
        .await
        .unwrap();
    assert_eq!(c1.values[0].value, None);

    // A correction supersedes; both stay.
    app.enter_manual_figure(
        &who,
        &input("officers.posts", "2025", "6", "区委编办2025年调整后核定"),
    )
    .await
    .unwrap();
    app.enter_manual_figure(
        &who,
        &input(
            "service_rating.score",
            "2025",
            "99.5",
            "广东政务服务网好差评系统",
        ),
    )
    .await
    .unwrap();
    let figures = app.figures_for_report(u.street.id, 2025).await.unwrap();
    assert_eq!(figures["officers.posts"].value, Some(6.0));
    assert_eq!(
        figures["officers.posts"].source,
        "手工填报（来源：区委编办2025年调整后核定）"
    );
    assert_eq!(figures["officers.certified_share"].value, Some(50.0));
    assert!(
        figures["officers.certified_share"]
            .source
            .contains("区委编办2025年调整后核定")
    );
    assert_eq!(figures["service_rating.score"].value, Some(99.5));
    assert!(figures["service_rating.score"].manual);

    let listed = app
        .list_manual_figures(&who, &ManualFigureQuery::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    let posts: Vec<(f64, bool)> = listed
        .iter()
        .filter(|r| r.entry.indicator == "officers.posts")
        .map(|r| (r.entry.value, r.in_force))
        .collect();
    assert_eq!(posts, vec![(6.0, true), (5.0, false)], "newest first");
    let in_force = app
        .list_manual_figures(
            &who,
            &ManualFigureQuery {
                in_force_only: true,
                indicator: Some("officers.establishment".into()),
                period: Some("2025-Q2".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(in_force.len(), 1);
    assert_eq!(in_force[0].unit_name, "望江街道");

    // Audited: one entry per figure, the correction with its "before".
    let admin = actor(&u.street, &[Role::Admin], Scope::UnitSubtree, None);
    let audit = app
        .audit_list(
            &admin,
            &AuditFilter {
                entity: Some("manual_figure".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 3);
    assert!(
        audit
            .iter()
            .all(|a| a.action == "manual_figure.enter" && a.actor == "tester")
    );
    let correction = audit
        .iter()
        .find(|a| a.after.as_deref().is_some_and(|s| s.contains("调整后")))
        .unwrap();
    assert!(
        correction
            .before
            .as_deref()
            .unwrap()
            .contains("区委编办2025年核定")
    );
    assert_eq!(fazhi_store::verify_chain(db).await.unwrap(), Ok(3));

    // Refusals, with the field named in Chinese; nothing written.
    let problems = |r: Result<_, AppError>| match r {
        Err(AppError::Invalid(p)) => p,
        other => panic!("expected field problems, got {other:?}"),
    };
    let p = problems(
        app.enter_manual_figure(&who, &input("hotline.received", "2025", "5571", "x"))
            .await,
    );
    assert_eq!(p[0].field, "indicator");
    assert!(
        p[0].message.contains("由平台根据记录计算"),
        "{}",
        p[0].message
    );
    let p = problems(
        app.enter_manual_figure(&who, &input("grid.report_rate", "2025", "120", "x"))
            .await,
    );
    assert_eq!(
        (p[0].field.as_str(), p[0].code.as_str()),
        ("value", "percent")
    );
    let p = problems(
        app.enter_manual_figure(&who, &input("study.trainings", "2025", "3.5", "x"))
            .await,
    );
    assert_eq!(p[0].code, "integer");
    let p = problems(
        app.enter_manual_figure(&who, &input("study.trainings", "2025年", "abc", "  "))
            .await,
    );
    let fields: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["period", "value", "source"],
        "all problems at once"
    );
    assert!(p.iter().all(|p| !p.message.is_empty()));
    let p = problems(
        app.enter_manual_figure(&who, &input("study.trainings", "2026-Q2", "3", "x"))
            .await,
    );
    assert_eq!(p[0].code, "future");
    let p = problems(
        app.enter_manual_figure(&who, &input("nope.nothing", "2025", "3", "x"))
            .await,
    );
    assert_eq!(p[0].code, "unknown_indicator");
    // Roles and units.
    let viewer = actor(
        &u.street,
        &[Role::Viewer, Role::Handler],
        Scope::UnitSubtree,
        None,
    );
    assert!(matches!(
        app.enter_manual_figure(&viewer, &input("study.trainings", "2025", "3", "x"))
            .await,
        Err(AppError::Forbidden(_))
    ));
    let community_leader = leader(&u.c1);
    assert!(matches!(
        app.enter_manual_figure(
            &community_leader,
            &input("study.trainings", "2025", "3", "x")
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(
        app.list_manual_figures(&who, &ManualFigureQuery::default())
            .await
            .unwrap()
            .len(),
        3,
        "refused entries wrote nothing"
    );
}

fn numbers(r: &LineageRecords) -> Vec<String> {
    match r {
        LineageRecords::Cases { rows, .. } => rows.iter().map(|r| r.number.clone()).collect(),
        LineageRecords::Officers { rows, .. } => rows.iter().map(|r| r.code.clone()).collect(),
        LineageRecords::None => Vec::new(),
    }
}

async fn lineage_lists_exactly_the_records_behind_a_figure(db: &Db) {
    let u = seed(db).await;
    let app = app(db);
    let who = leader(&u.street);
    let y2025: Period = "2025".parse().unwrap();
    let all = Page {
        offset: 0,
        limit: 100,
    };

    let l = app
        .indicator_lineage(&who, "hotline.received", u.street.id, y2025, all)
        .await
        .unwrap();
    assert_eq!(
        numbers(&l.records),
        ["H1", "H2", "H3", "H4", "H5"],
        "by date"
    );
    let LineageRecords::Cases { total, rows, .. } = &l.records else {
        panic!()
    };
    assert_eq!(*total, 5);
    assert_eq!(l.value.value, Some(5.0));
    assert_eq!(rows[0].date.as_deref(), Some("2025-01-10"));
    assert_eq!(rows[0].unit_name, "望湖社区");
    assert_eq!(l.period_label, "2025年");
    assert_eq!(
        (l.period_start.as_str(), l.period_end.as_str()),
        ("2025-01-01", "2025-12-31")
    );
    assert_eq!(l.unit_name, "望江街道");
    assert!(!l.calendar_version.is_empty());
    assert!(l.catalog_version.starts_with("builtin-"));
    assert_eq!(l.definition.id, "hotline.received");
    assert!(l.summary.starts_with("计数：12345工单"), "{}", l.summary);
    assert_eq!(l.filters, ["12345工单，按受理（登记）日期计入期间"]);
    let h: LineageHandle = l.value.lineage.parse().unwrap();
    assert_eq!(
        (h.indicator.as_str(), h.unit_id, h.period),
        ("hotline.received", u.street.id, y2025)
    );

    // Paging.
    let page = app
        .indicator_lineage(
            &who,
            "hotline.received",
            u.street.id,
            y2025,
            Page {
                offset: 2,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(numbers(&page.records), ["H3", "H4"]);

    // A ratio lists its denominator, marking the numerator.
    let l = app
        .indicator_lineage(
            &who,
            "hotline.dissatisfaction_rate",
            u.street.id,
            y2025,
            all,
        )
        .await
        .unwrap();
    let LineageRecords::Cases {
        rows, mark_label, ..
    } = &l.records
    else {
        panic!()
    };
    let marked: Vec<(&str, Option<bool>)> =
        rows.iter().map(|r| (r.number.as_str(), r.marked)).collect();
    assert_eq!(
        marked,
        [
            ("H6", Some(false)),
            ("H1", Some(true)),
            ("H2", Some(false)),
            ("H3", Some(false))
        ]
    );
    assert_eq!(mark_label.as_deref(), Some("计入分子（12345不满意工单数）"));
    assert_eq!(l.parts.len(), 2);
    assert_eq!((l.parts[0].value, l.parts[1].value), (Some(1.0), Some(4.0)));
    assert!(l.filters.is_empty() && l.summary.starts_with("比率："));

    // Filters in Chinese.
    let l = app
        .indicator_lineage(&who, "hotline.dissatisfied", u.street.id, y2025, all)
        .await
        .unwrap();
    assert_eq!(l.filters[1], "回访满意度为“不满意”");
    assert_eq!(numbers(&l.records), ["H1"]);

    // A sum shows each case's amount in 元.
    let l = app
        .indicator_lineage(&who, "enforcement.fines_total", u.street.id, y2025, all)
        .await
        .unwrap();
    let LineageRecords::Cases {
        rows, value_label, ..
    } = &l.records
    else {
        panic!()
    };
    let amounts: Vec<(&str, Option<f64>)> =
        rows.iter().map(|r| (r.number.as_str(), r.value)).collect();
    assert_eq!(
        amounts,
        [
            ("E8", Some(300.0)),
            ("E1", Some(1500.0)),
            ("E3", Some(200.0)),
            ("E6", Some(500.0))
        ]
    );
    assert_eq!(value_label.as_deref(), Some("罚款金额（元）"));

    // An on-time share: the decided clocks, marked when met; the clocks' calendar version.
    let l = app
        .indicator_lineage(
            &who,
            "enforcement.published_on_time_rate",
            u.street.id,
            y2025,
            all,
        )
        .await
        .unwrap();
    let LineageRecords::Cases { rows, .. } = &l.records else {
        panic!()
    };
    let marked: Vec<(&str, Option<bool>)> =
        rows.iter().map(|r| (r.number.as_str(), r.marked)).collect();
    assert_eq!(
        marked,
        [
            ("E8", Some(true)),
            ("E1", Some(true)),
            ("E2", Some(false)),
            ("E5", Some(false))
        ]
    );
    assert_eq!(l.clock_calendar_versions, ["cn-test-1"]);
    assert_eq!(l.value.parts, Some((Some(2.0), Some(4.0))));

    // A duration: days per case.
    let l = app
        .indicator_lineage(
            &who,
            "enforcement.avg_decision_days",
            u.street.id,
            y2025,
            all,
        )
        .await
        .unwrap();
    let LineageRecords::Cases { rows, .. } = &l.records else {
        panic!()
    };
    let days: Vec<f64> = rows.iter().filter_map(|r| r.value).collect();
    assert_eq!(days, [25.0, 37.0, 49.0, 40.0, 28.0]);

    // Officers, with the certificate that qualifies; a ratio of officers marks the numerator.
    let l = app
        .indicator_lineage(&who, "officers.certified", u.street.id, y2025, all)
        .await
        .unwrap();
    assert_eq!(numbers(&l.records), ["O1", "O3", "O5"]);
    let LineageRecords::Officers { rows, total, .. } = &l.records else {
        panic!()
    };
    assert_eq!((*total, rows[0].certificate.as_deref()), (3, Some("证O1")));
    let l = app
        .indicator_lineage(
            &who,
            "officers.legal_reviewer_share",
            u.street.id,
            y2025,
            all,
        )
        .await
        .unwrap();
    let LineageRecords::Officers { rows, .. } = &l.records else {
        panic!()
    };
    let marked: Vec<&str> = rows
        .iter()
        .filter(|r| r.marked == Some(true))
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(marked, ["O5", "O9"]);
    assert_eq!(l.value.meets_target, Some(true), "≥ 5%");
    // A share over a manual figure: the officers, and the manual part named.
    let l = app
        .indicator_lineage(&who, "officers.certified_share", u.street.id, y2025, all)
        .await
        .unwrap();
    assert_eq!(numbers(&l.records), ["O1", "O3", "O5"]);
    assert_eq!(l.manual.len(), 1);
    assert_eq!(l.manual[0].indicator, "officers.posts");
    assert!(l.manual[0].entry.is_none());
    assert!(l.value.manual);
    assert_eq!(l.value.value, None);

    // A community sees only its records; a department-scoped handler only its department's.
    let l = app
        .indicator_lineage(&who, "hotline.received", u.c2.id, y2025, all)
        .await
        .unwrap();
    assert_eq!(numbers(&l.records), ["H3", "H4"]);
    let clerk = actor(&u.street, &[Role::Handler], Scope::Department, Some(u.dept));
    let l = app
        .indicator_lineage(&clerk, "hotline.received", u.street.id, y2025, all)
        .await
        .unwrap();
    assert_eq!(numbers(&l.records), ["H1", "H2"]);
    assert_eq!(l.value.value, Some(5.0), "the figure itself is the unit's");

    // Outside one's subtree: not found; unknown ids: clear errors.
    let community = leader(&u.c1);
    assert!(matches!(
        app.indicator_lineage(&community, "hotline.received", u.street.id, y2025, all)
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.compute_indicators(&community, u.other_street.id, y2025, &[])
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.compute_indicators(&who, u.street.id, y2025, &["hotline.nothing".into()])
            .await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn every_built_in_indicator_has_its_known_value() {
    on_both!(every_indicator_for_the_street_a_community_and_a_quarter);
}

#[tokio::test]
async fn a_ratio_without_denominator_has_no_value() {
    on_both!(ratios_without_denominator_have_no_value);
}

#[tokio::test]
async fn manual_figures_are_flagged_as_manual_and_audited() {
    on_both!(manual_figures_are_flagged_audited_and_validated);
}

#[tokio::test]
async fn lineage_lists_the_records_behind_each_figure() {
    on_both!(lineage_lists_exactly_the_records_behind_a_figure);
}
