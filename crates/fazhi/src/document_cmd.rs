//! `fazhi document render`: one case document (文书) as DOCX, HTML or PDF, for auditors and
//! tests. On a database the document is rendered as the case holds it now (an issued copy's
//! number and date when it was issued; nothing is written). With `--demo` the demo street is
//! built in a temporary database and the document is issued there first, so it is numbered.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Subcommand;
use fazhi_app::{App, SystemClock};
use fazhi_reports::documents::{render_document_docx, render_document_page};
use fazhi_workflow::{Registry, WorkflowConfig};

use crate::{app_error, open, system_actor};

#[derive(Subcommand)]
pub enum DocumentCommand {
    /// Render one document of a case to DOCX, HTML or PDF (by the extension of -o; PDF through
    /// LibreOffice, which must be installed).
    Render {
        /// Database with the records (not needed with --demo).
        #[arg(long, env = "FAZHI_DATABASE_URL")]
        database_url: Option<String>,
        /// Folder with case-type and configuration overrides (as for `serve`).
        #[arg(long, env = "FAZHI_CONFIG_DIR")]
        config: Option<PathBuf>,
        /// The case's number (with --demo: optional, the first demo case that has taken the
        /// step producing the document).
        #[arg(long, required_unless_present = "demo")]
        case: Option<String>,
        /// The document's name, e.g. 行政处罚决定书.
        #[arg(long)]
        name: String,
        /// Build the demo street in a temporary database, issue the document there, render it.
        #[arg(long)]
        demo: bool,
        /// Output file: .docx, .html or .pdf.
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
    },
}

enum Out {
    Docx,
    Html,
    Pdf,
}

fn out_kind(p: &Path) -> Result<Out> {
    match p
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("docx") => Ok(Out::Docx),
        Some("html" | "htm") => Ok(Out::Html),
        Some("pdf") => Ok(Out::Pdf),
        _ => anyhow::bail!("-o：文件扩展名应为.docx、.html或.pdf（{}）", p.display()),
    }
}

/// DOCX → PDF with LibreOffice (`soffice --headless --convert-to pdf`).
fn to_pdf(docx: &[u8], out: &Path) -> Result<()> {
    let dir = tempfile::tempdir().context("无法创建临时目录")?;
    let src = dir.path().join("document.docx");
    std::fs::write(&src, docx)?;
    let profile = dir.path().join("profile");
    let status = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&src)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .context("PDF需要LibreOffice（soffice），未找到；请改用.docx或安装libreoffice-writer")?;
    anyhow::ensure!(status.success(), "LibreOffice转换PDF失败");
    std::fs::copy(dir.path().join("document.pdf"), out)
        .with_context(|| format!("无法写入{}", out.display()))?;
    Ok(())
}

pub async fn run(
    command: DocumentCommand,
    load: impl Fn(Option<&Path>) -> Result<(Registry, WorkflowConfig)>,
) -> Result<ExitCode> {
    let DocumentCommand::Render {
        database_url,
        config,
        case,
        name,
        demo,
        out,
    } = command;
    let kind = out_kind(&out)?;
    let (registry, wconfig) = load(config.as_deref())?;
    let mut _tmp = None;
    let db = if demo {
        let dir = tempfile::tempdir().context("无法创建临时目录")?;
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let db = open(&url, true).await?;
        let app = App::new(
            db.clone(),
            registry.clone(),
            wconfig.clone(),
            Arc::new(SystemClock),
        );
        let end = fazhi_app::Clock::today(&SystemClock).min(app.calendar.last_date());
        eprintln!("正在生成演示街道（截至{end}）……");
        let street = fazhi_demo::generate_for(&registry, 2026, end)
            .map_err(|d| anyhow::anyhow!("演示数据脚本有误：{d:?}"))?;
        fazhi_app::demo::load_demo(&app, &street)
            .await
            .map_err(app_error)?;
        _tmp = Some(dir);
        db
    } else {
        let url = database_url.context("需要--database-url（或使用--demo）")?;
        open(&url, false).await?
    };
    let app = App::new(db.clone(), registry.clone(), wconfig, Arc::new(SystemClock));
    let actor = system_actor(&db).await?;
    let case_row = match &case {
        Some(n) => fazhi_store::cases::case_by_number(&db, n)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_context(|| format!("--case：不存在编号为“{n}”的案件"))?,
        None => first_case_with(&app, &registry, &name).await?,
    };
    if demo {
        let entries = app
            .case_documents(&actor, case_row.id)
            .await
            .map_err(app_error)?;
        if entries
            .iter()
            .any(|e| e.name == name && e.ready && e.issued.is_empty())
        {
            let (d, _) = app
                .issue_document(&actor, case_row.id, &name, None)
                .await
                .map_err(app_error)?;
            eprintln!(
                "已在演示库中出具{}（{}，SHA-256 {}）",
                d.name,
                d.number.as_deref().unwrap_or("不编号"),
                d.sha256
            );
        }
    }
    let filled = app
        .document_preview(&actor, case_row.id, &name)
        .await
        .map_err(app_error)?;
    let docx = render_document_docx(&filled);
    match kind {
        Out::Docx => {
            std::fs::write(&out, &docx).with_context(|| format!("无法写入{}", out.display()))?
        }
        Out::Html => std::fs::write(&out, render_document_page(&filled))
            .with_context(|| format!("无法写入{}", out.display()))?,
        Out::Pdf => to_pdf(&docx, &out)?,
    }
    eprintln!(
        "已生成 {}（案件{}，{}{}）{}",
        out.display(),
        case_row.number,
        filled.title,
        filled
            .number
            .as_deref()
            .map(|n| format!("，{n}"))
            .unwrap_or_default(),
        if filled.missing.is_empty() {
            String::new()
        } else {
            format!("；待填：{}", filled.missing.join("、"))
        }
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The first case (by number) whose type has the document and that has taken the step that
/// produces it.
async fn first_case_with(
    app: &App,
    registry: &Registry,
    name: &str,
) -> Result<fazhi_store::CaseRow> {
    let actor = system_actor(&app.db).await?;
    for t in registry.types() {
        let docs = app.case_type_documents(&t.code).map_err(app_error)?;
        let Some(tpl) = docs.template(name) else {
            continue;
        };
        let filter = fazhi_store::cases::CaseFilter {
            case_type: Some(t.code.clone()),
            limit: 2000,
            ..Default::default()
        };
        let (rows, _) = app.list_cases(&actor, filter).await.map_err(app_error)?;
        for r in rows {
            let events = fazhi_store::cases::events(&app.db, r.id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if events.iter().any(|e| e.transition == tpl.transition) {
                return Ok(r);
            }
        }
    }
    anyhow::bail!("演示数据中没有已出具“{name}”条件的案件")
}
