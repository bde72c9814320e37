//! What a case type declares beyond its workflow: how it is presented (`[presentation]`: case
//! number prefix, menu, "my work", list columns and filters, category field) and what it can do
//! (`[capabilities.*]`: dispatch to a department, publication with redaction, the registers it
//! supplies dictionaries to, and the linked cases its transitions open). Parsed from the same
//! `case_type.toml` as the definition, validated against it (every field, state and transition
//! named must exist) with file:line diagnostics; links between case types are validated once the
//! whole registry is loaded ([`check_links`]).

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};
use crate::model::{CaseType, FieldKind};

/// Built-in list columns (besides field codes), with their Chinese headers.
pub const BUILTIN_COLUMNS: &[(&str, &str)] = &[
    ("number", "编号"),
    ("title", "事项"),
    ("state", "状态"),
    ("category", "类别"),
    ("created_on", "登记日期"),
    ("closed_on", "办结日期"),
    ("due", "最近期限"),
];

/// Built-in list filters.
pub const BUILTIN_FILTERS: &[(&str, &str)] = &[
    ("q", "搜索"),
    ("state", "状态"),
    ("category", "类别"),
    ("created", "登记日期"),
    ("due", "期限"),
];

/// Built-in sources of a published item (besides field codes).
pub const PUBLICATION_SOURCES: &[&str] = &["number", "agency", "published_on"];
/// A published item's source `date_of:<transition>`: the date of the latest step of that
/// transition (e.g. the decision date of `decide`).
pub const PUBLICATION_DATE_OF: &str = "date_of:";

/// How a case type is presented.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Presentation {
    /// Case numbers are `<prefix><year>-<seq>`.
    pub number_prefix: String,
    /// Place in the menu (ascending; ties by code).
    pub menu_order: i64,
    pub menu_label: String,
    /// Label of the quick-create button on "my work".
    pub create_label: String,
    /// Whether the type shows on "my work" (quick create, overdue links).
    pub home: bool,
    /// States whose cases "my work" lists as waiting (empty: every non-terminal state).
    pub home_states: Vec<String>,
    pub list_columns: Vec<ListColumn>,
    /// Built-in filter codes, in display order ([`BUILTIN_FILTERS`]).
    pub list_filters: Vec<String>,
    /// The enum field that is the case's category (stored on the case row, filtered on).
    pub category_field: Option<String>,
}

/// One column of the case list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListColumn {
    /// A built-in column ([`BUILTIN_COLUMNS`]) or a field code.
    pub code: String,
    pub label_zh: String,
    pub builtin: bool,
}

/// Dispatch to a department: the department field and the transitions that route the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DispatchCapability {
    pub department_field: String,
    pub transitions: Vec<String>,
}

/// A condition on a field's stored value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldCondition {
    pub field: String,
    pub equals: String,
}

impl FieldCondition {
    /// Whether the case's fields meet the condition.
    pub fn holds(&self, fields: &serde_json::Map<String, serde_json::Value>) -> bool {
        fields.get(&self.field).and_then(|v| v.as_str()) == Some(self.equals.as_str())
    }
}

/// One item of a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedItem {
    /// Key in the stored publication body.
    pub key: String,
    pub label_zh: String,
    /// A field code, a built-in source ([`PUBLICATION_SOURCES`]) or `date_of:<transition>`.
    pub source: String,
    /// Shown as a column of the public list.
    pub list: bool,
    /// Mask the value as a natural person's name when the condition holds.
    pub mask_name_when: Option<FieldCondition>,
    /// Leave the item out when the condition holds.
    pub omit_when: Option<FieldCondition>,
    /// Redact personal data in the text (ID numbers, phones, bank cards, individuals' USCC and
    /// the names of [`PublicationCapability::names_from`]).
    pub redact_text: bool,
}

/// Publication (e.g. 执法公示): the transitions and what is published, redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicationCapability {
    /// The transition that publishes (declared `published = true`).
    pub publish: String,
    /// The transition that withdraws the publication (declared `published = false`).
    pub withdraw: Option<String>,
    /// The input field carrying the withdrawal reason.
    pub withdraw_reason_field: Option<String>,
    /// Public title; `{field}` placeholders take a field's value (`{number}`: the case number);
    /// an empty placeholder value falls back to the case number.
    pub title: String,
    pub items: Vec<PublishedItem>,
    /// Fields holding names (of parties, persons) masked wherever they occur in free text.
    pub names_from: Vec<String>,
}

