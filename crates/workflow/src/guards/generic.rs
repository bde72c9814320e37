//! Guards any case type may use: required fields and reasons, the order of events, windows
//! counted from an event or a date, values of a field. Each takes `statute` and `article` (and
//! `code`) from the definition, which cites the rule it applies.

use fazhi_calendar::PeriodUnit;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::env::{
    GuardEnv, Mk, calendar_refusal, date_of, last_event, last_index, present, str_of,
};
use super::{GuardInfo, GuardKind, OneOrMany, ParamType, Ref, field_ref, p, transition_ref};
use crate::refusal::Refusal;

/// A field must have a value (optionally only when another field has one of some values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredField {
    pub field: String,
    #[serde(default)]
    pub when_field: Option<String>,
    #[serde(default)]
    pub equals: Option<OneOrMany>,
}

impl GuardKind for RequiredField {
    const INFO: GuardInfo = GuardInfo {
        name: "required_field",
        statute: None,
        article: None,
        description_zh: "字段必须已填写（可附条件）",
        params: &[
            p("field", ParamType::Field, true),
            p("when_field", ParamType::Field, false),
            p("equals", ParamType::StrOrList, false),
        ],
        codes: &["common.required_field"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = vec![field_ref("field", &self.field, true)];
        if let Some(w) = &self.when_field {
            v.push(field_ref("when_field", w, true));
        }
        v
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let condition = match (&self.when_field, &self.equals) {
            (Some(wf), Some(values)) => match str_of(env.merged, wf) {
                Some(a) if values.to_vec().iter().any(|v| v == a) => {
                    Some(Some(format!("{}为“{a}”时", ct.field_label(wf))))
                }
                _ => None,
            },
            (Some(wf), None) => {
                present(env.merged.get(wf)).then(|| Some(format!("已填写{}时", ct.field_label(wf))))
            }
            _ => Some(None),
        };
        match condition {
            Some(cond) if !present(env.merged.get(&self.field)) => {
                let msg = match cond {
                    Some(c) => format!("{}：{c}必填", ct.field_label(&self.field)),
                    None => format!("{}：必填", ct.field_label(&self.field)),
                };
                vec![mk.r(Self::INFO.codes[0], msg).field(&self.field)]
            }
            _ => Vec::new(),
        }
    }
}

fn satisfaction() -> String {
    "satisfaction".to_owned()
}
fn dissatisfied() -> String {
    "不满意".to_owned()
}
fn revisit() -> String {
    "revisit".to_owned()
}

/// A step (e.g. reopening) only when the last revisit recorded a given value (e.g. 不满意).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastRevisitDissatisfied {
    #[serde(default = "satisfaction")]
    pub field: String,
    #[serde(default = "dissatisfied")]
    pub value: String,
    #[serde(default = "revisit")]
    pub revisit: String,
}

impl GuardKind for LastRevisitDissatisfied {
    const INFO: GuardInfo = GuardInfo {
        name: "last_revisit_dissatisfied",
        statute: Some("本市12345热线工单办理规定（可配置）"),
        article: None,
        description_zh: "最近一次回访满意度为不满意时方可重办",
        params: &[
            p("field", ParamType::Field, false),
            p("value", ParamType::Str, false),
            p("revisit", ParamType::Transition, false),
        ],
        codes: &["hotline.reopen_requires_dissatisfaction"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            field_ref("field", &self.field, true),
            transition_ref("revisit", &self.revisit, true),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let last = last_event(env.history(), &self.revisit)
            .and_then(|e| str_of(&e.input, &self.field))
            .or_else(|| str_of(&env.snapshot.fields, &self.field));
        if last == Some(self.value.as_str()) {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "只有最近一次回访{}为“{}”的工单才能重办（最近一次回访：{}）",
                    ct.field_label(&self.field),
                    self.value,
                    last.unwrap_or("无")
                ),
            )
            .field(&self.field)
            .param("last", last),
        ]
    }
}

fn reason() -> String {
    "reason".to_owned()
}
fn two_chars() -> i64 {
    2
}

/// The step's input must state a reason of at least `min_chars` characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequired {
    #[serde(default = "reason")]
    pub field: String,
    #[serde(default = "two_chars")]
    pub min_chars: i64,
}

impl GuardKind for ReasonRequired {
    const INFO: GuardInfo = GuardInfo {
        name: "reason_required",
        statute: None,
        article: None,
        description_zh: "必须说明理由",
        params: &[
            p("field", ParamType::Field, false),
            p("min_chars", ParamType::Int, false),
        ],
        codes: &["common.reason_required"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("field", &self.field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let min_chars = self.min_chars.max(0) as usize;
        let given = str_of(env.input, &self.field).map_or(0, |s| s.trim().chars().count());
        if given >= min_chars {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "{}：{}须说明理由（至少{min_chars}个字）",
                    env.case_type.field_label(&self.field),
                    env.transition.label_zh
                ),
            )
            .field(&self.field),
        ]
    }
}

