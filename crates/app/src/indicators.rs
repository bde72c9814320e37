//! Indicators: figures for a unit subtree and a period, computed in the database from the
//! records; the lineage of every figure (definition, filters, period, calendar version, the
//! records behind it); manual figures entered by a unit with their source (audited, always shown
//! as manual); and the figures of an annual report.
//!
//! The catalogue of definitions is process-wide: the embedded one by default, replaced at start
//! by [`install_catalog`] when a configuration folder overrides it.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use fazhi_domain::{Role, Scope, UnitId};
use fazhi_indicators::plan::{CaseRecords, Col, Operand};
use fazhi_indicators::{
    Catalog, Computed, Formula, Indicator, ManualEntry, ManualInput, Period, RecordSource, Target,
};
use fazhi_store::indicators::{
    self as store, CaseRecord, ManualFigureRow, ManualFilter, NewManualFigure, OfficerRecord,
    Restrict,
};
use fazhi_store::{AuditEntry, UnitRow, org};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError, FieldProblem};

static CATALOG: RwLock<Option<Arc<Catalog>>> = RwLock::new(None);

/// Replaces the catalogue in use (e.g. with `Catalog::load_dir(config/indicators, &registry)`).
pub fn install_catalog(catalog: Catalog) {
    let mut g = CATALOG.write().unwrap_or_else(|e| e.into_inner());
    *g = Some(Arc::new(catalog));
}

/// The catalogue in use.
pub fn catalog() -> Arc<Catalog> {
    if let Some(c) = CATALOG.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        return c.clone();
    }
    let mut g = CATALOG.write().unwrap_or_else(|e| e.into_inner());
    g.get_or_insert_with(|| Arc::new(Catalog::embedded()))
        .clone()
}

/// Identifies one figure: indicator, unit, period. Its text form `id@unit@period` (e.g.
/// `hotline.received@3@2023-Q1`) is what pages and the API pass around to open the lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageHandle {
    pub indicator: String,
    pub unit_id: UnitId,
    pub period: Period,
}

impl std::fmt::Display for LineageHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}@{}", self.indicator, self.unit_id.0, self.period)
    }
}

impl FromStr for LineageHandle {
    type Err = AppError;
    fn from_str(s: &str) -> Result<LineageHandle, AppError> {
        let bad = || AppError::invalid("handle", "handle", "指标溯源编号格式不正确");
        let mut it = s.splitn(3, '@');
        let (Some(i), Some(u), Some(p)) = (it.next(), it.next(), it.next()) else {
            return Err(bad());
        };
        Ok(LineageHandle {
            indicator: i.to_string(),
            unit_id: UnitId(u.parse().map_err(|_| bad())?),
            period: p.parse().map_err(|_| bad())?,
        })
    }
}

/// One computed figure.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorValue {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub decimals: u8,
    /// `None`: cannot be computed (zero or missing denominator, nothing to average, manual
    /// figure not entered) — never shown as 0.
    pub value: Option<f64>,
    /// A manual figure went into the value.
    pub manual: bool,
    /// Ratio (numerator, denominator) or on-time (met, decided) parts.
    pub parts: Option<(Option<f64>, Option<f64>)>,
    pub target: Option<Target>,
    pub meets_target: Option<bool>,
    /// Opens the lineage: [`App::indicator_lineage`].
    pub lineage: String,
}

/// Figures for one unit subtree and period.
#[derive(Debug, Clone, Serialize)]
pub struct Computation {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub period: Period,
    pub period_label: String,
    /// The day the figures were computed (clocks past due that day count as overdue).
    pub as_of: String,
    pub catalog_version: String,
    pub values: Vec<IndicatorValue>,
}

/// A page of a record list.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Page {
    pub offset: i64,
    pub limit: i64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            offset: 0,
            limit: 50,
        }
    }
}

/// The records behind a figure.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LineageRecords {
    Cases {
        rows: Vec<CaseRecord>,
        /// Number of records (within the actor's data scope).
        total: i64,
        /// What `CaseRecord::value` means, e.g. `罚款金额（元）`.
        value_label: Option<String>,
        /// What `CaseRecord::marked` means, e.g. `按期完成`.
        mark_label: Option<String>,
    },
    Officers {
        rows: Vec<OfficerRecord>,
        total: i64,
        mark_label: Option<String>,
    },
    /// A manual figure: the entries are in [`Lineage::manual`].
    None,
}

