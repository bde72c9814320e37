//! Guards on periods that must have run out, and on the day a step may be taken: waiting out a
//! party's periods before the agency acts (《中华人民共和国行政强制法》第三十七条、第四十四条:
//! enforcement only after the 催告 period and the reconsideration and litigation periods), no
//! enforcement on statutory holidays (第四十三条), and deadlines that must lie ahead of the step.

use fazhi_calendar::{CalendarError, DayType, PeriodUnit};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::env::{GuardEnv, Mk, calendar_refusal, date_of, last_event};
use super::{GuardInfo, GuardKind, ParamType, Ref, field_ref, p, transition_ref};
use crate::refusal::Refusal;

fn natural_days() -> String {
    "natural_days".to_owned()
}

/// The unit of a [`PeriodElapsed`] period: natural days, working days or months (《中华人民共和国
/// 民法典》第二百零二条: the corresponding day of the last month, else its last day; a last day on
/// a rest day rolls like natural days, 第二百零三条).
fn parse_unit(s: &str) -> Option<PeriodUnit> {
    PeriodUnit::from_code(s).filter(|u| {
        matches!(
            u,
            PeriodUnit::NaturalDays | PeriodUnit::WorkingDays | PeriodUnit::Months
        )
    })
}

/// The step is allowed only once a period of `n` units since the last `event`, or since the
/// date in `date_field` (exactly one), has run out: the step date must be after the period's last
/// day. Units: `natural_days` (a last day on a rest day rolls with the configured rule),
/// `working_days` (the official calendar), `months` (民法典 month rule; a last day on a rest day
/// rolls to the next working day). With `or_after` the step is also allowed once that
/// transition has happened since the start (e.g. the party waived the period).
/// E.g. 《中华人民共和国行政强制法》第四十四条: forced demolition only after the periods for
/// reconsideration (60 days, 行政复议法 第二十条) and litigation (6 months, 行政诉讼法 第四十六条)
/// have run out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodElapsed {
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub date_field: Option<String>,
    pub n: u32,
    #[serde(default = "natural_days")]
    pub unit: String,
    #[serde(default)]
    pub or_after: Option<String>,
}

impl PeriodElapsed {
    /// The last day of the period starting on `base`.
    fn last_day(
        &self,
        env: &GuardEnv<'_>,
        unit: PeriodUnit,
        base: Date,
    ) -> Result<Date, CalendarError> {
        let cal = env.ctx.calendar;
        match unit {
            PeriodUnit::WorkingDays => cal.add_working_days(base, self.n),
            _ => cal
                .due(base, self.n, unit, env.ctx.config.roll)
                .map(|d| d.due),
        }
    }
}

impl GuardKind for PeriodElapsed {
    const INFO: GuardInfo = GuardInfo {
        name: "period_elapsed",
        statute: None,
        article: None,
        description_zh: "须待某一步骤（或某一日期）起算的期间届满后方可办理",
        params: &[
            p("event", ParamType::Transition, false),
            p("date_field", ParamType::Field, false),
            p("n", ParamType::Int, true),
            p("unit", ParamType::Str, false),
            p("or_after", ParamType::Transition, false),
        ],
        codes: &["common.period_not_elapsed", "common.period_not_started"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = Vec::new();
        if let Some(e) = &self.event {
            v.push(transition_ref("event", e, true));
        }
        if let Some(f) = &self.date_field {
            v.push(field_ref("date_field", f, true));
        }
        if let Some(t) = &self.or_after {
            v.push(transition_ref("or_after", t, true));
        }
        v
    }

    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.event.is_some() == self.date_field.is_some() {
            out.push((
                "needs exactly one of `event` or `date_field`".to_owned(),
                "须且只能指定 event 或 date_field 之一".to_owned(),
            ));
        }
        if parse_unit(&self.unit).is_none() {
            out.push((
                format!(
                    "unit `{}` must be `natural_days`, `working_days` or `months`",
                    self.unit
                ),
                format!(
                    "期间单位“{}”无效，应为 natural_days、working_days 或 months",
                    self.unit
                ),
            ));
        }
        out
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let Some(unit) = parse_unit(&self.unit) else {
            return Vec::new(); // ruled out by validate
        };
        let (base, what): (Option<Date>, String) = match (&self.event, &self.date_field) {
            (Some(e), _) => (
                last_event(env.history(), e).map(|ev| ev.on),
                format!("“{}”", ct.transition_label(e)),
            ),
            (None, Some(f)) => (date_of(env.merged, f), ct.field_label(f)),
            (None, None) => return Vec::new(),
        };
        let Some(base) = base else {
            let mut r = mk.r(
                Self::INFO.codes[1],
                format!(
                    "尚无{what}，期间尚未起算，不能“{}”",
                    env.transition.label_zh
                ),
            );
            if let Some(f) = &self.date_field {
                r = r.field(f);
            }
            return vec![r];
        };
        if let Some(t) = &self.or_after
            && env
                .history()
                .iter()
                .any(|e| &e.transition == t && e.on >= base)
        {
            return Vec::new();
        }
        let last = match self.last_day(env, unit, base) {
            Ok(d) => d,
            Err(e) => return vec![calendar_refusal(&e)],
        };
        let on = env.on();
        if on > last {
            return Vec::new();
        }
        let mut r = mk
            .r(
                Self::INFO.codes[0],
                format!(
                    "期间尚未届满：自{what}（{base}）起{}{}，至{last}届满，{on}不能“{}”",
                    self.n,
                    unit.label_zh(),
                    env.transition.label_zh
                ),
            )
            .param("from", base.to_string())
            .param("last_day", last.to_string())
            .param("n", self.n)
            .param("unit", self.unit.as_str());
        if let Some(f) = &self.date_field {
            r = r.field(f);
        }
        vec![r]
    }
}

