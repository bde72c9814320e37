//! Benchmark 1: bulk creation of hotline tickets through the service layer
//! (`App::create_cases_bulk`), against a plain sqlx insert of the same rows.
//!
//! Per run, two fresh SQLite files: `service.db` gets the demo organisation through the services
//! and then the tickets, batch by batch, through `create_cases_bulk` (validation, workflow plan,
//! clocks, case number, event, clocks rows, hash-chained audit entry — all in one transaction per
//! batch). `baseline.db` starts as a `VACUUM INTO` copy of `service.db` right after the
//! organisation was loaded; after each service batch, the rows that batch wrote to `cases`,
//! `case_events`, `case_clocks`, `audit_log` and (since migration 0002; days as integers since 0004, text slots as
//! codes of `fact_values` since 0009, new dictionary rows copied too) `case_facts` are read
//! back (untimed) — final values, so one insert per row — and inserted into
//! `baseline.db` on a plain `rusqlite` connection: one connection, prepared (cached) statements,
//! the same pragmas, the same batch size, one transaction per batch (timed). The two are
//! interleaved batch by batch so that noise from other tenants of the machine hits both alike.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};
use fazhi_app::FixedClock;
use fazhi_app::cases::CreateCase;
use jiff::civil::Date;
use serde_json::json;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};

use crate::common::{self, Budget, median};

#[derive(Debug, Clone, clap::Args)]
pub struct CreateArgs {
    /// Tickets to create per run.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Tickets per transaction (both sides).
    #[arg(long, default_value_t = 5_000)]
    pub batch: usize,
    /// Independent runs (fresh files each); figures are medians over runs.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    #[arg(long, default_value_t = common::DEFAULT_SEED)]
    pub seed: u64,
    /// Last day of the ticket window (one year).
    #[arg(long, default_value = common::DEFAULT_END)]
    pub end: Date,
    /// Directory for the database files (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep the service database of the last run at this path (input of `list --db`).
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// Skip the baseline (only build the service database).
    #[arg(long)]
    pub no_baseline: bool,
    /// Drop the triggers that keep `case_facts_rollup` (migration 0010) in the service file as
    /// well, so that the service writes what it wrote before 0010: run with and without to see
    /// what the rollup costs writers (the baseline never maintains it).
    #[arg(long)]
    pub no_rollup: bool,
    /// Verify both audit chains and compare row counts after the last run.
    #[arg(long)]
    pub verify: bool,
    /// Wall-clock budget per run in seconds; a run stops early (and says so) when exceeded.
    #[arg(long, default_value_t = 3_600)]
    pub max_seconds: u64,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// What one run measured.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunResult {
    pub rows: u64,
    pub complete: bool,
    pub generate_s: f64,
    pub service_s: f64,
    pub baseline_s: f64,
    pub service_rows_per_s: f64,
    pub baseline_rows_per_s: f64,
    pub ratio: f64,
    pub service_batch_ms_p50: f64,
    pub service_batch_ms_max: f64,
    pub baseline_batch_ms_p50: f64,
    /// Median over batches of (baseline batch time / service batch time): a throughput ratio
    /// that a burst of load from other tenants moves less than the totals.
    pub ratio_batch_median: f64,
    /// Process CPU (all threads, user + system) per row on each side, in microseconds.
    pub service_cpu_us_per_row: f64,
    pub baseline_cpu_us_per_row: f64,
    /// 1-minute load average at the start and at the end of the run.
    pub loadavg_start: f64,
    pub loadavg_end: f64,
    pub service_db_bytes: u64,
    pub baseline_db_bytes: u64,
    pub wall_s: f64,
}

/// Column layout of one copied table.
struct Table {
    name: &'static str,
    select: &'static str,
    insert: &'static str,
    /// Which columns are integers (the rest are text).
    ints: &'static [bool],
}

const CASES: Table = Table {
    name: "cases",
    select: "SELECT id, case_type, number, unit_id, unit_path, department_id, owner_id, state, title, category, \
             created_on, closed_on, due_on, due_level, published, fields, search_text, version, created_at, updated_at \
             FROM cases WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
    insert: "INSERT INTO cases (id, case_type, number, unit_id, unit_path, department_id, owner_id, state, title, \
             category, created_on, closed_on, due_on, due_level, published, fields, search_text, version, created_at, \
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    ints: &[
        true, false, false, true, false, true, true, false, false, false, false, false, false,
        true, true, false, false, true, true, true,
    ],
};

