//! Annual-report pages: list, open/create, preview with figures, outline editor, freeze and diff,
//! downloads in DOCX / HTML / Markdown.

use askama::Template;

use crate::route_table::{Routes, get, post};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fazhi_app::AppError;
use fazhi_app::reports::{Format, doc_to_outline, outline_to_doc};
use fazhi_domain::UnitId;

use crate::AppState;
use crate::auth::{PageUser, urlencode};
use crate::error::{body_of, status_of};
use crate::forms::{Pairs, check_csrf, get as form_get};
use crate::views::Chrome;

pub fn routes() -> Routes {
    Routes::new()
        .route("/reports", get(list))
        .route("/reports/open", post(open))
        .route("/reports/{id}", get(view))
        .route("/reports/{id}/edit", get(edit_page).post(edit_save))
        .route("/reports/{id}/freeze", post(freeze))
        .route("/reports/{id}/unfreeze", post(unfreeze))
        .route("/reports/{id}/download/{fmt}", get(download))
}

pub struct ReportLine {
    pub id: i64,
    pub year: i64,
    pub unit: String,
    pub title: String,
    pub frozen: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ListPage {
    chrome: Chrome,
    units: Vec<(String, String)>,
    default_year: i32,
    rows: Vec<ReportLine>,
    /// The stored 政府信息公开工作年度报告.
    disclosure: Vec<ReportLine>,
    error: String,
}

#[derive(Template)]
#[template(path = "report_view.html")]
struct ViewPage {
    chrome: Chrome,
    id: i64,
    title: String,
    unit_name: String,
    year: i64,
    frozen: bool,
    frozen_note: String,
    version: i64,
    preview: String,
    /// label, value, source, lineage link
    figures: Vec<(String, String, String, String)>,
    missing: Vec<String>,
    /// label, frozen, current
    changes: Vec<(String, String, String)>,
    notice: String,
    error: String,
}

#[derive(Template)]
#[template(path = "report_edit.html")]
struct EditPage {
    chrome: Chrome,
    id: i64,
    year: i64,
    title: String,
    date: String,
    version: i64,
    outline: String,
    catalogue: Vec<(String, String)>,
    error: String,
}

pub(crate) fn render<T: Template>(t: &T, status: StatusCode) -> Response {
    match t.render() {
        Ok(h) => (status, Html(h)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

fn pairs(body: &[u8]) -> Pairs {
    serde_urlencoded::from_bytes::<Pairs>(body).unwrap_or_default()
}

pub(crate) fn fail(u: &PageUser, e: &AppError) -> Response {
    let page = crate::views::ErrorPage {
        chrome: Chrome::new(&u.actor, &u.session, "reports"),
        heading: "操作未完成".into(),
        message: body_of(e).message,
    };
    render(&page, status_of(e))
}

async fn list_page(s: &AppState, u: &PageUser, error: String, status: StatusCode) -> Response {
    let rows = match s.app.reports(&u.actor).await {
        Ok(r) => r,
        Err(e) => return fail(u, &e),
    };
    let units = s
        .app
        .list_units(&u.actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|x| x.path.starts_with(&u.actor.unit_path))
        .map(|x| (x.id.0.to_string(), x.name))
        .collect();
    let disclosure = match s.app.disclosure_reports(&u.actor).await {
        Ok(r) => r
            .into_iter()
            .map(|(r, unit)| ReportLine {
                id: r.id,
                year: r.year,
                title: format!("{unit}{}年政府信息公开工作年度报告", r.year),
                unit,
                frozen: r.status == "frozen",
                updated: crate::pages::format_ms(r.updated_at),
            })
            .collect(),
        Err(e) => return fail(u, &e),
    };
    let page = ListPage {
        chrome: Chrome::new(&u.actor, &u.session, "reports"),
        disclosure,
        units,
        default_year: s.app.clock.today().year() as i32 - 1,
        rows: rows
            .into_iter()
            .map(|(r, unit)| ReportLine {
                id: r.id,
                year: r.year,
                unit,
                title: r.title,
                frozen: r.status == "frozen",
                updated: crate::pages::format_ms(r.updated_at),
            })
            .collect(),
        error,
    };
    render(&page, status)
}

async fn list(State(s): State<AppState>, u: PageUser) -> Response {
    list_page(&s, &u, String::new(), StatusCode::OK).await
}

async fn open(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let p = pairs(&body);
    if let Err(e) = check_csrf(&p, &u.session) {
        return fail(&u, &e);
    }
    let unit = form_get(&p, "unit").and_then(|v| v.parse::<i64>().ok());
    let year = form_get(&p, "year").and_then(|v| v.trim().parse::<i64>().ok());
    let (Some(unit), Some(year)) = (unit, year) else {
        return list_page(
            &s,
            &u,
            "年度：应为四位数字年份；单位：必选".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match s.app.report_open(&u.actor, UnitId(unit), year).await {
        Ok(r) => Redirect::to(&format!("/reports/{}", r.row.id)).into_response(),
        Err(e) => list_page(&s, &u, body_of(&e).message, status_of(&e)).await,
    }
}

fn value_text(f: &fazhi_reports::Figure) -> String {
    match f.value {
        Some(v) => {
            fazhi_reports::format_value(v, fazhi_reports::Format::Auto, &f.unit)
                + if f.unit == "%" { "" } else { &f.unit }
        }
        None => "缺数".into(),
    }
}

async fn view_page(
    s: &AppState,
    u: &PageUser,
    id: i64,
    notice: &str,
    error: String,
    status: StatusCode,
) -> Response {
    let r = match s.app.report(&u.actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(u, &e),
    };
    let filled = match s.app.report_filled(&u.actor, &r).await {
        Ok(f) => f,
        Err(e) => return fail(u, &e),
    };
    let figures_map = s.app.report_figures(&u.actor, &r).await.unwrap_or_default();
    let frozen = r.row.status == "frozen";
    let changes = if frozen {
        s.app
            .report_diff(&u.actor, id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|c| {
                let show = |v: Option<f64>| {
                    v.map(|v| fazhi_reports::format_value(v, fazhi_reports::Format::Auto, &c.unit))
                        .unwrap_or_else(|| "缺数".into())
                };
                (c.label.clone(), show(c.frozen), show(c.current))
            })
            .collect()
    } else {
        Vec::new()
    };
    let figures = figures_map
        .iter()
        .map(|(k, f)| {
            let link = format!(
                "/figures?h={}",
                urlencode(&format!("{k}@{}@{}", r.row.unit_id, r.row.year))
            );
            (
                f.label.clone(),
                value_text(f),
                if f.manual {
                    format!(
                        "人工填报{}",
                        f.source
                            .as_ref()
                            .map(|s| format!("（{s}）"))
                            .unwrap_or_default()
                    )
                } else {
                    "系统计算".into()
                },
                link,
            )
        })
        .collect();
    let page = ViewPage {
        chrome: Chrome::new(&u.actor, &u.session, "reports"),
        id,
        title: r.doc.title.clone(),
        unit_name: r.unit_name.clone(),
        year: r.row.year,
        frozen,
        frozen_note: format!(
            "{}于{}定稿，报告数据已冻结。",
            r.row.frozen_by.clone().unwrap_or_default(),
            r.row
                .frozen_at
                .map(crate::pages::format_ms)
                .unwrap_or_default()
        ),
        version: r.row.version,
        preview: fazhi_reports::render_html_fragment(&filled),
        figures,
        missing: filled.missing.clone(),
        changes,
        notice: notice.into(),
        error,
    };
    render(&page, status)
}

#[derive(serde::Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn view(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Response {
    let notice = match q.notice.as_deref() {
        Some("saved") => "已保存，并已记入审计日志。",
        Some("frozen") => "已定稿：报告中的全部数据已冻结。",
        Some("unfrozen") => "已撤销定稿，报告回到草稿状态。",
        _ => "",
    };
    view_page(&s, &u, id, notice, String::new(), StatusCode::OK).await
}

async fn edit_render(
    s: &AppState,
    u: &PageUser,
    id: i64,
    override_text: Option<(&str, &str, &str)>,
    error: String,
    status: StatusCode,
) -> Response {
    let r = match s.app.report(&u.actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(u, &e),
    };
    if r.row.status == "frozen" {
        return view_page(
            s,
            u,
            id,
            "",
            "报告已定稿，修改前须先撤销定稿。".into(),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let (title, date, outline) = match override_text {
        Some((t, d, o)) => (t.to_string(), d.to_string(), o.to_string()),
        None => (
            r.doc.title.clone(),
            r.doc.signature.date.clone().unwrap_or_default(),
            doc_to_outline(&r.doc),
        ),
    };
    let page = EditPage {
        chrome: Chrome::new(&u.actor, &u.session, "reports"),
        id,
        year: r.row.year,
        title,
        date,
        version: r.row.version,
        outline,
        catalogue: s.app.indicator_labels(),
        error,
    };
    render(&page, status)
}

async fn edit_page(State(s): State<AppState>, u: PageUser, Path(id): Path<i64>) -> Response {
    edit_render(&s, &u, id, None, String::new(), StatusCode::OK).await
}

async fn edit_save(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let p = pairs(&body);
    if let Err(e) = check_csrf(&p, &u.session) {
        return fail(&u, &e);
    }
    let (title, date, outline) = (
        form_get(&p, "title").unwrap_or("").trim(),
        form_get(&p, "date").unwrap_or("").trim(),
        form_get(&p, "outline").unwrap_or(""),
    );
    let version = form_get(&p, "version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let r = match s.app.report(&u.actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(&u, &e),
    };
    let result = async {
        let mut doc = outline_to_doc(&r.doc, outline)?;
        doc.title = title.to_string();
        doc.signature.date = Some(date.to_string()).filter(|d| !d.is_empty());
        s.app.report_save(&u.actor, id, version, &doc).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/reports/{id}?notice=saved")).into_response(),
        Err(e) => {
            edit_render(
                &s,
                &u,
                id,
                Some((title, date, outline)),
                body_of(&e).message,
                status_of(&e),
            )
            .await
        }
    }
}

async fn freeze_or_unfreeze(
    s: AppState,
    u: PageUser,
    id: i64,
    body: Bytes,
    freeze: bool,
) -> Response {
    let p = pairs(&body);
    if let Err(e) = check_csrf(&p, &u.session) {
        return fail(&u, &e);
    }
    let version = form_get(&p, "version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let r = if freeze {
        s.app.report_freeze(&u.actor, id, version).await
    } else {
        s.app.report_unfreeze(&u.actor, id, version).await
    };
    match r {
        Ok(()) => Redirect::to(&format!(
            "/reports/{id}?notice={}",
            if freeze { "frozen" } else { "unfrozen" }
        ))
        .into_response(),
        Err(e) => view_page(&s, &u, id, "", body_of(&e).message, status_of(&e)).await,
    }
}

async fn freeze(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    freeze_or_unfreeze(s, u, id, body, true).await
}

async fn unfreeze(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    freeze_or_unfreeze(s, u, id, body, false).await
}

pub(crate) fn attachment(format: Format, title: &str, bytes: Vec<u8>) -> Response {
    let (ct, ext) = match format {
        Format::Docx => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        Format::Html => ("text/html; charset=utf-8", "html"),
        Format::Markdown => ("text/markdown; charset=utf-8", "md"),
    };
    let name = format!("{title}.{ext}");
    (
        [
            (header::CONTENT_TYPE, ct.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", urlencode(&name)),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn download(
    State(s): State<AppState>,
    u: PageUser,
    Path((id, fmt)): Path<(i64, String)>,
) -> Response {
    let Some(format) = Format::parse(&fmt) else {
        return fail(&u, &AppError::NotFound(format!("格式“{fmt}”")));
    };
    let r = match s.app.report(&u.actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(&u, &e),
    };
    match s.app.report_render(&u.actor, id, format).await {
        Ok(bytes) => attachment(format, &r.doc.title, bytes),
        Err(e) => fail(&u, &e),
    }
}
