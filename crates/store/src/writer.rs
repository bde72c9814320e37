//! SQLite writes: one writer connection and group commit.
//!
//! SQLite admits one writer at a time. Every write transaction of the process runs on one
//! dedicated connection, in turn (a FIFO queue, not SQLite's busy handler, which polls with
//! sleeps of up to 100 ms). Because that connection is the only writer, its page cache stays
//! valid between transactions; a pooled connection would find the database changed by another
//! connection and start cold.
//!
//! Group commit: a [`WriterTx`] is a savepoint inside a *group* transaction
//! (`BEGIN IMMEDIATE` … `COMMIT`; the transaction that opens the group needs no savepoint).
//! When a transaction ends and other writers are already queued for their turn, the group stays open and the next writer continues in it; the last writer of a
//! burst (or the one that fills the group) commits it for all. Every writer returns from
//! [`WriterTx::commit`] only after the group's `COMMIT` succeeded, so nobody reports success for
//! work that is not durable; if the `COMMIT` fails, every member of the group gets the error and
//! nothing of any of them is written. A transaction that rolls back (or is dropped) rolls back to
//! its savepoint and leaves the others of its group untouched.
//!
//! The audit-chain head is read once per group, under the group's write lock, and written back
//! once at its `COMMIT`; members chain their entries on the head left by the previous member.
//! A burst of requests therefore pays for one `BEGIN`, one head update and one `COMMIT` (one
//! write of the WAL pages they share, one FTS5 segment) instead of one each.

//!
//! The writer connection is a plain SQLite connection (`rusqlite`), not one of sqlx's: a write
//! transaction's statements run on the task that holds the turn, directly, each a few
//! microseconds. (sqlx runs every SQLite connection on a worker thread of its own and hands each
//! call over to it and back; at thousands of small writes a second, those hand-offs and thread
//! wake-ups cost more CPU than the statements.) Nothing here awaits while a statement runs, so a
//! caller that is dropped (a client that goes away) can only be dropped between statements; the
//! slot always knows what the connection holds, and the next writer settles what a dropped one
//! left open.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::db::Arg;
use crate::{Result, StoreError};

/// How long a write transaction waits for its turn before giving up (as `busy_timeout`).
const WRITER_WAIT: Duration = Duration::from_secs(10);
/// A group commits once it has this many members …
const MAX_MEMBERS: usize = 256;
/// … or has been open this long, even while writers are queued (default; the environment
/// variable [`GROUP_AGE_VAR`] overrides it, for measuring the trade-off between the latency of a
/// group's first members and the cost of more commits).
const MAX_GROUP_AGE: Duration = Duration::from_millis(20);
/// The environment variable that sets, in milliseconds, how long a group may stay open (see
/// [`MAX_GROUP_AGE`]).
pub(crate) const GROUP_AGE_VAR: &str = "FAZHI_GROUP_COMMIT_MS";
/// A member that left its group open for the next writer commits the group itself when it has
/// not been committed after this long (the next writer gave up waiting, or was cancelled).
const MEMBER_FALLBACK: Duration = Duration::from_millis(200);

const SAVEPOINT: &str = "SAVEPOINT fazhi_tx";
const RELEASE: &str = "RELEASE fazhi_tx";
const ROLLBACK_TO: &str = "ROLLBACK TO fazhi_tx";
/// WAL pages after which the writer itself checkpoints (SQLite's default is 1 000; see
/// [`checkpoints`]).
const WRITER_AUTOCHECKPOINT: &str = "PRAGMA wal_autocheckpoint = 20000";
/// How often [`checkpoints`] looks for committed groups to checkpoint.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// Prepared statements the writer connection keeps (rusqlite's default is 16; a create alone
/// uses more distinct statements than that).
const STATEMENT_CACHE: usize = 256;

type Head = (i64, String);
type MemberResult = std::result::Result<(), String>;
/// The rows of one statement, column values in order.
pub(crate) type Rows = Vec<Vec<Value>>;

