//! API tokens: only the SHA-256 of a token is stored; writes are audited by the caller.

use fazhi_domain::UserId;

use crate::{Db, DbRow, Result, Tx, UnitRow, UserRow};

/// One token as listed (never the token itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn insert(
    tx: &mut Tx,
    user: UserId,
    name: &str,
    token_hash: &str,
    at: i64,
) -> Result<i64> {
    tx.insert_id(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
        vec![user.0.into(), name.into(), token_hash.into(), at.into()],
    )
    .await
}

/// Marks a token of `user` revoked; returns whether one was.
pub async fn revoke(tx: &mut Tx, user: UserId, id: i64, at: i64) -> Result<bool> {
    Ok(tx
        .execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            vec![at.into(), id.into(), user.0.into()],
        )
        .await?
        > 0)
}

pub async fn of_user(db: &Db, user: UserId) -> Result<Vec<TokenRow>> {
    let rows = db
        .read(vec![(
            "SELECT id, user_id, name, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
            vec![user.0.into()],
        )])
        .await?
        .pop()
        .unwrap_or_default();
    rows.iter()
        .map(|r| {
            Ok(TokenRow {
                id: r.col(0)?,
                user_id: UserId(r.col(1)?),
                name: r.col(2)?,
                created_at: r.col(3)?,
                revoked_at: r.col(4)?,
            })
        })
        .collect()
}

/// The user (and unit) of a live token, by the token's hash.
pub async fn user_of(db: &Db, token_hash: &str) -> Result<Option<(i64, UserRow, UnitRow)>> {
    let r = db
        .read(vec![(
            "SELECT t.id, \
             u.id, u.login, u.display_name, u.password_hash, u.unit_id, u.department_id, u.scope, u.roles, u.active, u.created_at, \
             n.id, n.parent_id, n.code, n.name, n.kind, n.path, n.closed_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN units n ON n.id = u.unit_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            vec![token_hash.into()],
        )])
        .await?
        .pop()
        .and_then(|rows| rows.into_iter().next());
    r.map(|r| {
        Ok((
            r.col(0)?,
            crate::org::user_row_at(&r, 1)?,
            crate::org::unit_row_at(&r, 11)?,
        ))
    })
    .transpose()
}
