//! Figures: the leader's dashboard, the lineage of every figure (definition, filters, period,
//! calendar version, the records behind it) and the entry of manual figures.

use askama::Template;

use crate::route_table::{Routes, get};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use fazhi_app::indicators::{
    IndicatorValue, LineageRecords, ManualFigureInput, ManualFigureQuery, Page,
};
use fazhi_app::{Actor, AppError};
use fazhi_indicators::Period;
use fazhi_store::cases::CaseFilter;
use fazhi_store::{CaseRow, UnitRow};

use crate::AppState;
use crate::auth::{PageUser, urlencode};
use crate::charts::{Bar, Series, bar_chart, line_chart};
use crate::error::{body_of, status_of};
use crate::forms::{Pairs, check_csrf, get as form_get};
use crate::views::{Chrome, ErrorPage};

pub fn routes() -> Routes {
    Routes::new()
        .route("/dashboard", get(dashboard))
        .route("/figures", get(figure))
        .route("/figures/manual", get(manual_page).post(manual_save))
}

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
    render(
        &ErrorPage {
            chrome: Chrome::new(&u.actor, &u.session, "dashboard"),
            heading: "无法显示".into(),
            message: body_of(e).message,
        },
        status_of(e),
    )
}

/// A value as people read it: percentages with one decimal, sums of money in 万 when large,
/// counts as integers; missing stays missing.
pub fn show(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "缺数".into(),
        Some(v) if unit == "%" => format!("{}%", trim(v, 1)),
        Some(v) if unit == "元" && v.abs() >= 100_000.0 => {
            format!("{}万元", trim(v / 10_000.0, 2))
        }
        Some(v) => format!("{}{unit}", trim(v, 2)),
    }
}

fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

// ---------- dashboard ----------

/// A key-figure card.
struct KeyFigure {
    label: String,
    value: String,
    last: String,
    delta: String,
    delta_class: String,
    /// The lineage handle of the figure.
    link: String,
    /// The case list behind the card (declared in the case type's `dashboard.toml`), or empty.
    cases: String,
}

/// A chart card: its title and server-side SVG.
struct Chart {
    title: String,
    svg: String,
}

/// Overdue cases of one department: name, overdue, due soon, and per case type with overdue
/// cases its name, count and list link.
struct DeptRow {
    name: String,
    overdue: i64,
    soon: i64,
    by_type: Vec<(String, i64, String)>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    unit_name: String,
    period_label: String,
    today: String,
    keys: Vec<KeyFigure>,
    /// Monthly trends, this year against last year (the case types' `[[trend]]` cards).
    trends: Vec<Chart>,
    /// Sub-units compared on the figures declared with `compare_units`.
    comparisons: Vec<Chart>,
    depts: Vec<DeptRow>,
    /// Heading of the due-soon column (e.g. 2个工作日内到期).
    due_soon_label: String,
}

fn find<'a>(vals: &'a [IndicatorValue], id: &str) -> Option<&'a IndicatorValue> {
    vals.iter().find(|v| v.id == id)
}

async fn monthly(
    s: &AppState,
    a: &Actor,
    year: i16,
    months: i8,
    ids: &[String],
) -> Result<Vec<Vec<Option<f64>>>, AppError> {
    let mut out = vec![Vec::new(); ids.len()];
    if ids.is_empty() {
        return Ok(out);
    }
    for m in 1..=12i8 {
        if m > months {
            for o in out.iter_mut() {
                o.push(None);
            }
            continue;
        }
        let p = Period::month(year, m).map_err(|e| AppError::Internal(e.to_string()))?;
        let c = s.app.compute_indicators(a, a.unit_id, p, ids).await?;
        for (i, id) in ids.iter().enumerate() {
            out[i].push(find(&c.values, id).and_then(|v| v.value));
        }
    }
    Ok(out)
}

async fn dashboard(State(s): State<AppState>, u: PageUser) -> Response {
    match dashboard_inner(&s, &u).await {
        Ok(r) => r,
        Err(e) => fail(&u, &e),
    }
}

