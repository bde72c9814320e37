//! Cases, their event timeline, clocks, officers, evidence and publications.

use crate::{DbRow, TxRow};
use fazhi_domain::{CaseId, DepartmentId, EvidenceId, OfficerId, UnitId, UserId};

use crate::org::subtree_upper;
use crate::{
    Arg, Backend, CaseRow, ClockRow, Db, EventRow, EvidenceRow, PublicationRow, Result, StoreError,
    Tx,
};

pub(crate) const CASE_COLS: &str = "id, case_type, number, unit_id, unit_path, department_id, owner_id, state, title, \
     category, created_on, closed_on, due_on, due_level, published, fields, version, created_at, updated_at";

fn json_map(s: &str, what: &str) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(s) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        _ => Err(StoreError::Corrupt(format!("{what} is not a JSON object"))),
    }
}

pub(crate) fn case_row(r: &impl DbRow) -> Result<CaseRow> {
    let fields: String = r.col(15)?;
    Ok(CaseRow {
        id: CaseId(r.col(0)?),
        case_type: r.col(1)?,
        number: r.col(2)?,
        unit_id: UnitId(r.col(3)?),
        unit_path: r.col(4)?,
        department_id: r.col::<Option<i64>>(5)?.map(DepartmentId),
        owner_id: r.col::<Option<i64>>(6)?.map(UserId),
        state: r.col(7)?,
        title: r.col(8)?,
        category: r.col(9)?,
        created_on: r.col(10)?,
        closed_on: r.col(11)?,
        due_on: r.col(12)?,
        due_level: r.col(13)?,
        published: r.col::<i64>(14)? != 0,
        fields: json_map(&fields, "case fields")?,
        version: r.col(16)?,
        created_at: r.col(17)?,
        updated_at: r.col(18)?,
    })
}

/// Next number in a per-prefix sequence, e.g. prefix `12345-2026` → `12345-2026-000001`.
pub async fn next_number(tx: &mut Tx, prefix: &str) -> Result<String> {
    Ok(next_numbers(tx, prefix, 1).await?.remove(0))
}

/// The next `count` numbers of a sequence, reserved with one statement (bulk creation).
pub async fn next_numbers(tx: &mut Tx, prefix: &str, count: usize) -> Result<Vec<String>> {
    let k = i64::try_from(count.max(1))
        .map_err(|_| StoreError::Corrupt(format!("cannot reserve {count} case numbers")))?;
    let r = tx
        .fetch_one(
            "INSERT INTO case_numbers (prefix, next) VALUES ($1, $2) \
             ON CONFLICT (prefix) DO UPDATE SET next = case_numbers.next + $2 RETURNING next",
            vec![prefix.into(), k.into()],
        )
        .await?;
    let last: i64 = r.col(0)?;
    Ok((last - k + 1..=last)
        .map(|n| format!("{prefix}-{n:06}"))
        .collect())
}

/// The writable part of a case; `insert_case` and `update_case` take the same shape.
#[derive(Debug, Clone)]
pub struct CaseWrite<'a> {
    pub case_type: &'a str,
    pub number: &'a str,
    pub unit_id: UnitId,
    pub unit_path: &'a str,
    pub department_id: Option<DepartmentId>,
    pub owner_id: Option<UserId>,
    pub state: &'a str,
    pub title: &'a str,
    pub category: Option<&'a str>,
    pub created_on: &'a str,
    pub closed_on: Option<&'a str>,
    pub due_on: Option<&'a str>,
    pub due_level: i64,
    pub published: bool,
    pub fields: &'a serde_json::Map<String, serde_json::Value>,
    pub search_text: &'a str,
    pub at: i64,
}

pub async fn insert_case(tx: &mut Tx, c: &CaseWrite<'_>) -> Result<CaseId> {
    let id = insert_case_row(tx, c).await?;
    crate::indicators::insert_facts(tx, id, c, None, &[]).await?;
    Ok(id)
}

/// Writes a new case with its creating event and its first clocks: the case, event and clock
/// rows and a facts row that is complete at insert, so no follow-up updates (one statement per
/// row written). `event.case_id` and every `clocks[i].case_id` are ignored: the new id is used.
pub async fn insert_new_case(
    tx: &mut Tx,
    c: &CaseWrite<'_>,
    event: &NewEvent<'_>,
    clocks: &[ClockRow],
) -> Result<CaseId> {
    insert_new_case_versioned(tx, c, event, clocks, None).await
}

