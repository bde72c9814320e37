//! Cases from files (issue 20, "data in and out") on SQLite and PostgreSQL: a GB18030 CSV of
//! grid events with dates and dictionary values as clerks type them, a dry run that writes
//! nothing, the import in the states the file says with its history marked as imported and
//! audited; diagnostics by row and column for bad files (wrong columns, bad dates, unknown
//! dictionary values, duplicates, a guard of the create step); the template; and the round
//! trip export → import.

use std::sync::Arc;

use fazhi_app::case_import::{Progress, RowProblem};
use fazhi_app::{Actor, App, FixedClock};
use fazhi_store::audit::AuditFilter;
use fazhi_store::cases::CaseFilter;
use fazhi_store::testing::{TestDb, seed_units};
use fazhi_store::{Db, on_both};
use fazhi_workflow::{Registry, WorkflowConfig};

fn app(db: &Db) -> App {
    App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2026, 3, 20))),
    )
}

async fn actor(db: &Db) -> Actor {
    let (d, _, _) = seed_units(db).await;
    Actor::system(d.id, &d.path)
}

fn quiet(_: Progress) {}

fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GB18030.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

/// A workbook of one sheet from rows (header first).
fn workbook(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn count(app: &App, actor: &Actor) -> i64 {
    let (rows, _) = app
        .list_cases(
            actor,
            CaseFilter {
                case_type: Some("grid_event".into()),
                limit: 1_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    rows.len() as i64
}

const CSV: &str = "事件类别*,发现日期*,事件描述*,事发地点,当事人,当事人联系电话,受理日期,状态,处置结果,处置情况,所属单位代码\n\
安全隐患,2026/3/5,楼道堆放杂物堵塞消防通道,望湖小区3栋,张三,13800138000,2026年3月6日,已办结,劝导整改,已清理,C1\n\
市容环境,2026-3-9,占道经营,滨江路口,,,2026-03-09,网格处置中,,,S\n\
矛盾纠纷,46091,邻里噪音纠纷,望湖小区5栋,李四,,46091,,,,\n";

async fn import_gb18030(db: &Db) {
    let app = app(db);
    let actor = actor(db).await;
    let bytes = gb18030(CSV);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the file really is GB18030"
    );

    // Dry run: what would be written, nothing written.
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |p: Progress| seen.lock().unwrap().push(p);
    let dry = app
        .import_cases(&actor, "grid_event", "网格事件.csv", &bytes, true, &record)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(dry.dry_run);
    assert_eq!(dry.encoding, "GB18030");
    assert_eq!(dry.rows, 3);
    assert_eq!(
        dry.states,
        vec![
            ("已上报".to_string(), 1),
            ("网格处置中".to_string(), 1),
            ("已办结".to_string(), 1)
        ]
    );
    let first = &dry.preview[0];
    assert_eq!(first.row, 2);
    assert_eq!(first.received_on, "2026-03-06");
    assert!(
        first
            .fields
            .contains(&("发现日期".into(), "2026-03-05".into()))
    );
    assert!(
        first
            .fields
            .contains(&("处置结果".into(), "劝导整改".into()))
    );
    // Personal data is masked in the report.
    assert!(first.fields.contains(&("当事人".into(), "张*".into())));
    assert_eq!(
        dry.preview[2].received_on, "2026-03-10",
        "Excel serial 46091"
    );
    assert_eq!(seen.lock().unwrap().last().unwrap().done, 3);
    assert_eq!(count(&app, &actor).await, 0, "a dry run writes nothing");

    // The import.
    let done = app
        .import_cases(&actor, "grid_event", "网格事件.csv", &bytes, false, &quiet)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!done.dry_run);
    assert_eq!(done.first_numbers.len(), 3);
    assert_eq!(count(&app, &actor).await, 3);
    let closed = fazhi_store::cases::case_by_number(db, &done.first_numbers[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closed.state, "closed");
    assert_eq!(closed.closed_on.as_deref(), Some("2026-03-06"));
    assert_eq!(closed.fields["result"], "劝导整改");
    assert_eq!(closed.fields["discovered_on"], "2026-03-05");
    assert_eq!(closed.fields["party_phone"], "13800138000");
    let unit = fazhi_store::org::unit_by_code(db, "C1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closed.unit_id, unit.id);
    let view = app.case_view(&actor, closed.id, false).await.unwrap();
    assert_eq!(view.events.len(), 1);
    assert_eq!(view.events[0].label, "上报事件（从文件导入）");
    assert!(
        view.clocks.is_empty(),
        "a closed imported case runs no clock"
    );
    let events = fazhi_store::cases::events(db, closed.id).await.unwrap();
    assert_eq!(events[0].to_state, "closed");
    assert_eq!(events[0].input["_imported"]["row"], 2);
    assert_eq!(events[0].input["_imported"]["file"], "网格事件.csv");
    let handling = fazhi_store::cases::case_by_number(db, &done.first_numbers[1])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(handling.state, "handling");
    assert!(handling.closed_on.is_none());
    // Audited: one entry per case and one for the file.
    let audit = fazhi_store::audit::list(
        db,
        &AuditFilter {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let imports: Vec<_> = audit.iter().filter(|a| a.action == "import").collect();
    assert_eq!(imports.len(), 4, "{imports:?}");
    assert!(imports.iter().any(|a| a.entity == "case_file"));
}

#[tokio::test]
async fn a_gb18030_csv_imports_in_the_states_it_says_after_a_dry_run() {
    on_both!(import_gb18030);
}

fn has(problems: &[RowProblem], row: u32, column: &str, needle: &str) -> bool {
    problems
        .iter()
        .any(|p| p.row == row && p.column == column && p.message.contains(needle))
}

async fn bad_files(db: &Db) {
    let app = app(db);
    let actor = actor(db).await;

    // Wrong columns: an unknown one, a required one missing, one twice.
    let wrong = workbook(&[
        vec!["事件类别", "发现日期", "备注说明", "事发地点", "事发地点"],
        vec!["安全隐患", "2026-03-05", "x", "y", "z"],
    ]);
    let e = app
        .import_cases(&actor, "grid_event", "wrong.xlsx", &wrong, true, &quiet)
        .await
        .unwrap_err();
    assert!(has(&e.problems, 1, "备注说明", "网格事件没有此列"), "{e}");
    assert!(has(&e.problems, 1, "事件描述", "缺少必填列"), "{e}");
    assert!(has(&e.problems, 1, "事发地点", "列名重复"), "{e}");

    // Bad rows: every problem by row and column, nothing written.
    let header = vec![
        "案件编号",
        "事件类别",
        "发现日期",
        "事件描述",
        "受理日期",
        "状态",
        "当事人联系电话",
    ];
    let bad = workbook(&[
        header,
        vec!["W-1", "安全隐患", "2026-02-30", "a", "2026-03-01", "", ""],
        vec!["W-2", "打架斗殴", "2026-03-01", "b", "", "", ""],
        vec!["W-3", "安全隐患", "2026-03-05", "c", "2026-03-02", "", ""],
        vec!["W-1", "安全隐患", "2026-03-01", "d", "", "", ""],
        vec!["W-5", "安全隐患", "2026-03-01", "", "", "已归档", "12345"],
        vec!["W-6", "安全隐患", "2026-03-01", "f", "2026-04-01", "", ""],
    ]);
    let e = app
        .import_cases(&actor, "grid_event", "bad.xlsx", &bad, false, &quiet)
        .await
        .unwrap_err();
    let p = &e.problems;
    assert!(
        has(p, 2, "发现日期", "日期无法识别（收到“2026-02-30”）"),
        "{e}"
    );
    assert!(
        has(p, 3, "事件类别", "“打架斗殴”不是有效选项，可选：矛盾纠纷"),
        "{e}"
    );
    // The create step's guard: discovered after the day it was received.
    assert!(has(p, 4, "发现日期", "第十一条"), "{e}");
    assert!(has(p, 5, "案件编号", "与第2行重复"), "{e}");
    assert!(has(p, 6, "状态", "“已归档”不是网格事件的状态"), "{e}");
    assert!(has(p, 6, "当事人联系电话", "手机号码"), "{e}");
    assert!(
        has(p, 6, "事件描述", "必填") || has(p, 6, "事件描述", "不能为空"),
        "{e}"
    );
    assert!(has(p, 7, "受理日期", "不能晚于今天"), "{e}");
    assert!(e.to_string().contains("第3行“事件类别”列："), "{e}");
    assert_eq!(count(&app, &actor).await, 0, "all or nothing");

    // Identical rows without numbers are duplicates too.
    let dup =
        "事件类别,发现日期,事件描述\n安全隐患,2026-03-05,同一件事\n安全隐患,2026-03-05,同一件事\n";
    let e = app
        .import_cases(
            &actor,
            "grid_event",
            "dup.csv",
            dup.as_bytes(),
            false,
            &quiet,
        )
        .await
        .unwrap_err();
    assert!(has(&e.problems, 3, "", "与第2行内容完全相同"), "{e}");

    // Not UTF-8 and not GB18030.
    let e = app
        .import_cases(
            &actor,
            "grid_event",
            "x.csv",
            &[0xff, 0xfe, 0x00, 0x81, 0x30],
            true,
            &quiet,
        )
        .await
        .unwrap_err();
    assert!(e.problems[0].message.contains("编码"), "{e}");
    assert_eq!(count(&app, &actor).await, 0);
}

#[tokio::test]
async fn bad_files_are_reported_by_row_and_column_and_nothing_is_written() {
    on_both!(bad_files);
}

async fn round_trip(db: &Db) {
    let app = app(db);
    let actor = actor(db).await;
    app.import_cases(&actor, "grid_event", "a.csv", CSV.as_bytes(), false, &quiet)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // Masked for a list export, unmasked only when revealed.
    let masked = app
        .export_cases(&actor, "grid_event", CaseFilter::default(), false)
        .await
        .unwrap();
    let revealed = app
        .export_cases(&actor, "grid_event", CaseFilter::default(), true)
        .await
        .unwrap();
    let cells = |bytes: &[u8]| -> Vec<Vec<String>> {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let name = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&name).unwrap();
        range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let m = cells(&masked);
    let r = cells(&revealed);
    assert_eq!(m.len(), 4);
    let phone = m[0].iter().position(|h| h == "当事人联系电话").unwrap();
    assert!(m.iter().all(|row| !row[phone].contains("13800138000")));
    assert!(r.iter().any(|row| row[phone] == "13800138000"));
    // A filtered list exports only its rows.
    let closed = app
        .export_cases(
            &actor,
            "grid_event",
            CaseFilter {
                state: Some("closed".into()),
                ..Default::default()
            },
            true,
        )
        .await
        .unwrap();
    assert_eq!(cells(&closed).len(), 2);

    // Back into the same database: every row is already there.
    let e = app
        .import_cases(
            &actor,
            "grid_event",
            "export.xlsx",
            &revealed,
            false,
            &quiet,
        )
        .await
        .unwrap_err();
    assert_eq!(e.problems.len(), 3, "{e}");
    assert!(
        e.problems.iter().all(|p| p.message.contains("重复导入")),
        "{e}"
    );

    // Into another database: the same cases, states and fields.
    let other = TestDb::sqlite().await;
    let app2 = self::app(&other.db);
    let actor2 = self::actor(&other.db).await;
    let s = app2
        .import_cases(
            &actor2,
            "grid_event",
            "export.xlsx",
            &revealed,
            false,
            &quiet,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.rows, 3);
    let list = |app: App, actor: Actor| async move {
        let (mut rows, _) = app
            .list_cases(
                &actor,
                CaseFilter {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        rows.sort_by(|a, b| a.created_on.cmp(&b.created_on).then(a.title.cmp(&b.title)));
        rows.into_iter()
            .map(|c| (c.state, c.created_on, c.unit_path.len(), c.fields))
            .collect::<Vec<_>>()
    };
    let a = list(app.clone(), actor.clone()).await;
    let b = list(app2, actor2).await;
    assert_eq!(a.len(), 3);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.0, y.0);
        assert_eq!(x.1, y.1);
        assert_eq!(x.3, y.3);
    }
    other.cleanup().await;
}

#[tokio::test]
async fn an_exported_list_imports_back_with_the_same_cases() {
    on_both!(round_trip);
}

#[test]
fn the_template_has_every_column_and_reads_back_as_an_empty_import() {
    let registry = Registry::embedded();
    for t in registry.types() {
        let bytes = fazhi_app::case_import::template(t).unwrap();
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names().len(), 2, "{}", t.code);
        let name = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&name).unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        for f in fazhi_app::case_import::field_columns(t) {
            assert!(
                header.iter().any(|h| h.trim_end_matches('*') == f.label_zh),
                "{}: {}",
                t.code,
                f.label_zh
            );
        }
    }
}
