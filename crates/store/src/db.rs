use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
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
    /// SQLite allows one writer at a time. Write transactions of this process queue here (FIFO)
    /// instead of in SQLite's busy handler, which polls with sleeps of up to 100 ms: under
    /// concurrent writes that polling, not the work, set the latency tail.
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// How long a write transaction waits for its turn before giving up (as `busy_timeout`).
const WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

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
        let max = opts.max_connections.unwrap_or(match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        });
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA cache_size = -65536",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await?;
        Ok(Db {
            pool,
            backend,
            url: url.to_string(),
            writer: Arc::new(tokio::sync::Mutex::new(())),
        })
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

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATOR.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATOR.run(&self.pool).await?,
        }
        crate::search::backfill(self).await?;
        Ok(())
    }

    /// Starts a write transaction. The first statement takes the audit head, which serialises
    /// writers on both backends.
    pub async fn begin(&self) -> Result<Tx> {
        // The turn first, then a connection: a waiting writer does not hold one of the pool's
        // connections that readers need.
        let turn = match self.backend {
            Backend::Sqlite => Some(
                tokio::time::timeout(WRITER_WAIT, self.writer.clone().lock_owned())
                    .await
                    .map_err(|_| {
                        StoreError::Conflict(format!(
                            "database busy: no write turn within {} s",
                            WRITER_WAIT.as_secs()
                        ))
                    })?,
            ),
            Backend::Postgres => None,
        };
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let head = (row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?);
        Ok(Tx {
            tx,
            backend: self.backend,
            head,
            dirty: false,
            _turn: turn,
        })
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
        self.pool.close().await;
    }
}

/// A write transaction that carries the audit-chain head.
pub struct Tx {
    pub(crate) tx: sqlx::Transaction<'static, Any>,
    backend: Backend,
    head: (i64, String),
    dirty: bool,
    /// The SQLite write turn, released when the transaction ends (commit, rollback or drop;
    /// the field order drops the transaction first).
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Appends one entry to the hash-chained audit log.
    pub async fn audit(&mut self, entry: AuditEntry<'_>) -> Result<String> {
        let seq = self.head.0 + 1;
        let hash = audit::entry_hash(&self.head.1, seq, &entry);
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(seq)
        .bind(entry.at)
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.entity)
        .bind(entry.entity_id)
        .bind(entry.before.map(|v| v.to_string()))
        .bind(entry.after.map(|v| v.to_string()))
        .bind(&self.head.1)
        .bind(&hash)
        .execute(&mut *self.tx)
        .await?;
        self.head = (seq, hash.clone());
        self.dirty = true;
        Ok(hash)
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.dirty {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.head.0)
                .bind(&self.head.1)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}
