//! Imported annual reports (issue 4): upload and list (`/imports`), the original text with every
//! figure highlighted (`/imports/{id}`), the comparison matrix (`/imports/compare?year=…` or
//! `?unit=…`), and the same under `/api/v1/imports`.

use crate::route_table::{Routes, get};
use askama::Template;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use fazhi_app::imports::{
    Comparison, ImportChoices, ImportOutcome, ImportSummary, ImportedReport, MAX_REPORT_BYTES,
    indicator_label, part_label,
};
use fazhi_app::{Actor, AppError};
use fazhi_domain::Role;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::{ApiUser, PageUser, urlencode};
use crate::error::{ApiError, ApiErrorBody, body_of, status_of};
use crate::pages::format_ms;
use crate::views::{Chrome, ErrorPage};

/// At most this many files in one upload.
const MAX_FILES: usize = 50;

pub fn routes() -> Routes {
    Routes::new()
        .route("/imports", get(list_page).post(upload_page))
        .route("/imports/compare", get(compare_page))
        .route("/imports/{id}", get(view_page))
        .route(
            "/api/v1/imports",
            get(api_list_imports).post(api_import_reports),
        )
        .route("/api/v1/imports/compare", get(api_compare_imports))
        .route("/api/v1/imports/{id}", get(api_get_import))
        // Several report files in one request; each file is checked against MAX_REPORT_BYTES.
        .map(|r| r.layer(DefaultBodyLimit::max(24 * 1024 * 1024)))
}

// ---------- shared ----------

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value as people write it: integers without a decimal point, decimals without trailing zeros.
fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn can_import(a: &Actor) -> bool {
    a.has(Role::Admin) || a.has(Role::Leader) || a.has(Role::Handler)
}

/// The fields of an upload: CSRF token (pages), unit and year overrides, the files.
#[derive(Default)]
struct Upload {
    csrf: String,
    unit: String,
    year: String,
    files: Vec<(String, Vec<u8>)>,
}

async fn read_upload(mut mp: Multipart) -> Result<Upload, AppError> {
    let bad = || AppError::invalid("file", "multipart", "报告文件：上传内容格式错误或文件过大");
    let mut up = Upload::default();
    while let Some(field) = mp.next_field().await.map_err(|_| bad())? {
        match field.name().unwrap_or("") {
            "_csrf" => up.csrf = field.text().await.map_err(|_| bad())?,
            "unit" => up.unit = field.text().await.map_err(|_| bad())?,
            "year" => up.year = field.text().await.map_err(|_| bad())?,
            "file" | "files" => {
                let name = field.file_name().unwrap_or("").to_string();
                let data = field.bytes().await.map_err(|_| bad())?;
                // A form submitted without a chosen file sends an empty, nameless part.
                if name.is_empty() && data.is_empty() {
                    continue;
                }
                if up.files.len() == MAX_FILES {
                    return Err(AppError::invalid(
                        "file",
                        "too_many",
                        format!("报告文件：一次最多导入{MAX_FILES}个文件"),
                    ));
                }
                up.files.push((name, data.to_vec()));
            }
            _ => {}
        }
    }
    Ok(up)
}

/// The overrides of an upload: an empty field means "from the report".
fn overrides(up: &Upload) -> Result<(Option<String>, Option<i32>), AppError> {
    let unit = Some(up.unit.trim().to_string()).filter(|u| !u.is_empty());
    let year =
        match up.year.trim() {
            "" => None,
            y => Some(y.parse::<i32>().map_err(|_| {
                AppError::invalid("year", "number", "年度：应为四位数字年份，如2023")
            })?),
        };
    Ok((unit, year))
}

