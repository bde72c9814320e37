//! Benchmark 4 (issue 3): every figure of an annual report — the whole built-in indicator
//! catalogue for a street and a year — over a large SQLite database, against DuckDB computing
//! the same aggregates over the same rows in the same run.
//!
//! The database holds `--rows` cases (nine tickets to one enforcement case) spread over the ten
//! communities of one street and the 365 days of 2025, with their `case_facts` rows, built with
//! set-based SQL (the service layer is measured by `create`; this benchmark is about reading).
//! The measured operation is `fazhi_store::indicators::run` on the plan of all built-in
//! indicators, exactly what the dashboard and the report do: it reads the month rollup of the
//! facts (`case_facts_rollup`, migration 0010, kept by triggers — including while this benchmark
//! generates its rows) where that decides a measure, and `case_facts` for the rest. The
//! reference: the scan statements over `case_facts` that compute the same aggregates from the raw
//! facts (what `fazhi_store::indicators::run_facts` runs), in their PostgreSQL dialect (which
//! DuckDB accepts), run by DuckDB (PyPI `duckdb`, driven by `crates/bench/duckdb_reference.py`)
//! over `case_facts` exported to CSV (the text slots as their dictionary codes, as stored) and
//! loaded into a DuckDB in-memory table before timing; the statements compare them with the same
//! codes. DuckDB gets no rollup. Each round runs ours, DuckDB's and our facts-only path
//! (`run_facts`, the figures without the rollup) in turn; every DuckDB result is checked against
//! ours measure by measure, and the facts-only figures must equal ours exactly.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use fazhi_indicators::facts::FactLayout;
use fazhi_indicators::plan::Param;
use fazhi_indicators::{Catalog, Period, Plan, Scope};
use fazhi_store::{Backend, Db, org};
use serde_json::json;
use sqlx::Row;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::common::{self, median};

#[derive(Debug, Clone, clap::Args)]
pub struct IndicatorArgs {
    /// Cases in the database (one year, ten communities).
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Measured runs of each side (alternating); figures are medians.
    #[arg(long, default_value_t = 7)]
    pub runs: usize,
    /// Unmeasured runs of each side first.
    #[arg(long, default_value_t = 1)]
    pub warmup: usize,
    /// Skip the DuckDB reference.
    #[arg(long)]
    pub no_duckdb: bool,
    /// The Python interpreter with the `duckdb` package (`pip install duckdb`).
    #[arg(long, default_value = "python3")]
    pub python: PathBuf,
    /// Directory for the database and the CSV export (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Wall-clock budget of the measured loop in seconds.
    #[arg(long, default_value_t = 600)]
    pub max_seconds: u64,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Keep a copy of the generated database at this path.
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// Print the statements (SQLite dialect) before measuring: the facts scans (which DuckDB
    /// runs too) and the rollup statements.
    #[arg(long)]
    pub show_sql: bool,
    /// The reporting period (year, quarter, month or `start..end`).
    #[arg(long, default_value = YEAR)]
    pub period: String,
    /// The computation day (a clock still running past its due date that day is overdue).
    #[arg(long, default_value = "2026-01-15")]
    pub as_of: jiff::civil::Date,
    /// Facts whose slots vary independently case by case (drawn from hashes of the id: states,
    /// every category, satisfaction and channel, event days spread over weeks, clock statuses
    /// and due days, domains, outcomes, amounts) instead of the few periodic patterns of the
    /// default data: many more groups in the month rollup.
    #[arg(long)]
    pub varied: bool,
}

/// The year the generated cases fall in, and the day the report is computed.
const YEAR: &str = "2025";
const COMMUNITIES: usize = 10;

