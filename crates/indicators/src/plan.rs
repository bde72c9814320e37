//! Query plans as data. [`plan`] turns indicator definitions, a unit subtree and a period into
//! the aggregates the database must compute — one conditional-aggregation scan per case type,
//! plus percentile look-ups, officer counts and manual-figure look-ups; `fazhi-store` turns them
//! into SQL for SQLite or PostgreSQL. [`evaluate`] combines the raw results into values (ratios,
//! percentages, money in 元). [`records`] describes the records behind one figure (lineage).
//!
//! Nothing here builds SQL text: operands name columns of `case_facts` (see [`crate::facts`]) or
//! fall back to the case's JSON fields, its events or its clocks.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::facts::FactLayout;
use crate::load::Catalog;
use crate::model::{
    CaseSelect, CmpOp, DatePoint, Filter, FilterOp, Formula, Indicator, OfficerSelect, Stat,
    Subject, Window,
};
use crate::period::Period;

/// The unit subtree a figure covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub unit_id: i64,
    /// Materialised path (`/1/2/`): the subtree is every path starting with it.
    pub unit_path: String,
}

/// A column of `case_facts`. State, category, `txtN` and `clkN_status` hold values as integer
/// codes of a dictionary (see [`Col::is_coded`]); the store compares them with the codes of a
/// condition's values and shows their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Col {
    State,
    Category,
    Published,
    /// `created_day`
    CreatedOn,
    /// `closed_day`
    ClosedOn,
    /// `txtN` (1-based).
    Text(u8),
    /// `numN`.
    Num(u8),
    /// `evN_day`.
    Event(u8),
    /// `clkN_status`.
    ClockStatus(u8),
    /// `clkN_due_day`.
    ClockDue(u8),
}

impl Col {
    /// Whether the column holds a day number ([`crate::facts::day_number`]).
    pub fn is_day(self) -> bool {
        matches!(
            self,
            Col::CreatedOn | Col::ClosedOn | Col::Event(_) | Col::ClockDue(_)
        )
    }

    /// Whether the column holds text values as codes of the `fact_values` dictionary
    /// ([`crate::facts`]): equal texts have equal codes, and the empty text is code
    /// [`crate::facts::EMPTY_CODE`].
    pub fn is_coded(self) -> bool {
        matches!(
            self,
            Col::State | Col::Category | Col::Text(_) | Col::ClockStatus(_)
        )
    }
}

/// A value of a case that a condition or an aggregate reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Operand {
    Col(Col),
    /// A stored field, as text (from the JSON fields of the case).
    FieldText(String),
    /// A stored field, as a number (from the JSON fields; NULL when not numeric).
    FieldNum(String),
    /// The first day one of the transitions was taken (from `case_events`).
    FirstEvent(Vec<String>),
    /// The stored status of a clock (from `case_clocks`).
    ClockStatus(String),
    /// The stored due date of a clock (from `case_clocks`).
    ClockDue(String),
}

impl Operand {
    /// Whether the store must read the `cases` row (JSON fields) for this operand.
    pub fn needs_case_row(&self) -> bool {
        matches!(self, Operand::FieldText(_) | Operand::FieldNum(_))
    }

    /// Whether the operand is a day number (a date column of `case_facts`); other dates are
    /// `YYYY-MM-DD` text.
    pub fn is_day(&self) -> bool {
        matches!(self, Operand::Col(c) if c.is_day())
    }

    /// A date constant to compare with this operand: a day number or the text date.
    pub fn date_param(&self, d: Date) -> Param {
        if self.is_day() {
            Param::Int(crate::facts::day_of(d))
        } else {
            Param::Text(d.to_string())
        }
    }
}

/// A bound parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Param {
    Text(String),
    Int(i64),
    Real(f64),
}

/// A condition on a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cond {
    True,
    And(Vec<Cond>),
    Or(Vec<Cond>),
    /// The operand equals one of the values.
    In(Operand, Vec<String>),
    /// The operand is NULL or equals none of the values.
    NotIn(Operand, Vec<String>),
    /// Not NULL and not empty.
    IsSet(Operand),
    /// NULL or empty.
    NotSet(Operand),
    /// Compares a non-NULL operand with a parameter.
    Cmp(Operand, CmpOp, Param),
}

