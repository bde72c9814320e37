//! fazhi-calendar: the official Chinese working-day calendar and statutory deadline arithmetic.
//!
//! The national table (`data/cn-holidays-2020-2026.json`) lists every announced holiday
//! (`kind: "holiday"`) and every adjusted working weekend day (`kind: "workday"`, 调休上班日) of the
//! State Council notices. A date that is not listed is a working day from Monday to Friday and a
//! rest day on Saturday and Sunday. Provincial notices (e.g. Hubei's 2020 Spring Festival
//! extension) are overlays in `data/provinces/<code>.json` that replace national entries date by date.
//!
//! Deadline rules (law file §0):
//! - the start day is not counted (《中华人民共和国民事诉讼法》第八十五条; 《中华人民共和国民法典》第二百零一条);
//! - N working days end on the N-th working day after the start
//!   (《中华人民共和国行政处罚法》第八十五条);
//! - a natural-day period whose last day is a rest day ends on the first working day after it
//!   (《中华人民共和国民事诉讼法》第八十五条; 《中华人民共和国民法典》第二百零三条); whether ordinary
//!   weekends roll is configurable ([`RollRule::roll_weekends`], default yes);
//! - an adjusted working weekend day is a working day, a weekday inside a holiday block is not;
//! - a date outside the years covered by the data is an error, never a guess.
//!
//! This crate does no I/O and never reads the clock: data is embedded, dates are passed in.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The embedded national holiday table.
pub const NATIONAL_DATA: &str = include_str!("../data/cn-holidays-2020-2026.json");

/// Embedded provincial overlays: (2-digit province code of GB/T 2260, JSON data).
const PROVINCE_DATA: &[(&str, &str)] = &[("42", include_str!("../data/provinces/42.json"))];

/// Codes of the provinces that ship an overlay.
pub fn province_codes() -> impl Iterator<Item = &'static str> {
    PROVINCE_DATA.iter().map(|(code, _)| *code)
}

/// Errors of calendar construction and deadline computation. `Display` is Simplified Chinese
/// because these messages reach users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date lies outside the years the holiday data covers (law file §13: refuse, never guess).
    #[error("日历数据仅覆盖{}年至{}年，无法计算{date}", first.year(), last.year())]
    OutOfRange { date: Date, first: Date, last: Date },
    /// No overlay is shipped for this province code.
    #[error("没有省份代码“{code}”的节假日调整数据")]
    UnknownProvince { code: String },
    /// The holiday data could not be parsed or is inconsistent.
    #[error("节假日数据“{source_name}”有误：{message}")]
    InvalidData {
        source_name: String,
        message: String,
    },
}

/// Kind of an entry in the holiday data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// An announced day off (法定节假日及调休放假日).
    Holiday,
    /// A Saturday/Sunday declared a working day (调休上班日).
    Workday,
}

#[derive(Debug, Clone, Deserialize)]
struct RawEntry {
    date: Date,
    kind: EntryKind,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    kind: EntryKind,
    name: String,
}

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayType {
    /// Monday to Friday, not a holiday.
    Working,
    /// Saturday or Sunday declared a working day (调休上班日).
    AdjustedWorkday,
    /// Ordinary Saturday or Sunday.
    Weekend,
    /// Announced holiday (including weekend days inside a holiday block).
    Holiday,
}

impl DayType {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            DayType::Working => "工作日",
            DayType::AdjustedWorkday => "调休上班日",
            DayType::Weekend => "周末",
            DayType::Holiday => "节假日",
        }
    }
}

/// Information about one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    pub date: Date,
    pub kind: DayType,
    /// Festival name for holidays and adjusted working days.
    pub name: Option<String>,
    pub working: bool,
}

/// Unit of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// Calendar days (自然日); the last day rolls forward off rest days.
    NaturalDays,
    /// Working days (工作日) on the official calendar.
    WorkingDays,
    /// Hours (小时); counted continuously.
    Hours,
    /// Minutes (分钟); counted continuously (a command centre's dispatch and arrival limits).
    Minutes,
    /// Calendar months (个月): the period ends on the day of the last month that corresponds to
    /// the start day, or that month's last day when it has none (《中华人民共和国民法典》
    /// 第二百零二条); a last day on a rest day rolls like natural days (第二百零三条).
    Months,
}

