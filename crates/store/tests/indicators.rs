//! Store side of the indicators: the 0002, 0004 and 0009 migrations match, the `case_facts` rows the store
//! writes equal what the migration's backfill computes, and a condition compiled against fact
//! slots gives the same answer as the same condition read from JSON fields, events and clocks.
//! Every test runs on SQLite and on PostgreSQL (fresh database, dropped afterwards; PostgreSQL
//! unreachable fails loudly unless FAZHI_TEST_POSTGRES=skip).

use fazhi_domain::CaseId;
use fazhi_indicators::CmpOp;
use fazhi_indicators::plan::{CaseScan, Col, Cond, Measure, Operand, Param};
use fazhi_indicators::{Plan, RawResults};
use fazhi_store::cases::{self, CaseWrite, NewEvent};
use fazhi_store::{ClockRow, Db, UnitRow, org};
use serde_json::{Map, Value, json};
use sqlx::Row;

use fazhi_store::on_both;
use fazhi_store::testing::TestDb;

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

struct Case<'a> {
    case_type: &'a str,
    number: &'a str,
    unit: &'a UnitRow,
    state: &'a str,
    category: Option<&'a str>,
    created_on: &'a str,
    closed_on: Option<&'a str>,
    published: bool,
    fields: Map<String, Value>,
    /// (transition, date)
    events: Vec<(&'a str, &'a str)>,
    /// (code, status, due)
    clocks: Vec<(&'a str, &'a str, Option<&'a str>)>,
}

/// Writes a case through the store as the app does: insert with the create state, events,
/// clocks, then an update to the final state and fields.
async fn write_case(db: &Db, c: &Case<'_>) -> CaseId {
    let empty = Map::new();
    let mut tx = db.begin().await.unwrap();
    let first = CaseWrite {
        case_type: c.case_type,
        number: c.number,
        unit_id: c.unit.id,
        unit_path: &c.unit.path,
        department_id: None,
        owner_id: None,
        state: "received",
        title: c.number,
        category: c.category,
        created_on: c.created_on,
        closed_on: None,
        due_on: None,
        due_level: 0,
        published: false,
        fields: &empty,
        search_text: c.number,
        at: 1,
    };
    let id = cases::insert_case(&mut tx, &first).await.unwrap();
    for (i, (t, on)) in c.events.iter().enumerate() {
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
            due_on: due.map(String::from),
            status: status.to_string(),
            level: "normal".into(),
            calendar_version: "cal-test".into(),
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
        fields: &c.fields,
        ..first
    };
    cases::update_case(&mut tx, id, 1, &last).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// The street S with communities C1 and C2, committed.
async fn seed_units3(db: &Db) -> (UnitRow, UnitRow, UnitRow) {
    let mut tx = db.begin().await.unwrap();
    let s = org::insert_unit(&mut tx, None, "S", "望江街道", "street")
        .await
        .unwrap();
    let c1 = org::insert_unit(&mut tx, Some(&s), "C1", "望湖社区", "community")
        .await
        .unwrap();
    let c2 = org::insert_unit(&mut tx, Some(&s), "C2", "江畔社区", "community")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (s, c1, c2)
}

/// Two tickets and two enforcement cases of 2026 in C1 and C2.
fn seed_cases<'a>(c1: &'a UnitRow, c2: &'a UnitRow) -> Vec<Case<'a>> {
    vec![
        Case {
            case_type: "hotline_ticket",
            number: "RX-1",
            unit: c1,
            state: "closed",
            category: Some("投诉"),
            created_on: "2026-01-05",
            closed_on: Some("2026-01-20"),
            published: false,
            fields: fields(
                json!({"category": "投诉", "satisfaction": "不满意", "channel": "电话", "content": "噪音"}),
            ),
            events: vec![
                ("create", "2026-01-05"),
                ("dispatch", "2026-01-06"),
                ("reply", "2026-01-10"),
                ("revisit", "2026-01-20"),
            ],
            clocks: vec![("handling_limit", "met", Some("2026-01-19"))],
        },
        Case {
            case_type: "hotline_ticket",
            number: "RX-2",
            unit: c2,
            state: "handling",
            category: Some("咨询"),
            created_on: "2026-02-01",
            closed_on: None,
            published: false,
            fields: fields(json!({"category": "咨询", "channel": "微信"})),
            events: vec![("create", "2026-02-01"), ("dispatch", "2026-02-02")],
            clocks: vec![("handling_limit", "running", Some("2026-02-10"))],
        },
        Case {
            case_type: "enforcement_case",
            number: "ZF-1",
            unit: c1,
            state: "closed",
            category: None,
            created_on: "2026-01-03",
            closed_on: Some("2026-03-01"),
            published: true,
            fields: fields(json!({
                "domain": "城市管理", "outcome": "处罚", "penalty": "罚款", "procedure": "普通程序",
                "fine_amount": 150000, "paid_amount": 150000, "major_case": ["complex"]
            })),
            events: vec![
                ("create", "2026-01-03"),
                ("file", "2026-01-04"),
                ("pass_review", "2026-02-01"),
                ("decide", "2026-02-03"),
                ("publish", "2026-02-06"),
                ("publish", "2026-02-20"),
            ],
            clocks: vec![
                ("publicity_limit", "met", Some("2026-02-12")),
                ("decision_limit", "met", Some("2026-04-04")),
                ("service_limit", "met", Some("2026-02-12")),
            ],
        },
        Case {
            case_type: "enforcement_case",
            number: "ZF-2",
            unit: c2,
            state: "decided",
            category: None,
            created_on: "2026-02-10",
            closed_on: None,
            published: false,
            fields: fields(
                json!({"domain": "消防", "outcome": "不予处罚（首违）", "fine_amount": 12.5}),
            ),
            events: vec![("create", "2026-02-10"), ("decide_on_spot", "2026-02-10")],
            clocks: vec![],
        },
    ]
}

async fn seed(db: &Db) -> (UnitRow, UnitRow, UnitRow) {
    let (s, c1, c2) = seed_units3(db).await;
    for c in seed_cases(&c1, &c2) {
        write_case(db, &c).await;
    }
    (s, c1, c2)
}

const FACT_COLS: &str = "case_id, case_type, unit_path, created_day, closed_day, state, category, published, \
     txt1, txt2, txt3, txt4, num1, num2, ev1_day, ev2_day, ev3_day, ev4_day, clk1_status, clk1_due_day, clk2_status, clk2_due_day";

/// The coded columns of `case_facts` (values are codes of `fact_values`).
const CODED: [&str; 8] = [
    "state",
    "category",
    "txt1",
    "txt2",
    "txt3",
    "txt4",
    "clk1_status",
    "clk2_status",
];

fn day(d: &str) -> String {
    format!("Some({})", fazhi_indicators::facts::day_number(d).unwrap())
}

/// Every facts row, coded columns as their text (a code without a dictionary row fails the
/// inner join).
async fn fact_rows(db: &Db) -> Vec<Vec<String>> {
    let cols: Vec<String> = FACT_COLS
        .split(", ")
        .map(|c| {
            if CODED.contains(&c) {
                format!("d_{c}.value")
            } else {
                format!("f.{c}")
            }
        })
        .collect();
    let joins: String = CODED
        .iter()
        .map(|c| {
            let join = if matches!(*c, "state") {
                "JOIN"
            } else {
                "LEFT JOIN"
            };
            format!(" {join} fact_values d_{c} ON d_{c}.code = f.{c}")
        })
        .collect();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM case_facts")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let coded_without_value: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM case_facts f WHERE {}",
        CODED
            .iter()
            .map(|c| format!(
                "(f.{c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fact_values d WHERE d.code = f.{c}))"
            ))
            .collect::<Vec<_>>()
            .join(" OR ")
    )))
    .fetch_one(db.pool())
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    assert_eq!(coded_without_value, 0, "a code without a dictionary row");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM case_facts f{joins} ORDER BY f.case_id",
        cols.join(", ")
    )))
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(
        rows.len(),
        n as usize,
        "every facts row has its state's text"
    );
    rows.iter()
        .map(|r| {
            (0..22)
                .map(|i| {
                    if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
                        format!("{v:?}")
                    } else {
                        format!("{:?}", r.try_get::<Option<String>, _>(i).unwrap())
                    }
                })
                .collect()
        })
        .collect()
}

