//! Who is acting, and what they may see and do. Every read and write in this crate asks here.

use fazhi_domain::{DepartmentId, Role, Scope, UnitId, UserId};
use fazhi_store::{CaseRow, UserRow, cases::CaseFilter};
use serde::Serialize;

use crate::AppError;

/// The authenticated user with everything access checks need.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub scope: Scope,
    pub unit_id: UnitId,
    pub unit_path: String,
    pub unit_name: String,
    pub department_id: Option<DepartmentId>,
}

impl Actor {
    pub fn from_row(u: &UserRow, unit_path: String, unit_name: String) -> Actor {
        Actor {
            id: u.id,
            login: u.login.clone(),
            display_name: u.display_name.clone(),
            roles: u.roles.iter().filter_map(|r| r.parse().ok()).collect(),
            scope: u.scope.parse().unwrap_or(Scope::OwnOnly),
            unit_id: u.unit_id,
            unit_path,
            unit_name,
            department_id: u.department_id,
        }
    }

    /// The built-in system actor used by command-line tools (`fazhi user add`, demo loading).
    pub fn system(unit_id: UnitId, unit_path: &str) -> Actor {
        Actor {
            id: UserId(0),
            login: "system".into(),
            display_name: "系统".into(),
            roles: vec![Role::Admin],
            scope: Scope::UnitSubtree,
            unit_id,
            unit_path: unit_path.into(),
            unit_name: String::new(),
            department_id: None,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn role_codes(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.code().to_string()).collect()
    }

    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.has(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "需要“{}”角色",
                role.label_zh()
            )))
        }
    }

    /// May this actor see the case at all? (data scope: own unit and below / own department / self)
    pub fn can_see(&self, c: &CaseRow) -> bool {
        if !c.unit_path.starts_with(&self.unit_path) {
            return false;
        }
        match self.scope {
            Scope::UnitSubtree => true,
            Scope::Department => {
                self.department_id.is_some() && c.department_id == self.department_id
                    || c.owner_id == Some(self.id)
            }
            Scope::OwnOnly => c.owner_id == Some(self.id),
        }
    }

    /// Narrows a list filter to this actor's data scope.
    pub fn scope_filter(&self, f: &mut CaseFilter) {
        f.unit_path = Some(match &f.unit_path {
            Some(p) if p.starts_with(&self.unit_path) => p.clone(),
            _ => self.unit_path.clone(),
        });
        match self.scope {
            Scope::UnitSubtree => {}
            Scope::Department => match self.department_id {
                Some(d) => {
                    f.department_id = Some(d);
                    f.owner_id = Some(self.id);
                    f.department_or_owner = true;
                }
                None => f.owner_id = Some(self.id),
            },
            Scope::OwnOnly => f.owner_id = Some(self.id),
        }
    }

    /// Is the unit with this materialised path inside the actor's unit subtree?
    pub fn covers_unit(&self, unit_path: &str) -> bool {
        unit_path.starts_with(&self.unit_path)
    }

    /// Refuses a write whose target unit (or the unit of its officer, user or department) lies
    /// outside the actor's unit subtree. `what` names the target for the user.
    pub fn require_unit(&self, unit_path: &str, what: &str) -> Result<(), AppError> {
        if self.covers_unit(unit_path) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "{what}不在您的数据范围（{}及下级单位）内",
                if self.unit_name.is_empty() {
                    "本单位"
                } else {
                    self.unit_name.as_str()
                }
            )))
        }
    }

    /// The built-in system actor of the command line (the operator, who holds the database).
    pub fn is_system(&self) -> bool {
        self.id == UserId(0)
    }

    /// Is the actor's unit at the top of the tree (sees entries not tied to any unit)?
    pub fn at_top(&self) -> bool {
        self.unit_path.trim_matches('/').split('/').count() <= 1
    }

    /// Whether this actor may see personal data unmasked (after an audited reveal).
    pub fn may_reveal_personal(&self) -> bool {
        self.roles.iter().any(|r| !matches!(r, Role::Viewer))
    }
}
