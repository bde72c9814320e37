//! The 政府信息公开工作年度报告 in the format of 国办公开办函〔2021〕30号 (law file §2.1): six
//! sections — 一、总体情况, 五、存在的主要问题及改进情况 and 六、其他需要报告的事项 written by the
//! clerk; 二 (proactive disclosure), 三 (requests) and 四 (复议/诉讼) as the format's tables.
//!
//! Table 三 is computed from the records of every case type whose `report.toml` has a
//! `[disclosure]` table naming its date-of-receipt, applicant-type and outcome fields:
//!
//! ```toml
//! [disclosure]
//! received_field = "received_on"   # a date field: the year a request was received
//! applicant_field = "applicant_type" # an enum whose values are the table's applicant columns
//! outcome_field = "outcome"        # an enum whose values are the table's outcome rows
//! ```
//!
//! Every value of the outcome dictionary must be exactly one row of the format (checked by
//! `fazhi workflow check`). Tables 二 and 四 have no case types yet: their cells are manual
//! figures, shown as such. Before the report may be frozen the form's own checks must hold:
//! 一 + 二 = 三(七) + 四 per column, and 总计 = the sum of the six applicant columns.
//!
//! Pure: the caller reads the records ([`Request`]) and the clerk's text ([`Narrative`]).

use std::collections::BTreeMap;
use std::path::Path;

use fazhi_workflow::{CaseType, Diagnostic, FieldKind, Registry};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::casetype::REPORT_FILE;
use crate::source::Src;

/// The six applicant columns of table 三 (自然人; 法人或其他组织: 商业企业 … 其他), then 总计.
pub const APPLICANT_COLUMNS: [&str; 6] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
];

/// One row of table 三 as the format prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct T3RowDef {
    /// Stable key (`new`, `carried_in`, `result.open`, `result.withheld.1`, `total`, `carried_out`).
    pub key: &'static str,
    /// The block heading the row sits under (e.g. `（三）不予公开`), empty for rows of their own.
    pub block: &'static str,
    /// The row's own label as printed (e.g. `1.属于国家秘密`).
    pub label: &'static str,
    /// The outcome value that counts in this row, for the rows of 三、本年度办理结果.
    pub outcome: Option<&'static str>,
}

const fn row(
    key: &'static str,
    block: &'static str,
    label: &'static str,
    outcome: Option<&'static str>,
) -> T3RowDef {
    T3RowDef {
        key,
        block,
        label,
        outcome,
    }
}