/// The step may not be taken on a statutory holiday of the official calendar (with
/// `rest_days = true`, nor on an ordinary weekend or other rest day either). Adjusted working
/// weekends are working days. E.g. 《中华人民共和国行政强制法》第四十三条: no administrative
/// enforcement on statutory holidays, except in an emergency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotOnHoliday {
    #[serde(default)]
    pub rest_days: bool,
}

impl GuardKind for NotOnHoliday {
    const INFO: GuardInfo = GuardInfo {
        name: "not_on_holiday",
        statute: None,
        article: None,
        description_zh: "不得在法定节假日（可含休息日）办理",
        params: &[p("rest_days", ParamType::Bool, false)],
        codes: &["common.holiday"],
    };

    fn refs(&self) -> Vec<Ref> {
        Vec::new()
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let on = env.on();
        let info = match env.ctx.calendar.day_info(on) {
            Ok(i) => i,
            Err(e) => return vec![calendar_refusal(&e)],
        };
        let what = match info.kind {
            DayType::Holiday => format!("法定节假日（{}）", info.name.unwrap_or_default()),
            DayType::Weekend if self.rest_days => "休息日".to_owned(),
            _ => return Vec::new(),
        };
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!("{on}是{what}，不能“{}”", env.transition.label_zh),
            )
            .param("on", on.to_string()),
        ]
    }
}

/// A date field (e.g. a rectification deadline) may not lie before the day of the step, and
/// must be at least `min_days` natural days after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateNotBeforeStep {
    pub field: String,
    #[serde(default)]
    pub min_days: u32,
}

impl GuardKind for DateNotBeforeStep {
    const INFO: GuardInfo = GuardInfo {
        name: "date_not_before_step",
        statute: None,
        article: None,
        description_zh: "日期不得早于办理当日（可要求至少相隔若干日）",
        params: &[
            p("field", ParamType::Field, true),
            p("min_days", ParamType::Int, false),
        ],
        codes: &["common.date_too_early"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("field", &self.field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let on = env.on();
        let Some(d) = date_of(env.merged, &self.field) else {
            return Vec::new();
        };
        let earliest = on.checked_add((self.min_days as i64).days()).unwrap_or(on);
        if d >= earliest {
            return Vec::new();
        }
        let label = env.case_type.field_label(&self.field);
        let msg = if self.min_days == 0 {
            format!("{label}：{d}早于办理日期{on}")
        } else {
            format!(
                "{label}：{d}应不早于{earliest}（办理日期{on}后至少{}日）",
                self.min_days
            )
        };
        vec![
            mk.r(Self::INFO.codes[0], msg)
                .field(&self.field)
                .param("date", d.to_string())
                .param("earliest", earliest.to_string()),
        ]
    }
}
