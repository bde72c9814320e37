//! Loading indicator definitions from TOML, with file/line diagnostics, and the catalogue.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use fazhi_workflow::{CaseType, Diagnostic, FieldKind, Registry, Severity};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::model::{
    CLOCK_STATUSES, CaseSelect, CmpOp, DatePoint, Filter, FilterOp, Formula, Indicator,
    OfficerSelect, SourceRef, Stat, StockEnd, Subject, Target, Window,
};

/// The built-in definitions, embedded at compile time.
/// The file of a case-type folder that holds its indicators.
pub const INDICATORS_FILE: &str = "indicators.toml";

/// The built-in definitions that belong to no case type; each case type's own are the
/// `indicators.toml` of its folder (`case_types/<code>/`, read through the registry).
const EMBEDDED: &[(&str, &str)] = &[
    ("officers.toml", include_str!("../indicators/officers.toml")),
    ("manual.toml", include_str!("../indicators/manual.toml")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Spanned<String>,
    #[serde(default)]
    indicator: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    label_zh: Spanned<String>,
    unit: Spanned<String>,
    formula: Spanned<String>,
    #[serde(default)]
    decimals: Option<Spanned<i64>>,
    #[serde(default)]
    basis_zh: Option<String>,
    #[serde(default)]
    target: Option<Spanned<String>>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    expand: Option<Spanned<RawExpand>>,
    // case-based formulas
    #[serde(default)]
    case_type: Option<Spanned<String>>,
    #[serde(default)]
    period: Option<Spanned<String>>,
    #[serde(default)]
    filters: Vec<Spanned<toml::Table>>,
    // sum
    #[serde(default)]
    field: Option<Spanned<String>>,
    #[serde(default)]
    divisor: Option<Spanned<f64>>,
    // stock
    #[serde(default)]
    ended: Option<Spanned<String>>,
    #[serde(default)]
    end_states: Vec<Spanned<String>>,
    // ratio
    #[serde(default)]
    numerator: Option<Spanned<String>>,
    #[serde(default)]
    denominator: Option<Spanned<String>>,
    // duration
    #[serde(default)]
    from: Option<Spanned<String>>,
    #[serde(default)]
    to: Option<Spanned<String>>,
    #[serde(default)]
    stat: Option<Spanned<String>>,
    // on_time
    #[serde(default)]
    clock: Option<Spanned<String>>,
    // officers
    #[serde(default)]
    certified: Option<Spanned<bool>>,
    #[serde(default)]
    legal_reviewer: Option<Spanned<bool>>,
    #[serde(default)]
    domain: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpand {
    subject: Spanned<String>,
    values: Vec<Spanned<String>>,
}

/// Source text with its path, to turn byte offsets into lines and columns.
struct SourceFile<'a> {
    path: PathBuf,
    text: &'a str,
}

impl SourceFile<'_> {
    fn diag(
        &self,
        severity: Severity,
        span: Option<Range<usize>>,
        en: String,
        zh: String,
    ) -> Diagnostic {
        Diagnostic::at(&self.path, self.text, span, severity, en, zh)
    }
}

struct Checker<'a> {
    file: &'a SourceFile<'a>,
    registry: Option<&'a Registry>,
    diags: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn err(&mut self, span: Range<usize>, en: impl Into<String>, zh: impl Into<String>) {
        let d = self
            .file
            .diag(Severity::Error, Some(span), en.into(), zh.into());
        self.diags.push(d);
    }

    fn warn(&mut self, span: Range<usize>, en: impl Into<String>, zh: impl Into<String>) {
        let d = self
            .file
            .diag(Severity::Warning, Some(span), en.into(), zh.into());
        self.diags.push(d);
    }

    fn line(&self, span: &Range<usize>) -> usize {
        fazhi_workflow::line_col(self.file.text, span.start).0
    }
}

fn is_code(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `hotline.received`, `officers.certified_share`: dot-separated codes.
fn is_indicator_id(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_code)
}

/// A value appended to an expanded id: no whitespace, no separators used by handles and URLs.
fn is_id_suffix(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || "@/?#%&:.\\\"'".contains(c))
}

fn parse_target(s: &str) -> Option<Target> {
    let s = s.trim();
    let (op, rest) = [
        (">=", CmpOp::Ge),
        ("<=", CmpOp::Le),
        (">", CmpOp::Gt),
        ("<", CmpOp::Lt),
        ("=", CmpOp::Eq),
    ]
    .iter()
    .find_map(|(sym, op)| s.strip_prefix(sym).map(|r| (*op, r)))?;
    let value: f64 = rest.trim().parse().ok()?;
    value.is_finite().then_some(Target { op, value })
}

fn parse_transitions(s: &str) -> Option<Vec<String>> {
    let v: Vec<String> = s.split('|').map(|t| t.trim().to_string()).collect();
    v.iter().all(|t| is_code(t)).then_some(v)
}

fn parse_date_point(s: &str) -> Option<DatePoint> {
    match s.trim() {
        "created" => Some(DatePoint::Created),
        "closed" => Some(DatePoint::Closed),
        other => other
            .strip_prefix("event:")
            .and_then(parse_transitions)
            .map(DatePoint::Event),
    }
}

fn parse_subject(s: &str) -> Option<Subject> {
    match s.trim() {
        "state" => Some(Subject::State),
        "category" => Some(Subject::Category),
        "published" => Some(Subject::Published),
        "created_on" => Some(Subject::CreatedOn),
        "closed_on" => Some(Subject::ClosedOn),
        other => {
            if let Some(f) = other.strip_prefix("field.") {
                // The category field is also the `cases.category` column.
                if f == "category" {
                    return Some(Subject::Category);
                }
                return is_code(f).then(|| Subject::Field(f.to_string()));
            }
            if let Some(c) = other.strip_prefix("clock.") {
                return is_code(c).then(|| Subject::Clock(c.to_string()));
            }
            other
                .strip_prefix("event.")
                .and_then(parse_transitions)
                .map(Subject::Event)
        }
    }
}

