use std::borrow::Cow;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row};

use crate::audit::{self, AuditEntry};
use crate::{Result, StoreError};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Create the SQLite file when it does not exist. Off for `serve`, so that a mistyped path is
    /// an error and not a new empty database.
    pub create_if_missing: bool,
    pub max_connections: Option<u32>,
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    url: String,
    /// SQLite: the one writer connection with its group commit (see [`crate::writer`]).
    writer: Option<Arc<crate::writer::Writer>>,
    /// SQLite: connections for the point reads of the request path (see [`crate::readers`]).
    readers: Option<Arc<crate::readers::Readers>>,
    /// Committed codes of the `case_facts` dictionary (see [`crate::indicators`]).
    fact_codes: Arc<crate::indicators::FactCodes>,
    /// Units and departments, which never change once committed (see [`crate::org`]).
    org_cache: Arc<crate::org::OrgCache>,
    /// The facts layouts the writes fill and the generated rollup schema follows (see
    /// [`crate::indicators::schema`]); the built-in ones unless [`Db::with_layouts`].
    layouts: Arc<fazhi_indicators::facts::Layouts>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

/// The file path of a `sqlite://` URL, without query parameters.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(PathBuf::from(path))
}

impl Db {
    pub async fn connect(url: &str, opts: ConnectOptions) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        let mut full = url.to_string();
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_path(url)
                && !path.exists()
                && !opts.create_if_missing
            {
                return Err(StoreError::MissingDatabase(path.display().to_string()));
            }
            let sep = if full.contains('?') { '&' } else { '?' };
            let mode = if opts.create_if_missing { "rwc" } else { "rw" };
            if !full.contains("mode=") {
                full.push(sep);
                full.push_str("mode=");
                full.push_str(mode);
            }
        }
        let connect = AnyConnectOptions::from_str(&full)?;
        let (writer, readers) = match backend {
            Backend::Sqlite => {
                let path = sqlite_path(url).ok_or_else(|| {
                    StoreError::BadUrl(format!(
                        "{url} (an in-memory SQLite database cannot be shared by the writer and the readers; give a file)"
                    ))
                })?;
                (
                    Some(Arc::new(crate::writer::Writer::new(
                        path.clone(),
                        opts.create_if_missing,
                    ))),
                    Some(Arc::new(crate::readers::Readers::new(path))),
                )
            }
            Backend::Postgres => (None, None),
        };
        let max = opts.max_connections.unwrap_or(match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        });
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlite_pragmas(conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await?;
        if let Some(w) = &writer {
            tokio::spawn(crate::writer::checkpoints(Arc::downgrade(w), pool.clone()));
        }
        Ok(Db {
            pool,
            backend,
            url: url.to_string(),
            writer,
            readers,
            fact_codes: Arc::default(),
            org_cache: Arc::default(),
            layouts: Arc::new(fazhi_indicators::facts::Layouts::embedded()),
        })
    }

    /// The same database with the facts layouts of a registry (e.g.
    /// `Layouts::from_registry(&registry)` for a configuration folder's case types). Call it
    /// before [`Db::migrate`], which brings the generated schema in line with them.
    pub fn with_layouts(mut self, layouts: Arc<fazhi_indicators::facts::Layouts>) -> Db {
        self.layouts = layouts;
        self
    }

    /// The facts layouts this database writes and reads.
    pub fn layouts(&self) -> &Arc<fazhi_indicators::facts::Layouts> {
        &self.layouts
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn org_cache(&self) -> &crate::org::OrgCache {
        &self.org_cache
    }

    pub(crate) fn fact_codes(&self) -> &crate::indicators::FactCodes {
        &self.fact_codes
    }

    /// Applies the embedded migrations of this backend, then brings the schema generated from
    /// the facts layouts in line with [`Db::layouts`] (nothing to do when they are unchanged;
    /// see [`crate::indicators::schema::apply`]).
    pub async fn migrate(&self) -> Result<()> {
        let (database, binary) = self.schema_versions().await?;
        if let Some(database) = database
            && database > binary
        {
            return Err(StoreError::SchemaNewer { database, binary });
        }
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATOR.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATOR.run(&self.pool).await?,
        }
        crate::indicators::schema::apply(self).await?;
        crate::search::backfill(self).await?;
        Ok(())
    }

    /// The newest migration applied to the database (`None`: none yet) and the newest this
    /// binary embeds. A database newer than the binary was written by a later release: it is
    /// neither migrated nor served (see [`StoreError::SchemaNewer`]).
    pub async fn schema_versions(&self) -> Result<(Option<i64>, i64)> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        let binary = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        let exists_sql = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let exists: i64 = sqlx::query_scalar(exists_sql).fetch_one(&self.pool).await?;
        if exists == 0 {
            return Ok((None, binary));
        }
        let database: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok((database, binary))
    }

    /// Starts a write transaction. On PostgreSQL the first statement takes the audit head,
    /// which serialises writers; on SQLite the transaction is a savepoint inside the writer
    /// connection's group transaction (see [`crate::writer`]), whose turn serialises them.
    pub async fn begin(&self) -> Result<Tx> {
        if let Some(writer) = &self.writer {
            let (inner, head) = writer.begin().await?;
            return Ok(Tx {
                inner: TxInner::Sqlite(inner),
                backend: self.backend,
                head,
                dirty: false,
                fact_codes: crate::indicators::TxCodes::new(self.fact_codes.clone()),
                layouts: self.layouts.clone(),
            });
        }
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let head = (row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?);
        Ok(Tx {
            inner: TxInner::Pool(tx),
            backend: self.backend,
            head,
            dirty: false,
            fact_codes: crate::indicators::TxCodes::new(self.fact_codes.clone()),
            layouts: self.layouts.clone(),
        })
    }

    /// One write statement that needs no audit entry (sessions, flags); returns the rows it
    /// affected. On SQLite it takes the writer's turn (and joins its group) rather than
    /// competing for the file lock from a pooled connection; on PostgreSQL it runs on the pool,
    /// without taking the audit head.
    pub async fn execute_write(&self, sql: &str, args: Vec<Arg<'_>>) -> Result<u64> {
        if self.writer.is_none() {
            return Ok(bind_args(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .execute(&self.pool)
                .await?
                .rows_affected());
        }
        let mut tx = self.begin().await?;
        let n = tx.execute(sql, args).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Point reads of the request path (a row or a few by key; not for lists or scans): the
    /// statements' rows, in order. On SQLite they run here, on a plain connection, inside one
    /// read transaction when there are several (see [`crate::readers`]); on PostgreSQL on one
    /// pooled connection, in turn. Each statement has parameters `$1`…`$n` for its arguments.
    pub async fn read(&self, statements: Vec<(&str, Vec<Arg<'_>>)>) -> Result<Vec<Vec<TxRow>>> {
        if let Some(readers) = &self.readers {
            return readers.with(|conn| {
                let several = statements.len() > 1;
                if several {
                    conn.execute_batch("BEGIN")?;
                }
                let mut out = Vec::with_capacity(statements.len());
                for (sql, args) in statements {
                    let (rows, _) = crate::writer::run(conn, sql, args)?;
                    out.push(rows.into_iter().map(TxRow::Sqlite).collect());
                }
                if several {
                    conn.execute_batch("COMMIT")?;
                }
                Ok(out)
            });
        }
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::with_capacity(statements.len());
        for (sql, args) in statements {
            let rows = bind_args(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .fetch_all(&mut *conn)
                .await?;
            out.push(rows.into_iter().map(TxRow::Any).collect());
        }
        Ok(out)
    }

    /// On SQLite: write transactions committed and the group commits that carried them since
    /// this `Db` was opened (their ratio is the mean group size); `None` on PostgreSQL.
    pub fn group_commit_stats(&self) -> Option<(u64, u64)> {
        self.writer.as_ref().map(|w| w.stats())
    }

    /// On SQLite: write transactions waiting for the writer's turn now (for the tests).
    pub fn writers_waiting(&self) -> Option<usize> {
        self.writer.as_ref().map(|w| w.waiting())
    }

    /// Liveness: one round trip.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// A consistent online copy of an SQLite database (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, dest: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BadUrl(
                "backup of PostgreSQL uses pg_dump; this command copies SQLite only".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists",
                dest.display()
            )));
        }
        let target = dest.display().to_string().replace('\'', "''");
        sqlx::query(dynsql!("VACUUM INTO '{target}'"))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// The SQLite pragmas of every connection (pooled readers and the writer).
