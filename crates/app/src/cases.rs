//! Cases: create, transition, evidence, publication, reads — each write one audited transaction
//! that runs the workflow (guards with their statute and article) and recomputes the clocks.

use fazhi_domain::{CaseId, EvidenceId, OfficerId, Role, mask_id_number, mask_name, mask_phone};
use fazhi_store::cases::{self as store, CaseFilter, CaseWrite, NewEvent, NewEvidence};
use fazhi_store::links::LinkRow;
use fazhi_store::{
    AuditEntry, CaseRow, ClockRow, EventRow, EvidenceRow, PublicationRow, UnitRow, org,
};
use fazhi_workflow::{
    CaseSnapshot, CaseType, CertificateInfo, ClockState, ClockStatus, FieldKind, GuardContext,
    HistoryEvent, LinkedCase, OfficerInfo, Refusal, WarningLevel,
};
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

use crate::{Actor, App, AppError};

type Fields = Map<String, Value>;

/// A request to create a case.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct CreateCase {
    pub case_type: String,
    /// The create transition to take when the type has several (a transition with no `from`,
    /// e.g. `refer_aid` besides `record`); the first one when absent.
    #[serde(default)]
    pub transition: Option<String>,
    /// Owning unit; defaults to the actor's unit.
    pub unit_code: Option<String>,
    /// The date the matter was received, if not today (补录); never in the future.
    pub on: Option<String>,
    /// Why the step is recorded late: required when `on` lies more than the configured number of
    /// days before today (`backdate_reason_days`, clocks.toml); kept in the audit entry.
    #[serde(default)]
    pub on_reason: Option<String>,
    #[serde(default)]
    pub input: Fields,
}

/// A request to take a transition.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct TakeTransition {
    pub transition: String,
    /// The date the step happened, if not today; not before the previous step, not in the future.
    pub on: Option<String>,
    /// Why the step is recorded late (see [`CreateCase::on_reason`]).
    #[serde(default)]
    pub on_reason: Option<String>,
    /// Optimistic concurrency: the version the user saw.
    pub version: Option<i64>,
    #[serde(default)]
    pub input: Fields,
}

/// What the case page and the API show about one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub case: CaseRow,
    pub type_name: String,
    pub state_label: String,
    pub unit_name: String,
    pub department_name: Option<String>,
    /// Field values for display, personal data masked unless revealed.
    pub display_fields: Vec<DisplayField>,
    pub events: Vec<EventView>,
    pub clocks: Vec<ClockRow>,
    pub evidence: Vec<EvidenceRow>,
    pub publications: Vec<PublicationRow>,
    pub officers: Vec<String>,
    /// Transitions this actor may try now (guards are checked when taken).
    pub actions: Vec<ActionView>,
    /// What the law requires next, one line each, from the running clocks.
    pub next_steps: Vec<String>,
    pub revealed: bool,
    /// The matter this case belongs to with its linked cases (none when it has no links).
    pub matter: Option<MatterView>,
    /// What publishing would show, redacted, while the publishing step is open to this actor.
    pub publication_preview: Option<PublicationPreview>,
}

/// The public title and items of a case as its publication would show them.
#[derive(Debug, Clone, Serialize)]
pub struct PublicationPreview {
    pub transition: String,
    pub title: String,
    /// Label and redacted value of each published item.
    pub items: Vec<(String, String)>,
}

/// One matter across case types: its number and every case of it, in the order opened.
#[derive(Debug, Clone, Serialize)]
pub struct MatterView {
    pub number: String,
    pub cases: Vec<MatterCase>,
}

/// A case of a matter as the chain shows it. A case outside the actor's scope shows only its
/// number and type.
#[derive(Debug, Clone, Serialize)]
pub struct MatterCase {
    pub case_id: CaseId,
    pub number: String,
    pub case_type: String,
    pub type_name: String,
    /// Whether this is the case being shown.
    pub current: bool,
    pub visible: bool,
    pub state: String,
    pub state_label: String,
    /// The case it was opened from and by which step.
    pub opened_from: Option<String>,
    pub opened_by: Option<String>,
    /// Clocks in one line each: label, due date, status.
    pub clocks: Vec<String>,
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DisplayField {
    pub code: String,
    pub label: String,
    pub value: String,
    pub personal: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub event: EventRow,
    pub label: String,
    pub actor_name: String,
    pub summary: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub code: String,
    pub label: String,
    pub inputs: Vec<InputView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputView {
    pub field: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub options: Vec<(String, String)>,
}

/// A validated create, ready to write.
pub(crate) struct PreparedCreate {
    pub(crate) case_type: String,
    create: String,
    pub(crate) on: Date,
    on_reason: Option<String>,
    unit: UnitRow,
    pub(crate) plan: fazhi_workflow::Plan,
    clocks: Vec<ClockState>,
    named: Vec<OfficerId>,
    /// Set for a case brought in from a file (`case_import`).
    pub(crate) import: Option<ImportMark>,
}

/// The input key of a history event that marks it as brought in from a file: its value names
/// the file, the row and the record's number in the source system.
pub const IMPORTED_KEY: &str = "_imported";

/// How an imported case differs from one created by hand: it starts in the state the file
/// says, and its first event is marked as imported.
#[derive(Debug, Clone)]
pub(crate) struct ImportMark {
    /// `{ "file": …, "row": …, "source_number": … }`
    pub(crate) source: Value,
}

/// The outcome of a successful step.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub case_id: CaseId,
    pub number: String,
    pub state: String,
    pub version: i64,
    pub warnings: Vec<Refusal>,
    /// Linked cases the step opened (declared `opens` of the transition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opened: Vec<Opened>,
}

/// A linked case opened by a step.
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    pub case_id: CaseId,
    pub number: String,
    pub case_type: String,
    pub matter_number: String,
}

/// The one answer for a case that does not exist or is outside the actor's scope.
const CASE_NOT_FOUND: &str = "案件不存在或不在您的数据范围内";

fn not_found_case(e: fazhi_store::StoreError) -> AppError {
    match e {
        fazhi_store::StoreError::NotFound(_) => AppError::NotFound(CASE_NOT_FOUND.into()),
        other => other.into(),
    }
}

/// Refusals that are only overridable warnings still stop the step until the user confirms;
/// both kinds travel together so the form can show them.
fn refused(r: fazhi_workflow::Refusals) -> AppError {
    AppError::Refused(r.0)
}

fn parse_on(field: &str, v: Option<&str>, today: Date) -> Result<Date, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today),
        Some(s) => {
            let d: Date = s.parse().map_err(|_| {
                AppError::invalid(
                    field,
                    "date",
                    "办理日期：日期格式应为YYYY-MM-DD，且为真实日期",
                )
            })?;
            if d > today {
                return Err(AppError::invalid(field, "future", "办理日期：不能晚于今天"));
            }
            if !fazhi_workflow::DATE_RANGE.contains(&d) {
                return Err(AppError::invalid(
                    field,
                    "range",
                    format!(
                        "办理日期：应在{}至{}之间",
                        fazhi_workflow::DATE_RANGE.start(),
                        fazhi_workflow::DATE_RANGE.end()
                    ),
                ));
            }
            Ok(d)
        }
    }
}

