//! The audit log: listing for leaders and admins, and chain verification.

use std::collections::HashMap;

use fazhi_domain::Role;
use fazhi_store::{AuditFilter, AuditProblem, AuditRow};
use fazhi_workflow::FieldKind;

use crate::{Actor, App, AppError};

impl App {
    /// Audit entries for leaders and admins: only those about entities inside the actor's unit
    /// subtree (entries tied to no unit only for actors at the top of the tree), with personal
    /// data in the before/after images masked (the full record is read, audited, on its own page).
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
        let mut f = f.clone();
        f.unit_path = match f.unit_path.take() {
            Some(p) if actor.covers_unit(&p) => Some(p),
            _ if actor.at_top() => None,
            _ => Some(actor.unit_path.clone()),
        };
        let personal = self.personal_field_kinds();
        let mut rows = fazhi_store::audit::list(&self.db, &f).await?;
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
        for r in &mut rows {
            let case_entry = r.entity == "case";
            for image in [&mut r.before, &mut r.after] {
                if let Some(text) = image.as_mut() {
                    if case_entry && !hidden.is_empty() {
                        *text = redact_json(text, &hidden);
                    }
                    *text = mask_image(text, &personal);
                }
            }
        }
        Ok(rows)
    }

    /// Field codes that hold personal data in any registered case type, with their kind.
    fn personal_field_kinds(&self) -> HashMap<String, FieldKind> {
        self.registry
            .types()
            .flat_map(|t| t.fields.iter())
            .filter(|f| {
                matches!(
                    f.kind,
                    FieldKind::IdNumber | FieldKind::Phone | FieldKind::PersonName
                )
            })
            .map(|f| (f.code.clone(), f.kind))
            .collect()
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

/// Masks an audit image (JSON text): values of personal fields by their kind, and any ID number
/// or mobile number inside other text. Text that is not JSON is masked as free text.
pub fn mask_image(text: &str, personal: &HashMap<String, FieldKind>) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            mask_value_tree(&mut v, None, personal);
            v.to_string()
        }
        Err(_) => mask_free_text(text),
    }
}

fn mask_value_tree(
    v: &mut serde_json::Value,
    kind: Option<FieldKind>,
    personal: &HashMap<String, FieldKind>,
) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                mask_value_tree(x, personal.get(k).copied(), personal);
            }
        }
        Value::Array(a) => {
            for x in a {
                mask_value_tree(x, kind, personal);
            }
        }
        Value::String(s) => {
            *s = match kind {
                Some(k) => crate::cases::mask_value(k, s),
                None => mask_free_text(s),
            }
        }
        _ => {}
    }
}

/// Masks ID numbers (15 or 18 characters, digits with a final X) and mobile numbers (11 digits
/// starting with 1) wherever they occur in free text.
pub fn mask_free_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || matches!(chars[j], 'X' | 'x')) {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let n = j - i;
            let masked = if (n == 18 || n == 15) && run[..n - 1].bytes().all(|b| b.is_ascii_digit())
            {
                fazhi_domain::mask_id_number(&run)
            } else if n == 11 && run.starts_with('1') && run.bytes().all(|b| b.is_ascii_digit()) {
                fazhi_domain::mask_phone(&run)
            } else {
                run
            };
            out.push_str(&masked);
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
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