/// Another step must have happened first (since the last `since` event, when given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiresEvent {
    pub transition: String,
    #[serde(default)]
    pub since: Option<String>,
}

impl GuardKind for RequiresEvent {
    const INFO: GuardInfo = GuardInfo {
        name: "requires_event",
        statute: None,
        article: None,
        description_zh: "须先完成某一步骤",
        params: &[
            p("transition", ParamType::Transition, true),
            p("since", ParamType::Transition, false),
        ],
        codes: &["common.requires_event"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = vec![transition_ref("transition", &self.transition, true)];
        if let Some(s) = &self.since {
            v.push(transition_ref("since", s, true));
        }
        v
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let history = env.history();
        let start = self
            .since
            .as_deref()
            .and_then(|s| last_index(history, s))
            .map_or(0, |i| i + 1);
        if history[start..]
            .iter()
            .any(|e| e.transition == self.transition)
        {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "须先“{}”，才能“{}”",
                    env.case_type.transition_label(&self.transition),
                    env.transition.label_zh
                ),
            )
            .param("transition", self.transition.as_str()),
        ]
    }
}

/// The decision must (not) be published already.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationState {
    pub published: bool,
}

impl GuardKind for PublicationState {
    const INFO: GuardInfo = GuardInfo {
        name: "publication_state",
        statute: None,
        article: None,
        description_zh: "公示状态须为已公示或未公示",
        params: &[p("published", ParamType::Bool, true)],
        codes: &["enforcement.not_published", "enforcement.already_published"],
    };

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        if env.snapshot.published == self.published {
            return Vec::new();
        }
        let (code, msg) = if self.published {
            (Self::INFO.codes[0], "该决定尚未公示，无需撤回公示")
        } else {
            (Self::INFO.codes[1], "该决定已公示，不能重复公示")
        };
        vec![mk.r(code, msg)]
    }
}

fn natural_days() -> String {
    "natural_days".to_owned()
}

/// The step is allowed only within `days` (natural or working) days of the last `event`, or of
/// the date in `date_field`. The start day is not counted; a natural-day period ending on a rest
/// day rolls to the next working day (configured roll rule); working days follow the official
/// calendar (holidays skipped, adjusted working weekends counted).
/// E.g. 《中华人民共和国人民调解法》第三十三条 (judicial confirmation within 30 days of the
/// agreement taking effect), 《信访工作条例》第三十五条、第三十六条 (复查/复核 requests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSince {
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub date_field: Option<String>,
    pub days: u32,
    #[serde(default = "natural_days")]
    pub unit: String,
}

impl WindowSince {
    fn period_unit(&self) -> Option<PeriodUnit> {
        PeriodUnit::from_code(&self.unit)
            .filter(|u| matches!(u, PeriodUnit::NaturalDays | PeriodUnit::WorkingDays))
    }
}