/// The writer of one SQLite database (shared by the clones of a `Db`).
pub(crate) struct Writer {
    slot: Arc<Mutex<Slot>>,
    /// Writers waiting for their turn in [`Writer::begin`].
    waiting: AtomicUsize,
    path: PathBuf,
    create: bool,
    /// How long a group may stay open while writers are queued.
    max_age: Duration,
    /// Transactions committed into a group, and groups committed (for the benchmarks and tests:
    /// their ratio is the mean group size).
    committed: AtomicU64,
    groups: AtomicU64,
}

/// What the turn guards.
pub(crate) struct Slot {
    conn: Option<Connection>,
    group: Option<Group>,
    /// The head at the current transaction's start, while one is open (restored when it is
    /// abandoned).
    savepoint: Option<Head>,
    /// The open transaction opened the group itself and has no savepoint: the group holds
    /// nothing else, so its rollback is the group's. (A large transaction, such as a bulk create
    /// of thousands of cases, inside a savepoint would pay for the savepoint's journal on every
    /// statement.)
    leader: bool,
    next_generation: u64,
}

struct Group {
    generation: u64,
    head: Head,
    head_changed: bool,
    members: Vec<oneshot::Sender<MemberResult>>,
    opened: Instant,
    /// The search-index writes of the committed members, applied just before `COMMIT`.
    search: Vec<SearchOp>,
}

/// A write to the FTS5 search index (`search`), deferred to the group's commit: FTS5 flushes
/// its pending writes to a new segment at every savepoint, so writing them inline would cost a
/// segment (and merge work) per request instead of one per group. Nothing reads the index
/// inside a write transaction; the index rows still commit atomically with their cases.
#[derive(Debug)]
pub(crate) enum SearchOp {
    /// Remove the case's row (it was indexed before).
    Delete(i64),
    /// Index the case with these tokens.
    Insert(i64, String),
}

impl Writer {
    /// The writer of the database file at `path` (created on first use when `create`).
    pub(crate) fn new(path: PathBuf, create: bool) -> Writer {
        Writer {
            slot: Arc::new(Mutex::new(Slot {
                conn: None,
                group: None,
                savepoint: None,
                leader: false,
                next_generation: 1,
            })),
            waiting: AtomicUsize::new(0),
            path,
            create,
            max_age: group_age(),
            committed: AtomicU64::new(0),
            groups: AtomicU64::new(0),
        }
    }

    /// Takes the turn and opens a savepoint in the group transaction (opening the group when
    /// there is none). Returns the transaction and the audit head to chain on.
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<(WriterTx, Head)> {
        let turn = {
            let _waiting = Waiting::new(&self.waiting);
            tokio::time::timeout(WRITER_WAIT, self.slot.clone().lock_owned()).await
        };
        let mut slot = turn.map_err(|_| {
            StoreError::Conflict(format!(
                "database busy: no write turn within {} s",
                WRITER_WAIT.as_secs()
            ))
        })?;
        let head = match open_savepoint(&mut slot, self) {
            Ok(head) => head,
            Err(e) => {
                fail(&mut slot, &e.to_string());
                return Err(e);
            }
        };
        Ok((
            WriterTx {
                slot: Some(slot),
                writer: self.clone(),
                search: Vec::new(),
            },
            head,
        ))
    }

    /// Commits an open group (nothing is left open when the last writer of a burst ends; this
    /// is for shutdown) and closes the writer connection.
    pub(crate) async fn close(&self) {
        let mut slot = self.slot.lock().await;
        if settle(&mut slot).is_ok() {
            flush(&mut slot, self);
        }
        if let Some(conn) = slot.conn.take() {
            let _ = conn.close();
        }
    }

