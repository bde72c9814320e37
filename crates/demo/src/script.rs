//! The `demo.toml` format of a case-type folder, compiled into a [`Script`].
//!
//! The format is documented in `crates/demo/README.md`. Compilation checks the shape of every
//! item (generators, timings, actors, conditions, block references) and reports problems with
//! the file and line of the item; [`crate::check`] adds the checks against the case type's
//! definition.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use fazhi_workflow::{Diagnostic, Severity};
use serde::Deserialize;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Raw file (as written)

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    stream: bool,
    department: String,
    reference: String,
    arrivals: RawArrivals,
    #[serde(default)]
    place: RawPlace,
    #[serde(default)]
    lists: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    once: Vec<RawOnce>,
    #[serde(default)]
    numbering: Vec<RawNumbering>,
    block: BTreeMap<String, Vec<toml::Spanned<RawItem>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArrivals {
    per_workday: f64,
    #[serde(default)]
    growth: f64,
    #[serde(default)]
    months: Option<Vec<f64>>,
    #[serde(default)]
    weekdays: Option<Vec<f64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPlace {
    #[serde(default)]
    address: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOnce {
    days_before_end: i64,
    set: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumbering {
    field: String,
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    transition: Option<String>,
    #[serde(default)]
    input: BTreeMap<String, String>,
    format: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    // set
    set: Option<String>,
    to: Option<Value>,
    // step
    step: Option<String>,
    actor: Option<Value>,
    after: Option<Value>,
    #[serde(default)]
    input: BTreeMap<String, Value>,
    evidence: Option<RawEvidence>,
    save: Option<String>,
    cursor: Option<bool>,
    opens: Option<String>,
    // wait
    wait: Option<Value>,
    // do / choose
    #[serde(rename = "do")]
    do_: Option<String>,
    #[serde(rename = "else")]
    else_: Option<String>,
    choose: Option<Vec<RawChoice>>,
    // any
    when: Option<String>,
    chance: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    kind: Value,
    title: Value,
    content: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    weight: u32,
    when: Option<String>,
    #[serde(rename = "do")]
    do_: String,
}

// ---------------------------------------------------------------------------------------------
// Compiled script

/// A compiled demo script of one case type.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    pub case_type: String,
    pub stream: bool,
    pub department: String,
    /// Reference pattern: `{yyyy}`, `{mm}`, `{dd}`, `{seq:N}` (N digits).
    pub reference: String,
    /// Sequence of references counts per day (`{dd}` in the pattern) or per year.
    pub reference_per_day: bool,
    pub arrivals: Arrivals,
    /// Address kinds drawn uniformly: `road`, `estate`, `crossing`.
    pub address: Vec<AddressKind>,
    pub lists: BTreeMap<String, Vec<Value>>,
    pub once: Vec<Once>,
    pub numbering: Vec<Numbering>,
    pub blocks: BTreeMap<String, Vec<Item>>,
    /// Transition → the case type it opens (the definition's declared `opens`), for steps
    /// with `opens = "block"`; filled from the registry once the script is checked.
    pub opened: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Arrivals {
    pub per_workday: f64,
    pub growth: f64,
    pub months: [f64; 12],
    pub weekdays: [f64; 5],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressKind {
    Road,
    Estate,
    Crossing,
}

#[derive(Debug, Clone)]
pub(crate) struct Once {
    pub days_before_end: i64,
    pub set: Vec<(String, Value)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Numbering {
    pub field: String,
    pub rules: Vec<NumberRule>,
}

#[derive(Debug, Clone)]
pub(crate) struct NumberRule {
    pub transition: Option<String>,
    pub input: Vec<(String, String)>,
    pub format: String,
}

/// One item of a block.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Byte range in the file (for diagnostics).
    pub span: Range<usize>,
    pub when: Option<Cond>,
    pub chance: Option<f64>,
    pub kind: ItemKind,
}

#[derive(Debug, Clone)]
pub(crate) enum ItemKind {
    Set {
        var: String,
        value: Gen,
    },
    Step(Box<Step>),
    Do {
        block: String,
        otherwise: Option<String>,
    },
    Choose(Vec<Choice>),
    /// Moves the cursor (time passes without a step).
    Wait(Timing),
}

#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub transition: String,
    pub actor: Actor,
    pub after: Timing,
    pub input: Vec<(String, Gen)>,
    pub evidence: Option<[Gen; 3]>,
    pub save: Option<String>,
    pub cursor: bool,
    /// The block the case this step opens runs (the transition's declared `opens`); its steps
    /// belong to the opened case, whose type is the one the transition opens.
    pub opens: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub weight: u32,
    pub when: Option<Cond>,
    pub block: String,
}

/// A condition: clauses joined by `&&`.
#[derive(Debug, Clone)]
pub(crate) struct Cond(pub Vec<Clause>);

#[derive(Debug, Clone)]
pub(crate) struct Clause {
    pub path: Vec<String>,
    pub op: Op,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Truthy,
    Falsy,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A text with `{var}`, `{var.field}`, `{var|filter}` and `{var?}` placeholders.
#[derive(Debug, Clone)]
pub(crate) struct Template(pub Vec<Segment>);

#[derive(Debug, Clone)]
pub(crate) enum Segment {
    Text(String),
    Var(VarRef),
    /// An unrecognised `{…}` (reported by the check, kept as text).
    Special(String),
}

#[derive(Debug, Clone)]
pub(crate) struct VarRef {
    pub path: Vec<String>,
    pub filter: Option<Filter>,
    pub optional: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filter {
    /// `2026-03-05` → `2026年3月5日`.
    CnDate,
    /// A login → the user's display name.
    Name,
    /// A department code → its Chinese name.
    Dept,
}

impl Template {
    /// The single placeholder when the template is exactly `{var}` (its value keeps its JSON
    /// type).
    pub fn exact(&self) -> Option<&VarRef> {
        match self.0.as_slice() {
            [Segment::Var(v)] => Some(v),
            _ => None,
        }
    }

    pub fn literal(&self) -> Option<&str> {
        match self.0.as_slice() {
            [Segment::Text(t)] => Some(t),
            [] => Some(""),
            _ => None,
        }
    }
}

/// A number: literal or from a template (`"{v.fine_hi}"`).
#[derive(Debug, Clone)]
pub(crate) enum Num {
    Lit(i64),
    Var(Template),
}

/// A value generator.
#[derive(Debug, Clone)]
pub(crate) struct Gen {
    pub when: Option<Cond>,
    pub kind: GenKind,
}

#[derive(Debug, Clone)]
pub(crate) enum GenKind {
    /// Numbers, booleans, arrays: as written.
    Lit(Value),
    /// A string template.
    Text(Template),
    /// A uniform (or weighted by a record field) draw from a named list or an inline array,
    /// optionally filtered by record fields.
    Pick {
        list: Option<String>,
        inline: Vec<Value>,
        filter: Vec<(String, Template)>,
        weight: Option<String>,
    },
    /// A weighted draw among strings.
    Weights(Vec<(String, u32)>),
    /// A uniform integer in `lo..=hi`, in multiples of `step`.
    Int { lo: Num, hi: Num, step: i64 },
    /// An amount in yuan formatted `"200.00"`.
    Money(Num),
    /// A date `YYYY-MM-DD` relative to a base (`step`, `created` or a variable).
    Date { base: String, offset: Offset },
    /// Logins of `n` officers certified in a domain from the current date for `days` days (or
    /// until `end`).
    Officers {
        n: usize,
        domain: Template,
        days: i64,
    },
    /// A person: `{ name, id_number, mobile }`.
    Person,
    /// A full name; `courtesy` is the share of `王先生`-style names.
    Name { courtesy: f64 },
    /// A phone number; `mobile` is the share of mobile numbers (landlines otherwise).
    Phone { mobile: f64 },
    /// A unified social credit code; `individual` (bool template) for 个体工商户.
    Uscc { individual: Template },
    /// An organisation name for a line of business.
    Organisation {
        business: Template,
        individual: Template,
    },
    /// A value from a table by key.
    Lookup {
        table: BTreeMap<String, Value>,
        key: Template,
        default: Option<Value>,
    },
    /// A boolean, true with probability `p`.
    Chance(f64),
    /// The login of a user with a role (and department).
    User(Actor),
}

#[derive(Debug, Clone)]
pub(crate) enum Offset {
    None,
    Workdays(Num, Num),
    Days(Num, Num),
}

/// Who takes a step.
#[derive(Debug, Clone)]
pub(crate) enum Actor {
    /// A user holding the role, of the department (default: the case's department).
    Role {
        role: String,
        department: Option<Template>,
    },
    /// A login from a template (`"{team.0}"`).
    Login(Template),
    OneOf(Vec<(u32, Actor)>),
}

/// When a step happens, relative to the cursor (the date of the previous step).
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    /// Base dates (their latest; the cursor when empty or `step`).
    pub from: Vec<String>,
    pub kind: TimingKind,
    /// The result is at most this date variable (but not before the base).
    pub cap: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum TimingKind {
    Workdays(Num, Num),
    /// Calendar days, then the next working day.
    Days(Num, Num),
    /// Before the date variable, quick ones more likely.
    Within(String),
    /// Exactly the date variable.
    At(String),
    OneOf(Vec<(u32, Timing)>),
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

/// Collects diagnostics of one file.
pub(crate) struct Diags<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub out: Vec<Diagnostic>,
}

impl<'a> Diags<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Self {
            path,
            text,
            out: Vec::new(),
        }
    }

    pub fn push(
        &mut self,
        severity: Severity,
        span: Option<Range<usize>>,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) {
        self.out
            .push(Diagnostic::at(self.path, self.text, span, severity, en, zh));
    }

    pub fn error(
        &mut self,
        span: Option<Range<usize>>,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) {
        self.push(Severity::Error, span, en, zh);
    }
}

// ---------------------------------------------------------------------------------------------
// Compilation

/// Parses and compiles `text` (the `demo.toml` of `case_type`). Errors are diagnostics with
/// file and line.
pub(crate) fn compile(case_type: &str, path: &Path, text: &str) -> Result<Script, Vec<Diagnostic>> {
    let mut d = Diags::new(path, text);
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            d.error(
                e.span(),
                format!("invalid demo script: {}", e.message()),
                format!("演示脚本格式错误：{}", e.message()),
            );
            return Err(d.out);
        }
    };
    let script = compile_raw(case_type, raw, &mut d);
    if d.out.iter().any(Diagnostic::is_error) {
        return Err(d.out);
    }
    Ok(script)
}

