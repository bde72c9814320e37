//! Cases of any type from a file (issue 20, "data in and out"): an Excel workbook (.xlsx) or a
//! CSV file (UTF-8 or GB18030, detected), columns matched to the case type's fields by their
//! Chinese labels. Values are read as clerks type them (dates as 2026-3-5, 2026/03/05,
//! 2026年3月5日 or Excel date serials; dictionary values by label or stored value; money with
//! 元). Every row goes through the same preparation as a case created by hand (validation,
//! role, guards of the create step, clocks); every problem is reported by row and column in
//! Chinese. A dry run stops there and shows what would be written; otherwise all rows are
//! written in one audited transaction, or none.
//!
//! An imported case starts in the state the file says (column 状态), its first history event
//! carries [`crate::cases::IMPORTED_KEY`] (file, row, number in the source system) and its
//! audit entry has the action `import`.
//!
//! Rows are read one at a time from the file (calamine's cells, or the decoded CSV text) and
//! only their prepared form is kept: a 100,000-row file is not held as strings twice.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

use fazhi_store::cases::CaseFilter;
use fazhi_store::{AuditEntry, UnitRow, org};
use fazhi_workflow::{CaseType, FieldDef, FieldKind};
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cases::{CreateCase, PreparedCreate};
use crate::{Actor, App, AppError};

/// The column of the case number (in the source system, or of an earlier export).
pub const COL_NUMBER: &str = "案件编号";
/// The column of the owning unit's code (empty: the importing user's unit).
pub const COL_UNIT: &str = "所属单位代码";
/// The column of the date the matter was received (empty: today).
pub const COL_ON: &str = "受理日期";
/// The column of the state the case is in (by label; empty: the state after registration).
pub const COL_STATE: &str = "状态";

/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 1_000;
/// Rows shown in the dry-run report.
const PREVIEW_ROWS: usize = 20;

/// One problem of a file: the row as the spreadsheet shows it (1 is the header row; 0 for the
/// whole file) and the column's header (empty for the whole row).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowProblem {
    pub row: u32,
    pub column: String,
    pub message: String,
}

impl RowProblem {
    fn file(message: impl Into<String>) -> RowProblem {
        RowProblem {
            row: 0,
            column: String::new(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, self.column.is_empty()) {
            (0, _) => write!(f, "{}", self.message),
            (r, true) => write!(f, "第{r}行：{}", self.message),
            (r, false) => write!(f, "第{r}行“{}”列：{}", self.column, self.message),
        }
    }
}

/// The problems of a file that was not imported.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRejected {
    pub problems: Vec<RowProblem>,
    /// Problems found beyond those listed.
    pub more: usize,
}

impl ImportRejected {
    fn one(p: RowProblem) -> ImportRejected {
        ImportRejected {
            problems: vec![p],
            more: 0,
        }
    }
}

impl std::fmt::Display for ImportRejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        if self.more > 0 {
            writeln!(f, "另有{}处问题未列出", self.more)?;
        }
        Ok(())
    }
}

impl From<AppError> for ImportRejected {
    fn from(e: AppError) -> ImportRejected {
        ImportRejected::one(RowProblem::file(e.to_string()))
    }
}

/// One row of the dry-run report: the state and the fields as they would be stored (shown as
/// the case page shows them, personal data masked).
#[derive(Debug, Clone, Serialize)]
pub struct PreviewRow {
    pub row: u32,
    pub state: String,
    pub received_on: String,
    pub fields: Vec<(String, String)>,
}

/// What an import wrote (or, in a dry run, would write).
#[derive(Debug, Clone, Serialize)]
pub struct CaseImportSummary {
    pub dry_run: bool,
    pub case_type: String,
    pub type_name: String,
    /// `UTF-8`, `GB18030` or `xlsx`.
    pub encoding: String,
    pub rows: usize,
    /// Cases per state (label), in the order of the case type's states.
    pub states: Vec<(String, usize)>,
    pub preview: Vec<PreviewRow>,
    /// Numbers of the first cases written (empty in a dry run).
    pub first_numbers: Vec<String>,
}

/// Where an import stands: `phase` is `check` or `write`; `total` is the number of data rows.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Progress {
    pub phase: &'static str,
    pub done: usize,
    pub total: usize,
}

/// The columns a case type's import reads besides its fixed ones: every stored field, in
/// definition order, except the single-officer kind (officers come in `officer_list` fields by
/// register code).
pub fn field_columns(t: &CaseType) -> Vec<&FieldDef> {
    t.fields
        .iter()
        .filter(|f| !f.input_only || create_inputs(t).any(|i| i == f.code))
        .filter(|f| f.kind != FieldKind::Officer)
        .collect()
}

