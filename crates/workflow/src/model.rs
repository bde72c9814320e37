//! Case-type definitions: the validated, public form of the TOML files.

use std::collections::BTreeMap;

use fazhi_calendar::PeriodUnit;
use serde::Serialize;

/// `to` value of a transition that keeps the case in its current state (e.g. `publish`).
pub const STAY: &str = "*";

/// Roles of the contract (docs/case-types.md), with their Chinese labels.
pub const ROLES: &[(&str, &str)] = &[
    ("admin", "系统管理员"),
    ("leader", "分管领导"),
    ("handler", "承办人"),
    ("legal_reviewer", "法制审核人员"),
    ("officer", "执法人员"),
    ("viewer", "查看人员"),
    ("correction_officer", "社区矫正工作人员"),
];

/// Chinese label of a role code (the code itself when unknown).
pub fn role_label_zh(code: &str) -> &str {
    ROLES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// A declared case type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseType {
    pub code: String,
    pub name_zh: String,
    /// The statute the case type implements, e.g. 《中华人民共和国行政处罚法》.
    pub statute: Option<String>,
    pub fields: Vec<FieldDef>,
    pub states: Vec<StateDef>,
    pub transitions: Vec<TransitionDef>,
    pub clocks: Vec<ClockDef>,
    /// Dictionary name → allowed values in display order.
    pub dictionaries: BTreeMap<String, Vec<DictEntry>>,
    /// Where the definition came from (`embedded:…` or a file path).
    pub source: String,
    /// `[presentation]` (defaults when not declared).
    pub presentation: crate::presentation::Presentation,
    /// `[capabilities.*]` and the `opens` of transitions.
    pub capabilities: crate::presentation::Capabilities,
    /// The declared version (`version = "…"`, `"1"` when absent) and the content hash of the
    /// definition text: a case records [`CaseType::version_tag`] when it is opened.
    pub version: DefinitionVersion,
}

/// The version of a definition: what its author declared, and what it actually says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionVersion {
    pub declared: String,
    /// First 16 hex digits of the SHA-256 of the definition file (`case_type.toml`).
    pub content_hash: String,
}

impl DefinitionVersion {
    /// `declared+hash`, e.g. `2026.1+9f2c41d07ab3e512`: the value stored on a case.
    pub fn tag(&self) -> String {
        format!("{}+{}", self.declared, self.content_hash)
    }
}

impl CaseType {
    /// The version tag a case opened under this definition records.
    pub fn version_tag(&self) -> String {
        self.version.tag()
    }

    pub fn field(&self, code: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.code == code)
    }

    pub fn state(&self, code: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.code == code)
    }

    pub fn transition(&self, code: &str) -> Option<&TransitionDef> {
        self.transitions.iter().find(|t| t.code == code)
    }

    pub fn clock(&self, code: &str) -> Option<&ClockDef> {
        self.clocks.iter().find(|c| c.code == code)
    }

    pub fn dictionary(&self, name: &str) -> Option<&[DictEntry]> {
        self.dictionaries.get(name).map(Vec::as_slice)
    }

    /// Transitions that create a case (empty `from`).
    pub fn create_transitions(&self) -> impl Iterator<Item = &TransitionDef> {
        self.transitions.iter().filter(|t| t.from.is_empty())
    }

    /// Transitions allowed from a state (`None` = a case not yet created).
    pub fn transitions_from<'a>(
        &'a self,
        state: Option<&'a str>,
    ) -> impl Iterator<Item = &'a TransitionDef> + 'a {
        self.transitions.iter().filter(move |t| match state {
            None => t.from.is_empty(),
            Some(s) => t.from.iter().any(|f| f == s),
        })
    }

    /// Chinese label of a state (the code itself when unknown).
    pub fn state_label(&self, code: &str) -> String {
        self.state(code)
            .map_or_else(|| code.to_owned(), |s| s.label_zh.clone())
    }

    /// Chinese label of a field (the code itself when unknown).
    pub fn field_label(&self, code: &str) -> String {
        self.field(code)
            .map_or_else(|| code.to_owned(), |f| f.label_zh.clone())
    }

    /// Chinese label of a transition (the code itself when unknown).
    pub fn transition_label(&self, code: &str) -> String {
        self.transition(code)
            .map_or_else(|| code.to_owned(), |t| t.label_zh.clone())
    }
}

/// One allowed value of a dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DictEntry {
    /// Stored value (a Chinese word for most dictionaries, a code for flag sets).
    pub value: String,
    pub label_zh: String,
}

