//! Server-rendered pages. Handlers parse the request, call one app use case, render a template.

use askama::Template;

use crate::route_table::{Routes, get, post};
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fazhi_app::cases::{CaseView, CreateCase, TakeTransition};
use fazhi_app::{Actor, AppError};
use fazhi_domain::{CaseId, EvidenceId, Role, Scope};
use fazhi_store::cases::{CaseFilter, Sort};
use std::collections::HashMap;

use crate::AppState;
use crate::auth::{MaybeUser, PageUser, client_addr, session_cookie, urlencode};
use crate::error::status_of;
use crate::forms::{Pairs, check_csrf, get as form_get, to_input};
use crate::views::*;

pub fn routes() -> Routes {
    Routes::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/cases", get(case_list))
        .route("/cases/new", get(case_new).post(case_create))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/reveal", post(case_reveal))
        .route("/cases/{id}/do/{transition}", post(case_do))
        .route(
            "/cases/{id}/evidence",
            post(case_evidence).map(|m| {
                m.layer(axum::extract::DefaultBodyLimit::max(
                    crate::api::EVIDENCE_BODY_LIMIT,
                ))
            }),
        )
        .route("/tokens", get(tokens_page).post(token_create))
        .route("/tokens/{id}/revoke", post(token_revoke))
        .route("/evidence/{id}", get(evidence_download))
        .route("/cases/{id}/documents/{name}", get(document_preview))
        .route("/cases/{id}/documents/{name}/issue", post(document_issue))
        .route("/documents/{id}", get(document_download))
        .route("/documents/{id}/serve", post(document_serve))
        .route("/officers", get(officers_page).post(officer_create))
        .route("/officers/certificates", post(certificate_create))
        .route("/officers/certificates/approve", post(certificate_approve))
        .route("/org", get(org_page))
        .route("/org/users", post(user_create))
        .route("/org/units", post(unit_create))
        .route("/org/departments", post(department_create))
        .route("/audit", get(audit_page))
        .route("/calendar", get(calendar_page))
        .route("/public/decisions", get(public_list))
        .route("/public/decisions/{id}", get(public_detail))
        .route("/healthz", get(healthz))
}

fn render<T: Template>(t: &T, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

fn error_page(u: &PageUser, e: &AppError) -> Response {
    let status = status_of(e);
    let heading = match status {
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::FORBIDDEN => "无权访问",
        StatusCode::CONFLICT => "数据冲突",
        _ => "操作未完成",
    };
    render(
        &ErrorPage {
            chrome: Chrome::new(&u.actor, &u.session, ""),
            heading: heading.into(),
            message: crate::error::body_of(e).message,
        },
        status,
    )
}

async fn healthz(State(s): State<AppState>) -> Response {
    match s.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")).into_response(),
    }
}

// ---------- login ----------