const SUBJECT_HELP: &str = "state, category, published, created_on, closed_on, field.<code>, event.<transition>[|<transition>…] or clock.<code>";

fn string_list(v: &toml::Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(String::from))
        .collect()
}

/// Parses one filter `{ subject = "…", <op> = … }`.
fn parse_filter(ck: &mut Checker<'_>, t: &Spanned<toml::Table>) -> Option<Filter> {
    let span = t.span();
    let table = t.get_ref();
    let Some(subject_raw) = table.get("subject").and_then(|v| v.as_str()) else {
        ck.err(
            span,
            "filter needs `subject` (a string)",
            "筛选条件缺少subject（字符串）",
        );
        return None;
    };
    let Some(subject) = parse_subject(subject_raw) else {
        ck.err(
            span,
            format!("unknown filter subject `{subject_raw}`: expected {SUBJECT_HELP}"),
            format!("筛选对象“{subject_raw}”无法识别"),
        );
        return None;
    };
    let ops: Vec<(&String, &toml::Value)> = table.iter().filter(|(k, _)| *k != "subject").collect();
    if ops.len() != 1 {
        ck.err(
            span,
            format!(
                "filter on `{subject_raw}` needs exactly one of in, not_in, set, is, within, gt, ge, lt, le, eq (found {})",
                ops.len()
            ),
            format!("筛选条件“{subject_raw}”应当且只能有一个运算（in、not_in、set、is、within、gt、ge、lt、le、eq）"),
        );
        return None;
    }
    let (key, value) = ops[0];
    let op = match key.as_str() {
        "in" | "not_in" => {
            let Some(list) = string_list(value).filter(|l| !l.is_empty()) else {
                ck.err(
                    span,
                    format!("`{key}` of `{subject_raw}` must be a non-empty list of strings"),
                    format!("筛选条件“{subject_raw}”的{key}应为非空字符串列表"),
                );
                return None;
            };
            if key == "in" {
                FilterOp::In(list)
            } else {
                FilterOp::NotIn(list)
            }
        }
        "set" | "is" => {
            let Some(b) = value.as_bool() else {
                ck.err(
                    span,
                    format!("`{key}` of `{subject_raw}` must be true or false"),
                    format!("筛选条件“{subject_raw}”的{key}应为true或false"),
                );
                return None;
            };
            if key == "set" {
                FilterOp::Set(b)
            } else {
                FilterOp::Is(b)
            }
        }
        "within" => match value.as_str() {
            Some("period") => FilterOp::Within(Window::Period),
            Some("until_end") => FilterOp::Within(Window::UntilEnd),
            _ => {
                ck.err(
                    span,
                    format!("`within` of `{subject_raw}` must be \"period\" or \"until_end\""),
                    format!("筛选条件“{subject_raw}”的within应为period或until_end"),
                );
                return None;
            }
        },
        "gt" | "ge" | "lt" | "le" | "eq" => {
            let n = match value {
                toml::Value::Integer(i) => Some(*i as f64),
                toml::Value::Float(f) if f.is_finite() => Some(*f),
                _ => None,
            };
            let Some(n) = n else {
                ck.err(
                    span,
                    format!("`{key}` of `{subject_raw}` must be a number"),
                    format!("筛选条件“{subject_raw}”的{key}应为数字"),
                );
                return None;
            };
            let op = match key.as_str() {
                "gt" => CmpOp::Gt,
                "ge" => CmpOp::Ge,
                "lt" => CmpOp::Lt,
                "le" => CmpOp::Le,
                _ => CmpOp::Eq,
            };
            FilterOp::Cmp(op, n)
        }
        other => {
            ck.err(
                span,
                format!("unknown filter operator `{other}` on `{subject_raw}`"),
                format!("筛选条件“{subject_raw}”的运算“{other}”无法识别"),
            );
            return None;
        }
    };
    // Which operators make sense for which subjects (field kinds are checked with the registry).
    let fits = match (&subject, &op) {
        (Subject::Published, FilterOp::Is(_)) => true,
        (Subject::Published, _) => false,
        (s, FilterOp::Within(_)) => s.is_date() || matches!(s, Subject::Field(_)),
        (s, FilterOp::In(_) | FilterOp::NotIn(_)) => !s.is_date(),
        (Subject::Field(_), FilterOp::Cmp(..)) => true,
        (_, FilterOp::Cmp(..) | FilterOp::Is(_)) => false,
        (_, FilterOp::Set(_)) => true,
    };
    if !fits {
        ck.err(
            span,
            format!("operator `{key}` does not apply to `{subject_raw}`"),
            format!("运算“{key}”不适用于筛选对象“{subject_raw}”"),
        );
        return None;
    }
    if let (Subject::Clock(_), FilterOp::In(v) | FilterOp::NotIn(v)) = (&subject, &op)
        && let Some(bad) = v.iter().find(|s| !CLOCK_STATUSES.contains(&s.as_str()))
    {
        ck.err(
            span,
            format!(
                "unknown clock status `{bad}`: expected one of {}",
                CLOCK_STATUSES.join(", ")
            ),
            format!("时限状态“{bad}”无法识别"),
        );
        return None;
    }
    Some(Filter { subject, op })
}

