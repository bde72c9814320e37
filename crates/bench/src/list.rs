//! Benchmark 3: `App::list_cases` (the list page's query: one page of 30 plus the count capped at
//! 10,000) over a large database, for a mix of realistic filters and scopes, against a bare
//! `SELECT … WHERE id >= ? ORDER BY id LIMIT 30` on the same file through the native sqlx driver.
//! The two are interleaved query by query.
//!
//! The database is the service database of `create` (`create --keep PATH`), or is built here the
//! same way. So that states are not all `received`, every `--replay-every`-th ticket then has
//! the rest of its generated script (dispatch, accept, reply, revisit, …) applied through
//! `App::transition`, dated as the script says; the run records how many.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};
use fazhi_app::cases::TakeTransition;
use fazhi_app::{Actor, App, FixedClock};
use fazhi_domain::CaseId;
use fazhi_store::cases::{CaseFilter, Sort};
use jiff::civil::Date;
use serde_json::json;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use crate::common::{self, Budget, median, percentile};
use crate::create::{self, CreateArgs};

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// The database (from `create --keep`); built here when it does not exist.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Tickets when building the database.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Apply the full generated script to every N-th ticket (0: none) before measuring, once.
    #[arg(long, default_value_t = 50)]
    pub replay_every: u64,
    /// Measured queries per filter (each paired with one baseline query).
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
    /// Unmeasured queries per filter first.
    #[arg(long, default_value_t = 5)]
    pub warmup: usize,
    #[arg(long, default_value_t = common::DEFAULT_SEED)]
    pub seed: u64,
    #[arg(long, default_value = common::DEFAULT_END)]
    pub end: Date,
    /// Wall-clock budget per filter in seconds.
    #[arg(long, default_value_t = 120)]
    pub max_seconds: u64,
    /// Wall-clock budget for building the database (create + replay) in seconds.
    #[arg(long, default_value_t = 7_200)]
    pub build_max_seconds: u64,
    /// Only these filters (comma-separated names); default all.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

const CATEGORIES: [&str; 6] = ["咨询", "投诉", "求助", "举报", "建议", "表扬"];
const STATES: [&str; 5] = ["received", "dispatched", "handling", "replied", "closed"];
const KEYWORDS: [&str; 6] = ["电梯", "垃圾", "停车", "占道", "油烟", "漏水"];
const PHRASES: [&str; 4] = ["加装电梯", "油烟直排", "物业 电梯", "卫生间漏水"];

/// Whose list and which filter; `i` rotates the parameters.
struct Filter {
    name: &'static str,
    what: &'static str,
    scope: Scope,
    make: fn(usize, &Ctx) -> CaseFilter,
}

#[derive(Clone, Copy)]
enum Scope {
    /// A community staff account (unit subtree of one community), rotating over communities.
    Community,
    /// The street's leader (the whole street).
    Street,
    /// The hotline handler (department scope).
    Department,
}

struct Ctx {
    today: Date,
    months: Vec<(Date, Date)>,
}

fn base() -> CaseFilter {
    CaseFilter {
        case_type: Some(fazhi_demo::stream_case_type()),
        limit: 30,
        ..Default::default()
    }
}

fn overdue(f: &mut CaseFilter, c: &Ctx) {
    f.open_only = true;
    f.due_by = c.today.yesterday().ok().map(|d| d.to_string());
}

