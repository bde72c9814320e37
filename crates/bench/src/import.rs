//! Benchmark: import of grid events from a CSV file through `App::import_cases` (read, columns
//! by label, values as clerks type them, the same preparation as a create, one audited
//! transaction), against the same rows through `App::create_cases_bulk` (one transaction).
//!
//! Per run, two fresh SQLite files with the demo organisation loaded through the services; the
//! order of the two sides alternates between runs so that noise from other tenants of the
//! machine hits both alike. The rows are generated once: the CSV text for the import, and the
//! equivalent create requests (already parsed) for bulk create. Figures are medians over runs;
//! the ratio is bulk time / import time (import throughput as a share of bulk create's).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, anyhow, ensure};
use fazhi_app::FixedClock;
use fazhi_app::cases::CreateCase;
use jiff::civil::Date;
use serde_json::json;

use crate::common::{self, median};

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Rows of the file (and of the bulk create).
    #[arg(long, default_value_t = 100_000)]
    pub rows: usize,
    /// Independent runs (fresh files each); figures are medians over runs.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    #[arg(long, default_value_t = common::DEFAULT_SEED)]
    pub seed: u64,
    /// Last day of the window the events were discovered in (one year).
    #[arg(long, default_value = common::DEFAULT_END)]
    pub end: Date,
    /// Directory for the database files (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

const CATEGORIES: [&str; 7] = [
    "矛盾纠纷",
    "安全隐患",
    "违法建设",
    "市容环境",
    "劳资纠纷",
    "民生服务",
    "其他",
];

/// The rows: (category, discovered on, address, content), deterministic in `seed`.
fn rows(n: usize, seed: u64, end: Date) -> Vec<(String, Date, String, String)> {
    let start = common::window_start(end);
    let days = (end - start).get_days().max(1) as u64;
    let mut x = seed.max(1);
    (0..n)
        .map(|i| {
            // xorshift64: cheap, deterministic.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let on = start
                .checked_add(jiff::Span::new().days((x % days) as i64))
                .unwrap_or(start);
            (
                CATEGORIES[(x >> 8) as usize % CATEGORIES.len()].to_string(),
                on,
                format!("望湖小区{}栋", (x >> 16) % 40 + 1),
                format!("网格员巡查发现第{i}号事件，已现场登记，待处置"),
            )
        })
        .collect()
}

/// The CSV a clerk would bring: dates as 2026/3/5.
fn csv_text(rows: &[(String, Date, String, String)]) -> Vec<u8> {
    let mut s = String::from("事件类别,发现日期,事发地点,事件描述,受理日期\n");
    for (c, on, a, t) in rows {
        let d = format!("{}/{}/{}", on.year(), on.month(), on.day());
        s.push_str(&format!("{c},{d},{a},{t},{d}\n"));
    }
    s.into_bytes()
}

fn requests(rows: &[(String, Date, String, String)]) -> Vec<CreateCase> {
    rows.iter()
        .map(|(c, on, a, t)| CreateCase {
            case_type: "grid_event".into(),
            unit_code: None,
            on: Some(on.to_string()),
            on_reason: Some("补录历史记录".into()),
            transition: None,
            input: json!({ "category": c, "discovered_on": on.to_string(), "address": a, "content": t })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        })
        .collect()
}

pub async fn run(a: ImportArgs) -> Result<()> {
    ensure!(
        a.rows > 0 && a.runs > 0,
        "--rows and --runs must be positive"
    );
    let dir = a.dir.clone().unwrap_or_else(std::env::temp_dir);
    let data = rows(a.rows, a.seed, a.end);
    let csv = csv_text(&data);
    let reqs = requests(&data);
    let street = common::demo_org(a.seed, a.end);
    let clock = Arc::new(FixedClock::at(a.end));
    let mut import_s = Vec::new();
    let mut bulk_s = Vec::new();
    for run in 0..a.runs {
        for side in [run % 2, 1 - run % 2] {
            let path = dir.join(format!(
                "fazhi-bench-import-{}-{side}.db",
                std::process::id()
            ));
            common::remove_sqlite(&path);
            let db = common::open_store(&path, true).await?;
            let app = common::app_over(db.clone(), clock.clone());
            common::load_org(&app, &street).await?;
            let actor = common::actor(&app, "admin").await?;
            let started = Instant::now();
            if side == 0 {
                let s = app
                    .import_cases(&actor, "grid_event", "bench.csv", &csv, false, &|_| {})
                    .await
                    .map_err(|e| anyhow!("import: {e}"))?;
                ensure!(s.rows == a.rows, "imported {} rows", s.rows);
                import_s.push(started.elapsed().as_secs_f64());
            } else {
                let out = app
                    .create_cases_bulk(&actor, &reqs)
                    .await
                    .map_err(|(i, e)| anyhow!("bulk create, row {i}: {e}"))?;
                ensure!(out.len() == a.rows, "created {} rows", out.len());
                bulk_s.push(started.elapsed().as_secs_f64());
            }
            db.close().await;
            common::remove_sqlite(&path);
            eprintln!(
                "run {}: {} {:.2} s",
                run + 1,
                if side == 0 { "import" } else { "bulk create" },
                if side == 0 {
                    import_s.last().copied().unwrap_or(0.0)
                } else {
                    bulk_s.last().copied().unwrap_or(0.0)
                }
            );
        }
    }
    let mi = median(&import_s);
    let mb = median(&bulk_s);
    let ratio = mb / mi;
    println!(
        "import of {} grid events (CSV, {} runs): median {:.2} s ({:.0} rows/s); bulk create of the same rows: median {:.2} s ({:.0} rows/s); ratio import/bulk throughput {:.2} (target ≥ 0.5) {}",
        a.rows,
        a.runs,
        mi,
        a.rows as f64 / mi,
        mb,
        a.rows as f64 / mb,
        ratio,
        common::mark(ratio >= 0.5)
    );
    common::write_json(
        a.json.as_deref(),
        &json!({
            "rows": a.rows, "runs": a.runs,
            "import_s": import_s, "bulk_s": bulk_s,
            "import_median_s": mi, "bulk_median_s": mb, "ratio": ratio,
        }),
    )
}
