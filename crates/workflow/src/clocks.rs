//! Statutory clocks: computed from the history on the official calendar, with tolling,
//! extensions and graded warnings.

use fazhi_calendar::{Calendar, CalendarError, PeriodUnit};
use jiff::ToSpan;
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::WorkflowConfig;
use crate::model::{CaseType, ClockDef, ClockKind, ClockLength};
use crate::plan::HistoryEvent;

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    /// Running, not yet due.
    Running,
    /// Tolled (e.g. during a hearing).
    Paused,
    /// Stopped in time.
    Met,
    /// Stopped, but after the due date (met late).
    Missed,
    /// Still running past the due date.
    Overdue,
    /// A party's window that has run out (the agency may proceed).
    Elapsed,
}

impl ClockStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            ClockStatus::Running => "计时中",
            ClockStatus::Paused => "暂停计时",
            ClockStatus::Met => "按期完成",
            ClockStatus::Missed => "逾期完成",
            ClockStatus::Overdue => "已超期",
            ClockStatus::Elapsed => "期间已届满",
        }
    }
}

/// Graded warning (预警 → 临期 → 超期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    Normal,
    /// 预警: at most the configured fraction of the period left.
    Warning,
    /// 临期: at most the configured number of days left.
    DueSoon,
    /// 超期.
    Overdue,
}

impl WarningLevel {
    pub fn label_zh(self) -> &'static str {
        match self {
            WarningLevel::Normal => "正常",
            WarningLevel::Warning => "预警",
            WarningLevel::DueSoon => "临期",
            WarningLevel::Overdue => "超期",
        }
    }
}

/// The state of one clock of a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockState {
    pub code: String,
    pub label_zh: String,
    /// Statute and article (or the configured basis).
    pub basis: String,
    pub started_on: Date,
    /// `None` when it cannot be computed (no configured limit, or past the calendar data).
    pub due: Option<Date>,
    pub status: ClockStatus,
    pub level: WarningLevel,
    pub stopped_on: Option<Date>,
    /// Units not counted because the clock was paused (tolling).
    pub paused_days: i32,
    /// Units added by approved extensions.
    pub extended_by: i32,
    pub unit: PeriodUnit,
    /// Base length of the period.
    pub n: u32,
    /// Units left until the due date (negative when overdue); `None` once stopped.
    pub remaining: Option<i32>,
    pub calendar_version: String,
    /// The due date runs past the last year with an official holiday arrangement and was
    /// counted with weekends only (暂定) until that year is imported (`fazhi calendar import`).
    pub provisional: bool,
    /// How the due date was computed, line by line.
    pub explanation_zh: Vec<String>,
}