    /// Transactions committed and the group commits that carried them, since the start.
    pub(crate) fn stats(&self) -> (u64, u64) {
        (
            self.committed.load(Ordering::Relaxed),
            self.groups.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Whether the group should stay open for a writer that is already queued.
    fn keep_open(&self, group: &Group) -> bool {
        self.waiting.load(Ordering::SeqCst) > 0
            && group.members.len() < MAX_MEMBERS
            && group.opened.elapsed() < self.max_age
    }

    /// Ends the turn of a writer whose savepoint is settled: commits the group unless the next
    /// writer continues it; a group without members is rolled back.
    fn end_turn(&self, slot: &mut Slot) {
        let Some(group) = &slot.group else { return };
        if group.members.is_empty() && !group.head_changed {
            if self.waiting.load(Ordering::SeqCst) == 0 {
                rollback_group(slot);
            }
            return;
        }
        if !self.keep_open(group) {
            flush(slot, self);
        }
    }

    /// Opens the writer connection with the pragmas of every connection of the store.
    fn connect(&self) -> Result<Connection> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if self.create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        for pragma in crate::db::SQLITE_PRAGMAS {
            // `journal_mode` returns a row; `execute_batch` steps every statement through.
            conn.execute_batch(pragma)?;
        }
        // The WAL is checkpointed by `checkpoints` on a reading connection, so that copying it
        // into the database and syncing the file is not done by a committing writer, whose
        // group waits meanwhile. This is the backstop should that not keep up.
        conn.execute_batch(WRITER_AUTOCHECKPOINT)?;
        Ok(conn)
    }
}

/// The longest a group stays open: [`GROUP_AGE_VAR`] when set to a whole number of
/// milliseconds (0 commits every transaction on its own), else [`MAX_GROUP_AGE`].
fn group_age() -> Duration {
    parse_group_age(std::env::var(GROUP_AGE_VAR).ok().as_deref())
}

fn parse_group_age(value: Option<&str>) -> Duration {
    let Some(v) = value else {
        return MAX_GROUP_AGE;
    };
    match v.trim().parse::<u64>() {
        Ok(ms) => Duration::from_millis(ms),
        Err(_) => {
            tracing::warn!(
                variable = GROUP_AGE_VAR,
                value = %v,
                "not a whole number of milliseconds; using the default"
            );
            MAX_GROUP_AGE
        }
    }
}

impl Slot {
    fn conn(&mut self) -> Result<&mut Connection> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError::Conflict("writer connection lost".into()))
    }

    /// Drops the writer connection (rolling back what it holds): the next writer opens a fresh
    /// one.
    fn discard_conn(&mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = conn.execute_batch("ROLLBACK");
            let _ = conn.close();
        }
    }
}

impl Group {
    /// Tells every member the group's outcome (`None`: committed).
    fn tell(self, error: Option<&str>) {
        for m in self.members {
            let _ = m.send(error.map_or(Ok(()), |e| Err(e.to_string())));
        }
    }
}

/// Runs one statement on the writer connection: its rows, and the rows it changed (meaningful
/// for `INSERT`, `UPDATE` and `DELETE`). `sql` is one statement whose parameters are written
/// `$1`…`$n`, bound to `args` in order.
pub(crate) fn run(conn: &Connection, sql: &str, args: Vec<Arg<'_>>) -> Result<(Rows, u64)> {
    let mut stmt = conn.prepare_cached(sql)?;
    let count = stmt.parameter_count();
    if count != args.len() {
        return Err(StoreError::Corrupt(format!(
            "statement takes {count} arguments, {} given: {sql}",
            args.len()
        )));
    }
    for i in 1..=count {
        // SQLite numbers parameters by first appearance; `$k` names the k-th argument.
        let k = stmt
            .parameter_name(i)
            .and_then(|n| n.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|k| (1..=count).contains(k))
            .ok_or_else(|| {
                StoreError::Corrupt(format!("parameter {i} is not one of $1…${count}: {sql}"))
            })?;
        match &args[k - 1] {
            Arg::Int(v) => stmt.raw_bind_parameter(i, v)?,
            Arg::Real(v) => stmt.raw_bind_parameter(i, v)?,
            Arg::Text(v) => stmt.raw_bind_parameter(i, v.as_deref())?,
            Arg::Blob(v) => stmt.raw_bind_parameter(i, v.as_deref())?,
        }
    }
    let columns = stmt.column_count();
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for c in 0..columns {
            values.push(row.get::<_, Value>(c)?);
        }
        out.push(values);
    }
    drop(rows);
    Ok((out, conn.changes()))
}

