//! The month rollup of the facts (`case_facts_rollup`, migration 0010): the triggers keep it equal
//! to the facts grouped by month through inserts, updates (state, unit, dates, clocks), deletes
//! and rollbacks; the migration builds it for facts written before it; and the figures read
//! through it equal the figures of a facts-only scan for every period and unit subtree, aligned
//! with months or not. Every test runs on SQLite and on PostgreSQL (fresh database, dropped
//! afterwards; PostgreSQL unreachable fails loudly unless FAZHI_TEST_POSTGRES=skip).

use fazhi_domain::CaseId;
use fazhi_indicators::CmpOp;
use fazhi_indicators::facts::Layouts;
use fazhi_indicators::plan::{CaseScan, Col, Cond, Measure, Operand, Param};
use fazhi_indicators::{Catalog, Period, Plan, RawResults, Scope};
use fazhi_store::cases::{self, CaseWrite, NewEvent};
use fazhi_store::indicators::{ScanStats, run_with, schema};
use fazhi_store::testing::TestDb;
use fazhi_store::{Backend, ClockRow, Db, UnitRow, on_both, org};
use serde_json::{Map, Value, json};
use sqlx::Row;

const MIGRATION_SQLITE: &str = include_str!("../migrations/sqlite/0010_case_facts_rollup.sql");
const MIGRATION_POSTGRES: &str = include_str!("../migrations/postgres/0010_case_facts_rollup.sql");

/// One case as the tests write it.
#[derive(Debug, Clone)]
struct Case {
    case_type: &'static str,
    number: String,
    unit: UnitRow,
    state: &'static str,
    category: Option<&'static str>,
    created_on: String,
    closed_on: Option<String>,
    published: bool,
    fields: Map<String, Value>,
    /// (transition, date)
    events: Vec<(&'static str, String)>,
    /// (code, status, due)
    clocks: Vec<(&'static str, &'static str, Option<String>)>,
}

fn write_of<'a>(c: &'a Case, fields: &'a Map<String, Value>) -> CaseWrite<'a> {
    CaseWrite {
        case_type: c.case_type,
        number: &c.number,
        unit_id: c.unit.id,
        unit_path: &c.unit.path,
        department_id: None,
        owner_id: None,
        state: "received",
        title: &c.number,
        category: c.category,
        created_on: &c.created_on,
        closed_on: None,
        due_on: None,
        due_level: 0,
        published: false,
        fields,
        search_text: &c.number,
        at: 1,
    }
}

fn clock_rows(id: CaseId, c: &Case) -> Vec<ClockRow> {
    c.clocks
        .iter()
        .map(|(code, status, due)| ClockRow {
            case_id: id,
            code: code.to_string(),
            label: code.to_string(),
            basis: "test".into(),
            started_on: c.created_on.clone(),
            due_on: due.clone(),
            status: status.to_string(),
            level: "normal".into(),
            calendar_version: "cal-test".into(),
            detail: json!({}),
        })
        .collect()
}

/// Writes a case in `tx` as the app does: insert in the create state, events, clocks, then an
/// update to its state, closing day, publication and fields.
async fn write_in(tx: &mut fazhi_store::Tx, c: &Case) -> CaseId {
    let empty = Map::new();
    let first = write_of(c, &empty);
    let id = cases::insert_case(tx, &first).await.unwrap();
    for (i, (t, on)) in c.events.iter().enumerate() {
        cases::insert_event(
            tx,
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
    cases::replace_clocks(tx, id, c.case_type, &clock_rows(id, c))
        .await
        .unwrap();
    let last = CaseWrite {
        state: c.state,
        closed_on: c.closed_on.as_deref(),
        published: c.published,
        fields: &c.fields,
        ..first
    };
    cases::update_case(tx, id, 1, &last).await.unwrap();
    id
}

async fn write(db: &Db, c: &Case) -> CaseId {
    let mut tx = db.begin().await.unwrap();
    let id = write_in(&mut tx, c).await;
    tx.commit().await.unwrap();
    id
}

/// The street S with communities C1 and C2, committed.
async fn units(db: &Db) -> (UnitRow, UnitRow, UnitRow) {
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

fn date(day: i64) -> String {
    fazhi_indicators::facts::date_of_day(day).unwrap()
}

fn day(d: &str) -> i64 {
    fazhi_indicators::facts::day_number(d).unwrap()
}

/// A deterministic mix of tickets and enforcement cases from December 2025 to April 2026 in the
/// street itself and its two communities: open and closed, every satisfaction, clocks running,
/// met, missed and paused with due days on both sides of month ends, amounts or none. Two fixed
/// decisions have publicity clocks still running, due before and after 2026-02-17.
fn cases(units: &[&UnitRow; 3]) -> Vec<Case> {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let start = day("2025-12-01");
    let span = (day("2026-04-30") - start + 1) as u64;
    let mut out = Vec::new();
    for i in 0..60 {
        let created = start + next(span) as i64;
        let closed = (next(10) < 7).then(|| created + next(40) as i64);
        let category = ["咨询", "投诉", "求助", "举报", "建议", "表扬"][next(6) as usize];
        let mut fields = json!({"category": category, "channel": "电话"});
        if closed.is_some() && next(4) > 0 {
            fields["satisfaction"] = json!(["满意", "基本满意", "不满意"][next(3) as usize]);
        }
        let mut events = vec![("create", date(created)), ("dispatch", date(created + 1))];
        if let Some(c) = closed {
            events.push(("reply", date(created + (c - created) / 2)));
            events.push(("revisit", date(c)));
            if next(5) == 0 {
                events.push(("reopen", date(c)));
            }
        }
        let status = ["running", "met", "missed", "paused", "overdue"][next(5) as usize];
        out.push(Case {
            case_type: "hotline_ticket",
            number: format!("RX-{i}"),
            unit: units[(i % 3) as usize].clone(),
            state: if closed.is_some() {
                "closed"
            } else {
                "handling"
            },
            category: Some(category),
            created_on: date(created),
            closed_on: closed.map(date),
            published: false,
            fields: fields.as_object().unwrap().clone(),
            events,
            clocks: vec![(
                "handling_limit",
                status,
                Some(date(created + 8 + next(15) as i64)),
            )],
        });
    }
    for i in 0..30 {
        let created = start + next(span) as i64;
        let domain = ["城市管理", "消防", "住房建设", "生态环境"][next(4) as usize];
        let outcome = ["处罚", "不予处罚（首违）", "不予处罚（轻微）"][next(3) as usize];
        let mut fields = json!({"domain": domain, "outcome": outcome, "procedure": "普通程序"});
        if outcome == "处罚" && next(3) > 0 {
            fields["fine_amount"] = json!(10_000 * (1 + next(20)));
            fields["penalty"] = json!("罚款");
        }
        let mut events = vec![("create", date(created))];
        let on_spot = next(5) == 0;
        let decided = created + 20 + next(40) as i64;
        let mut clocks = Vec::new();
        if !on_spot {
            events.push(("file", date(created + 1)));
            events.push(("pass_review", date(created + 15)));
            events.push(("decide", date(decided)));
            clocks.push((
                "decision_limit",
                ["met", "running"][next(2) as usize],
                Some(date(created + 91)),
            ));
        } else {
            events.push(("decide_on_spot", date(decided)));
        }
        let published = next(2) == 0;
        if published {
            events.push(("publish", date(decided + 3 + next(10) as i64)));
        }
        if !on_spot {
            let status = if published {
                ["met", "missed"][next(2) as usize]
            } else {
                "running"
            };
            clocks.push(("publicity_limit", status, Some(date(decided + 7))));
        }
        out.push(Case {
            case_type: "enforcement_case",
            number: format!("ZF-{i}"),
            unit: units[(i % 3) as usize].clone(),
            state: if published { "closed" } else { "decided" },
            category: None,
            created_on: date(created),
            closed_on: published.then(|| date(decided + 20)),
            published,
            fields: fields.as_object().unwrap().clone(),
            events,
            clocks,
        });
    }
    for (n, due) in [(100, "2026-02-14"), (101, "2026-02-25")] {
        out.push(Case {
            case_type: "enforcement_case",
            number: format!("ZF-{n}"),
            unit: units[1].clone(),
            state: "decided",
            category: None,
            created_on: "2026-01-10".into(),
            closed_on: None,
            published: false,
            fields: json!({"domain": "消防", "outcome": "处罚", "fine_amount": 50_000})
                .as_object()
                .unwrap()
                .clone(),
            events: vec![
                ("create", "2026-01-10".into()),
                ("file", "2026-01-11".into()),
                ("decide", "2026-02-05".into()),
            ],
            clocks: vec![("publicity_limit", "running", Some(due.into()))],
        });
    }
    // Every case twice, so that groups hold more than one case and a case leaving one leaves
    // the group behind (its sums must lose exactly that case's part).
    let twins: Vec<Case> = out
        .iter()
        .map(|c| Case {
            number: format!("{}-B", c.number),
            ..c.clone()
        })
        .collect();
    out.extend(twins);
    out
}

/// The rollup rows, and the rows the generated backfill computes from the facts as they are
/// now, both sorted (every column as text).
async fn rollup_and_regrouped(db: &Db) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let backfill =
        schema::rollup_backfill_sql(db.backend(), db.layouts(), "rollup_expected").unwrap();
    let columns = backfill
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(cols, _)| cols.to_string())
        .unwrap();
    sqlx::query("CREATE TABLE rollup_expected AS SELECT * FROM case_facts_rollup WHERE 1 = 0")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(backfill))
        .execute(db.pool())
        .await
        .unwrap();
    let read = |table: &'static str| {
        let columns = columns.clone();
        async move {
            let mut rows: Vec<Vec<String>> = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {columns} FROM {table}"
            )))
            .fetch_all(db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (0..r.columns().len())
                    .map(|i| match r.try_get::<i64, _>(i) {
                        Ok(v) => v.to_string(),
                        Err(_) => r.try_get::<String, _>(i).unwrap(),
                    })
                    .collect()
            })
            .collect();
            rows.sort();
            rows
        }
    };
    let have = read("case_facts_rollup").await;
    let want = read("rollup_expected").await;
    sqlx::query("DROP TABLE rollup_expected")
        .execute(db.pool())
        .await
        .unwrap();
    (have, want)
}