impl GuardKind for WindowSince {
    const INFO: GuardInfo = GuardInfo {
        name: "window_since",
        statute: None,
        article: None,
        description_zh: "须在某一步骤（或某一日期）之后的法定期间内办理",
        params: &[
            p("event", ParamType::Transition, false),
            p("date_field", ParamType::Field, false),
            p("days", ParamType::Int, true),
            p("unit", ParamType::Str, false),
        ],
        codes: &["common.window_closed", "common.window_not_started"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = Vec::new();
        if let Some(e) = &self.event {
            v.push(transition_ref("event", e, true));
        }
        if let Some(f) = &self.date_field {
            v.push(field_ref("date_field", f, true));
        }
        v
    }

    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.event.is_some() == self.date_field.is_some() {
            out.push((
                "needs exactly one of `event` or `date_field`".to_owned(),
                "须且只能指定 event 或 date_field 之一".to_owned(),
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
        let (base, what): (Option<Date>, String) = match (&self.event, &self.date_field) {
            (Some(e), _) => (
                last_event(env.history(), e).map(|ev| ev.on),
                format!("“{}”", ct.transition_label(e)),
            ),
            (None, Some(f)) => (date_of(env.merged, f), ct.field_label(f)),
            (None, None) => return Vec::new(),
        };
        let Some(base) = base else {
            let mut r = mk.r(
                Self::INFO.codes[1],
                format!("尚无{what}，无法确定“{}”的期限", env.transition.label_zh),
            );
            if let Some(f) = &self.date_field {
                r = r.field(f);
            }
            return vec![r];
        };
        let cal = env.ctx.calendar;
        let due = match unit {
            PeriodUnit::WorkingDays => cal.add_working_days(base, self.days),
            _ => cal
                .due(base, self.days, unit, env.ctx.config.roll)
                .map(|d| d.due),
        };
        let due = match due {
            Ok(d) => d,
            Err(e) => return vec![calendar_refusal(&e)],
        };
        let on = env.on();
        if on <= due {
            return Vec::new();
        }
        let mut r = mk
            .r(
                Self::INFO.codes[0],
                format!(
                    "已超过期限：“{}”应在{what}（{base}）后{}{}内办理，至{due}届满，{on}已逾期",
                    env.transition.label_zh,
                    self.days,
                    unit.label_zh()
                ),
            )
            .param("from", base.to_string())
            .param("due", due.to_string())
            .param("days", self.days)
            .param("unit", unit.code());
        if let Some(f) = &self.date_field {
            r = r.field(f);
        }
        vec![r]
    }
}

/// The step is barred once `transition` has happened (e.g. a second 复查 request, or anything
/// after a final 复核: 《信访工作条例》第三十六条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeverAfter {
    pub transition: String,
}

impl GuardKind for NeverAfter {
    const INFO: GuardInfo = GuardInfo {
        name: "never_after",
        statute: None,
        article: None,
        description_zh: "某一步骤发生后不得再办理",
        params: &[p("transition", ParamType::Transition, true)],
        codes: &["common.barred_after"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![transition_ref("transition", &self.transition, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let Some(ev) = last_event(env.history(), &self.transition) else {
            return Vec::new();
        };
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "已于{}“{}”，不能再“{}”",
                    ev.on,
                    env.case_type.transition_label(&self.transition),
                    env.transition.label_zh
                ),
            )
            .param("transition", self.transition.as_str())
            .param("on", ev.on.to_string()),
        ]
    }
}

/// The step is allowed only when a field holds one of `values` (or, with `negate`, none of them),
/// e.g. only 申诉求决 matters are diverted to a statutory route (《信访工作条例》第三十一条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldIn {
    pub field: String,
    pub values: OneOrMany,
    #[serde(default)]
    pub negate: bool,
}

impl GuardKind for FieldIn {
    const INFO: GuardInfo = GuardInfo {
        name: "field_in",
        statute: None,
        article: None,
        description_zh: "字段取值须为（或不得为）所列值之一",
        params: &[
            p("field", ParamType::Field, true),
            p("values", ParamType::StrOrList, true),
            p("negate", ParamType::Bool, false),
        ],
        codes: &["common.field_value_not_allowed"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("field", &self.field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let values = self.values.to_vec();
        let actual = str_of(env.merged, &self.field);
        let listed = actual.is_some_and(|a| values.iter().any(|v| v == a));
        if listed != self.negate {
            return Vec::new();
        }
        let label = env.case_type.field_label(&self.field);
        let shown = actual.unwrap_or("未填写");
        let msg = if self.negate {
            format!("{label}为“{shown}”时不能“{}”", env.transition.label_zh)
        } else {
            format!(
                "{label}为“{shown}”，只有{label}为“{}”时才能“{}”",
                values.join("”“"),
                env.transition.label_zh
            )
        };
        vec![
            mk.r(Self::INFO.codes[0], msg)
                .field(&self.field)
                .param("actual", actual)
                .param("values", values),
        ]
    }
}

/// A date field may not lie after the day of the step (e.g. an agreement cannot take effect
/// later than it is recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateNotAfterStep {
    pub field: String,
}

impl GuardKind for DateNotAfterStep {
    const INFO: GuardInfo = GuardInfo {
        name: "date_not_after_step",
        statute: None,
        article: None,
        description_zh: "日期不得晚于办理当日",
        params: &[p("field", ParamType::Field, true)],
        codes: &["common.date_in_future"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("field", &self.field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let on = env.on();
        match date_of(env.merged, &self.field) {
            Some(d) if d > on => vec![
                mk.r(
                    Self::INFO.codes[0],
                    format!(
                        "{}：{d}晚于办理日期{on}",
                        env.case_type.field_label(&self.field)
                    ),
                )
                .field(&self.field)
                .param("date", d.to_string()),
            ],
            _ => Vec::new(),
        }
    }
}

/// The step is allowed only once the date in a field has passed (the step day is later), e.g.
/// 《中华人民共和国政府信息公开条例》第三十条: a request counts as abandoned only when the time
/// given for the supplement has run out without one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatePassed {
    pub field: String,
}

impl GuardKind for DatePassed {
    const INFO: GuardInfo = GuardInfo {
        name: "date_passed",
        statute: None,
        article: None,
        description_zh: "须在该日期届满之后办理",
        params: &[p("field", ParamType::Field, true)],
        codes: &["common.date_not_passed"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("field", &self.field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let on = env.on();
        let label = env.case_type.field_label(&self.field);
        match date_of(env.merged, &self.field) {
            Some(d) if d < on => Vec::new(),
            Some(d) => vec![
                mk.r(
                    Self::INFO.codes[0],
                    format!("{label}为{d}，期限尚未届满（办理日期{on}），暂不能办理此步骤"),
                )
                .field(&self.field)
                .param("date", d.to_string()),
            ],
            None => vec![
                mk.r(
                    Self::INFO.codes[0],
                    format!("{label}：未记录，无法判断期限是否届满"),
                )
                .field(&self.field),
            ],
        }
    }
}
