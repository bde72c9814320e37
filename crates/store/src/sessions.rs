//! Server-side sessions (one table), so sessions can be listed and revoked.

use fazhi_domain::UserId;
use sqlx::Row;

use crate::{Db, Result, SessionRow};

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

/// A live session by id (expired ones are not returned).
pub async fn get(db: &Db, id: &str, now: i64) -> Result<Option<SessionRow>> {
    let r = sqlx::query("SELECT id, user_id, csrf, created_at, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
        .bind(id)
        .bind(now)
        .fetch_optional(db.pool())
        .await?;
    r.map(|r| {
        Ok(SessionRow {
            id: r.try_get(0)?,
            user_id: UserId(r.try_get(1)?),
            csrf: r.try_get(2)?,
            created_at: r.try_get(3)?,
            expires_at: r.try_get(4)?,
        })
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