fn create_inputs(t: &CaseType) -> impl Iterator<Item = &str> {
    t.create_transitions()
        .take(1)
        .flat_map(|tr| tr.inputs.iter().map(|i| i.field.as_str()))
}

fn required_inputs(t: &CaseType) -> Vec<&str> {
    t.create_transitions()
        .take(1)
        .flat_map(|tr| {
            tr.inputs
                .iter()
                .filter(|i| i.required)
                .map(|i| i.field.as_str())
        })
        .collect()
}

/// A header as typed: trimmed, without a trailing required mark (`*`, `（必填）`).
fn clean_header(h: &str) -> String {
    let h = h.trim().trim_start_matches('\u{feff}');
    let h = h.strip_suffix("（必填）").unwrap_or(h);
    let h = h.strip_suffix("(必填)").unwrap_or(h);
    h.trim_end_matches(['*', '＊']).trim().to_string()
}

// ---------------------------------------------------------------------------------------------
// Values as clerks type them

/// A date as clerks type it: 2026-3-5, 2026/03/05, 2026.3.5, 2026年3月5日, 20260305, an Excel
/// date serial (46086), or any of them followed by a time.
pub fn clerk_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let first = s.split([' ', 'T']).next().unwrap_or("");
    if let Some(d) = excel_serial(first).map(|dt| dt.date()) {
        return Some(d);
    }
    if first.len() == 8 && first.bytes().all(|b| b.is_ascii_digit()) {
        let y = first[..4].parse().ok()?;
        let m = first[4..6].parse().ok()?;
        let d = first[6..].parse().ok()?;
        return Date::new(y, m, d).ok();
    }
    let norm: String = first
        .trim_end_matches('日')
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' | '－' => '-',
            c => c,
        })
        .collect();
    let mut parts = norm.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() {
        return None;
    }
    if d.len() > 2 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// An Excel serial (1900 date system) with an optional fraction of a day.
fn excel_serial(s: &str) -> Option<jiff::civil::DateTime> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    // 1949-10-01 (the earliest date a field takes) to 2100-12-31: a bare year such as 2026 or a
    // compact date such as 20260305 is not a serial.
    if !(18_172.0..=73_415.0).contains(&v) {
        return None;
    }
    let base = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    let secs = (v * 86_400.0).round() as i64;
    base.checked_add(jiff::Span::new().seconds(secs)).ok()
}

/// A moment as clerks type it: a date as [`clerk_date`] reads it, then `H:MM` or `H:MM:SS`; or
/// an Excel serial with its fraction.
pub fn clerk_datetime(s: &str) -> Option<jiff::civil::DateTime> {
    let s = s.trim();
    if let Some(dt) = excel_serial(s) {
        return Some(dt);
    }
    let (d, t) = s.split_once([' ', 'T'])?;
    let date = clerk_date(d)?;
    let t = t.trim().replace('：', ":");
    let mut parts = t.split(':');
    let h: i8 = parts.next()?.parse().ok()?;
    let m: i8 = parts.next()?.parse().ok()?;
    let sec: i8 = match parts.next() {
        Some(x) => x.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    jiff::civil::Time::new(h, m, sec, 0)
        .ok()
        .map(|t| date.to_datetime(t))
}

/// A cell as the input of a field, normalised from the way clerks type it. `Err` is the reason
/// (without the column, which the caller names).
fn cell_value(t: &CaseType, f: &FieldDef, cell: &str) -> Result<Value, String> {
    let s = cell.trim();
    let dictionary = || {
        f.dictionary
            .as_deref()
            .and_then(|d| t.dictionary(d))
            .unwrap_or(&[])
    };
    Ok(match f.kind {
        FieldKind::Date => match clerk_date(s) {
            Some(d) => Value::String(d.to_string()),
            None => {
                return Err(format!(
                    "日期无法识别（收到“{s}”），应为2026-03-05、2026/3/5或2026年3月5日这样的真实日期"
                ));
            }
        },
        FieldKind::DateTime => match clerk_datetime(s) {
            Some(dt) => Value::String(dt.strftime("%Y-%m-%d %H:%M:%S").to_string()),
            None => {
                return Err(format!(
                    "日期时间无法识别（收到“{s}”），应为2026-03-05 14:30这样的日期和时间"
                ));
            }
        },
        FieldKind::Enum => {
            let entries = dictionary();
            match entries.iter().find(|e| e.value == s || e.label_zh == s) {
                Some(e) => Value::String(e.value.clone()),
                None => {
                    let allowed: Vec<&str> = entries.iter().map(|e| e.label_zh.as_str()).collect();
                    return Err(format!("“{s}”不是有效选项，可选：{}", allowed.join("、")));
                }
            }
        }
        FieldKind::Bool => match s.to_ascii_lowercase().as_str() {
            "是" | "true" | "y" | "yes" | "1" | "√" => Value::Bool(true),
            "否" | "false" | "n" | "no" | "0" | "×" => Value::Bool(false),
            _ => return Err(format!("应为“是”或“否”（收到“{s}”）")),
        },
        FieldKind::Money | FieldKind::Area | FieldKind::Number => {
            let n: String = s
                .trim_end_matches("平方米")
                .trim_end_matches('㎡')
                .trim_end_matches('元')
                .chars()
                .filter(|c| !matches!(c, ',' | '，' | ' '))
                .collect();
            Value::String(n)
        }
        FieldKind::OfficerList => Value::Array(
            s.split([',', '，', '、', ';', '；'])
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| Value::String(x.to_string()))
                .collect(),
        ),
        _ => Value::String(s.to_string()),
    })
}

