//! The audit chain's tail (issue 16, finding 9): an anchor kept outside the database detects
//! entries cut after it and a rewritten chain, even when whoever did it dropped the triggers and
//! moved the head row; on PostgreSQL TRUNCATE is refused and the application's role (set up by
//! `scripts/postgres-roles.sql`) can neither delete, truncate nor alter the audit tables.

use fazhi_store::audit::{self, Anchor};
use fazhi_store::{AuditEntry, Backend, Db, on_both, verify_chain};
use sqlx::Row;

async fn append(db: &Db, n: usize, actor: &str) {
    for i in 0..n {
        let mut tx = db.begin().await.unwrap();
        tx.audit(AuditEntry {
            at: 1_000 + i as i64,
            actor,
            action: "create",
            entity: "thing",
            entity_id: &i.to_string(),
            before: None,
            after: Some(&serde_json::json!({ "n": i })),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

async fn drop_triggers(db: &Db) {
    let stmts: &[&str] = match db.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER audit_log_no_update ON audit_log",
            "DROP TRIGGER audit_log_no_truncate ON audit_log",
            "DROP TRIGGER audit_head_no_delete ON audit_head",
            "DROP TRIGGER audit_head_no_truncate ON audit_head",
        ],
    };
    for s in stmts {
        sqlx::query(sqlx::AssertSqlSafe(*s))
            .execute(db.pool())
            .await
            .unwrap();
    }
}

/// Cuts the log back to `keep` entries and moves the head to the new last entry, as someone
/// with the database file (or the owner's role) could.
async fn cut_tail(db: &Db, keep: i64) {
    sqlx::query("DELETE FROM audit_log WHERE id > $1")
        .bind(keep)
        .execute(db.pool())
        .await
        .unwrap();
    let hash: String = sqlx::query("SELECT hash FROM audit_log WHERE id = $1")
        .bind(keep)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(keep)
        .bind(hash)
        .execute(db.pool())
        .await
        .unwrap();
}

async fn a_cut_tail_is_caught_by_the_anchor(db: &Db) {
    append(db, 6, "clerk").await;
    let key = b"kept-elsewhere";
    let a = audit::anchor(db, "2026-11-20T09:00:00Z", Some(key))
        .await
        .unwrap();
    assert_eq!((a.seq, a.count), (6, 6));
    assert!(a.hmac.is_some());
    // The anchor survives a round trip through its file format and verifies.
    let a: Anchor = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(
        audit::verify_with_anchor(db, &a, Some(key)).await.unwrap(),
        Ok(6)
    );
    // Later entries are fine.
    append(db, 2, "clerk").await;
    assert_eq!(
        audit::verify_with_anchor(db, &a, Some(key)).await.unwrap(),
        Ok(8)
    );
    // A forged or edited anchor, or a missing key, is refused.
    let mut forged = a.clone();
    forged.seq = 3;
    assert!(
        audit::verify_with_anchor(db, &forged, Some(key))
            .await
            .unwrap()
            .is_err()
    );
    assert!(
        audit::verify_with_anchor(db, &a, Some(b"wrong"))
            .await
            .unwrap()
            .is_err()
    );
    assert!(
        audit::verify_with_anchor(db, &a, None)
            .await
            .unwrap()
            .is_err()
    );

    // Entries 5..8 are cut and the head moved: the chain alone still verifies ...
    drop_triggers(db).await;
    cut_tail(db, 4).await;
    assert_eq!(verify_chain(db).await.unwrap(), Ok(4));
    // ... the anchor does not.
    let p = audit::verify_with_anchor(db, &a, Some(key))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(p.id, 5, "{p:?}");
    assert!(p.reason.contains("cut"), "{p:?}");

    // The chain rewritten from entry 4 on (new content, new hashes, head moved) and grown
    // past the anchor: the chain verifies, the anchored entry's hash does not.
    cut_tail(db, 3).await;
    append(db, 5, "mallory").await;
    assert_eq!(verify_chain(db).await.unwrap(), Ok(8));
    let p = audit::verify_with_anchor(db, &a, Some(key))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(p.id, 6, "{p:?}");
    assert!(p.reason.contains("rewritten"), "{p:?}");
}

#[tokio::test]
async fn the_anchor_catches_a_cut_tail_and_a_rewritten_chain() {
    on_both!(a_cut_tail_is_caught_by_the_anchor);
}

/// PostgreSQL only: TRUNCATE is refused even for the owner, and the application's role cannot
/// delete, truncate, alter or drop the triggers of the audit tables.
#[tokio::test]
async fn on_postgres_the_app_role_cannot_delete_truncate_or_alter_the_audit_log() {
    let Some(t) = fazhi_store::testing::TestDb::postgres().await else {
        return;
    };
    let db = &t.db;
    append(db, 3, "clerk").await;
    for s in [
        "TRUNCATE audit_log",
        "TRUNCATE audit_head",
        "DELETE FROM audit_head",
    ] {
        assert!(
            sqlx::query(sqlx::AssertSqlSafe(s))
                .execute(db.pool())
                .await
                .is_err(),
            "owner: {s} must be refused"
        );
    }
    // The two roles of docs/security-operations.md, under a name unique to this run (roles are per
    // cluster).
    let role = format!("fazhi_app_{}", std::process::id());
    let script = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/postgres-roles.sql"
    ))
    .unwrap()
    .replace("fazhi_app", &role);
    let mut conn = db.pool().acquire().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {role}")))
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE ROLE {role} NOLOGIN")))
        .execute(&mut *conn)
        .await
        .unwrap();
    // Comments first (they may hold a `;`), then one statement per `;`.
    let code: String = script
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    for stmt in code
        .split(';')
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
    {
        sqlx::query(sqlx::AssertSqlSafe(stmt.clone()))
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{stmt}: {e}"));
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("SET ROLE {role}")))
        .execute(&mut *conn)
        .await
        .unwrap();
    // What the server does works: read, append, move the head.
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(n, 3);
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("SELECT COUNT(*) FROM cases")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    // What it must never do is refused.
    for s in [
        "DELETE FROM audit_log",
        "UPDATE audit_log SET actor = 'mallory'",
        "TRUNCATE audit_log",
        "TRUNCATE audit_head",
        "DELETE FROM audit_head",
        "DROP TRIGGER audit_log_no_update ON audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "ALTER TABLE audit_log ADD COLUMN x TEXT",
        "DROP TABLE audit_log",
    ] {
        let r = sqlx::query(sqlx::AssertSqlSafe(s))
            .execute(&mut *conn)
            .await;
        assert!(r.is_err(), "app role: {s} must be refused");
    }
    sqlx::query("RESET ROLE").execute(&mut *conn).await.unwrap();
    drop(conn);
    assert_eq!(verify_chain(db).await.unwrap(), Ok(3));
    // The role holds privileges in this database only; drop them with it.
    let mut conn = db.pool().acquire().await.unwrap();
    for s in [format!("DROP OWNED BY {role}"), format!("DROP ROLE {role}")] {
        sqlx::query(sqlx::AssertSqlSafe(s))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    drop(conn);
    t.cleanup().await;
}
