//! Editing the unit tree after the first run (issue 17): rename a unit, close it, and choose
//! which case types it runs. Each is one audited transaction, for administrators within their
//! own subtree.
//!
//! Which case types a unit runs: the list in the `unit_settings` row of the unit itself or of
//! its nearest ancestor that has one (`fazhi init` writes the top unit's); an empty list, or no
//! row anywhere up the tree, means every case type of the registry. A unit's own list must stay
//! within what its parent runs, and a list may not drop a type that a sub-unit's own list keeps.

use fazhi_domain::{Role, UnitId};
use fazhi_store::org;
use fazhi_store::settings::{self, UnitSettings};
use fazhi_store::{AuditEntry, UnitRow};
use serde::Serialize;

use crate::{Actor, App, AppError, FieldProblem};

/// The case types a unit runs and where that list comes from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnitCaseTypes {
    pub unit_code: String,
    /// Codes of the case types the unit runs; empty: every case type of the registry.
    pub case_types: Vec<String>,
    /// The unit whose settings hold the list (this unit or an ancestor); `None`: no list
    /// anywhere up the tree, every case type.
    pub from_unit: Option<String>,
}

/// The ids of a materialised path, deepest first: `/1/2/7/` → 7, 2, 1.
fn path_ids_deepest_first(path: &str) -> Vec<UnitId> {
    path.split('/')
        .filter_map(|s| s.parse::<i64>().ok())
        .rev()
        .map(UnitId)
        .collect()
}

impl App {
    async fn admin_unit(
        &self,
        actor: &Actor,
        field: &str,
        code: &str,
    ) -> Result<UnitRow, AppError> {
        actor.require(Role::Admin)?;
        let code = code.trim();
        let unit = org::unit_by_code(&self.db, code).await?.ok_or_else(|| {
            AppError::invalid(
                field,
                "unknown_unit",
                format!("单位：不存在代码为“{code}”的单位"),
            )
        })?;
        actor.require_unit(&unit.path, "该单位")?;
        Ok(unit)
    }

    /// The settings that decide a unit's case types: its own row or its nearest ancestor's.
    async fn effective_settings(
        &self,
        unit: &UnitRow,
    ) -> Result<Option<(UnitId, UnitSettings)>, AppError> {
        for id in path_ids_deepest_first(&unit.path) {
            if let Some(s) = settings::get(&self.db, id).await? {
                return Ok(Some((id, s)));
            }
        }
        Ok(None)
    }

    /// Which case types a unit runs (see the module documentation).
    pub async fn unit_case_types(&self, unit: &UnitRow) -> Result<UnitCaseTypes, AppError> {
        Ok(match self.effective_settings(unit).await? {
            Some((id, s)) => UnitCaseTypes {
                unit_code: unit.code.clone(),
                case_types: s.case_types,
                from_unit: Some(org::unit(&self.db, id).await?.code),
            },
            None => UnitCaseTypes {
                unit_code: unit.code.clone(),
                case_types: Vec::new(),
                from_unit: None,
            },
        })
    }

