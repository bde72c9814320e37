//! Input parsing by field kind, and the pluggable validators of identity numbers.

use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::model::{CaseType, FieldDef, FieldKind};
use crate::refusal::Refusal;

/// Result of checking an identity number, credit code or phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldCheck {
    /// Valid; the normalised value to store.
    Valid(String),
    /// Stored only if the user overrides the warning (e.g. a USCC checksum failure, law file §14.2).
    Warning {
        value: String,
        code: String,
        message_zh: String,
    },
    /// Rejected.
    Invalid { code: String, message_zh: String },
}

/// Validators of the identity kinds. The real GB 11643 / GB 32100 checks live in `fazhi-domain`;
/// the caller plugs them in through [`crate::GuardContext::validators`]. Messages are the reason
/// only (the field label is prepended by the caller).
pub trait FieldValidators: Sync {
    /// 居民身份证号码 (GB 11643); `on` is the date of the step (birth date may not be later).
    fn id_number(&self, raw: &str, on: Date) -> FieldCheck;
    /// 统一社会信用代码 (GB 32100). A checksum failure should be a [`FieldCheck::Warning`].
    fn uscc(&self, raw: &str) -> FieldCheck;
    /// Phone number.
    fn phone(&self, raw: &str) -> FieldCheck;
}

/// Minimal validators: length and character set only, no checksums.
#[derive(Debug, Clone, Copy, Default)]
pub struct BasicValidators;

/// The GB 32100 alphabet (no I, O, S, V, Z).
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

impl FieldValidators for BasicValidators {
    fn id_number(&self, raw: &str, _on: Date) -> FieldCheck {
        let v = raw.trim().to_uppercase();
        let b = v.as_bytes();
        if b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X')
        {
            FieldCheck::Valid(v)
        } else {
            FieldCheck::Invalid {
                code: "input.id_number_format".to_owned(),
                message_zh: "必须是18位居民身份证号码（前17位为数字，最后一位为数字或X）"
                    .to_owned(),
            }
        }
    }

    fn uscc(&self, raw: &str) -> FieldCheck {
        let v = raw.trim().to_uppercase();
        if v.chars().count() == 18 && v.chars().all(|c| USCC_ALPHABET.contains(c)) {
            FieldCheck::Valid(v)
        } else {
            FieldCheck::Invalid {
                code: "input.uscc_format".to_owned(),
                message_zh: "必须是18位统一社会信用代码（数字或大写字母，不含I、O、S、V、Z）"
                    .to_owned(),
            }
        }
    }

    fn phone(&self, raw: &str) -> FieldCheck {
        let mut v: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '（' | '）'))
            .collect();
        for prefix in ["+86", "0086"] {
            if let Some(rest) = v.strip_prefix(prefix) {
                v = rest.to_owned();
            }
        }
        if v.len() == 13
            && let Some(rest) = v.strip_prefix("86")
        {
            v = rest.to_owned();
        }
        let digits = v.bytes().all(|b| b.is_ascii_digit());
        let b = v.as_bytes();
        let mobile = digits && b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        let landline = digits && b.first() == Some(&b'0') && (10..=12).contains(&b.len());
        if mobile || landline {
            FieldCheck::Valid(v)
        } else {
            FieldCheck::Invalid {
                code: "input.phone_format".to_owned(),
                message_zh: "必须是11位手机号码或带区号的固定电话号码".to_owned(),
            }
        }
    }
}

/// The dates any date input may take: from the founding of the People's Republic (no record of
/// this system predates it) to the end of the range the calendar and case numbers are built
/// for. A date outside it (`0000-01-01`) is a typing error the engine cannot use.
pub const DATE_RANGE: std::ops::RangeInclusive<Date> =
    jiff::civil::date(1949, 10, 1)..=jiff::civil::date(2100, 12, 31);

/// Maximum length in characters of text kinds.
fn max_chars(kind: FieldKind) -> usize {
    match kind {
        FieldKind::LongText => 20_000,
        FieldKind::PersonName => 100,
        _ => 500,
    }
}

/// Parses money in 元 (`"200"`, `"200.5"`, `"200.50"`, or a JSON number) into fen.
pub fn parse_money_fen(v: &Value) -> Option<i64> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s.as_str(), ""),
    };
    if int.is_empty()
        || int.len() > 13
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (s.contains('.') && frac.is_empty())
    {
        return None;
    }
    let yuan: i64 = int.parse().ok()?;
    let mut cents: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        cents *= 10;
    }
    yuan.checked_mul(100)?.checked_add(cents)
}

/// Outcome of parsing one input value.
pub(crate) enum Parsed {
    Value(Value),
    /// Stored only when warnings are overridden.
    Warning(Value, Refusal),
}