impl Cond {
    fn and(parts: Vec<Cond>) -> Cond {
        let mut flat = Vec::new();
        for p in parts {
            match p {
                Cond::True => {}
                Cond::And(v) => flat.extend(v),
                other => flat.push(other),
            }
        }
        match flat.len() {
            0 => Cond::True,
            1 => flat.pop().unwrap_or(Cond::True),
            _ => Cond::And(flat),
        }
    }

    /// Every operand the condition reads.
    pub fn operands(&self) -> Vec<&Operand> {
        match self {
            Cond::True => Vec::new(),
            Cond::And(v) | Cond::Or(v) => v.iter().flat_map(Cond::operands).collect(),
            Cond::In(o, _) | Cond::NotIn(o, _) | Cond::IsSet(o) | Cond::NotSet(o) => vec![o],
            Cond::Cmp(o, _, _) => vec![o],
        }
    }

    pub fn needs_case_row(&self) -> bool {
        self.operands().iter().any(|o| o.needs_case_row())
    }

    /// The texts the condition compares coded columns ([`Col::is_coded`]) with: list values and
    /// text constants.
    pub fn coded_values(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.push_coded_values(&mut out);
        out
    }

    fn push_coded_values<'a>(&'a self, out: &mut Vec<&'a str>) {
        let coded = |o: &Operand| matches!(o, Operand::Col(c) if c.is_coded());
        match self {
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| c.push_coded_values(out)),
            Cond::In(o, values) | Cond::NotIn(o, values) if coded(o) => {
                out.extend(values.iter().map(String::as_str));
            }
            Cond::Cmp(o, _, Param::Text(t)) if coded(o) => out.push(t),
            _ => {}
        }
    }
}

/// One aggregate of a scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Measure {
    /// Number of cases meeting the condition.
    Count(Cond),
    /// Sum of the operand over the cases meeting the condition (NULL when there are none).
    Sum(Cond, Operand),
    /// Sum of the natural days from `from` to `to` (NULL when there are no cases).
    SumDays {
        cond: Cond,
        from: Operand,
        to: Operand,
    },
}

impl Measure {
    /// The condition a case meets to be measured.
    pub fn cond(&self) -> &Cond {
        match self {
            Measure::Count(c) | Measure::Sum(c, _) | Measure::SumDays { cond: c, .. } => c,
        }
    }

    pub fn needs_case_row(&self) -> bool {
        match self {
            Measure::Count(c) => c.needs_case_row(),
            Measure::Sum(c, o) => c.needs_case_row() || o.needs_case_row(),
            Measure::SumDays { cond, from, to } => {
                cond.needs_case_row() || from.needs_case_row() || to.needs_case_row()
            }
        }
    }
}

/// One pass over the cases of one type in one unit subtree, computing every measure with
/// conditional aggregation. `window` is a condition every measured case meets (the union of the
/// period conditions), which lets the database skip the rest early.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseScan {
    pub case_type: String,
    pub unit_path: String,
    pub window: Cond,
    /// (result key, aggregate)
    pub measures: Vec<(String, Measure)>,
}

impl CaseScan {
    pub fn needs_case_row(&self) -> bool {
        self.window.needs_case_row() || self.measures.iter().any(|(_, m)| m.needs_case_row())
    }
}

/// The nearest-rank percentile `p` of the days from `from` to `to` over the cases meeting
/// `cond`. The database returns the histogram (days → number of cases);
/// [`PercentileQuery::pick`] reads the percentile off it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PercentileQuery {
    pub key: String,
    pub case_type: String,
    pub unit_path: String,
    pub cond: Cond,
    pub from: Operand,
    pub to: Operand,
    pub p: u8,
}

impl PercentileQuery {
    /// The nearest-rank percentile of a histogram of (value, number of cases): the smallest
    /// value with at least `p` % of the cases at or below it. `None` for an empty histogram.
    pub fn pick(&self, histogram: &[(f64, i64)]) -> Option<f64> {
        let mut h: Vec<(f64, i64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
        h.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n: i64 = h.iter().map(|(_, c)| c).sum();
        if n == 0 {
            return None;
        }
        let rank = ((f64::from(self.p) / 100.0 * n as f64).ceil() as i64).clamp(1, n);
        let mut seen = 0;
        for (v, c) in h {
            seen += c;
            if seen >= rank {
                return Some(v);
            }
        }
        None
    }
}

/// Which officers: active, in the unit subtree, and optionally certified on a date, legal
/// reviewers or not, with a certificate of one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficerCond {
    pub unit_path: String,
    /// Holding a certificate valid on this day (`YYYY-MM-DD`).
    pub certified_on: Option<String>,
    pub legal_reviewer: Option<bool>,
    pub domain: Option<String>,
}