const EVENTS: Table = Table {
    name: "case_events",
    select: "SELECT id, case_id, seq, transition, from_state, to_state, on_date, at, actor_id, input \
             FROM case_events WHERE case_id BETWEEN ?1 AND ?2 ORDER BY id",
    insert: "INSERT INTO case_events (id, case_id, seq, transition, from_state, to_state, on_date, at, actor_id, input) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    ints: &[
        true, true, true, false, false, false, false, true, true, false,
    ],
};

const CLOCKS: Table = Table {
    name: "case_clocks",
    select: "SELECT case_id, code, label, basis, started_on, due_on, status, level, calendar_version, detail \
             FROM case_clocks WHERE case_id BETWEEN ?1 AND ?2 ORDER BY rowid",
    insert: "INSERT INTO case_clocks (case_id, code, label, basis, started_on, due_on, status, level, calendar_version, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    ints: &[
        true, false, false, false, false, false, false, false, false, false,
    ],
};

const AUDIT: Table = Table {
    name: "audit_log",
    select: "SELECT id, at, actor, action, entity, entity_id, before, after, prev_hash, hash \
             FROM audit_log WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
    insert: "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    ints: &[
        true, true, false, false, false, false, false, false, false, false,
    ],
};

/// The indicator facts row the store keeps with every case (migration 0002): the baseline writes
/// its final values with one insert.
const FACTS: Table = Table {
    name: "case_facts",
    select: "SELECT case_id, case_type, unit_path, created_day, closed_day, state, category, published, txt1, txt2, \
             txt3, txt4, num1, num2, ev1_day, ev2_day, ev3_day, ev4_day, clk1_status, clk1_due_day, clk2_status, \
             clk2_due_day FROM case_facts WHERE case_id BETWEEN ?1 AND ?2 ORDER BY case_id",
    insert: "INSERT INTO case_facts (case_id, case_type, unit_path, created_day, closed_day, state, category, \
             published, txt1, txt2, txt3, txt4, num1, num2, ev1_day, ev2_day, ev3_day, ev4_day, clk1_status, \
             clk1_due_day, clk2_status, clk2_due_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
             ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    // Days are integers since migration 0004, the text slots codes since 0009.
    ints: &[
        true, false, false, true, true, true, true, true, true, true, true, true, true, true, true,
        true, true, true, true, true, true, true,
    ],
};

/// The dictionary of the coded facts columns (migration 0009): the rows the service added since
/// the last batch (codes `?1..=?2`).
const FACT_VALUES: Table = Table {
    name: "fact_values",
    select: "SELECT code, value FROM fact_values WHERE code BETWEEN ?1 AND ?2 ORDER BY code",
    insert: "INSERT INTO fact_values (code, value) VALUES (?1, ?2)",
    ints: &[true, false],
};

enum Val {
    I(Option<i64>),
    T(Option<String>),
}

type Rows = Vec<Vec<Val>>;

fn decode(t: &Table, r: &SqliteRow) -> Result<Vec<Val>> {
    t.ints
        .iter()
        .enumerate()
        .map(|(i, int)| {
            Ok(if *int {
                Val::I(r.try_get(i)?)
            } else {
                Val::T(r.try_get(i)?)
            })
        })
        .collect()
}