#[derive(Debug, Clone)]
struct Cycle {
    started_on: Date,
    started_by: String,
    stopped: Option<(Date, String)>,
    /// (from, to, reason, at most this many units excluded); `to` is `None` while paused.
    pauses: Vec<(Date, Option<Date>, String, Option<u32>)>,
    /// (granted on, units).
    extensions: Vec<(Date, u32)>,
    /// The start date was read from this field (`start_field`) rather than the event's date.
    start_from_field: Option<String>,
    /// Grants that did not extend the clock, with the reason (e.g. no notice to the party).
    ignored_extensions: Vec<(Date, String)>,
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

fn date_value(v: Option<&Value>) -> Option<Date> {
    v.and_then(Value::as_str)
        .and_then(|s| s.trim().parse().ok())
}

fn units(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|u| u32::try_from(u).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Runs the history through one clock definition and returns the latest cycle.
fn run_cycle(
    def: &ClockDef,
    history: &[HistoryEvent],
    fields: &Map<String, Value>,
) -> Option<Cycle> {
    let mut cycle: Option<Cycle> = None;
    let mut prior = def.requires_prior.is_none();
    for (i, ev) in history.iter().enumerate() {
        let t = ev.transition.as_str();
        let running = cycle.as_ref().is_some_and(|c| c.stopped.is_none());
        // Stop before start: a transition that both stops and starts (none today) ends the old
        // cycle first.
        if running
            && def.stop.iter().any(|s| s == t)
            && let Some(c) = cycle.as_mut()
        {
            for p in c.pauses.iter_mut().filter(|p| p.1.is_none()) {
                p.1 = Some(ev.on);
            }
            c.stopped = Some((ev.on, t.to_owned()));
        }
        let running = cycle.as_ref().is_some_and(|c| c.stopped.is_none());
        let starts =
            (def.start.iter().any(|s| s == t) && !running) || def.restart.iter().any(|s| s == t);
        if starts && prior {
            let restarting = def.restart.iter().any(|s| s == t);
            let field = match (&def.restart_field, restarting) {
                (Some(f), true) => Some(f.as_str()),
                _ => def.start_field.as_deref(),
            };
            let from_field = field.and_then(|f| {
                let d = date_value(ev.input.get(f)).or_else(|| date_value(fields.get(f)))?;
                Some((d, f.to_owned()))
            });
            cycle = Some(Cycle {
                started_on: from_field.as_ref().map_or(ev.on, |x| x.0),
                started_by: t.to_owned(),
                stopped: None,
                pauses: Vec::new(),
                extensions: Vec::new(),
                start_from_field: from_field.map(|x| x.1),
                ignored_extensions: Vec::new(),
            });
        }
        if let Some(c) = cycle.as_mut().filter(|c| c.stopped.is_none()) {
            for p in &def.pauses {
                if p.from == t && !c.pauses.iter().any(|x| x.1.is_none()) {
                    c.pauses.push((ev.on, None, p.reason_zh.clone(), p.max));
                } else if p.to == t
                    && let Some(open) = c.pauses.iter_mut().find(|x| x.1.is_none())
                {
                    open.1 = Some(ev.on);
                }
            }
            if let Some(ext) = &def.extension
                && ext.on == t
            {
                let granted = ext.days.or_else(|| {
                    let field = ext.days_field.as_deref()?;
                    match &ext.request {
                        Some(req) => history[..i]
                            .iter()
                            .rev()
                            .take_while(|e| e.transition != ext.on)
                            .find(|e| &e.transition == req)
                            .and_then(|e| units(e.input.get(field))),
                        None => units(ev.input.get(field)),
                    }
                });
                let noticed = ext
                    .notice_field
                    .as_deref()
                    .is_none_or(|f| truthy(ev.input.get(f)));
                if granted.is_some() && !noticed {
                    c.ignored_extensions
                        .push((ev.on, "未记录对当事人的延期告知，不延长期限".to_owned()));
                } else if let Some(mut days) = granted {
                    let so_far: u32 = c.extensions.iter().map(|e| e.1).sum();
                    if let Some(max) = ext.max_total {
                        days = days.min(max.saturating_sub(so_far));
                    }
                    if days > 0 {
                        c.extensions.push((ev.on, days));
                    }
                }
            }
        }
        if def.requires_prior.as_deref() == Some(t) {
            prior = true;
        }
        if def.undone_by.as_deref() == Some(t) && def.requires_prior.is_some() {
            prior = false;
        }
    }
    cycle
}

/// Length in units between two dates of a pause.
fn span_units(
    cal: &Calendar,
    unit: PeriodUnit,
    from: Date,
    to: Date,
) -> Result<u32, CalendarError> {
    let days = (to - from).get_days().max(0) as u32;
    Ok(match unit {
        PeriodUnit::NaturalDays | PeriodUnit::Months => days,
        PeriodUnit::WorkingDays => cal.working_days_between_provisional(from, to)?.max(0) as u32,
        PeriodUnit::Hours => days * 24,
        PeriodUnit::Minutes => days * 24 * 60,
    })
}

/// Computes every clock of a case that has started.
pub fn clocks(
    case_type: &CaseType,
    history: &[HistoryEvent],
    fields: &Map<String, Value>,
    today: Date,
    calendar: &Calendar,
    config: &WorkflowConfig,
) -> Vec<ClockState> {
    let mut out = Vec::new();
    for def in &case_type.clocks {
        if let Some(f) = &def.only_if_field {
            let v = fields.get(f);
            let listed = def.only_if_values.is_empty()
                || v.and_then(Value::as_str)
                    .is_some_and(|s| def.only_if_values.iter().any(|x| x == s));
            if !truthy(v) || !listed {
                continue;
            }
        }
        let Some(cycle) = run_cycle(def, history, fields) else {
            continue;
        };
        let state =
            match timed_clock_state(case_type, def, &cycle, history, fields, today, calendar) {
                Some(s) => s,
                None => clock_state(case_type, def, &cycle, fields, today, calendar, config),
            };
        out.push(state);
    }
    out
}

fn clock_state(
    ct: &CaseType,
    def: &ClockDef,
    cycle: &Cycle,
    fields: &Map<String, Value>,
    today: Date,
    cal: &Calendar,
    config: &WorkflowConfig,
) -> ClockState {
    let mut lines = vec![format!("{}：{}", def.label_zh, def.basis)];
    match &cycle.start_from_field {
        Some(f) => lines.push(format!(
            "“{}”时记录的{}为{}，自该日起算",
            ct.transition_label(&cycle.started_by),
            ct.field_label(f),
            cycle.started_on
        )),
        None => lines.push(format!(
            "{}“{}”，开始计时",
            cycle.started_on,
            ct.transition_label(&cycle.started_by)
        )),
    }
    let mut until: Option<Date> = None;
    let (n, unit, basis) = match &def.length {
        ClockLength::Fixed { n, unit } => (Some(*n), *unit, def.basis.clone()),
        ClockLength::UntilField { field } => {
            until = date_value(fields.get(field));
            match until {
                Some(d) => lines.push(format!(
                    "期满日为{}{d}（按该日期届满，不顺延）",
                    ct.field_label(field)
                )),
                None => lines.push(format!("尚未记录{}，无法确定期满日", ct.field_label(field))),
            }
            (None, PeriodUnit::NaturalDays, def.basis.clone())
        }
        ClockLength::Table { table, key_field } => {
            let key = key_field
                .as_deref()
                .and_then(|k| fields.get(k))
                .and_then(Value::as_str);
            match config.limit(table, key) {
                Some(l) => {
                    let what = key.map_or_else(String::new, |k| format!("“{k}”类"));
                    lines.push(format!(
                        "期限按配置确定：{what}{}{}（{}）",
                        l.n,
                        l.unit.label_zh(),
                        l.basis
                    ));
                    (Some(l.n), l.unit, l.basis.clone())
                }
                None => {
                    lines.push(format!(
                        "未配置{}的期限，无法计算期满日",
                        key.map_or_else(|| "该案件".to_owned(), |k| format!("“{k}”类"))
                    ));
                    (None, PeriodUnit::WorkingDays, def.basis.clone())
                }
            }
        }
    };
    let stopped_on = cycle.stopped.as_ref().map(|s| s.0);
    let extended: u32 = cycle.extensions.iter().map(|e| e.1).sum();
    for (on, days) in &cycle.extensions {
        lines.push(format!("{on}批准延期{days}{}", unit.label_zh()));
    }
    for (on, why) in &cycle.ignored_extensions {
        lines.push(format!("{on}批准延期，但{why}"));
    }
    let mut paused: u32 = 0;
    let mut paused_now = false;
    let mut errors: Vec<String> = Vec::new();
    for (from, to, reason, max) in &cycle.pauses {
        let end = match to {
            Some(d) => *d,
            None => today.max(*from),
        };
        match span_units(cal, unit, *from, end) {
            Ok(u) => {
                if let Some(m) = *max
                    && u >= m
                {
                    // The excluded time has a statutory ceiling: beyond it the clock runs.
                    paused += m;
                    let u_zh = unit.label_zh();
                    match to {
                        Some(_) => lines.push(format!(
                            "{from}至{end}因{reason}暂停计时共{u}{u_zh}，依法至多{m}{u_zh}不计入期限"
                        )),
                        None => lines.push(format!(
                            "自{from}起因{reason}暂停计时，不计入期限的时间已达上限{m}{u_zh}，此后恢复计时"
                        )),
                    }
                    continue;
                }
                paused += u;
                if to.is_none() {
                    paused_now = true;
                }
                if to.is_some() {
                    lines.push(format!(
                        "{from}至{end}因{reason}暂停计时，不计入期限，共{u}{}",
                        unit.label_zh()
                    ));
                } else {
                    lines.push(format!(
                        "自{from}起因{reason}暂停计时，至今{u}{}不计入期限，恢复后期满日相应顺延",
                        unit.label_zh()
                    ));
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    let mut due = until;
    let mut provisional = false;
    if let Some(n) = n {
        let total = n + extended + paused;
        if extended > 0 || paused > 0 {
            lines.push(format!(
                "计算期限：{n}{u} + 延期{extended}{u} + 暂停{paused}{u} = {total}{u}",
                u = unit.label_zh()
            ));
        }
        // Past the last loaded year the due date is provisional (weekends only), so that the
        // clock still warns until the year's arrangement is imported.
        match cal.due_provisional(cycle.started_on, total, unit, config.roll) {
            Ok(d) => {
                lines.extend(d.explain_zh());
                provisional = d.provisional;
                due = Some(d.due);
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    lines.extend(errors);
    if let Some((on, by)) = &cycle.stopped {
        lines.push(format!("{on}“{}”，停止计时", ct.transition_label(by)));
    }

    let window = def.kind == ClockKind::Window;
    let status = match (stopped_on, due) {
        (Some(s), Some(d)) if s > d => {
            if window {
                ClockStatus::Elapsed
            } else {
                ClockStatus::Missed
            }
        }
        (Some(_), _) => ClockStatus::Met,
        (None, _) if paused_now => ClockStatus::Paused,
        (None, Some(d)) if today > d => {
            if window {
                ClockStatus::Elapsed
            } else {
                ClockStatus::Overdue
            }
        }
        (None, _) => ClockStatus::Running,
    };
    let remaining = match (stopped_on, due) {
        (None, Some(d)) => remaining_units(cal, unit, today, d).ok(),
        _ => None,
    };
    let total = n.unwrap_or(0) + extended;
    // Remaining time is counted in days for a period in months (a month taken as 30 days for
    // the warning fraction).
    let (total, left_label) = match unit {
        PeriodUnit::Months => (total * 30, PeriodUnit::NaturalDays.label_zh()),
        _ => (total, unit.label_zh()),
    };
    let level = if window {
        WarningLevel::Normal
    } else {
        match status {
            ClockStatus::Missed | ClockStatus::Overdue => WarningLevel::Overdue,
            ClockStatus::Met | ClockStatus::Elapsed => WarningLevel::Normal,
            ClockStatus::Running | ClockStatus::Paused => match remaining {
                Some(r) if r <= config.warnings.due_soon_days as i32 => WarningLevel::DueSoon,
                Some(r)
                    if f64::from(r)
                        <= f64::from(total) * config.warnings.warning_fraction + 1e-6 =>
                {
                    WarningLevel::Warning
                }
                _ => WarningLevel::Normal,
            },
        }
    };
    match status {
        ClockStatus::Running | ClockStatus::Paused => {
            if let Some(r) = remaining {
                lines.push(format!(
                    "截至{today}剩余{r}{left_label}（{}）",
                    level.label_zh()
                ));
            }
        }
        ClockStatus::Overdue => {
            if let Some(r) = remaining {
                lines.push(format!("截至{today}已超期{}{left_label}", -r));
            }
        }
        ClockStatus::Missed => lines.push("逾期完成".to_owned()),
        ClockStatus::Met => lines.push("按期完成".to_owned()),
        ClockStatus::Elapsed => lines.push("期间已届满".to_owned()),
    }
    ClockState {
        code: def.code.clone(),
        label_zh: def.label_zh.clone(),
        basis,
        started_on: cycle.started_on,
        due,
        status,
        level,
        stopped_on,
        paused_days: paused as i32,
        extended_by: extended as i32,
        unit,
        n: n.unwrap_or(0),
        remaining,
        calendar_version: cal.calendar_version().to_owned(),
        provisional,
        explanation_zh: lines,
    }
}

/// Units from `today` to `due` (negative when past due).
fn remaining_units(
    cal: &Calendar,
    unit: PeriodUnit,
    today: Date,
    due: Date,
) -> Result<i32, CalendarError> {
    let days = (due - today).get_days();
    Ok(match unit {
        PeriodUnit::NaturalDays | PeriodUnit::Months => days,
        PeriodUnit::WorkingDays => cal.working_days_between_provisional(today, due)?,
        PeriodUnit::Hours => days * 24,
        PeriodUnit::Minutes => days * 24 * 60,
    })
}

/// The moment held by a datetime field: in the input of the last event of `transitions` up to
/// the cycle's end, else on the case.
fn moment(
    field: &str,
    transitions: &[&str],
    history: &[HistoryEvent],
    fields: &Map<String, Value>,
) -> Option<DateTime> {
    history
        .iter()
        .rev()
        .filter(|e| transitions.contains(&e.transition.as_str()))
        .find_map(|e| e.input.get(field).and_then(Value::as_str))
        .or_else(|| fields.get(field).and_then(Value::as_str))
        .and_then(crate::input::parse_datetime)
}

/// A clock in minutes or hours between two moments (`start_time_field`, `stop_time_field`):
/// e.g. a command centre's dispatch and arrival limits (the "135" standard as configured).
/// The period runs continuously; the status compares the stop moment with the start moment plus
/// the period. `None` when the clock is not such a clock or its start moment is not known (the
/// clock then counts from the event's date like any other).
fn timed_clock_state(
    ct: &CaseType,
    def: &ClockDef,
    cycle: &Cycle,
    history: &[HistoryEvent],
    fields: &Map<String, Value>,
    today: Date,
    cal: &Calendar,
) -> Option<ClockState> {
    let (start_f, stop_f) = (
        def.start_time_field.as_deref()?,
        def.stop_time_field.as_deref()?,
    );
    let ClockLength::Fixed { n, unit } = def.length else {
        return None;
    };
    let minutes = match unit {
        PeriodUnit::Minutes => i64::from(n),
        PeriodUnit::Hours => i64::from(n) * 60,
        _ => return None,
    };
    let starts: Vec<&str> = def
        .start
        .iter()
        .chain(&def.restart)
        .map(String::as_str)
        .collect();
    let start = moment(start_f, &starts, history, fields)?;
    let due_at = start.checked_add(minutes.minutes()).ok()?;
    let stops: Vec<&str> = def.stop.iter().map(String::as_str).collect();
    // The stop moment: the stop field, else the moment the stopping step itself recorded (an
    // arrival also ends the response clock when no separate response was recorded).
    let stopped_at = cycle.stopped.as_ref().and_then(|(_, by)| {
        moment(stop_f, &stops, history, fields).or_else(|| {
            let ev = history.iter().rev().find(|e| &e.transition == by)?;
            ct.fields
                .iter()
                .filter(|f| f.kind == crate::model::FieldKind::DateTime)
                .find_map(|f| ev.input.get(&f.code).and_then(Value::as_str))
                .and_then(crate::input::parse_datetime)
        })
    });
    let fmt = |d: DateTime| d.strftime("%Y-%m-%d %H:%M:%S").to_string();
    let mut lines = vec![
        format!("{}：{}", def.label_zh, def.basis),
        format!(
            "{}（{}）开始计时，期限{n}{}，连续计算，应于{}前完成",
            fmt(start),
            ct.field_label(start_f),
            unit.label_zh(),
            fmt(due_at)
        ),
    ];
    let window = def.kind == ClockKind::Window;
    let (status, stopped_on) = match (&cycle.stopped, stopped_at) {
        (Some(_), Some(at)) => {
            let used = at.duration_since(start).as_secs() / 60;
            lines.push(format!(
                "{}（{}），用时{}分钟",
                fmt(at),
                ct.field_label(stop_f),
                used
            ));
            let status = if at <= due_at {
                ClockStatus::Met
            } else if window {
                ClockStatus::Elapsed
            } else {
                ClockStatus::Missed
            };
            (status, Some(at.date()))
        }
        (Some((on, by)), None) => {
            lines.push(format!(
                "{on}“{}”，未记录{}，按期限内完成计",
                ct.transition_label(by),
                ct.field_label(stop_f)
            ));
            (ClockStatus::Met, Some(*on))
        }
        (None, _) if today > due_at.date() => (
            if window {
                ClockStatus::Elapsed
            } else {
                ClockStatus::Overdue
            },
            None,
        ),
        (None, _) => (ClockStatus::Running, None),
    };
    lines.push(status.label_zh().to_owned());
    let level = match status {
        ClockStatus::Missed | ClockStatus::Overdue if !window => WarningLevel::Overdue,
        _ => WarningLevel::Normal,
    };
    Some(ClockState {
        code: def.code.clone(),
        label_zh: def.label_zh.clone(),
        basis: def.basis.clone(),
        started_on: start.date(),
        due: Some(due_at.date()),
        status,
        level,
        stopped_on,
        paused_days: 0,
        extended_by: 0,
        unit,
        n,
        remaining: None,
        calendar_version: cal.calendar_version().to_owned(),
        provisional: false,
        explanation_zh: lines,
    })
}