fn compile_raw(case_type: &str, raw: RawFile, d: &mut Diags<'_>) -> Script {
    let whole = Some(0..0);
    let arrivals = {
        let a = &raw.arrivals;
        if !(a.per_workday > 0.0 && a.per_workday < 10_000.0) {
            d.error(
                whole.clone(),
                "arrivals.per_workday must be a positive number",
                "arrivals.per_workday（每个工作日的平均件数）必须为正数",
            );
        }
        if !(a.growth > -0.9 && a.growth < 10.0) {
            d.error(
                whole.clone(),
                "arrivals.growth must be between -0.9 and 10",
                "arrivals.growth（同比增长率）必须在 -0.9 与 10 之间",
            );
        }
        let mut months = [1.0; 12];
        if let Some(m) = &a.months {
            if m.len() != 12 || m.iter().any(|x| *x < 0.0) {
                d.error(
                    whole.clone(),
                    "arrivals.months must hold 12 non-negative factors (January … December)",
                    "arrivals.months 必须是12个非负系数（一月至十二月）",
                );
            } else {
                months.copy_from_slice(m);
            }
        }
        let mut weekdays = [1.0; 5];
        if let Some(w) = &a.weekdays {
            if w.len() != 5 || w.iter().any(|x| *x < 0.0) {
                d.error(
                    whole.clone(),
                    "arrivals.weekdays must hold 5 non-negative factors (Monday … Friday)",
                    "arrivals.weekdays 必须是5个非负系数（周一至周五）",
                );
            } else {
                weekdays.copy_from_slice(w);
            }
        }
        Arrivals {
            per_workday: a.per_workday,
            growth: a.growth,
            months,
            weekdays,
        }
    };
    let mut address = Vec::new();
    for k in raw.place.address.unwrap_or_else(|| {
        vec![
            "road".into(),
            "road".into(),
            "estate".into(),
            "crossing".into(),
        ]
    }) {
        match k.as_str() {
            "road" => address.push(AddressKind::Road),
            "estate" => address.push(AddressKind::Estate),
            "crossing" => address.push(AddressKind::Crossing),
            other => d.error(
                whole.clone(),
                format!("place.address: unknown address kind `{other}` (road, estate, crossing)"),
                format!("place.address：地址类型“{other}”无法识别（应为 road、estate、crossing）"),
            ),
        }
    }
    if address.is_empty() {
        d.error(
            whole.clone(),
            "place.address must name at least one address kind",
            "place.address 至少须列出一种地址类型",
        );
    }
    if !raw.reference.contains("{yyyy}") || !raw.reference.contains("{seq") {
        d.error(
            whole.clone(),
            format!(
                "reference `{}` must contain {{yyyy}} and {{seq:N}}",
                raw.reference
            ),
            format!(
                "案件编号格式“{}”须包含 {{yyyy}} 和 {{seq:N}}",
                raw.reference
            ),
        );
    }
    let reference = raw.reference.clone();
    let reference_per_day = raw.reference.contains("{dd}");
    let once = raw
        .once
        .into_iter()
        .map(|o| Once {
            days_before_end: o.days_before_end,
            set: o.set.into_iter().collect(),
        })
        .collect();
    let numbering = raw
        .numbering
        .into_iter()
        .map(|n| Numbering {
            field: n.field,
            rules: n
                .rules
                .into_iter()
                .map(|r| NumberRule {
                    transition: r.transition,
                    input: r.input.into_iter().collect(),
                    format: r.format,
                })
                .collect(),
        })
        .collect();

    let mut blocks = BTreeMap::new();
    for (name, items) in raw.block {
        let mut out = Vec::new();
        for item in items {
            let span = item.span();
            if let Some(i) = compile_item(item.into_inner(), span, &raw.lists, d) {
                out.push(i);
            }
        }
        blocks.insert(name, out);
    }
    if !blocks.contains_key("main") {
        d.error(
            whole.clone(),
            "the script has no `[[block.main]]` (where every case starts)",
            "演示脚本缺少 [[block.main]]（每件案件的起点）",
        );
    }
    // Block references.
    for items in blocks.values() {
        for item in items {
            let mut refs: Vec<&str> = Vec::new();
            match &item.kind {
                ItemKind::Do { block, otherwise } => {
                    refs.push(block);
                    if let Some(o) = otherwise {
                        refs.push(o);
                    }
                }
                ItemKind::Choose(c) => refs.extend(c.iter().map(|c| c.block.as_str())),
                ItemKind::Step(s) => refs.extend(s.opens.as_deref()),
                _ => {}
            }
            for r in refs {
                if !blocks.contains_key(r) {
                    d.error(
                        Some(item.span.clone()),
                        format!("unknown block `{r}` (declare it as [[block.{r}]])"),
                        format!("引用了不存在的步骤块“{r}”（应以 [[block.{r}]] 声明）"),
                    );
                }
            }
        }
    }
    Script {
        case_type: case_type.to_owned(),
        stream: raw.stream,
        department: raw.department,
        reference,
        reference_per_day,
        arrivals,
        address,
        lists: raw.lists,
        once,
        numbering,
        blocks,
        opened: BTreeMap::new(),
    }
}