pub(crate) const SQLITE_PRAGMAS: [&str; 6] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA cache_size = -65536",
    // Savepoints (every SQLite write is one, see `writer`) journal the pages they touch into a
    // sub-journal: in memory, not a temp file written with a syscall per page.
    "PRAGMA temp_store = MEMORY",
];

/// Sets [`SQLITE_PRAGMAS`] on a pooled connection.
pub(crate) async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection) -> sqlx::Result<()> {
    for pragma in SQLITE_PRAGMAS {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    Ok(())
}

/// A write transaction that carries the audit-chain head.
pub struct Tx {
    inner: TxInner,
    backend: Backend,
    head: (i64, String),
    dirty: bool,
    /// `case_facts` dictionary codes found or assigned in this transaction, cached for the
    /// process only once it has committed.
    pub(crate) fact_codes: crate::indicators::TxCodes,
    /// The facts layouts of the database (see [`Db::layouts`]).
    pub(crate) layouts: Arc<fazhi_indicators::facts::Layouts>,
}

enum TxInner {
    /// PostgreSQL: a transaction on a pooled connection.
    Pool(sqlx::Transaction<'static, Any>),
    /// SQLite: a savepoint on the writer connection.
    Sqlite(crate::writer::WriterTx),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs one statement and returns its rows. `sql` is one statement with parameters
    /// `$1`…`$n` for `args`. On SQLite it runs on the writer connection right here (see
    /// [`crate::writer`]); on PostgreSQL on the transaction's pooled connection.
    pub async fn fetch_all(&mut self, sql: &str, args: Vec<Arg<'_>>) -> Result<Vec<TxRow>> {
        match &mut self.inner {
            TxInner::Pool(tx) => Ok(bind_args(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(TxRow::Any)
                .collect()),
            TxInner::Sqlite(w) => Ok(w.run(sql, args)?.0.into_iter().map(TxRow::Sqlite).collect()),
        }
    }

    /// Runs one `INSERT` of a single row into a table keyed by `id` and returns the new id.
    /// `sql` has no `RETURNING` clause: PostgreSQL gets `RETURNING id` appended; on SQLite the
    /// id is the writer connection's last inserted rowid. (SQLite implements `RETURNING` as a
    /// trigger, which makes the insert a multi-write statement: SQLite then keeps a statement
    /// journal and copies every page the insert touches into it first, which was about 9 % of
    /// a bulk create's time for the case rows.)
    pub async fn insert_id(&mut self, sql: &str, args: Vec<Arg<'_>>) -> Result<i64> {
        match &mut self.inner {
            TxInner::Pool(_) => {
                let row = self.fetch_one(&format!("{sql} RETURNING id"), args).await?;
                row.col(0)
            }
            TxInner::Sqlite(w) => w.insert_id(sql, args),
        }
    }

    /// [`Tx::fetch_all`] for a statement that returns at most one row.
    pub async fn fetch_optional(&mut self, sql: &str, args: Vec<Arg<'_>>) -> Result<Option<TxRow>> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    /// [`Tx::fetch_all`] for a statement that returns exactly one row.
    pub async fn fetch_one(&mut self, sql: &str, args: Vec<Arg<'_>>) -> Result<TxRow> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or_else(|| sqlx::Error::RowNotFound.into())
    }

    /// Runs one write statement (see [`Tx::fetch_all`]) and returns the rows it affected.
    pub async fn execute(&mut self, sql: &str, args: Vec<Arg<'_>>) -> Result<u64> {
        match &mut self.inner {
            TxInner::Pool(tx) => Ok(bind_args(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .execute(&mut **tx)
                .await?
                .rows_affected()),
            TxInner::Sqlite(w) => Ok(w.run(sql, args)?.1),
        }
    }

    /// On SQLite, takes a search-index write to apply at the group's commit (see
    /// [`crate::writer::SearchOp`]) and returns `None`; on PostgreSQL returns it to be written now.
    pub(crate) fn defer_search(
        &mut self,
        op: crate::writer::SearchOp,
    ) -> Option<crate::writer::SearchOp> {
        match &mut self.inner {
            TxInner::Pool(_) => Some(op),
            TxInner::Sqlite(w) => {
                w.defer_search(op);
                None
            }
        }
    }

    /// Appends one entry to the hash-chained audit log.
    pub async fn audit(&mut self, entry: AuditEntry<'_>) -> Result<String> {
        let seq = self.head.0 + 1;
        let sealed = audit::seal(&self.head.1, seq, &entry);
        let prev = self.head.1.clone();
        self.execute(
            audit::INSERT_SQL,
            vec![
                seq.into(),
                entry.at.into(),
                entry.actor.into(),
                entry.action.into(),
                entry.entity.into(),
                entry.entity_id.into(),
                sealed.before.into(),
                sealed.after.into(),
                prev.into(),
                sealed.hash.as_str().into(),
                entry.entity_id.parse::<i64>().ok().into(),
            ],
        )
        .await?;
        self.head = (seq, sealed.hash.clone());
        self.dirty = true;
        Ok(sealed.hash)
    }

    /// Commits. On SQLite this returns once the group transaction holding this savepoint is
    /// committed (or reports that it failed, in which case nothing of it was written).
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Pool(mut tx) => {
                if self.dirty {
                    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                        .bind(self.head.0)
                        .bind(&self.head.1)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
            TxInner::Sqlite(w) => w.commit(self.dirty.then_some(self.head)).await?,
        }
        // Durable now: the dictionary codes it used may be cached.
        self.fact_codes.publish();
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Pool(tx) => Ok(tx.rollback().await?),
            TxInner::Sqlite(w) => w.rollback().await,
        }
    }
}

/// A bind value of a statement run in a [`Tx`]. Text and blobs borrow from the caller where
/// they can: on SQLite the writer binds them straight from there, without a copy per statement
/// (a bulk create binds a few hundred bytes of text per row); sqlx (PostgreSQL, pooled reads)
/// takes owned values and copies them when binding.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<Cow<'a, str>>),
    Blob(Option<Cow<'a, [u8]>>),
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Arg<'a> {
        Arg::Blob(Some(Cow::Borrowed(v)))
    }
}

impl From<f64> for Arg<'_> {
    fn from(v: f64) -> Self {
        Arg::Real(Some(v))
    }
}

impl From<Option<f64>> for Arg<'_> {
    fn from(v: Option<f64>) -> Self {
        Arg::Real(v)
    }
}

impl From<Option<bool>> for Arg<'_> {
    fn from(v: Option<bool>) -> Self {
        Arg::Int(v.map(i64::from))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Arg<'a> {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Int(Some(i64::from(v)))
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Arg<'a> {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Arg<'a> {
        Arg::Text(v.map(Cow::Borrowed))
    }
}

impl From<String> for Arg<'_> {
    fn from(v: String) -> Self {
        Arg::Text(Some(Cow::Owned(v)))
    }
}