/// A step dated more than `threshold` calendar days before today needs a reason (补录原因):
/// returns it (trimmed) when given, refuses the step naming `on_reason` when it is missing.
fn backdate_reason(
    on: Date,
    today: Date,
    reason: Option<&str>,
    threshold: u32,
) -> Result<Option<String>, AppError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let late = on
        .until(today)
        .ok()
        .map(|s| s.get_days() as i64)
        .unwrap_or(0);
    if late > i64::from(threshold) && reason.is_none() {
        return Err(AppError::invalid(
            "on_reason",
            "required",
            format!(
                "补录原因：办理日期{on}早于今天{late}天，超过{threshold}天的补录须填写补录原因"
            ),
        ));
    }
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::invalid(
            "on_reason",
            "too_long",
            "补录原因：不能超过500字",
        ));
    }
    Ok(reason.map(str::to_string))
}

/// Masks one personal value by its field kind.
pub fn mask_value(kind: FieldKind, v: &str) -> String {
    match kind {
        FieldKind::IdNumber => mask_id_number(v),
        FieldKind::Phone => mask_phone(v),
        FieldKind::PersonName => mask_name(v),
        _ => {
            let n = v.chars().count();
            if n <= 1 {
                "*".into()
            } else {
                format!("{}{}", v.chars().next().unwrap_or('*'), "*".repeat(n - 1))
            }
        }
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join("、"),
        Value::Bool(b) => {
            if *b {
                "是".into()
            } else {
                "否".into()
            }
        }
        other => other.to_string(),
    }
}

/// Formats a field for display (money in 元, enums by label), masking personal data unless `reveal`.
pub fn display_value(t: &CaseType, code: &str, v: &Value, reveal: bool) -> String {
    let Some(f) = t.field(code) else {
        return value_text(v);
    };
    let text = match (f.kind, v) {
        (FieldKind::Money, Value::Number(n)) => {
            let fen = n.as_i64().unwrap_or(0);
            format!("{}.{:02}元", fen / 100, (fen % 100).abs())
        }
        (FieldKind::Area, Value::Number(n)) => {
            let h = n.as_i64().unwrap_or(0);
            format!("{}.{:02}平方米", h / 100, (h % 100).abs())
        }
        _ => {
            let s = value_text(v);
            match f.dictionary.as_deref().and_then(|d| t.dictionary(d)) {
                Some(entries) => entries
                    .iter()
                    .find(|e| e.value == s)
                    .map(|e| e.label_zh.clone())
                    .unwrap_or(s),
                None => s,
            }
        }
    };
    if f.personal && !reveal && !text.is_empty() {
        mask_value(f.kind, &text)
    } else {
        text
    }
}

/// Removes from a field map every field restricted to some roles (`visible_to`): lists, exports
/// and raw maps never carry them, whoever asks.
pub fn strip_restricted(t: &CaseType, fields: &mut Fields) {
    for f in t.fields.iter().filter(|f| f.restricted()) {
        fields.remove(&f.code);
    }
}

/// Removes from a field map the fields the actor may not see (`visible_to` without any of the
/// actor's roles).
pub fn strip_hidden(t: &CaseType, actor: &Actor, fields: &mut Fields) {
    let roles = actor.role_codes();
    for f in t.fields.iter().filter(|f| !f.visible_to_roles(&roles)) {
        fields.remove(&f.code);
    }
}

fn title_of(t: &CaseType, fields: &Fields) -> String {
    let pick = ["content", "facts", "title", "address"]
        .iter()
        .find_map(|k| {
            fields
                .get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        });
    let mut s: String = pick.unwrap_or(&t.name_zh).chars().take(40).collect();
    if pick.map(|p| p.chars().count() > 40).unwrap_or(false) {
        s.push('…');
    }
    s
}

/// Non-personal text that list search looks through.
fn search_text_of(t: &CaseType, number: &str, fields: &Fields) -> String {
    let mut s = String::from(number);
    for f in &t.fields {
        if f.personal {
            continue;
        }
        if matches!(
            f.kind,
            FieldKind::Text | FieldKind::LongText | FieldKind::Enum
        ) && let Some(v) = fields.get(&f.code).and_then(Value::as_str)
        {
            s.push(' ');
            s.push_str(v);
        }
    }
    s
}

/// The number sequence of a case type in a year: its declared prefix and the year.
fn number_prefix(t: &CaseType, on: Date) -> String {
    format!("{}{}", t.presentation.number_prefix, on.year())
}

/// The value of the case type's declared category field.
fn category_of<'a>(t: &CaseType, fields: &'a Fields) -> Option<&'a str> {
    t.presentation
        .category_field
        .as_deref()
        .and_then(|f| fields.get(f))
        .and_then(Value::as_str)
}

pub(crate) fn history_of(events: &[EventRow]) -> Vec<HistoryEvent> {
    events
        .iter()
        .map(|e| HistoryEvent {
            transition: e.transition.clone(),
            on: e.on_date.parse().unwrap_or(jiff::civil::date(2020, 1, 1)),
            input: e.input.clone(),
        })
        .collect()
}

pub(crate) fn clock_rows(case_id: CaseId, clocks: &[ClockState]) -> Vec<ClockRow> {
    clocks
        .iter()
        .map(|c| ClockRow {
            case_id,
            code: c.code.clone(),
            label: c.label_zh.clone(),
            basis: c.basis.clone(),
            started_on: c.started_on.to_string(),
            due_on: c.due.map(|d| d.to_string()),
            status: status_code(c.status).to_string(),
            level: level_code(c.level).to_string(),
            calendar_version: c.calendar_version.clone(),
            detail: serde_json::to_value(c).unwrap_or(Value::Null),
        })
        .collect()
}

pub fn status_code(s: ClockStatus) -> &'static str {
    match s {
        ClockStatus::Running => "running",
        ClockStatus::Paused => "paused",
        ClockStatus::Met => "met",
        ClockStatus::Missed => "missed",
        ClockStatus::Overdue => "overdue",
        ClockStatus::Elapsed => "elapsed",
    }
}

pub fn level_code(l: WarningLevel) -> &'static str {
    match l {
        WarningLevel::Normal => "normal",
        WarningLevel::Warning => "warning",
        WarningLevel::DueSoon => "due_soon",
        WarningLevel::Overdue => "overdue",
    }
}

/// A stored value of `from` as input of the field `to` of another case type: money back in 元,
/// text-like targets take the displayed text, everything else as stored.
fn carried_value(from_t: &CaseType, from: &str, to_t: &CaseType, to: &str, v: &Value) -> Value {
    let fk = from_t.field(from).map(|f| f.kind);
    let tk = to_t.field(to).map(|f| f.kind);
    match (fk, tk, v) {
        (Some(FieldKind::Money), Some(FieldKind::Money), Value::Number(n))
        | (Some(FieldKind::Area), Some(FieldKind::Area), Value::Number(n)) => {
            let h = n.as_i64().unwrap_or(0);
            Value::from(format!("{}.{:02}", h / 100, (h % 100).abs()))
        }
        (Some(a), Some(FieldKind::Text | FieldKind::LongText), _) if a != tk.unwrap_or(a) => {
            Value::from(display_value(from_t, from, v, true))
        }
        _ => v.clone(),
    }
}

/// Chinese label of a stored clock status.
fn clock_status_zh(status: &str) -> &str {
    match status {
        "running" => "进行中",
        "paused" => "暂停",
        "met" => "按期完成",
        "missed" => "逾期完成",
        "overdue" => "已超期",
        "elapsed" => "已届满",
        other => other,
    }
}

