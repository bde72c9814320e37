//! JSON API under `/api/v1`: the same use cases as the pages. The OpenAPI document is generated
//! from these handlers (utoipa) and committed as `docs/openapi.json`; a test keeps them equal.

use crate::route_table::{Routes, get, patch, post};
use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use fazhi_app::AppError;
use fazhi_app::cases::{CreateCase, TakeTransition};
use fazhi_app::org::{NewCertificateInput, NewOfficerInput, NewUnitInput, NewUserInput};
use fazhi_domain::CaseId;
use fazhi_store::cases::{CaseFilter, Sort};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};

type ApiResult = Result<Json<Value>, ApiError>;

fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub fn routes() -> Routes {
    Routes::new()
        .route("/me", get(me))
        .route("/case-types", get(case_types))
        .route("/cases", get(list_cases).post(create_case))
        .route("/cases/{id}", get(get_case))
        .route("/cases/{id}/reveal", post(reveal_case))
        .route("/cases/{id}/transitions", post(take_transition))
        // Evidence may be as large as advertised (20 MB) plus the multipart framing.
        .route(
            "/cases/{id}/evidence",
            post(upload_evidence).map(|m| m.layer(DefaultBodyLimit::max(EVIDENCE_BODY_LIMIT))),
        )
        .route("/officers", get(list_officers).post(create_officer))
        .route("/officers/{code}/certificates", post(add_certificate))
        .route("/certificates/{number}/approve", post(approve_certificate))
        .route("/units", get(list_units).post(create_unit))
        .route("/units/{code}", patch(rename_unit))
        .route("/units/{code}/close", post(close_unit))
        .route(
            "/units/{code}/case-types",
            get(unit_case_types).put(set_unit_case_types),
        )
        .route("/users", get(list_users).post(create_user))
        .route("/audit", get(audit_list))
        .route("/audit/verify", get(audit_verify))
        .route("/calendar/due", get(calendar_due))
        .route("/public/decisions", get(public_decisions))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", crate::route_table::delete(revoke_token))
        .map(|r| r.fallback(crate::extract::api_not_found))
}

/// Body limit of an evidence upload: the application's 20 MB limit plus room for the form.
pub const EVIDENCE_BODY_LIMIT: usize = 21 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "法治政府建设工作平台 API",
        version = "1",
        description = "JSON API of Fazhi. Machines authenticate with an API token (Authorization: Bearer fzt_…, created and revoked by its user on the page 我的API令牌 or with POST /api/v1/tokens); HTTP Basic and the session cookie (plus the X-CSRF-Token header on unsafe methods) also work. Request bodies are limited (1 MB of JSON, 200 keys per object, 8 levels, 20,000 characters per string); a rejected request answers 400/413/415 in the error shape. Errors: {error, message, problems}; `refused` problems carry the statute and article that forbid the step."
    ),
    paths(
        me,
        case_types,
        list_cases,
        create_case,
        get_case,
        reveal_case,
        take_transition,
        upload_evidence,
        list_officers,
        create_officer,
        add_certificate,
        approve_certificate,
        list_units,
        create_unit,
        rename_unit,
        close_unit,
        unit_case_types,
        set_unit_case_types,
        list_users,
        create_user,
        audit_list,
        audit_verify,
        calendar_due,
        public_decisions,
        list_tokens,
        create_token,
        revoke_token,
        crate::imports::api_list_imports,
        crate::imports::api_import_reports,
        crate::imports::api_get_import,
        crate::imports::api_compare_imports
    ),
    components(schemas(
        ApiErrorBody,
        CreateCaseBody,
        TransitionBody,
        UnitBody,
        UnitRenameBody,
        UnitCaseTypesBody,
        UserBody,
        OfficerBody,
        CertificateBody,
        TokenBody
    ))
)]
pub struct ApiDoc;

/// The OpenAPI document as pretty JSON (what `docs/openapi.json` holds).
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub async fn openapi_handler() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    )
        .into_response()
}

