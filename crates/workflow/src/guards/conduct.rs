//! Generic guards for how a case is conducted: scheduled dates bind the events that follow, a
//! person excluded from a role (recusal, a hearing chair who investigated) does not act in it, a
//! field that must stay empty, and a clock that is missed needs a recorded reason. Each takes its
//! `statute` and `article` from the definition.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::env::{GuardEnv, Mk, date_of, present, str_of};
use super::{GuardInfo, GuardKind, ParamType, Ref, field_ref, p};
use crate::clocks::{ClockStatus, clocks};
use crate::refusal::Refusal;

/// The step may not happen before the date held by `field` (e.g. a hearing is held on or after
/// the date it was notified for: 《中华人民共和国行政处罚法》第六十四条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotBeforeDateField {
    pub field: String,
}

impl GuardKind for NotBeforeDateField {
    const INFO: GuardInfo = GuardInfo {
        name: "not_before_date_field",
        statute: None,
        article: None,
        description_zh: "不得早于已确定的日期办理（如听证不得早于通知的听证日期举行）",
        params: &[p("field", ParamType::Field, true)],
        codes: &["common.before_scheduled_date"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("field", &self.field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let on = env.on();
        match date_of(env.merged, &self.field) {
            Some(d) if on < d => vec![
                mk.r(
                    Self::INFO.codes[0],
                    format!(
                        "{}为{d}，不能在{on}“{}”",
                        env.case_type.field_label(&self.field),
                        env.transition.label_zh
                    ),
                )
                .field(&self.field)
                .param("date", d.to_string()),
            ],
            _ => Vec::new(),
        }
    }
}

fn ids(v: Option<&Value>) -> Vec<i64> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_i64).collect(),
        Some(Value::Number(n)) => n.as_i64().into_iter().collect(),
        _ => Vec::new(),
    }
}

/// No person named in `field` may be named in `excluded_field`: a recused officer does not act
/// (《中华人民共和国行政处罚法》第四十三条), the hearing is chaired by someone who did not
/// investigate (第六十四条第四项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonsExcluded {
    pub field: String,
    pub excluded_field: String,
}

impl GuardKind for PersonsExcluded {
    const INFO: GuardInfo = GuardInfo {
        name: "persons_excluded",
        statute: None,
        article: None,
        description_zh: "某一字段所列人员不得同时出现在另一字段（回避、非本案调查人员主持听证）",
        params: &[
            p("field", ParamType::Field, true),
            p("excluded_field", ParamType::Field, true),
        ],
        codes: &["common.person_excluded"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            field_ref("field", &self.field, true),
            field_ref("excluded_field", &self.excluded_field, true),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let excluded = ids(env.merged.get(&self.excluded_field));
        let both: Vec<i64> = ids(env.merged.get(&self.field))
            .into_iter()
            .filter(|id| excluded.contains(id))
            .collect();
        if both.is_empty() {
            return Vec::new();
        }
        let names: Vec<String> = both
            .iter()
            .map(|id| {
                env.ctx
                    .officers
                    .iter()
                    .find(|o| o.id == *id)
                    .map_or_else(|| format!("编号{id}"), |o| o.name.clone())
            })
            .collect();
        let ct = env.case_type;
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "{}：{}同时列为{}，不得参与",
                    ct.field_label(&self.field),
                    names.join("、"),
                    ct.field_label(&self.excluded_field)
                ),
            )
            .field(&self.field)
            .param("persons", both),
        ]
    }
}

/// `field` must be empty (with `if_field`: e.g. no fine on a decision not to penalise,
/// 《中华人民共和国行政处罚法》第五十七条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldEmpty {
    pub field: String,
}

impl GuardKind for FieldEmpty {
    const INFO: GuardInfo = GuardInfo {
        name: "field_empty",
        statute: None,
        article: None,
        description_zh: "字段不得填写（可附条件，如不予处罚的决定不得载有罚款）",
        params: &[p("field", ParamType::Field, true)],
        codes: &["common.field_not_allowed"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("field", &self.field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let v = env.merged.get(&self.field);
        let zero = v.and_then(Value::as_i64) == Some(0);
        if !present(v) || zero {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "{}：“{}”时不得填写",
                    env.case_type.field_label(&self.field),
                    env.transition.label_zh
                ),
            )
            .field(&self.field),
        ]
    }
}

fn late_reason() -> String {
    "late_reason".to_owned()
}

/// When `clock` is already past its due date on the day of the step, the step must record why
/// (`reason_field`, at least two characters): a missed statutory period is never silent
/// (e.g. 《中华人民共和国行政处罚法》第六十条, the 90-day decision period).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockLateReason {
    pub clock: String,
    #[serde(default = "late_reason")]
    pub reason_field: String,
}

impl GuardKind for ClockLateReason {
    const INFO: GuardInfo = GuardInfo {
        name: "clock_late_reason",
        statute: None,
        article: None,
        description_zh: "办理时已超过法定期限的，须说明逾期理由",
        params: &[
            p("clock", ParamType::Str, true),
            p("reason_field", ParamType::Field, false),
        ],
        codes: &["common.late_reason_required"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("reason_field", &self.reason_field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let on = env.on();
        let states = clocks(
            ct,
            env.history(),
            &env.snapshot.fields,
            on,
            env.ctx.calendar,
            env.ctx.config,
        );
        let Some(c) = states.iter().find(|c| c.code == self.clock) else {
            return Vec::new();
        };
        let late = c.status == ClockStatus::Overdue && c.due.is_some_and(|d| on > d);
        let given = str_of(env.input, &self.reason_field).map_or(0, |s| s.trim().chars().count());
        if !late || given >= 2 {
            return Vec::new();
        }
        let due = c.due.map(|d| d.to_string()).unwrap_or_default();
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "{}：{}（{}）已于{due}届满，{on}“{}”已逾期，须说明逾期理由",
                    ct.field_label(&self.reason_field),
                    c.label_zh,
                    c.basis,
                    env.transition.label_zh
                ),
            )
            .field(&self.reason_field)
            .param("clock", self.clock.as_str())
            .param("due", due),
        ]
    }
}

/// An amount (money in fen, compared in 元) may not exceed `max_yuan` (with `if_field`: e.g. a
/// fine collected on the spot on the ground of 一百元以下: 《中华人民共和国行政处罚法》第六十八条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountAtMost {
    pub field: String,
    pub max_yuan: i64,
}

impl GuardKind for AmountAtMost {
    const INFO: GuardInfo = GuardInfo {
        name: "amount_at_most",
        statute: None,
        article: None,
        description_zh: "金额不得超过规定上限（可附条件）",
        params: &[
            p("field", ParamType::Field, true),
            p("max_yuan", ParamType::Int, true),
        ],
        codes: &["common.amount_over_limit"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("field", &self.field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let Some(fen) = env.merged.get(&self.field).and_then(Value::as_i64) else {
            return Vec::new();
        };
        if fen <= self.max_yuan * 100 {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "{}为{}元，超过{}元，不能“{}”",
                    env.case_type.field_label(&self.field),
                    super::env::yuan(fen),
                    self.max_yuan,
                    env.transition.label_zh
                ),
            )
            .field(&self.field)
            .param("max_yuan", self.max_yuan)
            .param("amount_fen", fen),
        ]
    }
}
