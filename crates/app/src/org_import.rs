//! Organisation data from an Excel workbook (issue 17): units (streets, communities, villages,
//! grids), departments, users and enforcement officers with certificates, in one file.
//!
//! The workbook is read with calamine; the template is written with rust_xlsxwriter. Every row is
//! checked before anything is written, and every problem is reported with its sheet, row and
//! column, in Chinese. A dry run stops there; otherwise the whole workbook is one audited
//! transaction: all or nothing.

use std::collections::{HashMap, HashSet};

use fazhi_domain::{Role, Scope, UnitKind};
use fazhi_store::org::{self, NewCertificate, NewOfficer, NewUser};
use fazhi_store::{AuditEntry, UnitRow};
use serde::Serialize;

use crate::{Actor, App, AppError, auth};

/// The sheets and their columns, in template order.
pub const SHEETS: &[(&str, &[&str])] = &[
    ("单位", &["上级单位代码", "单位代码", "单位名称", "类型"]),
    ("部门", &["单位代码", "部门代码", "部门名称"]),
    (
        "用户",
        &[
            "登录名",
            "姓名",
            "单位代码",
            "部门代码",
            "角色",
            "数据范围",
            "初始密码",
        ],
    ),
    (
        "执法人员",
        &[
            "执法人员编号",
            "姓名",
            "单位代码",
            "部门代码",
            "关联登录名",
            "法制审核人员",
            "执法证号",
            "执法领域",
            "有效期起",
            "有效期止",
        ],
    ),
];

/// One problem of the workbook: where it is and what is wrong.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportProblem {
    pub sheet: String,
    /// The row number as Excel shows it (1 is the header row).
    pub row: u32,
    /// The column's header (empty for a problem of the whole sheet or row).
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            write!(f, "工作表“{}”：{}", self.sheet, self.message)
        } else if self.column.is_empty() {
            write!(
                f,
                "工作表“{}”第{}行：{}",
                self.sheet, self.row, self.message
            )
        } else {
            write!(
                f,
                "工作表“{}”第{}行“{}”列：{}",
                self.sheet, self.row, self.column, self.message
            )
        }
    }
}

/// What an import created (or, in a dry run, would create).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub dry_run: bool,
    pub units: usize,
    pub departments: usize,
    pub users: usize,
    pub officers: usize,
    pub certificates: usize,
}

/// A sheet's cells as text, with the Excel row number of each row.
#[derive(Debug, Clone, Default)]
pub struct SheetRows {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<(u32, Vec<String>)>,
}