// ---------------------------------------------------------------------------------------------
// Reading files

/// Rows of a file, read one at a time.
enum Rows {
    Xlsx {
        range: calamine::Range<calamine::Data>,
        first_row: u32,
        first_col: usize,
        next: usize,
    },
    Csv {
        records: csv::StringRecordsIntoIter<std::io::Cursor<Vec<u8>>>,
        line: u32,
    },
}

fn xlsx_cell(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => {
            let v = d.as_f64();
            match excel_serial(&v.to_string()) {
                Some(dt) if v.fract() == 0.0 => dt.date().to_string(),
                Some(dt) => dt.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                None => v.to_string(),
            }
        }
        Data::DateTimeIso(s) => s.replace('T', " "),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

impl Rows {
    /// The next row: its number as the spreadsheet shows it and its cells.
    fn next_row(&mut self) -> Option<Result<(u32, Vec<String>), RowProblem>> {
        match self {
            Rows::Xlsx {
                range,
                first_row,
                first_col,
                next,
            } => {
                let width = range.width();
                if *next >= range.height() {
                    return None;
                }
                let i = *next;
                *next += 1;
                let mut cells = vec![String::new(); *first_col];
                for c in 0..width {
                    cells.push(range.get((i, c)).map(xlsx_cell).unwrap_or_default());
                }
                Some(Ok((*first_row + i as u32 + 1, cells)))
            }
            Rows::Csv { records, line } => match records.next()? {
                Ok(r) => {
                    *line = r.position().map(|p| p.line() as u32).unwrap_or(*line + 1);
                    Some(Ok((
                        *line,
                        r.iter().map(|c| c.trim().to_string()).collect(),
                    )))
                }
                Err(e) => Some(Err(RowProblem {
                    row: e.position().map(|p| p.line() as u32).unwrap_or(0),
                    column: String::new(),
                    message: format!("CSV格式错误：{e}"),
                })),
            },
        }
    }
}

/// Opens a file: .xlsx (by its zip signature; the first sheet) or CSV (UTF-8, with or without
/// BOM, else GB18030). Returns the rows, the data-row count and the encoding's name.
fn open(bytes: &[u8]) -> Result<(Rows, usize, &'static str), RowProblem> {
    if bytes.starts_with(b"PK\x03\x04") {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
                .map_err(|e| RowProblem::file(format!("无法读取工作簿（应为.xlsx格式）：{e}")))?;
        let Some(name) = wb.sheet_names().first().cloned() else {
            return Err(RowProblem::file("工作簿中没有工作表"));
        };
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| RowProblem::file(format!("无法读取工作表“{name}”：{e}")))?;
        let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
        let first_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
        let total = range.height().saturating_sub(1);
        return Ok((
            Rows::Xlsx {
                range,
                first_row,
                first_col,
                next: 0,
            },
            total,
            "xlsx",
        ));
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let (text, encoding): (Vec<u8>, &'static str) = match std::str::from_utf8(body) {
        Ok(_) => (body.to_vec(), "UTF-8"),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(body);
            if had_errors {
                return Err(RowProblem::file(
                    "文件编码无法识别：CSV文件应为UTF-8或GB18030（GBK）编码",
                ));
            }
            (text.into_owned().into_bytes(), "GB18030")
        }
    };
    // The row count for the progress line: one cheap pass of the CSV parser.
    let total = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_slice())
        .records()
        .count();
    let records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::Cursor::new(text))
        .into_records();
    Ok((Rows::Csv { records, line: 0 }, total, encoding))
}