/// Precomputed rows of one batch, as the service wrote them.
struct Batch {
    tables: Vec<(&'static Table, Rows)>,
    head: (i64, String),
    numbers: Vec<(String, i64)>,
}

/// The triggers that keep the month rollup of the facts (migration 0010). The baseline inserts
/// plain rows without them: like the search index, the rollup is derived data that the
/// service's writes maintain and plain inserts of the same rows would not.
const ROLLUP_TRIGGERS: [&str; 3] = [
    "case_facts_rollup_insert",
    "case_facts_rollup_update",
    "case_facts_rollup_delete",
];

/// The plain side: reads batches from the service file (sqlx, untimed), writes them to its own
/// file on a plain `rusqlite` connection in this thread (timed): no driver thread to hand each
/// statement to, which on some machines cost the sqlx-driven baseline three times the CPU per
/// row (docs/benchmarks.md).
struct Baseline {
    source: SqlitePool,
    conn: rusqlite::Connection,
    /// Whether the schema has `case_facts` (copied like the other case tables when it does).
    facts: bool,
    /// The largest `fact_values` code the baseline holds.
    codes_copied: std::sync::atomic::AtomicI64,
}

impl Baseline {
    async fn open(target: &Path, source: &Path) -> Result<Baseline> {
        let conn = rusqlite::Connection::open(target)?;
        conn.set_prepared_statement_cache_capacity(64);
        // The pragmas `fazhi_store::Db` sets on every connection.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
        )?;
        for t in ROLLUP_TRIGGERS {
            conn.execute_batch(&format!("DROP TRIGGER IF EXISTS {t}"))?;
        }
        // The dictionary rows the baseline holds (those of the copied organisation).
        let codes_copied: i64 =
            conn.query_row("SELECT COALESCE(MAX(code), 0) FROM fact_values", [], |r| {
                r.get(0)
            })?;
        let source = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                SqliteConnectOptions::from_str(&common::sqlite_url(source))?.read_only(true),
            )
            .await?;
        let facts = sqlx::query(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'case_facts'",
        )
        .fetch_one(&source)
        .await?
        .try_get::<i64, _>(0)?
            > 0;
        Ok(Baseline {
            source,
            conn,
            facts,
            codes_copied: std::sync::atomic::AtomicI64::new(codes_copied),
        })
    }

    /// Reads what the service wrote for cases `lo..=hi` and audit entries `alo..=ahi` (untimed).
    async fn read(&self, lo: i64, hi: i64, alo: i64, ahi: i64) -> Result<Batch> {
        let mut tables = Vec::new();
        let mut which = vec![
            (&CASES, lo, hi),
            (&EVENTS, lo, hi),
            (&CLOCKS, lo, hi),
            (&AUDIT, alo, ahi),
        ];
        if self.facts {
            which.push((&FACTS, lo, hi));
            let after = self.codes_copied.load(std::sync::atomic::Ordering::Relaxed);
            which.push((&FACT_VALUES, after + 1, i64::MAX));
        }
        for (t, a, b) in which {
            let rows = sqlx::query(t.select)
                .bind(a)
                .bind(b)
                .fetch_all(&self.source)
                .await?
                .iter()
                .map(|r| decode(t, r))
                .collect::<Result<Rows>>()?;
            if t.name == FACT_VALUES.name
                && let Some(Val::I(Some(code))) = rows.last().and_then(|r| r.first())
            {
                self.codes_copied
                    .store(*code, std::sync::atomic::Ordering::Relaxed);
            }
            tables.push((t, rows));
        }
        let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.source)
            .await?;
        let head = (r.try_get(0)?, r.try_get(1)?);
        let numbers = sqlx::query("SELECT prefix, next FROM case_numbers ORDER BY prefix")
            .fetch_all(&self.source)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Batch {
            tables,
            head,
            numbers,
        })
    }

    /// Inserts one batch in one transaction; returns the time it took (timed part).
    fn write(&mut self, batch: Batch) -> Result<Duration> {
        let t0 = Instant::now();
        let tx = self.conn.transaction()?;
        for (t, rows) in batch.tables {
            let mut st = tx.prepare_cached(t.insert)?;
            for row in rows {
                let values = row.iter().map(|v| match v {
                    Val::I(i) => rusqlite::types::Value::from(*i),
                    Val::T(s) => rusqlite::types::Value::from(s.clone()),
                });
                st.execute(rusqlite::params_from_iter(values))
                    .with_context(|| format!("baseline insert into {}", t.name))?;
            }
        }
        tx.execute(
            "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1",
            rusqlite::params![batch.head.0, batch.head.1],
        )?;
        for (prefix, next) in batch.numbers {
            tx.execute(
                "INSERT INTO case_numbers (prefix, next) VALUES (?1, ?2) \
                 ON CONFLICT (prefix) DO UPDATE SET next = excluded.next",
                rusqlite::params![prefix, next],
            )?;
        }
        tx.commit()?;
        Ok(t0.elapsed())
    }

    async fn close(self) -> Result<()> {
        self.conn.close().map_err(|(_, e)| e)?;
        self.source.close().await;
        Ok(())
    }
}