fn compile_item(
    raw: RawItem,
    span: Range<usize>,
    lists: &BTreeMap<String, Vec<Value>>,
    d: &mut Diags<'_>,
) -> Option<Item> {
    let sp = Some(span.clone());
    let when = raw.when.as_deref().and_then(|w| cond(w, sp.clone(), d));
    if let Some(c) = raw.chance
        && !(0.0..=1.0).contains(&c)
    {
        d.error(
            sp.clone(),
            "chance must be between 0 and 1",
            "chance（概率）必须在0到1之间",
        );
    }
    let kinds = [
        raw.set.is_some(),
        raw.step.is_some(),
        raw.do_.is_some(),
        raw.choose.is_some(),
        raw.wait.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        d.error(
            sp.clone(),
            "an item has exactly one of `set`, `step`, `do`, `choose`, `wait`",
            "每个条目须且只能有 set、step、do、choose、wait 之一",
        );
        return None;
    }
    let kind = if let Some(var) = raw.set {
        let Some(to) = raw.to else {
            d.error(
                sp.clone(),
                format!("`set = \"{var}\"` needs `to` (the value generator)"),
                format!("set = \"{var}\" 缺少 to（取值方式）"),
            );
            return None;
        };
        ItemKind::Set {
            var,
            value: generator(&to, sp.clone(), lists, d)?,
        }
    } else if let Some(transition) = raw.step {
        let Some(actor_raw) = raw.actor else {
            d.error(
                sp.clone(),
                format!("step `{transition}` needs `actor`"),
                format!("步骤“{transition}”缺少 actor（办理人）"),
            );
            return None;
        };
        let actor = actor(&actor_raw, sp.clone(), d)?;
        let after = match &raw.after {
            None => Timing {
                from: Vec::new(),
                kind: TimingKind::Workdays(Num::Lit(0), Num::Lit(0)),
                cap: None,
            },
            Some(v) => timing(v, sp.clone(), d)?,
        };
        let mut input = Vec::new();
        for (k, v) in &raw.input {
            input.push((k.clone(), generator(v, sp.clone(), lists, d)?));
        }
        let evidence = match raw.evidence {
            None => None,
            Some(e) => Some([
                generator(&e.kind, sp.clone(), lists, d)?,
                generator(&e.title, sp.clone(), lists, d)?,
                generator(&e.content, sp.clone(), lists, d)?,
            ]),
        };
        ItemKind::Step(Box::new(Step {
            transition,
            actor,
            after,
            input,
            evidence,
            save: raw.save,
            cursor: raw.cursor.unwrap_or(true),
            opens: raw.opens,
        }))
    } else if let Some(w) = &raw.wait {
        ItemKind::Wait(timing(w, sp.clone(), d)?)
    } else if let Some(block) = raw.do_ {
        ItemKind::Do {
            block,
            otherwise: raw.else_,
        }
    } else {
        let mut out = Vec::new();
        for c in raw.choose.unwrap_or_default() {
            out.push(Choice {
                weight: c.weight,
                when: c.when.as_deref().and_then(|w| cond(w, sp.clone(), d)),
                block: c.do_,
            });
        }
        if out.is_empty() {
            d.error(sp.clone(), "`choose` is empty", "choose 不能为空");
        }
        ItemKind::Choose(out)
    };
    Some(Item {
        span,
        when,
        chance: raw.chance,
        kind,
    })
}

