//! Unit settings written at first run (`fazhi init`, the setup page): the province of the
//! calendar overlay and the case types a unit runs (migration 0018).

use crate::{Db, DbRow, Result, Tx};
use fazhi_domain::UnitId;

/// A unit's settings row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitSettings {
    pub unit_id: UnitId,
    /// Two-digit province code of the calendar overlay; `None`: the national calendar.
    pub province: Option<String>,
    /// Case-type codes the unit runs; empty: every case type of the registry.
    pub case_types: Vec<String>,
}

/// How many units the database holds (0: first run not done yet).
pub async fn unit_count(db: &Db) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM units")
        .fetch_one(db.pool())
        .await?)
}

/// Writes (inserts or replaces) a unit's settings.
pub async fn put(tx: &mut Tx, s: &UnitSettings) -> Result<()> {
    let types = serde_json::to_string(&s.case_types)
        .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "DELETE FROM unit_settings WHERE unit_id = $1",
        vec![s.unit_id.0.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO unit_settings (unit_id, province, case_types) VALUES ($1, $2, $3)",
        vec![
            s.unit_id.0.into(),
            s.province.as_deref().into(),
            types.as_str().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Removes a unit's settings row (the unit then follows its nearest ancestor's).
pub async fn delete(tx: &mut Tx, unit: UnitId) -> Result<()> {
    tx.execute(
        "DELETE FROM unit_settings WHERE unit_id = $1",
        vec![unit.0.into()],
    )
    .await?;
    Ok(())
}

/// A unit's settings, if any were written.
pub async fn get(db: &Db, unit: UnitId) -> Result<Option<UnitSettings>> {
    let Some(r) =
        sqlx::query("SELECT unit_id, province, case_types FROM unit_settings WHERE unit_id = $1")
            .bind(unit.0)
            .fetch_optional(db.pool())
            .await?
    else {
        return Ok(None);
    };
    let types: String = r.col(2)?;
    Ok(Some(UnitSettings {
        unit_id: UnitId(r.col(0)?),
        province: r.col(1)?,
        case_types: serde_json::from_str(&types)
            .map_err(|e| crate::StoreError::Corrupt(format!("unit_settings.case_types: {e}")))?,
    }))
}
