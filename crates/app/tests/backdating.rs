//! Issue 16, finding 8: a step dated far in the past needs a reason (补录原因). The threshold is
//! `backdate_reason_days` of clocks.toml (default 30 calendar days); the refusal names the field
//! `on_reason` in Chinese; the reason is kept in the step's audit entry. Dated on 2026-03-02
//! (a Monday): 2026-01-31 is 30 days earlier, 2026-01-30 is 31.

use std::sync::Arc;

use fazhi_app::cases::{CreateCase, TakeTransition};
use fazhi_app::setup::InitInput;
use fazhi_app::{App, AppError, FixedClock};
use fazhi_store::{Db, on_both};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::json;

fn app(db: &Db, config: WorkflowConfig) -> App {
    App::new(
        db.clone(),
        Registry::embedded(),
        config,
        Arc::new(FixedClock::at(jiff::civil::date(2026, 3, 2))),
    )
}

fn ticket(on: &str, reason: Option<&str>) -> CreateCase {
    CreateCase {
        case_type: "hotline_ticket".into(),
        unit_code: None,
        on: Some(on.into()),
        on_reason: reason.map(str::to_string),
        transition: None,
        input: json!({"channel": "电话", "caller_phone": "13800138000", "category": "咨询", "content": "咨询办事流程"})
            .as_object()
            .unwrap()
            .clone(),
    }
}

async fn last_audit_after(db: &Db) -> serde_json::Value {
    use sqlx::Row;
    let s: String = sqlx::query("SELECT after FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    serde_json::from_str(&s).unwrap()
}

fn names_on_reason(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(p) if p.iter().any(|p| p.field == "on_reason" && p.message.contains("补录原因")))
}

async fn late_steps(db: &Db) {
    let app = app(db, WorkflowConfig::embedded());
    app.init(
        "test",
        &InitInput {
            division_code: "330106001".into(),
            unit_name: "望江街道".into(),
            level: "街道".into(),
            province: None,
            admin_login: "admin".into(),
            admin_name: "管理员".into(),
            admin_password: "Admin-password-2026".into(),
            case_types: vec![],
        },
    )
    .await
    .unwrap();
    let (_, admin) = app
        .login("admin", "Admin-password-2026", "t")
        .await
        .unwrap();

    // 30 days back: no reason needed.
    let ok = app
        .create_case(&admin, &ticket("2026-01-31", None))
        .await
        .unwrap();
    // 31 days back without a reason (or a blank one): refused, naming the field.
    for reason in [None, Some("  ")] {
        let e = app
            .create_case(&admin, &ticket("2026-01-30", reason))
            .await
            .unwrap_err();
        assert!(names_on_reason(&e), "{e:?}");
    }
    // With a reason: accepted, and the reason is in the audit entry.
    app.create_case(&admin, &ticket("2026-01-30", Some("纸质工单补录")))
        .await
        .unwrap();
    let after = last_audit_after(db).await;
    assert_eq!(after["on_reason"], "纸质工单补录", "{after}");
    assert_eq!(after["on"], "2026-01-30", "{after}");

    // A transition 31 days back needs a reason too. The date is checked before the input, so
    // with a reason the step gets as far as the (deliberately unknown) department.
    let late = app
        .create_case(&admin, &ticket("2026-01-30", Some("纸质工单补录")))
        .await
        .unwrap();
    let step = |reason: Option<&str>| TakeTransition {
        transition: "dispatch".into(),
        on: Some("2026-01-30".into()),
        on_reason: reason.map(str::to_string),
        version: None,
        input: json!({"assignee_department": "nosuch"})
            .as_object()
            .unwrap()
            .clone(),
    };
    let e = app
        .transition(&admin, late.case_id, &step(None))
        .await
        .unwrap_err();
    assert!(names_on_reason(&e), "{e:?}");
    let e = app
        .transition(&admin, late.case_id, &step(Some("补录派单")))
        .await
        .unwrap_err();
    assert!(!names_on_reason(&e), "{e:?}");
    let _ = ok;

    // The threshold is configurable: 7 days in a clocks.toml override.
    let dir = tempfile::tempdir().unwrap();
    let clocks = include_str!("../../workflow/config/clocks.toml")
        .replace("backdate_reason_days = 30", "backdate_reason_days = 7");
    std::fs::write(dir.path().join("clocks.toml"), clocks).unwrap();
    let strict = app_with(db, WorkflowConfig::load_dir(dir.path()).unwrap());
    assert_eq!(strict.config.backdate_reason_days, 7);
    let e = strict
        .create_case(&admin, &ticket("2026-02-22", None))
        .await
        .unwrap_err();
    assert!(names_on_reason(&e), "{e:?}");
    strict
        .create_case(&admin, &ticket("2026-02-23", None))
        .await
        .unwrap();
}

fn app_with(db: &Db, config: WorkflowConfig) -> App {
    app(db, config)
}

#[tokio::test]
async fn a_step_dated_far_back_needs_a_reason() {
    on_both!(late_steps);
}
