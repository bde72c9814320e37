//! SQLite: the point reads of every request (the session, a case with its history) on plain
//! SQLite connections, run right where they are asked for.
//!
//! sqlx runs each SQLite connection on a worker thread of its own and hands every call over to
//! it and back; for a read of a few rows by key that hand-off (two thread wake-ups) costs more
//! than the read. These connections are used by one caller at a time, taken from and returned to
//! an idle list under a mutex held only for the push or pop; nothing awaits while one is in use.
//! Longer reads (lists, searches, indicators) stay on sqlx's pool, whose threads keep them off
//! the async workers.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use crate::Result;

/// Idle connections kept for reuse (at most one per thread that reads at the same moment is in
/// use; more than this many are closed when returned).
const MAX_IDLE: usize = 8;

pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(crate) fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on an idle connection (opened when there is none).
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        // A connection left inside a transaction (a failed read between BEGIN and COMMIT) is
        // not reused.
        if conn.is_autocommit() {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        out
    }

    fn open(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch(
            "PRAGMA query_only = 1; PRAGMA busy_timeout = 10000; \
             PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY",
        )?;
        Ok(conn)
    }
}
