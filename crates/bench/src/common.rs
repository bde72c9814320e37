//! Shared set-up: databases, the demo organisation, actors, ticket inputs, statistics.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use fazhi_app::cases::CreateCase;
use fazhi_app::{Actor, App, AppError, FixedClock};
use fazhi_demo::DemoStreet;
use fazhi_store::{ConnectOptions, Db};
use fazhi_workflow::{Registry, WorkflowConfig};
use jiff::civil::Date;

/// Seed of the demo street and of the ticket stream.
pub const DEFAULT_SEED: u64 = 20_260_630;
/// Last day of the generated year (inside the official calendar data, 2020–2026).
pub const DEFAULT_END: &str = "2026-06-30";

/// Maps application errors to anyhow with their field/guard messages.
pub fn app_err(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(p) => anyhow!(
            "invalid: {}",
            p.iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        AppError::Refused(r) => anyhow!(
            "refused: {}",
            r.iter()
                .map(|r| format!("{}: {}", r.code, r.message_zh))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow!("{other}"),
    }
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Opens (creating if needed) and migrates an SQLite database through the store, exactly as the
/// `fazhi` binary does.
pub async fn open_store(path: &Path, create: bool) -> Result<Db> {
    let db = Db::connect(
        &sqlite_url(path),
        ConnectOptions {
            create_if_missing: create,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow!("{e}"))?;
    db.migrate().await.map_err(|e| anyhow!("{e}"))?;
    Ok(db)
}

/// The application over `db` with a fixed clock (embedded case types and configuration).
pub fn app_over(db: Db, clock: Arc<FixedClock>) -> App {
    App::new(db, Registry::embedded(), WorkflowConfig::embedded(), clock)
}

/// The demo street's organisation only (units, departments, users, officers, certificates).
pub fn demo_org(seed: u64, end: Date) -> DemoStreet {
    let mut street = fazhi_demo::generate(seed, end);
    street.cases.clear();
    street
}

/// Loads the demo organisation through the services (`load_demo` with no case scripts).
pub async fn load_org(app: &App, street: &DemoStreet) -> Result<()> {
    let s = fazhi_app::demo::load_demo(app, street)
        .await
        .map_err(app_err)?;
    anyhow::ensure!(s.cases == 0 && s.users > 0, "unexpected demo summary {s:?}");
    Ok(())
}

pub async fn actor(app: &App, login: &str) -> Result<Actor> {
    let u = fazhi_store::org::user_by_login(&app.db, login)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .with_context(|| format!("no user {login}"))?;
    app.actor_for(&u).await.map_err(app_err)
}

/// The first day of the ticket window: one year before `end`, plus one day.
pub fn window_start(end: Date) -> Date {
    end.checked_sub(jiff::Span::new().years(1))
        .and_then(|d| d.tomorrow())
        .unwrap_or(end)
}

/// The create request of a generated ticket script: its first step's input, its grid, its date.
pub fn create_request(t: &fazhi_demo::DemoCase, with_date: bool) -> CreateCase {
    let first = &t.steps[0];
    debug_assert_eq!(first.transition, "create");
    CreateCase {
        case_type: t.case_type.clone(),
        transition: None,
        unit_code: Some(t.unit.clone()),
        on: with_date.then(|| first.on.to_string()),
        on_reason: with_date.then(|| "补录历史记录".into()),
        input: first.input.clone(),
    }
}

/// Removes an SQLite file with its WAL and shared-memory files.
pub fn remove_sqlite(path: &Path) {
    for p in [
        path.to_path_buf(),
        with_suffix(path, "-wal"),
        with_suffix(path, "-shm"),
    ] {
        let _ = std::fs::remove_file(p);
    }
}

pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Size of an SQLite database including its WAL, in bytes.
pub fn sqlite_size(path: &Path) -> u64 {
    [path.to_path_buf(), with_suffix(path, "-wal")]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// A wall-clock budget every loop checks.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    start: Instant,
    limit: Duration,
}

impl Budget {
    pub fn new(limit: Duration) -> Budget {
        Budget {
            start: Instant::now(),
            limit,
        }
    }
    pub fn exhausted(&self) -> bool {
        self.start.elapsed() >= self.limit
    }
}

/// CPU seconds used so far by this process (user + system) and by its waited-for children,
/// from `/proc/self/stat` (Linux; zeros elsewhere).
pub fn cpu_seconds() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return (0.0, 0.0);
    };
    // Fields after the parenthesised command name: state is field 3; utime, stime, cutime,
    // cstime are fields 14–17.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let get = |i: usize| f.get(i - 3).copied().unwrap_or(0.0);
    // Clock ticks are 100 per second on Linux.
    ((get(14) + get(15)) / 100.0, (get(16) + get(17)) / 100.0)
}

/// The 1-minute load average, to record how busy the shared machine was.
pub fn loadavg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// Nearest-rank percentile of unsorted samples (`p` in 0..=100).
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

pub fn median(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// Writes a JSON result next to the human-readable output when asked.
pub fn write_json(out: Option<&Path>, value: &serde_json::Value) -> Result<()> {
    if let Some(path) = out {
        std::fs::write(path, serde_json::to_string_pretty(value)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("results written to {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn window_is_one_year() {
        let end = jiff::civil::date(2026, 6, 30);
        assert_eq!(window_start(end), jiff::civil::date(2025, 7, 1));
    }
}