/// The rollup holds exactly the facts grouped by month.
async fn assert_rollup_consistent(db: &Db, what: &str) {
    let (have, want) = rollup_and_regrouped(db).await;
    assert_eq!(
        have, want,
        "{what}: rollup differs from the facts regrouped"
    );
}

/// Every built-in figure (raw values) of a period for a unit subtree, through the rollup and from
/// the facts alone; they must be equal. Returns the values and how the rollup path computed them.
async fn both_ways(db: &Db, unit: &UnitRow, period: &str, as_of: &str) -> (RawResults, ScanStats) {
    both_ways_with(&Catalog::embedded(), db, unit, period, as_of).await
}

/// [`both_ways`] with a catalogue (and its facts layouts).
async fn both_ways_with(
    catalog: &Catalog,
    db: &Db,
    unit: &UnitRow,
    period: &str,
    as_of: &str,
) -> (RawResults, ScanStats) {
    // Indicators the rollup does not hold yet are computed from the facts on both paths.
    let ids: Vec<String> = catalog
        .indicators()
        .map(|i| i.id.clone())
        .filter(|id| {
            let off = fazhi_indicators::months::off_rollup;
            !off(id) && !catalog.get(id).is_some_and(|i| {
                matches!(&i.formula, fazhi_indicators::Formula::Ratio { numerator, denominator, .. }
                        if off(numerator) || off(denominator))
            })
        })
        .collect();
    let scope = Scope {
        unit_id: unit.id.0,
        unit_path: unit.path.clone(),
    };
    let p: Period = period.parse().unwrap();
    let plan = fazhi_indicators::plan(catalog, &ids, &scope, &p, as_of.parse().unwrap()).unwrap();
    let (rolled, stats) = run_with(db, &plan, true).await.unwrap();
    let (facts, facts_stats) = run_with(db, &plan, false).await.unwrap();
    assert_eq!(
        facts_stats.rollup_statements, 0,
        "the facts path reads no rollup"
    );
    assert_eq!(
        rolled, facts,
        "{period} as of {as_of} for {}: rollup {stats:?}",
        unit.path
    );
    (rolled, stats)
}

fn value(r: &RawResults, key: &str) -> f64 {
    r.values[key].unwrap_or_else(|| panic!("{key} has no value"))
}

/// Tickets of the generated data created in [from, to] within a unit subtree.
fn received(cases: &[Case], path: &str, from: &str, to: &str) -> f64 {
    cases
        .iter()
        .filter(|c| {
            c.case_type == "hotline_ticket"
                && c.unit.path.starts_with(path)
                && c.created_on.as_str() >= from
                && c.created_on.as_str() <= to
        })
        .count() as f64
}