impl PeriodUnit {
    /// Chinese label of the unit.
    pub fn label_zh(self) -> &'static str {
        match self {
            PeriodUnit::NaturalDays => "日",
            PeriodUnit::WorkingDays => "个工作日",
            PeriodUnit::Hours => "小时",
            PeriodUnit::Minutes => "分钟",
            PeriodUnit::Months => "个月",
        }
    }

    /// Stable code as used in definitions and configuration.
    pub fn code(self) -> &'static str {
        match self {
            PeriodUnit::NaturalDays => "natural_days",
            PeriodUnit::WorkingDays => "working_days",
            PeriodUnit::Hours => "hours",
            PeriodUnit::Minutes => "minutes",
            PeriodUnit::Months => "months",
        }
    }

    /// Parses a stable code (`natural_days`, `working_days`, `hours`, `minutes`,
    /// `months`).
    pub fn from_code(code: &str) -> Option<PeriodUnit> {
        match code {
            "natural_days" => Some(PeriodUnit::NaturalDays),
            "working_days" => Some(PeriodUnit::WorkingDays),
            "hours" => Some(PeriodUnit::Hours),
            "minutes" => Some(PeriodUnit::Minutes),
            "months" => Some(PeriodUnit::Months),
            _ => None,
        }
    }
}

/// How the last day of a natural-day period rolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollRule {
    /// Whether an ordinary weekend counts as a rest day for rolling (law file §0: configurable,
    /// default yes). Holidays always roll (《民事诉讼法》第八十五条).
    pub roll_weekends: bool,
}

impl Default for RollRule {
    fn default() -> Self {
        RollRule {
            roll_weekends: true,
        }
    }
}

/// A rest day that a deadline computation skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedDay {
    pub date: Date,
    /// Festival name or "周末".
    pub reason: String,
}

/// An adjusted working weekend day counted as a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustedWorkday {
    pub date: Date,
    /// The festival the make-up day belongs to.
    pub name: String,
}

/// A computed deadline with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueDate {
    /// Last day of the period (the act is in time on this day).
    pub due: Date,
    /// Start day (not counted).
    pub start: Date,
    pub n: u32,
    pub unit: PeriodUnit,
    /// For natural-day periods: the nominal last day when it was a rest day and the period rolled.
    pub rolled_from: Option<Date>,
    /// Rest days skipped (working days) or rolled over (natural days), in date order.
    pub skipped: Vec<SkippedDay>,
    /// Adjusted working weekend days counted as working days (working-day periods only).
    pub adjusted_workdays: Vec<AdjustedWorkday>,
    pub calendar_version: String,
    /// The period runs past the years with an official arrangement: days after
    /// [`Calendar::last_date`] were counted as if only weekends were rest days (暂定). Only
    /// [`Calendar::due_provisional`] gives such a date; [`Calendar::due`] refuses instead.
    pub provisional: bool,
}

impl DueDate {
    /// Readable Chinese explanation of how the due date was computed, one line per step.
    pub fn explain_zh(&self) -> Vec<String> {
        let mut lines = vec![format!("起算日{}（不计入）", self.start)];
        match self.unit {
            PeriodUnit::WorkingDays => {
                lines.push(format!(
                    "期限{}个工作日，按法定节假日和调休安排计算",
                    self.n
                ));
                // Merge skipped groups and adjusted working days in date order.
                let mut events: Vec<(Date, String)> = group_skipped(&self.skipped)
                    .into_iter()
                    .map(|(a, b, reason)| (a, skip_line(a, b, &reason)))
                    .collect();
                for w in &self.adjusted_workdays {
                    events.push((
                        w.date,
                        format!("{} 调休上班日（{}），计为工作日", w.date, w.name),
                    ));
                }
                events.sort_by_key(|(d, _)| *d);
                lines.extend(events.into_iter().map(|(_, l)| l));
            }
            PeriodUnit::NaturalDays => {
                lines.push(format!("期限{}日（自然日）", self.n));
                if let Some(from) = self.rolled_from {
                    lines.push(format!("期限最后一日{from}为休息日，顺延至下一个工作日"));
                    for (a, b, reason) in group_skipped(&self.skipped) {
                        lines.push(skip_line(a, b, &reason));
                    }
                }
            }
            PeriodUnit::Hours => {
                lines.push(format!(
                    "期限{}小时，连续计算，不因节假日顺延；以日期计，最迟至起算日后第{}日",
                    self.n,
                    hours_to_days(self.n)
                ));
            }
            PeriodUnit::Months => {
                lines.push(format!(
                    "期限{}个月，至起算日对应日（无对应日的为月末）",
                    self.n
                ));
                if let Some(from) = self.rolled_from {
                    lines.push(format!("期限最后一日{from}为休息日，顺延至下一个工作日"));
                    for (a, b, reason) in group_skipped(&self.skipped) {
                        lines.push(skip_line(a, b, &reason));
                    }
                }
            }
            PeriodUnit::Minutes => {
                lines.push(format!(
                    "期限{}分钟，连续计算，不因节假日顺延；以日期计，最迟至起算日后第{}日",
                    self.n,
                    minutes_to_days(self.n)
                ));
            }
        }
        lines.push(format!("期满日{}", self.due));
        if self.provisional {
            lines.push(
                "期满日为暂定：该年度节假日安排尚未导入，暂按周六、周日休息计算；导入后重新计算"
                    .to_owned(),
            );
        }
        lines.push(format!("日历版本{}", self.calendar_version));
        lines
    }

