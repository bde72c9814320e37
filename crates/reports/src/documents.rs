//! Case documents (文书): the `documents.toml` of a case-type folder — each document's layout
//! with placeholders for the case's values, which step produces it, who signs it off and the
//! kind code of its number — parsed and checked with file:line diagnostics, filled from a
//! [`DocContext`] and written as DOCX (the GB/T 9704 page of [`crate::docx`]) or HTML.
//!
//! ```toml
//! [[period]]                       # a period the law gives the party, stated in the rights notice
//! code = "reconsideration"
//! n = 60
//! unit = "days"                    # days | months
//! statute = "《中华人民共和国行政复议法》"
//! article = "第二十条"
//!
//! [[document]]
//! name = "行政处罚决定书"          # the document's name (also its title unless `title` is given)
//! kind = "执罚决"                  # optional: numbered as 望江执罚决字〔2026〕第12号 when issued
//! transition = "decide"            # the step that produces it
//! sign_off = ["leader"]            # roles that sign it off
//! layout = "letter"                # letter (a notice or decision) | form (an approval form)
//! [[document.para]]                # letter: paragraphs; form: [[document.row]] with a label
//! text = "当事人：{field.party_name}"
//! [[document.para]]
//! text = "统一社会信用代码：{field.party_uscc}"
//! when = "field.party_uscc"        # only when that value is present
//! ```
//!
//! Placeholders are the report's (`{id}` / `{id:format}`, [`crate::placeholder`]) with the ids
//! of [`FIXED_IDS`], `field.<code>` (a field of the case type), `step.<transition>` (the date
//! that step was last taken), `period.<code>` (the period in words, `六十日`, `六个月`),
//! `period.<code>.basis` (its statute and article), and `clock.<code>` / `clock.<code>.basis`
//! (a fixed-length clock of the definition, e.g. `五个工作日`). Formats added for documents: `date`
//! (`2026年3月5日`), `cn_date` (`二〇二六年三月五日`), `yuan` (`5000.00`) and `capital`
//! (`伍仟元整`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fazhi_workflow::{CaseType, Diagnostic, Registry};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::docx::{self, RunStyle, geometry::*, paragraph, run};
use crate::html::escape;
use crate::numbering::cn_numeral;
use crate::placeholder::{self, Format, Token};
use crate::source::Src;

/// The file of a case-type folder that holds its document templates.
pub const DOCUMENTS_FILE: &str = "documents.toml";

/// Placeholder ids every document may use, with what they hold.
pub const FIXED_IDS: &[(&str, &str)] = &[
    ("case.number", "案件编号"),
    ("case.opened_on", "立案（登记）日期"),
    ("case.type_name", "案件类型"),
    ("unit.name", "制作文书的单位"),
    ("unit.reconsideration_body", "行政复议机关"),
    ("unit.court", "管辖的人民法院"),
    ("document.name", "文书名称"),
    ("document.number", "文号"),
    ("document.date", "文书日期"),
    ("officers", "承办执法人员及执法证号"),
    ("service.document", "送达的文书及文号"),
    ("service.method", "送达方式"),
    ("service.date", "送达日期"),
    ("service.recipient", "受送达人"),
];

/// Unit of a [`Period`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PeriodUnit {
    Days,
    WorkingDays,
    Months,
}

/// A period the law gives the party (e.g. 60 days to apply for reconsideration), stated in a
/// rights notice from `n` and `unit`, never typed into the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub code: String,
    pub n: u32,
    pub unit: PeriodUnit,
    pub statute: String,
    pub article: String,
}

impl Period {
    /// `六十日`, `六个月`, `十五日`.
    pub fn words(&self) -> String {
        match self.unit {
            PeriodUnit::Days => format!("{}日", cn_numeral(self.n as usize)),
            PeriodUnit::WorkingDays => format!("{}个工作日", cn_numeral(self.n as usize)),
            PeriodUnit::Months => format!("{}个月", cn_numeral(self.n as usize)),
        }
    }

    /// `《中华人民共和国行政复议法》第二十条`.
    pub fn basis(&self) -> String {
        format!("{}{}", self.statute, self.article)
    }
}

/// How a document is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Layout {
    /// A notice or decision: paragraphs of running text, signature and date.
    Letter,
    /// An approval or record form: a table of labelled rows, then a row per sign-off.
    Form,
}

/// A paragraph (letter) or a row (form) of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    /// The row's label (forms only).
    pub label: Option<String>,
    pub text: String,
    /// Kept only when this value is present.
    pub when: Option<String>,
}

/// One document template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub case_type: String,
    pub name: String,
    pub title: String,
    /// Kind code of its number (`执罚决`); `None`: not numbered.
    pub kind: Option<String>,
    pub transition: String,
    pub sign_off: Vec<String>,
    pub layout: Layout,
    pub blocks: Vec<Block>,
}

impl Template {
    /// Every placeholder id the template uses.
    pub fn placeholder_ids(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for b in &self.blocks {
            for t in placeholder::parse(&b.text) {
                if let Token::Placeholder { id, .. } = t {
                    out.insert(id);
                }
            }
            if let Some(w) = &b.when {
                out.insert(w.clone());
            }
        }
        out
    }
}

