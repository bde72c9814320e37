//! Definition versions (migration 0015): the version a case was opened under, the recorded texts
//! of definition versions, and the per-case record of migrations to a changed definition.

use fazhi_domain::CaseId;

use crate::cases::{CASE_COLS, case_row};
use crate::{CaseRow, Db, DbRow, Result, StoreError, Tx};

/// Records the text of a definition version (nothing when that version is recorded already).
pub async fn record_definition(
    tx: &mut Tx,
    version: &str,
    case_type: &str,
    definition: &str,
    at: i64,
) -> Result<bool> {
    let n = tx
        .execute(
            "INSERT INTO case_type_definitions (version, case_type, definition, recorded_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING",
            vec![
                version.into(),
                case_type.into(),
                definition.into(),
                at.into(),
            ],
        )
        .await?;
    Ok(n > 0)
}

/// The recorded text of a definition version.
pub async fn definition_text(db: &Db, version: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT definition FROM case_type_definitions WHERE version = $1")
        .bind(version)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| r.col(0)).transpose()
}

/// A case with the definition version it was opened under (`None`: before versions existed).
#[derive(Debug, Clone)]
pub struct VersionedCase {
    pub case: CaseRow,
    pub definition_version: Option<String>,
}

/// Open cases (not closed) of a type whose definition version is not `current`, by id.
pub async fn cases_not_on_version(
    db: &Db,
    case_type: &str,
    current: &str,
) -> Result<Vec<VersionedCase>> {
    sqlx::query(dynsql!(
        "SELECT {CASE_COLS}, definition_version FROM cases WHERE case_type = $1 AND closed_on IS NULL \
         AND (definition_version IS NULL OR definition_version <> $2) ORDER BY id"
    ))
        .bind(case_type)
        .bind(current)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(VersionedCase {
                case: case_row(r)?,
                definition_version: r.col(19)?,
            })
        })
        .collect()
}

/// The definition version a case was opened under.
pub async fn definition_version(db: &Db, id: CaseId) -> Result<Option<String>> {
    let row = sqlx::query("SELECT definition_version FROM cases WHERE id = $1")
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("case {id}")))?;
    row.col(0)
}

/// Moves a case to another definition version, with its new due summary, if it is still at
/// `expected_version` (optimistic concurrency, like `update_case`); returns the new row version.
/// The caller replaces the clocks (`cases::replace_clocks`) and writes the audit entry.
#[allow(clippy::too_many_arguments)]
pub async fn migrate_case(
    tx: &mut Tx,
    id: CaseId,
    expected_version: i64,
    from_version: Option<&str>,
    to_version: &str,
    due_on: Option<&str>,
    due_level: i64,
    changes: &serde_json::Value,
    actor: &str,
    at: i64,
) -> Result<i64> {
    let n = tx
        .execute(
            "UPDATE cases SET definition_version = $1, due_on = $2, due_level = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5 AND version = $6",
            vec![
                to_version.into(),
                due_on.into(),
                due_level.into(),
                at.into(),
                id.0.into(),
                expected_version.into(),
            ],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict(format!(
            "case {id} was changed by someone else"
        )));
    }
    tx.execute(
        "INSERT INTO case_definition_migrations (case_id, from_version, to_version, changes, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            id.0.into(),
            from_version.into(),
            to_version.into(),
            changes.to_string().into(),
            actor.into(),
            at.into(),
        ],
    )
    .await?;
    Ok(expected_version + 1)
}

/// One recorded migration of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionMigrationRow {
    pub case_id: CaseId,
    pub from_version: Option<String>,
    pub to_version: String,
    pub changes: serde_json::Value,
    pub actor: String,
    pub at: i64,
}

/// The migrations of a case, oldest first.
pub async fn definition_migrations(db: &Db, id: CaseId) -> Result<Vec<DefinitionMigrationRow>> {
    sqlx::query(
        "SELECT case_id, from_version, to_version, changes, actor, at FROM case_definition_migrations \
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let changes: String = r.col(3)?;
        Ok(DefinitionMigrationRow {
            case_id: CaseId(r.col(0)?),
            from_version: r.col(1)?,
            to_version: r.col(2)?,
            changes: serde_json::from_str(&changes)
                .map_err(|_| StoreError::Corrupt("migration changes are not JSON".into()))?,
            actor: r.col(4)?,
            at: r.col(5)?,
        })
    })
    .collect()
}