/// A ratio's part, to open in turn.
#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    pub role: String,
    pub id: String,
    pub label: String,
    pub unit: String,
    pub value: Option<f64>,
    pub manual: bool,
    pub lineage: String,
}

/// Everything about one figure: 可量化、可证明、可比较.
#[derive(Debug, Clone, Serialize)]
pub struct Lineage {
    pub definition: Indicator,
    /// How the figure is obtained, in one sentence.
    pub summary: String,
    /// Which records count, one condition a line (case type and period rule first).
    pub filters: Vec<String>,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub period: Period,
    pub period_label: String,
    pub period_start: String,
    pub period_end: String,
    pub as_of: String,
    pub catalog_version: String,
    /// The calendar in use.
    pub calendar_version: String,
    /// Calendar versions stored with the clocks behind the figure (on-time figures).
    pub clock_calendar_versions: Vec<String>,
    pub value: IndicatorValue,
    pub parts: Vec<PartView>,
    /// Manual figures the value rests on (with their source), entered or not.
    pub manual: Vec<ManualInput>,
    pub records: LineageRecords,
}

/// A manual figure as entered by a user (form or API).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ManualFigureInput {
    /// Unit code; defaults to the actor's unit.
    pub unit_code: Option<String>,
    pub indicator: String,
    /// `2023`, `2023-Q1`, `2023-03` or `2023-01-01..2023-06-30`.
    pub period: String,
    pub value: String,
    pub source: String,
    #[serde(default)]
    pub note: String,
}

/// Which manual figures to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ManualFigureQuery {
    /// Unit code (its subtree); defaults to the actor's unit.
    pub unit_code: Option<String>,
    pub indicator: Option<String>,
    /// Figures whose period overlaps this one.
    pub period: Option<String>,
    #[serde(default)]
    pub in_force_only: bool,
    #[serde(default)]
    pub offset: i64,
    #[serde(default)]
    pub limit: i64,
}

/// One figure of an annual report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figure {
    /// `None` when it cannot be computed or was not entered — never 0.
    pub value: Option<f64>,
    pub unit: String,
    pub label: String,
    /// Entered by hand, or computed from a figure entered by hand.
    pub manual: bool,
    /// Where the value comes from: the platform's records, or the source given with the manual
    /// figure(s).
    pub source: String,
    pub definition_summary: String,
    pub decimals: u8,
    /// Opens the lineage: [`App::indicator_lineage`].
    pub lineage: String,
}

/// Units whose figures are whole numbers.
const COUNT_UNITS: &[&str] = &[
    "件", "人", "名", "次", "宗", "个", "条", "项", "份", "场", "家", "间", "处", "户", "人次",
    "批", "封", "期", "张", "本", "册", "幅", "块", "起", "单", "卷", "家次", "间次", "宗次",
    "场次", "幅次", "件次", "栋",
];

fn restrict(actor: &Actor) -> Restrict {
    match actor.scope {
        Scope::UnitSubtree => Restrict::default(),
        Scope::Department => match actor.department_id {
            Some(d) => Restrict {
                department_id: Some(d.0),
                owner_id: Some(actor.id.0),
                department_or_owner: true,
            },
            None => Restrict {
                owner_id: Some(actor.id.0),
                ..Default::default()
            },
        },
        Scope::OwnOnly => Restrict {
            owner_id: Some(actor.id.0),
            ..Default::default()
        },
    }
}

fn value_view(ind: &Indicator, c: &Computed, unit: UnitId, period: Period) -> IndicatorValue {
    IndicatorValue {
        id: ind.id.clone(),
        label: ind.label_zh.clone(),
        unit: ind.unit.clone(),
        decimals: ind.decimals,
        value: c.value,
        manual: c.is_manual(),
        parts: c.parts,
        target: ind.target,
        meets_target: c.meets_target,
        lineage: handle(&ind.id, unit, period),
    }
}

fn handle(id: &str, unit: UnitId, period: Period) -> String {
    LineageHandle {
        indicator: id.to_string(),
        unit_id: unit,
        period,
    }
    .to_string()
}