/// The templates and periods of one case type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CaseTypeDocuments {
    pub case_type: String,
    pub periods: Vec<Period>,
    pub templates: Vec<Template>,
}

impl CaseTypeDocuments {
    pub fn template(&self, name: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.name == name)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    period: Vec<Spanned<RawPeriod>>,
    #[serde(default)]
    document: Vec<Spanned<RawDocument>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    code: Spanned<String>,
    n: Spanned<u32>,
    unit: Spanned<String>,
    statute: String,
    article: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    name: Spanned<String>,
    title: Option<String>,
    kind: Option<Spanned<String>>,
    transition: Spanned<String>,
    #[serde(default)]
    sign_off: Vec<Spanned<String>>,
    layout: Spanned<String>,
    #[serde(default)]
    para: Vec<Spanned<RawBlock>>,
    #[serde(default)]
    row: Vec<Spanned<RawBlock>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlock {
    label: Option<String>,
    text: Spanned<String>,
    when: Option<Spanned<String>>,
}

/// Whether `id` is a placeholder id a template of `ct` may use, given the declared periods.
fn known_id(id: &str, ct: Option<&CaseType>, periods: &BTreeSet<String>) -> bool {
    if FIXED_IDS.iter().any(|(k, _)| *k == id) {
        return true;
    }
    if let Some(p) = id.strip_prefix("period.") {
        let p = p.strip_suffix(".basis").unwrap_or(p);
        return periods.contains(p);
    }
    let Some(ct) = ct else {
        return id.starts_with("field.") || id.starts_with("step.") || id.starts_with("clock.");
    };
    if id.starts_with("clock.") {
        let code = id.strip_suffix(".basis").unwrap_or(id);
        return clock_periods(ct).iter().any(|p| p.code == code);
    }
    if let Some(f) = id.strip_prefix("field.") {
        return ct.fields.iter().any(|d| d.code == f);
    }
    if let Some(t) = id.strip_prefix("step.") {
        return ct.transitions.iter().any(|d| d.code == t);
    }
    false
}

/// The fixed-length clocks of a case type as periods `clock.<code>` (its statute in `statute`,
/// the clock's `basis`), so that a notice states the period the clock counts.
pub fn clock_periods(ct: &CaseType) -> Vec<Period> {
    ct.clocks
        .iter()
        .filter_map(|c| match &c.length {
            fazhi_workflow::ClockLength::Fixed { n, unit } => {
                let unit = match unit {
                    fazhi_workflow::PeriodUnit::WorkingDays => PeriodUnit::WorkingDays,
                    fazhi_workflow::PeriodUnit::Months => PeriodUnit::Months,
                    fazhi_workflow::PeriodUnit::NaturalDays => PeriodUnit::Days,
                    _ => return None,
                };
                Some(Period {
                    code: format!("clock.{}", c.code),
                    n: *n,
                    unit,
                    statute: c.basis.clone(),
                    article: String::new(),
                })
            }
            _ => None,
        })
        .collect()
}

/// Parses the `documents.toml` of case type `code`; with `ct`, fields, steps and transitions
/// are checked against the definition. Returns the templates when there is no error, and every
/// diagnostic.
pub fn parse_documents(
    code: &str,
    path: &Path,
    text: &str,
    ct: Option<&CaseType>,
) -> (Option<CaseTypeDocuments>, Vec<Diagnostic>) {
    let src = Src { path, text };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            return (
                None,
                vec![src.error(
                    e.span(),
                    format!("invalid documents file: {}", e.message().trim()),
                    format!("文书模板文件格式错误：{}", e.message().trim()),
                )],
            );
        }
    };
    let mut diags = Vec::new();
    let mut periods = Vec::new();
    for rp in &raw.period {
        let p = rp.get_ref();
        let unit = match p.unit.get_ref().as_str() {
            "days" => PeriodUnit::Days,
            "months" => PeriodUnit::Months,
            other => {
                diags.push(src.error(
                    Some(p.unit.span()),
                    format!("unknown period unit `{other}` (expected days or months)"),
                    format!("期间单位“{other}”无法识别，应为days（日）或months（月）"),
                ));
                continue;
            }
        };
        if *p.n.get_ref() == 0 {
            diags.push(src.error(
                Some(p.n.span()),
                "a period must be at least 1",
                "期间长度n须大于0",
            ));
        }
        if periods.iter().any(|q: &Period| &q.code == p.code.get_ref()) {
            diags.push(src.error(
                Some(p.code.span()),
                format!("period `{}` declared twice", p.code.get_ref()),
                format!("期间“{}”重复定义", p.code.get_ref()),
            ));
        }
        if p.statute.trim().is_empty() || p.article.trim().is_empty() {
            diags.push(src.error(
                Some(rp.span()),
                "a period cites its statute and article",
                "期间须注明法律名称（statute）和条款（article）",
            ));
        }
        periods.push(Period {
            code: p.code.get_ref().clone(),
            n: *p.n.get_ref(),
            unit,
            statute: p.statute.clone(),
            article: p.article.clone(),
        });
    }
    let period_codes: BTreeSet<String> = periods.iter().map(|p| p.code.clone()).collect();
    if let Some(ct) = ct {
        periods.extend(clock_periods(ct));
    }
    let mut templates: Vec<Template> = Vec::new();
    for rd in &raw.document {
        let d = rd.get_ref();
        let name = d.name.get_ref().trim().to_owned();
        if name.is_empty() {
            diags.push(src.error(
                Some(d.name.span()),
                "document name must not be empty",
                "name（文书名称）不能为空",
            ));
        }
        if templates.iter().any(|t| t.name == name) {
            diags.push(src.error(
                Some(d.name.span()),
                format!("document `{name}` declared twice"),
                format!("文书“{name}”重复定义"),
            ));
        }
        let transition = d.transition.get_ref().clone();
        if let Some(ct) = ct {
            match ct.transitions.iter().find(|t| t.code == transition) {
                None => diags.push(src.error(
                    Some(d.transition.span()),
                    format!("unknown transition `{transition}`"),
                    format!("transition（产生文书的步骤）“{transition}”在案件类型定义中不存在"),
                )),
                Some(t) if !t.documents.iter().any(|n| n == &name) => diags.push(src.error(
                    Some(d.name.span()),
                    format!("transition `{transition}` does not name document `{name}`"),
                    format!("步骤“{}”的documents中没有“{name}”", t.label_zh),
                )),
                Some(_) => {}
            }
        }
        for r in &d.sign_off {
            if !fazhi_workflow::ROLES.iter().any(|(c, _)| c == r.get_ref()) {
                diags.push(src.error(
                    Some(r.span()),
                    format!("unknown role `{}`", r.get_ref()),
                    format!(
                        "sign_off（签批角色）“{}”无法识别，可用：{}",
                        r.get_ref(),
                        fazhi_workflow::ROLES
                            .iter()
                            .map(|(c, _)| *c)
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ));
            }
        }
        if let Some(k) = &d.kind {
            let kind = k.get_ref();
            if kind.trim().is_empty() || kind.chars().any(|c| c.is_whitespace() || c == '〔') {
                diags.push(src.error(
                    Some(k.span()),
                    "kind is a short code without spaces, e.g. 执罚决",
                    "kind（文号中的文书代字，如“执罚决”）不能为空或含空格",
                ));
            }
        }
        let layout = match d.layout.get_ref().as_str() {
            "letter" => Layout::Letter,
            "form" => Layout::Form,
            other => {
                diags.push(src.error(
                    Some(d.layout.span()),
                    format!("unknown layout `{other}` (expected letter or form)"),
                    format!("layout（版式）“{other}”无法识别，应为letter（文书）或form（表格）"),
                ));
                continue;
            }
        };
        let (items, wrong) = match layout {
            Layout::Letter => (&d.para, &d.row),
            Layout::Form => (&d.row, &d.para),
        };
        if let Some(w) = wrong.first() {
            diags.push(src.error(
                Some(w.span()),
                "a letter has [[document.para]], a form [[document.row]]",
                "letter版式的文书用[[document.para]]，form版式的表格用[[document.row]]",
            ));
        }
        if items.is_empty() {
            diags.push(src.error(
                Some(rd.span()),
                format!("document `{name}` has no content"),
                format!("文书“{name}”没有内容"),
            ));
        }
        let mut blocks = Vec::new();
        for rb in items {
            let b = rb.get_ref();
            if layout == Layout::Form && b.label.as_deref().is_none_or(|l| l.trim().is_empty()) {
                diags.push(src.error(
                    Some(rb.span()),
                    "a form row needs a label",
                    "表格的每一行须有label（栏目名称）",
                ));
            }
            let body = b.text.get_ref();
            for tok in placeholder::parse(body) {
                match tok {
                    Token::Invalid { raw, problem } | Token::Stray { raw, problem } => {
                        diags.push(src.error(
                            Some(src.find_in(&b.text.span(), &raw)),
                            format!("bad placeholder `{raw}` ({})", problem.code()),
                            format!("{}：{raw}", problem.message()),
                        ));
                    }
                    Token::Placeholder { id, raw, .. } => {
                        if !known_id(&id, ct, &period_codes) {
                            diags.push(src.error(
                                Some(src.find_in(&b.text.span(), &raw)),
                                format!("unknown placeholder `{id}` in `{raw}`"),
                                format!("占位符{raw}中的“{id}”不存在（可用：字段field.编码、步骤日期step.编码、期间period.编码及{}）", FIXED_IDS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join("、")),
                            ));
                        }
                    }
                    Token::Text(_) => {}
                }
            }
            if let Some(w) = &b.when
                && !known_id(w.get_ref(), ct, &period_codes)
            {
                diags.push(src.error(
                    Some(w.span()),
                    format!("unknown value `{}` in when", w.get_ref()),
                    format!("when（条件）中的“{}”不存在", w.get_ref()),
                ));
            }
            blocks.push(Block {
                label: b.label.clone(),
                text: body.trim().to_owned(),
                when: b.when.as_ref().map(|w| w.get_ref().clone()),
            });
        }
        templates.push(Template {
            case_type: code.to_owned(),
            title: d.title.clone().unwrap_or_else(|| name.clone()),
            name,
            kind: d.kind.as_ref().map(|k| k.get_ref().clone()),
            transition,
            sign_off: d.sign_off.iter().map(|r| r.get_ref().clone()).collect(),
            layout,
            blocks,
        });
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    (
        Some(CaseTypeDocuments {
            case_type: code.to_owned(),
            periods,
            templates,
        }),
        diags,
    )
}

/// The documents of case type `code` in the registry (`None`: its folder has no
/// `documents.toml`).
pub fn case_type_documents(
    registry: &Registry,
    code: &str,
) -> Result<Option<CaseTypeDocuments>, Vec<Diagnostic>> {
    let Some(folder) = registry.folders().find(|f| f.code == code) else {
        return Ok(None);
    };
    let Some(f) = folder.file(DOCUMENTS_FILE) else {
        return Ok(None);
    };
    match parse_documents(code, &f.path, &f.text, registry.get(code)) {
        (Some(d), _) => Ok(Some(d)),
        (None, diags) => Err(diags),
    }
}

/// Every diagnostic of the `documents.toml` files of the registry's folders, checked against
/// their definitions. For `fazhi workflow check DIR`.
pub fn check_documents(registry: &Registry) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for folder in registry.folders() {
        if let Some(f) = folder.file(DOCUMENTS_FILE) {
            out.extend(
                parse_documents(&folder.code, &f.path, &f.text, registry.get(&folder.code)).1,
            );
        }
    }
    out
}

