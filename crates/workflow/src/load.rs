//! Loading and validating case-type definitions (TOML) and the registry of case types.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};

use fazhi_calendar::PeriodUnit;
use serde::Deserialize;
use serde_json::{Map, Value};
use toml::Spanned;

use crate::config::{CONFIG_FILES, LIMIT_TABLES, WorkflowConfig};
use crate::diag::{Diagnostic, Severity, SourceFile};
use crate::folders::{
    DEFINITION_FILE, Folder, FolderFile, embedded_folders, merge_folders, read_folder, read_folders,
};
use crate::guards::parse_spec;
use crate::model::{
    CaseType, ClockDef, ClockKind, ClockLength, DefinitionVersion, DictEntry, ExtensionDef,
    FieldDef, FieldKind, InputDef, PauseDef, ROLES, STAY, StateDef, TransitionDef,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCaseType {
    code: Spanned<String>,
    name_zh: String,
    #[serde(default)]
    statute: Option<String>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    #[serde(default)]
    dictionaries: BTreeMap<String, Spanned<Vec<Spanned<RawDictEntry>>>>,
    #[serde(default)]
    fields: Vec<Spanned<RawField>>,
    #[serde(default)]
    states: Vec<Spanned<RawState>>,
    #[serde(default)]
    transitions: Vec<Spanned<RawTransition>>,
    #[serde(default)]
    clocks: Vec<Spanned<RawClock>>,
    // Read by `crate::presentation`.
    #[serde(default, rename = "presentation")]
    _presentation: Option<toml::Value>,
    #[serde(default, rename = "capabilities")]
    _capabilities: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDictEntry {
    Plain(String),
    Labelled { value: String, label_zh: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    code: Spanned<String>,
    label_zh: String,
    kind: Spanned<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    personal: bool,
    #[serde(default)]
    dictionary: Option<Spanned<String>>,
    #[serde(default)]
    input_only: bool,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    visible_to: Vec<Spanned<String>>,
    #[serde(default)]
    integer: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    code: Spanned<String>,
    label_zh: String,
    #[serde(default)]
    terminal: bool,
    #[serde(default)]
    documents: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    field: Spanned<String>,
    #[serde(default)]
    required: bool,
}

#[derive(Deserialize)]
struct RawGuard {
    name: Spanned<String>,
    #[serde(flatten)]
    params: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    code: Spanned<String>,
    label_zh: String,
    #[serde(default)]
    from: Vec<Spanned<String>>,
    to: Spanned<String>,
    roles: Vec<Spanned<String>>,
    #[serde(default)]
    inputs: Vec<Spanned<RawInput>>,
    #[serde(default)]
    guards: Vec<Spanned<RawGuard>>,
    #[serde(default)]
    documents: Vec<String>,
    #[serde(default)]
    sets: Option<Spanned<toml::Table>>,
    #[serde(default)]
    published: Option<bool>,
    // Read by `crate::presentation`.
    #[serde(default, rename = "opens")]
    _opens: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPause {
    from: Spanned<String>,
    to: Spanned<String>,
    reason_zh: String,
    #[serde(default)]
    max: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtension {
    on: Spanned<String>,
    #[serde(default)]
    days: Option<u32>,
    #[serde(default)]
    days_field: Option<Spanned<String>>,
    #[serde(default)]
    request: Option<Spanned<String>>,
    #[serde(default)]
    max_total: Option<u32>,
    #[serde(default)]
    notice_field: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClock {
    code: Spanned<String>,
    label_zh: String,
    basis: String,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    start: Vec<Spanned<String>>,
    #[serde(default)]
    stop: Vec<Spanned<String>>,
    #[serde(default)]
    restart: Vec<Spanned<String>>,
    #[serde(default)]
    n: Option<u32>,
    #[serde(default)]
    unit: Option<Spanned<String>>,
    #[serde(default)]
    table: Option<Spanned<String>>,
    #[serde(default)]
    key_field: Option<Spanned<String>>,
    #[serde(default)]
    start_field: Option<Spanned<String>>,
    #[serde(default)]
    start_time_field: Option<Spanned<String>>,
    #[serde(default)]
    stop_time_field: Option<Spanned<String>>,
    #[serde(default)]
    restart_field: Option<Spanned<String>>,
    #[serde(default)]
    until_field: Option<Spanned<String>>,
    #[serde(default)]
    pauses: Vec<Spanned<RawPause>>,
    #[serde(default)]
    extension: Option<Spanned<RawExtension>>,
    #[serde(default)]
    requires_prior: Option<Spanned<String>>,
    #[serde(default)]
    undone_by: Option<Spanned<String>>,
    #[serde(default)]
    only_if_field: Option<Spanned<String>>,
    #[serde(default)]
    only_if_values: Vec<String>,
}

struct Checker<'a> {
    file: &'a SourceFile<'a>,
    diags: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn err(&mut self, span: Range<usize>, en: String, zh: String) {
        self.diags
            .push(Diagnostic::error(self.file, Some(span), en, zh));
    }
    fn warn(&mut self, span: Range<usize>, en: String, zh: String) {
        self.diags
            .push(Diagnostic::warning(self.file, Some(span), en, zh));
    }
}

fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Parses and validates one definition. Returns the case type (when it has no errors) and all
/// diagnostics.
pub(crate) fn parse_case_type(path: &Path, text: &str) -> (Option<CaseType>, Vec<Diagnostic>) {
    let file = SourceFile {
        path: path.to_path_buf(),
        text,
    };
    let raw: RawCaseType = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let d = Diagnostic::error(
                &file,
                e.span(),
                format!("invalid definition: {}", e.message().trim()),
                format!("定义文件格式错误：{}", e.message().trim()),
            );
            return (None, vec![d]);
        }
    };
    let mut ck = Checker {
        file: &file,
        diags: Vec::new(),
    };
    let mut ct = build(&raw, &mut ck, path, text);
    ck.diags.extend(crate::presentation::attach(&file, &mut ct));
    let has_errors = ck.diags.iter().any(Diagnostic::is_error);
    (if has_errors { None } else { Some(ct) }, ck.diags)
}

fn check_code(ck: &mut Checker<'_>, code: &Spanned<String>, what: &str, what_zh: &str) {
    let c = code.get_ref();
    let ok = !c.is_empty()
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && c.as_bytes()[0].is_ascii_lowercase();
    if !ok {
        ck.err(
            code.span(),
            format!("{what} code `{c}` must be snake_case ASCII (a-z, 0-9, _)"),
            format!("{what_zh}代码“{c}”只能使用小写字母、数字和下划线"),
        );
    }
}

fn dup_check(
    ck: &mut Checker<'_>,
    seen: &mut BTreeSet<String>,
    code: &Spanned<String>,
    what: &str,
    what_zh: &str,
) {
    if !seen.insert(code.get_ref().clone()) {
        ck.err(
            code.span(),
            format!("duplicate {what} code `{}`", code.get_ref()),
            format!("{what_zh}代码“{}”重复", code.get_ref()),
        );
    }
}

fn build(raw: &RawCaseType, ck: &mut Checker<'_>, path: &Path, text: &str) -> CaseType {
    check_code(ck, &raw.code, "case type", "案件类型");
    let dictionaries = build_dictionaries(raw, ck);
    let fields = build_fields(raw, ck, &dictionaries);
    let field_codes: BTreeSet<String> = fields.iter().map(|f| f.code.clone()).collect();
    let states = build_states(raw, ck);
    let state_codes: BTreeSet<String> = states.iter().map(|s| s.code.clone()).collect();
    let transition_codes: BTreeSet<String> = raw
        .transitions
        .iter()
        .map(|t| t.get_ref().code.get_ref().clone())
        .collect();
    let names = Names {
        fields: &fields,
        field_codes: &field_codes,
        states: &state_codes,
        transitions: &transition_codes,
        dictionaries: &dictionaries,
    };
    let transitions = build_transitions(raw, ck, &names);
    check_reachable(raw, ck, &transitions);
    let clocks = build_clocks(raw, ck, &names);
    let version = build_version(raw, ck, text);
    CaseType {
        code: raw.code.get_ref().clone(),
        name_zh: raw.name_zh.clone(),
        statute: raw.statute.clone(),
        fields,
        states,
        transitions,
        clocks,
        dictionaries,
        source: path.display().to_string(),
        version,
        presentation: Default::default(),
        capabilities: Default::default(),
    }
}

/// What the parts of a definition refer to, once fields and states are known.
struct Names<'a> {
    fields: &'a [FieldDef],
    field_codes: &'a BTreeSet<String>,
    states: &'a BTreeSet<String>,
    transitions: &'a BTreeSet<String>,
    dictionaries: &'a BTreeMap<String, Vec<DictEntry>>,
}

/// The declared version and the content hash of the definition text.
fn build_version(raw: &RawCaseType, ck: &mut Checker<'_>, text: &str) -> DefinitionVersion {
    let declared = match &raw.version {
        Some(v) if v.get_ref().trim().is_empty() || v.get_ref().contains('+') => {
            ck.err(
                v.span(),
                format!(
                    "version `{}` must be non-empty and must not contain `+`",
                    v.get_ref()
                ),
                format!("版本号“{}”不能为空，也不能包含“+”", v.get_ref()),
            );
            v.get_ref().clone()
        }
        Some(v) => v.get_ref().trim().to_owned(),
        None => "1".to_owned(),
    };
    DefinitionVersion {
        declared,
        content_hash: content_hash(text),
    }
}

/// First 16 hex digits of the SHA-256 of a text.
pub(crate) fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn build_dictionaries(raw: &RawCaseType, ck: &mut Checker<'_>) -> BTreeMap<String, Vec<DictEntry>> {
    // Dictionaries.
    let mut dictionaries: BTreeMap<String, Vec<DictEntry>> = BTreeMap::new();
    for (name, entries) in &raw.dictionaries {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        if entries.get_ref().is_empty() {
            ck.err(
                entries.span(),
                format!("dictionary `{name}` is empty"),
                format!("字典“{name}”没有任何选项"),
            );
        }
        for e in entries.get_ref() {
            let entry = match e.get_ref() {
                RawDictEntry::Plain(s) => DictEntry {
                    value: s.clone(),
                    label_zh: s.clone(),
                },
                RawDictEntry::Labelled { value, label_zh } => DictEntry {
                    value: value.clone(),
                    label_zh: label_zh.clone(),
                },
            };
            if entry.value.trim().is_empty() {
                ck.err(
                    e.span(),
                    format!("dictionary `{name}` has an empty value"),
                    format!("字典“{name}”有空选项"),
                );
            }
            if !seen.insert(entry.value.clone()) {
                ck.err(
                    e.span(),
                    format!("dictionary `{name}` repeats value `{}`", entry.value),
                    format!("字典“{name}”的选项“{}”重复", entry.value),
                );
            }
            out.push(entry);
        }
        dictionaries.insert(name.clone(), out);
    }

    dictionaries
}

fn build_fields(
    raw: &RawCaseType,
    ck: &mut Checker<'_>,
    dictionaries: &BTreeMap<String, Vec<DictEntry>>,
) -> Vec<FieldDef> {
    // Fields.
    let mut fields = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &raw.fields {
        let f = f.get_ref();
        check_code(ck, &f.code, "field", "字段");
        dup_check(ck, &mut seen, &f.code, "field", "字段");
        let kind = match FieldKind::from_code(f.kind.get_ref()) {
            Some(k) => k,
            None => {
                let all: Vec<&str> = FieldKind::ALL.iter().map(|(c, _)| *c).collect();
                ck.err(
                    f.kind.span(),
                    format!(
                        "field `{}` has unknown kind `{}` (expected one of {})",
                        f.code.get_ref(),
                        f.kind.get_ref(),
                        all.join(", ")
                    ),
                    format!("字段“{}”的类型“{}”无效", f.code.get_ref(), f.kind.get_ref()),
                );
                FieldKind::Text
            }
        };
        match (&f.dictionary, kind.needs_dictionary()) {
            (Some(d), _) if !dictionaries.contains_key(d.get_ref()) => ck.err(
                d.span(),
                format!(
                    "field `{}` uses unknown dictionary `{}`",
                    f.code.get_ref(),
                    d.get_ref()
                ),
                format!(
                    "字段“{}”引用的字典“{}”不存在",
                    f.code.get_ref(),
                    d.get_ref()
                ),
            ),
            (Some(d), false) => ck.warn(
                d.span(),
                format!(
                    "field `{}` of kind `{}` ignores its dictionary",
                    f.code.get_ref(),
                    kind.code()
                ),
                format!("字段“{}”的类型不使用字典", f.code.get_ref()),
            ),
            (None, true) => ck.err(
                f.kind.span(),
                format!(
                    "field `{}` of kind `{}` needs a dictionary",
                    f.code.get_ref(),
                    kind.code()
                ),
                format!("字段“{}”须指定字典", f.code.get_ref()),
            ),
            _ => {}
        }
        if (f.min.is_some() || f.max.is_some())
            && !matches!(kind, FieldKind::Number | FieldKind::Money | FieldKind::Area)
        {
            ck.warn(
                f.code.span(),
                format!(
                    "field `{}`: min/max only apply to number, money and area",
                    f.code.get_ref()
                ),
                format!(
                    "字段“{}”：min/max 仅适用于数字、金额和面积",
                    f.code.get_ref()
                ),
            );
        }
        for r in &f.visible_to {
            if !ROLES.iter().any(|(c, _)| c == r.get_ref()) {
                ck.err(
                    r.span(),
                    format!(
                        "field `{}`: visible_to names unknown role `{}`",
                        f.code.get_ref(),
                        r.get_ref()
                    ),
                    format!(
                        "字段“{}”的可见角色“{}”不存在",
                        f.code.get_ref(),
                        r.get_ref()
                    ),
                );
            }
        }
        if !f.visible_to.is_empty() && !f.personal {
            ck.err(
                f.code.span(),
                format!(
                    "field `{}`: a field with visible_to must be personal",
                    f.code.get_ref()
                ),
                format!(
                    "字段“{}”限定了可见角色，须同时标记为个人信息（personal = true）",
                    f.code.get_ref()
                ),
            );
        }
        // Every number has a range (issue 16): a value the engine cannot use is refused at input.
        if kind == FieldKind::Number && (f.min.is_none() || f.max.is_none()) {
            ck.err(
                f.code.span(),
                format!(
                    "field `{}` of kind `number` needs both `min` and `max`",
                    f.code.get_ref()
                ),
                format!("数字字段“{}”须同时声明 min 和 max", f.code.get_ref()),
            );
        }
        if f.integer && kind != FieldKind::Number {
            ck.warn(
                f.code.span(),
                format!(
                    "field `{}`: `integer` only applies to number",
                    f.code.get_ref()
                ),
                format!("字段“{}”：integer 仅适用于数字", f.code.get_ref()),
            );
        }
        fields.push(FieldDef {
            code: f.code.get_ref().clone(),
            label_zh: f.label_zh.clone(),
            kind,
            required: f.required,
            personal: f.personal,
            visible_to: f.visible_to.iter().map(|r| r.get_ref().clone()).collect(),
            dictionary: f.dictionary.as_ref().map(|d| d.get_ref().clone()),
            input_only: f.input_only,
            min: f.min,
            max: f.max,
            integer: f.integer,
        });
    }

    fields
}

fn build_states(raw: &RawCaseType, ck: &mut Checker<'_>) -> Vec<StateDef> {
    // States.
    let mut states = Vec::new();
    let mut seen = BTreeSet::new();
    for s in &raw.states {
        let s = s.get_ref();
        check_code(ck, &s.code, "state", "状态");
        dup_check(ck, &mut seen, &s.code, "state", "状态");
        states.push(StateDef {
            code: s.code.get_ref().clone(),
            label_zh: s.label_zh.clone(),
            terminal: s.terminal,
            documents: s.documents.clone(),
        });
    }
    states
}

fn build_transitions(
    raw: &RawCaseType,
    ck: &mut Checker<'_>,
    names: &Names<'_>,
) -> Vec<TransitionDef> {
    // Transitions.
    let mut transitions = Vec::new();
    let mut seen = BTreeSet::new();
    for ts in &raw.transitions {
        let t = ts.get_ref();
        let tc = t.code.get_ref();
        check_code(ck, &t.code, "transition", "流转");
        dup_check(ck, &mut seen, &t.code, "transition", "流转");
        for f in &t.from {
            if !names.states.contains(f.get_ref()) {
                ck.err(
                    f.span(),
                    format!(
                        "transition `{tc}`: unknown state `{}` in `from`",
                        f.get_ref()
                    ),
                    format!("流转“{tc}”的起始状态“{}”不存在", f.get_ref()),
                );
            }
        }
        if t.to.get_ref() != STAY && !names.states.contains(t.to.get_ref()) {
            ck.err(
                t.to.span(),
                format!(
                    "transition `{tc}`: unknown state `{}` in `to`",
                    t.to.get_ref()
                ),
                format!("流转“{tc}”的目标状态“{}”不存在", t.to.get_ref()),
            );
        }
        if t.to.get_ref() == STAY && t.from.is_empty() {
            ck.err(
                t.to.span(),
                format!("transition `{tc}` creates a case and cannot stay (`*`)"),
                format!("创建案件的流转“{tc}”必须指定目标状态"),
            );
        }
        if t.roles.is_empty() {
            ck.err(
                t.code.span(),
                format!("transition `{tc}` names no role"),
                format!("流转“{tc}”未指定可执行的角色"),
            );
        }
        for r in &t.roles {
            if !ROLES.iter().any(|(c, _)| c == r.get_ref()) {
                ck.err(
                    r.span(),
                    format!("transition `{tc}`: unknown role `{}`", r.get_ref()),
                    format!("流转“{tc}”的角色“{}”不存在", r.get_ref()),
                );
            }
        }
        let mut inputs = Vec::new();
        let mut seen_inputs = BTreeSet::new();
        for i in &t.inputs {
            let i = i.get_ref();
            if !names.field_codes.contains(i.field.get_ref()) {
                ck.err(
                    i.field.span(),
                    format!(
                        "transition `{tc}`: unknown field `{}` in inputs",
                        i.field.get_ref()
                    ),
                    format!("流转“{tc}”的输入字段“{}”不存在", i.field.get_ref()),
                );
            }
            if !seen_inputs.insert(i.field.get_ref().clone()) {
                ck.err(
                    i.field.span(),
                    format!(
                        "transition `{tc}`: input `{}` listed twice",
                        i.field.get_ref()
                    ),
                    format!("流转“{tc}”的输入字段“{}”重复", i.field.get_ref()),
                );
            }
            inputs.push(InputDef {
                field: i.field.get_ref().clone(),
                required: i.required,
            });
        }
        let mut guards = Vec::new();
        for g in &t.guards {
            let params = g
                .get_ref()
                .params
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect();
            let (spec, problems) = parse_spec(
                g.get_ref().name.get_ref(),
                params,
                &|f| names.field_codes.contains(f),
                &|t| names.transitions.contains(t),
            );
            for (en, zh) in problems {
                ck.err(
                    g.span(),
                    format!("transition `{tc}`: {en}"),
                    format!("流转“{tc}”：{zh}"),
                );
            }
            guards.extend(spec);
        }
        let mut sets = Map::new();
        if let Some(s) = &t.sets {
            for (k, v) in s.get_ref() {
                let json = toml_to_json(v);
                match names.fields.iter().find(|f| &f.code == k) {
                    None => ck.err(
                        s.span(),
                        format!("transition `{tc}`: `sets` names unknown field `{k}`"),
                        format!("流转“{tc}”的 sets 引用了不存在的字段“{k}”"),
                    ),
                    Some(f) if f.kind.needs_dictionary() => {
                        let entries = f
                            .dictionary
                            .as_deref()
                            .and_then(|d| names.dictionaries.get(d))
                            .map(Vec::as_slice)
                            .unwrap_or(&[]);
                        let values: Vec<&Value> = match &json {
                            Value::Array(a) => a.iter().collect(),
                            other => vec![other],
                        };
                        let kind_ok = if f.kind == FieldKind::Flags {
                            json.is_array()
                        } else {
                            json.is_string()
                        };
                        let all_known = values.iter().all(|v| {
                            v.as_str()
                                .is_some_and(|s| entries.iter().any(|e| e.value == s))
                        });
                        if !kind_ok || !all_known {
                            ck.err(
                                s.span(),
                                format!(
                                    "transition `{tc}`: `sets.{k}` must be {} of dictionary `{}`",
                                    if f.kind == FieldKind::Flags {
                                        "a list of values"
                                    } else {
                                        "a value"
                                    },
                                    f.dictionary.as_deref().unwrap_or_default()
                                ),
                                format!("流转“{tc}”的 sets.{k} 的取值不在字典中"),
                            );
                        }
                    }
                    Some(_) => {}
                }
                sets.insert(k.clone(), json);
            }
        }
        transitions.push(TransitionDef {
            code: tc.clone(),
            label_zh: t.label_zh.clone(),
            from: t.from.iter().map(|f| f.get_ref().clone()).collect(),
            to: t.to.get_ref().clone(),
            roles: t.roles.iter().map(|r| r.get_ref().clone()).collect(),
            inputs,
            guards,
            documents: t.documents.clone(),
            sets,
            published: t.published,
        });
    }

    transitions
}

fn check_reachable(raw: &RawCaseType, ck: &mut Checker<'_>, transitions: &[TransitionDef]) {
    // Create transition and reachability.
    if !transitions.iter().any(|t| t.from.is_empty()) {
        ck.err(
            raw.code.span(),
            format!(
                "case type `{}` has no create transition (one with `from = []`)",
                raw.code.get_ref()
            ),
            format!(
                "案件类型“{}”缺少创建案件的流转（from = []）",
                raw.code.get_ref()
            ),
        );
    } else {
        let mut reached: BTreeSet<&str> = BTreeSet::new();
        let mut queue: VecDeque<&str> = transitions
            .iter()
            .filter(|t| t.from.is_empty())
            .map(|t| t.to.as_str())
            .collect();
        while let Some(s) = queue.pop_front() {
            if s == STAY || !reached.insert(s) {
                continue;
            }
            for t in transitions.iter().filter(|t| t.from.iter().any(|f| f == s)) {
                queue.push_back(t.to.as_str());
            }
        }
        for s in &raw.states {
            let code = s.get_ref().code.get_ref();
            if !reached.contains(code.as_str()) {
                ck.err(
                    s.get_ref().code.span(),
                    format!("state `{code}` is unreachable from the create transition"),
                    format!("状态“{code}”无法从创建案件的流转到达"),
                );
            }
        }
    }
}

fn build_clocks(raw: &RawCaseType, ck: &mut Checker<'_>, names: &Names<'_>) -> Vec<ClockDef> {
    // Clocks.
    let mut clocks = Vec::new();
    let mut seen = BTreeSet::new();
    for cs in &raw.clocks {
        let c = cs.get_ref();
        let cc = c.code.get_ref();
        check_code(ck, &c.code, "clock", "期限");
        dup_check(ck, &mut seen, &c.code, "clock", "期限");
        let check_t = |ck: &mut Checker<'_>, t: &Spanned<String>, role: &str| {
            if !names.transitions.contains(t.get_ref()) {
                ck.err(
                    t.span(),
                    format!(
                        "clock `{cc}`: `{role}` names unknown transition `{}`",
                        t.get_ref()
                    ),
                    format!("期限“{cc}”引用了不存在的流转“{}”", t.get_ref()),
                );
            }
        };
        if c.start.is_empty() {
            ck.err(
                c.code.span(),
                format!("clock `{cc}` has no start transition"),
                format!("期限“{cc}”没有起算流转"),
            );
        }
        for t in &c.start {
            check_t(ck, t, "start");
        }
        for t in &c.stop {
            check_t(ck, t, "stop");
        }
        for t in &c.restart {
            check_t(ck, t, "restart");
        }
        for t in c.requires_prior.iter().chain(c.undone_by.iter()) {
            check_t(ck, t, "requires_prior/undone_by");
        }
        let mut pauses = Vec::new();
        for p in &c.pauses {
            let p = p.get_ref();
            check_t(ck, &p.from, "pauses.from");
            check_t(ck, &p.to, "pauses.to");
            pauses.push(PauseDef {
                from: p.from.get_ref().clone(),
                to: p.to.get_ref().clone(),
                reason_zh: p.reason_zh.clone(),
                max: p.max,
            });
        }
        let extension = c.extension.as_ref().map(|e| {
            let ev = e.get_ref();
            check_t(ck, &ev.on, "extension.on");
            if let Some(r) = &ev.request {
                check_t(ck, r, "extension.request");
            }
            if let Some(f) = &ev.days_field
                && !names.field_codes.contains(f.get_ref())
            {
                ck.err(
                    f.span(),
                    format!(
                        "clock `{cc}`: extension.days_field names unknown field `{}`",
                        f.get_ref()
                    ),
                    format!("期限“{cc}”的延期天数字段“{}”不存在", f.get_ref()),
                );
            }
            // The clock moves by whole days: the field must refuse fractions at input.
            if let Some(f) = &ev.days_field
                && let Some(def) = names.fields.iter().find(|d| &d.code == f.get_ref())
                && !(def.kind == FieldKind::Number && def.integer)
            {
                ck.err(
                    f.span(),
                    format!(
                        "clock `{cc}`: extension.days_field `{}` must be a number field with `integer = true`",
                        f.get_ref()
                    ),
                    format!(
                        "期限“{cc}”的延期天数字段“{}”须为 integer = true 的数字字段",
                        f.get_ref()
                    ),
                );
            }
            if ev.days.is_some() == ev.days_field.is_some() {
                ck.err(
                    e.span(),
                    format!("clock `{cc}`: extension needs exactly one of `days` or `days_field`"),
                    format!("期限“{cc}”的延期须且只能指定 days 或 days_field 之一"),
                );
            }
            if let Some(f) = &ev.notice_field
                && !names.field_codes.contains(f.get_ref())
            {
                ck.err(
                    f.span(),
                    format!(
                        "clock `{cc}`: extension.notice_field names unknown field `{}`",
                        f.get_ref()
                    ),
                    format!("期限“{cc}”的延期告知字段“{}”不存在", f.get_ref()),
                );
            }
            ExtensionDef {
                notice_field: ev.notice_field.as_ref().map(|f| f.get_ref().clone()),
                on: ev.on.get_ref().clone(),
                days: ev.days,
                days_field: ev.days_field.as_ref().map(|f| f.get_ref().clone()),
                request: ev.request.as_ref().map(|r| r.get_ref().clone()),
                max_total: ev.max_total,
            }
        });
        let kind = match c.kind.as_ref().map(|k| k.get_ref().as_str()) {
            None | Some("deadline") => ClockKind::Deadline,
            Some("window") => ClockKind::Window,
            Some(other) => {
                let k = c.kind.as_ref().map(Spanned::span).unwrap_or(c.code.span());
                ck.err(
                    k,
                    format!("clock `{cc}`: unknown kind `{other}` (deadline or window)"),
                    format!("期限“{cc}”的类型“{other}”无效，应为 deadline 或 window"),
                );
                ClockKind::Deadline
            }
        };
        let length = match (&c.n, &c.unit, &c.table) {
            (None, None, None) if c.until_field.is_some() => {
                let f = c.until_field.as_ref().expect("checked");
                match names.fields.iter().find(|d| &d.code == f.get_ref()) {
                    Some(d) if d.kind == FieldKind::Date => {}
                    Some(_) => ck.err(
                        f.span(),
                        format!(
                            "clock `{cc}`: until_field `{}` is not a date field",
                            f.get_ref()
                        ),
                        format!("期限“{cc}”的期满日期字段“{}”不是日期类型", f.get_ref()),
                    ),
                    None => ck.err(
                        f.span(),
                        format!(
                            "clock `{cc}`: until_field names unknown field `{}`",
                            f.get_ref()
                        ),
                        format!("期限“{cc}”的期满日期字段“{}”不存在", f.get_ref()),
                    ),
                }
                ClockLength::UntilField {
                    field: f.get_ref().clone(),
                }
            }
            (Some(n), Some(u), None) if c.until_field.is_none() => {
                let unit = match PeriodUnit::from_code(u.get_ref()) {
                    Some(unit) => unit,
                    None => {
                        ck.diags.push(crate::config::bad_unit(ck.file, u));
                        PeriodUnit::WorkingDays
                    }
                };
                ClockLength::Fixed { n: *n, unit }
            }
            (None, None, Some(table)) => {
                if !LIMIT_TABLES.contains(&table.get_ref().as_str()) {
                    ck.err(
                        table.span(),
                        format!(
                            "clock `{cc}`: unknown limit table `{}` (expected one of {})",
                            table.get_ref(),
                            LIMIT_TABLES.join(", ")
                        ),
                        format!("期限“{cc}”引用的配置表“{}”不存在", table.get_ref()),
                    );
                }
                if table.get_ref() == "hotline_limits" && c.key_field.is_none() {
                    ck.err(
                        table.span(),
                        format!("clock `{cc}`: table `hotline_limits` needs `key_field`"),
                        format!("期限“{cc}”使用 hotline_limits 配置表时须指定 key_field"),
                    );
                }
                if let Some(k) = &c.key_field
                    && !names.field_codes.contains(k.get_ref())
                {
                    ck.err(
                        k.span(),
                        format!(
                            "clock `{cc}`: key_field names unknown field `{}`",
                            k.get_ref()
                        ),
                        format!("期限“{cc}”的 key_field 字段“{}”不存在", k.get_ref()),
                    );
                }
                ClockLength::Table {
                    table: table.get_ref().clone(),
                    key_field: c.key_field.as_ref().map(|k| k.get_ref().clone()),
                }
            }
            _ => {
                ck.err(
                    c.code.span(),
                    format!("clock `{cc}` needs either `n` and `unit`, or `table`, or `until_field`"),
                    format!("期限“{cc}”须指定 n 和 unit，或指定配置表 table，或指定期满日期字段 until_field"),
                );
                ClockLength::Fixed {
                    n: 0,
                    unit: PeriodUnit::WorkingDays,
                }
            }
        };
        for (key, f) in [
            ("start_field", &c.start_field),
            ("restart_field", &c.restart_field),
        ] {
            let Some(f) = f else { continue };
            match names.fields.iter().find(|d| &d.code == f.get_ref()) {
                Some(d) if d.kind == FieldKind::Date => {}
                Some(_) => ck.err(
                    f.span(),
                    format!("clock `{cc}`: {key} `{}` is not a date field", f.get_ref()),
                    format!("期限“{cc}”的起算日期字段“{}”不是日期类型", f.get_ref()),
                ),
                None => ck.err(
                    f.span(),
                    format!("clock `{cc}`: {key} names unknown field `{}`", f.get_ref()),
                    format!("期限“{cc}”的起算日期字段“{}”不存在", f.get_ref()),
                ),
            }
        }
        for (key, f) in [
            ("start_time_field", &c.start_time_field),
            ("stop_time_field", &c.stop_time_field),
        ] {
            let Some(f) = f else { continue };
            match names.fields.iter().find(|d| &d.code == f.get_ref()) {
                Some(d) if d.kind == FieldKind::DateTime => {}
                Some(_) => ck.err(
                    f.span(),
                    format!(
                        "clock `{cc}`: {key} `{}` is not a datetime field",
                        f.get_ref()
                    ),
                    format!("期限“{cc}”的{key}字段“{}”不是日期时间类型", f.get_ref()),
                ),
                None => ck.err(
                    f.span(),
                    format!("clock `{cc}`: {key} names unknown field `{}`", f.get_ref()),
                    format!("期限“{cc}”的{key}字段“{}”不存在", f.get_ref()),
                ),
            }
        }
        if c.start_time_field.is_some() != c.stop_time_field.is_some() {
            ck.err(
                c.code.span(),
                format!("clock `{cc}`: start_time_field and stop_time_field go together"),
                format!("期限“{cc}”的 start_time_field 与 stop_time_field 须同时指定"),
            );
        }
        if c.start_time_field.is_some()
            && !matches!(
                &length,
                ClockLength::Fixed {
                    unit: PeriodUnit::Minutes | PeriodUnit::Hours,
                    ..
                }
            )
        {
            ck.err(
                c.code.span(),
                format!("clock `{cc}`: time fields need a fixed length in minutes or hours"),
                format!("期限“{cc}”按时刻计算时，期限单位须为 minutes 或 hours"),
            );
        }
        if let Some(f) = &c.restart_field
            && c.restart.is_empty()
        {
            ck.err(
                f.span(),
                format!("clock `{cc}`: restart_field without restart transitions"),
                format!("期限“{cc}”设置了重新起算日期字段，但没有重新起算的流转"),
            );
        }
        if let Some(f) = &c.only_if_field
            && !names.field_codes.contains(f.get_ref())
        {
            ck.err(
                f.span(),
                format!(
                    "clock `{cc}`: only_if_field names unknown field `{}`",
                    f.get_ref()
                ),
                format!("期限“{cc}”的 only_if_field 字段“{}”不存在", f.get_ref()),
            );
        }
        if !c.only_if_values.is_empty() && c.only_if_field.is_none() {
            ck.err(
                c.code.span(),
                format!("clock `{cc}`: only_if_values needs only_if_field"),
                format!("期限“{cc}”的 only_if_values 须与 only_if_field 一同指定"),
            );
        }
        if c.basis.trim().is_empty() {
            ck.err(
                c.code.span(),
                format!("clock `{cc}` has an empty basis (statute and article)"),
                format!("期限“{cc}”须写明法律依据（法律名称和条款）"),
            );
        }
        clocks.push(ClockDef {
            code: cc.clone(),
            label_zh: c.label_zh.clone(),
            basis: c.basis.clone(),
            kind,
            start: c.start.iter().map(|s| s.get_ref().clone()).collect(),
            stop: c.stop.iter().map(|s| s.get_ref().clone()).collect(),
            restart: c.restart.iter().map(|s| s.get_ref().clone()).collect(),
            length,
            start_field: c.start_field.as_ref().map(|s| s.get_ref().clone()),
            start_time_field: c.start_time_field.as_ref().map(|s| s.get_ref().clone()),
            stop_time_field: c.stop_time_field.as_ref().map(|s| s.get_ref().clone()),
            restart_field: c.restart_field.as_ref().map(|s| s.get_ref().clone()),
            pauses,
            extension,
            requires_prior: c.requires_prior.as_ref().map(|s| s.get_ref().clone()),
            undone_by: c.undone_by.as_ref().map(|s| s.get_ref().clone()),
            only_if_field: c.only_if_field.as_ref().map(|s| s.get_ref().clone()),
            only_if_values: c.only_if_values.clone(),
        });
    }

    clocks
}

/// The case types in use, by code, with the folders they came from.
#[derive(Debug, Clone)]
pub struct Registry {
    types: BTreeMap<String, CaseType>,
    folders: BTreeMap<String, Folder>,
    warnings: Vec<Diagnostic>,
}

impl Registry {
    /// The built-in case types (the folders of `case_types/` at the repository root).
    ///
    /// # Panics
    /// Only if the embedded files are invalid, which the crate's tests rule out.
    pub fn embedded() -> Registry {
        Registry::from_folders(embedded_folders())
            .unwrap_or_else(|d| panic!("embedded case types are invalid: {d:#?}"))
    }

    /// Case types from folders (each must hold a `case_type.toml` whose code is the folder's
    /// name). Any error fails the whole load.
    pub fn from_folders(folders: BTreeMap<String, Folder>) -> Result<Registry, Vec<Diagnostic>> {
        let mut types = BTreeMap::new();
        let mut diags = Vec::new();
        for (code, folder) in &folders {
            let Some(def) = folder.file(DEFINITION_FILE) else {
                diags.push(Diagnostic {
                    file: PathBuf::from(format!("case_types/{code}")),
                    line: None,
                    column: None,
                    severity: Severity::Error,
                    message: format!("case-type folder `{code}` has no {DEFINITION_FILE}"),
                    message_zh: format!("案件类型目录“{code}”缺少{DEFINITION_FILE}"),
                });
                continue;
            };
            let (ct, d) = parse_case_type(&def.path, &def.text);
            diags.extend(d);
            if let Some(ct) = ct {
                if ct.code != *code {
                    diags.push(Diagnostic {
                        file: def.path.clone(),
                        line: None,
                        column: None,
                        severity: Severity::Error,
                        message: format!(
                            "the definition's code `{}` differs from its folder `{code}`",
                            ct.code
                        ),
                        message_zh: format!("定义中的代码“{}”与所在目录名“{code}”不一致", ct.code),
                    });
                    continue;
                }
                types.insert(ct.code.clone(), ct);
            }
        }
        diags.extend(crate::presentation::check_links(&types));
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        Ok(Registry {
            types,
            folders,
            warnings: diags,
        })
    }

    /// Embedded defaults, overridden or extended by the configuration folder `dir`: its
    /// `case_types/<code>/` folders file by file (see [`crate::folders`]), and every `*.toml`
    /// definition directly in `dir` (configuration files named in
    /// [`crate::config::CONFIG_FILES`] are skipped) as a whole definition. Any error fails the
    /// whole load; warnings are kept in [`Registry::warnings`].
    pub fn load_dir(dir: &Path) -> Result<Registry, Vec<Diagnostic>> {
        let (overrides, warnings) = read_folders(dir)?;
        let folders = merge_folders(embedded_folders(), overrides);
        let (loaded, diags) = load_definitions(dir);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        // (Its warnings come again when the registry parses the definition below.)
        // A flat definition replaces the folder's definition (the folder's other files stay).
        let folders = merge_folders(folders, loaded);
        let mut registry = Registry::from_folders(folders)?;
        registry.warnings.extend(warnings);
        Ok(registry)
    }

    pub fn get(&self, code: &str) -> Option<&CaseType> {
        self.types.get(code)
    }

    pub fn types(&self) -> impl Iterator<Item = &CaseType> {
        self.types.values()
    }

    /// The folder of a case type (its definition and the files other crates read).
    pub fn folder(&self, code: &str) -> Option<&Folder> {
        self.folders.get(code)
    }

    /// Every case type's folder, by code.
    pub fn folders(&self) -> impl Iterator<Item = &Folder> {
        self.folders.values()
    }

    /// Warnings found while loading (errors fail the load).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

fn read_dir_toml(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| Diagnostic {
        file: dir.to_path_buf(),
        line: None,
        column: None,
        severity: Severity::Error,
        message: format!("cannot read directory: {e}"),
        message_zh: format!("无法读取目录：{e}"),
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    Ok(paths)
}

fn is_config_file(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| CONFIG_FILES.contains(&n))
}

/// The flat definitions `dir/*.toml` (not configuration files), each as a folder holding only
/// its definition, with every diagnostic.
fn load_definitions(dir: &Path) -> (Vec<Folder>, Vec<Diagnostic>) {
    let paths = match read_dir_toml(dir) {
        Ok(p) => p,
        Err(d) => return (Vec::new(), vec![d]),
    };
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let mut codes: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in paths.iter().filter(|p| !is_config_file(p)) {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic {
                    file: path.clone(),
                    line: None,
                    column: None,
                    severity: Severity::Error,
                    message: format!("cannot read: {e}"),
                    message_zh: format!("无法读取文件：{e}"),
                });
                continue;
            }
        };
        let (ct, d) = parse_case_type(path, &text);
        diags.extend(d);
        if let Some(ct) = ct {
            if let Some(other) = codes.insert(ct.code.clone(), path.clone()) {
                diags.push(Diagnostic {
                    file: path.clone(),
                    line: None,
                    column: None,
                    severity: Severity::Error,
                    message: format!(
                        "case type `{}` is also defined in {}",
                        ct.code,
                        other.display()
                    ),
                    message_zh: format!("案件类型“{}”在{}中重复定义", ct.code, other.display()),
                });
            }
            out.push(Folder {
                code: ct.code.clone(),
                files: [(
                    DEFINITION_FILE.to_owned(),
                    FolderFile {
                        path: path.clone(),
                        text,
                    },
                )]
                .into_iter()
                .collect(),
            });
        }
    }
    (out, diags)
}