/// [`insert_new_case`] recording the version tag of the definition the case is opened under
/// (migration 0015, `fazhi_workflow::CaseType::version_tag`).
pub async fn insert_new_case_versioned(
    tx: &mut Tx,
    c: &CaseWrite<'_>,
    event: &NewEvent<'_>,
    clocks: &[ClockRow],
    definition_version: Option<&str>,
) -> Result<CaseId> {
    let id = insert_case_row_versioned(tx, c, definition_version).await?;
    insert_event_row(
        tx,
        &NewEvent {
            case_id: id,
            ..*event
        },
    )
    .await?;
    insert_clock_rows(tx, id, clocks).await?;
    crate::indicators::insert_facts(tx, id, c, Some((event.transition, event.on_date)), clocks)
        .await?;
    Ok(id)
}

async fn insert_case_row(tx: &mut Tx, c: &CaseWrite<'_>) -> Result<CaseId> {
    insert_case_row_versioned(tx, c, None).await
}

async fn insert_case_row_versioned(
    tx: &mut Tx,
    c: &CaseWrite<'_>,
    definition_version: Option<&str>,
) -> Result<CaseId> {
    let mut args = [
        vec![
            c.case_type.into(),
            c.number.into(),
            c.unit_id.0.into(),
            c.unit_path.into(),
            c.created_on.into(),
        ],
        changing_args(c),
    ]
    .concat();
    // Without a version the column is left out (NULL), so that a writer of a schema before
    // migration 0015 (the migration tests) inserts the same row.
    let sql = match definition_version {
        Some(v) => {
            args.push(v.into());
            "INSERT INTO cases (case_type, number, unit_id, unit_path, created_on, department_id, owner_id, state, \
             title, category, closed_on, due_on, due_level, published, fields, search_text, updated_at, version, created_at, \
             definition_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $17, $18)"
        }
        None => {
            "INSERT INTO cases (case_type, number, unit_id, unit_path, created_on, department_id, owner_id, state, \
             title, category, closed_on, due_on, due_level, published, fields, search_text, updated_at, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $17)"
        }
    };
    let id = tx.insert_id(sql, args).await?;
    let id = CaseId(id);
    crate::search::insert(tx, id, c.case_type, c.unit_path, c.search_text).await?;
    Ok(id)
}

/// The columns a case update writes, in the order `insert_case_row` and `update_case` bind
/// them: department, owner, state, title, category, closed, due, due level, published, fields,
/// search text, updated at.
fn changing_args<'a>(c: &'a CaseWrite<'_>) -> Vec<Arg<'a>> {
    vec![
        c.department_id.map(|d| d.0).into(),
        c.owner_id.map(|u| u.0).into(),
        c.state.into(),
        c.title.into(),
        c.category.into(),
        c.closed_on.into(),
        c.due_on.into(),
        c.due_level.into(),
        c.published.into(),
        serde_json::to_string(c.fields)
            .expect("a map of JSON values serialises")
            .into(),
        c.search_text.into(),
        c.at.into(),
    ]
}

/// Updates a case if it is still at `expected_version` (optimistic concurrency); returns the new
/// version or `Conflict` when someone else changed it first. The search index is not touched:
/// a caller whose write changes `search_text` also calls [`crate::search::replace`].
pub async fn update_case(
    tx: &mut Tx,
    id: CaseId,
    expected_version: i64,
    c: &CaseWrite<'_>,
) -> Result<i64> {
    let n = tx
        .execute(
            "UPDATE cases SET department_id = $1, owner_id = $2, state = $3, title = $4, category = $5, closed_on = $6, \
             due_on = $7, due_level = $8, published = $9, fields = $10, search_text = $11, updated_at = $12, \
             version = version + 1 WHERE id = $13 AND version = $14",
            [changing_args(c), vec![id.0.into(), expected_version.into()]].concat(),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict(format!(
            "case {id} was changed by someone else"
        )));
    }
    crate::indicators::update_facts(tx, id, c).await?;
    Ok(expected_version + 1)
}

