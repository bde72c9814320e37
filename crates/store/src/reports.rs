//! Annual reports: one per unit and year, a JSON document, and the frozen figure snapshot.

use crate::DbRow;
use fazhi_domain::UnitId;

use crate::{Db, Result, StoreError, Tx};

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub unit_id: UnitId,
    pub year: i64,
    pub title: String,
    /// `draft` or `frozen`.
    pub status: String,
    pub body: String,
    pub snapshot: Option<String>,
    pub frozen_at: Option<i64>,
    pub frozen_by: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "id, unit_id, year, title, status, body, snapshot, frozen_at, frozen_by, version, created_at, updated_at";

fn row(r: &impl DbRow) -> Result<ReportRow> {
    Ok(ReportRow {
        id: r.col(0)?,
        unit_id: UnitId(r.col(1)?),
        year: r.col(2)?,
        title: r.col(3)?,
        status: r.col(4)?,
        body: r.col(5)?,
        snapshot: r.col(6)?,
        frozen_at: r.col(7)?,
        frozen_by: r.col(8)?,
        version: r.col(9)?,
        created_at: r.col(10)?,
        updated_at: r.col(11)?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<ReportRow> {
    let r = sqlx::query(dynsql!("SELECT {COLS} FROM reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("report {id}")))?;
    row(&r)
}

pub async fn find(db: &Db, unit: UnitId, year: i64) -> Result<Option<ReportRow>> {
    sqlx::query(dynsql!(
        "SELECT {COLS} FROM reports WHERE unit_id = $1 AND year = $2"
    ))
    .bind(unit.0)
    .bind(year)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(row)
    .transpose()
}

pub async fn list(db: &Db) -> Result<Vec<ReportRow>> {
    sqlx::query(dynsql!(
        "SELECT {COLS} FROM reports ORDER BY year DESC, unit_id"
    ))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(row)
    .collect()
}

pub async fn insert(
    tx: &mut Tx,
    unit: UnitId,
    year: i64,
    title: &str,
    body: &str,
    at: i64,
) -> Result<i64> {
    let r = tx.fetch_one(
        "INSERT INTO reports (unit_id, year, title, status, body, version, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, 1, $5, $5) RETURNING id",
        vec![unit.0.into(), year.into(), title.into(), body.into(), at.into()],
    )
    .await?;
    r.col(0)
}

/// Saves a draft's document if it is still at `version` and not frozen.
pub async fn save(
    tx: &mut Tx,
    id: i64,
    version: i64,
    title: &str,
    body: &str,
    at: i64,
) -> Result<i64> {
    let n = tx
        .execute(
            "UPDATE reports SET title = $1, body = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND version = $5 AND status = 'draft'",
            vec![
                title.into(),
                body.into(),
                at.into(),
                id.into(),
                version.into(),
            ],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict(format!(
            "report {id} changed or frozen"
        )));
    }
    Ok(version + 1)
}

/// Freezes (status frozen + snapshot) or unfreezes (status draft, snapshot kept as history in
/// the audit log) a report.
pub async fn set_frozen(
    tx: &mut Tx,
    id: i64,
    version: i64,
    snapshot: Option<&str>,
    by: Option<&str>,
    at: i64,
) -> Result<i64> {
    let status = if snapshot.is_some() {
        "frozen"
    } else {
        "draft"
    };
    let n = tx.execute(
        "UPDATE reports SET status = $1, snapshot = $2, frozen_by = $3, frozen_at = $4, updated_at = $4, \
         version = version + 1 WHERE id = $5 AND version = $6",
        vec![status.into(), snapshot.into(), by.into(), at.into(), id.into(), version.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::Conflict(format!(
            "report {id} was changed by someone else"
        )));
    }
    Ok(version + 1)
}

/// A stored 政府信息公开工作年度报告: the clerk's part and, once frozen, the snapshot of the
/// inputs its tables were computed from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DisclosureReportRow {
    pub id: i64,
    pub unit_id: UnitId,
    pub year: i64,
    /// `draft` or `frozen`.
    pub status: String,
    pub narrative: String,
    pub snapshot: Option<String>,
    pub frozen_at: Option<i64>,
    pub frozen_by: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const DCOLS: &str = "id, unit_id, year, status, narrative, snapshot, frozen_at, frozen_by, version, created_at, updated_at";

fn drow(r: &impl DbRow) -> Result<DisclosureReportRow> {
    Ok(DisclosureReportRow {
        id: r.col(0)?,
        unit_id: UnitId(r.col(1)?),
        year: r.col(2)?,
        status: r.col(3)?,
        narrative: r.col(4)?,
        snapshot: r.col(5)?,
        frozen_at: r.col(6)?,
        frozen_by: r.col(7)?,
        version: r.col(8)?,
        created_at: r.col(9)?,
        updated_at: r.col(10)?,
    })
}

pub async fn disclosure_get(db: &Db, id: i64) -> Result<DisclosureReportRow> {
    let r = sqlx::query(dynsql!(
        "SELECT {DCOLS} FROM disclosure_reports WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("disclosure report {id}")))?;
    drow(&r)
}

pub async fn disclosure_find(
    db: &Db,
    unit: UnitId,
    year: i64,
) -> Result<Option<DisclosureReportRow>> {
    sqlx::query(dynsql!(
        "SELECT {DCOLS} FROM disclosure_reports WHERE unit_id = $1 AND year = $2"
    ))
    .bind(unit.0)
    .bind(year)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(drow)
    .transpose()
}

pub async fn disclosure_list(db: &Db) -> Result<Vec<DisclosureReportRow>> {
    sqlx::query(dynsql!(
        "SELECT {DCOLS} FROM disclosure_reports ORDER BY year DESC, unit_id"
    ))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(drow)
    .collect()
}

pub async fn disclosure_insert(
    tx: &mut Tx,
    unit: UnitId,
    year: i64,
    narrative: &str,
    at: i64,
) -> Result<i64> {
    let r = tx
        .fetch_one(
            "INSERT INTO disclosure_reports (unit_id, year, status, narrative, version, created_at, updated_at) \
         VALUES ($1, $2, 'draft', $3, 1, $4, $4) RETURNING id",
            vec![unit.0.into(), year.into(), narrative.into(), at.into()],
        )
        .await?;
    r.col(0)
}

/// Saves a draft's narrative if it is still at `version` and not frozen.
pub async fn disclosure_save(
    tx: &mut Tx,
    id: i64,
    version: i64,
    narrative: &str,
    at: i64,
) -> Result<i64> {
    let n = tx
        .execute(
            "UPDATE disclosure_reports SET narrative = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND status = 'draft'",
            vec![narrative.into(), at.into(), id.into(), version.into()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict(format!(
            "disclosure report {id} changed or frozen"
        )));
    }
    Ok(version + 1)
}

/// Freezes (snapshot set) or unfreezes (snapshot cleared; kept in the audit log) a report.
pub async fn disclosure_set_frozen(
    tx: &mut Tx,
    id: i64,
    version: i64,
    snapshot: Option<&str>,
    by: Option<&str>,
    at: i64,
) -> Result<i64> {
    let status = if snapshot.is_some() {
        "frozen"
    } else {
        "draft"
    };
    let n = tx.execute(
        "UPDATE disclosure_reports SET status = $1, snapshot = $2, frozen_by = $3, frozen_at = $4, updated_at = $4, \
         version = version + 1 WHERE id = $5 AND version = $6",
        vec![status.into(), snapshot.into(), by.into(), at.into(), id.into(), version.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::Conflict(format!(
            "disclosure report {id} was changed by someone else"
        )));
    }
    Ok(version + 1)
}