impl OfficerCond {
    /// For certificates issued before the previous year, the annual check of the previous year
    /// (or later) must be recorded, as the filing guard of the workflow requires.
    pub fn annual_check_year(&self) -> Option<i64> {
        let d: Date = self.certified_on.as_deref()?.parse().ok()?;
        Some(i64::from(d.year()) - 1)
    }

    /// First day of the year before which a certificate needs an annual check.
    pub fn annual_check_from(&self) -> Option<String> {
        self.annual_check_year().map(|y| format!("{y:04}-01-01"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficerCount {
    pub key: String,
    pub cond: OfficerCond,
}

/// The latest manual figure of an indicator for exactly this unit and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManualQuery {
    pub indicator: String,
    pub unit_id: i64,
    pub start: String,
    pub end: String,
}

/// Everything the database computes for a set of indicators, one unit subtree and one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub scans: Vec<CaseScan>,
    pub percentiles: Vec<PercentileQuery>,
    pub officers: Vec<OfficerCount>,
    pub manual: Vec<ManualQuery>,
}

/// An indicator id that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的指标“{0}”")]
pub struct UnknownIndicator(pub String);

/// Builds case conditions for one case type against its fact layout.
struct Ctx<'a> {
    layout: Option<&'a FactLayout>,
    period: &'a Period,
    as_of: Date,
}

impl Ctx<'_> {
    fn date(&self, p: &DatePoint) -> Operand {
        match p {
            DatePoint::Created => Operand::Col(Col::CreatedOn),
            DatePoint::Closed => Operand::Col(Col::ClosedOn),
            DatePoint::Event(ts) => self.event(ts),
        }
    }

    fn event(&self, ts: &[String]) -> Operand {
        match self.layout.and_then(|l| l.event_slot(ts)) {
            Some(s) => Operand::Col(Col::Event(s)),
            None => Operand::FirstEvent(ts.to_vec()),
        }
    }

    fn text_field(&self, f: &str) -> Operand {
        match self.layout.and_then(|l| l.text_slot(f)) {
            Some(s) => Operand::Col(Col::Text(s)),
            None => Operand::FieldText(f.to_string()),
        }
    }

    fn num_field(&self, f: &str) -> Operand {
        match self.layout.and_then(|l| l.num_slot(f)) {
            Some(s) => Operand::Col(Col::Num(s)),
            None => Operand::FieldNum(f.to_string()),
        }
    }

    fn clock_status(&self, c: &str) -> Operand {
        match self.layout.and_then(|l| l.clock_slot(c)) {
            Some(s) => Operand::Col(Col::ClockStatus(s)),
            None => Operand::ClockStatus(c.to_string()),
        }
    }

    fn clock_due(&self, c: &str) -> Operand {
        match self.layout.and_then(|l| l.clock_slot(c)) {
            Some(s) => Operand::Col(Col::ClockDue(s)),
            None => Operand::ClockDue(c.to_string()),
        }
    }

    fn within(&self, o: Operand, w: Window) -> Cond {
        let end = Cond::Cmp(o.clone(), CmpOp::Le, o.date_param(self.period.end()));
        match w {
            Window::Period => {
                let start = o.date_param(self.period.start());
                Cond::And(vec![Cond::Cmp(o, CmpOp::Ge, start), end])
            }
            Window::UntilEnd => end,
        }
    }

    fn filter(&self, f: &Filter) -> Cond {
        let operand = match &f.subject {
            Subject::State => Operand::Col(Col::State),
            Subject::Category => Operand::Col(Col::Category),
            Subject::Published => Operand::Col(Col::Published),
            Subject::CreatedOn => Operand::Col(Col::CreatedOn),
            Subject::ClosedOn => Operand::Col(Col::ClosedOn),
            Subject::Field(code) => match f.op {
                FilterOp::Cmp(..) => self.num_field(code),
                _ => self.text_field(code),
            },
            Subject::Event(ts) => self.event(ts),
            Subject::Clock(c) => self.clock_status(c),
        };
        match &f.op {
            FilterOp::In(v) => Cond::In(operand, v.clone()),
            FilterOp::NotIn(v) => Cond::NotIn(operand, v.clone()),
            FilterOp::Set(true) => Cond::IsSet(operand),
            FilterOp::Set(false) => Cond::NotSet(operand),
            FilterOp::Is(b) => Cond::Cmp(operand, CmpOp::Eq, Param::Int(i64::from(*b))),
            FilterOp::Within(w) => self.within(operand, *w),
            FilterOp::Cmp(op, n) => Cond::Cmp(operand, *op, Param::Real(*n)),
        }
    }

