//! Planning a transition: state, role, input and guard checks, returning what would change.

use fazhi_calendar::Calendar;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::WorkflowConfig;
use crate::guards::{GuardEnv, eval};
use crate::input::{FieldValidators, Parsed, absent, apply_sets, parse_value};
use crate::model::{CaseType, STAY, role_label_zh};
use crate::refusal::{Refusal, Refusals};

/// Input key that accepts overridable warnings (law file §14.2).
pub const OVERRIDE_WARNINGS: &str = "override_warnings";

/// What the workflow needs to know about a case.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaseSnapshot {
    pub case_type: String,
    /// `None` before the case is created.
    pub state: Option<String>,
    pub fields: Map<String, Value>,
    /// Transitions taken so far, oldest first.
    pub history: Vec<HistoryEvent>,
    /// Evidence items attached (hashed by the evidence service).
    pub evidence_count: u32,
    /// Whether the decision is currently published (执法公示).
    pub published: bool,
}

/// A transition that happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub transition: String,
    pub on: Date,
    /// The normalised input of the step ([`Plan::input`]).
    pub input: Map<String, Value>,
}

/// An enforcement officer with certificates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficerInfo {
    pub id: i64,
    pub name: String,
    pub certificates: Vec<CertificateInfo>,
}

/// An enforcement certificate (执法证).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateInfo {
    pub number: String,
    /// Enforcement domain, a value of the `enforcement_domain` dictionary.
    pub domain: String,
    pub valid_from: Date,
    pub valid_to: Date,
    /// Last year for which the annual check was passed.
    pub annual_check_year: Option<i16>,
    pub revoked: bool,
}

/// Everything outside the case that guards read. Dates are passed in; nothing reads the clock.
pub struct GuardContext<'a> {
    /// Date of the step.
    pub on: Date,
    pub actor_roles: &'a [String],
    /// People of the register (enforcement officers, registered mediators …) named in the input
    /// or already on the case, with their certificates (guards `min_certified_officers`,
    /// `min_qualified_persons`).
    pub officers: &'a [OfficerInfo],
    pub calendar: &'a Calendar,
    pub config: &'a WorkflowConfig,
    pub validators: &'a dyn FieldValidators,
    /// The other cases of the case's matter, oldest link first (guard `linked_case`); empty when
    /// the case has no links or the step has no such guard.
    pub linked: &'a [crate::guards::linked::LinkedCase],
}

/// The outcome of a permitted step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub transition: String,
    pub from: Option<String>,
    pub to: String,
    /// Values to store on the case (money in fen, dates as `YYYY-MM-DD`).
    pub field_updates: Map<String, Value>,
    /// The normalised input to record in the history event (includes input-only fields).
    pub input: Map<String, Value>,
    /// Documents this step produces or requires.
    pub documents: Vec<String>,
    /// Warnings the user overrode with `override_warnings: true`.
    pub warnings: Vec<Refusal>,
    /// New value of [`CaseSnapshot::published`], when the step publishes or withdraws.
    pub published: Option<bool>,
}