/// [`run`] for a statement without arguments whose rows are not needed.
fn exec(conn: &Connection, sql: &str) -> Result<()> {
    run(conn, sql, Vec::new()).map(|_| ())
}

fn open_savepoint(slot: &mut Slot, writer: &Writer) -> Result<Head> {
    settle(slot)?;
    if slot.conn.is_none() {
        slot.conn = Some(writer.connect()?);
    }
    let conn = slot.conn.as_ref().expect("writer connection just opened");
    slot.leader = slot.group.is_none();
    if slot.leader {
        exec(conn, "BEGIN IMMEDIATE")?;
        let (rows, _) = run(
            conn,
            "SELECT seq, hash FROM audit_head WHERE id = 1",
            Vec::new(),
        )?;
        let head: Head = match rows.first().map(Vec::as_slice) {
            Some([Value::Integer(seq), Value::Text(hash)]) => (*seq, hash.clone()),
            _ => return Err(StoreError::Corrupt("audit_head has no row 1".into())),
        };
        let generation = slot.next_generation;
        slot.next_generation += 1;
        slot.group = Some(Group {
            generation,
            head,
            head_changed: false,
            members: Vec::new(),
            opened: Instant::now(),
            search: Vec::new(),
        });
    } else {
        exec(conn, SAVEPOINT)?;
    }
    let head = slot.group.as_ref().expect("group open").head.clone();
    slot.savepoint = Some(head.clone());
    Ok(head)
}

/// Rolls back a savepoint that its transaction abandoned (dropped without commit or rollback).
fn settle(slot: &mut Slot) -> Result<()> {
    let Some(start) = slot.savepoint.take() else {
        return Ok(());
    };
    if slot.leader {
        // The group holds nothing else (its leader keeps the turn from opening it to its
        // end): roll it back whole.
        slot.group = None;
        return exec(slot.conn()?, "ROLLBACK");
    }
    let conn = slot.conn()?;
    exec(conn, ROLLBACK_TO)?;
    exec(conn, RELEASE)?;
    if let Some(g) = slot.group.as_mut() {
        g.head = start;
    }
    Ok(())
}

/// Commits the group (moving the audit head) and tells every member the outcome.
fn flush(slot: &mut Slot, writer: &Writer) {
    let Some(group) = slot.group.take() else {
        return;
    };
    let outcome = commit_group(slot, &group);
    if outcome.is_ok() {
        writer.groups.fetch_add(1, Ordering::Relaxed);
        writer
            .committed
            .fetch_add(group.members.len() as u64, Ordering::Relaxed);
    }
    let message = outcome.err().map(|e| e.to_string());
    if let Some(m) = &message {
        tracing::error!(error = %m, members = group.members.len(), "group commit failed");
        // Whatever the connection's state, start the next group on a fresh one.
        slot.discard_conn();
    }
    group.tell(message.as_deref());
}

/// The group's deferred search writes, the audit head and `COMMIT`.
fn commit_group(slot: &mut Slot, group: &Group) -> Result<()> {
    let conn = slot.conn()?;
    write_search(conn, &group.search)?;
    if group.head_changed {
        run(
            conn,
            "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
            vec![group.head.0.into(), group.head.1.as_str().into()],
        )?;
    }
    exec(conn, "COMMIT")
}