    /// The period condition of a selection; for a stock, the cases in force at the end of the
    /// period: its date on or before the last day, not ended by then.
    fn in_period(&self, sel: &CaseSelect) -> Cond {
        let Some(stock) = &sel.stock else {
            return self.within(self.date(&sel.period), Window::Period);
        };
        let mut parts = vec![self.within(self.date(&sel.period), Window::UntilEnd)];
        let after_end = |o: Operand| {
            let end = o.date_param(self.period.end());
            Cond::Or(vec![Cond::NotSet(o.clone()), Cond::Cmp(o, CmpOp::Gt, end)])
        };
        if let Some(ended) = &stock.ended {
            parts.push(after_end(self.date(ended)));
        }
        if !stock.end_states.is_empty() {
            let Cond::Or(mut open) = after_end(Operand::Col(Col::ClosedOn)) else {
                unreachable!("after_end is a disjunction")
            };
            open.insert(
                0,
                Cond::NotIn(Operand::Col(Col::State), stock.end_states.clone()),
            );
            parts.push(Cond::Or(open));
        }
        Cond::and(parts)
    }

    /// Period condition and filters.
    fn select(&self, sel: &CaseSelect) -> Cond {
        let mut parts = vec![self.in_period(sel)];
        parts.extend(sel.filters.iter().map(|f| self.filter(f)));
        Cond::and(parts)
    }

    /// A clock whose outcome is known: stopped (met or late), or past its due date on `as_of`
    /// while still running.
    fn clock_decided(&self, clock: &str) -> Cond {
        let status = self.clock_status(clock);
        let due = self.clock_due(clock);
        let as_of = due.date_param(self.as_of);
        Cond::Or(vec![
            Cond::In(
                status.clone(),
                vec!["met".into(), "missed".into(), "overdue".into()],
            ),
            Cond::And(vec![
                Cond::In(status, vec!["running".into()]),
                Cond::Cmp(due, CmpOp::Lt, as_of),
            ]),
        ])
    }

    fn clock_met(&self, clock: &str) -> Cond {
        Cond::In(self.clock_status(clock), vec!["met".into()])
    }
}

fn ctx<'a>(catalog: &'a Catalog, sel: &CaseSelect, period: &'a Period, as_of: Date) -> Ctx<'a> {
    Ctx {
        layout: catalog.layouts().get(&sel.case_type),
        period,
        as_of,
    }
}

/// Result keys of the parts of a formula.
pub fn key_met(id: &str) -> String {
    format!("{id}#met")
}
pub fn key_decided(id: &str) -> String {
    format!("{id}#decided")
}
pub fn key_count(id: &str) -> String {
    format!("{id}#n")
}
pub fn key_sum(id: &str) -> String {
    format!("{id}#sum")
}

fn officer_cond(sel: &OfficerSelect, scope: &Scope, period: &Period) -> OfficerCond {
    OfficerCond {
        unit_path: scope.unit_path.clone(),
        certified_on: sel.certified.then(|| period.end().to_string()),
        legal_reviewer: sel.legal_reviewer,
        domain: sel.domain.clone(),
    }
}

