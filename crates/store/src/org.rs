//! Units, departments, users, enforcement officers and their certificates.

use crate::DbRow;
use std::collections::HashMap;
use std::sync::RwLock;

use fazhi_domain::{CertificateId, DepartmentId, OfficerId, UnitId, UserId};

use crate::{
    CertificateRow, Db, DepartmentRow, OfficerRow, Result, StoreError, Tx, UnitRow, UserRow,
};

const UNIT_COLS: &str = "id, parent_id, code, name, kind, path, closed_at";

fn unit_row(r: &impl DbRow) -> Result<UnitRow> {
    unit_row_at(r, 0)
}

/// A unit from the columns `UNIT_COLS` of a row, starting at column `at`.
pub(crate) fn unit_row_at(r: &impl DbRow, at: usize) -> Result<UnitRow> {
    Ok(UnitRow {
        id: UnitId(r.col(at)?),
        parent_id: r.col::<Option<i64>>(at + 1)?.map(UnitId),
        code: r.col(at + 2)?,
        name: r.col(at + 3)?,
        kind: r.col(at + 4)?,
        path: r.col(at + 5)?,
        closed_at: r.col(at + 6)?,
    })
}

/// Inserts a unit under `parent` and fills in its materialised path.
pub async fn insert_unit(
    tx: &mut Tx,
    parent: Option<&UnitRow>,
    code: &str,
    name: &str,
    kind: &str,
) -> Result<UnitRow> {
    let row = tx.fetch_one(
        "INSERT INTO units (parent_id, code, name, kind, path) VALUES ($1, $2, $3, $4, '') RETURNING id",
        vec![parent.map(|p| p.id.0).into(), code.into(), name.into(), kind.into()],
    )
    .await?;
    let id: i64 = row.col(0)?;
    let path = format!("{}{id}/", parent.map(|p| p.path.as_str()).unwrap_or("/"));
    tx.execute(
        "UPDATE units SET path = $1 WHERE id = $2",
        vec![path.as_str().into(), id.into()],
    )
    .await?;
    Ok(UnitRow {
        id: UnitId(id),
        parent_id: parent.map(|p| p.id),
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        path,
        closed_at: None,
    })
}

pub async fn units(db: &Db) -> Result<Vec<UnitRow>> {
    sqlx::query(dynsql!("SELECT {UNIT_COLS} FROM units ORDER BY path"))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(unit_row)
        .collect()
}

/// Units and departments read once per process. A department never changes once committed;
/// a unit changes only by [`rename_unit`] and [`close_unit`], after whose commit the caller
/// calls [`forget_units`]: that empties the unit entries of this process and bumps a generation,
/// so a read that started before it does not put the old row back. Only committed rows read
/// from the pool are cached, and only rows that exist, so a unit or department created later,
/// here or in another process, is found by the next lookup. Another long-running process on the
/// same database (a second server) keeps its entries until it restarts.
#[derive(Debug, Default)]
pub(crate) struct OrgCache {
    units: RwLock<HashMap<i64, UnitRow>>,
    unit_codes: RwLock<HashMap<String, i64>>,
    departments: RwLock<HashMap<String, DepartmentRow>>,
    generation: std::sync::atomic::AtomicU64,
}

fn read<K, Q, V>(map: &RwLock<HashMap<K, V>>, key: &Q) -> Option<V>
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
    V: Clone,
{
    map.read()
        .unwrap_or_else(|p| p.into_inner())
        .get(key)
        .cloned()
}

impl OrgCache {
    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Caches a unit read when the generation was `seen` (dropped if units were forgotten since).
    fn put_unit(&self, u: &UnitRow, seen: u64) {
        let mut units = self.units.write().unwrap_or_else(|p| p.into_inner());
        if self.generation() != seen {
            return;
        }
        self.unit_codes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(u.code.clone(), u.id.0);
        units.insert(u.id.0, u.clone());
    }
}

/// Empties this process's cached units (call after committing a change to a unit row).
pub fn forget_units(db: &Db) {
    let c = db.org_cache();
    let mut units = c.units.write().unwrap_or_else(|p| p.into_inner());
    c.generation
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    units.clear();
    c.unit_codes
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
}