// ---------------------------------------------------------------------------------------------
// Template

/// The import template of a case type: one sheet with the header row (required columns marked
/// with `*`), cells formatted as text, drop-down lists for dictionary fields, and a sheet
/// explaining every column.
pub fn template(t: &CaseType) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("template: {e}"));
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    let required = required_inputs(t);
    let fields = field_columns(t);
    let mut explain: Vec<[String; 3]> = vec![
        [
            COL_NUMBER.into(),
            "否".into(),
            "原系统中的编号；同一编号不能出现两次，也不能是本系统中已有的案件编号".into(),
        ],
        [
            COL_UNIT.into(),
            "否".into(),
            "单位代码；不填为导入人所在单位".into(),
        ],
        [
            COL_ON.into(),
            "否".into(),
            "如2026-03-05、2026/3/5、2026年3月5日；不填为导入当天".into(),
        ],
        [
            COL_STATE.into(),
            "否".into(),
            format!(
                "可填：{}；不填为登记后的状态",
                t.states
                    .iter()
                    .map(|s| s.label_zh.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ],
    ];
    for f in &fields {
        let what = match f.kind {
            FieldKind::Date => "日期，如2026-03-05、2026/3/5、2026年3月5日".to_string(),
            FieldKind::DateTime => "日期和时间，如2026-03-05 14:30".to_string(),
            FieldKind::Money => "金额（元），最多两位小数".to_string(),
            FieldKind::Area => "面积（平方米），最多两位小数".to_string(),
            FieldKind::Number => "数字".to_string(),
            FieldKind::Bool => "是或否".to_string(),
            FieldKind::Enum | FieldKind::Flags => format!(
                "{}：{}",
                if f.kind == FieldKind::Flags {
                    "可填多个，用顿号分隔"
                } else {
                    "可填"
                },
                f.dictionary
                    .as_deref()
                    .and_then(|d| t.dictionary(d))
                    .unwrap_or(&[])
                    .iter()
                    .map(|e| e.label_zh.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            FieldKind::OfficerList => "人员名册编号，多人用顿号分隔".to_string(),
            FieldKind::Unit | FieldKind::Department => "单位或部门代码".to_string(),
            FieldKind::IdNumber => "18位居民身份证号码".to_string(),
            FieldKind::Phone => "手机号码或带区号的固定电话".to_string(),
            FieldKind::Uscc => "18位统一社会信用代码".to_string(),
            _ => "文本".to_string(),
        };
        explain.push([
            f.label_zh.clone(),
            if required.contains(&f.code.as_str()) {
                "是".into()
            } else {
                "否".into()
            },
            what,
        ]);
    }
    let ws = wb.add_worksheet();
    let sheet_name: String = t
        .name_zh
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    ws.set_name(&sheet_name).map_err(fail)?;
    for (i, row) in explain.iter().enumerate() {
        let col = i as u16;
        let header = if row[1] == "是" {
            format!("{}*", row[0])
        } else {
            row[0].clone()
        };
        ws.write_string_with_format(0, col, &header, &bold)
            .map_err(fail)?;
        ws.set_column_width(col, 16).map_err(fail)?;
        ws.set_column_format(col, &text).map_err(fail)?;
    }
    // Drop-down lists for single-choice columns (Excel limits a list to 255 characters).
    let offset = 4;
    for (i, f) in fields.iter().enumerate() {
        if f.kind != FieldKind::Enum {
            continue;
        }
        let labels: Vec<String> = f
            .dictionary
            .as_deref()
            .and_then(|d| t.dictionary(d))
            .unwrap_or(&[])
            .iter()
            .map(|e| e.label_zh.clone())
            .collect();
        if labels.is_empty() || labels.join(",").chars().count() > 250 {
            continue;
        }
        let v = rust_xlsxwriter::DataValidation::new()
            .allow_list_strings(&labels)
            .map_err(fail)?;
        let col = (offset + i) as u16;
        ws.add_data_validation(1, col, 100_000, col, &v)
            .map_err(fail)?;
    }
    let help = wb.add_worksheet();
    help.set_name("说明").map_err(fail)?;
    for (c, h) in ["列名", "必填", "填写说明"].iter().enumerate() {
        help.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(fail)?;
    }
    for (i, row) in explain.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            help.write_string(i as u32 + 1, c as u16, v).map_err(fail)?;
        }
    }
    let notes = [
        "第一个工作表第1行为列名（带*的为必填），列的顺序可以调整，列名不能修改；也可以保存为CSV文件（UTF-8或GBK编码）导入。",
        "导入要么全部成功，要么全部不写入；可先选择“只检查不导入”查看将写入的内容和全部问题。",
        "导入的案件记录为“从文件导入”，处于“状态”列所填的状态，写入审计日志。",
    ];
    let base = explain.len() as u32 + 2;
    for (i, l) in notes.iter().enumerate() {
        help.write_string(base + i as u32, 0, *l).map_err(fail)?;
    }
    help.set_column_width(0, 18).map_err(fail)?;
    help.set_column_width(2, 90).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}

// ---------------------------------------------------------------------------------------------
// Import

/// How a file's columns map: the fixed columns and the fields, by position.
struct Mapping<'t> {
    number: Option<usize>,
    unit: Option<usize>,
    on: Option<usize>,
    state: Option<usize>,
    fields: Vec<(usize, &'t FieldDef, String)>,
}

fn map_columns<'t>(t: &'t CaseType, header: &[String]) -> Result<Mapping<'t>, ImportRejected> {
    let fields = field_columns(t);
    let mut problems = Vec::new();
    let mut m = Mapping {
        number: None,
        unit: None,
        on: None,
        state: None,
        fields: Vec::new(),
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in header.iter().enumerate() {
        let h = clean_header(raw);
        if h.is_empty() {
            continue;
        }
        if let Some(first) = seen.insert(h.clone(), i) {
            problems.push(RowProblem {
                row: 1,
                column: h.clone(),
                message: format!("列名重复（第{}列和第{}列）", first + 1, i + 1),
            });
            continue;
        }
        match h.as_str() {
            COL_NUMBER => m.number = Some(i),
            COL_UNIT => m.unit = Some(i),
            COL_ON => m.on = Some(i),
            COL_STATE => m.state = Some(i),
            _ => match fields.iter().find(|f| f.label_zh == h || f.code == h) {
                Some(f) => m.fields.push((i, f, h)),
                None => problems.push(RowProblem {
                    row: 1,
                    column: h.clone(),
                    message: format!(
                        "{}没有此列（列名应与导入模板一致，可下载“{}”导入模板）",
                        t.name_zh, t.name_zh
                    ),
                }),
            },
        }
    }
    for code in required_inputs(t) {
        if !m.fields.iter().any(|(_, f, _)| f.code == code) {
            problems.push(RowProblem {
                row: 1,
                column: t.field_label(code),
                message: "缺少必填列".into(),
            });
        }
    }
    if problems.is_empty() {
        Ok(m)
    } else {
        Err(ImportRejected { problems, more: 0 })
    }
}