async fn same_figures_for_every_period_and_subtree(db: &Db) {
    let (s, c1, c2) = units(db).await;
    let all = cases(&[&s, &c1, &c2]);
    let mut ids = Vec::new();
    for c in &all {
        ids.push(write(db, c).await);
    }
    assert_rollup_consistent(db, "after writing").await;
    let groups: i64 = sqlx::query("SELECT COUNT(*) FROM case_facts_rollup WHERE n > 1")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert!(groups >= 40, "groups of more than one case: {groups}");
    let periods = [
        ("2026", "2026-01-01", "2026-12-31", true),
        ("2026-Q1", "2026-01-01", "2026-03-31", true),
        ("2026-02", "2026-02-01", "2026-02-28", true),
        ("2025-12", "2025-12-01", "2025-12-31", true),
        ("2026-01-01..2026-02-28", "2026-01-01", "2026-02-28", true),
        ("2026-01-05..2026-02-10", "2026-01-05", "2026-02-10", false),
        ("2026-02-10..2026-02-10", "2026-02-10", "2026-02-10", false),
        ("2025-12-15..2026-03-14", "2025-12-15", "2026-03-14", false),
        ("2026-01-01..2026-03-20", "2026-01-01", "2026-03-20", false),
    ];
    let mut some_remainder = false;
    for (period, from, to, aligned) in periods {
        for unit in [&s, &c1, &c2] {
            for as_of in ["2026-05-01", "2026-02-17"] {
                let (v, stats) = both_ways(db, unit, period, as_of).await;
                // Not vacuous: the count matches the data.
                assert_eq!(
                    value(&v, "hotline.received"),
                    received(&all, &unit.path, from, to),
                    "{period} {}",
                    unit.path
                );
                assert!(stats.rollup + stats.rollup_and_facts > 0, "{stats:?}");
                assert_eq!(stats.facts, 0, "every built-in measure has month bounds");
                if aligned && as_of == "2026-05-01" {
                    // Decided by the rollup alone: no facts statement at all.
                    assert_eq!(
                        (stats.rollup_and_facts, stats.facts_statements),
                        (0, 0),
                        "{period} {}",
                        unit.path
                    );
                }
                some_remainder |= stats.rollup_and_facts > 0;
            }
        }
    }
    assert!(some_remainder, "unaligned periods read remainders");
    let (v, stats) = both_ways(db, &s, "2026", "2026-02-17").await;
    assert!(
        stats.rollup_and_facts > 0,
        "the running publicity clocks due in February are decided by the facts"
    );
    let (v0, _) = both_ways(db, &s, "2026", "2026-05-01").await;
    let key = "enforcement.published_on_time_rate#decided";
    // Decided in 2026, publicity clock running and due from 2026-02-17 on: overdue on
    // 2026-05-01 but not yet on 2026-02-17 (ZF-101 among them, ZF-100 not).
    let pending = all
        .iter()
        .filter(|c| {
            let decided = c
                .events
                .iter()
                .find(|(t, _)| matches!(*t, "decide" | "decide_on_spot"))
                .map(|(_, d)| d.as_str());
            let running_due = c.clocks.iter().find_map(|(k, status, due)| {
                (*k == "publicity_limit" && *status == "running").then_some(due.as_deref())
            });
            decided.is_some_and(|d| d.starts_with("2026"))
                && running_due
                    .flatten()
                    .is_some_and(|d| ("2026-02-17".."2026-05-01").contains(&d))
        })
        .count();
    assert!(pending >= 1);
    assert_eq!(value(&v0, key) - value(&v, key), pending as f64);

    // Conditions beyond the catalogue: equal, before and after a day, unset dates, lists, the
    // published flag, sums of amounts and days, with measures only the facts can compute (an
    // amount comparison, JSON fields, columns the rollup does not hold for the case type) in the
    // same scans.
    let d = |s: &str| Param::Int(day(s));
    let closed = || Operand::Col(Col::ClosedOn);
    let mut measures = vec![
        ("closed eq", Cond::Cmp(closed(), CmpOp::Eq, d("2026-02-03"))),
        ("closed gt", Cond::Cmp(closed(), CmpOp::Gt, d("2026-01-31"))),
        (
            "closed gt mid",
            Cond::Cmp(closed(), CmpOp::Gt, d("2026-01-20")),
        ),
        ("closed lt", Cond::Cmp(closed(), CmpOp::Lt, d("2026-03-01"))),
        (
            "closed lt mid",
            Cond::Cmp(closed(), CmpOp::Lt, d("2026-03-09")),
        ),
        ("not closed", Cond::NotSet(closed())),
        (
            "open or late",
            Cond::Or(vec![
                Cond::NotSet(closed()),
                Cond::Cmp(closed(), CmpOp::Ge, d("2026-03-10")),
            ]),
        ),
        (
            "unsatisfied or unknown",
            Cond::NotIn(
                Operand::Col(Col::Text(1)),
                vec!["满意".into(), "基本满意".into()],
            ),
        ),
        (
            "published",
            Cond::Cmp(Operand::Col(Col::Published), CmpOp::Eq, Param::Int(1)),
        ),
        ("reopened", Cond::IsSet(Operand::Col(Col::Event(4)))),
        (
            "clock running, due mid-month",
            Cond::And(vec![
                Cond::In(Operand::Col(Col::ClockStatus(1)), vec!["running".into()]),
                Cond::Cmp(Operand::Col(Col::ClockDue(1)), CmpOp::Le, d("2026-02-14")),
            ]),
        ),
    ]
    .into_iter()
    .map(|(k, c)| (k.to_string(), Measure::Count(c)))
    .collect::<Vec<_>>();
    measures.push((
        "reply days".into(),
        Measure::SumDays {
            cond: Cond::Cmp(closed(), CmpOp::Ge, d("2026-01-15")),
            from: Operand::Col(Col::CreatedOn),
            to: Operand::Col(Col::Event(2)),
        },
    ));
    let fine = Operand::Col(Col::Num(1));
    let enforcement = vec![
        (
            "fines".to_string(),
            Measure::Sum(
                Cond::Cmp(Operand::Col(Col::Event(3)), CmpOp::Ge, d("2026-01-10")),
                fine.clone(),
            ),
        ),
        (
            "fines of nothing".into(),
            Measure::Sum(
                Cond::Cmp(Operand::Col(Col::Event(3)), CmpOp::Ge, d("2030-01-01")),
                fine.clone(),
            ),
        ),
        (
            "decision days".into(),
            Measure::SumDays {
                cond: Cond::Cmp(Operand::Col(Col::Event(3)), CmpOp::Le, d("2026-03-15")),
                from: Operand::Col(Col::Event(1)),
                to: Operand::Col(Col::Event(3)),
            },
        ),
        (
            "large fines".into(),
            Measure::Count(Cond::Cmp(fine, CmpOp::Gt, Param::Real(100_000.0))),
        ),
        (
            "fire safety (JSON)".into(),
            Measure::Count(Cond::In(
                Operand::FieldText("domain".into()),
                vec!["消防".into()],
            )),
        ),
    ];
    for unit in [&s, &c1] {
        let plan = Plan {
            scans: vec![
                CaseScan {
                    case_type: "hotline_ticket".into(),
                    unit_path: unit.path.clone(),
                    window: Cond::True,
                    measures: measures.clone(),
                },
                CaseScan {
                    case_type: "enforcement_case".into(),
                    unit_path: unit.path.clone(),
                    window: Cond::True,
                    measures: enforcement.clone(),
                },
            ],
            ..Default::default()
        };
        let (rolled, stats) = run_with(db, &plan, true).await.unwrap();
        let facts = fazhi_store::indicators::run_facts(db, &plan).await.unwrap();
        assert_eq!(rolled, facts, "{}: {stats:?}", unit.path);
        assert_eq!(
            stats.facts, 4,
            "the amount comparison, the JSON field, and a ticket's reopening and publication \
             (not held for tickets)"
        );
        assert!(stats.rollup_and_facts > 0 && stats.rollup > 0, "{stats:?}");
        assert_eq!(rolled.values["fines of nothing"], None);
        assert!(value(&rolled, "fines") > 0.0 && value(&rolled, "reply days") > 0.0);
    }

    // One of each pair (the first half) changes its state, which the rollup does not hold for
    // these case types (no trigger work), and its satisfaction or domain, which it does: every
    // such case leaves a group that keeps its twin.
    let before = both_ways(db, &s, "2026", "2026-05-01").await.0;
    let mut tx = db.begin().await.unwrap();
    for (id, c) in ids.iter().zip(&all).take(all.len() / 2) {
        let mut fields = c.fields.clone();
        if c.case_type == "hotline_ticket" {
            fields.insert("satisfaction".into(), json!("不满意"));
        } else {
            fields.insert("domain".into(), json!("其他"));
        }
        let changed = CaseWrite {
            state: "archived",
            closed_on: c.closed_on.as_deref(),
            published: c.published,
            ..write_of(c, &fields)
        };
        cases::update_case(&mut tx, *id, 2, &changed).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_rollup_consistent(db, "after the changes").await;
    for period in ["2026", "2026-01-05..2026-02-10"] {
        for unit in [&s, &c1, &c2] {
            both_ways(db, unit, period, "2026-02-17").await;
        }
    }
    let after = both_ways(db, &s, "2026", "2026-05-01").await.0;
    assert!(
        value(&after, "hotline.dissatisfied") > value(&before, "hotline.dissatisfied"),
        "{} → {}",
        value(&before, "hotline.dissatisfied"),
        value(&after, "hotline.dissatisfied")
    );
    assert_eq!(
        after.values["hotline.received"], before.values["hotline.received"],
        "no built-in figure reads the state"
    );
}

#[tokio::test]
async fn rollup_figures_equal_facts_figures_for_any_period_and_subtree() {
    on_both!(same_figures_for_every_period_and_subtree);
}

/// A case counted in the rollup then changed: state and closing day, a first reply, a clock's
/// status, its unit and creation day (no use case moves a case yet: direct updates of its facts
/// row), and deleted.
async fn changes_follow(db: &Db) {
    let (s, c1, c2) = units(db).await;
    let ticket = Case {
        case_type: "hotline_ticket",
        number: "RX-1".into(),
        unit: c1.clone(),
        state: "handling",
        category: Some("投诉"),
        created_on: "2026-01-10".into(),
        closed_on: None,
        published: false,
        fields: json!({"category": "投诉", "channel": "电话"})
            .as_object()
            .unwrap()
            .clone(),
        events: vec![("create", "2026-01-10".into())],
        clocks: vec![("handling_limit", "running", Some("2026-01-24".into()))],
    };
    let other = Case {
        number: "RX-2".into(),
        ..ticket.clone()
    };
    write(db, &other).await;
    let id = write(db, &ticket).await;
    let check = |what: &'static str| {
        let (s, c1, c2) = (s.clone(), c1.clone(), c2.clone());
        async move {
            assert_rollup_consistent(db, what).await;
            let mut out = Vec::new();
            for unit in [&s, &c1, &c2] {
                for period in ["2026-01", "2026-02", "2026-01-11..2026-02-27"] {
                    let (v, _) = both_ways(db, unit, period, "2026-03-01").await;
                    out.push((
                        value(&v, "hotline.received"),
                        value(&v, "hotline.closed"),
                        value(&v, "hotline.dissatisfied"),
                    ));
                }
            }
            out
        }
    };
    let open = check("open").await;
    // (street, C1, C2) × (January, February, mid-January to February): received, closed, dissatisfied
    assert_eq!(open[0], (2.0, 0.0, 0.0));
    assert_eq!(open[3], (2.0, 0.0, 0.0));
    assert_eq!(open[6], (0.0, 0.0, 0.0));

    // Closed in February, dissatisfied; replied; clock met.
    let fields = json!({"category": "投诉", "channel": "电话", "satisfaction": "不满意"});
    let fields = fields.as_object().unwrap();
    let mut tx = db.begin().await.unwrap();
    let closed = CaseWrite {
        state: "closed",
        closed_on: Some("2026-02-03"),
        ..write_of(&ticket, fields)
    };
    cases::update_case(&mut tx, id, 2, &closed).await.unwrap();
    let empty = Map::new();
    cases::insert_event(
        &mut tx,
        "hotline_ticket",
        &NewEvent {
            case_id: id,
            seq: 2,
            transition: "reply",
            from_state: None,
            to_state: "closed",
            on_date: "2026-01-20",
            at: 2,
            actor_id: None,
            input: &empty,
        },
    )
    .await
    .unwrap();
    let met = Case {
        clocks: vec![("handling_limit", "met", Some("2026-01-24".into()))],
        ..ticket.clone()
    };
    cases::replace_clocks(&mut tx, id, "hotline_ticket", &clock_rows(id, &met))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let closed_now = check("closed").await;
    assert_eq!(closed_now[1], (0.0, 1.0, 1.0), "street, February");
    assert_eq!(closed_now[3], (2.0, 0.0, 0.0), "C1, January");
    assert_eq!(closed_now[4], (0.0, 1.0, 1.0), "C1, February");

    // The same clocks again (an unchanged facts row), then moved to C2 and created in February.
    let mut tx = db.begin().await.unwrap();
    cases::replace_clocks(&mut tx, id, "hotline_ticket", &clock_rows(id, &met))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(check("unchanged").await, closed_now);
    sqlx::query("UPDATE case_facts SET unit_path = $1, created_day = $2 WHERE case_id = $3")
        .bind(&c2.path)
        .bind(day("2026-02-02"))
        .bind(id.0)
        .execute(db.pool())
        .await
        .unwrap();
    let moved = check("moved").await;
    assert_eq!(moved[3], (1.0, 0.0, 0.0), "C1, January: RX-2 only");
    assert_eq!(moved[7], (1.0, 1.0, 1.0), "C2, February");
    assert_eq!(moved[0], (1.0, 0.0, 0.0), "street, January");

    // Deleted (no use case deletes facts; the trigger keeps the rollup right if one does).
    sqlx::query("DELETE FROM case_facts WHERE case_id = $1")
        .bind(id.0)
        .execute(db.pool())
        .await
        .unwrap();
    let deleted = check("deleted").await;
    assert_eq!(deleted[7], (0.0, 0.0, 0.0));
    assert_eq!(deleted[0], (1.0, 0.0, 0.0));
    let groups: i64 = sqlx::query("SELECT COUNT(*) FROM case_facts_rollup")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(groups, 1, "groups whose last case left are gone");
}

