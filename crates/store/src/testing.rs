//! Test support (feature `test-support`, for this crate's and other crates' tests): a fresh
//! database per test on SQLite (temporary file) or PostgreSQL (new database on 127.0.0.1:5432,
//! dropped afterwards), and [`on_both!`](crate::on_both) to run one test body on each.
//!
//! PostgreSQL unreachable fails loudly, unless `FAZHI_TEST_POSTGRES=skip`, which skips the
//! PostgreSQL half and says so on stderr.

use crate::{ConnectOptions, Db, UnitRow, org};

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated, empty database that [`TestDb::cleanup`] removes.
pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// A fresh SQLite file in a temporary directory, migrated.
    pub async fn sqlite() -> TestDb {
        let t = TestDb::sqlite_unmigrated().await;
        t.db.migrate().await.unwrap();
        t
    }

    /// A fresh PostgreSQL database, migrated; `None` only when unreachable and
    /// `FAZHI_TEST_POSTGRES=skip`.
    pub async fn postgres() -> Option<TestDb> {
        let t = TestDb::postgres_unmigrated().await?;
        t.db.migrate().await.unwrap();
        Some(t)
    }

    /// A fresh, empty SQLite file in a temporary directory (no migrations applied).
    pub async fn sqlite_unmigrated() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(
            &url,
            ConnectOptions {
                create_if_missing: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        TestDb {
            db,
            _dir: Some(dir),
            pg_name: None,
        }
    }

    /// A fresh, empty PostgreSQL database (no migrations applied); `None` only when unreachable
    /// and `FAZHI_TEST_POSTGRES=skip`.
    pub async fn postgres_unmigrated() -> Option<TestDb> {
        let admin = match Db::connect(PG_ADMIN, ConnectOptions::default()).await {
            Ok(a) => a,
            Err(e) => {
                if std::env::var("FAZHI_TEST_POSTGRES").as_deref() == Ok("skip") {
                    eprintln!(
                        "!!! PostgreSQL NOT REACHABLE ({e}); PostgreSQL tests SKIPPED by FAZHI_TEST_POSTGRES=skip"
                    );
                    return None;
                }
                panic!(
                    "PostgreSQL is not reachable on 127.0.0.1:5432 ({e}); set FAZHI_TEST_POSTGRES=skip to run without it"
                );
            }
        };
        let name = format!("fazhi_t_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(admin.pool())
            .await
            .unwrap();
        admin.close().await;
        let db = Db::connect(
            &format!("postgres://postgres@127.0.0.1:5432/{name}"),
            ConnectOptions::default(),
        )
        .await
        .unwrap();
        Some(TestDb {
            db,
            _dir: None,
            pg_name: Some(name),
        })
    }

    /// Closes the pool; drops the PostgreSQL database (the SQLite directory goes with `self`).
    pub async fn cleanup(self) {
        self.db.close().await;
        if let Some(name) = self.pg_name {
            let admin = Db::connect(PG_ADMIN, ConnectOptions::default())
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(admin.pool())
            .await
            .unwrap();
            admin.close().await;
        }
    }
}

/// A small unit tree, committed: district `D` 滨江区 → street `S` 望江街道 → community `C1`
/// 望湖社区.
pub async fn seed_units(db: &Db) -> (UnitRow, UnitRow, UnitRow) {
    let mut tx = db.begin().await.unwrap();
    let d = org::insert_unit(&mut tx, None, "D", "滨江区", "district")
        .await
        .unwrap();
    let s = org::insert_unit(&mut tx, Some(&d), "S", "望江街道", "street")
        .await
        .unwrap();
    let c = org::insert_unit(&mut tx, Some(&s), "C1", "望湖社区", "community")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (d, s, c)
}

/// Runs the async test body `f(&Db)` on a fresh SQLite database, then on a fresh PostgreSQL one.
#[macro_export]
macro_rules! on_both {
    ($f:ident) => {{
        let t = $crate::testing::TestDb::sqlite().await;
        $f(&t.db).await;
        t.cleanup().await;
        if let Some(t) = $crate::testing::TestDb::postgres().await {
            $f(&t.db).await;
            t.cleanup().await;
        }
    }};
}

/// The tables and column names a migration's `CREATE TABLE` statements define, in order (one
/// column per line; primary-key and unique constraints and comments skipped): what the tests
/// compare between the SQLite and PostgreSQL versions of a migration.
pub fn migration_columns(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut table = String::new();
    for line in sql.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("CREATE TABLE ") {
            table = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            out.push(table.clone());
        } else if !table.is_empty()
            && !l.is_empty()
            && !l.starts_with("--")
            && !l.starts_with(')')
            && !l.starts_with("PRIMARY")
            && !l.starts_with("UNIQUE")
        {
            out.push(format!(
                "{table}.{}",
                l.split_whitespace().next().unwrap_or_default()
            ));
        }
        if l.starts_with(')') {
            table.clear();
        }
    }
    out
}