/// Applies the deferred search-index writes of a group: per case, a delete when the first write
/// of the group removes an earlier row, then its last tokens (unless it was only removed).
fn write_search(conn: &Connection, ops: &[SearchOp]) -> Result<()> {
    // id → (delete the row indexed before this group, tokens to insert)
    let mut end: std::collections::BTreeMap<i64, (bool, Option<&str>)> =
        std::collections::BTreeMap::new();
    for op in ops {
        match op {
            SearchOp::Delete(id) => {
                let e = end.entry(*id).or_insert((true, None));
                e.1 = None;
            }
            SearchOp::Insert(id, tokens) => {
                let e = end.entry(*id).or_insert((false, None));
                e.1 = Some(tokens);
            }
        }
    }
    for (id, (delete, _)) in &end {
        if *delete {
            run(
                conn,
                "DELETE FROM cases_search WHERE rowid = $1",
                vec![(*id).into()],
            )?;
        }
    }
    for (id, (_, tokens)) in &end {
        if let Some(tokens) = tokens {
            run(
                conn,
                "INSERT INTO cases_search (rowid, tokens) VALUES ($1, $2)",
                vec![(*id).into(), (*tokens).into()],
            )?;
        }
    }
    Ok(())
}

/// Rolls back a group that has no members (its only transaction rolled back).
fn rollback_group(slot: &mut Slot) {
    if slot.group.take().is_none() {
        return;
    }
    if let Some(conn) = slot.conn.as_ref()
        && let Err(e) = exec(conn, "ROLLBACK")
    {
        tracing::error!(error = %e, "rollback of the writer's group failed");
        slot.discard_conn();
    }
}

/// The writer broke (a statement of the writer's own failed): every member of the open group
/// gets the error, and the next writer starts on a fresh connection.
fn fail(slot: &mut Slot, message: &str) {
    slot.savepoint = None;
    if let Some(group) = slot.group.take() {
        group.tell(Some(message));
    }
    slot.discard_conn();
}

/// Checkpoints the WAL in the background while the writer lives: every [`CHECKPOINT_EVERY`] in
/// which a group committed, a `PASSIVE` checkpoint on a pooled connection copies the committed
/// pages into the database file and syncs it, without taking the write lock; once it has copied
/// everything, the next write transaction starts the WAL over. (Left to SQLite, the connection
/// that commits past 1 000 WAL pages checkpoints inside its commit, and every writer queued
/// behind it waits for the copy and the sync.)
pub(crate) async fn checkpoints(writer: std::sync::Weak<Writer>, pool: sqlx::AnyPool) {
    let mut done = 0;
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        let Some(w) = writer.upgrade() else { return };
        if pool.is_closed() {
            return;
        }
        let groups = w.groups.load(Ordering::Relaxed);
        drop(w);
        if groups == done {
            continue;
        }
        done = groups;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(error = %e, "background WAL checkpoint failed");
        }
    }
}

/// Counts a writer waiting for its turn for as long as it waits, also when the wait is dropped
/// (a cancelled request must not leave the count up: the group would be kept open for nobody).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Waiting<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A write transaction on SQLite: a savepoint of the writer's group, holding the turn.
pub(crate) struct WriterTx {
    /// `None` once ended.
    slot: Option<OwnedMutexGuard<Slot>>,
    writer: Arc<Writer>,
    /// This transaction's search-index writes, handed to the group when it commits.
    search: Vec<SearchOp>,
}

impl WriterTx {
    /// Runs one statement of this transaction (see [`run`]).
    pub(crate) fn run(&mut self, sql: &str, args: Vec<Arg<'_>>) -> Result<(Rows, u64)> {
        let slot = self.slot.as_mut().expect("live transaction");
        run(slot.conn()?, sql, args)
    }

    /// Runs a single-row `INSERT` of this transaction and returns the new row's rowid.
    pub(crate) fn insert_id(&mut self, sql: &str, args: Vec<Arg<'_>>) -> Result<i64> {
        let slot = self.slot.as_mut().expect("live transaction");
        let conn = slot.conn()?;
        let (_, inserted) = run(conn, sql, args)?;
        if inserted != 1 {
            return Err(StoreError::Corrupt(format!(
                "an insert of one row wrote {inserted}: {sql}"
            )));
        }
        Ok(conn.last_insert_rowid())
    }

