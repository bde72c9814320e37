//! First run (issue 17): the top unit, its settings (province of the calendar overlay, the case
//! types it runs) and the first administrator, in one audited transaction. Refused on a database
//! that already has units, unless it is the same first run again (idempotent).

use fazhi_domain::{Role, Scope, UnitKind};
use fazhi_store::settings::{self, UnitSettings};
use fazhi_store::{AuditEntry, UnitRow, org};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, FieldProblem, auth};

/// What the first run asks for (`fazhi init`, the setup page).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct InitInput {
    /// The administrative division code (统计用区划代码) of the top unit: 6, 9 or 12 digits.
    pub division_code: String,
    pub unit_name: String,
    /// 区, 街道 or 镇 (or the codes district, street, township).
    pub level: String,
    /// Two-digit province code for the calendar overlay; empty: the division code's first two.
    #[serde(default)]
    pub province: Option<String>,
    pub admin_login: String,
    pub admin_name: String,
    #[serde(skip_serializing)]
    pub admin_password: String,
    /// Case-type codes the unit runs; empty: every case type of the registry.
    #[serde(default)]
    pub case_types: Vec<String>,
}

/// What the first run did.
#[derive(Debug, Clone, Serialize)]
pub enum InitOutcome {
    /// The unit, its settings and the administrator were created.
    Created {
        unit: UnitRow,
        settings: UnitSettings,
    },
    /// The database already holds this very first run (same unit and administrator): nothing
    /// was written.
    AlreadyDone { unit: UnitRow },
}

fn level_of(s: &str) -> Option<UnitKind> {
    match s.trim() {
        "区" | "district" => Some(UnitKind::District),
        "街道" | "street" => Some(UnitKind::Street),
        "镇" | "township" => Some(UnitKind::Township),
        _ => None,
    }
}

impl App {
    /// Whether the first run is still to be done (the database has no unit).
    pub async fn needs_setup(&self) -> Result<bool, AppError> {
        Ok(settings::unit_count(&self.db).await? == 0)
    }

    /// The settings of the top unit (the first root unit), if the first run wrote them.
    pub async fn top_unit_settings(&self) -> Result<Option<UnitSettings>, AppError> {
        let units = org::units(&self.db).await?;
        match units.iter().find(|u| u.parent_id.is_none()) {
            Some(u) => Ok(settings::get(&self.db, u.id).await?),
            None => Ok(None),
        }
    }