/// Renames a unit (its code and path stay).
pub async fn rename_unit(tx: &mut Tx, id: UnitId, name: &str) -> Result<()> {
    tx.execute(
        "UPDATE units SET name = $1 WHERE id = $2",
        vec![name.into(), id.0.into()],
    )
    .await?;
    Ok(())
}

/// Marks a unit closed at `at` (epoch ms).
pub async fn close_unit(tx: &mut Tx, id: UnitId, at: i64) -> Result<()> {
    tx.execute(
        "UPDATE units SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL",
        vec![at.into(), id.0.into()],
    )
    .await?;
    Ok(())
}

pub async fn unit(db: &Db, id: UnitId) -> Result<UnitRow> {
    if let Some(u) = read(&db.org_cache().units, &id.0) {
        return Ok(u);
    }
    let seen = db.org_cache().generation();
    let r = sqlx::query(dynsql!("SELECT {UNIT_COLS} FROM units WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("unit {id}")))?;
    let u = unit_row(&r)?;
    db.org_cache().put_unit(&u, seen);
    Ok(u)
}

pub async fn unit_by_code(db: &Db, code: &str) -> Result<Option<UnitRow>> {
    if let Some(id) = read(&db.org_cache().unit_codes, code) {
        return unit(db, UnitId(id)).await.map(Some);
    }
    let seen = db.org_cache().generation();
    let u = sqlx::query(dynsql!("SELECT {UNIT_COLS} FROM units WHERE code = $1"))
        .bind(code)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(unit_row)
        .transpose()?;
    if let Some(u) = &u {
        db.org_cache().put_unit(u, seen);
    }
    Ok(u)
}

/// The exclusive upper bound of a materialised-path prefix range: `/1/2/` → `/1/20`
/// ('0' is the character after '/'), so `path >= p AND path < upper` selects the subtree.
pub fn subtree_upper(path: &str) -> String {
    let mut s = path.trim_end_matches('/').to_string();
    s.push('0');
    s
}

const DEPT_COLS: &str = "id, unit_id, code, name";

fn dept_row(r: &impl DbRow) -> Result<DepartmentRow> {
    Ok(DepartmentRow {
        id: DepartmentId(r.col(0)?),
        unit_id: UnitId(r.col(1)?),
        code: r.col(2)?,
        name: r.col(3)?,
    })
}

pub async fn insert_department(
    tx: &mut Tx,
    unit: UnitId,
    code: &str,
    name: &str,
) -> Result<DepartmentRow> {
    let r = tx
        .fetch_one(
            "INSERT INTO departments (unit_id, code, name) VALUES ($1, $2, $3) RETURNING id",
            vec![unit.0.into(), code.into(), name.into()],
        )
        .await?;
    Ok(DepartmentRow {
        id: DepartmentId(r.col(0)?),
        unit_id: unit,
        code: code.into(),
        name: name.into(),
    })
}

/// A department by its code (cached per process, see [`OrgCache`]).
pub async fn department_by_code(db: &Db, code: &str) -> Result<Option<DepartmentRow>> {
    if let Some(d) = read(&db.org_cache().departments, code) {
        return Ok(Some(d));
    }
    let d = sqlx::query(dynsql!(
        "SELECT {DEPT_COLS} FROM departments WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(dept_row)
    .transpose()?;
    if let Some(d) = &d {
        db.org_cache()
            .departments
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(d.code.clone(), d.clone());
    }
    Ok(d)
}

pub async fn departments(db: &Db) -> Result<Vec<DepartmentRow>> {
    sqlx::query(dynsql!("SELECT {DEPT_COLS} FROM departments ORDER BY id"))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(dept_row)
        .collect()
}

const USER_COLS: &str = "id, login, display_name, password_hash, unit_id, department_id, scope, roles, active, created_at";

fn user_row(r: &impl DbRow) -> Result<UserRow> {
    user_row_at(r, 0)
}

/// A user from the columns `USER_COLS` of a row, starting at column `at`.
pub(crate) fn user_row_at(r: &impl DbRow, at: usize) -> Result<UserRow> {
    let roles: String = r.col(at + 7)?;
    Ok(UserRow {
        id: UserId(r.col(at)?),
        login: r.col(at + 1)?,
        display_name: r.col(at + 2)?,
        password_hash: r.col(at + 3)?,
        unit_id: UnitId(r.col(at + 4)?),
        department_id: r.col::<Option<i64>>(at + 5)?.map(DepartmentId),
        scope: r.col(at + 6)?,
        roles: roles
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        active: r.col::<i64>(at + 8)? != 0,
        created_at: r.col(at + 9)?,
    })
}

/// New user as stored; the password is already hashed by the caller.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub unit_id: UnitId,
    pub department_id: Option<DepartmentId>,
    pub scope: &'a str,
    pub roles: &'a [String],
    pub created_at: i64,
}

pub async fn insert_user(tx: &mut Tx, u: &NewUser<'_>) -> Result<UserId> {
    let exists = tx
        .fetch_optional(
            "SELECT id FROM users WHERE login = $1",
            vec![u.login.into()],
        )
        .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!("login {} exists", u.login)));
    }
    let r = tx.fetch_one(
        "INSERT INTO users (login, display_name, password_hash, unit_id, department_id, scope, roles, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
        vec![u.login.into(), u.display_name.into(), u.password_hash.into(), u.unit_id.0.into(), u.department_id.map(|d| d.0).into(), u.scope.into(), u.roles.join(",").into(), u.created_at.into()],
    )
    .await?;
    Ok(UserId(r.col(0)?))
}