pub async fn case(db: &Db, id: CaseId) -> Result<CaseRow> {
    let r = sqlx::query(dynsql!("SELECT {CASE_COLS} FROM cases WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("case {id}")))?;
    case_row(&r)
}

pub async fn case_by_number(db: &Db, number: &str) -> Result<Option<CaseRow>> {
    sqlx::query(dynsql!("SELECT {CASE_COLS} FROM cases WHERE number = $1"))
        .bind(number)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(case_row)
        .transpose()
}

#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    pub case_id: CaseId,
    pub seq: i64,
    pub transition: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub on_date: &'a str,
    pub at: i64,
    pub actor_id: Option<UserId>,
    pub input: &'a serde_json::Map<String, serde_json::Value>,
}

pub async fn insert_event(tx: &mut Tx, case_type: &str, e: &NewEvent<'_>) -> Result<()> {
    insert_event_row(tx, e).await?;
    crate::indicators::event_facts(tx, e.case_id, case_type, e.transition, e.on_date).await?;
    Ok(())
}

async fn insert_event_row(tx: &mut Tx, e: &NewEvent<'_>) -> Result<()> {
    tx.execute(
        "INSERT INTO case_events (case_id, seq, transition, from_state, to_state, on_date, at, actor_id, input) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            e.case_id.0.into(),
            e.seq.into(),
            e.transition.into(),
            e.from_state.into(),
            e.to_state.into(),
            e.on_date.into(),
            e.at.into(),
            e.actor_id.map(|u| u.0).into(),
            serde_json::Value::Object(e.input.clone()).to_string().into(),
        ],
    )
    .await?;
    Ok(())
}

const EVENTS_OF: &str = "SELECT id, case_id, seq, transition, from_state, to_state, on_date, at, actor_id, input \
     FROM case_events WHERE case_id = $1 ORDER BY seq";

fn event_row(r: &impl DbRow) -> Result<EventRow> {
    let input: String = r.col(9)?;
    Ok(EventRow {
        id: r.col(0)?,
        case_id: CaseId(r.col(1)?),
        seq: r.col(2)?,
        transition: r.col(3)?,
        from_state: r.col(4)?,
        to_state: r.col(5)?,
        on_date: r.col(6)?,
        at: r.col(7)?,
        actor_id: r.col::<Option<i64>>(8)?.map(UserId),
        input: json_map(&input, "event input")?,
    })
}

pub async fn events(db: &Db, id: CaseId) -> Result<Vec<EventRow>> {
    sqlx::query(EVENTS_OF)
        .bind(id.0)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(event_row)
        .collect()
}

/// A case with what a transition reads besides it: its events, evidence and officers.
#[derive(Debug, Clone)]
pub struct CaseBundle {
    pub case: CaseRow,
    pub events: Vec<EventRow>,
    pub evidence: Vec<EvidenceRow>,
    pub officers: Vec<OfficerId>,
}

/// [`case`], [`events`], [`evidence_of`] and [`case_officers`] of one case, read together
/// (see [`Db::read`]: on SQLite one read transaction on a plain connection, no hand-off to a
/// connection thread).
pub async fn case_bundle(db: &Db, id: CaseId) -> Result<CaseBundle> {
    let case_sql = format!("SELECT {CASE_COLS} FROM cases WHERE id = $1");
    let evidence_sql = format!("SELECT {EVIDENCE_COLS} {EVIDENCE_OF}");
    let parts = db
        .read(vec![
            (case_sql.as_str(), vec![id.0.into()]),
            (EVENTS_OF, vec![id.0.into()]),
            (evidence_sql.as_str(), vec![id.0.into()]),
            (OFFICERS_OF, vec![id.0.into()]),
        ])
        .await?;
    let [cases, events, evidence, officers]: [Vec<TxRow>; 4] = parts
        .try_into()
        .map_err(|_| StoreError::Corrupt("case bundle: four results expected".into()))?;
    let case = cases
        .first()
        .ok_or_else(|| StoreError::NotFound(format!("case {id}")))?;
    Ok(CaseBundle {
        case: case_row(case)?,
        events: events.iter().map(event_row).collect::<Result<_>>()?,
        evidence: evidence.iter().map(evidence_row).collect::<Result<_>>()?,
        officers: officers
            .iter()
            .map(|r| Ok(OfficerId(r.col(0)?)))
            .collect::<Result<_>>()?,
    })
}

