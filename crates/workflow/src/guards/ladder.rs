//! Graduated measures: a step allowed only after earlier steps of a kind have been taken a number
//! of times, e.g. a proposal to revoke probation after two 警告 without correction (《中华人民共和国
//! 社区矫正法》第二十八条, 《中华人民共和国社区矫正法实施办法》(2020) on 撤销缓刑 grounds), or a 警告 after
//! two 训诫. The definition cites the rule it applies.

use serde::{Deserialize, Serialize};

use super::env::{GuardEnv, Mk, last_index, str_of};
use super::{GuardInfo, GuardKind, OneOrMany, ParamType, Ref, field_ref, p, transition_ref};
use crate::refusal::Refusal;

/// At least `min` events of `transition` since the last `since` event (all of the history when
/// absent), optionally only when `when_field` holds one of `equals` (the ground that needs them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinPriorEvents {
    pub transition: String,
    pub min: u32,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub when_field: Option<String>,
    #[serde(default)]
    pub equals: Option<OneOrMany>,
}

impl GuardKind for MinPriorEvents {
    const INFO: GuardInfo = GuardInfo {
        name: "min_prior_events",
        statute: None,
        article: None,
        description_zh: "须已办理某一步骤达到规定次数（可限于某一事由）",
        params: &[
            p("transition", ParamType::Transition, true),
            p("min", ParamType::Int, true),
            p("since", ParamType::Transition, false),
            p("when_field", ParamType::Field, false),
            p("equals", ParamType::StrOrList, false),
        ],
        codes: &["common.min_prior_events"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = vec![transition_ref("transition", &self.transition, true)];
        if let Some(s) = &self.since {
            v.push(transition_ref("since", s, true));
        }
        if let Some(w) = &self.when_field {
            v.push(field_ref("when_field", w, true));
        }
        v
    }

    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.min == 0 {
            out.push((
                "`min` must be at least 1".to_owned(),
                "次数 min 至少为1".to_owned(),
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
        let mut ground = None;
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
            ground = actual.map(|a| format!("以“{a}”为由"));
        }
        let history = env.history();
        let start = self
            .since
            .as_deref()
            .and_then(|s| last_index(history, s))
            .map_or(0, |i| i + 1);
        let count = history[start..]
            .iter()
            .filter(|e| e.transition == self.transition)
            .count() as u32;
        if count >= self.min {
            return Vec::new();
        }
        let since = self
            .since
            .as_deref()
            .filter(|s| last_index(history, s).is_some())
            .map(|s| format!("（自最近一次“{}”以来）", ct.transition_label(s)))
            .unwrap_or_default();
        let mut r = mk
            .r(
                Self::INFO.codes[0],
                format!(
                    "{}“{}”须已“{}”{}次以上{since}，现有{count}次",
                    ground.unwrap_or_default(),
                    env.transition.label_zh,
                    ct.transition_label(&self.transition),
                    self.min
                ),
            )
            .param("transition", self.transition.as_str())
            .param("min", self.min)
            .param("count", count);
        if let Some(wf) = &self.when_field {
            r = r.field(wf);
        }
        vec![r]
    }
}