/// The plan computing `ids` (and every indicator they depend on) for one unit subtree and
/// period. `as_of` is the computation day: a clock still running past its due date that day
/// counts as overdue.
pub fn plan(
    catalog: &Catalog,
    ids: &[String],
    scope: &Scope,
    period: &Period,
    as_of: Date,
) -> Result<Plan, UnknownIndicator> {
    let mut all: Vec<String> = Vec::new();
    for id in ids {
        if catalog.get(id).is_none() {
            return Err(UnknownIndicator(id.clone()));
        }
        for d in catalog.dependencies(id) {
            if !all.contains(&d) {
                all.push(d);
            }
        }
    }
    let mut plan = Plan::default();
    // case type → (scan index, period conditions seen)
    let mut scans: BTreeMap<String, (usize, Vec<Cond>)> = BTreeMap::new();
    let mut add = |plan: &mut Plan, case_type: &str, window: Cond, key: String, m: Measure| {
        let (i, windows) = scans.entry(case_type.to_string()).or_insert_with(|| {
            plan.scans.push(CaseScan {
                case_type: case_type.to_string(),
                unit_path: scope.unit_path.clone(),
                window: Cond::True,
                measures: Vec::new(),
            });
            (plan.scans.len() - 1, Vec::new())
        });
        if !windows.contains(&window) {
            windows.push(window);
        }
        plan.scans[*i].measures.push((key, m));
    };
    for id in &all {
        let ind = catalog
            .get(id)
            .ok_or_else(|| UnknownIndicator(id.clone()))?;
        match &ind.formula {
            Formula::Count(sel) => {
                let c = ctx(catalog, sel, period, as_of);
                add(
                    &mut plan,
                    &sel.case_type,
                    c.in_period(sel),
                    id.clone(),
                    Measure::Count(c.select(sel)),
                );
            }
            Formula::Sum { select, field, .. } => {
                let c = ctx(catalog, select, period, as_of);
                add(
                    &mut plan,
                    &select.case_type,
                    c.in_period(select),
                    id.clone(),
                    Measure::Sum(c.select(select), c.num_field(field)),
                );
            }
            Formula::Duration {
                select,
                from,
                to,
                stat,
            } => {
                let c = ctx(catalog, select, period, as_of);
                let (f, t) = (c.date(from), c.date(to));
                let cond = Cond::and(vec![
                    c.select(select),
                    Cond::IsSet(f.clone()),
                    Cond::IsSet(t.clone()),
                ]);
                match stat {
                    Stat::Avg => {
                        add(
                            &mut plan,
                            &select.case_type,
                            c.in_period(select),
                            key_count(id),
                            Measure::Count(cond.clone()),
                        );
                        add(
                            &mut plan,
                            &select.case_type,
                            c.in_period(select),
                            key_sum(id),
                            Measure::SumDays {
                                cond,
                                from: f,
                                to: t,
                            },
                        );
                    }
                    Stat::Percentile(p) => plan.percentiles.push(PercentileQuery {
                        key: id.clone(),
                        case_type: select.case_type.clone(),
                        unit_path: scope.unit_path.clone(),
                        cond,
                        from: f,
                        to: t,
                        p: *p,
                    }),
                }
            }
            Formula::OnTime { select, clock } => {
                let c = ctx(catalog, select, period, as_of);
                let base = c.select(select);
                let decided = Cond::and(vec![base.clone(), c.clock_decided(clock)]);
                let met = Cond::and(vec![base, c.clock_met(clock)]);
                let w = c.in_period(select);
                add(
                    &mut plan,
                    &select.case_type,
                    w.clone(),
                    key_met(id),
                    Measure::Count(met),
                );
                add(
                    &mut plan,
                    &select.case_type,
                    w,
                    key_decided(id),
                    Measure::Count(decided),
                );
            }
            Formula::Officers(sel) => plan.officers.push(OfficerCount {
                key: id.clone(),
                cond: officer_cond(sel, scope, period),
            }),
            Formula::Manual => plan.manual.push(ManualQuery {
                indicator: id.clone(),
                unit_id: scope.unit_id,
                start: period.start().to_string(),
                end: period.end().to_string(),
            }),
            Formula::Ratio { .. } => {}
        }
    }
    for (i, windows) in scans.into_values() {
        plan.scans[i].window = match windows.len() {
            1 => windows.into_iter().next().unwrap_or(Cond::True),
            _ => Cond::Or(windows),
        };
    }
    Ok(plan)
}

/// A manual figure as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManualEntry {
    pub id: i64,
    pub indicator: String,
    pub unit_id: i64,
    pub period_start: String,
    pub period_end: String,
    pub value: f64,
    pub unit_label: String,
    pub source: String,
    pub note: String,
    pub entered_by: i64,
    pub at: i64,
}

/// What the database answered for a plan: one number (or NULL) per result key, and the manual
/// figure (if any) per manual indicator.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RawResults {
    pub values: BTreeMap<String, Option<f64>>,
    pub manual: BTreeMap<String, ManualEntry>,
}