    /// The computation as a JSON value (for storage next to a deadline).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut v {
            map.insert(
                "explanation_zh".to_owned(),
                serde_json::Value::from(self.explain_zh()),
            );
        }
        v
    }
}

fn skip_line(a: Date, b: Date, reason: &str) -> String {
    if a == b {
        format!("跳过{a} {reason}")
    } else {
        format!("跳过{a}至{b} {reason}")
    }
}

/// Groups consecutive skipped days with the same reason into ranges.
fn group_skipped(days: &[SkippedDay]) -> Vec<(Date, Date, String)> {
    let mut out: Vec<(Date, Date, String)> = Vec::new();
    for d in days {
        if let Some(last) = out.last_mut()
            && last.2 == d.reason
            && last.1.tomorrow().ok() == Some(d.date)
        {
            last.1 = d.date;
            continue;
        }
        out.push((d.date, d.date, d.reason.clone()));
    }
    out
}

fn hours_to_days(n: u32) -> u32 {
    n.div_ceil(24)
}

fn minutes_to_days(n: u32) -> u32 {
    n.div_ceil(24 * 60)
}

/// The working-day calendar: national data plus an optional provincial overlay.
#[derive(Debug, Clone)]
pub struct Calendar {
    entries: BTreeMap<Date, Entry>,
    first: Date,
    last: Date,
    province: Option<String>,
    version: String,
    /// Version of the embedded data (national plus overlay) before any imported year.
    base_version: String,
    /// Last date of the embedded data.
    base_last: Date,
    /// Years loaded at run time ([`Calendar::with_year`]): year → short SHA-256 of the file.
    imported: BTreeMap<i16, String>,
}

/// How many years past the last official arrangement a provisional due date may reach.
const PROVISIONAL_YEARS: i16 = 5;

fn parse_entries(source_name: &str, json: &str) -> Result<BTreeMap<Date, Entry>, CalendarError> {
    let raw: Vec<RawEntry> =
        serde_json::from_str(json).map_err(|e| CalendarError::InvalidData {
            source_name: source_name.to_owned(),
            message: format!("第{}行第{}列：{}", e.line(), e.column(), e),
        })?;
    let mut map = BTreeMap::new();
    for r in raw {
        if r.kind == EntryKind::Workday && !is_weekend(r.date) {
            return Err(CalendarError::InvalidData {
                source_name: source_name.to_owned(),
                message: format!("{}不是周末，不能标为调休上班日", r.date),
            });
        }
        if r.name.trim().is_empty() {
            return Err(CalendarError::InvalidData {
                source_name: source_name.to_owned(),
                message: format!("{}缺少节日名称", r.date),
            });
        }
        let date = r.date;
        if map
            .insert(
                date,
                Entry {
                    kind: r.kind,
                    name: r.name,
                },
            )
            .is_some()
        {
            return Err(CalendarError::InvalidData {
                source_name: source_name.to_owned(),
                message: format!("{date}重复出现"),
            });
        }
    }
    if map.is_empty() {
        return Err(CalendarError::InvalidData {
            source_name: source_name.to_owned(),
            message: "没有任何日期".to_owned(),
        });
    }
    Ok(map)
}

