//! Units, departments, users, officers and certificates: admin use cases, each one audited
//! transaction.

use fazhi_domain::{DepartmentId, OfficerId, Role, Scope, UnitId, UnitKind, UserId};
use fazhi_store::org::{self, NewCertificate, NewOfficer, NewUser};
use fazhi_store::{AuditEntry, CertificateRow, DepartmentRow, OfficerRow, UnitRow, UserRow};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError, FieldProblem, auth};

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn nonempty(problems: &mut Vec<FieldProblem>, field: &str, label: &str, v: &str, max: usize) {
    let n = v.trim().chars().count();
    if n == 0 {
        problems.push(FieldProblem::new(
            field,
            "required",
            format!("{label}：必填"),
        ));
    } else if n > max {
        problems.push(FieldProblem::new(
            field,
            "too_long",
            format!("{label}：最多{max}个字符"),
        ));
    }
}

fn parse_date(
    problems: &mut Vec<FieldProblem>,
    field: &str,
    label: &str,
    v: &str,
) -> Option<jiff::civil::Date> {
    match v.trim().parse::<jiff::civil::Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(FieldProblem::new(
                field,
                "date",
                format!("{label}：日期格式应为YYYY-MM-DD，且为真实日期"),
            ));
            None
        }
    }
}

/// Refuses a closed unit as the place of something new (a case, user, department, officer or
/// sub-unit), naming the field.
pub fn require_open(unit: &UnitRow, field: &str, label: &str) -> Result<(), AppError> {
    if unit.closed_at.is_some() {
        return Err(AppError::invalid(
            field,
            "unit_closed",
            format!(
                "{label}：单位“{}”已撤销，不再接收新的案件、用户、部门、执法人员或下级单位",
                unit.name
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewUnitInput {
    pub parent_code: Option<String>,
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewUserInput {
    pub login: String,
    pub display_name: String,
    pub password: String,
    pub unit_code: String,
    pub department_code: Option<String>,
    pub roles: Vec<String>,
    pub scope: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewOfficerInput {
    pub code: String,
    pub name: String,
    pub login: Option<String>,
    pub unit_code: String,
    pub department_code: Option<String>,
    #[serde(default)]
    pub legal_reviewer: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewCertificateInput {
    pub number: String,
    pub domain: String,
    pub valid_from: String,
    pub valid_to: String,
    pub annual_check_year: Option<i64>,
}

/// An officer with certificates and whether each is valid on a given date.
#[derive(Debug, Clone, Serialize)]
pub struct OfficerView {
    pub officer: OfficerRow,
    pub certificates: Vec<CertificateView>,
    pub certified_on_date: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    pub certificate: CertificateRow,
    /// 有效 / 已过期 / 未生效 / 已注销 / 即将到期
    pub status: String,
    pub valid: bool,
}

impl App {
    async fn unit_by_code_required(&self, field: &str, code: &str) -> Result<UnitRow, AppError> {
        org::unit_by_code(&self.db, code).await?.ok_or_else(|| {
            AppError::invalid(
                field,
                "unknown_unit",
                format!("单位：不存在代码为“{code}”的单位"),
            )
        })
    }

    async fn department_by_code(&self, field: &str, code: &str) -> Result<DepartmentRow, AppError> {
        org::departments(&self.db)
            .await?
            .into_iter()
            .find(|d| d.code == code)
            .ok_or_else(|| {
                AppError::invalid(
                    field,
                    "unknown_department",
                    format!("部门：不存在代码为“{code}”的部门"),
                )
            })
    }

    pub async fn create_unit(
        &self,
        actor: &Actor,
        input: &NewUnitInput,
    ) -> Result<UnitRow, AppError> {
        actor.require(Role::Admin)?;
        let mut problems = Vec::new();
        nonempty(&mut problems, "code", "单位代码", &input.code, 32);
        nonempty(&mut problems, "name", "单位名称", &input.name, 64);
        if input.kind.parse::<UnitKind>().is_err() {
            problems.push(FieldProblem::new(
                "kind",
                "unknown_kind",
                format!("单位类型：未知的类型“{}”", input.kind),
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let parent = match &input.parent_code {
            Some(c) if !c.trim().is_empty() => {
                Some(self.unit_by_code_required("parent_code", c.trim()).await?)
            }
            _ => None,
        };
        match &parent {
            Some(p) => {
                actor.require_unit(&p.path, "上级单位")?;
                require_open(p, "parent_code", "上级单位")?;
            }
            // A new top of the tree is the operator's decision (command line), never a user's.
            None if !actor.is_system() => {
                return Err(AppError::Forbidden(
                    "只能在本单位及下级单位下新建单位，请选择上级单位".into(),
                ));
            }
            None => {}
        }
        if org::unit_by_code(&self.db, input.code.trim())
            .await?
            .is_some()
        {
            return Err(AppError::invalid("code", "duplicate", "单位代码：已存在"));
        }
        let mut tx = self.db.begin().await?;
        let unit = org::insert_unit(
            &mut tx,
            parent.as_ref(),
            input.code.trim(),
            input.name.trim(),
            &input.kind,
        )
        .await?;
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "create",
            entity: "unit",
            entity_id: &unit.id.to_string(),
            before: None,
            after: Some(&json(&unit)),
        })
        .await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn create_department(
        &self,
        actor: &Actor,
        unit_code: &str,
        code: &str,
        name: &str,
    ) -> Result<DepartmentRow, AppError> {
        actor.require(Role::Admin)?;
        let mut problems = Vec::new();
        nonempty(&mut problems, "code", "部门代码", code, 32);
        nonempty(&mut problems, "name", "部门名称", name, 64);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let unit = self.unit_by_code_required("unit_code", unit_code).await?;
        actor.require_unit(&unit.path, "所选单位")?;
        require_open(&unit, "unit_code", "所属单位")?;
        if self.department_by_code("code", code).await.is_ok() {
            return Err(AppError::invalid("code", "duplicate", "部门代码：已存在"));
        }
        let mut tx = self.db.begin().await?;
        let d = org::insert_department(&mut tx, unit.id, code.trim(), name.trim()).await?;
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "create",
            entity: "department",
            entity_id: &d.id.to_string(),
            before: None,
            after: Some(&json(&d)),
        })
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        input: &NewUserInput,
    ) -> Result<UserId, AppError> {
        actor.require(Role::Admin)?;
        let mut problems = Vec::new();
        nonempty(&mut problems, "login", "登录名", &input.login, 32);
        if !input
            .login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            problems.push(FieldProblem::new(
                "login",
                "charset",
                "登录名：只能包含英文字母、数字、点、下划线和连字符",
            ));
        }
        nonempty(
            &mut problems,
            "display_name",
            "姓名",
            &input.display_name,
            32,
        );
        if let Err(AppError::Invalid(p)) = auth::check_password_policy(&input.password) {
            problems.extend(p);
        }
        if input.roles.is_empty() {
            problems.push(FieldProblem::new(
                "roles",
                "required",
                "角色：至少选择一个角色",
            ));
        }
        for r in &input.roles {
            if r.parse::<Role>().is_err() {
                problems.push(FieldProblem::new(
                    "roles",
                    "unknown_role",
                    format!("角色：未知的角色“{r}”"),
                ));
            }
        }
        if input.scope.parse::<Scope>().is_err() {
            problems.push(FieldProblem::new(
                "scope",
                "unknown_scope",
                format!("数据范围：未知的范围“{}”", input.scope),
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let unit = self
            .unit_by_code_required("unit_code", &input.unit_code)
            .await?;
        actor.require_unit(&unit.path, "所选单位")?;
        require_open(&unit, "unit_code", "所属单位")?;
        let dept = self
            .department_of_unit(&unit, input.department_code.as_deref())
            .await?;
        if org::user_by_login(&self.db, &input.login).await?.is_some() {
            return Err(AppError::invalid("login", "duplicate", "登录名：已被使用"));
        }
        let hash = auth::hash_password(&input.password)?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let id = org::insert_user(
            &mut tx,
            &NewUser {
                login: input.login.trim(),
                display_name: input.display_name.trim(),
                password_hash: &hash,
                unit_id: unit.id,
                department_id: dept,
                scope: &input.scope,
                roles: &input.roles,
                created_at: now,
            },
        )
        .await?;
        let after = serde_json::json!({ "login": input.login, "display_name": input.display_name, "unit": unit.code, "department": input.department_code, "roles": input.roles, "scope": input.scope });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "create",
            entity: "user",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sets a user's password: an admin for anyone, a user for themself.
    pub async fn set_password(
        &self,
        actor: &Actor,
        login: &str,
        password: &str,
    ) -> Result<(), AppError> {
        let user = org::user_by_login(&self.db, login).await?.ok_or_else(|| {
            AppError::invalid(
                "login",
                "unknown_user",
                format!("登录名：用户“{login}”不存在"),
            )
        })?;
        if user.id != actor.id {
            actor.require(Role::Admin)?;
            let unit = org::unit(&self.db, user.unit_id).await?;
            actor.require_unit(&unit.path, "该用户")?;
        }
        auth::check_password_policy(password)?;
        let hash = auth::hash_password(password)?;
        let mut tx = self.db.begin().await?;
        org::set_password(&mut tx, user.id, &hash).await?;
        let after = serde_json::json!({ "password": "（已修改）" });
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "set_password",
            entity: "user",
            entity_id: &user.id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        fazhi_store::sessions::delete_for_user(&self.db, user.id).await?;
        Ok(())
    }

    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<UserRow>, AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "需要“系统管理员”或“分管领导”角色".into(),
            ));
        }
        let units = org::units(&self.db).await?;
        let visible: std::collections::HashSet<UnitId> = units
            .iter()
            .filter(|u| u.path.starts_with(&actor.unit_path))
            .map(|u| u.id)
            .collect();
        Ok(org::users(&self.db)
            .await?
            .into_iter()
            .filter(|u| visible.contains(&u.unit_id))
            .collect())
    }

    pub async fn list_units(&self, actor: &Actor) -> Result<Vec<UnitRow>, AppError> {
        Ok(org::units(&self.db)
            .await?
            .into_iter()
            .filter(|u| {
                u.path.starts_with(&actor.unit_path) || actor.unit_path.starts_with(&u.path)
            })
            .collect())
    }

    pub async fn list_departments(&self, actor: &Actor) -> Result<Vec<DepartmentRow>, AppError> {
        let units = self.list_units(actor).await?;
        let ids: std::collections::HashSet<UnitId> = units.iter().map(|u| u.id).collect();
        Ok(org::departments(&self.db)
            .await?
            .into_iter()
            .filter(|d| ids.contains(&d.unit_id))
            .collect())
    }

    pub async fn create_officer(
        &self,
        actor: &Actor,
        input: &NewOfficerInput,
    ) -> Result<OfficerId, AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "需要“系统管理员”或“分管领导”角色".into(),
            ));
        }
        let mut problems = Vec::new();
        nonempty(&mut problems, "code", "执法人员编号", &input.code, 32);
        nonempty(&mut problems, "name", "姓名", &input.name, 32);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let unit = self
            .unit_by_code_required("unit_code", &input.unit_code)
            .await?;
        actor.require_unit(&unit.path, "所选单位")?;
        require_open(&unit, "unit_code", "所属单位")?;
        let dept = self
            .department_of_unit(&unit, input.department_code.as_deref())
            .await?;
        let user_id = match &input.login {
            Some(l) if !l.is_empty() => {
                let user = org::user_by_login(&self.db, l).await?.ok_or_else(|| {
                    AppError::invalid(
                        "login",
                        "unknown_user",
                        format!("关联用户：用户“{l}”不存在"),
                    )
                })?;
                let user_unit = org::unit(&self.db, user.unit_id).await?;
                actor.require_unit(&user_unit.path, "关联用户")?;
                Some(user.id)
            }
            _ => None,
        };
        if org::officer_by_code(&self.db, &input.code).await?.is_some() {
            return Err(AppError::invalid(
                "code",
                "duplicate",
                "执法人员编号：已存在",
            ));
        }
        let mut tx = self.db.begin().await?;
        let id = org::insert_officer(
            &mut tx,
            &NewOfficer {
                code: input.code.trim(),
                name: input.name.trim(),
                user_id,
                unit_id: unit.id,
                department_id: dept,
                legal_reviewer: input.legal_reviewer,
            },
        )
        .await?;
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "create",
            entity: "officer",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&json(input)),
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn add_certificate(
        &self,
        actor: &Actor,
        officer_code: &str,
        input: &NewCertificateInput,
    ) -> Result<(), AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "需要“系统管理员”或“分管领导”角色".into(),
            ));
        }
        let officer = org::officer_by_code(&self.db, officer_code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("执法人员“{officer_code}”")))?;
        let unit = org::unit(&self.db, officer.unit_id).await?;
        actor.require_unit(&unit.path, "该执法人员")?;
        let mut problems = Vec::new();
        nonempty(&mut problems, "number", "执法证号", &input.number, 32);
        let domains = self
            .registry
            .register_dictionary(fazhi_workflow::presentation::OFFICER_CERTIFICATE_DOMAIN)
            .into_iter()
            .map(|e| e.value)
            .collect::<Vec<_>>();
        if !domains.contains(&input.domain) {
            problems.push(FieldProblem::new(
                "domain",
                "unknown_domain",
                format!("执法领域：应为{}之一", domains.join("、")),
            ));
        }
        let from = parse_date(&mut problems, "valid_from", "有效期起", &input.valid_from);
        let to = parse_date(&mut problems, "valid_to", "有效期止", &input.valid_to);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            problems.push(FieldProblem::new(
                "valid_to",
                "before_start",
                "有效期止：不能早于有效期起",
            ));
        }
        if let Some(y) = input.annual_check_year
            && !(2000..=2100).contains(&y)
        {
            problems.push(FieldProblem::new(
                "annual_check_year",
                "range",
                "年审年度：应为2000至2100之间的年份",
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        // Four eyes: a certificate entered by a user counts only once a second person has
        // approved it (approve_certificate); the operator's command line is trusted.
        let requested_by = (!actor.is_system()).then_some(actor.login.as_str());
        let mut tx = self.db.begin().await?;
        let id = org::insert_certificate_requested(
            &mut tx,
            &NewCertificate {
                officer_id: officer.id,
                number: input.number.trim(),
                domain: &input.domain,
                valid_from: input.valid_from.trim(),
                valid_to: input.valid_to.trim(),
                annual_check_year: input.annual_check_year,
            },
            requested_by,
        )
        .await
        .map_err(|e| match e {
            fazhi_store::StoreError::Conflict(_) => {
                AppError::invalid("number", "duplicate", "执法证号：已存在")
            }
            other => other.into(),
        })?;
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "create",
            entity: "certificate",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "officer": officer.code,
                "certificate": input,
                "review": if requested_by.is_some() { "待复核" } else { "无需复核（命令行）" },
            })),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The second person's review of a certificate entered through the application: an admin or
    /// leader whose scope holds the officer's unit, who neither entered the certificate nor is the
    /// officer. Until then the certificate does not count for any guard (《行政处罚法》第四十二条).
    pub async fn approve_certificate(&self, actor: &Actor, number: &str) -> Result<(), AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "需要“系统管理员”或“分管领导”角色".into(),
            ));
        }
        let cert = org::certificate_by_number(&self.db, number.trim())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("执法证“{}”", number.trim())))?;
        let officer = org::officer(&self.db, cert.officer_id).await?;
        let unit = org::unit(&self.db, officer.unit_id).await?;
        actor.require_unit(&unit.path, "该执法人员")?;
        if !cert.pending_review() {
            return Err(AppError::Conflict("该执法证不在待复核状态".into()));
        }
        if cert.requested_by.as_deref() == Some(actor.login.as_str()) {
            return Err(AppError::Forbidden(
                "录入执法证的人员不能复核自己录入的执法证，请由另一名管理员或领导复核".into(),
            ));
        }
        if officer.user_id == Some(actor.id) {
            return Err(AppError::Forbidden("不能复核本人的执法证".into()));
        }
        let mut tx = self.db.begin().await?;
        org::approve_certificate(&mut tx, cert.id, &actor.login).await?;
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "approve",
            entity: "certificate",
            entity_id: &cert.id.to_string(),
            before: Some(&serde_json::json!({ "review": "待复核", "requested_by": cert.requested_by })),
            after: Some(&serde_json::json!({ "review": "已复核", "reviewed_by": actor.login, "officer": officer.code, "number": cert.number })),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The department with this code, which must belong to `unit` (none when no code is given).
    async fn department_of_unit(
        &self,
        unit: &UnitRow,
        code: Option<&str>,
    ) -> Result<Option<DepartmentId>, AppError> {
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        let d = self.department_by_code("department_code", code).await?;
        if d.unit_id != unit.id {
            return Err(AppError::invalid(
                "department_code",
                "other_unit",
                format!("部门：“{code}”不属于所选单位“{}”", unit.name),
            ));
        }
        Ok(Some(d.id))
    }

    /// Officers with their certificates' status on `on`.
    pub async fn list_officers(
        &self,
        actor: &Actor,
        on: jiff::civil::Date,
    ) -> Result<Vec<OfficerView>, AppError> {
        let units = self.list_units(actor).await?;
        let ids: std::collections::HashSet<UnitId> = units
            .iter()
            .filter(|u| u.path.starts_with(&actor.unit_path))
            .map(|u| u.id)
            .collect();
        let certs = org::certificates(&self.db).await?;
        let mut out = Vec::new();
        for o in org::officers(&self.db)
            .await?
            .into_iter()
            .filter(|o| ids.contains(&o.unit_id))
        {
            let certificates: Vec<CertificateView> = certs
                .iter()
                .filter(|c| c.officer_id == o.id)
                .map(|c| certificate_view(c, on))
                .collect();
            let certified_on_date = certificates.iter().any(|c| c.valid);
            out.push(OfficerView {
                officer: o,
                certificates,
                certified_on_date,
            });
        }
        Ok(out)
    }
}

/// A certificate's status on a date: valid from/to inclusive, not revoked.
pub fn certificate_view(c: &CertificateRow, on: jiff::civil::Date) -> CertificateView {
    let on_s = on.to_string();
    let (status, valid) = if c.revoked {
        ("已注销", false)
    } else if c.pending_review() {
        ("待复核", false)
    } else if on_s < c.valid_from {
        ("未生效", false)
    } else if on_s > c.valid_to {
        ("已过期", false)
    } else if on
        .checked_add(jiff::Span::new().days(60))
        .map(|d| d.to_string() > c.valid_to)
        .unwrap_or(false)
    {
        ("即将到期", true)
    } else {
        ("有效", true)
    };
    CertificateView {
        certificate: c.clone(),
        status: status.into(),
        valid,
    }
}
