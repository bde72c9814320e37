//! Upgrading from the oldest schema (issue 17, "Operations"): a database created by the first
//! migration alone (the schema of the first release), holding a unit tree, a user, a case and
//! its audit entry written in that schema, is brought to the current schema by `migrate` with
//! its data intact and usable: the user logs in, reads and lists the case, files a new one, and
//! the audit chain (sealed by the old release) still verifies. On SQLite and PostgreSQL.

use std::sync::Arc;

use fazhi_app::cases::CreateCase;
use fazhi_app::{App, FixedClock};
use fazhi_store::testing::TestDb;
use fazhi_store::{Backend, Db, org};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Applies only the first `k` migrations of this backend, read from the source tree (the
/// schema a release that shipped those migrations created).
async fn migrate_first(db: &Db, k: usize) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../store/migrations")
        .join(match db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        });
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert!(files.len() > k, "there are later migrations to apply");
    let old = tempfile::tempdir().unwrap();
    for f in &files[..k] {
        std::fs::copy(f, old.path().join(f.file_name().unwrap())).unwrap();
    }
    sqlx::migrate::Migrator::new(old.path())
        .await
        .unwrap()
        .run(db.pool())
        .await
        .unwrap();
    let (database, binary) = db.schema_versions().await.unwrap();
    assert_eq!(database, Some(k as i64));
    assert!(binary > k as i64);
}

/// The chain hash as the first release sealed it: SHA-256 over the previous hash and the
/// entry's fields, each length-prefixed (kept here independently of the store's code, so a
/// change of the hash that would break old chains fails this test).
#[allow(clippy::too_many_arguments)]
fn seal(
    prev: &str,
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    after: &str,
) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &[u8]| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s);
    };
    field(prev.as_bytes());
    field(&seq.to_be_bytes());
    field(&at.to_be_bytes());
    field(actor.as_bytes());
    field(action.as_bytes());
    field(entity.as_bytes());
    field(entity_id.as_bytes());
    field("\u{0}null".as_bytes());
    field(after.as_bytes());
    hex::encode(h.finalize())
}

async fn exec(db: &Db, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

const PASSWORD: &str = "Old-release-2025";

/// Rows as the first release wrote them (its columns only).
async fn old_rows(db: &Db) {
    exec(db, "INSERT INTO units (parent_id, code, name, kind, path) VALUES (NULL, '420106', '武昌区', 'district', '/1/')").await;
    exec(db, "INSERT INTO units (parent_id, code, name, kind, path) VALUES (1, '420106001', '中南路街道', 'street', '/1/2/')").await;
    let hash = fazhi_app::auth::hash_password(PASSWORD).unwrap();
    exec(db, &format!(
        "INSERT INTO users (login, display_name, password_hash, unit_id, department_id, scope, roles, active, created_at) \
         VALUES ('handler', '老承办人', '{hash}', 2, NULL, 'unit_subtree', 'handler', 1, 1735689600000)"
    )).await;
    let fields = json!({"channel": "电话", "caller_name": "张三", "caller_phone": "13812345678",
        "category": "投诉", "address": "望江路128号", "content": "夜间施工噪音扰民"})
    .to_string();
    exec(db, &format!(
        "INSERT INTO cases (case_type, number, unit_id, unit_path, department_id, owner_id, state, title, category, created_on, closed_on, due_on, due_level, published, fields, search_text, version, created_at, updated_at) \
         VALUES ('hotline_ticket', '12345-2025-000001', 2, '/1/2/', NULL, 1, 'received', '夜间施工噪音扰民', '投诉', '2025-12-30', NULL, NULL, 0, 0, '{fields}', '夜间施工噪音扰民 望江路128号', 1, 1767052800000, 1767052800000)"
    )).await;
    exec(
        db,
        "INSERT INTO case_numbers (prefix, next) VALUES ('12345-2025-', 2)",
    )
    .await;
    let after = json!({"number": "12345-2025-000001", "state": "received"}).to_string();
    let zero = "0".repeat(64);
    let h = seal(
        &zero,
        1,
        1767052800000,
        "handler",
        "create",
        "case",
        "1",
        &after,
    );
    exec(db, &format!(
        "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash) \
         VALUES (1, 1767052800000, 'handler', 'create', 'case', '1', NULL, '{after}', '{zero}', '{h}')"
    )).await;
    exec(
        db,
        &format!("UPDATE audit_head SET seq = 1, hash = '{h}' WHERE id = 1"),
    )
    .await;
}

async fn oldest_schema_upgrades(db: &Db) {
    migrate_first(db, 1).await;
    old_rows(db).await;
    db.migrate().await.unwrap();
    let (database, binary) = db.schema_versions().await.unwrap();
    assert_eq!(database, Some(binary));

    // The data survived: units with their paths (open), the old audit chain verifies.
    let units = org::units(db).await.unwrap();
    assert_eq!(
        units
            .iter()
            .map(|u| (u.code.as_str(), u.path.as_str(), u.closed_at))
            .collect::<Vec<_>>(),
        vec![("420106", "/1/", None), ("420106001", "/1/2/", None)]
    );
    assert_eq!(fazhi_store::verify_chain(db).await.unwrap().unwrap(), 1);

    let app = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2026, 3, 2))),
    );
    assert!(!app.needs_setup().await.unwrap());
    let (_, handler) = app.login("handler", PASSWORD, "t").await.unwrap();
    assert_eq!(handler.unit_path, "/1/2/");
    let old = fazhi_domain::CaseId(1);
    let row = app.case_row(&handler, old).await.unwrap();
    assert_eq!(
        (row.number.as_str(), row.state.as_str(), row.title.as_str()),
        ("12345-2025-000001", "received", "夜间施工噪音扰民")
    );
    let (rows, total) = app
        .list_cases(
            &handler,
            fazhi_store::cases::CaseFilter {
                case_type: Some("hotline_ticket".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((rows.len(), total), (1, 1));
    // The search index, which the first release did not have, holds the old case.
    let (rows, _) = app
        .list_cases(
            &handler,
            fazhi_store::cases::CaseFilter {
                case_type: Some("hotline_ticket".into()),
                query: Some("望江路".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "found by search");

    // And it keeps working: a new case in the same unit, the chain extended and intact.
    let created = app
        .create_case(
            &handler,
            &CreateCase {
                case_type: "hotline_ticket".into(),
                unit_code: None,
                on: None,
                on_reason: None,
                transition: None,
                input:
                    json!({"channel": "电话", "caller_name": "李四", "caller_phone": "13912345678",
                    "category": "求助", "address": "中南路1号", "content": "路灯不亮"})
                    .as_object()
                    .unwrap()
                    .clone(),
            },
        )
        .await
        .unwrap();
    assert_ne!(created.case_id, old);
    let n = fazhi_store::verify_chain(db).await.unwrap().unwrap();
    assert!(n >= 3, "old entry, the login and the new case: {n}");
}

#[tokio::test]
async fn a_database_of_the_oldest_schema_upgrades_with_its_data() {
    let t = TestDb::sqlite_unmigrated().await;
    oldest_schema_upgrades(&t.db).await;
    t.cleanup().await;
    if let Some(t) = TestDb::postgres_unmigrated().await {
        oldest_schema_upgrades(&t.db).await;
        t.cleanup().await;
    }
}
