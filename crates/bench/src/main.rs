//! `fazhi-bench`: the platform-core performance benchmarks (see `docs/benchmarks.md`).
//!
//! - `create`: bulk creation of hotline tickets through `App::create_cases_bulk`, against a plain
//!   sqlx insert of the same rows into another fresh file.
//! - `import`: a CSV file of grid events through `App::import_cases`, against the same rows
//!   through `App::create_cases_bulk`.
//! - `http`: the real router on loopback under `wrk`: single creates and transitions, against
//!   `GET /healthz` on the same server.
//! - `transitions`: ticket scripts replayed through `App::transition` (persisted, audited), against
//!   SpiffWorkflow running the same process in memory (`spiff_reference.py`).
//! - `list`: `App::list_cases` with realistic filters over 1 M cases, against a bare primary-key
//!   page on the same file.
//!
//! Every loop is bounded in count and in time; baselines are measured in the same run,
//! interleaved with the measured operation, because the machine is small and shared.

mod common;
mod create;
mod explain;
mod http;
mod import;
mod indicators;
mod list;
mod transitions;

use clap::{Parser, Subcommand};

/// Many small, short-lived allocations per request (rows, JSON, SQL arguments): mimalloc
/// serves them from per-thread pages (docs/benchmarks.md, "HTTP writes on loopback").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "fazhi-bench",
    about = "Fazhi platform-core benchmarks",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Bulk creation through the service layer vs a plain sqlx insert of the same rows.
    Create(create::CreateArgs),
    /// Import of a CSV file through the service layer vs bulk create of the same rows.
    Import(import::ImportArgs),
    /// HTTP write path (create, transition) vs GET /healthz, driven by wrk.
    Http(http::HttpArgs),
    /// Filtered, scoped list pages over a large database vs a bare primary-key page.
    List(list::ListArgs),
    /// Every indicator of an annual report over a large database vs DuckDB on the same rows.
    Indicators(indicators::IndicatorArgs),
    /// Transitions through the service layer (persisted, audited) vs SpiffWorkflow in memory.
    Transitions(transitions::TransitionArgs),
    /// Query plans and timings of SQL statements with the linked SQLite (diagnostics).
    Explain(explain::ExplainArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The servers under test log their warnings and errors (an HTTP 500, a failed group commit)
    // to stderr; RUST_LOG overrides the level.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async move {
        match cli.command {
            Command::Create(a) => create::run(a).await,
            Command::Http(a) => http::run(a).await,
            Command::Import(a) => import::run(a).await,
            Command::List(a) => list::run(a).await,
            Command::Indicators(a) => indicators::run(a).await,
            Command::Explain(a) => explain::run(a).await,
            Command::Transitions(a) => transitions::run(a).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