// ------------------------------------------------------------------ values and filling

/// A value a placeholder writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum DocValue {
    Text(String),
    /// `YYYY-MM-DD`.
    Date(String),
    /// Integer fen.
    Money(i64),
}

/// The values a document is filled from, by placeholder id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocContext {
    pub values: BTreeMap<String, DocValue>,
}

impl DocContext {
    pub fn text(&mut self, id: &str, v: impl Into<String>) {
        let v = v.into();
        if !v.trim().is_empty() {
            self.values.insert(id.to_owned(), DocValue::Text(v));
        }
    }
    pub fn date(&mut self, id: &str, v: impl Into<String>) {
        self.values.insert(id.to_owned(), DocValue::Date(v.into()));
    }
    pub fn money(&mut self, id: &str, fen: i64) {
        self.values.insert(id.to_owned(), DocValue::Money(fen));
    }
}

/// `2026-03-05` → `(2026, 3, 5)`.
fn ymd(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.get(..10)?.split('-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// A date in Chinese numerals: `二〇二六年三月五日`.
pub fn cn_numeral_date(year: i32, month: u32, day: u32) -> String {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let y: String = year
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10).map(|d| D[d as usize]))
        .collect();
    format!(
        "{y}年{}月{}日",
        cn_numeral(month as usize),
        cn_numeral(day as usize)
    )
}