/// The rows of table 三, in the format's order.
pub const T3_ROWS: &[T3RowDef] = &[
    row("new", "", "一、本年新收政府信息公开申请数量", None),
    row("carried_in", "", "二、上年结转政府信息公开申请数量", None),
    row(
        "result.open",
        "三、本年度办理结果",
        "（一）予以公开",
        Some("予以公开"),
    ),
    row(
        "result.partial",
        "三、本年度办理结果",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        Some("部分公开"),
    ),
    row(
        "result.withheld.1",
        "（三）不予公开",
        "1.属于国家秘密",
        Some("属于国家秘密"),
    ),
    row(
        "result.withheld.2",
        "（三）不予公开",
        "2.其他法律行政法规禁止公开",
        Some("其他法律行政法规禁止公开"),
    ),
    row(
        "result.withheld.3",
        "（三）不予公开",
        "3.危及“三安全一稳定”",
        Some("危及“三安全一稳定”"),
    ),
    row(
        "result.withheld.4",
        "（三）不予公开",
        "4.保护第三方合法权益",
        Some("保护第三方合法权益"),
    ),
    row(
        "result.withheld.5",
        "（三）不予公开",
        "5.属于三类内部事务信息",
        Some("属于三类内部事务信息"),
    ),
    row(
        "result.withheld.6",
        "（三）不予公开",
        "6.属于四类过程性信息",
        Some("属于四类过程性信息"),
    ),
    row(
        "result.withheld.7",
        "（三）不予公开",
        "7.属于行政执法案卷",
        Some("属于行政执法案卷"),
    ),
    row(
        "result.withheld.8",
        "（三）不予公开",
        "8.属于行政查询事项",
        Some("属于行政查询事项"),
    ),
    row(
        "result.unable.1",
        "（四）无法提供",
        "1.本机关不掌握相关政府信息",
        Some("本机关不掌握相关政府信息"),
    ),
    row(
        "result.unable.2",
        "（四）无法提供",
        "2.没有现成信息需要另行制作",
        Some("没有现成信息需要另行制作"),
    ),
    row(
        "result.unable.3",
        "（四）无法提供",
        "3.补正后申请内容仍不明确",
        Some("补正后申请内容仍不明确"),
    ),
    row(
        "result.rejected.1",
        "（五）不予处理",
        "1.信访举报投诉类申请",
        Some("信访举报投诉类申请"),
    ),
    row(
        "result.rejected.2",
        "（五）不予处理",
        "2.重复申请",
        Some("重复申请"),
    ),
    row(
        "result.rejected.3",
        "（五）不予处理",
        "3.要求提供公开出版物",
        Some("要求提供公开出版物"),
    ),
    row(
        "result.rejected.4",
        "（五）不予处理",
        "4.无正当理由大量反复申请",
        Some("无正当理由大量反复申请"),
    ),
    row(
        "result.rejected.5",
        "（五）不予处理",
        "5.要求行政机关确认或重新出具已获取信息",
        Some("要求行政机关确认或重新出具已获取信息"),
    ),
    row(
        "result.other.1",
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        Some("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ),
    row(
        "result.other.2",
        "（六）其他处理",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        Some("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ),
    row("result.other.3", "（六）其他处理", "3.其他", Some("其他")),
    row("total", "三、本年度办理结果", "（七）总计", None),
    row("carried_out", "", "四、结转下年度继续办理", None),
];

/// The row of table 三 an outcome value counts in.
pub fn outcome_row(outcome: &str) -> Option<&'static T3RowDef> {
    T3_ROWS.iter().find(|r| r.outcome == Some(outcome))
}

/// Table 二's rows: (key, block, row label, column labels).
pub const T2_ROWS: &[(&str, &str, &str, &[&str])] = &[
    (
        "rules",
        "第二十条第（一）项",
        "规章",
        &["本年制发件数", "本年废止件数", "现行有效件数"],
    ),
    (
        "normative",
        "第二十条第（一）项",
        "行政规范性文件",
        &["本年制发件数", "本年废止件数", "现行有效件数"],
    ),
    (
        "licensing",
        "第二十条第（五）项",
        "行政许可",
        &["本年处理决定数量"],
    ),
    (
        "penalty",
        "第二十条第（六）项",
        "行政处罚",
        &["本年处理决定数量"],
    ),
    (
        "coercion",
        "第二十条第（六）项",
        "行政强制",
        &["本年处理决定数量"],
    ),
    (
        "fees",
        "第二十条第（八）项",
        "行政事业性收费",
        &["本年收费金额（单位：万元）"],
    ),
];

/// Table 四's column groups and the five columns of each.
pub const T4_GROUPS: [&str; 3] = [
    "行政复议",
    "行政诉讼（未经复议直接起诉）",
    "行政诉讼（复议后起诉）",
];
pub const T4_COLUMNS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];

/// Where a case type's records fill table 三 (the `[disclosure]` table of its `report.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureSource {
    pub case_type: String,
    pub received_field: String,
    pub applicant_field: String,
    pub outcome_field: String,
}

#[derive(Deserialize)]
struct RawFile {
    disclosure: Option<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    received_field: Spanned<String>,
    applicant_field: Spanned<String>,
    outcome_field: Spanned<String>,
}

/// Parses and checks the `[disclosure]` table of one folder's `report.toml` against its case
/// type: the fields exist, the date is a date, every applicant value is a column and every
/// outcome value exactly one row of table 三.
pub fn parse_source(
    ct: Option<&CaseType>,
    code: &str,
    path: &Path,
    text: &str,
) -> (Option<DisclosureSource>, Vec<Diagnostic>) {
    let src = Src { path, text };
    // TOML errors are reported by the paragraph parser of the same file.
    let Ok(raw) = toml::from_str::<RawFile>(text) else {
        return (None, Vec::new());
    };
    let Some(d) = raw.disclosure else {
        return (None, Vec::new());
    };
    let mut diags = Vec::new();
    let Some(ct) = ct else {
        diags.push(src.error(
            Some(d.span()),
            format!("[disclosure]: case type `{code}` is not defined"),
            format!("[disclosure]：类型“{code}”不存在"),
        ));
        return (None, diags);
    };
    let d = d.get_ref();
    let mut field = |f: &Spanned<String>, key: &str, want: FieldKind, columns: Option<&[&str]>| {
        let Some(def) = ct.field(f.get_ref()) else {
            diags.push(src.error(
                Some(f.span()),
                format!("disclosure.{key}: unknown field `{}`", f.get_ref()),
                format!("disclosure.{key}：字段“{}”不存在", f.get_ref()),
            ));
            return;
        };
        if def.kind != want {
            diags.push(src.error(
                Some(f.span()),
                format!(
                    "disclosure.{key}: field `{}` has the wrong kind",
                    f.get_ref()
                ),
                format!(
                    "disclosure.{key}：字段“{}”应为{}",
                    f.get_ref(),
                    if want == FieldKind::Date {
                        "日期"
                    } else {
                        "字典（enum）"
                    }
                ),
            ));
            return;
        }
        let Some(allowed) = columns else { return };
        let entries = def
            .dictionary
            .as_deref()
            .and_then(|n| ct.dictionary(n))
            .unwrap_or_default();
        for e in entries {
            if !allowed.contains(&e.value.as_str()) {
                diags.push(src.error(
                    Some(f.span()),
                    format!(
                        "disclosure.{key}: value `{}` of field `{}` is not one of table 三's {}",
                        e.value,
                        f.get_ref(),
                        if key == "applicant_field" {
                            "applicant columns"
                        } else {
                            "outcome rows"
                        }
                    ),
                    format!(
                        "disclosure.{key}：字段“{}”的取值“{}”不是政府信息公开年度报告表三的{}",
                        f.get_ref(),
                        e.value,
                        if key == "applicant_field" {
                            "申请人类别"
                        } else {
                            "办理结果类别"
                        }
                    ),
                ));
            }
        }
    };
    let outcomes: Vec<&str> = T3_ROWS.iter().filter_map(|r| r.outcome).collect();
    field(&d.received_field, "received_field", FieldKind::Date, None);
    field(
        &d.applicant_field,
        "applicant_field",
        FieldKind::Enum,
        Some(&APPLICANT_COLUMNS),
    );
    field(
        &d.outcome_field,
        "outcome_field",
        FieldKind::Enum,
        Some(&outcomes),
    );
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    (
        Some(DisclosureSource {
            case_type: code.to_owned(),
            received_field: d.received_field.get_ref().clone(),
            applicant_field: d.applicant_field.get_ref().clone(),
            outcome_field: d.outcome_field.get_ref().clone(),
        }),
        diags,
    )
}

/// The case types whose records fill table 三.
pub fn disclosure_sources(registry: &Registry) -> Result<Vec<DisclosureSource>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let diags = check_sources_into(registry, &mut out);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(out)
}

