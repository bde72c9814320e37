//! Editing the unit tree after the first run (issue 17) on SQLite and PostgreSQL: rename and
//! close a unit (a closed unit takes nothing new and keeps its history), and the case types a
//! unit runs (stored by `init`, enforced when filing, editable by an administrator, audited).

use std::sync::Arc;

use fazhi_app::cases::CreateCase;
use fazhi_app::org::{NewUnitInput, NewUserInput};
use fazhi_app::setup::InitInput;
use fazhi_app::{Actor, App, AppError, FixedClock};
use fazhi_store::{Db, on_both, org};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::json;

fn app(db: &Db) -> App {
    App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2026, 3, 2))),
    )
}

fn ticket(unit: &str) -> CreateCase {
    CreateCase {
        on_reason: None,
        transition: None,
        case_type: "hotline_ticket".into(),
        unit_code: Some(unit.into()),
        on: None,
        input: json!({"channel": "电话", "caller_name": "张三", "caller_phone": "13812345678",
            "category": "投诉", "address": "望江路128号", "content": "夜间施工噪音扰民"})
        .as_object()
        .unwrap()
        .clone(),
    }
}

fn petition(unit: &str) -> CreateCase {
    CreateCase {
        case_type: "petition".into(),
        ..ticket(unit)
    }
}