/// An amount in capitals (大写) as financial documents write it: `500000` fen → `伍仟元整`,
/// `1005050` → `壹万零伍拾元伍角`.
pub fn capital_amount(fen: i64) -> String {
    const D: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
    let fen = fen.unsigned_abs();
    let yuan = fen / 100;
    let jiao = (fen / 10 % 10) as usize;
    let f = (fen % 10) as usize;
    let group = |g: u64| {
        let mut s = String::new();
        let mut zero = false;
        for (p, name) in [(1000, "仟"), (100, "佰"), (10, "拾"), (1, "")] {
            let d = (g / p % 10) as usize;
            if d == 0 {
                zero |= !s.is_empty();
                continue;
            }
            if zero {
                s.push_str(D[0]);
                zero = false;
            }
            s.push_str(D[d]);
            s.push_str(name);
        }
        s
    };
    let mut out = String::new();
    if yuan > 0 {
        let groups = [
            (yuan / 1_0000_0000_0000, "万亿"),
            (yuan / 1_0000_0000 % 1_0000, "亿"),
            (yuan / 1_0000 % 1_0000, "万"),
            (yuan % 1_0000, ""),
        ];
        let mut zero = false;
        for (g, name) in groups {
            if g == 0 {
                zero |= !out.is_empty();
                continue;
            }
            if !out.is_empty() && (zero || g < 1000) {
                out.push_str(D[0]);
            }
            zero = false;
            out.push_str(&group(g));
            out.push_str(name);
        }
        out.push('元');
    }
    if jiao == 0 && f == 0 {
        if out.is_empty() {
            out.push_str("零元");
        }
        out.push('整');
        return out;
    }
    if jiao > 0 {
        out.push_str(D[jiao]);
        out.push('角');
    } else if yuan > 0 {
        out.push_str(D[0]);
    }
    if f > 0 {
        out.push_str(D[f]);
        out.push('分');
    }
    out
}