/// Parses and normalises one present input value by the field's kind.
pub(crate) fn parse_value(
    ct: &CaseType,
    field: &FieldDef,
    raw: &Value,
    on: Date,
    validators: &dyn FieldValidators,
) -> Result<Parsed, Box<Refusal>> {
    let label = &field.label_zh;
    let bad = |code: &str, reason: String| {
        Box::new(
            Refusal::new(code, format!("{label}：{reason}"))
                .field(&field.code)
                .param("kind", field.kind.code()),
        )
    };
    let text = || -> Result<String, Box<Refusal>> {
        match raw {
            Value::String(s) => Ok(s.trim().to_owned()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(bad("input.type", "必须是文本".to_owned())),
        }
    };
    let v = match field.kind {
        FieldKind::Text | FieldKind::LongText | FieldKind::PersonName => {
            let s = text()?;
            let max = max_chars(field.kind);
            if s.chars().count() > max {
                return Err(bad("input.too_long", format!("不能超过{max}个字")));
            }
            Value::String(s)
        }
        FieldKind::Number => {
            let n: Option<f64> = match raw {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            let Some(n) = n.filter(|n| n.is_finite()) else {
                return Err(bad("input.number", "必须是数字".to_owned()));
            };
            if let Some(min) = field.min
                && n < min
            {
                return Err(bad("input.range", format!("不能小于{min}")));
            }
            if let Some(max) = field.max
                && n > max
            {
                return Err(bad("input.range", format!("不能大于{max}")));
            }
            if field.integer && n.fract() != 0.0 {
                return Err(bad("input.integer", "必须是整数".to_owned()));
            }
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                Value::from(n as i64)
            } else {
                Value::from(n)
            }
        }
        // Money: 元 in, integer fen stored.
        FieldKind::Money => {
            let Some(fen) = parse_money_fen(raw) else {
                return Err(bad(
                    "input.money",
                    "必须是不小于0的金额，最多两位小数".to_owned(),
                ));
            };
            if let Some(min) = field.min
                && (fen as f64) < min * 100.0
            {
                return Err(bad("input.range", format!("不能小于{min}元")));
            }
            if let Some(max) = field.max
                && (fen as f64) > max * 100.0
            {
                return Err(bad("input.range", format!("不能大于{max}元")));
            }
            Value::from(fen)
        }
        // Area: 平方米 in, integer hundredths stored (same format rules as money).
        FieldKind::Area => {
            let Some(h) = parse_money_fen(raw) else {
                return Err(bad(
                    "input.area",
                    "必须是不小于0的面积（平方米），最多两位小数".to_owned(),
                ));
            };
            if let Some(min) = field.min
                && (h as f64) < min * 100.0
            {
                return Err(bad("input.range", format!("不能小于{min}平方米")));
            }
            if let Some(max) = field.max
                && (h as f64) > max * 100.0
            {
                return Err(bad("input.range", format!("不能大于{max}平方米")));
            }
            Value::from(h)
        }
        FieldKind::Date => {
            let s = text()?;
            let ok = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
            match s.parse::<Date>() {
                Ok(d) if ok && !DATE_RANGE.contains(&d) => {
                    return Err(bad(
                        "input.date_range",
                        format!("日期应在{}至{}之间", DATE_RANGE.start(), DATE_RANGE.end()),
                    ));
                }
                Ok(d) if ok => Value::String(d.to_string()),
                _ => {
                    return Err(bad(
                        "input.date",
                        "必须是YYYY-MM-DD格式的有效日期".to_owned(),
                    ));
                }
            }
        }
        FieldKind::DateTime => {
            let s = text()?;
            match parse_datetime(&s) {
                Some(dt) => Value::String(dt.strftime("%Y-%m-%d %H:%M:%S").to_string()),
                None => {
                    return Err(bad(
                        "input.datetime",
                        "必须是YYYY-MM-DD HH:MM格式的有效日期时间".to_owned(),
                    ));
                }
            }
        }
        FieldKind::Bool => match raw {
            Value::Bool(b) => Value::Bool(*b),
            Value::String(s) if matches!(s.trim(), "true" | "是") => Value::Bool(true),
            Value::String(s) if matches!(s.trim(), "false" | "否") => Value::Bool(false),
            _ => return Err(bad("input.bool", "必须是“是”或“否”".to_owned())),
        },
        FieldKind::Enum => {
            let s = text()?;
            let entries = field
                .dictionary
                .as_deref()
                .and_then(|d| ct.dictionary(d))
                .unwrap_or(&[]);
            if !entries.iter().any(|e| e.value == s) {
                let allowed: Vec<&str> = entries.iter().map(|e| e.label_zh.as_str()).collect();
                let r = bad(
                    "input.enum",
                    format!("“{s}”不是有效选项，可选：{}", allowed.join("、")),
                );
                return Err(Box::new(r.param("allowed", allowed)));
            }
            Value::String(s)
        }
        FieldKind::Flags => {
            let entries = field
                .dictionary
                .as_deref()
                .and_then(|d| ct.dictionary(d))
                .unwrap_or(&[]);
            let items: Vec<String> = match raw {
                Value::Array(a) => {
                    let mut items = Vec::new();
                    for v in a {
                        match v.as_str() {
                            Some(s) => items.push(s.trim().to_owned()),
                            None => return Err(bad("input.flags", "必须是选项列表".to_owned())),
                        }
                    }
                    items
                }
                Value::String(s) => s
                    .split([',', '，', '、'])
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect(),
                _ => return Err(bad("input.flags", "必须是选项列表".to_owned())),
            };
            let mut out: Vec<String> = Vec::new();
            for item in items {
                let Some(e) = entries
                    .iter()
                    .find(|e| e.value == item || e.label_zh == item)
                else {
                    let allowed: Vec<&str> = entries.iter().map(|e| e.label_zh.as_str()).collect();
                    return Err(bad(
                        "input.flags",
                        format!("“{item}”不是有效选项，可选：{}", allowed.join("、")),
                    ));
                };
                if !out.contains(&e.value) {
                    out.push(e.value.clone());
                }
            }
            Value::from(out)
        }
        FieldKind::Unit | FieldKind::Department => match raw {
            Value::Number(n) if n.as_i64().is_some_and(|i| i > 0) => raw.clone(),
            Value::String(s) if !s.trim().is_empty() && s.trim().chars().count() <= 100 => {
                Value::String(s.trim().to_owned())
            }
            _ => return Err(bad("input.unit", "必须选择有效的单位或部门".to_owned())),
        },
        FieldKind::Officer => match officer_id(raw) {
            Some(id) => Value::from(id),
            None => return Err(bad("input.officer", "必须选择有效的执法人员".to_owned())),
        },
        FieldKind::OfficerList => {
            let Value::Array(a) = raw else {
                return Err(bad("input.officer", "必须是执法人员列表".to_owned()));
            };
            let mut ids: Vec<i64> = Vec::new();
            for v in a {
                let Some(id) = officer_id(v) else {
                    return Err(bad("input.officer", "包含无效的执法人员".to_owned()));
                };
                if ids.contains(&id) {
                    return Err(bad("input.officer", "同一执法人员不能重复列出".to_owned()));
                }
                ids.push(id);
            }
            Value::from(ids)
        }
        FieldKind::IdNumber | FieldKind::Uscc | FieldKind::Phone => {
            let s = text()?;
            let check = match field.kind {
                FieldKind::IdNumber => validators.id_number(&s, on),
                FieldKind::Uscc => validators.uscc(&s),
                _ => validators.phone(&s),
            };
            return match check {
                FieldCheck::Valid(v) => Ok(Parsed::Value(Value::String(v))),
                FieldCheck::Warning {
                    value,
                    code,
                    message_zh,
                } => Ok(Parsed::Warning(
                    Value::String(value),
                    (*bad(&code, message_zh)).overridable(),
                )),
                FieldCheck::Invalid { code, message_zh } => Err(bad(&code, message_zh)),
            };
        }
    };
    Ok(Parsed::Value(v))
}

/// Parses one value of a field by its kind exactly as a transition's input would be (used by
/// imports for the fields a file carries beyond the create step's inputs). A warning (e.g. a
/// credit code's checksum) is returned as the refusal: an import has no one to confirm it.
// The refusal is returned as it is elsewhere in the engine (once per field of a row, off the
// hot path): boxing it only for this function would make its callers unlike the rest.
#[allow(clippy::result_large_err)]
pub fn parse_field(
    ct: &CaseType,
    field: &FieldDef,
    raw: &Value,
    on: Date,
    validators: &dyn FieldValidators,
) -> Result<Value, Refusal> {
    match parse_value(ct, field, raw, on, validators) {
        Ok(Parsed::Value(v)) => Ok(v),
        Ok(Parsed::Warning(_, r)) => Err(r),
        Err(r) => Err(*r),
    }
}

fn officer_id(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().filter(|i| *i > 0),
        Value::String(s) => s.trim().parse::<i64>().ok().filter(|i| *i > 0),
        _ => None,
    }
}

