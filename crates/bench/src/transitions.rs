//! Benchmark: transitions per second through the service layer (`App::transition`: access
//! check, workflow plan with guards, clocks, one transaction with the case update, the event,
//! the clocks, the facts and a hash-chained audit entry, persisted to SQLite), against
//! SpiffWorkflow running the same 12345 ticket process in memory (`crates/bench/spiff_reference.py`),
//! in the same run.
//!
//! Per run: a fresh SQLite file gets the demo organisation and `--tickets` generated ticket
//! scripts' create steps (bulk, untimed). Then `--concurrency` tasks take tickets from a shared
//! counter and replay each ticket's later steps in order (dispatch, return, accept, extensions,
//! reply, revisit, reopen — whatever its script holds), timed. The reference run follows, in the
//! same run, with as many tickets. Figures are medians over runs; every loop is bounded in count
//! and time.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};
use fazhi_app::cases::{CreateCase, TakeTransition};
use fazhi_app::{Actor, FixedClock};
use fazhi_domain::CaseId;
use jiff::civil::Date;

use crate::common::{self, Budget, median};

#[derive(Debug, Clone, clap::Args)]
pub struct TransitionArgs {
    /// Tickets per run (each replays its whole script after the create step).
    #[arg(long, default_value_t = 5_000)]
    pub tickets: u64,
    /// Concurrent tasks applying transitions.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Independent runs (fresh files each); figures are medians over runs.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    #[arg(long, default_value_t = common::DEFAULT_SEED)]
    pub seed: u64,
    #[arg(long, default_value = common::DEFAULT_END)]
    pub end: Date,
    /// Directory for the database files (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The reference: a command that runs SpiffWorkflow and prints JSON with
    /// `transitions_per_s` (`--tickets N` is appended). Empty to skip.
    #[arg(
        long,
        default_value = "python3 crates/bench/spiff_reference.py --reopen-every 10"
    )]
    pub reference: String,
    /// Wall-clock budget per run in seconds.
    #[arg(long, default_value_t = 600)]
    pub max_seconds: u64,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunResult {
    pub tickets: u64,
    pub transitions: u64,
    pub service_s: f64,
    pub service_per_s: f64,
    pub service_cpu_us_per_transition: f64,
    pub reference_transitions: u64,
    pub reference_s: f64,
    pub reference_per_s: f64,
    pub ratio: f64,
    pub loadavg_start: f64,
}