/// Checks every definition (and configuration file) in `dir`, for `fazhi workflow check DIR`.
/// Returns all diagnostics, errors and warnings; an empty list means the directory is clean.
pub fn check_dir(dir: &Path) -> Vec<Diagnostic> {
    // One case-type folder.
    if dir.join(DEFINITION_FILE).is_file() {
        return match read_folder(dir) {
            Err(d) => d,
            Ok((folder, mut diags)) => {
                match Registry::from_folders(merge_folders(embedded_folders(), vec![folder])) {
                    Ok(r) => diags.extend(r.warnings),
                    Err(d) => diags.extend(d),
                }
                diags
            }
        };
    }
    // A configuration folder: flat definitions, `case_types/<code>/`, configuration files.
    let (_, mut diags) = load_definitions(dir);
    match read_folders(dir) {
        Err(d) => diags.extend(d),
        Ok((folders, w)) => {
            diags.extend(w);
            if !folders.is_empty() {
                match Registry::from_folders(merge_folders(embedded_folders(), folders)) {
                    Ok(r) => diags.extend(r.warnings),
                    Err(d) => diags.extend(d),
                }
            }
        }
    }
    if let Ok(paths) = read_dir_toml(dir)
        && paths.iter().any(|p| is_config_file(p))
        && let Err(d) = WorkflowConfig::load_dir(dir)
    {
        diags.extend(d);
    }
    diags
}

/// Validates definition text (e.g. uploaded by an administrator) without touching the disk.
pub fn check_definition(path: &Path, text: &str) -> (Option<CaseType>, Vec<Diagnostic>) {
    parse_case_type(path, text)
}