/// Excel's day serial (1900 date system) → civil date.
fn excel_date(serial: f64) -> Option<jiff::civil::Date> {
    let base = jiff::civil::date(1899, 12, 30);
    base.checked_add(jiff::Span::new().days(serial.floor() as i64))
        .ok()
}

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64())
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads the workbook's sheets named in [`SHEETS`] (others are ignored; missing ones are empty).
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<SheetRows>, Vec<ImportProblem>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| {
            vec![ImportProblem {
                sheet: String::new(),
                row: 0,
                column: String::new(),
                message: format!("无法读取工作簿（应为.xlsx格式）：{e}"),
            }]
        })?;
    let mut out = Vec::new();
    let names = wb.sheet_names();
    if !SHEETS.iter().any(|(s, _)| names.iter().any(|n| n == s)) {
        return Err(vec![ImportProblem {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            message: format!(
                "工作簿中没有可导入的工作表：应有{}之一（可下载导入模板）",
                SHEETS
                    .iter()
                    .map(|(s, _)| format!("“{s}”"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        }]);
    }
    for (sheet, _) in SHEETS {
        if !names.iter().any(|n| n == sheet) {
            continue;
        }
        let range = wb.worksheet_range(sheet).map_err(|e| {
            vec![ImportProblem {
                sheet: sheet.to_string(),
                row: 0,
                column: String::new(),
                message: format!("无法读取：{e}"),
            }]
        })?;
        let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
        let first_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
        let mut rows = range.rows().enumerate().map(|(i, r)| {
            let mut cells: Vec<String> = vec![String::new(); first_col];
            cells.extend(r.iter().map(cell_text));
            (first_row + i as u32 + 1, cells)
        });
        let header = rows.next().map(|(_, h)| h).unwrap_or_default();
        let rows: Vec<(u32, Vec<String>)> = rows
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .collect();
        out.push(SheetRows {
            name: sheet.to_string(),
            header,
            rows,
        });
    }
    Ok(out)
}

/// The empty template: one sheet per kind of record with its header row and an example row
/// to overwrite, and a sheet explaining the columns.
pub fn template() -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("template: {e}"));
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let examples: &[&[&str]] = &[
        &["420106", "420106001", "望江街道", "街道"],
        &["420106001", "ZFZD", "综合行政执法队"],
        &[
            "handler01",
            "王小明",
            "420106001",
            "",
            "承办人",
            "本单位及下级",
            "Initial-pass-2026",
        ],
        &[
            "ZF001",
            "李执法",
            "420106001",
            "ZFZD",
            "",
            "否",
            "42010620260001",
            "城市管理",
            "2026-01-01",
            "2030-12-31",
        ],
    ];
    for ((sheet, cols), example) in SHEETS.iter().zip(examples) {
        let ws = wb.add_worksheet();
        ws.set_name(*sheet).map_err(fail)?;
        for (i, c) in cols.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *c, &bold)
                .map_err(fail)?;
            ws.write_string(1, i as u16, example.get(i).copied().unwrap_or(""))
                .map_err(fail)?;
            ws.set_column_width(i as u16, 16).map_err(fail)?;
        }
    }
    let help = wb.add_worksheet();
    help.set_name("说明").map_err(fail)?;
    let lines = [
        "每个工作表第1行为列名，请勿修改；第2行是示例，导入前请替换或删除。",
        "单位：类型为区、街道、镇、社区、村或网格；上级单位可以是系统中已有的单位，也可以是本表中的其他行；街道、镇在区下，社区、村在街道或镇下，网格在社区或村下。",
        "部门：单位代码为系统中已有的单位或“单位”表中的单位。",
        "用户：角色可填多个，用顿号或逗号分隔（系统管理员、分管领导、承办人、法制审核人员、执法人员、查看人员）；数据范围为本单位及下级、本部门或仅本人；初始密码至少10个字符，至少包含字母、数字、符号中的两类，用户登录后应修改。",
        "执法人员：法制审核人员填是或否；有执法证的填写执法证号、执法领域和有效期（YYYY-MM-DD），一人多证可写多行（编号相同、证号不同）。",
        "导入要么全部成功，要么全部不写入；可先选择“只检查不导入”。",
    ];
    for (i, l) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, *l).map_err(fail)?;
    }
    help.set_column_width(0, 120).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}

fn parse_label<T: Copy>(
    all: &[T],
    code: fn(&T) -> &'static str,
    label: fn(&T) -> &'static str,
    v: &str,
) -> Option<T> {
    all.iter().copied().find(|x| code(x) == v || label(x) == v)
}

struct UnitPlan {
    row: u32,
    parent: String,
    code: String,
    name: String,
    kind: UnitKind,
}

/// A user row: login, name, unit code, department code, role codes, scope code, password, row.
type UserPlan = (
    String,
    String,
    String,
    Option<String>,
    Vec<String>,
    String,
    String,
    u32,
);
/// An officer row: code, name, unit code, department code, login, legal reviewer, row.
type OfficerPlan = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    u32,
);

#[derive(Default)]
struct Plan {
    units: Vec<UnitPlan>,
    /// Unit code, department code, name, row.
    departments: Vec<(String, String, String, u32)>,
    users: Vec<UserPlan>,
    officers: Vec<OfficerPlan>,
    /// Officer code, number, domain, valid from, valid to.
    certificates: Vec<(String, String, String, String, String)>,
}