fn short_hash(data: &str) -> String {
    let digest = Sha256::digest(data.as_bytes());
    hex::encode(digest)[..12].to_owned()
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Checks one year's official arrangement (a JSON array of `{date, kind, name}` as in the
/// embedded table, `kind` being `holiday` or `workday`) and returns its entries. Every problem
/// is reported, in Chinese, naming the entry: a date outside `year`, a date listed twice, a date
/// both a holiday and a working day, an adjusted working day on a weekday, a missing name, an
/// empty list.
pub fn validate_year(year: i16, json: &str) -> Result<YearArrangement, Vec<String>> {
    #[derive(Deserialize)]
    struct Loose {
        date: Option<String>,
        kind: Option<String>,
        name: Option<String>,
    }
    let raw: Vec<Loose> = serde_json::from_str(json).map_err(|e| {
        vec![format!(
            "文件：不是节假日安排的JSON数组（第{}行第{}列：{e}）",
            e.line(),
            e.column()
        )]
    })?;
    let mut problems = Vec::new();
    let mut map: BTreeMap<Date, Entry> = BTreeMap::new();
    if raw.is_empty() {
        problems.push("文件：没有任何日期".to_owned());
    }
    for (i, r) in raw.into_iter().enumerate() {
        let at = format!("第{}条", i + 1);
        let Some(text) = r.date.as_deref() else {
            problems.push(format!("{at}：缺少日期（date）"));
            continue;
        };
        let Ok(date) = text.trim().parse::<Date>() else {
            problems.push(format!(
                "{at}：日期（date）应为YYYY-MM-DD格式的真实日期，收到“{text}”"
            ));
            continue;
        };
        if date.year() != year {
            problems.push(format!("{at}：日期{date}不在{year}年内"));
            continue;
        }
        let kind = match r.kind.as_deref() {
            Some("holiday") => EntryKind::Holiday,
            Some("workday") => EntryKind::Workday,
            other => {
                problems.push(format!(
                    "{at}：{date}的类型（kind）应为holiday（放假）或workday（调休上班），收到“{}”",
                    other.unwrap_or("")
                ));
                continue;
            }
        };
        let name = r.name.unwrap_or_default();
        if name.trim().is_empty() {
            problems.push(format!("{at}：{date}缺少节日名称（name）"));
            continue;
        }
        if kind == EntryKind::Workday && !is_weekend(date) {
            problems.push(format!("{at}：{date}不是周六或周日，不能标为调休上班日"));
            continue;
        }
        match map.get(&date) {
            Some(prev) if prev.kind != kind => {
                problems.push(format!("{at}：{date}同时被列为放假日和调休上班日"))
            }
            Some(_) => problems.push(format!("{at}：{date}重复出现")),
            None => {
                map.insert(
                    date,
                    Entry {
                        kind,
                        name: name.trim().to_owned(),
                    },
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(YearArrangement { year, entries: map })
    } else {
        Err(problems)
    }
}

/// The year of the first dated entry of an arrangement file (the year it is for).
pub fn year_of(json: &str) -> Option<i16> {
    #[derive(Deserialize)]
    struct Dated {
        date: Option<String>,
    }
    let raw: Vec<Dated> = serde_json::from_str(json).ok()?;
    raw.iter()
        .find_map(|r| r.date.as_deref()?.trim().parse::<Date>().ok())
        .map(|d| d.year())
}

/// One year's checked arrangement ([`validate_year`]).
#[derive(Debug, Clone)]
pub struct YearArrangement {
    year: i16,
    entries: BTreeMap<Date, Entry>,
}

impl YearArrangement {
    pub fn year(&self) -> i16 {
        self.year
    }
    /// Number of announced days off.
    pub fn holidays(&self) -> usize {
        self.entries
            .values()
            .filter(|e| e.kind == EntryKind::Holiday)
            .count()
    }
    /// Number of adjusted working weekend days.
    pub fn workdays(&self) -> usize {
        self.entries.len() - self.holidays()
    }
}

static NATIONAL: OnceLock<Calendar> = OnceLock::new();

/// The embedded national calendar (shared instance).
///
/// # Panics
/// Only if the embedded data is invalid, which the crate's tests rule out.
pub fn national() -> &'static Calendar {
    NATIONAL.get_or_init(Calendar::national)
}

/// [`Calendar::due`] on the embedded national calendar.
pub fn due(
    start: Date,
    n: u32,
    unit: PeriodUnit,
    rule: RollRule,
) -> Result<DueDate, CalendarError> {
    national().due(start, n, unit, rule)
}

/// Version string of the embedded national calendar.
pub fn calendar_version() -> &'static str {
    national().calendar_version()
}

impl Calendar {
    /// The embedded national calendar.
    ///
    /// # Panics
    /// Only if the embedded data is invalid, which the crate's tests rule out.
    pub fn national() -> Calendar {
        Calendar::from_json(NATIONAL_DATA, None).expect("embedded national holiday data is valid")
    }

    /// The embedded national calendar with the embedded overlay of a province
    /// (2-digit code of GB/T 2260, e.g. `"42"` for Hubei).
    pub fn for_province(code: &str) -> Result<Calendar, CalendarError> {
        let (_, data) = PROVINCE_DATA
            .iter()
            .find(|(c, _)| *c == code)
            .ok_or_else(|| CalendarError::UnknownProvince {
                code: code.to_owned(),
            })?;
        Calendar::from_json(NATIONAL_DATA, Some((code, data)))
    }

    /// Builds a calendar from JSON text in the embedded format (e.g. data an administrator edited).
    /// The overlay is `(province code, JSON)`; its entries replace national entries on the same date.
    pub fn from_json(
        national: &str,
        overlay: Option<(&str, &str)>,
    ) -> Result<Calendar, CalendarError> {
        let mut entries = parse_entries("national", national)?;
        let first_year = entries.keys().next().map(|d| d.year()).unwrap_or(2020);
        let last_year = entries.keys().next_back().map(|d| d.year()).unwrap_or(2020);
        let first = Date::new(first_year, 1, 1).map_err(|e| invalid("national", e))?;
        let last = Date::new(last_year, 12, 31).map_err(|e| invalid("national", e))?;
        let mut version = format!(
            "cn-{first_year}-{last_year}+sha256:{}",
            short_hash(national)
        );
        let mut province = None;
        if let Some((code, data)) = overlay {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(CalendarError::UnknownProvince {
                    code: code.to_owned(),
                });
            }
            let source = format!("provinces/{code}");
            let over = parse_entries(&source, data)?;
            for (date, entry) in over {
                if date < first || date > last {
                    return Err(CalendarError::InvalidData {
                        source_name: source,
                        message: format!("{date}超出全国数据覆盖的年份"),
                    });
                }
                entries.insert(date, entry);
            }
            version.push_str(&format!("+{code}:sha256:{}", short_hash(data)));
            province = Some(code.to_owned());
        }
        Ok(Calendar {
            entries,
            first,
            last,
            province,
            base_version: version.clone(),
            version,
            base_last: last,
            imported: BTreeMap::new(),
        })
    }

    /// This calendar with one year's official arrangement loaded (JSON in the embedded format,
    /// every date in `year`), checked by [`validate_year`]. The year must follow the last year
    /// covered, or replace a year loaded earlier; the embedded years cannot be replaced.
    /// The version gains `+<year>:sha256:<hash>`.
    pub fn with_year(&self, year: i16, json: &str) -> Result<Calendar, Vec<String>> {
        let entries = validate_year(year, json)?.entries;
        if year <= self.base_last.year() {
            return Err(vec![format!(
                "年份：内置日历已包含{year}年的节假日安排，不能导入替换"
            )]);
        }
        let next = self.last.year() + 1;
        if !self.imported.contains_key(&year) && year != next {
            return Err(vec![format!(
                "年份：日历目前覆盖至{}年，应先导入{next}年的安排（收到{year}年）",
                self.last.year()
            )]);
        }
        let mut cal = self.clone();
        cal.entries.retain(|d, _| d.year() != year);
        cal.entries.extend(entries);
        cal.imported.insert(year, short_hash(json));
        let last_year = cal.imported.keys().next_back().copied().unwrap_or(year);
        cal.last = Date::new(last_year, 12, 31).map_err(|e| vec![e.to_string()])?;
        cal.version = cal.base_version.clone();
        for (y, h) in &cal.imported {
            cal.version.push_str(&format!("+{y}:sha256:{h}"));
        }
        Ok(cal)
    }

    /// Years loaded at run time, with the short SHA-256 of each file.
    pub fn imported_years(&self) -> impl Iterator<Item = (i16, &str)> {
        self.imported.iter().map(|(y, h)| (*y, h.as_str()))
    }

    /// Version string stored with every deadline, e.g. `cn-2020-2026+sha256:0123456789ab`
    /// (with `+42:sha256:…` appended when a provincial overlay is active).
    pub fn calendar_version(&self) -> &str {
        &self.version
    }

    /// Province code of the active overlay.
    pub fn province(&self) -> Option<&str> {
        self.province.as_deref()
    }

    /// First date covered by the data.
    pub fn first_date(&self) -> Date {
        self.first
    }

    /// Last date covered by the data.
    pub fn last_date(&self) -> Date {
        self.last
    }

    /// Last date a provisional computation may reach.
    fn provisional_limit(&self) -> Date {
        Date::new(self.last.year().saturating_add(PROVISIONAL_YEARS), 12, 31).unwrap_or(self.last)
    }

    fn check_at(&self, date: Date, lenient: bool) -> Result<(), CalendarError> {
        let last = if lenient {
            self.provisional_limit()
        } else {
            self.last
        };
        if date < self.first || date > last {
            Err(CalendarError::OutOfRange {
                date,
                first: self.first,
                last: self.last,
            })
        } else {
            Ok(())
        }
    }

    fn next_day_at(&self, date: Date, lenient: bool) -> Result<Date, CalendarError> {
        let next = date.tomorrow().map_err(|_| CalendarError::OutOfRange {
            date,
            first: self.first,
            last: self.last,
        })?;
        self.check_at(next, lenient)?;
        Ok(next)
    }

    /// Kind and name of a date.
    pub fn day_info(&self, date: Date) -> Result<DayInfo, CalendarError> {
        self.day_info_at(date, false)
    }

    /// Kind of a date; when `lenient`, a date after the last official arrangement is a working
    /// day from Monday to Friday and a rest day on the weekend (provisional).
    fn day_info_at(&self, date: Date, lenient: bool) -> Result<DayInfo, CalendarError> {
        self.check_at(date, lenient)?;
        let info = match self.entries.get(&date) {
            Some(Entry {
                kind: EntryKind::Holiday,
                name,
            }) => DayInfo {
                date,
                kind: DayType::Holiday,
                name: Some(name.clone()),
                working: false,
            },
            Some(Entry {
                kind: EntryKind::Workday,
                name,
            }) => DayInfo {
                date,
                kind: DayType::AdjustedWorkday,
                name: Some(name.clone()),
                working: true,
            },
            None if is_weekend(date) => DayInfo {
                date,
                kind: DayType::Weekend,
                name: None,
                working: false,
            },
            None => DayInfo {
                date,
                kind: DayType::Working,
                name: None,
                working: true,
            },
        };
        Ok(info)
    }

    /// Whether a date is a working day (adjusted working weekend days are).
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.day_info(date)?.working)
    }

    /// Whether the last day of a natural-day period must roll forward from this date.
    fn is_rest_for_roll(
        &self,
        date: Date,
        rule: RollRule,
        lenient: bool,
    ) -> Result<bool, CalendarError> {
        let info = self.day_info_at(date, lenient)?;
        Ok(match info.kind {
            DayType::Holiday => true,
            DayType::Weekend => rule.roll_weekends,
            DayType::Working | DayType::AdjustedWorkday => false,
        })
    }

    /// The N-th working day after `start` (start not counted). `n = 0` gives `start`.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        Ok(self
            .due(start, n, PeriodUnit::WorkingDays, RollRule::default())?
            .due)
    }

    /// Number of working days `d` with `a < d <= b` (start not counted); negative when `b < a`.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<i32, CalendarError> {
        self.working_days_between_at(a, b, false)
    }

    /// [`Calendar::working_days_between`], counting days after the last official arrangement
    /// provisionally (weekends only are rest days).
    pub fn working_days_between_provisional(&self, a: Date, b: Date) -> Result<i32, CalendarError> {
        self.working_days_between_at(a, b, true)
    }

    fn working_days_between_at(
        &self,
        a: Date,
        b: Date,
        lenient: bool,
    ) -> Result<i32, CalendarError> {
        self.check_at(a, lenient)?;
        self.check_at(b, lenient)?;
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0i32;
        let mut d = lo;
        while d < hi {
            d = self.next_day_at(d, lenient)?;
            if self.day_info_at(d, lenient)?.working {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// Computes the last day of a period of `n` units starting on `start` (law file §0).
    pub fn due(
        &self,
        start: Date,
        n: u32,
        unit: PeriodUnit,
        rule: RollRule,
    ) -> Result<DueDate, CalendarError> {
        self.due_at(start, n, unit, rule, false)
    }

    /// [`Calendar::due`], except that a period running past the last year with an official
    /// arrangement is not refused: the days after [`Calendar::last_date`] are counted with the
    /// weekends as the only rest days, and the result is marked [`DueDate::provisional`] (暂定)
    /// until that year's arrangement is loaded ([`Calendar::with_year`]). At most five years past
    /// the data; a start before the data is still refused.
    pub fn due_provisional(
        &self,
        start: Date,
        n: u32,
        unit: PeriodUnit,
        rule: RollRule,
    ) -> Result<DueDate, CalendarError> {
        self.due_at(start, n, unit, rule, true)
    }

    fn due_at(
        &self,
        start: Date,
        n: u32,
        unit: PeriodUnit,
        rule: RollRule,
        lenient: bool,
    ) -> Result<DueDate, CalendarError> {
        self.check_at(start, lenient)?;
        let mut skipped = Vec::new();
        let mut adjusted_workdays = Vec::new();
        let mut rolled_from = None;
        let due = match unit {
            // 《行政处罚法》第八十五条: 二日、三日、五日、七日 are working days.
            PeriodUnit::WorkingDays => {
                let mut d = start;
                let mut counted = 0u32;
                while counted < n {
                    d = self.next_day_at(d, lenient)?;
                    let info = self.day_info_at(d, lenient)?;
                    match info.kind {
                        DayType::Working => counted += 1,
                        DayType::AdjustedWorkday => {
                            counted += 1;
                            adjusted_workdays.push(AdjustedWorkday {
                                date: d,
                                name: info.name.unwrap_or_default(),
                            });
                        }
                        DayType::Weekend => skipped.push(SkippedDay {
                            date: d,
                            reason: "周末".to_owned(),
                        }),
                        DayType::Holiday => skipped.push(SkippedDay {
                            date: d,
                            reason: info.name.unwrap_or_default(),
                        }),
                    }
                }
                d
            }
            // 《民事诉讼法》第八十五条: start day not counted; a last day on a holiday rolls to the
            // first day after the holiday.
            PeriodUnit::NaturalDays => {
                let mut d = start;
                for _ in 0..n {
                    d = self.next_day_at(d, lenient)?;
                }
                if n > 0 && self.is_rest_for_roll(d, rule, lenient)? {
                    rolled_from = Some(d);
                    while self.is_rest_for_roll(d, rule, lenient)? {
                        let info = self.day_info_at(d, lenient)?;
                        skipped.push(SkippedDay {
                            date: d,
                            reason: info.name.unwrap_or_else(|| "周末".to_owned()),
                        });
                        d = self.next_day_at(d, lenient)?;
                    }
                }
                d
            }
            // Hours run continuously; with only a date known, n hours end at the latest on the
            // ceil(n / 24)-th day after the start (a 24-hour limit from a date means the next day).
            PeriodUnit::Hours => {
                let mut d = start;
                for _ in 0..hours_to_days(n) {
                    d = self.next_day_at(d, lenient)?;
                }
                d
            }
            PeriodUnit::Months => {
                let mut d = start
                    .checked_add(jiff::Span::new().months(i64::from(n)))
                    .map_err(|_| CalendarError::OutOfRange {
                        date: start,
                        first: self.first,
                        last: self.last,
                    })?;
                self.check_at(d, lenient)?;
                if n > 0 && self.is_rest_for_roll(d, rule, lenient)? {
                    rolled_from = Some(d);
                    while self.is_rest_for_roll(d, rule, lenient)? {
                        let info = self.day_info_at(d, lenient)?;
                        skipped.push(SkippedDay {
                            date: d,
                            reason: info.name.unwrap_or_else(|| "周末".to_owned()),
                        });
                        d = self.next_day_at(d, lenient)?;
                    }
                }
                d
            }
            // Minutes likewise: with only a date known, the period ends at the latest on the
            // ceil(n / 1440)-th day after the start.
            PeriodUnit::Minutes => {
                let mut d = start;
                for _ in 0..minutes_to_days(n) {
                    d = self.next_day_at(d, lenient)?;
                }
                d
            }
        };
        Ok(DueDate {
            due,
            start,
            n,
            unit,
            rolled_from,
            skipped,
            adjusted_workdays,
            calendar_version: self.version.clone(),
            provisional: due > self.last || start > self.last,
        })
    }
}

fn invalid(source: &str, e: impl fmt::Display) -> CalendarError {
    CalendarError::InvalidData {
        source_name: source.to_owned(),
        message: e.to_string(),
    }
}