#[derive(serde::Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// Where to go after login: a path on this site only. Anything that a browser could read as
/// another origin (`//host`, `/\\host`, a scheme) or that carries control characters goes to
/// `/`; characters outside ASCII are percent-encoded so the Location header is always valid.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".into();
    };
    let mut chars = n.chars();
    let ok = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/') | Some('\\'))
        && !n.chars().any(|c| c.is_control() || c == '\\')
        && n.len() <= 2048;
    if !ok {
        return "/".into();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_ascii() && c != ' ' && c != '"' && c != '<' && c != '>' {
            out.push(c);
        } else {
            let mut b = [0u8; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// The login form's CSRF token travels in this cookie and in the form (double submit); the
/// form must also come from this origin.
const LOGIN_CSRF_COOKIE: &str = "fazhi_login_csrf";

fn login_csrf_cookie(token: &str, secure: bool) -> String {
    format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        if secure { "; Secure" } else { "" }
    )
}

async fn login_page(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
) -> Response {
    if user.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let csrf = fazhi_app::auth::random_token();
    let page = render(
        &LoginPage {
            error: None,
            next: safe_next(q.next.as_deref()),
            login: String::new(),
            csrf: csrf.clone(),
        },
        StatusCode::OK,
    );
    (
        [(
            header::SET_COOKIE,
            login_csrf_cookie(&csrf, s.config.secure_cookies),
        )],
        page,
    )
        .into_response()
}

async fn login_submit(State(s): State<AppState>, req: axum::extract::Request) -> Response {
    let (parts, body) = req.into_parts();
    let client = client_addr(&parts, &s.config.trusted_proxies);
    let body = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let form: HashMap<String, String> = serde_urlencoded_pairs(&body).into_iter().collect();
    let login = form.get("login").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let next = safe_next(form.get("next").map(String::as_str));
    let cookie_token = crate::auth::cookie_value(&parts, LOGIN_CSRF_COOKIE).unwrap_or("");
    let form_token = form.get("_csrf").map(String::as_str).unwrap_or("");
    if cookie_token.is_empty() || cookie_token != form_token || !crate::auth::same_origin(&parts) {
        let csrf = fazhi_app::auth::random_token();
        let page = render(
            &LoginPage {
                error: Some("页面已过期或请求来源不明（CSRF校验失败），请重新登录".into()),
                next,
                login,
                csrf: csrf.clone(),
            },
            StatusCode::FORBIDDEN,
        );
        return (
            [(
                header::SET_COOKIE,
                login_csrf_cookie(&csrf, s.config.secure_cookies),
            )],
            page,
        )
            .into_response();
    }
    match s.app.login(login.trim(), &password, &client).await {
        Ok((session, _)) => {
            let cookie = session_cookie(
                &session.id,
                s.config.secure_cookies,
                fazhi_app::auth::SESSION_MS / 1000,
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let msg = crate::error::body_of(&e).message;
            render(
                &LoginPage {
                    error: Some(msg),
                    next,
                    login,
                    csrf: form_token.to_string(),
                },
                status_of(&e),
            )
        }
    }
}

fn serde_urlencoded_pairs(body: &[u8]) -> Pairs {
    serde_urlencoded::from_bytes::<Pairs>(body).unwrap_or_default()
}

async fn logout(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let _ = s.app.logout(&u.session.id).await;
    (
        [(
            header::SET_COOKIE,
            session_cookie("", s.config.secure_cookies, 0),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

// ---------- home and lists ----------

fn soon_date(s: &AppState, today: jiff::civil::Date) -> String {
    s.app.due_soon_date(today).to_string()
}

fn count_text(n: i64) -> String {
    if n > fazhi_store::cases::COUNT_CAP {
        format!("{}+", fazhi_store::cases::COUNT_CAP)
    } else {
        n.to_string()
    }
}

async fn home(State(s): State<AppState>, u: PageUser) -> Response {
    let today = s.app.clock.today();
    let today_s = today.to_string();
    let soon = soon_date(&s, today);
    let base = CaseFilter {
        open_only: true,
        limit: 1,
        ..Default::default()
    };
    let overdue = CaseFilter {
        due_by: Some(today.yesterday().map(|d| d.to_string()).unwrap_or_default()),
        ..base.clone()
    };
    let soon_f = CaseFilter {
        due_by: Some(soon.clone()),
        sort: Sort::DueAsc,
        limit: 15,
        ..base.clone()
    };
    let r = async {
        let (_, overdue_n) = s.app.list_cases(&u.actor, overdue).await?;
        let (due_rows, soon_n) = s.app.list_cases(&u.actor, soon_f).await?;
        let (waiting, waiting_n) = s.app.waiting_for(&u.actor, 15).await?;
        Ok::<_, AppError>((due_rows, overdue_n, soon_n, waiting, waiting_n))
    }
    .await;
    match r {
        Ok((due_rows, o, sn, waiting, wn)) => {
            let view = |rows: &[fazhi_store::CaseRow]| {
                rows.iter()
                    .map(|c| RowView::new(c, s.app.registry.get(&c.case_type), &today_s, &soon))
                    .collect()
            };
            render(
                &HomePage {
                    chrome: Chrome::new(&u.actor, &u.session, "home"),
                    today: today_s.clone(),
                    rows: view(&due_rows),
                    waiting: view(&waiting),
                    overdue_total: count_text(o),
                    soon_label: s.app.due_soon_label(),
                    soon_total: count_text((sn - o).max(0)),
                    open_total: count_text(wn),
                },
                StatusCode::OK,
            )
        }
        Err(e) => error_page(&u, &e),
    }
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    #[serde(rename = "type")]
    case_type: Option<String>,
    q: Option<String>,
    state: Option<String>,
    category: Option<String>,
    from: Option<String>,
    to: Option<String>,
    due: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
}

const PAGE_SIZE: i64 = 30;

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

async fn case_list(State(s): State<AppState>, u: PageUser, Query(q): Query<ListQuery>) -> Response {
    // Without a type: the first case type of the menu.
    let case_type = nonempty(&q.case_type)
        .or_else(|| s.app.registry.first_in_menu().map(|t| t.code.clone()))
        .unwrap_or_default();
    let Some(t) = s.app.registry.get(&case_type) else {
        return error_page(&u, &AppError::NotFound(format!("案件类型“{case_type}”")));
    };
    let today = s.app.clock.today();
    let soon = soon_date(&s, today);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut f = CaseFilter {
        case_type: Some(case_type.clone()),
        state: nonempty(&q.state),
        category: nonempty(&q.category),
        created_from: nonempty(&q.from),
        created_to: nonempty(&q.to),
        query: nonempty(&q.q),
        sort: match q.sort.as_deref() {
            Some("old") => Sort::CreatedAsc,
            Some("due") => Sort::DueAsc,
            _ => Sort::CreatedDesc,
        },
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
        ..Default::default()
    };
    match q.due.as_deref() {
        Some("overdue") => {
            f.open_only = true;
            f.due_by = today.yesterday().ok().map(|d| d.to_string());
        }
        Some("soon") => {
            f.open_only = true;
            f.due_by = Some(soon.clone());
        }
        Some("open") => f.open_only = true,
        _ => {}
    }
    let (rows, total) = match s.app.list_cases(&u.actor, f).await {
        Ok(r) => r,
        Err(e) => return error_page(&u, &e),
    };
    let fv = ListFilterView {
        q: q.q.clone().unwrap_or_default(),
        state: q.state.clone().unwrap_or_default(),
        category: q.category.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        due: q.due.clone().unwrap_or_default(),
        sort: q.sort.clone().unwrap_or_else(|| "new".into()),
    };
    let url = |p: i64| {
        format!(
            "/cases?type={}&q={}&state={}&category={}&from={}&to={}&due={}&sort={}&page={p}",
            urlencode(&case_type),
            urlencode(&fv.q),
            urlencode(&fv.state),
            urlencode(&fv.category),
            urlencode(&fv.from),
            urlencode(&fv.to),
            urlencode(&fv.due),
            urlencode(&fv.sort)
        )
    };
    let today_s = today.to_string();
    let category_field = t
        .presentation
        .category_field
        .as_deref()
        .and_then(|c| t.field(c));
    let categories = category_field
        .and_then(|f| f.dictionary.as_deref())
        .and_then(|d| t.dictionary(d))
        .map(|d| {
            d.iter()
                .map(|e| (e.value.clone(), e.label_zh.clone()))
                .collect()
        })
        .unwrap_or_default();
    render(
        &CaseListPage {
            chrome: Chrome::new(&u.actor, &u.session, &case_type),
            case_type: case_type.clone(),
            type_name: t.name_zh.clone(),
            states: t
                .states
                .iter()
                .map(|st| (st.code.clone(), st.label_zh.clone()))
                .collect(),
            categories,
            soon_label: s.app.due_soon_label(),
            category_label: category_field.map_or_else(|| "类别".into(), |f| f.label_zh.clone()),
            filters: t.presentation.list_filters.clone(),
            columns: t
                .presentation
                .list_columns
                .iter()
                .map(|c| c.label_zh.clone())
                .collect(),
            rows: rows
                .iter()
                .map(|c| ListRowView::new(c, t, &today_s, &soon))
                .collect(),
            total_text: count_text(total),
            has_next: page * PAGE_SIZE < total,
            prev_url: url(page - 1),
            next_url: url(page + 1),
            page,
            f: fv,
        },
        StatusCode::OK,
    )
}

// ---------- create ----------

#[derive(serde::Deserialize)]
struct TypeQuery {
    #[serde(rename = "type")]
    case_type: String,
}

async fn officer_options(s: &AppState, actor: &Actor) -> Vec<(String, String)> {
    let today = s.app.clock.today();
    s.app
        .list_officers(actor, today)
        .await
        .unwrap_or_default()
        .iter()
        .map(|o| {
            (
                o.officer.code.clone(),
                format!(
                    "{}（{}）{}",
                    o.officer.name,
                    o.officer.code,
                    if o.certified_on_date {
                        ""
                    } else {
                        " 无有效执法证"
                    }
                ),
            )
        })
        .collect()
}

async fn department_options(s: &AppState, actor: &Actor) -> Vec<(String, String)> {
    s.app
        .list_departments(actor)
        .await
        .unwrap_or_default()
        .iter()
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect()
}

/// Extra options for input kinds without a dictionary: officers and departments.
async fn kind_options(
    s: &AppState,
    actor: &Actor,
) -> (Vec<(String, String)>, Vec<(String, String)>) {
    (
        officer_options(s, actor).await,
        department_options(s, actor).await,
    )
}

async fn new_page(
    s: &AppState,
    u: &PageUser,
    case_type: &str,
    pairs: &Pairs,
    problems: &Problems,
    status: StatusCode,
) -> Response {
    let Some(t) = s.app.registry.get(case_type) else {
        return error_page(u, &AppError::NotFound(format!("案件类型“{case_type}”")));
    };
    let Some(create) = t.create_transitions().next() else {
        return error_page(u, &AppError::NotFound("该类型不能新建".into()));
    };
    let action = fazhi_app::cases::ActionView {
        code: create.code.clone(),
        label: create.label_zh.clone(),
        inputs: create
            .inputs
            .iter()
            .map(|i| {
                let f = t.field(&i.field);
                fazhi_app::cases::InputView {
                    field: i.field.clone(),
                    label: t.field_label(&i.field),
                    kind: f
                        .map(|f| f.kind.code().to_string())
                        .unwrap_or_else(|| "text".into()),
                    required: i.required,
                    options: f
                        .and_then(|f| f.dictionary.as_deref())
                        .and_then(|d| t.dictionary(d))
                        .map(|d| {
                            d.iter()
                                .map(|e| (e.value.clone(), e.label_zh.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect(),
    };
    let (officers, depts) = kind_options(s, &u.actor).await;
    let extra = |k: &str| match k {
        "officer" | "officer_list" => officers.clone(),
        "department" => depts.clone(),
        _ => vec![],
    };
    let units = s
        .app
        .list_units(&u.actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|x| x.path.starts_with(&u.actor.unit_path))
        .map(|x| (x.code, x.name))
        .collect();
    render(
        &CaseNewPage {
            chrome: Chrome::new(&u.actor, &u.session, case_type),
            case_type: case_type.into(),
            type_name: t.name_zh.clone(),
            units,
            unit: form_get(pairs, "_unit").unwrap_or("").into(),
            on: form_get(pairs, "on").unwrap_or("").into(),
            form_fields: form_fields(&action, pairs, problems, &extra),
            prefix: "new-".into(),
            form_id: "newcase".into(),
            refusals: problems.refusals.clone(),
            warnings: problems.warnings.clone(),
            general_error: problems.general_error.clone(),
        },
        status,
    )
}

async fn case_new(State(s): State<AppState>, u: PageUser, Query(q): Query<TypeQuery>) -> Response {
    new_page(
        &s,
        &u,
        &q.case_type,
        &Vec::new(),
        &Problems::default(),
        StatusCode::OK,
    )
    .await
}

async fn case_create(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<TypeQuery>,
    body: Bytes,
) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let Some(t) = s.app.registry.get(&q.case_type) else {
        return error_page(
            &u,
            &AppError::NotFound(format!("案件类型“{}”", q.case_type)),
        );
    };
    let req = CreateCase {
        case_type: q.case_type.clone(),
        transition: None,
        unit_code: form_get(&pairs, "_unit").map(String::from),
        on: form_get(&pairs, "on").map(String::from),
        on_reason: form_get(&pairs, "on_reason").map(String::from),
        input: to_input(t, &pairs),
    };
    match s.app.create_case(&u.actor, &req).await {
        Ok(o) => Redirect::to(&format!("/cases/{}?notice=created", o.case_id)).into_response(),
        Err(e) if matches!(e, AppError::Invalid(_) | AppError::Refused(_)) => {
            let p = Problems::from_error(&e);
            new_page(
                &s,
                &u,
                &q.case_type,
                &pairs,
                &p,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&u, &e),
    }
}

// ---------- case page ----------

#[derive(serde::Deserialize, Default)]
struct CaseQuery {
    notice: Option<String>,
}

fn clock_views(v: &CaseView) -> Vec<ClockView> {
    v.clocks
        .iter()
        .map(|c| {
            let status: String = c
                .detail
                .get("status")
                .and_then(|x| x.as_str())
                .unwrap_or(&c.status)
                .to_string();
            let (label, class) = match (status.as_str(), c.level.as_str()) {
                ("overdue", _) => ("已超期", "bad"),
                ("missed", _) => ("逾期完成", "bad"),
                ("met", _) => ("按期完成", "ok"),
                ("elapsed", _) => ("期间已届满", "info"),
                ("paused", _) => ("暂停计时", "warn"),
                (_, "due_soon") => ("临期", "soon"),
                (_, "warning") => ("预警", "warn"),
                _ => ("计时中", "info"),
            };
            ClockView {
                label: c.label.clone(),
                status_label: label.into(),
                class: class.into(),
                started_on: c.started_on.clone(),
                due_on: match &c.due_on {
                    // Past the last imported year: weekends only until the year is loaded.
                    Some(d)
                        if c.detail.get("provisional").and_then(|x| x.as_bool()) == Some(true) =>
                    {
                        format!("{d}（暂定）")
                    }
                    Some(d) => d.clone(),
                    None => "无法计算".into(),
                },
                basis: c.basis.clone(),
                explain: c
                    .detail
                    .get("explanation_zh")
                    .and_then(|x| x.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|l| l.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                calendar_version: c.calendar_version.clone(),
            }
        })
        .collect()
}

async fn case_page_render(
    s: &AppState,
    u: &PageUser,
    id: CaseId,
    reveal: bool,
    notice: &str,
    failed: Option<(&str, &Pairs, &Problems)>,
    status: StatusCode,
) -> Response {
    let v = match s.app.case_view(&u.actor, id, reveal).await {
        Ok(v) => v,
        Err(e) => return error_page(u, &e),
    };
    let (officers, depts) = kind_options(s, &u.actor).await;
    let extra = |k: &str| match k {
        "officer" | "officer_list" => officers.clone(),
        "department" => depts.clone(),
        _ => vec![],
    };
    let empty = (Vec::new(), Problems::default());
    let actions = v
        .actions
        .iter()
        .map(|a| {
            let (pairs, problems) = match failed {
                Some((code, p, pr)) if code == a.code => (p.clone(), pr.clone()),
                _ => empty.clone(),
            };
            let open = failed.map(|f| f.0 == a.code).unwrap_or(false);
            ActionForm {
                code: a.code.clone(),
                label: a.label.clone(),
                fields: form_fields(a, &pairs, &problems, &extra),
                on: form_get(&pairs, "on").unwrap_or("").into(),
                open,
                refusals: problems.refusals.clone(),
                warnings: problems.warnings.clone(),
                general_error: problems.general_error.clone(),
            }
        })
        .collect();
    let documents = s.app.case_documents(&u.actor, id).await.unwrap_or_default();
    let notice = match notice {
        "created" => "已登记。".to_string(),
        "issued" => "文书已出具：文号已编定，文件及其SHA-256已存档并记入审计日志。".to_string(),
        "served" => "送达情况已登记，并已记入审计日志。".to_string(),
        "done" => "操作已完成，并已记入审计日志。".to_string(),
        "evidence" => "证据已保存，SHA-256已记入审计日志。".to_string(),
        _ => String::new(),
    };
    render(
        &CaseViewPage {
            chrome: Chrome::new(&u.actor, &u.session, &v.case.case_type),
            clocks: clock_views(&v),
            actions,
            notice,
            documents,
            service_methods: fazhi_app::documents::SERVICE_METHODS,
            v,
        },
        status,
    )
}

async fn case_page(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> Response {
    case_page_render(
        &s,
        &u,
        CaseId(id),
        false,
        q.notice.as_deref().unwrap_or(""),
        None,
        StatusCode::OK,
    )
    .await
}

/// Showing personal data unmasked is a POST with the form token (it writes an audit entry).
async fn case_reveal(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Err(e) = check_csrf(&serde_urlencoded_pairs(&body), &u.session) {
        return error_page(&u, &e);
    }
    case_page_render(&s, &u, CaseId(id), true, "", None, StatusCode::OK).await
}

async fn case_do(
    State(s): State<AppState>,
    u: PageUser,
    Path((id, transition)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let case = match s.app.case_row(&u.actor, CaseId(id)).await {
        Ok(c) => c,
        Err(e) => return error_page(&u, &e),
    };
    let Some(t) = s.app.registry.get(&case.case_type) else {
        return error_page(&u, &AppError::NotFound(case.case_type.clone()));
    };
    let req = TakeTransition {
        transition: transition.clone(),
        on: form_get(&pairs, "on").map(String::from),
        on_reason: form_get(&pairs, "on_reason").map(String::from),
        version: form_get(&pairs, "version").and_then(|v| v.parse().ok()),
        input: to_input(t, &pairs),
    };
    match s.app.transition(&u.actor, CaseId(id), &req).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}?notice=done")).into_response(),
        Err(e)
            if matches!(
                e,
                AppError::Invalid(_) | AppError::Refused(_) | AppError::Conflict(_)
            ) =>
        {
            let p = Problems::from_error(&e);
            case_page_render(
                &s,
                &u,
                CaseId(id),
                false,
                "",
                Some((&transition, &pairs, &p)),
                status_of(&e),
            )
            .await
        }
        Err(e) => error_page(&u, &e),
    }
}

async fn case_evidence(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Response {
    let mut csrf = String::new();
    let mut description = String::new();
    let mut file: Option<(String, String, Vec<u8>)> = None;
    while let Ok(Some(field)) = mp.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "_csrf" => csrf = field.text().await.unwrap_or_default(),
            "description" => description = field.text().await.unwrap_or_default(),
            "file" => {
                let filename = field.file_name().unwrap_or("未命名").to_string();
                let ct = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((filename, ct, b.to_vec())),
                    Err(_) => {
                        return error_page(
                            &u,
                            &AppError::invalid("file", "too_large", "证据文件：文件过大或上传中断"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    if csrf != u.session.csrf {
        return error_page(
            &u,
            &AppError::Forbidden(
                "页面已过期或请求来源不明（CSRF校验失败），请刷新页面后重试".into(),
            ),
        );
    }
    let Some((filename, ct, data)) = file else {
        return error_page(
            &u,
            &AppError::invalid("file", "required", "证据文件：请选择文件"),
        );
    };
    match s
        .app
        .add_evidence(
            &u.actor,
            CaseId(id),
            &filename,
            &ct,
            &data,
            description.trim(),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{id}?notice=evidence")).into_response(),
        Err(e) => error_page(&u, &e),
    }
}

async fn evidence_download(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
) -> Response {
    match s.app.evidence_file(&u.actor, EvidenceId(id)).await {
        Ok((e, data)) => (
            [
                (header::CONTENT_TYPE, e.media_type.clone()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename*=UTF-8''{}", urlencode(&e.filename)),
                ),
                (
                    header::HeaderName::from_static("x-content-sha256"),
                    e.sha256.clone(),
                ),
            ],
            data,
        )
            .into_response(),
        Err(e) => error_page(&u, &e),
    }
}

// ---------- case documents (文书) ----------

/// The document filled from the case, as a printable A4 page (personal data masked unless the
/// role may read it).
async fn document_preview(
    State(s): State<AppState>,
    u: PageUser,
    Path((id, name)): Path<(i64, String)>,
) -> Response {
    match s.app.document_preview(&u.actor, CaseId(id), &name).await {
        Ok(d) => Html(fazhi_reports::documents::render_document_page(&d)).into_response(),
        Err(e) => error_page(&u, &e),
    }
}

async fn document_issue(
    State(s): State<AppState>,
    u: PageUser,
    Path((id, name)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let corrects = form_get(&pairs, "corrects").and_then(|v| v.trim().parse().ok());
    match s
        .app
        .issue_document(&u.actor, CaseId(id), &name, corrects)
        .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{id}?notice=issued")).into_response(),
        Err(e) => error_page(&u, &e),
    }
}

async fn document_download(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
) -> Response {
    match s.app.document_file(&u.actor, id).await {
        Ok((d, data)) => {
            let file = format!(
                "{}{}.docx",
                d.name,
                d.number
                    .as_deref()
                    .map(|n| format!("（{n}）"))
                    .unwrap_or_default()
            );
            (
                [
                    (header::CONTENT_TYPE, d.media_type.clone()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename*=UTF-8''{}", urlencode(&file)),
                    ),
                    (
                        header::HeaderName::from_static("x-content-sha256"),
                        d.sha256.clone(),
                    ),
                ],
                data,
            )
                .into_response()
        }
        Err(e) => error_page(&u, &e),
    }
}

async fn document_serve(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let method = form_get(&pairs, "method").unwrap_or("");
    let on = form_get(&pairs, "on").unwrap_or("");
    let recipient = form_get(&pairs, "recipient").unwrap_or("");
    match s
        .app
        .serve_document(&u.actor, id, method, on, recipient)
        .await
    {
        Ok(d) => Redirect::to(&format!("/cases/{}?notice=served", d.case_id)).into_response(),
        Err(e) => error_page(&u, &e),
    }
}

// ---------- officers ----------

async fn officers_render(
    s: &AppState,
    u: &PageUser,
    notice: &str,
    problems: &Problems,
    status: StatusCode,
) -> Response {
    let today = s.app.clock.today();
    let officers = match s.app.list_officers(&u.actor, today).await {
        Ok(o) => o,
        Err(e) => return error_page(u, &e),
    };
    let domains = s
        .app
        .registry
        .register_dictionary(fazhi_workflow::presentation::OFFICER_CERTIFICATE_DOMAIN)
        .into_iter()
        .map(|e| e.value)
        .collect();
    let mut msgs = problems.clone();
    if !msgs.by_field.is_empty() {
        msgs.general_error = msgs
            .by_field
            .iter()
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join("；");
    }
    render(
        &OfficersPage {
            chrome: Chrome::new(&u.actor, &u.session, "officers"),
            today: today.to_string(),
            total: officers.len(),
            certified: officers.iter().filter(|o| o.certified_on_date).count(),
            reviewers: officers.iter().filter(|o| o.officer.legal_reviewer).count(),
            officers,
            domains,
            can_edit: u.actor.has(Role::Admin) || u.actor.has(Role::Leader),
            notice: notice.into(),
            refusals: msgs.refusals,
            warnings: msgs.warnings,
            general_error: msgs.general_error,
            form_id: "cert".into(),
        },
        status,
    )
}

async fn officers_page(State(s): State<AppState>, u: PageUser) -> Response {
    officers_render(&s, &u, "", &Problems::default(), StatusCode::OK).await
}

async fn officer_create(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let input = fazhi_app::org::NewOfficerInput {
        code: form_get(&pairs, "code").unwrap_or("").into(),
        name: form_get(&pairs, "name").unwrap_or("").into(),
        login: None,
        unit_code: s
            .app
            .list_units(&u.actor)
            .await
            .ok()
            .and_then(|us| us.into_iter().find(|x| x.id == u.actor.unit_id))
            .map(|x| x.code)
            .unwrap_or_default(),
        department_code: None,
        legal_reviewer: form_get(&pairs, "legal_reviewer").is_some(),
    };
    match s.app.create_officer(&u.actor, &input).await {
        Ok(_) => {
            officers_render(
                &s,
                &u,
                "执法人员已保存。",
                &Problems::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => officers_render(&s, &u, "", &Problems::from_error(&e), status_of(&e)).await,
    }
}

/// The 复核 button of a 待复核 certificate: the same use case as
/// `POST /api/v1/certificates/{number}/approve`, as a form (pages work without JavaScript).
async fn certificate_approve(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let number = form_get(&pairs, "number").unwrap_or("");
    match s.app.approve_certificate(&u.actor, number).await {
        Ok(()) => {
            officers_render(
                &s,
                &u,
                &format!("执法证“{}”已复核通过。", number.trim()),
                &Problems::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => officers_render(&s, &u, "", &Problems::from_error(&e), status_of(&e)).await,
    }
}

async fn certificate_create(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let year = form_get(&pairs, "annual_check_year")
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let annual_check_year = match year.map(|y| y.parse::<i64>()) {
        None => None,
        Some(Ok(y)) => Some(y),
        Some(Err(_)) => {
            return officers_render(
                &s,
                &u,
                "",
                &Problems::from_error(&AppError::invalid(
                    "annual_check_year",
                    "number",
                    "年审年度：应为四位数字年份",
                )),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let input = fazhi_app::org::NewCertificateInput {
        number: form_get(&pairs, "number").unwrap_or("").into(),
        domain: form_get(&pairs, "domain").unwrap_or("").into(),
        valid_from: form_get(&pairs, "valid_from").unwrap_or("").into(),
        valid_to: form_get(&pairs, "valid_to").unwrap_or("").into(),
        annual_check_year,
    };
    match s
        .app
        .add_certificate(&u.actor, form_get(&pairs, "officer").unwrap_or(""), &input)
        .await
    {
        Ok(_) => {
            officers_render(
                &s,
                &u,
                "执法证已保存。",
                &Problems::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => officers_render(&s, &u, "", &Problems::from_error(&e), status_of(&e)).await,
    }
}

// ---------- org ----------

async fn org_render(
    s: &AppState,
    u: &PageUser,
    notice: &str,
    problems: &Problems,
    status: StatusCode,
) -> Response {
    let r = async {
        let units = s.app.list_units(&u.actor).await?;
        let departments = s.app.list_departments(&u.actor).await?;
        let users = if u.actor.has(Role::Admin) || u.actor.has(Role::Leader) {
            s.app.list_users(&u.actor).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((units, departments, users))
    }
    .await;
    let (units, departments, users) = match r {
        Ok(x) => x,
        Err(e) => return error_page(u, &e),
    };
    let mut msgs = problems.clone();
    if !msgs.by_field.is_empty() {
        msgs.general_error = msgs
            .by_field
            .iter()
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join("；");
    }
    let base_depth = units
        .iter()
        .map(|x| x.path.matches('/').count())
        .min()
        .unwrap_or(2);
    render(
        &OrgPage {
            chrome: Chrome::new(&u.actor, &u.session, "org"),
            units: units
                .into_iter()
                .map(|x| {
                    let kind = x
                        .kind
                        .parse::<fazhi_domain::UnitKind>()
                        .map(|k| k.label_zh().to_string())
                        .unwrap_or_else(|_| x.kind.clone());
                    let depth = x.path.matches('/').count() - base_depth;
                    (x, kind, depth)
                })
                .collect(),
            departments,
            users: users
                .into_iter()
                .map(|x| {
                    let roles = x
                        .roles
                        .iter()
                        .map(|r| {
                            r.parse::<Role>()
                                .map(|r| r.label_zh().to_string())
                                .unwrap_or_else(|_| r.clone())
                        })
                        .collect::<Vec<_>>()
                        .join("、");
                    let scope = x
                        .scope
                        .parse::<Scope>()
                        .map(|s| s.label_zh().to_string())
                        .unwrap_or_else(|_| x.scope.clone());
                    (x, roles, scope)
                })
                .collect(),
            roles: Role::ALL
                .iter()
                .map(|r| (r.code().to_string(), r.label_zh().to_string()))
                .collect(),
            scopes: Scope::ALL
                .iter()
                .map(|r| (r.code().to_string(), r.label_zh().to_string()))
                .collect(),
            kinds: fazhi_domain::UnitKind::ALL
                .iter()
                .map(|k| (k.code().to_string(), k.label_zh().to_string()))
                .collect(),
            can_edit: u.actor.has(Role::Admin),
            notice: notice.into(),
            refusals: msgs.refusals,
            warnings: msgs.warnings,
            general_error: msgs.general_error,
            form_id: "newuser".into(),
        },
        status,
    )
}

async fn org_page(State(s): State<AppState>, u: PageUser) -> Response {
    org_render(&s, &u, "", &Problems::default(), StatusCode::OK).await
}

async fn user_create(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let input = fazhi_app::org::NewUserInput {
        login: form_get(&pairs, "login").unwrap_or("").trim().into(),
        display_name: form_get(&pairs, "display_name").unwrap_or("").into(),
        password: form_get(&pairs, "password").unwrap_or("").into(),
        unit_code: form_get(&pairs, "unit_code").unwrap_or("").into(),
        department_code: form_get(&pairs, "department_code")
            .filter(|v| !v.is_empty())
            .map(String::from),
        roles: pairs
            .iter()
            .filter(|(k, _)| k == "roles")
            .map(|(_, v)| v.clone())
            .collect(),
        scope: form_get(&pairs, "scope").unwrap_or("").into(),
    };
    match s.app.create_user(&u.actor, &input).await {
        Ok(_) => org_render(&s, &u, "用户已创建。", &Problems::default(), StatusCode::OK).await,
        Err(e) => org_render(&s, &u, "", &Problems::from_error(&e), status_of(&e)).await,
    }
}

async fn unit_create(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let input = fazhi_app::org::NewUnitInput {
        parent_code: form_get(&pairs, "parent_code").map(String::from),
        code: form_get(&pairs, "code").unwrap_or("").trim().into(),
        name: form_get(&pairs, "name").unwrap_or("").into(),
        kind: form_get(&pairs, "kind").unwrap_or("").into(),
    };
    match s.app.create_unit(&u.actor, &input).await {
        Ok(_) => org_render(&s, &u, "单位已创建。", &Problems::default(), StatusCode::OK).await,
        Err(e) => org_render(&s, &u, "", &Problems::from_error(&e), status_of(&e)).await,
    }
}

async fn department_create(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    let unit = form_get(&pairs, "unit_code").unwrap_or("");
    match s
        .app
        .create_department(
            &u.actor,
            unit,
            form_get(&pairs, "code").unwrap_or("").trim(),
            form_get(&pairs, "name").unwrap_or(""),
        )
        .await
    {
        Ok(_) => org_render(&s, &u, "部门已创建。", &Problems::default(), StatusCode::OK).await,
        Err(e) => org_render(&s, &u, "", &Problems::from_error(&e), status_of(&e)).await,
    }
}

// ---------- audit ----------

#[derive(serde::Deserialize, Default)]
struct AuditQuery {
    entity: Option<String>,
    entity_id: Option<String>,
    actor: Option<String>,
    before: Option<i64>,
    verify: Option<String>,
}

pub fn format_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

async fn audit_page(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<AuditQuery>,
) -> Response {
    let filter = fazhi_store::AuditFilter {
        entity: nonempty(&q.entity),
        entity_id: nonempty(&q.entity_id),
        actor: nonempty(&q.actor),
        before_id: q.before,
        limit: 100,
        // Narrowed to the caller's units by App::audit_list.
        unit_path: None,
    };
    let rows = match s.app.audit_list(&u.actor, &filter).await {
        Ok(r) => r,
        Err(e) => return error_page(&u, &e),
    };
    let verify = if q.verify.is_some() {
        Some(match s.app.audit_verify(&u.actor).await {
            Ok(Ok(n)) => (true, format!("哈希链完整：共{n}条记录，逐条校验通过。")),
            Ok(Err(p)) => (
                false,
                format!("哈希链在第{}条记录处断裂：{}", p.id, p.reason),
            ),
            Err(e) => (false, crate::error::body_of(&e).message),
        })
    } else {
        None
    };
    let next_before = if rows.len() == 100 {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    render(
        &AuditPage {
            chrome: Chrome::new(&u.actor, &u.session, "audit"),
            rows: rows
                .into_iter()
                .map(|r| AuditLine {
                    id: r.id,
                    time: format_ms(r.at),
                    actor: r.actor,
                    action: r.action,
                    entity: r.entity,
                    entity_id: r.entity_id,
                    change: r
                        .after
                        .map(|a| a.chars().take(240).collect())
                        .unwrap_or_default(),
                    hash_short: r.hash.chars().take(12).collect(),
                    hash: r.hash,
                })
                .collect(),
            entities: [
                ("case", "案件"),
                ("user", "用户"),
                ("unit", "单位"),
                ("department", "部门"),
                ("officer", "执法人员"),
                ("certificate", "执法证"),
            ]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            entity: q.entity.unwrap_or_default(),
            entity_id: q.entity_id.unwrap_or_default(),
            actor: q.actor.unwrap_or_default(),
            verify,
            next_before,
        },
        StatusCode::OK,
    )
}

// ---------- calendar ----------

#[derive(serde::Deserialize, Default)]
struct CalendarQuery {
    from: Option<String>,
    days: Option<String>,
    unit: Option<String>,
}

async fn calendar_page(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<CalendarQuery>,
) -> Response {
    let unit = q.unit.clone().unwrap_or_else(|| "working".into());
    let mut page = CalendarPage {
        chrome: Chrome::new(&u.actor, &u.session, "calendar"),
        from: q.from.clone().unwrap_or_default(),
        days: q.days.clone().unwrap_or_default(),
        unit: unit.clone(),
        due: String::new(),
        explain: vec![],
        error: String::new(),
    };
    if let (Some(from), Some(days)) = (nonempty(&q.from), nonempty(&q.days)) {
        match fazhi_app::deadline(&s.app, &from, &days, &unit) {
            Ok(d) => {
                page.due = d.due.to_string();
                page.explain = d.explain_zh();
            }
            Err(e) => page.error = crate::error::body_of(&e).message,
        }
    }
    render(&page, StatusCode::OK)
}

// ---------- public ----------

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    page: Option<i64>,
}

async fn public_list(State(s): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    match s.app.public_decisions(page).await {
        Ok(rows) => {
            let (keys, columns) = public_columns(&s);
            render(
                &PublicListPage {
                    has_next: rows.len() == 20,
                    rows: rows.iter().map(|r| PublicRow::new(r, &keys)).collect(),
                    columns,
                    page,
                },
                StatusCode::OK,
            )
        }
        Err(e) => (status_of(&e), crate::error::body_of(&e).message).into_response(),
    }
}

/// The public list's columns: the items declared `list = true` by the case types that publish
/// (body keys and labels, in menu order, each key once).
fn public_columns(s: &AppState) -> (Vec<String>, Vec<String>) {
    let mut keys: Vec<String> = Vec::new();
    let mut labels = Vec::new();
    for t in s.app.registry.in_menu_order() {
        for it in t
            .capabilities
            .publication
            .iter()
            .flat_map(|p| &p.items)
            .filter(|i| i.list)
        {
            if !keys.contains(&it.key) {
                keys.push(it.key.clone());
                labels.push(it.label_zh.clone());
            }
        }
    }
    if keys.is_empty() {
        keys.push("number".into());
        labels.push("编号".into());
    }
    (keys, labels)
}

/// The label/value pairs of a publication body: its `items` as written at publication, or for a
/// body written before items were stored, its keys labelled by the declared items.
fn public_items(s: &AppState, body: &serde_json::Value) -> Vec<(String, String)> {
    if let Some(items) = body.get("items").and_then(|v| v.as_array()) {
        return items
            .iter()
            .filter_map(|it| {
                let label = it.get(1)?.as_str()?;
                let value = it.get(2)?.as_str()?;
                (!value.is_empty()).then(|| (label.to_owned(), value.to_owned()))
            })
            .collect();
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for t in s.app.registry.in_menu_order() {
        for it in t.capabilities.publication.iter().flat_map(|p| &p.items) {
            if seen.contains(&it.key) {
                continue;
            }
            seen.push(it.key.clone());
            if let Some(v) = body
                .get(&it.key)
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
            {
                out.push((it.label_zh.clone(), v.to_owned()));
            }
        }
    }
    out
}

async fn public_detail(State(s): State<AppState>, Path(id): Path<i64>) -> Response {
    match s.app.public_decision(id).await {
        Ok(p) => {
            let items = public_items(&s, &p.body);
            render(
                &PublicDetailPage {
                    title: p.title,
                    items,
                },
                StatusCode::OK,
            )
        }
        Err(e) => (
            status_of(&e),
            Html(format!(
                "<p>{}</p><p><a href=\"/public/decisions\">返回公示列表</a></p>",
                crate::error::body_of(&e).message
            )),
        )
            .into_response(),
    }
}

// ---------- API tokens ----------

async fn tokens_render(
    s: &AppState,
    u: &PageUser,
    new_token: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    match s.app.tokens_of(&u.actor).await {
        Ok(tokens) => render(
            &TokensPage {
                chrome: Chrome::new(&u.actor, &u.session, ""),
                tokens: tokens
                    .into_iter()
                    .map(|t| TokenView {
                        id: t.id,
                        name: t.name,
                        created: format_ms(t.created_at),
                        revoked: t.revoked_at.map(format_ms),
                    })
                    .collect(),
                new_token,
                error,
            },
            status,
        ),
        Err(e) => error_page(u, &e),
    }
}

async fn tokens_page(State(s): State<AppState>, u: PageUser) -> Response {
    tokens_render(&s, &u, None, None, StatusCode::OK).await
}

async fn token_create(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let pairs = serde_urlencoded_pairs(&body);
    if let Err(e) = check_csrf(&pairs, &u.session) {
        return error_page(&u, &e);
    }
    match s
        .app
        .create_token(&u.actor, form_get(&pairs, "name").unwrap_or(""))
        .await
    {
        Ok(t) => tokens_render(&s, &u, Some(t.token), None, StatusCode::OK).await,
        Err(e) => {
            let msg = crate::error::body_of(&e).message;
            tokens_render(&s, &u, None, Some(msg), status_of(&e)).await
        }
    }
}

async fn token_revoke(
    State(s): State<AppState>,
    u: PageUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Err(e) = check_csrf(&serde_urlencoded_pairs(&body), &u.session) {
        return error_page(&u, &e);
    }
    match s.app.revoke_token(&u.actor, id).await {
        Ok(()) => Redirect::to("/tokens").into_response(),
        Err(e) => error_page(&u, &e),
    }
}
