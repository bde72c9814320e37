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

/// The statement that appends an entry. `$11` is the entity id as a number (NULL otherwise):
/// the entry's `unit_path` is read from the entity it is about (an external unit's imported report:
/// the importer's unit), in the same statement, and is what scopes the listing (it is not part of the hash; the append-only triggers keep it).
pub(crate) const INSERT_SQL: &str = "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash, unit_path) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE $5 \
     WHEN 'case' THEN (SELECT c.unit_path FROM cases c WHERE c.id = $11) \
     WHEN 'unit' THEN (SELECT u.path FROM units u WHERE u.id = $11) \
     WHEN 'department' THEN (SELECT u.path FROM departments x JOIN units u ON u.id = x.unit_id WHERE x.id = $11) \
     WHEN 'user' THEN (SELECT u.path FROM users x JOIN units u ON u.id = x.unit_id WHERE x.id = $11) \
     WHEN 'officer' THEN (SELECT u.path FROM officers x JOIN units u ON u.id = x.unit_id WHERE x.id = $11) \
     WHEN 'certificate' THEN (SELECT u.path FROM certificates c JOIN officers x ON x.id = c.officer_id JOIN units u ON u.id = x.unit_id WHERE c.id = $11) \
     WHEN 'manual_figure' THEN (SELECT u.path FROM manual_figures x JOIN units u ON u.id = x.unit_id WHERE x.id = $11) \
     WHEN 'report' THEN (SELECT u.path FROM reports x JOIN units u ON u.id = x.unit_id WHERE x.id = $11) \
     WHEN 'disclosure_report' THEN (SELECT u.path FROM disclosure_reports x JOIN units u ON u.id = x.unit_id WHERE x.id = $11) \
     WHEN 'imported_report' THEN (SELECT COALESCE(u.path, (SELECT iu.path FROM users i JOIN units iu ON iu.id = i.unit_id WHERE i.login = $3)) FROM imported_reports x LEFT JOIN units u ON u.id = x.unit_id WHERE x.id = $11) \
     END)";

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
    /// The unit the entry's entity belongs to (NULL: not tied to a unit).
    pub unit_path: Option<String>,
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditProblem {
    pub id: i64,
    pub reason: String,
}

const AUDIT_COLUMNS: &str =
    "id, at, actor, action, entity, entity_id, before, after, prev_hash, hash, unit_path";

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
        unit_path: r.col(10)?,
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
    /// Only entries about entities in this unit subtree (materialised path, e.g. `/1/2/`);
    /// entries not tied to a unit are left out. `None`: every entry.
    pub unit_path: Option<String>,
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
    if let Some(p) = &f.unit_path {
        n += 1;
        sql.push_str(&format!(" AND unit_path >= ${n}"));
        binds.push(p.clone());
        n += 1;
        sql.push_str(&format!(" AND unit_path < ${n}"));
        binds.push(crate::org::subtree_upper(p));
    }
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

/// A checkpoint of the chain's head, kept outside the database (`fazhi audit anchor`): the last
/// entry's sequence number and hash, the number of entries and when it was taken, optionally
/// signed with HMAC-SHA-256 under a key the database never sees. A later `verify --anchor`
/// fails when entries up to the anchor were cut or the chain was rewritten, even when whoever
/// did it also moved the head row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Anchor {
    pub format: String,
    pub seq: i64,
    pub hash: String,
    pub count: i64,
    /// RFC 3339 time the anchor was taken.
    pub at: String,
    /// Hex HMAC-SHA-256 over the fields above, when a key was given.
    pub hmac: Option<String>,
}

pub const ANCHOR_FORMAT: &str = "fazhi-audit-anchor-1";

type HmacSha256 = hmac::Hmac<Sha256>;

impl Anchor {
    fn signed_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n{}",
            self.format, self.seq, self.hash, self.count, self.at
        )
    }

    fn mac(&self, key: &[u8]) -> String {
        use hmac::{KeyInit, Mac};
        let mut m =
            <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
        m.update(self.signed_text().as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    /// Checks the signature: `Err(reason)` when it is missing, present without a key to check
    /// it, or wrong.
    pub fn check_signature(&self, key: Option<&[u8]>) -> std::result::Result<(), String> {
        use hmac::{KeyInit, Mac};
        match (&self.hmac, key) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err("anchor is not signed, but a key was given".into()),
            (Some(_), None) => Err("anchor is signed; give the key to check it".into()),
            (Some(h), Some(k)) => {
                let tag = hex::decode(h).map_err(|_| "anchor signature is not hex".to_string())?;
                let mut m =
                    <HmacSha256 as KeyInit>::new_from_slice(k).expect("HMAC takes any key length");
                m.update(self.signed_text().as_bytes());
                m.verify_slice(&tag).map_err(|_| {
                    "anchor signature does not match (wrong key or altered anchor)".into()
                })
            }
        }
    }
}

/// Takes an anchor of the current head (the head row and the last entry must agree).
pub async fn anchor(db: &Db, at: &str, key: Option<&[u8]>) -> Result<Anchor> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let (seq, hash): (i64, String) = (head.col(0)?, head.col(1)?);
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log")
        .fetch_one(db.pool())
        .await?
        .col(0)?;
    let mut a = Anchor {
        format: ANCHOR_FORMAT.into(),
        seq,
        hash,
        count,
        at: at.into(),
        hmac: None,
    };
    if let Some(k) = key {
        a.hmac = Some(a.mac(k));
    }
    Ok(a)
}

/// Verifies the whole chain, then that it still holds the anchored entry with the anchored hash
/// (nothing up to the anchor was cut or rewritten). Returns the number of entries checked.
pub async fn verify_with_anchor(
    db: &Db,
    a: &Anchor,
    key: Option<&[u8]>,
) -> Result<std::result::Result<i64, AuditProblem>> {
    if let Err(reason) = a.check_signature(key) {
        return Ok(Err(AuditProblem { id: a.seq, reason }));
    }
    let n = match verify_chain(db).await? {
        Ok(n) => n,
        Err(p) => return Ok(Err(p)),
    };
    if n < a.seq {
        return Ok(Err(AuditProblem {
            id: n + 1,
            reason: format!(
                "the log ends at entry {n}, but the anchor taken at {} records entry {} (entries after {n} were cut)",
                a.at, a.seq
            ),
        }));
    }
    if a.seq > 0 {
        let r = sqlx::query(dynsql!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id = $1"
        ))
        .bind(a.seq)
        .fetch_one(db.pool())
        .await?;
        if audit_row(&r)?.hash != a.hash {
            return Ok(Err(AuditProblem {
                id: a.seq,
                reason: format!(
                    "entry {} does not have the hash anchored at {} (the chain was rewritten)",
                    a.seq, a.at
                ),
            }));
        }
    }
    Ok(Ok(n))
}
