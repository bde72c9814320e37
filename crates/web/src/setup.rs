//! The one-time setup page (issue 17): the first run of `fazhi init` in the browser, while the
//! database has no unit. Reachable from the machine itself (a loopback peer without proxy
//! headers) or with the one-time token printed on the console at start; gone once a unit exists.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;

use crate::route_table::{Routes, get};
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fazhi_app::AppError;
use fazhi_app::setup::{InitInput, InitOutcome};

use crate::AppState;
use crate::auth::same_origin;

/// The one-time token that opens the setup page to a browser on another machine. It is good
/// only while the database has no unit.
#[derive(Clone)]
pub struct SetupToken(Arc<str>);

impl SetupToken {
    /// A fresh random token (256 bits).
    pub fn generate() -> SetupToken {
        SetupToken(fazhi_app::auth::random_token().into())
    }
    /// A given token (tests).
    pub fn new(value: &str) -> SetupToken {
        SetupToken(value.into())
    }
    pub fn value(&self) -> &str {
        &self.0
    }
    fn matches(&self, given: &str) -> bool {
        // Constant-time comparison: the token is a secret.
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for SetupToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupToken(…)")
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .route("/setup", get(setup_page).post(setup_submit))
        .route("/readyz", get(readyz))
}

/// Readiness (for a load balancer or systemd): the database answers and its schema is the one
/// this binary migrates to. `/healthz` says only that the process and database answer.
async fn readyz(State(s): State<AppState>) -> Response {
    let (status, body) = match s.app.db.schema_versions().await {
        Ok((Some(db), bin)) if db == bin => (
            StatusCode::OK,
            serde_json::json!({ "ready": true, "schema": db }),
        ),
        Ok((db, bin)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "ready": false, "schema": db, "binary_schema": bin,
                "reason": "数据库结构版本与本程序不一致" }),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "ready": false, "reason": format!("数据库不可用：{e}") }),
        ),
    };
    (status, axum::Json(body)).into_response()
}

struct CaseTypeChoice {
    code: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    token: String,
    values: HashMap<String, String>,
    case_types: Vec<CaseTypeChoice>,
    errors: Vec<(String, String)>,
}

impl SetupPage {
    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }
}

#[derive(Template)]
#[template(path = "setup_done.html")]
struct SetupDone {
    unit_name: String,
    unit_code: String,
    admin_login: String,
}

fn render<T: Template>(t: &T, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

/// A request from this machine: a loopback peer that no reverse proxy forwarded (a proxy on the
/// same machine is a loopback peer too, but says whom it forwards for).
fn from_this_machine(parts: &Parts) -> bool {
    let loopback = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().is_loopback())
        .unwrap_or(false);
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| parts.headers.contains_key(*h));
    loopback && !forwarded
}

/// Whether this request may use the setup page: from this machine, or with the token.
fn allowed(s: &AppState, parts: &Parts, token: Option<&str>) -> bool {
    if from_this_machine(parts) {
        return true;
    }
    match (&s.config.setup_token, token) {
        (Some(t), Some(given)) => t.matches(given),
        _ => false,
    }
}

const REFUSED: &str =
    "初始化页面只能在服务器本机打开，或使用启动时控制台打印的一次性口令（/setup?token=…）";

fn choices(s: &AppState, chosen: Option<&[String]>) -> Vec<CaseTypeChoice> {
    s.app
        .registry
        .types()
        .map(|t| CaseTypeChoice {
            code: t.code.clone(),
            name: t.name_zh.clone(),
            checked: chosen.is_none_or(|c| c.contains(&t.code)),
        })
        .collect()
}

async fn setup_page(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    parts: Parts,
) -> Response {
    match s.app.needs_setup().await {
        Ok(false) => return Redirect::to("/login").into_response(),
        Ok(true) => {}
        Err(e) => return (crate::error::status_of(&e), e.to_string()).into_response(),
    }
    let token = q.get("token").map(String::as_str);
    if !allowed(&s, &parts, token) {
        return (StatusCode::FORBIDDEN, REFUSED).into_response();
    }
    let mut values = HashMap::new();
    values.insert("admin_login".to_string(), "admin".to_string());
    values.insert("admin_name".to_string(), "系统管理员".to_string());
    render(
        &SetupPage {
            token: token.unwrap_or_default().to_string(),
            values,
            case_types: choices(&s, None),
            errors: vec![],
        },
        StatusCode::OK,
    )
}

async fn setup_submit(State(s): State<AppState>, req: axum::extract::Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    match s.app.needs_setup().await {
        Ok(false) => return Redirect::to("/login").into_response(),
        Ok(true) => {}
        Err(e) => return (crate::error::status_of(&e), e.to_string()).into_response(),
    }
    let token = get("token");
    if !same_origin(&parts) || !allowed(&s, &parts, Some(token.as_str())) {
        return (StatusCode::FORBIDDEN, REFUSED).into_response();
    }
    let case_types: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "case_types")
        .map(|(_, v)| v.clone())
        .collect();
    let mut errors = Vec::new();
    if case_types.is_empty() {
        errors.push((
            "case_types".to_string(),
            "案件类型：至少选择一种".to_string(),
        ));
    }
    let password = get("admin_password");
    if password != get("admin_password2") {
        errors.push((
            "admin_password2".to_string(),
            "确认密码：两次输入的密码不一致".to_string(),
        ));
    }
    let all = s.app.registry.types().count();
    let input = InitInput {
        division_code: get("division_code"),
        unit_name: get("unit_name"),
        level: get("level"),
        province: Some(get("province")),
        admin_login: get("admin_login"),
        admin_name: get("admin_name"),
        admin_password: password,
        // Every case type ticked is "every case type", also those added later.
        case_types: if case_types.len() == all {
            vec![]
        } else {
            case_types.clone()
        },
    };
    let result = if errors.is_empty() {
        s.app.init("setup-page", &input).await
    } else {
        // Every problem at once: the fields' own checks too.
        Err(AppError::Invalid(match s.app.check_init(&input) {
            Err(AppError::Invalid(p)) => p,
            _ => vec![],
        }))
    };
    match result {
        Ok(InitOutcome::Created { unit, .. }) | Ok(InitOutcome::AlreadyDone { unit }) => {
            tracing::info!(unit = %unit.code, "first run done on the setup page");
            render(
                &SetupDone {
                    unit_name: unit.name,
                    unit_code: unit.code,
                    admin_login: input.admin_login.trim().to_string(),
                },
                StatusCode::OK,
            )
        }
        Err(AppError::Invalid(problems)) => {
            errors.extend(problems.into_iter().map(|p| (p.field, p.message)));
            let values: HashMap<String, String> = pairs
                .iter()
                .filter(|(k, _)| !k.contains("password") && k != "case_types")
                .cloned()
                .collect();
            render(
                &SetupPage {
                    token,
                    values,
                    case_types: choices(&s, Some(&case_types)),
                    errors,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => (crate::error::status_of(&e), e.to_string()).into_response(),
    }
}