pub async fn run(args: IndicatorArgs) -> Result<()> {
    ensure!(args.rows >= 10, "--rows must be at least 10");
    ensure!(args.runs >= 1, "--runs must be at least 1");
    let tmp = match &args.dir {
        Some(d) => tempfile::Builder::new()
            .prefix("fazhi-bench-indicators-")
            .tempdir_in(d)?,
        None => tempfile::Builder::new()
            .prefix("fazhi-bench-indicators-")
            .tempdir()?,
    };
    let path = tmp.path().join("cases.db");
    let db = common::open_store(&path, true).await?;
    let started = Instant::now();
    let catalog = Catalog::embedded();
    let street = generate(&db, &catalog, args.rows, args.varied).await?;
    eprintln!(
        "generated {} cases in {:.1} s ({:.2} GB)",
        args.rows,
        started.elapsed().as_secs_f64(),
        common::sqlite_size(&path) as f64 / 1e9
    );

    if let Some(keep) = &args.keep {
        db.backup_sqlite(keep).await.map_err(|e| anyhow!("{e}"))?;
        eprintln!("database kept at {}", keep.display());
    }
    let ids: Vec<String> = catalog.indicators().map(|i| i.id.clone()).collect();
    let period: Period = args.period.parse().map_err(|e| anyhow!("period: {e:?}"))?;
    let as_of = args.as_of;
    let plan = fazhi_indicators::plan(&catalog, &ids, &street, &period, as_of)
        .map_err(|e| anyhow!("{e:?}"))?;
    ensure!(
        plan.scans.iter().all(|s| !s.needs_case_row()),
        "the built-in indicators should read case_facts only"
    );
    let measures: usize = plan.scans.iter().map(|s| s.measures.len()).sum();
    let (rollup_rows, rollup_groups_max): (i64, i64) =
        sqlx::query("SELECT COUNT(*), COALESCE(MAX(n), 0) FROM case_facts_rollup")
            .fetch_one(db.pool())
            .await
            .map(|r| (r.try_get(0).unwrap_or(0), r.try_get(1).unwrap_or(0)))?;
    eprintln!("case_facts_rollup: {rollup_rows} rows (largest group {rollup_groups_max} cases)");
    if args.show_sql {
        println!("-- scans over case_facts (run_facts, and DuckDB)");
        for (sql, binds) in fazhi_store::indicators::scan_statements(&db, Backend::Sqlite, &plan)
            .await
            .map_err(|e| anyhow!("{e}"))?
        {
            println!("{sql};\n-- {binds:?}\n");
        }
        println!("-- statements over case_facts_rollup (run)");
        for (sql, binds) in fazhi_store::indicators::rollup_statements(&db, Backend::Sqlite, &plan)
            .await
            .map_err(|e| anyhow!("{e}"))?
        {
            println!("{sql};\n-- {binds:?}\n");
        }
    }

    let mut duck = if args.no_duckdb {
        None
    } else {
        Some(Duck::start(&args, &db, &plan, tmp.path()).await?)
    };

    let budget = common::Budget::new(Duration::from_secs(args.max_seconds));
    let mut ours_ms = Vec::new();
    let mut ours_cpu_ms = Vec::new();
    let mut facts_ms = Vec::new();
    let mut facts_cpu_ms = Vec::new();
    let mut duck_ms = Vec::new();
    let mut load = Vec::new();
    let mut last = None;
    let mut stats = None;
    for round in 0..args.warmup + args.runs {
        if budget.exhausted() {
            eprintln!(
                "budget of {} s exhausted after {round} rounds",
                args.max_seconds
            );
            break;
        }
        let measured = round >= args.warmup;
        let (c0, _) = common::cpu_seconds();
        let t0 = Instant::now();
        let (raw, st) = fazhi_store::indicators::run_with(&db, &plan, true)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let wall = common::ms(t0.elapsed());
        let cpu = (common::cpu_seconds().0 - c0) * 1000.0;
        let d = match duck.as_mut() {
            Some(d) => Some(d.run().await?),
            None => None,
        };
        let (c0, _) = common::cpu_seconds();
        let t0 = Instant::now();
        let facts = fazhi_store::indicators::run_facts(&db, &plan)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let f_wall = common::ms(t0.elapsed());
        let f_cpu = (common::cpu_seconds().0 - c0) * 1000.0;
        if measured {
            ours_ms.push(wall);
            ours_cpu_ms.push(cpu);
            facts_ms.push(f_wall);
            facts_cpu_ms.push(f_cpu);
            if let Some((ms, _)) = &d {
                duck_ms.push(*ms);
            }
            load.push(common::loadavg());
        }
        eprintln!(
            "round {}/{}{}: fazhi {wall:.0} ms (CPU {cpu:.0} ms){}, facts only {f_wall:.0} ms (CPU {f_cpu:.0} ms)",
            round + 1,
            args.warmup + args.runs,
            if measured { "" } else { " (warm-up)" },
            d.as_ref()
                .map(|(ms, _)| format!(", DuckDB {ms:.0} ms"))
                .unwrap_or_default()
        );
        if let Some((_, values)) = &d {
            compare(&plan, &raw.values, values)?;
        }
        ensure!(
            raw == facts,
            "the figures through the rollup differ from the facts-only figures"
        );
        stats = Some(st);
        last = Some(raw);
    }
    if let Some(d) = duck.take() {
        d.stop().await?;
    }
    let raw = last.context("no round ran")?;
    let stats = stats.context("no round ran")?;
    if args.period == YEAR {
        let hotline = args.rows - args.rows / 10;
        ensure!(
            raw.values.get("hotline.received").copied().flatten() == Some(hotline as f64),
            "hotline.received should be {hotline}, got {:?}",
            raw.values.get("hotline.received")
        );
    }

    let ours = median(&ours_ms);
    let duck_med = median(&duck_ms);
    let ratio = ours / duck_med;
    println!(
        "\n## indicators: {} indicators ({} scans, {} measures, {} percentiles) of {} (as of {as_of}) over {} cases, {} runs",
        ids.len(),
        plan.scans.len(),
        measures,
        plan.percentiles.len(),
        args.period,
        args.rows,
        ours_ms.len()
    );
    println!(
        "measures from the rollup alone: {}, rollup + facts remainder: {}, facts alone: {}; \
         statements: {} over the rollup ({rollup_rows} rows), {} over case_facts",
        stats.rollup,
        stats.rollup_and_facts,
        stats.facts,
        stats.rollup_statements,
        stats.facts_statements
    );
    println!("| | median ms | min ms | max ms |");
    println!("|---|---|---|---|");
    let row = |name: &str, v: &[f64]| {
        println!(
            "| {name} | {:.0} | {:.0} | {:.0} |",
            median(v),
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        )
    };
    row("fazhi on SQLite (wall)", &ours_ms);
    row("fazhi on SQLite (CPU of this process)", &ours_cpu_ms);
    row("fazhi on SQLite, facts only (wall)", &facts_ms);
    row("fazhi on SQLite, facts only (CPU)", &facts_cpu_ms);
    if !duck_ms.is_empty() {
        row("DuckDB, same aggregates from case_facts (wall)", &duck_ms);
    }
    println!(
        "\nfazhi median {ours:.0} ms (target ≤ 500 ms: {}){}; load average {:.1}",
        common::mark(ours <= 500.0),
        if duck_ms.is_empty() {
            String::new()
        } else {
            format!(
                "; {ratio:.2}× DuckDB (target ≤ 3×: {}); facts only {:.0} ms, {:.2}× DuckDB",
                common::mark(ratio <= 3.0),
                median(&facts_ms),
                median(&facts_ms) / duck_med
            )
        },
        median(&load)
    );
    common::write_json(
        args.out.as_deref(),
        &json!({
            "rows": args.rows,
            "indicators": ids.len(),
            "scans": plan.scans.len(),
            "measures": measures,
            "period": args.period,
            "as_of": as_of.to_string(),
            "fazhi_ms": ours_ms,
            "fazhi_cpu_ms": ours_cpu_ms,
            "fazhi_facts_only_ms": facts_ms,
            "fazhi_facts_only_cpu_ms": facts_cpu_ms,
            "rollup_rows": rollup_rows,
            "stats": stats,
            "duckdb_ms": duck_ms,
            "fazhi_median_ms": ours,
            "duckdb_median_ms": duck_med,
            "ratio": ratio,
            "load": load,
        }),
    )?;
    db.close().await;
    Ok(())
}