/// Checks a case-based selection against the case type of the registry.
fn check_select(ck: &mut Checker<'_>, ct: &CaseType, sel: &CaseSelect, spans: &SelectSpans) {
    let check_transitions = |ck: &mut Checker<'_>, ts: &[String], span: &Range<usize>| {
        for t in ts {
            if ct.transition(t).is_none() {
                ck.err(
                    span.clone(),
                    format!("case type `{}` has no transition `{t}`", ct.code),
                    format!("案件类型“{}”没有环节“{t}”", ct.name_zh),
                );
            }
        }
    };
    if let DatePoint::Event(ts) = &sel.period {
        check_transitions(ck, ts, &spans.period);
    }
    for (f, span) in sel.filters.iter().zip(&spans.filters) {
        match &f.subject {
            Subject::State => {
                if let FilterOp::In(v) | FilterOp::NotIn(v) = &f.op {
                    for s in v {
                        if ct.state(s).is_none() {
                            ck.err(
                                span.clone(),
                                format!("case type `{}` has no state `{s}`", ct.code),
                                format!("案件类型“{}”没有状态“{s}”", ct.name_zh),
                            );
                        }
                    }
                }
            }
            Subject::Category => {
                check_field_values(ck, ct, "category", &f.op, span);
            }
            Subject::Field(code) => match ct.field(code) {
                None => ck.err(
                    span.clone(),
                    format!("case type `{}` has no field `{code}`", ct.code),
                    format!("案件类型“{}”没有字段“{code}”", ct.name_zh),
                ),
                Some(fd) if fd.input_only => ck.err(
                    span.clone(),
                    format!("field `{code}` is input only: it is not stored on the case"),
                    format!("字段“{code}”仅记录在办理环节中，不保存在案件上，不能用于统计"),
                ),
                Some(fd) => {
                    let ok = match &f.op {
                        FilterOp::Cmp(..) => {
                            matches!(
                                fd.kind,
                                FieldKind::Number | FieldKind::Money | FieldKind::Area
                            )
                        }
                        FilterOp::Within(_) => fd.kind == FieldKind::Date,
                        FilterOp::In(_) | FilterOp::NotIn(_) => !matches!(
                            fd.kind,
                            FieldKind::Number
                                | FieldKind::Money
                                | FieldKind::Area
                                | FieldKind::Bool
                                | FieldKind::Flags
                                | FieldKind::OfficerList
                        ),
                        _ => true,
                    };
                    if !ok {
                        ck.err(
                            span.clone(),
                            format!(
                                "this operator does not apply to field `{code}` of kind {}",
                                fd.kind.code()
                            ),
                            format!("该运算不适用于字段“{}”（{}）", fd.label_zh, fd.kind.code()),
                        );
                    } else {
                        check_field_values(ck, ct, code, &f.op, span);
                    }
                }
            },
            Subject::Event(ts) => check_transitions(ck, ts, span),
            Subject::Clock(c) => {
                if ct.clock(c).is_none() {
                    ck.err(
                        span.clone(),
                        format!("case type `{}` has no clock `{c}`", ct.code),
                        format!("案件类型“{}”没有时限“{c}”", ct.name_zh),
                    );
                }
            }
            Subject::Published | Subject::CreatedOn | Subject::ClosedOn => {}
        }
    }
}

/// Values of `in` / `not_in` on an enum field must be in its dictionary.
fn check_field_values(
    ck: &mut Checker<'_>,
    ct: &CaseType,
    code: &str,
    op: &FilterOp,
    span: &Range<usize>,
) {
    let (FilterOp::In(values) | FilterOp::NotIn(values)) = op else {
        return;
    };
    let Some(fd) = ct.field(code) else {
        return;
    };
    let Some(dict) = fd.dictionary.as_deref().and_then(|d| ct.dictionary(d)) else {
        return;
    };
    for v in values {
        if !dict.iter().any(|e| &e.value == v) {
            ck.err(
                span.clone(),
                format!(
                    "`{v}` is not a value of field `{code}` (dictionary `{}`)",
                    fd.dictionary.as_deref().unwrap_or_default()
                ),
                format!("“{v}”不是字段“{}”的可选值", fd.label_zh),
            );
        }
    }
}

struct SelectSpans {
    period: Range<usize>,
    filters: Vec<Range<usize>>,
}

fn default_decimals(unit: &str, formula: &str) -> u8 {
    match (unit, formula) {
        ("%", _) => 2,
        ("元", _) => 2,
        (_, "duration") => 1,
        _ => 0,
    }
}