async fn backfill_matches_what_the_store_writes(db: &Db) {
    seed(db).await;
    let written = fact_rows(db).await;
    assert_eq!(written.len(), 4);
    // Spot checks of the slots (layout of crates/indicators/src/facts.rs).
    let rx1 = &written[0];
    assert_eq!(rx1[8], "Some(\"不满意\")", "txt1 = satisfaction");
    assert_eq!(rx1[3], day("2026-01-05"), "created_day");
    assert_eq!(rx1[4], day("2026-01-20"), "closed_day");
    assert_eq!(rx1[14], day("2026-01-06"), "ev1 = dispatch");
    assert_eq!(rx1[15], day("2026-01-10"), "ev2 = reply");
    assert_eq!(rx1[19], day("2026-01-19"), "clk1_due_day");
    assert_eq!(rx1[18], "Some(\"met\")");
    let zf1 = &written[2];
    assert_eq!(zf1[12], "Some(150000)", "num1 = fine_amount in fen");
    assert_eq!(zf1[17], day("2026-02-06"), "ev4 = first publish");
    assert_eq!(zf1[20], "Some(\"met\")", "clk2 = decision_limit");
    let zf2 = &written[3];
    assert_eq!(zf2[12], "None", "a non-integral amount has no integer slot");
    assert_eq!(zf2[16], day("2026-02-10"), "ev3 = decide|decide_on_spot");
    assert_eq!(zf2[18], "None", "no publicity clock");
    // The migration's backfill computes the same rows from cases, events and clocks.
    // The latest migration that (re)builds case_facts holds the backfill in force.
    let name = match db.backend() {
        fazhi_store::Backend::Sqlite => {
            include_str!("../migrations/sqlite/0009_case_facts_codes.sql")
        }
        fazhi_store::Backend::Postgres => {
            include_str!("../migrations/postgres/0009_case_facts_codes.sql")
        }
    };
    let backfill = name
        .split("-- BACKFILL BEGIN")
        .nth(1)
        .and_then(|s| s.split("-- BACKFILL END").next())
        .expect("backfill markers");
    let dictionary = fact_values(db).await;
    sqlx::query("DELETE FROM case_facts")
        .execute(db.pool())
        .await
        .unwrap();
    // Two statements (dictionary, then rows).
    sqlx::raw_sql(sqlx::AssertSqlSafe(backfill.to_string()))
        .execute(db.pool())
        .await
        .unwrap();
    assert_eq!(fact_rows(db).await, written);
    assert_eq!(
        fact_values(db).await,
        dictionary,
        "the backfill finds every value the store wrote in the dictionary"
    );
    // The dictionary is append-only.
    for sql in [
        "UPDATE fact_values SET value = 'x' WHERE code = 0",
        "DELETE FROM fact_values",
    ] {
        assert!(sqlx::query(sql).execute(db.pool()).await.is_err(), "{sql}");
    }
}

/// The dictionary: (code, value) by code.
async fn fact_values(db: &Db) -> Vec<(i64, String)> {
    sqlx::query("SELECT code, value FROM fact_values ORDER BY code")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
        .collect()
}