/// Builds the street (ten communities) and `rows` cases of 2025 with their facts (`varied`: see
/// [`IndicatorArgs::varied`]); returns the street's scope.
async fn generate(db: &Db, catalog: &Catalog, rows: u64, varied: bool) -> Result<Scope> {
    let types = Types::of(catalog)?;
    let mut tx = db.begin().await.map_err(|e| anyhow!("{e}"))?;
    let street = org::insert_unit(&mut tx, None, "S", "望江街道", "street")
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let mut communities = Vec::new();
    for i in 0..COMMUNITIES {
        communities.push(
            org::insert_unit(
                &mut tx,
                Some(&street),
                &format!("C{i}"),
                &format!("第{}社区", i + 1),
                "community",
            )
            .await
            .map_err(|e| anyhow!("{e}"))?,
        );
    }
    tx.commit().await.map_err(|e| anyhow!("{e}"))?;
    // Case i belongs to community i % 10, was received on day i % 365 of the year and closed
    // 0–19 days later (one in ten still open); every tenth case is an enforcement case.
    let unit_case = |column: fn(&fazhi_store::UnitRow) -> String| {
        let arms: String = communities
            .iter()
            .enumerate()
            .map(|(k, u)| format!(" WHEN {k} THEN {}", column(u)))
            .collect();
        format!("CASE (i % {COMMUNITIES}){arms} END")
    };
    let uid = unit_case(|u| u.id.0.to_string());
    let upath = unit_case(|u| format!("'{}'", u.path));
    let day = format!("date('{YEAR}-01-01', '+' || (i % 365) || ' days')");
    let closed = format!(
        "CASE WHEN i % 10 = 0 THEN NULL ELSE date('{YEAR}-01-01', '+' || (i % 365 + i % 20) || ' days') END"
    );
    let cases = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
         INSERT INTO cases (id, case_type, number, unit_id, unit_path, state, title, category, created_on, closed_on, \
         due_level, published, fields, search_text, version, created_at, updated_at) \
         SELECT i, CASE WHEN i % 10 = 9 THEN {et} ELSE {tt} END, 'N' || i, {uid}, {upath}, \
         'closed', '工单', '投诉', {day}, {closed}, 0, 0, '{{}}', '', 1, 0, 0 FROM n",
        tt = types.ticket_lit,
        et = types.enforcement_lit,
    );
    sqlx::query(sqlx::AssertSqlSafe(cases))
        .execute(db.pool())
        .await?;
    // The text slots hold codes of the `fact_values` dictionary (migration 0009): the values
    // first, then the rows with their codes as integer literals.
    let values = [
        "closed",
        "咨询",
        "投诉",
        "求助",
        "举报",
        "建议",
        "表扬",
        "满意",
        "基本满意",
        "不满意",
        "城市管理",
        "消防",
        "住房建设",
        "生态环境",
        "电话",
        "处罚",
        "不予处罚（首违）",
        "不予处罚（轻微）",
        "普通程序",
        "罚款",
        "missed",
        "running",
        "met",
        // The varied data's values besides.
        "handling",
        "dispatched",
        "decided",
        "filed",
        "网站",
        "微信",
        "APP",
        "信件",
        "水务",
        "安全生产",
        "市场监管",
        "其他",
        "不予处罚（无主观过错）",
        "简易程序",
        "警告",
        "没收违法所得",
        "overdue",
        "paused",
    ];
    let mut codes = std::collections::HashMap::new();
    for v in values {
        sqlx::query("INSERT INTO fact_values (value) VALUES ($1) ON CONFLICT (value) DO NOTHING")
            .bind(v)
            .execute(db.pool())
            .await?;
        let code: i64 = sqlx::query("SELECT code FROM fact_values WHERE value = $1")
            .bind(v)
            .fetch_one(db.pool())
            .await?
            .try_get(0)?;
        codes.insert(v, code);
    }
    let c = |v: &str| codes[v].to_string();
    let facts = if varied {
        varied_facts(&types, &c)?
    } else {
        let ticket: Vec<(&str, String)> = vec![
            (
                "satisfaction",
                format!(
                    "CASE id % 3 WHEN 0 THEN {} WHEN 1 THEN {} ELSE {} END",
                    c("满意"),
                    c("基本满意"),
                    c("不满意")
                ),
            ),
            ("channel", c("电话")),
            ("dispatch", "cd".into()),
            ("reply", "xd".into()),
            ("revisit", "xd".into()),
            ("reopen", "CASE WHEN id % 3 = 0 THEN xd END".into()),
            (
                "handling_limit.status",
                format!(
                    "CASE id % 4 WHEN 0 THEN {} WHEN 3 THEN {} ELSE {} END",
                    c("missed"),
                    c("running"),
                    c("met")
                ),
            ),
            ("handling_limit.due", "xd".into()),
        ];
        let enforcement: Vec<(&str, String)> = vec![
            (
                "domain",
                format!(
                    "CASE id % 4 WHEN 0 THEN {} WHEN 1 THEN {} WHEN 2 THEN {} ELSE {} END",
                    c("城市管理"),
                    c("消防"),
                    c("住房建设"),
                    c("生态环境")
                ),
            ),
            (
                "outcome",
                format!(
                    "CASE id % 3 WHEN 0 THEN {} WHEN 1 THEN {} ELSE {} END",
                    c("处罚"),
                    c("不予处罚（首违）"),
                    c("不予处罚（轻微）")
                ),
            ),
            ("procedure", c("普通程序")),
            ("penalty", c("罚款")),
            ("fine_amount", "(id % 50) * 10000".into()),
            ("file", "cd".into()),
            ("pass_review", "xd".into()),
            ("decide|decide_on_spot", "xd".into()),
            ("publish", "CASE WHEN id % 3 = 0 THEN xd END".into()),
            (
                "publicity_limit.status",
                format!(
                    "CASE id % 4 WHEN 0 THEN {} WHEN 3 THEN {} ELSE {} END",
                    c("missed"),
                    c("running"),
                    c("met")
                ),
            ),
            ("publicity_limit.due", "xd".into()),
            ("decision_limit.status", c("met")),
            ("decision_limit.due", "xd".into()),
        ];
        let slots = types.slots(&ticket, &enforcement)?;
        let slot_columns = fazhi_indicators::facts::slot_columns().join(", ");
        format!(
            "INSERT INTO case_facts (case_id, case_type, unit_path, created_day, closed_day, state, category, published, \
         {slot_columns}) \
         SELECT id, case_type, unit_path, cd, xd, {closed}, \
           CASE WHEN case_type = {tt} THEN CASE id % 6 WHEN 0 THEN {zx} WHEN 1 THEN {ts} WHEN 2 THEN {qz} WHEN 3 THEN {jb} WHEN 4 THEN {jy} ELSE {by} END END, \
           id % 2, {slots} \
         FROM (SELECT *, CAST(julianday(created_on) - 2440587.5 AS INTEGER) AS cd, \
               CAST(julianday(closed_on) - 2440587.5 AS INTEGER) AS xd FROM cases)",
            tt = types.ticket_lit,
            closed = c("closed"),
            zx = c("咨询"),
            ts = c("投诉"),
            qz = c("求助"),
            jb = c("举报"),
            jy = c("建议"),
            by = c("表扬"),
        )
    };
    sqlx::query(sqlx::AssertSqlSafe(facts))
        .execute(db.pool())
        .await?;
    sqlx::query("ANALYZE").execute(db.pool()).await?;
    Ok(Scope {
        unit_id: street.id.0,
        unit_path: street.path,
    })
}

