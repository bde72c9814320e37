//! Definition versions: what moving a case in flight from one definition to another changes.
//!
//! A case records the version tag of the definition it was opened under
//! ([`crate::CaseType::version_tag`]). A changed definition applies to new cases; a case in flight
//! moves only through an explicit migration, which records this comparison: per clock, its due
//! date and status before and after. Pure: the caller passes the history, fields and "today".

use fazhi_calendar::Calendar;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::clocks::{ClockState, ClockStatus, clocks};
use crate::config::WorkflowConfig;
use crate::model::CaseType;
use crate::plan::HistoryEvent;

/// How one clock of a case differs between two definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockChangeKind {
    Unchanged,
    /// Same clock, another due date or status.
    Moved,
    /// Only the new definition has (or starts) it.
    Added,
    /// Only the old definition had (or started) it.
    Removed,
}

/// One clock of a case under the old and the new definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockChange {
    pub code: String,
    pub label_zh: String,
    pub kind: ClockChangeKind,
    pub due_before: Option<Date>,
    pub due_after: Option<Date>,
    pub status_before: Option<ClockStatus>,
    pub status_after: Option<ClockStatus>,
    pub basis_before: Option<String>,
    pub basis_after: Option<String>,
}

/// What migrating one case from `old` to `new` means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MigrationPlan {
    pub version_before: String,
    pub version_after: String,
    /// Every clock of either definition that the case's history starts.
    pub clocks: Vec<ClockChange>,
    /// Why the case cannot move (its history or state does not exist in the new definition).
    pub problems_zh: Vec<String>,
}

impl MigrationPlan {
    /// The clocks whose due date or status changes (added and removed included).
    pub fn changed(&self) -> impl Iterator<Item = &ClockChange> {
        self.clocks
            .iter()
            .filter(|c| c.kind != ClockChangeKind::Unchanged)
    }

    pub fn can_migrate(&self) -> bool {
        self.problems_zh.is_empty()
    }
}

/// Compares the clocks of a case under two definitions of its type.
#[allow(clippy::too_many_arguments)]
pub fn compare_clocks(
    old: &CaseType,
    new: &CaseType,
    state: Option<&str>,
    history: &[HistoryEvent],
    fields: &Map<String, Value>,
    today: Date,
    calendar: &Calendar,
    config: &WorkflowConfig,
) -> MigrationPlan {
    let mut problems_zh = Vec::new();
    if old.code != new.code {
        problems_zh.push(format!(
            "案件类型不同：“{}”不能迁移为“{}”",
            old.code, new.code
        ));
    }
    if let Some(s) = state
        && new.state(s).is_none()
    {
        problems_zh.push(format!("新版本定义中没有案件当前状态“{s}”"));
    }
    let mut missing: Vec<&str> = history
        .iter()
        .map(|e| e.transition.as_str())
        .filter(|t| new.transition(t).is_none())
        .collect();
    missing.dedup();
    for t in missing {
        problems_zh.push(format!("新版本定义中没有案件已办理的流转“{t}”"));
    }
    let before = clocks(old, history, fields, today, calendar, config);
    let after = clocks(new, history, fields, today, calendar, config);
    let mut out: Vec<ClockChange> = Vec::new();
    let find = |v: &[ClockState], code: &str| v.iter().find(|c| c.code == code).cloned();
    let mut codes: Vec<&str> = before.iter().map(|c| c.code.as_str()).collect();
    for c in &after {
        if !codes.contains(&c.code.as_str()) {
            codes.push(&c.code);
        }
    }
    for code in codes {
        let b = find(&before, code);
        let a = find(&after, code);
        let kind = match (&b, &a) {
            (Some(b), Some(a)) if b.due == a.due && b.status == a.status => {
                ClockChangeKind::Unchanged
            }
            (Some(_), Some(_)) => ClockChangeKind::Moved,
            (None, Some(_)) => ClockChangeKind::Added,
            _ => ClockChangeKind::Removed,
        };
        let label_zh = a
            .as_ref()
            .or(b.as_ref())
            .map(|c| c.label_zh.clone())
            .unwrap_or_default();
        out.push(ClockChange {
            code: code.to_owned(),
            label_zh,
            kind,
            due_before: b.as_ref().and_then(|c| c.due),
            due_after: a.as_ref().and_then(|c| c.due),
            status_before: b.as_ref().map(|c| c.status),
            status_after: a.as_ref().map(|c| c.status),
            basis_before: b.map(|c| c.basis),
            basis_after: a.map(|c| c.basis),
        });
    }
    MigrationPlan {
        version_before: old.version_tag(),
        version_after: new.version_tag(),
        clocks: out,
        problems_zh,
    }
}