/// Figures in 元 with two decimals when not whole: `500000` fen → `5000`, `123450` → `1234.50`.
fn yuan_text(fen: i64, always_decimals: bool) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    if a.is_multiple_of(100) && !always_decimals {
        format!("{sign}{}", a / 100)
    } else {
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

/// Writes a value by a placeholder's format.
pub fn format_doc_value(v: &DocValue, format: Format) -> String {
    match v {
        DocValue::Text(t) => t.clone(),
        DocValue::Date(d) => match (ymd(d), format) {
            (Some((y, m, day)), Format::CnDate) => cn_numeral_date(y, m, day),
            (Some((y, m, day)), _) => crate::model::cn_date(y, m, day),
            (None, _) => d.clone(),
        },
        DocValue::Money(fen) => match format {
            Format::Capital => capital_amount(*fen),
            Format::Yuan => yuan_text(*fen, true),
            _ => yuan_text(*fen, false),
        },
    }
}

/// The number a document gets when issued: `望江执罚决字〔2026〕第12号`.
pub fn document_number(unit_short: &str, kind: &str, year: i32, seq: i64) -> String {
    format!("{unit_short}{kind}字〔{year}〕第{seq}号")
}

/// The short name of a unit for document numbers: the name without its administrative suffix
/// and the district before it (`滨江区望江街道` → `望江`, `望江街道办事处` → `望江`).
pub fn unit_short_name(name: &str) -> String {
    let mut s = name.trim();
    for suffix in ["街道办事处", "人民政府", "办事处", "街道", "镇", "乡"] {
        if let Some(r) = s.strip_suffix(suffix)
            && !r.is_empty()
        {
            s = r;
            break;
        }
    }
    // Drop a leading 省/市/区/县 prefix (the district's name): keep what follows the last one.
    let cut = s
        .char_indices()
        .filter(|(_, c)| matches!(c, '省' | '市' | '区' | '县'))
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    match cut {
        Some(i) if i < s.len() => s[i..].to_owned(),
        _ => s.to_owned(),
    }
}

/// The reconsideration body and the court for a unit's decisions, from the government above
/// it: 《中华人民共和国行政复议法》第二十四条 (the people's government of the level above, or
/// the government that set up a 派出机关 such as a 街道办事处) and 《中华人民共和国行政诉讼法》
/// 第十八条 (the basic court where the agency sits). `滨江区` → (`滨江区人民政府`,
/// `滨江区人民法院`).
pub fn review_bodies(parent_name: &str) -> (String, String) {
    let base = parent_name.trim();
    let base = base.strip_suffix("人民政府").unwrap_or(base);
    (format!("{base}人民政府"), format!("{base}人民法院"))
}

/// Text of the marker written where a value is missing.
pub fn doc_missing_marker(id: &str) -> String {
    format!("【待填：{id}】")
}

/// A filled line: its text pieces, missing values marked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilledBlock {
    pub label: Option<String>,
    /// `(text, missing)` pieces.
    pub pieces: Vec<(String, bool)>,
}

impl FilledBlock {
    pub fn text(&self) -> String {
        self.pieces.iter().map(|(t, _)| t.as_str()).collect()
    }
}

/// A document filled from a context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilledDocument {
    pub name: String,
    pub title: String,
    pub layout: Layout,
    pub unit_name: String,
    pub number: Option<String>,
    pub blocks: Vec<FilledBlock>,
    /// Labels of the sign-off rows (forms) in order.
    pub sign_off: Vec<String>,
    pub date: Option<String>,
    /// Placeholder ids without a value.
    pub missing: Vec<String>,
}

/// Fills `t` from `ctx`; `periods` are the case type's.
pub fn fill_document(t: &Template, periods: &[Period], ctx: &DocContext) -> FilledDocument {
    let mut missing = Vec::new();
    let lookup = |id: &str| -> Option<DocValue> {
        let code = id
            .strip_prefix("period.")
            .or(id.starts_with("clock.").then_some(id));
        if let Some(p) = code {
            let (code, basis) = match p.strip_suffix(".basis") {
                Some(c) => (c, true),
                None => (p, false),
            };
            let per = periods.iter().find(|q| q.code == code)?;
            return Some(DocValue::Text(if basis {
                per.basis()
            } else {
                per.words()
            }));
        }
        ctx.values.get(id).cloned()
    };
    let mut blocks = Vec::new();
    for b in &t.blocks {
        if let Some(w) = &b.when
            && lookup(w).is_none()
        {
            continue;
        }
        let mut pieces = Vec::new();
        for tok in placeholder::parse(&b.text) {
            match tok {
                Token::Text(s) => pieces.push((s, false)),
                Token::Placeholder { id, format, .. } => match lookup(&id) {
                    Some(v) => pieces.push((format_doc_value(&v, format), false)),
                    None => {
                        if !missing.contains(&id) {
                            missing.push(id.clone());
                        }
                        pieces.push((doc_missing_marker(&id), true));
                    }
                },
                Token::Invalid { raw, .. } | Token::Stray { raw, .. } => pieces.push((raw, true)),
            }
        }
        blocks.push(FilledBlock {
            label: b.label.clone(),
            pieces,
        });
    }
    let text_of = |id: &str| {
        ctx.values
            .get(id)
            .map(|v| format_doc_value(v, Format::Auto))
    };
    FilledDocument {
        name: t.name.clone(),
        title: t.title.clone(),
        layout: t.layout,
        unit_name: text_of("unit.name").unwrap_or_default(),
        number: t
            .kind
            .as_ref()
            .map(|_| text_of("document.number").unwrap_or_else(|| "〔未编号〕".to_owned())),
        blocks,
        sign_off: t
            .sign_off
            .iter()
            .map(|r| format!("{}意见", fazhi_workflow::role_label_zh(r)))
            .collect(),
        date: text_of("document.date"),
        missing,
    }
}

