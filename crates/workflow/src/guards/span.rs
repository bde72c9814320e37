//! Periods a step grants, bounded: the span between two date fields of the step may not exceed a
//! number of days or months, e.g. electronic monitoring of at most three months per approval
//! (《中华人民共和国社区矫正法》第二十九条) or a leave a 司法所 may approve itself (configurable
//! threshold). Both the first and the last day belong to the span; a month span ends the day
//! before the corresponding day of the month N months later (a month without that day: its last
//! day), as 《中华人民共和国民法典》第二百条至第二百零三条 count months.

use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use super::env::{GuardEnv, Mk, date_of, str_of};
use super::{GuardInfo, GuardKind, OneOrMany, ParamType, Ref, field_ref, p};
use crate::refusal::Refusal;

fn natural_days() -> String {
    "natural_days".to_owned()
}

/// `end_field` − `start_field` (both days counted) ≤ `max` `unit` (`natural_days` or `months`),
/// optionally only when `when_field` holds one of `equals`; the end may not precede the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxSpan {
    pub start_field: String,
    pub end_field: String,
    pub max: u32,
    #[serde(default = "natural_days")]
    pub unit: String,
    #[serde(default)]
    pub when_field: Option<String>,
    #[serde(default)]
    pub equals: Option<OneOrMany>,
}

impl GuardKind for MaxSpan {
    const INFO: GuardInfo = GuardInfo {
        name: "max_span",
        statute: None,
        article: None,
        description_zh: "起止日期之间的期间不得超过规定的日数或月数（可限于某一情形）",
        params: &[
            p("start_field", ParamType::Field, true),
            p("end_field", ParamType::Field, true),
            p("max", ParamType::Int, true),
            p("unit", ParamType::Str, false),
            p("when_field", ParamType::Field, false),
            p("equals", ParamType::StrOrList, false),
        ],
        codes: &["common.span_too_long", "common.span_reversed"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = vec![
            field_ref("start_field", &self.start_field, true),
            field_ref("end_field", &self.end_field, true),
        ];
        if let Some(w) = &self.when_field {
            v.push(field_ref("when_field", w, true));
        }
        v
    }

    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !matches!(self.unit.as_str(), "natural_days" | "months") {
            out.push((
                format!("unit `{}` must be `natural_days` or `months`", self.unit),
                format!("期间单位“{}”无效，应为 natural_days 或 months", self.unit),
            ));
        }
        if self.max == 0 {
            out.push((
                "`max` must be at least 1".to_owned(),
                "max 至少为1".to_owned(),
            ));
        }
        if self.equals.is_some() && self.when_field.is_none() {
            out.push((
                "`equals` needs `when_field`".to_owned(),
                "指定 equals 时须同时指定 when_field".to_owned(),
            ));
        }
        out
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let mut cond = String::new();
        if let Some(wf) = &self.when_field {
            let actual = str_of(env.input, wf).or_else(|| str_of(env.merged, wf));
            let applies = match (&self.equals, actual) {
                (Some(values), Some(a)) => values.to_vec().iter().any(|v| v == a),
                (None, Some(_)) => true,
                (_, None) => false,
            };
            if !applies {
                return Vec::new();
            }
            cond = format!(
                "{}为“{}”时，",
                ct.field_label(wf),
                actual.unwrap_or_default()
            );
        }
        let (Some(start), Some(end)) = (
            date_of(env.input, &self.start_field)
                .or_else(|| date_of(env.merged, &self.start_field)),
            date_of(env.input, &self.end_field).or_else(|| date_of(env.merged, &self.end_field)),
        ) else {
            return Vec::new(); // required inputs are declared on the transition
        };
        let (sl, el) = (
            ct.field_label(&self.start_field),
            ct.field_label(&self.end_field),
        );
        if end < start {
            return vec![
                mk.r(Self::INFO.codes[1], format!("{el}：{end}早于{sl}{start}"))
                    .field(&self.end_field),
            ];
        }
        let days = (end - start).get_days() + 1;
        let (last, what) = if self.unit == "months" {
            let last = start
                .checked_add(i64::from(self.max).months())
                .and_then(|d| d.checked_sub(1.day()));
            (last.ok(), format!("{}个月", self.max))
        } else {
            let last = start.checked_add(i64::from(self.max - 1).days());
            (last.ok(), format!("{}日", self.max))
        };
        let Some(last) = last else {
            return Vec::new();
        };
        if end <= last {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!("{cond}{sl}{start}至{el}{end}共{days}日，超过{what}（最迟至{last}）"),
            )
            .field(&self.end_field)
            .param("start", start.to_string())
            .param("end", end.to_string())
            .param("last", last.to_string())
            .param("max", self.max)
            .param("unit", self.unit.as_str()),
        ]
    }
}