/// Body of `POST /cases`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCaseBody {
    /// A case type code (see GET /case-types).
    case_type: String,
    unit_code: Option<String>,
    /// YYYY-MM-DD, defaults to today.
    on: Option<String>,
    /// Why the case is recorded late: required when `on` is more than the configured number of
    /// days (default 30) before today; kept in the audit log.
    #[serde(default)]
    on_reason: Option<String>,
    /// Field values by field code (see GET /case-types).
    #[schema(value_type = Object)]
    input: serde_json::Map<String, Value>,
}

/// Body of `POST /cases/{id}/transitions`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionBody {
    transition: String,
    on: Option<String>,
    /// Why the step is recorded late: required when `on` is more than the configured number of
    /// days (default 30) before today; kept in the audit log.
    #[serde(default)]
    on_reason: Option<String>,
    /// The case version the caller saw (optimistic concurrency).
    version: Option<i64>,
    #[schema(value_type = Object)]
    #[serde(default)]
    input: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitBody {
    parent_code: Option<String>,
    code: String,
    name: String,
    /// district | street | township | community | village | grid
    kind: String,
}

/// Body of `PATCH /units/{code}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitRenameBody {
    /// The unit's new name (its code and place in the tree stay).
    name: String,
}

/// Body of `PUT /units/{code}/case-types`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitCaseTypesBody {
    /// Case-type codes the unit runs (see GET /case-types); empty: the same as its parent
    /// (at the top of the tree: every case type).
    case_types: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UserBody {
    login: String,
    display_name: String,
    password: String,
    unit_code: String,
    department_code: Option<String>,
    roles: Vec<String>,
    /// unit_subtree | department | own_only
    scope: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OfficerBody {
    code: String,
    name: String,
    login: Option<String>,
    unit_code: String,
    department_code: Option<String>,
    #[serde(default)]
    legal_reviewer: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CertificateBody {
    number: String,
    domain: String,
    valid_from: String,
    valid_to: String,
    annual_check_year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, description = "The authenticated user"), (status = 401, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field")))]
async fn me(ApiUser(a): ApiUser) -> ApiResult {
    Ok(Json(to_json(&a)))
}

#[utoipa::path(get, path = "/api/v1/case-types", responses((status = 200, description = "Case-type definitions: fields, states, transitions, clocks with their legal basis"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this")))]
async fn case_types(State(s): State<AppState>, ApiUser(_caller): ApiUser) -> ApiResult {
    Ok(Json(Value::Array(
        s.app.registry.types().map(to_json).collect(),
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListParams {
    /// Case type code.
    #[serde(rename = "type")]
    case_type: Option<String>,
    state: Option<String>,
    category: Option<String>,
    /// Search in number, content and address: whitespace-separated terms, all of which must occur.
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// overdue | soon | open
    due: Option<String>,
    /// new | old | due
    sort: Option<String>,
    /// 1 to 100000.
    #[serde(default, deserialize_with = "page_number")]
    #[param(minimum = 1, maximum = 100000)]
    page: Option<i64>,
    /// 1 to 200 (default 30).
    #[serde(default, deserialize_with = "per_page_number")]
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

fn number_in<'de, D: serde::Deserializer<'de>>(
    d: D,
    min: i64,
    max: i64,
) -> Result<Option<i64>, D::Error> {
    let v = Option::<i64>::deserialize(d)?;
    match v {
        Some(n) if !(min..=max).contains(&n) => {
            Err(serde::de::Error::custom(format!("应在{min}到{max}之间")))
        }
        other => Ok(other),
    }
}

fn page_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    number_in(d, 1, 100_000)
}

fn per_page_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    number_in(d, 1, 200)
}

fn public_page_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    number_in(d, 1, 10_000)
}

#[utoipa::path(get, path = "/api/v1/cases", params(ListParams), responses((status = 200, description = "{items, total, page}; total is counted up to 10000 (total_capped says so); personal data masked"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this")))]
async fn list_cases(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult {
    let today = s.app.clock.today();
    let per_page = p.per_page.unwrap_or(30);
    let page = p.page.unwrap_or(1);
    let mut f = CaseFilter {
        case_type: p.case_type.filter(|v| !v.is_empty()),
        state: p.state.filter(|v| !v.is_empty()),
        category: p.category.filter(|v| !v.is_empty()),
        query: p.q.filter(|v| !v.is_empty()),
        created_from: p.from.filter(|v| !v.is_empty()),
        created_to: p.to.filter(|v| !v.is_empty()),
        sort: match p.sort.as_deref() {
            Some("old") => Sort::CreatedAsc,
            Some("due") => Sort::DueAsc,
            _ => Sort::CreatedDesc,
        },
        offset: (page - 1) * per_page,
        limit: per_page,
        ..Default::default()
    };
    match p.due.as_deref() {
        Some("overdue") => {
            f.open_only = true;
            f.due_by = today.yesterday().ok().map(|d| d.to_string());
        }
        Some("soon") => {
            f.open_only = true;
            f.due_by = Some(s.app.due_soon_date(today).to_string());
        }
        Some("open") => f.open_only = true,
        Some("") | None => {}
        Some(other) => {
            return Err(AppError::invalid(
                "due",
                "unknown",
                format!("期限筛选：未知的取值“{other}”，应为overdue、soon或open"),
            )
            .into());
        }
    }
    let (rows, total) = s.app.list_cases(&a, f).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|c| {
            let t = s.app.registry.get(&c.case_type);
            let fields: serde_json::Map<String, Value> = c
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(t.map(|t| fazhi_app::cases::display_value(t, k, v, false)).unwrap_or_default())))
                .collect();
            json!({"id": c.id, "number": c.number, "case_type": c.case_type, "state": c.state, "title": c.title, "category": c.category, "created_on": c.created_on, "closed_on": c.closed_on, "due_on": c.due_on, "published": c.published, "version": c.version, "fields": fields})
        })
        .collect();
    Ok(Json(
        json!({"items": items, "total": total.min(fazhi_store::cases::COUNT_CAP), "total_capped": total > fazhi_store::cases::COUNT_CAP, "page": page, "per_page": per_page}),
    ))
}

#[utoipa::path(post, path = "/api/v1/cases", request_body = CreateCaseBody, responses((status = 201, description = "Created: {case_id, number, state, version, warnings}"), (status = 422, body = ApiErrorBody, description = "invalid (field problems) or refused (legal guard with statute and article)"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 413, body = ApiErrorBody, description = "Body larger than 1 MB"), (status = 415, body = ApiErrorBody, description = "Content-Type is not application/json")))]
async fn create_case(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<CreateCaseBody>,
) -> Result<Response, ApiError> {
    let o = s
        .app
        .create_case(
            &a,
            &CreateCase {
                case_type: b.case_type,
                transition: None,
                unit_code: b.unit_code,
                on: b.on,
                on_reason: b.on_reason,
                input: b.input,
            },
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(to_json(&o))).into_response())
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = i64, Path)), responses((status = 200, description = "The case with timeline, clocks (with how each due date was computed), evidence, allowed actions; personal data masked (fields and every event's input)"), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn get_case(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult {
    case_json(&s, &a, id, false).await
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/reveal", params(("id" = i64, Path)), responses((status = 200, description = "The case with personal data unmasked; the access is written to the audit log (not for viewers)"), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn reveal_case(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult {
    if !a.may_reveal_personal() {
        return Err(AppError::Forbidden("当前用户无权查看未遮蔽的个人信息".into()).into());
    }
    case_json(&s, &a, id, true).await
}

async fn case_json(s: &AppState, a: &fazhi_app::Actor, id: i64, reveal: bool) -> ApiResult {
    let v = s.app.case_view(a, CaseId(id), reveal).await?;
    let mut out = to_json(&v);
    if let Some(o) = out.as_object_mut() {
        // The field map is masked too, but the API shows display_fields.
        if let Some(c) = o.get_mut("case").and_then(Value::as_object_mut) {
            c.remove("fields");
        }
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", params(("id" = i64, Path)), request_body = TransitionBody, responses((status = 200, description = "{case_id, number, state, version, warnings, opened: linked cases the step opened}"), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 404, body = ApiErrorBody, description = "Not found, or outside the caller's data scope"), (status = 413, body = ApiErrorBody, description = "Body larger than 1 MB"), (status = 415, body = ApiErrorBody, description = "Content-Type is not application/json")))]
async fn take_transition(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> ApiResult {
    let o = s
        .app
        .transition(
            &a,
            CaseId(id),
            &TakeTransition {
                transition: b.transition,
                on: b.on,
                on_reason: b.on_reason,
                version: b.version,
                input: b.input,
            },
        )
        .await?;
    Ok(Json(to_json(&o)))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence", params(("id" = i64, Path)), request_body(content_type = "multipart/form-data", description = "fields: file, description"), responses((status = 201, description = "Stored evidence with its SHA-256"), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 404, body = ApiErrorBody, description = "Not found, or outside the caller's data scope"), (status = 413, description = "Upload larger than 20 MB")))]
async fn upload_evidence(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    crate::extract::ApiMultipart(mut mp): crate::extract::ApiMultipart,
) -> Result<Response, ApiError> {
    let mut description = String::new();
    let mut file = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::invalid("file", "multipart", "证据文件：上传内容格式错误"))?
    {
        match field.name().unwrap_or("") {
            "description" => description = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("未命名").to_string();
                let ct = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let data = field.bytes().await.map_err(|_| {
                    AppError::invalid("file", "too_large", "证据文件：文件过大或上传中断")
                })?;
                file = Some((name, ct, data));
            }
            _ => {}
        }
    }
    let (name, ct, data) =
        file.ok_or_else(|| AppError::invalid("file", "required", "证据文件：缺少file字段"))?;
    let e = s
        .app
        .add_evidence(&a, CaseId(id), &name, &ct, &data, description.trim())
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(to_json(&e))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
struct OnParams {
    /// Date on which certificate validity is judged (YYYY-MM-DD); defaults to today.
    on: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/officers", params(OnParams), responses((status = 200, description = "Officers with certificates and validity on the date"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this")))]
async fn list_officers(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<OnParams>,
) -> ApiResult {
    let on = match p.on.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse()
            .map_err(|_| AppError::invalid("on", "date", "日期：格式应为YYYY-MM-DD"))?,
        None => s.app.clock.today(),
    };
    Ok(Json(to_json(&s.app.list_officers(&a, on).await?)))
}

#[utoipa::path(post, path = "/api/v1/officers", request_body = OfficerBody, responses((status = 201, description = "Created"), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 413, body = ApiErrorBody, description = "Body larger than 1 MB"), (status = 415, body = ApiErrorBody, description = "Content-Type is not application/json")))]
async fn create_officer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<OfficerBody>,
) -> Result<Response, ApiError> {
    let id = s
        .app
        .create_officer(
            &a,
            &NewOfficerInput {
                code: b.code,
                name: b.name,
                login: b.login,
                unit_code: b.unit_code,
                department_code: b.department_code,
                legal_reviewer: b.legal_reviewer,
            },
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

#[utoipa::path(post, path = "/api/v1/officers/{code}/certificates", params(("code" = String, Path)), request_body = CertificateBody, responses((status = 201, description = "Created"), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 404, body = ApiErrorBody, description = "Not found, or outside the caller's data scope"), (status = 413, body = ApiErrorBody, description = "Body larger than 1 MB"), (status = 415, body = ApiErrorBody, description = "Content-Type is not application/json")))]
async fn add_certificate(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<CertificateBody>,
) -> Result<Response, ApiError> {
    s.app
        .add_certificate(
            &a,
            &code,
            &NewCertificateInput {
                number: b.number,
                domain: b.domain,
                valid_from: b.valid_from,
                valid_to: b.valid_to,
                annual_check_year: b.annual_check_year,
            },
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({"ok": true}))).into_response())
}

/// A second admin or leader approves a certificate entered by someone else; until then it does not
/// count for 《行政处罚法》第四十二条.
#[utoipa::path(post, path = "/api/v1/certificates/{number}/approve", params(("number" = String, Path)), responses((status = 200, description = "Approved"), (status = 400, body = ApiErrorBody, description = "Malformed request"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "Not an admin or leader, or the approver entered the certificate or holds it"), (status = 404, body = ApiErrorBody, description = "Not found, or outside the caller's data scope"), (status = 409, body = ApiErrorBody, description = "Not pending review")))]
async fn approve_certificate(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(number): ApiPath<String>,
) -> ApiResult {
    s.app.approve_certificate(&a, &number).await?;
    Ok(Json(json!({"ok": true})))
}

#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, description = "Units visible to the caller"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this")))]
async fn list_units(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    Ok(Json(
        json!({"units": s.app.list_units(&a).await?, "departments": s.app.list_departments(&a).await?}),
    ))
}

#[utoipa::path(post, path = "/api/v1/units", request_body = UnitBody, responses((status = 201, description = "Created"), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 413, body = ApiErrorBody, description = "Body larger than 1 MB"), (status = 415, body = ApiErrorBody, description = "Content-Type is not application/json")))]
async fn create_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<UnitBody>,
) -> Result<Response, ApiError> {
    let u = s
        .app
        .create_unit(
            &a,
            &NewUnitInput {
                parent_code: b.parent_code,
                code: b.code,
                name: b.name,
                kind: b.kind,
            },
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(to_json(&u))).into_response())
}