// ------------------------------------------------------------------ rendering

fn pieces_runs(pieces: &[(String, bool)]) -> String {
    let flagged = RunStyle {
        flag: true,
        color: Some("C00000"),
        ..RunStyle::default()
    };
    pieces
        .iter()
        .map(|(t, m)| run(t, if *m { flagged } else { RunStyle::default() }))
        .collect()
}

fn form_table(out: &mut String, d: &FilledDocument) {
    const LABEL_W: u32 = 2000;
    let total = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
    let value_w = total - LABEL_W;
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
    };
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    out.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"{LABEL_W}\"/><w:gridCol w:w=\"{value_w}\"/></w:tblGrid>"
    ));
    let cell = |w: u32, content: &str| {
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>{content}</w:tc>"
        )
    };
    let label_para = |t: &str| {
        paragraph(
            "FzFormLabel",
            "",
            &run(
                t,
                RunStyle {
                    font: Some(docx::fonts::HEADING1),
                    ..RunStyle::default()
                },
            ),
        )
    };
    for b in &d.blocks {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        out.push_str(&cell(
            LABEL_W,
            &label_para(b.label.as_deref().unwrap_or("")),
        ));
        out.push_str(&cell(
            value_w,
            &paragraph("FzFormValue", "", &pieces_runs(&b.pieces)),
        ));
        out.push_str("</w:tr>");
    }
    for s in &d.sign_off {
        // Room for the handwritten opinion, then the signature and date line.
        out.push_str("<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"1700\"/></w:trPr>");
        out.push_str(&cell(LABEL_W, &label_para(s)));
        out.push_str(&cell(
            value_w,
            &format!(
                "{}{}",
                paragraph("FzFormValue", "", ""),
                paragraph(
                    "FzFormValue",
                    "<w:jc w:val=\"right\"/>",
                    &run("签名：　　　　　　年　　月　　日", RunStyle::default())
                )
            ),
        ));
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out.push_str(&docx::blank());
}

fn document_body(d: &FilledDocument) -> String {
    let mut b = String::new();
    // 制作机关 and the document's name, centred (the common national layout of enforcement
    // documents), then the number line flush right.
    b.push_str(&paragraph(
        "FzTitle",
        "",
        &run(&d.unit_name, RunStyle::default()),
    ));
    b.push_str(&paragraph("FzTitle", "", &docx::title_runs(&d.title)));
    if let Some(n) = &d.number {
        b.push_str(&paragraph("FzSignature", "", &run(n, RunStyle::default())));
    } else {
        b.push_str(&docx::blank());
    }
    match d.layout {
        Layout::Letter => {
            let last = d.blocks.len().saturating_sub(1);
            for (i, blk) in d.blocks.iter().enumerate() {
                let keep = if i == last { "<w:keepNext/>" } else { "" };
                b.push_str(&paragraph("FzBody", keep, &pieces_runs(&blk.pieces)));
            }
            b.push_str(&paragraph("FzBody", "<w:keepNext/>", ""));
            let date = d.date.as_deref().unwrap_or("年　　月　　日");
            b.push_str(&paragraph(
                "FzSignature",
                &format!(
                    "<w:keepNext/><w:ind w:right=\"{}\"/>",
                    (2.0 * CHAR_PITCH) as u32
                ),
                &run(&format!("{}（印章）", d.unit_name), RunStyle::default()),
            ));
            b.push_str(&paragraph(
                "FzSignature",
                &format!("<w:ind w:right=\"{}\"/>", (4.0 * CHAR_PITCH) as u32),
                &run(date, RunStyle::default()),
            ));
        }
        Layout::Form => form_table(&mut b, d),
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{}\" xmlns:r=\"{}\"><w:body>{b}<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/><w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/><w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"851\" w:footer=\"{FOOTER}\" w:gutter=\"0\"/><w:cols w:space=\"425\"/><w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{LINE}\" w:charSpace=\"{CHAR_SPACE}\"/></w:sectPr></w:body></w:document>",
        docx::W_NS,
        docx::R_NS
    )
}

/// Styles of the report plus the form's cells.
fn document_styles() -> String {
    let mut s = docx::styles_xml();
    let extra = "<w:style w:type=\"paragraph\" w:styleId=\"FzFormLabel\"><w:name w:val=\"表格栏目\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"360\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:spacing w:val=\"0\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style><w:style w:type=\"paragraph\" w:styleId=\"FzFormValue\"><w:name w:val=\"表格内容\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"360\" w:lineRule=\"auto\"/><w:jc w:val=\"left\"/></w:pPr><w:rPr><w:spacing w:val=\"0\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>";
    let at = s.rfind("</w:styles>").unwrap_or(s.len());
    s.insert_str(at, extra);
    s
}

