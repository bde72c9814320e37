//! Server-side sessions (one table), so sessions can be listed and revoked.

use fazhi_domain::UserId;

use crate::{Db, DbRow, Result, SessionRow, UnitRow, UserRow};

// Session writes are not audited: `Db::execute_write` (on SQLite, the writer's turn).

pub async fn insert(db: &Db, s: &SessionRow) -> Result<()> {
    db.execute_write(
        "INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        vec![
            s.id.as_str().into(),
            s.user_id.0.into(),
            s.csrf.as_str().into(),
            s.created_at.into(),
            s.expires_at.into(),
        ],
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
    let r = db
        .read(vec![(
            "SELECT s.id, s.user_id, s.csrf, s.created_at, s.expires_at, \
             u.id, u.login, u.display_name, u.password_hash, u.unit_id, u.department_id, u.scope, u.roles, u.active, u.created_at, \
             n.id, n.parent_id, n.code, n.name, n.kind, n.path, n.closed_at \
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN units n ON n.id = u.unit_id \
             WHERE s.id = $1 AND s.expires_at > $2",
            vec![id.into(), now.into()],
        )])
        .await?
        .pop()
        .and_then(|rows| rows.into_iter().next());
    r.map(|r| {
        Ok((
            SessionRow {
                id: r.col(0)?,
                user_id: UserId(r.col(1)?),
                csrf: r.col(2)?,
                created_at: r.col(3)?,
                expires_at: r.col(4)?,
            },
            crate::org::user_row_at(&r, 5)?,
            crate::org::unit_row_at(&r, 15)?,
        ))
    })
    .transpose()
}

pub async fn delete(db: &Db, id: &str) -> Result<()> {
    db.execute_write("DELETE FROM sessions WHERE id = $1", vec![id.into()])
        .await?;
    Ok(())
}

pub async fn delete_for_user(db: &Db, user: UserId) -> Result<u64> {
    db.execute_write(
        "DELETE FROM sessions WHERE user_id = $1",
        vec![user.0.into()],
    )
    .await
}

pub async fn purge_expired(db: &Db, now: i64) -> Result<u64> {
    db.execute_write(
        "DELETE FROM sessions WHERE expires_at <= $1",
        vec![now.into()],
    )
    .await
}