/// Parses a template. Unknown `{…}` forms are kept as [`Segment::Special`].
pub(crate) fn template(s: &str) -> Template {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Segment::Text(rest[..open].to_owned()));
        }
        let inner = &rest[open + 1..open + close];
        out.push(placeholder(inner));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest.to_owned()));
    }
    Template(out)
}

fn placeholder(inner: &str) -> Segment {
    if inner.contains(':') || inner.is_empty() || inner.contains(char::is_whitespace) {
        return Segment::Special(inner.to_owned());
    }
    let (body, filter) = match inner.split_once('|') {
        Some((b, f)) => (
            b,
            match f {
                "cn" => Some(Filter::CnDate),
                "name" => Some(Filter::Name),
                "dept" => Some(Filter::Dept),
                _ => return Segment::Special(inner.to_owned()),
            },
        ),
        None => (inner, None),
    };
    let (body, optional) = match body.strip_suffix('?') {
        Some(b) => (b, true),
        None => (body, false),
    };
    Segment::Var(VarRef {
        path: body.split('.').map(str::to_owned).collect(),
        filter,
        optional,
    })
}

/// Placeholders a template may not carry in a value (only references use them).
fn check_template(t: &Template, sp: Option<Range<usize>>, d: &mut Diags<'_>) {
    for s in &t.0 {
        if let Segment::Special(x) = s {
            d.error(
                sp.clone(),
                format!("unknown placeholder `{{{x}}}` (use {{var}}, {{var.field}}, {{var|cn}}, {{var|name}}, {{var|dept}}, {{var?}})"),
                format!("占位符“{{{x}}}”无法识别"),
            );
        }
    }
}