#[tokio::test]
async fn the_rollup_follows_changes_of_state_unit_dates_and_deletes() {
    on_both!(changes_follow);
}

async fn rollup_rows(db: &Db) -> Vec<Vec<String>> {
    rollup_and_regrouped(db).await.0
}

/// Writes that roll back — explicitly, by dropping the transaction, and (on SQLite) as a
/// savepoint inside a group of writers that commits — leave the rollup as it was.
async fn rollbacks_leave_no_trace(db: &Db) {
    let (s, c1, c2) = units(db).await;
    let all = cases(&[&s, &c1, &c2]);
    for c in &all[..10] {
        write(db, c).await;
    }
    let before = rollup_rows(db).await;
    let (figures, _) = both_ways(db, &s, "2026-Q1", "2026-05-01").await;
    let mut tx = db.begin().await.unwrap();
    let id = write_in(&mut tx, &all[10]).await;
    // An update of a case already counted, in the same transaction.
    let empty = Map::new();
    let moved = CaseWrite {
        state: "closed",
        closed_on: Some("2026-03-03"),
        ..write_of(&all[0], &empty)
    };
    cases::update_case(&mut tx, CaseId(1), 2, &moved)
        .await
        .unwrap();
    assert!(id.0 > 1);
    tx.rollback().await.unwrap();
    assert_eq!(rollup_rows(db).await, before, "rolled back");
    let mut tx = db.begin().await.unwrap();
    write_in(&mut tx, &all[11]).await;
    drop(tx);
    assert_eq!(rollup_rows(db).await, before, "dropped");
    assert_eq!(both_ways(db, &s, "2026-Q1", "2026-05-01").await.0, figures);

    // Concurrent writers (one SQLite group when they queue up in time): A and C commit, B rolls
    // back its savepoint.
    let a_tx = db.begin().await.unwrap();
    let spawn = |c: Case, commit: bool| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            write_in(&mut tx, &c).await;
            if commit {
                tx.commit().await.unwrap();
            } else {
                tx.rollback().await.unwrap();
            }
        })
    };
    let b = spawn(all[12].clone(), false);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let c = spawn(all[13].clone(), true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mut a_tx = a_tx;
    write_in(&mut a_tx, &all[14]).await;
    a_tx.commit().await.unwrap();
    b.await.unwrap();
    c.await.unwrap();
    assert_rollup_consistent(db, "after the group").await;
    let (after, _) = both_ways(db, &s, "2026-Q1", "2026-05-01").await;
    let committed = [&all[13], &all[14]]
        .iter()
        .filter(|c| {
            c.case_type == "hotline_ticket"
                && c.created_on.as_str() >= "2026-01-01"
                && c.created_on.as_str() <= "2026-03-31"
        })
        .count() as f64;
    assert_eq!(
        value(&after, "hotline.received"),
        value(&figures, "hotline.received") + committed
    );
}

