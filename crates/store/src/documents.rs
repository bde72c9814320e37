//! Issued case documents (文书): the per unit, kind and year counter that numbers them, the
//! records themselves (file as a blob, SHA-256, number) and their service (送达). Migration
//! `0024_case_documents`; the database refuses to change or delete an issued document (triggers),
//! except recording its service once.

use fazhi_domain::{CaseId, UnitId, UserId};
use serde::Serialize;

use crate::{Db, DbRow, Result, StoreError, Tx};

/// One issued document.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub case_id: CaseId,
    pub unit_id: UnitId,
    pub name: String,
    pub kind: Option<String>,
    pub year: Option<i64>,
    pub seq: Option<i64>,
    pub number: Option<String>,
    pub sha256: String,
    pub media_type: String,
    pub corrects_id: Option<i64>,
    pub issued_by: Option<UserId>,
    pub issued_on: String,
    pub at: i64,
    pub service_method: Option<String>,
    pub served_on: Option<String>,
    pub service_recipient: Option<String>,
}

const COLS: &str = "id, case_id, unit_id, name, kind, year, seq, number, sha256, media_type, \
     corrects_id, issued_by, issued_on, at, service_method, served_on, service_recipient";

fn row(r: &impl DbRow) -> Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.col(0)?,
        case_id: CaseId(r.col(1)?),
        unit_id: UnitId(r.col(2)?),
        name: r.col(3)?,
        kind: r.col(4)?,
        year: r.col(5)?,
        seq: r.col(6)?,
        number: r.col(7)?,
        sha256: r.col(8)?,
        media_type: r.col(9)?,
        corrects_id: r.col(10)?,
        issued_by: r.col::<Option<i64>>(11)?.map(UserId),
        issued_on: r.col(12)?,
        at: r.col(13)?,
        service_method: r.col(14)?,
        served_on: r.col(15)?,
        service_recipient: r.col(16)?,
    })
}

/// The next number of `kind` for `unit` in `year`, taken inside the caller's transaction: the
/// counter row is created at 0 on first use and incremented, so a rolled-back issue gives its
/// number back (no gaps) and a committed one never hands it out again (no reuse). Writers are
/// serialised by the transaction (the audit head, then the counter row's lock).
pub async fn next_number(tx: &mut Tx, unit: UnitId, kind: &str, year: i32) -> Result<i64> {
    tx.execute(
        "INSERT INTO document_counters (unit_id, kind, year, last) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (unit_id, kind, year) DO NOTHING",
        vec![unit.0.into(), kind.into(), i64::from(year).into()],
    )
    .await?;
    let r = tx
        .fetch_one(
            "UPDATE document_counters SET last = last + 1 \
             WHERE unit_id = $1 AND kind = $2 AND year = $3 RETURNING last",
            vec![unit.0.into(), kind.into(), i64::from(year).into()],
        )
        .await?;
    r.col(0)
}

/// A document to record.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub case_id: CaseId,
    pub unit_id: UnitId,
    pub name: &'a str,
    /// Kind, year, sequence and the number as written, when numbered.
    pub numbered: Option<(&'a str, i32, i64, &'a str)>,
    pub sha256: &'a str,
    pub media_type: &'a str,
    pub corrects_id: Option<i64>,
    pub issued_by: Option<UserId>,
    pub issued_on: &'a str,
    pub at: i64,
}

pub async fn insert_document(tx: &mut Tx, d: &NewDocument<'_>) -> Result<i64> {
    let (kind, year, seq, number) = match d.numbered {
        Some((k, y, s, n)) => (Some(k), Some(i64::from(y)), Some(s), Some(n)),
        None => (None, None, None, None),
    };
    tx.insert_id(
        "INSERT INTO case_documents (case_id, unit_id, name, kind, year, seq, number, sha256, \
         media_type, corrects_id, issued_by, issued_on, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        vec![
            d.case_id.0.into(),
            d.unit_id.0.into(),
            d.name.into(),
            kind.into(),
            year.into(),
            seq.into(),
            number.into(),
            d.sha256.into(),
            d.media_type.into(),
            d.corrects_id.into(),
            d.issued_by.map(|u| u.0).into(),
            d.issued_on.into(),
            d.at.into(),
        ],
    )
    .await
}

/// Records the service of a document; `false` when it was already served (a record).
pub async fn record_service(
    tx: &mut Tx,
    id: i64,
    method: &str,
    served_on: &str,
    recipient: &str,
) -> Result<bool> {
    let n = tx
        .execute(
            "UPDATE case_documents SET service_method = $1, served_on = $2, service_recipient = $3 \
             WHERE id = $4 AND served_on IS NULL",
            vec![method.into(), served_on.into(), recipient.into(), id.into()],
        )
        .await?;
    Ok(n == 1)
}

/// The documents of a case, in the order issued.
pub async fn documents_of(db: &Db, case: CaseId) -> Result<Vec<DocumentRow>> {
    sqlx::query(dynsql!(
        "SELECT {COLS} FROM case_documents WHERE case_id = $1 ORDER BY id"
    ))
    .bind(case.0)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(row)
    .collect()
}

pub async fn document(db: &Db, id: i64) -> Result<DocumentRow> {
    let r = sqlx::query(dynsql!("SELECT {COLS} FROM case_documents WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("document {id}")))?;
    row(&r)
}

/// Every number issued for `unit`, `kind` and `year`, ascending (the checks of the tests and of
/// an auditor: 1..=n without gaps).
pub async fn issued_numbers(db: &Db, unit: UnitId, kind: &str, year: i32) -> Result<Vec<i64>> {
    sqlx::query(
        "SELECT seq FROM case_documents WHERE unit_id = $1 AND kind = $2 AND year = $3 ORDER BY seq",
    )
    .bind(unit.0)
    .bind(kind)
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| r.col(0))
    .collect()
}