    pub(crate) fn defer_search(&mut self, op: SearchOp) {
        self.search.push(op);
    }

    /// Releases the savepoint into the group (with the new audit head, when this transaction
    /// wrote audit entries) and waits for the group's commit.
    pub(crate) async fn commit(mut self, head: Option<Head>) -> Result<()> {
        let mut slot = self.slot.take().expect("live transaction");
        if !slot.leader
            && let Err(e) = slot.conn().and_then(|c| exec(c, RELEASE))
        {
            // The savepoint is still open: roll it back, the group goes on without it.
            if settle(&mut slot).is_err() {
                fail(&mut slot, &e.to_string());
            } else {
                self.writer.end_turn(&mut slot);
            }
            return Err(e);
        }
        slot.savepoint = None;
        let (tx, mut rx) = oneshot::channel();
        let generation = {
            let group = slot.group.as_mut().expect("a savepoint lives in a group");
            if let Some(h) = head {
                group.head = h;
                group.head_changed = true;
            }
            group.members.push(tx);
            group.search.append(&mut self.search);
            group.generation
        };
        if !self
            .writer
            .keep_open(slot.group.as_ref().expect("group open"))
        {
            flush(&mut slot, &self.writer);
        }
        drop(slot);
        let outcome = match rx.try_recv() {
            // Committed (or failed) by this writer's own flush: no wait.
            Ok(r) => Ok(r),
            Err(oneshot::error::TryRecvError::Closed) => Err(()),
            Err(oneshot::error::TryRecvError::Empty) => {
                // Left open for the writer queued next. Should nobody commit it (that writer
                // gave up or was cancelled), the group is committed after a while by a task of
                // its own, which also runs when this caller is dropped meanwhile.
                let writer = self.writer.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(MEMBER_FALLBACK, &mut rx).await {
                        Ok(r) => r,
                        Err(_) => {
                            let mut slot = writer.slot.lock().await;
                            if slot
                                .group
                                .as_ref()
                                .is_some_and(|g| g.generation == generation)
                                && settle(&mut slot).is_ok()
                            {
                                flush(&mut slot, &writer);
                            }
                            drop(slot);
                            rx.await
                        }
                    }
                })
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "writer task failed");
                })
                .and_then(|r| r.map_err(|_| ()))
            }
        };
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::Conflict(format!("group commit failed: {e}"))),
            Err(()) => Err(StoreError::Conflict(
                "group commit failed: the writer was reset".into(),
            )),
        }
    }

    /// Rolls back to the savepoint; the rest of the group is untouched.
    pub(crate) async fn rollback(mut self) -> Result<()> {
        let mut slot = self.slot.take().expect("live transaction");
        let settled = settle(&mut slot);
        match &settled {
            Ok(()) => self.writer.end_turn(&mut slot),
            Err(e) => fail(&mut slot, &e.to_string()),
        }
        settled
    }
}

impl Drop for WriterTx {
    /// A transaction dropped without commit or rollback (an early return with `?`, or a caller
    /// that went away): its savepoint is rolled back and the turn ended here and now.
    fn drop(&mut self) {
        let Some(mut slot) = self.slot.take() else {
            return;
        };
        match settle(&mut slot) {
            Ok(()) => self.writer.end_turn(&mut slot),
            Err(e) => fail(&mut slot, &e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_age_comes_from_the_environment_when_it_is_a_number() {
        assert_eq!(parse_group_age(None), MAX_GROUP_AGE);
        assert_eq!(parse_group_age(Some("5")), Duration::from_millis(5));
        assert_eq!(parse_group_age(Some(" 0 ")), Duration::ZERO);
        assert_eq!(parse_group_age(Some("5ms")), MAX_GROUP_AGE);
        assert_eq!(parse_group_age(Some("-1")), MAX_GROUP_AGE);
    }
}