#[tokio::test]
async fn rolled_back_writes_leave_the_rollup_untouched() {
    on_both!(rollbacks_leave_no_trace);
}

/// A database migrated up to `version`.
async fn migrated_to(backend: Backend, version: i64) -> Option<TestDb> {
    let t = match backend {
        Backend::Sqlite => TestDb::sqlite_unmigrated().await,
        Backend::Postgres => TestDb::postgres_unmigrated().await?,
    };
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    sqlx::migrate::Migrator::new(path)
        .await
        .unwrap()
        .run_to(version, t.db.pool())
        .await
        .unwrap();
    Some(t)
}

/// Cases written by the store on a database at 0009 (no rollup), then migrated: the backfill
/// builds the same rollup the triggers build for the same cases written after 0010, the figures
/// through it equal the facts', and later writes keep it right.
async fn backfill_builds_the_rollup(db: &Db) {
    let (s, c1, c2) = units(db).await;
    let all = cases(&[&s, &c1, &c2]);
    for c in &all[..40] {
        write(db, c).await;
    }
    let want = rollup_rows(db).await;
    assert!(want.len() > 10, "{} groups", want.len());
    let Some(old) = migrated_to(db.backend(), 9).await else {
        return;
    };
    let (os, oc1, oc2) = units(&old.db).await;
    assert_eq!((&os, &oc1, &oc2), (&s, &c1, &c2), "the same units");
    // The store writes the slots migration 0026 added; these cases leave them NULL (their
    // layouts use only the slots of 0009), so they are there for the writes and go before the
    // migration adds them again.
    let added: Vec<&str> = include_str!("../migrations/sqlite/0026_wider_facts.sql")
        .lines()
        .filter_map(|l| l.strip_prefix("ALTER TABLE case_facts ADD COLUMN "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(!added.is_empty());
    for col in &added {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE case_facts ADD COLUMN {col} BIGINT"
        )))
        .execute(old.db.pool())
        .await
        .unwrap();
    }
    for c in &all[..40] {
        write(&old.db, c).await;
    }
    for col in &added {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT({col}) FROM case_facts"
        )))
        .fetch_one(old.db.pool())
        .await
        .unwrap();
        assert_eq!(n, 0, "{col} is not written for these case types");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE case_facts DROP COLUMN {col}"
        )))
        .execute(old.db.pool())
        .await
        .unwrap();
    }
    let has_rollup = sqlx::query("SELECT COUNT(*) FROM case_facts_rollup")
        .fetch_one(old.db.pool())
        .await
        .is_ok();
    assert!(!has_rollup, "no rollup before 0010");
    old.db.migrate().await.unwrap();
    assert_eq!(rollup_rows(&old.db).await, want, "backfill = triggers");
    for unit in [&s, &c1] {
        for period in ["2026", "2026-Q1", "2026-01-05..2026-02-10"] {
            let (v, _) = both_ways(&old.db, unit, period, "2026-02-17").await;
            assert_eq!(v, both_ways(db, unit, period, "2026-02-17").await.0);
        }
    }
    for c in &all[40..] {
        write(&old.db, c).await;
    }
    assert_rollup_consistent(&old.db, "written after the migration").await;
    old.cleanup().await;
}

#[tokio::test]
async fn migrating_from_0009_builds_the_rollup_of_existing_facts() {
    on_both!(backfill_builds_the_rollup);
}

/// The figures really come from the rollup: a group altered behind the triggers' back changes
/// them (and only the facts path keeps the true figures).
async fn altered_rollup_shows(db: &Db) {
    let (s, c1, c2) = units(db).await;
    for c in &cases(&[&s, &c1, &c2]) {
        write(db, c).await;
    }
    let catalog = Catalog::embedded();
    let ids: Vec<String> = vec!["hotline.received".into()];
    let scope = Scope {
        unit_id: s.id.0,
        unit_path: s.path.clone(),
    };
    let plan = fazhi_indicators::plan(
        &catalog,
        &ids,
        &scope,
        &"2026".parse().unwrap(),
        "2026-05-01".parse().unwrap(),
    )
    .unwrap();
    let facts = fazhi_store::indicators::run_facts(db, &plan).await.unwrap();
    assert_eq!(
        fazhi_store::indicators::run(db, &plan).await.unwrap(),
        facts
    );
    sqlx::query(
        "UPDATE case_facts_rollup SET n = n + 5 WHERE case_type = 'hotline_ticket' \
         AND created_month = $1",
    )
    .bind(day("2026-02-01"))
    .execute(db.pool())
    .await
    .unwrap();
    let altered = fazhi_store::indicators::run(db, &plan).await.unwrap();
    assert!(
        value(&altered, "hotline.received") > value(&facts, "hotline.received"),
        "{altered:?}"
    );
    assert_eq!(
        fazhi_store::indicators::run_facts(db, &plan).await.unwrap(),
        facts
    );
}