/// The dashboard's cards as the registry's folders declare them, each indicator resolved to its
/// catalogue id; cards naming an indicator the catalogue lacks are left out (`fazhi workflow
/// check` reports them).
fn cards(s: &AppState) -> Result<fazhi_reports::DashboardCards, AppError> {
    let mut cards = fazhi_reports::dashboard_cards(&s.app.registry).map_err(|d| {
        let lines: Vec<String> = d.iter().map(ToString::to_string).collect();
        AppError::Internal(format!("dashboard.toml: {}", lines.join("; ")))
    })?;
    let catalog = fazhi_app::indicators::catalog();
    let resolve = |id: &mut String| match catalog.resolve(id) {
        Some(r) => {
            *id = r.to_string();
            true
        }
        None => {
            tracing::warn!(indicator = %id, "dashboard card names an unknown indicator");
            false
        }
    };
    cards.figures.retain_mut(|f| resolve(&mut f.indicator));
    cards.trends.retain_mut(|t| resolve(&mut t.indicator));
    Ok(cards)
}

async fn dashboard_inner(s: &AppState, u: &PageUser) -> Result<Response, AppError> {
    let a = &u.actor;
    let cards = cards(s)?;
    let today = s.app.clock.today();
    let year = today.year();
    let start = jiff::civil::date(year, 1, 1);
    let last_start = jiff::civil::date(year - 1, 1, 1);
    let last_end = today
        .checked_sub(jiff::Span::new().years(1))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let bad = |e: fazhi_indicators::PeriodError| AppError::Internal(e.to_string());
    let ytd = Period::custom(start, today).map_err(bad)?;
    let last = Period::custom(last_start, last_end).map_err(bad)?;
    let mut ids: Vec<String> = Vec::new();
    for f in &cards.figures {
        if !ids.contains(&f.indicator) {
            ids.push(f.indicator.clone());
        }
    }
    let now = s.app.compute_indicators(a, a.unit_id, ytd, &ids).await?;
    let before = s.app.compute_indicators(a, a.unit_id, last, &ids).await?;
    let keys = cards
        .figures
        .iter()
        .filter_map(|card| {
            let v = find(&now.values, &card.indicator)?;
            let prev = find(&before.values, &v.id).and_then(|p| p.value);
            let (delta, class) = match (v.value, prev) {
                (Some(x), Some(p)) if v.unit == "%" => (
                    format!("{:+.1}个百分点", x - p),
                    if x >= p { "ok" } else { "warn" },
                ),
                (Some(x), Some(p)) if p != 0.0 => (
                    format!("{:+.1}%", (x - p) / p * 100.0),
                    if x >= p { "ok" } else { "warn" },
                ),
                _ => (String::new(), ""),
            };
            Some(KeyFigure {
                label: card.label.clone().unwrap_or_else(|| v.label.clone()),
                value: show(v.value, &v.unit),
                last: show(prev, &v.unit),
                delta,
                delta_class: class.into(),
                link: v.lineage.clone(),
                cases: card.cases_link.clone().unwrap_or_default(),
            })
        })
        .collect();

    // Monthly trends, this year against last year.
    let months = today.month();
    let trend_ids: Vec<String> = cards.trends.iter().map(|t| t.indicator.clone()).collect();
    let this_year = monthly(s, a, year, months, &trend_ids).await?;
    let last_year = monthly(s, a, year - 1, 12, &trend_ids).await?;
    let labels: Vec<String> = (1..=12).map(|m| format!("{m}月")).collect();
    let catalog = fazhi_app::indicators::catalog();
    let label_of = |id: &str| {
        catalog
            .get(id)
            .map_or_else(|| id.to_string(), |i| i.label_zh.clone())
    };
    let trends = cards
        .trends
        .iter()
        .enumerate()
        .map(|(i, t)| Chart {
            title: t
                .title
                .clone()
                .unwrap_or_else(|| format!("{}（按月）", label_of(&t.indicator))),
            svg: line_chart(
                &labels,
                &[
                    Series {
                        name: &format!("{year}年"),
                        color: "#b4232a",
                        values: this_year[i].clone(),
                    },
                    Series {
                        name: &format!("{}年", year - 1),
                        color: "#8da2b5",
                        values: last_year[i].clone(),
                    },
                ],
                560,
                220,
            ),
        })
        .collect();

    // Sub-units compared on the figures that ask for it.
    let compare: Vec<&fazhi_reports::FigureCard> =
        cards.figures.iter().filter(|f| f.compare_units).collect();
    let compare_ids: Vec<String> = compare.iter().map(|f| f.indicator.clone()).collect();
    let units: Vec<UnitRow> = s.app.list_units(a).await?;
    let mut bars: Vec<Vec<Bar>> = compare.iter().map(|_| Vec::new()).collect();
    if !compare.is_empty() {
        for child in units.iter().filter(|x| x.parent_id == Some(a.unit_id)) {
            let c = s
                .app
                .compute_indicators(a, child.id, ytd, &compare_ids)
                .await?;
            for (i, id) in compare_ids.iter().enumerate() {
                let v = find(&c.values, id);
                bars[i].push(Bar {
                    label: child.name.clone(),
                    value: v.and_then(|v| v.value),
                    href: v.map(|v| format!("/figures?h={}", urlencode(&v.lineage))),
                });
            }
        }
    }
    let comparisons = compare
        .iter()
        .zip(bars)
        .map(|(card, bars)| {
            let v = find(&now.values, &card.indicator);
            let label = card
                .label
                .clone()
                .or_else(|| v.map(|v| v.label.clone()))
                .unwrap_or_else(|| card.indicator.clone());
            let unit = v.map(|v| v.unit.clone()).unwrap_or_default();
            Chart {
                title: format!("下级单位对比：{label}（{year}年）"),
                svg: bar_chart(&bars, &unit, 560),
            }
        })
        .collect();

    // Overdue and soon-due open cases by department, with the case types that hold them.
    // The due-soon threshold of the clock configuration (clocks.toml), as on lists and the API.
    let soon = s.app.due_soon_date(today).to_string();
    let yesterday = today.yesterday().map(|d| d.to_string()).unwrap_or_default();
    let mut depts = Vec::new();
    for d in s.app.list_departments(a).await? {
        let f = |due: &str, case_type: Option<String>| CaseFilter {
            department_id: Some(d.id),
            case_type,
            open_only: true,
            due_by: Some(due.to_string()),
            limit: 1,
            ..Default::default()
        };
        let (_, overdue): (Vec<CaseRow>, i64) = s.app.list_cases(a, f(&yesterday, None)).await?;
        let (_, by_soon) = s.app.list_cases(a, f(&soon, None)).await?;
        let mut by_type = Vec::new();
        if overdue > 0 {
            for t in s.app.registry.types() {
                let (_, n) = s
                    .app
                    .list_cases(a, f(&yesterday, Some(t.code.clone())))
                    .await?;
                if n > 0 {
                    by_type.push((
                        t.name_zh.clone(),
                        n,
                        format!("/cases?type={}&due=overdue", urlencode(&t.code)),
                    ));
                }
            }
        }
        depts.push(DeptRow {
            name: d.name.clone(),
            overdue,
            soon: (by_soon - overdue).max(0),
            by_type,
        });
    }
    Ok(render(
        &DashboardPage {
            chrome: Chrome::new(a, &u.session, "dashboard"),
            unit_name: now.unit_name.clone(),
            period_label: format!("{year}年"),
            today: today.to_string(),
            keys,
            trends,
            comparisons,
            depts,
            due_soon_label: s.app.due_soon_label(),
        },
        StatusCode::OK,
    ))
}