/// The facts of [`IndicatorArgs::varied`]: every slot drawn from its own hash of the case id
/// (`hN`, 0‥10006), independently of the others, within the rules of the case type (a closed
/// ticket was replied to between its creation and closing; a decision is published after it).
fn varied_facts(types: &Types, c: &dyn Fn(&str) -> String) -> Result<String> {
    const PRIMES: [u64; 14] = [
        7_919,
        104_729,
        1_299_709,
        15_485_863,
        179_424_673,
        2_038_074_743,
        4_093,
        65_537,
        524_287,
        8_191,
        131_071,
        6_700_417,
        2_147_483_647,
        999_983,
    ];
    let hashes: String = PRIMES
        .iter()
        .enumerate()
        .map(|(k, p)| format!(", (id * {p} + {k}) % 10007 AS h{}", k + 1))
        .collect();
    let pick = |h: usize, values: &[&str]| {
        let arms: String = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!(" WHEN {i} THEN {}", c(v)))
            .collect();
        format!("CASE h{h} % {}{arms} END", values.len())
    };
    let ticket = &format!("case_type = {}", types.ticket_lit);
    let open = "h1 % 10 = 0";
    // Tickets: closed 0–45 days after creation (one in ten open); enforcement cases: filed 0–2
    // days after creation (one in five decided on the spot, not filed), reviewed 10–39 days
    // after, decided 20–79 days after (one in ten not yet), published 1–15 days after the
    // decision (seven in ten), closed up to 29 days after publication.
    let inner = format!(
        "SELECT id, case_type, unit_path, CAST(julianday(created_on) - 2440587.5 AS INTEGER) AS cd{hashes} FROM cases"
    );
    let days = format!(
        "SELECT *,            CASE WHEN {ticket} THEN CASE WHEN {open} THEN NULL ELSE cd + h2 % 46 END END AS xd_t,            CASE WHEN NOT ({ticket}) AND h1 % 5 <> 0 THEN cd + h2 % 3 END AS e1_e,            CASE WHEN NOT ({ticket}) AND h4 % 10 <> 0 THEN CASE WHEN h1 % 5 = 0 THEN cd ELSE cd + 20 + h5 % 60 END END AS e3_e          FROM ({inner})"
    );
    let days2 = format!(
        "SELECT *, CASE WHEN e3_e IS NOT NULL AND h6 % 10 < 7 THEN e3_e + 1 + h7 % 15 END AS e4_e FROM ({days})"
    );
    let satisfaction = format!(
        "CASE WHEN h5 % 4 = 3 THEN NULL ELSE {} END",
        pick(5, &["满意", "基本满意", "不满意"])
    );
    let outcome = pick(
        10,
        &[
            "处罚",
            "不予处罚（首违）",
            "不予处罚（轻微）",
            "不予处罚（无主观过错）",
        ],
    );
    let state_open = pick(3, &["handling", "dispatched"]);
    let category = pick(4, &["咨询", "投诉", "求助", "举报", "建议", "表扬"]);
    let domain = pick(
        9,
        &[
            "城市管理",
            "住房建设",
            "水务",
            "生态环境",
            "消防",
            "安全生产",
            "市场监管",
            "其他",
        ],
    );
    let channel = pick(6, &["电话", "网站", "微信", "APP", "信件"]);
    let penalty = pick(11, &["罚款", "警告", "没收违法所得"]);
    let ticket_open_clock = pick(12, &["running", "overdue", "paused"]);
    let (closed, decided, filed) = (c("closed"), c("decided"), c("filed"));
    let (missed, met, running) = (c("missed"), c("met"), c("running"));
    let (simple, ordinary) = (c("简易程序"), c("普通程序"));
    let ticket_slots: Vec<(&str, String)> = vec![
        ("satisfaction", format!("CASE WHEN {open} THEN NULL ELSE {satisfaction} END")),
        ("channel", channel),
        ("dispatch", "cd + h7 % 3".into()),
        (
            "reply",
            "CASE WHEN xd_t IS NOT NULL THEN cd + h8 % (xd_t - cd + 1) WHEN h8 % 2 = 0 THEN cd + h8 % 10 END".into(),
        ),
        ("revisit", "xd_t".into()),
        ("reopen", "CASE WHEN xd_t IS NOT NULL AND h9 % 20 = 0 THEN xd_t END".into()),
        (
            "handling_limit.status",
            format!("CASE WHEN {open} THEN {ticket_open_clock} WHEN h11 % 5 = 0 THEN {missed} ELSE {met} END"),
        ),
        ("handling_limit.due", "cd + 10 + h3 % 20".into()),
    ];
    let enforcement_slots: Vec<(&str, String)> = vec![
        ("domain", domain),
        ("outcome", outcome),
        (
            "procedure",
            format!("CASE WHEN e1_e IS NULL THEN {simple} ELSE {ordinary} END"),
        ),
        (
            "penalty",
            format!("CASE WHEN h10 % 4 = 0 THEN {penalty} END"),
        ),
        (
            "fine_amount",
            "CASE WHEN h10 % 4 = 0 AND h11 % 3 = 0 THEN (h12 % 100 + 1) * 5000 END".into(),
        ),
        (
            "paid_amount",
            "CASE WHEN h10 % 4 = 0 AND h11 % 3 = 0 AND h14 % 2 = 0 THEN (h12 % 100 + 1) * 5000 END"
                .into(),
        ),
        ("file", "e1_e".into()),
        (
            "pass_review",
            "CASE WHEN e1_e IS NOT NULL THEN cd + 10 + h3 % 30 END".into(),
        ),
        ("decide|decide_on_spot", "e3_e".into()),
        ("publish", "e4_e".into()),
        (
            "publicity_limit.status",
            format!(
                "CASE WHEN e1_e IS NOT NULL AND e3_e IS NOT NULL THEN \
                 CASE WHEN e4_e IS NULL THEN {running} WHEN e4_e <= e3_e + 7 THEN {met} ELSE {missed} END END"
            ),
        ),
        (
            "publicity_limit.due",
            "CASE WHEN e1_e IS NOT NULL AND e3_e IS NOT NULL THEN e3_e + 7 + h13 % 3 END".into(),
        ),
        (
            "decision_limit.status",
            format!(
                "CASE WHEN e1_e IS NULL THEN NULL WHEN e3_e IS NOT NULL THEN {met} ELSE {running} END"
            ),
        ),
        (
            "decision_limit.due",
            "CASE WHEN e1_e IS NULL THEN NULL ELSE cd + 90 END".into(),
        ),
    ];
    let slots = types.slots(&ticket_slots, &enforcement_slots)?;
    let slot_columns = fazhi_indicators::facts::slot_columns().join(", ");
    Ok(format!(
        "INSERT INTO case_facts (case_id, case_type, unit_path, created_day, closed_day, state, category, published, \
         {slot_columns}) \
         SELECT id, case_type, unit_path, cd, \
           CASE WHEN {ticket} THEN xd_t ELSE CASE WHEN e4_e IS NOT NULL THEN e4_e + h8 % 30 END END, \
           CASE WHEN {ticket} THEN CASE WHEN {open} THEN {state_open} ELSE {closed} END \
                ELSE CASE WHEN e4_e IS NOT NULL THEN {closed} WHEN e3_e IS NOT NULL THEN {decided} ELSE {filed} END END, \
           CASE WHEN {ticket} THEN {category} END, \
           CASE WHEN {ticket} THEN 0 WHEN e4_e IS NOT NULL AND h13 % 20 <> 0 THEN 1 ELSE 0 END, \
           {slots} \
         FROM ({days2})"
    ))
}