fn check_sources_into(registry: &Registry, out: &mut Vec<DisclosureSource>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for folder in registry.folders() {
        if let Some(f) = folder.file(REPORT_FILE) {
            let (s, d) = parse_source(registry.get(&folder.code), &folder.code, &f.path, &f.text);
            diags.extend(d);
            out.extend(s);
        }
    }
    diags
}

/// The diagnostics of every folder's `[disclosure]` table (run by `fazhi workflow check`).
pub fn check_disclosure(registry: &Registry) -> Vec<Diagnostic> {
    check_sources_into(registry, &mut Vec::new())
}

/// One request as table 三 needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub case_id: i64,
    pub number: String,
    /// Date of receipt (第三十一条), `YYYY-MM-DD`.
    pub received_on: String,
    pub applicant: String,
    pub outcome: Option<String>,
    /// The day it was closed (replied, abandoned, withdrawn), `YYYY-MM-DD`.
    pub closed_on: Option<String>,
}

/// One cell: its figure and the records it counts (the lineage).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub value: i64,
    /// Case numbers counted.
    pub records: Vec<String>,
}

/// A line of table 三: seven cells (six applicant columns, then 总计).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct T3Line {
    pub key: &'static str,
    pub cells: [Cell; 7],
}

/// A manual figure (tables 二 and 四 while they have no case types).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualCell {
    pub value: Option<f64>,
}

/// The clerk's part: narrative sections and manual figures. Loaded from TOML:
///
/// ```toml
/// overview = "……"   # 一、总体情况
/// problems = "……"   # 五、存在的主要问题及改进情况
/// other = "……"      # 六、其他需要报告的事项
/// [table2]          # key.column index (1-based) = value
/// "normative.1" = 3
/// [table4]          # group.column (1-based), e.g. 1.1 = 行政复议 结果维持
/// "1.1" = 0
/// [table2_indicators] # a cell of table 二 computed from an indicator of the catalogue instead
/// "penalty.1" = "enforcement.penalties"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    #[serde(default)]
    pub overview: Option<String>,
    #[serde(default)]
    pub problems: Option<String>,
    #[serde(default)]
    pub other: Option<String>,
    #[serde(default)]
    pub table2: BTreeMap<String, f64>,
    #[serde(default)]
    pub table4: BTreeMap<String, f64>,
    #[serde(default)]
    pub table2_indicators: BTreeMap<String, String>,
}

impl Narrative {
    /// Parses the clerk's file; errors name the key and the reason in Chinese.
    pub fn parse(text: &str) -> Result<Narrative, String> {
        let n: Narrative = toml::from_str(text)
            .map_err(|e| format!("年度报告文字格式错误：{}", e.message().trim()))?;
        n.validate()?;
        Ok(n)
    }