/// A manual figure a value rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManualInput {
    pub indicator: String,
    pub label_zh: String,
    /// `None`: nobody entered it for this unit and period.
    pub entry: Option<ManualEntry>,
}

/// A computed value. `None` means it cannot be computed (a ratio with a zero or missing
/// denominator, an average of nothing, a manual figure nobody entered) — never 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Computed {
    pub id: String,
    pub value: Option<f64>,
    /// Ratio parts (numerator, denominator), or on-time parts (met, decided).
    pub parts: Option<(Option<f64>, Option<f64>)>,
    /// Manual figures the value rests on (itself, for a manual indicator).
    pub manual_inputs: Vec<ManualInput>,
    /// Whether the value reaches the indicator's target, when it has one and a value.
    pub meets_target: Option<bool>,
}

impl Computed {
    /// Whether any manual figure went into the value.
    pub fn is_manual(&self) -> bool {
        !self.manual_inputs.is_empty()
    }
}

/// Combines the raw results into the values of `ids` (with their dependencies).
pub fn evaluate(
    catalog: &Catalog,
    ids: &[String],
    raw: &RawResults,
) -> Result<BTreeMap<String, Computed>, UnknownIndicator> {
    let mut out = BTreeMap::new();
    for id in ids {
        let ind = catalog
            .get(id)
            .ok_or_else(|| UnknownIndicator(id.clone()))?;
        let c = eval_one(catalog, ind, raw, &mut out, 0);
        out.insert(ind.id.clone(), c);
    }
    Ok(out)
}

fn eval_one(
    catalog: &Catalog,
    ind: &Indicator,
    raw: &RawResults,
    memo: &mut BTreeMap<String, Computed>,
    depth: usize,
) -> Computed {
    if let Some(c) = memo.get(&ind.id) {
        return c.clone();
    }
    let get = |k: &str| raw.values.get(k).copied().flatten();
    let mut parts = None;
    let mut manual_inputs = Vec::new();
    let value = match &ind.formula {
        Formula::Count(_) | Formula::Officers(_) => Some(get(&ind.id).unwrap_or(0.0)),
        Formula::Sum { divisor, .. } => Some(get(&ind.id).unwrap_or(0.0) / divisor),
        Formula::Duration { stat, .. } => match stat {
            Stat::Avg => {
                let n = get(&key_count(&ind.id)).unwrap_or(0.0);
                let sum = get(&key_sum(&ind.id)).unwrap_or(0.0);
                (n > 0.0).then(|| sum / n)
            }
            Stat::Percentile(_) => get(&ind.id),
        },
        Formula::OnTime { .. } => {
            let met = get(&key_met(&ind.id)).unwrap_or(0.0);
            let decided = get(&key_decided(&ind.id)).unwrap_or(0.0);
            parts = Some((Some(met), Some(decided)));
            (decided > 0.0).then(|| met / decided * 100.0)
        }
        Formula::Manual => {
            let entry = raw.manual.get(&ind.id).cloned();
            let v = entry.as_ref().map(|e| e.value);
            manual_inputs.push(ManualInput {
                indicator: ind.id.clone(),
                label_zh: ind.label_zh.clone(),
                entry,
            });
            v
        }
        Formula::Ratio {
            numerator,
            denominator,
            percent,
        } => {
            let sub = |id: &str, memo: &mut BTreeMap<String, Computed>| {
                let i = catalog.get(id)?;
                if depth > 32 {
                    return None;
                }
                let c = eval_one(catalog, i, raw, memo, depth + 1);
                memo.insert(i.id.clone(), c.clone());
                Some(c)
            };
            let n = sub(numerator, memo);
            let d = sub(denominator, memo);
            for c in [&n, &d].into_iter().flatten() {
                for m in &c.manual_inputs {
                    if !manual_inputs.contains(m) {
                        manual_inputs.push(m.clone());
                    }
                }
            }
            let nv = n.and_then(|c| c.value);
            let dv = d.and_then(|c| c.value);
            parts = Some((nv, dv));
            match (nv, dv) {
                (Some(n), Some(d)) if d != 0.0 => {
                    Some(if *percent { n / d * 100.0 } else { n / d })
                }
                _ => None,
            }
        }
    };
    Computed {
        id: ind.id.clone(),
        value,
        parts,
        manual_inputs,
        meets_target: match (ind.target, value) {
            (Some(t), Some(v)) => Some(t.met_by(v)),
            _ => None,
        },
    }
}