/// Kind of a field: decides how input is parsed, stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Number,
    /// Entered in 元 (`"200"`, `"200.50"`), stored as integer fen.
    Money,
    /// An area entered in 平方米 with at most two decimals (`"35.5"`), stored as an integer
    /// number of hundredths (0.01 m²) so that sums stay exact.
    Area,
    /// `YYYY-MM-DD`.
    Date,
    /// A moment to the minute, `YYYY-MM-DD HH:MM` (seconds optional), stored as
    /// `YYYY-MM-DD HH:MM:SS` — for clocks in minutes and hours.
    DateTime,
    Bool,
    /// One value of the field's dictionary.
    Enum,
    /// An organisational unit (id or code).
    Unit,
    /// A department (unit id or code).
    Department,
    /// One officer id.
    Officer,
    /// A list of officer ids.
    OfficerList,
    PersonName,
    /// 居民身份证号码 (GB 11643).
    IdNumber,
    /// Mobile or landline number.
    Phone,
    /// 统一社会信用代码 (GB 32100).
    Uscc,
    /// A set of values of the field's dictionary.
    Flags,
}

impl FieldKind {
    pub const ALL: &'static [(&'static str, FieldKind)] = &[
        ("text", FieldKind::Text),
        ("long_text", FieldKind::LongText),
        ("number", FieldKind::Number),
        ("money", FieldKind::Money),
        ("area", FieldKind::Area),
        ("date", FieldKind::Date),
        ("datetime", FieldKind::DateTime),
        ("bool", FieldKind::Bool),
        ("enum", FieldKind::Enum),
        ("unit", FieldKind::Unit),
        ("department", FieldKind::Department),
        ("officer", FieldKind::Officer),
        ("officer_list", FieldKind::OfficerList),
        ("person_name", FieldKind::PersonName),
        ("id_number", FieldKind::IdNumber),
        ("phone", FieldKind::Phone),
        ("uscc", FieldKind::Uscc),
        ("flags", FieldKind::Flags),
    ];

    pub fn from_code(code: &str) -> Option<FieldKind> {
        FieldKind::ALL
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, k)| *k)
    }

    pub fn code(self) -> &'static str {
        FieldKind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("text", |(c, _)| c)
    }

    /// Whether the kind takes its values from a dictionary.
    pub fn needs_dictionary(self) -> bool {
        matches!(self, FieldKind::Enum | FieldKind::Flags)
    }
}

/// A field of a case type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDef {
    pub code: String,
    pub label_zh: String,
    pub kind: FieldKind,
    /// Must have a value once the case exists (checked at the create transition's inputs).
    pub required: bool,
    /// Personal data: masked in lists and exports, redacted in publications.
    pub personal: bool,
    pub dictionary: Option<String>,
    /// Not stored on the case: the value is only recorded in the history event (e.g. a reason).
    pub input_only: bool,
    /// Lower bound for number/money (money in 元).
    pub min: Option<f64>,
    /// Upper bound for number/money (money in 元).
    pub max: Option<f64>,
    /// A number field that only takes whole numbers (counts, day counts): `1.5` is refused.
    pub integer: bool,
    /// Roles that may see the field at all (`visible_to`; empty: every role that sees the case).
    /// A restricted field is personal; it is left out of lists, exports, search, event
    /// summaries and the API for everyone else, and every view showing it is audited.
    pub visible_to: Vec<String>,
}

impl FieldDef {
    /// Whether an actor with these role codes may see the field.
    pub fn visible_to_roles<S: AsRef<str>>(&self, roles: &[S]) -> bool {
        self.visible_to.is_empty()
            || roles
                .iter()
                .any(|r| self.visible_to.iter().any(|v| v == r.as_ref()))
    }

    /// Whether the field is restricted to some roles.
    pub fn restricted(&self) -> bool {
        !self.visible_to.is_empty()
    }
}

/// A state of a case type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateDef {
    pub code: String,
    pub label_zh: String,
    pub terminal: bool,
    /// Documents the case file holds once in this state.
    pub documents: Vec<String>,
}

/// An input of a transition: a field of the case type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputDef {
    pub field: String,
    pub required: bool,
}

/// A guard of a transition: its typed kind and parameters ([`crate::guards::Guard`]), the legal
/// basis it cites (declared, or the kind's default) and the parameters as declared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuardSpec {
    /// The kind's name, e.g. `min_certified_officers`.
    pub name: String,
    /// The parameters as declared in the definition (including `statute`, `article`, `code`).
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The kind with its validated parameters (defaults filled in).
    pub guard: crate::guards::Guard,
    pub statute: Option<String>,
    pub article: Option<String>,
    /// A declared code replacing the kind's main refusal code.
    pub code: Option<String>,
    /// When the guard applies (common parameters `if_field`, `if_in`, `if_not_in`).
    pub condition: Option<crate::guards::GuardCondition>,
}