/// Replaces the stored clocks of a case with the freshly computed ones.
pub async fn replace_clocks(
    tx: &mut Tx,
    id: CaseId,
    case_type: &str,
    clocks: &[ClockRow],
) -> Result<()> {
    tx.execute(
        "DELETE FROM case_clocks WHERE case_id = $1",
        vec![id.0.into()],
    )
    .await?;
    insert_clock_rows(tx, id, clocks).await?;
    crate::indicators::clock_facts(tx, id, case_type, clocks).await?;
    Ok(())
}

async fn insert_clock_rows(tx: &mut Tx, id: CaseId, clocks: &[ClockRow]) -> Result<()> {
    for c in clocks {
        tx.execute(
            "INSERT INTO case_clocks (case_id, code, label, basis, started_on, due_on, status, level, calendar_version, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            vec![
                id.0.into(),
                c.code.as_str().into(),
                c.label.as_str().into(),
                c.basis.as_str().into(),
                c.started_on.as_str().into(),
                c.due_on.as_deref().into(),
                c.status.as_str().into(),
                c.level.as_str().into(),
                c.calendar_version.as_str().into(),
                c.detail.to_string().into(),
            ],
        )
        .await?;
    }
    Ok(())
}

pub async fn clocks(db: &Db, id: CaseId) -> Result<Vec<ClockRow>> {
    sqlx::query(
        "SELECT case_id, code, label, basis, started_on, due_on, status, level, calendar_version, detail \
         FROM case_clocks WHERE case_id = $1 ORDER BY started_on, code",
    )
    .bind(id.0)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let detail: String = r.col(9)?;
        Ok(ClockRow {
            case_id: CaseId(r.col(0)?),
            code: r.col(1)?,
            label: r.col(2)?,
            basis: r.col(3)?,
            started_on: r.col(4)?,
            due_on: r.col(5)?,
            status: r.col(6)?,
            level: r.col(7)?,
            calendar_version: r.col(8)?,
            detail: serde_json::from_str(&detail).map_err(|_| StoreError::Corrupt("clock detail".into()))?,
        })
    })
    .collect()
}

pub async fn set_case_officers(tx: &mut Tx, id: CaseId, officers: &[OfficerId]) -> Result<()> {
    tx.execute(
        "DELETE FROM case_officers WHERE case_id = $1",
        vec![id.0.into()],
    )
    .await?;
    for o in officers {
        tx.execute(
            "INSERT INTO case_officers (case_id, officer_id) VALUES ($1, $2)",
            vec![id.0.into(), o.0.into()],
        )
        .await?;
    }
    Ok(())
}

const OFFICERS_OF: &str =
    "SELECT officer_id FROM case_officers WHERE case_id = $1 ORDER BY officer_id";

pub async fn case_officers(db: &Db, id: CaseId) -> Result<Vec<OfficerId>> {
    sqlx::query(OFFICERS_OF)
        .bind(id.0)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok(OfficerId(r.col(0)?)))
        .collect()
}

/// Stores content under its SHA-256 (content-addressed; storing the same bytes twice is a no-op).
pub async fn put_blob(tx: &mut Tx, sha256: &str, data: &[u8]) -> Result<()> {
    let exists = tx
        .fetch_optional("SELECT 1 FROM blobs WHERE sha256 = $1", vec![sha256.into()])
        .await?;
    if exists.is_none() {
        tx.execute(
            "INSERT INTO blobs (sha256, size, data) VALUES ($1, $2, $3)",
            vec![sha256.into(), (data.len() as i64).into(), data.into()],
        )
        .await?;
    }
    Ok(())
}

pub async fn blob(db: &Db, sha256: &str) -> Result<Vec<u8>> {
    let r = sqlx::query("SELECT data FROM blobs WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("blob {sha256}")))?;
    r.col(0)
}

#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    pub case_id: CaseId,
    pub sha256: &'a str,
    pub filename: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    pub description: &'a str,
    pub uploaded_by: Option<UserId>,
    pub at: i64,
}

pub async fn insert_evidence(tx: &mut Tx, e: &NewEvidence<'_>) -> Result<EvidenceId> {
    let id = tx.insert_id(
        "INSERT INTO evidence (case_id, sha256, filename, media_type, size, description, uploaded_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vec![e.case_id.0.into(), e.sha256.into(), e.filename.into(), e.media_type.into(), e.size.into(), e.description.into(), e.uploaded_by.map(|u| u.0).into(), e.at.into()],
    )
    .await?;
    Ok(EvidenceId(id))
}