/// Checks a transition against a case and returns the plan, or every reason it is refused.
pub fn plan(
    case_type: &CaseType,
    snapshot: &CaseSnapshot,
    transition: &str,
    input: &Map<String, Value>,
    ctx: &GuardContext<'_>,
) -> Result<Plan, Refusals> {
    let Some(t) = case_type.transition(transition) else {
        return Err(Refusals(vec![
            Refusal::new(
                "common.unknown_transition",
                format!("“{}”没有名为“{transition}”的操作", case_type.name_zh),
            )
            .param("transition", transition),
        ]));
    };
    let mut refusals: Vec<Refusal> = Vec::new();
    if snapshot.case_type != case_type.code {
        refusals.push(
            Refusal::new(
                "common.case_type_mismatch",
                format!("案件类型不符：该案件不是“{}”", case_type.name_zh),
            )
            .param("expected", case_type.code.as_str())
            .param("actual", snapshot.case_type.as_str()),
        );
    }

    // State.
    let state_ok = match (&snapshot.state, t.from.is_empty()) {
        (None, true) => true,
        (Some(s), false) => t.from.iter().any(|f| f == s),
        (None, false) => {
            refusals.push(
                Refusal::new(
                    "common.invalid_state",
                    format!("案件尚未创建，不能“{}”", t.label_zh),
                )
                .param("transition", t.code.as_str()),
            );
            false
        }
        (Some(s), true) => {
            refusals.push(
                Refusal::new(
                    "common.invalid_state",
                    format!(
                        "案件已创建（{}），不能再次“{}”",
                        case_type.state_label(s),
                        t.label_zh
                    ),
                )
                .param("state", s.as_str())
                .param("transition", t.code.as_str()),
            );
            false
        }
    };
    if !state_ok && snapshot.state.is_some() && !t.from.is_empty() {
        let s = snapshot.state.as_deref().unwrap_or_default();
        let allowed: Vec<String> = t.from.iter().map(|f| case_type.state_label(f)).collect();
        refusals.push(
            Refusal::new(
                "common.invalid_state",
                format!(
                    "当前状态为“{}”，不能“{}”（仅限：{}）",
                    case_type.state_label(s),
                    t.label_zh,
                    allowed.join("、")
                ),
            )
            .param("state", s)
            .param("transition", t.code.as_str()),
        );
    }

    // Role.
    if !t.roles.iter().any(|r| ctx.actor_roles.contains(r)) {
        let allowed: Vec<&str> = t.roles.iter().map(|r| role_label_zh(r)).collect();
        refusals.push(
            Refusal::new(
                "common.role_not_allowed",
                format!(
                    "当前用户无权“{}”，需要以下角色之一：{}",
                    t.label_zh,
                    allowed.join("、")
                ),
            )
            .param("roles", t.roles.clone()),
        );
        // Nothing of the input is looked at for a caller who may not take the step.
        return Err(Refusals(refusals));
    }

    // Input.
    let mut override_warnings = false;
    let mut normalised = Map::new();
    let mut warnings: Vec<Refusal> = Vec::new();
    for (k, v) in input {
        if k == OVERRIDE_WARNINGS {
            match v {
                Value::Bool(b) => override_warnings = *b,
                _ => refusals.push(
                    Refusal::new("input.type", "override_warnings 必须是 true 或 false")
                        .field(OVERRIDE_WARNINGS),
                ),
            }
            continue;
        }
        if !t.inputs.iter().any(|i| &i.field == k) {
            refusals.push(
                Refusal::new(
                    "input.unknown_field",
                    format!("“{}”不接受字段“{}”", t.label_zh, case_type.field_label(k)),
                )
                .field(k),
            );
        }
    }
    for i in &t.inputs {
        let Some(field) = case_type.field(&i.field) else {
            continue; // ruled out by definition validation
        };
        let raw = input.get(&i.field);
        if absent(raw) {
            if i.required {
                refusals.push(
                    Refusal::new("input.required", format!("{}：必填", field.label_zh))
                        .field(&field.code),
                );
            }
            continue;
        }
        let raw = raw.unwrap_or(&Value::Null);
        match parse_value(case_type, field, raw, ctx.on, ctx.validators) {
            Ok(Parsed::Value(v)) => {
                normalised.insert(field.code.clone(), v);
            }
            Ok(Parsed::Warning(v, w)) => {
                normalised.insert(field.code.clone(), v);
                warnings.push(w);
            }
            Err(r) => refusals.push(*r),
        }
    }

    let mut field_updates: Map<String, Value> = normalised
        .iter()
        .filter(|(k, _)| case_type.field(k).is_some_and(|f| !f.input_only))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    apply_sets(case_type, &t.sets, &snapshot.fields, &mut field_updates);
    let mut merged = snapshot.fields.clone();
    for (k, v) in &field_updates {
        merged.insert(k.clone(), v.clone());
    }

    // Guards (only meaningful when the step is allowed from this state).
    if state_ok {
        let env = GuardEnv {
            case_type,
            transition: t,
            snapshot,
            input: &normalised,
            merged: &merged,
            ctx,
        };
        for g in &t.guards {
            for r in eval(g, &env) {
                if r.overridable {
                    warnings.push(r);
                } else {
                    refusals.push(r);
                }
            }
        }
    }

    dedup(&mut refusals);
    dedup(&mut warnings);
    if !refusals.is_empty() || (!warnings.is_empty() && !override_warnings) {
        refusals.extend(warnings);
        return Err(Refusals(refusals));
    }
    let to = if t.to == STAY {
        snapshot.state.clone().unwrap_or_default()
    } else {
        t.to.clone()
    };
    Ok(Plan {
        transition: t.code.clone(),
        from: snapshot.state.clone(),
        to,
        field_updates,
        input: normalised,
        documents: t.documents.clone(),
        warnings,
        published: t.published,
    })
}

/// Removes repeated refusals (same code, field and message), keeping the first.
/// Linear in the number of refusals (a hash set; issue 16 §10: a linear search made it quadratic).
fn dedup(v: &mut Vec<Refusal>) {
    let mut seen: std::collections::HashSet<(String, Option<String>, String)> =
        std::collections::HashSet::with_capacity(v.len());
    v.retain(|r| seen.insert((r.code.clone(), r.field.clone(), r.message_zh.clone())));
}

/// Applies a plan to a snapshot: the state, the fields and a history event (what the store does).
pub fn apply(snapshot: &mut CaseSnapshot, plan: &Plan, on: Date) {
    snapshot.state = Some(plan.to.clone());
    if let Some(p) = plan.published {
        snapshot.published = p;
    }
    for (k, v) in &plan.field_updates {
        snapshot.fields.insert(k.clone(), v.clone());
    }
    snapshot.history.push(HistoryEvent {
        transition: plan.transition.clone(),
        on,
        input: plan.input.clone(),
    });
}