/// One condition both ways: against fact slots and against JSON, events and clocks.
async fn slots_and_fallbacks_agree(db: &Db) {
    let (s, _, _) = seed(db).await;
    let pairs: Vec<(&str, Cond, Cond)> = vec![
        (
            "enforcement_case",
            Cond::In(Operand::Col(Col::Text(1)), vec!["城市管理".into()]),
            Cond::In(Operand::FieldText("domain".into()), vec!["城市管理".into()]),
        ),
        (
            "enforcement_case",
            Cond::NotIn(Operand::Col(Col::Text(3)), vec!["简易程序".into()]),
            Cond::NotIn(
                Operand::FieldText("procedure".into()),
                vec!["简易程序".into()],
            ),
        ),
        (
            "enforcement_case",
            Cond::Cmp(Operand::Col(Col::Num(1)), CmpOp::Gt, Param::Real(1000.0)),
            Cond::Cmp(
                Operand::FieldNum("fine_amount".into()),
                CmpOp::Gt,
                Param::Real(1000.0),
            ),
        ),
        (
            "enforcement_case",
            Cond::Cmp(
                Operand::Col(Col::Event(3)),
                CmpOp::Ge,
                Param::Int(fazhi_indicators::facts::day_number("2026-02-01").unwrap()),
            ),
            Cond::Cmp(
                Operand::FirstEvent(vec!["decide".into(), "decide_on_spot".into()]),
                CmpOp::Ge,
                Param::Text("2026-02-01".into()),
            ),
        ),
        (
            "enforcement_case",
            Cond::IsSet(Operand::Col(Col::ClockStatus(1))),
            Cond::IsSet(Operand::ClockStatus("publicity_limit".into())),
        ),
        (
            "hotline_ticket",
            Cond::Or(vec![
                Cond::In(Operand::Col(Col::ClockStatus(1)), vec!["met".into()]),
                Cond::Cmp(
                    Operand::Col(Col::ClockDue(1)),
                    CmpOp::Lt,
                    Param::Int(fazhi_indicators::facts::day_number("2026-03-01").unwrap()),
                ),
            ]),
            Cond::Or(vec![
                Cond::In(
                    Operand::ClockStatus("handling_limit".into()),
                    vec!["met".into()],
                ),
                Cond::Cmp(
                    Operand::ClockDue("handling_limit".into()),
                    CmpOp::Lt,
                    Param::Text("2026-03-01".into()),
                ),
            ]),
        ),
        (
            "hotline_ticket",
            Cond::NotSet(Operand::Col(Col::Text(1))),
            Cond::NotSet(Operand::FieldText("satisfaction".into())),
        ),
        // Lists of three or more values (CASE arms on SQLite, IN on PostgreSQL); NULL is in no
        // list and "not in" every list.
        (
            "hotline_ticket",
            Cond::In(
                Operand::Col(Col::Text(1)),
                three(["满意", "基本满意", "不满意"]),
            ),
            Cond::In(
                Operand::FieldText("satisfaction".into()),
                three(["满意", "基本满意", "不满意"]),
            ),
        ),
        (
            "hotline_ticket",
            Cond::NotIn(
                Operand::Col(Col::Text(1)),
                three(["满意", "基本满意", "很满意"]),
            ),
            Cond::NotIn(
                Operand::FieldText("satisfaction".into()),
                three(["满意", "基本满意", "很满意"]),
            ),
        ),
        (
            "hotline_ticket",
            Cond::NotIn(
                Operand::Col(Col::Text(1)),
                three(["满意", "基本满意", "不满意"]),
            ),
            Cond::NotIn(
                Operand::FieldText("satisfaction".into()),
                three(["满意", "基本满意", "不满意"]),
            ),
        ),
    ];
    fn three(v: [&str; 3]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }
    let expected = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0, 2.0, 1.0];
    for (i, (case_type, slot, fallback)) in pairs.into_iter().enumerate() {
        let scan = |c: Cond, key: &str| CaseScan {
            case_type: case_type.into(),
            unit_path: s.path.clone(),
            window: Cond::True,
            measures: vec![(key.to_string(), Measure::Count(c))],
        };
        let plan = Plan {
            scans: vec![scan(slot, "slot"), scan(fallback, "json")],
            ..Default::default()
        };
        let RawResults { values, .. } = fazhi_store::indicators::run(db, &plan).await.unwrap();
        assert_eq!(values["slot"], Some(expected[i]), "pair {i}: {values:?}");
        assert_eq!(values["slot"], values["json"], "pair {i}");
    }
    // Sums and day averages both ways.
    let plan = Plan {
        scans: vec![CaseScan {
            case_type: "enforcement_case".into(),
            unit_path: s.path.clone(),
            window: Cond::True,
            measures: vec![
                (
                    "sum_slot".into(),
                    Measure::Sum(Cond::True, Operand::Col(Col::Num(1))),
                ),
                (
                    "sum_json".into(),
                    Measure::Sum(Cond::True, Operand::FieldNum("fine_amount".into())),
                ),
                (
                    "days_slot".into(),
                    Measure::SumDays {
                        cond: Cond::IsSet(Operand::Col(Col::Event(1))),
                        from: Operand::Col(Col::Event(1)),
                        to: Operand::Col(Col::Event(3)),
                    },
                ),
                (
                    "days_events".into(),
                    Measure::SumDays {
                        cond: Cond::IsSet(Operand::FirstEvent(vec!["file".into()])),
                        from: Operand::FirstEvent(vec!["file".into()]),
                        to: Operand::FirstEvent(vec!["decide".into()]),
                    },
                ),
                (
                    "none".into(),
                    Measure::Sum(Cond::Or(vec![]), Operand::Col(Col::Num(1))),
                ),
            ],
        }],
        ..Default::default()
    };
    let v = fazhi_store::indicators::run(db, &plan)
        .await
        .unwrap()
        .values;
    assert_eq!(v["sum_slot"], Some(150000.0));
    assert_eq!(
        v["sum_json"],
        Some(150012.5),
        "JSON reads non-integral numbers too"
    );
    assert_eq!(v["days_slot"], Some(30.0), "2026-01-04 → 2026-02-03");
    assert_eq!(v["days_events"], Some(30.0));
    assert_eq!(v["none"], None, "a sum over nothing is NULL");
}

#[tokio::test]
async fn the_migration_backfill_and_the_store_write_the_same_facts() {
    on_both!(backfill_matches_what_the_store_writes);
}

