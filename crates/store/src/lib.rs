//! The only crate that speaks SQL.
//!
//! One code path over embedded SQLite and PostgreSQL through sqlx's `Any` driver, except the
//! SQLite writer connection, a plain `rusqlite` connection (see [`writer`]). The schema is
//! portable (see `migrations/`): dates are `TEXT 'YYYY-MM-DD'`, timestamps `BIGINT` epoch-ms, JSON
//! `TEXT`, money integer fen, booleans 0/1. Every write goes through a [`Tx`], which takes the
//! audit-chain head first: that serialises writers and keeps the hash chain linear.

/// SQL assembled only from constants, `$n` placeholders and integers, never from user text.
macro_rules! dynsql {
    ($($t:tt)*) => { sqlx::AssertSqlSafe(format!($($t)*)) };
}

pub mod audit;
mod db;
mod readers;
mod rows;
mod writer;

pub mod calendar;
pub mod cases;
pub mod definitions;
pub mod documents;
pub mod imports;
pub mod indicators;
pub mod links;
pub mod org;
pub mod reports;
pub mod search;
pub mod sessions;
pub mod settings;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod tokens;

pub use audit::{AuditEntry, AuditFilter, AuditProblem, AuditRow, verify_chain};
pub use db::{Arg, Backend, Column, ConnectOptions, Db, DbRow, Tx, TxRow, sqlite_path};
pub use rows::*;

/// Errors of the storage layer. `NotFound` and `Conflict` are expected outcomes the app maps to
/// user messages; the rest are operational failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "SQLite database file does not exist: {0} (create it with `fazhi migrate --create` or `fazhi demo`)"
    )]
    MissingDatabase(String),
    #[error("unsupported database URL: {0} (expected sqlite://PATH or postgres://...)")]
    BadUrl(String),
    #[error(
        "数据库结构版本（{database}）比本程序支持的最新版本（{binary}）新：数据库已由更新版本的fazhi升级过，请使用该版本或更新的版本；本程序不会打开它，以免损坏数据"
    )]
    SchemaNewer { database: i64, binary: i64 },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