/// Collects problems up to [`MAX_PROBLEMS`].
#[derive(Default)]
struct Problems {
    list: Vec<RowProblem>,
    more: usize,
}

impl Problems {
    fn push(&mut self, row: u32, column: &str, message: impl Into<String>) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(RowProblem {
                row,
                column: column.to_string(),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }
    fn is_empty(&self) -> bool {
        self.list.is_empty() && self.more == 0
    }
}

impl App {
    /// Imports the cases of `case_type` from a file (see the module documentation) as `actor`.
    /// `file_name` is recorded with each case. `progress` is called as rows are checked and
    /// written.
    pub async fn import_cases(
        &self,
        actor: &Actor,
        case_type: &str,
        file_name: &str,
        bytes: &[u8],
        dry_run: bool,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<CaseImportSummary, ImportRejected> {
        let t = self
            .registry
            .get(case_type)
            .ok_or_else(|| RowProblem::file(format!("未知的案件类型“{case_type}”")))
            .map_err(ImportRejected::one)?;
        let (mut rows, total, encoding) = open(bytes).map_err(ImportRejected::one)?;
        let header = match rows.next_row() {
            Some(Ok((_, h))) => h,
            Some(Err(p)) => return Err(ImportRejected::one(p)),
            None => return Err(ImportRejected::one(RowProblem::file("文件是空的"))),
        };
        let m = map_columns(t, &header)?;
        let create_inputs: Vec<&str> = create_inputs(t).collect();
        let today = self.clock.today();
        let validators = crate::validators::DomainValidators { today };

        let mut problems = Problems::default();
        let mut prepared: Vec<(u32, PreparedCreate)> = Vec::new();
        let mut units: HashMap<String, UnitRow> = HashMap::new();
        let mut numbers: HashMap<String, u32> = HashMap::new();
        let mut contents: HashMap<u64, u32> = HashMap::new();
        let mut done = 0usize;
        // Bounded: one iteration per row of the file.
        while let Some(next) = rows.next_row() {
            let (row, cells) = match next {
                Ok(r) => r,
                Err(p) => {
                    problems.push(p.row, "", p.message);
                    continue;
                }
            };
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            done += 1;
            if done.is_multiple_of(1_000) {
                progress(Progress {
                    phase: "check",
                    done,
                    total,
                });
            }
            let cell = |i: Option<usize>| -> &str {
                i.and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or("")
            };
            let before = problems.list.len() + problems.more;
            // Duplicates: by number when the file has numbers, else by identical content.
            let number = cell(m.number).to_string();
            if m.number.is_some() {
                if number.is_empty() {
                    problems.push(row, COL_NUMBER, "有“案件编号”列时每行都应填写");
                } else if let Some(first) = numbers.get(&number) {
                    problems.push(
                        row,
                        COL_NUMBER,
                        format!("与第{first}行重复（案件编号“{number}”）"),
                    );
                } else {
                    numbers.insert(number.clone(), row);
                    if fazhi_store::cases::case_by_number(&self.db, &number)
                        .await
                        .map_err(AppError::from)?
                        .is_some()
                    {
                        problems.push(
                            row,
                            COL_NUMBER,
                            format!("系统中已有案件编号为“{number}”的案件（重复导入）"),
                        );
                    }
                }
            } else {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                cells.hash(&mut h);
                if let Some(first) = contents.insert(h.finish(), row) {
                    problems.push(row, "", format!("与第{first}行内容完全相同（重复）"));
                }
            }
            let on = match cell(m.on) {
                "" => None,
                s => match clerk_date(s) {
                    Some(d) => Some(d),
                    None => {
                        problems.push(
                            row,
                            COL_ON,
                            format!("日期无法识别（收到“{s}”），应为2026-03-05、2026/3/5或2026年3月5日这样的真实日期"),
                        );
                        None
                    }
                },
            };
            let state = match cell(m.state) {
                "" => None,
                s => match t.states.iter().find(|x| x.label_zh == s || x.code == s) {
                    Some(x) => Some(x.code.clone()),
                    None => {
                        problems.push(
                            row,
                            COL_STATE,
                            format!(
                                "“{s}”不是{}的状态，可填：{}",
                                t.name_zh,
                                t.states
                                    .iter()
                                    .map(|x| x.label_zh.as_str())
                                    .collect::<Vec<_>>()
                                    .join("、")
                            ),
                        );
                        None
                    }
                },
            };
            let on_date = on.unwrap_or(today);
            let mut input = Map::new();
            let mut extra = Map::new();
            for (i, f, col) in &m.fields {
                let raw = cell(Some(*i));
                if raw.is_empty() {
                    continue;
                }
                let v = match cell_value(t, f, raw) {
                    Ok(v) => v,
                    Err(msg) => {
                        problems.push(row, col, msg);
                        continue;
                    }
                };
                if create_inputs.contains(&f.code.as_str()) {
                    input.insert(f.code.clone(), v);
                } else {
                    match fazhi_workflow::parse_field(t, f, &v, on_date, &validators) {
                        Ok(v) => {
                            extra.insert(f.code.clone(), v);
                        }
                        Err(r) => problems.push(row, col, strip_label(&r.message_zh, f)),
                    }
                }
            }
            // The create step is checked even for a row with problems, so that every problem
            // of the row is reported at once.
            let row_ok = problems.list.len() + problems.more == before;
            let req = CreateCase {
                case_type: t.code.clone(),
                unit_code: Some(cell(m.unit).to_string()).filter(|s| !s.is_empty()),
                on: on.map(|d| d.to_string()),
                // A file brings in records made elsewhere, often long ago: the file itself is
                // the reason a step carries a past date.
                on_reason: Some(format!("从文件导入：{file_name}")),
                transition: None,
                input,
            };
            match self.prepare_create(actor, &req, &mut units).await {
                Ok(mut p) => {
                    let state = state.unwrap_or_else(|| p.plan.to.clone());
                    let source = serde_json::json!({
                        "file": file_name,
                        "row": row,
                        "source_number": Some(number).filter(|n| !n.is_empty()),
                    });
                    self.mark_imported(&mut p, extra, state, source)?;
                    if row_ok && problems.is_empty() {
                        prepared.push((row, p));
                    }
                }
                Err(AppError::Invalid(list)) => {
                    for fp in list {
                        let col = column_of(t, &m, &fp.field);
                        problems.push(row, &col, fp.message);
                    }
                }
                Err(AppError::Refused(list)) => {
                    for r in list {
                        let col = r
                            .field
                            .as_deref()
                            .map(|f| column_of(t, &m, f))
                            .unwrap_or_default();
                        let basis = r.basis_zh().map(|b| format!("（{b}）")).unwrap_or_default();
                        problems.push(row, &col, format!("{}{basis}", r.message_zh));
                    }
                }
                Err(AppError::Forbidden(msg)) => problems.push(row, COL_UNIT, msg),
                Err(other) => return Err(other.into()),
            }
            if !problems.is_empty() {
                // Once a problem is found nothing will be written: keep no prepared rows.
                prepared.clear();
            }
        }
        if !problems.is_empty() {
            return Err(ImportRejected {
                problems: problems.list,
                more: problems.more,
            });
        }
        if prepared.is_empty() {
            return Err(ImportRejected::one(RowProblem::file(
                "文件中没有要导入的数据行",
            )));
        }
        progress(Progress {
            phase: "check",
            done,
            total: done,
        });
        let mut summary = self.import_summary(t, dry_run, encoding, &prepared);
        if dry_run {
            return Ok(summary);
        }
        let rows = prepared.len();
        let list: Vec<PreparedCreate> = prepared.into_iter().map(|(_, p)| p).collect();
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await.map_err(AppError::from)?;
        let out = self.write_prepared(actor, list, &mut tx).await?;
        summary.first_numbers = out
            .iter()
            .take(PREVIEW_ROWS)
            .map(|o| o.number.clone())
            .collect();
        let after = serde_json::json!({
            "case_type": t.code,
            "file": file_name,
            "rows": rows,
            "states": summary.states,
        });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "import",
            entity: "case_file",
            entity_id: file_name,
            before: None,
            after: Some(&after),
        })
        .await
        .map_err(AppError::from)?;
        tx.commit().await.map_err(AppError::from)?;
        progress(Progress {
            phase: "write",
            done: rows,
            total: rows,
        });
        Ok(summary)
    }