/// Builds one indicator (several, when it expands) from its raw form.
fn build_indicator(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawIndicator>,
    version: &str,
) -> Vec<Indicator> {
    let span = raw.span();
    let r = raw.get_ref();
    let id = r.id.get_ref().trim().to_string();
    let mut ok = true;
    if !is_indicator_id(&id) {
        ck.err(
            r.id.span(),
            format!(
                "indicator id `{id}` must be dot-separated snake_case codes (e.g. hotline.received)"
            ),
            format!("指标编号“{id}”格式不正确，应为以点分隔的小写英文代码，如hotline.received"),
        );
        ok = false;
    }
    let label = r.label_zh.get_ref().trim().to_string();
    if label.is_empty() {
        ck.err(
            r.label_zh.span(),
            "label_zh must not be empty",
            "指标名称label_zh不能为空",
        );
        ok = false;
    }
    let unit = r.unit.get_ref().trim().to_string();
    if unit.is_empty() || unit.chars().count() > 8 {
        ck.err(
            r.unit.span(),
            "unit must be a short non-empty text such as 件, %, 元, 人, 天",
            "计量单位unit应为“件”“%”“元”“人”“天”等简短文字",
        );
        ok = false;
    }
    let kind = r.formula.get_ref().as_str();
    // Keys that belong to each formula; any other formula-specific key is a mistake.
    let allowed: &[&str] = match kind {
        "count" => &["case_type", "period", "filters"],
        "sum" => &["case_type", "period", "filters", "field", "divisor"],
        "ratio" => &["numerator", "denominator"],
        "duration" => &["case_type", "period", "filters", "from", "to", "stat"],
        "on_time" => &["case_type", "period", "filters", "clock"],
        "stock" => &[
            "case_type",
            "period",
            "filters",
            "field",
            "divisor",
            "ended",
            "end_states",
        ],
        "officers" => &["certified", "legal_reviewer", "domain"],
        "manual" => &[],
        other => {
            ck.err(
                r.formula.span(),
                format!("unknown formula `{other}`: expected count, sum, stock, ratio, duration, on_time, officers or manual"),
                format!("计算方式“{other}”无法识别，应为count、sum、stock、ratio、duration、on_time、officers或manual"),
            );
            return Vec::new();
        }
    };
    let present: [(&str, Option<Range<usize>>); 16] = [
        ("ended", r.ended.as_ref().map(Spanned::span)),
        ("end_states", r.end_states.first().map(Spanned::span)),
        ("case_type", r.case_type.as_ref().map(Spanned::span)),
        ("period", r.period.as_ref().map(Spanned::span)),
        ("filters", r.filters.first().map(Spanned::span)),
        ("field", r.field.as_ref().map(Spanned::span)),
        ("divisor", r.divisor.as_ref().map(Spanned::span)),
        ("numerator", r.numerator.as_ref().map(Spanned::span)),
        ("denominator", r.denominator.as_ref().map(Spanned::span)),
        ("from", r.from.as_ref().map(Spanned::span)),
        ("to", r.to.as_ref().map(Spanned::span)),
        ("stat", r.stat.as_ref().map(Spanned::span)),
        ("clock", r.clock.as_ref().map(Spanned::span)),
        ("certified", r.certified.as_ref().map(Spanned::span)),
        (
            "legal_reviewer",
            r.legal_reviewer.as_ref().map(Spanned::span),
        ),
        ("domain", r.domain.as_ref().map(Spanned::span)),
    ];
    for (key, s) in &present {
        if let Some(s) = s
            && !allowed.contains(key)
        {
            ck.err(
                s.clone(),
                format!("key `{key}` does not apply to formula `{kind}`"),
                format!("参数“{key}”不适用于计算方式“{kind}”"),
            );
            ok = false;
        }
    }
    if r.expand.is_some() && matches!(kind, "ratio" | "manual" | "officers") {
        ck.err(
            r.formula.span(),
            format!("`expand` applies to case-based formulas only, not `{kind}`"),
            format!("expand只适用于基于案件的计算方式，不适用于“{kind}”"),
        );
        ok = false;
    }
    let decimals = match &r.decimals {
        None => default_decimals(&unit, kind),
        Some(d) => match u8::try_from(*d.get_ref()) {
            Ok(v) if v <= 6 => v,
            _ => {
                ck.err(
                    d.span(),
                    "decimals must be between 0 and 6",
                    "小数位数decimals应在0至6之间",
                );
                ok = false;
                0
            }
        },
    };
    let target = match &r.target {
        None => None,
        Some(t) => match parse_target(t.get_ref()) {
            Some(t) => Some(t),
            None => {
                ck.err(
                    t.span(),
                    format!("target `{}` must look like \">= 5\"", t.get_ref()),
                    format!("目标值“{}”格式不正确，应如“>= 5”", t.get_ref()),
                );
                ok = false;
                None
            }
        },
    };
    let mut aliases = Vec::new();
    for a in &r.aliases {
        if is_indicator_id(a.get_ref()) {
            aliases.push(a.get_ref().clone());
        } else {
            ck.err(
                a.span(),
                format!("alias `{}` is not a valid indicator id", a.get_ref()),
                format!("别名“{}”不是有效的指标编号", a.get_ref()),
            );
            ok = false;
        }
    }

    let required = |ck: &mut Checker<'_>, v: &Option<Spanned<String>>, key: &str| {
        if v.is_none() {
            ck.err(
                r.formula.span(),
                format!("formula `{kind}` needs `{key}`"),
                format!("计算方式“{kind}”缺少参数“{key}”"),
            );
        }
        v.as_ref()
            .map(|s| (s.get_ref().trim().to_string(), s.span()))
    };

    // The case selection shared by count, sum, duration and on_time.
    let mut select = None;
    let mut select_spans = None;
    if matches!(kind, "count" | "sum" | "duration" | "on_time" | "stock") {
        let case_type = required(ck, &r.case_type, "case_type");
        let period = required(ck, &r.period, "period");
        let mut filters = Vec::new();
        let mut filter_spans = Vec::new();
        for f in &r.filters {
            match parse_filter(ck, f) {
                Some(p) => {
                    filters.push(p);
                    filter_spans.push(f.span());
                }
                None => ok = false,
            }
        }
        let period_point = period.as_ref().and_then(|(p, s)| {
            let d = parse_date_point(p);
            if d.is_none() {
                ck.err(
                    s.clone(),
                    format!(
                        "period `{p}` must be created, closed or event:<transition>[|<transition>…]"
                    ),
                    format!("期间归属“{p}”应为created、closed或event:环节代码"),
                );
            }
            d
        });
        if let (Some((ct, ct_span)), Some(pp)) = (case_type, period_point) {
            if let Some(reg) = ck.registry
                && reg.get(&ct).is_none()
            {
                ck.err(
                    ct_span.clone(),
                    format!("unknown case type `{ct}`"),
                    format!("案件类型“{ct}”不存在"),
                );
                ok = false;
            }
            select = Some(CaseSelect {
                case_type: ct,
                period: pp,
                filters,
                stock: None,
            });
            select_spans = Some((
                ct_span,
                SelectSpans {
                    period: r.period.as_ref().map(Spanned::span).unwrap_or(span.clone()),
                    filters: filter_spans,
                },
            ));
        } else {
            ok = false;
        }
    }

    // Unknown case types are reported once, where the selection is built.
    let registry = ck.registry;
    let registry_type = |_: &mut Checker<'_>, sel: &CaseSelect, _: &Range<usize>| {
        registry.and_then(|r| r.get(&sel.case_type))
    };

    // A stock is a count, or with `field` a sum, of the cases in force at the period's end.
    if kind == "stock" {
        let stock = parse_stock(ck, r, registry, select.as_ref());
        if stock.is_none() {
            ok = false;
        }
        select = select.zip(stock).map(|(mut s, st)| {
            s.stock = Some(st);
            s
        });
    }
    let kind = match kind {
        "stock" if r.field.is_some() => "sum",
        "stock" => "count",
        k => k,
    };
    let formula = match kind {
        "count" => select.clone().map(Formula::Count),
        "sum" => {
            let field = required(ck, &r.field, "field");
            let divisor = match &r.divisor {
                None => 1.0,
                Some(d) if *d.get_ref() > 0.0 && d.get_ref().is_finite() => *d.get_ref(),
                Some(d) => {
                    ck.err(
                        d.span(),
                        "divisor must be a positive number",
                        "除数divisor应为正数",
                    );
                    ok = false;
                    1.0
                }
            };
            match (select.clone(), field) {
                (Some(sel), Some((field, fspan))) => {
                    if let Some((ct_span, _)) = &select_spans
                        && let Some(ct) = registry_type(ck, &sel, ct_span)
                    {
                        match ct.field(&field) {
                            Some(fd)
                                if matches!(
                                    fd.kind,
                                    FieldKind::Number | FieldKind::Money | FieldKind::Area
                                ) =>
                            {
                                if fd.kind == FieldKind::Area && divisor != 100.0 {
                                    ck.err(
                                        fspan.clone(),
                                        format!("area field `{field}` is stored in hundredths of a square metre: use divisor = 100"),
                                        format!("面积字段“{}”以0.01平方米存储，divisor应为100", fd.label_zh),
                                    );
                                }
                                if fd.kind == FieldKind::Money && unit == "元" && divisor != 100.0
                                {
                                    ck.err(
                                        fspan.clone(),
                                        format!("money field `{field}` is stored in fen: use divisor = 100 for 元"),
                                        format!("金额字段“{}”以分存储，单位为元时divisor应为100", fd.label_zh),
                                    );
                                }
                            }
                            Some(fd) => ck.err(
                                fspan.clone(),
                                format!("field `{field}` is not a number or money field"),
                                format!("字段“{}”不是数值或金额字段，不能求和", fd.label_zh),
                            ),
                            None => ck.err(
                                fspan.clone(),
                                format!("case type `{}` has no field `{field}`", ct.code),
                                format!("案件类型“{}”没有字段“{field}”", ct.name_zh),
                            ),
                        }
                    }
                    Some(Formula::Sum {
                        select: sel,
                        field,
                        divisor,
                    })
                }
                _ => None,
            }
        }
        "ratio" => {
            let n = required(ck, &r.numerator, "numerator");
            let d = required(ck, &r.denominator, "denominator");
            match (n, d) {
                (Some((n, ns)), Some((d, ds))) => {
                    for (x, s) in [(&n, ns), (&d, ds)] {
                        if x.is_empty() || x.chars().any(char::is_whitespace) {
                            ck.err(
                                s,
                                format!("`{x}` is not an indicator id"),
                                format!("“{x}”不是有效的指标编号"),
                            );
                            ok = false;
                        }
                    }
                    Some(Formula::Ratio {
                        numerator: n,
                        denominator: d,
                        percent: unit == "%",
                    })
                }
                _ => None,
            }
        }
        "duration" => {
            let from = required(ck, &r.from, "from");
            let to = required(ck, &r.to, "to");
            let stat = required(ck, &r.stat, "stat");
            let point = |ck: &mut Checker<'_>, v: Option<(String, Range<usize>)>| {
                let (s, sp) = v?;
                let p = parse_date_point(&s);
                if p.is_none() {
                    ck.err(
                        sp,
                        format!("`{s}` must be created, closed or event:<transition>"),
                        format!("日期“{s}”应为created、closed或event:环节代码"),
                    );
                }
                p
            };
            let from_span = r.from.as_ref().map(Spanned::span);
            let to_span = r.to.as_ref().map(Spanned::span);
            let from = point(ck, from);
            let to = point(ck, to);
            let stat = stat.and_then(|(s, sp)| {
                let st = match s.as_str() {
                    "avg" => Some(Stat::Avg),
                    p => p
                        .strip_prefix('p')
                        .and_then(|n| n.parse::<u8>().ok())
                        .filter(|n| (1..=99).contains(n))
                        .map(Stat::Percentile),
                };
                if st.is_none() {
                    ck.err(
                        sp,
                        format!("stat `{s}` must be avg or p1…p99"),
                        format!("统计方式“{s}”应为avg或p1至p99"),
                    );
                }
                st
            });
            match (select.clone(), from, to, stat) {
                (Some(sel), Some(from), Some(to), Some(stat)) => {
                    if let Some((ct_span, _)) = &select_spans
                        && let Some(ct) = registry_type(ck, &sel, ct_span)
                    {
                        for (p, sp) in [(&from, from_span), (&to, to_span)] {
                            if let DatePoint::Event(ts) = p {
                                for t in ts {
                                    if ct.transition(t).is_none() {
                                        ck.err(
                                            sp.clone().unwrap_or(span.clone()),
                                            format!(
                                                "case type `{}` has no transition `{t}`",
                                                ct.code
                                            ),
                                            format!("案件类型“{}”没有环节“{t}”", ct.name_zh),
                                        );
                                    }
                                }
                            }
                        }
                    }
                    Some(Formula::Duration {
                        select: sel,
                        from,
                        to,
                        stat,
                    })
                }
                _ => None,
            }
        }
        "on_time" => {
            let clock = required(ck, &r.clock, "clock");
            if unit != "%" {
                ck.err(
                    r.unit.span(),
                    "an on_time indicator is a share: its unit must be %",
                    "按期率指标的单位应为“%”",
                );
                ok = false;
            }
            match (select.clone(), clock) {
                (Some(sel), Some((clock, cs))) => {
                    if let Some((ct_span, _)) = &select_spans
                        && let Some(ct) = registry_type(ck, &sel, ct_span)
                        && ct.clock(&clock).is_none()
                    {
                        ck.err(
                            cs,
                            format!("case type `{}` has no clock `{clock}`", ct.code),
                            format!("案件类型“{}”没有时限“{clock}”", ct.name_zh),
                        );
                    }
                    Some(Formula::OnTime { select: sel, clock })
                }
                _ => None,
            }
        }
        "officers" => Some(Formula::Officers(OfficerSelect {
            certified: r.certified.as_ref().is_some_and(|c| *c.get_ref()),
            legal_reviewer: r.legal_reviewer.as_ref().map(|c| *c.get_ref()),
            domain: r.domain.as_ref().map(|d| d.get_ref().trim().to_string()),
        })),
        _ => Some(Formula::Manual),
    };
    if let (Some(sel), Some((ct_span, spans))) = (&select, &select_spans)
        && let Some(ct) = registry_type(ck, sel, ct_span)
    {
        // An unknown case type was reported where the selection was built.
        check_select(ck, ct, sel, spans);
    }
    let Some(formula) = formula else {
        return Vec::new();
    };
    if !ok {
        return Vec::new();
    }
    let source = SourceRef {
        file: ck.file.path.display().to_string(),
        line: ck.line(&r.id.span()),
    };
    let base = Indicator {
        id: id.clone(),
        label_zh: label.clone(),
        unit,
        decimals,
        formula,
        basis_zh: r.basis_zh.clone().unwrap_or_default().trim().to_string(),
        target,
        aliases,
        group: None,
        version: version.to_string(),
        source,
    };
    let Some(expand) = &r.expand else {
        return vec![base];
    };
    // A group: one indicator per value, each with the extra filter `subject in [value]`.
    let e = expand.get_ref();
    let Some(subject) = parse_subject(e.subject.get_ref()) else {
        ck.err(
            e.subject.span(),
            format!(
                "unknown expand subject `{}`: expected {SUBJECT_HELP}",
                e.subject.get_ref()
            ),
            format!("展开对象“{}”无法识别", e.subject.get_ref()),
        );
        return Vec::new();
    };
    if subject.is_date() || subject == Subject::Published {
        ck.err(
            e.subject.span(),
            format!("cannot expand by `{}`", e.subject.get_ref()),
            format!("不能按“{}”展开", e.subject.get_ref()),
        );
        return Vec::new();
    }
    if e.values.is_empty() {
        ck.err(
            expand.span(),
            "expand needs at least one value",
            "expand至少需要一个取值",
        );
        return Vec::new();
    }
    if !base.aliases.is_empty() {
        ck.err(
            expand.span(),
            "an expanded group cannot have aliases",
            "展开的指标组不能设置别名",
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for v in &e.values {
        let value = v.get_ref().trim().to_string();
        if !is_id_suffix(&value) || !seen.insert(value.clone()) {
            ck.err(
                v.span(),
                format!("expand value `{value}` is empty, repeated or contains a separator"),
                format!("展开取值“{value}”为空、重复或含有分隔符"),
            );
            continue;
        }
        let filter = Filter {
            subject: subject.clone(),
            op: FilterOp::In(vec![value.clone()]),
        };
        let mut child = base.clone();
        child.id = format!("{id}.{value}");
        child.label_zh = format!("{label}（{value}）");
        child.group = Some(id.clone());
        let sel = match &mut child.formula {
            Formula::Count(s)
            | Formula::Sum { select: s, .. }
            | Formula::Duration { select: s, .. }
            | Formula::OnTime { select: s, .. } => s,
            _ => unreachable!("checked above: only case-based formulas expand"),
        };
        sel.filters.push(filter.clone());
        if let Some(reg) = ck.registry
            && let Some(ct) = reg.get(&sel.case_type)
        {
            let spans = SelectSpans {
                period: v.span(),
                filters: vec![v.span(); sel.filters.len()],
            };
            let only = CaseSelect {
                case_type: sel.case_type.clone(),
                period: DatePoint::Created,
                filters: vec![filter],
                stock: None,
            };
            check_select(ck, ct, &only, &spans);
        }
        out.push(child);
    }
    out
}

/// The `ended` and `end_states` of a stock (at least one), checked against the case type of the
/// selection when the registry is known.
fn parse_stock(
    ck: &mut Checker<'_>,
    r: &RawIndicator,
    registry: Option<&Registry>,
    select: Option<&CaseSelect>,
) -> Option<StockEnd> {
    if r.ended.is_none() && r.end_states.is_empty() {
        ck.err(
            r.formula.span(),
            "formula `stock` needs `ended` (the date a case leaves the stock) or `end_states`",
            "计算方式“stock”需要“ended”（退出存量的日期）或“end_states”（终结状态）",
        );
        return None;
    }
    let ct = select.and_then(|s| registry.and_then(|reg| reg.get(&s.case_type)));
    let mut ok = true;
    let ended = match &r.ended {
        None => None,
        Some(e) => {
            let p = e.get_ref().trim();
            match parse_date_point(p) {
                None => {
                    ck.err(
                        e.span(),
                        format!("ended `{p}` must be closed or event:<transition>[|<transition>…]"),
                        format!("退出日期ended“{p}”应为closed或event:环节代码"),
                    );
                    ok = false;
                    None
                }
                Some(d) => {
                    if let (DatePoint::Event(ts), Some(ct)) = (&d, ct) {
                        for t in ts {
                            if ct.transition(t).is_none() {
                                ck.err(
                                    e.span(),
                                    format!("case type `{}` has no transition `{t}`", ct.code),
                                    format!("案件类型“{}”没有办理环节“{t}”", ct.name_zh),
                                );
                                ok = false;
                            }
                        }
                    }
                    Some(d)
                }
            }
        }
    };
    let mut end_states = Vec::new();
    for s in &r.end_states {
        let code = s.get_ref().trim().to_string();
        if let Some(ct) = ct
            && !ct.states.iter().any(|st| st.code == code && st.terminal)
        {
            ck.err(
                s.span(),
                format!(
                    "`{code}` is not a terminal state of case type `{}`",
                    ct.code
                ),
                format!("“{code}”不是案件类型“{}”的终结状态", ct.name_zh),
            );
            ok = false;
        }
        end_states.push(code);
    }
    ok.then_some(StockEnd { ended, end_states })
}

/// Parses one definition file. Returns its indicators and all diagnostics.
fn parse_file(
    path: &Path,
    text: &str,
    registry: Option<&Registry>,
) -> (Vec<Indicator>, Vec<Diagnostic>) {
    let file = SourceFile {
        path: path.to_path_buf(),
        text,
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let d = file.diag(
                Severity::Error,
                e.span(),
                format!("invalid indicator file: {}", e.message().trim()),
                format!("指标定义文件格式错误：{}", e.message().trim()),
            );
            return (Vec::new(), vec![d]);
        }
    };
    let mut ck = Checker {
        file: &file,
        registry,
        diags: Vec::new(),
    };
    let version = raw.version.get_ref().trim().to_string();
    if version.is_empty() {
        ck.err(
            raw.version.span(),
            "version must not be empty",
            "版本号version不能为空",
        );
    }
    let mut out: Vec<Indicator> = Vec::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for ri in &raw.indicator {
        let line = ck.line(&ri.get_ref().id.span());
        for ind in build_indicator(&mut ck, ri, &version) {
            if let Some(prev) = ids.insert(ind.id.clone(), line) {
                ck.err(
                    ri.get_ref().id.span(),
                    format!(
                        "indicator `{}` is defined twice (also on line {prev})",
                        ind.id
                    ),
                    format!("指标“{}”重复定义（另见第{prev}行）", ind.id),
                );
                continue;
            }
            out.push(ind);
        }
    }
    if raw.indicator.is_empty() {
        ck.warn(0..0, "no [[indicator]] in this file", "文件中没有定义指标");
    }
    (out, ck.diags)
}