pub(crate) fn cond(s: &str, sp: Option<Range<usize>>, d: &mut Diags<'_>) -> Option<Cond> {
    let mut out = Vec::new();
    for clause in s.split("&&") {
        let c = clause.trim();
        let mut parsed = None;
        for (token, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if let Some((l, r)) = c.split_once(token) {
                parsed = Some((l.trim(), op, r.trim()));
                break;
            }
        }
        let (path, op, value) = match parsed {
            Some(p) => p,
            None => match c.strip_prefix('!') {
                Some(v) => (v.trim(), Op::Falsy, ""),
                None => (c, Op::Truthy, ""),
            },
        };
        if path.is_empty() || path.contains(|ch: char| ch.is_whitespace() || "{}!=<>".contains(ch))
        {
            d.error(
                sp.clone(),
                format!("invalid condition `{s}` (clauses `var`, `!var`, `var == value`, `var <= 100` joined by &&)"),
                format!("条件“{s}”格式错误"),
            );
            return None;
        }
        if matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge) && value.parse::<f64>().is_err() {
            d.error(
                sp.clone(),
                format!("condition `{s}`: `{value}` is not a number"),
                format!("条件“{s}”中“{value}”不是数字"),
            );
            return None;
        }
        out.push(Clause {
            path: path.split('.').map(str::to_owned).collect(),
            op,
            value: value.to_owned(),
        });
    }
    Some(Cond(out))
}

fn num(v: &Value, what: &str, sp: Option<Range<usize>>, d: &mut Diags<'_>) -> Option<Num> {
    match v {
        Value::Number(n) if n.as_i64().is_some() => n.as_i64().map(Num::Lit),
        Value::String(s) if template(s).exact().is_some() => Some(Num::Var(template(s))),
        _ => {
            d.error(
                sp,
                format!("{what}: expected an integer or \"{{var}}\", found {v}"),
                format!("{what}：应为整数或 \"{{变量}}\"，实为 {v}"),
            );
            None
        }
    }
}

fn range(v: &Value, what: &str, sp: Option<Range<usize>>, d: &mut Diags<'_>) -> Option<(Num, Num)> {
    match v {
        Value::Array(a) if a.len() == 2 => {
            Some((num(&a[0], what, sp.clone(), d)?, num(&a[1], what, sp, d)?))
        }
        other => {
            let n = num(other, what, sp, d)?;
            Some((n.clone(), n))
        }
    }
}

const GEN_KEYS: &[&str] = &[
    "text",
    "pick",
    "weights",
    "int",
    "money",
    "date",
    "officers",
    "person",
    "name",
    "phone",
    "uscc",
    "organisation",
    "lookup",
    "chance",
    "user",
];

