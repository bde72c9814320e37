//! Store side of imported reports: the 0003 migrations match, a report round-trips with its text
//! and extraction, lists leave the text out, and the same (unit name, year, file hash) is a
//! conflict. Every test runs on SQLite and on PostgreSQL (fresh database, dropped afterwards;
//! PostgreSQL unreachable fails loudly unless FAZHI_TEST_POSTGRES=skip).

use fazhi_store::imports::{self, NewImportedReport};
use fazhi_store::{AuditEntry, Db, StoreError, org, verify_chain};

use fazhi_store::on_both;

fn report<'a>(unit: &'a str, year: i64, sha: &'a str, text: &'a str) -> NewImportedReport<'a> {
    NewImportedReport {
        unit_name: unit,
        unit_id: None,
        level: Some("street"),
        region: Some("广州市海珠区"),
        year,
        title: Some("关于2023年度法治政府建设情况的报告"),
        source_name: "海幢.txt",
        sha256: sha,
        text,
        extraction: r#"{"figures":[{"text":"5571条"}]}"#,
        imported_at: 1_700_000_000_000,
        imported_by: "admin",
    }
}

async fn reports_round_trip_and_duplicates_conflict(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    let street = org::insert_unit(&mut tx, None, "HZ", "海幢街道", "street")
        .await
        .unwrap();
    let text = "办结12345平台工单5571条，办结率100%。\n";
    let mut first = report("海幢街道办事处", 2023, "aa11", text);
    first.unit_id = Some(street.id);
    let a = imports::insert(&mut tx, &first).await.unwrap();
    let b = imports::insert(&mut tx, &report("四季青街道", 2023, "bb22", "四季青"))
        .await
        .unwrap();
    let c = imports::insert(&mut tx, &report("海幢街道办事处", 2022, "cc33", "旧"))
        .await
        .unwrap();
    tx.audit(AuditEntry {
        at: 1,
        actor: "admin",
        action: "import",
        entity: "imported_report",
        entity_id: &a.to_string(),
        before: None,
        after: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let got = imports::get(db, a).await.unwrap();
    assert_eq!(got.unit_name, "海幢街道办事处");
    assert_eq!(got.unit_id, Some(street.id));
    assert_eq!(got.year, 2023);
    assert_eq!(
        got.text.as_deref(),
        Some(text),
        "the text comes back unchanged"
    );
    assert_eq!(got.extraction, r#"{"figures":[{"text":"5571条"}]}"#);
    assert_eq!(got.level.as_deref(), Some("street"));
    assert_eq!(got.imported_by, "admin");

    let all = imports::list(db, None).await.unwrap();
    assert_eq!(
        all.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![a, b, c],
        "newest year first, then import order"
    );
    assert!(
        all.iter().all(|r| r.text.is_none()),
        "lists leave the text out"
    );
    let y2023 = imports::list(db, Some(2023)).await.unwrap();
    assert_eq!(y2023.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a, b]);

    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        imports::same_file(&mut tx, 2023, "aa11").await.unwrap(),
        vec![(a, "海幢街道办事处".to_string())]
    );
    let err = imports::insert(&mut tx, &report("海幢街道办事处", 2023, "aa11", text))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    tx.rollback().await.unwrap();

    let err = imports::get(db, 9999).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    assert!(verify_chain(db).await.unwrap().is_ok());
}

#[tokio::test]
async fn imported_reports_round_trip_and_duplicates_conflict() {
    on_both!(reports_round_trip_and_duplicates_conflict);
}

#[tokio::test]
async fn both_0003_migrations_define_the_same_tables_and_columns() {
    fn columns(sql: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut table = String::new();
        for line in sql.lines() {
            let l = line.trim();
            if let Some(rest) = l.strip_prefix("CREATE TABLE ") {
                table = rest.split_whitespace().next().unwrap().to_string();
                out.push(table.clone());
            } else if let Some(rest) = l.strip_prefix("CREATE INDEX ") {
                out.push(format!("index {rest}"));
            } else if !table.is_empty() && !l.is_empty() && !l.starts_with("--") {
                if l.starts_with(')') {
                    table.clear();
                } else {
                    // Column name and type words, the primary key's type aside.
                    let l = l
                        .replace("INTEGER PRIMARY KEY", "SERIAL")
                        .replace("BIGSERIAL PRIMARY KEY", "SERIAL");
                    out.push(format!("{table}.{}", l.trim_end_matches(',')));
                }
            }
        }
        out
    }
    let s = columns(include_str!(
        "../migrations/sqlite/0003_imported_reports.sql"
    ));
    let p = columns(include_str!(
        "../migrations/postgres/0003_imported_reports.sql"
    ));
    assert!(
        s.iter()
            .any(|c| c == "imported_reports.unit_name TEXT NOT NULL")
    );
    assert_eq!(s, p);
}

#[tokio::test]
async fn both_0015_migrations_define_the_same_tables_and_columns() {
    use fazhi_store::testing::migration_columns;
    let s = migration_columns(include_str!(
        "../migrations/sqlite/0015_definition_versions.sql"
    ));
    let p = migration_columns(include_str!(
        "../migrations/postgres/0015_definition_versions.sql"
    ));
    assert!(
        s.iter()
            .any(|c| c.starts_with("case_definition_migrations.changes")),
        "{s:?}"
    );
    assert!(
        s.iter()
            .any(|c| c.starts_with("case_type_definitions.definition")),
        "{s:?}"
    );
    assert_eq!(s, p);
    let alter = |sql: &str| {
        sql.lines()
            .filter(|l| l.starts_with("ALTER TABLE"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        alter(include_str!(
            "../migrations/sqlite/0015_definition_versions.sql"
        )),
        vec!["ALTER TABLE cases ADD COLUMN definition_version TEXT;"]
    );
    assert_eq!(
        alter(include_str!(
            "../migrations/sqlite/0015_definition_versions.sql"
        )),
        alter(include_str!(
            "../migrations/postgres/0015_definition_versions.sql"
        ))
    );
}
