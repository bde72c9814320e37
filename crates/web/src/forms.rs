//! Form bodies: CSRF check and conversion of posted fields into the JSON input a transition takes.

use fazhi_app::AppError;
use fazhi_store::SessionRow;
use fazhi_workflow::{CaseType, FieldKind};
use serde_json::{Map, Value};

/// Posted fields in order; repeated names (multi-selects) keep every value.
pub type Pairs = Vec<(String, String)>;

pub fn get<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The synchronizer token of the session must come back with every form.
pub fn check_csrf(pairs: &Pairs, session: &SessionRow) -> Result<(), AppError> {
    match get(pairs, "_csrf") {
        Some(t) if t == session.csrf => Ok(()),
        _ => Err(AppError::Forbidden(
            "页面已过期或请求来源不明（CSRF校验失败），请刷新页面后重试".into(),
        )),
    }
}

/// Converts posted fields into transition input: lists for list kinds, booleans for checkboxes,
/// empty optional fields left out. Framework fields (`_csrf`, `on`, `on_reason`, `version`) are not input.
pub fn to_input(t: &CaseType, pairs: &Pairs) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in pairs {
        if k.starts_with('_') || k == "on" || k == "on_reason" || k == "version" {
            continue;
        }
        let kind = t.field(k).map(|f| f.kind);
        match kind {
            Some(FieldKind::OfficerList) | Some(FieldKind::Flags) => {
                if v.trim().is_empty() {
                    continue;
                }
                let entry = out.entry(k.clone()).or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(a) = entry {
                    a.push(Value::String(v.trim().to_string()));
                }
            }
            Some(FieldKind::Bool) => {
                out.insert(
                    k.clone(),
                    Value::Bool(matches!(v.as_str(), "on" | "true" | "1" | "是")),
                );
            }
            _ if k == "override_warnings" => {
                out.insert(k.clone(), Value::Bool(true));
            }
            _ => {
                if !v.trim().is_empty() {
                    out.insert(k.clone(), Value::String(v.trim().to_string()));
                }
            }
        }
    }
    out
}