/// The indicators in use, by id, with the aliases that resolve to them.
#[derive(Debug, Clone)]
pub struct Catalog {
    indicators: BTreeMap<String, Indicator>,
    aliases: BTreeMap<String, String>,
    version: String,
    warnings: Vec<Diagnostic>,
    /// The facts layouts of the registry the catalogue was checked against (plans fill their
    /// slots).
    layouts: crate::facts::Layouts,
}

fn short_hash(parts: &[(&Path, &str)]) -> String {
    let mut h = Sha256::new();
    for (p, t) in parts {
        h.update(p.display().to_string().as_bytes());
        h.update([0]);
        h.update((t.len() as u64).to_be_bytes());
        h.update(t.as_bytes());
    }
    hex::encode(h.finalize())[..12].to_string()
}

fn plain_diag(path: &Path, en: String, zh: String) -> Diagnostic {
    Diagnostic {
        file: path.to_path_buf(),
        line: None,
        column: None,
        severity: Severity::Error,
        message: en,
        message_zh: zh,
    }
}

impl Catalog {
    /// The built-in definitions (`crates/indicators/indicators/*.toml`), checked against the
    /// built-in case types.
    ///
    /// # Panics
    /// Only if the embedded files are invalid, which the crate's tests rule out.
    pub fn embedded() -> Catalog {
        Catalog::embedded_for(&Registry::embedded())
            .unwrap_or_else(|d| panic!("embedded indicator definitions are invalid: {d:#?}"))
    }

