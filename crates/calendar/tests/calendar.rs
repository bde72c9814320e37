//! Deadline arithmetic on the real 2020–2026 calendar (law file §0 and §13).

use fazhi_calendar::{
    Calendar, CalendarError, DayType, DueDate, PeriodUnit, RollRule, national, province_codes,
};
use jiff::civil::{Date, date};
use proptest::prelude::*;

fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

/// One helper for every dated case: start, n, unit → due date (and the explanation).
fn check(start: &str, n: u32, unit: PeriodUnit, roll_weekends: bool, expected: &str) -> DueDate {
    let due = national()
        .due(d(start), n, unit, RollRule { roll_weekends })
        .unwrap_or_else(|e| panic!("due({start}, {n}, {unit:?}) failed: {e}"));
    assert_eq!(
        due.due,
        d(expected),
        "due({start}, {n}, {unit:?}) explanation: {:#?}",
        due.explain_zh()
    );
    due
}

#[test]
fn working_days_across_national_day_2024_count_the_sunday_make_up_day() {
    // 2024-09-29 (Sunday) is an adjusted working day; 10-01..07 National Day.
    let due = check("2024-09-27", 5, PeriodUnit::WorkingDays, true, "2024-10-10");
    assert_eq!(due.adjusted_workdays.len(), 1);
    assert_eq!(due.adjusted_workdays[0].date, d("2024-09-29"));
    let lines = due.explain_zh();
    assert_eq!(lines[0], "起算日2024-09-27（不计入）");
    assert!(
        lines.contains(&"跳过2024-09-28 周末".to_owned()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"2024-09-29 调休上班日（国庆节），计为工作日".to_owned()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"跳过2024-10-01至2024-10-07 国庆节".to_owned()),
        "{lines:#?}"
    );
    assert!(lines.contains(&"期满日2024-10-10".to_owned()), "{lines:#?}");
    // The lines are in date order.
    let pos = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap();
    assert!(pos("2024-09-28 周末") < pos("2024-09-29 调休"));
    assert!(pos("2024-09-29 调休") < pos("2024-10-01至"));
}

#[test]
fn working_days_across_spring_festival_2026_count_both_saturday_make_up_days() {
    // 2026-02-14 (Sat) and 2026-02-28 (Sat) are working days; 02-15..23 Spring Festival.
    let due = check("2026-02-12", 5, PeriodUnit::WorkingDays, true, "2026-02-26");
    assert_eq!(
        due.adjusted_workdays
            .iter()
            .map(|w| w.date)
            .collect::<Vec<_>>(),
        vec![d("2026-02-14")]
    );
    assert_eq!(due.skipped.len(), 9);
    check("2026-02-12", 7, PeriodUnit::WorkingDays, true, "2026-02-28");
    // From the Friday before the second make-up Saturday: 02-28 is the first working day.
    check("2026-02-27", 1, PeriodUnit::WorkingDays, true, "2026-02-28");
    check("2026-02-27", 2, PeriodUnit::WorkingDays, true, "2026-03-02");
}

#[test]
fn five_working_days_from_2026_09_30() {
    // 10-01..07 National Day, 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat make-up (3),
    // 10-11 Sun skipped, 10-12 (4), 10-13 (5).
    let due = check("2026-09-30", 5, PeriodUnit::WorkingDays, true, "2026-10-13");
    assert_eq!(due.adjusted_workdays[0].date, d("2026-10-10"));
}

#[test]
fn natural_period_ending_on_national_day_2026_rolls_to_october_8() {
    let due = check(
        "2026-09-03",
        30,
        PeriodUnit::NaturalDays,
        true,
        "2026-10-08",
    );
    assert_eq!(due.rolled_from, Some(d("2026-10-03")));
    let skipped: Vec<Date> = due.skipped.iter().map(|s| s.date).collect();
    assert_eq!(
        skipped,
        vec![
            d("2026-10-03"),
            d("2026-10-04"),
            d("2026-10-05"),
            d("2026-10-06"),
            d("2026-10-07")
        ]
    );
    let lines = due.explain_zh();
    assert!(
        lines.contains(&"跳过2026-10-03至2026-10-07 国庆节".to_owned()),
        "{lines:#?}"
    );
    assert!(lines.contains(&"期满日2026-10-08".to_owned()));
}