const EVIDENCE_COLS: &str =
    "id, case_id, sha256, filename, media_type, size, description, uploaded_by, at";

fn evidence_row(r: &impl DbRow) -> Result<EvidenceRow> {
    Ok(EvidenceRow {
        id: EvidenceId(r.col(0)?),
        case_id: CaseId(r.col(1)?),
        sha256: r.col(2)?,
        filename: r.col(3)?,
        media_type: r.col(4)?,
        size: r.col(5)?,
        description: r.col(6)?,
        uploaded_by: r.col::<Option<i64>>(7)?.map(UserId),
        at: r.col(8)?,
    })
}

/// The evidence of a case (after `SELECT {EVIDENCE_COLS}`).
const EVIDENCE_OF: &str = "FROM evidence WHERE case_id = $1 ORDER BY id";

pub async fn evidence_of(db: &Db, id: CaseId) -> Result<Vec<EvidenceRow>> {
    sqlx::query(dynsql!("SELECT {EVIDENCE_COLS} {EVIDENCE_OF}"))
        .bind(id.0)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(evidence_row)
        .collect()
}

pub async fn evidence(db: &Db, id: EvidenceId) -> Result<EvidenceRow> {
    let r = sqlx::query(dynsql!(
        "SELECT {EVIDENCE_COLS} FROM evidence WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("evidence {id}")))?;
    evidence_row(&r)
}

pub async fn insert_publication(
    tx: &mut Tx,
    case_id: CaseId,
    published_on: &str,
    title: &str,
    body: &serde_json::Value,
) -> Result<i64> {
    let r = tx.fetch_one(
        "INSERT INTO publications (case_id, published_on, title, body) VALUES ($1, $2, $3, $4) RETURNING id",
        vec![case_id.0.into(), published_on.into(), title.into(), body.to_string().into()],
    )
    .await?;
    r.col(0)
}

pub async fn withdraw_publications(
    tx: &mut Tx,
    case_id: CaseId,
    on: &str,
    reason: &str,
) -> Result<u64> {
    tx.execute(
        "UPDATE publications SET withdrawn_on = $1, withdraw_reason = $2 WHERE case_id = $3 AND withdrawn_on IS NULL",
        vec![on.into(), reason.into(), case_id.0.into()],
    )
    .await
}

const PUB_COLS: &str = "id, case_id, published_on, withdrawn_on, withdraw_reason, title, body";

fn publication_row(r: &impl DbRow) -> Result<PublicationRow> {
    let body: String = r.col(6)?;
    Ok(PublicationRow {
        id: r.col(0)?,
        case_id: CaseId(r.col(1)?),
        published_on: r.col(2)?,
        withdrawn_on: r.col(3)?,
        withdraw_reason: r.col(4)?,
        title: r.col(5)?,
        body: serde_json::from_str(&body)
            .map_err(|_| StoreError::Corrupt("publication body".into()))?,
    })
}

/// Publications still in force, newest first.
pub async fn public_publications(db: &Db, offset: i64, limit: i64) -> Result<Vec<PublicationRow>> {
    sqlx::query(dynsql!(
        "SELECT {PUB_COLS} FROM publications WHERE withdrawn_on IS NULL ORDER BY published_on DESC, id DESC \
         LIMIT {} OFFSET {}",
        limit.clamp(1, 200),
        offset.max(0)
    ))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(publication_row)
    .collect()
}

pub async fn publication(db: &Db, id: i64) -> Result<PublicationRow> {
    let r = sqlx::query(dynsql!("SELECT {PUB_COLS} FROM publications WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("publication {id}")))?;
    publication_row(&r)
}

pub async fn publications_of(db: &Db, case_id: CaseId) -> Result<Vec<PublicationRow>> {
    sqlx::query(dynsql!(
        "SELECT {PUB_COLS} FROM publications WHERE case_id = $1 ORDER BY id"
    ))
    .bind(case_id.0)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(publication_row)
    .collect()
}

/// Sort orders a list page offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    CreatedDesc,
    CreatedAsc,
    DueAsc,
}

/// A scoped, filtered list query. The scope fields come from the app's access rules; the others
/// from the user.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub case_type: Option<String>,
    /// Materialised path of the unit whose subtree is visible.
    pub unit_path: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub owner_id: Option<UserId>,
    /// department_id OR owner_id instead of AND
    pub department_or_owner: bool,
    pub state: Option<String>,
    pub category: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// Cases with an open deadline at or before this date.
    pub due_by: Option<String>,
    pub min_due_level: Option<i64>,
    pub open_only: bool,
    pub query: Option<String>,
    pub sort: Sort,
    pub offset: i64,
    pub limit: i64,
}

/// A search whose index candidates are at most this many reads them by id (see `list_cases`).
const FEW_CANDIDATES: i64 = 2_000;

/// How many rows a list counts before it says "more than".
pub const COUNT_CAP: i64 = 10_000;

/// ` INDEXED BY name`, ` NOT INDEXED` or nothing: the SQLite index hint of a list query.
fn indexed_by(index: Option<&str>) -> String {
    match index {
        Some("NOT INDEXED") => " NOT INDEXED".to_string(),
        Some(i) => format!(" INDEXED BY {i}"),
        None => String::new(),
    }
}

/// A list statement (built from fixed fragments; every value is a parameter) with its values.
fn bound<'q>(
    sql: &'q str,
    binds: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.as_str());
    }
    q
}

