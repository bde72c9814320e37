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

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use sqlx::any::{AnyConnectOptions, AnyRow};
use sqlx::{AnyConnection, Connection, Either, Executor, Row};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::db::{Arg, append_statement, bind_args};
use crate::{Result, StoreError};

/// How long a write transaction waits for its turn before giving up (as `busy_timeout`).
const WRITER_WAIT: Duration = Duration::from_secs(10);
/// A group commits once it has this many members …
const MAX_MEMBERS: usize = 256;
/// … or has been open this long, even while writers are queued.
const MAX_GROUP_AGE: Duration = Duration::from_millis(20);
/// A member that left its group open for the next writer commits the group itself when it has
/// not been committed after this long (the next writer gave up waiting, or was cancelled).
const MEMBER_FALLBACK: Duration = Duration::from_millis(200);

const SAVEPOINT: &str = "SAVEPOINT fazhi_tx";
const RELEASE: &str = "RELEASE fazhi_tx";
const ROLLBACK_TO_AND_RELEASE: &str = "ROLLBACK TO fazhi_tx;\nRELEASE fazhi_tx";
/// WAL pages after which the writer itself checkpoints (SQLite's default is 1 000; see
/// [`checkpoints`]).
const WRITER_AUTOCHECKPOINT: &str = "PRAGMA wal_autocheckpoint = 20000";
/// How often [`checkpoints`] looks for committed groups to checkpoint.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// Queued statements are sent once this many arguments or this much SQL has accumulated.
const QUEUE_ARGS: usize = 512;
const QUEUE_SQL: usize = 32 * 1024;

type Head = (i64, String);
type MemberResult = std::result::Result<(), String>;

/// The writer of one SQLite database (shared by the clones of a `Db`).
pub(crate) struct Writer {
    slot: Arc<Mutex<Slot>>,
    /// Writers waiting for their turn in [`Writer::begin`].
    waiting: AtomicUsize,
    options: AnyConnectOptions,
    /// Transactions committed into a group, and groups committed (for the benchmarks and tests:
    /// their ratio is the mean group size).
    committed: AtomicU64,
    groups: AtomicU64,
}

/// What the turn guards.
pub(crate) struct Slot {
    conn: Option<AnyConnection>,
    group: Option<Group>,
    /// The head at the current transaction's start, while one is open (restored when it is
    /// abandoned).
    savepoint: Option<Head>,
    /// The open transaction's `SAVEPOINT` has been sent (it is queued with the transaction's
    /// first statements, see [`WriterTx::queue`]), so abandoning it must roll back to it.
    savepoint_sent: bool,
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
    pub(crate) fn new(options: AnyConnectOptions) -> Writer {
        Writer {
            slot: Arc::new(Mutex::new(Slot {
                conn: None,
                group: None,
                savepoint: None,
                savepoint_sent: false,
                leader: false,
                next_generation: 1,
            })),
            waiting: AtomicUsize::new(0),
            options,
            committed: AtomicU64::new(0),
            groups: AtomicU64::new(0),
        }
    }

    /// Takes the turn and opens a savepoint in the group transaction (opening the group when
    /// there is none). Returns the transaction and the audit head to chain on.
    ///
    /// A caller may be cancelled at any await (a client that goes away drops its request), so
    /// whatever changes the connection's state runs on a task of its own: a dropped caller must
    /// not leave the connection inside a transaction the slot does not know of.
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<(WriterTx, Head)> {
        let turn = {
            let _waiting = Waiting::new(&self.waiting);
            tokio::time::timeout(WRITER_WAIT, self.slot.clone().lock_owned()).await
        };
        let slot = turn.map_err(|_| {
            StoreError::Conflict(format!(
                "database busy: no write turn within {} s",
                WRITER_WAIT.as_secs()
            ))
        })?;
        let (slot, head) =
            if slot.savepoint.is_none() && slot.conn.is_some() && slot.group.is_some() {
                // Joining an open group sends nothing (the SAVEPOINT is queued): nothing
                // to protect, and no task hop between one writer's turn and the next.
                let mut slot = slot;
                let head = open_savepoint(&mut slot, &self.options).await?;
                (slot, head)
            } else {
                let writer = self.clone();
                // Should the caller go away after this, the slot it drops holds an open
                // group or savepoint that the next writer settles.
                spawn(async move {
                    let mut slot = slot;
                    match open_savepoint(&mut slot, &writer.options).await {
                        Ok(head) => Ok((slot, head)),
                        Err(e) => {
                            fail(&mut slot, &e.to_string()).await;
                            Err(e)
                        }
                    }
                })
                .await?
            };
        // A member's SAVEPOINT goes with its first statements (one call to the connection's
        // thread instead of two).
        let savepoint_queued = !slot.leader;
        let mut batch = Batch::default();
        if savepoint_queued {
            batch.push(SAVEPOINT, Vec::new());
        }
        Ok((
            WriterTx {
                slot: Some(slot),
                writer: self.clone(),
                search: Vec::new(),
                batch,
                savepoint_queued,
            },
            head,
        ))
    }