    /// Checks that every manual cell names a cell of its table and holds a figure ≥ 0, and that
    /// the narrative sections are of a reasonable length.
    pub fn validate(&self) -> Result<(), String> {
        let n = self;
        for (name, text) in [
            ("一、总体情况", &n.overview),
            ("五、存在的主要问题及改进情况", &n.problems),
            ("六、其他需要报告的事项", &n.other),
        ] {
            if text.as_deref().is_some_and(|t| t.chars().count() > 20_000) {
                return Err(format!("“{name}”：最多20000个字符"));
            }
        }
        for k in n.table2.keys().chain(n.table2_indicators.keys()) {
            let ok = k.split_once('.').is_some_and(|(row, col)| {
                T2_ROWS.iter().any(|(key, _, _, cols)| {
                    *key == row
                        && col
                            .parse::<usize>()
                            .is_ok_and(|c| (1..=cols.len()).contains(&c))
                })
            });
            if !ok {
                return Err(format!(
                    "table2：“{k}”不是表二的单元格（应为如normative.1）"
                ));
            }
        }
        for k in n.table4.keys() {
            let ok = k.split_once('.').is_some_and(|(g, c)| {
                g.parse::<usize>().is_ok_and(|g| (1..=3).contains(&g))
                    && c.parse::<usize>().is_ok_and(|c| (1..=5).contains(&c))
            });
            if !ok {
                return Err(format!("table4：“{k}”不是表四的单元格（应为如1.1）"));
            }
        }
        for (k, v) in n.table2.iter().chain(n.table4.iter()) {
            if !v.is_finite() || *v < 0.0 {
                return Err(format!("“{k}”：数值不能为负数"));
            }
        }
        Ok(())
    }
}

/// The report, computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosureReport {
    pub unit_name: String,
    pub year: i32,
    pub title: String,
    pub overview: String,
    pub problems: String,
    pub other: String,
    /// Table 二: (row key, values per column; `None` = not entered).
    pub table2: Vec<(&'static str, Vec<Option<f64>>)>,
    /// Cells of table 二 computed from indicators: (cell key, indicator id, label).
    pub table2_computed: Vec<(String, String, String)>,
    pub table3: Vec<T3Line>,
    /// Table 四: 3 groups × 5 columns; `None` = not entered.
    pub table4: [[Option<f64>; 5]; 3],
    /// Records that could not be placed (closed without an outcome, unknown values).
    pub problems_found: Vec<String>,
    /// Case types the table was computed from.
    pub sources: Vec<String>,
}

/// Marker for a narrative section the clerk has not written.
pub const TO_WRITE: &str = "【待填写】";

/// Computes table 三 for `year` from the requests.
pub fn table3(requests: &[Request], year: i32) -> (Vec<T3Line>, Vec<String>) {
    let start = format!("{year:04}-01-01");
    let end = format!("{year:04}-12-31");
    let mut lines: Vec<T3Line> = T3_ROWS
        .iter()
        .map(|r| T3Line {
            key: r.key,
            cells: Default::default(),
        })
        .collect();
    let idx = |key: &str| T3_ROWS.iter().position(|r| r.key == key).expect("row key");
    let mut problems = Vec::new();
    let mut sorted: Vec<&Request> = requests.iter().collect();
    sorted.sort_by(|a, b| (&a.received_on, &a.number).cmp(&(&b.received_on, &b.number)));
    for r in sorted {
        if r.received_on.as_str() > end.as_str() {
            continue;
        }
        let closed_before = r.closed_on.as_deref().is_some_and(|c| c < start.as_str());
        if closed_before {
            continue;
        }
        let Some(col) = APPLICANT_COLUMNS.iter().position(|c| *c == r.applicant) else {
            problems.push(format!(
                "{}：申请人类型“{}”不是表三的申请人类别",
                r.number, r.applicant
            ));
            continue;
        };
        let mut add = |row: usize| {
            for c in [col, 6] {
                let cell = &mut lines[row].cells[c];
                cell.value += 1;
                cell.records.push(r.number.clone());
            }
        };
        if r.received_on.as_str() >= start.as_str() {
            add(idx("new"));
        } else {
            add(idx("carried_in"));
        }
        match r.closed_on.as_deref() {
            Some(c) if c <= end.as_str() => match r.outcome.as_deref().and_then(outcome_row) {
                Some(row) => {
                    add(idx(row.key));
                    add(idx("total"));
                }
                None => problems.push(format!(
                    "{}：已于{c}办结，但{}",
                    r.number,
                    match &r.outcome {
                        Some(o) => format!("办理结果“{o}”不是表三的类别"),
                        None => "未记录办理结果".to_owned(),
                    }
                )),
            },
            _ => add(idx("carried_out")),
        }
    }
    (lines, problems)
}