// ---------- lineage ----------

#[derive(serde::Deserialize, Default)]
struct FigureQuery {
    h: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "figure.html")]
struct FigurePage {
    chrome: Chrome,
    l: fazhi_app::indicators::Lineage,
    value_text: String,
    cases: Vec<fazhi_store::indicators::CaseRecord>,
    officers: Vec<fazhi_store::indicators::OfficerRecord>,
    value_label: String,
    mark_label: String,
    total: i64,
    page: i64,
    has_next: bool,
    handle_q: String,
}

const LINEAGE_PAGE: i64 = 50;

async fn figure(State(s): State<AppState>, u: PageUser, Query(q): Query<FigureQuery>) -> Response {
    let Some(h) = q.h.filter(|h| !h.is_empty()) else {
        return fail(&u, &AppError::invalid("h", "required", "缺少数据溯源编号"));
    };
    let handle: fazhi_app::indicators::LineageHandle = match h.parse() {
        Ok(x) => x,
        Err(e) => return fail(&u, &e),
    };
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let l = match s
        .app
        .indicator_lineage(
            &u.actor,
            &handle.indicator,
            handle.unit_id,
            handle.period,
            Page {
                offset: (page - 1) * LINEAGE_PAGE,
                limit: LINEAGE_PAGE,
            },
        )
        .await
    {
        Ok(l) => l,
        Err(e) => return fail(&u, &e),
    };
    let (cases, officers, total, value_label, mark_label) = match &l.records {
        LineageRecords::Cases {
            rows,
            total,
            value_label,
            mark_label,
        } => (
            rows.clone(),
            vec![],
            *total,
            value_label.clone().unwrap_or_default(),
            mark_label.clone().unwrap_or_default(),
        ),
        LineageRecords::Officers {
            rows,
            total,
            mark_label,
        } => (
            vec![],
            rows.clone(),
            *total,
            String::new(),
            mark_label.clone().unwrap_or_default(),
        ),
        LineageRecords::None => (vec![], vec![], 0, String::new(), String::new()),
    };
    render(
        &FigurePage {
            chrome: Chrome::new(&u.actor, &u.session, "dashboard"),
            value_text: show(l.value.value, &l.value.unit),
            has_next: page * LINEAGE_PAGE < total,
            handle_q: urlencode(&h),
            l,
            cases,
            officers,
            value_label,
            mark_label,
            total,
            page,
        },
        StatusCode::OK,
    )
}