    fn import_summary(
        &self,
        t: &CaseType,
        dry_run: bool,
        encoding: &str,
        prepared: &[(u32, PreparedCreate)],
    ) -> CaseImportSummary {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (_, p) in prepared {
            *counts.entry(p.plan.to.as_str()).or_default() += 1;
        }
        let states = t
            .states
            .iter()
            .filter_map(|s| {
                counts
                    .get(s.code.as_str())
                    .map(|n| (s.label_zh.clone(), *n))
            })
            .collect();
        let preview = prepared
            .iter()
            .take(PREVIEW_ROWS)
            .map(|(row, p)| PreviewRow {
                row: *row,
                state: t.state_label(&p.plan.to),
                received_on: p.on.to_string(),
                fields: t
                    .fields
                    .iter()
                    .filter(|f| !f.restricted())
                    .filter_map(|f| {
                        p.plan.field_updates.get(&f.code).map(|v| {
                            (
                                f.label_zh.clone(),
                                crate::cases::display_value(t, &f.code, v, false),
                            )
                        })
                    })
                    .collect(),
            })
            .collect();
        CaseImportSummary {
            dry_run,
            case_type: t.code.clone(),
            type_name: t.name_zh.clone(),
            encoding: encoding.to_string(),
            rows: prepared.len(),
            states,
            preview,
            first_numbers: Vec::new(),
        }
    }