impl DisclosureReport {
    /// Builds the report from the requests and the clerk's part.
    pub fn build(
        unit_name: &str,
        year: i32,
        requests: &[Request],
        sources: Vec<String>,
        narrative: &Narrative,
    ) -> DisclosureReport {
        let (table3, problems_found) = table3(requests, year);
        let text = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map_or_else(|| TO_WRITE.to_owned(), str::to_owned)
        };
        let table2 = T2_ROWS
            .iter()
            .map(|(key, _, _, cols)| {
                let v = (1..=cols.len())
                    .map(|c| narrative.table2.get(&format!("{key}.{c}")).copied())
                    .collect();
                (*key, v)
            })
            .collect();
        let mut table4 = [[None; 5]; 3];
        for (g, group) in table4.iter_mut().enumerate() {
            for (c, cell) in group.iter_mut().enumerate() {
                *cell = narrative
                    .table4
                    .get(&format!("{}.{}", g + 1, c + 1))
                    .copied();
            }
        }
        DisclosureReport {
            unit_name: unit_name.to_owned(),
            year,
            title: format!("{unit_name}{year}年政府信息公开工作年度报告"),
            overview: text(&narrative.overview),
            problems: text(&narrative.problems),
            other: text(&narrative.other),
            table2,
            table2_computed: Vec::new(),
            table3,
            table4,
            problems_found,
            sources,
        }
    }

    /// Sets a cell of table 二 (`row.column`, 1-based) to a figure computed from the records by
    /// indicator `id`; `None` when the indicator has no value.
    pub fn set_table2_computed(&mut self, cell: &str, id: &str, label: &str, value: Option<f64>) {
        let Some((row, col)) = cell.split_once('.') else {
            return;
        };
        let Ok(col) = col.parse::<usize>() else {
            return;
        };
        if let Some((_, values)) = self.table2.iter_mut().find(|(k, _)| *k == row)
            && let Some(v) = col.checked_sub(1).and_then(|c| values.get_mut(c))
        {
            *v = value;
            self.table2_computed
                .push((cell.to_owned(), id.to_owned(), label.to_owned()));
        }
    }

    /// The note under table 二: which cells are computed, the rest manual.
    pub fn table2_note(&self) -> String {
        if self.table2_computed.is_empty() {
            return MANUAL_NOTE.to_owned();
        }
        let parts: Vec<String> = self
            .table2_computed
            .iter()
            .map(|(cell, id, label)| {
                let row = cell.split('.').next().unwrap_or_default();
                let name = T2_ROWS.iter().find(|r| r.0 == row).map_or(row, |r| r.2);
                format!("“{name}”由系统根据办案记录计算（{label}，{id}）")
            })
            .collect();
        format!("注：{}，其余数据为人工填报。", parts.join("；"))
    }

    /// A line of table 三 by key.
    pub fn line(&self, key: &str) -> Option<&T3Line> {
        self.table3.iter().find(|l| l.key == key)
    }

    /// The form's own checks on the tables (and the records that could not be placed).
    pub fn check(&self) -> Vec<String> {
        let mut out = self.problems_found.clone();
        let v = |key: &str, c: usize| self.line(key).map_or(0, |l| l.cells[c].value);
        let col_name = |c: usize| {
            if c == 6 {
                "总计"
            } else {
                APPLICANT_COLUMNS[c]
            }
        };
        for c in 0..7 {
            let left = v("new", c) + v("carried_in", c);
            let right = v("total", c) + v("carried_out", c);
            if left != right {
                out.push(format!(
                    "表三“{}”列：一（{}）+ 二（{}）= {left}，不等于 三（七）（{}）+ 四（{}）= {right}",
                    col_name(c),
                    v("new", c),
                    v("carried_in", c),
                    v("total", c),
                    v("carried_out", c)
                ));
            }
            let results: i64 = self
                .table3
                .iter()
                .filter(|l| l.key.starts_with("result."))
                .map(|l| l.cells[c].value)
                .sum();
            if results != v("total", c) {
                out.push(format!(
                    "表三“{}”列：办理结果各项之和{results}不等于（七）总计{}",
                    col_name(c),
                    v("total", c)
                ));
            }
        }
        for l in &self.table3 {
            let sum: i64 = l.cells[..6].iter().map(|c| c.value).sum();
            if sum != l.cells[6].value {
                let label = T3_ROWS
                    .iter()
                    .find(|r| r.key == l.key)
                    .map_or(l.key, |r| r.label);
                out.push(format!(
                    "表三“{label}”行：总计{}不等于各类申请人之和{sum}",
                    l.cells[6].value
                ));
            }
        }
        for (g, group) in self.table4.iter().enumerate() {
            if let [Some(a), Some(b), Some(c), Some(d), Some(t)] = group
                && (a + b + c + d - t).abs() > 1e-9
            {
                out.push(format!(
                    "表四“{}”：结果维持、结果纠正、其他结果、尚未审结之和{}不等于总计{t}",
                    T4_GROUPS[g],
                    a + b + c + d
                ));
            }
        }
        out
    }

    /// The clerk's sections not yet written.
    pub fn unwritten(&self) -> Vec<String> {
        [
            ("一、总体情况", &self.overview),
            ("五、存在的主要问题及改进情况", &self.problems),
            ("六、其他需要报告的事项", &self.other),
        ]
        .into_iter()
        .filter(|(_, text)| *text == TO_WRITE)
        .map(|(name, _)| format!("“{name}”尚未填写"))
        .collect()
    }

    /// Everything that stops the report from being published: the form's checks and the
    /// unwritten sections. Empty = may be frozen.
    pub fn blockers(&self) -> Vec<String> {
        let mut out = self.check();
        out.extend(self.unwritten());
        out
    }
}