/// An error of a linked case's create, named after the linked case type.
fn linked_error(target: &CaseType, e: AppError) -> AppError {
    match e {
        AppError::Invalid(mut list) => {
            for p in &mut list {
                p.message = format!("关联{}：{}", target.name_zh, p.message);
            }
            AppError::Invalid(list)
        }
        AppError::Refused(mut list) => {
            for r in &mut list {
                r.message_zh = format!("关联{}：{}", target.name_zh, r.message_zh);
            }
            AppError::Refused(list)
        }
        other => other,
    }
}

/// The earliest due date among agency deadlines still open, and the worst warning level.
/// Party windows (e.g. 陈述申辩期) do not make a case "due".
pub(crate) fn due_summary(t: &CaseType, clocks: &[ClockState]) -> (Option<String>, i64) {
    let open: Vec<&ClockState> = clocks
        .iter()
        .filter(|c| matches!(c.status, ClockStatus::Running | ClockStatus::Overdue))
        .filter(|c| {
            t.clock(&c.code)
                .map(|d| d.kind == fazhi_workflow::ClockKind::Deadline)
                .unwrap_or(true)
        })
        .collect();
    let due = open
        .iter()
        .filter_map(|c| c.due)
        .min()
        .map(|d| d.to_string());
    let level = open.iter().map(|c| c.level as i64).max().unwrap_or(0);
    (due, level)
}

impl App {
    /// The last date a case counts as due soon (临期) on `today`: the clock configuration's
    /// `due_soon_days` (`clocks.toml`, `[warnings]`) working days ahead. The one place pages
    /// and API read the threshold.
    pub fn due_soon_date(&self, today: Date) -> Date {
        self.calendar
            .add_working_days(today, self.config.warnings.due_soon_days)
            .unwrap_or(today)
    }

    /// Chinese label of the due-soon filter, e.g. 2个工作日内到期.
    pub fn due_soon_label(&self) -> String {
        format!("{}个工作日内到期", self.config.warnings.due_soon_days)
    }

    fn case_type(&self, code: &str) -> Result<&CaseType, AppError> {
        self.registry.get(code).ok_or_else(|| {
            AppError::invalid(
                "case_type",
                "unknown_case_type",
                format!("案件类型：未知的类型“{code}”"),
            )
        })
    }