#[tokio::test]
async fn figures_read_the_rollup() {
    on_both!(altered_rollup_shows);
}

#[tokio::test]
async fn both_0010_migrations_define_the_same_table() {
    use fazhi_store::testing::migration_columns as columns;
    let s = columns(MIGRATION_SQLITE);
    assert_eq!(s, columns(MIGRATION_POSTGRES));
    assert_eq!(s.len(), 31, "{s:?}");
    let key = |sql: &str| {
        sql.lines()
            .find(|l| l.trim().starts_with("PRIMARY KEY"))
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(key(MIGRATION_SQLITE), key(MIGRATION_POSTGRES));
}

/// The rollup columns of a case type's rows are "not held" (-2) exactly where its layout does not
/// hold them (`Layouts::rollup_holds`); a case type without a layout has every column held.
async fn held_columns(db: &Db) {
    let (s, _, _) = units(db).await;
    let all = cases(&[&s, &s, &s]);
    let ticket = all
        .iter()
        .find(|c| c.case_type == "hotline_ticket" && c.closed_on.is_some())
        .unwrap();
    let decision = all
        .iter()
        .find(|c| c.case_type == "enforcement_case" && c.published && c.clocks.len() == 2)
        .unwrap();
    let other = Case {
        case_type: "other_case",
        number: "QT-1".into(),
        ..ticket.clone()
    };
    for c in [ticket, decision, &other] {
        write(db, c).await;
    }
    let key = [
        ("created_month", Col::CreatedOn),
        ("closed_month", Col::ClosedOn),
        ("ev1_month", Col::Event(1)),
        ("ev2_month", Col::Event(2)),
        ("ev3_month", Col::Event(3)),
        ("ev4_month", Col::Event(4)),
        ("ev5_month", Col::Event(5)),
        ("ev6_month", Col::Event(6)),
        ("ev7_month", Col::Event(7)),
        ("ev8_month", Col::Event(8)),
        ("clk1_due_month", Col::ClockDue(1)),
        ("clk2_due_month", Col::ClockDue(2)),
        ("state", Col::State),
        ("category", Col::Category),
        ("published", Col::Published),
        ("txt1", Col::Text(1)),
        ("txt2", Col::Text(2)),
        ("txt3", Col::Text(3)),
        ("txt4", Col::Text(4)),
        ("txt5", Col::Text(5)),
        ("txt6", Col::Text(6)),
        ("clk1_status", Col::ClockStatus(1)),
        ("clk2_status", Col::ClockStatus(2)),
    ];
    let cols: Vec<&str> = key.iter().map(|(c, _)| *c).collect();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT case_type, {} FROM case_facts_rollup ORDER BY case_type",
        cols.join(", ")
    )))
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        let case_type: String = r.try_get(0).unwrap();
        for (i, (name, col)) in key.iter().enumerate() {
            let v: i64 = r.try_get(i + 1).unwrap();
            assert_eq!(
                v == -2,
                !db.layouts().rollup_holds(&case_type, *col),
                "{case_type}.{name} = {v}"
            );
        }
    }
}

#[tokio::test]
async fn the_migration_holds_the_columns_the_layouts_declare() {
    on_both!(held_columns);
}

/// The catalogue of the built-in case types with the ticket folder of a test fixture
/// (`tests/fixtures/<name>/case_types/hotline_ticket/facts.toml`), and its layouts.
fn fixture(name: &str) -> (Catalog, std::sync::Arc<Layouts>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let registry = fazhi_workflow::Registry::load_dir(&dir).unwrap();
    let catalog = Catalog::embedded_for(&registry).unwrap();
    let layouts = std::sync::Arc::new(catalog.layouts().clone());
    assert_ne!(layouts.fingerprint(), Layouts::embedded().fingerprint());
    (catalog, layouts)
}

/// Every facts row by case number, coded columns as their text (codes differ between
/// databases).
async fn facts_rows(db: &Db) -> Vec<Vec<String>> {
    let coded = [
        "state",
        "category",
        "txt1",
        "txt2",
        "txt3",
        "txt4",
        "txt5",
        "txt6",
        "clk1_status",
        "clk2_status",
    ];
    let plain = [
        "case_type",
        "unit_path",
        "created_day",
        "closed_day",
        "published",
        "num1",
        "num2",
        "num3",
        "num4",
        "ev1_day",
        "ev2_day",
        "ev3_day",
        "ev4_day",
        "ev5_day",
        "ev6_day",
        "ev7_day",
        "ev8_day",
        "clk1_due_day",
        "clk2_due_day",
    ];
    let mut cols: Vec<String> = vec!["c.number".into()];
    cols.extend(plain.iter().map(|p| format!("CAST(f.{p} AS TEXT)")));
    cols.extend(
        coded
            .iter()
            .map(|c| format!("(SELECT d.value FROM fact_values d WHERE d.code = f.{c})")),
    );
    let mut rows: Vec<Vec<String>> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM case_facts f JOIN cases c ON c.id = f.case_id",
        cols.join(", ")
    )))
    .fetch_all(db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (0..r.columns().len())
            .map(|i| {
                r.try_get::<Option<String>, _>(i)
                    .unwrap()
                    .unwrap_or_else(|| "NULL".into())
            })
            .collect()
    })
    .collect();
    rows.sort();
    rows
}