/// A manual figure as printed: the number, or `【缺数】` when not entered.
pub fn manual_text(v: Option<f64>) -> String {
    match v {
        Some(v) if v.fract() == 0.0 => format!("{}", v as i64),
        Some(v) => format!("{v:.2}"),
        None => "【缺数】".to_owned(),
    }
}

/// Note printed under tables 二 and 四 while their cells are manual.
pub const MANUAL_NOTE: &str = "注：本表数据为人工填报（相关业务尚未在系统中办理）。";

/// Note printed under table 三.
pub const COMPUTED_NOTE: &str =
    "注：本表数据由系统根据政府信息公开申请办理记录计算，每个单元格可追溯至所计申请（见附件）。";

// ---------------------------------------------------------------- published reports, cell by cell

/// The three tables of a report as cells: `t2.{row}.{column}` (1-based column), `t3.{row
/// key}.{column}` (0..=5 the applicant columns, 6 总计), `t4.{group}.{column}` (both 1-based).
pub type Cells = BTreeMap<String, f64>;

/// The tables read out of a published report, and what could not be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PublishedTables {
    pub cells: Cells,
    pub warnings: Vec<String>,
}

/// Normalises a label for comparison: no blank space or quotes, ASCII digits and full stops,
/// full-width parentheses.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '“' | '”' | '"' | '‘' | '’' | '\''))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '(' => '（',
            ')' => '）',
            _ => c,
        })
        .collect()
}

/// The core of a row label: without its numbering (`一、`, `（一）`, `1.`) and without a
/// trailing parenthetical (`（区分处理的，只计这一情形，不计其他情形）`).
fn core(label: &str) -> String {
    let mut s = norm(label);
    const NUMERALS: &str = "一二三四五六七八九十";
    if let Some(rest) = s.strip_prefix('（')
        && let Some(end) = rest.find('）')
        && rest[..end]
            .chars()
            .all(|c| NUMERALS.contains(c) || c.is_ascii_digit())
        && end > 0
    {
        s = rest[end + '）'.len_utf8()..].to_owned();
    } else if let Some(pos) = s.find('、')
        && pos > 0
        && s[..pos].chars().all(|c| NUMERALS.contains(c))
    {
        s = s[pos + '、'.len_utf8()..].to_owned();
    } else {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && s[digits.len()..].starts_with('.') {
            s = s[digits.len() + 1..].to_owned();
        }
    }
    if s.ends_with('）')
        && let Some(open) = s.rfind('（')
        && open > 0
    {
        s.truncate(open);
    }
    s
}

/// A cell's figure: a number (thousands separators allowed), or `None`.
fn figure(cell: &str) -> Option<f64> {
    let t: String = norm(cell).chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

/// A row split into its label (the last text cell before the figures) and its trailing figures.
fn split_row(row: &[String]) -> (String, Vec<f64>) {
    let mut end = row.len();
    while end > 0 && figure(&row[end - 1]).is_some() {
        end -= 1;
    }
    let figures = row[end..].iter().filter_map(|c| figure(c)).collect();
    let label = row[..end]
        .iter()
        .rev()
        .find(|c| !c.trim().is_empty())
        .cloned()
        .unwrap_or_default();
    (label, figures)
}

/// Reads tables 二, 三 and 四 out of the tables of a published 政府信息公开工作年度报告 (in the
/// 2021 format), whatever the merged cells: a row is recognised by its label, its figures are
/// the numbers at its end.
pub fn read_published_tables(tables: &[Vec<Vec<String>>]) -> PublishedTables {
    let mut out = PublishedTables::default();
    let t3_cores: Vec<(String, &str)> = T3_ROWS.iter().map(|r| (core(r.label), r.key)).collect();
    let t2_cores: Vec<(String, &str, usize)> = T2_ROWS
        .iter()
        .map(|(k, _, label, cols)| (core(label), *k, cols.len()))
        .collect();
    let (mut seen2, mut seen3, mut seen4) = (false, false, false);
    for table in tables {
        let rows: Vec<(String, Vec<f64>)> = table.iter().map(|r| split_row(r)).collect();
        let text: String = table.iter().flatten().map(|c| norm(c)).collect();
        let is3 = rows
            .iter()
            .any(|(l, _)| core(l) == "本年新收政府信息公开申请数量");
        let is4 = !is3 && text.contains("行政复议") && rows.iter().any(|(_, f)| f.len() >= 15);
        let is2 = !is3
            && !is4
            && (text.contains("信息内容") || text.contains("第二十条"))
            && rows.iter().any(|(l, f)| {
                let c = core(l);
                !f.is_empty() && t2_cores.iter().any(|(k, _, _)| *k == c)
            });
        if is3 {
            seen3 = true;
            for (label, figs) in &rows {
                let c = core(label);
                let Some((_, key)) = t3_cores.iter().find(|(k, _)| *k == c) else {
                    continue;
                };
                if figs.is_empty() {
                    // A heading (总计, 其他 among the column heads).
                    continue;
                }
                if figs.len() < 7 {
                    out.warnings.push(format!(
                        "表三“{label}”行：应有7个数字，只读到{}个",
                        figs.len()
                    ));
                    continue;
                }
                for (i, v) in figs[figs.len() - 7..].iter().enumerate() {
                    out.cells.insert(format!("t3.{key}.{i}"), *v);
                }
            }
        } else if is4 {
            seen4 = true;
            if let Some((_, figs)) = rows.iter().find(|(_, f)| f.len() >= 15) {
                for (i, v) in figs[figs.len() - 15..].iter().enumerate() {
                    out.cells
                        .insert(format!("t4.{}.{}", i / 5 + 1, i % 5 + 1), *v);
                }
            }
        } else if is2 {
            seen2 = true;
            // By position after the label: a cell left blank or marked (【缺数】) is absent.
            for row in table {
                let Some((at, key, n)) = row.iter().enumerate().find_map(|(i, cell)| {
                    let c = core(cell);
                    t2_cores
                        .iter()
                        .find(|(k, _, _)| *k == c)
                        .map(|(_, key, n)| (i, *key, *n))
                }) else {
                    continue;
                };
                for (i, cell) in row[at + 1..].iter().take(n).enumerate() {
                    if let Some(v) = figure(cell) {
                        out.cells.insert(format!("t2.{key}.{}", i + 1), v);
                    }
                }
            }
        }
    }
    for (seen, name) in [(seen2, "表二"), (seen3, "表三"), (seen4, "表四")] {
        if !seen {
            out.warnings.push(format!("未找到{name}"));
        }
    }
    out
}

/// The cells of a computed report, keyed as [`read_published_tables`] keys them (cells not
/// entered are absent).
pub fn report_cells(r: &DisclosureReport) -> Cells {
    let mut out = Cells::new();
    for (key, values) in &r.table2 {
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                out.insert(format!("t2.{key}.{}", i + 1), *v);
            }
        }
    }
    for l in &r.table3 {
        for (i, c) in l.cells.iter().enumerate() {
            out.insert(format!("t3.{}.{i}", l.key), c.value as f64);
        }
    }
    for (g, group) in r.table4.iter().enumerate() {
        for (c, v) in group.iter().enumerate() {
            if let Some(v) = v {
                out.insert(format!("t4.{}.{}", g + 1, c + 1), *v);
            }
        }
    }
    out
}