pub(crate) fn generator(
    v: &Value,
    sp: Option<Range<usize>>,
    lists: &BTreeMap<String, Vec<Value>>,
    d: &mut Diags<'_>,
) -> Option<Gen> {
    let Value::Object(m) = v else {
        return Some(Gen {
            when: None,
            kind: match v {
                Value::String(s) => {
                    let t = template(s);
                    check_template(&t, sp, d);
                    GenKind::Text(t)
                }
                other => GenKind::Lit(other.clone()),
            },
        });
    };
    let when = match m.get("when") {
        Some(Value::String(w)) => Some(cond(w, sp.clone(), d)?),
        Some(other) => {
            d.error(
                sp,
                format!("`when` must be a string, found {other}"),
                "when 必须是字符串",
            );
            return None;
        }
        None => None,
    };
    let keys: Vec<&str> = GEN_KEYS
        .iter()
        .copied()
        .filter(|k| m.contains_key(*k))
        .collect();
    if keys.len() != 1 {
        d.error(
            sp,
            format!(
                "a generator table has exactly one of: {} (found {})",
                GEN_KEYS.join(", "),
                if keys.is_empty() {
                    "none".to_owned()
                } else {
                    keys.join(", ")
                }
            ),
            format!("取值表须且只能有一种取值方式：{}", GEN_KEYS.join("、")),
        );
        return None;
    }
    let key = keys[0];
    let allowed: &[&str] = match key {
        "pick" => &["pick", "where", "weight"],
        "int" => &["int", "step"],
        "date" => &["date", "workdays", "days"],
        "officers" => &["officers", "domain", "days"],
        "name" => &["name", "courtesy"],
        "organisation" => &["organisation", "individual"],
        "lookup" => &["lookup", "key", "default"],
        _ => &[key],
    };
    for k in m.keys() {
        if k != "when" && !allowed.contains(&k.as_str()) {
            d.error(
                sp.clone(),
                format!(
                    "`{key}` generator: unknown key `{k}` (allowed: {})",
                    allowed.join(", ")
                ),
                format!("取值方式 {key} 不支持键“{k}”"),
            );
            return None;
        }
    }
    let str_of = |k: &str, d: &mut Diags<'_>| -> Option<Template> {
        match m.get(k) {
            Some(Value::String(s)) => {
                let t = template(s);
                check_template(&t, sp.clone(), d);
                Some(t)
            }
            Some(Value::Bool(b)) => Some(Template(vec![Segment::Text(b.to_string())])),
            _ => {
                d.error(
                    sp.clone(),
                    format!("`{key}` generator: `{k}` must be a string"),
                    format!("取值方式 {key} 的 {k} 必须是字符串"),
                );
                None
            }
        }
    };
    let kind = match key {
        "text" => GenKind::Text(str_of("text", d)?),
        "pick" => {
            let (list, inline) = match &m["pick"] {
                Value::String(name) => {
                    if !lists.contains_key(name) {
                        d.error(
                            sp.clone(),
                            format!("pick: unknown list `{name}` (declare it under [lists])"),
                            format!("pick 引用了不存在的列表“{name}”（应在 [lists] 下声明）"),
                        );
                        return None;
                    }
                    (Some(name.clone()), Vec::new())
                }
                Value::Array(a) if !a.is_empty() => (None, a.clone()),
                _ => {
                    d.error(
                        sp,
                        "pick: expected a list name or a non-empty array",
                        "pick 应为列表名或非空数组",
                    );
                    return None;
                }
            };
            let mut filter = Vec::new();
            match m.get("where") {
                None => {}
                Some(Value::Object(w)) => {
                    for (k, v) in w {
                        let Value::String(s) = v else {
                            d.error(
                                sp,
                                "pick: `where` values must be strings",
                                "pick 的 where 取值必须是字符串",
                            );
                            return None;
                        };
                        filter.push((k.clone(), template(s)));
                    }
                }
                Some(_) => {
                    d.error(
                        sp,
                        "pick: `where` must be a table",
                        "pick 的 where 必须是表",
                    );
                    return None;
                }
            }
            let weight = match m.get("weight") {
                None => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    d.error(
                        sp,
                        "pick: `weight` names a record field",
                        "pick 的 weight 应为记录字段名",
                    );
                    return None;
                }
            };
            GenKind::Pick {
                list,
                inline,
                filter,
                weight,
            }
        }
        "weights" => {
            let Value::Object(w) = &m["weights"] else {
                d.error(
                    sp,
                    "weights: expected a table value = weight",
                    "weights 应为“取值 = 权重”表",
                );
                return None;
            };
            let mut out = Vec::new();
            for (k, v) in w {
                match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => out.push((k.clone(), n)),
                    None => {
                        d.error(
                            sp,
                            format!("weights: `{k}` needs a non-negative integer weight"),
                            format!("weights 中“{k}”的权重须为非负整数"),
                        );
                        return None;
                    }
                }
            }
            if out.iter().map(|(_, w)| *w).sum::<u32>() == 0 {
                d.error(
                    sp,
                    "weights: the total weight is zero",
                    "weights 的权重合计为零",
                );
                return None;
            }
            GenKind::Weights(out)
        }
        "int" => {
            let (lo, hi) = match &m["int"] {
                Value::Array(a) if a.len() == 2 => (
                    num(&a[0], "int", sp.clone(), d)?,
                    num(&a[1], "int", sp.clone(), d)?,
                ),
                _ => {
                    d.error(sp, "int: expected [lo, hi]", "int 应为 [最小值, 最大值]");
                    return None;
                }
            };
            let step = match m.get("step") {
                None => 1,
                Some(v) => match v.as_i64().filter(|s| *s > 0) {
                    Some(s) => s,
                    None => {
                        d.error(
                            sp,
                            "int: `step` must be a positive integer",
                            "int 的 step 必须为正整数",
                        );
                        return None;
                    }
                },
            };
            GenKind::Int { lo, hi, step }
        }
        "money" => GenKind::Money(num(&m["money"], "money", sp.clone(), d)?),
        "date" => {
            let Value::String(base) = &m["date"] else {
                d.error(
                    sp,
                    "date: expected the base (`step`, `created` or a variable)",
                    "date 应为基准日期（step、created 或变量名）",
                );
                return None;
            };
            let offset = if let Some(w) = m.get("workdays") {
                let (a, b) = range(w, "date.workdays", sp.clone(), d)?;
                Offset::Workdays(a, b)
            } else if let Some(w) = m.get("days") {
                let (a, b) = range(w, "date.days", sp.clone(), d)?;
                Offset::Days(a, b)
            } else {
                Offset::None
            };
            GenKind::Date {
                base: base.clone(),
                offset,
            }
        }
        "officers" => {
            let n = m["officers"].as_u64().filter(|n| (1..=10).contains(n));
            let Some(n) = n else {
                d.error(
                    sp,
                    "officers: expected the team size (1–10)",
                    "officers 应为执法人员人数（1–10）",
                );
                return None;
            };
            let domain = str_of("domain", d)?;
            let days = match m.get("days") {
                None => 0,
                Some(v) => match v.as_i64().filter(|x| *x >= 0) {
                    Some(x) => x,
                    None => {
                        d.error(
                            sp,
                            "officers: `days` must be a non-negative integer",
                            "officers 的 days 必须为非负整数",
                        );
                        return None;
                    }
                },
            };
            GenKind::Officers {
                n: n as usize,
                domain,
                days,
            }
        }
        "person" => GenKind::Person,
        "name" => {
            let courtesy = m.get("courtesy").and_then(Value::as_f64).unwrap_or(0.0);
            GenKind::Name { courtesy }
        }
        "phone" => match m["phone"].as_f64().filter(|p| (0.0..=1.0).contains(p)) {
            Some(mobile) => GenKind::Phone { mobile },
            None => {
                d.error(
                    sp,
                    "phone: expected the share of mobile numbers (0–1)",
                    "phone 应为手机号码所占比例（0–1）",
                );
                return None;
            }
        },
        "uscc" => GenKind::Uscc {
            individual: str_of("uscc", d)?,
        },
        "organisation" => GenKind::Organisation {
            business: str_of("organisation", d)?,
            individual: str_of("individual", d)?,
        },
        "lookup" => {
            let table = match &m["lookup"] {
                Value::Object(t) => t.clone().into_iter().collect(),
                _ => {
                    d.error(
                        sp,
                        "lookup: expected a table key = value",
                        "lookup 应为“键 = 值”表",
                    );
                    return None;
                }
            };
            let key = str_of("key", d)?;
            GenKind::Lookup {
                table,
                key,
                default: m.get("default").cloned(),
            }
        }
        "chance" => match m["chance"].as_f64().filter(|p| (0.0..=1.0).contains(p)) {
            Some(p) => GenKind::Chance(p),
            None => {
                d.error(
                    sp,
                    "chance: expected a probability (0–1)",
                    "chance 应为概率（0–1）",
                );
                return None;
            }
        },
        "user" => GenKind::User(actor(&m["user"], sp, d)?),
        _ => unreachable!("key from GEN_KEYS"),
    };
    Some(Gen { when, kind })
}

