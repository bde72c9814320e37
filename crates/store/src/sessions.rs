//! Server-side sessions (one table), so sessions can be listed and revoked.

use fazhi_domain::UserId;
use sqlx::Row;

use crate::{Db, Result, SessionRow, UnitRow, UserRow};

// Session writes are not audited: `Db::execute_write` (on SQLite, the writer's turn).

pub async fn insert(db: &Db, s: &SessionRow) -> Result<()> {
    db.execute_write(
        sqlx::query("INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&s.id)
            .bind(s.user_id.0)
            .bind(&s.csrf)
            .bind(s.created_at)
            .bind(s.expires_at),
    )
    .await?;
    Ok(())
}

/// A live session with its user and the user's unit, in one statement (every request of a
/// logged-in user starts with this).
pub async fn get_with_user(
    db: &Db,
    id: &str,
    now: i64,
) -> Result<Option<(SessionRow, UserRow, UnitRow)>> {
    let r = sqlx::query(
        "SELECT s.id, s.user_id, s.csrf, s.created_at, s.expires_at, \
         u.id, u.login, u.display_name, u.password_hash, u.unit_id, u.department_id, u.scope, u.roles, u.active, u.created_at, \
         n.id, n.parent_id, n.code, n.name, n.kind, n.path \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN units n ON n.id = u.unit_id \
         WHERE s.id = $1 AND s.expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    r.map(|r| {
        Ok((
            SessionRow {
                id: r.try_get(0)?,
                user_id: UserId(r.try_get(1)?),
                csrf: r.try_get(2)?,
                created_at: r.try_get(3)?,
                expires_at: r.try_get(4)?,
            },
            crate::org::user_row_at(&r, 5)?,
            crate::org::unit_row_at(&r, 15)?,
        ))
    })
    .transpose()
}

pub async fn delete(db: &Db, id: &str) -> Result<()> {
    db.execute_write(sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id))
        .await?;
    Ok(())
}

pub async fn delete_for_user(db: &Db, user: UserId) -> Result<u64> {
    db.execute_write(sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0))
        .await
}

pub async fn purge_expired(db: &Db, now: i64) -> Result<u64> {
    db.execute_write(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now))
        .await
}