#[test]
fn natural_period_ending_on_a_make_up_saturday_does_not_roll() {
    // 2026-02-14 is a working Saturday: a period ending there ends there.
    let due = check(
        "2026-02-04",
        10,
        PeriodUnit::NaturalDays,
        true,
        "2026-02-14",
    );
    assert_eq!(due.rolled_from, None);
}

#[test]
fn natural_period_ending_on_an_ordinary_weekend_rolls_only_when_configured() {
    // 2024-06-08 is an ordinary Saturday; 2024-06-10 (Mon) is 端午节.
    check("2024-06-01", 7, PeriodUnit::NaturalDays, true, "2024-06-11");
    check(
        "2024-06-01",
        7,
        PeriodUnit::NaturalDays,
        false,
        "2024-06-08",
    );
    // A holiday always rolls, even without weekend rolling.
    check(
        "2024-06-03",
        7,
        PeriodUnit::NaturalDays,
        false,
        "2024-06-11",
    );
}

#[test]
fn ninety_day_decision_limit_is_plain_calendar_arithmetic() {
    // 《行政处罚法》第六十条: 90 days from filing.
    check(
        "2024-03-01",
        90,
        PeriodUnit::NaturalDays,
        true,
        "2024-05-30",
    );
}

#[test]
fn hours_run_continuously_and_a_day_of_24_hours_ends_next_day() {
    check("2024-09-30", 24, PeriodUnit::Hours, true, "2024-10-01");
    check("2024-09-30", 2, PeriodUnit::Hours, true, "2024-10-01");
    check("2024-09-30", 48, PeriodUnit::Hours, true, "2024-10-02");
    check("2024-09-30", 49, PeriodUnit::Hours, true, "2024-10-03");
}

#[test]
fn zero_length_periods_end_on_the_start_day() {
    check("2024-10-01", 0, PeriodUnit::WorkingDays, true, "2024-10-01");
    check("2024-10-01", 0, PeriodUnit::NaturalDays, true, "2024-10-01");
}

#[test]
fn hubei_2020_overlay_extends_spring_festival_to_february_13() {
    // National: 01-24..02-02 off, so 5 working days from 01-23 end on 02-07.
    check("2020-01-23", 5, PeriodUnit::WorkingDays, true, "2020-02-07");
    let hubei = Calendar::for_province("42").unwrap();
    assert_eq!(hubei.province(), Some("42"));
    for day in ["2020-02-03", "2020-02-07", "2020-02-13"] {
        let info = hubei.day_info(d(day)).unwrap();
        assert_eq!(info.kind, DayType::Holiday, "{day}");
        assert!(info.name.unwrap().contains("湖北"));
        assert!(national().is_working_day(d(day)).unwrap(), "{day} national");
    }
    assert!(hubei.is_working_day(d("2020-02-14")).unwrap());
    let due = hubei
        .due(
            d("2020-01-23"),
            5,
            PeriodUnit::WorkingDays,
            RollRule::default(),
        )
        .unwrap();
    assert_eq!(due.due, d("2020-02-20"));
    assert!(due.calendar_version.contains("+42:sha256:"));
    assert_ne!(hubei.calendar_version(), national().calendar_version());
    assert!(province_codes().any(|c| c == "42"));
}

#[test]
fn unknown_province_is_an_error() {
    let err = Calendar::for_province("99").unwrap_err();
    assert_eq!(
        err,
        CalendarError::UnknownProvince {
            code: "99".to_owned()
        }
    );
    assert!(err.to_string().contains("99"));
}

