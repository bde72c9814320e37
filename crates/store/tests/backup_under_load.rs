//! `fazhi backup` (Db::backup_sqlite, `VACUUM INTO`) while writers commit cases with their audit
//! entries (issue 16, "make the checks permanent"): the copy opens, its audit chain verifies, and
//! it holds exactly a prefix of what was acknowledged — at least every write acknowledged before
//! the backup started, at most those acknowledged when it ended (plus commits in flight), cases and audit entries in step.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use fazhi_store::cases::{self, CaseWrite};
use fazhi_store::testing::{TestDb, seed_units};
use fazhi_store::{AuditEntry, ConnectOptions, Db, verify_chain};
use sqlx::Row;

async fn count(db: &Db, sql: &'static str) -> i64 {
    sqlx::query(sql)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_verifies_and_holds_what_was_acknowledged() {
    let t = TestDb::sqlite().await;
    let db = t.db.clone();
    let (_, street, _) = seed_units(&db).await;
    let base_audit = count(&db, "SELECT COUNT(*) FROM audit_log").await;
    let acked = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (db, acked, stop, street) = (db.clone(), acked.clone(), stop.clone(), street.clone());
        writers.push(tokio::spawn(async move {
            let fields = serde_json::Map::new();
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let number = format!("B{w}-{i:06}");
                let mut tx = db.begin().await.unwrap();
                let id = cases::insert_case(
                    &mut tx,
                    &CaseWrite {
                        case_type: "hotline_ticket",
                        number: &number,
                        unit_id: street.id,
                        unit_path: &street.path,
                        department_id: None,
                        owner_id: None,
                        state: "received",
                        title: "备份期间写入",
                        category: None,
                        created_on: "2026-03-02",
                        closed_on: None,
                        due_on: None,
                        due_level: 0,
                        published: false,
                        fields: &fields,
                        search_text: "备份期间写入",
                        at: 1,
                    },
                )
                .await
                .unwrap();
                tx.audit(AuditEntry {
                    at: 1,
                    actor: "writer",
                    action: "create",
                    entity: "case",
                    entity_id: &id.to_string(),
                    before: None,
                    after: None,
                })
                .await
                .unwrap();
                tx.commit().await.unwrap();
                acked.fetch_add(1, Ordering::SeqCst);
                i += 1;
            }
        }));
    }
    // Let the writers run, then back up in the middle of it.
    while acked.load(Ordering::SeqCst) < 200 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup.db");
    let before = acked.load(Ordering::SeqCst);
    db.backup_sqlite(&dest).await.unwrap();
    let after = acked.load(Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    assert!(
        acked.load(Ordering::SeqCst) > after,
        "writes continued after the backup"
    );

    let copy = Db::connect(
        &format!("sqlite://{}", dest.display()),
        ConnectOptions::default(),
    )
    .await
    .unwrap();
    let cases_in_copy = count(&copy, "SELECT COUNT(*) FROM cases").await;
    let audit_in_copy = count(&copy, "SELECT COUNT(*) FROM audit_log").await;
    // A commit that is durable but not yet counted when `after` is read: at most one per writer.
    assert!(
        (before..=after + 4).contains(&cases_in_copy),
        "backup holds {cases_in_copy} cases; acknowledged {before} before and {after} after it"
    );
    assert_eq!(
        audit_in_copy - base_audit,
        cases_in_copy,
        "every case with its audit entry, nothing half there"
    );
    assert_eq!(verify_chain(&copy).await.unwrap(), Ok(audit_in_copy));
    // The original holds every acknowledged write and verifies too.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM cases").await,
        acked.load(Ordering::SeqCst)
    );
    assert!(verify_chain(&db).await.unwrap().is_ok());
    copy.close().await;
    t.cleanup().await;
}
