//! Benchmark 2: the real router (`fazhi_web::serve` on 127.0.0.1:0, in this process) over a
//! fresh SQLite database with the demo organisation, driven by `wrk` with N connections:
//!
//! - `healthz`: `GET /healthz` (one `SELECT 1`, no write) — the baseline of every round;
//! - `create`: `POST /api/v1/cases`, one hotline ticket per request (1,000 distinct bodies);
//! - `dispatch`: `POST /api/v1/cases/{id}/transitions` with `dispatch`, every request on a
//!   distinct, pre-created ticket (each wrk thread walks its own block of ids);
//! - `create-rate` (with `--rate N`): creates offered at N per second over the same connections
//!   by `oha` with latency correction — the latency at that load, where wrk's closed loop
//!   measures it at saturation (64 connections always waiting: latency = 64 / throughput).
//!
//! The client logs in once (`POST /login`) and sends the session cookie with the CSRF token from
//! a logged-in form, so no request pays for argon2 (HTTP Basic would hash on every request; the
//! optional `basic` scenario measures that). Rounds interleave the scenarios; figures are medians
//! over rounds and ratios are taken within a round.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};
use fazhi_app::FixedClock;
use fazhi_app::cases::CreateCase;
use jiff::civil::Date;
use serde_json::{Value, json};
use sqlx::Row;

use crate::common::{self, median};

#[derive(Debug, Clone, clap::Args)]
pub struct HttpArgs {
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    pub connections: u32,
    /// wrk threads (the machine has two cores, shared with the server).
    #[arg(long, default_value_t = 2)]
    pub threads: u32,
    /// Seconds per scenario per round.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Rounds (each runs every scenario once).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Upper estimate of transitions per second, to size the pre-created tickets.
    #[arg(long, default_value_t = 6_000)]
    pub rate_cap: u64,
    /// Also measure creates with HTTP Basic auth (argon2 per request), for this many seconds.
    #[arg(long, default_value_t = 0)]
    pub basic_seconds: u64,
    #[arg(long, default_value_t = common::DEFAULT_SEED)]
    pub seed: u64,
    /// "Today" of the server (fixed clock).
    #[arg(long, default_value = common::DEFAULT_END)]
    pub end: Date,
    /// Directory for the database and wrk scripts (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Scenarios to run in every round (healthz is the baseline; keep it).
    #[arg(long, value_delimiter = ',', default_value = "healthz,create,dispatch")]
    pub scenarios: Vec<String>,
    /// The wrk executable.
    #[arg(long, default_value = "wrk")]
    pub wrk: PathBuf,
    /// Also measure creates at this fixed offered rate (requests/s over `--connections`), with
    /// `oha` correcting for coordinated omission: the latency at a given load rather than at
    /// saturation (0: off).
    #[arg(long, default_value_t = 0)]
    pub rate: u32,
    /// The oha executable (`cargo install oha`), for `--rate`.
    #[arg(long, default_value = "oha")]
    pub oha: PathBuf,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// One wrk measurement.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct WrkResult {
    #[serde(default)]
    pub scenario: String,
    pub requests: u64,
    pub duration_us: u64,
    pub errors_status: u64,
    pub errors_connect: u64,
    pub errors_read: u64,
    pub errors_write: u64,
    pub errors_timeout: u64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
    #[serde(default)]
    pub rps: f64,
    /// CPU milliseconds per request: the server (this process) and wrk.
    #[serde(default)]
    pub server_cpu_ms_per_req: f64,
    #[serde(default)]
    pub wrk_cpu_ms_per_req: f64,
    /// 1-minute load average when the measurement started.
    #[serde(default)]
    pub loadavg: f64,
}

impl WrkResult {
    fn errors(&self) -> u64 {
        self.errors_status
            + self.errors_connect
            + self.errors_read
            + self.errors_write
            + self.errors_timeout
    }
}

const DONE_HOOK: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"errors_status":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"#;

/// Prints the first few failed responses (set FAZHI_BENCH_DEBUG to use it; slows wrk down).
const DEBUG_HOOK: &str = r#"
local shown = 0
response = function(status, headers, body)
  if status >= 300 and shown < 3 then
    shown = shown + 1
    io.stderr:write(status .. " " .. body .. "\n")
  end
