//! `fazhi workflow …`: check a folder, write the generated docs, print the clocks of a timeline,
//! migrate cases in flight to a changed definition.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use fazhi_app::{App, SystemClock};
use fazhi_indicators::Catalog;
use fazhi_workflow::{
    Calendar, ClockState, Diagnostic, Registry, Severity, case_types_markdown, parse_timeline,
    timeline_clocks,
};
use jiff::civil::Date;

use super::{DbArgs, app_error, load_definitions, open};

#[derive(Subcommand)]
pub enum WorkflowCommand {
    /// Validate case-type definitions and configuration in DIR as a whole; diagnostics name
    /// file, line and problem.
    Check { dir: PathBuf },
    /// Write docs/case-types.md from the definitions (embedded, or those of --config).
    Doc {
        /// Where to write (`-` for standard output).
        #[arg(long, default_value = "docs/case-types.md")]
        out: PathBuf,
        #[arg(long, env = "FAZHI_CONFIG_DIR")]
        config: Option<PathBuf>,
    },
    /// Print every clock of a case of TYPE from a JSON timeline
    /// `[{"transition": …, "date": "YYYY-MM-DD", "input": {…}}]`, without a database.
    Clocks {
        #[arg(value_name = "TYPE")]
        case_type: String,
        /// The timeline (JSON file; `-` for standard input).
        #[arg(long)]
        events: PathBuf,
        /// The day the clocks are computed for (default: today in China Standard Time).
        #[arg(long)]
        today: Option<Date>,
        /// Print JSON (every clock with due date, status, legal basis and explanation).
        #[arg(long)]
        json: bool,
        #[arg(long, env = "FAZHI_CONFIG_DIR")]
        config: Option<PathBuf>,
    },
    /// Move the open cases of TYPE opened under another definition version to the current one
    /// (audited per case, with every clock that moved).
    MigrateCases {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long = "type", value_name = "TYPE")]
        case_type: String,
        /// Report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long, env = "FAZHI_CONFIG_DIR")]
        config: Option<PathBuf>,
    },
}

/// One check of a folder: its name and what it finds. The crates that own a file of a case-type
/// folder expose a check; add it here.
type Checker = fn(&Path) -> Vec<Diagnostic>;

/// Every check `fazhi workflow check DIR` runs, in order.
const CHECKERS: &[(&str, Checker)] = &[
    ("definitions", check_definitions),
    ("indicators", check_indicators),
    ("folders", check_folder_files),
];

fn check_definitions(dir: &Path) -> Vec<Diagnostic> {
    fazhi_workflow::check_dir(dir)
}

/// Indicator definitions in DIR/indicators, checked against the case types of DIR (when those
/// load; their own errors come from `check_definitions`).
fn check_indicators(dir: &Path) -> Vec<Diagnostic> {
    let indicators = dir.join("indicators");
    if !indicators.is_dir() {
        return Vec::new();
    }
    match Registry::load_dir(dir) {
        Ok(registry) => Catalog::check_dir(&indicators, &registry),
        Err(_) => {
            eprintln!("案件类型定义有误，未检查指标定义{}", indicators.display());
            Vec::new()
        }
    }
}

/// The registry DIR describes: one case-type folder (DIR holds `case_type.toml`) over the
/// built-in folders, or a configuration folder. `None` when its definitions do not load (their
/// errors come from `check_definitions`).
fn registry_of(dir: &Path) -> Option<Registry> {
    use fazhi_workflow::folders::{DEFINITION_FILE, embedded_folders, merge_folders, read_folder};
    if dir.join(DEFINITION_FILE).is_file() {
        let (folder, _) = read_folder(dir).ok()?;
        Registry::from_folders(merge_folders(embedded_folders(), vec![folder])).ok()
    } else {
        Registry::load_dir(dir).ok()
    }
}

/// The other files of every case-type folder, each checked by the crate that reads it: the
/// facts layout (`facts.toml`), the report paragraphs (`report.toml`), the dashboard cards
/// (`dashboard.toml`), the document templates (`documents.toml`) and the demo script (`demo.toml`), with their indicators checked against
/// the catalogue of DIR (its `indicators/` overrides included).
fn check_folder_files(dir: &Path) -> Vec<Diagnostic> {
    let Some(registry) = registry_of(dir) else {
        return Vec::new();
    };
    let indicators = dir.join("indicators");
    let catalog = if indicators.is_dir() {
        Catalog::load_dir(&indicators, &registry)
    } else {
        Catalog::embedded_for(&registry)
    };
    let mut diags = fazhi_indicators::facts::check(&registry);
    diags.extend(fazhi_reports::documents::check_documents(&registry));
    match catalog {
        Ok(catalog) => {
            let known = |id: &str| catalog.resolve(id).is_some();
            diags.extend(fazhi_reports::check_reports(&registry, &known));
            diags.extend(fazhi_reports::check_dashboards(&registry, &known));
        }
        // The indicators' own errors are reported by `check_indicators` or, for the folders'
        // indicators.toml, here.
        Err(d) => diags.extend(d),
    }
    for folder in registry.folders() {
        if let Some(ct) = registry.get(&folder.code) {
            diags.extend(fazhi_demo::check_demo(&registry, folder, ct));
        }
    }
    diags
}