/// The document as a DOCX package on the GB/T 9704 page (A4, 37/35/28/26 mm margins, 3号仿宋
/// body on the 22 × 28 grid). Deterministic bytes.
pub fn render_document_docx(d: &FilledDocument) -> Vec<u8> {
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>",
        docx::xml(&d.title),
        docx::xml(&d.unit_name)
    );
    docx::zip_parts(vec![
        ("[Content_Types].xml", docx::CONTENT_TYPES.to_owned()),
        ("_rels/.rels", docx::ROOT_RELS.to_owned()),
        ("docProps/core.xml", core),
        ("docProps/app.xml", docx::APP_XML.to_owned()),
        (
            "word/_rels/document.xml.rels",
            docx::DOCUMENT_RELS.to_owned(),
        ),
        ("word/document.xml", document_body(d)),
        ("word/styles.xml", document_styles()),
        ("word/settings.xml", docx::settings_xml()),
        ("word/fontTable.xml", docx::font_table_xml()),
        ("word/footer1.xml", docx::footer_xml(true)),
        ("word/footer2.xml", docx::footer_xml(false)),
    ])
}

/// Print stylesheet of the HTML preview: an A4 page with the GB/T 9704 margins.
pub const DOCUMENT_CSS: &str = "@page{size:A4;margin:37mm 26mm 35mm 28mm}\
.fz-doc{font-family:'仿宋_GB2312','仿宋','FangSong',serif;font-size:16pt;line-height:28.95pt;max-width:156mm;margin:0 auto;color:#000}\
.fz-doc h1{font-family:'方正小标宋简体','华文中宋','SimSun',serif;font-size:22pt;font-weight:normal;text-align:center;margin:0;line-height:35pt}\
.fz-doc .fz-no{text-align:right;margin:0}\
.fz-doc p{margin:0;text-indent:2em;text-align:justify}\
.fz-doc .fz-sign{text-align:right;text-indent:0;padding-right:2em}\
.fz-doc table{width:100%;border-collapse:collapse;font-size:14pt;line-height:1.5}\
.fz-doc td,.fz-doc th{border:1px solid #000;padding:4pt 6pt;vertical-align:middle}\
.fz-doc th{font-family:'黑体','SimHei',sans-serif;font-weight:normal;width:9em}\
.fz-doc td.fz-signoff{height:70pt;vertical-align:bottom;text-align:right}\
.fz-doc .fz-missing{color:#c00000;background:#ff0}";

fn pieces_html(pieces: &[(String, bool)]) -> String {
    pieces
        .iter()
        .map(|(t, m)| {
            if *m {
                format!("<span class=\"fz-missing\">{}</span>", escape(t))
            } else {
                escape(t)
            }
        })
        .collect()
}

/// The document as an HTML fragment (`<article class="fz-doc">`), styled by [`DOCUMENT_CSS`].
pub fn render_document_html(d: &FilledDocument) -> String {
    let mut h = String::from("<article class=\"fz-doc\">");
    h.push_str(&format!(
        "<h1>{}</h1><h1>{}</h1>",
        escape(&d.unit_name),
        escape(&d.title)
    ));
    if let Some(n) = &d.number {
        h.push_str(&format!("<p class=\"fz-no\">{}</p>", escape(n)));
    }
    match d.layout {
        Layout::Letter => {
            for b in &d.blocks {
                h.push_str(&format!("<p>{}</p>", pieces_html(&b.pieces)));
            }
            h.push_str(&format!(
                "<p class=\"fz-sign\">{}（印章）</p><p class=\"fz-sign\">{}</p>",
                escape(&d.unit_name),
                escape(d.date.as_deref().unwrap_or("年　　月　　日"))
            ));
        }
        Layout::Form => {
            h.push_str("<table>");
            for b in &d.blocks {
                h.push_str(&format!(
                    "<tr><th>{}</th><td>{}</td></tr>",
                    escape(b.label.as_deref().unwrap_or("")),
                    pieces_html(&b.pieces)
                ));
            }
            for s in &d.sign_off {
                h.push_str(&format!(
                    "<tr><th>{}</th><td class=\"fz-signoff\">签名：　　　　　　年　　月　　日</td></tr>",
                    escape(s)
                ));
            }
            h.push_str("</table>");
        }
    }
    h.push_str("</article>");
    h
}

/// A whole HTML page for printing one document.
pub fn render_document_page(d: &FilledDocument) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{DOCUMENT_CSS}</style></head><body>{}</body></html>",
        escape(&d.title),
        render_document_html(d)
    )
}