/// The field code and message of an `Invalid` error (panics on anything else).
fn invalid(e: AppError) -> (String, String) {
    match e {
        AppError::Invalid(p) => (p[0].field.clone(), p[0].message.clone()),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn unit(app: &App, admin: &Actor, parent: &str, code: &str, name: &str, kind: &str) {
    app.create_unit(
        admin,
        &NewUnitInput {
            parent_code: Some(parent.into()),
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
        },
    )
    .await
    .unwrap();
}

fn user(login: &str, unit: &str, roles: &[&str]) -> NewUserInput {
    NewUserInput {
        login: login.into(),
        display_name: format!("用户{login}"),
        password: "Street-user-2026".into(),
        unit_code: unit.into(),
        department_code: None,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        scope: "unit_subtree".into(),
    }
}

async fn setup(db: &Db) -> (App, Actor) {
    let app = app(db);
    app.init(
        "test",
        &InitInput {
            division_code: "420106".into(),
            unit_name: "武昌区".into(),
            level: "区".into(),
            province: None,
            admin_login: "admin".into(),
            admin_name: "区管理员".into(),
            admin_password: "District-admin-2026".into(),
            case_types: vec!["hotline_ticket".into(), "grid_event".into()],
        },
    )
    .await
    .unwrap();
    let (_, admin) = app
        .login("admin", "District-admin-2026", "t")
        .await
        .unwrap();
    unit(&app, &admin, "420106", "420106001", "第1街道", "street").await;
    unit(&app, &admin, "420106", "420106002", "第2街道", "street").await;
    unit(
        &app,
        &admin,
        "420106001",
        "420106001001",
        "第1社区",
        "community",
    )
    .await;
    for (login, u, roles) in [
        ("s1admin", "420106001", &["admin"][..]),
        ("s1handler", "420106001", &["handler"][..]),
        ("s2handler", "420106002", &["handler"][..]),
    ] {
        app.create_user(&admin, &user(login, u, roles))
            .await
            .unwrap();
    }
    (app, admin)
}

async fn login(app: &App, who: &str) -> Actor {
    app.login(who, "Street-user-2026", "t").await.unwrap().1
}

async fn case_types_are_enforced_and_editable(db: &Db) {
    let (app, admin) = setup(db).await;
    let s1 = login(&app, "s1handler").await;
    let s2 = login(&app, "s2handler").await;
    let s1admin = login(&app, "s1admin").await;

    // The list `init` stored holds for every unit below, in menu order for the menu.
    let mut menu = app.actor_case_types(&s1).await.unwrap();
    menu.sort();
    assert_eq!(menu, vec!["grid_event", "hotline_ticket"]);
    app.create_case(&s1, &ticket("420106001")).await.unwrap();
    let (field, msg) = invalid(
        app.create_case(&s1, &petition("420106001"))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "case_type");
    assert!(msg.contains("第1街道") && msg.contains("未开展"), "{msg}");

    // A street narrows its own list; the other street keeps the district's.
    let runs = app
        .set_unit_case_types(&s1admin, "420106001", &["grid_event".into()])
        .await
        .unwrap();
    assert_eq!(
        (runs.case_types, runs.from_unit.as_deref()),
        (vec!["grid_event".to_string()], Some("420106001"))
    );
    let (field, _) = invalid(
        app.create_case(&s1, &ticket("420106001"))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "case_type");
    // Its community follows it.
    let (field, _) = invalid(
        app.create_case(&s1, &ticket("420106001001"))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "case_type");
    app.create_case(&s2, &ticket("420106002")).await.unwrap();
    assert_eq!(app.actor_case_types(&s1).await.unwrap(), vec!["grid_event"]);

    // Validation: unknown types, types the parent does not run, sub-units' lists, scope.
    let (_, msg) = invalid(
        app.set_unit_case_types(&admin, "420106002", &["no_such".into()])
            .await
            .unwrap_err(),
    );
    assert!(
        msg.starts_with("案件类型：未知的案件类型“no_such”"),
        "{msg}"
    );
    let (_, msg) = invalid(
        app.set_unit_case_types(&admin, "420106002", &["petition".into()])
            .await
            .unwrap_err(),
    );
    assert!(msg.contains("上级单位未开展"), "{msg}");
    let (_, msg) = invalid(
        app.set_unit_case_types(&admin, "420106", &["hotline_ticket".into()])
            .await
            .unwrap_err(),
    );
    assert!(
        msg.contains("下级单位“第1街道”开展grid_event"),
        "the district cannot drop what a street keeps: {msg}"
    );
    assert!(matches!(
        app.set_unit_case_types(&s1admin, "420106002", &["grid_event".into()])
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.set_unit_case_types(&s1, "420106001", &["grid_event".into()])
            .await,
        Err(AppError::Forbidden(_))
    ));

    // Empty: the same as the parent again (its own row goes).
    let runs = app
        .set_unit_case_types(&admin, "420106001", &[])
        .await
        .unwrap();
    assert_eq!(runs.from_unit.as_deref(), Some("420106"));
    app.create_case(&s1, &ticket("420106001")).await.unwrap();

    // Every change is audited, the chain intact.
    let rows = fazhi_store::audit::list(
        db,
        &fazhi_store::AuditFilter {
            entity: Some("unit".into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        rows.iter().filter(|r| r.action == "set_case_types").count(),
        2
    );
    assert!(fazhi_store::verify_chain(db).await.unwrap().is_ok());
}

#[tokio::test]
async fn a_unit_files_only_the_case_types_it_runs_and_an_admin_changes_them() {
    on_both!(case_types_are_enforced_and_editable);
}

async fn rename_and_close(db: &Db) {
    let (app, admin) = setup(db).await;
    let s1 = login(&app, "s1handler").await;
    let s1admin = login(&app, "s1admin").await;
    let before = org::unit_by_code(db, "420106001").await.unwrap().unwrap();
    let created = app.create_case(&s1, &ticket("420106001")).await.unwrap();

    // Rename: the code and path stay, every reader sees the new name at once.
    let (field, _) = invalid(
        app.rename_unit(&admin, "420106001", "  ")
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "name");
    assert!(matches!(
        app.rename_unit(&s1admin, "420106002", "改名").await,
        Err(AppError::Forbidden(_))
    ));
    let renamed = app
        .rename_unit(&admin, "420106001", "中南路街道")
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.path.as_str()),
        ("中南路街道", before.path.as_str())
    );
    assert_eq!(
        org::unit(db, before.id).await.unwrap().name,
        "中南路街道",
        "the cached row is replaced"
    );

    // Close: never the top, never one's own unit, not while a sub-unit is open.
    let (_, msg) = invalid(app.close_unit(&admin, "420106").await.unwrap_err());
    assert_eq!(msg, "单位：最上级单位不能撤销");
    assert!(matches!(
        app.close_unit(&s1admin, "420106001").await,
        Err(AppError::Forbidden(_))
    ));
    let (_, msg) = invalid(app.close_unit(&admin, "420106001").await.unwrap_err());
    assert!(msg.contains("第1社区"), "{msg}");
    app.close_unit(&s1admin, "420106001001").await.unwrap();
    let closed = app.close_unit(&admin, "420106001").await.unwrap();
    assert!(closed.closed_at.is_some());
    let (field, _) = invalid(app.close_unit(&admin, "420106001").await.unwrap_err());
    assert_eq!(field, "code");

    // Nothing new in a closed unit: cases, users, departments, sub-units.
    let (field, msg) = invalid(
        app.create_case(&s1, &ticket("420106001"))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "unit_code");
    assert!(msg.contains("已撤销"), "{msg}");
    let (field, _) = invalid(
        app.create_user(&admin, &user("late", "420106001", &["handler"]))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "unit_code");
    let (field, _) = invalid(
        app.create_department(&admin, "420106001", "D9", "执法队")
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "unit_code");
    let (field, _) = invalid(
        app.create_unit(
            &admin,
            &NewUnitInput {
                parent_code: Some("420106001".into()),
                code: "420106001009".into(),
                name: "新社区".into(),
                kind: "community".into(),
            },
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(field, "parent_code");
    // Nor through the organisation workbook.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("单位").unwrap();
    let header = |sheet: &str| {
        fazhi_app::org_import::SHEETS
            .iter()
            .find(|(n, _)| *n == sheet)
            .unwrap()
            .1
            .to_vec()
    };
    for (c, h) in header("单位").iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["420106001", "420106001008", "新网格社区", "社区"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let book = wb.save_to_buffer().unwrap();
    let problems = app.import_org(&admin, &book, true).await.unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "工作表“单位”第2行“上级单位代码”列：上级单位“中南路街道”已撤销，不能在其下新建单位"
    );

    // History stays: its user still logs in and reads the case; the district lists it.
    let s1 = login(&app, "s1handler").await;
    assert!(app.case_view(&s1, created.case_id, false).await.is_ok());
    assert!(app.case_view(&admin, created.case_id, false).await.is_ok());
    assert_eq!(org::units(db).await.unwrap().len(), 4, "nothing deleted");

    // Audited: rename with before and after, two closings; the chain intact.
    let rows = fazhi_store::audit::list(
        db,
        &fazhi_store::AuditFilter {
            entity: Some("unit".into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let rename = rows.iter().find(|r| r.action == "rename").unwrap();
    assert!(rename.before.as_deref().unwrap().contains("第1街道"));
    assert!(rename.after.as_deref().unwrap().contains("中南路街道"));
    assert_eq!(rows.iter().filter(|r| r.action == "close").count(), 2);
    assert!(fazhi_store::verify_chain(db).await.unwrap().is_ok());
}

#[tokio::test]
async fn a_unit_is_renamed_and_closed_keeping_its_history() {
    on_both!(rename_and_close);
}