    /// Validates the first-run input; every problem at once, each naming its field in Chinese.
    pub fn check_init(&self, input: &InitInput) -> Result<(UnitKind, Option<String>), AppError> {
        let mut p = Vec::new();
        let code = input.division_code.trim();
        if !(matches!(code.len(), 6 | 9 | 12) && code.bytes().all(|b| b.is_ascii_digit())) {
            p.push(FieldProblem::new(
                "division_code",
                "format",
                format!("行政区划代码：应为6位、9位或12位数字（收到“{code}”）"),
            ));
        }
        let name = input.unit_name.trim().chars().count();
        if name == 0 {
            p.push(FieldProblem::new("unit_name", "required", "单位名称：必填"));
        } else if name > 64 {
            p.push(FieldProblem::new(
                "unit_name",
                "too_long",
                "单位名称：最多64个字符",
            ));
        }
        let kind = level_of(&input.level);
        if kind.is_none() {
            p.push(FieldProblem::new(
                "level",
                "unknown_level",
                format!("层级：应为区、街道或镇（收到“{}”）", input.level.trim()),
            ));
        }
        let prefix: String = code.chars().take(2).collect();
        let province = match input.province.as_deref().map(str::trim) {
            Some(pv) if !pv.is_empty() => {
                if !(pv.len() == 2 && pv.bytes().all(|b| b.is_ascii_digit())) {
                    p.push(FieldProblem::new(
                        "province",
                        "format",
                        format!("省份代码：应为2位数字（收到“{pv}”）"),
                    ));
                } else if code.len() >= 2 && pv != prefix {
                    p.push(FieldProblem::new(
                        "province",
                        "mismatch",
                        format!("省份代码：“{pv}”与行政区划代码的前两位“{prefix}”不一致"),
                    ));
                }
                Some(pv.to_string())
            }
            _ if prefix.len() == 2 && prefix.bytes().all(|b| b.is_ascii_digit()) => Some(prefix),
            _ => None,
        };
        if let Some(pv) = &province
            && let Ok(n) = pv.parse::<u32>()
            && !(11..=82).contains(&n)
        {
            p.push(FieldProblem::new(
                "province",
                "unknown_province",
                format!("省份代码：“{pv}”不是省级行政区划代码（11至82）"),
            ));
        }
        for t in &input.case_types {
            if self.registry.get(t).is_none() {
                let known: Vec<&str> = self.registry.types().map(|c| c.code.as_str()).collect();
                p.push(FieldProblem::new(
                    "case_types",
                    "unknown_case_type",
                    format!("案件类型：未知的案件类型“{t}”，可选：{}", known.join("、")),
                ));
            }
        }
        let login = input.admin_login.trim();
        if login.is_empty() {
            p.push(FieldProblem::new(
                "admin_login",
                "required",
                "管理员登录名：必填",
            ));
        } else if login.chars().count() > 32
            || !login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            p.push(FieldProblem::new(
                "admin_login",
                "charset",
                "管理员登录名：最多32个字符，只能包含英文字母、数字、点、下划线和连字符",
            ));
        }
        let n = input.admin_name.trim().chars().count();
        if n == 0 || n > 32 {
            p.push(FieldProblem::new(
                "admin_name",
                "required",
                "管理员姓名：必填，最多32个字符",
            ));
        }
        if let Err(AppError::Invalid(pw)) = auth::check_password_policy(&input.admin_password) {
            p.extend(pw.into_iter().map(|mut x| {
                x.field = "admin_password".into();
                x
            }));
        }
        if !p.is_empty() {
            return Err(AppError::Invalid(p));
        }
        Ok((kind.unwrap_or(UnitKind::Street), province))
    }

    /// The first run. `by` names who ran it in the audit log (`init` on the command line,
    /// `setup-page` for the web page).
    pub async fn init(&self, by: &str, input: &InitInput) -> Result<InitOutcome, AppError> {
        let (kind, province) = self.check_init(input)?;
        let code = input.division_code.trim();
        let name = input.unit_name.trim();
        let login = input.admin_login.trim();
        if !self.needs_setup().await? {
            return self.init_again(input, kind).await;
        }
        let hash = auth::hash_password(&input.admin_password)?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        // Checked again inside the transaction, which serialises writers: two first runs at
        // once create one unit, and the other is refused.
        let r = tx.fetch_one("SELECT COUNT(*) FROM units", vec![]).await?;
        let n: i64 = fazhi_store::DbRow::col(&r, 0)?;
        if n > 0 {
            drop(tx);
            return self.init_again(input, kind).await;
        }
        let unit = org::insert_unit(&mut tx, None, code, name, kind.code()).await?;
        let mut case_types: Vec<String> = input
            .case_types
            .iter()
            .map(|s| s.trim().to_string())
            .collect();
        case_types.sort();
        case_types.dedup();
        let s = UnitSettings {
            unit_id: unit.id,
            province,
            case_types,
        };
        settings::put(&mut tx, &s).await?;
        let roles = vec![Role::Admin.code().to_string()];
        let user = org::insert_user(
            &mut tx,
            &org::NewUser {
                login,
                display_name: input.admin_name.trim(),
                password_hash: &hash,
                unit_id: unit.id,
                department_id: None,
                scope: Scope::UnitSubtree.code(),
                roles: &roles,
                created_at: now,
            },
        )
        .await?;
        let after = serde_json::json!({
            "unit": unit,
            "settings": s,
            "admin": { "id": user.0, "login": login, "display_name": input.admin_name.trim(), "roles": roles, "scope": Scope::UnitSubtree.code() },
        });
        tx.audit(AuditEntry {
            at: now,
            actor: by,
            action: "init",
            entity: "unit",
            entity_id: &unit.id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(InitOutcome::Created { unit, settings: s })
    }

    /// A database that has units: the same first run again is done already; anything else is
    /// refused.
    async fn init_again(&self, input: &InitInput, kind: UnitKind) -> Result<InitOutcome, AppError> {
        let units = org::units(&self.db).await?;
        let root = units.iter().find(|u| u.parent_id.is_none());
        let admin = org::user_by_login(&self.db, input.admin_login.trim()).await?;
        match (root, admin) {
            (Some(u), Some(a))
                if u.code == input.division_code.trim()
                    && u.name == input.unit_name.trim()
                    && u.kind == kind.code()
                    && a.unit_id == u.id
                    && a.roles.iter().any(|r| r == Role::Admin.code()) =>
            {
                Ok(InitOutcome::AlreadyDone { unit: u.clone() })
            }
            (root, _) => Err(AppError::Conflict(format!(
                "数据库已经初始化（已有{}个单位{}），不能再次初始化；请在“组织机构”管理页面或用 fazhi org import 维护单位和用户",
                units.len(),
                root.map(|u| format!("，最上级为{}（{}）", u.name, u.code))
                    .unwrap_or_default()
            ))),
        }
    }
}