    /// The built-in definitions checked against `registry` (which may override case types).
    pub fn embedded_for(registry: &Registry) -> Result<Catalog, Vec<Diagnostic>> {
        Catalog::from_texts(&[], registry)
    }

    /// Built-in definitions, overridden (same id) or extended (new id) by every `*.toml` file in
    /// `dir` (e.g. `$FAZHI_CONFIG_DIR/indicators`). A file that defines a group (`expand`)
    /// replaces the whole built-in group. Any error fails the whole load.
    pub fn load_dir(dir: &Path, registry: &Registry) -> Result<Catalog, Vec<Diagnostic>> {
        let texts = read_dir_texts(dir)?;
        let refs: Vec<(PathBuf, &str)> =
            texts.iter().map(|(p, t)| (p.clone(), t.as_str())).collect();
        Catalog::from_texts(&refs, registry)
    }

    /// The facts layouts of the case types the catalogue was checked against.
    pub fn layouts(&self) -> &crate::facts::Layouts {
        &self.layouts
    }

    /// Every diagnostic (errors and warnings) of the definitions in `dir`; empty when clean.
    pub fn check_dir(dir: &Path, registry: &Registry) -> Vec<Diagnostic> {
        match Catalog::load_dir(dir, registry) {
            Ok(c) => c.warnings,
            Err(d) => d,
        }
    }

