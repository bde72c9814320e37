//! Concurrent write transactions (group commit on SQLite, plain transactions on PostgreSQL):
//! whatever commits is there with an unbroken audit chain; whatever rolls back, is dropped
//! half-way or fails on a constraint leaves nothing, and does not take the others with it.

use std::collections::BTreeSet;

use fazhi_store::cases::{self, CaseWrite};
use fazhi_store::testing::seed_units;
use fazhi_store::{AuditEntry, Backend, Db, verify_chain};
use sqlx::Row;

use fazhi_store::on_both;

/// What a writer does after writing its case and audit entry.
#[derive(Debug, Clone, Copy)]
enum End {
    Commit,
    Rollback,
    /// Returns early (an error with `?`), dropping the transaction.
    Drop,
    /// Writes a second case with a number already taken: the statement fails, and the
    /// transaction is dropped.
    Duplicate,
    /// Names an officer that does not exist: the write fails on its foreign key, after the
    /// transaction's other writes succeeded, and the transaction is dropped.
    ForeignKey,
}

fn end_of(i: usize) -> End {
    match i % 7 {
        1 => End::Rollback,
        3 => End::Drop,
        5 => End::Duplicate,
        6 => End::ForeignKey,
        _ => End::Commit,
    }
}

async fn write_one(db: Db, unit: fazhi_store::UnitRow, i: usize) -> Result<(), String> {
    let fields = serde_json::Map::new();
    let number = format!("W-{i:04}");
    let write = CaseWrite {
        case_type: "hotline_ticket",
        number: &number,
        unit_id: unit.id,
        unit_path: &unit.path,
        department_id: None,
        owner_id: None,
        state: "received",
        title: "并发写入",
        category: Some("投诉"),
        created_on: "2026-03-02",
        closed_on: None,
        due_on: None,
        due_level: 0,
        published: false,
        fields: &fields,
        search_text: "并发写入",
        at: i as i64,
    };
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let id = cases::insert_case(&mut tx, &write)
        .await
        .map_err(|e| e.to_string())?;
    // Let other writers queue behind this one.
    tokio::task::yield_now().await;
    let after = serde_json::json!({ "number": number });
    tx.audit(AuditEntry {
        at: i as i64,
        actor: "writer-test",
        action: "create",
        entity: "case",
        entity_id: &id.to_string(),
        before: None,
        after: Some(&after),
    })
    .await
    .map_err(|e| e.to_string())?;
    match end_of(i) {
        End::Commit => tx.commit().await.map_err(|e| e.to_string()),
        End::Rollback => {
            tx.rollback().await.map_err(|e| e.to_string())?;
            Err("rolled back".into())
        }
        End::Drop => Err("dropped".into()),
        End::Duplicate => {
            let taken = CaseWrite {
                number: "W-0000",
                ..write
            };
            cases::insert_case(&mut tx, &taken)
                .await
                .map_err(|e| e.to_string())?;
            Err("the duplicate number was accepted".into())
        }
        End::ForeignKey => {
            cases::set_case_officers(&mut tx, id, &[fazhi_domain::OfficerId(999_999)])
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            Err("the unknown officer was accepted".into())
        }
    }
}