/// What a listed record shows besides its identity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RecordValue {
    /// A numeric field divided by `divisor`.
    Field(Operand, f64),
    /// Natural days from one date to another.
    Days(Operand, Operand),
}

/// The cases behind a figure: those meeting `cond`, with the date that placed them in the period,
/// optionally a value, and optionally a mark (whether the case is also in a ratio's numerator,
/// or met its clock).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecords {
    pub case_type: String,
    pub unit_path: String,
    pub cond: Cond,
    pub date: Operand,
    pub value: Option<RecordValue>,
    pub mark: Option<Cond>,
}

/// The officers behind a figure, optionally marked by a second condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficerRecords {
    pub cond: OfficerCond,
    pub mark: Option<OfficerCond>,
}

/// Where the records behind a figure come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RecordSource {
    Cases(CaseRecords),
    Officers(OfficerRecords),
    /// A manual figure (its entry is the record) or a ratio of manual figures.
    None,
}

/// The records behind one indicator for a unit subtree and period. For a ratio: the
/// denominator's records, marked by whether they also meet the numerator (when both read the
/// same kind of records), else the numerator's records. For an on-time share: the cases whose
/// clock is decided, marked by whether it was met.
pub fn records(
    catalog: &Catalog,
    id: &str,
    scope: &Scope,
    period: &Period,
    as_of: Date,
) -> Result<RecordSource, UnknownIndicator> {
    let ind = catalog
        .get(id)
        .ok_or_else(|| UnknownIndicator(id.to_string()))?;
    Ok(records_of(catalog, ind, scope, period, as_of, 0))
}

fn records_of(
    catalog: &Catalog,
    ind: &Indicator,
    scope: &Scope,
    period: &Period,
    as_of: Date,
    depth: usize,
) -> RecordSource {
    let cases = |sel: &CaseSelect, cond: Cond, value: Option<RecordValue>, mark: Option<Cond>| {
        let c = ctx(catalog, sel, period, as_of);
        RecordSource::Cases(CaseRecords {
            case_type: sel.case_type.clone(),
            unit_path: scope.unit_path.clone(),
            cond,
            date: c.date(&sel.period),
            value,
            mark,
        })
    };
    match &ind.formula {
        Formula::Count(sel) => cases(
            sel,
            ctx(catalog, sel, period, as_of).select(sel),
            None,
            None,
        ),
        Formula::Sum {
            select,
            field,
            divisor,
        } => {
            let c = ctx(catalog, select, period, as_of);
            cases(
                select,
                c.select(select),
                Some(RecordValue::Field(c.num_field(field), *divisor)),
                None,
            )
        }
        Formula::Duration {
            select, from, to, ..
        } => {
            let c = ctx(catalog, select, period, as_of);
            let (f, t) = (c.date(from), c.date(to));
            let cond = Cond::and(vec![
                c.select(select),
                Cond::IsSet(f.clone()),
                Cond::IsSet(t.clone()),
            ]);
            cases(select, cond, Some(RecordValue::Days(f, t)), None)
        }
        Formula::OnTime { select, clock } => {
            let c = ctx(catalog, select, period, as_of);
            let cond = Cond::and(vec![c.select(select), c.clock_decided(clock)]);
            cases(select, cond, None, Some(c.clock_met(clock)))
        }
        Formula::Officers(sel) => RecordSource::Officers(OfficerRecords {
            cond: officer_cond(sel, scope, period),
            mark: None,
        }),
        Formula::Manual => RecordSource::None,
        Formula::Ratio {
            numerator,
            denominator,
            ..
        } => {
            if depth > 32 {
                return RecordSource::None;
            }
            let part = |id: &str| {
                catalog
                    .get(id)
                    .map(|i| records_of(catalog, i, scope, period, as_of, depth + 1))
                    .unwrap_or(RecordSource::None)
            };
            match (part(numerator), part(denominator)) {
                (RecordSource::Cases(n), RecordSource::Cases(mut d))
                    if n.case_type == d.case_type && n.mark.is_none() =>
                {
                    d.mark = Some(n.cond);
                    RecordSource::Cases(d)
                }
                (RecordSource::Officers(n), RecordSource::Officers(mut d)) => {
                    d.mark = Some(n.cond);
                    RecordSource::Officers(d)
                }
                (RecordSource::None, d) => d,
                (n, _) => n,
            }
        }
    }
}