    /// The people of the registers a step names or the case already holds, with their
    /// certificates, for the guards that check them (officers under 《行政处罚法》第四十二条,
    /// mediators under 《人民调解法》第十四条, …): those already on the case, every id in an
    /// `officer_list` field of the case, and every person named in an `officer_list` input (by
    /// register code or id; the workflow works with ids, so the input is rewritten to ids).
    /// Returns the infos and the people this step names in the team field (the first
    /// `officer_list` field, recorded as the case's team).
    async fn officer_infos(
        &self,
        t: &CaseType,
        current: Vec<OfficerId>,
        case_fields: &Fields,
        input: &mut Fields,
    ) -> Result<(Vec<OfficerInfo>, Vec<OfficerId>), AppError> {
        let mut ids = current;
        let mut named: Vec<OfficerId> = Vec::new();
        // The case's team is its first `officer_list` field; later ones (a recusal, a hearing
        // chair) name people for the guards without changing the team.
        let team = t
            .fields
            .iter()
            .find(|f| f.kind == FieldKind::OfficerList)
            .map(|f| f.code.clone());
        for f in t.fields.iter().filter(|f| f.kind == FieldKind::OfficerList) {
            let is_team = team.as_deref() == Some(f.code.as_str());
            if let Some(list) = case_fields.get(&f.code).and_then(Value::as_array) {
                for id in list.iter().filter_map(Value::as_i64).map(OfficerId) {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
            let Some(list) = input.get(&f.code).and_then(Value::as_array).cloned() else {
                continue;
            };
            let mut converted = Vec::new();
            for v in &list {
                let code = value_text(v);
                let o = match v.as_i64() {
                    Some(id) => org::officer(&self.db, OfficerId(id)).await.ok(),
                    None => org::officer_by_code(&self.db, &code).await?,
                };
                let o = o.ok_or_else(|| {
                    AppError::invalid(
                        &f.code,
                        "unknown_officer",
                        format!("{}：名册中不存在编号为“{code}”的人员", f.label_zh),
                    )
                })?;
                converted.push(Value::from(o.id.0));
                if is_team && !named.contains(&o.id) {
                    named.push(o.id);
                }
                if !ids.contains(&o.id) {
                    ids.push(o.id);
                }
            }
            input.insert(f.code.clone(), Value::Array(converted));
        }
        let mut infos = Vec::new();
        for id in &ids {
            let o = org::officer(&self.db, *id).await?;
            let certs = org::certificates_of(&self.db, *id).await?;
            infos.push(OfficerInfo {
                id: o.id.0,
                name: o.name.clone(),
                certificates: certs
                    .iter()
                    // Not yet approved by a second person: does not count (org::approve).
                    .filter(|c| !c.pending_review())
                    .map(|c| CertificateInfo {
                        number: c.number.clone(),
                        domain: c.domain.clone(),
                        valid_from: c
                            .valid_from
                            .parse()
                            .unwrap_or(jiff::civil::date(1970, 1, 1)),
                        valid_to: c.valid_to.parse().unwrap_or(jiff::civil::date(1970, 1, 1)),
                        annual_check_year: c.annual_check_year.map(|y| y as i16),
                        revoked: c.revoked,
                    })
                    .collect(),
            });
        }
        Ok((infos, named))
    }

    /// Creates a case through its type's `create` transition.
    pub async fn create_case(&self, actor: &Actor, req: &CreateCase) -> Result<Outcome, AppError> {
        let mut units = HashMap::new();
        let prepared = self.prepare_create(actor, req, &mut units).await?;
        debug_assert!(prepared.import.is_none());
        let mut tx = self.db.begin().await?;
        let prefix = number_prefix(self.case_type(&prepared.case_type)?, prepared.on);
        let number = store::next_number(&mut tx, &prefix).await?;
        let out = self.write_create(&mut tx, actor, prepared, number).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Creates many cases in one transaction, each exactly as [`App::create_case`] would (same
    /// validation, guards, clocks and audit entry). All or nothing: the first bad request is
    /// reported with its index and nothing is written.
    pub async fn create_cases_bulk(
        &self,
        actor: &Actor,
        reqs: &[CreateCase],
    ) -> Result<Vec<Outcome>, (usize, AppError)> {
        let mut units = HashMap::new();
        let mut prepared = Vec::with_capacity(reqs.len());
        for (i, r) in reqs.iter().enumerate() {
            prepared.push(
                self.prepare_create(actor, r, &mut units)
                    .await
                    .map_err(|e| (i, e))?,
            );
        }
        let mut tx = self.db.begin().await.map_err(|e| (0, e.into()))?;
        // Case numbers: one reservation per sequence, handed out in request order, so the
        // numbers are those one-by-one creation would have given.
        let mut prefixes: Vec<String> = Vec::with_capacity(prepared.len());
        for (i, p) in prepared.iter().enumerate() {
            prefixes.push(number_prefix(
                self.case_type(&p.case_type).map_err(|e| (i, e))?,
                p.on,
            ));
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &prefixes {
            *counts.entry(p.as_str()).or_default() += 1;
        }
        let mut numbers: HashMap<&str, std::vec::IntoIter<String>> = HashMap::new();
        for (prefix, k) in counts {
            let reserved = store::next_numbers(&mut tx, prefix, k)
                .await
                .map_err(|e| (0, e.into()))?;
            numbers.insert(prefix, reserved.into_iter());
        }
        let mut out = Vec::with_capacity(reqs.len());
        for (i, p) in prepared.into_iter().enumerate() {
            let number = numbers
                .get_mut(prefixes[i].as_str())
                .and_then(Iterator::next)
                .ok_or_else(|| {
                    (
                        i,
                        AppError::Internal("case number reservation ran out".into()),
                    )
                })?;
            out.push(
                self.write_create(&mut tx, actor, p, number)
                    .await
                    .map_err(|e| (i, e))?,
            );
        }
        tx.commit()
            .await
            .map_err(|e| (reqs.len().saturating_sub(1), e.into()))?;
        Ok(out)
    }

    pub(crate) async fn prepare_create(
        &self,
        actor: &Actor,
        req: &CreateCase,
        units: &mut HashMap<String, UnitRow>,
    ) -> Result<PreparedCreate, AppError> {
        let t = self.case_type(&req.case_type)?;
        let today = self.clock.today();
        let on = parse_on("on", req.on.as_deref(), today)?;
        let on_reason = backdate_reason(
            on,
            today,
            req.on_reason.as_deref(),
            self.config.backdate_reason_days,
        )?;
        let code = req.unit_code.as_deref().filter(|s| !s.is_empty());
        let unit = match code.and_then(|c| units.get(c)) {
            Some(u) => u.clone(),
            None => {
                let u = match code {
                    Some(code) => org::unit_by_code(&self.db, code).await?.ok_or_else(|| {
                        AppError::invalid(
                            "unit_code",
                            "unknown_unit",
                            format!("所属单位：不存在代码为“{code}”的单位"),
                        )
                    })?,
                    None => org::unit(&self.db, actor.unit_id).await?,
                };
                if let Some(c) = code {
                    units.insert(c.to_string(), u.clone());
                }
                u
            }
        };
        if !unit.path.starts_with(&actor.unit_path) {
            return Err(AppError::Forbidden("只能在本单位及下级单位登记案件".into()));
        }
        crate::org::require_open(&unit, "unit_code", "所属单位")?;
        self.require_runs(&unit, &t.code, &t.name_zh).await?;
        let create = match req.transition.as_deref() {
            Some(code) => t
                .create_transitions()
                .find(|tr| tr.code == code)
                .map(|tr| tr.code.clone())
                .ok_or_else(|| {
                    AppError::invalid(
                        "transition",
                        "unknown",
                        format!("transition：“{code}”不是{}的新建环节", t.name_zh),
                    )
                })?,
            None => t
                .create_transitions()
                .next()
                .map(|tr| tr.code.clone())
                .ok_or_else(|| {
                    AppError::Internal(format!("case type {} has no create transition", t.code))
                })?,
        };
        let snapshot = CaseSnapshot {
            case_type: t.code.clone(),
            state: None,
            fields: Fields::new(),
            history: Vec::new(),
            evidence_count: 0,
            published: false,
        };
        let mut input = req.input.clone();
        let (officers, named) = self
            .officer_infos(t, Vec::new(), &Fields::new(), &mut input)
            .await?;
        let roles = actor.role_codes();
        let validators = crate::validators::DomainValidators { today };
        let ctx = GuardContext {
            on,
            actor_roles: &roles,
            officers: &officers,
            calendar: &self.calendar,
            config: &self.config,
            validators: &validators,
            linked: &[],
        };
        let plan = fazhi_workflow::plan(t, &snapshot, &create, &input, &ctx).map_err(refused)?;
        let history = vec![HistoryEvent {
            transition: create.clone(),
            on,
            input: plan.input.clone(),
        }];
        let clocks = fazhi_workflow::clocks(
            t,
            &history,
            &plan.field_updates,
            today,
            &self.calendar,
            &self.config,
        );
        Ok(PreparedCreate {
            case_type: t.code.clone(),
            create,
            on,
            on_reason,
            unit,
            plan,
            clocks,
            named,
            import: None,
        })
    }

    /// Turns a prepared create into an import: `extra` (fields the file carries beyond the
    /// create step's inputs, already parsed) joins the fields, the case starts in `state`, and
    /// the clocks are recomputed from the create step with every field; a case imported in a
    /// final state keeps no running clock (its steps are not in the file).
    pub(crate) fn mark_imported(
        &self,
        p: &mut PreparedCreate,
        extra: Fields,
        state: String,
        source: Value,
    ) -> Result<(), AppError> {
        let t = self.case_type(&p.case_type)?;
        p.plan.field_updates.extend(extra);
        let terminal = t.state(&state).map(|s| s.terminal).unwrap_or(false);
        p.clocks = if terminal {
            Vec::new()
        } else {
            let history = vec![HistoryEvent {
                transition: p.create.clone(),
                on: p.on,
                input: p.plan.input.clone(),
            }];
            fazhi_workflow::clocks(
                t,
                &history,
                &p.plan.field_updates,
                self.clock.today(),
                &self.calendar,
                &self.config,
            )
        };
        p.plan.input.insert(IMPORTED_KEY.into(), source.clone());
        p.plan.to = state;
        p.import = Some(ImportMark { source });
        Ok(())
    }

    /// Writes prepared creates (all validated) in one transaction, numbered as
    /// [`App::create_cases_bulk`] numbers them.
    pub(crate) async fn write_prepared(
        &self,
        actor: &Actor,
        prepared: Vec<PreparedCreate>,
        tx: &mut fazhi_store::Tx,
    ) -> Result<Vec<Outcome>, AppError> {
        let mut prefixes: Vec<String> = Vec::with_capacity(prepared.len());
        for p in &prepared {
            prefixes.push(number_prefix(self.case_type(&p.case_type)?, p.on));
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &prefixes {
            *counts.entry(p.as_str()).or_default() += 1;
        }
        let mut numbers: HashMap<&str, std::vec::IntoIter<String>> = HashMap::new();
        for (prefix, k) in counts {
            let reserved = store::next_numbers(tx, prefix, k).await?;
            numbers.insert(prefix, reserved.into_iter());
        }
        let mut out = Vec::with_capacity(prepared.len());
        for (i, p) in prepared.into_iter().enumerate() {
            let number = numbers
                .get_mut(prefixes[i].as_str())
                .and_then(Iterator::next)
                .ok_or_else(|| AppError::Internal("case number reservation ran out".into()))?;
            out.push(self.write_create(tx, actor, p, number).await?);
        }
        Ok(out)
    }

    async fn write_create(
        &self,
        tx: &mut fazhi_store::Tx,
        actor: &Actor,
        p: PreparedCreate,
        number: String,
    ) -> Result<Outcome, AppError> {
        let t = self.case_type(&p.case_type)?;
        let (due_on, due_level) = due_summary(t, &p.clocks);
        let fields = &p.plan.field_updates;
        let now = self.clock.now_ms();
        let title = title_of(t, fields);
        let search = search_text_of(t, &number, fields);
        let category = category_of(t, fields);
        let on_s = p.on.to_string();
        let terminal = t.state(&p.plan.to).map(|s| s.terminal).unwrap_or(false);
        let owner = Some(actor.id).filter(|id| id.0 != 0);
        let write = CaseWrite {
            case_type: &t.code,
            number: &number,
            unit_id: p.unit.id,
            unit_path: &p.unit.path,
            department_id: actor.department_id,
            owner_id: owner,
            state: &p.plan.to,
            title: &title,
            category,
            created_on: &on_s,
            closed_on: terminal.then_some(on_s.as_str()),
            due_on: due_on.as_deref(),
            due_level,
            published: false,
            fields,
            search_text: &search,
            at: now,
        };
        let event = NewEvent {
            case_id: CaseId(0),
            seq: 1,
            transition: &p.create,
            from_state: None,
            to_state: &p.plan.to,
            on_date: &on_s,
            at: now,
            actor_id: owner,
            input: &p.plan.input,
        };
        let clocks = clock_rows(CaseId(0), &p.clocks);
        let version = Some(t.version_tag());
        let id = store::insert_new_case_versioned(tx, &write, &event, &clocks, version.as_deref())
            .await?;
        if !p.named.is_empty() {
            store::set_case_officers(tx, id, &p.named).await?;
        }
        let mut after = serde_json::json!({ "number": number, "state": p.plan.to, "fields": fields, "unit": p.unit.code });
        if let Some(r) = &p.on_reason {
            after["on"] = p.on.to_string().into();
            after["on_reason"] = r.clone().into();
        }
        if let Some(m) = &p.import {
            after[IMPORTED_KEY] = m.source.clone();
        }
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: if p.import.is_some() {
                "import"
            } else {
                &p.create
            },
            entity: "case",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        Ok(Outcome {
            case_id: id,
            number,
            state: p.plan.to,
            version: 1,
            warnings: p.plan.warnings,
            opened: Vec::new(),
        })
    }

    /// Loads a case the actor may see.
    pub async fn case_row(&self, actor: &Actor, id: CaseId) -> Result<CaseRow, AppError> {
        let row = store::case(&self.db, id).await.map_err(not_found_case)?;
        self.visible(actor, row)
    }

    /// The case if the actor may see it.
    fn visible(&self, actor: &Actor, c: CaseRow) -> Result<CaseRow, AppError> {
        if !actor.can_see(&c) {
            // Not "forbidden": whether a case exists outside one's scope is not disclosed, and
            // the answer is the same as for a missing case.
            return Err(AppError::NotFound(CASE_NOT_FOUND.into()));
        }
        Ok(c)
    }

    /// Takes one transition on a case.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: CaseId,
        req: &TakeTransition,
    ) -> Result<Outcome, AppError> {
        // The case with its events, evidence and officers: one call on SQLite.
        let bundle = store::case_bundle(&self.db, id)
            .await
            .map_err(not_found_case)?;
        let case = self.visible(actor, bundle.case)?;
        if let Some(v) = req.version
            && v != case.version
        {
            return Err(AppError::Conflict(
                "案件已被他人更新，请刷新页面后重试".into(),
            ));
        }
        let t = self.case_type(&case.case_type)?.clone();
        let today = self.clock.today();
        let on = parse_on("on", req.on.as_deref(), today)?;
        let on_reason = backdate_reason(
            on,
            today,
            req.on_reason.as_deref(),
            self.config.backdate_reason_days,
        )?;
        let events = bundle.events;
        if let Some(last) = events.last()
            && on.to_string() < last.on_date
        {
            return Err(AppError::invalid(
                "on",
                "before_previous",
                format!("办理日期：不能早于上一步骤的日期{}", last.on_date),
            ));
        }
        let evidence = bundle.evidence;
        let mut history = history_of(&events);
        let snapshot = CaseSnapshot {
            case_type: t.code.clone(),
            state: Some(case.state.clone()),
            fields: case.fields.clone(),
            history: history.clone(),
            evidence_count: evidence.len() as u32,
            published: case.published,
        };
        let mut input = req.input.clone();
        let (officers, named) = self
            .officer_infos(&t, bundle.officers, &case.fields, &mut input)
            .await?;
        let roles = actor.role_codes();
        let validators = crate::validators::DomainValidators { today };
        let linked = self.linked_cases(&t, id, &req.transition).await?;
        let ctx = GuardContext {
            on,
            actor_roles: &roles,
            officers: &officers,
            calendar: &self.calendar,
            config: &self.config,
            validators: &validators,
            linked: &linked,
        };
        let plan =
            fazhi_workflow::plan(&t, &snapshot, &req.transition, &input, &ctx).map_err(refused)?;
        let mut fields = case.fields.clone();
        for (k, v) in &plan.field_updates {
            fields.insert(k.clone(), v.clone());
        }
        history.push(HistoryEvent {
            transition: req.transition.clone(),
            on,
            input: plan.input.clone(),
        });
        let clocks =
            fazhi_workflow::clocks(&t, &history, &fields, today, &self.calendar, &self.config);
        let (due_on, due_level) = due_summary(&t, &clocks);
        let now = self.clock.now_ms();
        let on_s = on.to_string();
        let terminal = t.state(&plan.to).map(|s| s.terminal).unwrap_or(false);
        let closed_on = if terminal {
            case.closed_on.clone().or_else(|| Some(on_s.clone()))
        } else {
            None
        };
        let published = plan.published.unwrap_or(case.published);
        // Dispatch (declared): the case moves to the department named in the declared field.
        let dispatch = t.capabilities.dispatches(&req.transition).and_then(|d| {
            let code = fields.get(&d.department_field).and_then(Value::as_str)?;
            Some((d.department_field.as_str(), code))
        });
        let department_id = match dispatch {
            Some((field, code)) => Some(
                org::department_by_code(&self.db, code)
                    .await?
                    .map(|d| d.id)
                    .ok_or_else(|| {
                        AppError::invalid(
                            field,
                            "unknown_department",
                            format!("{}：不存在代码为“{code}”的部门", t.field_label(field)),
                        )
                    })?,
            ),
            None => case.department_id,
        };
        let title = title_of(&t, &fields);
        let search = search_text_of(&t, &case.number, &fields);
        let category = category_of(&t, &fields).map(String::from);
        let write = CaseWrite {
            case_type: &t.code,
            number: &case.number,
            unit_id: case.unit_id,
            unit_path: &case.unit_path,
            department_id,
            owner_id: case.owner_id,
            state: &plan.to,
            title: &title,
            category: category.as_deref(),
            created_on: &case.created_on,
            closed_on: closed_on.as_deref(),
            due_on: due_on.as_deref(),
            due_level,
            published,
            fields: &fields,
            search_text: &search,
            at: now,
        };
        // Linked cases the transition opens (declared `opens`), validated before anything is
        // written; they are created in the same transaction.
        let links = self
            .prepare_links(
                actor,
                &t,
                &case,
                &req.transition,
                &fields,
                on,
                on_reason.as_deref(),
            )
            .await?;
        let mut tx = self.db.begin().await?;
        let version = store::update_case(&mut tx, id, case.version, &write).await?;
        if search != search_text_of(&t, &case.number, &case.fields) {
            fazhi_store::search::replace(&mut tx, id, &t.code, &case.unit_path, &search).await?;
        }
        let seq = events.last().map(|e| e.seq).unwrap_or(0) + 1;
        store::insert_event(
            &mut tx,
            &case.case_type,
            &NewEvent {
                case_id: id,
                seq,
                transition: &req.transition,
                from_state: Some(&case.state),
                to_state: &plan.to,
                on_date: &on_s,
                at: now,
                actor_id: Some(actor.id).filter(|id| id.0 != 0),
                input: &plan.input,
            },
        )
        .await?;
        store::replace_clocks(&mut tx, id, &case.case_type, &clock_rows(id, &clocks)).await?;
        if !named.is_empty() {
            store::set_case_officers(&mut tx, id, &named).await?;
        }
        // Publication (declared): the transition's `published = true/false`, the body from the
        // case type's publication capability.
        if let Some(p) = &t.capabilities.publication {
            match plan.published {
                Some(true) => {
                    let agency = org::unit(&self.db, case.unit_id).await?.name;
                    let (title, body) = crate::publication::body(
                        &t,
                        p,
                        &case.number,
                        &agency,
                        &on_s,
                        &fields,
                        &events,
                    );
                    store::insert_publication(&mut tx, id, &on_s, &title, &body).await?;
                }
                Some(false) => {
                    let reason = p
                        .withdraw_reason_field
                        .as_deref()
                        .and_then(|f| req.input.get(f))
                        .map(value_text)
                        .unwrap_or_default();
                    store::withdraw_publications(&mut tx, id, &on_s, &reason).await?;
                }
                None => {}
            }
        }
        let mut opened = Vec::new();
        for p in links {
            opened.push(
                self.write_link(&mut tx, actor, &case, &req.transition, p, now)
                    .await?,
            );
        }
        let changed: Fields = plan
            .field_updates
            .iter()
            .map(|(k, _)| {
                (
                    k.clone(),
                    case.fields.get(k).cloned().unwrap_or(Value::Null),
                )
            })
            .collect();
        let before = serde_json::json!({ "state": case.state, "fields": changed });
        let mut after = serde_json::json!({ "state": plan.to, "fields": plan.field_updates, "on": on_s, "input": plan.input });
        if let Some(r) = on_reason {
            after["on_reason"] = r.into();
        }
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: &req.transition,
            entity: "case",
            entity_id: &id.to_string(),
            before: Some(&before),
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(Outcome {
            case_id: id,
            number: case.number,
            state: plan.to,
            version,
            warnings: plan.warnings,
            opened,
        })
    }

    /// The other cases of the case's matter as the guards see them (guard `linked_case`), oldest
    /// link first; read only when the transition has such a guard.
    async fn linked_cases(
        &self,
        t: &CaseType,
        id: CaseId,
        transition: &str,
    ) -> Result<Vec<LinkedCase>, AppError> {
        if !t
            .transition(transition)
            .is_some_and(|d| d.reads_linked_cases())
        {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for link in fazhi_store::links::matter_of(&self.db, id).await? {
            if link.case_id == id {
                continue;
            }
            let c = store::case(&self.db, link.case_id).await?;
            let (name, state_label) = match self.case_type(&c.case_type) {
                Ok(ct) => (ct.name_zh.clone(), ct.state_label(&c.state)),
                Err(_) => (c.case_type.clone(), c.state.clone()),
            };
            out.push(LinkedCase {
                case_type: c.case_type,
                case_type_name: name,
                number: c.number,
                state: c.state,
                state_label,
                fields: c.fields,
            });
        }
        Ok(out)
    }

    /// The creates of the linked cases a transition opens: carried fields as input of the target
    /// type's create transition, in the case's unit, on the step's date. A refused or invalid
    /// create refuses the step (nothing is written).
    // One call site; the step's date and its reason for a past date are passed as the step has them.
    #[allow(clippy::too_many_arguments)]
    async fn prepare_links(
        &self,
        actor: &Actor,
        t: &CaseType,
        case: &CaseRow,
        transition: &str,
        fields: &Fields,
        on: Date,
        on_reason: Option<&str>,
    ) -> Result<Vec<PreparedCreate>, AppError> {
        let mut out = Vec::new();
        let mut units = HashMap::new();
        for o in t.capabilities.opened_by(transition) {
            let target = self.case_type(&o.case_type)?;
            let mut input = Fields::new();
            for (from, to) in &o.carry {
                let Some(v) = fields.get(from).filter(|v| !v.is_null()) else {
                    continue;
                };
                input.insert(to.clone(), carried_value(t, from, target, to, v));
            }
            for (to, v) in &o.set {
                input.insert(to.clone(), v.clone());
            }
            let unit = org::unit(&self.db, case.unit_id).await?;
            let req = CreateCase {
                case_type: o.case_type.clone(),
                transition: None,
                unit_code: Some(unit.code),
                on: Some(on.to_string()),
                // A late step's linked cases are as late as the step, for the same reason.
                on_reason: on_reason.map(str::to_string),
                input,
            };
            out.push(
                self.prepare_create(actor, &req, &mut units)
                    .await
                    .map_err(|e| linked_error(target, e))?,
            );
        }
        Ok(out)
    }

    /// Writes one prepared linked case and links it into the matter of `parent` (audited).
    async fn write_link(
        &self,
        tx: &mut fazhi_store::Tx,
        actor: &Actor,
        parent: &CaseRow,
        transition: &str,
        p: PreparedCreate,
        now: i64,
    ) -> Result<Opened, AppError> {
        let t = self.case_type(&p.case_type)?;
        let case_type = t.code.clone();
        let number = store::next_number(tx, &number_prefix(t, p.on)).await?;
        let out = self.write_create(tx, actor, p, number).await?;
        let matter =
            fazhi_store::links::link(tx, parent.id, &parent.number, out.case_id, transition, now)
                .await?;
        let after = serde_json::json!({
            "matter_number": matter,
            "parent": parent.number,
            "transition": transition,
            "case": out.number,
            "case_type": case_type,
        });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "link",
            entity: "case",
            entity_id: &out.case_id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        Ok(Opened {
            case_id: out.case_id,
            number: out.number,
            case_type,
            matter_number: matter,
        })
    }

    /// Attaches a file to a case: stored under its SHA-256, the hash recorded in the audit log
    /// (全过程记录, 《行政处罚法》第四十七条).
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        id: CaseId,
        filename: &str,
        media_type: &str,
        data: &[u8],
        description: &str,
    ) -> Result<EvidenceRow, AppError> {
        let case = self.case_row(actor, id).await?;
        if actor.has(Role::Viewer) && actor.roles.len() == 1 {
            return Err(AppError::Forbidden("查看人员不能上传证据".into()));
        }
        if case.closed_on.is_some() {
            return Err(AppError::invalid(
                "file",
                "closed",
                "证据：案件已办结，不能再添加证据",
            ));
        }
        let mut problems = Vec::new();
        if data.is_empty() {
            problems.push(crate::FieldProblem::new(
                "file",
                "empty",
                "证据文件：文件为空",
            ));
        }
        if data.len() > self.evidence_limits.max_bytes {
            problems.push(crate::FieldProblem::new(
                "file",
                "too_large",
                format!(
                    "证据文件：不能超过{}MB（当前{:.1}MB）",
                    self.evidence_limits.max_bytes / 1024 / 1024,
                    data.len() as f64 / 1024.0 / 1024.0
                ),
            ));
        }
        if !self
            .evidence_limits
            .allowed_types
            .iter()
            .any(|t| t == media_type)
        {
            problems.push(crate::FieldProblem::new("file", "type", format!("证据文件：不支持的文件类型“{media_type}”，仅支持图片（JPEG/PNG）、PDF、MP4视频、MP3音频、文本和Word文档")));
        }
        let name = filename.trim();
        if name.is_empty() || name.chars().count() > 200 {
            problems.push(crate::FieldProblem::new(
                "filename",
                "length",
                "文件名：必填，最多200个字符",
            ));
        }
        if description.chars().count() > 500 {
            problems.push(crate::FieldProblem::new(
                "description",
                "too_long",
                "证据说明：最多500个字符",
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let sha = hex::encode(Sha256::digest(data));
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        store::put_blob(&mut tx, &sha, data).await?;
        let eid: EvidenceId = store::insert_evidence(
            &mut tx,
            &NewEvidence {
                case_id: id,
                sha256: &sha,
                filename: name,
                media_type,
                size: data.len() as i64,
                description,
                uploaded_by: Some(actor.id).filter(|i| i.0 != 0),
                at: now,
            },
        )
        .await?;
        let after = serde_json::json!({ "evidence_id": eid, "sha256": sha, "filename": name, "media_type": media_type, "size": data.len() });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "add_evidence",
            entity: "case",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(store::evidence(&self.db, eid).await?)
    }

    /// The bytes of an evidence file, for an actor who may see its case.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        eid: EvidenceId,
    ) -> Result<(EvidenceRow, Vec<u8>), AppError> {
        let e = store::evidence(&self.db, eid).await?;
        self.case_row(actor, e.case_id).await?;
        let data = store::blob(&self.db, &e.sha256).await?;
        Ok((e, data))
    }

    /// Scoped, filtered list.
    pub async fn list_cases(
        &self,
        actor: &Actor,
        mut filter: CaseFilter,
    ) -> Result<(Vec<CaseRow>, i64), AppError> {
        actor.scope_filter(&mut filter);
        let (mut rows, total) = store::list_cases(&self.db, &filter).await?;
        for r in &mut rows {
            if let Some(t) = self.registry.get(&r.case_type) {
                strip_restricted(t, &mut r.fields);
            }
        }
        Ok((rows, total))
    }

    /// The full case page. With `reveal`, personal data is shown unmasked and the access audited.
    pub async fn case_view(
        &self,
        actor: &Actor,
        id: CaseId,
        reveal: bool,
    ) -> Result<CaseView, AppError> {
        let mut case = self.case_row(actor, id).await?;
        let t = self.case_type(&case.case_type)?.clone();
        let revealed = reveal && actor.may_reveal_personal();
        let roles = actor.role_codes();
        let may_see = |code: &str| t.field(code).is_none_or(|f| f.visible_to_roles(&roles));
        // Fields restricted to a role (visible_to): every view that shows one is audited.
        let restricted_shown: Vec<String> = t
            .fields
            .iter()
            .filter(|f| f.restricted() && f.visible_to_roles(&roles))
            .filter(|f| {
                case.fields
                    .get(&f.code)
                    .is_some_and(|v| !value_text(v).is_empty())
            })
            .map(|f| f.code.clone())
            .collect();
        if !restricted_shown.is_empty() {
            let mut tx = self.db.begin().await?;
            let after = serde_json::json!({ "fields": restricted_shown, "revealed": revealed });
            tx.audit(AuditEntry {
                at: self.clock.now_ms(),
                actor: &actor.login,
                action: "view_restricted",
                entity: "case",
                entity_id: &id.to_string(),
                before: None,
                after: Some(&after),
            })
            .await?;
            tx.commit().await?;
        }
        if revealed {
            let mut tx = self.db.begin().await?;
            let after = serde_json::json!({ "fields": t.fields.iter().filter(|f| f.personal).map(|f| f.code.clone()).collect::<Vec<_>>() });
            tx.audit(AuditEntry {
                at: self.clock.now_ms(),
                actor: &actor.login,
                action: "reveal_personal",
                entity: "case",
                entity_id: &id.to_string(),
                before: None,
                after: Some(&after),
            })
            .await?;
            tx.commit().await?;
        }
        let units = org::units(&self.db).await?;
        let depts = org::departments(&self.db).await?;
        let users = org::users(&self.db).await?;
        let events = store::events(&self.db, id).await?;
        // Departments and officers are stored by code / id; people read names.
        let officer_rows = org::officers(&self.db).await?;
        let show = |code: &str, v: &Value| -> String {
            match t.field(code).map(|f| f.kind) {
                Some(FieldKind::Department) => {
                    let c = value_text(v);
                    depts
                        .iter()
                        .find(|d| d.code == c || d.id.0.to_string() == c)
                        .map(|d| d.name.clone())
                        .unwrap_or(c)
                }
                Some(FieldKind::Officer) | Some(FieldKind::OfficerList) => {
                    let ids: Vec<Value> = match v {
                        Value::Array(a) => a.clone(),
                        other => vec![other.clone()],
                    };
                    ids.iter()
                        .map(|x| {
                            let key = value_text(x);
                            officer_rows
                                .iter()
                                .find(|o| o.id.0.to_string() == key || o.code == key)
                                .map(|o| format!("{}（{}）", o.name, o.code))
                                .unwrap_or(key)
                        })
                        .collect::<Vec<_>>()
                        .join("、")
                }
                _ => display_value(&t, code, v, revealed),
            }
        };
        let display_fields = t
            .fields
            .iter()
            .filter(|f| f.visible_to_roles(&roles))
            .filter_map(|f| {
                case.fields
                    .get(&f.code)
                    .filter(|v| !v.is_null() && !value_text(v).is_empty())
                    .map(|v| DisplayField {
                        code: f.code.clone(),
                        label: f.label_zh.clone(),
                        value: show(&f.code, v),
                        personal: f.personal,
                    })
            })
            .collect();
        // Nothing personal leaves unmasked unless revealed: the raw input of every event and
        // the stored field map carry the same masking as the displayed fields.
        let mask_map = |m: &Fields| -> Fields {
            m.iter()
                .map(|(k, v)| match t.field(k) {
                    Some(f) if f.personal && !revealed && !v.is_null() => {
                        (k.clone(), Value::String(display_value(&t, k, v, false)))
                    }
                    _ => (k.clone(), v.clone()),
                })
                .collect()
        };
        let events_view = events
            .iter()
            .map(|e| EventView {
                label: if e.input.contains_key(IMPORTED_KEY) {
                    format!("{}（从文件导入）", t.transition_label(&e.transition))
                } else {
                    t.transition_label(&e.transition)
                },
                actor_name: e
                    .actor_id
                    .and_then(|a| users.iter().find(|u| u.id == a))
                    .map(|u| u.display_name.clone())
                    .unwrap_or_else(|| "系统".into()),
                summary: e
                    .input
                    .iter()
                    .filter(|(k, _)| *k != "override_warnings" && *k != IMPORTED_KEY && may_see(k))
                    .map(|(k, v)| (t.field_label(k), show(k, v)))
                    .collect(),
                event: {
                    // The raw input would bypass masking: restricted fields never travel in it,
                    // and personal data in it is masked as the fields are.
                    let mut e = EventRow {
                        input: mask_map(&e.input),
                        ..e.clone()
                    };
                    strip_restricted(&t, &mut e.input);
                    e
                },
            })
            .collect();
        // Clocks are recomputed for today: a stored "running" clock may have become overdue.
        // A case imported in a final state has none (its steps are not in the file).
        let imported_final = events
            .first()
            .is_some_and(|e| e.input.contains_key(IMPORTED_KEY))
            && t.state(&case.state).is_some_and(|s| s.terminal);
        let clocks = if imported_final {
            Vec::new()
        } else {
            clock_rows(
                id,
                &fazhi_workflow::clocks(
                    &t,
                    &history_of(&events),
                    &case.fields,
                    self.clock.today(),
                    &self.calendar,
                    &self.config,
                ),
            )
        };
        strip_hidden(&t, actor, &mut case.fields);
        let actions: Vec<ActionView> = t
            .transitions_from(Some(&case.state))
            .filter(|tr| tr.roles.iter().any(|r| roles.contains(r)))
            .map(|tr| ActionView {
                code: tr.code.clone(),
                label: tr.label_zh.clone(),
                inputs: tr
                    .inputs
                    .iter()
                    .map(|i| {
                        let f = t.field(&i.field);
                        InputView {
                            field: i.field.clone(),
                            label: t.field_label(&i.field),
                            kind: f
                                .map(|f| f.kind.code().to_string())
                                .unwrap_or_else(|| "text".into()),
                            required: i.required,
                            options: f
                                .and_then(|f| f.dictionary.as_deref())
                                .and_then(|d| t.dictionary(d))
                                .map(|d| {
                                    d.iter()
                                        .map(|e| (e.value.clone(), e.label_zh.clone()))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        }
                    })
                    .collect(),
            })
            .collect();
        let next_steps = clocks
            .iter()
            .filter(|c| c.status == "running" || c.status == "overdue")
            .map(|c| {
                format!(
                    "{}：应于{}前完成（{}）",
                    c.label,
                    c.due_on.clone().unwrap_or_else(|| "—".into()),
                    c.basis
                )
            })
            .collect();
        // The clerk sees what will be published, redacted, before the publishing step.
        let publication_preview = match &t.capabilities.publication {
            Some(p) if actions.iter().any(|a: &ActionView| a.code == p.publish) => {
                let agency = units
                    .iter()
                    .find(|u| u.id == case.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default();
                let on = self.clock.today().to_string();
                let (title, body) = crate::publication::body(
                    &t,
                    p,
                    &case.number,
                    &agency,
                    &on,
                    &case.fields,
                    &events,
                );
                Some(PublicationPreview {
                    transition: p.publish.clone(),
                    title,
                    items: crate::publication::items_of(&body),
                })
            }
            _ => None,
        };
        let officer_ids = store::case_officers(&self.db, id).await?;
        let mut officers = Vec::new();
        for o in officer_ids {
            let o = org::officer(&self.db, o).await?;
            officers.push(format!("{}（{}）", o.name, o.code));
        }
        Ok(CaseView {
            type_name: t.name_zh.clone(),
            state_label: t.state_label(&case.state),
            unit_name: units
                .iter()
                .find(|u| u.id == case.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            department_name: case
                .department_id
                .and_then(|d| depts.iter().find(|x| x.id == d))
                .map(|d| d.name.clone()),
            display_fields,
            events: events_view,
            clocks,
            evidence: store::evidence_of(&self.db, id).await?,
            publications: store::publications_of(&self.db, id).await?,
            officers,
            actions,
            next_steps,
            revealed,
            matter: self.matter_view(actor, &case).await?,
            publication_preview,
            case: CaseRow {
                fields: mask_map(&case.fields),
                ..case
            },
        })
    }

    /// The matter chain of a case (`None` when it has no links).
    pub async fn matter_view(
        &self,
        actor: &Actor,
        case: &CaseRow,
    ) -> Result<Option<MatterView>, AppError> {
        let links: Vec<LinkRow> = fazhi_store::links::matter_of(&self.db, case.id).await?;
        let Some(first) = links.first() else {
            return Ok(None);
        };
        let number = first.matter_number.clone();
        let mut cases = Vec::with_capacity(links.len());
        let mut numbers: HashMap<CaseId, String> = HashMap::new();
        for l in &links {
            let row = store::case(&self.db, l.case_id).await?;
            numbers.insert(row.id, row.number.clone());
            let t = self.registry.get(&row.case_type);
            let type_name = t.map_or_else(|| row.case_type.clone(), |t| t.name_zh.clone());
            let parent = l.parent_case_id.and_then(|p| numbers.get(&p).cloned());
            let opened_by = l.transition.clone().filter(|_| l.parent_case_id.is_some());
            if !actor.can_see(&row) {
                cases.push(MatterCase {
                    case_id: row.id,
                    number: row.number,
                    case_type: row.case_type,
                    type_name,
                    current: false,
                    visible: false,
                    state: String::new(),
                    state_label: String::new(),
                    opened_from: parent,
                    opened_by: None,
                    clocks: Vec::new(),
                    due_on: None,
                });
                continue;
            }
            let clocks = store::clocks(&self.db, row.id)
                .await?
                .iter()
                .map(|c| {
                    format!(
                        "{}：{}（{}）",
                        c.label,
                        c.due_on.clone().unwrap_or_else(|| "—".into()),
                        clock_status_zh(&c.status)
                    )
                })
                .collect();
            // The label of the opening step, from the parent's case type.
            let opened_by = opened_by.map(|tr| {
                l.parent_case_id
                    .and_then(|p| cases.iter().find(|c: &&MatterCase| c.case_id == p))
                    .and_then(|pc| self.registry.get(&pc.case_type))
                    .map_or_else(|| tr.clone(), |pt| pt.transition_label(&tr))
            });
            cases.push(MatterCase {
                case_id: row.id,
                current: row.id == case.id,
                visible: true,
                state_label: t.map_or_else(|| row.state.clone(), |t| t.state_label(&row.state)),
                state: row.state,
                number: row.number,
                case_type: row.case_type,
                type_name,
                opened_from: parent,
                opened_by,
                clocks,
                due_on: row.due_on,
            });
        }
        Ok(Some(MatterView { number, cases }))
    }

    /// Published decisions in force (public, no login).
    pub async fn public_decisions(&self, page: i64) -> Result<Vec<PublicationRow>, AppError> {
        Ok(store::public_publications(&self.db, (page.max(1) - 1) * 20, 20).await?)
    }

    pub async fn public_decision(&self, id: i64) -> Result<PublicationRow, AppError> {
        let p = store::publication(&self.db, id).await?;
        if p.withdrawn_on.is_some() {
            return Err(AppError::NotFound("该公示信息已撤回".into()));
        }
        Ok(p)
    }
}

impl App {
    /// "Waiting for me": open cases, in the actor's scope, whose current state offers a
    /// transition one of the actor's roles may take. Returns the most urgent `limit` cases (by
    /// due date) and the total (each state's count capped like list counts).
    pub async fn waiting_for(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<(Vec<CaseRow>, i64), AppError> {
        let roles = actor.role_codes();
        let mut rows = Vec::new();
        let mut total = 0;
        for t in self.registry.types() {
            for st in t.states.iter().filter(|s| !s.terminal) {
                let actionable = t
                    .transitions_from(Some(&st.code))
                    .any(|tr| tr.roles.iter().any(|r| roles.contains(r)));
                if !actionable {
                    continue;
                }
                let f = CaseFilter {
                    case_type: Some(t.code.clone()),
                    state: Some(st.code.clone()),
                    open_only: true,
                    sort: fazhi_store::cases::Sort::DueAsc,
                    limit,
                    ..Default::default()
                };
                let (mut r, n) = self.list_cases(actor, f).await?;
                total += n;
                rows.append(&mut r);
            }
        }
        rows.sort_by(|a, b| {
            (a.due_on.is_none(), &a.due_on, a.id).cmp(&(b.due_on.is_none(), &b.due_on, b.id))
        });
        rows.truncate(limit.max(0) as usize);
        Ok((rows, total))
    }
}
