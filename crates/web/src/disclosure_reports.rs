//! The 政府信息公开工作年度报告 pages: open (unit and year), view with the form's checks, the
//! clerk's editor (sections 一, 五, 六 and the manual cells of tables 二 and 四), freeze and
//! unfreeze, downloads in DOCX / HTML / Markdown from the stored report.

use crate::route_table::{Routes, get, post};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fazhi_app::AppError;
use fazhi_app::reports::Format;
use fazhi_domain::UnitId;
use fazhi_reports::disclosure::{T2_ROWS, T4_COLUMNS, T4_GROUPS};

use crate::AppState;
use crate::auth::PageUser;
use crate::error::{body_of, status_of};
use crate::forms::{Pairs, check_csrf, get as form_get};
use crate::reports::{attachment, fail, render};
use crate::views::Chrome;

pub fn routes() -> Routes {
    Routes::new()
        .route("/disclosure-reports/open", post(open))
        .route("/disclosure-reports/{id}", get(view))
        .route(
            "/disclosure-reports/{id}/edit",
            get(edit_page).post(edit_save),
        )
        .route("/disclosure-reports/{id}/freeze", post(freeze))
        .route("/disclosure-reports/{id}/unfreeze", post(unfreeze))
        .route("/disclosure-reports/{id}/download/{fmt}", get(download))
}

#[derive(Template)]
#[template(path = "disclosure_view.html")]
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
    blockers: Vec<String>,
    notice: String,
    error: String,
}

/// One manual cell of the editor: input name, label, current value.
struct CellInput {
    name: String,
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "disclosure_edit.html")]
struct EditPage {
    chrome: Chrome,
    id: i64,
    year: i64,
    title: String,
    version: i64,
    overview: String,
    problems: String,
    other: String,
    table2: Vec<CellInput>,
    table4: Vec<CellInput>,
    computed: Vec<String>,
    error: String,
}

fn pairs(body: &[u8]) -> Pairs {
    serde_urlencoded::from_bytes::<Pairs>(body).unwrap_or_default()
}