async fn generated_at(db: &Db) -> i64 {
    sqlx::query("SELECT generated_at FROM facts_schema WHERE id = 1")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// A layout that changes between two starts: the slots are backfilled to the new layout (the
/// same facts as a database that had it from the start), the rollup and its triggers follow it,
/// figures through the rollup equal the facts', later writes keep it right; an unchanged start
/// generates nothing; a change of the rollup columns alone leaves the facts alone.
async fn layout_changes_between_starts(db: &Db) {
    let (s, c1, c2) = units(db).await;
    let all = cases(&[&s, &c1, &c2]);
    for c in &all[..60] {
        write(db, c).await;
    }
    // An unchanged start.
    let at = generated_at(db).await;
    assert_eq!(schema::apply(db).await.unwrap(), schema::Applied::Unchanged);
    db.migrate().await.unwrap();
    assert_eq!(
        generated_at(db).await,
        at,
        "an unchanged start generates nothing"
    );
    let before = facts_rows(db).await;

    // The same cases on a database that has the moved layout from the start.
    let (moved_catalog, moved) = fixture("facts_moved");
    let Some(fresh) = (match db.backend() {
        Backend::Sqlite => Some(TestDb::sqlite_unmigrated().await),
        Backend::Postgres => TestDb::postgres_unmigrated().await,
    }) else {
        return;
    };
    let fresh_db = fresh.db.clone().with_layouts(moved.clone());
    fresh_db.migrate().await.unwrap();
    units(&fresh_db).await;
    for c in &all[..60] {
        write(&fresh_db, c).await;
    }
    let want = facts_rows(&fresh_db).await;
    assert_ne!(want, before, "the fixture moves slots");

    // The next start with the moved layout.
    let db2 = db.clone().with_layouts(moved.clone());
    assert_eq!(schema::apply(&db2).await.unwrap(), schema::Applied::Rebuilt);
    assert_eq!(
        facts_rows(&db2).await,
        want,
        "backfill = writes with the new layout"
    );
    assert_rollup_consistent(&db2, "after the layout changed").await;
    let satisfaction_held: i64 = sqlx::query(
        "SELECT COUNT(*) FROM case_facts_rollup WHERE case_type = 'hotline_ticket' AND txt2 <> -2",
    )
    .fetch_one(db2.pool())
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    assert!(satisfaction_held > 0, "the rollup holds txt2 now");
    for unit in [&s, &c1] {
        for period in ["2026", "2026-Q1", "2026-01-05..2026-02-10"] {
            let (v, _) = both_ways_with(&moved_catalog, &db2, unit, period, "2026-02-17").await;
            let (w, _) =
                both_ways_with(&moved_catalog, &fresh_db, unit, period, "2026-02-17").await;
            assert_eq!(v, w, "{period}");
        }
    }
    for c in &all[60..] {
        write(&db2, c).await;
    }
    assert_rollup_consistent(&db2, "written after the change").await;
    assert_eq!(
        schema::apply(&db2).await.unwrap(),
        schema::Applied::Unchanged
    );

    // Back to the built-in layout, then only more rollup columns.
    assert_eq!(schema::apply(db).await.unwrap(), schema::Applied::Rebuilt);
    assert_rollup_consistent(db, "back to the built-in layout").await;
    let (added_catalog, added) = fixture("facts_rollup_added");
    let db3 = db.clone().with_layouts(added);
    let facts = facts_rows(db).await;
    assert_eq!(
        schema::apply(&db3).await.unwrap(),
        schema::Applied::RollupRebuilt
    );
    assert_eq!(facts_rows(&db3).await, facts);
    assert_rollup_consistent(&db3, "more rollup columns").await;
    for unit in [&s, &c2] {
        both_ways_with(&added_catalog, &db3, unit, "2026-Q1", "2026-05-01").await;
    }
    fresh.cleanup().await;
}

#[tokio::test]
async fn a_layout_that_changes_between_starts_is_rebuilt() {
    on_both!(layout_changes_between_starts);
}

#[test]
fn the_generated_sql_names_only_declared_codes() {
    let layouts = Layouts::embedded();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let sql = schema::trigger_sql(backend, &layouts).unwrap().join("\n");
        assert!(sql.contains("'hotline_ticket'") && sql.contains("'enforcement_case'"));
        let bad = Layouts::from_layouts([fazhi_indicators::facts::FactLayout {
            case_type: "x'; DROP TABLE cases; --".into(),
            text: vec![],
            num: vec![],
            events: vec![],
            clocks: vec![],
            rollup: vec![],
        }]);
        assert!(schema::trigger_sql(backend, &bad).is_err());
        assert!(schema::rollup_backfill_sql(backend, &layouts, "t; DROP").is_err());
    }
}

#[test]
fn both_0013_migrations_define_the_same_table() {
    use fazhi_store::testing::migration_columns as columns;
    let s = columns(include_str!("../migrations/sqlite/0013_facts_schema.sql"));
    assert_eq!(
        s,
        columns(include_str!("../migrations/postgres/0013_facts_schema.sql"))
    );
    assert_eq!(s.len(), 6, "{s:?}");
}