/// The two case types the benchmark generates, found in the catalogue by the indicators it
/// checks (`hotline.received`: the tickets, nine in ten cases; `enforcement.filed`: the
/// enforcement cases), with their facts layouts: the generators write each value into the slot
/// the layout gives it.
struct Types {
    ticket: FactLayout,
    enforcement: FactLayout,
    /// The codes as SQL literals (checked snake_case).
    ticket_lit: String,
    enforcement_lit: String,
}

impl Types {
    fn of(catalog: &Catalog) -> Result<Types> {
        let layout = |id: &str| -> Result<(FactLayout, String)> {
            let t = catalog
                .get(id)
                .and_then(|i| i.case_select())
                .map(|s| s.case_type.clone())
                .ok_or_else(|| anyhow!("indicator {id} counts no case type"))?;
            ensure!(
                !t.is_empty()
                    && t.starts_with(|c: char| c.is_ascii_lowercase())
                    && t.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "case type code {t:?} is not snake_case"
            );
            let l = catalog
                .layouts()
                .get(&t)
                .cloned()
                .ok_or_else(|| anyhow!("case type {t} has no facts layout"))?;
            Ok((l, format!("'{t}'")))
        };
        let (ticket, ticket_lit) = layout("hotline.received")?;
        let (enforcement, enforcement_lit) = layout("enforcement.filed")?;
        Ok(Types {
            ticket,
            enforcement,
            ticket_lit,
            enforcement_lit,
        })
    }

