//! Organisation import pages (issue 17): upload an Excel workbook of units, grids, departments,
//! users and officers; a dry run lists what would be created; problems name sheet, row and column.

use askama::Template;

use crate::route_table::{Routes, get};
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use fazhi_app::org_import::{ImportProblem, ImportSummary};

use crate::AppState;
use crate::auth::PageUser;
use crate::views::Chrome;

pub fn routes() -> Routes {
    Routes::new()
        .route("/org/import", get(import_page).post(import_submit))
        .route("/org/import/template.xlsx", get(template))
}

#[derive(Template)]
#[template(path = "org_import.html")]
struct ImportPage {
    chrome: Chrome,
    problems: Vec<ImportProblem>,
    summary: Option<ImportSummary>,
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

fn page(u: &PageUser) -> ImportPage {
    ImportPage {
        chrome: Chrome::new(&u.actor, &u.session, "org"),
        problems: vec![],
        summary: None,
        error: String::new(),
    }
}

async fn import_page(u: PageUser) -> Response {
    render(&page(&u), StatusCode::OK)
}

async fn template(_u: PageUser) -> Response {
    match fazhi_app::org_import::template() {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"org-import-template.xlsx\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => (crate::error::status_of(&e), e.to_string()).into_response(),
    }
}

async fn import_submit(State(s): State<AppState>, u: PageUser, mut mp: Multipart) -> Response {
    let mut p = page(&u);
    let (mut csrf, mut dry_run, mut file) = (String::new(), false, Vec::new());
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => match field.name().unwrap_or("") {
                "_csrf" => csrf = field.text().await.unwrap_or_default(),
                "dry_run" => dry_run = true,
                "file" => file = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                p.error = "工作簿：上传内容格式错误或文件过大".into();
                return render(&p, StatusCode::BAD_REQUEST);
            }
        }
    }
    if csrf != u.session.csrf {
        p.error = "页面已过期或请求来源不明（CSRF校验失败），请刷新页面后重试".into();
        return render(&p, StatusCode::FORBIDDEN);
    }
    if file.is_empty() {
        p.error = "工作簿：请选择要导入的.xlsx文件".into();
        return render(&p, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match s.app.import_org(&u.actor, &file, dry_run).await {
        Ok(summary) => {
            p.summary = Some(summary);
            render(&p, StatusCode::OK)
        }
        Err(problems) => {
            p.problems = problems;
            render(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