/// How many cases the search index yields for `iq`, counted up to `cap + 1`.
async fn index_count(db: &Db, iq: &crate::search::IndexQuery, cap: i64) -> Result<i64> {
    sqlx::query(dynsql!(
        "SELECT COUNT(*) FROM ({} LIMIT {}) t",
        crate::search::IndexQuery::ids_sql(db.backend(), "$1"),
        cap + 1
    ))
    .bind(iq.bind_text(db.backend()))
    .fetch_one(db.pool())
    .await?
    .col(0)
}

/// The case rows of these ids, in this order.
async fn rows_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<CaseRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLS} FROM cases WHERE id IN ({list})"
    )))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(case_row)
    .collect::<Result<Vec<_>>>()?;
    let position: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| position.get(&r.id.0).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// One page of cases plus the total, counted up to [`COUNT_CAP`].
pub async fn list_cases(db: &Db, f: &CaseFilter) -> Result<(Vec<CaseRow>, i64)> {
    let mut wh = String::from(" WHERE 1=1");
    let mut binds: Vec<String> = Vec::new();
    let bind = |v: String, binds: &mut Vec<String>| -> String {
        binds.push(v);
        format!("${}", binds.len())
    };
    if let Some(t) = &f.case_type {
        wh += &format!(" AND case_type = {}", bind(t.clone(), &mut binds));
    }
    if let Some(p) = &f.unit_path {
        let lo = bind(p.clone(), &mut binds);
        let hi = bind(subtree_upper(p), &mut binds);
        wh += &match db.backend() {
            // The subtree as the set of its units' paths (every case's `unit_path` is the path
            // of its unit; units are never moved or deleted): SQLite then seeks an index once
            // per unit and can still seek the columns after `unit_path` (a category, a creation
            // range), where a range of paths leaves them to be tested entry by entry.
            // PostgreSQL's planner, which has statistics, does well with the range.
            Backend::Sqlite => format!(
                " AND unit_path IN (SELECT path FROM units WHERE path >= {lo} AND path < {hi})"
            ),
            Backend::Postgres => format!(" AND unit_path >= {lo} AND unit_path < {hi}"),
        };
    }
    match (f.department_id, f.owner_id) {
        (Some(d), Some(o)) if f.department_or_owner => {
            wh += &format!(" AND (department_id = {} OR owner_id = {})", d.0, o.0);
        }
        (d, o) => {
            if let Some(d) = d {
                wh += &format!(" AND department_id = {}", d.0);
            }
            if let Some(o) = o {
                wh += &format!(" AND owner_id = {}", o.0);
            }
        }
    }
    if let Some(s) = &f.state {
        wh += &format!(" AND state = {}", bind(s.clone(), &mut binds));
    }
    if let Some(c) = &f.category {
        wh += &format!(" AND category = {}", bind(c.clone(), &mut binds));
    }
    if let Some(d) = &f.created_from {
        wh += &format!(" AND created_on >= {}", bind(d.clone(), &mut binds));
    }
    if let Some(d) = &f.created_to {
        wh += &format!(" AND created_on <= {}", bind(d.clone(), &mut binds));
    }
    if let Some(d) = &f.due_by {
        wh += &format!(
            " AND due_on IS NOT NULL AND due_on <= {}",
            bind(d.clone(), &mut binds)
        );
    }
    if let Some(l) = f.min_due_level {
        wh += &format!(" AND due_level >= {l}");
    }
    if f.open_only {
        wh += " AND closed_on IS NULL";
    }
    // Text search: through the pair index where the query has a CJK run of two or more
    // characters (`search`), checked against the text unless the index is exact (a term that is
    // one CJK run); otherwise a scan of the text (and the case number).
    let query = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty());
    // Within a unit subtree and one case type, the index answers for that subtree only (its
    // scope token, see `search`).
    let index_query =
        query
            .and_then(crate::search::index_query)
            .map(|iq| match (&f.case_type, &f.unit_path) {
                (Some(t), Some(p)) => iq.within(t, p),
                _ => iq,
            });
    if let Some(q) = query {
        let like = |term: &str, binds: &mut Vec<String>| {
            let escaped = term
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!(
                "search_text LIKE {} ESCAPE '\\'",
                bind(format!("%{escaped}%"), binds)
            )
        };
        match &index_query {
            Some(iq) => {
                let ids = crate::search::IndexQuery::ids_sql(
                    db.backend(),
                    &bind(iq.bind_text(db.backend()), &mut binds),
                );
                wh += &format!(" AND id IN ({ids})");
                for term in &iq.check {
                    wh += &format!(" AND {}", like(term, &mut binds));
                }
            }
            None => {
                let terms = crate::search::terms(q);
                let likes: Vec<String> = terms.iter().map(|t| like(t, &mut binds)).collect();
                wh += &format!(
                    " AND ({} OR number = {})",
                    likes.join(" AND "),
                    bind(q.to_string(), &mut binds)
                );
            }
        }
    }
    let order = match f.sort {
        Sort::CreatedDesc => " ORDER BY created_on DESC, id DESC",
        Sort::CreatedAsc => " ORDER BY created_on ASC, id ASC",
        // With a due filter every row has a due date: plain order, which an index can give.
        // Without one, the page is read in two parts (below); this is their combined order.
        Sort::DueAsc if f.due_by.is_some() => " ORDER BY due_on ASC, id ASC",
        Sort::DueAsc => " ORDER BY due_on IS NULL, due_on ASC, id ASC",
    };
    // The page's ids first, from an index that carries every filter column (migration 0005),
    // then only those rows: a filter never reads the wide case rows it rejects. On SQLite the
    // index is named, because without statistics its planner prefers a unit-range index and a
    // sort over walking an index in page order: with a state filter `cases_state` (a state is
    // often rare), with a state and a category `cases_category` (migration 0007), with creation
    // order `cases_recent` (walked in order, stopping at the page),
    // by due date `cases_due` (likewise).
    //
    // A search through the pair index (SQLite) either starts from the index's candidates, read
    // by id (`NOT INDEXED` still allows the primary key), when they are few, or walks the list
    // index as without a search and keeps the entries whose id is a candidate, when they are
    // many (a common word): the walk stops at the page, and the candidate set is built once.
    let searching = query.is_some();
    let by_created = matches!(f.sort, Sort::CreatedDesc | Sort::CreatedAsc);
    let sqlite = db.backend() == Backend::Sqlite;
    // The index's candidates, counted up to FEW_CANDIDATES + 1.
    let mut candidates = None;
    if let (Some(iq), true) = (&index_query, sqlite) {
        candidates = Some(index_count(db, iq, FEW_CANDIDATES).await?);
    }
    let few_candidates = candidates.is_some_and(|n| n <= FEW_CANDIDATES);
    let walk = !searching || (index_query.is_some() && !few_candidates);
    let index = if !sqlite || f.case_type.is_none() {
        None
    } else if few_candidates {
        Some("NOT INDEXED")
    } else if f.state.is_some() && f.category.is_some() {
        Some("cases_category")
    } else if f.state.is_some() {
        Some("cases_state")
    } else if by_created && walk {
        Some("cases_recent")
    } else if f.sort == Sort::DueAsc && walk {
        Some("cases_due")
    } else {
        None
    };
    let (limit, offset) = (f.limit.clamp(1, 500), f.offset.max(0));
    let rows = if f.sort == Sort::DueAsc && f.due_by.is_none() {
        // Due-date order over cases with and without a due date: those with one come first,
        // walked in order on `cases_due` (partial: it holds only them) and stopping at the
        // page; those without (closed ones, mostly) after them by id, read only when the page
        // reaches past the last due date. One query ordering both sorted the whole scope.
        let due_hint = indexed_by(index);
        let mut ids: Vec<i64> = bound(
            &format!(
                "SELECT id FROM cases{due_hint}{wh} AND due_on IS NOT NULL ORDER BY due_on ASC, id ASC LIMIT {limit} OFFSET {offset}"
            ),
            &binds,
        )
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.col(0))
        .collect::<Result<_>>()?;
        if (ids.len() as i64) < limit {
            // Where the page starts among the cases without a due date: past those with one.
            let before = if ids.is_empty() && offset > 0 {
                bound(
                    &format!("SELECT COUNT(*) FROM cases{due_hint}{wh} AND due_on IS NOT NULL"),
                    &binds,
                )
                .fetch_one(db.pool())
                .await?
                .col::<i64>(0)?
            } else {
                offset
            };
            let rest: Vec<i64> = bound(
                &format!(
                    "SELECT id FROM cases{}{wh} AND due_on IS NULL ORDER BY id ASC LIMIT {} OFFSET {}",
                    indexed_by(index.filter(|i| *i != "cases_due")),
                    limit - ids.len() as i64,
                    (offset - before).max(0)
                ),
                &binds,
            )
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.col(0))
            .collect::<Result<_>>()?;
            ids.extend(rest);
        }
        rows_by_ids(db, &ids).await?
    } else {
        let hint = indexed_by(index);
        bound(
            &format!(
                "SELECT {CASE_COLS} FROM cases WHERE id IN (SELECT id FROM cases{hint}{wh}{order} LIMIT {limit} OFFSET {offset}){order}"
            ),
            &binds,
        )
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(case_row)
        .collect::<Result<Vec<_>>>()?
    };
    // A search page that is not full, and not past the end, holds the last match: the total is
    // known without counting (which would read the candidates again), capped like the count.
    let rows_len = rows.len() as i64;
    if searching && rows_len < limit && (rows_len > 0 || offset == 0) {
        return Ok((rows, (offset + rows_len).min(COUNT_CAP + 1)));
    }
    // A search the index decides alone (its terms are CJK runs, its scope is the subtree and
    // the case type, and nothing else filters) is counted by the index: the matches of the
    // word within the subtree, without walking the subtree's cases.
    if let Some(iq) = index_query.as_ref().filter(|iq| {
        iq.check.is_empty()
            && iq.scope.is_some()
            && f.state.is_none()
            && f.category.is_none()
            && f.created_from.is_none()
            && f.created_to.is_none()
            && f.due_by.is_none()
            && f.min_due_level.is_none()
            && !f.open_only
            && f.department_id.is_none()
            && f.owner_id.is_none()
    }) {
        // Few candidates were counted whole above.
        if let Some(n) = candidates.filter(|n| *n <= FEW_CANDIDATES) {
            return Ok((rows, n));
        }
        return Ok((rows, index_count(db, iq, COUNT_CAP).await?));
    }
    // The capped count, on the index that reads the fewest entries that do not match: within
    // a unit subtree and a category, `cases_unit_category` (migration 0011) seeks each unit's
    // entries of that category (and state); within one state, that state's index; within a
    // subtree and a creation range, `cases_list` seeks each unit's range (with a due-date
    // bound, it walks the subtree's entries); otherwise the
    // planner's choice (a unit subtree bounds the walk by the scope).
    let created = f.created_from.is_some() || f.created_to.is_some();
    let count_index = match index {
        Some("NOT INDEXED") => index,
        _ if !sqlite || f.case_type.is_none() => None,
        _ if f.unit_path.is_some() && f.category.is_some() => Some("cases_unit_category"),
        Some("cases_state" | "cases_category") => index,
        // A due-date bound: the planner would walk `cases_due` over the whole street; the
        // subtree's own entries bound the walk by the scope instead.
        _ if f.unit_path.is_some() && (created || f.due_by.is_some()) => Some("cases_list"),
        _ => None,
    };
    let total: i64 = bound(
        &format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM cases{}{wh} LIMIT {}) t",
            indexed_by(count_index),
            COUNT_CAP + 1
        ),
        &binds,
    )
    .fetch_one(db.pool())
    .await?
    .col(0)?;
    Ok((rows, total))
}
