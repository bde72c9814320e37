//! Organisation import pages (issue 17): upload an Excel workbook of units, grids, departments,
//! users and officers; a dry run lists what would be created; problems name sheet, row and column.

use askama::Template;

use crate::route_table::{Routes, get, post};
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use fazhi_app::AppError;
use fazhi_app::org_import::{ImportProblem, ImportSummary};

use crate::AppState;
use crate::auth::PageUser;
use crate::views::Chrome;

pub fn routes() -> Routes {
    Routes::new()
        .route("/org/import", get(import_page).post(import_submit))
        .route("/org/import/template.xlsx", get(template))
        .route("/org/units/{code}", get(unit_page))
        .route("/org/units/{code}/rename", post(unit_rename))
        .route("/org/units/{code}/close", post(unit_close))
        .route("/org/units/{code}/case-types", post(unit_case_types))
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

// ---------- one unit: rename, close, case types ----------

#[derive(Template)]
#[template(path = "org_unit.html")]
struct UnitPage {
    chrome: Chrome,
    code: String,
    name: String,
    kind: String,
    closed: bool,
    is_top: bool,
    can_edit: bool,
    /// (code, name, runs): every case type of the registry and whether the unit runs it.
    types: Vec<(String, String, bool)>,
    /// Where the list comes from, in words.
    types_from: String,
    notice: String,
    error: String,
}

async fn unit_render(
    s: &AppState,
    u: &PageUser,
    code: &str,
    notice: &str,
    error: Option<&AppError>,
) -> Response {
    let code = code.to_string();
    let units = match s.app.list_units(&u.actor).await {
        Ok(x) => x,
        Err(e) => return error_response(&e),
    };
    let Some(unit) = units.into_iter().find(|x| x.code == code) else {
        return error_response(&AppError::NotFound(format!(
            "单位：不存在代码为“{code}”的单位，或不在您的数据范围内"
        )));
    };
    let runs = match s.app.unit_case_types(&unit).await {
        Ok(x) => x,
        Err(e) => return error_response(&e),
    };
    let types_from = match &runs.from_unit {
        None => "未设置：开展全部案件类型".to_string(),
        Some(c) if *c == unit.code && runs.case_types.is_empty() => {
            "本单位设置：开展全部案件类型".to_string()
        }
        Some(c) if *c == unit.code => "本单位设置".to_string(),
        Some(c) => format!("沿用上级单位（{c}）的设置"),
    };
    let types = s
        .app
        .registry
        .in_menu_order()
        .into_iter()
        .map(|t| {
            (
                t.code.clone(),
                t.name_zh.clone(),
                runs.case_types.is_empty() || runs.case_types.contains(&t.code),
            )
        })
        .collect();
    let status = error.map(crate::error::status_of).unwrap_or(StatusCode::OK);
    let page = UnitPage {
        chrome: Chrome::new(&u.actor, &u.session, "org"),
        kind: unit
            .kind
            .parse::<fazhi_domain::UnitKind>()
            .map(|k| k.label_zh().to_string())
            .unwrap_or_else(|_| unit.kind.clone()),
        code: unit.code,
        name: unit.name,
        closed: unit.closed_at.is_some(),
        is_top: unit.parent_id.is_none(),
        can_edit: u.actor.has(fazhi_domain::Role::Admin)
            && unit.path.starts_with(&u.actor.unit_path),
        types,
        types_from,
        notice: notice.into(),
        error: error
            .map(|e| crate::error::body_of(e).message)
            .unwrap_or_default(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

fn error_response(e: &AppError) -> Response {
    (crate::error::status_of(e), crate::error::body_of(e).message).into_response()
}

fn pairs_of(u: &PageUser, body: &[u8]) -> Result<crate::forms::Pairs, AppError> {
    let pairs: crate::forms::Pairs = serde_urlencoded::from_bytes(body).unwrap_or_default();
    crate::forms::check_csrf(&pairs, &u.session)?;
    Ok(pairs)
}

async fn unit_page(State(s): State<AppState>, u: PageUser, Path(code): Path<String>) -> Response {
    unit_render(&s, &u, &code, "", None).await
}

async fn unit_rename(
    State(s): State<AppState>,
    u: PageUser,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let r = match pairs_of(&u, &body) {
        Ok(p) => {
            let name = crate::forms::get(&p, "name").unwrap_or("").to_string();
            s.app.rename_unit(&u.actor, &code, &name).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => unit_render(&s, &u, &code, "单位名称已修改。", None).await,
        Err(e) => unit_render(&s, &u, &code, "", Some(&e)).await,
    }
}

async fn unit_close(
    State(s): State<AppState>,
    u: PageUser,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let r = match pairs_of(&u, &body) {
        Ok(_) => s.app.close_unit(&u.actor, &code).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => {
            unit_render(
                &s,
                &u,
                &code,
                "单位已撤销：不再接收新的案件、用户、部门、执法人员或下级单位，已有记录保留。",
                None,
            )
            .await
        }
        Err(e) => unit_render(&s, &u, &code, "", Some(&e)).await,
    }
}

async fn unit_case_types(
    State(s): State<AppState>,
    u: PageUser,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    // The role first, before the form is read (an empty choice is a 422 only for an admin).
    let r = match u
        .actor
        .require(fazhi_domain::Role::Admin)
        .and_then(|()| pairs_of(&u, &body))
    {
        Ok(p) => {
            let all = crate::forms::get(&p, "all").is_some();
            let list: Vec<String> = if all {
                Vec::new()
            } else {
                p.iter()
                    .filter(|(k, _)| k == "case_types")
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            if !all && list.is_empty() {
                Err(AppError::invalid(
                    "case_types",
                    "required",
                    "案件类型：请至少选择一种，或勾选“与上级单位相同／全部”",
                ))
            } else {
                s.app
                    .set_unit_case_types(&u.actor, &code, &list)
                    .await
                    .map(|_| ())
            }
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => unit_render(&s, &u, &code, "开展的案件类型已保存。", None).await,
        Err(e) => unit_render(&s, &u, &code, "", Some(&e)).await,
    }
}