pub async fn run(args: TransitionArgs) -> Result<()> {
    ensure!(args.runs > 0 && args.tickets > 0 && args.concurrency > 0);
    let dir = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    let mut results = Vec::new();
    for r in 0..args.runs {
        let res = one_run(&args, &dir).await?;
        eprintln!(
            "run {}: {} transitions in {:.2} s = {:.0}/s (service), reference {:.0}/s, ratio {:.2}",
            r + 1,
            res.transitions,
            res.service_s,
            res.service_per_s,
            res.reference_per_s,
            res.ratio
        );
        results.push(res);
    }
    let med = |f: fn(&RunResult) -> f64| median(&results.iter().map(f).collect::<Vec<_>>());
    let summary = serde_json::json!({
        "tickets": args.tickets,
        "concurrency": args.concurrency,
        "runs": results,
        "median_service_per_s": med(|r| r.service_per_s),
        "median_reference_per_s": med(|r| r.reference_per_s),
        "median_ratio": med(|r| r.ratio),
        "median_service_cpu_us_per_transition": med(|r| r.service_cpu_us_per_transition),
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    if let Some(out) = &args.out {
        std::fs::write(out, serde_json::to_string_pretty(&summary)?)?;
    }
    Ok(())
}

struct Job {
    id: CaseId,
    steps: Vec<fazhi_demo::DemoStep>,
}

async fn one_run(args: &TransitionArgs, dir: &std::path::Path) -> Result<RunResult> {
    let budget = Budget::new(Duration::from_secs(args.max_seconds));
    let loadavg_start = common::loadavg();
    let path = dir.join("transitions.db");
    common::remove_sqlite(&path);
    let start = common::window_start(args.end);
    let clock = Arc::new(FixedClock::at(args.end));
    let db = common::open_store(&path, true).await?;
    let app = Arc::new(common::app_over(db, clock.clone()));
    common::load_org(&app, &common::demo_org(args.seed, args.end)).await?;

    // Create every ticket (untimed), keeping the rest of its script.
    let scripts: Vec<_> =
        fazhi_demo::generate_tickets(args.seed, args.tickets, start, args.end).collect();
    let creator = common::actor(&app, &scripts[0].steps[0].actor).await?;
    let mut jobs = Vec::with_capacity(scripts.len());
    for chunk in scripts.chunks(1_000) {
        let reqs: Vec<CreateCase> = chunk
            .iter()
            .map(|t| common::create_request(t, true))
            .collect();
        let outs = app
            .create_cases_bulk(&creator, &reqs)
            .await
            .map_err(|(i, e)| anyhow!("ticket {i} of a batch: {}", common::app_err(e)))?;
        for (t, o) in chunk.iter().zip(outs) {
            jobs.push(Job {
                id: o.case_id,
                steps: t.steps[1..].to_vec(),
            });
        }
    }
    let mut actors: HashMap<String, Actor> = HashMap::new();
    for j in &jobs {
        for s in &j.steps {
            if !actors.contains_key(&s.actor) {
                actors.insert(s.actor.clone(), common::actor(&app, &s.actor).await?);
            }
        }
    }
    let actors = Arc::new(actors);
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let c0 = common::cpu_seconds().0;
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (app, jobs, next, actors) = (app.clone(), jobs.clone(), next.clone(), actors.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            loop {
                if budget.exhausted() {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                for s in &job.steps {
                    let actor = actors.get(&s.actor).context("actor")?;
                    app.transition(
                        actor,
                        job.id,
                        &TakeTransition {
                            transition: s.transition.clone(),
                            on: Some(s.on.to_string()),
                            on_reason: Some("补录历史记录".into()),
                            version: None,
                            input: s.input.clone(),
                        },
                    )
                    .await
                    .map_err(|e| {
                        anyhow!("case {} {}: {}", job.id.0, s.transition, common::app_err(e))
                    })?;
                    done += 1;
                }
            }
            anyhow::Ok(done)
        }));
    }
    let mut transitions = 0;
    for t in tasks {
        transitions += t.await??;
    }
    let service_s = t0.elapsed().as_secs_f64();
    let cpu = common::cpu_seconds().0 - c0;
    ensure!(transitions > 0, "no transition was applied");
    let verified = fazhi_store::audit::verify_chain(&app.db)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    ensure!(verified.is_ok(), "audit chain broken: {verified:?}");
    drop(app);
    common::remove_sqlite(&path);

    let mut res = RunResult {
        tickets: jobs.len() as u64,
        transitions,
        service_s,
        service_per_s: transitions as f64 / service_s,
        service_cpu_us_per_transition: cpu * 1e6 / transitions as f64,
        loadavg_start,
        ..RunResult::default()
    };
    if !args.reference.trim().is_empty() {
        let mut parts = args.reference.split_whitespace();
        let prog = parts.next().unwrap_or("python3");
        let out = std::process::Command::new(prog)
            .args(parts)
            .arg("--tickets")
            .arg(args.tickets.to_string())
            .output()
            .with_context(|| format!("running the reference `{}`", args.reference))?;
        ensure!(
            out.status.success(),
            "reference failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .with_context(|| String::from_utf8_lossy(&out.stdout).into_owned())?;
        res.reference_transitions = v["transitions"].as_u64().unwrap_or(0);
        res.reference_s = v["seconds"].as_f64().unwrap_or(f64::NAN);
        res.reference_per_s = v["transitions_per_s"].as_f64().unwrap_or(f64::NAN);
        res.ratio = res.service_per_s / res.reference_per_s;
    }
    Ok(res)
}