/// Imports every file on its own: a refused file writes nothing and does not stop the others.
async fn import_all(
    s: &AppState,
    actor: &Actor,
    up: &Upload,
) -> Result<Vec<(String, Result<ImportOutcome, AppError>)>, AppError> {
    let (unit, year) = overrides(up)?;
    if up.files.is_empty() {
        return Err(AppError::invalid(
            "file",
            "required",
            "报告文件：请选择至少一个文件",
        ));
    }
    let mut out = Vec::new();
    for (name, data) in &up.files {
        let r = s
            .app
            .import_report(actor, name, data, unit.clone(), year)
            .await;
        out.push((name.clone(), r));
    }
    Ok(out)
}

fn compare_params(p: &CompareParams) -> Result<Option<Target>, AppError> {
    let year = p.year.as_deref().map(str::trim).filter(|y| !y.is_empty());
    let unit = p.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    match (year, unit) {
        (Some(_), Some(_)) => Err(AppError::invalid(
            "year",
            "exclusive",
            "请只指定年度（year）或单位（unit）中的一个",
        )),
        (Some(y), None) => y
            .parse::<i64>()
            .map(|y| Some(Target::Year(y)))
            .map_err(|_| AppError::invalid("year", "number", "年度：应为四位数字年份，如2023")),
        (None, Some(u)) => Ok(Some(Target::Unit(u.to_string()))),
        (None, None) => Ok(None),
    }
}

enum Target {
    Year(i64),
    Unit(String),
}

async fn compare(s: &AppState, a: &Actor, t: &Target) -> Result<Comparison, AppError> {
    match t {
        Target::Year(y) => s.app.compare_year(a, *y).await,
        Target::Unit(u) => s.app.compare_unit(a, u).await,
    }
}

// ---------- pages ----------