    /// Validates one definition text (e.g. uploaded by an administrator) together with the
    /// built-in definitions, without touching the disk.
    pub fn check_text(path: &Path, text: &str, registry: &Registry) -> Vec<Diagnostic> {
        match Catalog::from_texts(&[(path.to_path_buf(), text)], registry) {
            Ok(c) => c.warnings,
            Err(d) => d,
        }
    }

    /// Built-in definitions plus the given override texts.
    pub fn from_texts(
        overrides: &[(PathBuf, &str)],
        registry: &Registry,
    ) -> Result<Catalog, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut indicators: BTreeMap<String, Indicator> = BTreeMap::new();
        let mut embedded: Vec<(PathBuf, &str)> = registry
            .folders()
            .filter_map(|f| f.file(INDICATORS_FILE))
            .map(|f| (f.path.clone(), f.text.as_str()))
            .collect();
        embedded.extend(
            EMBEDDED
                .iter()
                .map(|(n, t)| (PathBuf::from(format!("embedded:indicators/{n}")), *t)),
        );
        for (path, text) in &embedded {
            let (list, d) = parse_file(path, text, Some(registry));
            diags.extend(d);
            for i in list {
                if indicators.contains_key(&i.id) {
                    diags.push(plain_diag(
                        path,
                        format!("indicator `{}` is defined in two built-in files", i.id),
                        format!("指标“{}”在两个内置文件中重复定义", i.id),
                    ));
                }
                indicators.insert(i.id.clone(), i);
            }
        }
        let mut seen_override: BTreeMap<String, PathBuf> = BTreeMap::new();
        for (path, text) in overrides {
            let (list, d) = parse_file(path, text, Some(registry));
            diags.extend(d);
            let groups: BTreeSet<String> = list.iter().filter_map(|i| i.group.clone()).collect();
            indicators.retain(|_, i| i.group.as_ref().is_none_or(|g| !groups.contains(g)));
            for i in list {
                if let Some(other) = seen_override.insert(i.id.clone(), path.clone()) {
                    diags.push(plain_diag(
                        path,
                        format!(
                            "indicator `{}` is also defined in {}",
                            i.id,
                            other.display()
                        ),
                        format!("指标“{}”在{}中重复定义", i.id, other.display()),
                    ));
                }
                indicators.insert(i.id.clone(), i);
            }
        }
        let mut version = format!("builtin-{}", {
            let parts: Vec<(&Path, &str)> =
                embedded.iter().map(|(p, t)| (p.as_path(), *t)).collect();
            short_hash(&parts)
        });
        if !overrides.is_empty() {
            let parts: Vec<(&Path, &str)> =
                overrides.iter().map(|(p, t)| (p.as_path(), *t)).collect();
            version.push_str(&format!("+local-{}", short_hash(&parts)));
        }
        let layouts = match crate::facts::Layouts::from_registry(registry) {
            Ok(l) => l,
            Err(d) => {
                diags.extend(d);
                crate::facts::Layouts::default()
            }
        };
        let mut catalog = Catalog {
            indicators,
            aliases: BTreeMap::new(),
            version,
            warnings: Vec::new(),
            layouts,
        };
        catalog.link(&mut diags);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        catalog.warnings = diags;
        Ok(catalog)
    }

    /// Cross-indicator checks: aliases, ratio references, cycles.
    fn link(&mut self, diags: &mut Vec<Diagnostic>) {
        let at = |i: &Indicator, en: String, zh: String| Diagnostic {
            file: PathBuf::from(&i.source.file),
            line: Some(i.source.line),
            column: Some(1),
            severity: Severity::Error,
            message: en,
            message_zh: zh,
        };
        for i in self.indicators.values() {
            for a in &i.aliases {
                if self.indicators.contains_key(a) {
                    diags.push(at(
                        i,
                        format!("alias `{a}` of `{}` is itself an indicator id", i.id),
                        format!("指标“{}”的别名“{a}”与另一指标编号相同", i.id),
                    ));
                } else if let Some(other) = self.aliases.insert(a.clone(), i.id.clone()) {
                    diags.push(at(
                        i,
                        format!("alias `{a}` is used by `{other}` and `{}`", i.id),
                        format!("别名“{a}”被“{other}”和“{}”同时使用", i.id),
                    ));
                }
            }
        }
        let ids: Vec<String> = self.indicators.keys().cloned().collect();
        for id in &ids {
            let i = &self.indicators[id];
            if let Formula::Ratio {
                numerator,
                denominator,
                ..
            } = &i.formula
            {
                for part in [numerator, denominator] {
                    if self.resolve(part).is_none() {
                        diags.push(at(
                            i,
                            format!("`{}` refers to unknown indicator `{part}`", i.id),
                            format!("指标“{}”引用的指标“{part}”不存在", i.id),
                        ));
                    }
                }
            }
        }
        // Cycles through ratios.
        for id in &ids {
            let mut stack = vec![(id.clone(), 0usize)];
            let mut path: Vec<String> = Vec::new();
            let mut cyclic = false;
            while let Some((cur, depth)) = stack.pop() {
                path.truncate(depth);
                if path.contains(&cur) {
                    cyclic = true;
                    break;
                }
                path.push(cur.clone());
                if let Some(Indicator {
                    formula:
                        Formula::Ratio {
                            numerator,
                            denominator,
                            ..
                        },
                    ..
                }) = self.get(&cur)
                {
                    for p in [numerator, denominator] {
                        if let Some(r) = self.resolve(p) {
                            stack.push((r.to_string(), depth + 1));
                        }
                    }
                }
            }
            if cyclic {
                let i = &self.indicators[id];
                diags.push(at(
                    i,
                    format!("`{id}` depends on itself through ratios"),
                    format!("指标“{id}”通过比率循环引用了自身"),
                ));
            }
        }
    }

    /// The canonical id of an id or alias.
    pub fn resolve(&self, id: &str) -> Option<&str> {
        if let Some((k, _)) = self.indicators.get_key_value(id) {
            return Some(k.as_str());
        }
        self.aliases.get(id).map(String::as_str)
    }

    /// An indicator by id or alias.
    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.resolve(id).and_then(|r| self.indicators.get(r))
    }

    /// All indicators, by id.
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.values()
    }

    /// The members of an expanded group (e.g. `hotline.by_category`), in definition order of
    /// their values.
    pub fn group(&self, group: &str) -> Vec<&Indicator> {
        let mut v: Vec<&Indicator> = self
            .indicators
            .values()
            .filter(|i| i.group.as_deref() == Some(group))
            .collect();
        v.sort_by_key(|i| i.source.line);
        v
    }

    /// Version of the definitions: a hash of the built-in files, plus one of the overrides.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Warnings found while loading (errors fail the load).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The ids an indicator needs computed first (ratio parts, recursively), itself last.
    pub fn dependencies(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_deps(id, &mut out, 0);
        out
    }

    fn collect_deps(&self, id: &str, out: &mut Vec<String>, depth: usize) {
        let Some(i) = self.get(id) else { return };
        if depth > 32 || out.contains(&i.id) {
            return;
        }
        if let Formula::Ratio {
            numerator,
            denominator,
            ..
        } = &i.formula
        {
            self.collect_deps(numerator, out, depth + 1);
            self.collect_deps(denominator, out, depth + 1);
        }
        if !out.contains(&i.id) {
            out.push(i.id.clone());
        }
    }
}

fn read_dir_texts(dir: &Path) -> Result<Vec<(PathBuf, String)>, Vec<Diagnostic>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![plain_diag(
            dir,
            format!("cannot read directory: {e}"),
            format!("无法读取目录：{e}"),
        )]
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        match std::fs::read_to_string(&p) {
            Ok(t) => out.push((p, t)),
            Err(e) => diags.push(plain_diag(
                &p,
                format!("cannot read: {e}"),
                format!("无法读取文件：{e}"),
            )),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}