/// Plain text of a filled document (golden tests, logs).
pub fn document_text(d: &FilledDocument) -> String {
    let mut s = format!("{}\n{}\n", d.unit_name, d.title);
    if let Some(n) = &d.number {
        s.push_str(&format!("{n}\n"));
    }
    for b in &d.blocks {
        match &b.label {
            Some(l) => s.push_str(&format!("{l}｜{}\n", b.text())),
            None => s.push_str(&format!("{}\n", b.text())),
        }
    }
    if d.layout == Layout::Form {
        for o in &d.sign_off {
            s.push_str(&format!("{o}｜签名：　年　月　日\n"));
        }
    } else {
        s.push_str(&format!(
            "{}（印章）\n{}\n",
            d.unit_name,
            d.date.as_deref().unwrap_or("年　　月　　日")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitals() {
        assert_eq!(capital_amount(500_000), "伍仟元整");
        assert_eq!(capital_amount(1_005_000), "壹万零伍拾元整");
        assert_eq!(capital_amount(1_005_050), "壹万零伍拾元伍角");
        assert_eq!(capital_amount(10_000_000), "壹拾万元整");
        assert_eq!(capital_amount(100_000_000_000), "壹拾亿元整");
        assert_eq!(capital_amount(100_010_000), "壹佰万零壹佰元整");
        assert_eq!(
            capital_amount(123_456_789),
            "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"
        );
        assert_eq!(capital_amount(20_005), "贰佰元零伍分");
        assert_eq!(capital_amount(50), "伍角");
        assert_eq!(capital_amount(0), "零元整");
        assert_eq!(capital_amount(1_000_000_100), "壹仟万零壹元整");
    }

    #[test]
    fn dates_and_numbers() {
        assert_eq!(cn_numeral_date(2026, 3, 5), "二〇二六年三月五日");
        assert_eq!(cn_numeral_date(2020, 12, 31), "二〇二〇年十二月三十一日");
        assert_eq!(
            format_doc_value(&DocValue::Date("2026-03-05".into()), Format::Auto),
            "2026年3月5日"
        );
        assert_eq!(
            format_doc_value(&DocValue::Money(123_450), Format::Yuan),
            "1234.50"
        );
        assert_eq!(
            format_doc_value(&DocValue::Money(500_000), Format::Auto),
            "5000"
        );
        assert_eq!(
            document_number("望江", "执罚决", 2026, 12),
            "望江执罚决字〔2026〕第12号"
        );
        assert_eq!(unit_short_name("望江街道"), "望江");
        assert_eq!(unit_short_name("滨江区望江街道办事处"), "望江");
        assert_eq!(unit_short_name("滨江区人民政府"), "滨江区");
        assert_eq!(
            review_bodies("滨江区"),
            ("滨江区人民政府".to_owned(), "滨江区人民法院".to_owned())
        );
    }

    #[test]
    fn periods_in_words() {
        let p = Period {
            code: "litigation".into(),
            n: 6,
            unit: PeriodUnit::Months,
            statute: "《中华人民共和国行政诉讼法》".into(),
            article: "第四十六条".into(),
        };
        assert_eq!(p.words(), "六个月");
        assert_eq!(p.basis(), "《中华人民共和国行政诉讼法》第四十六条");
        let p = Period {
            n: 60,
            unit: PeriodUnit::Days,
            ..p
        };
        assert_eq!(p.words(), "六十日");
    }

    #[test]
    fn problems_name_file_and_line() {
        let ct = Registry::embedded();
        let ct = ct.get("enforcement_case");
        let text = "[[period]]\ncode = \"r\"\nn = 60\nunit = \"weeks\"\nstatute = \"《某法》\"\narticle = \"第一条\"\n\n[[document]]\nname = \"行政处罚决定书\"\ntransition = \"decide\"\nlayout = \"letter\"\nsign_off = [\"boss\"]\n[[document.para]]\ntext = \"当事人：{field.party_nam}，{case.number:bogus}\"\n[[document.para]]\ntext = \"{period.r}\"\n\n[[document]]\nname = \"不存在\"\ntransition = \"nowhere\"\nlayout = \"form\"\n[[document.row]]\ntext = \"x\"\n";
        let (r, d) = parse_documents("enforcement_case", Path::new("x/documents.toml"), text, ct);
        assert!(r.is_none());
        let l: Vec<(usize, &str)> = d
            .iter()
            .map(|d| (d.line.unwrap_or(0), d.message.as_str()))
            .collect();
        assert_eq!(l[0].0, 4, "{l:?}");
        assert!(l[0].1.contains("unknown period unit"));
        assert_eq!(l[1].0, 12, "{l:?}");
        assert!(l[1].1.contains("unknown role `boss`"));
        assert_eq!(l[2].0, 14);
        assert!(
            l[2].1.contains("unknown placeholder `field.party_nam`"),
            "{l:?}"
        );
        assert!(l[3].1.contains("placeholder_unknown_format"), "{l:?}");
        assert_eq!(l[4].0, 16);
        assert!(l[4].1.contains("unknown placeholder `period.r`"), "{l:?}");
        assert_eq!(l[5].0, 20);
        assert!(l[5].1.contains("unknown transition `nowhere`"), "{l:?}");
        assert!(l[6].1.contains("needs a label"), "{l:?}");
        assert_eq!(l.len(), 7, "{l:?}");
        assert!(d.iter().all(|d| d.file == Path::new("x/documents.toml")));
    }

    #[test]
    fn embedded_files_are_clean() {
        let registry = Registry::embedded();
        let d = check_documents(&registry);
        assert!(d.is_empty(), "{d:#?}");
        let docs = case_type_documents(&registry, "enforcement_case")
            .unwrap()
            .expect("enforcement_case has documents.toml");
        assert!(docs.templates.len() >= 8);
    }
}
