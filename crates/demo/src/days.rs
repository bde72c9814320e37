//! Working days for script dates.
//!
//! A script date is a Monday–Friday that the official calendar (`fazhi-calendar`) treats as a
//! working day. Outside the years the calendar covers, a rough fallback avoids the big holiday
//! blocks (New Year 1–3 Jan, Spring Festival, 1–5 May, 1–7 Oct). Adjusted working weekends
//! (调休上班日) are never used, so every script date is a plain weekday.

use jiff::ToSpan;
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};

/// `date + n` calendar days (saturating at the calendar's range, which demo dates never reach).
pub(crate) fn plus_days(date: Date, n: i64) -> Date {
    date.checked_add(n.days()).unwrap_or(date)
}

/// Approximate first day of the Spring Festival (正月初一) for the fallback.
fn spring_festival(year: i16) -> Option<Date> {
    let (m, d) = match year {
        2019 => (2, 5),
        2020 => (1, 25),
        2021 => (2, 12),
        2022 => (2, 1),
        2023 => (1, 22),
        2024 => (2, 10),
        2025 => (1, 29),
        2026 => (2, 17),
        2027 => (2, 6),
        2028 => (1, 26),
        2029 => (2, 13),
        2030 => (2, 3),
        _ => return None,
    };
    Date::new(year, m, d).ok()
}

fn rough_holiday(date: Date) -> bool {
    let (m, d) = (date.month(), date.day());
    if (m == 1 && d <= 3) || (m == 5 && d <= 5) || (m == 10 && d <= 7) {
        return true;
    }
    match spring_festival(date.year()) {
        Some(sf) => plus_days(sf, -2) <= date && date <= plus_days(sf, 6),
        // Unknown year: keep clear of the usual window.
        None => m == 2 && (8..=20).contains(&d),
    }
}

/// First day of the precomputed table.
const TABLE_START: Date = Date::constant(2000, 1, 1);
/// Days in the precomputed table (2000-01-01 … 2060-12-31).
const TABLE_DAYS: usize = 22_281;

/// Workday flags for [`TABLE_START`] onwards, computed once: generating a million tickets asks
/// the question tens of millions of times.
fn table() -> &'static [bool] {
    static TABLE: OnceLock<Vec<bool>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut out = Vec::with_capacity(TABLE_DAYS);
        let mut d = TABLE_START;
        for _ in 0..TABLE_DAYS {
            out.push(compute_workday(d));
            d = plus_days(d, 1);
        }
        out
    })
}

/// Whether `date` can carry a script step.
pub(crate) fn is_workday(date: Date) -> bool {
    match index_of(date) {
        Some(i) => table()[i],
        None => compute_workday(date),
    }
}

fn compute_workday(date: Date) -> bool {
    if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
        return false;
    }
    match fazhi_calendar::national().is_working_day(date) {
        Ok(working) => working,
        Err(_) => !rough_holiday(date),
    }
}

/// Index of `date` in the precomputed table.
fn index_of(date: Date) -> Option<usize> {
    let offset = (date - TABLE_START).get_days();
    usize::try_from(offset).ok().filter(|i| *i < TABLE_DAYS)
}

/// The first workday on or after `date`.
pub(crate) fn on_or_after(date: Date) -> Date {
    if let Some(start) = index_of(date) {
        let table = table();
        if let Some(i) = (start..TABLE_DAYS).find(|i| table[*i]) {
            return plus_days(TABLE_START, i as i64);
        }
    }
    let mut d = date;
    while !is_workday(d) {
        d = d.tomorrow().unwrap_or(d);
    }
    d
}

/// The `n`-th workday after `date` (`date` not counted; `n = 0` gives the first workday on or
/// after `date`).
pub(crate) fn add_workdays(date: Date, n: u32) -> Date {
    let first = on_or_after(date);
    if let Some(mut i) = index_of(first) {
        let table = table();
        let mut left = n;
        while left > 0 && i + 1 < TABLE_DAYS {
            i += 1;
            if table[i] {
                left -= 1;
            }
        }
        if left == 0 {
            return plus_days(TABLE_START, i as i64);
        }
    }
    let mut d = first;
    for _ in 0..n {
        d = d.tomorrow().unwrap_or(d);
        while !is_workday(d) {
            d = d.tomorrow().unwrap_or(d);
        }
    }
    d
}

/// Number of workdays in `start..=end` (0 when `end < start`).
pub(crate) fn count_workdays(start: Date, end: Date) -> u32 {
    if end < start {
        return 0;
    }
    match (index_of(start), index_of(end)) {
        (Some(a), Some(b)) => table()[a..=b].iter().filter(|w| **w).count() as u32,
        _ => workdays(start, end).len() as u32,
    }
}

/// Every workday in `start..=end`.
pub(crate) fn workdays(start: Date, end: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = on_or_after(start);
    while d <= end {
        out.push(d);
        d = add_workdays(d, 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weekends_and_official_holidays_are_skipped() {
        // 2026-02-13 is a Friday before the Spring Festival block (02-15..02-23).
        assert!(is_workday(date(2026, 2, 13)));
        assert!(!is_workday(date(2026, 2, 16)));
        assert_eq!(add_workdays(date(2026, 2, 13), 1), date(2026, 2, 24));
        // 2026-02-28 is an adjusted working Saturday: still not a script date.
        assert!(!is_workday(date(2026, 2, 28)));
        assert_eq!(on_or_after(date(2026, 10, 1)), date(2026, 10, 8));
    }

    #[test]
    fn outside_the_calendar_the_rough_fallback_applies() {
        assert!(!is_workday(date(2028, 1, 3)));
        assert!(is_workday(date(2028, 1, 4)));
        assert!(!is_workday(date(2028, 1, 27)));
        assert!(!is_workday(date(2030, 10, 7)));
    }

    #[test]
    fn the_table_agrees_with_the_direct_computation_and_ends_where_declared() {
        assert_eq!(
            plus_days(TABLE_START, TABLE_DAYS as i64 - 1),
            date(2060, 12, 31)
        );
        let mut d = date(2019, 12, 1);
        while d < date(2031, 1, 31) {
            assert_eq!(is_workday(d), compute_workday(d), "{d}");
            d = plus_days(d, 1);
        }
        assert!(is_workday(date(2061, 1, 4)));
        // Crossing the end of the table falls back to the direct computation.
        // 2060-12-29 is a Wednesday; 2061-01-01..03 is the New Year block.
        assert_eq!(add_workdays(date(2060, 12, 29), 3), date(2061, 1, 4));
        assert_eq!(on_or_after(date(2061, 1, 1)), date(2061, 1, 4));
        assert_eq!(count_workdays(date(2026, 3, 2), date(2026, 3, 13)), 10);
        assert_eq!(count_workdays(date(2026, 3, 13), date(2026, 3, 2)), 0);
        assert!(!is_workday(date(1999, 12, 31 - 5)));
    }

    #[test]
    fn workdays_lists_the_window() {
        let days = workdays(date(2026, 3, 2), date(2026, 3, 8));
        assert_eq!(days.len(), 5);
        assert_eq!(add_workdays(date(2026, 3, 7), 0), date(2026, 3, 9));
    }
}