/// Migration 0026 widens the facts and recreates the rollup with the same columns on both
/// backends, and they are the columns the generator writes (`facts::slot_columns`; the rollup's
/// key and values).
#[test]
fn both_0026_migrations_define_the_same_table_and_slots() {
    use fazhi_store::testing::migration_columns as columns;
    let sqlite = include_str!("../migrations/sqlite/0026_wider_facts.sql");
    let postgres = include_str!("../migrations/postgres/0026_wider_facts.sql");
    let s = columns(sqlite);
    assert_eq!(s, columns(postgres));
    // The table, case_type, unit_path, 23 key columns, n, 10 day sums, 4 × (sum, count).
    assert_eq!(s.len(), 1 + 2 + 23 + 1 + 10 + 8, "{s:?}");
    let added = |sql: &str| -> Vec<String> {
        sql.lines()
            .filter_map(|l| l.strip_prefix("ALTER TABLE case_facts ADD COLUMN "))
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(added(sqlite), added(postgres));
    let slots = fazhi_indicators::facts::slot_columns();
    for a in added(sqlite) {
        assert!(slots.contains(&a), "{a}");
    }
    assert_eq!(slots.len(), 6 + 4 + 8 + 2 * 2);
    for n in 1..=fazhi_indicators::facts::NUM_SLOTS {
        assert!(s.contains(&format!("case_facts_rollup.num{n}_sum")));
    }
    for n in 1..=fazhi_indicators::facts::EVENT_SLOTS {
        assert!(s.contains(&format!("case_facts_rollup.ev{n}_month")));
        assert!(s.contains(&format!("case_facts_rollup.ev{n}_sum")));
    }
    for n in 1..=fazhi_indicators::facts::TEXT_SLOTS {
        assert!(s.contains(&format!("case_facts_rollup.txt{n}")));
    }
}

/// A case of the stock test: no clocks, a few events.
fn simple(
    case_type: &'static str,
    number: &str,
    unit: &UnitRow,
    state: &'static str,
    (created, closed): (&str, Option<&str>),
    fields: Value,
    events: &[(&'static str, &str)],
) -> Case {
    Case {
        case_type,
        number: number.into(),
        unit: unit.clone(),
        state,
        category: None,
        created_on: created.into(),
        closed_on: closed.map(String::from),
        published: false,
        fields: fields.as_object().cloned().unwrap_or_default(),
        events: events.iter().map(|(t, d)| (*t, d.to_string())).collect(),
        clocks: Vec::new(),
    }
}

/// Hand-built subjects, documents, wage cases and meetings: the stocks at period end
/// (`correction.on_register`: received, neither ended nor terminated; `normative_document.in_force`:
/// published, not repealed), and the figures moved onto the widened slots (ev5‥ev8, num3, num4,
/// txt5), through the rollup and from the facts alike, for years, quarters and months.
async fn stocks_and_wide_slots(db: &Db) {
    let (s, c1, c2) = units(db).await;
    let cs = "correction_subject";
    let nd = "normative_document";
    let none = json!({});
    let all = vec![
        // Ended 2025-11-20, handed over 2025-12-01 (terminal); commended in June.
        simple(
            cs,
            "SJ-A",
            &c1,
            "handed_over",
            ("2025-03-10", Some("2025-12-01")),
            none.clone(),
            &[
                ("receive", "2025-03-10"),
                ("commend", "2025-06-01"),
                ("end_correction", "2025-11-20"),
                ("hand_over", "2025-12-01"),
            ],
        ),
        // Still under correction; warned twice, monitored.
        simple(
            cs,
            "SJ-B",
            &c1,
            "supervising",
            ("2025-05-05", None),
            none.clone(),
            &[
                ("receive", "2025-05-05"),
                ("warn", "2025-07-01"),
                ("warn", "2025-08-01"),
                ("start_monitoring", "2025-07-02"),
            ],
        ),
        // Terminated (revoked) on 2025-08-15: no end_correction, a terminal end state.
        simple(
            cs,
            "SJ-C",
            &c2,
            "terminated",
            ("2025-02-01", Some("2025-08-15")),
            none.clone(),
            &[
                ("receive", "2025-02-01"),
                ("propose_revocation", "2025-08-01"),
            ],
        ),
        simple(
            cs,
            "SJ-D",
            &c2,
            "supervising",
            ("2026-01-10", None),
            none.clone(),
            &[("receive", "2026-01-10")],
        ),
        // Ended 2026-01-05, not yet handed over (not closed).
        simple(
            cs,
            "SJ-E",
            &s,
            "ended",
            ("2025-09-01", None),
            none.clone(),
            &[("receive", "2025-09-01"), ("end_correction", "2026-01-05")],
        ),
        simple(
            nd,
            "WJ-1",
            &c1,
            "in_force",
            ("2025-01-05", None),
            none.clone(),
            &[
                ("create", "2025-01-05"),
                ("request_review", "2025-02-01"),
                ("publish", "2025-03-01"),
            ],
        ),
        simple(
            nd,
            "WJ-2",
            &c2,
            "repealed",
            ("2025-03-01", Some("2025-10-01")),
            none.clone(),
            &[
                ("create", "2025-03-01"),
                ("publish", "2025-04-10"),
                ("repeal", "2025-10-01"),
            ],
        ),
        simple(
            nd,
            "WJ-3",
            &c2,
            "in_force",
            ("2025-10-01", None),
            none.clone(),
            &[
                ("create", "2025-10-01"),
                ("request_review", "2025-11-20"),
                ("publish", "2026-01-15"),
            ],
        ),
        simple(
            "wage_arrears_case",
            "QX-1",
            &c1,
            "received",
            ("2025-04-01", None),
            json!({"amount_owed": 1_234_500}),
            &[("create", "2025-04-01")],
        ),
        simple(
            "wage_arrears_case",
            "QX-2",
            &c2,
            "received",
            ("2025-07-01", None),
            json!({"amount_owed": 100_000}),
            &[("create", "2025-07-01")],
        ),
        simple(
            "wage_arrears_case",
            "QX-3",
            &c2,
            "received",
            ("2026-02-01", None),
            json!({"amount_owed": 5}),
            &[("create", "2026-02-01")],
        ),
        simple(
            "collective_meeting",
            "HY-1",
            &c1,
            "held",
            ("2025-04-20", None),
            json!({"reviewed_items": 3, "dissent_items": 1}),
            &[("hold", "2025-05-01")],
        ),
        simple(
            "collective_meeting",
            "HY-2",
            &c2,
            "held",
            ("2025-05-20", None),
            json!({"reviewed_items": 2}),
            &[("hold", "2025-06-01")],
        ),
        simple(
            "litigation_case",
            "SS-1",
            &c2,
            "closed",
            ("2025-03-01", Some("2025-09-01")),
            json!({"disclosure_related": "是"}),
            &[("withdraw", "2025-09-01")],
        ),
    ];
    for c in &all {
        write(db, c).await;
    }
    assert_rollup_consistent(db, "stocks").await;
    let v = |r: &RawResults, k: &str| r.values.get(k).copied().flatten().unwrap_or(0.0);
    for (unit, period, as_of, want) in [
        // (on_register, in_force, commended, monitored, revocations)
        (&s, "2025", "2026-03-01", [2.0, 1.0, 1.0, 1.0, 1.0]),
        (&s, "2025", "2026-01-15", [2.0, 1.0, 1.0, 1.0, 1.0]),
        (&s, "2025-06", "2026-03-01", [3.0, 2.0, 1.0, 0.0, 0.0]),
        (&s, "2025-Q3", "2026-03-01", [3.0, 2.0, 0.0, 1.0, 1.0]),
        (&s, "2026-01", "2026-03-01", [2.0, 2.0, 0.0, 0.0, 0.0]),
        (&s, "2025-04", "2026-03-01", [2.0, 2.0, 0.0, 0.0, 0.0]),
        (&c1, "2025", "2026-03-01", [1.0, 1.0, 1.0, 1.0, 0.0]),
        (&c2, "2025-06", "2026-03-01", [1.0, 1.0, 0.0, 0.0, 0.0]),
    ] {
        let (r, _) = both_ways(db, unit, period, as_of).await;
        let got = [
            v(&r, "correction.on_register"),
            v(&r, "normative_document.in_force"),
            v(&r, "correction.commended"),
            v(&r, "correction.monitored"),
            v(&r, "correction.revocation_proposals"),
        ];
        assert_eq!(got, want, "{} {period}", unit.path);
    }
    let (r, stats) = both_ways(db, &s, "2025", "2026-01-01").await;
    assert_eq!(v(&r, "normative_document.issued"), 2.0);
    assert_eq!(v(&r, "normative_document.issued_reviewed"), 1.0);
    assert_eq!(v(&r, "normative_document.repealed"), 1.0);
    assert_eq!(v(&r, "wage_arrears.amount"), 1_334_500.0);
    assert_eq!(v(&r, "collective_meeting.reviewed_items"), 5.0);
    assert_eq!(v(&r, "collective_meeting.dissent_items"), 1.0);
    assert_eq!(v(&r, "litigation.disclosure_cases"), 1.0);
    assert!(stats.rollup > 0, "{stats:?}");
    let (r, _) = both_ways(db, &s, "2026", "2026-03-01").await;
    assert_eq!(v(&r, "correction.on_register"), 2.0, "B and D");
    assert_eq!(v(&r, "normative_document.in_force"), 2.0, "WJ-1 and WJ-3");
    assert_eq!(v(&r, "wage_arrears.amount"), 5.0);
}

#[tokio::test]
async fn stocks_at_period_end_and_the_widened_slots() {
    on_both!(stocks_and_wide_slots);
}
