//! Document numbers (文号) under concurrency: numbers per unit, kind and year are gap-free and
//! never reused, with rolled-back issues giving their number back; issued documents are
//! records the database refuses to change. On SQLite and PostgreSQL.

use fazhi_domain::{CaseId, UnitId};
use fazhi_store::cases::{self, CaseWrite};
use fazhi_store::documents::{self, NewDocument};
use fazhi_store::testing::seed_units;
use fazhi_store::{Db, on_both};

async fn a_case(db: &Db, unit: UnitId, path: &str) -> CaseId {
    let fields = serde_json::Map::new();
    let mut tx = db.begin().await.unwrap();
    let id = cases::insert_case(
        &mut tx,
        &CaseWrite {
            case_type: "enforcement_case",
            number: "ZF20260001",
            unit_id: unit,
            unit_path: path,
            department_id: None,
            owner_id: None,
            state: "decided",
            title: "占道经营",
            category: None,
            created_on: "2026-03-02",
            closed_on: None,
            due_on: None,
            due_level: 0,
            published: false,
            fields: &fields,
            search_text: "占道经营",
            at: 1,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Issues one document in its own transaction; rolls back instead of committing when `abort`.
async fn issue(db: &Db, case: CaseId, unit: UnitId, kind: &str, abort: bool) -> Option<i64> {
    let mut tx = db.begin().await.unwrap();
    let seq = documents::next_number(&mut tx, unit, kind, 2026)
        .await
        .unwrap();
    let number = format!("望江{kind}字〔2026〕第{seq}号");
    let body = format!("document {kind} {seq}");
    let sha = format!(
        "{:0>64}",
        format!("{kind}{seq}").len() * 1000 + seq as usize
    );
    fazhi_store::cases::put_blob(&mut tx, &sha, body.as_bytes())
        .await
        .unwrap();
    documents::insert_document(
        &mut tx,
        &NewDocument {
            case_id: case,
            unit_id: unit,
            name: "行政处罚决定书",
            numbered: Some((kind, 2026, seq, &number)),
            sha256: &sha,
            media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            corrects_id: None,
            issued_by: None,
            issued_on: "2026-04-08",
            at: 2,
        },
    )
    .await
    .unwrap();
    if abort {
        tx.rollback().await.unwrap();
        None
    } else {
        tx.commit().await.unwrap();
        Some(seq)
    }
}

async fn numbers_are_gap_free_and_unique(db: &Db) {
    let (_, street, community) = seed_units(db).await;
    let case = a_case(db, street.id, &street.path).await;
    const TASKS: usize = 8;
    const EACH: usize = 6;
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let db = db.clone();
        let (sid, cid) = (street.id, community.id);
        handles.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..EACH {
                // Two kinds and two units interleaved; every fifth issue is abandoned.
                let kind = if (t + i) % 2 == 0 {
                    "执罚决"
                } else {
                    "执罚告"
                };
                let unit = if t % 4 == 3 { cid } else { sid };
                let abort = (t * EACH + i) % 5 == 4;
                if let Some(seq) = issue(&db, case, unit, kind, abort).await {
                    got.push((unit, kind, seq));
                }
            }
            got
        }));
    }
    let mut issued = Vec::new();
    for h in handles {
        issued.extend(h.await.unwrap());
    }
    let mut total = 0;
    for unit in [street.id, community.id] {
        for kind in ["执罚决", "执罚告"] {
            let seqs = documents::issued_numbers(db, unit, kind, 2026)
                .await
                .unwrap();
            let want: Vec<i64> = (1..=seqs.len() as i64).collect();
            assert_eq!(seqs, want, "{unit:?} {kind}: gap or duplicate");
            let mut mine: Vec<i64> = issued
                .iter()
                .filter(|(u, k, _)| *u == unit && *k == kind)
                .map(|(_, _, s)| *s)
                .collect();
            mine.sort_unstable();
            assert_eq!(mine, want, "what the issuers got is what was stored");
            total += seqs.len();
        }
    }
    let aborted = (0..TASKS * EACH).filter(|n| n % 5 == 4).count();
    assert_eq!(total, TASKS * EACH - aborted);
    // The next year starts again at 1; the counter of this year goes on.
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        documents::next_number(&mut tx, street.id, "执罚决", 2027)
            .await
            .unwrap(),
        1
    );
    tx.rollback().await.unwrap();
}

async fn issued_documents_are_records(db: &Db) {
    let (_, street, _) = seed_units(db).await;
    let case = a_case(db, street.id, &street.path).await;
    issue(db, case, street.id, "执罚决", false).await.unwrap();
    let doc = documents::documents_of(db, case).await.unwrap().remove(0);
    assert_eq!(doc.number.as_deref(), Some("望江执罚决字〔2026〕第1号"));
    // The number or the file cannot change.
    let mut tx = db.begin().await.unwrap();
    let r = tx
        .execute(
            "UPDATE case_documents SET number = 'x' WHERE id = $1",
            vec![doc.id.into()],
        )
        .await;
    assert!(r.is_err(), "number changed");
    tx.rollback().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let r = tx
        .execute(
            "DELETE FROM case_documents WHERE id = $1",
            vec![doc.id.into()],
        )
        .await;
    assert!(r.is_err(), "document deleted");
    tx.rollback().await.unwrap();
    // Service is recorded once.
    let mut tx = db.begin().await.unwrap();
    assert!(
        documents::record_service(&mut tx, doc.id, "直接送达", "2026-04-09", "张某某")
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert!(
        !documents::record_service(&mut tx, doc.id, "邮寄送达", "2026-04-10", "张某某")
            .await
            .unwrap()
    );
    tx.rollback().await.unwrap();
    let doc = documents::document(db, doc.id).await.unwrap();
    assert_eq!(doc.served_on.as_deref(), Some("2026-04-09"));
    assert_eq!(doc.service_method.as_deref(), Some("直接送达"));
}

#[tokio::test]
async fn document_numbers_under_concurrency_have_no_gaps_and_no_duplicates() {
    on_both!(numbers_are_gap_free_and_unique);
}

#[tokio::test]
async fn issued_documents_cannot_change() {
    on_both!(issued_documents_are_records);
}