// ---------- manual figures ----------

#[derive(Template)]
#[template(path = "manual.html")]
struct ManualPage {
    chrome: Chrome,
    rows: Vec<(String, String, String, String, String, String)>,
    indicators: Vec<(String, String)>,
    units: Vec<(String, String)>,
    indicator: String,
    period: String,
    notice: String,
    error: String,
}

#[derive(serde::Deserialize, Default)]
struct ManualQuery {
    indicator: Option<String>,
}

async fn manual_render(
    s: &AppState,
    u: &PageUser,
    indicator: String,
    period: String,
    notice: &str,
    error: String,
    status: StatusCode,
) -> Response {
    let rows = match s
        .app
        .list_manual_figures(
            &u.actor,
            &ManualFigureQuery {
                limit: 200,
                ..Default::default()
            },
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return fail(u, &e),
    };
    let units: Vec<UnitRow> = s.app.list_units(&u.actor).await.unwrap_or_default();
    let labels = s.app.indicator_labels();
    let label_of = |id: &str| {
        labels
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let rows = rows
        .iter()
        .map(|r| {
            let v = serde_json::to_value(r).unwrap_or_default();
            let g = |k: &str| {
                v.get(k)
                    .map(|x| {
                        x.as_str()
                            .map(String::from)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .unwrap_or_default()
            };
            let unit_name = v
                .get("unit_id")
                .and_then(|x| x.as_i64())
                .and_then(|id| units.iter().find(|x| x.id.0 == id))
                .map(|x| x.name.clone())
                .unwrap_or_else(|| g("unit_name"));
            (
                label_of(&g("indicator")),
                unit_name,
                format!("{}至{}", g("period_start"), g("period_end")),
                g("value"),
                g("source"),
                g("note"),
            )
        })
        .collect();
    let page = ManualPage {
        chrome: Chrome::new(&u.actor, &u.session, "dashboard"),
        rows,
        indicators: labels,
        units: units
            .into_iter()
            .filter(|x| x.path.starts_with(&u.actor.unit_path))
            .map(|x| (x.code, x.name))
            .collect(),
        indicator,
        period,
        notice: notice.into(),
        error,
    };
    render(&page, status)
}

async fn manual_page(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<ManualQuery>,
) -> Response {
    let year = (s.app.clock.today().year() - 1).to_string();
    manual_render(
        &s,
        &u,
        q.indicator.unwrap_or_default(),
        year,
        "",
        String::new(),
        StatusCode::OK,
    )
    .await
}

async fn manual_save(State(s): State<AppState>, u: PageUser, body: Bytes) -> Response {
    let p: Pairs = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if let Err(e) = check_csrf(&p, &u.session) {
        return fail(&u, &e);
    }
    let input = ManualFigureInput {
        unit_code: form_get(&p, "unit_code")
            .map(String::from)
            .filter(|x| !x.is_empty()),
        indicator: form_get(&p, "indicator").unwrap_or("").into(),
        period: form_get(&p, "period").unwrap_or("").into(),
        value: form_get(&p, "value").unwrap_or("").into(),
        source: form_get(&p, "source").unwrap_or("").into(),
        note: form_get(&p, "note").unwrap_or("").into(),
    };
    match s.app.enter_manual_figure(&u.actor, &input).await {
        Ok(_) => {
            manual_render(
                &s,
                &u,
                input.indicator,
                input.period,
                "已保存，并已记入审计日志。",
                String::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            manual_render(
                &s,
                &u,
                input.indicator.clone(),
                input.period.clone(),
                "",
                body_of(&e).message,
                status_of(&e),
            )
            .await
        }
    }
}
