//! The calendar's next year (issue 22): a year's arrangement loaded at run time, validated with
//! Chinese errors; until it is loaded, a period running past the data is provisional (weekends
//! only) instead of refused, and a binding computation still refuses.
//!
//! `data/cn-2027-test.json` is a test fixture shaped like a State Council notice (元旦 01-01–03,
//! 春节 02-05–12 with 02-20 Sat worked, …); it is not the official 2027 arrangement.

use fazhi_calendar::{Calendar, CalendarError, PeriodUnit, RollRule, validate_year, year_of};
use jiff::civil::Date;

const Y2027: &str = include_str!("data/cn-2027-test.json");

fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

#[test]
fn a_90_day_clock_started_2026_11_20_is_provisional_then_binding_after_2027_is_loaded() {
    let cal = Calendar::national();
    // Binding: refused, the data ends with 2026 (law file §13: never guess).
    assert!(matches!(
        cal.due(
            d("2026-11-20"),
            90,
            PeriodUnit::NaturalDays,
            RollRule::default()
        ),
        Err(CalendarError::OutOfRange { .. })
    ));
    // Provisional: weekends only; 2027-02-18 is a Thursday.
    let p = cal
        .due_provisional(
            d("2026-11-20"),
            90,
            PeriodUnit::NaturalDays,
            RollRule::default(),
        )
        .unwrap();
    assert_eq!(p.due, d("2027-02-18"));
    assert!(p.provisional);
    assert!(p.explain_zh().iter().any(|l| l.contains("暂定")));
    let loaded = cal.with_year(2027, Y2027).unwrap();
    let b = loaded
        .due(
            d("2026-11-20"),
            90,
            PeriodUnit::NaturalDays,
            RollRule::default(),
        )
        .unwrap();
    assert_eq!(b.due, d("2027-02-18"));
    assert!(!b.provisional);
    assert!(b.calendar_version.contains("+2027:sha256:"));
    assert_ne!(b.calendar_version, p.calendar_version);
}

#[test]
fn a_provisional_due_date_on_the_spring_festival_moves_once_2027_is_loaded() {
    let cal = Calendar::national();
    // 60 natural days from 2026-12-07 end on 2027-02-05 (Friday): provisional.
    let p = cal
        .due_provisional(
            d("2026-12-07"),
            60,
            PeriodUnit::NaturalDays,
            RollRule::default(),
        )
        .unwrap();
    assert_eq!((p.due, p.provisional), (d("2027-02-05"), true));
    // Loaded: 02-05 is 除夕 in the 春节 block 02-05–12, then a weekend → Monday 02-15.
    let b = cal
        .with_year(2027, Y2027)
        .unwrap()
        .due(
            d("2026-12-07"),
            60,
            PeriodUnit::NaturalDays,
            RollRule::default(),
        )
        .unwrap();
    assert_eq!((b.due, b.provisional), (d("2027-02-15"), false));
    assert_eq!(b.rolled_from, Some(d("2027-02-05")));
    // Working days across 元旦: 5 working days from 2026-12-29 (Tue) are provisionally
    // 12-30, 12-31, 01-01, 01-04, 01-05; with 元旦 01-01–03 loaded, 01-06.
    let p = cal
        .due_provisional(
            d("2026-12-29"),
            5,
            PeriodUnit::WorkingDays,
            RollRule::default(),
        )
        .unwrap();
    assert_eq!((p.due, p.provisional), (d("2027-01-05"), true));
    let b = cal
        .with_year(2027, Y2027)
        .unwrap()
        .due(
            d("2026-12-29"),
            5,
            PeriodUnit::WorkingDays,
            RollRule::default(),
        )
        .unwrap();
    assert_eq!((b.due, b.provisional), (d("2027-01-06"), false));
    // The adjusted working Saturday 2027-02-20 counts: 5 working days from 2027-02-17 (Wed)
    // are 02-18, 02-19, 02-20 (Sat, worked), 02-22, 02-23.
    let b = cal
        .with_year(2027, Y2027)
        .unwrap()
        .due(
            d("2027-02-17"),
            5,
            PeriodUnit::WorkingDays,
            RollRule::default(),
        )
        .unwrap();
    assert_eq!(b.due, d("2027-02-23"));
    assert_eq!(b.adjusted_workdays.len(), 1);
}

#[test]
fn a_period_within_the_data_is_never_provisional() {
    let p = Calendar::national()
        .due_provisional(
            d("2026-09-28"),
            5,
            PeriodUnit::WorkingDays,
            RollRule::default(),
        )
        .unwrap();
    assert!(!p.provisional);
    assert_eq!(p.due, d("2026-10-10"));
}

#[test]
fn the_year_file_is_checked_with_chinese_errors_naming_the_entry() {
    assert_eq!(year_of(Y2027), Some(2027));
    let ok = validate_year(2027, Y2027).unwrap();
    assert_eq!((ok.holidays(), ok.workdays()), (26, 3));
    let bad = r#"[
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2028-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-13", "kind": "workday", "name": "春节"},
        {"date": "2027-02-13", "kind": "holiday", "name": "春节"},
        {"date": "2027-02-17", "kind": "workday", "name": "春节"},
        {"date": "2027-02-31", "kind": "holiday", "name": "春节"},
        {"date": "2027-03-01", "kind": "rest", "name": "春节"},
        {"date": "2027-03-02", "kind": "holiday", "name": " "}
    ]"#;
    let problems = validate_year(2027, bad).unwrap_err();
    let want = [
        "第2条：日期2028-01-01不在2027年内",
        "第3条：2027-01-01重复出现",
        "第5条：2027-02-13同时被列为放假日和调休上班日",
        "第6条：2027-02-17不是周六或周日，不能标为调休上班日",
        "第7条：日期（date）应为YYYY-MM-DD格式的真实日期，收到“2027-02-31”",
        "第8条：2027-03-01的类型（kind）应为holiday（放假）或workday（调休上班），收到“rest”",
        "第9条：2027-03-02缺少节日名称（name）",
    ];
    assert_eq!(problems, want);
    assert!(validate_year(2027, "[]").unwrap_err()[0].contains("没有任何日期"));
    assert!(validate_year(2027, "{").unwrap_err()[0].starts_with("文件："));
}

#[test]
fn only_the_next_year_or_a_reload_of_an_imported_year_is_accepted() {
    let cal = Calendar::national();
    let e = cal
        .with_year(
            2026,
            r#"[{"date": "2026-12-31", "kind": "holiday", "name": "元旦"}]"#,
        )
        .unwrap_err();
    assert!(e[0].contains("内置日历已包含2026年"), "{e:?}");
    let e = cal
        .with_year(
            2028,
            r#"[{"date": "2028-01-01", "kind": "holiday", "name": "元旦"}]"#,
        )
        .unwrap_err();
    assert!(e[0].contains("应先导入2027年"), "{e:?}");
    let once = cal.with_year(2027, Y2027).unwrap();
    assert_eq!(once.last_date(), d("2027-12-31"));
    // A corrected file replaces the year: 02-20 no longer worked.
    let corrected = Y2027.replace(
        "  {\"date\": \"2027-02-20\", \"kind\": \"workday\", \"name\": \"春节\"},\n",
        "",
    );
    let twice = once.with_year(2027, &corrected).unwrap();
    assert!(!twice.is_working_day(d("2027-02-20")).unwrap());
    assert_eq!(twice.imported_years().count(), 1);
    assert_ne!(twice.calendar_version(), once.calendar_version());
}