pub async fn set_password(tx: &mut Tx, id: UserId, hash: &str) -> Result<()> {
    let n = tx
        .execute(
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            vec![hash.into(), id.0.into()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("user {id}")));
    }
    Ok(())
}

pub async fn user_by_login(db: &Db, login: &str) -> Result<Option<UserRow>> {
    sqlx::query(dynsql!("SELECT {USER_COLS} FROM users WHERE login = $1"))
        .bind(login)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(user_row)
        .transpose()
}

pub async fn user(db: &Db, id: UserId) -> Result<UserRow> {
    let r = sqlx::query(dynsql!("SELECT {USER_COLS} FROM users WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
    user_row(&r)
}

pub async fn users(db: &Db) -> Result<Vec<UserRow>> {
    sqlx::query(dynsql!("SELECT {USER_COLS} FROM users ORDER BY id"))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(user_row)
        .collect()
}

const OFFICER_COLS: &str =
    "id, code, name, user_id, unit_id, department_id, legal_reviewer, active";

fn officer_row(r: &impl DbRow) -> Result<OfficerRow> {
    Ok(OfficerRow {
        id: OfficerId(r.col(0)?),
        code: r.col(1)?,
        name: r.col(2)?,
        user_id: r.col::<Option<i64>>(3)?.map(UserId),
        unit_id: UnitId(r.col(4)?),
        department_id: r.col::<Option<i64>>(5)?.map(DepartmentId),
        legal_reviewer: r.col::<i64>(6)? != 0,
        active: r.col::<i64>(7)? != 0,
    })
}

#[derive(Debug, Clone)]
pub struct NewOfficer<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub user_id: Option<UserId>,
    pub unit_id: UnitId,
    pub department_id: Option<DepartmentId>,
    pub legal_reviewer: bool,
}

pub async fn insert_officer(tx: &mut Tx, o: &NewOfficer<'_>) -> Result<OfficerId> {
    let r = tx.fetch_one(
        "INSERT INTO officers (code, name, user_id, unit_id, department_id, legal_reviewer, active) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
        vec![o.code.into(), o.name.into(), o.user_id.map(|u| u.0).into(), o.unit_id.0.into(), o.department_id.map(|d| d.0).into(), (o.legal_reviewer as i64).into()],
    )
    .await?;
    Ok(OfficerId(r.col(0)?))
}

pub async fn officers(db: &Db) -> Result<Vec<OfficerRow>> {
    sqlx::query(dynsql!("SELECT {OFFICER_COLS} FROM officers ORDER BY id"))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(officer_row)
        .collect()
}

pub async fn officer(db: &Db, id: OfficerId) -> Result<OfficerRow> {
    let r = sqlx::query(dynsql!("SELECT {OFFICER_COLS} FROM officers WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("officer {id}")))?;
    officer_row(&r)
}

pub async fn officer_by_code(db: &Db, code: &str) -> Result<Option<OfficerRow>> {
    sqlx::query(dynsql!(
        "SELECT {OFFICER_COLS} FROM officers WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(officer_row)
    .transpose()
}

const CERT_COLS: &str = "id, officer_id, number, domain, valid_from, valid_to, annual_check_year, revoked, requested_by, reviewed_by";

fn cert_row(r: &impl DbRow) -> Result<CertificateRow> {
    Ok(CertificateRow {
        id: CertificateId(r.col(0)?),
        officer_id: OfficerId(r.col(1)?),
        number: r.col(2)?,
        domain: r.col(3)?,
        valid_from: r.col(4)?,
        valid_to: r.col(5)?,
        annual_check_year: r.col(6)?,
        revoked: r.col::<i64>(7)? != 0,
        requested_by: r.col(8)?,
        reviewed_by: r.col(9)?,
    })
}

#[derive(Debug, Clone)]
pub struct NewCertificate<'a> {
    pub officer_id: OfficerId,
    pub number: &'a str,
    pub domain: &'a str,
    pub valid_from: &'a str,
    pub valid_to: &'a str,
    pub annual_check_year: Option<i64>,
}

/// Inserts a certificate that counts at once (the operator's command line, loading, tests).
pub async fn insert_certificate(tx: &mut Tx, c: &NewCertificate<'_>) -> Result<CertificateId> {
    insert_certificate_requested(tx, c, None).await
}

/// Inserts a certificate; with `requested_by`, it waits for a second person's review
/// ([`approve_certificate`]) before it counts.
pub async fn insert_certificate_requested(
    tx: &mut Tx,
    c: &NewCertificate<'_>,
    requested_by: Option<&str>,
) -> Result<CertificateId> {
    let exists = tx
        .fetch_optional(
            "SELECT id FROM certificates WHERE number = $1",
            vec![c.number.into()],
        )
        .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "certificate {} exists",
            c.number
        )));
    }
    let r = tx.fetch_one(
        "INSERT INTO certificates (officer_id, number, domain, valid_from, valid_to, annual_check_year, revoked, requested_by) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7) RETURNING id",
        vec![c.officer_id.0.into(), c.number.into(), c.domain.into(), c.valid_from.into(), c.valid_to.into(), c.annual_check_year.into(), requested_by.into()],
    )
    .await?;
    Ok(CertificateId(r.col(0)?))
}

