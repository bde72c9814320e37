//! Schema versions (issue 17): a database migrated by a later release is neither migrated nor
//! served; unit settings round-trip. On SQLite and PostgreSQL.

use fazhi_store::settings::{self, UnitSettings};
use fazhi_store::testing::seed_units;
use fazhi_store::{Db, StoreError, on_both};

async fn newer_schema_is_refused(db: &Db) {
    let (database, binary) = db.schema_versions().await.unwrap();
    assert_eq!(
        database,
        Some(binary),
        "a migrated database is at the binary's version"
    );
    assert!(binary >= 16);
    db.migrate().await.unwrap();

    // A later release applied a migration this binary does not know.
    let later = binary + 1;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         SELECT {later}, 'from a later release', installed_on, success, checksum, execution_time \
         FROM _sqlx_migrations WHERE version = {binary}"
    )))
    .execute(db.pool())
    .await
    .unwrap();
    assert_eq!(db.schema_versions().await.unwrap(), (Some(later), binary));
    match db.migrate().await {
        Err(e @ StoreError::SchemaNewer { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&format!("数据库结构版本（{later}）"))
                    && msg.contains(&format!("最新版本（{binary}）")),
                "{msg}"
            );
        }
        other => panic!("expected SchemaNewer, got {other:?}"),
    }
}

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused() {
    on_both!(newer_schema_is_refused);
}

async fn settings_round_trip(db: &Db) {
    let (d, s, _) = seed_units(db).await;
    assert_eq!(settings::unit_count(db).await.unwrap(), 3);
    assert_eq!(settings::get(db, d.id).await.unwrap(), None);
    let mut tx = db.begin().await.unwrap();
    let v = UnitSettings {
        unit_id: s.id,
        province: Some("42".into()),
        case_types: vec!["hotline_ticket".into()],
    };
    settings::put(&mut tx, &v).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(settings::get(db, s.id).await.unwrap(), Some(v.clone()));
    // Written again: replaced, not duplicated.
    let mut tx = db.begin().await.unwrap();
    let w = UnitSettings {
        province: None,
        case_types: vec![],
        ..v
    };
    settings::put(&mut tx, &w).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(settings::get(db, s.id).await.unwrap(), Some(w));
}

#[tokio::test]
async fn unit_settings_round_trip() {
    on_both!(settings_round_trip);
}