end
"#;

/// A Lua long string that cannot be closed early by the content.
fn lua_str(s: &str) -> String {
    let mut eq = String::from("=");
    while s.contains(&format!("]{eq}]")) {
        eq.push('=');
    }
    format!("[{eq}[{s}]{eq}]")
}

fn headers_lua(cookie: &str, csrf: &str) -> String {
    format!(
        "wrk.headers[\"Cookie\"] = {}\nwrk.headers[\"X-CSRF-Token\"] = {}\nwrk.headers[\"Content-Type\"] = \"application/json\"\n",
        lua_str(cookie),
        lua_str(csrf)
    )
}

/// A wrk `request` function posting the given ticket bodies to `/api/v1/cases` in turn.
fn push_create_requests(s: &mut String, bodies: &[String]) {
    s.push_str("local bodies = {\n");
    for b in bodies {
        let _ = writeln!(s, "  {},", lua_str(b));
    }
    s.push_str(
        "}\nlocal n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(\"POST\", \"/api/v1/cases\", nil, bodies[(n % #bodies) + 1])\nend\n",
    );
}

fn create_script(cookie: &str, csrf: &str, bodies: &[String]) -> String {
    let mut s = headers_lua(cookie, csrf);
    push_create_requests(&mut s, bodies);
    s.push_str(DONE_HOOK);
    if std::env::var_os("FAZHI_BENCH_DEBUG").is_some() {
        s.push_str(DEBUG_HOOK);
    }
    s
}

/// Each wrk thread takes `block` consecutive case ids starting at `base + k * block`.
fn dispatch_script(cookie: &str, csrf: &str, base: i64, block: i64) -> String {
    let mut s = headers_lua(cookie, csrf);
    let _ = write!(
        s,
        r#"local body = '{{"transition":"dispatch","input":{{"assignee_department":"urban"}}}}'
local threads = 0
setup = function(thread)
  thread:set("first_id", {base} + threads * {block})
  thread:set("last_id", {base} + (threads + 1) * {block} - 1)
  threads = threads + 1
end
init = function(args)
  next_id = first_id
end
request = function()
  local id = next_id
  if id > last_id then id = last_id else next_id = next_id + 1 end
  return wrk.format("POST", "/api/v1/cases/" .. id .. "/transitions", nil, body)
end
"#
    );
    s.push_str(DONE_HOOK);
    s
}

fn basic_script(bodies: &[String]) -> String {
    // base64("handler:fazhi-demo-2026")
    let mut s = format!(
        "wrk.headers[\"Authorization\"] = \"Basic {}\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n",
        base64(&format!("handler:{}", fazhi_demo::DEMO_PASSWORD))
    );
    push_create_requests(&mut s, bodies);
    s.push_str(DONE_HOOK);
    s
}

fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn run_wrk(
    args: &HttpArgs,
    scenario: &str,
    url: &str,
    script: &Path,
    seconds: u64,
    connections: u32,
) -> Result<WrkResult> {
    let load = common::loadavg();
    let (cpu0, child0) = common::cpu_seconds();
    let out = tokio::process::Command::new(&args.wrk)
        .arg("-t")
        .arg(args.threads.min(connections).to_string())
        .arg("-c")
        .arg(connections.to_string())
        .arg("-d")
        .arg(format!("{seconds}s"))
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(script)
        .arg(url)
        .kill_on_drop(true)
        .output()
        .await
        .with_context(|| {
            format!(
                "cannot run {} (install it: apt-get install -y wrk)",
                args.wrk.display()
            )
        })?;
    let (cpu1, child1) = common::cpu_seconds();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if std::env::var_os("FAZHI_BENCH_DEBUG").is_some() {
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("WRKJSON "))
        .ok_or_else(|| {
            anyhow!(
                "wrk printed no result: {}{}",
                stdout,
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let mut r: WrkResult = serde_json::from_str(line)?;
    r.scenario = scenario.to_string();
    r.rps = r.requests as f64 / (r.duration_us as f64 / 1e6);
    let n = r.requests.max(1) as f64;
    r.server_cpu_ms_per_req = (cpu1 - cpu0) * 1000.0 / n;
    r.wrk_cpu_ms_per_req = (child1 - child0) * 1000.0 / n;
    r.loadavg = load;
    Ok(r)
}

/// Creates at a fixed offered rate with `oha` (`--latency-correction`: each latency is measured
/// from when the request was due, so a stall is not hidden by requests not sent meanwhile).
async fn run_oha(
    args: &HttpArgs,
    url: &str,
    cookie: &str,
    csrf: &str,
    body: &str,
) -> Result<WrkResult> {
    let load = common::loadavg();
    let (cpu0, child0) = common::cpu_seconds();
    let t0 = Instant::now();
    let out = tokio::process::Command::new(&args.oha)
        .args([
            "--no-tui",
            "--output-format",
            "json",
            "--latency-correction",
        ])
        .args(["-z", &format!("{}s", args.duration)])
        .args(["-c", &args.connections.to_string()])
        .args(["-q", &args.rate.to_string()])
        .args(["-m", "POST", "-t", "10s"])
        .args(["-H", &format!("Cookie: {cookie}")])
        .args(["-H", &format!("X-CSRF-Token: {csrf}")])
        .args(["-H", "Content-Type: application/json"])
        .args(["-d", body])
        .arg(url)
        .kill_on_drop(true)
        .output()
        .await
        .with_context(|| {
            format!(
                "cannot run {} (install it: cargo install oha)",
                args.oha.display()
            )
        })?;
    let elapsed = t0.elapsed();
    let (cpu1, child1) = common::cpu_seconds();
    ensure!(
        out.status.success(),
        "oha failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).context("oha's JSON output")?;
    let count = |key: &str| -> u64 {
        v[key]
            .as_object()
            .map(|m| m.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    };
    if let Some(kinds) = v["errorDistribution"].as_object().filter(|m| !m.is_empty()) {
        eprintln!(
            "oha: requests without a response: {}",
            Value::Object(kinds.clone())
        );
    }
    let created = v["statusCodeDistribution"]["201"].as_u64().unwrap_or(0);
    let answered = count("statusCodeDistribution");
    let failed = count("errorDistribution");
    let ms = |key: &str| v["latencyPercentiles"][key].as_f64().unwrap_or(f64::NAN) * 1e6;
    let requests = answered + failed;
    let duration_us = (v["summary"]["total"]
        .as_f64()
        .unwrap_or(elapsed.as_secs_f64())
        * 1e6) as u64;
    let n = requests.max(1) as f64;
    Ok(WrkResult {
        scenario: "create-rate".into(),
        requests,
        duration_us,
        errors_status: answered - created,
        errors_read: failed,
        p50_us: ms("p50"),
        p90_us: ms("p90"),
        p99_us: ms("p99"),
        max_us: v["summary"]["slowest"].as_f64().unwrap_or(f64::NAN) * 1e6,
        mean_us: v["summary"]["average"].as_f64().unwrap_or(f64::NAN) * 1e6,
        rps: requests as f64 / (duration_us as f64 / 1e6),
        server_cpu_ms_per_req: (cpu1 - cpu0) * 1000.0 / n,
        wrk_cpu_ms_per_req: (child1 - child0) * 1000.0 / n,
        loadavg: load,
        ..Default::default()
    })
}

/// Logs in as `login` and returns the session cookie and the session's CSRF token (read from the
/// hidden `_csrf` input of a logged-in form).
async fn login(base: &str, login: &str) -> Result<(String, String)> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    // The login form's CSRF token comes with the page (cookie and hidden field).
    let page = client.get(format!("{base}/login")).send().await?;
    let csrf_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .filter(|kv| kv.starts_with("fazhi_login_csrf="))
        })
        .map(str::to_string)
        .unwrap_or_default();
    let token = csrf_cookie
        .split_once('=')
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let res = client
        .post(format!("{base}/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", csrf_cookie)
        .body(format!(
            "login={login}&password={}&next=%2F&_csrf={token}",
            fazhi_demo::DEMO_PASSWORD
        ))
        .send()
        .await?;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .filter(|kv| kv.starts_with("fazhi_session="))
        })
        .map(str::to_string)
        .ok_or_else(|| anyhow!("login failed: status {}", res.status()))?;
    let page = client
        .get(format!(
            "{base}/cases/new?type={}",
            fazhi_demo::stream_case_type()
        ))
        .header("Cookie", &cookie)
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"_csrf\" value=\"";
    let at = page
        .find(marker)
        .ok_or_else(|| anyhow!("no _csrf input on /cases/new"))?
        + marker.len();
    let csrf = page[at..].split('"').next().unwrap_or_default().to_string();
    ensure!(!csrf.is_empty(), "empty CSRF token");
    Ok((cookie, csrf))
}

/// One request of each write through reqwest, to fail early with a readable message.
async fn smoke(base: &str, cookie: &str, csrf: &str, body: &str, case_id: i64) -> Result<()> {
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/api/v1/cases"))
        .header("Cookie", cookie)
        .header("X-CSRF-Token", csrf)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let status = r.status();
    ensure!(
        status.as_u16() == 201,
        "POST /api/v1/cases: {status} {}",
        r.text().await?
    );
    let r = client
        .post(format!("{base}/api/v1/cases/{case_id}/transitions"))
        .header("Cookie", cookie)
        .header("X-CSRF-Token", csrf)
        .header("Content-Type", "application/json")
        .body(r#"{"transition":"dispatch","input":{"assignee_department":"urban"}}"#)
        .send()
        .await?;
    let status = r.status();
    ensure!(
        status.as_u16() == 200,
        "POST /api/v1/cases/{case_id}/transitions: {status} {}",
        r.text().await?
    );
    Ok(())
}

fn body_of(req: &CreateCase) -> String {
    json!({ "case_type": req.case_type, "unit_code": req.unit_code, "input": req.input })
        .to_string()
}

pub async fn run(args: HttpArgs) -> Result<()> {
    ensure!(
        args.runs > 0 && args.duration > 0 && args.connections > 0,
        "runs, duration and connections must be > 0"
    );
    let parent = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent)?;
    let dir = tempfile::Builder::new()
        .prefix("fazhi-bench-http-")
        .tempdir_in(&parent)?;
    let db_path = dir.path().join("http.db");
    let clock = Arc::new(FixedClock::at(args.end));
    let db = common::open_store(&db_path, true).await?;
    let app = common::app_over(db, clock.clone());
    common::load_org(&app, &common::demo_org(args.seed, args.end)).await?;
    // load_demo runs on its own clock; ours stays at `end`.
    let handler = common::actor(&app, "handler").await?;

    // Tickets to dispatch: one per request, for every round, plus one for the smoke test.
    let threads = i64::from(args.threads.min(args.connections));
    let block = (args.duration * args.rate_cap).div_ceil(threads as u64) as i64;
    let needed = block * threads * args.runs as i64 + 1;
    let t0 = Instant::now();
    let start = common::window_start(args.end);
    let mut tickets = fazhi_demo::generate_tickets(args.seed, needed as u64, start, args.end);
    let mut first_id = None;
    let mut made = 0i64;
    while made < needed {
        let reqs: Vec<CreateCase> = tickets
            .by_ref()
            .take(5_000)
            .map(|t| common::create_request(&t, false))
            .collect();
        ensure!(!reqs.is_empty(), "ticket stream ended early");
        let outs = app
            .create_cases_bulk(&handler, &reqs)
            .await
            .map_err(|(i, e)| anyhow!("pre-create ticket {i}: {}", common::app_err(e)))?;
        first_id.get_or_insert(outs[0].case_id.0);
        made += outs.len() as i64;
    }
    let first_id = first_id.unwrap_or(1);
    eprintln!(
        "pre-created {made} tickets (ids {first_id}..{}) in {:.1} s",
        first_id + made - 1,
        t0.elapsed().as_secs_f64()
    );
    let bodies: Vec<String> = fazhi_demo::generate_tickets(args.seed, 1_000, start, args.end)
        .map(|t| body_of(&common::create_request(&t, false)))
        .collect();

    let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let server = tokio::spawn(fazhi_web::serve(
        app.clone(),
        fazhi_web::WebConfig {
            secure_cookies: false,
            setup_token: None,
            trusted_proxies: Vec::new(),
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
        move |addr| {
            let _ = tx.send(addr);
        },
    ));
    let addr = tokio::time::timeout(Duration::from_secs(10), rx)
        .await
        .context("server did not start")??;
    let base = format!("http://{addr}");
    let (cookie, csrf) = login(&base, "handler").await?;
    let smoke_id = first_id + made - 1;
    smoke(&base, &cookie, &csrf, &bodies[0], smoke_id).await?;
    eprintln!("server on {base}; logged in as handler; smoke test passed");

    let healthz = dir.path().join("healthz.lua");
    std::fs::write(&healthz, DONE_HOOK)?;
    let create = dir.path().join("create.lua");
    std::fs::write(&create, create_script(&cookie, &csrf, &bodies))?;

    let mut rounds: Vec<Vec<WrkResult>> = Vec::new();
    let mut dispatched_ok = 0u64;
    for r in 0..args.runs {
        let dispatch = dir.path().join(format!("dispatch{r}.lua"));
        let base_id = first_id + r as i64 * block * threads;
        std::fs::write(&dispatch, dispatch_script(&cookie, &csrf, base_id, block))?;
        let mut round = Vec::new();
        for (name, url, script) in [
            ("healthz", format!("{base}/healthz"), &healthz),
            ("create", base.clone(), &create),
            ("dispatch", base.clone(), &dispatch),
        ] {
            if !args.scenarios.iter().any(|s| s == name) {
                continue;
            }
            let res = run_wrk(&args, name, &url, script, args.duration, args.connections).await?;
            eprintln!(
                "round {}/{} {:<8} {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  errors {}  cpu/req server {:.3} ms wrk {:.3} ms  load {:.1}",
                r + 1,
                args.runs,
                name,
                res.rps,
                res.p50_us / 1000.0,
                res.p99_us / 1000.0,
                res.max_us / 1000.0,
                res.errors(),
                res.server_cpu_ms_per_req,
                res.wrk_cpu_ms_per_req,
                res.loadavg
            );
            if name == "dispatch" {
                ensure!(
                    res.requests <= (block * threads) as u64,
                    "dispatch ran out of prepared tickets ({} requests > {}): raise --rate-cap",
                    res.requests,
                    block * threads
                );
                dispatched_ok += res.requests - res.errors_status;
            }
            round.push(res);
        }
        if args.rate > 0 {
            let url = format!("{base}/api/v1/cases");
            let res = run_oha(&args, &url, &cookie, &csrf, &bodies[r % bodies.len()]).await?;
            eprintln!(
                "round {}/{} create at {}/s offered: {:>8.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  errors {}  cpu/req server {:.3} ms oha {:.3} ms  load {:.1}",
                r + 1,
                args.runs,
                args.rate,
                res.rps,
                res.p50_us / 1000.0,
                res.p90_us / 1000.0,
                res.p99_us / 1000.0,
                res.max_us / 1000.0,
                res.errors(),
                res.server_cpu_ms_per_req,
                res.wrk_cpu_ms_per_req,
                res.loadavg
            );
            round.push(res);
        }
        rounds.push(round);
    }
    let mut basic = None;
    if args.basic_seconds > 0 {
        let script = dir.path().join("basic.lua");
        std::fs::write(&script, basic_script(&bodies))?;
        let res = run_wrk(
            &args,
            "create-basic",
            &base,
            &script,
            args.basic_seconds,
            args.connections,
        )
        .await?;
        eprintln!(
            "create with HTTP Basic: {:.0} req/s  p50 {:.1} ms  p99 {:.1} ms  errors {}",
            res.rps,
            res.p50_us / 1000.0,
            res.p99_us / 1000.0,
            res.errors()
        );
        basic = Some(res);
    }
    server.abort();
    let _ = server.await;

    // Every successful dispatch is a dispatched case with its event and audit entry.
    let dispatched: i64 = sqlx::query("SELECT COUNT(*) FROM cases WHERE state = 'dispatched'")
        .fetch_one(app.db.pool())
        .await?
        .try_get(0)?;
    ensure!(
        dispatched as u64 >= dispatched_ok,
        "{dispatched} dispatched cases but wrk counted {dispatched_ok} successful dispatches"
    );
    let entries = fazhi_store::verify_chain(&app.db)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .map_err(|p| anyhow!("audit chain broken at {}: {}", p.id, p.reason))?;
    eprintln!("audit chain verified: {entries} entries; {dispatched} dispatched cases");
    app.db.close().await;

    report(&args, &rounds, basic.as_ref())
}

fn report(args: &HttpArgs, rounds: &[Vec<WrkResult>], basic: Option<&WrkResult>) -> Result<()> {
    let pick = |name: &str| -> Vec<&WrkResult> {
        rounds
            .iter()
            .filter_map(|r| r.iter().find(|x| x.scenario == name))
            .collect()
    };
    println!();
    println!(
        "## http: {} connections, {} wrk threads, {} s per scenario, {} rounds",
        args.connections,
        args.threads,
        args.duration,
        rounds.len()
    );
    println!(
        "| scenario | req/s (median) | p50 ms | p99 ms | ratio to /healthz | server CPU ms/req | errors | target |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut summary = Vec::new();
    for name in ["healthz", "create", "dispatch", "create-rate"] {
        let rs = pick(name);
        if rs.is_empty() {
            continue;
        }
        let rps = median(&rs.iter().map(|r| r.rps).collect::<Vec<_>>());
        let p50 = median(&rs.iter().map(|r| r.p50_us / 1000.0).collect::<Vec<_>>());
        let p99 = median(&rs.iter().map(|r| r.p99_us / 1000.0).collect::<Vec<_>>());
        let ratio = median(
            &rounds
                .iter()
                .filter_map(|r| {
                    let x = r.iter().find(|x| x.scenario == name)?;
                    let h = r.iter().find(|x| x.scenario == "healthz")?;
                    Some(x.rps / h.rps)
                })
                .collect::<Vec<_>>(),
        );
        let errors: u64 = rs.iter().map(|r| r.errors()).sum();
        let cpu = median(
            &rs.iter()
                .map(|r| r.server_cpu_ms_per_req)
                .collect::<Vec<_>>(),
        );
        let target = if name == "healthz" {
            "baseline".to_string()
        } else if name == "create-rate" {
            format!(
                "{} req/s offered: {}; p99 ≤ 20 ms: {}",
                args.rate,
                common::mark(rps >= 0.98 * f64::from(args.rate)),
                common::mark(p99 <= 20.0)
            )
        } else {
            format!(
                "≥ 3,000/s: {}; p99 ≤ 20 ms: {}",
                common::mark(rps >= 3000.0),
                common::mark(p99 <= 20.0)
            )
        };
        println!(
            "| {name} | {rps:.0} | {p50:.2} | {p99:.2} | {ratio:.3} | {cpu:.3} | {errors} | {target} |"
        );
        summary.push(json!({"scenario": name, "rps": rps, "p50_ms": p50, "p99_ms": p99, "ratio_to_healthz": ratio, "server_cpu_ms_per_req": cpu, "errors": errors}));
    }
    if let Some(b) = basic {
        println!(
            "| create (HTTP Basic, argon2 per request) | {:.0} | {:.2} | {:.2} | | {:.3} | {} | informative |",
            b.rps,
            b.p50_us / 1000.0,
            b.p99_us / 1000.0,
            b.server_cpu_ms_per_req,
            b.errors()
        );
    }
    let all: Vec<Value> = rounds
        .iter()
        .flatten()
        .map(|r| serde_json::to_value(r).unwrap_or_default())
        .collect();
    common::write_json(
        args.out.as_deref(),
        &json!({
            "benchmark": "http",
            "connections": args.connections,
            "threads": args.threads,
            "duration_s": args.duration,
            "rate": args.rate,
            "rounds": all,
            "summary": summary,
            "basic": basic,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(""), "");
        assert_eq!(base64("f"), "Zg==");
        assert_eq!(base64("fo"), "Zm8=");
        assert_eq!(base64("foo"), "Zm9v");
        assert_eq!(base64("foobar"), "Zm9vYmFy");
    }

    #[test]
    fn lua_long_strings_cannot_be_closed_by_content() {
        assert_eq!(lua_str("a"), "[=[a]=]");
        assert_eq!(lua_str("x]=]y"), "[==[x]=]y]==]");
    }
}
