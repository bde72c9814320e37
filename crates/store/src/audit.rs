use crate::DbRow;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Db, Result};

/// One audit entry as written: who, when, what, before/after.
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a serde_json::Value>,
    pub after: Option<&'a serde_json::Value>,
}

/// An entry as it is stored: its before/after images as JSON text (serialised once, for the
/// row and the hash) and its hash.
pub(crate) struct Sealed {
    pub before: Option<String>,
    pub after: Option<String>,
    pub hash: String,
}

/// Seals an entry that follows `prev` at `seq`. The hash is SHA-256 over the previous hash and
/// the entry's fields as stored, each length-prefixed so that no two different entries
/// serialise to the same bytes.
pub(crate) fn seal(prev: &str, seq: i64, e: &AuditEntry<'_>) -> Sealed {
    let before = e.before.map(|v| v.to_string());
    let after = e.after.map(|v| v.to_string());
    let hash = hash_parts(
        prev,
        seq,
        e.at,
        e.actor,
        e.action,
        e.entity,
        e.entity_id,
        before.as_deref(),
        after.as_deref(),
    );
    Sealed {
        before,
        after,
        hash,
    }
}

#[allow(clippy::too_many_arguments)]
fn hash_parts(
    prev: &str,
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &[u8]| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s);
    };
    field(prev.as_bytes());
    field(&seq.to_be_bytes());
    field(&at.to_be_bytes());
    field(actor.as_bytes());
    field(action.as_bytes());
    field(entity.as_bytes());
    field(entity_id.as_bytes());
    field(before.unwrap_or("\u{0}null").as_bytes());
    field(after.unwrap_or("\u{0}null").as_bytes());
    hex::encode(h.finalize())
}

/// A stored audit row.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditProblem {
    pub id: i64,
    pub reason: String,
}

const AUDIT_COLUMNS: &str =
    "id, at, actor, action, entity, entity_id, before, after, prev_hash, hash";

fn audit_row(r: &impl DbRow) -> Result<AuditRow> {
    Ok(AuditRow {
        id: r.col(0)?,
        at: r.col(1)?,
        actor: r.col(2)?,
        action: r.col(3)?,
        entity: r.col(4)?,
        entity_id: r.col(5)?,
        before: r.col(6)?,
        after: r.col(7)?,
        prev_hash: r.col(8)?,
        hash: r.col(9)?,
    })
}

/// Walks the whole chain in id order, in pages, and names the first broken entry. Returns the
/// number of entries checked.
pub async fn verify_chain(db: &Db) -> Result<std::result::Result<i64, AuditProblem>> {
    let mut prev = "0".repeat(64);
    let mut expected_id = 1i64;
    let mut last = 0i64;
    loop {
        let rows = sqlx::query(dynsql!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000"
        ))
        .bind(last)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let row = audit_row(r)?;
            if row.id != expected_id {
                return Ok(Err(AuditProblem {
                    id: expected_id,
                    reason: format!(
                        "entry {expected_id} is missing (next present entry is {})",
                        row.id
                    ),
                }));
            }
            if row.prev_hash != prev {
                return Ok(Err(AuditProblem {
                    id: row.id,
                    reason: "prev_hash does not match the hash of the previous entry".into(),
                }));
            }
            let h = hash_parts(
                &prev,
                row.id,
                row.at,
                &row.actor,
                &row.action,
                &row.entity,
                &row.entity_id,
                row.before.as_deref(),
                row.after.as_deref(),
            );
            if h != row.hash {
                return Ok(Err(AuditProblem {
                    id: row.id,
                    reason: "content does not match its hash (entry was altered)".into(),
                }));
            }
            prev = row.hash;
            expected_id += 1;
            last = row.id;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let (seq, hash): (i64, String) = (head.col(0)?, head.col(1)?);
    if seq != last || hash != prev {
        return Ok(Err(AuditProblem {
            id: last + 1,
            reason: format!(
                "chain head records entry {seq}, but the log ends at entry {last} (entries were removed)"
            ),
        }));
    }
    Ok(Ok(last))
}

/// Filter for listing audit entries.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

pub async fn list(db: &Db, f: &AuditFilter) -> Result<Vec<AuditRow>> {
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1=1");
    let mut binds: Vec<String> = Vec::new();
    let mut n = 0;
    let mut push = |col: &str, v: &Option<String>, sql: &mut String, binds: &mut Vec<String>| {
        if let Some(v) = v {
            n += 1;
            sql.push_str(&format!(" AND {col} = ${n}"));
            binds.push(v.clone());
        }
    };
    push("entity", &f.entity, &mut sql, &mut binds);
    push("entity_id", &f.entity_id, &mut sql, &mut binds);
    push("actor", &f.actor, &mut sql, &mut binds);
    if let Some(b) = f.before_id {
        sql.push_str(&format!(" AND id < {b}"));
    }
    sql.push_str(&format!(
        " ORDER BY id DESC LIMIT {}",
        f.limit.clamp(1, 500)
    ));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
    for b in &binds {
        q = q.bind(b);
    }
    q.fetch_all(db.pool())
        .await?
        .iter()
        .map(audit_row)
        .collect()
}