    /// The cases of a list view as an .xlsx workbook: the list's filter (scoped to the actor as
    /// the list is), columns as the import template has them so that the file can be imported
    /// again. Personal data is masked unless `reveal` and the actor's role may see it; every
    /// export is audited.
    pub async fn export_cases(
        &self,
        actor: &Actor,
        case_type: &str,
        mut filter: CaseFilter,
        reveal: bool,
    ) -> Result<Vec<u8>, AppError> {
        let t = self.registry.get(case_type).ok_or_else(|| {
            AppError::invalid(
                "case_type",
                "unknown_case_type",
                format!("案件类型：未知的类型“{case_type}”"),
            )
        })?;
        let reveal = reveal && actor.may_reveal_personal();
        filter.case_type = Some(t.code.clone());
        let units: HashMap<fazhi_domain::UnitId, String> = org::units(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.code))
            .collect();
        let roles = actor.role_codes();
        let fields: Vec<&FieldDef> = field_columns(t)
            .into_iter()
            .filter(|f| !f.restricted() && f.visible_to_roles(&roles))
            .filter(|f| !f.input_only)
            .collect();
        let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("export: {e}"));
        let mut wb = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let ws = wb.add_worksheet();
        let mut header: Vec<String> = [COL_NUMBER, COL_UNIT, COL_ON, COL_STATE]
            .iter()
            .map(|s| s.to_string())
            .collect();
        header.extend(fields.iter().map(|f| f.label_zh.clone()));
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(fail)?;
            ws.set_column_width(c as u16, 16).map_err(fail)?;
        }
        const PAGE: i64 = 1_000;
        filter.limit = PAGE;
        filter.offset = 0;
        let mut row = 1u32;
        // Bounded: at most 1,000 pages of 1,000 cases.
        for _ in 0..1_000 {
            let (cases, _) = self.list_cases(actor, filter.clone()).await?;
            for c in &cases {
                let mut cells = vec![
                    c.number.clone(),
                    units.get(&c.unit_id).cloned().unwrap_or_default(),
                    c.created_on.clone(),
                    t.state_label(&c.state),
                ];
                for f in &fields {
                    cells.push(
                        c.fields
                            .get(&f.code)
                            .map(|v| export_value(t, f, v, reveal))
                            .unwrap_or_default(),
                    );
                }
                for (i, v) in cells.iter().enumerate() {
                    ws.write_string(row, i as u16, v).map_err(fail)?;
                }
                row += 1;
            }
            if (cases.len() as i64) < PAGE {
                break;
            }
            filter.offset += PAGE;
        }
        let bytes = wb.save_to_buffer().map_err(fail)?;
        let mut tx = self.db.begin().await?;
        let after = serde_json::json!({
            "case_type": t.code,
            "rows": row - 1,
            "revealed": reveal,
            "filter": {
                "state": filter.state, "category": filter.category,
                "created_from": filter.created_from, "created_to": filter.created_to,
                "query": filter.query, "open_only": filter.open_only,
            },
        });
        tx.audit(AuditEntry {
            at: self.clock.now_ms(),
            actor: &actor.login,
            action: "export",
            entity: "case_list",
            entity_id: &t.code,
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(bytes)
    }
}

