//! Years of the official holiday arrangement loaded at run time (`fazhi calendar import`,
//! migration 0025).

use crate::{Db, DbRow, Result, Tx};

/// One imported year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CalendarYear {
    pub year: i64,
    /// The arrangement as imported (JSON array of `{date, kind, name}`).
    pub data: String,
    pub sha256: String,
    /// The calendar version after this import.
    pub calendar_version: String,
    pub imported_by: String,
    pub imported_at: i64,
}

/// Every imported year, oldest first.
pub async fn years(db: &Db) -> Result<Vec<CalendarYear>> {
    sqlx::query(
        "SELECT year, data, sha256, calendar_version, imported_by, imported_at \
         FROM calendar_years ORDER BY year",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(CalendarYear {
            year: r.col(0)?,
            data: r.col(1)?,
            sha256: r.col(2)?,
            calendar_version: r.col(3)?,
            imported_by: r.col(4)?,
            imported_at: r.col(5)?,
        })
    })
    .collect()
}

/// Writes (inserts or replaces) a year.
pub async fn put(tx: &mut Tx, y: &CalendarYear) -> Result<()> {
    tx.execute(
        "DELETE FROM calendar_years WHERE year = $1",
        vec![y.year.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO calendar_years (year, data, sha256, calendar_version, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            y.year.into(),
            y.data.as_str().into(),
            y.sha256.as_str().into(),
            y.calendar_version.as_str().into(),
            y.imported_by.as_str().into(),
            y.imported_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Ids of the cases whose clocks a calendar change may move: a clock with no due date, or one
/// due or started on or after `from` (YYYY-MM-DD).
pub async fn cases_with_clocks_from(db: &Db, from: &str) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT case_id FROM case_clocks \
         WHERE due_on IS NULL OR due_on >= $1 OR started_on >= $1 ORDER BY case_id",
    )
    .bind(from)
    .fetch_all(db.pool())
    .await?)
}

/// Sets a case's nearest due date and warning level after its clocks were recomputed (the
/// case's version goes up; `expected_version` guards against a concurrent change).
pub async fn set_due(
    tx: &mut Tx,
    case_id: i64,
    expected_version: i64,
    due_on: Option<&str>,
    due_level: i64,
    at: i64,
) -> Result<()> {
    let n = tx
        .execute(
            "UPDATE cases SET due_on = $1, due_level = $2, updated_at = $3, version = version + 1 \
             WHERE id = $4 AND version = $5",
            vec![
                due_on.into(),
                due_level.into(),
                at.into(),
                case_id.into(),
                expected_version.into(),
            ],
        )
        .await?;
    if n == 0 {
        return Err(crate::StoreError::Conflict(format!(
            "case {case_id} was changed by someone else"
        )));
    }
    Ok(())
}
