//! Guards across cases and over periods between two dates: the decision chain "no decision
//! without review" (a linked case of a given type must be in a given state, or carry an outcome in
//! a given set), and minimum periods (a comment period, a review time) that may be shortened only
//! with a stated reason. Each takes `statute` and `article` from the definition.
//!
//! Linked cases are the other cases of the case's matter (`case_links`: cases opened by a
//! transition of another case share its matter), handed to the guard by the caller in
//! [`crate::GuardContext::linked`], oldest link first.

use fazhi_calendar::PeriodUnit;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::env::{GuardEnv, Mk, calendar_refusal, date_of, last_event, present, str_of};
use super::{GuardInfo, GuardKind, OneOrMany, ParamType, Ref, field_ref, p, transition_ref};
use crate::refusal::Refusal;

/// Another case of the same matter, as a guard sees it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LinkedCase {
    pub case_type: String,
    /// The case type's Chinese name (for messages).
    pub case_type_name: String,
    pub number: String,
    pub state: String,
    /// The state's Chinese label (for messages).
    pub state_label: String,
    pub fields: Map<String, Value>,
}

/// A linked case of type `case_type` must exist and — the latest linked one of that type wins —
/// be in one of `states` and/or hold in `field` one of `values`. E.g. 《重大行政决策程序暂行条例》
/// 第二十六条、第二十八条: a draft without a passed legality review may not go to the meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkedCaseGuard {
    pub case_type: String,
    #[serde(default)]
    pub states: Option<OneOrMany>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub values: Option<OneOrMany>,
    /// What the requirement means, for the message (e.g. “已通过合法性审查”).
    #[serde(default)]
    pub requirement_zh: Option<String>,
}

impl LinkedCaseGuard {
    fn requirement(&self) -> String {
        if let Some(r) = &self.requirement_zh {
            return r.clone();
        }
        let mut parts = Vec::new();
        if let Some(s) = &self.states {
            parts.push(format!("状态为“{}”", s.to_vec().join("”或“")));
        }
        if let (Some(f), Some(v)) = (&self.field, &self.values) {
            parts.push(format!("{f}为“{}”", v.to_vec().join("”或“")));
        }
        parts.join("且")
    }
}

impl GuardKind for LinkedCaseGuard {
    const INFO: GuardInfo = GuardInfo {
        name: "linked_case",
        statute: None,
        article: None,
        description_zh: "须有关联的某类案件（以最近关联的一件为准）处于规定状态或取得规定结果",
        params: &[
            p("case_type", ParamType::Str, true),
            p("states", ParamType::StrOrList, false),
            p("field", ParamType::Str, false),
            p("values", ParamType::StrOrList, false),
            p("requirement_zh", ParamType::Str, false),
        ],
        codes: &["linked.requirement_not_met", "linked.case_missing"],
    };

    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.field.is_some() != self.values.is_some() {
            out.push((
                "`field` and `values` go together".to_owned(),
                "参数 field 与 values 须同时指定".to_owned(),
            ));
        }
        if self.states.is_none() && self.field.is_none() {
            out.push((
                "needs `states` or `field` with `values`".to_owned(),
                "须指定 states，或 field 与 values".to_owned(),
            ));
        }
        out
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let step = &env.transition.label_zh;
        let requirement = self.requirement();
        let Some(latest) = env
            .ctx
            .linked
            .iter()
            .rev()
            .find(|c| c.case_type == self.case_type)
        else {
            return vec![
                mk.r(
                    Self::INFO.codes[1],
                    format!("尚无关联案件{requirement}，不能“{step}”"),
                )
                .param("case_type", self.case_type.as_str()),
            ];
        };
        let state_ok = self
            .states
            .as_ref()
            .is_none_or(|s| s.to_vec().contains(&latest.state));
        let actual = self
            .field
            .as_deref()
            .and_then(|f| str_of(&latest.fields, f));
        let value_ok = match &self.values {
            Some(v) => actual.is_some_and(|a| v.to_vec().iter().any(|x| x == a)),
            None => true,
        };
        if state_ok && value_ok {
            return Vec::new();
        }
        let now = match actual {
            Some(a) => format!("结论为“{a}”"),
            None if !state_ok || self.field.is_some() => {
                format!("当前为“{}”", latest.state_label)
            }
            None => String::new(),
        };
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "关联的{}{}{now}，须{requirement}后才能“{step}”",
                    latest.case_type_name, latest.number
                ),
            )
            .param("case_type", self.case_type.as_str())
            .param("number", latest.number.as_str())
            .param("state", latest.state.as_str())
            .param("actual", actual),
        ]
    }
}

