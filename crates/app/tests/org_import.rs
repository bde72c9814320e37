//! First run and organisation import (issue 17) on SQLite and PostgreSQL: `init` on an empty
//! database, a district workbook with its streets, communities and grids in one file, row-level
//! diagnostics, dry run, all-or-nothing, audit, and scopes of the users it created.

use std::sync::Arc;

use fazhi_app::cases::CreateCase;
use fazhi_app::setup::{InitInput, InitOutcome};
use fazhi_app::{App, FixedClock};
use fazhi_store::{Db, on_both, org};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::json;

fn app(db: &Db) -> App {
    // 2026-02-28 is a Saturday and an adjusted working day.
    App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2026, 2, 28))),
    )
}

fn district() -> InitInput {
    InitInput {
        division_code: "420106".into(),
        unit_name: "武昌区".into(),
        level: "区".into(),
        province: None,
        admin_login: "admin".into(),
        admin_name: "区管理员".into(),
        admin_password: "District-admin-2026".into(),
        case_types: vec![],
    }
}

/// A workbook from rows per sheet (header row first).
fn workbook(sheets: &[(&str, Vec<Vec<&str>>)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn header(sheet: &str) -> Vec<&'static str> {
    fazhi_app::org_import::SHEETS
        .iter()
        .find(|(n, _)| *n == sheet)
        .unwrap()
        .1
        .to_vec()
}

/// The district: 3 streets (20 in the issue; 3 keep the test fast), each with 2 communities of
/// 2 grids, a department, a street user each, and an officer with a certificate.
fn district_workbook() -> Vec<u8> {
    let mut codes: Vec<[String; 4]> = Vec::new();
    for s in 1..=3 {
        let street = format!("420106{s:03}");
        codes.push([
            "420106".into(),
            street.clone(),
            format!("第{s}街道"),
            "街道".into(),
        ]);
        for c in 1..=2 {
            let comm = format!("{street}{c:03}");
            codes.push([
                street.clone(),
                comm.clone(),
                format!("第{s}街道第{c}社区"),
                "社区".into(),
            ]);
            for g in 1..=2 {
                codes.push([
                    comm.clone(),
                    format!("{comm}{g:02}"),
                    format!("第{g}网格"),
                    "网格".into(),
                ]);
            }
        }
    }
    let units: Vec<Vec<&str>> = std::iter::once(header("单位"))
        .chain(codes.iter().map(|r| r.iter().map(String::as_str).collect()))
        .collect();
    workbook(&[
        ("单位", units),
        (
            "部门",
            vec![
                header("部门"),
                vec!["420106001", "ZFZD1", "第1街道综合行政执法队"],
            ],
        ),
        (
            "用户",
            vec![
                header("用户"),
                vec![
                    "s1handler",
                    "一街承办人",
                    "420106001",
                    "",
                    "承办人",
                    "本单位及下级",
                    "Street-one-2026",
                ],
                vec![
                    "s2handler",
                    "二街承办人",
                    "420106002",
                    "",
                    "handler",
                    "unit_subtree",
                    "Street-two-2026",
                ],
                vec![
                    "leader",
                    "区分管领导",
                    "420106",
                    "",
                    "分管领导、查看人员",
                    "",
                    "District-lead-2026",
                ],
            ],
        ),
        (
            "执法人员",
            vec![
                header("执法人员"),
                vec![
                    "ZF001",
                    "李执法",
                    "420106001",
                    "ZFZD1",
                    "",
                    "否",
                    "42010620260001",
                    "城市管理",
                    "2026-01-01",
                    "2030-12-31",
                ],
                vec![
                    "ZF001",
                    "李执法",
                    "420106001",
                    "ZFZD1",
                    "",
                    "否",
                    "42010620260002",
                    "市场监管",
                    "2026-01-01",
                    "2030-12-31",
                ],
            ],
        ),
    ])
}

async fn district_import(db: &Db) {
    let app = app(db);
    assert!(app.needs_setup().await.unwrap());
    let InitOutcome::Created { unit, settings } = app.init("test", &district()).await.unwrap()
    else {
        panic!("created")
    };
    assert_eq!(
        (unit.kind.as_str(), settings.province.as_deref()),
        ("district", Some("42"))
    );
    let (admin_session, admin) = app
        .login("admin", "District-admin-2026", "t")
        .await
        .unwrap();
    assert!(!admin_session.id.is_empty());

    // Dry run: the whole check, nothing written.
    let book = district_workbook();
    let audit_before = fazhi_store::verify_chain(db).await.unwrap().unwrap();
    let s = app.import_org(&admin, &book, true).await.unwrap();
    assert_eq!(
        (s.units, s.departments, s.users, s.officers, s.certificates),
        (21, 1, 3, 1, 2)
    );
    assert!(s.dry_run);
    assert_eq!(org::units(db).await.unwrap().len(), 1);
    assert_eq!(
        fazhi_store::verify_chain(db).await.unwrap().unwrap(),
        audit_before
    );

    let s = app.import_org(&admin, &book, false).await.unwrap();
    assert!(!s.dry_run);
    let units = org::units(db).await.unwrap();
    assert_eq!(units.len(), 22);
    let grid = units.iter().find(|u| u.code == "42010600200102").unwrap();
    let street = units.iter().find(|u| u.code == "420106002").unwrap();
    assert!(grid.path.starts_with(&street.path) && grid.kind == "grid");
    // One audit entry per record and one for the workbook, chain intact.
    let n = fazhi_store::verify_chain(db).await.unwrap().unwrap();
    assert_eq!(n, audit_before + 21 + 1 + 3 + 1 + 2 + 1);

    // The same workbook again: every row is a duplicate, named by sheet, row and column.
    let problems = app.import_org(&admin, &book, false).await.unwrap_err();
    let first = problems[0].to_string();
    assert_eq!(
        first,
        "工作表“单位”第2行“单位代码”列：单位代码“420106001”已存在"
    );
    assert_eq!(org::units(db).await.unwrap().len(), 22, "nothing written");

    // Scopes hold: a street user files a case in its street and sees only its street.
    let (_, s1) = app
        .login("s1handler", "Street-one-2026", "t")
        .await
        .unwrap();
    let (_, s2) = app
        .login("s2handler", "Street-two-2026", "t")
        .await
        .unwrap();
    let ticket = |unit: &str| CreateCase {
        case_type: "hotline_ticket".into(),
        transition: None,
        unit_code: Some(unit.into()),
        on: None,
        on_reason: None,
        input: json!({"channel": "电话", "caller_name": "张三", "caller_phone": "13812345678",
            "category": "投诉", "address": "望江路128号", "content": "夜间施工噪音扰民"})
        .as_object()
        .unwrap()
        .clone(),
    };
    let created = app
        .create_case(&s1, &ticket("42010600100101"))
        .await
        .unwrap();
    let case = app.case_view(&s1, created.case_id, false).await;
    assert!(case.is_ok(), "the street user sees its own grid's case");
    assert!(
        app.case_view(&s2, created.case_id, false).await.is_err(),
        "another street does not"
    );
    assert!(
        app.create_case(&s2, &ticket("42010600100101"))
            .await
            .is_err(),
        "nor files cases there"
    );
    let (_, leader) = app
        .login("leader", "District-lead-2026", "t")
        .await
        .unwrap();
    assert!(
        app.case_view(&leader, created.case_id, false).await.is_ok(),
        "the district sees all"
    );
}

#[tokio::test]
async fn a_district_imports_its_streets_communities_and_grids_in_one_workbook() {
    on_both!(district_import);
}

async fn bad_rows(db: &Db) {
    let app = app(db);
    app.init("test", &district()).await.unwrap();
    let (_, admin) = app
        .login("admin", "District-admin-2026", "t")
        .await
        .unwrap();
    let book = workbook(&[
        (
            "单位",
            vec![
                header("单位"),
                vec!["420106", "420106001", "第1街道", "街道"],
                vec!["420106001", "42010600101", "错层网格", "网格"],
                vec!["999999", "420106003", "第3街道", "街道"],
                vec!["420106", "420106004", "", "居委会"],
            ],
        ),
        (
            "用户",
            vec![
                header("用户"),
                vec![
                    "bad login",
                    "某人",
                    "420106009",
                    "",
                    "超级管理员",
                    "全部",
                    "short",
                ],
            ],
        ),
        (
            "执法人员",
            vec![
                header("执法人员"),
                vec![
                    "ZF9",
                    "王五",
                    "420106001",
                    "",
                    "nobody",
                    "也许",
                    "4201",
                    "养猫",
                    "2026-02-30",
                    "2025-01-01",
                ],
            ],
        ),
    ]);
    let problems = app.import_org(&admin, &book, false).await.unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let has = |s: &str| {
        assert!(
            text.iter().any(|t| t == s),
            "missing {s}:\n{}",
            text.join("\n")
        )
    };
    has("工作表“单位”第3行“类型”列：网格不能直接设在街道之下");
    has("工作表“单位”第4行“上级单位代码”列：不存在代码为“999999”的单位（系统中和本表中都没有）");
    has("工作表“单位”第5行“单位名称”列：必填");
    has("工作表“单位”第5行“类型”列：应为区、街道、镇、社区、村或网格（收到“居委会”）");
    has("工作表“用户”第2行“登录名”列：只能包含英文字母、数字、点、下划线和连字符");
    has("工作表“用户”第2行“角色”列：未知的角色“超级管理员”");
    has("工作表“用户”第2行“数据范围”列：应为本单位及下级、本部门或仅本人（收到“全部”）");
    has("工作表“用户”第2行“初始密码”列：至少10个字符");
    has("工作表“用户”第2行“单位代码”列：不存在代码为“420106009”的单位（系统中和“单位”表中都没有）");
    has("工作表“执法人员”第2行“法制审核人员”列：应为是或否（收到“也许”）");
    has(
        "工作表“执法人员”第2行“有效期起”列：日期格式应为YYYY-MM-DD，且为真实日期（收到“2026-02-30”）",
    );
    has("工作表“执法人员”第2行“关联登录名”列：不存在登录名为“nobody”的用户");
    // All or nothing: the valid street row was not written either.
    assert_eq!(org::units(db).await.unwrap().len(), 1);

    // A workbook without the template's sheets, and bytes that are no workbook at all.
    let p = app
        .import_org(&admin, &workbook(&[("Sheet1", vec![vec!["a"]])]), true)
        .await
        .unwrap_err();
    assert!(p[0].message.contains("没有可导入的工作表"), "{:?}", p);
    let p = app
        .import_org(&admin, b"not a workbook", true)
        .await
        .unwrap_err();
    assert!(p[0].message.contains("无法读取工作簿"), "{:?}", p);
    // A missing column is named in the header row.
    let p = app
        .import_org(
            &admin,
            &workbook(&[("部门", vec![vec!["单位代码", "部门名称"]])]),
            true,
        )
        .await
        .unwrap_err();
    assert_eq!(
        p[0].to_string(),
        "工作表“部门”第1行“部门代码”列：缺少此列（请使用导入模板的列名）"
    );
}

#[tokio::test]
async fn bad_rows_are_named_by_sheet_row_and_column_and_nothing_is_written() {
    on_both!(bad_rows);
}

#[tokio::test]
async fn the_template_reads_back_with_every_sheet_and_column() {
    let bytes = fazhi_app::org_import::template().unwrap();
    let sheets = fazhi_app::org_import::read_workbook(&bytes).unwrap();
    assert_eq!(sheets.len(), 4);
    for (s, (name, cols)) in sheets.iter().zip(fazhi_app::org_import::SHEETS) {
        assert_eq!(&s.name, name);
        assert_eq!(
            s.header,
            cols.iter().map(|c| c.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(s.rows.len(), 1, "one example row");
    }
}

async fn init_refusals(db: &Db) {
    let app = app(db);
    let mut bad = district();
    bad.division_code = "42A".into();
    bad.level = "省".into();
    bad.province = Some("44".into());
    bad.case_types = vec!["no_such_type".into()];
    bad.admin_password = "x".into();
    let Err(fazhi_app::AppError::Invalid(p)) = app.init("test", &bad).await else {
        panic!("invalid")
    };
    let fields: Vec<&str> = p.iter().map(|x| x.field.as_str()).collect();
    for f in [
        "division_code",
        "level",
        "province",
        "case_types",
        "admin_password",
    ] {
        assert!(fields.contains(&f), "{f} in {p:?}");
    }
    assert!(app.needs_setup().await.unwrap(), "nothing written");
    app.init("test", &district()).await.unwrap();
    assert!(matches!(
        app.init("test", &district()).await.unwrap(),
        InitOutcome::AlreadyDone { .. }
    ));
    let mut other = district();
    other.unit_name = "洪山区".into();
    assert!(matches!(
        app.init("test", &other).await,
        Err(fazhi_app::AppError::Conflict(m)) if m.contains("数据库已经初始化")
    ));
}

#[tokio::test]
async fn init_checks_every_field_and_runs_once() {
    on_both!(init_refusals);
}