const FILTERS: &[Filter] = &[
    Filter {
        name: "community",
        what: "community subtree, newest first",
        scope: Scope::Community,
        make: |_, _| base(),
    },
    Filter {
        name: "community+state",
        what: "community subtree, state = received/dispatched/handling/replied/closed (rotating)",
        scope: Scope::Community,
        make: |i, _| CaseFilter {
            state: Some(STATES[i % STATES.len()].into()),
            ..base()
        },
    },
    Filter {
        name: "community+category",
        what: "community subtree, category (6 values rotating, 2–35 %)",
        scope: Scope::Community,
        make: |i, _| CaseFilter {
            category: Some(CATEGORIES[i % CATEGORIES.len()].into()),
            ..base()
        },
    },
    Filter {
        name: "community+month",
        what: "community subtree, created in one calendar month (rotating)",
        scope: Scope::Community,
        make: |i, c| {
            let (from, to) = c.months[i % c.months.len()];
            CaseFilter {
                created_from: Some(from.to_string()),
                created_to: Some(to.to_string()),
                ..base()
            }
        },
    },
    Filter {
        name: "community+overdue",
        what: "community subtree, due=overdue (open, due before today)",
        scope: Scope::Community,
        make: |_, c| {
            let mut f = base();
            overdue(&mut f, c);
            f
        },
    },
    Filter {
        name: "community+sort-due",
        what: "community subtree, sorted by due date",
        scope: Scope::Community,
        make: |_, _| CaseFilter {
            sort: Sort::DueAsc,
            ..base()
        },
    },
    Filter {
        name: "community+overdue+sort-due",
        what: "community subtree, due=overdue, sorted by due date",
        scope: Scope::Community,
        make: |_, c| {
            let mut f = CaseFilter {
                sort: Sort::DueAsc,
                ..base()
            };
            overdue(&mut f, c);
            f
        },
    },
    Filter {
        name: "street+category+state",
        what: "whole street (leader), category and state (rotating)",
        scope: Scope::Street,
        make: |i, _| CaseFilter {
            category: Some(CATEGORIES[i % CATEGORIES.len()].into()),
            state: Some(STATES[(i / CATEGORIES.len()) % STATES.len()].into()),
            ..base()
        },
    },
    Filter {
        name: "department",
        what: "hotline handler (department scope), newest first",
        scope: Scope::Department,
        make: |_, _| base(),
    },
    Filter {
        name: "community+search",
        what: "community subtree, search for a two-character word (6 rotating; pair index alone)",
        scope: Scope::Community,
        make: |i, _| CaseFilter {
            query: Some(KEYWORDS[i % KEYWORDS.len()].into()),
            ..base()
        },
    },
    Filter {
        name: "community+phrase",
        what: "community subtree, search for longer phrases and two words (4 rotating; pair index, then LIKE on candidates)",
        scope: Scope::Community,
        make: |i, _| CaseFilter {
            query: Some(PHRASES[i % PHRASES.len()].into()),
            ..base()
        },
    },
];

#[derive(Debug, Clone, serde::Serialize)]
struct FilterResult {
    name: &'static str,
    what: &'static str,
    queries: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    baseline_p50_ms: f64,
    baseline_p99_ms: f64,
    ratio_p50: f64,
    ratio_p99: f64,
    median_total: f64,
    median_page_rows: f64,
    complete: bool,
}

/// Tiny deterministic generator for baseline start ids.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

const CASE_COLS: &str = "SELECT id, case_type, number, unit_id, unit_path, department_id, owner_id, state, title, \
     category, created_on, closed_on, due_on, due_level, published, fields, version, created_at, updated_at \
     FROM cases WHERE id >= ?1 ORDER BY id LIMIT 30";

async fn baseline_query(pool: &SqlitePool, from: i64) -> Result<usize> {
    let rows = sqlx::query(CASE_COLS).bind(from).fetch_all(pool).await?;
    // Read every column as the app does (the JSON stays text here).
    for r in &rows {
        let _: i64 = r.try_get(0)?;
        for i in [1, 2, 4, 7, 8, 10, 15] {
            let _: String = r.try_get(i)?;
        }
        for i in [9, 11, 12] {
            let _: Option<String> = r.try_get(i)?;
        }
        for i in [3, 13, 14, 16, 17, 18] {
            let _: i64 = r.try_get(i)?;
        }
        for i in [5, 6] {
            let _: Option<i64> = r.try_get(i)?;
        }
    }
    Ok(rows.len())
}

async fn count_cases(db: &fazhi_store::Db) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM cases")
        .fetch_one(db.pool())
        .await?
        .try_get(0)?)
}

/// Builds the database with the service path of `create` (no baseline).
async fn build(args: &ListArgs, path: &Path) -> Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&parent)?;
    let dir = tempfile::Builder::new()
        .prefix("fazhi-bench-list-build-")
        .tempdir_in(&parent)?;
    let cargs = CreateArgs {
        rows: args.rows,
        batch: 5_000,
        runs: 1,
        seed: args.seed,
        end: args.end,
        dir: None,
        keep: None,
        no_baseline: true,
        no_rollup: false,
        verify: false,
        max_seconds: args.build_max_seconds,
        out: None,
    };
    eprintln!("building {} with {} tickets", path.display(), args.rows);
    let (res, a_path) = create::run_once(&cargs, dir.path(), false, true).await?;
    ensure!(
        res.complete,
        "build stopped by its time budget after {} rows",
        res.rows
    );
    eprintln!(
        "  built: {:.0} rows/s through the service",
        res.service_rows_per_s
    );
    create::keep_file(&a_path, path)
}

