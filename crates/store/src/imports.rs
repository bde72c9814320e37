//! Imported annual reports: published 法治政府建设年度报告 of any unit, stored against the unit name
//! and year with their source file's name and hash, the decoded text and the extraction (JSON).

use crate::DbRow;
use fazhi_domain::UnitId;

use crate::{Db, Result, StoreError, Tx};

/// A stored imported report. `text` is `None` when the query did not load it (lists).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportedReportRow {
    pub id: i64,
    pub unit_name: String,
    pub unit_id: Option<UnitId>,
    pub level: Option<String>,
    pub region: Option<String>,
    pub year: i64,
    pub title: Option<String>,
    pub source_name: String,
    pub sha256: String,
    #[serde(skip)]
    pub text: Option<String>,
    /// JSON of the extraction without its decoded text.
    #[serde(skip)]
    pub extraction: String,
    pub imported_at: i64,
    pub imported_by: String,
}

/// A report to store.
#[derive(Debug, Clone)]
pub struct NewImportedReport<'a> {
    pub unit_name: &'a str,
    pub unit_id: Option<UnitId>,
    pub level: Option<&'a str>,
    pub region: Option<&'a str>,
    pub year: i64,
    pub title: Option<&'a str>,
    pub source_name: &'a str,
    pub sha256: &'a str,
    pub text: &'a str,
    pub extraction: &'a str,
    pub imported_at: i64,
    pub imported_by: &'a str,
}

const META: &str = "id, unit_name, unit_id, level, region, year, title, source_name, sha256, extraction, imported_at, imported_by";

fn row(r: &impl DbRow, with_text: bool) -> Result<ImportedReportRow> {
    Ok(ImportedReportRow {
        id: r.col(0)?,
        unit_name: r.col(1)?,
        unit_id: r.col::<Option<i64>>(2)?.map(UnitId),
        level: r.col(3)?,
        region: r.col(4)?,
        year: r.col(5)?,
        title: r.col(6)?,
        source_name: r.col(7)?,
        sha256: r.col(8)?,
        extraction: r.col(9)?,
        imported_at: r.col(10)?,
        imported_by: r.col(11)?,
        text: if with_text { Some(r.col(12)?) } else { None },
    })
}

/// Inserts a report. The exact (unit name, year, hash) triple is unique: a second insert is a
/// `Conflict` naming the stored report's id.
pub async fn insert(tx: &mut Tx, r: &NewImportedReport<'_>) -> Result<i64> {
    let existing = tx
        .fetch_optional(
            "SELECT id FROM imported_reports WHERE unit_name = $1 AND year = $2 AND sha256 = $3",
            vec![r.unit_name.into(), r.year.into(), r.sha256.into()],
        )
        .await?;
    if let Some(e) = existing {
        let id: i64 = e.col(0)?;
        return Err(StoreError::Conflict(format!("imported report {id}")));
    }
    let row = tx.fetch_one(
        "INSERT INTO imported_reports (unit_name, unit_id, level, region, year, title, source_name, \
         sha256, text, extraction, imported_at, imported_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        vec![r.unit_name.into(), r.unit_id.map(|u| u.0).into(), r.level.into(), r.region.into(), r.year.into(), r.title.into(), r.source_name.into(), r.sha256.into(), r.text.into(), r.extraction.into(), r.imported_at.into(), r.imported_by.into()],
    )
    .await?;
    row.col(0)
}

/// Reports of `year` with this file hash, whatever unit name they were stored under (the app
/// decides which names denote the same unit), as (id, unit name), read inside the writing
/// transaction so that the check and the insert see the same data.
pub async fn same_file(tx: &mut Tx, year: i64, sha256: &str) -> Result<Vec<(i64, String)>> {
    tx.fetch_all(
        "SELECT id, unit_name FROM imported_reports WHERE year = $1 AND sha256 = $2 ORDER BY id",
        vec![year.into(), sha256.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.col(0)?, r.col(1)?)))
    .collect()
}

/// One report with its text.
pub async fn get(db: &Db, id: i64) -> Result<ImportedReportRow> {
    let r = sqlx::query(dynsql!(
        "SELECT {META}, text FROM imported_reports WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("imported report {id}")))?;
    row(&r, true)
}

/// Reports without their text, newest year first, then in import order; only `year`'s when
/// given.
pub async fn list(db: &Db, year: Option<i64>) -> Result<Vec<ImportedReportRow>> {
    let rows = match year {
        Some(y) => {
            sqlx::query(dynsql!(
                "SELECT {META} FROM imported_reports WHERE year = $1 ORDER BY id"
            ))
            .bind(y)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(dynsql!(
                "SELECT {META} FROM imported_reports ORDER BY year DESC, id"
            ))
            .fetch_all(db.pool())
            .await?
        }
    };
    rows.iter().map(|r| row(r, false)).collect()
}