#[utoipa::path(patch, path = "/api/v1/units/{code}", params(("code" = String, Path, description = "Unit code")), request_body = UnitRenameBody, responses((status = 200, description = "Renamed; the unit"), (status = 403, body = ApiErrorBody, description = "Not an administrator of the unit"), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 413, body = ApiErrorBody, description = "Body larger than 1 MB"), (status = 415, body = ApiErrorBody, description = "Content-Type is not application/json")))]
async fn rename_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<UnitRenameBody>,
) -> ApiResult {
    Ok(Json(to_json(&s.app.rename_unit(&a, &code, &b.name).await?)))
}

#[utoipa::path(post, path = "/api/v1/units/{code}/close", params(("code" = String, Path, description = "Unit code")), responses((status = 200, description = "Closed; the unit (it takes no new cases, users, departments, officers or sub-units and keeps its history)"), (status = 403, body = ApiErrorBody, description = "Not an administrator above the unit"), (status = 422, body = ApiErrorBody, description = "Unknown, already closed, the top unit, or it has open sub-units"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated")))]
async fn close_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult {
    Ok(Json(to_json(&s.app.close_unit(&a, &code).await?)))
}

#[utoipa::path(get, path = "/api/v1/units/{code}/case-types", params(("code" = String, Path, description = "Unit code")), responses((status = 200, description = "The case types the unit runs (empty: every type) and the unit whose settings decide it"), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody, description = "Unknown unit"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated")))]
async fn unit_case_types(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult {
    Ok(Json(to_json(
        &s.app.unit_case_types_by_code(&a, &code).await?,
    )))
}

#[utoipa::path(put, path = "/api/v1/units/{code}/case-types", params(("code" = String, Path, description = "Unit code")), request_body = UnitCaseTypesBody, responses((status = 200, description = "Saved; the case types the unit now runs"), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody, description = "Unknown case type, one its parent does not run, or one a sub-unit keeps"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 413, body = ApiErrorBody, description = "Body larger than 1 MB"), (status = 415, body = ApiErrorBody, description = "Content-Type is not application/json")))]
async fn set_unit_case_types(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<UnitCaseTypesBody>,
) -> ApiResult {
    Ok(Json(to_json(
        &s.app.set_unit_case_types(&a, &code, &b.case_types).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, description = "Users (admin, leader)"), (status = 403, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated")))]
async fn list_users(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    Ok(Json(to_json(&s.app.list_users(&a).await?)))
}

#[utoipa::path(post, path = "/api/v1/users", request_body = UserBody, responses((status = 201, description = "Created"), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 413, body = ApiErrorBody, description = "Body larger than 1 MB"), (status = 415, body = ApiErrorBody, description = "Content-Type is not application/json")))]
async fn create_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<UserBody>,
) -> Result<Response, ApiError> {
    let id = s
        .app
        .create_user(
            &a,
            &NewUserInput {
                login: b.login,
                display_name: b.display_name,
                password: b.password,
                unit_code: b.unit_code,
                department_code: b.department_code,
                roles: b.roles,
                scope: b.scope,
            },
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
struct AuditParams {
    entity: Option<String>,
    entity_id: Option<String>,
    actor: Option<String>,
    /// Entries with id below this (paging backwards).
    before: Option<i64>,
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit", params(AuditParams), responses((status = 200, description = "Audit entries, newest first"), (status = 403, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated")))]
async fn audit_list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> ApiResult {
    let f = fazhi_store::AuditFilter {
        entity: p.entity,
        entity_id: p.entity_id,
        actor: p.actor,
        before_id: p.before,
        limit: p.limit.unwrap_or(100),
        // Narrowed to the caller's units by App::audit_list.
        unit_path: None,
    };
    Ok(Json(to_json(&s.app.audit_list(&a, &f).await?)))
}

#[utoipa::path(get, path = "/api/v1/audit/verify", responses((status = 200, description = "{ok, entries} or {ok: false, first_broken, reason}"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this")))]
async fn audit_verify(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    Ok(Json(match s.app.audit_verify(&a).await? {
        Ok(n) => json!({"ok": true, "entries": n}),
        Err(p) => json!({"ok": false, "first_broken": p.id, "reason": p.reason}),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
struct DueParams {
    /// Start date YYYY-MM-DD (not counted).
    from: String,
    days: String,
    /// working | natural
    unit: String,
}

#[utoipa::path(get, path = "/api/v1/calendar/due", params(DueParams), responses((status = 200, description = "{due, explanation, calendar_version, …}"), (status = 422, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this")))]
async fn calendar_due(
    State(s): State<AppState>,
    ApiUser(_caller): ApiUser,
    ApiQuery(p): ApiQuery<DueParams>,
) -> ApiResult {
    let d = fazhi_app::deadline(&s.app, &p.from, &p.days, &p.unit)?;
    let mut v = d.to_json();
    if let Some(o) = v.as_object_mut() {
        o.insert("explanation".into(), to_json(&d.explain_zh()));
    }
    Ok(Json(v))
}

#[utoipa::path(get, path = "/api/v1/public/decisions", params(PageParams), responses((status = 200, description = "Published enforcement decisions in force, personal data redacted (no login)"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field")))]
async fn public_decisions(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult {
    let page = p.page.unwrap_or(1);
    Ok(Json(to_json(&s.app.public_decisions(page).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct PageParams {
    /// 1 to 10000.
    #[serde(default, deserialize_with = "public_page_number")]
    #[param(minimum = 1, maximum = 10000)]
    page: Option<i64>,
}

/// Body of `POST /tokens`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenBody {
    /// What the token is for (1 to 50 characters).
    #[schema(min_length = 1, max_length = 50)]
    name: String,
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, description = "The caller's API tokens (names and dates, never the tokens)"), (status = 401, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field")))]
async fn list_tokens(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    Ok(Json(to_json(&s.app.tokens_of(&a).await?)))
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenBody, responses((status = 201, description = "{id, name, token}: the token is shown only in this answer; it acts as the caller (same roles and scope)"), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody), (status = 415, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
async fn create_token(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<TokenBody>,
) -> Result<Response, ApiError> {
    let t = s.app.create_token(&a, &b.name).await?;
    Ok((axum::http::StatusCode::CREATED, Json(to_json(&t))).into_response())
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path)), responses((status = 200, description = "Revoked"), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn revoke_token(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult {
    s.app.revoke_token(&a, id).await?;
    Ok(Json(json!({"ok": true})))
}