impl App {
    /// Imports a workbook (see [`SHEETS`]) as `actor`: every row checked first; with `dry_run`
    /// nothing is written; otherwise all rows in one audited transaction, or none.
    pub async fn import_org(
        &self,
        actor: &Actor,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportSummary, Vec<ImportProblem>> {
        let internal = |e: AppError| {
            vec![ImportProblem {
                sheet: String::new(),
                row: 0,
                column: String::new(),
                message: e.to_string(),
            }]
        };
        actor.require(Role::Admin).map_err(internal)?;
        let sheets = read_workbook(bytes)?;
        let plan = self.check_org(actor, &sheets).await?;
        let summary = ImportSummary {
            dry_run,
            units: plan.units.len(),
            departments: plan.departments.len(),
            users: plan.users.len(),
            officers: plan.officers.len(),
            certificates: plan.certificates.len(),
        };
        if dry_run {
            return Ok(summary);
        }
        self.write_org(actor, plan, &summary)
            .await
            .map_err(internal)?;
        Ok(summary)
    }

    async fn check_org(
        &self,
        actor: &Actor,
        sheets: &[SheetRows],
    ) -> Result<Plan, Vec<ImportProblem>> {
        let internal = |e: fazhi_store::StoreError| {
            vec![ImportProblem {
                sheet: String::new(),
                row: 0,
                column: String::new(),
                message: AppError::from(e).to_string(),
            }]
        };
        let units = org::units(&self.db).await.map_err(internal)?;
        let departments = org::departments(&self.db).await.map_err(internal)?;
        let users = org::users(&self.db).await.map_err(internal)?;
        let officers = org::officers(&self.db).await.map_err(internal)?;
        let certs = org::certificates(&self.db).await.map_err(internal)?;
        let domains: Vec<String> = self
            .registry
            .register_dictionary(fazhi_workflow::presentation::OFFICER_CERTIFICATE_DOMAIN)
            .into_iter()
            .map(|e| e.value)
            .collect();

        let mut problems = Vec::new();
        let mut plan = Plan::default();
        let by_code: HashMap<&str, &UnitRow> = units.iter().map(|u| (u.code.as_str(), u)).collect();
        // Units of the workbook: code → kind, for the sheets that refer to them.
        let mut new_units: HashMap<String, UnitKind> = HashMap::new();

        for sheet in sheets {
            let (_, cols) = SHEETS
                .iter()
                .find(|(n, _)| *n == sheet.name)
                .expect("known sheet");
            // Columns by header; a missing header is a problem of the whole sheet.
            let mut idx = HashMap::new();
            for c in cols.iter() {
                match sheet.header.iter().position(|h| h.trim() == *c) {
                    Some(i) => {
                        idx.insert(*c, i);
                    }
                    None => problems.push(ImportProblem {
                        sheet: sheet.name.clone(),
                        row: 1,
                        column: c.to_string(),
                        message: "缺少此列（请使用导入模板的列名）".into(),
                    }),
                }
            }
            if idx.len() < cols.len() {
                continue;
            }
            for (row, cells) in &sheet.rows {
                let get = |c: &str| cells.get(idx[c]).cloned().unwrap_or_default();
                let mut bad = |column: &str, message: String| {
                    problems.push(ImportProblem {
                        sheet: sheet.name.clone(),
                        row: *row,
                        column: column.into(),
                        message,
                    })
                };
                let required = |bad: &mut dyn FnMut(&str, String), c: &str, max: usize| {
                    let v = get(c);
                    let n = v.chars().count();
                    if n == 0 {
                        bad(c, "必填".into());
                    } else if n > max {
                        bad(c, format!("最多{max}个字符"));
                    }
                    v
                };
                match sheet.name.as_str() {
                    "单位" => {
                        let code = required(&mut bad, "单位代码", 32);
                        let name = required(&mut bad, "单位名称", 64);
                        let parent = required(&mut bad, "上级单位代码", 32);
                        let kind = get("类型");
                        let kind =
                            match parse_label(UnitKind::ALL, |k| k.code(), |k| k.label_zh(), &kind)
                            {
                                Some(k) => Some(k),
                                None => {
                                    bad(
                                        "类型",
                                        format!("应为区、街道、镇、社区、村或网格（收到“{kind}”）"),
                                    );
                                    None
                                }
                            };
                        if !code.is_empty()
                            && (by_code.contains_key(code.as_str())
                                || new_units.contains_key(&code))
                        {
                            bad("单位代码", format!("单位代码“{code}”已存在"));
                        }
                        if let Some(k) = kind {
                            if !code.is_empty() {
                                new_units.insert(code.clone(), k);
                            }
                            plan.units.push(UnitPlan {
                                row: *row,
                                parent,
                                code,
                                name,
                                kind: k,
                            });
                        }
                    }
                    "部门" => {
                        let unit = required(&mut bad, "单位代码", 32);
                        let code = required(&mut bad, "部门代码", 32);
                        let name = required(&mut bad, "部门名称", 64);
                        if !code.is_empty()
                            && (departments.iter().any(|d| d.code == code)
                                || plan.departments.iter().any(|d| d.1 == code))
                        {
                            bad("部门代码", format!("部门代码“{code}”已存在"));
                        }
                        plan.departments.push((unit, code, name, *row));
                    }
                    "用户" => {
                        let login = required(&mut bad, "登录名", 32);
                        if !login
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                        {
                            bad(
                                "登录名",
                                "只能包含英文字母、数字、点、下划线和连字符".into(),
                            );
                        }
                        if !login.is_empty()
                            && (users.iter().any(|u| u.login == login)
                                || plan.users.iter().any(|u| u.0 == login))
                        {
                            bad("登录名", format!("登录名“{login}”已被使用"));
                        }
                        let name = required(&mut bad, "姓名", 32);
                        let unit = required(&mut bad, "单位代码", 32);
                        let dept = Some(get("部门代码")).filter(|d| !d.is_empty());
                        let mut roles = Vec::new();
                        for r in get("角色")
                            .split(['、', ',', '，', ';', '；', ' '])
                            .filter(|r| !r.is_empty())
                        {
                            match parse_label(Role::ALL, |x| x.code(), |x| x.label_zh(), r) {
                                Some(role) => roles.push(role.code().to_string()),
                                None => bad("角色", format!("未知的角色“{r}”")),
                            }
                        }
                        if get("角色").trim().is_empty() {
                            bad("角色", "必填，至少一个角色".into());
                        }
                        let scope_text = get("数据范围");
                        let scope = if scope_text.is_empty() {
                            Scope::UnitSubtree
                        } else {
                            parse_label(Scope::ALL, |x| x.code(), |x| x.label_zh(), &scope_text)
                                .unwrap_or_else(|| {
                                    bad(
                                        "数据范围",
                                        format!(
                                            "应为本单位及下级、本部门或仅本人（收到“{scope_text}”）"
                                        ),
                                    );
                                    Scope::UnitSubtree
                                })
                        };
                        if scope == Scope::Department && dept.is_none() {
                            bad("部门代码", "数据范围为本部门时必填".into());
                        }
                        let password = get("初始密码");
                        if let Err(AppError::Invalid(p)) = auth::check_password_policy(&password) {
                            for x in p {
                                bad(
                                    "初始密码",
                                    x.message.trim_start_matches("密码：").to_string(),
                                );
                            }
                        }
                        plan.users.push((
                            login,
                            name,
                            unit,
                            dept,
                            roles,
                            scope.code().to_string(),
                            password,
                            *row,
                        ));
                    }
                    _ => {
                        let code = required(&mut bad, "执法人员编号", 32);
                        let name = required(&mut bad, "姓名", 32);
                        let unit = required(&mut bad, "单位代码", 32);
                        let dept = Some(get("部门代码")).filter(|d| !d.is_empty());
                        let login = Some(get("关联登录名")).filter(|d| !d.is_empty());
                        let legal = match get("法制审核人员").as_str() {
                            "是" | "1" | "true" => true,
                            "否" | "" | "0" | "false" => false,
                            other => {
                                bad("法制审核人员", format!("应为是或否（收到“{other}”）"));
                                false
                            }
                        };
                        let number = get("执法证号");
                        if !number.is_empty() {
                            let domain = get("执法领域");
                            if !domains.contains(&domain) {
                                bad(
                                    "执法领域",
                                    format!("应为{}之一（收到“{domain}”）", domains.join("、")),
                                );
                            }
                            let from = get("有效期起");
                            let to = get("有效期止");
                            let f = from.parse::<jiff::civil::Date>().ok();
                            let t = to.parse::<jiff::civil::Date>().ok();
                            if f.is_none() {
                                bad(
                                    "有效期起",
                                    format!("日期格式应为YYYY-MM-DD，且为真实日期（收到“{from}”）"),
                                );
                            }
                            if t.is_none() {
                                bad(
                                    "有效期止",
                                    format!("日期格式应为YYYY-MM-DD，且为真实日期（收到“{to}”）"),
                                );
                            }
                            if let (Some(f), Some(t)) = (f, t)
                                && t < f
                            {
                                bad("有效期止", "不能早于有效期起".into());
                            }
                            if certs.iter().any(|c| c.number == number)
                                || plan.certificates.iter().any(|c| c.1 == number)
                            {
                                bad("执法证号", format!("执法证号“{number}”已存在"));
                            }
                            plan.certificates
                                .push((code.clone(), number, domain, from, to));
                        }
                        // One officer per code; further rows of the same code add certificates.
                        if officers.iter().any(|o| o.code == code) {
                            bad("执法人员编号", format!("执法人员编号“{code}”已存在"));
                        } else if !plan.officers.iter().any(|o| o.0 == code) {
                            plan.officers
                                .push((code, name, unit, dept, login, legal, *row));
                        }
                    }
                }
            }
        }

        // The unit tree: each new unit's parent is an existing unit in the actor's subtree, or
        // a unit of the workbook; the kinds nest as the administrative levels do.
        let kind_of = |code: &str| -> Option<UnitKind> {
            new_units
                .get(code)
                .copied()
                .or_else(|| by_code.get(code).and_then(|u| u.kind.parse().ok()))
        };
        let in_scope = |code: &str| -> bool {
            by_code
                .get(code)
                .is_none_or(|u| u.path.starts_with(&actor.unit_path))
        };
        for u in &plan.units {
            if u.parent.is_empty() {
                continue;
            }
            match kind_of(&u.parent) {
                None => problems.push(ImportProblem {
                    sheet: "单位".into(),
                    row: u.row,
                    column: "上级单位代码".into(),
                    message: format!("不存在代码为“{}”的单位（系统中和本表中都没有）", u.parent),
                }),
                Some(pk) => {
                    if !in_scope(&u.parent) {
                        problems.push(ImportProblem {
                            sheet: "单位".into(),
                            row: u.row,
                            column: "上级单位代码".into(),
                            message: "只能在本单位及下级单位下新建单位".into(),
                        });
                    } else if let Some(p) = by_code
                        .get(u.parent.as_str())
                        .filter(|p| p.closed_at.is_some())
                    {
                        problems.push(ImportProblem {
                            sheet: "单位".into(),
                            row: u.row,
                            column: "上级单位代码".into(),
                            message: format!("上级单位“{}”已撤销，不能在其下新建单位", p.name),
                        });
                    } else if !pk.may_contain(u.kind) {
                        problems.push(ImportProblem {
                            sheet: "单位".into(),
                            row: u.row,
                            column: "类型".into(),
                            message: format!(
                                "{}不能直接设在{}之下",
                                u.kind.label_zh(),
                                pk.label_zh()
                            ),
                        });
                    }
                }
            }
        }
        // A cycle among the workbook's units (A under B under A) never reaches an existing unit.
        for u in &plan.units {
            let mut seen = HashSet::new();
            let mut at = u.code.as_str();
            while let Some(p) = plan
                .units
                .iter()
                .find(|x| x.code == at)
                .map(|x| x.parent.as_str())
            {
                if by_code.contains_key(p) || !seen.insert(p) {
                    if !by_code.contains_key(p) {
                        problems.push(ImportProblem {
                            sheet: "单位".into(),
                            row: u.row,
                            column: "上级单位代码".into(),
                            message: "上级单位关系成环".into(),
                        });
                    }
                    break;
                }
                at = p;
            }
        }
        let unit_ok = |sheet: &str, row: u32, code: &str, problems: &mut Vec<ImportProblem>| {
            if code.is_empty() {
                return;
            }
            if kind_of(code).is_none() {
                problems.push(ImportProblem {
                    sheet: sheet.into(),
                    row,
                    column: "单位代码".into(),
                    message: format!("不存在代码为“{code}”的单位（系统中和“单位”表中都没有）"),
                });
            } else if !in_scope(code) {
                problems.push(ImportProblem {
                    sheet: sheet.into(),
                    row,
                    column: "单位代码".into(),
                    message: "只能为本单位及下级单位导入".into(),
                });
            } else if let Some(u) = by_code.get(code).filter(|u| u.closed_at.is_some()) {
                problems.push(ImportProblem {
                    sheet: sheet.into(),
                    row,
                    column: "单位代码".into(),
                    message: format!("单位“{}”已撤销，不再接收新的记录", u.name),
                });
            }
        };
        let dept_exists = |code: &str| {
            departments.iter().any(|d| d.code == code)
                || plan.departments.iter().any(|d| d.1 == code)
        };
        for (unit, _, _, row) in &plan.departments {
            unit_ok("部门", *row, unit, &mut problems);
        }
        for u in &plan.users {
            let row = u.7;
            unit_ok("用户", row, &u.2, &mut problems);
            if let Some(d) = &u.3
                && !dept_exists(d)
            {
                problems.push(ImportProblem {
                    sheet: "用户".into(),
                    row,
                    column: "部门代码".into(),
                    message: format!("不存在代码为“{d}”的部门"),
                });
            }
        }
        for o in &plan.officers {
            let row = o.6;
            unit_ok("执法人员", row, &o.2, &mut problems);
            if let Some(d) = &o.3
                && !dept_exists(d)
            {
                problems.push(ImportProblem {
                    sheet: "执法人员".into(),
                    row,
                    column: "部门代码".into(),
                    message: format!("不存在代码为“{d}”的部门"),
                });
            }
            if let Some(l) = &o.4
                && !users.iter().any(|u| &u.login == l)
                && !plan.users.iter().any(|u| &u.0 == l)
            {
                problems.push(ImportProblem {
                    sheet: "执法人员".into(),
                    row,
                    column: "关联登录名".into(),
                    message: format!("不存在登录名为“{l}”的用户"),
                });
            }
        }
        if plan.units.is_empty()
            && plan.departments.is_empty()
            && plan.users.is_empty()
            && plan.officers.is_empty()
            && problems.is_empty()
        {
            problems.push(ImportProblem {
                sheet: String::new(),
                row: 0,
                column: String::new(),
                message: "工作簿中没有要导入的数据行".into(),
            });
        }
        if problems.is_empty() {
            Ok(plan)
        } else {
            let order = |s: &str| SHEETS.iter().position(|(n, _)| *n == s).unwrap_or(0);
            problems.sort_by_key(|p| (order(&p.sheet), p.row));
            Err(problems)
        }
    }

    async fn write_org(
        &self,
        actor: &Actor,
        plan: Plan,
        summary: &ImportSummary,
    ) -> Result<(), AppError> {
        // Passwords are hashed before the transaction (Argon2id takes a while each).
        let mut hashes = Vec::new();
        for u in &plan.users {
            hashes.push(auth::hash_password(&u.6)?);
        }
        let now = self.clock.now_ms();
        let mut units: HashMap<String, UnitRow> = org::units(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.code.clone(), u))
            .collect();
        let mut tx = self.db.begin().await?;
        let audit =
            |entity: &'static str, id: String, after: serde_json::Value| (entity, id, after);
        let mut entries = Vec::new();
        // Parents before children: repeat over the rows whose parent is known by now.
        let mut pending: Vec<&UnitPlan> = plan.units.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for u in pending {
                let parent = if u.parent.is_empty() {
                    None
                } else {
                    units.get(&u.parent).cloned()
                };
                if !u.parent.is_empty() && parent.is_none() {
                    rest.push(u);
                    continue;
                }
                let row =
                    org::insert_unit(&mut tx, parent.as_ref(), &u.code, &u.name, u.kind.code())
                        .await?;
                entries.push(audit(
                    "unit",
                    row.id.to_string(),
                    serde_json::to_value(&row).unwrap_or_default(),
                ));
                units.insert(row.code.clone(), row);
            }
            if rest.len() == before {
                return Err(AppError::Internal("unit tree does not resolve".into()));
            }
            pending = rest;
        }
        let mut depts: HashMap<String, fazhi_domain::DepartmentId> = org::departments(&self.db)
            .await?
            .into_iter()
            .map(|d| (d.code, d.id))
            .collect();
        for (unit, code, name, _) in &plan.departments {
            let u = units
                .get(unit)
                .ok_or_else(|| AppError::Internal(format!("unit {unit}")))?;
            let d = org::insert_department(&mut tx, u.id, code, name).await?;
            entries.push(audit(
                "department",
                d.id.to_string(),
                serde_json::to_value(&d).unwrap_or_default(),
            ));
            depts.insert(d.code.clone(), d.id);
        }
        let mut logins: HashMap<String, fazhi_domain::UserId> = HashMap::new();
        for (u, hash) in plan.users.iter().zip(&hashes) {
            let unit = units
                .get(&u.2)
                .ok_or_else(|| AppError::Internal(format!("unit {}", u.2)))?;
            let id = org::insert_user(
                &mut tx,
                &NewUser {
                    login: &u.0,
                    display_name: &u.1,
                    password_hash: hash,
                    unit_id: unit.id,
                    department_id: u.3.as_ref().and_then(|d| depts.get(d).copied()),
                    scope: &u.5,
                    roles: &u.4,
                    created_at: now,
                },
            )
            .await?;
            entries.push(audit(
                "user",
                id.to_string(),
                serde_json::json!({ "login": u.0, "display_name": u.1, "unit": u.2, "department": u.3, "roles": u.4, "scope": u.5 }),
            ));
            logins.insert(u.0.clone(), id);
        }
        let mut officer_ids = HashMap::new();
        for o in &plan.officers {
            let unit = units
                .get(&o.2)
                .ok_or_else(|| AppError::Internal(format!("unit {}", o.2)))?;
            let user_id = match &o.4 {
                Some(l) => match logins.get(l) {
                    Some(id) => Some(*id),
                    None => org::user_by_login(&self.db, l).await?.map(|u| u.id),
                },
                None => None,
            };
            let id = org::insert_officer(
                &mut tx,
                &NewOfficer {
                    code: &o.0,
                    name: &o.1,
                    user_id,
                    unit_id: unit.id,
                    department_id: o.3.as_ref().and_then(|d| depts.get(d).copied()),
                    legal_reviewer: o.5,
                },
            )
            .await?;
            entries.push(audit(
                "officer",
                id.to_string(),
                serde_json::json!({ "code": o.0, "name": o.1, "unit": o.2, "department": o.3, "login": o.4, "legal_reviewer": o.5 }),
            ));
            officer_ids.insert(o.0.clone(), id);
        }
        for (officer, number, domain, from, to) in &plan.certificates {
            let officer_id = *officer_ids
                .get(officer)
                .ok_or_else(|| AppError::Internal(format!("officer {officer}")))?;
            let id = org::insert_certificate(
                &mut tx,
                &NewCertificate {
                    officer_id,
                    number,
                    domain,
                    valid_from: from,
                    valid_to: to,
                    annual_check_year: None,
                },
            )
            .await?;
            entries.push(audit(
                "certificate",
                id.to_string(),
                serde_json::json!({ "officer": officer, "number": number, "domain": domain, "valid_from": from, "valid_to": to }),
            ));
        }
        for (entity, id, after) in &entries {
            tx.audit(AuditEntry {
                at: now,
                actor: &actor.login,
                action: "import",
                entity,
                entity_id: id,
                before: None,
                after: Some(after),
            })
            .await?;
        }
        let total = serde_json::to_value(summary).unwrap_or_default();
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "import",
            entity: "org_workbook",
            entity_id: "",
            before: None,
            after: Some(&total),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