/// The Chinese name of a cell key (`表三“（一）予以公开”·自然人`).
pub fn cell_label(key: &str) -> String {
    let parts: Vec<&str> = key.splitn(2, '.').collect();
    let rest = parts.get(1).copied().unwrap_or_default();
    let (row, col) = rest.rsplit_once('.').unwrap_or((rest, ""));
    let col_n: usize = col.parse().unwrap_or(0);
    match parts[0] {
        "t2" => T2_ROWS
            .iter()
            .find(|r| r.0 == row)
            .map(|r| {
                format!(
                    "表二“{}”·{}",
                    r.2,
                    r.3.get(col_n.wrapping_sub(1)).copied().unwrap_or("")
                )
            })
            .unwrap_or_else(|| key.to_owned()),
        "t3" => T3_ROWS
            .iter()
            .find(|r| r.key == row)
            .map(|r| {
                let c = if col_n == 6 {
                    "总计"
                } else {
                    APPLICANT_COLUMNS.get(col_n).copied().unwrap_or("")
                };
                format!("表三“{}”·{c}", r.label)
            })
            .unwrap_or_else(|| key.to_owned()),
        "t4" => {
            let g: usize = row.parse().unwrap_or(0);
            format!(
                "表四“{}”·{}",
                T4_GROUPS.get(g.wrapping_sub(1)).copied().unwrap_or(""),
                T4_COLUMNS.get(col_n.wrapping_sub(1)).copied().unwrap_or("")
            )
        }
        _ => key.to_owned(),
    }
}

/// A cell's figure as printed (integers without decimals).
pub fn format_cell(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// One cell that differs between two reports (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellDiff {
    pub key: String,
    pub label: String,
    pub left: Option<f64>,
    pub right: Option<f64>,
}