pub async fn run(command: WorkflowCommand) -> Result<ExitCode> {
    match command {
        WorkflowCommand::Check { dir } => check(&dir),
        WorkflowCommand::Doc { out, config } => {
            let (registry, _) = load_definitions(config.as_deref())?;
            let text = case_types_markdown(&registry);
            if out.as_os_str() == "-" {
                print!("{text}");
            } else {
                std::fs::write(&out, text).with_context(|| format!("无法写入{}", out.display()))?;
                eprintln!(
                    "已生成{}（{}个案件类型）",
                    out.display(),
                    registry.types().count()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        WorkflowCommand::Clocks {
            case_type,
            events,
            today,
            json,
            config,
        } => clocks(&case_type, &events, today, json, config.as_deref()),
        WorkflowCommand::MigrateCases {
            db,
            case_type,
            dry_run,
            json,
            config,
        } => {
            let (registry, config) = load_definitions(config.as_deref())?;
            let db = open(&db.database_url, false).await?;
            let app = App::new(db, registry, config, Arc::new(SystemClock));
            let report = app
                .migrate_cases("system", &case_type, dry_run)
                .await
                .map_err(app_error)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for c in &report.cases {
                    let from = c.from_version.as_deref().unwrap_or("未记录");
                    let what = if c.migrated {
                        "已迁移"
                    } else if c.problems_zh.is_empty() {
                        "将迁移"
                    } else {
                        "不能迁移"
                    };
                    println!(
                        "{} {}（{}）：{from} → {}",
                        c.number, what, c.state, c.to_version
                    );
                    for p in &c.problems_zh {
                        println!("  {p}");
                    }
                    for k in &c.clocks {
                        let d =
                            |x: Option<Date>| x.map_or_else(|| "无".to_owned(), |d| d.to_string());
                        println!(
                            "  {} {}：期满日 {} → {}",
                            k.code,
                            k.label_zh,
                            d(k.due_before),
                            d(k.due_after)
                        );
                    }
                }
            }
            eprintln!(
                "{}：{}件在办案件不在当前版本{}，{}{}件",
                report.case_type,
                report.cases.len(),
                report.to_version,
                if dry_run { "可迁移" } else { "已迁移" },
                if dry_run {
                    report
                        .cases
                        .iter()
                        .filter(|c| c.problems_zh.is_empty())
                        .count()
                } else {
                    report.migrated()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(dir: &Path) -> Result<ExitCode> {
    if !dir.is_dir() {
        bail!("{}不是目录", dir.display());
    }
    let diags: Vec<Diagnostic> = CHECKERS.iter().flat_map(|(_, check)| check(dir)).collect();
    for d in &diags {
        println!("{d}");
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        eprintln!("发现{errors}处错误，{}处警告", diags.len() - errors);
        Ok(ExitCode::FAILURE)
    } else {
        eprintln!("检查通过（{}处警告）", diags.len());
        Ok(ExitCode::SUCCESS)
    }
}

fn clocks(
    case_type: &str,
    events: &Path,
    today: Option<Date>,
    json: bool,
    config: Option<&Path>,
) -> Result<ExitCode> {
    let (registry, config) = load_definitions(config)?;
    let Some(ct) = registry.get(case_type) else {
        let known: Vec<&str> = registry.types().map(|t| t.code.as_str()).collect();
        bail!("未知的案件类型“{case_type}”（可用：{}）", known.join("、"));
    };
    let text = if events.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("无法读取标准输入")?
    } else {
        std::fs::read_to_string(events)
            .with_context(|| format!("无法读取事件文件{}", events.display()))?
    };
    let timeline = parse_timeline(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let today = today.unwrap_or_else(|| {
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .date()
    });
    let calendar = Calendar::national();
    let clocks = timeline_clocks(ct, &timeline, today, &calendar, &config)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&clocks)?);
    } else {
        for c in &clocks {
            print_clock(c);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_clock(c: &ClockState) {
    let due = c
        .due
        .map_or_else(|| "无法计算".to_owned(), |d| d.to_string());
    println!(
        "{} {}：期满日 {due}，{}（{}）",
        c.code,
        c.label_zh,
        c.status.label_zh(),
        c.basis
    );
    for line in &c.explanation_zh {
        println!("  {line}");
    }
}