fn natural_days() -> String {
    "natural_days".to_owned()
}

/// At least `days` (natural or working) days must lie between a start (the last `event`, or the
/// date in `from_field`) and an end (the date in `to_field`, or the day of the step) — unless
/// `unless_field` states why the period was shortened. E.g. 《重大行政决策程序暂行条例》第十五条
/// (comment period generally ≥ 30 days, shorter with a stated reason), 第二十七条 (legality review
/// generally ≥ 7 working days). Working days follow the official calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinPeriod {
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub from_field: Option<String>,
    #[serde(default)]
    pub to_field: Option<String>,
    pub days: u32,
    #[serde(default = "natural_days")]
    pub unit: String,
    #[serde(default)]
    pub unless_field: Option<String>,
    /// Only when this field holds one of `equals` (e.g. the subject kind of a review).
    #[serde(default)]
    pub when_field: Option<String>,
    #[serde(default)]
    pub equals: Option<OneOrMany>,
}

impl MinPeriod {
    fn period_unit(&self) -> Option<PeriodUnit> {
        PeriodUnit::from_code(&self.unit).filter(|u| *u != PeriodUnit::Hours)
    }
}

impl GuardKind for MinPeriod {
    const INFO: GuardInfo = GuardInfo {
        name: "min_period",
        statute: None,
        article: None,
        description_zh: "两日期之间不得少于规定期间（缩短须说明理由）",
        params: &[
            p("event", ParamType::Transition, false),
            p("from_field", ParamType::Field, false),
            p("to_field", ParamType::Field, false),
            p("days", ParamType::Int, true),
            p("unit", ParamType::Str, false),
            p("unless_field", ParamType::Field, false),
            p("when_field", ParamType::Field, false),
            p("equals", ParamType::StrOrList, false),
        ],
        codes: &["common.period_too_short", "common.period_start_missing"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = Vec::new();
        if let Some(e) = &self.event {
            v.push(transition_ref("event", e, true));
        }
        for (param, f) in [
            ("from_field", &self.from_field),
            ("to_field", &self.to_field),
            ("unless_field", &self.unless_field),
            ("when_field", &self.when_field),
        ] {
            if let Some(f) = f {
                v.push(field_ref(param, f, true));
            }
        }
        v
    }

    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.event.is_some() == self.from_field.is_some() {
            out.push((
                "needs exactly one of `event` or `from_field`".to_owned(),
                "须且只能指定 event 或 from_field 之一".to_owned(),
            ));
        }
        if self.when_field.is_some() != self.equals.is_some() {
            out.push((
                "`when_field` and `equals` go together".to_owned(),
                "参数 when_field 与 equals 须同时指定".to_owned(),
            ));
        }
        if self.period_unit().is_none() {
            out.push((
                format!(
                    "unit `{}` must be `natural_days` or `working_days`",
                    self.unit
                ),
                format!(
                    "期间单位“{}”无效，应为 natural_days 或 working_days",
                    self.unit
                ),
            ));
        }
        out
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let Some(unit) = self.period_unit() else {
            return Vec::new(); // ruled out by validate
        };
        if let Some(u) = &self.unless_field
            && present(env.merged.get(u))
        {
            return Vec::new();
        }
        if let (Some(w), Some(values)) = (&self.when_field, &self.equals) {
            let actual = str_of(env.merged, w);
            if !actual.is_some_and(|a| values.to_vec().iter().any(|v| v == a)) {
                return Vec::new();
            }
        }
        let (start, what): (Option<Date>, String) = match (&self.event, &self.from_field) {
            (Some(e), _) => (
                last_event(env.history(), e).map(|ev| ev.on),
                format!("“{}”", ct.transition_label(e)),
            ),
            (None, Some(f)) => (date_of(env.merged, f), ct.field_label(f)),
            (None, None) => return Vec::new(),
        };
        let Some(start) = start else {
            let mut r = mk.r(Self::INFO.codes[1], format!("尚无{what}，无法计算期间"));
            if let Some(f) = &self.from_field {
                r = r.field(f);
            }
            return vec![r];
        };
        let (end, end_what) = match &self.to_field {
            Some(f) => match date_of(env.merged, f) {
                Some(d) => (d, ct.field_label(f)),
                None => return Vec::new(), // a required_field guard asks for it
            },
            None => (env.on(), "办理日期".to_owned()),
        };
        let cal = env.ctx.calendar;
        let earliest = match unit {
            PeriodUnit::WorkingDays => match cal.add_working_days(start, self.days) {
                Ok(d) => d,
                Err(e) => return vec![calendar_refusal(&e)],
            },
            _ => match start.checked_add(jiff::Span::new().days(i64::from(self.days))) {
                Ok(d) => d,
                Err(_) => return Vec::new(),
            },
        };
        if end >= earliest {
            return Vec::new();
        }
        let reason = self
            .unless_field
            .as_deref()
            .map(|u| format!("；确需缩短的，须填写“{}”", ct.field_label(u)))
            .unwrap_or_default();
        let mut r = mk
            .r(
                Self::INFO.codes[0],
                format!(
                    "期间不足：自{what}（{start}）至{end_what}（{end}）不足{}{}，最早应为{earliest}{reason}",
                    self.days,
                    unit.label_zh()
                ),
            )
            .param("from", start.to_string())
            .param("to", end.to_string())
            .param("earliest", earliest.to_string())
            .param("days", self.days)
            .param("unit", unit.code());
        if let Some(f) = self.unless_field.as_deref().or(self.to_field.as_deref()) {
            r = r.field(f);
        }
        vec![r]
    }
}