/// A linked case opened by a transition: one matter across case types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpensDef {
    /// The transition that opens it.
    pub transition: String,
    pub case_type: String,
    /// This case's field → the new case's field, in declared order.
    pub carry: Vec<(String, String)>,
    /// Fixed values of the new case's fields (e.g. its source: `来源 = "12345转办"`).
    pub set: Vec<(String, serde_json::Value)>,
    /// Line of the declaration (for diagnostics of cross-type checks).
    #[serde(skip)]
    pub line: Option<usize>,
}

/// What a case type can do, besides its workflow.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Capabilities {
    pub dispatch: Option<DispatchCapability>,
    pub publication: Option<PublicationCapability>,
    /// Register name → dictionary of this case type it adds to the register's values (e.g. the
    /// officer register's certificate domains: `officer_certificate_domain = "enforcement_domain"`).
    pub registers: BTreeMap<String, String>,
    /// Linked cases opened by transitions.
    pub opens: Vec<OpensDef>,
}

impl Capabilities {
    /// The links a transition opens.
    pub fn opened_by<'a>(&'a self, transition: &'a str) -> impl Iterator<Item = &'a OpensDef> {
        self.opens
            .iter()
            .filter(move |o| o.transition == transition)
    }

    /// Whether the transition routes the case to a department.
    pub fn dispatches(&self, transition: &str) -> Option<&DispatchCapability> {
        self.dispatch
            .as_ref()
            .filter(|d| d.transitions.iter().any(|t| t == transition))
    }
}

/// The officer register's certificate domains.
pub const OFFICER_CERTIFICATE_DOMAIN: &str = "officer_certificate_domain";

/// Registers that take a dictionary from a case type.
pub const REGISTERS: &[(&str, &str)] = &[(OFFICER_CERTIFICATE_DOMAIN, "执法证件的执法领域")];

// ---------------------------------------------------------------- raw form