    /// The values of `facts::slot_columns`: for each, the ticket's or the enforcement case's
    /// expression for what its layout puts in that slot (NULL for an empty slot).
    fn slots(&self, ticket: &[(&str, String)], enforcement: &[(&str, String)]) -> Result<String> {
        let t = slot_values(&self.ticket, ticket)?;
        let e = slot_values(&self.enforcement, enforcement)?;
        Ok(t.iter()
            .zip(&e)
            .map(|(t, e)| {
                format!(
                    "CASE WHEN case_type = {} THEN {t} ELSE {e} END",
                    self.ticket_lit
                )
            })
            .collect::<Vec<_>>()
            .join(", "))
    }
}

/// The slot values of one layout (in the order of `facts::slot_columns`) from expressions keyed by field code, transition set
/// (`a|b`) and `clock.status`/`clock.due`. Every expression must have a slot: the indicators
/// read only slots here (the benchmark writes no JSON fields, events or clocks).
fn slot_values(l: &FactLayout, exprs: &[(&str, String)]) -> Result<Vec<String>> {
    let mut used = Vec::new();
    let mut get = |k: String| -> String {
        match exprs.iter().find(|(n, _)| *n == k) {
            Some((n, e)) => {
                used.push(*n);
                e.clone()
            }
            None => "NULL".into(),
        }
    };
    use fazhi_indicators::facts::{EVENT_SLOTS, NUM_SLOTS, TEXT_SLOTS};
    let mut out = vec!["NULL".to_string(); fazhi_indicators::facts::slot_columns().len()];
    for (i, f) in l.text.iter().enumerate() {
        out[i] = get(f.clone());
    }
    for (i, f) in l.num.iter().enumerate() {
        out[TEXT_SLOTS + i] = get(f.clone());
    }
    for (i, set) in l.events.iter().enumerate() {
        out[TEXT_SLOTS + NUM_SLOTS + i] = get(set.join("|"));
    }
    let clk = TEXT_SLOTS + NUM_SLOTS + EVENT_SLOTS;
    for (i, c) in l.clocks.iter().enumerate() {
        out[clk + 2 * i] = get(format!("{c}.status"));
        out[clk + 1 + 2 * i] = get(format!("{c}.due"));
    }
    let missing: Vec<&str> = exprs
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !used.contains(n))
        .collect();
    ensure!(
        missing.is_empty(),
        "the facts layout of {} has no slot for {missing:?}, which the benchmark generates",
        l.case_type
    );
    Ok(out)
}

