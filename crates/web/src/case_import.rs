//! Case import and export pages (issue 20): upload an .xlsx or CSV file of one case type; a dry
//! run shows what would be written; problems name row and column. The import template of each
//! type, and the list view (with its filters) as .xlsx.

use crate::route_table::{Routes, get};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use fazhi_app::case_import::{CaseImportSummary, RowProblem};
use fazhi_store::cases::CaseFilter;

use crate::AppState;
use crate::auth::PageUser;
use crate::views::Chrome;

pub fn routes() -> Routes {
    Routes::new()
        .route("/import/cases", get(import_page).post(import_submit))
        .route("/import/cases/template.xlsx", get(template))
        .route("/export/cases.xlsx", get(export))
}

#[derive(Template)]
#[template(path = "case_import.html")]
struct ImportPage {
    chrome: Chrome,
    types: Vec<(String, String)>,
    case_type: String,
    problems: Vec<RowProblem>,
    more: usize,
    summary: Option<CaseImportSummary>,
    error: String,
}

fn render(p: &ImportPage, status: StatusCode) -> Response {
    match p.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

fn page(s: &AppState, u: &PageUser, case_type: &str) -> ImportPage {
    ImportPage {
        chrome: Chrome::new(&u.actor, &u.session, case_type),
        types: s
            .app
            .registry
            .in_menu_order()
            .into_iter()
            .map(|t| (t.code.clone(), t.name_zh.clone()))
            .collect(),
        case_type: case_type.to_string(),
        problems: vec![],
        more: 0,
        summary: None,
        error: String::new(),
    }
}

#[derive(serde::Deserialize, Default)]
struct TypeQuery {
    #[serde(rename = "type")]
    case_type: Option<String>,
}

async fn import_page(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<TypeQuery>,
) -> Response {
    let t = q.case_type.unwrap_or_default();
    render(&page(&s, &u, &t), StatusCode::OK)
}

fn xlsx(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn template(State(s): State<AppState>, _u: PageUser, Query(q): Query<TypeQuery>) -> Response {
    let code = q.case_type.unwrap_or_default();
    let Some(t) = s.app.registry.get(&code) else {
        return (StatusCode::NOT_FOUND, format!("未知的案件类型“{code}”")).into_response();
    };
    match fazhi_app::case_import::template(t) {
        Ok(bytes) => xlsx(bytes, &format!("{}-import-template.xlsx", t.code)),
        Err(e) => (crate::error::status_of(&e), e.to_string()).into_response(),
    }
}

async fn import_submit(State(s): State<AppState>, u: PageUser, mut mp: Multipart) -> Response {
    let (mut csrf, mut dry_run, mut file, mut name, mut case_type) = (
        String::new(),
        false,
        Vec::new(),
        String::new(),
        String::new(),
    );
    let mut broken = false;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => match field.name().unwrap_or("") {
                "_csrf" => csrf = field.text().await.unwrap_or_default(),
                "type" => case_type = field.text().await.unwrap_or_default(),
                "dry_run" => dry_run = true,
                "file" => {
                    name = field.file_name().unwrap_or("").to_string();
                    file = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                broken = true;
                break;
            }
        }
    }
    let mut p = page(&s, &u, &case_type);
    if broken {
        p.error = "文件：上传内容格式错误或文件过大".into();
        return render(&p, StatusCode::BAD_REQUEST);
    }
    if csrf != u.session.csrf {
        p.error = "页面已过期或请求来源不明（CSRF校验失败），请刷新页面后重试".into();
        return render(&p, StatusCode::FORBIDDEN);
    }
    if file.is_empty() {
        p.error = "文件：请选择要导入的.xlsx或.csv文件".into();
        return render(&p, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match s
        .app
        .import_cases(&u.actor, &case_type, &name, &file, dry_run, &|_| {})
        .await
    {
        Ok(summary) => {
            p.summary = Some(summary);
            render(&p, StatusCode::OK)
        }
        Err(rejected) => {
            p.problems = rejected.problems;
            p.more = rejected.more;
            render(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct ExportQuery {
    #[serde(rename = "type")]
    case_type: Option<String>,
    q: Option<String>,
    state: Option<String>,
    category: Option<String>,
    from: Option<String>,
    to: Option<String>,
    due: Option<String>,
    /// `1`: personal data unmasked (roles that may reveal it; audited).
    reveal: Option<String>,
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The list view's filters (as `/cases` reads them) as an .xlsx file.
async fn export(State(s): State<AppState>, u: PageUser, Query(q): Query<ExportQuery>) -> Response {
    let code = nonempty(q.case_type).unwrap_or_default();
    let today = s.app.clock.today();
    let mut f = CaseFilter {
        state: nonempty(q.state),
        category: nonempty(q.category),
        created_from: nonempty(q.from),
        created_to: nonempty(q.to),
        query: nonempty(q.q),
        ..Default::default()
    };
    match q.due.as_deref() {
        Some("overdue") => {
            f.open_only = true;
            f.due_by = today.yesterday().ok().map(|d| d.to_string());
        }
        Some("soon") => {
            f.open_only = true;
            f.due_by = Some(s.app.due_soon_date(today).to_string());
        }
        Some("open") => f.open_only = true,
        _ => {}
    }
    let reveal = q.reveal.as_deref() == Some("1");
    match s.app.export_cases(&u.actor, &code, f, reveal).await {
        Ok(bytes) => xlsx(bytes, &format!("{code}-{today}.xlsx")),
        Err(e) => (crate::error::status_of(&e), e.to_string()).into_response(),
    }
}