#[derive(Deserialize)]
struct RawExtras {
    #[serde(default)]
    presentation: Option<Spanned<RawPresentation>>,
    #[serde(default)]
    capabilities: Option<RawCapabilities>,
    #[serde(default)]
    transitions: Vec<RawTransitionOpens>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPresentation {
    #[serde(default)]
    number_prefix: Option<Spanned<String>>,
    #[serde(default)]
    menu_order: Option<i64>,
    #[serde(default)]
    menu_label: Option<String>,
    #[serde(default)]
    create_label: Option<String>,
    #[serde(default)]
    home: Option<bool>,
    #[serde(default)]
    home_states: Vec<Spanned<String>>,
    #[serde(default)]
    list_columns: Vec<Spanned<String>>,
    #[serde(default)]
    list_filters: Vec<Spanned<String>>,
    #[serde(default)]
    category_field: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapabilities {
    #[serde(default)]
    dispatch: Option<Spanned<RawDispatch>>,
    #[serde(default)]
    publication: Option<Spanned<RawPublication>>,
    #[serde(default)]
    registers: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDispatch {
    department_field: Spanned<String>,
    transitions: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublication {
    publish: Spanned<String>,
    #[serde(default)]
    withdraw: Option<Spanned<String>>,
    #[serde(default)]
    withdraw_reason_field: Option<Spanned<String>>,
    title: Spanned<String>,
    #[serde(default)]
    names_from: Vec<Spanned<String>>,
    items: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    key: Spanned<String>,
    label_zh: String,
    source: Spanned<String>,
    #[serde(default)]
    list: bool,
    #[serde(default)]
    mask_name_when: Option<Spanned<FieldCondition>>,
    #[serde(default)]
    omit_when: Option<Spanned<FieldCondition>>,
    #[serde(default)]
    redact_text: bool,
}

#[derive(Deserialize)]
struct RawTransitionOpens {
    code: Spanned<String>,
    #[serde(default)]
    opens: Option<Spanned<RawOpensList>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawOpensList {
    One(RawOpens),
    Many(Vec<RawOpens>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOpens {
    case_type: String,
    #[serde(default)]
    carry: toml::Table,
    #[serde(default)]
    set: toml::Table,
}

// ---------------------------------------------------------------- build and check

struct Ck<'a> {
    file: &'a SourceFile<'a>,
    diags: Vec<Diagnostic>,
}

impl Ck<'_> {
    fn err(&mut self, span: Range<usize>, en: String, zh: String) {
        self.diags
            .push(Diagnostic::error(self.file, Some(span), en, zh));
    }

    fn field(&mut self, ct: &CaseType, f: &Spanned<String>, what: &str) -> bool {
        if ct.field(f.get_ref()).is_some() {
            return true;
        }
        self.err(
            f.span(),
            format!("{what} names unknown field `{}`", f.get_ref()),
            format!("{what}引用的字段“{}”不存在", f.get_ref()),
        );
        false
    }

    fn transition(&mut self, ct: &CaseType, t: &Spanned<String>, what: &str) -> bool {
        if ct.transition(t.get_ref()).is_some() {
            return true;
        }
        self.err(
            t.span(),
            format!("{what} names unknown transition `{}`", t.get_ref()),
            format!("{what}引用的流转“{}”不存在", t.get_ref()),
        );
        false
    }
}

fn default_prefix(code: &str) -> String {
    code.to_ascii_uppercase()
}

/// The presentation of a case type that declares none (defaults from its definition).
pub fn default_presentation(ct: &CaseType) -> Presentation {
    Presentation {
        number_prefix: default_prefix(&ct.code),
        menu_order: 1000,
        menu_label: ct.name_zh.clone(),
        create_label: format!("登记{}", ct.name_zh),
        home: true,
        home_states: Vec::new(),
        list_columns: default_columns(false),
        list_filters: default_filters(false),
        category_field: None,
    }
}

fn default_columns(category: bool) -> Vec<ListColumn> {
    ["number", "title", "state", "category", "created_on", "due"]
        .iter()
        .filter(|c| category || **c != "category")
        .map(|c| builtin_column(c).expect("built-in column"))
        .collect()
}

fn default_filters(category: bool) -> Vec<String> {
    BUILTIN_FILTERS
        .iter()
        .map(|(c, _)| (*c).to_owned())
        .filter(|c| category || c != "category")
        .collect()
}

fn builtin_column(code: &str) -> Option<ListColumn> {
    BUILTIN_COLUMNS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(c, l)| ListColumn {
            code: (*c).to_owned(),
            label_zh: (*l).to_owned(),
            builtin: true,
        })
}

/// Parses `[presentation]`, `[capabilities.*]` and the `opens` of transitions from the text of a
/// definition already built into `ct`, validates them against it and stores them in `ct`.
pub(crate) fn attach(file: &SourceFile<'_>, ct: &mut CaseType) -> Vec<Diagnostic> {
    let raw: RawExtras = match toml::from_str(file.text) {
        Ok(r) => r,
        Err(e) => {
            return vec![Diagnostic::error(
                file,
                e.span(),
                format!(
                    "invalid presentation or capabilities: {}",
                    e.message().trim()
                ),
                format!("展示或能力声明格式错误：{}", e.message().trim()),
            )];
        }
    };
    let mut ck = Ck {
        file,
        diags: Vec::new(),
    };
    let presentation = build_presentation(&mut ck, ct, raw.presentation.as_ref());
    let mut capabilities = Capabilities::default();
    if let Some(c) = &raw.capabilities {
        capabilities.dispatch = c
            .dispatch
            .as_ref()
            .and_then(|d| build_dispatch(&mut ck, ct, d));
        capabilities.publication = c
            .publication
            .as_ref()
            .and_then(|p| build_publication(&mut ck, ct, p));
        for (register, dict) in &c.registers {
            if !REGISTERS.iter().any(|(r, _)| r == register) {
                ck.err(
                    dict.span(),
                    format!(
                        "unknown register `{register}` (known: {})",
                        REGISTERS
                            .iter()
                            .map(|(r, _)| *r)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!("名册“{register}”不存在"),
                );
            } else if ct.dictionary(dict.get_ref()).is_none() {
                ck.err(
                    dict.span(),
                    format!(
                        "register `{register}` names unknown dictionary `{}`",
                        dict.get_ref()
                    ),
                    format!("名册“{register}”引用的字典“{}”不存在", dict.get_ref()),
                );
            } else {
                capabilities
                    .registers
                    .insert(register.clone(), dict.get_ref().clone());
            }
        }
    }
    for t in &raw.transitions {
        let Some(opens) = &t.opens else { continue };
        let list = match opens.get_ref() {
            RawOpensList::One(o) => std::slice::from_ref(o),
            RawOpensList::Many(v) => v.as_slice(),
        };
        for o in list {
            let mut carry = Vec::new();
            for (from, to) in &o.carry {
                let Some(to) = to.as_str() else {
                    ck.err(
                        opens.span(),
                        format!(
                            "transition `{}`: opens.carry.{from} must be a field code (a string)",
                            t.code.get_ref()
                        ),
                        format!(
                            "流转“{}”的 opens.carry.{from} 应为字段代码",
                            t.code.get_ref()
                        ),
                    );
                    continue;
                };
                if ct.field(from).is_none() {
                    ck.err(
                        opens.span(),
                        format!(
                            "transition `{}`: opens carries unknown field `{from}`",
                            t.code.get_ref()
                        ),
                        format!(
                            "流转“{}”的 opens 带入的字段“{from}”不存在",
                            t.code.get_ref()
                        ),
                    );
                    continue;
                }
                carry.push((from.clone(), to.to_owned()));
            }
            let set = o
                .set
                .iter()
                .map(|(k, v)| (k.clone(), toml_json(v)))
                .collect();
            capabilities.opens.push(OpensDef {
                transition: t.code.get_ref().clone(),
                case_type: o.case_type.clone(),
                carry,
                set,
                line: Some(file.line_col(opens.span().start).0),
            });
        }
    }
    ct.presentation = presentation;
    ct.capabilities = capabilities;
    ck.diags
}

fn build_presentation(
    ck: &mut Ck<'_>,
    ct: &CaseType,
    raw: Option<&Spanned<RawPresentation>>,
) -> Presentation {
    let mut p = default_presentation(ct);
    let Some(raw) = raw else { return p };
    let span = raw.span();
    let raw = raw.get_ref();
    if let Some(prefix) = &raw.number_prefix {
        let s = prefix.get_ref();
        if s.is_empty()
            || s.len() > 8
            || !s
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            ck.err(
                prefix.span(),
                format!("number_prefix `{s}` must be 1-8 ASCII capital letters or digits"),
                format!("案件编号前缀“{s}”只能是1至8位大写字母或数字"),
            );
        }
        p.number_prefix = s.clone();
    }
    if let Some(o) = raw.menu_order {
        p.menu_order = o;
    }
    if let Some(l) = &raw.menu_label {
        p.menu_label = l.clone();
    }
    if let Some(l) = &raw.create_label {
        p.create_label = l.clone();
    }
    if let Some(h) = raw.home {
        p.home = h;
    }
    p.home_states = Vec::new();
    for s in &raw.home_states {
        if ct.state(s.get_ref()).is_none() {
            ck.err(
                s.span(),
                format!("home_states names unknown state `{}`", s.get_ref()),
                format!("home_states 引用的状态“{}”不存在", s.get_ref()),
            );
        }
        p.home_states.push(s.get_ref().clone());
    }
    if let Some(cf) = &raw.category_field {
        if ck.field(ct, cf, "category_field")
            && ct.field(cf.get_ref()).map(|f| f.kind) != Some(FieldKind::Enum)
        {
            ck.err(
                cf.span(),
                format!("category_field `{}` must be an enum field", cf.get_ref()),
                format!("类别字段“{}”应为枚举字段", cf.get_ref()),
            );
        }
        p.category_field = Some(cf.get_ref().clone());
        p.list_columns = default_columns(true);
        p.list_filters = default_filters(true);
    }
    if !raw.list_columns.is_empty() {
        p.list_columns = Vec::new();
        for c in &raw.list_columns {
            if let Some(b) = builtin_column(c.get_ref()) {
                p.list_columns.push(b);
            } else if let Some(f) = ct.field(c.get_ref()) {
                p.list_columns.push(ListColumn {
                    code: f.code.clone(),
                    label_zh: f.label_zh.clone(),
                    builtin: false,
                });
            } else {
                ck.err(
                    c.span(),
                    format!(
                        "list column `{}` is neither a built-in column ({}) nor a field",
                        c.get_ref(),
                        BUILTIN_COLUMNS
                            .iter()
                            .map(|(c, _)| *c)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!("列表列“{}”既不是内置列也不是字段", c.get_ref()),
                );
            }
        }
    }
    if !raw.list_filters.is_empty() {
        p.list_filters = Vec::new();
        for f in &raw.list_filters {
            if !BUILTIN_FILTERS.iter().any(|(c, _)| c == f.get_ref()) {
                ck.err(
                    f.span(),
                    format!(
                        "list filter `{}` is not one of {}",
                        f.get_ref(),
                        BUILTIN_FILTERS
                            .iter()
                            .map(|(c, _)| *c)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!("列表筛选“{}”不存在", f.get_ref()),
                );
            }
            p.list_filters.push(f.get_ref().clone());
        }
    }
    let uses_category = p.list_filters.iter().any(|f| f == "category")
        || p.list_columns
            .iter()
            .any(|c| c.builtin && c.code == "category");
    if uses_category && p.category_field.is_none() {
        ck.err(
            span,
            "the list shows or filters `category` but no category_field is declared".into(),
            "列表显示或筛选“类别”，但未声明 category_field".into(),
        );
    }
    p
}

fn build_dispatch(
    ck: &mut Ck<'_>,
    ct: &CaseType,
    raw: &Spanned<RawDispatch>,
) -> Option<DispatchCapability> {
    let d = raw.get_ref();
    let mut ok = ck.field(
        ct,
        &d.department_field,
        "capabilities.dispatch.department_field",
    );
    if ok && ct.field(d.department_field.get_ref()).map(|f| f.kind) != Some(FieldKind::Department) {
        ck.err(
            d.department_field.span(),
            format!(
                "dispatch department_field `{}` must be of kind department",
                d.department_field.get_ref()
            ),
            format!(
                "派单的部门字段“{}”应为部门类型",
                d.department_field.get_ref()
            ),
        );
        ok = false;
    }
    if d.transitions.is_empty() {
        ck.err(
            raw.span(),
            "capabilities.dispatch needs at least one transition".into(),
            "派单能力至少需要一个流转".into(),
        );
        ok = false;
    }
    for t in &d.transitions {
        ok &= ck.transition(ct, t, "capabilities.dispatch.transitions");
    }
    ok.then(|| DispatchCapability {
        department_field: d.department_field.get_ref().clone(),
        transitions: d.transitions.iter().map(|t| t.get_ref().clone()).collect(),
    })
}

fn build_publication(
    ck: &mut Ck<'_>,
    ct: &CaseType,
    raw: &Spanned<RawPublication>,
) -> Option<PublicationCapability> {
    let p = raw.get_ref();
    let mut ok = ck.transition(ct, &p.publish, "capabilities.publication.publish");
    if ok && ct.transition(p.publish.get_ref()).and_then(|t| t.published) != Some(true) {
        ck.err(
            p.publish.span(),
            format!(
                "publication.publish `{}` must be declared `published = true`",
                p.publish.get_ref()
            ),
            format!("公示流转“{}”须声明 published = true", p.publish.get_ref()),
        );
        ok = false;
    }
    if let Some(w) = &p.withdraw {
        if ck.transition(ct, w, "capabilities.publication.withdraw") {
            if ct.transition(w.get_ref()).and_then(|t| t.published) != Some(false) {
                ck.err(
                    w.span(),
                    format!(
                        "publication.withdraw `{}` must be declared `published = false`",
                        w.get_ref()
                    ),
                    format!("撤回公示流转“{}”须声明 published = false", w.get_ref()),
                );
                ok = false;
            }
        } else {
            ok = false;
        }
    }
    if let Some(f) = &p.withdraw_reason_field {
        ok &= ck.field(ct, f, "capabilities.publication.withdraw_reason_field");
    }
    for n in &p.names_from {
        ok &= ck.field(ct, n, "capabilities.publication.names_from");
    }
    // Title placeholders.
    for name in placeholders(p.title.get_ref()) {
        if name != "number" && ct.field(&name).is_none() {
            ck.err(
                p.title.span(),
                format!("publication title names unknown field `{{{name}}}`"),
                format!("公示标题中的占位符“{{{name}}}”不是字段"),
            );
            ok = false;
        }
    }
    let mut items = Vec::new();
    let mut keys = std::collections::BTreeSet::new();
    for it in &p.items {
        let span = it.span();
        let it = it.get_ref();
        if !keys.insert(it.key.get_ref().clone()) {
            ck.err(
                it.key.span(),
                format!("duplicate published item `{}`", it.key.get_ref()),
                format!("公示项目“{}”重复", it.key.get_ref()),
            );
            ok = false;
        }
        let src = it.source.get_ref();
        let date_of_known = src
            .strip_prefix(PUBLICATION_DATE_OF)
            .is_some_and(|tr| ct.transition(tr).is_some());
        if !PUBLICATION_SOURCES.contains(&src.as_str()) && ct.field(src).is_none() && !date_of_known
        {
            ck.err(
                it.source.span(),
                format!(
                    "published item `{}`: source `{src}` is neither a field nor one of {} (or `date_of:<transition>` of a declared transition)",
                    it.key.get_ref(),
                    PUBLICATION_SOURCES.join(", ")
                ),
                format!("公示项目“{}”的来源“{src}”不是字段", it.key.get_ref()),
            );
            ok = false;
        }
        for cond in [&it.mask_name_when, &it.omit_when].into_iter().flatten() {
            let c = cond.get_ref();
            match ct.field(&c.field) {
                None => {
                    ck.err(
                        cond.span(),
                        format!(
                            "published item `{}`: condition names unknown field `{}`",
                            it.key.get_ref(),
                            c.field
                        ),
                        format!(
                            "公示项目“{}”的条件引用的字段“{}”不存在",
                            it.key.get_ref(),
                            c.field
                        ),
                    );
                    ok = false;
                }
                Some(f) => {
                    let allowed = f
                        .dictionary
                        .as_deref()
                        .and_then(|d| ct.dictionary(d))
                        .map(|d| d.iter().any(|e| e.value == c.equals));
                    if allowed == Some(false) {
                        ck.err(
                            cond.span(),
                            format!(
                                "published item `{}`: `{}` is not a value of field `{}`",
                                it.key.get_ref(),
                                c.equals,
                                c.field
                            ),
                            format!(
                                "公示项目“{}”的条件值“{}”不是字段“{}”的取值",
                                it.key.get_ref(),
                                c.equals,
                                c.field
                            ),
                        );
                        ok = false;
                    }
                }
            }
        }
        // A personal field may only be published masked or redacted.
        if let Some(f) = ct.field(src)
            && f.personal
            && it.mask_name_when.is_none()
            && !it.redact_text
        {
            ck.err(
                span,
                format!(
                    "published item `{}` publishes personal field `{src}` without mask_name_when or redact_text",
                    it.key.get_ref()
                ),
                format!(
                    "公示项目“{}”公开个人信息字段“{src}”，须声明 mask_name_when 或 redact_text",
                    it.key.get_ref()
                ),
            );
            ok = false;
        }
        items.push(PublishedItem {
            key: it.key.get_ref().clone(),
            label_zh: it.label_zh.clone(),
            source: src.clone(),
            list: it.list,
            mask_name_when: it.mask_name_when.as_ref().map(|c| c.get_ref().clone()),
            omit_when: it.omit_when.as_ref().map(|c| c.get_ref().clone()),
            redact_text: it.redact_text,
        });
    }
    ok.then(|| PublicationCapability {
        publish: p.publish.get_ref().clone(),
        withdraw: p.withdraw.as_ref().map(|w| w.get_ref().clone()),
        withdraw_reason_field: p
            .withdraw_reason_field
            .as_ref()
            .map(|w| w.get_ref().clone()),
        title: p.title.get_ref().clone(),
        items,
        names_from: p.names_from.iter().map(|n| n.get_ref().clone()).collect(),
    })
}

/// The `{name}` placeholders of a template, in order.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else { break };
        out.push(after[..j].to_owned());
        rest = &after[j + 1..];
    }
    out
}

/// Fills `{name}` placeholders with `value(name)`.
pub fn fill_template(template: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        out.push_str(&value(&after[..j]));
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

fn toml_json(v: &toml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Kinds a carried value may move between (same kind, or text-like into text-like).
fn carry_compatible(from: FieldKind, to: FieldKind) -> bool {
    use FieldKind::*;
    from == to
        || (matches!(to, Text | LongText)
            && matches!(
                from,
                Text | LongText | Enum | PersonName | Phone | Date | DateTime | Number | Area
            ))
}

/// Cross-type checks once every case type is loaded: each `opens` names an existing case type,
/// and every carried field exists on both sides with compatible kinds; a register is supplied
/// by one case type only.
pub(crate) fn check_links(types: &BTreeMap<String, CaseType>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut prefixes: BTreeMap<&str, &str> = BTreeMap::new();
    for ct in types.values() {
        let at = |line: Option<usize>, en: String, zh: String| Diagnostic {
            file: ct.source.clone().into(),
            line,
            column: None,
            severity: crate::diag::Severity::Error,
            message: en,
            message_zh: zh,
        };
        if let Some(other) = prefixes.insert(&ct.presentation.number_prefix, &ct.code) {
            diags.push(at(
                None,
                format!(
                    "number_prefix `{}` is used by both `{other}` and `{}`",
                    ct.presentation.number_prefix, ct.code
                ),
                format!(
                    "案件编号前缀“{}”同时用于“{other}”和“{}”",
                    ct.presentation.number_prefix, ct.code
                ),
            ));
        }
        for o in &ct.capabilities.opens {
            let Some(target) = types.get(&o.case_type) else {
                diags.push(at(
                    o.line,
                    format!(
                        "transition `{}` opens unknown case type `{}`",
                        o.transition, o.case_type
                    ),
                    format!(
                        "流转“{}”开启的案件类型“{}”不存在",
                        o.transition, o.case_type
                    ),
                ));
                continue;
            };
            if target.create_transitions().next().is_none() {
                continue; // reported on the target itself
            }
            for (to, _) in &o.set {
                if target.field(to).is_none() {
                    diags.push(at(
                        o.line,
                        format!(
                            "transition `{}` sets unknown field `{to}` of `{}`",
                            o.transition, o.case_type
                        ),
                        format!(
                            "流转“{}”为“{}”设定的字段“{to}”不存在",
                            o.transition, o.case_type
                        ),
                    ));
                }
            }
            for (from, to) in &o.carry {
                let fk = ct.field(from).map(|f| f.kind);
                match (fk, target.field(to)) {
                    (_, None) => diags.push(at(
                        o.line,
                        format!(
                            "transition `{}` carries `{from}` into unknown field `{to}` of `{}`",
                            o.transition, o.case_type
                        ),
                        format!(
                            "流转“{}”把“{from}”带入“{}”不存在的字段“{to}”",
                            o.transition, o.case_type
                        ),
                    )),
                    (Some(fk), Some(tf)) if !carry_compatible(fk, tf.kind) => diags.push(at(
                        o.line,
                        format!(
                            "transition `{}` carries `{from}` ({}) into `{}.{to}` ({}): incompatible kinds",
                            o.transition,
                            fk.code(),
                            o.case_type,
                            tf.kind.code()
                        ),
                        format!(
                            "流转“{}”把“{from}”（{}）带入“{}.{to}”（{}），字段类型不兼容",
                            o.transition,
                            fk.code(),
                            o.case_type,
                            tf.kind.code()
                        ),
                    )),
                    _ => {}
                }
            }
        }
    }
    diags
}

impl crate::load::Registry {
    /// Case types in menu order (declared `menu_order`, then code).
    pub fn in_menu_order(&self) -> Vec<&CaseType> {
        let mut v: Vec<&CaseType> = self.types().collect();
        v.sort_by(|a, b| {
            (a.presentation.menu_order, &a.code).cmp(&(b.presentation.menu_order, &b.code))
        });
        v
    }

    /// The case type that comes first in the menu.
    pub fn first_in_menu(&self) -> Option<&CaseType> {
        self.in_menu_order().into_iter().next()
    }

    /// The values a register takes: the union of the dictionaries the case types declare for it
    /// under `[capabilities.registers]`, in menu order, each value once (the officer register's
    /// certificate domains are the enforcement domains and the mediators' qualification).
    pub fn register_dictionary(&self, register: &str) -> Vec<crate::model::DictEntry> {
        let mut out: Vec<crate::model::DictEntry> = Vec::new();
        for t in self.in_menu_order() {
            let Some(entries) = t
                .capabilities
                .registers
                .get(register)
                .and_then(|d| t.dictionary(d))
            else {
                continue;
            };
            for e in entries {
                if !out.iter().any(|o| o.value == e.value) {
                    out.push(e.clone());
                }
            }
        }
        out
    }

    /// The case type whose number prefix is `prefix`.
    pub fn by_number_prefix(&self, prefix: &str) -> Option<&CaseType> {
        self.types()
            .find(|t| t.presentation.number_prefix == prefix)
    }
}
