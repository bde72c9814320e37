//! The audit log: listing for leaders and admins, and chain verification.

use fazhi_domain::Role;
use fazhi_store::{AuditFilter, AuditProblem, AuditRow};

use crate::{Actor, App, AppError};

impl App {
    pub async fn audit_list(
        &self,
        actor: &Actor,
        f: &AuditFilter,
    ) -> Result<Vec<AuditRow>, AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "需要“系统管理员”或“分管领导”角色".into(),
            ));
        }
        let mut rows = fazhi_store::audit::list(&self.db, f).await?;
        // Fields restricted to some roles (`visible_to`) are redacted from case entries for an
        // actor without any of those roles: the stored chain keeps them, the listing does not.
        let roles = actor.role_codes();
        let hidden: std::collections::BTreeSet<&str> = self
            .registry
            .types()
            .flat_map(|t| t.fields.iter())
            .filter(|f| f.restricted() && !f.visible_to_roles(&roles))
            .map(|f| f.code.as_str())
            .collect();
        if !hidden.is_empty() {
            for r in rows.iter_mut().filter(|r| r.entity == "case") {
                for side in [&mut r.before, &mut r.after] {
                    if let Some(text) = side.as_mut() {
                        *text = redact_json(text, &hidden);
                    }
                }
            }
        }
        Ok(rows)
    }

    /// Walks the whole hash chain; `Err(problem)` names the first broken entry.
    pub async fn audit_verify(&self, actor: &Actor) -> Result<Result<i64, AuditProblem>, AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "需要“系统管理员”或“分管领导”角色".into(),
            ));
        }
        Ok(fazhi_store::verify_chain(&self.db).await?)
    }
}

/// A deadline from user input (`fazhi calendar due`, the calendar page, the API), following
/// section 0 of the law notes: start day not counted; working days on the official calendar;
/// a natural-day period ending on a rest day rolls to the next working day.
pub fn deadline(
    app: &App,
    from: &str,
    days: &str,
    unit: &str,
) -> Result<fazhi_calendar::DueDate, AppError> {
    let mut problems = Vec::new();
    let start = from.trim().parse::<jiff::civil::Date>();
    if start.is_err() {
        problems.push(crate::FieldProblem::new(
            "from",
            "date",
            "起算日：日期格式应为YYYY-MM-DD，且为真实日期",
        ));
    }
    let n = days.trim().parse::<u32>();
    if !matches!(n, Ok(1..=3650)) {
        problems.push(crate::FieldProblem::new(
            "days",
            "range",
            "期间：应为1至3650之间的整数",
        ));
    }
    let unit = match unit {
        "working" | "working_days" => Some(fazhi_calendar::PeriodUnit::WorkingDays),
        "natural" | "natural_days" => Some(fazhi_calendar::PeriodUnit::NaturalDays),
        _ => {
            problems.push(crate::FieldProblem::new(
                "unit",
                "unknown_unit",
                "单位：应为working（工作日）或natural（自然日）",
            ));
            None
        }
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let (Ok(start), Ok(n), Some(unit)) = (start, n, unit) else {
        unreachable!("checked above")
    };
    app.calendar
        .due(start, n, unit, app.config.roll)
        .map_err(|e| AppError::invalid("from", "calendar_range", e.to_string()))
}

/// Replaces the value of every key in `hidden`, at any depth of a JSON text, by a notice.
fn redact_json(text: &str, hidden: &std::collections::BTreeSet<&str>) -> String {
    fn walk(v: &mut serde_json::Value, hidden: &std::collections::BTreeSet<&str>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if hidden.contains(k.as_str()) {
                        *x = serde_json::Value::String("（无权查看）".into());
                    } else {
                        walk(x, hidden);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, hidden)),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            walk(&mut v, hidden);
            v.to_string()
        }
        // Not JSON: nothing structured to redact, but a restricted value could still be in it.
        Err(_) => "（无权查看）".to_owned(),
    }
}
