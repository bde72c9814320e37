//! `explain`: the query plan and the time of SQL statements on a database file, with the SQLite
//! the platform links (the `sqlite3` shell on the machine may be an older version whose planner
//! chooses differently). Read-only; a diagnostic for `docs/benchmarks.md`.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

use anyhow::{Result, ensure};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use crate::common::{self, median};

#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    /// The database file.
    #[arg(long)]
    pub db: PathBuf,
    /// Timed executions per statement (after one unmeasured).
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    /// Open read-write (needed for statements such as ANALYZE or CREATE INDEX).
    #[arg(long)]
    pub write: bool,
    /// SQL statements, each run as given.
    #[arg(required = true)]
    pub sql: Vec<String>,
}

pub async fn run(args: ExplainArgs) -> Result<()> {
    ensure!(args.db.exists(), "{} does not exist", args.db.display());
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::from_str(&common::sqlite_url(&args.db))?
                .read_only(!args.write)
                .pragma("cache_size", "-65536"),
        )
        .await?;
    let version: String = sqlx::query("SELECT sqlite_version()")
        .fetch_one(&pool)
        .await?
        .try_get(0)?;
    println!("SQLite {version}, {}", args.db.display());
    for sql in &args.sql {
        println!("\n{sql}");
        let is_select = sql.trim_start().to_ascii_uppercase().starts_with("SELECT");
        if is_select {
            let plan = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                .fetch_all(&pool)
                .await?;
            for r in &plan {
                let detail: String = r.try_get(3)?;
                println!("  plan: {detail}");
            }
        }
        let runs = if is_select { args.repeat + 1 } else { 1 };
        let mut times = Vec::new();
        let mut rows = 0;
        for i in 0..runs {
            let t0 = Instant::now();
            rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(&pool)
                .await?
                .len();
            if i > 0 || !is_select {
                times.push(common::ms(t0.elapsed()));
            }
        }
        println!(
            "  {rows} rows; median {:.2} ms, max {:.2} ms over {} runs",
            median(&times),
            times.iter().copied().fold(0.0, f64::max),
            times.len()
        );
    }
    pool.close().await;
    Ok(())
}