    /// The case types of a unit looked up by code, for an actor who may see that unit.
    pub async fn unit_case_types_by_code(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<UnitCaseTypes, AppError> {
        let code = code.trim();
        let unit = org::unit_by_code(&self.db, code).await?.ok_or_else(|| {
            AppError::invalid(
                "unit_code",
                "unknown_unit",
                format!("单位：不存在代码为“{code}”的单位"),
            )
        })?;
        if !(unit.path.starts_with(&actor.unit_path) || actor.unit_path.starts_with(&unit.path)) {
            actor.require_unit(&unit.path, "该单位")?;
        }
        self.unit_case_types(&unit).await
    }

    /// The case-type codes the actor's own unit runs, in menu order; all of them if it runs
    /// every type.
    pub async fn actor_case_types(&self, actor: &Actor) -> Result<Vec<String>, AppError> {
        let unit = org::unit(&self.db, actor.unit_id).await?;
        let list = self.unit_case_types(&unit).await?.case_types;
        Ok(self
            .registry
            .in_menu_order()
            .into_iter()
            .filter(|t| list.is_empty() || list.contains(&t.code))
            .map(|t| t.code.clone())
            .collect())
    }

    /// Refuses filing a case of a type the unit does not run.
    pub(crate) async fn require_runs(
        &self,
        unit: &UnitRow,
        case_type: &str,
        case_type_name: &str,
    ) -> Result<(), AppError> {
        let list = self.unit_case_types(unit).await?.case_types;
        if list.is_empty() || list.iter().any(|c| c == case_type) {
            return Ok(());
        }
        Err(AppError::invalid(
            "case_type",
            "not_run_by_unit",
            format!(
                "案件类型：单位“{}”未开展“{case_type_name}”业务，不能登记该类案件（可由管理员在“单位、部门与用户”中调整本单位开展的案件类型）",
                unit.name
            ),
        ))
    }

    /// Renames a unit. Its code, place in the tree and history stay.
    pub async fn rename_unit(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
    ) -> Result<UnitRow, AppError> {
        let unit = self.admin_unit(actor, "code", code).await?;
        let name = name.trim();
        let n = name.chars().count();
        if n == 0 {
            return Err(AppError::invalid("name", "required", "单位名称：必填"));
        }
        if n > 64 {
            return Err(AppError::invalid(
                "name",
                "too_long",
                "单位名称：最多64个字符",
            ));
        }
        if name == unit.name {
            return Ok(unit);
        }
        let mut tx = self.db.begin().await?;
        org::rename_unit(&mut tx, unit.id, name).await?;
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "rename",
            entity: "unit",
            entity_id: &unit.id.to_string(),
            before: Some(&serde_json::json!({ "name": unit.name })),
            after: Some(&serde_json::json!({ "name": name })),
        })
        .await?;
        tx.commit().await?;
        org::forget_units(&self.db);
        Ok(org::unit(&self.db, unit.id).await?)
    }

    /// Closes a unit: it takes nothing new from now on (see [`crate::org::require_open`]) and
    /// keeps its cases, users and audit history. Only a unit below the actor's own, with no open
    /// sub-unit, can be closed; the top of the tree is never closed.
    pub async fn close_unit(&self, actor: &Actor, code: &str) -> Result<UnitRow, AppError> {
        let unit = self.admin_unit(actor, "code", code).await?;
        if unit.closed_at.is_some() {
            return Err(AppError::invalid(
                "code",
                "already_closed",
                format!("单位：“{}”已撤销", unit.name),
            ));
        }
        if unit.parent_id.is_none() {
            return Err(AppError::invalid(
                "code",
                "top_unit",
                "单位：最上级单位不能撤销",
            ));
        }
        if !actor.is_system() && unit.path == actor.unit_path {
            return Err(AppError::Forbidden(
                "不能撤销本人所在的单位，请由上级单位的管理员办理".into(),
            ));
        }
        let open_children: Vec<String> = org::units(&self.db)
            .await?
            .into_iter()
            .filter(|u| u.parent_id == Some(unit.id) && u.closed_at.is_none())
            .map(|u| u.name)
            .collect();
        if !open_children.is_empty() {
            return Err(AppError::invalid(
                "code",
                "open_sub_units",
                format!(
                    "单位：“{}”还有未撤销的下级单位（{}），请先撤销或调整下级单位",
                    unit.name,
                    open_children.join("、")
                ),
            ));
        }
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        org::close_unit(&mut tx, unit.id, now).await?;
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "close",
            entity: "unit",
            entity_id: &unit.id.to_string(),
            before: Some(&serde_json::json!({ "closed_at": null })),
            after: Some(&serde_json::json!({ "closed_at": now })),
        })
        .await?;
        tx.commit().await?;
        org::forget_units(&self.db);
        Ok(org::unit(&self.db, unit.id).await?)
    }

    /// Sets which case types a unit runs (empty: the same as its parent; at the top, every
    /// type). Each code must be a case type of the registry and run by the parent, and no
    /// sub-unit's own list may keep a type the new list drops.
    pub async fn set_unit_case_types(
        &self,
        actor: &Actor,
        code: &str,
        case_types: &[String],
    ) -> Result<UnitCaseTypes, AppError> {
        let unit = self.admin_unit(actor, "unit_code", code).await?;
        let mut list: Vec<String> = case_types
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        list.sort();
        list.dedup();
        let mut problems = Vec::new();
        for c in &list {
            if self.registry.get(c).is_none() {
                let known: Vec<&str> = self.registry.types().map(|t| t.code.as_str()).collect();
                problems.push(FieldProblem::new(
                    "case_types",
                    "unknown_case_type",
                    format!("案件类型：未知的案件类型“{c}”，可选：{}", known.join("、")),
                ));
            }
        }
        let parent_list = match unit.parent_id {
            Some(p) => {
                let parent = org::unit(&self.db, p).await?;
                self.unit_case_types(&parent).await?.case_types
            }
            None => Vec::new(),
        };
        if !parent_list.is_empty() {
            for c in &list {
                if !parent_list.contains(c) && self.registry.get(c).is_some() {
                    let name = self.registry.get(c).map(|t| t.name_zh.clone());
                    problems.push(FieldProblem::new(
                        "case_types",
                        "not_run_by_parent",
                        format!(
                            "案件类型：上级单位未开展“{}”业务，本单位不能开展",
                            name.unwrap_or_else(|| c.clone())
                        ),
                    ));
                }
            }
        }
        // The list this unit will effectively run: its own, or (empty) its parent's.
        let effective: &[String] = if list.is_empty() { &parent_list } else { &list };
        if !effective.is_empty() {
            for u in org::units(&self.db).await? {
                if u.id == unit.id || !u.path.starts_with(&unit.path) {
                    continue;
                }
                if let Some(s) = settings::get(&self.db, u.id).await? {
                    let dropped: Vec<&String> = s
                        .case_types
                        .iter()
                        .filter(|c| !effective.contains(c))
                        .collect();
                    if !dropped.is_empty() || s.case_types.is_empty() {
                        let what = if dropped.is_empty() {
                            "全部案件类型".to_string()
                        } else {
                            dropped
                                .iter()
                                .map(|c| c.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        };
                        problems.push(FieldProblem::new(
                            "case_types",
                            "kept_by_sub_unit",
                            format!(
                                "案件类型：下级单位“{}”开展{what}，请先调整该下级单位",
                                u.name
                            ),
                        ));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let before = settings::get(&self.db, unit.id).await?;
        let province = before.as_ref().and_then(|s| s.province.clone());
        let mut tx = self.db.begin().await?;
        if list.is_empty() && unit.parent_id.is_some() {
            // "Same as the parent": no list of its own (an empty stored list would mean every
            // type). A row that also holds a province keeps it, with the parent's list.
            match province {
                None => settings::delete(&mut tx, unit.id).await?,
                Some(_) => {
                    settings::put(
                        &mut tx,
                        &UnitSettings {
                            unit_id: unit.id,
                            province,
                            case_types: parent_list.clone(),
                        },
                    )
                    .await?
                }
            }
        } else {
            settings::put(
                &mut tx,
                &UnitSettings {
                    unit_id: unit.id,
                    province,
                    case_types: list.clone(),
                },
            )
            .await?;
        }
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "set_case_types",
            entity: "unit",
            entity_id: &unit.id.to_string(),
            before: Some(&serde_json::json!({
                "case_types": before.map(|s| s.case_types),
            })),
            after: Some(&serde_json::json!({ "case_types": list })),
        })
        .await?;
        tx.commit().await?;
        self.unit_case_types(&unit).await
    }
}

#[cfg(test)]
mod tests {
    use super::path_ids_deepest_first;
    use fazhi_domain::UnitId;

    #[test]
    fn path_ids_are_deepest_first() {
        assert_eq!(
            path_ids_deepest_first("/1/2/7/"),
            vec![UnitId(7), UnitId(2), UnitId(1)]
        );
        assert!(path_ids_deepest_first("/").is_empty());
    }
}
