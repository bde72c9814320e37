//! Reporting periods: a year, a quarter, a month or a custom range of civil dates (both ends
//! included).

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A reporting period. Its code (`Display` / `FromStr`) is stable and used in URLs, lineage
/// handles and the database (`manual_figures.period_start/period_end` hold the bounds):
/// `2023`, `2023-Q1`, `2023-03`, `2023-01-05..2023-02-01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Year(i16),
    /// Year and quarter 1–4.
    Quarter(i16, i8),
    /// Year and month 1–12.
    Month(i16, i8),
    /// Inclusive range.
    Custom(Date, Date),
}

/// Why a period code or range is not acceptable. `Display` is Simplified Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("期间“{0}”格式不正确，应为2023、2023-Q1、2023-03或2023-01-01..2023-03-31")]
    Syntax(String),
    #[error("期间的年份应在2000至2099之间")]
    Year,
    #[error("期间的结束日期不能早于开始日期")]
    Reversed,
}

const MIN_YEAR: i16 = 2000;
const MAX_YEAR: i16 = 2099;

fn check_year(y: i16) -> Result<i16, PeriodError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&y) {
        Ok(y)
    } else {
        Err(PeriodError::Year)
    }
}

impl Period {
    pub fn year(y: i16) -> Result<Period, PeriodError> {
        Ok(Period::Year(check_year(y)?))
    }

    pub fn quarter(y: i16, q: i8) -> Result<Period, PeriodError> {
        if !(1..=4).contains(&q) {
            return Err(PeriodError::Syntax(format!("{y}-Q{q}")));
        }
        Ok(Period::Quarter(check_year(y)?, q))
    }

    pub fn month(y: i16, m: i8) -> Result<Period, PeriodError> {
        if !(1..=12).contains(&m) {
            return Err(PeriodError::Syntax(format!("{y}-{m:02}")));
        }
        Ok(Period::Month(check_year(y)?, m))
    }

    pub fn custom(start: Date, end: Date) -> Result<Period, PeriodError> {
        check_year(start.year())?;
        check_year(end.year())?;
        if end < start {
            return Err(PeriodError::Reversed);
        }
        Ok(Period::Custom(start, end))
    }

    /// The period with exactly these bounds, named as a year, quarter or month when it is one.
    pub fn from_bounds(start: Date, end: Date) -> Result<Period, PeriodError> {
        let p = Period::custom(start, end)?;
        let y = start.year();
        let candidates = [Period::Year(y)]
            .into_iter()
            .chain((1..=4).map(|q| Period::Quarter(y, q)))
            .chain((1..=12).map(|m| Period::Month(y, m)));
        for c in candidates {
            if c.start() == start && c.end() == end {
                return Ok(c);
            }
        }
        Ok(p)
    }

    /// First day (included).
    pub fn start(&self) -> Date {
        match *self {
            Period::Year(y) => jiff::civil::date(y, 1, 1),
            Period::Quarter(y, q) => jiff::civil::date(y, (q - 1) * 3 + 1, 1),
            Period::Month(y, m) => jiff::civil::date(y, m, 1),
            Period::Custom(s, _) => s,
        }
    }

    /// Last day (included).
    pub fn end(&self) -> Date {
        match *self {
            Period::Year(y) => jiff::civil::date(y, 12, 31),
            Period::Quarter(y, q) => jiff::civil::date(y, q * 3, 1).last_of_month(),
            Period::Month(y, m) => jiff::civil::date(y, m, 1).last_of_month(),
            Period::Custom(_, e) => e,
        }
    }

    pub fn contains(&self, d: Date) -> bool {
        self.start() <= d && d <= self.end()
    }

    /// How the period is named in Chinese: `2023年`, `2023年第一季度`, `2023年3月`,
    /// `2023年1月5日至2023年2月1日`.
    pub fn label_zh(&self) -> String {
        const Q: [&str; 4] = ["一", "二", "三", "四"];
        let day = |d: Date| format!("{}年{}月{}日", d.year(), d.month(), d.day());
        match *self {
            Period::Year(y) => format!("{y}年"),
            Period::Quarter(y, q) => format!("{y}年第{}季度", Q[(q - 1) as usize]),
            Period::Month(y, m) => format!("{y}年{m}月"),
            Period::Custom(s, e) => format!("{}至{}", day(s), day(e)),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
            Period::Custom(s, e) => write!(f, "{s}..{e}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(raw: &str) -> Result<Period, PeriodError> {
        let s = raw.trim();
        let bad = || PeriodError::Syntax(raw.to_string());
        let year = |t: &str| -> Result<i16, PeriodError> {
            if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
                t.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        if let Some((a, b)) = s.split_once("..") {
            let a: Date = a.trim().parse().map_err(|_| bad())?;
            let b: Date = b.trim().parse().map_err(|_| bad())?;
            return Period::custom(a, b);
        }
        if let Some((y, q)) = s.split_once("-Q").or_else(|| s.split_once("-q")) {
            let q: i8 = match q {
                "1" => 1,
                "2" => 2,
                "3" => 3,
                "4" => 4,
                _ => return Err(bad()),
            };
            return Period::quarter(year(y)?, q);
        }
        if let Some((y, m)) = s.split_once('-') {
            if m.len() != 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let m: i8 = m.parse().map_err(|_| bad())?;
            return Period::month(year(y)?, m);
        }
        Period::year(year(s)?)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Period, PeriodError> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn codes_round_trip_and_bounds_are_inclusive() {
        for (code, start, end, label) in [
            ("2023", date(2023, 1, 1), date(2023, 12, 31), "2023年"),
            (
                "2024-Q1",
                date(2024, 1, 1),
                date(2024, 3, 31),
                "2024年第一季度",
            ),
            (
                "2023-Q4",
                date(2023, 10, 1),
                date(2023, 12, 31),
                "2023年第四季度",
            ),
            ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
            (
                "2023-01-05..2023-02-01",
                date(2023, 1, 5),
                date(2023, 2, 1),
                "2023年1月5日至2023年2月1日",
            ),
        ] {
            let p: Period = code.parse().unwrap();
            assert_eq!(p.to_string(), code);
            assert_eq!((p.start(), p.end()), (start, end), "{code}");
            assert_eq!(p.label_zh(), label);
            assert_eq!(Period::from_bounds(start, end).unwrap(), p);
        }
    }

    #[test]
    fn bad_codes_are_refused_in_chinese() {
        for bad in [
            "",
            "23",
            "2023-13",
            "2023-Q5",
            "2023-3",
            "abcd",
            "2023-02-01..2023-01-01",
            "1999",
        ] {
            let e = bad.parse::<Period>().unwrap_err();
            assert!(e.to_string().contains("期间"), "{bad}: {e}");
        }
    }
}