fn is_role(s: &str) -> bool {
    fazhi_workflow::ROLES.iter().any(|(r, _)| *r == s)
}

pub(crate) fn actor(v: &Value, sp: Option<Range<usize>>, d: &mut Diags<'_>) -> Option<Actor> {
    match v {
        Value::String(s) if is_role(s) => Some(Actor::Role {
            role: s.clone(),
            department: None,
        }),
        Value::String(s) if template(s).exact().is_some() => Some(Actor::Login(template(s))),
        Value::Object(m) if m.contains_key("role") => {
            let role = m["role"].as_str().unwrap_or_default();
            if !is_role(role) {
                d.error(
                    sp,
                    format!("actor: unknown role `{role}`"),
                    format!("办理人角色“{role}”无法识别"),
                );
                return None;
            }
            let department = m.get("department").and_then(Value::as_str).map(template);
            Some(Actor::Role {
                role: role.to_owned(),
                department,
            })
        }
        Value::Object(m) if m.contains_key("one_of") => {
            let Some(options) = m["one_of"].as_array() else {
                d.error(
                    sp,
                    "actor.one_of must be an array",
                    "actor.one_of 必须是数组",
                );
                return None;
            };
            let mut out = Vec::new();
            for o in options {
                let w = o
                    .get("weight")
                    .and_then(Value::as_u64)
                    .and_then(|w| u32::try_from(w).ok())
                    .unwrap_or(1);
                let inner = match o {
                    Value::Object(om) => {
                        let mut om = om.clone();
                        om.remove("weight");
                        if let Some(l) = om.get("login").cloned() {
                            l
                        } else {
                            Value::Object(om)
                        }
                    }
                    other => other.clone(),
                };
                out.push((w, actor(&inner, sp.clone(), d)?));
            }
            if out.is_empty() {
                d.error(sp, "actor.one_of is empty", "actor.one_of 不能为空");
                return None;
            }
            Some(Actor::OneOf(out))
        }
        other => {
            d.error(
                sp,
                format!("actor: expected a role, \"{{var}}\" (a login), {{ role, department }} or {{ one_of = [...] }}, found {other}"),
                format!("办理人格式错误：{other}"),
            );
            None
        }
    }
}