#[test]
fn dates_outside_2020_2026_are_refused_with_a_chinese_message() {
    let cal = national();
    let err = cal.day_info(d("2027-01-05")).unwrap_err();
    assert_eq!(
        err,
        CalendarError::OutOfRange {
            date: d("2027-01-05"),
            first: d("2020-01-01"),
            last: d("2026-12-31")
        }
    );
    assert_eq!(
        err.to_string(),
        "日历数据仅覆盖2020年至2026年，无法计算2027-01-05"
    );
    assert!(cal.day_info(d("2019-12-31")).is_err());
    // A period whose counting runs past the data is refused, not guessed.
    let err = cal
        .due(
            d("2026-12-28"),
            5,
            PeriodUnit::WorkingDays,
            RollRule::default(),
        )
        .unwrap_err();
    assert!(matches!(err, CalendarError::OutOfRange { date, .. } if date == d("2027-01-01")));
    assert!(
        cal.due(
            d("2026-12-01"),
            31,
            PeriodUnit::NaturalDays,
            RollRule::default()
        )
        .is_err()
    );
    assert!(
        cal.working_days_between(d("2026-12-01"), d("2027-01-04"))
            .is_err()
    );
}

#[test]
fn law_file_section_13_facts_hold() {
    let cal = national();
    let kind = |s: &str| cal.day_info(d(s)).unwrap().kind;
    // Adjusted working weekend days from the §13 table.
    for s in [
        "2020-01-19",
        "2021-02-20",
        "2022-01-29",
        "2022-01-30",
        "2023-10-08",
        "2024-02-04",
        "2024-09-29",
        "2024-10-12",
        "2025-09-28",
        "2025-10-11",
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-10-10",
    ] {
        assert_eq!(kind(s), DayType::AdjustedWorkday, "{s}");
    }
    // Holidays, including weekdays inside holiday blocks.
    for s in [
        "2020-02-02",
        "2022-12-31",
        "2023-04-05",
        "2024-06-10",
        "2025-10-08",
        "2026-02-16",
        "2026-02-23",
        "2026-10-07",
    ] {
        assert_eq!(kind(s), DayType::Holiday, "{s}");
    }
    // 2020-02-01 (Sat) make-up day was cancelled by the extension; 2023-12-30/31 ordinary weekend;
    // 2024-02-09 (除夕) was only encouraged rest, a working Friday.
    assert_eq!(kind("2023-12-31"), DayType::Weekend);
    assert_eq!(kind("2024-02-09"), DayType::Working);
    assert_eq!(kind("2024-06-08"), DayType::Weekend);
    assert_eq!(
        cal.day_info(d("2026-02-16")).unwrap().name.as_deref(),
        Some("春节")
    );
}

#[test]
fn working_days_between_counts_after_start_up_to_end() {
    let cal = national();
    assert_eq!(
        cal.working_days_between(d("2024-09-27"), d("2024-10-10"))
            .unwrap(),
        5
    );
    assert_eq!(
        cal.working_days_between(d("2024-10-10"), d("2024-09-27"))
            .unwrap(),
        -5
    );
    assert_eq!(
        cal.working_days_between(d("2024-10-01"), d("2024-10-07"))
            .unwrap(),
        0
    );
    assert_eq!(
        cal.add_working_days(d("2026-09-30"), 5).unwrap(),
        d("2026-10-13")
    );
}

#[test]
fn calendar_version_names_years_and_hash() {
    let v = national().calendar_version();
    assert!(v.starts_with("cn-2020-2026+sha256:"), "{v}");
    assert_eq!(v.len(), "cn-2020-2026+sha256:".len() + 12);
    assert_eq!(fazhi_calendar::calendar_version(), v);
}

#[test]
fn due_date_serialises_with_explanation() {
    let due = check("2024-09-27", 5, PeriodUnit::WorkingDays, true, "2024-10-10");
    let json = due.to_json();
    assert_eq!(json["due"], "2024-10-10");
    assert_eq!(json["unit"], "working_days");
    assert_eq!(json["adjusted_workdays"][0]["date"], "2024-09-29");
    assert_eq!(json["explanation_zh"][0], "起算日2024-09-27（不计入）");
}