/// `insert_new_case` (the creation path: one complete facts row at insert) writes the same case,
/// event, clocks and facts rows as inserting the case and then its event and clocks one by one.
async fn new_case_in_one_step_equals_step_by_step(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    let s = org::insert_unit(&mut tx, None, "S", "望江街道", "street")
        .await
        .unwrap();
    let numbers = cases::next_numbers(&mut tx, "ZF2026", 2).await.unwrap();
    assert_eq!(numbers, ["ZF2026-000001", "ZF2026-000002"]);
    assert_eq!(
        cases::next_number(&mut tx, "ZF2026").await.unwrap(),
        "ZF2026-000003",
        "a reservation moves the sequence by its size"
    );
    let fields = fields(json!({"domain": "消防", "outcome": "处罚", "fine_amount": 50000}));
    let write = |number: &'static str| CaseWrite {
        case_type: "enforcement_case",
        number,
        unit_id: s.id,
        unit_path: &s.path,
        department_id: None,
        owner_id: None,
        state: "filed",
        title: number,
        category: None,
        created_on: "2026-02-27",
        closed_on: None,
        due_on: Some("2026-05-28"),
        due_level: 0,
        published: false,
        fields: &fields,
        search_text: number,
        at: 7,
    };
    let empty = Map::new();
    let event = |case_id| NewEvent {
        case_id,
        seq: 1,
        transition: "file",
        from_state: None,
        to_state: "filed",
        on_date: "2026-02-27",
        at: 7,
        actor_id: None,
        input: &empty,
    };
    let clocks = |case_id| {
        vec![
            ClockRow {
                case_id,
                code: "decision_limit".into(),
                label: "作出处理决定期限".into(),
                basis: "《行政处罚法》第六十条".into(),
                started_on: "2026-02-27".into(),
                due_on: Some("2026-05-28".into()),
                status: "running".into(),
                level: "normal".into(),
                calendar_version: "cal-test".into(),
                detail: json!({"unit": "natural", "days": 90}),
            },
            ClockRow {
                case_id,
                code: "unrelated".into(),
                label: "无关".into(),
                basis: "test".into(),
                started_on: "2026-02-27".into(),
                due_on: None,
                status: "running".into(),
                level: "normal".into(),
                calendar_version: "cal-test".into(),
                detail: json!({}),
            },
        ]
    };
    let a = cases::insert_case(&mut tx, &write("A")).await.unwrap();
    cases::insert_event(&mut tx, "enforcement_case", &event(a))
        .await
        .unwrap();
    cases::replace_clocks(&mut tx, a, "enforcement_case", &clocks(a))
        .await
        .unwrap();
    let b = cases::insert_new_case(&mut tx, &write("B"), &event(CaseId(0)), &clocks(CaseId(0)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_ne!(a, b);
    let facts = fact_rows(db).await;
    assert_eq!(facts.len(), 2);
    assert_eq!(
        facts[0][1..],
        facts[1][1..],
        "facts rows differ only in case_id"
    );
    assert_eq!(facts[1][14], day("2026-02-27"), "ev1 = file, set at insert");
    assert_eq!(
        facts[1][20], "Some(\"running\")",
        "clk2 = decision_limit, set at insert"
    );
    let ev_a = cases::events(db, a).await.unwrap();
    let ev_b = cases::events(db, b).await.unwrap();
    assert_eq!(ev_b.len(), 1);
    assert_eq!(ev_b[0].case_id, b);
    assert_eq!(
        (&ev_a[0].transition, &ev_a[0].on_date, ev_a[0].seq),
        (&ev_b[0].transition, &ev_b[0].on_date, ev_b[0].seq)
    );
    let k_a = cases::clocks(db, a).await.unwrap();
    let k_b = cases::clocks(db, b).await.unwrap();
    assert_eq!(k_b.len(), 2);
    for (x, y) in k_a.iter().zip(&k_b) {
        assert_eq!(y.case_id, b);
        assert_eq!(
            (&x.code, &x.due_on, &x.status, &x.detail),
            (&y.code, &y.due_on, &y.status, &y.detail)
        );
    }
}

#[tokio::test]
async fn creating_a_case_in_one_step_writes_what_the_steps_write() {
    on_both!(new_case_in_one_step_equals_step_by_step);
}

#[tokio::test]
async fn fact_slots_and_their_json_event_and_clock_fallbacks_agree() {
    on_both!(slots_and_fallbacks_agree);
}

#[tokio::test]
async fn both_0002_0004_and_0009_migrations_define_the_same_tables_and_columns() {
    use fazhi_store::testing::migration_columns as columns;
    let s = columns(include_str!("../migrations/sqlite/0002_indicators.sql"));
    let p = columns(include_str!("../migrations/postgres/0002_indicators.sql"));
    assert_eq!(s, p);
    let s4 = columns(include_str!(
        "../migrations/sqlite/0004_case_facts_days.sql"
    ));
    let p4 = columns(include_str!(
        "../migrations/postgres/0004_case_facts_days.sql"
    ));
    assert_eq!(s4, p4);
    assert!(s4.contains(&"case_facts.created_day".to_string()));
    let s9 = columns(include_str!(
        "../migrations/sqlite/0009_case_facts_codes.sql"
    ));
    let p9 = columns(include_str!(
        "../migrations/postgres/0009_case_facts_codes.sql"
    ));
    assert_eq!(s9, p9);
    for c in ["fact_values.code", "fact_values.value", "case_facts.txt1"] {
        assert!(s9.contains(&c.to_string()), "{c}");
    }
    for t in ["case_facts", "manual_figures", "reports"] {
        assert!(s.contains(&t.to_string()), "{t}");
    }
    for c in [
        "manual_figures.unit_id",
        "manual_figures.period_start",
        "manual_figures.value",
        "manual_figures.unit_label",
        "manual_figures.entered_by",
        "reports.snapshot",
        "reports.frozen_by",
        "reports.version",
    ] {
        assert!(s.contains(&c.to_string()), "{c}");
    }
}

/// Averages and nearest-rank percentiles of durations, planned from definitions (an override
/// catalogue: the built-in one has averages only).
async fn durations_average_and_percentiles(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    let s = org::insert_unit(&mut tx, None, "S", "望江街道", "street")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let delays = [1, 2, 2, 7, 30];
    let numbers: Vec<String> = (0..delays.len()).map(|i| format!("RX-{i}")).collect();
    for (i, d) in delays.iter().enumerate() {
        let reply = format!("2025-03-{:02}", 1 + d);
        write_case(
            db,
            &Case {
                case_type: "hotline_ticket",
                number: &numbers[i],
                unit: &s,
                state: "closed",
                category: Some("咨询"),
                created_on: "2025-03-01",
                closed_on: Some("2025-04-15"),
                published: false,
                fields: fields(json!({"category": "咨询"})),
                events: vec![("create", "2025-03-01"), ("reply", reply.as_str())],
                clocks: vec![],
            },
        )
        .await;
    }
    let text = r#"version = "t"
[[indicator]]
id = "t.avg"
label_zh = "平均"
unit = "天"
formula = "duration"
case_type = "hotline_ticket"
period = "closed"
from = "created"
to = "event:reply"
stat = "avg"
"#
    .to_string()
        + &[20u8, 50, 80, 90]
            .iter()
            .map(|p| {
                format!(
                    "[[indicator]]\nid = \"t.p{p}\"\nlabel_zh = \"分位\"\nunit = \"天\"\nformula = \"duration\"\n\
                     case_type = \"hotline_ticket\"\nperiod = \"closed\"\nfrom = \"created\"\n\
                     to = \"event:dispatch|reply\"\nstat = \"p{p}\"\n"
                )
            })
            .collect::<String>();
    let catalog = fazhi_indicators::Catalog::from_texts(
        &[(std::path::PathBuf::from("t.toml"), text.as_str())],
        &fazhi_workflow::Registry::embedded(),
    )
    .unwrap();
    let ids: Vec<String> = ["t.avg", "t.p20", "t.p50", "t.p80", "t.p90"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let scope = fazhi_indicators::Scope {
        unit_id: s.id.0,
        unit_path: s.path.clone(),
    };
    let check = |period: &str, want: [Option<f64>; 5]| {
        let period: fazhi_indicators::Period = period.parse().unwrap();
        let plan = fazhi_indicators::plan(
            &catalog,
            &ids,
            &scope,
            &period,
            jiff::civil::date(2026, 1, 15),
        )
        .unwrap();
        // `event:dispatch|reply` has no fact slot: the percentiles read case_events.
        assert!(
            plan.percentiles
                .iter()
                .all(|p| matches!(p.to, Operand::FirstEvent(_)))
        );
        let ids = ids.clone();
        let catalog = &catalog;
        async move {
            let raw = fazhi_store::indicators::run(db, &plan).await.unwrap();
            let v = fazhi_indicators::evaluate(catalog, &ids, &raw).unwrap();
            let got: Vec<Option<f64>> = ids.iter().map(|i| v[i].value).collect();
            assert_eq!(got, want, "{period}");
        }
    };
    check(
        "2025",
        [
            Some(42.0 / 5.0),
            Some(1.0),
            Some(2.0),
            Some(7.0),
            Some(30.0),
        ],
    )
    .await;
    check("2024", [None, None, None, None, None]).await;
}

#[tokio::test]
async fn duration_averages_and_nearest_rank_percentiles() {
    on_both!(durations_average_and_percentiles);
}

/// Counts of one condition per scan key over the subtree of `unit_path`.
async fn counts(
    db: &Db,
    case_type: &str,
    unit_path: &str,
    conds: Vec<(String, Cond)>,
) -> std::collections::BTreeMap<String, Option<f64>> {
    let plan = Plan {
        scans: vec![CaseScan {
            case_type: case_type.into(),
            unit_path: unit_path.into(),
            window: Cond::True,
            measures: conds
                .into_iter()
                .map(|(k, c)| (k, Measure::Count(c)))
                .collect(),
        }],
        ..Default::default()
    };
    fazhi_store::indicators::run(db, &plan)
        .await
        .unwrap()
        .values
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Values that no case holds (so not in the dictionary), alone and mixed with held ones, in
/// lists of every length, against coded columns with NULLs and an empty text: the same counts
/// as the JSON fallback, which compares the texts themselves.
async fn values_missing_from_the_dictionary(db: &Db) {
    let (s, c1, _) = seed(db).await;
    // A third ticket whose satisfaction is the empty text (set neither way by code 0).
    write_case(
        db,
        &Case {
            case_type: "hotline_ticket",
            number: "RX-3",
            unit: &c1,
            state: "closed",
            category: Some("求助"),
            created_on: "2026-02-03",
            closed_on: Some("2026-02-05"),
            published: false,
            fields: fields(json!({"category": "求助", "satisfaction": "", "channel": "电话"})),
            events: vec![("create", "2026-02-03")],
            clocks: vec![("handling_limit", "paused", Some("2026-02-20"))],
        },
    )
    .await;
    let dictionary: Vec<String> = fact_values(db).await.into_iter().map(|(_, v)| v).collect();
    for absent in [
        "很满意",
        "满意",
        "基本满意",
        "表扬",
        "missed",
        "nonexistent",
    ] {
        assert!(!dictionary.contains(&absent.to_string()), "{absent}");
    }
    // Satisfaction of the three tickets: 不满意, NULL, "".
    let sat = || Operand::Col(Col::Text(1));
    let json = || Operand::FieldText("satisfaction".into());
    let lists: Vec<(&str, Vec<String>, f64, f64)> = vec![
        // (name, values, in, not in)
        ("absent", strings(&["很满意"]), 0.0, 3.0),
        ("absent+held", strings(&["很满意", "不满意"]), 1.0, 2.0),
        ("two absent", strings(&["很满意", "满意"]), 0.0, 3.0),
        (
            "three absent",
            strings(&["很满意", "满意", "基本满意"]),
            0.0,
            3.0,
        ),
        (
            "three, one held",
            strings(&["满意", "不满意", "很满意"]),
            1.0,
            2.0,
        ),
        ("empty text", strings(&[""]), 1.0, 2.0),
        (
            "empty text+absent",
            strings(&["", "很满意", "满意"]),
            1.0,
            2.0,
        ),
        ("no values", vec![], 0.0, 3.0),
    ];
    let mut conds = Vec::new();
    for (name, values, _, _) in &lists {
        conds.push((format!("in {name}"), Cond::In(sat(), values.clone())));
        conds.push((format!("json in {name}"), Cond::In(json(), values.clone())));
        conds.push((format!("not in {name}"), Cond::NotIn(sat(), values.clone())));
        conds.push((
            format!("json not in {name}"),
            Cond::NotIn(json(), values.clone()),
        ));
    }
    // Equal / not equal to one value.
    let eq = |o: Operand, v: &str| Cond::Cmp(o, CmpOp::Eq, Param::Text(v.into()));
    conds.push(("eq absent".into(), eq(sat(), "很满意")));
    conds.push(("json eq absent".into(), eq(json(), "很满意")));
    conds.push(("eq held".into(), eq(sat(), "不满意")));
    conds.push(("json eq held".into(), eq(json(), "不满意")));
    conds.push(("set".into(), Cond::IsSet(sat())));
    conds.push(("json set".into(), Cond::IsSet(json())));
    conds.push(("not set".into(), Cond::NotSet(sat())));
    conds.push(("json not set".into(), Cond::NotSet(json())));
    // An ordering comparison reads the text of the code.
    conds.push((
        "gt".into(),
        Cond::Cmp(sat(), CmpOp::Gt, Param::Text("".into())),
    ));
    conds.push((
        "json gt".into(),
        Cond::Cmp(json(), CmpOp::Gt, Param::Text("".into())),
    ));
    let v = counts(db, "hotline_ticket", &s.path, conds).await;
    for (name, _, n_in, n_not_in) in &lists {
        assert_eq!(v[&format!("in {name}")], Some(*n_in), "in {name}: {v:?}");
        assert_eq!(
            v[&format!("not in {name}")],
            Some(*n_not_in),
            "not in {name}"
        );
        assert_eq!(
            v[&format!("in {name}")],
            v[&format!("json in {name}")],
            "{name}"
        );
        assert_eq!(
            v[&format!("not in {name}")],
            v[&format!("json not in {name}")],
            "{name}"
        );
    }
    for (key, want) in [
        ("eq absent", 0.0),
        ("eq held", 1.0),
        ("set", 1.0),
        ("not set", 2.0),
        ("gt", 1.0),
    ] {
        assert_eq!(v[key], Some(want), "{key}");
        assert_eq!(v[key], v[&format!("json {key}")], "{key}");
    }
    // State (never NULL), category (NULL for enforcement cases) and a clock status (NULL
    // without the clock), with values no case holds.
    let v = counts(
        db,
        "hotline_ticket",
        &s.path,
        vec![
            (
                "state in".into(),
                Cond::In(Operand::Col(Col::State), strings(&["nonexistent"])),
            ),
            (
                "state not in".into(),
                Cond::NotIn(Operand::Col(Col::State), strings(&["nonexistent"])),
            ),
            (
                "state not in closed".into(),
                Cond::NotIn(
                    Operand::Col(Col::State),
                    strings(&["nonexistent", "closed"]),
                ),
            ),
            (
                "category in".into(),
                Cond::In(Operand::Col(Col::Category), strings(&["表扬", "咨询"])),
            ),
            (
                "category not in".into(),
                Cond::NotIn(
                    Operand::Col(Col::Category),
                    strings(&["表扬", "建议", "举报"]),
                ),
            ),
            (
                "clock in".into(),
                Cond::In(
                    Operand::Col(Col::ClockStatus(1)),
                    strings(&["missed", "met"]),
                ),
            ),
            (
                "clock not in".into(),
                Cond::NotIn(
                    Operand::Col(Col::ClockStatus(1)),
                    strings(&["missed", "overdue", "met"]),
                ),
            ),
            (
                "clock json not in".into(),
                Cond::NotIn(
                    Operand::ClockStatus("handling_limit".into()),
                    strings(&["missed", "overdue", "met"]),
                ),
            ),
        ],
    )
    .await;
    assert_eq!(v["state in"], Some(0.0));
    assert_eq!(v["state not in"], Some(3.0));
    assert_eq!(v["state not in closed"], Some(1.0), "RX-2 is handling");
    assert_eq!(v["category in"], Some(1.0));
    assert_eq!(v["category not in"], Some(3.0));
    assert_eq!(v["clock in"], Some(1.0));
    assert_eq!(v["clock not in"], Some(2.0), "running and paused");
    assert_eq!(v["clock not in"], v["clock json not in"]);
    let v = counts(
        db,
        "enforcement_case",
        &s.path,
        vec![
            (
                "category not in".into(),
                Cond::NotIn(Operand::Col(Col::Category), strings(&["表扬"])),
            ),
            (
                "category in".into(),
                Cond::In(Operand::Col(Col::Category), strings(&["表扬"])),
            ),
            (
                "publicity not in".into(),
                Cond::NotIn(Operand::Col(Col::ClockStatus(1)), strings(&["missed"])),
            ),
        ],
    )
    .await;
    assert_eq!(v["category not in"], Some(2.0), "NULL is in no list");
    assert_eq!(v["category in"], Some(0.0));
    assert_eq!(v["publicity not in"], Some(2.0), "met, and no clock");
}

#[tokio::test]
async fn filter_values_missing_from_the_dictionary_match_no_row() {
    on_both!(values_missing_from_the_dictionary);
}

/// Inserts a ticket in `tx` (not committed) whose satisfaction and category are `satisfaction`
/// and `category`.
async fn insert_ticket(
    tx: &mut fazhi_store::Tx,
    unit: &UnitRow,
    number: &str,
    satisfaction: &str,
    category: &str,
) -> CaseId {
    let f = fields(json!({"category": category, "satisfaction": satisfaction}));
    cases::insert_case(
        tx,
        &CaseWrite {
            case_type: "hotline_ticket",
            number,
            unit_id: unit.id,
            unit_path: &unit.path,
            department_id: None,
            owner_id: None,
            state: "closed",
            title: number,
            category: Some(category),
            created_on: "2026-03-02",
            closed_on: Some("2026-03-03"),
            due_on: None,
            due_level: 0,
            published: false,
            fields: &f,
            search_text: number,
            at: 1,
        },
    )
    .await
    .unwrap()
}

/// Tickets per satisfaction and per category, from the coded slots.
async fn ticket_counts(db: &Db, unit: &UnitRow, values: &[&str]) -> Vec<f64> {
    let conds = values
        .iter()
        .map(|v| {
            (
                v.to_string(),
                Cond::Or(vec![
                    Cond::In(Operand::Col(Col::Text(1)), strings(&[v])),
                    Cond::In(Operand::Col(Col::Category), strings(&[v])),
                ]),
            )
        })
        .collect();
    let got = counts(db, "hotline_ticket", &unit.path, conds).await;
    values.iter().map(|v| got[*v].unwrap()).collect()
}

/// A write that gives a new value a code and then rolls back leaves no cached code behind.
/// SQLite gives the same number to the next new value, so a cached code of the rolled-back
/// value would later file that value under the other one.
async fn rolled_back_codes_are_not_cached(db: &Db) {
    let (_, unit, _) = fazhi_store::testing::seed_units(db).await;
    // Rolled back explicitly, then dropped without commit.
    let mut tx = db.begin().await.unwrap();
    insert_ticket(&mut tx, &unit, "R-1", "很满意", "回滚类别").await;
    tx.rollback().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    insert_ticket(&mut tx, &unit, "R-2", "很满意", "回滚类别").await;
    drop(tx);
    // A different new value, committed.
    let mut tx = db.begin().await.unwrap();
    insert_ticket(&mut tx, &unit, "C-1", "一般", "建议").await;
    tx.commit().await.unwrap();
    assert_eq!(
        ticket_counts(db, &unit, &["很满意", "一般", "回滚类别", "建议"]).await,
        [0.0, 1.0, 0.0, 1.0]
    );
    // The rolled-back value, committed now.
    let mut tx = db.begin().await.unwrap();
    insert_ticket(&mut tx, &unit, "C-2", "很满意", "投诉").await;
    tx.commit().await.unwrap();
    assert_eq!(
        ticket_counts(db, &unit, &["很满意", "一般", "回滚类别", "投诉"]).await,
        [1.0, 1.0, 0.0, 1.0]
    );

    // The same inside a group of concurrent writers (on SQLite one group transaction when the
    // writers queue up in time: A commits into it, B rolls back its savepoint, C commits).
    let a_tx = db.begin().await.unwrap();
    let spawn = |number: &'static str, satisfaction: &'static str, commit: bool| {
        let db = db.clone();
        let unit = unit.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            insert_ticket(&mut tx, &unit, number, satisfaction, "求助").await;
            if commit {
                tx.commit().await.unwrap();
            } else {
                tx.rollback().await.unwrap();
            }
        })
    };
    let b = spawn("G-B", "组内回滚", false);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let c = spawn("G-C", "组内提交", true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mut a_tx = a_tx;
    insert_ticket(&mut a_tx, &unit, "G-A", "组内先行", "求助").await;
    a_tx.commit().await.unwrap();
    b.await.unwrap();
    c.await.unwrap();
    assert_eq!(
        ticket_counts(db, &unit, &["组内先行", "组内回滚", "组内提交", "求助"]).await,
        [1.0, 0.0, 1.0, 2.0]
    );
    let mut tx = db.begin().await.unwrap();
    insert_ticket(&mut tx, &unit, "G-D", "组内回滚", "求助").await;
    tx.commit().await.unwrap();
    assert_eq!(
        ticket_counts(db, &unit, &["组内先行", "组内回滚", "组内提交", "求助"]).await,
        [1.0, 1.0, 1.0, 3.0]
    );
    // Every row reads back its own values.
    let rows = fact_rows(db).await;
    let satisfaction: Vec<&str> = rows.iter().map(|r| r[8].as_str()).collect();
    assert_eq!(
        satisfaction,
        [
            "Some(\"一般\")",
            "Some(\"很满意\")",
            "Some(\"组内先行\")",
            "Some(\"组内提交\")",
            "Some(\"组内回滚\")",
        ]
    );
    let values = fact_values(db).await;
    assert!(
        !values.iter().any(|(_, v)| v == "回滚类别"),
        "a rolled-back value is not in the dictionary: {values:?}"
    );
}

#[tokio::test]
async fn a_rolled_back_write_leaves_no_cached_code() {
    on_both!(rolled_back_codes_are_not_cached);
}

/// Expanded groups (tickets by category, filings by domain) count per value and carry the value
/// in their ids; a value no case holds is 0; the records behind a member show texts.
async fn groups_by_value(db: &Db) {
    let (s, _, _) = seed(db).await;
    let catalog = fazhi_indicators::Catalog::embedded();
    let scope = fazhi_indicators::Scope {
        unit_id: s.id.0,
        unit_path: s.path.clone(),
    };
    let period: fazhi_indicators::Period = "2026".parse().unwrap();
    let as_of = jiff::civil::date(2026, 3, 15);
    for (group, want) in [
        (
            "hotline.by_category",
            vec![
                ("咨询", 1.0),
                ("投诉", 1.0),
                ("求助", 0.0),
                ("举报", 0.0),
                ("建议", 0.0),
                ("表扬", 0.0),
            ],
        ),
        (
            "enforcement.filed_by_domain",
            vec![
                ("城市管理", 1.0),
                ("住房建设", 0.0),
                ("水务", 0.0),
                ("生态环境", 0.0),
                ("消防", 0.0),
                ("安全生产", 0.0),
                ("市场监管", 0.0),
                ("其他", 0.0),
            ],
        ),
    ] {
        let ids: Vec<String> = catalog.group(group).iter().map(|i| i.id.clone()).collect();
        let plan = fazhi_indicators::plan(&catalog, &ids, &scope, &period, as_of).unwrap();
        let raw = fazhi_store::indicators::run(db, &plan).await.unwrap();
        let values = fazhi_indicators::evaluate(&catalog, &ids, &raw).unwrap();
        let got: std::collections::BTreeMap<&str, f64> = ids
            .iter()
            .map(|id| {
                let value = id.strip_prefix(&format!("{group}.")).unwrap();
                (value, values[id].value.unwrap())
            })
            .collect();
        assert_eq!(got, want.into_iter().collect(), "{group}");
    }
    let source =
        fazhi_indicators::records(&catalog, "hotline.by_category.投诉", &scope, &period, as_of)
            .unwrap();
    let fazhi_indicators::RecordSource::Cases(q) = source else {
        panic!("case records expected: {source:?}")
    };
    let (rows, total) = fazhi_store::indicators::case_records(
        db,
        &q,
        &fazhi_store::indicators::Restrict::default(),
        0,
        50,
    )
    .await
    .unwrap();
    assert_eq!(total, 1);
    assert_eq!(
        (rows[0].number.as_str(), rows[0].state.as_str()),
        ("RX-1", "closed")
    );
    assert_eq!(rows[0].date.as_deref(), Some("2026-01-05"));
}

#[tokio::test]
async fn expanded_groups_count_per_value_text() {
    on_both!(groups_by_value);
}

/// Every built-in indicator of 2026 for the street of `seed`, as computed.
async fn all_figures(db: &Db, s: &UnitRow) -> std::collections::BTreeMap<String, Option<f64>> {
    let catalog = fazhi_indicators::Catalog::embedded();
    let ids: Vec<String> = catalog.indicators().map(|i| i.id.clone()).collect();
    let scope = fazhi_indicators::Scope {
        unit_id: s.id.0,
        unit_path: s.path.clone(),
    };
    let plan = fazhi_indicators::plan(
        &catalog,
        &ids,
        &scope,
        &"2026".parse().unwrap(),
        jiff::civil::date(2026, 3, 15),
    )
    .unwrap();
    let raw = fazhi_store::indicators::run(db, &plan).await.unwrap();
    fazhi_indicators::evaluate(&catalog, &ids, &raw)
        .unwrap()
        .into_iter()
        .map(|(id, c)| (id, c.value))
        .collect()
}

/// Writes a case's rows as a version before migration 0009 left them: the case, event and clock
/// rows directly, the facts by the backfill of migration 0004 (which a test of that version
/// checked against the store's writes of then).
async fn write_case_rows(db: &Db, c: &Case<'_>) {
    let id: i64 = sqlx::query(
        "INSERT INTO cases (case_type, number, unit_id, unit_path, state, title, category, created_on, \
         closed_on, due_level, published, fields, search_text, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, 2, 1, 1) RETURNING id",
    )
    .bind(c.case_type)
    .bind(c.number)
    .bind(c.unit.id.0)
    .bind(&c.unit.path)
    .bind(c.state)
    .bind(c.number)
    .bind(c.category)
    .bind(c.created_on)
    .bind(c.closed_on)
    .bind(c.published as i64)
    .bind(Value::Object(c.fields.clone()).to_string())
    .bind(c.number)
    .fetch_one(db.pool())
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    for (i, (t, on)) in c.events.iter().enumerate() {
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, transition, from_state, to_state, on_date, at, actor_id, input) \
             VALUES ($1, $2, $3, NULL, $4, $5, 1, NULL, '{}')",
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(*t)
        .bind(c.state)
        .bind(*on)
        .execute(db.pool())
        .await
        .unwrap();
    }
    for (code, status, due) in &c.clocks {
        sqlx::query(
            "INSERT INTO case_clocks (case_id, code, label, basis, started_on, due_on, status, level, calendar_version, detail) \
             VALUES ($1, $2, $2, 'test', $3, $4, $5, 'normal', 'cal-test', '{}')",
        )
        .bind(id)
        .bind(*code)
        .bind(c.created_on)
        .bind(*due)
        .bind(*status)
        .execute(db.pool())
        .await
        .unwrap();
    }
}

/// A fresh database migrated up to 0008 (no dictionary, text in `case_facts`).
async fn migrated_to_0008(backend: fazhi_store::Backend) -> Option<TestDb> {
    let t = match backend {
        fazhi_store::Backend::Sqlite => TestDb::sqlite_unmigrated().await,
        fazhi_store::Backend::Postgres => TestDb::postgres_unmigrated().await?,
    };
    let folder = match backend {
        fazhi_store::Backend::Sqlite => "sqlite",
        fazhi_store::Backend::Postgres => "postgres",
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    sqlx::migrate::Migrator::new(path)
        .await
        .unwrap()
        .run_to(8, t.db.pool())
        .await
        .unwrap();
    Some(t)
}

/// Cases written before migration 0009 (text in `case_facts`) give, after it, the same facts
/// and the same figures as the same cases written by the store of now.
async fn migration_keeps_the_figures(db: &Db) {
    let (s, _, _) = seed(db).await;
    let want = all_figures(db, &s).await;
    assert_eq!(want["hotline.received"], Some(2.0));
    assert_eq!(want["enforcement.filed"], Some(1.0));
    let want_facts = fact_rows(db).await;
    let Some(old) = migrated_to_0008(db.backend()).await else {
        return;
    };
    let (os, c1, c2) = seed_units3(&old.db).await;
    assert_eq!(os, s, "the same unit ids and paths in both databases");
    for c in seed_cases(&c1, &c2) {
        write_case_rows(&old.db, &c).await;
    }
    let v4 = match db.backend() {
        fazhi_store::Backend::Sqlite => {
            include_str!("../migrations/sqlite/0004_case_facts_days.sql")
        }
        fazhi_store::Backend::Postgres => {
            include_str!("../migrations/postgres/0004_case_facts_days.sql")
        }
    };
    let backfill = v4
        .split("-- BACKFILL BEGIN")
        .nth(1)
        .and_then(|s| s.split("-- BACKFILL END").next())
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(backfill.to_string()))
        .execute(old.db.pool())
        .await
        .unwrap();
    let text: Option<String> =
        sqlx::query("SELECT txt1 FROM case_facts WHERE txt1 IS NOT NULL ORDER BY case_id")
            .fetch_optional(old.db.pool())
            .await
            .unwrap()
            .map(|r| r.try_get(0).unwrap());
    assert_eq!(text.as_deref(), Some("不满意"), "text before 0009");
    old.db.migrate().await.unwrap();
    assert_eq!(fact_rows(&old.db).await, want_facts);
    assert_eq!(all_figures(&old.db, &s).await, want);
    old.cleanup().await;
}

#[tokio::test]
async fn cases_written_before_0009_give_the_same_figures_after_it() {
    on_both!(migration_keeps_the_figures);
}