async fn audit_seq(db: &fazhi_store::Db) -> Result<i64> {
    let r = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    Ok(r.try_get(0)?)
}

async fn count(db: &fazhi_store::Db, table: &str) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_one(db.pool())
        .await?;
    Ok(r.try_get(0)?)
}

/// Generates and creates `rows` tickets into a fresh service database at `path` (and, unless
/// `baseline` is `None`, copies each batch into the baseline file). Used by `create` and by
/// `list` when it has to build its database.
pub async fn run_once(
    args: &CreateArgs,
    dir: &Path,
    with_baseline: bool,
    last: bool,
) -> Result<(RunResult, PathBuf)> {
    let wall = Instant::now();
    let loadavg_start = common::loadavg();
    let budget = Budget::new(Duration::from_secs(args.max_seconds));
    let a_path = dir.join("service.db");
    let b_path = dir.join("baseline.db");
    common::remove_sqlite(&a_path);
    common::remove_sqlite(&b_path);
    let start = common::window_start(args.end);
    let clock = Arc::new(FixedClock::at(start));
    let db = common::open_store(&a_path, true).await?;
    if args.no_rollup {
        for t in ROLLUP_TRIGGERS {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER IF EXISTS {t}")))
                .execute(db.pool())
                .await?;
        }
    }
    let app = common::app_over(db, clock.clone());
    common::load_org(&app, &common::demo_org(args.seed, args.end)).await?;
    let handler = common::actor(&app, "handler").await?;
    let mut baseline = if with_baseline {
        app.db
            .backup_sqlite(&b_path)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Some(Baseline::open(&b_path, &a_path).await?)
    } else {
        None
    };

    let mut tickets = fazhi_demo::generate_tickets(args.seed, args.rows, start, args.end);
    let mut res = RunResult::default();
    let (mut gen_t, mut svc_t, mut base_t) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut svc_cpu, mut base_cpu) = (0.0, 0.0);
    let mut svc_batches = Vec::new();
    let mut base_batches = Vec::new();
    let mut audit_before = audit_seq(&app.db).await?;
    let mut last_report = Instant::now();
    let mut reqs: Vec<CreateCase> = Vec::with_capacity(args.batch);
    loop {
        if budget.exhausted() {
            eprintln!(
                "  time budget of {} s exhausted after {} rows",
                args.max_seconds, res.rows
            );
            break;
        }
        let g0 = Instant::now();
        reqs.clear();
        let mut last_day = None;
        for t in tickets.by_ref().take(args.batch) {
            last_day = Some(t.created_on);
            reqs.push(common::create_request(&t, true));
        }
        gen_t += g0.elapsed();
        let Some(day) = last_day else { break };
        // "Today" is the day of the batch's last ticket: every `on` is on or before it.
        clock.set(day);
        let c0 = common::cpu_seconds().0;
        let s0 = Instant::now();
        let outs = app
            .create_cases_bulk(&handler, &reqs)
            .await
            .map_err(|(i, e)| anyhow!("ticket {} of batch: {}", i, common::app_err(e)))?;
        let d = s0.elapsed();
        svc_cpu += common::cpu_seconds().0 - c0;
        svc_t += d;
        svc_batches.push(common::ms(d));
        res.rows += outs.len() as u64;
        if let Some(b) = baseline.as_mut() {
            let lo = outs.first().map(|o| o.case_id.0).unwrap_or(0);
            let hi = outs.last().map(|o| o.case_id.0).unwrap_or(0);
            ensure!(
                hi - lo + 1 == outs.len() as i64,
                "case ids of a batch are not contiguous"
            );
            let audit_after = audit_seq(&app.db).await?;
            let batch = b.read(lo, hi, audit_before + 1, audit_after).await?;
            audit_before = audit_after;
            let c0 = common::cpu_seconds().0;
            let d = b.write(batch)?;
            base_cpu += common::cpu_seconds().0 - c0;
            base_t += d;
            base_batches.push(common::ms(d));
        }
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            eprintln!(
                "  {} rows, service {:.0} rows/s{}",
                res.rows,
                res.rows as f64 / svc_t.as_secs_f64(),
                if with_baseline {
                    format!(
                        ", baseline {:.0} rows/s",
                        res.rows as f64 / base_t.as_secs_f64()
                    )
                } else {
                    String::new()
                }
            );
        }
    }
    res.complete = res.rows == args.rows;
    res.generate_s = gen_t.as_secs_f64();
    res.service_s = svc_t.as_secs_f64();
    res.baseline_s = base_t.as_secs_f64();
    res.service_rows_per_s = res.rows as f64 / res.service_s;
    res.service_batch_ms_p50 = median(&svc_batches);
    res.service_cpu_us_per_row = svc_cpu * 1e6 / res.rows.max(1) as f64;
    res.loadavg_start = loadavg_start;
    res.loadavg_end = common::loadavg();
    res.service_batch_ms_max = svc_batches.iter().copied().fold(0.0, f64::max);
    if let Some(b) = baseline {
        res.baseline_rows_per_s = res.rows as f64 / res.baseline_s;
        res.ratio = res.service_rows_per_s / res.baseline_rows_per_s;
        res.baseline_batch_ms_p50 = median(&base_batches);
        res.ratio_batch_median = median(
            &base_batches
                .iter()
                .zip(&svc_batches)
                .map(|(b, s)| b / s)
                .collect::<Vec<_>>(),
        );
        res.baseline_cpu_us_per_row = base_cpu * 1e6 / res.rows as f64;
        b.close().await?;
    }
    if last && args.verify {
        verify(&app.db, with_baseline.then_some(b_path.as_path())).await?;
    }
    app.db.close().await;
    res.service_db_bytes = common::sqlite_size(&a_path);
    res.baseline_db_bytes = common::sqlite_size(&b_path);
    res.wall_s = wall.elapsed().as_secs_f64();
    Ok((res, a_path))
}

