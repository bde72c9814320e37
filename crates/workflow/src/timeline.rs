//! The clocks of a timeline without a database: `fazhi workflow clocks TYPE --events FILE`.
//!
//! A timeline is a JSON list of `{"transition": …, "date": "YYYY-MM-DD", "input": {…}}`. Each
//! event must be a transition of the case type allowed from the state the previous events left
//! the case in, with inputs the transition accepts (parsed by field kind, as in [`crate::plan()`]).
//! Guards are not evaluated: roles, officers and evidence are outside a timeline; the point is
//! the clocks. Dates must not go backwards.

use fazhi_calendar::Calendar;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clocks::{ClockState, clocks};
use crate::config::WorkflowConfig;
use crate::input::{BasicValidators, Parsed, absent, apply_sets, parse_value};
use crate::model::{CaseType, STAY};
use crate::plan::{CaseSnapshot, HistoryEvent};

/// One event of a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEvent {
    pub transition: String,
    pub date: Date,
    #[serde(default)]
    pub input: Map<String, Value>,
}

/// Why a timeline cannot be replayed: the event (1-based), and the problem in Chinese.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("第{event}个事件（{transition}）：{message_zh}")]
pub struct TimelineError {
    pub event: usize,
    pub transition: String,
    pub field: Option<String>,
    pub message_zh: String,
}

/// Parses a timeline from JSON text.
pub fn parse_timeline(json: &str) -> Result<Vec<TimelineEvent>, String> {
    serde_json::from_str(json).map_err(|e| {
        format!(
            "事件文件格式错误（第{}行第{}列）：{e}；应为 [{{\"transition\": …, \"date\": \"YYYY-MM-DD\", \"input\": {{…}}}}]",
            e.line(),
            e.column()
        )
    })
}

/// Replays a timeline into a case snapshot (state, fields, history).
pub fn replay(ct: &CaseType, events: &[TimelineEvent]) -> Result<CaseSnapshot, TimelineError> {
    let mut snapshot = CaseSnapshot {
        case_type: ct.code.clone(),
        ..CaseSnapshot::default()
    };
    let mut last: Option<Date> = None;
    for (i, e) in events.iter().enumerate() {
        let err = |field: Option<&str>, message_zh: String| TimelineError {
            event: i + 1,
            transition: e.transition.clone(),
            field: field.map(str::to_owned),
            message_zh,
        };
        let Some(t) = ct.transition(&e.transition) else {
            return Err(err(
                None,
                format!("“{}”没有名为“{}”的操作", ct.name_zh, e.transition),
            ));
        };
        if last.is_some_and(|l| e.date < l) {
            return Err(err(None, format!("日期{}早于上一个事件", e.date)));
        }
        last = Some(e.date);
        let allowed = match &snapshot.state {
            None => t.from.is_empty(),
            Some(s) => t.from.iter().any(|f| f == s),
        };
        if !allowed {
            let state = snapshot.state.as_deref().map_or_else(
                || "案件尚未创建".to_owned(),
                |s| format!("当前状态为“{}”", ct.state_label(s)),
            );
            return Err(err(None, format!("{state}，不能“{}”", t.label_zh)));
        }
        for k in e.input.keys() {
            if !t.inputs.iter().any(|i| &i.field == k) {
                return Err(err(
                    Some(k),
                    format!("“{}”不接受字段“{}”", t.label_zh, ct.field_label(k)),
                ));
            }
        }
        let mut normalised = Map::new();
        for i in &t.inputs {
            let Some(field) = ct.field(&i.field) else {
                continue;
            };
            let raw = e.input.get(&i.field);
            if absent(raw) {
                if i.required {
                    return Err(err(Some(&field.code), format!("{}：必填", field.label_zh)));
                }
                continue;
            }
            let raw = raw.unwrap_or(&Value::Null);
            match parse_value(ct, field, raw, e.date, &BasicValidators) {
                Ok(Parsed::Value(v) | Parsed::Warning(v, _)) => {
                    normalised.insert(field.code.clone(), v);
                }
                Err(r) => return Err(err(Some(&field.code), r.message_zh.clone())),
            }
        }
        let mut updates: Map<String, Value> = normalised
            .iter()
            .filter(|(k, _)| ct.field(k).is_some_and(|f| !f.input_only))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        apply_sets(ct, &t.sets, &snapshot.fields, &mut updates);
        snapshot.fields.extend(updates);
        if t.to != STAY {
            snapshot.state = Some(t.to.clone());
        }
        if let Some(p) = t.published {
            snapshot.published = p;
        }
        snapshot.history.push(HistoryEvent {
            transition: t.code.clone(),
            on: e.date,
            input: normalised,
        });
    }
    Ok(snapshot)
}

/// Every clock of a timeline as of `today`.
pub fn timeline_clocks(
    ct: &CaseType,
    events: &[TimelineEvent],
    today: Date,
    calendar: &Calendar,
    config: &WorkflowConfig,
) -> Result<Vec<ClockState>, TimelineError> {
    let snapshot = replay(ct, events)?;
    Ok(clocks(
        ct,
        &snapshot.history,
        &snapshot.fields,
        today,
        calendar,
        config,
    ))
}