/// A number field must reach a share of another (a quorum: members present against members who
/// should attend, more than half or at least two thirds). `strict` requires more than the share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinShare {
    pub field: String,
    pub of_field: String,
    pub numerator: u32,
    pub denominator: u32,
    #[serde(default)]
    pub strict: bool,
    /// Only when this field holds one of `equals` (e.g. cadre matters on the agenda).
    #[serde(default)]
    pub when_field: Option<String>,
    #[serde(default)]
    pub equals: Option<OneOrMany>,
}

impl GuardKind for MinShare {
    const INFO: GuardInfo = GuardInfo {
        name: "min_share",
        statute: None,
        article: None,
        description_zh: "数值须达到另一数值的规定比例（如到会人数须超过应到人数的半数）",
        params: &[
            p("field", ParamType::Field, true),
            p("of_field", ParamType::Field, true),
            p("numerator", ParamType::Int, true),
            p("denominator", ParamType::Int, true),
            p("strict", ParamType::Bool, false),
            p("when_field", ParamType::Field, false),
            p("equals", ParamType::StrOrList, false),
        ],
        codes: &["common.share_not_reached"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = vec![
            field_ref("field", &self.field, true),
            field_ref("of_field", &self.of_field, true),
        ];
        if let Some(w) = &self.when_field {
            v.push(field_ref("when_field", w, true));
        }
        v
    }

    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.denominator == 0 || self.numerator > self.denominator {
            out.push((
                "needs 0 < denominator and numerator <= denominator".to_owned(),
                "比例须满足 0 < 分母 且 分子 ≤ 分母".to_owned(),
            ));
        }
        if self.when_field.is_some() != self.equals.is_some() {
            out.push((
                "`when_field` and `equals` go together".to_owned(),
                "参数 when_field 与 equals 须同时指定".to_owned(),
            ));
        }
        out
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        if let (Some(w), Some(values)) = (&self.when_field, &self.equals) {
            let actual = str_of(env.merged, w);
            if !actual.is_some_and(|a| values.to_vec().iter().any(|v| v == a)) {
                return Vec::new();
            }
        }
        let num = |f: &str| env.merged.get(f).and_then(Value::as_i64);
        let (Some(have), Some(of)) = (num(&self.field), num(&self.of_field)) else {
            return Vec::new(); // required fields are asked for by the inputs
        };
        let lhs = i128::from(have) * i128::from(self.denominator);
        let rhs = i128::from(of) * i128::from(self.numerator);
        let ok = if self.strict { lhs > rhs } else { lhs >= rhs };
        if ok {
            return Vec::new();
        }
        let ct = env.case_type;
        let share = match (self.numerator, self.denominator) {
            (1, 2) => "半数".to_owned(),
            (n, m) => format!("{m}分之{n}"),
        };
        let how = if self.strict { "超过" } else { "达到" };
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "{}为{have}，须{how}{}（{of}）的{share}",
                    ct.field_label(&self.field),
                    ct.field_label(&self.of_field)
                ),
            )
            .field(&self.field)
            .param("value", have)
            .param("of", of),
        ]
    }
}