async fn ids(db: &Db, sql: &'static str) -> Vec<i64> {
    sqlx::query(sql)
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn concurrent_writers_keep_their_own_outcomes(db: &Db) {
    let (_, s, _) = seed_units(db).await;
    // W-0000 first, alone, so that the duplicates always collide with a committed number.
    write_one(db.clone(), s.clone(), 0).await.unwrap();
    let before = db.group_commit_stats();

    const WRITERS: usize = 300;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 1..WRITERS {
        let (db, s) = (db.clone(), s.clone());
        tasks.spawn(async move { (i, write_one(db, s, i).await) });
    }
    let mut committed = BTreeSet::from([0usize]);
    while let Some(done) = tasks.join_next().await {
        let (i, outcome) = done.unwrap();
        match (end_of(i), outcome) {
            (End::Commit, Ok(())) => {
                committed.insert(i);
            }
            (End::Commit, Err(e)) => panic!("writer {i} failed to commit: {e}"),
            (_, Ok(())) => panic!("writer {i} committed although it should not have"),
            (_, Err(_)) => {}
        }
    }
    let expected: BTreeSet<usize> = (0..WRITERS)
        .filter(|i| matches!(end_of(*i), End::Commit))
        .collect();
    assert_eq!(committed, expected);

    // Exactly the committed cases are there, and the chain holds one entry for each.
    let rows = sqlx::query("SELECT number FROM cases ORDER BY number")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let numbers: BTreeSet<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    let want: BTreeSet<String> = expected.iter().map(|i| format!("W-{i:04}")).collect();
    assert_eq!(numbers, want);
    // The search index holds exactly the committed cases (on SQLite its rows are written at
    // the group's commit).
    let indexed_sql = match db.backend() {
        Backend::Sqlite => "SELECT rowid FROM cases_search ORDER BY rowid",
        Backend::Postgres => "SELECT case_id FROM cases_search ORDER BY case_id",
    };
    let indexed = ids(db, indexed_sql).await;
    let case_ids = ids(db, "SELECT id FROM cases ORDER BY id").await;
    assert_eq!(indexed, case_ids);
    let entries = verify_chain(db).await.unwrap().expect("chain intact");
    assert_eq!(
        entries,
        expected.len() as i64,
        "one entry per committed case"
    );
    let audited: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE actor = 'writer-test'")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(audited, expected.len() as i64);

    // On SQLite, concurrent writers shared group commits.
    if db.backend() == Backend::Sqlite {
        let (c0, g0) = before.unwrap();
        let (c1, g1) = db.group_commit_stats().unwrap();
        let (txs, groups) = (c1 - c0, g1 - g0);
        assert_eq!(txs, expected.len() as u64 - 1);
        assert!(
            groups < txs,
            "{txs} concurrent transactions took {groups} commits: no grouping"
        );
    } else {
        assert_eq!(db.group_commit_stats(), None);
    }

    // A write after the burst still works.
    write_one(db.clone(), s.clone(), WRITERS * 7).await.unwrap();
    assert_eq!(
        verify_chain(db).await.unwrap(),
        Ok(expected.len() as i64 + 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_keep_their_own_outcomes_and_the_chain() {
    on_both!(concurrent_writers_keep_their_own_outcomes);
}

/// Writers whose requests go away at any point (the client disconnects: the future is dropped
/// at whatever it awaits) leave the writer usable: no transaction left open on the connection
/// behind the slot's back, no writer counted as waiting for ever, and the chain intact. A
/// dropped commit may still have committed (it runs on a task of its own); every case that
/// exists has its audit entry, and every writer that returned Ok has its case.
async fn cancelled_writers_leave_the_writer_usable(db: &Db) {
    let (_, s, _) = seed_units(db).await;
    const WRITERS: usize = 240;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..WRITERS {
        let (db, s) = (db.clone(), s.clone());
        // Every writer commits (index 0 mod 7); the deadlines cut them at varying points.
        let i = i * 7;
        let deadline = std::time::Duration::from_micros(50 + (i as u64 * 37) % 3000);
        tasks.spawn(async move {
            let done = tokio::time::timeout(deadline, write_one(db, s, i)).await;
            (i, done)
        });
    }
    let mut ok = BTreeSet::new();
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            (i, Ok(Ok(()))) => {
                ok.insert(format!("W-{i:04}"));
            }
            (i, Ok(Err(e))) => panic!("writer {i} failed without being cancelled: {e}"),
            (_, Err(_)) => {}
        }
    }
    // Let the tasks of dropped transactions settle (and a group left open commit).
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    if db.backend() == Backend::Sqlite {
        assert_eq!(db.writers_waiting(), Some(0));
    }
    // Later writers, one at a time, succeed.
    for i in 0..20 {
        write_one(db.clone(), s.clone(), WRITERS * 7 + i * 7)
            .await
            .unwrap();
    }
    let rows = sqlx::query("SELECT number FROM cases")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let numbers: BTreeSet<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    assert!(
        ok.is_subset(&numbers),
        "a writer that returned Ok has no case"
    );
    let entries = verify_chain(db).await.unwrap().expect("chain intact");
    assert_eq!(entries, numbers.len() as i64, "one entry per case");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_writers_leave_the_writer_usable_and_the_chain_intact() {
    on_both!(cancelled_writers_leave_the_writer_usable);
}

/// The WAL is checkpointed in the background (`writer::checkpoints`), not by a committing
/// writer: the writer checkpoints only past 20 000 WAL pages, so the database file itself grows
/// after a few megabytes of commits only because the background checkpoint copied them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_is_checkpointed_in_the_background() {
    let t = fazhi_store::testing::TestDb::sqlite().await;
    let db = &t.db;
    let (_, s, _) = seed_units(db).await;
    let path = fazhi_store::sqlite_path(db.url()).expect("a file database");
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let before = std::fs::metadata(&path).unwrap().len();
    for i in 0..400 {
        write_one(db.clone(), s.clone(), 7 * (1000 + i))
            .await
            .unwrap();
    }
    let mut grown = 0;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        grown = std::fs::metadata(&path).unwrap().len();
        if grown > before {
            break;
        }
    }
    assert!(
        grown > before,
        "the database file did not grow from {before} bytes: nothing was checkpointed"
    );
}

/// A group holding a large write commits its deferred search rows in more than one batch (a batch
/// is sent once it holds 4 096 arguments): every case is indexed, and the chain holds.
#[tokio::test]
async fn a_large_transaction_commits_all_its_search_rows() {
    let t = fazhi_store::testing::TestDb::sqlite().await;
    let db = &t.db;
    let (_, s, _) = seed_units(db).await;
    let fields = serde_json::Map::new();
    let mut tx = db.begin().await.unwrap();
    const CASES: usize = 2_500;
    for i in 0..CASES {
        let number = format!("B-{i:05}");
        let write = CaseWrite {
            case_type: "hotline_ticket",
            number: &number,
            unit_id: s.id,
            unit_path: &s.path,
            department_id: None,
            owner_id: None,
            state: "received",
            title: "批量写入",
            category: Some("咨询"),
            created_on: "2026-03-02",
            closed_on: None,
            due_on: None,
            due_level: 0,
            published: false,
            fields: &fields,
            search_text: "批量写入 电梯维修",
            at: i as i64,
        };
        cases::insert_case(&mut tx, &write).await.unwrap();
    }
    tx.audit(AuditEntry {
        at: 1,
        actor: "writer-test",
        action: "bulk",
        entity: "case",
        entity_id: "B",
        before: None,
        after: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let indexed = ids(db, "SELECT rowid FROM cases_search ORDER BY rowid").await;
    let case_ids = ids(db, "SELECT id FROM cases ORDER BY id").await;
    assert_eq!(case_ids.len(), CASES);
    assert_eq!(indexed, case_ids);
    assert_eq!(verify_chain(db).await.unwrap(), Ok(1));
}

/// `Tx::insert_id` returns the id of the row it inserted (the rowid on SQLite, `RETURNING id`
/// on PostgreSQL), for several inserts in one transaction, and the rows are there after the
/// commit under those ids.
async fn insert_id_returns_the_new_rows_id(db: &Db) {
    let (_, s, _) = seed_units(db).await;
    let mut tx = db.begin().await.unwrap();
    let mut got = Vec::new();
    for code in ["ID-1", "ID-2", "ID-3"] {
        let id = tx
            .insert_id(
                "INSERT INTO departments (unit_id, code, name) VALUES ($1, $2, $3)",
                vec![s.id.0.into(), code.into(), "编号测试科".into()],
            )
            .await
            .unwrap();
        got.push((id, code.to_string()));
    }
    tx.commit().await.unwrap();
    let stored: Vec<(i64, String)> =
        sqlx::query("SELECT id, code FROM departments WHERE code LIKE 'ID-%' ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    assert_eq!(stored, got);
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "{got:?}");
}

#[tokio::test]
async fn insert_id_returns_the_new_rows_id_on_both() {
    on_both!(insert_id_returns_the_new_rows_id);
}