/// Applies the rest of the generated script of every `every`-th ticket through
/// `App::transition`, in date order. Skipped when any non-create event exists already.
async fn replay(args: &ListArgs, app: &App, clock: &FixedClock, n: u64) -> Result<()> {
    let done: i64 = sqlx::query("SELECT COUNT(*) FROM case_events WHERE transition <> 'create'")
        .fetch_one(app.db.pool())
        .await?
        .try_get(0)?;
    if done > 0 || args.replay_every == 0 {
        eprintln!("replay: skipped ({done} later steps already present)");
        return Ok(());
    }
    let t0 = Instant::now();
    let start = common::window_start(args.end);
    let mut scripts = Vec::new();
    for (i, t) in fazhi_demo::generate_tickets(args.seed, n, start, args.end).enumerate() {
        let i = i as u64;
        if i == 0 || i + 1 == n {
            // Case ids follow creation order: check both ends of the mapping.
            let c = fazhi_store::cases::case(&app.db, CaseId(i as i64 + 1))
                .await
                .map_err(|e| anyhow!("{e}"))?;
            ensure!(
                c.created_on == t.created_on.to_string()
                    && c.category.as_deref()
                        == t.steps[0].input.get("category").and_then(|v| v.as_str()),
                "case {} does not match ticket {i}: was the database built with another seed, --end or --rows?",
                i + 1
            );
        }
        if args.replay_every > 0 && i.is_multiple_of(args.replay_every) && t.steps.len() > 1 {
            scripts.push((CaseId(i as i64 + 1), t));
        }
    }
    let mut steps: Vec<(Date, usize, usize)> = scripts
        .iter()
        .enumerate()
        .flat_map(|(k, (_, t))| {
            t.steps
                .iter()
                .enumerate()
                .skip(1)
                .map(move |(s, st)| (st.on, k, s))
        })
        .collect();
    steps.sort();
    eprintln!(
        "replay: {} later steps of {} tickets (every {}th; scripts generated in {:.1} s)",
        steps.len(),
        scripts.len(),
        args.replay_every,
        t0.elapsed().as_secs_f64()
    );
    let mut actors: std::collections::HashMap<String, Actor> = Default::default();
    let budget = Budget::new(Duration::from_secs(args.build_max_seconds));
    let t1 = Instant::now();
    let mut applied = 0usize;
    for (on, k, s) in &steps {
        if budget.exhausted() {
            eprintln!("replay: time budget exhausted after {applied} steps");
            break;
        }
        let (id, t) = &scripts[*k];
        let step = &t.steps[*s];
        if !actors.contains_key(&step.actor) {
            actors.insert(step.actor.clone(), common::actor(app, &step.actor).await?);
        }
        clock.set(*on);
        app.transition(
            &actors[&step.actor],
            *id,
            &TakeTransition {
                transition: step.transition.clone(),
                on: Some(on.to_string()),
                on_reason: Some("补录历史记录".into()),
                version: None,
                input: step.input.clone(),
            },
        )
        .await
        .map_err(|e| {
            anyhow!(
                "replay {} of case {id} on {on}: {}",
                step.transition,
                common::app_err(e)
            )
        })?;
        applied += 1;
    }
    let secs = t1.elapsed().as_secs_f64();
    eprintln!(
        "replay: {applied} transitions in {secs:.1} s ({:.0}/s through App::transition)",
        applied as f64 / secs
    );
    Ok(())
}

