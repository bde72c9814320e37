//! Server-side sessions (one table), so sessions can be listed and revoked.

use fazhi_domain::UserId;
use sqlx::Row;

use crate::{Db, Result, SessionRow};

// Session writes are not audited but go through a `Tx` like every write: on SQLite that is the
// writer's turn (see `writer`), not a second writer competing for the file lock.

pub async fn insert(db: &Db, s: &SessionRow) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&s.id)
        .bind(s.user_id.0)
        .bind(&s.csrf)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(tx.conn())
        .await?;
    tx.commit().await
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
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    tx.commit().await
}

pub async fn delete_for_user(db: &Db, user: UserId) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(tx.conn())
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}

pub async fn purge_expired(db: &Db, now: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(tx.conn())
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