async fn open(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let p = pairs(&body);
    if let Err(e) = check_csrf(&p, &u.session) {
        return fail(&u, &e);
    }
    let unit = form_get(&p, "unit").and_then(|v| v.parse::<i64>().ok());
    let year = form_get(&p, "year").and_then(|v| v.trim().parse::<i64>().ok());
    let (Some(unit), Some(year)) = (unit, year) else {
        return fail(
            &u,
            &AppError::invalid("year", "format", "年度：应为四位数字年份；单位：必选"),
        );
    };
    match s.app.disclosure_open(&u.actor, UnitId(unit), year).await {
        Ok(r) => Redirect::to(&format!("/disclosure-reports/{}", r.row.id)).into_response(),
        Err(e) => fail(&u, &e),
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
    let r = match s.app.disclosure_stored(&u.actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(u, &e),
    };
    let built = match s.app.disclosure_inputs_of(&u.actor, &r).await {
        Ok(i) => i.build(),
        Err(e) => return fail(u, &e),
    };
    let frozen = r.row.status == "frozen";
    let page = ViewPage {
        chrome: Chrome::new(&u.actor, &u.session, "reports"),
        id,
        title: built.title.clone(),
        unit_name: r.unit_name.clone(),
        year: r.row.year,
        frozen,
        frozen_note: format!(
            "{}于{}定稿，报告的全部数据及其所计申请已冻结。",
            r.row.frozen_by.clone().unwrap_or_default(),
            r.row
                .frozen_at
                .map(crate::pages::format_ms)
                .unwrap_or_default()
        ),
        version: r.row.version,
        preview: fazhi_reports::render_disclosure_html_fragment(&built),
        blockers: if frozen { Vec::new() } else { built.blockers() },
        notice: match notice {
            "saved" => "已保存。".into(),
            "frozen" => "已定稿。".into(),
            "unfrozen" => "已撤销定稿。".into(),
            _ => String::new(),
        },
        error,
    };
    render(&page, status)
}

async fn view(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    q: axum::extract::Query<Vec<(String, String)>>,
) -> Response {
    let notice =
        q.0.iter()
            .find(|(k, _)| k == "notice")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
    view_page(&s, &u, id, &notice, String::new(), StatusCode::OK).await
}

fn number_text(v: Option<f64>) -> String {
    match v {
        Some(v) if v.fract() == 0.0 => format!("{}", v as i64),
        Some(v) => format!("{v}"),
        None => String::new(),
    }
}

fn cells(n: &fazhi_reports::Narrative) -> (Vec<CellInput>, Vec<CellInput>) {
    let mut t2 = Vec::new();
    for (key, _, label, cols) in T2_ROWS {
        for (c, col) in cols.iter().enumerate() {
            let k = format!("{key}.{}", c + 1);
            if n.table2_indicators.contains_key(&k) {
                continue;
            }
            t2.push(CellInput {
                name: format!("t2.{k}"),
                label: format!("{label}·{col}"),
                value: number_text(n.table2.get(&k).copied()),
            });
        }
    }
    let mut t4 = Vec::new();
    for (g, group) in T4_GROUPS.iter().enumerate() {
        for (c, col) in T4_COLUMNS.iter().enumerate() {
            let k = format!("{}.{}", g + 1, c + 1);
            t4.push(CellInput {
                name: format!("t4.{k}"),
                label: format!("{group}·{col}"),
                value: number_text(n.table4.get(&k).copied()),
            });
        }
    }
    (t2, t4)
}

async fn edit_form(
    s: &AppState,
    u: &PageUser,
    id: i64,
    shown: Option<(i64, fazhi_reports::Narrative)>,
    error: String,
    status: StatusCode,
) -> Response {
    let r = match s.app.disclosure_stored(&u.actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(u, &e),
    };
    if r.row.status == "frozen" {
        return Redirect::to(&format!("/disclosure-reports/{id}")).into_response();
    }
    let (version, n) = shown.unwrap_or((r.row.version, r.narrative.clone()));
    let (table2, table4) = cells(&n);
    let page = EditPage {
        chrome: Chrome::new(&u.actor, &u.session, "reports"),
        id,
        year: r.row.year,
        title: format!("{}{}年政府信息公开工作年度报告", r.unit_name, r.row.year),
        version,
        overview: n.overview.clone().unwrap_or_default(),
        problems: n.problems.clone().unwrap_or_default(),
        other: n.other.clone().unwrap_or_default(),
        table2,
        table4,
        computed: n
            .table2_indicators
            .iter()
            .map(|(k, v)| format!("{k}：{v}"))
            .collect(),
        error,
    };
    render(&page, status)
}

async fn edit_page(State(s): State<AppState>, u: PageUser, Path(id): Path<i64>) -> Response {
    edit_form(&s, &u, id, None, String::new(), StatusCode::OK).await
}

/// Reads the editor's form into the narrative (keeping the stored indicator-computed cells).
fn read_form(
    p: &Pairs,
    stored: &fazhi_reports::Narrative,
) -> (fazhi_reports::Narrative, Vec<String>) {
    let text = |k: &str| {
        form_get(p, k)
            .map(|v| v.replace("\r\n", "\n").trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut n = fazhi_reports::Narrative {
        overview: text("overview"),
        problems: text("problems"),
        other: text("other"),
        table2_indicators: stored.table2_indicators.clone(),
        ..Default::default()
    };
    let (t2, t4) = cells(stored);
    let mut errors = Vec::new();
    for (prefix, list) in [("t2.", &t2), ("t4.", &t4)] {
        for c in list {
            let raw = form_get(p, &c.name).unwrap_or_default().trim();
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => {
                    let key = c.name[prefix.len()..].to_owned();
                    if prefix == "t2." {
                        n.table2.insert(key, v);
                    } else {
                        n.table4.insert(key, v);
                    }
                }
                _ => errors.push(format!("“{}”：应为不小于0的数字，收到“{raw}”", c.label)),
            }
        }
    }
    (n, errors)
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
    let stored = match s.app.disclosure_stored(&u.actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(&u, &e),
    };
    let version = form_get(&p, "version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let (n, errors) = read_form(&p, &stored.narrative);
    if !errors.is_empty() {
        return edit_form(
            &s,
            &u,
            id,
            Some((version, n)),
            errors.join("；"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match s.app.disclosure_save(&u.actor, id, version, &n).await {
        Ok(_) => Redirect::to(&format!("/disclosure-reports/{id}?notice=saved")).into_response(),
        Err(e) => {
            edit_form(
                &s,
                &u,
                id,
                Some((version, n)),
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
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let res = if freeze {
        s.app.disclosure_freeze(&u.actor, id, version).await
    } else {
        s.app.disclosure_unfreeze(&u.actor, id, version).await
    };
    match res {
        Ok(()) => Redirect::to(&format!(
            "/disclosure-reports/{id}?notice={}",
            if freeze { "frozen" } else { "unfrozen" }
        ))
        .into_response(),
        Err(e) => view_page(&s, &u, id, "", error_text(&e), status_of(&e)).await,
    }
}

fn error_text(e: &AppError) -> String {
    match e {
        AppError::Invalid(p) => p
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => body_of(other).message,
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

/// The stored report in `fmt`: the frozen snapshot once frozen, else computed now.
async fn download(
    State(s): State<AppState>,
    u: PageUser,
    Path((id, fmt)): Path<(i64, String)>,
) -> Response {
    let Some(format) = Format::parse(&fmt) else {
        return fail(&u, &AppError::NotFound(format!("格式“{fmt}”")));
    };
    match s.app.disclosure_render(&u.actor, id, format).await {
        Ok((title, bytes)) => attachment(format, &title, bytes),
        Err(e) => fail(&u, &e),
    }
}