impl From<Option<String>> for Arg<'_> {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v.map(Cow::Owned))
    }
}

/// Binds queued arguments to a query, in order (sqlx's arguments own their values).
pub(crate) fn bind_args<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    args: Vec<Arg<'_>>,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    for a in args {
        q = match a {
            Arg::Int(v) => q.bind(v),
            Arg::Real(v) => q.bind(v),
            Arg::Text(v) => q.bind(v.map(Cow::into_owned)),
            Arg::Blob(v) => q.bind(v.map(Cow::into_owned)),
        };
    }
    q
}

/// A row read in a write transaction: sqlx's on PostgreSQL, the writer connection's on SQLite.
pub enum TxRow {
    Any(AnyRow),
    Sqlite(Vec<rusqlite::types::Value>),
}

/// Reads a column by index, from a row of a pooled read (sqlx's [`AnyRow`]) and from a
/// [`TxRow`] alike, so that one mapping function serves both.
pub trait DbRow {
    fn col<T: Column>(&self, i: usize) -> Result<T>;
}

impl DbRow for AnyRow {
    fn col<T: Column>(&self, i: usize) -> Result<T> {
        T::from_any(self, i)
    }
}

impl DbRow for TxRow {
    fn col<T: Column>(&self, i: usize) -> Result<T> {
        match self {
            TxRow::Any(r) => T::from_any(r, i),
            TxRow::Sqlite(values) => {
                let v = values.get(i).ok_or_else(|| {
                    StoreError::Corrupt(format!("column {i} of {}: no such column", values.len()))
                })?;
                T::from_value(v).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "column {i}: {} expected, {:?} found",
                        std::any::type_name::<T>(),
                        v.data_type()
                    ))
                })
            }
        }
    }
}