/// The cells that differ between two reports, in key order.
pub fn compare_cells(left: &Cells, right: &Cells) -> Vec<CellDiff> {
    let keys: std::collections::BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (left.get(k).copied(), right.get(k).copied());
            let same = match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                _ => false,
            };
            (!same).then(|| CellDiff {
                key: k.clone(),
                label: cell_label(k),
                left: a,
                right: b,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(
        n: &str,
        received: &str,
        who: &str,
        outcome: Option<&str>,
        closed: Option<&str>,
    ) -> Request {
        Request {
            case_id: 0,
            number: n.to_owned(),
            received_on: received.to_owned(),
            applicant: who.to_owned(),
            outcome: outcome.map(str::to_owned),
            closed_on: closed.map(str::to_owned),
        }
    }

    #[test]
    fn the_built_in_folder_fills_table3_and_a_stray_outcome_is_refused() {
        let registry = Registry::embedded();
        assert!(check_disclosure(&registry).is_empty());
        let sources = disclosure_sources(&registry).unwrap();
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0].outcome_field, "outcome");

        // An outcome value that is no row of table 三 (or an applicant that is no column).
        let mut folders = fazhi_workflow::folders::embedded_folders();
        let code = sources[0].case_type.clone();
        let f = folders.get_mut(&code).unwrap();
        let def = f.files.get_mut("case_type.toml").unwrap();
        def.text = def
            .text
            .replacen("\"重复申请\",", "\"重复申请\",\n  \"已撤回\",", 1)
            .replacen("\"自然人\", \"商业企业\"", "\"个人\", \"商业企业\"", 1);
        let registry = Registry::from_folders(folders).unwrap();
        let d = check_disclosure(&registry);
        let text: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|t| t.contains("已撤回")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("个人")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("report.toml")), "{text:?}");
        assert!(disclosure_sources(&registry).is_err());
    }

    #[test]
    fn every_outcome_is_exactly_one_row() {
        let outcomes: Vec<&str> = T3_ROWS.iter().filter_map(|r| r.outcome).collect();
        assert_eq!(outcomes.len(), 21);
        for o in &outcomes {
            assert_eq!(outcomes.iter().filter(|x| *x == o).count(), 1, "{o}");
        }
    }

    #[test]
    fn carry_over_and_identity() {
        let rs = vec![
            // received last year, open on 1 January: carried in, replied this year
            req(
                "GK1",
                "2025-12-20",
                "自然人",
                Some("予以公开"),
                Some("2026-01-12"),
            ),
            // received last year, closed last year: not in the table
            req(
                "GK2",
                "2025-11-03",
                "自然人",
                Some("予以公开"),
                Some("2025-11-20"),
            ),
            // received this year, abandoned this year
            req(
                "GK3",
                "2026-03-02",
                "商业企业",
                Some("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
                Some("2026-03-30"),
            ),
            // received in December, open at year end: carried out
            req("GK4", "2026-12-28", "法律服务机构", None, None),
            // received this year, replied next year: carried out
            req(
                "GK5",
                "2026-12-15",
                "自然人",
                Some("部分公开"),
                Some("2027-01-08"),
            ),
            // next year: ignored
            req("GK6", "2027-01-04", "自然人", None, None),
        ];
        let r = DisclosureReport::build("某街道", 2026, &rs, vec![], &Narrative::default());
        let v = |k: &str, c: usize| r.line(k).unwrap().cells[c].value;
        assert_eq!(v("new", 6), 3);
        assert_eq!(v("carried_in", 0), 1);
        assert_eq!(v("result.open", 0), 1);
        assert_eq!(v("result.other.1", 1), 1);
        assert_eq!(v("total", 6), 2);
        assert_eq!(v("carried_out", 6), 2);
        assert_eq!(v("carried_out", 4), 1);
        assert_eq!(
            r.line("carried_out").unwrap().cells[6].records,
            ["GK5", "GK4"]
        );
        // the tables pass; only the narrative is left to write
        assert!(r.check().is_empty(), "{:?}", r.check());
        assert_eq!(r.unwritten().len(), 3);
        assert_eq!(r.blockers().len(), 3);
    }

    #[test]
    fn closed_without_outcome_breaks_the_form() {
        let rs = vec![req("GK7", "2026-05-06", "自然人", None, Some("2026-05-20"))];
        let n = Narrative {
            overview: Some("a".into()),
            problems: Some("b".into()),
            other: Some("c".into()),
            ..Narrative::default()
        };
        let r = DisclosureReport::build("某街道", 2026, &rs, vec![], &n);
        let c = r.check();
        assert!(
            c.iter()
                .any(|m| m.contains("GK7") && m.contains("未记录办理结果")),
            "{c:?}"
        );
        assert!(c.iter().any(|m| m.contains("一（1）+ 二（0）= 1")), "{c:?}");
    }

    #[test]
    fn table4_sum_and_narrative_parse() {
        let n = Narrative::parse(
            "overview = \"x\"\nproblems = \"y\"\nother = \"z\"\n[table4]\n\"1.1\" = 1\n\"1.2\" = 1\n\"1.3\" = 0\n\"1.4\" = 0\n\"1.5\" = 3\n",
        )
        .unwrap();
        let r = DisclosureReport::build("某街道", 2026, &[], vec![], &n);
        assert_eq!(
            r.check(),
            ["表四“行政复议”：结果维持、结果纠正、其他结果、尚未审结之和2不等于总计3"]
        );
        let e = Narrative::parse("[table2]\n\"rules.4\" = 1\n").unwrap_err();
        assert!(e.contains("rules.4"), "{e}");
        let e = Narrative::parse("[table4]\n\"1.1\" = -1\n").unwrap_err();
        assert!(e.contains("负数"), "{e}");
    }
}