/// A stored value as an export cell, in the form the import reads back: dictionary values by
/// label, money and areas as plain decimals, officers by register id.
fn export_value(t: &CaseType, f: &FieldDef, v: &Value, reveal: bool) -> String {
    let text = match (f.kind, v) {
        (FieldKind::Money | FieldKind::Area, Value::Number(n)) => {
            let h = n.as_i64().unwrap_or(0);
            format!("{}.{:02}", h / 100, (h % 100).abs())
        }
        _ => crate::cases::display_value(t, &f.code, v, true),
    };
    if f.personal && !reveal && !text.is_empty() {
        crate::cases::mask_value(f.kind, &text)
    } else {
        text
    }
}

/// The column header of a field code in this file (or the fixed column of `on`/`unit_code`).
fn column_of(t: &CaseType, m: &Mapping<'_>, field: &str) -> String {
    match field {
        "on" => COL_ON.into(),
        "unit_code" => COL_UNIT.into(),
        _ => m
            .fields
            .iter()
            .find(|(_, f, _)| f.code == field)
            .map(|(_, _, h)| h.clone())
            .unwrap_or_else(|| t.field_label(field)),
    }
}

/// A refusal message without its leading `label：` (the column is named separately).
fn strip_label(message: &str, f: &FieldDef) -> String {
    message
        .strip_prefix(&format!("{}：", f.label_zh))
        .unwrap_or(message)
        .to_string()
}

/// Cases per state label in a summary, as a map (tests, CLI).
pub fn states_map(s: &CaseImportSummary) -> BTreeMap<String, usize> {
    s.states.iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_clerks_type_them() {
        let d = jiff::civil::date(2026, 3, 5);
        for s in [
            "2026-3-5",
            "2026-03-05",
            "2026/03/05",
            "2026/3/5",
            "2026.3.5",
            "2026年3月5日",
            "20260305",
            "46086",
            "2026-03-05 00:00:00",
        ] {
            assert_eq!(clerk_date(s), Some(d), "{s}");
        }
        for s in [
            "2026-02-30",
            "3/5/2026",
            "2026",
            "明天",
            "2026-3",
            "26-3-5",
            "",
        ] {
            assert_eq!(clerk_date(s), None, "{s}");
        }
        assert_eq!(
            clerk_datetime("2026/3/5 14:30").map(|d| d.to_string()),
            Some("2026-03-05T14:30:00".into())
        );
        assert_eq!(
            clerk_datetime("46086.5").map(|d| d.to_string()),
            Some("2026-03-05T12:00:00".into())
        );
        assert_eq!(clerk_datetime("2026-03-05"), None);
    }

    #[test]
    fn headers_lose_their_required_mark() {
        assert_eq!(clean_header(" 事项内容* "), "事项内容");
        assert_eq!(clean_header("\u{feff}事项内容（必填）"), "事项内容");
    }
}
