//! The calendar's next year end to end, on SQLite and PostgreSQL (issue 22): a petition accepted
//! on 2026-12-07 has a 60-day handling limit (《信访工作条例》第三十四条) ending past the embedded
//! calendar: its due date 2027-02-05 is provisional (暂定, weekends only) and still warns; a bad
//! 2027 file is refused with Chinese errors and writes nothing; the 2027 file is imported in one
//! audited transaction that records the calendar version and moves the clock (02-05 is in the
//! 春节 block of the fixture → 2027-02-15, binding), the move itself audited; the same file again
//! changes nothing; a new process reads the imported year at start.
//!
//! The 2027 file is a test fixture shaped like a State Council notice, not the official one.

use std::sync::Arc;

use fazhi_app::cases::{CreateCase, TakeTransition};
use fazhi_app::{Actor, App, AppError, FixedClock};
use fazhi_store::testing::seed_units;
use fazhi_store::{AuditFilter, Db, on_both};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::{Map, Value, json};

const Y2027: &str = include_str!("../../calendar/tests/data/cn-2027-test.json");

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn app(db: &Db, today: &str) -> App {
    App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(today.parse().unwrap())),
    )
}

fn handling(clocks: &[fazhi_store::ClockRow]) -> &fazhi_store::ClockRow {
    clocks.iter().find(|c| c.code == "handling_limit").unwrap()
}

async fn next_year(db: &Db) {
    let (street, _, _) = seed_units(db).await;
    let mut actor = Actor::system(street.id, &street.path);
    actor.roles.push(fazhi_domain::Role::Handler);
    let before = app(db, "2026-12-07");
    let id = before
        .create_case(
            &actor,
            &CreateCase {
                on_reason: None,
                transition: None,
                case_type: "petition".into(),
                unit_code: None,
                on: Some("2026-12-07".into()),
                input: fields(
                    json!({"channel": "来信", "subject": "噪音", "content": "夜间施工噪音"}),
                ),
            },
        )
        .await
        .unwrap()
        .case_id;
    before
        .transition(
            &actor,
            id,
            &TakeTransition {
                on_reason: None,
                transition: "accept".into(),
                on: Some("2026-12-07".into()),
                version: None,
                input: fields(json!({"category": "申诉求决", "acceptance_notice": "已受理"})),
            },
        )
        .await
        .unwrap();
    let stored = fazhi_store::cases::clocks(db, id).await.unwrap();
    let h = handling(&stored);
    assert_eq!(
        h.due_on.as_deref(),
        Some("2027-02-05"),
        "provisional, not blank"
    );
    assert_eq!(h.detail["provisional"], json!(true));
    assert!(h.calendar_version.starts_with("cn-2020-2026"));

    // On 2027-02-01 the provisional clock still warns.
    let mut later = app(db, "2027-02-01");
    let view = later.case_view(&actor, id, false).await.unwrap();
    let h = handling(&view.clocks);
    assert_eq!(h.detail["provisional"], json!(true));
    assert_ne!(h.level, "normal", "warnings fire on a provisional due date");

    // A bad file: Chinese errors naming the entry, nothing written.
    let bad = Y2027.replace("2027-02-20", "2027-02-19");
    match later.import_calendar_year("system", &bad).await {
        Err(AppError::Invalid(p)) => {
            assert_eq!(p[0].field, "file");
            assert!(p[0].message.contains("2027-02-19不是周六或周日"), "{p:?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(fazhi_store::calendar::years(db).await.unwrap().is_empty());
    assert!(
        later
            .calendar
            .calendar_version()
            .starts_with("cn-2020-2026")
    );

    // The 2027 file: recorded with its version, the clock moved and audited.
    let r = later.import_calendar_year("system", Y2027).await.unwrap();
    assert!(!r.unchanged);
    assert_eq!((r.year, r.holidays, r.workdays), (2027, 26, 3));
    assert!(r.version_after.contains("+2027:sha256:"));
    assert_eq!(later.calendar.calendar_version(), r.version_after);
    let moved = r
        .cases
        .iter()
        .find(|c| c.case_id == id)
        .expect("the case moved");
    let m = moved
        .clocks
        .iter()
        .find(|m| m.code == "handling_limit")
        .unwrap();
    assert_eq!(m.due_before.as_deref(), Some("2027-02-05"));
    assert_eq!(m.due_after.as_deref(), Some("2027-02-15"));
    assert!(m.provisional_before && !m.provisional_after);
    let stored = fazhi_store::cases::clocks(db, id).await.unwrap();
    let h = handling(&stored);
    assert_eq!(h.due_on.as_deref(), Some("2027-02-15"));
    assert_eq!(h.detail["provisional"], json!(false));
    assert_eq!(h.calendar_version, r.version_after);
    let case = fazhi_store::cases::case(db, id).await.unwrap();
    assert_eq!(case.due_on.as_deref(), Some("2027-02-15"));
    let years = fazhi_store::calendar::years(db).await.unwrap();
    assert_eq!(years.len(), 1);
    assert_eq!(years[0].calendar_version, r.version_after);
    let audit = fazhi_store::audit::list(
        db,
        &AuditFilter {
            limit: 100,
            ..AuditFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "import_calendar" && a.entity_id == "2027")
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "recompute_clocks" && a.entity_id == id.to_string())
    );
    assert!(fazhi_store::verify_chain(db).await.unwrap().is_ok());

    // The same file again: nothing to do.
    let again = later.import_calendar_year("system", Y2027).await.unwrap();
    assert!(again.unchanged && again.cases.is_empty());

    // A new process reads the imported year at start.
    let mut fresh = app(db, "2027-02-01");
    assert_eq!(fresh.calendar.last_date().to_string(), "2026-12-31");
    fresh.load_calendar_years().await.unwrap();
    assert_eq!(fresh.calendar.last_date().to_string(), "2027-12-31");
    assert_eq!(fresh.calendar.calendar_version(), r.version_after);
}

#[tokio::test]
async fn the_next_years_calendar_is_imported_audited_and_moves_provisional_clocks() {
    on_both!(next_year);
}