/// Both audit chains verify and both files hold the same number of rows.
async fn verify(service: &fazhi_store::Db, baseline: Option<&Path>) -> Result<()> {
    let t0 = Instant::now();
    let n = fazhi_store::verify_chain(service)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .map_err(|p| anyhow!("service audit chain broken at {}: {}", p.id, p.reason))?;
    eprintln!(
        "  service audit chain verified: {n} entries ({:.1} s)",
        t0.elapsed().as_secs_f64()
    );
    if let Some(path) = baseline {
        let b = common::open_store(path, false).await?;
        let m = fazhi_store::verify_chain(&b)
            .await
            .map_err(|e| anyhow!("{e}"))?
            .map_err(|p| anyhow!("baseline audit chain broken at {}: {}", p.id, p.reason))?;
        ensure!(m == n, "audit entries differ: service {n}, baseline {m}");
        for t in [
            "cases",
            "case_events",
            "case_clocks",
            "audit_log",
            "case_facts",
        ] {
            let (x, y) = (count(service, t).await?, count(&b, t).await?);
            ensure!(x == y, "{t}: service {x} rows, baseline {y}");
        }
        b.close().await;
        eprintln!("  baseline holds the same rows; its audit chain verifies too");
    }
    Ok(())
}

pub async fn run(args: CreateArgs) -> Result<()> {
    ensure!(
        args.rows > 0 && args.batch > 0 && args.runs > 0,
        "rows, batch and runs must be > 0"
    );
    let parent = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent)?;
    let mut results = Vec::new();
    for r in 0..args.runs {
        let dir = tempfile::Builder::new()
            .prefix("fazhi-bench-create-")
            .tempdir_in(&parent)?;
        eprintln!(
            "create run {}/{}: {} tickets, batches of {}, in {}{}",
            r + 1,
            args.runs,
            args.rows,
            args.batch,
            dir.path().display(),
            if args.no_rollup {
                " (service without the rollup triggers)"
            } else {
                ""
            }
        );
        let last = r + 1 == args.runs;
        let (res, a_path) = run_once(&args, dir.path(), !args.no_baseline, last).await?;
        eprintln!(
            "  service {:.0} rows/s ({:.1} s), baseline {:.0} rows/s ({:.1} s), ratio {:.3} (per-batch median {:.3}); CPU µs/row {:.0} / {:.0}; load {:.1}→{:.1}; generation {:.1} s; files {:.2} / {:.2} GB",
            res.service_rows_per_s,
            res.service_s,
            res.baseline_rows_per_s,
            res.baseline_s,
            res.ratio,
            res.ratio_batch_median,
            res.service_cpu_us_per_row,
            res.baseline_cpu_us_per_row,
            res.loadavg_start,
            res.loadavg_end,
            res.generate_s,
            res.service_db_bytes as f64 / 1e9,
            res.baseline_db_bytes as f64 / 1e9
        );
        if let Some(keep) = args.keep.as_ref().filter(|_| last) {
            keep_file(&a_path, keep)?;
        }
        results.push(res);
    }
    let svc = median(
        &results
            .iter()
            .map(|r| r.service_rows_per_s)
            .collect::<Vec<_>>(),
    );
    let base = median(
        &results
            .iter()
            .map(|r| r.baseline_rows_per_s)
            .collect::<Vec<_>>(),
    );
    let ratio = median(&results.iter().map(|r| r.ratio).collect::<Vec<_>>());
    let ratio_b = median(
        &results
            .iter()
            .map(|r| r.ratio_batch_median)
            .collect::<Vec<_>>(),
    );
    let cpu_s = median(
        &results
            .iter()
            .map(|r| r.service_cpu_us_per_row)
            .collect::<Vec<_>>(),
    );
    let cpu_b = median(
        &results
            .iter()
            .map(|r| r.baseline_cpu_us_per_row)
            .collect::<Vec<_>>(),
    );
    println!();
    println!(
        "## create: {} tickets × {} runs, batch {}",
        args.rows, args.runs, args.batch
    );
    println!(
        "| run | rows | service rows/s | baseline rows/s | ratio | per-batch median ratio | CPU µs/row service / baseline | batch p50 ms service / baseline | load avg |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (i, r) in results.iter().enumerate() {
        println!(
            "| {} | {}{} | {:.0} | {:.0} | {:.3} | {:.3} | {:.0} / {:.0} | {:.0} / {:.0} | {:.1}→{:.1} |",
            i + 1,
            r.rows,
            if r.complete {
                ""
            } else {
                " (stopped by budget)"
            },
            r.service_rows_per_s,
            r.baseline_rows_per_s,
            r.ratio,
            r.ratio_batch_median,
            r.service_cpu_us_per_row,
            r.baseline_cpu_us_per_row,
            r.service_batch_ms_p50,
            r.baseline_batch_ms_p50,
            r.loadavg_start,
            r.loadavg_end
        );
    }
    if !args.no_baseline {
        println!(
            "| **median** | | **{svc:.0}** | **{base:.0}** | **{ratio:.3}** (target ≥ 0.5: {}) | {ratio_b:.3} | {cpu_s:.0} / {cpu_b:.0} | | |",
            common::mark(ratio >= 0.5)
        );
    }
    common::write_json(
        args.out.as_deref(),
        &json!({
            "benchmark": "create",
            "rows": args.rows,
            "batch": args.batch,
            "runs": results,
            "median_service_rows_per_s": svc,
            "median_baseline_rows_per_s": base,
            "median_ratio": ratio,
            "median_ratio_batch_median": ratio_b,
            "median_service_cpu_us_per_row": cpu_s,
            "median_baseline_cpu_us_per_row": cpu_b,
            "target_ratio": 0.5,
        }),
    )
}

pub(crate) fn keep_file(from: &Path, to: &Path) -> Result<()> {
    common::remove_sqlite(to);
    if let Some(p) = to.parent() {
        std::fs::create_dir_all(p)?;
    }
    if std::fs::rename(from, to).is_err() {
        std::fs::copy(from, to)
            .with_context(|| format!("cannot keep {} as {}", from.display(), to.display()))?;
    }
    for s in ["-wal", "-shm"] {
        let f = common::with_suffix(from, s);
        if f.exists() {
            let _ = std::fs::rename(&f, common::with_suffix(to, s));
        }
    }
    eprintln!("  service database kept at {}", to.display());
    Ok(())
}