    /// Commits an open group (nothing is left open when the last writer of a burst ends; this
    /// is for shutdown) and closes the writer connection.
    pub(crate) async fn close(&self) {
        let mut slot = self.slot.lock().await;
        if settle(&mut slot).await.is_ok() {
            flush(&mut slot, self).await;
        }
        if let Some(conn) = slot.conn.take() {
            let _ = conn.close().await;
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
            && group.opened.elapsed() < MAX_GROUP_AGE
    }

    /// Ends the turn of a writer whose savepoint is settled: commits the group unless the next
    /// writer continues it; a group without members is rolled back.
    async fn end_turn(&self, slot: &mut Slot) {
        let Some(group) = &slot.group else { return };
        if group.members.is_empty() && !group.head_changed {
            if self.waiting.load(Ordering::SeqCst) == 0 {
                rollback_group(slot).await;
            }
            return;
        }
        if !self.keep_open(group) {
            flush(slot, self).await;
        }
    }
}

impl Slot {
    fn conn(&mut self) -> Result<&mut AnyConnection> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError::Conflict("writer connection lost".into()))
    }

    /// Drops the writer connection (rolling back what it holds): the next writer opens a fresh
    /// one.
    async fn discard_conn(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
            let _ = conn.close().await;
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

async fn open_savepoint(slot: &mut Slot, options: &AnyConnectOptions) -> Result<Head> {
    settle(slot).await?;
    if slot.conn.is_none() {
        let mut conn = AnyConnection::connect_with(options).await?;
        crate::db::sqlite_pragmas(&mut conn).await?;
        // The WAL is checkpointed by `checkpoints` on a reading connection, so that copying it
        // into the database and syncing the file is not done by a committing writer, whose
        // group waits meanwhile. This is the backstop should that not keep up.
        sqlx::query(WRITER_AUTOCHECKPOINT)
            .execute(&mut conn)
            .await?;
        slot.conn = Some(conn);
    }
    let conn = slot.conn.as_mut().expect("writer connection just opened");
    slot.leader = slot.group.is_none();
    slot.savepoint_sent = false;
    if slot.leader {
        // One call for both (sqlx's `Any` `fetch_one` would stop at the BEGIN's result).
        let rows = sqlx::query("BEGIN IMMEDIATE;\nSELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_all(&mut *conn)
            .await?;
        let row = rows.first().ok_or(sqlx::Error::RowNotFound)?;
        let head: Head = (row.try_get(0)?, row.try_get(1)?);
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
    }
    let head = slot.group.as_ref().expect("group open").head.clone();
    slot.savepoint = Some(head.clone());
    Ok(head)
}

/// Rolls back a savepoint that its transaction abandoned (dropped without commit or rollback).
async fn settle(slot: &mut Slot) -> Result<()> {
    let Some(start) = slot.savepoint.take() else {
        return Ok(());
    };
    if slot.leader {
        // The group holds nothing else (its leader keeps the turn from opening it to its
        // end): roll it back whole.
        slot.group = None;
        sqlx::query("ROLLBACK").execute(slot.conn()?).await?;
        return Ok(());
    }
    if std::mem::take(&mut slot.savepoint_sent) {
        sqlx::query(ROLLBACK_TO_AND_RELEASE)
            .execute(slot.conn()?)
            .await?;
    }
    if let Some(g) = slot.group.as_mut() {
        g.head = start;
    }
    Ok(())
}

/// Commits the group (moving the audit head) and tells every member the outcome.
async fn flush(slot: &mut Slot, writer: &Writer) {
    let Some(group) = slot.group.take() else {
        return;
    };
    let outcome = commit_group(slot, &group).await;
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
        slot.discard_conn().await;
    }
    group.tell(message.as_deref());
}

/// Commits the group in one call to the connection's thread where it can: the deferred search
/// writes, the audit head and `COMMIT` as one batch (a batch is sent early once it holds
/// [`BATCH_ARGS`] arguments, for a group holding a large bulk write).
async fn commit_group(slot: &mut Slot, group: &Group) -> Result<()> {
    let conn = slot.conn()?;
    let mut batch = Batch::default();
    for (sql, args) in search_statements(&group.search) {
        batch.push(&sql, args);
        if batch.args.len() >= BATCH_ARGS {
            batch.send(conn).await?;
        }
    }
    if group.head_changed {
        batch.push(
            "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
            vec![group.head.0.into(), group.head.1.as_str().into()],
        );
    }
    batch.push("COMMIT", Vec::new());
    batch.send(conn).await
}

/// Arguments after which [`commit_group`] sends what it has batched (SQLite numbers the
/// parameters of a batch across it, up to 32 766).
const BATCH_ARGS: usize = 4096;

/// Statements sent together in one query (see `append_statement`).
#[derive(Default)]
struct Batch {
    sql: String,
    args: Vec<Arg>,
}

impl Batch {
    fn push(&mut self, sql: &str, args: Vec<Arg>) {
        append_statement(&mut self.sql, sql, self.args.len());
        self.args.extend(args);
    }

    async fn send(&mut self, conn: &mut AnyConnection) -> Result<()> {
        if self.sql.is_empty() {
            return Ok(());
        }
        let sql = std::mem::take(&mut self.sql);
        bind_args(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            std::mem::take(&mut self.args),
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Rows per statement of the deferred search writes.
const SEARCH_CHUNK: usize = 200;

/// The statements of the deferred search-index writes of a group: per case, a delete when the
/// first write of the group removes an earlier row, then its last tokens (unless it was only
/// removed).
fn search_statements(ops: &[SearchOp]) -> Vec<(String, Vec<Arg>)> {
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
    let mut out = Vec::new();
    let deletes: Vec<i64> = end.iter().filter(|(_, e)| e.0).map(|(id, _)| *id).collect();
    for chunk in deletes.chunks(SEARCH_CHUNK) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        out.push((
            format!(
                "DELETE FROM cases_search WHERE rowid IN ({})",
                marks.join(", ")
            ),
            chunk.iter().map(|id| Arg::from(*id)).collect(),
        ));
    }
    let inserts: Vec<(i64, &str)> = end
        .iter()
        .filter_map(|(id, e)| e.1.map(|t| (*id, t)))
        .collect();
    for chunk in inserts.chunks(SEARCH_CHUNK) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        out.push((
            format!(
                "INSERT INTO cases_search (rowid, tokens) VALUES {}",
                rows.join(", ")
            ),
            chunk
                .iter()
                .flat_map(|(id, tokens)| [Arg::from(*id), Arg::from(*tokens)])
                .collect(),
        ));
    }
    out
}

/// Rolls back a group that has no members (its only transaction rolled back).
async fn rollback_group(slot: &mut Slot) {
    if slot.group.take().is_none() {
        return;
    }
    if let Some(conn) = slot.conn.as_mut()
        && let Err(e) = sqlx::query("ROLLBACK").execute(&mut *conn).await
    {
        tracing::error!(error = %e, "rollback of the writer's group failed");
        slot.conn = None;
    }
}

/// The writer broke (a statement of the writer's own failed): every member of the open group
/// gets the error, and the next writer starts on a fresh connection.
async fn fail(slot: &mut Slot, message: &str) {
    slot.savepoint = None;
    slot.savepoint_sent = false;
    if let Some(group) = slot.group.take() {
        group.tell(Some(message));
    }
    slot.discard_conn().await;
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

/// Runs a step of the writer on a task of its own, so that it completes even when its caller is
/// dropped (see [`Writer::begin`]).
async fn spawn<T: Send + 'static>(
    step: impl std::future::Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    tokio::spawn(step)
        .await
        .map_err(|e| StoreError::Conflict(format!("writer task failed: {e}")))?
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
    /// Statements queued by [`WriterTx::queue`].
    batch: Batch,
    /// `batch` starts with this member's `SAVEPOINT`, not sent yet.
    savepoint_queued: bool,
}

impl WriterTx {
    /// The connection, after the queued statements have been sent.
    pub(crate) async fn conn(&mut self) -> Result<&mut AnyConnection> {
        self.send().await?;
        self.slot.as_mut().expect("live transaction").conn()
    }

    /// Queues a statement whose result is not needed (see `Tx::queue`).
    pub(crate) async fn queue(&mut self, sql: &str, args: Vec<Arg>) -> Result<()> {
        self.batch.push(sql, args);
        if self.batch.args.len() >= QUEUE_ARGS || self.batch.sql.len() >= QUEUE_SQL {
            self.send().await?;
        }
        Ok(())
    }

    /// Sends the queued statements in one call.
    async fn send(&mut self) -> Result<()> {
        if self.batch.sql.is_empty() {
            return Ok(());
        }
        let mut batch = self.take_batch();
        batch
            .send(self.slot.as_mut().expect("live transaction").conn()?)
            .await
    }

    /// Takes the queued statements to send them.
    fn take_batch(&mut self) -> Batch {
        if std::mem::take(&mut self.savepoint_queued) {
            // From here on an abandoned transaction rolls back to it (should the SAVEPOINT
            // itself fail, that rollback fails too and the writer starts afresh).
            self.slot.as_mut().expect("live transaction").savepoint_sent = true;
        }
        std::mem::take(&mut self.batch)
    }

    /// Runs one statement after the queued ones, in the same call: its rows, and the rows it
    /// affected (each statement of a batch ends with its own count; this one's is the last).
    pub(crate) async fn run(&mut self, sql: &str, args: Vec<Arg>) -> Result<(Vec<AnyRow>, u64)> {
        self.batch.push(sql, args);
        let Batch { sql, args } = self.take_batch();
        let conn = self.slot.as_mut().expect("live transaction").conn()?;
        // A batch of statements in one query: sqlx's SQLite driver runs them in turn and binds
        // `$N` to the N-th argument of the whole batch (see `append_statement`).
        let mut results = conn.fetch_many(bind_args(sqlx::query(sqlx::AssertSqlSafe(sql)), args));
        let (mut rows, mut affected) = (Vec::new(), 0);
        while let Some(item) = results.try_next().await? {
            match item {
                Either::Left(done) => affected = done.rows_affected(),
                Either::Right(row) => rows.push(row),
            }
        }
        Ok((rows, affected))
    }

    pub(crate) fn defer_search(&mut self, op: SearchOp) {
        self.search.push(op);
    }

    /// Releases the savepoint into the group (with the new audit head, when this transaction
    /// wrote audit entries) and waits for the group's commit. Runs on a task of its own (see
    /// [`Writer::begin`]): a caller dropped half-way must not interrupt a group's `COMMIT`,
    /// which other members wait for.
    pub(crate) async fn commit(self, head: Option<Head>) -> Result<()> {
        spawn(self.finish(head)).await
    }

    async fn finish(mut self, head: Option<Head>) -> Result<()> {
        let nothing_sent =
            self.savepoint_queued && self.batch.args.is_empty() && self.batch.sql == SAVEPOINT;
        if nothing_sent {
            // A member that wrote nothing: no savepoint to release.
            self.batch = Batch::default();
            self.savepoint_queued = false;
        } else if !self.slot.as_ref().expect("live transaction").leader {
            self.batch.push(RELEASE, Vec::new());
        }
        let released = self.send().await;
        let mut slot = self.slot.take().expect("live transaction");
        if let Err(e) = released {
            // The savepoint is still open: roll it back, the group goes on without it.
            if settle(&mut slot).await.is_err() {
                fail(&mut slot, &e.to_string()).await;
            } else {
                self.writer.end_turn(&mut slot).await;
            }
            return Err(e);
        }
        slot.savepoint = None;
        slot.savepoint_sent = false;
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
        if self
            .writer
            .keep_open(slot.group.as_ref().expect("group open"))
        {
            drop(slot);
        } else {
            flush(&mut slot, &self.writer).await;
            drop(slot);
        }
        let outcome = match tokio::time::timeout(MEMBER_FALLBACK, &mut rx).await {
            Ok(r) => r,
            Err(_) => {
                // Nobody committed the group this transaction left open: commit it now.
                let mut slot = self.writer.slot.lock().await;
                if slot
                    .group
                    .as_ref()
                    .is_some_and(|g| g.generation == generation)
                    && settle(&mut slot).await.is_ok()
                {
                    flush(&mut slot, &self.writer).await;
                }
                drop(slot);
                rx.await
            }
        };
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::Conflict(format!("group commit failed: {e}"))),
            Err(_) => Err(StoreError::Conflict(
                "group commit failed: the writer was reset".into(),
            )),
        }
    }

    /// Rolls back to the savepoint; the rest of the group is untouched.
    pub(crate) async fn rollback(mut self) -> Result<()> {
        let mut slot = self.slot.take().expect("live transaction");
        let writer = self.writer.clone();
        spawn(async move {
            let settled = settle(&mut slot).await;
            match &settled {
                Ok(()) => writer.end_turn(&mut slot).await,
                Err(e) => fail(&mut slot, &e.to_string()).await,
            }
            settled
        })
        .await
    }
}

impl Drop for WriterTx {
    /// A transaction dropped without commit or rollback (an early return with `?`): its savepoint
    /// is rolled back and the turn ended on a task; without a runtime, the next writer settles it.
    fn drop(&mut self) {
        let Some(mut slot) = self.slot.take() else {
            return;
        };
        let writer = self.writer.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                match settle(&mut slot).await {
                    Ok(()) => writer.end_turn(&mut slot).await,
                    Err(e) => fail(&mut slot, &e.to_string()).await,
                }
            });
        }
    }
}