/// A Rust type a column decodes to (see [`DbRow`]).
pub trait Column: Sized {
    fn from_any(r: &AnyRow, i: usize) -> Result<Self>;
    /// `None`: the value is not of this type.
    fn from_value(v: &rusqlite::types::Value) -> Option<Self>;
}

macro_rules! column {
    ($t:ty, $v:ident => $e:expr) => {
        impl Column for $t {
            fn from_any(r: &AnyRow, i: usize) -> Result<Self> {
                Ok(r.try_get::<$t, _>(i)?)
            }
            fn from_value($v: &rusqlite::types::Value) -> Option<Self> {
                $e
            }
        }
        impl Column for Option<$t> {
            fn from_any(r: &AnyRow, i: usize) -> Result<Self> {
                Ok(r.try_get::<Option<$t>, _>(i)?)
            }
            fn from_value(v: &rusqlite::types::Value) -> Option<Self> {
                match v {
                    rusqlite::types::Value::Null => Some(None),
                    v => <$t as Column>::from_value(v).map(Some),
                }
            }
        }
    };
}

use rusqlite::types::Value;

column!(i64, v => match v {
    Value::Integer(n) => Some(*n),
    _ => None,
});
column!(bool, v => match v {
    Value::Integer(n) => Some(*n != 0),
    _ => None,
});
column!(String, v => match v {
    Value::Text(t) => Some(t.clone()),
    _ => None,
});
column!(Vec<u8>, v => match v {
    Value::Blob(b) => Some(b.clone()),
    _ => None,
});
// SQLite gives an integer for a REAL expression whose value is whole only where the column
// has no REAL affinity (a `SUM` of integers, say); sqlx decodes both as well.
column!(f64, v => match v {
    Value::Real(x) => Some(*x),
    Value::Integer(n) => Some(*n as f64),
    _ => None,
});