/// Columns of `case_facts` and their DuckDB types, in table order (the text slots are codes of
/// `fact_values` since migration 0009, and DuckDB gets them as they are: the scan statements
/// compare them with the same codes).
const FACT_COLUMNS: &[(&str, &str)] = &[
    ("case_id", "BIGINT"),
    ("case_type", "VARCHAR"),
    ("unit_path", "VARCHAR"),
    ("created_day", "BIGINT"),
    ("closed_day", "BIGINT"),
    ("state", "BIGINT"),
    ("category", "BIGINT"),
    ("published", "BIGINT"),
    ("txt1", "BIGINT"),
    ("txt2", "BIGINT"),
    ("txt3", "BIGINT"),
    ("txt4", "BIGINT"),
    ("num1", "BIGINT"),
    ("num2", "BIGINT"),
    ("ev1_day", "BIGINT"),
    ("ev2_day", "BIGINT"),
    ("ev3_day", "BIGINT"),
    ("ev4_day", "BIGINT"),
    ("clk1_status", "BIGINT"),
    ("clk1_due_day", "BIGINT"),
    ("clk2_status", "BIGINT"),
    ("clk2_due_day", "BIGINT"),
];

/// Writes `case_facts` as CSV (header, quoted text, empty field for NULL).
async fn export_facts(db: &Db, path: &Path) -> Result<u64> {
    use std::io::Write;
    let cols: Vec<&str> = FACT_COLUMNS.iter().map(|(c, _)| *c).collect();
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    writeln!(out, "{}", cols.join(","))?;
    // Pages of 50 000 rows by key, so memory stays flat.
    let sql = format!(
        "SELECT {} FROM case_facts WHERE case_id > $1 ORDER BY case_id LIMIT 50000",
        cols.join(", ")
    );
    let mut n = 0u64;
    let mut after = i64::MIN;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(after)
            .fetch_all(db.pool())
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        for r in &rows {
            for (i, (_, ty)) in FACT_COLUMNS.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                if *ty == "BIGINT" {
                    if let Some(v) = r.try_get::<Option<i64>, _>(i)? {
                        write!(out, "{v}")?;
                    }
                } else if let Some(v) = r.try_get::<Option<String>, _>(i)? {
                    write!(out, "\"{}\"", v.replace('"', "\"\""))?;
                }
            }
            out.write_all(b"\n")?;
            n += 1;
        }
    }
    out.flush()?;
    Ok(n)
}

