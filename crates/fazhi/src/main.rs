//! `fazhi`: one binary — web app, demo, migrations, backup, users, checks.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use fazhi_app::{Actor, App, AppError, SystemClock};
use fazhi_indicators::Catalog;
use fazhi_store::{ConnectOptions, Db};
use fazhi_workflow::{Registry, WorkflowConfig};
use workflow_cmd::WorkflowCommand;

mod document_cmd;
mod workflow_cmd;

/// Many small, short-lived allocations per request (rows, JSON, SQL arguments): mimalloc
/// serves them from per-thread pages (docs/benchmarks.md, "HTTP writes on loopback").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "fazhi",
    version,
    about = "法治政府建设工作平台 — 案件办理、法定期限、执法公示与年度报告"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// sqlite://PATH or postgres://USER@HOST/DB
    #[arg(long, env = "FAZHI_DATABASE_URL")]
    database_url: String,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Folder with case-type overrides (*.toml) and configuration (hotline_limits.toml, …).
    #[arg(long, env = "FAZHI_CONFIG_DIR")]
    config: Option<PathBuf>,
    /// Mark session cookies Secure (serve behind HTTPS).
    #[arg(long, env = "FAZHI_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Address of a reverse proxy in front of the server (repeatable; comma-separated in the
    /// environment). Requests from it are throttled and audited by the client address it puts
    /// in X-Forwarded-For; without it every client counts as the proxy.
    #[arg(
        long = "trusted-proxy",
        env = "FAZHI_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app on an embedded SQLite database with a demo street (created on first run).
    Demo {
        /// Data folder (created if missing; reused on later runs).
        #[arg(long, default_value = "fazhi-data")]
        data: PathBuf,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Load the demo and exit without serving (for scripts and tests).
        #[arg(long)]
        no_serve: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Run the web app.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Apply the embedded migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
        /// Create the SQLite file if it does not exist.
        #[arg(long)]
        create: bool,
    },
    /// First run on an empty database: the top unit, the first administrator and the case types
    /// the unit runs (the password from FAZHI_PASSWORD or the first line of stdin). Running it
    /// again with the same unit and administrator changes nothing; any other database that
    /// already has units is refused.
    Init(InitArgs),
    /// Organisation data: units, grids, departments, users and officers from an Excel workbook.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Import cases of one type from an Excel workbook (.xlsx) or a CSV file (UTF-8 or GB18030):
    /// columns by their Chinese labels, every problem by row and column, all or nothing.
    Import {
        /// The case type's code (see `fazhi workflow list`).
        #[arg(long = "type")]
        case_type: String,
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// Check the file and show what would be written, without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the import template (.xlsx) of a case type.
    ImportTemplate {
        #[arg(long = "type")]
        case_type: String,
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
    },
    /// Write a consistent online copy of an SQLite database.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// Destination file (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check that a running server answers (exit code 0 when healthy).
    Healthcheck {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Case-type definitions.
    Workflow {
        #[command(subcommand)]
        command: WorkflowCommand,
    },
    /// The hash-chained audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The official working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Annual reports on rule-of-law government construction.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Case documents (文书) from the case types' templates.
    Document {
        #[command(subcommand)]
        command: document_cmd::DocumentCommand,
    },
}

#[derive(Args)]
struct InitArgs {
    /// sqlite://PATH (created if missing) or postgres://USER@HOST/DB
    #[arg(long, env = "FAZHI_DATABASE_URL")]
    database_url: String,
    /// The top unit's name, e.g. 望江街道办事处.
    #[arg(long)]
    unit_name: String,
    /// 区, 街道 or 镇.
    #[arg(long)]
    level: String,
    /// Administrative division code of the top unit (6, 9 or 12 digits); its unit code.
    #[arg(long)]
    division_code: String,
    /// Two-digit province code for the calendar overlay (default: the division code's first two).
    #[arg(long)]
    province: Option<String>,
    /// Login of the first administrator.
    #[arg(long)]
    admin_login: String,
    /// Name shown for the first administrator.
    #[arg(long, default_value = "系统管理员")]
    admin_name: String,
    /// Case types the unit runs, comma-separated codes (default: every case type).
    #[arg(long, value_delimiter = ',')]
    case_types: Vec<String>,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Import a workbook (the template comes from `fazhi org template`): all or nothing,
    /// diagnostics name sheet, row and column.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// Check the workbook and say what would be created, without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the empty import template (.xlsx).
    Template {
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Read a published report (text, HTML or DOCX; UTF-8 or GB18030) into sections and figures.
    Extract {
        file: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Store published reports against their unit and year for comparison (one line per file;
    /// a refused file writes nothing; the exit code is non-zero when any file was refused).
    Import {
        /// Report files (text, HTML or DOCX; UTF-8 or GB18030).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
        /// The reporting unit, when the reports do not name it (or name it differently).
        #[arg(long)]
        unit: Option<String>,
        /// The year reported on, when the reports do not say it.
        #[arg(long)]
        year: Option<i32>,
    },
    /// Render a unit's annual report (from its saved draft, or the standard template) with the
    /// figures computed from the records (or frozen at publication).
    Render {
        /// Database with the records (not needed with --demo).
        #[arg(long, env = "FAZHI_DATABASE_URL")]
        database_url: Option<String>,
        /// Folder with case-type, configuration and indicator overrides (as for `serve`).
        #[arg(long, env = "FAZHI_CONFIG_DIR")]
        config: Option<PathBuf>,
        /// Unit code (e.g. the street's code).
        #[arg(long, required_unless_present = "demo")]
        unit: Option<String>,
        /// The year reported on (with --demo: the last full year of the demo data).
        #[arg(long)]
        year: Option<i32>,
        /// Build the demo street in a temporary database and render its last full year.
        #[arg(long)]
        demo: bool,
        /// docx, html or md
        #[arg(long)]
        format: String,
        /// Output file.
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
        /// annual (法治政府建设年度报告, the default) or disclosure (政府信息公开工作年度报告)
        #[arg(long, default_value = "annual")]
        kind: String,
        /// disclosure: the clerk's TOML with sections 一, 五, 六 and the manual figures of
        /// tables 二 and 四 (format: crates/reports/src/disclosure.rs).
        #[arg(long)]
        narrative: Option<PathBuf>,
        /// disclosure: write nothing unless the form's own checks pass (the version to publish).
        #[arg(long = "final")]
        final_: bool,
    },
    /// Compare two published 政府信息公开工作年度报告 (HTML or DOCX) cell by cell: tables 二, 三
    /// and 四 are read out of each, and every cell that differs is listed (exit code 1 when any).
    CompareDisclosure {
        left: PathBuf,
        right: PathBuf,
        /// Print the cells of both and the differences as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from FAZHI_PASSWORD or the first line of stdin.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// Unit code (e.g. the street's code).
        #[arg(long)]
        unit: String,
        #[arg(long)]
        department: Option<String>,
        /// Role codes: admin, leader, handler, legal_reviewer, officer, viewer (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// unit_subtree, department or own_only.
        #[arg(long, default_value = "unit_subtree")]
        scope: String,
    },
    /// Set a user's password (FAZHI_PASSWORD or first line of stdin).
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        login: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the whole chain; names the first broken entry. With --anchor, also that the chain
    /// still holds the anchored entry with its hash (nothing after it cut, nothing rewritten).
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// An anchor file written by `fazhi audit anchor`.
        #[arg(long)]
        anchor: Option<PathBuf>,
        #[command(flatten)]
        key: AnchorKey,
    },
    /// Print a checkpoint of the chain's head (sequence, hash, count, time; HMAC-signed when a
    /// key is given) to keep outside the database, e.g. in another system or on paper.
    Anchor {
        #[command(flatten)]
        db: DbArgs,
        /// Also write the anchor to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        key: AnchorKey,
    },
}

#[derive(Args, Clone)]
struct AnchorKey {
    /// HMAC key for signing and checking anchors (keep it away from the database host's backups).
    #[arg(
        long = "anchor-key",
        env = "FAZHI_AUDIT_ANCHOR_KEY",
        hide_env_values = true
    )]
    anchor_key: Option<String>,
}

impl AnchorKey {
    fn bytes(&self) -> Option<&[u8]> {
        self.anchor_key
            .as_deref()
            .filter(|k| !k.is_empty())
            .map(str::as_bytes)
    }
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Compute a due date: the start day is not counted; working days follow the official calendar.
    Due {
        #[arg(long)]
        from: String,
        #[arg(long)]
        days: u32,
        /// natural or working
        #[arg(long)]
        unit: String,
        /// Two-digit province code for a provincial overlay (e.g. 42).
        #[arg(long)]
        province: Option<String>,
        /// Natural-day periods ending on a weekend do not roll forward (only holidays do).
        #[arg(long)]
        no_weekend_roll: bool,
        /// Refuse a period that runs past the last year with an official arrangement instead of
        /// answering a provisional (weekends-only) date.
        #[arg(long)]
        binding: bool,
        /// Also use the years imported into this database (`fazhi calendar import`).
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Load a year's official holiday arrangement (JSON array of {date, kind, name}, kind
    /// holiday or workday, every date in one year), then recompute every clock it moves.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// Folder of case-type definitions and configuration, as given to `serve`.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FAZHI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_definitions(config: Option<&Path>) -> Result<(Registry, WorkflowConfig)> {
    let Some(dir) = config else {
        return Ok((Registry::embedded(), WorkflowConfig::embedded()));
    };
    let fmt = |d: Vec<fazhi_workflow::Diagnostic>| {
        d.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let registry =
        Registry::load_dir(dir).map_err(|d| anyhow::anyhow!("案件类型定义有误：\n{}", fmt(d)))?;
    let config =
        WorkflowConfig::load_dir(dir).map_err(|d| anyhow::anyhow!("配置有误：\n{}", fmt(d)))?;
    // Indicator definitions: `DIR/indicators/*.toml` override or extend the built-in catalogue;
    // without that folder the built-in one is still checked against the (possibly overridden)
    // case types, so a renamed field fails here and not in the middle of a report.
    let indicators = dir.join("indicators");
    let catalog = if indicators.is_dir() {
        Catalog::load_dir(&indicators, &registry)
    } else {
        Catalog::embedded_for(&registry)
    }
    .map_err(|d| anyhow::anyhow!("指标定义有误：\n{}", fmt(d)))?;
    for w in catalog.warnings() {
        tracing::warn!("indicator definitions: {w}");
    }
    fazhi_app::indicators::install_catalog(catalog);
    Ok((registry, config))
}

/// Opens and migrates the database. The schema generated from the facts layouts follows the
/// catalogue in use: the case types of `--config` once [`load_definitions`] installed it, the
/// built-in ones otherwise.
async fn open(url: &str, create: bool) -> Result<Db> {
    let layouts = Arc::new(fazhi_app::indicators::catalog().layouts().clone());
    let db = Db::connect(
        url,
        ConnectOptions {
            create_if_missing: create,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .with_layouts(layouts);
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("数据库迁移失败：{e}"))?;
    Ok(db)
}

fn app_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(p) => anyhow::anyhow!(
            "{}",
            p.iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("；")
        ),
        AppError::Refused(r) => anyhow::anyhow!(
            "{}",
            r.iter()
                .map(|r| r.message_zh.clone())
                .collect::<Vec<_>>()
                .join("；")
        ),
        // The operator at the console may read what went wrong inside.
        AppError::Internal(detail) => anyhow::anyhow!("内部错误：{detail}"),
        other => anyhow::anyhow!("{other}"),
    }
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("FAZHI_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("读取密码失败")?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("未提供密码：请设置环境变量FAZHI_PASSWORD，或在标准输入的第一行给出密码");
    }
    Ok(p)
}

async fn serve(app: App, args: &ServeArgs, banner: impl FnOnce(SocketAddr)) -> Result<()> {
    serve_with(app, args, None, banner).await
}

async fn serve_with(
    app: App,
    args: &ServeArgs,
    setup_token: Option<fazhi_web::SetupToken>,
    banner: impl FnOnce(SocketAddr),
) -> Result<()> {
    let ip: std::net::IpAddr = args
        .bind
        .parse()
        .with_context(|| format!("--bind：无效的地址“{}”", args.bind))?;
    let addr = SocketAddr::new(ip, args.port);
    fazhi_web::serve(
        app,
        fazhi_web::WebConfig {
            secure_cookies: args.secure_cookies,
            setup_token,
            trusted_proxies: args.trusted_proxies.clone(),
        },
        addr,
        banner,
    )
    .await
    .with_context(|| format!("无法在{addr}上监听"))
}

/// The system actor for command-line administration: the root unit's subtree.
async fn system_actor(db: &Db) -> Result<Actor> {
    let units = fazhi_store::org::units(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let root = units
        .iter()
        .find(|u| u.parent_id.is_none())
        .context("数据库中还没有任何单位")?;
    Ok(Actor::system(root.id, &root.path))
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo {
            data,
            seed,
            no_serve,
            serve: args,
        } => {
            std::fs::create_dir_all(&data)
                .with_context(|| format!("无法创建数据目录{}", data.display()))?;
            let path = data.join("fazhi.db");
            let fresh = !path.exists();
            let url = format!("sqlite://{}", path.display());
            let (registry, config) = load_definitions(args.config.as_deref())?;
            let db = open(&url, true).await?;
            let app = App::new(db, registry, config, Arc::new(SystemClock));
            // The definitions in use are kept, so cases can later be migrated between versions.
            app.record_definitions("system").await.map_err(app_error)?;
            if fresh {
                // The official calendar covers 2020–2026: the demo year ends on today, or on the
                // last day with calendar data.
                let today = app.clock.today();
                let end = today.min(app.calendar.last_date());
                eprintln!("正在生成演示数据（种子{seed}，截至{end}）……");
                // Every case type with a demo.toml, configured folders included.
                let street = fazhi_demo::generate_for(&app.registry, seed, end).map_err(|d| {
                    anyhow::anyhow!(
                        "演示脚本有误：\n{}",
                        d.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("\n")
                    )
                })?;
                let started = std::time::Instant::now();
                match fazhi_app::demo::load_demo(&app, &street).await {
                    Ok(s) => eprintln!(
                        "已载入：{}个单位、{}个用户、{}名执法人员、{}件案件（{}个办理步骤，{}份证据），用时{:.1}秒。",
                        s.units,
                        s.users,
                        s.officers,
                        s.cases,
                        s.steps,
                        s.evidence,
                        started.elapsed().as_secs_f64()
                    ),
                    Err(e) => {
                        app.db.close().await;
                        let _ = std::fs::remove_file(&path);
                        let _ = std::fs::remove_file(path.with_extension("db-wal"));
                        let _ = std::fs::remove_file(path.with_extension("db-shm"));
                        return Err(app_error(e).context("载入演示数据失败，已删除未完成的数据库"));
                    }
                }
            } else {
                eprintln!("沿用已有的演示数据：{}", path.display());
            }
            if no_serve {
                return Ok(ExitCode::SUCCESS);
            }
            serve(app, &args, |addr| {
                println!("法治政府建设工作平台（演示）已启动：http://{addr}/");
                println!("演示账号（密码均为 {}）：", fazhi_demo::DEMO_PASSWORD);
                println!("  admin    系统管理员      leader   分管领导");
                println!("  handler  12345热线承办人  officer3 执法人员");
                println!("  legal    法制审核人员    viewer   查看人员");
                println!("公开页面（无需登录）：http://{addr}/public/decisions");
                println!("数据目录：{}（再次运行将沿用）", data.display());
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { db, serve: args } => {
            let (registry, config) = load_definitions(args.config.as_deref())?;
            let db = open(&db.database_url, false).await?;
            let mut app = App::new(db, registry, config, Arc::new(SystemClock));
            // The definitions in use are kept, so cases can later be migrated between versions.
            app.record_definitions("system").await.map_err(app_error)?;
            apply_unit_settings(&mut app).await?;
            // On an empty database the first run is a page: reachable from this machine, or
            // from elsewhere with the one-time token printed here.
            let setup_token = if app.needs_setup().await.map_err(app_error)? {
                Some(fazhi_web::SetupToken::generate())
            } else {
                None
            };
            let token = setup_token.clone();
            serve_with(app, &args, setup_token, move |addr| {
                println!("法治政府建设工作平台已启动：http://{addr}/");
                if let Some(t) = token {
                    println!("数据库中还没有任何单位：请打开 http://{addr}/setup 完成初始化（本机访问），");
                    println!("或从其他计算机打开 http://{addr}/setup?token={}（一次性口令，初始化后失效）。", t.value());
                }
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(args) => init_command(args).await,
        Command::Org { command } => org_command(command).await,
        Command::Import {
            case_type,
            file,
            db,
            dry_run,
        } => import_command(&case_type, &file, &db.database_url, dry_run).await,
        Command::ImportTemplate { case_type, out } => {
            let registry = Registry::embedded();
            let t = registry
                .get(&case_type)
                .with_context(|| format!("未知的案件类型“{case_type}”"))?;
            let bytes = fazhi_app::case_import::template(t).map_err(app_error)?;
            std::fs::write(&out, bytes).with_context(|| format!("无法写入{}", out.display()))?;
            println!("已生成“{}”导入模板 {}", t.name_zh, out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { db, create } => {
            open(&db.database_url, create).await?;
            println!("数据库结构已是最新。");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { db, out } => {
            let db = open(&db.database_url, false).await?;
            db.backup_sqlite(&out)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("已备份到 {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command } => {
            match command {
                UserCommand::Add {
                    db,
                    login,
                    name,
                    unit,
                    department,
                    roles,
                    scope,
                } => {
                    let password = read_password()?;
                    let db = open(&db.database_url, false).await?;
                    let app = App::new(
                        db.clone(),
                        Registry::embedded(),
                        WorkflowConfig::embedded(),
                        Arc::new(SystemClock),
                    );
                    let actor = system_actor(&db).await?;
                    let input = fazhi_app::org::NewUserInput {
                        login: login.clone(),
                        display_name: name,
                        password,
                        unit_code: unit,
                        department_code: department,
                        roles,
                        scope,
                    };
                    app.create_user(&actor, &input).await.map_err(app_error)?;
                    println!("已创建用户 {login}");
                }
                UserCommand::Passwd { db, login } => {
                    let password = read_password()?;
                    let db = open(&db.database_url, false).await?;
                    let app = App::new(
                        db.clone(),
                        Registry::embedded(),
                        WorkflowConfig::embedded(),
                        Arc::new(SystemClock),
                    );
                    let actor = system_actor(&db).await?;
                    app.set_password(&actor, &login, &password)
                        .await
                        .map_err(app_error)?;
                    println!("已修改用户 {login} 的密码，其现有会话已失效");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Healthcheck { addr } => healthcheck(&addr).await,
        Command::Report { command } => report_command(command).await,
        Command::Document { command } => document_cmd::run(command, load_definitions).await,
        Command::Workflow { command } => workflow_cmd::run(command).await,
        Command::Audit {
            command: AuditCommand::Anchor { db, out, key },
        } => {
            let db = open(&db.database_url, false).await?;
            let at = jiff::Timestamp::now().to_string();
            let a = fazhi_store::audit::anchor(&db, &at, key.bytes())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let text = serde_json::to_string_pretty(&a)?;
            if let Some(out) = out {
                std::fs::write(&out, format!("{text}\n"))
                    .with_context(|| format!("无法写入{}", out.display()))?;
            }
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { db, anchor, key },
        } => {
            let db = open(&db.database_url, false).await?;
            let result = match anchor {
                Some(file) => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("无法读取锚点文件{}", file.display()))?;
                    let a: fazhi_store::audit::Anchor = serde_json::from_str(&text)
                        .with_context(|| format!("锚点文件{}格式不正确", file.display()))?;
                    fazhi_store::audit::verify_with_anchor(&db, &a, key.bytes()).await
                }
                None => fazhi_store::verify_chain(&db).await,
            };
            match result.map_err(|e| anyhow::anyhow!("{e}"))? {
                Ok(n) => {
                    println!("审计日志哈希链完整：共{n}条记录，逐条校验通过。");
                    Ok(ExitCode::SUCCESS)
                }
                Err(p) => {
                    println!("审计日志哈希链在第{}条记录处断裂：{}", p.id, p.reason);
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Calendar {
            command: CalendarCommand::Import { file, db, config },
        } => {
            let data = std::fs::read_to_string(&file).with_context(|| {
                format!("无法读取{}（应为UTF-8编码的JSON文件）", file.display())
            })?;
            let db = open(&db.database_url, false).await?;
            let (registry, config) = load_definitions(config.as_deref())?;
            let mut app = App::new(db.clone(), registry, config, Arc::new(SystemClock));
            apply_unit_settings(&mut app).await?;
            let result = app.import_calendar_year("system", &data).await;
            db.close().await;
            let r = result.map_err(app_error)?;
            if r.unchanged {
                println!(
                    "{}年的节假日安排与已导入的相同，未作更改（日历版本{}）",
                    r.year, r.version_after
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "已导入{}年节假日安排：放假{}天、调休上班{}天；日历版本{} → {}",
                r.year, r.holidays, r.workdays, r.version_before, r.version_after
            );
            if r.cases.is_empty() {
                println!("没有案件的期限因此改变。");
            } else {
                println!(
                    "已重新计算{}件案件的期限（均已记入审计日志）：",
                    r.cases.len()
                );
                for c in &r.cases {
                    for m in &c.clocks {
                        println!(
                            "  {} {}：期满日{}{} → {}{}",
                            c.number,
                            m.label,
                            m.due_before.as_deref().unwrap_or("无"),
                            if m.provisional_before {
                                "（暂定）"
                            } else {
                                ""
                            },
                            m.due_after.as_deref().unwrap_or("无"),
                            if m.provisional_after {
                                "（暂定）"
                            } else {
                                ""
                            },
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar {
            command:
                CalendarCommand::Due {
                    from,
                    days,
                    unit,
                    province,
                    no_weekend_roll,
                    binding,
                    database_url,
                    json,
                },
        } => {
            let start: jiff::civil::Date = from.parse().map_err(|_| {
                anyhow::anyhow!("--from：日期格式应为YYYY-MM-DD，且为真实日期（收到“{from}”）")
            })?;
            let unit = match unit.as_str() {
                "natural" => fazhi_calendar::PeriodUnit::NaturalDays,
                "working" => fazhi_calendar::PeriodUnit::WorkingDays,
                other => bail!("--unit：应为natural（自然日）或working（工作日），收到“{other}”"),
            };
            let mut cal = match &province {
                Some(p) => fazhi_calendar::Calendar::for_province(p)
                    .map_err(|e| anyhow::anyhow!("--province：{e}"))?,
                None => fazhi_calendar::Calendar::national(),
            };
            if let Some(url) = &database_url {
                let db = open(url, false).await?;
                let years = fazhi_store::calendar::years(&db)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"));
                db.close().await;
                for y in years? {
                    cal = cal.with_year(y.year as i16, &y.data).map_err(|p| {
                        anyhow::anyhow!("已导入的{}年日历有误：{}", y.year, p.join("；"))
                    })?;
                }
            }
            let rule = fazhi_calendar::RollRule {
                roll_weekends: !no_weekend_roll,
            };
            let d = if binding {
                cal.due(start, days, unit, rule)
            } else {
                cal.due_provisional(start, days, unit, rule)
            }
            .map_err(|e| {
                if binding {
                    anyhow::anyhow!(
                        "--binding：{e}；请先用 fazhi calendar import 导入该年度的节假日安排"
                    )
                } else {
                    anyhow::anyhow!("{e}")
                }
            })?;
            if json {
                let mut v = d.to_json();
                if let Some(o) = v.as_object_mut() {
                    o.insert("due".into(), d.due.to_string().into());
                    o.insert("explanation".into(), serde_json::to_value(d.explain_zh())?);
                }
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "期满日：{}{}",
                    d.due,
                    if d.provisional { "（暂定）" } else { "" }
                );
                for l in d.explain_zh() {
                    println!("  {l}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `fazhi init`: the first run, as [`fazhi_app::App::init`].
async fn init_command(args: InitArgs) -> Result<ExitCode> {
    let password = read_password()?;
    let db = open(&args.database_url, true).await?;
    let app = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(SystemClock),
    );
    let input = fazhi_app::setup::InitInput {
        division_code: args.division_code,
        unit_name: args.unit_name,
        level: args.level,
        province: args.province,
        admin_login: args.admin_login.clone(),
        admin_name: args.admin_name,
        admin_password: password,
        case_types: args.case_types,
    };
    let outcome = app.init("init", &input).await;
    db.close().await;
    match outcome.map_err(app_error)? {
        fazhi_app::setup::InitOutcome::Created { unit, settings } => {
            println!(
                "已初始化：{}（{}，{}），管理员 {}；案件类型：{}；日历：{}",
                unit.name,
                unit.code,
                unit.kind
                    .parse::<fazhi_domain::UnitKind>()
                    .map(|k| k.label_zh())
                    .unwrap_or(""),
                args.admin_login,
                if settings.case_types.is_empty() {
                    "全部".to_string()
                } else {
                    settings.case_types.join("、")
                },
                match settings.province.as_deref() {
                    Some(p) if fazhi_calendar::province_codes().any(|c| c == p) =>
                        format!("全国日历及省级调整（{p}）"),
                    _ => "全国日历".to_string(),
                }
            );
        }
        fazhi_app::setup::InitOutcome::AlreadyDone { unit } => {
            println!(
                "数据库已按相同的单位和管理员初始化过（{}，{}），未作更改。",
                unit.name, unit.code
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `fazhi org import|template`.
async fn org_command(command: OrgCommand) -> Result<ExitCode> {
    match command {
        OrgCommand::Template { out } => {
            let bytes = fazhi_app::org_import::template().map_err(app_error)?;
            std::fs::write(&out, bytes).with_context(|| format!("无法写入{}", out.display()))?;
            println!("已生成导入模板 {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        OrgCommand::Import { file, db, dry_run } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("无法读取{}", file.display()))?;
            let db = open(&db.database_url, false).await?;
            let app = App::new(
                db.clone(),
                Registry::embedded(),
                WorkflowConfig::embedded(),
                Arc::new(SystemClock),
            );
            let actor = system_actor(&db).await?;
            let result = app.import_org(&actor, &bytes, dry_run).await;
            db.close().await;
            match result {
                Ok(s) => {
                    println!(
                        "{}：单位{}个、部门{}个、用户{}个、执法人员{}名、执法证{}张",
                        if s.dry_run {
                            "检查通过（未导入，去掉--dry-run即导入）"
                        } else {
                            "已导入"
                        },
                        s.units,
                        s.departments,
                        s.users,
                        s.officers,
                        s.certificates
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    for p in &problems {
                        println!("{p}");
                    }
                    eprintln!("共{}处问题，未导入任何数据", problems.len());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// `fazhi import --type T FILE`: as the system user, with a progress line on stderr.
async fn import_command(
    case_type: &str,
    file: &std::path::Path,
    database_url: &str,
    dry_run: bool,
) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("无法读取{}", file.display()))?;
    let db = open(database_url, false).await?;
    let mut app = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(SystemClock),
    );
    apply_unit_settings(&mut app).await?;
    let actor = system_actor(&db).await?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let progress = |p: fazhi_app::case_import::Progress| {
        use std::io::Write;
        let what = if p.phase == "check" {
            "检查"
        } else {
            "写入"
        };
        let pct = (p.done * 100).checked_div(p.total).unwrap_or(100);
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\r{what}：{}/{}行（{pct}%）", p.done, p.total);
        let _ = e.flush();
    };
    let result = app
        .import_cases(&actor, case_type, &name, &bytes, dry_run, &progress)
        .await;
    eprintln!();
    db.close().await;
    match result {
        Ok(s) => {
            let states = s
                .states
                .iter()
                .map(|(l, n)| format!("{l}{n}件"))
                .collect::<Vec<_>>()
                .join("、");
            if s.dry_run {
                println!(
                    "检查通过（{}，未导入，去掉--dry-run即导入）：{}{}件（{states}）",
                    s.encoding, s.type_name, s.rows
                );
                for r in &s.preview {
                    let fields = r
                        .fields
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join("；");
                    println!("  第{}行：{}，{}，{fields}", r.row, r.received_on, r.state);
                }
            } else {
                println!(
                    "已导入{}{}件（{states}），编号自{}起",
                    s.type_name,
                    s.rows,
                    s.first_numbers.first().map(String::as_str).unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(rejected) => {
            print!("{rejected}");
            eprintln!(
                "共{}处问题，未导入任何数据",
                rejected.problems.len() + rejected.more
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Uses the province of the top unit's settings (written at first run) for deadlines, when the
/// calendar has an overlay for it.
async fn apply_unit_settings(app: &mut App) -> Result<()> {
    let settings = app.top_unit_settings().await.map_err(app_error)?;
    if let Some(p) = settings.and_then(|s| s.province)
        && fazhi_calendar::province_codes().any(|c| c == p)
    {
        let cal = fazhi_calendar::Calendar::for_province(&p)
            .map_err(|e| anyhow::anyhow!("省级日历{p}：{e}"))?;
        tracing::info!(province = %p, "calendar with provincial overlay");
        app.calendar = Arc::new(cal);
    }
    // The years of the official arrangement imported since the release (`fazhi calendar import`).
    app.load_calendar_years().await.map_err(app_error)?;
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn emit(s: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes()).and_then(|_| o.flush());
}

async fn report_command(command: ReportCommand) -> Result<ExitCode> {
    match command {
        ReportCommand::Render {
            database_url,
            config,
            unit,
            year,
            demo,
            format,
            out,
            kind,
            narrative,
            final_,
        } => {
            let defs = load_definitions(config.as_deref())?;
            let kind = match kind.as_str() {
                "annual" => None,
                "disclosure" => Some(DisclosureArgs { narrative, final_ }),
                other => anyhow::bail!("--kind：应为annual或disclosure，收到“{other}”"),
            };
            render_report(defs, database_url, unit, year, demo, &format, &out, kind).await
        }
        ReportCommand::Import {
            files,
            db,
            unit,
            year,
        } => report_import(&files, &db.database_url, unit, year).await,
        ReportCommand::CompareDisclosure { left, right, json } => {
            let read = |p: &Path| -> Result<fazhi_reports::disclosure::PublishedTables> {
                let bytes = std::fs::read(p).with_context(|| format!("无法读取{}", p.display()))?;
                Ok(fazhi_reports::disclosure::read_published_tables(
                    &fazhi_importer::extract_tables(&bytes, None),
                ))
            };
            let (a, b) = (read(&left)?, read(&right)?);
            let diffs = fazhi_reports::disclosure::compare_cells(&a.cells, &b.cells);
            if json {
                let v = serde_json::json!({ "left": a, "right": b, "differences": diffs });
                emit(&(serde_json::to_string_pretty(&v)? + "\n"));
            } else {
                use std::fmt::Write as _;
                let mut out = String::new();
                for (name, p) in [(left.display(), &a), (right.display(), &b)] {
                    let _ = writeln!(out, "{name}：读到{}个单元格", p.cells.len());
                    for w in &p.warnings {
                        let _ = writeln!(out, "  注意：{w}");
                    }
                }
                let show = |v: Option<f64>| {
                    v.map_or_else(|| "—".to_owned(), fazhi_reports::disclosure::format_cell)
                };
                for d in &diffs {
                    let _ = writeln!(out, "{}：{} ≠ {}", d.label, show(d.left), show(d.right));
                }
                let _ = writeln!(out, "不同的单元格：{}个", diffs.len());
                emit(&out);
            }
            Ok(if diffs.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ReportCommand::Extract { file, json } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("无法读取{}", file.display()))?;
            let x = fazhi_importer::extract(&bytes, None);
            if json {
                emit(&(serde_json::to_string_pretty(&x)? + "\n"));
                return Ok(ExitCode::SUCCESS);
            }
            let mut out = String::new();
            use std::fmt::Write as _;
            let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            let _ = writeln!(out, "标题：{}", or_dash(&x.title));
            let _ = writeln!(
                out,
                "单位：{}（{}）  年度：{}",
                or_dash(&x.unit),
                or_dash(&x.level),
                x.year.map(|y| y.to_string()).unwrap_or_else(|| "—".into())
            );
            let _ = writeln!(out, "\n章节（{}）：", x.sections.len());
            for sec in &x.sections {
                let _ = writeln!(
                    out,
                    "{}{}  [{:?}]",
                    "  ".repeat(sec.level.saturating_sub(1) as usize),
                    sec.heading,
                    sec.part
                );
            }
            let _ = writeln!(out, "\n数据（{}）：", x.figures.len());
            for f in &x.figures {
                let _ = writeln!(
                    out,
                    "  {}  = {} {}{}  {}{}",
                    f.text,
                    f.value,
                    f.unit,
                    if f.approx { "（约数）" } else { "" },
                    f.metric,
                    f.indicator
                        .as_ref()
                        .map(|i| format!("  → {i}"))
                        .unwrap_or_default()
                );
            }
            emit(&out);
            for w in &x.warnings {
                eprintln!("提示：{w}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `fazhi report import`: each file is one audited transaction as the system user; a refused
/// file writes nothing and does not stop the others.
async fn report_import(
    files: &[PathBuf],
    url: &str,
    unit: Option<String>,
    year: Option<i32>,
) -> Result<ExitCode> {
    let db = open(url, false).await?;
    let app = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(SystemClock),
    );
    // Imported reports belong to no unit of the tree: the system actor needs no root unit here.
    let actor = match system_actor(&db).await {
        Ok(a) => a,
        Err(_) => Actor::system(fazhi_domain::UnitId(0), "/"),
    };
    let mut refused = 0;
    for file in files {
        let shown = file.display();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                refused += 1;
                emit(&format!("未导入 {shown}：无法读取文件：{e}\n"));
                continue;
            }
        };
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.to_string());
        match app
            .import_report(&actor, &name, &bytes, unit.clone(), year)
            .await
        {
            Ok(o) => emit(&format!(
                "已导入 {shown}：{} {}年度，数据{}项（已对应指标{}项），编号{}\n",
                o.unit_name, o.year, o.figures, o.mapped, o.id
            )),
            Err(e) => {
                refused += 1;
                emit(&format!("未导入 {shown}：{}\n", app_error(e)));
            }
        }
    }
    db.close().await;
    if refused > 0 {
        eprintln!("{}个文件中有{refused}个未导入", files.len());
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// `--kind disclosure`: the clerk's file and whether the form's checks must pass.
struct DisclosureArgs {
    narrative: Option<PathBuf>,
    final_: bool,
}

/// `fazhi report render`: one unit's annual report (or its 政府信息公开工作年度报告) as DOCX,
/// HTML or Markdown.
#[allow(clippy::too_many_arguments)]
async fn render_report(
    (registry, config): (Registry, WorkflowConfig),
    database_url: Option<String>,
    unit: Option<String>,
    year: Option<i32>,
    demo: bool,
    format: &str,
    out: &Path,
    disclosure: Option<DisclosureArgs>,
) -> Result<ExitCode> {
    let narrative = match disclosure.as_ref().and_then(|d| d.narrative.as_ref()) {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("无法读取{}", p.display()))?;
            fazhi_reports::Narrative::parse(&text)
                .map_err(|e| anyhow::anyhow!("--narrative {}：{e}", p.display()))?
        }
        None => fazhi_reports::Narrative::default(),
    };
    let fmt = fazhi_app::reports::Format::parse(format)
        .with_context(|| format!("--format：应为docx、html或md，收到“{format}”"))?;
    let mut _tmp = None;
    let (db, unit_code, year) = if demo {
        // The demo street, generated so that its last full year is complete.
        let today = fazhi_app::Clock::today(&SystemClock);
        let year = year.unwrap_or(today.year() as i32 - 1);
        let dir = tempfile::tempdir().context("无法创建临时目录")?;
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let db = open(&url, true).await?;
        let app = App::new(
            db.clone(),
            registry.clone(),
            config.clone(),
            Arc::new(SystemClock),
        );
        let end = jiff::civil::date(year as i16, 12, 31).min(app.calendar.last_date());
        eprintln!("正在生成演示街道（截至{end}）……");
        let street = fazhi_demo::generate(2026, end);
        fazhi_app::demo::load_demo(&app, &street)
            .await
            .map_err(app_error)?;
        _tmp = Some(dir);
        (db, fazhi_demo::STREET_CODE.to_string(), year)
    } else {
        let url = database_url.context("需要--database-url（或使用--demo）")?;
        let year = year.context("需要--year")?;
        (open(&url, false).await?, unit.unwrap_or_default(), year)
    };
    let app = App::new(db.clone(), registry, config, Arc::new(SystemClock));
    let actor = system_actor(&db).await?;
    let unit_row = fazhi_store::org::unit_by_code(&db, &unit_code)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| format!("--unit：不存在代码为“{unit_code}”的单位"))?;
    if let Some(d) = disclosure {
        // The stored report of the unit and year (its frozen snapshot, or its saved narrative)
        // unless a narrative file is given.
        let stored = app
            .disclosure_find(&actor, unit_row.id, year as i64)
            .await
            .map_err(app_error)?;
        let r = match (&stored, &d.narrative) {
            (Some(s), None) => {
                eprintln!(
                    "使用已保存的报告（{}）",
                    if s.row.status == "frozen" {
                        "已定稿"
                    } else {
                        "草稿"
                    }
                );
                app.disclosure_inputs_of(&actor, s)
                    .await
                    .map_err(app_error)?
                    .build()
            }
            _ => app
                .disclosure_report(&actor, unit_row.id, year, &narrative)
                .await
                .map_err(app_error)?,
        };
        let problems = r.check();
        let blockers = r.blockers();
        if d.final_ && !blockers.is_empty() {
            for p in &blockers {
                eprintln!("未通过：{p}");
            }
            db.close().await;
            anyhow::bail!("有{}项未通过，未生成正式版本", blockers.len());
        }
        let bytes = fazhi_app::reports::render_disclosure(&r, fmt);
        std::fs::write(out, &bytes).with_context(|| format!("无法写入{}", out.display()))?;
        let t3 = |k: &str| r.line(k).map_or(0, |l| l.cells[6].value);
        eprintln!(
            "已生成 {}（{}，{}字节）；新收申请{}件，上年结转{}件，办结{}件，结转下年{}件；表格校验{}{}",
            out.display(),
            r.title,
            bytes.len(),
            t3("new"),
            t3("carried_in"),
            t3("total"),
            t3("carried_out"),
            if problems.is_empty() {
                "通过".to_owned()
            } else {
                format!("未通过{}项：{}", problems.len(), problems.join("；"))
            },
            if r.unwritten().is_empty() {
                String::new()
            } else {
                format!("；{}", r.unwritten().join("；"))
            }
        );
        db.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let report = app
        .report_open(&actor, unit_row.id, year as i64)
        .await
        .map_err(app_error)?;
    let bytes = app
        .report_render(&actor, report.row.id, fmt)
        .await
        .map_err(app_error)?;
    std::fs::write(out, &bytes).with_context(|| format!("无法写入{}", out.display()))?;
    let filled = app
        .report_filled(&actor, &report)
        .await
        .map_err(app_error)?;
    eprintln!(
        "已生成 {}（{}，{}字节）；缺数{}项{}",
        out.display(),
        report.doc.title,
        bytes.len(),
        filled.missing.len(),
        if filled.missing.is_empty() {
            String::new()
        } else {
            format!("：{}", filled.missing.join("、"))
        }
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// GET /healthz over a plain TCP connection (no HTTP client needed for one request).
async fn healthcheck(addr: &str) -> Result<ExitCode> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fut = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(
            format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&buf).to_string())
    };
    match tokio::time::timeout(std::time::Duration::from_secs(5), fut).await {
        Ok(Ok(resp)) if resp.starts_with("HTTP/1.1 200") => {
            println!("正常");
            Ok(ExitCode::SUCCESS)
        }
        Ok(Ok(resp)) => {
            println!("异常：{}", resp.lines().next().unwrap_or(""));
            Ok(ExitCode::FAILURE)
        }
        Ok(Err(e)) => {
            println!("无法连接{addr}：{e}");
            Ok(ExitCode::FAILURE)
        }
        Err(_) => {
            println!("连接{addr}超时");
            Ok(ExitCode::FAILURE)
        }
    }
}
