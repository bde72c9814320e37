//! The indicator definitions as loaded from TOML.

use serde::Serialize;

/// Status codes stored in `case_clocks.status` (see `fazhi_workflow::ClockStatus`).
pub const CLOCK_STATUSES: &[&str] = &["running", "paused", "met", "missed", "overdue", "elapsed"];

/// Where a definition comes from (file and 1-based line), for diagnostics and lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    pub file: String,
    pub line: usize,
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Stable id, e.g. `hotline.received`, `enforcement.filed_by_domain.城市管理`.
    pub id: String,
    pub label_zh: String,
    /// Unit shown with the value: 件, %, 元, 人, 天, 次…
    pub unit: String,
    /// Decimals to show (the value itself is not rounded).
    pub decimals: u8,
    pub formula: Formula,
    /// What the figure means and on which rule it rests, in Chinese (may be empty).
    pub basis_zh: String,
    /// A statutory or policy target, e.g. legal reviewers ≥ 5 % of officers.
    pub target: Option<Target>,
    /// Other ids that resolve to this indicator (e.g. ids used by the report importer).
    pub aliases: Vec<String>,
    /// The id of the expanded group this indicator belongs to (`hotline.by_category`).
    pub group: Option<String>,
    /// Version of the file that defines it.
    pub version: String,
    pub source: SourceRef,
}

impl Indicator {
    pub fn is_manual(&self) -> bool {
        matches!(self.formula, Formula::Manual)
    }

    /// The case type a case-based formula reads.
    pub fn case_select(&self) -> Option<&CaseSelect> {
        match &self.formula {
            Formula::Count(s)
            | Formula::Sum { select: s, .. }
            | Formula::Duration { select: s, .. }
            | Formula::OnTime { select: s, .. } => Some(s),
            _ => None,
        }
    }
}

/// A target the value should reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    pub op: CmpOp,
    pub value: f64,
}

impl Target {
    pub fn met_by(&self, v: f64) -> bool {
        self.op.holds(v, self.value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

impl CmpOp {
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Eq => a == b,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "=",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CmpOp::Gt => "大于",
            CmpOp::Ge => "不低于",
            CmpOp::Lt => "小于",
            CmpOp::Le => "不高于",
            CmpOp::Eq => "等于",
        }
    }
}

/// How the value is computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Formula {
    /// Number of cases.
    Count(CaseSelect),
    /// Sum of a numeric field of the cases, divided by `divisor` (100 turns fen into 元).
    Sum {
        select: CaseSelect,
        field: String,
        divisor: f64,
    },
    /// numerator / denominator (× 100 when `percent`); no value when the denominator is 0.
    Ratio {
        numerator: String,
        denominator: String,
        percent: bool,
    },
    /// Natural days between two dates of the cases: average or nearest-rank percentile.
    Duration {
        select: CaseSelect,
        from: DatePoint,
        to: DatePoint,
        stat: Stat,
    },
    /// Share (in %) of the cases whose clock was met among those whose clock is decided
    /// (met, missed, overdue, or running past its due date on the computation day).
    OnTime { select: CaseSelect, clock: String },
    /// Number of enforcement officers of the units.
    Officers(OfficerSelect),
    /// Entered by hand for a unit and period (with its source).
    Manual,
}

impl Formula {
    pub fn kind(&self) -> &'static str {
        match self {
            Formula::Count(s) | Formula::Sum { select: s, .. } if s.stock.is_some() => "stock",
            Formula::Count(_) => "count",
            Formula::Sum { .. } => "sum",
            Formula::Ratio { .. } => "ratio",
            Formula::Duration { .. } => "duration",
            Formula::OnTime { .. } => "on_time",
            Formula::Officers(_) => "officers",
            Formula::Manual => "manual",
        }
    }
}

/// Which cases a case-based formula reads: one case type, placed in the period by one of its
/// dates, narrowed by filters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSelect {
    pub case_type: String,
    /// The date that must fall in the period (for a stock: on or before its last day).
    pub period: DatePoint,
    pub filters: Vec<Filter>,
    /// `formula = "stock"`: the cases *in force at the end of the period* instead of those whose
    /// date falls in it — `period`'s date on or before the period's last day, and not ended by
    /// then.
    pub stock: Option<StockEnd>,
}

/// How a case leaves a stock (at least one of the two is declared).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockEnd {
    /// The date the case leaves the stock (`ended`): in the stock while it is not set or later
    /// than the period's last day.
    pub ended: Option<DatePoint>,
    /// Terminal states that end it on its closing day (`end_states`): a case closed in one of
    /// them on or before the period's last day is out of the stock.
    pub end_states: Vec<String>,
}

/// A date of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "transitions", rename_all = "snake_case")]
pub enum DatePoint {
    /// `cases.created_on` (受理/登记日期).
    Created,
    /// `cases.closed_on`: the day the case reached a terminal state.
    Closed,
    /// The first day one of these transitions was taken.
    Event(Vec<String>),
}

impl DatePoint {
    /// Code as written in TOML: `created`, `closed`, `event:decide|decide_on_spot`.
    pub fn code(&self) -> String {
        match self {
            DatePoint::Created => "created".into(),
            DatePoint::Closed => "closed".into(),
            DatePoint::Event(t) => format!("event:{}", t.join("|")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    Avg,
    /// Nearest-rank percentile, 1–99.
    Percentile(u8),
}

/// One condition on the cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filter {
    pub subject: Subject,
    pub op: FilterOp,
}

/// What a filter looks at. Code as written in TOML in brackets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Subject {
    /// `state`
    State,
    /// `category`
    Category,
    /// `published`: the case's decision is currently published.
    Published,
    /// `created_on`
    CreatedOn,
    /// `closed_on`
    ClosedOn,
    /// `field.<code>`: a stored field of the case.
    Field(String),
    /// `event.<t1>|<t2>`: the first day one of the transitions was taken.
    Event(Vec<String>),
    /// `clock.<code>`: the stored status of a clock.
    Clock(String),
}

impl Subject {
    pub fn code(&self) -> String {
        match self {
            Subject::State => "state".into(),
            Subject::Category => "category".into(),
            Subject::Published => "published".into(),
            Subject::CreatedOn => "created_on".into(),
            Subject::ClosedOn => "closed_on".into(),
            Subject::Field(f) => format!("field.{f}"),
            Subject::Event(t) => format!("event.{}", t.join("|")),
            Subject::Clock(c) => format!("clock.{c}"),
        }
    }

    pub(crate) fn is_date(&self) -> bool {
        matches!(
            self,
            Subject::CreatedOn | Subject::ClosedOn | Subject::Event(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    /// The value is one of these.
    In(Vec<String>),
    /// The value is none of these (or not set).
    NotIn(Vec<String>),
    /// `true`: the value is set (not null, not empty); `false`: it is not.
    Set(bool),
    /// A flag (`published`) is on or off.
    Is(bool),
    /// A date falls in the period, or on or before its last day.
    Within(Window),
    /// A number compares with a constant.
    Cmp(CmpOp, f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Between the first and the last day of the period.
    Period,
    /// On or before the last day of the period.
    UntilEnd,
}

/// Which officers an `officers` formula counts: active officers of the unit subtree; with
/// `certified`, only those holding an enforcement certificate valid on the last day of the period
/// (not revoked, within its validity, annual check passed as the workflow's guard requires).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficerSelect {
    pub certified: bool,
    pub legal_reviewer: Option<bool>,
    /// Only certificates of this enforcement domain.
    pub domain: Option<String>,
}