/// Whether an input value is absent (missing, null, blank text, empty list).
pub(crate) fn absent(v: Option<&Value>) -> bool {
    !crate::guards::present(v)
}

/// Applies `sets` of a transition: flags are added to the existing set, other values replace.
pub(crate) fn apply_sets(
    ct: &CaseType,
    sets: &Map<String, Value>,
    current: &Map<String, Value>,
    updates: &mut Map<String, Value>,
) {
    for (k, v) in sets {
        let is_flags = ct.field(k).is_some_and(|f| f.kind == FieldKind::Flags);
        if is_flags {
            let mut merged: Vec<Value> = updates
                .get(k)
                .or_else(|| current.get(k))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for item in v.as_array().into_iter().flatten() {
                if !merged.contains(item) {
                    merged.push(item.clone());
                }
            }
            updates.insert(k.clone(), Value::Array(merged));
        } else {
            updates.insert(k.clone(), v.clone());
        }
    }
}

/// Parses `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS` or the same with `T` (a datetime field).
pub fn parse_datetime(s: &str) -> Option<jiff::civil::DateTime> {
    let s = s.trim();
    let b = s.as_bytes();
    if !(s.len() == 16 || s.len() == 19) || b[4] != b'-' || b[7] != b'-' || b[13] != b':' {
        return None;
    }
    if !(b[10] == b' ' || b[10] == b'T') {
        return None;
    }
    let t = format!(
        "{}T{}{}",
        &s[..10],
        &s[11..],
        if s.len() == 16 { ":00" } else { "" }
    );
    t.parse().ok()
}