pub async fn set_certificate_revoked(tx: &mut Tx, id: CertificateId, revoked: bool) -> Result<()> {
    tx.execute(
        "UPDATE certificates SET revoked = $1 WHERE id = $2",
        vec![(revoked as i64).into(), id.0.into()],
    )
    .await?;
    Ok(())
}

/// Records the review of a pending certificate; only a pending one (entered by someone else)
/// changes, so two approvals cannot race.
pub async fn approve_certificate(tx: &mut Tx, id: CertificateId, reviewer: &str) -> Result<()> {
    let n = tx
        .execute(
            "UPDATE certificates SET reviewed_by = $1 WHERE id = $2 AND requested_by IS NOT NULL \
             AND reviewed_by IS NULL AND requested_by <> $1",
            vec![reviewer.into(), id.0.into()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict(format!(
            "certificate {id} is not waiting for this reviewer"
        )));
    }
    Ok(())
}

pub async fn certificate_by_number(db: &Db, number: &str) -> Result<Option<CertificateRow>> {
    sqlx::query(dynsql!(
        "SELECT {CERT_COLS} FROM certificates WHERE number = $1"
    ))
    .bind(number)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(cert_row)
    .transpose()
}

pub async fn certificates(db: &Db) -> Result<Vec<CertificateRow>> {
    sqlx::query(dynsql!(
        "SELECT {CERT_COLS} FROM certificates ORDER BY officer_id, id"
    ))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(cert_row)
    .collect()
}

pub async fn certificates_of(db: &Db, officer: OfficerId) -> Result<Vec<CertificateRow>> {
    sqlx::query(dynsql!(
        "SELECT {CERT_COLS} FROM certificates WHERE officer_id = $1 ORDER BY id"
    ))
    .bind(officer.0)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(cert_row)
    .collect()
}
