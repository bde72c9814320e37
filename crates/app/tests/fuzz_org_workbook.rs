//! Fuzzing on stable (issue 16): the organisation workbook a user uploads (`/org/import`,
//! `fazhi org import`), driven by proptest with a bounded number of cases (cargo-fuzz needs
//! nightly, which this build cannot fetch). Any bytes, a damaged copy of the real template, and
//! well-formed workbooks with arbitrary cell text: the reader and the row checks answer with
//! problems or a summary, never a panic, and a dry run writes nothing.

use std::sync::Arc;

use fazhi_app::org_import::{SHEETS, read_workbook, template};
use fazhi_app::setup::InitInput;
use fazhi_app::{App, FixedClock};
use fazhi_store::testing::TestDb;
use fazhi_workflow::{Registry, WorkflowConfig};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRng, TestRunner};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_refused_or_read(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_workbook(&bytes);
    }

    #[test]
    fn a_damaged_template_is_refused_or_read(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = template().unwrap();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len()));
        }
        let _ = read_workbook(&bytes);
    }
}

/// A cell: empty, a plausible value (codes, labels, dates, numbers) or arbitrary text.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{1,14}",
        "(街道|社区|网格|区|镇|居委会|系统管理员|承办人|分管领导|是|否|本单位及下级|仅本人)",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
        "[a-z_.0-9 ]{0,12}",
        "\\PC{0,30}",
    ]
}

/// Sheets of the template with 0..6 rows of arbitrary cells under their real headers.
fn sheets() -> impl Strategy<Value = Vec<Vec<Vec<String>>>> {
    let per_sheet: Vec<_> = SHEETS
        .iter()
        .map(|(_, cols)| {
            prop::collection::vec(prop::collection::vec(cell(), cols.len()), 0..6).boxed()
        })
        .collect();
    per_sheet
}

fn workbook(rows: &[Vec<Vec<String>>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for ((name, cols), rows) in SHEETS.iter().zip(rows) {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (c, h) in cols.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn arbitrary_rows_get_problems_or_a_dry_run_summary() {
    let t = TestDb::sqlite().await;
    let app = App::new(
        t.db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2026, 2, 28))),
    );
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
            case_types: vec![],
        },
    )
    .await
    .unwrap();
    let (_, admin) = app
        .login("admin", "District-admin-2026", "t")
        .await
        .unwrap();
    // Generate the workbooks first (proptest's runner is synchronous), then import each.
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let strategy = sheets();
    let books: Vec<Vec<u8>> = (0..64)
        .map(|_| {
            use proptest::strategy::ValueTree;
            workbook(&strategy.new_tree(&mut runner).unwrap().current())
        })
        .collect();
    let audit = |db: &fazhi_store::Db| {
        let db = db.clone();
        async move {
            use sqlx::Row;
            sqlx::query("SELECT COUNT(*) FROM audit_log")
                .fetch_one(db.pool())
                .await
                .unwrap()
                .try_get::<i64, _>(0)
                .unwrap()
        }
    };
    let before = audit(&t.db).await;
    let mut refused = 0;
    for book in &books {
        match app.import_org(&admin, book, true).await {
            Ok(summary) => assert!(summary.dry_run),
            Err(problems) => {
                refused += 1;
                assert!(!problems.is_empty());
                for p in &problems {
                    assert!(!p.message.is_empty(), "{p:?}");
                }
            }
        }
    }
    assert!(refused > 0, "arbitrary rows were all accepted");
    assert_eq!(audit(&t.db).await, before, "a dry run wrote");
    t.cleanup().await;
}
