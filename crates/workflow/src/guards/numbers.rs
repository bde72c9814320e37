//! Guards on numeric fields: a count or amount within bounds (e.g. a rectification order only
//! when hazards were found, 《中华人民共和国安全生产法》第六十五条), or not above another field
//! (workers paid not more than the workers owed).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::env::{GuardEnv, Mk};
use super::{GuardInfo, GuardKind, ParamType, Ref, field_ref, p};
use crate::model::FieldKind;
use crate::refusal::Refusal;

fn number_of(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The number in `field` must be at least `min` and at most `max` (either may be left out), and
/// not above the number in `max_field` when that field has one. An absent value counts as 0.
/// Money is compared in 元 and areas in 平方米 (as entered, not as stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberRange {
    pub field: String,
    #[serde(default)]
    pub min: Option<u64>,
    #[serde(default)]
    pub max: Option<u64>,
    #[serde(default)]
    pub max_field: Option<String>,
}

impl GuardKind for NumberRange {
    const INFO: GuardInfo = GuardInfo {
        name: "number_range",
        statute: None,
        article: None,
        description_zh: "数值须在规定范围内（可不超过另一字段）",
        params: &[
            p("field", ParamType::Field, true),
            p("min", ParamType::Int, false),
            p("max", ParamType::Int, false),
            p("max_field", ParamType::Field, false),
        ],
        codes: &["common.number_out_of_range"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = vec![field_ref("field", &self.field, true)];
        if let Some(f) = &self.max_field {
            v.push(field_ref("max_field", f, true));
        }
        v
    }

    fn validate(&self) -> Vec<(String, String)> {
        if self.min.is_none() && self.max.is_none() && self.max_field.is_none() {
            return vec![(
                "needs `min`, `max` or `max_field`".to_owned(),
                "须指定 min、max 或 max_field".to_owned(),
            )];
        }
        Vec::new()
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let label = ct.field_label(&self.field);
        let scale = |f: &str| match ct.field(f).map(|d| d.kind) {
            Some(FieldKind::Money | FieldKind::Area) => 100.0,
            _ => 1.0,
        };
        let value = number_of(env.merged.get(&self.field)).unwrap_or(0.0) / scale(&self.field);
        let shown = if value.fract() == 0.0 {
            format!("{}", value as i64)
        } else {
            format!("{value}")
        };
        let step = &env.transition.label_zh;
        let mut msg = None;
        if let Some(min) = self.min
            && value < min as f64
        {
            msg = Some(format!("{label}为{shown}，至少为{min}时才能“{step}”"));
        } else if let Some(max) = self.max
            && value > max as f64
        {
            msg = Some(format!("{label}为{shown}，不超过{max}时才能“{step}”"));
        } else if let Some(f) = &self.max_field
            && let Some(limit) = number_of(env.merged.get(f)).map(|n| n / scale(f))
            && value > limit
        {
            msg = Some(format!(
                "{label}（{shown}）不能多于{}（{limit}）",
                ct.field_label(f)
            ));
        }
        match msg {
            Some(m) => vec![
                mk.r(Self::INFO.codes[0], m)
                    .field(&self.field)
                    .param("value", value),
            ],
            None => Vec::new(),
        }
    }
}