#[test]
fn invalid_data_is_rejected_with_reason() {
    let err = Calendar::from_json(
        r#"[{"date":"2024-10-09","kind":"workday","name":"国庆节"}]"#,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("不是周末"), "{err}");
    let err = Calendar::from_json(
        r#"[{"date":"2024-10-01","kind":"holiday","name":"国庆节"},{"date":"2024-10-01","kind":"holiday","name":"国庆节"}]"#,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("重复"), "{err}");
    assert!(Calendar::from_json("[{", None).is_err());
    let err = Calendar::from_json(
        fazhi_calendar::NATIONAL_DATA,
        Some((
            "42",
            r#"[{"date":"2030-01-01","kind":"holiday","name":"x"}]"#,
        )),
    )
    .unwrap_err();
    assert!(err.to_string().contains("超出"), "{err}");
}

fn start_date() -> impl Strategy<Value = Date> {
    // 2020-01-01 .. 2026-09-30: leaves room for 60 working days inside the data.
    (0i32..2465).prop_map(|offset| {
        date(2020, 1, 1)
            .checked_add(jiff::Span::new().days(offset))
            .unwrap()
    })
}

proptest! {
    #[test]
    fn working_day_due_is_a_working_day_strictly_after_start_and_monotone(
        start in start_date(),
        n in 1u32..60,
    ) {
        let cal = national();
        let a = cal.due(start, n, PeriodUnit::WorkingDays, RollRule::default()).unwrap();
        let b = cal.due(start, n + 1, PeriodUnit::WorkingDays, RollRule::default()).unwrap();
        prop_assert!(cal.is_working_day(a.due).unwrap());
        prop_assert!(a.due > start);
        prop_assert!(b.due > a.due);
        prop_assert_eq!(cal.working_days_between(start, a.due).unwrap(), n as i32);
    }

    #[test]
    fn rolled_natural_due_is_never_a_rest_day_and_never_before_nominal_end(
        start in start_date(),
        n in 1u32..60,
    ) {
        let cal = national();
        let due = cal.due(start, n, PeriodUnit::NaturalDays, RollRule::default()).unwrap();
        let nominal = start.checked_add(jiff::Span::new().days(n)).unwrap();
        prop_assert!(cal.is_working_day(due.due).unwrap());
        prop_assert!(due.due >= nominal);
        prop_assert_eq!(due.rolled_from.is_some(), due.due != nominal);
    }
}

/// Months (《民法典》第二百零二条、第二百零三条): the corresponding day of the last month, else that
/// month's last day; a last day on a holiday (or, by the rule, a weekend) rolls to the next
/// working day; an adjusted working weekend day is a working day and does not roll.
#[test]
fn months_end_on_the_corresponding_day_or_the_month_end_and_roll_off_rest_days() {
    // 01-31 + 1 month: February has no 31st → 02-28, the adjusted working Saturday.
    let due = check("2026-01-31", 1, PeriodUnit::Months, true, "2026-02-28");
    assert_eq!(due.rolled_from, None);
    // 03-31 + 2 months = 05-31, a Sunday: rolls to Monday 06-01 (or stays without weekend roll).
    check("2026-03-31", 2, PeriodUnit::Months, true, "2026-06-01");
    check("2026-03-31", 2, PeriodUnit::Months, false, "2026-05-31");
    // 08-01 + 2 months = 10-01: National Day rolls to 10-08 either way.
    let due = check("2026-08-01", 2, PeriodUnit::Months, false, "2026-10-08");
    assert!(
        due.explain_zh().iter().any(|l| l.contains("期限2个月")),
        "{:?}",
        due.explain_zh()
    );
    // 03-20 + 6 months = 09-20, the adjusted working Sunday: no roll.
    check("2026-03-20", 6, PeriodUnit::Months, true, "2026-09-20");
}

/// Minutes run continuously: with only a date known, 5 minutes end at the latest the next day.
#[test]
fn minutes_are_continuous() {
    check("2026-10-01", 5, PeriodUnit::Minutes, true, "2026-10-02");
    assert_eq!(PeriodUnit::from_code("minutes"), Some(PeriodUnit::Minutes));
    assert_eq!(PeriodUnit::Minutes.label_zh(), "分钟");
}