/// The DuckDB side: a Python process holding the table in memory, answering `run` with the
/// time of all scan statements and their results.
struct Duck {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl Duck {
    async fn start(args: &IndicatorArgs, db: &Db, plan: &Plan, dir: &Path) -> Result<Duck> {
        let csv = dir.join("case_facts.csv");
        let t0 = Instant::now();
        let n = export_facts(db, &csv).await?;
        eprintln!(
            "exported {n} facts rows to CSV in {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        let statements: Vec<serde_json::Value> =
            fazhi_store::indicators::scan_statements(db, Backend::Postgres, plan)
                .await
                .map_err(|e| anyhow!("{e}"))?
                .into_iter()
                .map(|(sql, binds)| {
                    let params: Vec<serde_json::Value> = binds
                        .iter()
                        .map(|b| match b {
                            Param::Text(s) => json!(s),
                            Param::Int(i) => json!(i),
                            Param::Real(r) => json!(r),
                        })
                        .collect();
                    json!({ "sql": sql, "params": params })
                })
                .collect();
        let queries = dir.join("scans.json");
        std::fs::write(
            &queries,
            serde_json::to_string(&json!({
                "columns": FACT_COLUMNS.iter().map(|(c, t)| json!([c, t])).collect::<Vec<_>>(),
                "statements": statements,
            }))?,
        )?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("duckdb_reference.py");
        let mut child = tokio::process::Command::new(&args.python)
            .arg(&script)
            .arg(&csv)
            .arg(&queries)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot run {}", args.python.display()))?;
        let stdin = child.stdin.take().context("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let mut d = Duck {
            child,
            stdin,
            stdout,
        };
        let ready = d.line().await?;
        let v: serde_json::Value = serde_json::from_str(&ready)
            .with_context(|| format!("DuckDB reference did not start: {ready}"))?;
        eprintln!(
            "DuckDB {} loaded {} rows in {:.1} s",
            v["version"].as_str().unwrap_or("?"),
            v["rows"],
            v["load_ms"].as_f64().unwrap_or(0.0) / 1000.0
        );
        ensure!(
            v["rows"].as_u64() == Some(n),
            "DuckDB loaded {} rows, expected {n}",
            v["rows"]
        );
        Ok(d)
    }

    async fn line(&mut self) -> Result<String> {
        match self.stdout.next_line().await? {
            Some(l) => Ok(l),
            None => {
                let status = self.child.wait().await?;
                bail!(
                    "the DuckDB reference exited ({status}); is the package installed? (pip install duckdb)"
                )
            }
        }
    }

    /// One timed run of every statement: milliseconds and the values per statement.
    async fn run(&mut self) -> Result<(f64, Vec<Vec<Option<f64>>>)> {
        self.stdin.write_all(b"run\n").await?;
        self.stdin.flush().await?;
        let l = self.line().await?;
        let v: serde_json::Value =
            serde_json::from_str(&l).with_context(|| format!("DuckDB reference said: {l}"))?;
        let ms = v["ms"].as_f64().context("no ms")?;
        let values = v["values"]
            .as_array()
            .context("no values")?
            .iter()
            .map(|row| {
                row.as_array()
                    .map(|r| r.iter().map(serde_json::Value::as_f64).collect())
                    .unwrap_or_default()
            })
            .collect();
        Ok((ms, values))
    }

    async fn stop(mut self) -> Result<()> {
        self.stdin.write_all(b"quit\n").await?;
        self.stdin.flush().await?;
        let status = self.child.wait().await?;
        ensure!(
            status.success(),
            "the DuckDB reference exited with {status}"
        );
        Ok(())
    }
}

/// Every scan measure as DuckDB computed it must equal ours (counts exactly, sums to 1e-9).
fn compare(
    plan: &Plan,
    ours: &std::collections::BTreeMap<String, Option<f64>>,
    duck: &[Vec<Option<f64>>],
) -> Result<()> {
    ensure!(
        duck.len() == plan.scans.len(),
        "DuckDB returned {} statements' results, expected {}",
        duck.len(),
        plan.scans.len()
    );
    for (scan, values) in plan.scans.iter().zip(duck) {
        for ((key, m), v) in scan.measures.iter().zip(values) {
            let theirs = match m {
                fazhi_indicators::plan::Measure::Count(_) => Some(v.unwrap_or(0.0)),
                _ => *v,
            };
            let mine = ours.get(key).copied().flatten();
            let same = match (mine, theirs) {
                (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                (None, None) => true,
                _ => false,
            };
            ensure!(same, "{key}: fazhi {mine:?}, DuckDB {theirs:?}");
        }
    }
    Ok(())
}