pub async fn run(args: ListArgs) -> Result<()> {
    ensure!(args.queries > 0, "queries must be > 0");
    let path = args
        .db
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("fazhi-bench-list.db"));
    if !path.exists() {
        build(&args, &path).await?;
    }
    let clock = Arc::new(FixedClock::at(args.end));
    let db = common::open_store(&path, false).await?;
    let app = common::app_over(db, clock.clone());
    let n = count_cases(&app.db).await?;
    ensure!(n > 0, "{} holds no cases", path.display());
    replay(&args, &app, &clock, n as u64).await?;
    clock.set(args.end);

    // State and category mix, for the record.
    let mix: Vec<(String, i64)> =
        sqlx::query("SELECT state, COUNT(*) FROM cases GROUP BY state ORDER BY 2 DESC")
            .fetch_all(app.db.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_>>()?;
    eprintln!(
        "{} cases ({:.2} GB); states: {}",
        n,
        common::sqlite_size(&path) as f64 / 1e9,
        mix.iter()
            .map(|(s, c)| format!("{s} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let users = fazhi_store::org::users(&app.db)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let mut community = Vec::new();
    for u in users.iter().filter(|u| u.login.starts_with("sq_")) {
        community.push(app.actor_for(u).await.map_err(common::app_err)?);
    }
    ensure!(!community.is_empty(), "no community accounts (sq_*)");
    let leader = common::actor(&app, "leader").await?;
    let handler = common::actor(&app, "handler").await?;
    let start = common::window_start(args.end);
    let mut months = Vec::new();
    let mut m = start.first_of_month();
    while m <= args.end {
        months.push((m.max(start), m.last_of_month().min(args.end)));
        m = m
            .checked_add(jiff::Span::new().months(1))
            .context("month overflow")?;
    }
    let ctx = Ctx {
        today: args.end,
        months,
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::from_str(&common::sqlite_url(&path))?
                .read_only(true)
                .pragma("cache_size", "-65536"),
        )
        .await?;
    let mut rng = Lcg(args.seed);

    let mut results = Vec::new();
    for f in FILTERS {
        if !args.only.is_empty() && !args.only.iter().any(|o| o == f.name) {
            continue;
        }
        let budget = Budget::new(Duration::from_secs(args.max_seconds));
        let actor_for = |i: usize| -> &Actor {
            match f.scope {
                Scope::Community => &community[i % community.len()],
                Scope::Street => &leader,
                Scope::Department => &handler,
            }
        };
        for i in 0..args.warmup {
            app.list_cases(actor_for(i), (f.make)(i, &ctx))
                .await
                .map_err(common::app_err)?;
            baseline_query(&pool, 1 + (rng.next() % n as u64) as i64).await?;
        }
        let (mut t, mut b, mut totals, mut page_rows) = (vec![], vec![], vec![], vec![]);
        for i in 0..args.queries {
            if budget.exhausted() {
                break;
            }
            let from = 1 + (rng.next() % n as u64) as i64;
            let t0 = Instant::now();
            let got = baseline_query(&pool, from).await?;
            b.push(common::ms(t0.elapsed()));
            ensure!(got > 0 || from > n - 30, "baseline returned nothing");
            let filter = (f.make)(i, &ctx);
            let t0 = Instant::now();
            let (rows, total) = app
                .list_cases(actor_for(i), filter)
                .await
                .map_err(common::app_err)?;
            t.push(common::ms(t0.elapsed()));
            totals.push(total as f64);
            page_rows.push(rows.len() as f64);
        }
        let r = FilterResult {
            name: f.name,
            what: f.what,
            queries: t.len(),
            p50_ms: percentile(&t, 50.0),
            p99_ms: percentile(&t, 99.0),
            max_ms: percentile(&t, 100.0),
            baseline_p50_ms: percentile(&b, 50.0),
            baseline_p99_ms: percentile(&b, 99.0),
            ratio_p50: percentile(&t, 50.0) / percentile(&b, 50.0),
            ratio_p99: percentile(&t, 99.0) / percentile(&b, 99.0),
            median_total: median(&totals),
            median_page_rows: median(&page_rows),
            complete: t.len() == args.queries,
        };
        eprintln!(
            "{:<28} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms | baseline p50 {:.3} ms p99 {:.3} ms | total≈{} rows/page≈{}{}",
            r.name,
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.baseline_p50_ms,
            r.baseline_p99_ms,
            r.median_total,
            r.median_page_rows,
            if r.complete {
                ""
            } else {
                " (stopped by budget)"
            }
        );
        results.push(r);
    }
    pool.close().await;
    app.db.close().await;

    println!();
    println!(
        "## list: {n} cases, {} queries per filter (+{} warm-up), page of 30 + count capped at 10,000",
        args.queries, args.warmup
    );
    println!(
        "| filter | p50 ms | p99 ms | max ms | baseline p50 / p99 ms | ratio p50 | total (median) | p99 ≤ 50 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.3} / {:.3} | {:.0}× | {} | {} |",
            r.name,
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.baseline_p50_ms,
            r.baseline_p99_ms,
            r.ratio_p50,
            r.median_total,
            common::mark(r.p99_ms <= 50.0)
        );
    }
    common::write_json(
        args.out.as_deref(),
        &json!({
            "benchmark": "list",
            "cases": n,
            "states": mix,
            "queries": args.queries,
            "filters": results,
            "target_p99_ms": 50.0,
        }),
    )
}