/// A transition between states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionDef {
    pub code: String,
    pub label_zh: String,
    /// Source states; empty for the transition that creates a case.
    pub from: Vec<String>,
    /// Target state, or [`STAY`] to keep the current state.
    pub to: String,
    pub roles: Vec<String>,
    pub inputs: Vec<InputDef>,
    pub guards: Vec<GuardSpec>,
    /// Documents produced or required by this step (e.g. 行政处罚决定书).
    pub documents: Vec<String>,
    /// Field values set by the transition itself (flags are added to the existing set).
    pub sets: serde_json::Map<String, serde_json::Value>,
    /// `Some(true)` publishes the decision (执法公示), `Some(false)` withdraws the publication.
    pub published: Option<bool>,
}

impl TransitionDef {
    /// Whether a guard of the step reads the other cases of the matter (`linked_case`).
    pub fn reads_linked_cases(&self) -> bool {
        self.guards
            .iter()
            .any(|g| matches!(g.guard, crate::guards::Guard::LinkedCase(_)))
    }
}

/// How long a clock runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClockLength {
    /// A fixed length.
    Fixed { n: u32, unit: PeriodUnit },
    /// Looked up in a configuration table ([`crate::WorkflowConfig::limit`]): `hotline_limits`
    /// keyed by the value of `key_field`, or `publicity` keyed by the configured province.
    Table {
        table: String,
        key_field: Option<String>,
    },
    /// Ends on the date held by a date field (e.g. the last day of a correction term): the due
    /// day is that date, never rolled.
    UntilField { field: String },
}

/// An interval during which a clock does not run (tolling, e.g. a hearing).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PauseDef {
    /// Transition that pauses the clock.
    pub from: String,
    /// Transition that resumes it.
    pub to: String,
    pub reason_zh: String,
    /// At most this many units of the pause are excluded from the period; past them the clock
    /// runs again although the pause has not ended (e.g. 《政府信息公开条例》第三十二条、第三十三条:
    /// the third party's 15 working days are excluded, not a longer silence).
    pub max: Option<u32>,
}

/// How an approved extension lengthens a clock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtensionDef {
    /// Transition that grants the extension.
    pub on: String,
    /// Fixed number of units granted, or
    pub days: Option<u32>,
    /// the input field carrying the number, read from the latest `request` event before the grant
    /// (or from the grant itself when `request` is absent).
    pub days_field: Option<String>,
    pub request: Option<String>,
    /// Maximum total extension (units of the clock).
    pub max_total: Option<u32>,
    /// An input field of the grant that must hold the notice to the party (e.g. 《信访工作条例》
    /// 第三十四条: tell the petitioner why); a grant without it does not extend the clock.
    pub notice_field: Option<String>,
}

/// Kind of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// An agency deadline: stopping late is a miss, running past due is overdue.
    Deadline,
    /// A party's window (e.g. 陈述申辩期): running past due means it has elapsed.
    Window,
}

/// A statutory clock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockDef {
    pub code: String,
    pub label_zh: String,
    /// Statute and article, e.g. 《中华人民共和国行政处罚法》第六十条.
    pub basis: String,
    pub kind: ClockKind,
    /// Transitions that start the clock if it is not running.
    pub start: Vec<String>,
    /// Transitions that stop it.
    pub stop: Vec<String>,
    /// Transitions that start a new cycle even when it has run before (e.g. `reopen`).
    pub restart: Vec<String>,
    pub length: ClockLength,
    /// The cycle starts on the date held by this field (in the starting event's input, else on
    /// the case) instead of the event's date, e.g. the day an agreement took effect.
    pub start_field: Option<String>,
    /// Clocks in minutes or hours: the moments (datetime fields, from the events' inputs or the
    /// case) the period runs from and to, e.g. the report and the arrival of a command-centre
    /// event. Without them a minute or hour clock counts from the event's date.
    pub start_time_field: Option<String>,
    pub stop_time_field: Option<String>,
    /// A `restart` cycle starts on the date held by this field (in the restarting event's input,
    /// else on the case) instead of the event's date, e.g. the day a supplement was received
    /// (《政府信息公开条例》第三十条).
    pub restart_field: Option<String>,
    pub pauses: Vec<PauseDef>,
    pub extension: Option<ExtensionDef>,
    /// A start only counts when this transition happened before it (e.g. `publish` before
    /// `revoke_decision`) and was not undone by `undone_by`.
    pub requires_prior: Option<String>,
    pub undone_by: Option<String>,
    /// The clock only runs when this field has a non-empty, non-zero value (e.g. `fine_amount`).
    pub only_if_field: Option<String>,
    /// With `only_if_field`: the field must hold one of these values (e.g. a publication clock
    /// runs only for a decision to penalise).
    pub only_if_values: Vec<String>,
}
