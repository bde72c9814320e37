//! What a guard reads, how it builds refusals, and small readers shared by the guard kinds.

use fazhi_calendar::CalendarError;
use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::model::{CaseType, TransitionDef};
use crate::plan::{CaseSnapshot, GuardContext, HistoryEvent};
use crate::refusal::Refusal;

/// Everything a guard may read (built by [`crate::plan()`]).
pub struct GuardEnv<'a> {
    pub(crate) case_type: &'a CaseType,
    pub(crate) transition: &'a TransitionDef,
    pub(crate) snapshot: &'a CaseSnapshot,
    /// Normalised input of this step.
    pub(crate) input: &'a Map<String, Value>,
    /// Case fields with this step's updates applied.
    pub(crate) merged: &'a Map<String, Value>,
    pub(crate) ctx: &'a GuardContext<'a>,
}

impl GuardEnv<'_> {
    pub fn history(&self) -> &[HistoryEvent] {
        &self.snapshot.history
    }

    pub fn on(&self) -> Date {
        self.ctx.on
    }
}

/// Builds the refusals of one guard: its legal basis, and its main code (or the declared one).
pub struct Mk<'a> {
    pub(crate) statute: Option<&'a str>,
    pub(crate) article: Option<&'a str>,
    /// The declared `code`, replacing `primary`.
    pub(crate) code: Option<&'a str>,
    pub(crate) primary: &'a str,
}

impl Mk<'_> {
    /// A refusal with the guard's basis.
    pub fn r(&self, code: &str, msg: impl Into<String>) -> Refusal {
        let code = match self.code {
            Some(c) if code == self.primary => c,
            _ => code,
        };
        Refusal::new(code, msg).basis_opt(self.statute, self.article)
    }
}

/// Whether a stored value counts as present.
pub(crate) fn present(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

pub(crate) fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

pub(crate) fn date_of(m: &Map<String, Value>, k: &str) -> Option<Date> {
    str_of(m, k).and_then(|s| s.parse().ok())
}

/// Index of the last event of a transition.
pub(crate) fn last_index(history: &[HistoryEvent], transition: &str) -> Option<usize> {
    history.iter().rposition(|e| e.transition == transition)
}

pub(crate) fn last_event<'a>(
    history: &'a [HistoryEvent],
    transition: &str,
) -> Option<&'a HistoryEvent> {
    last_index(history, transition).map(|i| &history[i])
}

pub(crate) fn calendar_refusal(e: &CalendarError) -> Refusal {
    Refusal::new("calendar.out_of_range", e.to_string())
}

pub(crate) fn dict_label(ct: &CaseType, field: &str, value: &str) -> String {
    ct.field(field)
        .and_then(|f| f.dictionary.as_deref())
        .and_then(|d| ct.dictionary(d))
        .and_then(|entries| entries.iter().find(|e| e.value == value))
        .map_or_else(|| value.to_owned(), |e| e.label_zh.clone())
}

/// Formats fen as 元 with two decimals.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    format!("{sign}{}.{:02}", f / 100, f % 100)
}