/// Where a value comes from, for reports: the records, or the sources of its manual figures.
fn source_of(c: &Computed, ind: &Indicator) -> String {
    let manual: Vec<String> = c
        .manual_inputs
        .iter()
        .map(|m| match &m.entry {
            Some(e) => format!("{}：手工填报（来源：{}）", m.label_zh, e.source),
            None => format!("{}：未填报", m.label_zh),
        })
        .collect();
    match (&ind.formula, manual.is_empty()) {
        (Formula::Manual, _) => match c.manual_inputs.first().and_then(|m| m.entry.as_ref()) {
            Some(e) => format!("手工填报（来源：{}）", e.source),
            None => "手工填报（未填报）".into(),
        },
        (_, true) => "平台记录".into(),
        (_, false) => format!("平台记录；{}", manual.join("；")),
    }
}

fn parse_value(raw: &str, unit: &str, problems: &mut Vec<FieldProblem>) -> Option<f64> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let s = s.strip_suffix('%').unwrap_or(&s).trim();
    let v = match s.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            problems.push(FieldProblem::new(
                "value",
                "number",
                "数值：应为数字，如128或8.7",
            ));
            return None;
        }
    };
    if v < 0.0 {
        problems.push(FieldProblem::new("value", "negative", "数值：不能为负数"));
        return None;
    }
    if unit == "%" && v > 100.0 {
        problems.push(FieldProblem::new(
            "value",
            "percent",
            "数值：百分比应在0至100之间",
        ));
        return None;
    }
    if COUNT_UNITS.contains(&unit) && v.fract() != 0.0 {
        problems.push(FieldProblem::new(
            "value",
            "integer",
            format!("数值：以“{unit}”计的数应为整数"),
        ));
        return None;
    }
    if v >= 1e15 {
        problems.push(FieldProblem::new("value", "too_large", "数值：过大"));
        return None;
    }
    Some(v)
}

fn text_limit(
    problems: &mut Vec<FieldProblem>,
    field: &str,
    label: &str,
    v: &str,
    required: bool,
    max: usize,
) {
    let n = v.trim().chars().count();
    if required && n == 0 {
        problems.push(FieldProblem::new(
            field,
            "required",
            format!("{label}：必填"),
        ));
    } else if n > max {
        problems.push(FieldProblem::new(
            field,
            "too_long",
            format!("{label}：最多{max}个字符"),
        ));
    }
}