fn render<T: Template>(t: &T, status: StatusCode) -> Response {
    match t.render() {
        Ok(h) => (status, Html(h)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

fn fail(u: &PageUser, e: &AppError) -> Response {
    let heading = match status_of(e) {
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::FORBIDDEN => "无权访问",
        StatusCode::CONFLICT => "数据冲突",
        _ => "操作未完成",
    };
    render(
        &ErrorPage {
            chrome: Chrome::new(&u.actor, &u.session, "imports"),
            heading: heading.into(),
            message: body_of(e).message,
        },
        status_of(e),
    )
}

pub struct ImportLine {
    pub id: i64,
    pub year: i64,
    pub unit: String,
    pub unit_href: String,
    pub matched: bool,
    pub title: String,
    pub source: String,
    pub figures: usize,
    pub mapped: usize,
    pub imported: String,
    pub by: String,
}

/// The outcome of one uploaded file, for the page.
pub struct ResultLine {
    pub ok: bool,
    pub file: String,
    pub text: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ListPage {
    chrome: Chrome,
    can_import: bool,
    max_mb: usize,
    rows: Vec<ImportLine>,
    /// (year, href)
    years: Vec<(i64, String)>,
    /// (unit, href)
    units: Vec<(String, String)>,
    results: Vec<ResultLine>,
    error: String,
    unit: String,
    year: String,
}

async fn list_render(
    s: &AppState,
    u: &PageUser,
    results: Vec<ResultLine>,
    error: String,
    form: (&str, &str),
    status: StatusCode,
) -> Response {
    let list: Vec<ImportSummary> = match s.app.list_imports(&u.actor).await {
        Ok(l) => l,
        Err(e) => return fail(u, &e),
    };
    let choices: ImportChoices = match s.app.import_choices(&u.actor).await {
        Ok(c) => c,
        Err(e) => return fail(u, &e),
    };
    let page = ListPage {
        chrome: Chrome::new(&u.actor, &u.session, "imports"),
        can_import: can_import(&u.actor),
        max_mb: MAX_REPORT_BYTES / (1024 * 1024),
        rows: list
            .into_iter()
            .map(|r| ImportLine {
                id: r.row.id,
                year: r.row.year,
                unit_href: format!("/imports/compare?unit={}", urlencode(&r.row.unit_name)),
                unit: r.row.unit_name,
                matched: r.row.unit_id.is_some(),
                title: r.row.title.unwrap_or_default(),
                source: r.row.source_name,
                figures: r.figures,
                mapped: r.mapped,
                imported: format_ms(r.row.imported_at),
                by: r.row.imported_by,
            })
            .collect(),
        years: choices
            .years
            .iter()
            .map(|y| (*y, format!("/imports/compare?year={y}")))
            .collect(),
        units: choices
            .units
            .iter()
            .map(|n| (n.clone(), format!("/imports/compare?unit={}", urlencode(n))))
            .collect(),
        results,
        error,
        unit: form.0.into(),
        year: form.1.into(),
    };
    render(&page, status)
}

async fn list_page(State(s): State<AppState>, u: PageUser) -> Response {
    list_render(&s, &u, Vec::new(), String::new(), ("", ""), StatusCode::OK).await
}

async fn upload_page(State(s): State<AppState>, u: PageUser, mp: Multipart) -> Response {
    let up = match read_upload(mp).await {
        Ok(up) => up,
        Err(e) => return fail(&u, &e),
    };
    if up.csrf != u.session.csrf {
        return fail(
            &u,
            &AppError::Forbidden(
                "页面已过期或请求来源不明（CSRF校验失败），请刷新页面后重试".into(),
            ),
        );
    }
    let form = (up.unit.as_str(), up.year.as_str());
    let outcomes = match import_all(&s, &u.actor, &up).await {
        Ok(o) => o,
        Err(e) => {
            return list_render(&s, &u, Vec::new(), body_of(&e).message, form, status_of(&e)).await;
        }
    };
    let mut status = StatusCode::OK;
    let mut stored = 0;
    let results = outcomes
        .into_iter()
        .map(|(file, r)| match r {
            Ok(o) => {
                stored += 1;
                ResultLine {
                    ok: true,
                    text: format!(
                        "已导入：{} {}年度，数据{}项（已对应指标{}项）",
                        o.unit_name, o.year, o.figures, o.mapped
                    ),
                    href: format!("/imports/{}", o.id),
                    file,
                }
            }
            Err(e) => {
                if status == StatusCode::OK {
                    status = status_of(&e);
                }
                ResultLine {
                    ok: false,
                    text: format!("未导入：{}", body_of(&e).message),
                    href: String::new(),
                    file,
                }
            }
        })
        .collect();
    if stored > 0 {
        status = StatusCode::OK;
    }
    list_render(&s, &u, results, String::new(), form, status).await
}

pub struct FigureLine {
    pub index: usize,
    pub text: String,
    pub value: String,
    pub unit: String,
    pub approx: bool,
    pub change: bool,
    pub metric: String,
    pub indicator: String,
    pub label: String,
    pub confidence: String,
}

pub struct SectionLine {
    pub index: usize,
    pub indent: usize,
    pub heading: String,
    pub part: String,
}

#[derive(Template)]
#[template(path = "imports_view.html")]
struct ViewPage {
    chrome: Chrome,
    id: i64,
    title: String,
    unit_name: String,
    matched_unit: String,
    level: String,
    region: String,
    year: i64,
    source: String,
    sha256: String,
    format: String,
    imported: String,
    by: String,
    year_href: String,
    unit_href: String,
    text_html: String,
    figures: Vec<FigureLine>,
    mapped: usize,
    sections: Vec<SectionLine>,
    warnings: Vec<String>,
}

/// The decoded text as HTML: every figure wrapped in `<mark class="fig" id="f{index}">`, an
/// anchor `s{index}` where each section starts. Offsets are characters; a figure that overlaps
/// the previous one or runs past the text is left unmarked.
fn highlighted(r: &ImportedReport) -> String {
    let ex = &r.extraction;
    let chars: Vec<char> = ex.decoded_text.chars().collect();
    let n = chars.len();
    let mut opens: Vec<Vec<String>> = vec![Vec::new(); n + 1];
    let mut closes = vec![0usize; n + 1];
    for (i, s) in ex.sections.iter().enumerate() {
        if s.start <= n {
            opens[s.start].push(format!("<a class=\"sec\" id=\"s{i}\"></a>"));
        }
    }
    let mut order: Vec<usize> = (0..ex.figures.len()).collect();
    order.sort_by_key(|&i| (ex.figures[i].start, i));
    let mut last_end = 0;
    for i in order {
        let f = &ex.figures[i];
        if f.start < last_end || f.end <= f.start || f.end > n {
            continue;
        }
        last_end = f.end;
        let (class, title) = match &f.indicator {
            Some(id) => (
                "fig",
                format!("{}：{}{}", indicator_label(id), fmt_value(f.value), f.unit),
            ),
            None => ("fig none", format!("未对应指标：{}", f.metric)),
        };
        opens[f.start].push(format!(
            "<mark class=\"{class}\" id=\"f{i}\" title=\"{}\">",
            esc(&title)
        ));
        closes[f.end] += 1;
    }
    let mut out = String::with_capacity(ex.decoded_text.len() * 2);
    let mut buf = [0u8; 4];
    for (pos, c) in chars.iter().chain(std::iter::once(&'\0')).enumerate() {
        for _ in 0..closes[pos] {
            out.push_str("</mark>");
        }
        for o in &opens[pos] {
            out.push_str(o);
        }
        if pos == n {
            break;
        }
        out.push_str(&esc(c.encode_utf8(&mut buf)));
    }
    out
}

async fn view_page(State(s): State<AppState>, u: PageUser, Path(id): Path<i64>) -> Response {
    let r = match s.app.import_view(&u.actor, id).await {
        Ok(r) => r,
        Err(e) => return fail(&u, &e),
    };
    let matched_unit = match r.row.unit_id {
        Some(uid) => s
            .app
            .list_units(&u.actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|x| x.id == uid)
            .map(|x| x.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let ex = &r.extraction;
    let figures: Vec<FigureLine> = ex
        .figures
        .iter()
        .enumerate()
        .map(|(i, f)| FigureLine {
            index: i,
            text: f.text.clone(),
            value: fmt_value(f.value),
            unit: f.unit.clone(),
            approx: f.approx,
            change: f.change,
            metric: f.metric.clone(),
            indicator: f.indicator.clone().unwrap_or_default(),
            label: f
                .indicator
                .as_deref()
                .map(indicator_label)
                .unwrap_or_default(),
            confidence: if f.indicator.is_some() {
                format!("{:.2}", f.confidence)
            } else {
                String::new()
            },
        })
        .collect();
    let page = ViewPage {
        chrome: Chrome::new(&u.actor, &u.session, "imports"),
        id,
        title: r
            .row
            .title
            .clone()
            .unwrap_or_else(|| format!("{}{}年度报告", r.row.unit_name, r.row.year)),
        unit_name: r.row.unit_name.clone(),
        matched_unit,
        level: match r.row.level.as_deref() {
            Some("street") => "街道".into(),
            Some("township") => "镇（乡）".into(),
            Some("district") => "区（县）".into(),
            Some(other) => other.into(),
            None => String::new(),
        },
        region: r.row.region.clone().unwrap_or_default(),
        year: r.row.year,
        source: r.row.source_name.clone(),
        sha256: r.row.sha256.clone(),
        format: format!(
            "{}，{}",
            match ex.format {
                Some(fazhi_app::imports::Format::Html) => "网页",
                Some(fazhi_app::imports::Format::Docx) => "Word文档",
                _ => "纯文本",
            },
            ex.encoding.clone().unwrap_or_default()
        ),
        imported: format_ms(r.row.imported_at),
        by: r.row.imported_by.clone(),
        year_href: format!("/imports/compare?year={}", r.row.year),
        unit_href: format!("/imports/compare?unit={}", urlencode(&r.row.unit_name)),
        text_html: highlighted(&r),
        mapped: figures.iter().filter(|f| !f.indicator.is_empty()).count(),
        figures,
        sections: ex
            .sections
            .iter()
            .enumerate()
            .map(|(i, sec)| SectionLine {
                index: i,
                indent: (sec.level.saturating_sub(1) as usize) * 14 + 8,
                heading: sec.heading.clone(),
                part: if sec.parts.len() > 1 {
                    sec.parts
                        .iter()
                        .map(|p| part_label(*p))
                        .collect::<Vec<_>>()
                        .join("、")
                } else {
                    part_label(sec.part).into()
                },
            })
            .collect(),
        warnings: ex.warnings.clone(),
    };
    render(&page, StatusCode::OK)
}

pub struct ColumnView {
    pub href: String,
    pub head: String,
    pub sub: String,
}

pub struct LinkView {
    pub href: String,
    pub display: String,
    pub title: String,
}

pub struct CellView {
    pub best: LinkView,
    pub approx: bool,
    pub change: bool,
    pub others: Vec<LinkView>,
}

pub struct RowView {
    pub indicator: String,
    pub label: String,
    pub cells: Vec<Option<CellView>>,
}

pub struct UnmatchedView {
    pub head: String,
    pub href: String,
    pub figures: Vec<(LinkView, String)>,
}

#[derive(Template)]
#[template(path = "imports_compare.html")]
struct ComparePage {
    chrome: Chrome,
    heading: String,
    asked: bool,
    year: String,
    unit: String,
    years: Vec<i64>,
    units: Vec<String>,
    columns: Vec<ColumnView>,
    rows: Vec<RowView>,
    unmatched: Vec<UnmatchedView>,
    error: String,
}

fn link(f: &fazhi_app::imports::FigureRef) -> LinkView {
    LinkView {
        href: format!("/imports/{}#f{}", f.import_id, f.figure),
        display: format!("{}{}", fmt_value(f.value), f.unit),
        title: format!("原文：{}（{}）", f.text, f.metric),
    }
}

fn compare_view(c: &Comparison) -> (Vec<ColumnView>, Vec<RowView>, Vec<UnmatchedView>) {
    let by_year = c.by == "year";
    let head = |col: &fazhi_app::imports::Column| {
        if by_year {
            col.unit_name.clone()
        } else {
            format!("{}年", col.year)
        }
    };
    let columns = c
        .columns
        .iter()
        .map(|col| {
            // Two reports of one unit and year (a revised version) are told apart by source.
            let twins = c.columns.iter().filter(|o| head(o) == head(col)).count();
            ColumnView {
                href: format!("/imports/{}", col.import_id),
                head: head(col),
                sub: if twins > 1 {
                    col.source_name.clone()
                } else if by_year {
                    col.title.clone().unwrap_or_default()
                } else {
                    col.unit_name.clone()
                },
            }
        })
        .collect();
    let rows = c
        .rows
        .iter()
        .map(|r| RowView {
            indicator: r.indicator.clone(),
            label: r.label.clone(),
            cells: r
                .cells
                .iter()
                .map(|cell| {
                    cell.as_ref().map(|cell| CellView {
                        best: link(&cell.best),
                        approx: cell.best.approx,
                        change: cell.best.change,
                        others: cell.others.iter().map(link).collect(),
                    })
                })
                .collect(),
        })
        .collect();
    let unmatched = c
        .unmatched
        .iter()
        .map(|u| UnmatchedView {
            head: if by_year {
                u.unit_name.clone()
            } else {
                format!("{}年", u.year)
            },
            href: format!("/imports/{}", u.import_id),
            figures: u
                .figures
                .iter()
                .map(|f| {
                    let mut l = link(f);
                    l.display = f.text.clone();
                    (l, f.metric.clone())
                })
                .collect(),
        })
        .collect();
    (columns, rows, unmatched)
}

async fn compare_page(
    State(s): State<AppState>,
    u: PageUser,
    Query(p): Query<CompareParams>,
) -> Response {
    let choices = match s.app.import_choices(&u.actor).await {
        Ok(c) => c,
        Err(e) => return fail(&u, &e),
    };
    let mut page = ComparePage {
        chrome: Chrome::new(&u.actor, &u.session, "imports"),
        heading: "报告比对".into(),
        asked: false,
        year: p.year.clone().unwrap_or_default(),
        unit: p.unit.clone().unwrap_or_default(),
        years: choices.years,
        units: choices.units,
        columns: Vec::new(),
        rows: Vec::new(),
        unmatched: Vec::new(),
        error: String::new(),
    };
    let target = match compare_params(&p) {
        Ok(Some(t)) => t,
        Ok(None) => return render(&page, StatusCode::OK),
        Err(e) => {
            page.error = body_of(&e).message;
            return render(&page, status_of(&e));
        }
    };
    match compare(&s, &u.actor, &target).await {
        Ok(c) => {
            page.asked = true;
            page.heading = match &target {
                Target::Year(y) => format!("{y}年度各单位报告比对"),
                Target::Unit(n) => format!("{n}历年报告比对"),
            };
            (page.columns, page.rows, page.unmatched) = compare_view(&c);
            render(&page, StatusCode::OK)
        }
        Err(e) => {
            page.error = body_of(&e).message;
            render(&page, status_of(&e))
        }
    }
}

// ---------- API ----------

type ApiResult = Result<Json<Value>, ApiError>;

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Query of the comparison: exactly one of `year` and `unit`.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct CompareParams {
    /// Reporting year: the units' reports of that year side by side.
    year: Option<String>,
    /// Unit name (海幢街道办事处): that unit's reports side by side, oldest year first. Names that
    /// denote the same unit (海幢街道) are one unit.
    unit: Option<String>,
}

#[utoipa::path(get, tag = "imports", path = "/api/v1/imports", responses((status = 200, description = "Imported reports, newest year first: {items: [{id, unit_name, unit_id, level, region, year, title, source_name, sha256, imported_at, imported_by, figures, mapped}]}"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this")))]
pub(crate) async fn api_list_imports(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    Ok(Json(json!({"items": s.app.list_imports(&a).await?})))
}

#[utoipa::path(post, tag = "imports", path = "/api/v1/imports", request_body(content_type = "multipart/form-data", description = "fields: file (repeatable; text, HTML or DOCX, UTF-8 or GB18030), unit (optional: overrides the unit the report names), year (optional: overrides the year it reports on)"), responses((status = 201, description = "Every file stored: {imported: [{id, unit_name, unit_id, year, title, source_name, sha256, sections, figures, mapped, warnings}], refused: []}"), (status = 207, description = "Some files stored, some refused: {imported, refused: [{file, error, message, problems}]} plus error/message/problems of the first refusal"), (status = 409, body = ApiErrorBody, description = "The same file was already imported for that unit and year (nothing written); also carries imported/refused"), (status = 422, body = ApiErrorBody, description = "invalid: a field the report does not give (unit, year) or a bad file; problems name the field; also carries imported/refused"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 413, description = "Upload larger than 20 MB")))]
pub(crate) async fn api_import_reports(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    crate::extract::ApiMultipart(mp): crate::extract::ApiMultipart,
) -> Result<Response, ApiError> {
    let up = read_upload(mp).await?;
    let outcomes = import_all(&s, &a, &up).await?;
    let mut imported = Vec::new();
    let mut refused = Vec::new();
    let mut first: Option<AppError> = None;
    for (file, r) in outcomes {
        match r {
            Ok(o) => imported.push(to_json(&o)),
            Err(e) => {
                let mut v = to_json(&body_of(&e));
                if let Some(o) = v.as_object_mut() {
                    o.insert("file".into(), file.into());
                }
                refused.push(v);
                first.get_or_insert(e);
            }
        }
    }
    let Some(e) = first else {
        return Ok((
            StatusCode::CREATED,
            Json(json!({"imported": imported, "refused": refused})),
        )
            .into_response());
    };
    let status = if imported.is_empty() {
        status_of(&e)
    } else {
        StatusCode::MULTI_STATUS
    };
    let mut body = to_json(&body_of(&e));
    if let Some(o) = body.as_object_mut() {
        o.insert("imported".into(), Value::Array(imported));
        o.insert("refused".into(), Value::Array(refused));
    }
    Ok((status, Json(body)).into_response())
}

#[utoipa::path(get, tag = "imports", path = "/api/v1/imports/{id}", params(("id" = i64, Path)), responses((status = 200, description = "The report: metadata and extraction {title, unit, level, year, region, sections, figures: [{text, value, unit, approx, metric, indicator, confidence, start, end, …}], decoded_text}; start/end are character offsets into decoded_text"), (status = 404, body = ApiErrorBody), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this")))]
pub(crate) async fn api_get_import(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    crate::extract::ApiPath(id): crate::extract::ApiPath<i64>,
) -> ApiResult {
    Ok(Json(to_json(&s.app.import_view(&a, id).await?)))
}

#[utoipa::path(get, tag = "imports", path = "/api/v1/imports/compare", params(CompareParams), responses((status = 200, description = "Indicator × report matrix: {by, year, unit, columns: [{import_id, unit_name, year, …}], rows: [{indicator, label, cells: [null | {import_id, figure, value, unit, approx, text, metric, confidence, change, others: […]}]}], unmatched: [{import_id, unit_name, year, figures}]}; each cell links back to /imports/{import_id}#f{figure}"), (status = 422, body = ApiErrorBody, description = "neither or both of year and unit, or a bad year"), (status = 400, body = ApiErrorBody, description = "Malformed request: bad JSON, wrong types, bad path id or query parameter, body too deep or too wide; the problem names the field"), (status = 401, body = ApiErrorBody, description = "Not authenticated"), (status = 403, body = ApiErrorBody, description = "The caller's role or data scope does not allow this"), (status = 404, body = ApiErrorBody, description = "Not found, or outside the caller's data scope")))]
pub(crate) async fn api_compare_imports(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    crate::extract::ApiQuery(p): crate::extract::ApiQuery<CompareParams>,
) -> ApiResult {
    let target = compare_params(&p)?
        .ok_or_else(|| AppError::invalid("year", "required", "请指定年度（year）或单位（unit）"))?;
    Ok(Json(to_json(&compare(&s, &a, &target).await?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_people_write_them() {
        assert_eq!(fmt_value(5571.0), "5571");
        assert_eq!(fmt_value(8.7), "8.7");
        assert_eq!(fmt_value(0.125), "0.125");
    }

    #[test]
    fn the_text_keeps_every_character_and_marks_each_figure() {
        let text = "办结工单5571条，<满意率>8.7%。";
        let ex = fazhi_app::imports::extract_text(text);
        let r = ImportedReport {
            row: fazhi_store::imports::ImportedReportRow {
                id: 1,
                unit_name: "x".into(),
                unit_id: None,
                level: None,
                region: None,
                year: 2023,
                title: None,
                source_name: "a".into(),
                sha256: String::new(),
                text: None,
                extraction: String::new(),
                imported_at: 0,
                imported_by: "t".into(),
            },
            extraction: ex.clone(),
        };
        let html = highlighted(&r);
        assert_eq!(html.matches("<mark").count(), ex.figures.len());
        assert!(html.contains("&lt;满意率&gt;"), "{html}");
        let plain = regex_lite_strip(&html);
        assert_eq!(plain, esc(text));
    }

    /// Removes tags (the test's HTML has no `>` inside attribute values).
    fn regex_lite_strip(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }
}