pub(crate) fn timing(v: &Value, sp: Option<Range<usize>>, d: &mut Diags<'_>) -> Option<Timing> {
    match v {
        Value::Array(_) | Value::Number(_) => {
            let (a, b) = range(v, "after", sp, d)?;
            Some(Timing {
                from: Vec::new(),
                kind: TimingKind::Workdays(a, b),
                cap: None,
            })
        }
        Value::Object(m) => {
            for k in m.keys() {
                if ![
                    "from", "cap", "workdays", "days", "within", "at", "one_of", "weight",
                ]
                .contains(&k.as_str())
                {
                    d.error(
                        sp,
                        format!("after: unknown key `{k}` (from, cap, workdays, days, within, at, one_of)"),
                        format!("after 不支持键“{k}”"),
                    );
                    return None;
                }
            }
            let from = match m.get("from") {
                None => Vec::new(),
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
                Some(_) => {
                    d.error(
                        sp,
                        "after.from: a date variable or a list of them",
                        "after.from 应为日期变量名或其列表",
                    );
                    return None;
                }
            };
            let cap = m.get("cap").and_then(Value::as_str).map(str::to_owned);
            let kind = if let Some(w) = m.get("workdays") {
                let (a, b) = range(w, "after.workdays", sp, d)?;
                TimingKind::Workdays(a, b)
            } else if let Some(w) = m.get("days") {
                let (a, b) = range(w, "after.days", sp, d)?;
                TimingKind::Days(a, b)
            } else if let Some(Value::String(s)) = m.get("within") {
                TimingKind::Within(s.clone())
            } else if let Some(Value::String(s)) = m.get("at") {
                TimingKind::At(s.clone())
            } else if let Some(Value::Array(options)) = m.get("one_of") {
                let mut out = Vec::new();
                for o in options {
                    let w = o
                        .get("weight")
                        .and_then(Value::as_u64)
                        .and_then(|w| u32::try_from(w).ok())
                        .unwrap_or(1);
                    out.push((w, timing(o, sp.clone(), d)?));
                }
                if out.is_empty() {
                    d.error(sp, "after.one_of is empty", "after.one_of 不能为空");
                    return None;
                }
                TimingKind::OneOf(out)
            } else {
                TimingKind::Workdays(Num::Lit(0), Num::Lit(0))
            };
            Some(Timing { from, kind, cap })
        }
        other => {
            d.error(
                sp,
                format!("after: expected [lo, hi] working days or a table, found {other}"),
                format!("after 格式错误：{other}"),
            );
            None
        }
    }
}