/// Clock codes a record condition reads.
fn clocks_in(q: &CaseRecords) -> Vec<String> {
    let catalog = catalog();
    let layout = catalog.layouts().get(&q.case_type);
    let mut out = Vec::new();
    let mut ops = q.cond.operands();
    if let Some(m) = &q.mark {
        ops.extend(m.operands());
    }
    for o in ops {
        let code = match o {
            Operand::Col(Col::ClockStatus(n) | Col::ClockDue(n)) => layout
                .and_then(|l| l.clocks.get(usize::from(*n).saturating_sub(1)))
                .map(|c| c.to_string()),
            Operand::ClockStatus(c) | Operand::ClockDue(c) => Some(c.clone()),
            _ => None,
        };
        if let Some(c) = code
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}

impl App {
    /// The unit, if the actor's unit subtree contains it.
    async fn indicator_unit(&self, actor: &Actor, unit: UnitId) -> Result<UnitRow, AppError> {
        let u = org::unit(&self.db, unit)
            .await
            .map_err(|_| AppError::NotFound(format!("单位{unit}")))?;
        if !u.path.starts_with(&actor.unit_path) {
            return Err(AppError::NotFound(format!("单位{unit}")));
        }
        Ok(u)
    }

    async fn unit_by_code_for(
        &self,
        actor: &Actor,
        code: Option<&str>,
    ) -> Result<UnitRow, AppError> {
        let u = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => org::unit_by_code(&self.db, code).await?.ok_or_else(|| {
                AppError::invalid(
                    "unit_code",
                    "unknown_unit",
                    format!("单位：不存在代码为“{code}”的单位"),
                )
            })?,
            None => org::unit(&self.db, actor.unit_id).await?,
        };
        if !u.path.starts_with(&actor.unit_path) {
            return Err(AppError::Forbidden(
                "只能查看或填报本单位及下级单位的指标".into(),
            ));
        }
        Ok(u)
    }

    /// Runs the plan of `ids` (all indicators when empty) for the unit subtree and period.
    async fn compute_raw(
        &self,
        catalog: &Catalog,
        unit: &UnitRow,
        period: Period,
        ids: &[String],
    ) -> Result<(Vec<String>, BTreeMap<String, Computed>), AppError> {
        let ids: Vec<String> = if ids.is_empty() {
            catalog.indicators().map(|i| i.id.clone()).collect()
        } else {
            let mut out = Vec::new();
            for id in ids {
                let r = catalog.resolve(id).ok_or_else(|| {
                    AppError::invalid(
                        "indicators",
                        "unknown_indicator",
                        format!("指标：不存在编号为“{id}”的指标"),
                    )
                })?;
                out.push(r.to_string());
            }
            out
        };
        let scope = fazhi_indicators::Scope {
            unit_id: unit.id.0,
            unit_path: unit.path.clone(),
        };
        let as_of = self.clock.today();
        let plan = fazhi_indicators::plan(catalog, &ids, &scope, &period, as_of)
            .map_err(|e| AppError::invalid("indicators", "unknown_indicator", e.to_string()))?;
        let raw = store::run(&self.db, &plan).await?;
        let values = fazhi_indicators::evaluate(catalog, &ids, &raw)
            .map_err(|e| AppError::invalid("indicators", "unknown_indicator", e.to_string()))?;
        Ok((ids, values))
    }

    /// Computes indicators (`ids`; all of the catalogue when empty; aliases accepted) for the
    /// subtree of `unit` and `period`, in the database. Any actor whose unit subtree contains the
    /// unit may see its aggregate figures.
    pub async fn compute_indicators(
        &self,
        actor: &Actor,
        unit: UnitId,
        period: Period,
        ids: &[String],
    ) -> Result<Computation, AppError> {
        let u = self.indicator_unit(actor, unit).await?;
        let catalog = catalog();
        let (ids, computed) = self.compute_raw(&catalog, &u, period, ids).await?;
        let values = ids
            .iter()
            .filter_map(|id| {
                let ind = catalog.get(id)?;
                computed
                    .get(&ind.id)
                    .map(|c| value_view(ind, c, u.id, period))
            })
            .collect();
        Ok(Computation {
            unit_id: u.id,
            unit_name: u.name,
            period,
            period_label: period.label_zh(),
            as_of: self.clock.today().to_string(),
            catalog_version: catalog.version().to_string(),
            values,
        })
    }

    /// The lineage of one figure: definition, filters, period, calendar version, its value and
    /// parts, the manual figures it rests on and one page of the records behind it (within the
    /// actor's data scope).
    pub async fn indicator_lineage(
        &self,
        actor: &Actor,
        indicator: &str,
        unit: UnitId,
        period: Period,
        page: Page,
    ) -> Result<Lineage, AppError> {
        let u = self.indicator_unit(actor, unit).await?;
        let catalog = catalog();
        let ind = catalog
            .get(indicator)
            .ok_or_else(|| AppError::NotFound(format!("指标“{indicator}”")))?
            .clone();
        let (_, computed) = self
            .compute_raw(&catalog, &u, period, std::slice::from_ref(&ind.id))
            .await?;
        let c = computed
            .get(&ind.id)
            .cloned()
            .ok_or_else(|| AppError::Internal(format!("{} not computed", ind.id)))?;
        let scope = fazhi_indicators::Scope {
            unit_id: u.id.0,
            unit_path: u.path.clone(),
        };
        let as_of = self.clock.today();
        let source = fazhi_indicators::records(&catalog, &ind.id, &scope, &period, as_of)
            .map_err(|e| AppError::NotFound(e.to_string()))?;
        let mut clock_versions = Vec::new();
        let (value_label, mark_label) = match &ind.formula {
            Formula::Sum { field, .. } => {
                let ct = ind
                    .case_select()
                    .and_then(|s| self.registry.get(&s.case_type));
                let label = ct.map_or_else(|| field.clone(), |t| t.field_label(field));
                (Some(format!("{label}（{}）", ind.unit)), None)
            }
            Formula::Duration { .. } => (Some("用时（天）".to_string()), None),
            Formula::OnTime { .. } => (None, Some("按期完成".to_string())),
            Formula::Ratio { numerator, .. } => (
                None,
                Some(format!(
                    "计入分子（{}）",
                    catalog
                        .get(numerator)
                        .map_or_else(|| numerator.clone(), |i| i.label_zh.clone())
                )),
            ),
            _ => (None, None),
        };
        let records = match &source {
            RecordSource::Cases(q) => {
                for clock in clocks_in(q) {
                    for v in store::clock_calendar_versions(&self.db, q, &clock).await? {
                        if !clock_versions.contains(&v) {
                            clock_versions.push(v);
                        }
                    }
                }
                let (rows, total) = store::case_records(
                    &self.db,
                    q,
                    &restrict(actor),
                    page.offset,
                    if page.limit <= 0 { 50 } else { page.limit },
                )
                .await?;
                LineageRecords::Cases {
                    rows,
                    total,
                    value_label,
                    mark_label: q.mark.as_ref().and(mark_label),
                }
            }
            RecordSource::Officers(q) => {
                let (rows, total) = store::officer_records(
                    &self.db,
                    q,
                    page.offset,
                    if page.limit <= 0 { 50 } else { page.limit },
                )
                .await?;
                LineageRecords::Officers {
                    rows,
                    total,
                    mark_label: q.mark.as_ref().and(mark_label),
                }
            }
            RecordSource::None => LineageRecords::None,
        };
        let filters = match &ind.formula {
            Formula::Count(s)
            | Formula::Sum { select: s, .. }
            | Formula::Duration { select: s, .. }
            | Formula::OnTime { select: s, .. } => fazhi_indicators::select_zh(&self.registry, s),
            _ => Vec::new(),
        };
        let mut parts = Vec::new();
        if let Formula::Ratio {
            numerator,
            denominator,
            ..
        } = &ind.formula
        {
            for (role, id) in [("分子", numerator), ("分母", denominator)] {
                if let Some(p) = catalog.get(id) {
                    let pc = computed.get(&p.id);
                    parts.push(PartView {
                        role: role.into(),
                        id: p.id.clone(),
                        label: p.label_zh.clone(),
                        unit: p.unit.clone(),
                        value: pc.and_then(|c| c.value),
                        manual: pc.is_some_and(Computed::is_manual),
                        lineage: handle(&p.id, u.id, period),
                    });
                }
            }
        }
        Ok(Lineage {
            summary: fazhi_indicators::summary_zh(&catalog, &self.registry, &ind),
            filters,
            unit_id: u.id,
            unit_name: u.name.clone(),
            period,
            period_label: period.label_zh(),
            period_start: period.start().to_string(),
            period_end: period.end().to_string(),
            as_of: as_of.to_string(),
            catalog_version: catalog.version().to_string(),
            calendar_version: self.calendar.calendar_version().to_string(),
            clock_calendar_versions: clock_versions,
            value: value_view(&ind, &c, u.id, period),
            parts,
            manual: c.manual_inputs.clone(),
            records,
            definition: ind,
        })
    }

    /// Enters a manual figure for a unit and period (admin or leader of the unit or above). A
    /// new entry for the same unit, indicator and period supersedes the previous one; both stay
    /// in the table and in the audit log.
    pub async fn enter_manual_figure(
        &self,
        actor: &Actor,
        input: &ManualFigureInput,
    ) -> Result<ManualEntry, AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "需要“系统管理员”或“分管领导”角色".into(),
            ));
        }
        let catalog = catalog();
        let mut problems = Vec::new();
        let unit = match self
            .unit_by_code_for(actor, input.unit_code.as_deref())
            .await
        {
            Ok(u) => Some(u),
            Err(AppError::Invalid(p)) => {
                problems.extend(p);
                None
            }
            Err(e) => return Err(e),
        };
        let ind = match catalog.get(input.indicator.trim()) {
            None => {
                problems.push(FieldProblem::new(
                    "indicator",
                    "unknown_indicator",
                    format!("指标：不存在编号为“{}”的指标", input.indicator.trim()),
                ));
                None
            }
            Some(i) if !i.is_manual() => {
                problems.push(FieldProblem::new(
                    "indicator",
                    "computed",
                    format!("指标：“{}”由平台根据记录计算，不能手工填报", i.label_zh),
                ));
                None
            }
            Some(i) => Some(i.clone()),
        };
        let period = match input.period.parse::<Period>() {
            Ok(p) if p.start() > self.clock.today() => {
                problems.push(FieldProblem::new(
                    "period",
                    "future",
                    "期间：尚未开始，不能填报",
                ));
                None
            }
            Ok(p) => Some(p),
            Err(e) => {
                problems.push(FieldProblem::new("period", "period", e.to_string()));
                None
            }
        };
        let value = match &ind {
            Some(i) => parse_value(&input.value, &i.unit, &mut problems),
            None => parse_value(&input.value, "", &mut problems),
        };
        text_limit(&mut problems, "source", "来源", &input.source, true, 200);
        text_limit(&mut problems, "note", "备注", &input.note, false, 1000);
        let (Some(unit), Some(ind), Some(period), Some(value), true) =
            (unit, ind, period, value, problems.is_empty())
        else {
            return Err(AppError::Invalid(problems));
        };
        let start = period.start().to_string();
        let end = period.end().to_string();
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let before = store::manual_in_force(&mut tx, unit.id, &ind.id, &start, &end).await?;
        let id = store::insert_manual_figure(
            &mut tx,
            &NewManualFigure {
                unit_id: unit.id,
                indicator: &ind.id,
                period_start: &start,
                period_end: &end,
                value,
                unit_label: &ind.unit,
                source: input.source.trim(),
                note: input.note.trim(),
                entered_by: actor.id.0,
                at: now,
            },
        )
        .await?;
        let entry = ManualEntry {
            id,
            indicator: ind.id.clone(),
            unit_id: unit.id.0,
            period_start: start,
            period_end: end,
            value,
            unit_label: ind.unit.clone(),
            source: input.source.trim().to_string(),
            note: input.note.trim().to_string(),
            entered_by: actor.id.0,
            at: now,
        };
        let after = serde_json::json!({
            "indicator": entry.indicator, "label": ind.label_zh, "unit": unit.code,
            "period": period.to_string(), "value": entry.value, "unit_label": entry.unit_label,
            "source": entry.source, "note": entry.note,
        });
        let before = before.map(|b| serde_json::json!({ "id": b.id, "value": b.value, "source": b.source, "note": b.note }));
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "manual_figure.enter",
            entity: "manual_figure",
            entity_id: &id.to_string(),
            before: before.as_ref(),
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Manual figures of the actor's unit subtree (or a unit inside it), newest first.
    pub async fn list_manual_figures(
        &self,
        actor: &Actor,
        q: &ManualFigureQuery,
    ) -> Result<Vec<ManualFigureRow>, AppError> {
        let unit = self.unit_by_code_for(actor, q.unit_code.as_deref()).await?;
        let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(p) => Some(
                p.parse::<Period>()
                    .map_err(|e| AppError::invalid("period", "period", e.to_string()))?,
            ),
            None => None,
        };
        let indicator = q
            .indicator
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|i| catalog().resolve(i).unwrap_or(i).to_string());
        Ok(store::manual_figures(
            &self.db,
            &ManualFilter {
                unit_path: Some(unit.path.clone()),
                unit_id: None,
                indicator,
                from: period.map(|p| p.start().to_string()),
                to: period.map(|p| p.end().to_string()),
                in_force_only: q.in_force_only,
                offset: q.offset,
                limit: if q.limit <= 0 { 100 } else { q.limit },
            },
        )
        .await?)
    }

    /// Every figure of the catalogue for the annual report of `unit` (its subtree) and `year`,
    /// by indicator id. A figure that cannot be computed, or a manual figure nobody entered, has
    /// no value (`None`), never 0.
    ///
    /// No access check: report pages call this after checking that the actor may see the unit
    /// (e.g. with [`App::compute_indicators`]'s rule: the unit is in the actor's subtree).
    pub async fn figures_for_report(
        &self,
        unit: UnitId,
        year: i16,
    ) -> Result<BTreeMap<String, Figure>, AppError> {
        let u = org::unit(&self.db, unit).await?;
        let period =
            Period::year(year).map_err(|e| AppError::invalid("year", "year", e.to_string()))?;
        let catalog = catalog();
        let (ids, computed) = self.compute_raw(&catalog, &u, period, &[]).await?;
        let mut out = BTreeMap::new();
        for id in ids {
            let (Some(ind), Some(c)) = (catalog.get(&id), computed.get(&id)) else {
                continue;
            };
            out.insert(
                id.clone(),
                Figure {
                    value: c.value,
                    unit: ind.unit.clone(),
                    label: ind.label_zh.clone(),
                    manual: c.is_manual(),
                    source: source_of(c, ind),
                    definition_summary: fazhi_indicators::summary_zh(&catalog, &self.registry, ind),
                    decimals: ind.decimals,
                    lineage: handle(&ind.id, u.id, period),
                },
            );
        }
        Ok(out)
    }
}
