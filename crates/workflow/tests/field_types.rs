//! Dated scenarios of the field and grid case types (issue 20): grid events, inspections,
//! illegal buildings (《中华人民共和国行政强制法》第三十五条、第三十七条、第四十三条、第四十四条),
//! wage arrears (《中华人民共和国劳动争议调解仲裁法》第十四条), the command centre's minute clocks
//! ("135"), bad ratings, suggestions and proposals (months, 代表法第五十一条) and public opinion
//! (hours), with the generic guard and clock kinds they added, on the official calendar: the
//! Spring Festival with its adjusted working Saturday 2026-02-14, Qingming, the adjusted working
//! Sunday 2026-09-20, National Day 2026-10-01..07 and the adjusted working Saturday 2026-10-10.

use fazhi_workflow::{ClockStatus, Refusals};
use serde_json::json;

mod support;

use support::{Run, d};

/// These types read no register of persons.
fn fresh(code: &'static str) -> Run {
    Run::with_register(code, Vec::new())
}

fn only(r: &Refusals, code: &str) {
    let codes: Vec<&str> = r.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(codes, vec![code], "{r:#?}");
}

// ------------------------------------------------------------------ demolition

fn demolition_ordered(served: &str, deadline: &str) -> Run {
    let mut run = fresh("demolition");
    run.ok(
        served,
        "create",
        "officer",
        json!({"source": "网格巡查", "building_kind": "违法搭建（屋顶）", "discovered_on": served,
               "address": "望湖花园3幢", "party_kind": "自然人", "party_name": "王某",
               "content": "屋顶平台搭建彩钢板房", "area": "35.5"}),
    )
    .ok(
        served,
        "determine",
        "officer",
        json!({"determination": "未取得建设工程规划许可证", "area": "35.5"}),
    )
    .ok(
        served,
        "order",
        "leader",
        json!({"order_number": "望江限拆〔2026〕第1号", "order_served_on": served, "order_deadline": deadline}),
    );
    run
}

/// 《行政强制法》第三十五条、第三十七条、第四十四条、第四十三条 on real dates: the 催告 only after the
/// order's deadline (Qingming 2026-04-04..06 in between), the enforcement decision only after the
/// 催告 period, forced demolition only after the 公告 period, the 60-day reconsideration period
/// (行政复议法第二十条) and the 6-month litigation period (行政诉讼法第四十六条) from the service of
/// the order — whose last day is the adjusted working Sunday 2026-09-20 — and never on a statutory
/// holiday (National Day); the adjusted working Saturday 2026-10-10 is allowed.
#[test]
fn forced_demolition_waits_out_the_urge_notice_reconsideration_and_litigation_periods() {
    let mut run = demolition_ordered("2026-03-20", "2026-04-03");
    let r = run.refused(
        "2026-04-03",
        "urge",
        "officer",
        json!({"urge_served_on": "2026-04-03", "urge_deadline": "2026-04-17"}),
        "demolition.order_period_open",
    );
    let refusal = r.find("demolition.order_period_open").unwrap();
    assert_eq!(refusal.article.as_deref(), Some("第三十五条"));
    assert!(
        refusal.message_zh.contains("至2026-04-03届满"),
        "{}",
        refusal.message_zh
    );
    run.ok(
        "2026-04-07",
        "urge",
        "officer",
        json!({"urge_served_on": "2026-04-07", "urge_deadline": "2026-04-17"}),
    )
    .ok(
        "2026-04-09",
        "record_statement",
        "officer",
        json!({"statement_note": "当事人称用于堆放杂物，请求缓期拆除"}),
    );
    let r = run.refused(
        "2026-04-17",
        "decide_enforcement",
        "leader",
        json!({"enforcement_decision_number": "望江强拆决〔2026〕第1号"}),
        "demolition.urge_period_open",
    );
    assert_eq!(
        r.find("demolition.urge_period_open")
            .unwrap()
            .article
            .as_deref(),
        Some("第三十七条")
    );
    run.ok(
        "2026-04-20",
        "decide_enforcement",
        "leader",
        json!({"enforcement_decision_number": "望江强拆决〔2026〕第1号"}),
    );
    run.refused(
        "2026-04-21",
        "announce",
        "officer",
        json!({"notice_deadline": "2026-04-21"}),
        "common.date_too_early",
    );
    run.ok(
        "2026-04-21",
        "announce",
        "officer",
        json!({"notice_deadline": "2026-05-06"}),
    );

    let input = json!({"demolished_area": "35.5", "demolition_note": "公证人员见证，物品清点造册，全程录像"});
    // The 公告 period runs to 05-06 (the Labour Day holiday ends 05-05).
    let r = run.refused(
        "2026-05-06",
        "demolish",
        "officer",
        input.clone(),
        "demolition.notice_period_open",
    );
    assert!(r.find("demolition.reconsideration_period_open").is_some());
    assert!(r.find("demolition.litigation_period_open").is_some());
    // Reconsideration: 60 days from 03-20 end on 05-19; litigation: 6 months end on 09-20.
    let r = run.refused(
        "2026-05-20",
        "demolish",
        "officer",
        input.clone(),
        "demolition.litigation_period_open",
    );
    only(&r, "demolition.litigation_period_open");
    let refusal = r.find("demolition.litigation_period_open").unwrap();
    assert!(
        refusal.message_zh.contains("6个月，至2026-09-20届满"),
        "{}",
        refusal.message_zh
    );
    assert_eq!(refusal.article.as_deref(), Some("第四十六条"));
    // 2026-09-20 is a Sunday made a working day: the last day of the period, not rolled.
    let r = run.refused(
        "2026-09-20",
        "demolish",
        "officer",
        input.clone(),
        "demolition.litigation_period_open",
    );
    only(&r, "demolition.litigation_period_open");
    // National Day: a statutory holiday (第四十三条).
    let r = run.refused(
        "2026-10-02",
        "demolish",
        "officer",
        input.clone(),
        "demolition.holiday",
    );
    only(&r, "demolition.holiday");
    assert!(
        r.find("demolition.holiday")
            .unwrap()
            .message_zh
            .contains("法定节假日（国庆节）")
    );
    // The adjusted working Saturday after the holiday.
    run.ok("2026-10-10", "demolish", "officer", input);
    assert_eq!(run.state(), "demolished");

    let c = run.clock("reconsideration_window", "2026-10-10");
    assert_eq!(c.due, Some(d("2026-05-19")));
    assert_eq!(c.status, ClockStatus::Elapsed);
}

/// 《行政强制法》第三十九条: a suit suspends the procedure; enforcement is then impossible until the
/// order is upheld, after which the 催告 comes again. 第四十四条 with the month rule: an order
/// served on 03-31 leaves the litigation period open until 09-30; self-demolition ends the case
/// at any stage and is counted apart.
#[test]
fn a_suit_suspends_and_self_demolition_ends_the_case() {
    let mut run = demolition_ordered("2026-03-31", "2026-04-15");
    run.ok(
        "2026-04-20",
        "record_remedy",
        "officer",
        json!({"remedy_kind": "行政诉讼"}),
    );
    assert_eq!(run.state(), "suspended");
    run.refused(
        "2026-04-21",
        "urge",
        "officer",
        json!({"urge_served_on": "2026-04-21", "urge_deadline": "2026-05-08"}),
        "common.invalid_state",
    );
    run.refused(
        "2026-09-01",
        "resume",
        "leader",
        json!({"reason": "维"}),
        "common.reason_required",
    );
    run.ok(
        "2026-09-01",
        "resume",
        "leader",
        json!({"reason": "人民法院判决驳回诉讼请求"}),
    );
    assert_eq!(run.state(), "ordered");
    run.refused(
        "2026-09-02",
        "self_demolish",
        "officer",
        json!({"demolished_area": 0}),
        "common.number_out_of_range",
    );
    run.ok(
        "2026-09-02",
        "self_demolish",
        "officer",
        json!({"demolished_area": "35.5"}),
    );
    assert_eq!(run.state(), "self_demolished");
}

// ------------------------------------------------------------------ inspection

fn inspected(on: &str, hazards: u32) -> Run {
    let mut run = fresh("inspection");
    run.ok(
        on,
        "create",
        "handler",
        json!({"source": "日常检查", "inspection_kind": "消防", "place_name": "望湖路便利店",
               "place_type": "沿街商铺", "address": "望湖路12号"}),
    )
    .ok(
        on,
        "inspect",
        "officer",
        json!({"inspected_on": on, "inspectors": [11, 12], "findings": "灭火器压力不足",
               "record_signed_by": "店长", "hazards_found": hazards}),
    );
    run
}

/// 《安全生产法》第六十五条、第六十八条, 《消防法》第五十四条, and the re-inspection within 3
/// working days after the deadline (《消防监督检查规定》): a deadline of Friday 2026-02-13 is
/// followed by the adjusted working Saturday 02-14 (day 1), the Spring Festival 02-15..23, then
/// 02-24 and 02-25 — the re-inspection on 02-26 is late; hazards not fixed go to enforcement.
#[test]
fn reinspection_limit_spans_the_spring_festival_and_unfixed_hazards_are_referred() {
    let mut run = inspected("2026-02-10", 3);
    run.refused(
        "2026-02-10",
        "close_no_hazard",
        "officer",
        json!({}),
        "inspection.hazards_open",
    );
    run.refused(
        "2026-02-11",
        "order_rectification",
        "officer",
        json!({"notice_number": "望江安责改〔2026〕第7号", "rectification_deadline": "2026-02-11"}),
        "common.date_too_early",
    );
    run.ok(
        "2026-02-11",
        "order_rectification",
        "officer",
        json!({"notice_number": "望江安责改〔2026〕第7号", "rectification_deadline": "2026-02-13"}),
    );
    let c = run.clock("reinspection_limit", "2026-02-24");
    assert_eq!(c.started_on, d("2026-02-13"));
    assert_eq!(c.due, Some(d("2026-02-25")));
    assert_eq!(c.status, ClockStatus::Running);
    assert!(
        c.explanation_zh
            .iter()
            .any(|l| l.contains("2026-02-14 调休上班日")),
        "{:?}",
        c.explanation_zh
    );

    let r = run.refused(
        "2026-02-26",
        "reinspect",
        "officer",
        json!({"reinspected_on": "2026-02-26", "hazards_fixed": 4, "reinspection_result": "全部整改完毕"}),
        "common.number_out_of_range",
    );
    assert_eq!(
        r.find("common.number_out_of_range")
            .unwrap()
            .article
            .as_deref(),
        Some("第六十五条")
    );
    run.ok(
        "2026-02-26",
        "reinspect",
        "officer",
        json!({"reinspected_on": "2026-02-26", "hazards_fixed": 1, "reinspection_result": "未整改完毕"}),
    );
    assert_eq!(
        run.clock("reinspection_limit", "2026-02-26").status,
        ClockStatus::Missed
    );
    run.refused(
        "2026-02-26",
        "close",
        "officer",
        json!({}),
        "inspection.hazards_open",
    );
    run.ok(
        "2026-02-27",
        "refer_enforcement",
        "leader",
        json!({"enforcement_domain": "消防"}),
    );
    assert_eq!(run.state(), "referred");
}

/// No hazard: no rectification order (第六十五条), the inspection closes with its record; a
/// re-inspection that fixes everything closes the case and cannot be referred.
#[test]
fn an_inspection_without_hazards_closes_and_fixed_hazards_are_not_referred() {
    let mut run = inspected("2026-09-18", 0);
    run.refused(
        "2026-09-18",
        "order_rectification",
        "officer",
        json!({"notice_number": "X", "rectification_deadline": "2026-09-30"}),
        "inspection.no_hazards",
    );
    run.ok("2026-09-18", "close_no_hazard", "officer", json!({}));
    assert_eq!(run.state(), "closed");

    let mut run = inspected("2026-09-18", 2);
    run.ok(
        "2026-09-18",
        "order_rectification",
        "officer",
        json!({"notice_number": "望江安责改〔2026〕第9号", "rectification_deadline": "2026-09-30"}),
    );
    // 09-30 + 3 working days: National Day 10-01..07, then 10-08, 10-09, 10-10 (adjusted Saturday).
    assert_eq!(
        run.clock("reinspection_limit", "2026-10-01").due,
        Some(d("2026-10-10"))
    );
    run.ok(
        "2026-10-09",
        "reinspect",
        "officer",
        json!({"reinspected_on": "2026-10-09", "hazards_fixed": 2, "reinspection_result": "全部整改完毕"}),
    );
    assert_eq!(
        run.clock("reinspection_limit", "2026-10-09").status,
        ClockStatus::Met
    );
    run.refused(
        "2026-10-09",
        "refer_enforcement",
        "leader",
        json!({"enforcement_domain": "消防"}),
        "inspection.hazards_fixed",
    );
    run.ok("2026-10-09", "close", "officer", json!({}));
    assert_eq!(run.state(), "closed");
}

// ------------------------------------------------------------------ wage arrears

fn wage_received(on: &str) -> Run {
    let mut run = fresh("wage_arrears_case");
    run.ok(
        on,
        "create",
        "handler",
        json!({"source": "来访", "employer_kind": "建设工程项目", "employer_name": "望湖路改造工程项目部",
               "workers": 5, "amount_owed": "86000", "content": "5名农民工反映项目部拖欠两个月工资"}),
    );
    run
}

/// 《劳动争议调解仲裁法》第十四条: 15 calendar days from receiving the application. Received on
/// 2026-09-18, the 15th day is 10-03 (National Day), so the period ends on 10-08; only from 10-09
/// may the case be closed by guiding the workers to arbitration.
#[test]
fn the_fifteen_day_mediation_limit_rolls_past_national_day() {
    let mut run = wage_received("2026-09-18");
    run.ok(
        "2026-09-21",
        "mediate",
        "handler",
        json!({"session_note": "约谈项目负责人"}),
    );
    let c = run.clock("mediation_limit", "2026-09-30");
    assert_eq!(c.due, Some(d("2026-10-08")));
    let r = run.refused(
        "2026-10-08",
        "refer_arbitration",
        "handler",
        json!({"referral_note": "十五日内未达成调解协议"}),
        "wage.mediation_period_open",
    );
    assert_eq!(
        r.find("wage.mediation_period_open")
            .unwrap()
            .article
            .as_deref(),
        Some("第十四条")
    );
    run.refused(
        "2026-10-08",
        "transfer",
        "handler",
        json!({"referral_route": "劳动人事争议仲裁", "referral_note": "x"}),
        "wage.arbitration_is_referral",
    );
    run.ok(
        "2026-10-09",
        "refer_arbitration",
        "handler",
        json!({"referral_note": "十五日内未达成调解协议"}),
    );
    assert_eq!(run.state(), "referred");
    assert_eq!(
        run.clock("mediation_limit", "2026-10-09").status,
        ClockStatus::Missed
    );
}

/// Wages recovered: not more workers paid than owed (保障农民工工资支付条例第四条); an agreement's
/// payment date may not lie before the agreement.
#[test]
fn recovered_wages_count_the_workers_paid() {
    let mut run = wage_received("2026-02-13");
    run.refused(
        "2026-02-24",
        "reach_agreement",
        "handler",
        json!({"agreement_content": "一次性支付", "agreed_amount": "86000", "pay_by": "2026-02-13"}),
        "common.date_too_early",
    );
    run.ok(
        "2026-02-24",
        "reach_agreement",
        "handler",
        json!({"agreement_content": "一次性支付", "agreed_amount": "86000", "pay_by": "2026-02-28"}),
    );
    assert_eq!(
        run.clock("mediation_limit", "2026-02-24").status,
        ClockStatus::Met
    );
    run.refused(
        "2026-02-28",
        "record_payment",
        "handler",
        json!({"recovered_amount": "86000", "workers_paid": 6}),
        "common.number_out_of_range",
    );
    run.ok(
        "2026-02-28",
        "record_payment",
        "handler",
        json!({"recovered_amount": "86000", "workers_paid": 5}),
    );
    assert_eq!(run.state(), "paid");
}

// ------------------------------------------------------------------ grid events

/// A grid event closes in the grid within 3 working days (configurable default), counted on the
/// official calendar: reported Friday 2026-02-13, due 02-25; escalation needs a reason.
#[test]
fn a_grid_event_is_handled_in_the_grid_or_escalated_with_a_reason() {
    let mut run = fresh("grid_event");
    run.refused(
        "2026-02-13",
        "create",
        "handler",
        json!({"category": "安全隐患", "discovered_on": "2026-02-14", "content": "楼道堆放杂物"}),
        "common.date_in_future",
    );
    run.ok(
        "2026-02-13",
        "create",
        "handler",
        json!({"category": "安全隐患", "discovered_on": "2026-02-13", "content": "楼道堆放杂物",
               "address": "望湖花园3幢", "location": "30.2741,120.1551", "place_name": "望湖花园"}),
    );
    assert_eq!(
        run.clock("handling_limit", "2026-02-13").due,
        Some(d("2026-02-25"))
    );
    run.refused(
        "2026-02-24",
        "escalate_inspection",
        "handler",
        json!({"inspection_kind": "消防", "place_name": "望湖花园", "reason": "需"}),
        "common.reason_required",
    );
    run.ok(
        "2026-02-24",
        "escalate_inspection",
        "handler",
        json!({"inspection_kind": "消防", "place_name": "望湖花园", "reason": "超出网格处置能力"}),
    );
    assert_eq!(run.state(), "escalated");
    assert_eq!(run.snapshot.fields["escalation_route"], "安全检查");
    assert_eq!(
        run.clock("handling_limit", "2026-02-24").status,
        ClockStatus::Met
    );
}

// ------------------------------------------------------------------ command centre: minutes

/// The "135" standard as configured: 1 minute to dispatch, 3 to respond, 5 to arrive, 24 hours to
/// close — counted from the moment of the report, continuously, on the adjusted working Saturday
/// 2026-02-14 and into the Spring Festival alike.
#[test]
fn minute_clocks_of_the_command_centre() {
    let mut run = fresh("dispatch_event");
    run.refused(
        "2026-02-14",
        "create",
        "handler",
        json!({"event_type": "火情", "source": "110联动", "address": "望湖花园3幢", "content": "楼道冒烟",
               "reported_at": "2026-02-14 9:03"}),
        "input.datetime",
    );
    run.ok(
        "2026-02-14",
        "create",
        "handler",
        json!({"event_type": "火情", "source": "110联动", "address": "望湖花园3幢", "content": "楼道冒烟",
               "reported_at": "2026-02-14 09:03"}),
    )
    .ok(
        "2026-02-14",
        "dispatch",
        "handler",
        json!({"team": "社区微型消防站", "dispatched_at": "2026-02-14 09:03:50"}),
    )
    .ok("2026-02-14", "respond", "officer", json!({"responded_at": "2026-02-14T09:06:30"}))
    .ok("2026-02-14", "arrive", "officer", json!({"arrived_at": "2026-02-14 09:08:00"}));
    assert_eq!(run.snapshot.fields["reported_at"], "2026-02-14 09:03:00");
    let c = run.clock("dispatch_limit", "2026-02-14");
    assert_eq!(
        (c.status, c.n, c.unit.code()),
        (ClockStatus::Met, 1, "minutes")
    );
    let c = run.clock("response_limit", "2026-02-14");
    assert_eq!(c.status, ClockStatus::Missed, "{:?}", c.explanation_zh);
    assert!(
        c.explanation_zh
            .iter()
            .any(|l| l.contains("应于2026-02-14 09:06:00前完成")),
        "{:?}",
        c.explanation_zh
    );
    let c = run.clock("arrival_limit", "2026-02-14");
    assert_eq!(
        c.status,
        ClockStatus::Met,
        "exactly five minutes is in time: {:?}",
        c.explanation_zh
    );
    assert!(
        c.explanation_zh.iter().any(|l| l.contains("用时5分钟")),
        "{:?}",
        c.explanation_zh
    );
    assert_eq!(
        run.clock("closure_limit", "2026-02-14").status,
        ClockStatus::Running
    );
    // Not closed by the next day (a holiday, counted all the same): overdue.
    let c = run.clock("closure_limit", "2026-02-16");
    assert_eq!(
        (c.status, c.due),
        (ClockStatus::Overdue, Some(d("2026-02-15")))
    );
    run.ok(
        "2026-02-15",
        "close",
        "officer",
        json!({"closed_at": "2026-02-15 09:03:01", "result": "初起火灾已扑灭"}),
    );
    assert_eq!(
        run.clock("closure_limit", "2026-02-16").status,
        ClockStatus::Missed
    );
}

/// One second past five minutes is late.
#[test]
fn arrival_one_second_late_is_missed() {
    let mut run = fresh("dispatch_event");
    run.ok(
        "2026-10-01",
        "create",
        "handler",
        json!({"event_type": "交通", "source": "视频巡查", "address": "望湖路", "content": "车辆违停",
               "reported_at": "2026-10-01 23:58:00"}),
    )
    .ok("2026-10-01", "dispatch", "handler", json!({"team": "巡防队", "dispatched_at": "2026-10-01 23:58:40"}))
    .ok("2026-10-02", "arrive", "officer", json!({"arrived_at": "2026-10-02 00:03:01"}));
    let c = run.clock("arrival_limit", "2026-10-02");
    assert_eq!(
        (c.status, c.due),
        (ClockStatus::Missed, Some(d("2026-10-02")))
    );
    // Arrived without responding first: the response clock stops at the arrival.
    assert_eq!(
        run.clock("response_limit", "2026-10-02").status,
        ClockStatus::Missed
    );
}

// ------------------------------------------------------------------ public opinion: hours

/// Public opinion answered within 48 hours, continuously over National Day; the 5-hour release
/// clock only for a major emergency.
#[test]
fn opinion_response_within_forty_eight_hours() {
    let mut run = fresh("opinion_incident");
    run.ok(
        "2026-10-01",
        "create",
        "handler",
        json!({"source": "网络监测", "platform": "微博", "level": "较大", "content": "网民反映施工噪音",
               "detected_at": "2026-10-01 10:00"}),
    );
    assert!(
        run.clocks("2026-10-01")
            .iter()
            .all(|c| c.code != "release_limit")
    );
    run.ok(
        "2026-10-03",
        "respond",
        "leader",
        json!({"responded_at": "2026-10-03 10:01", "response": "已责令施工单位整改"}),
    );
    let c = run.clock("response_limit", "2026-10-03");
    assert_eq!(
        (c.status, c.n, c.unit.code()),
        (ClockStatus::Missed, 48, "hours")
    );

    let mut run = fresh("opinion_incident");
    run.ok(
        "2026-10-01",
        "create",
        "handler",
        json!({"source": "网络监测", "platform": "微博", "level": "重大", "major_emergency": true,
               "content": "网传某小区发生火灾", "detected_at": "2026-10-01 10:00"}),
    )
    .ok(
        "2026-10-01",
        "release",
        "leader",
        json!({"released_at": "2026-10-01 15:00"}),
    )
    .ok(
        "2026-10-03",
        "respond",
        "leader",
        json!({"responded_at": "2026-10-03 09:59", "response": "已发布情况通报"}),
    );
    assert_eq!(
        run.clock("release_limit", "2026-10-03").status,
        ClockStatus::Met
    );
    assert_eq!(
        run.clock("response_limit", "2026-10-03").status,
        ClockStatus::Met
    );
}

// ------------------------------------------------------------------ bad ratings

/// A named bad rating is verified within 1 working day (上海市优化营商环境条例第三十条): rated on
/// 2026-09-30, the next working day is 10-08; a rating found untrue is appealed, not rectified.
#[test]
fn a_bad_rating_is_verified_within_one_working_day() {
    let mut run = fresh("service_rating");
    run.ok(
        "2026-09-30",
        "create",
        "handler",
        json!({"channel": "现场评价", "rating": "不满意", "service_item": "居住证办理", "content": "排队时间长"}),
    );
    assert_eq!(
        run.clock("contact_limit", "2026-09-30").due,
        Some(d("2026-10-08"))
    );
    run.ok(
        "2026-10-09",
        "verify",
        "handler",
        json!({"finding": "不属实", "note": "调取窗口视频核实"}),
    );
    assert_eq!(
        run.clock("contact_limit", "2026-10-09").status,
        ClockStatus::Missed
    );
    run.refused(
        "2026-10-09",
        "rectify",
        "handler",
        json!({"rectification": "x"}),
        "service_rating.nothing_to_rectify",
    );
    run.ok(
        "2026-10-09",
        "appeal",
        "handler",
        json!({"note": "评价内容与事实不符"}),
    )
    .ok(
        "2026-10-12",
        "decide_appeal",
        "leader",
        json!({"appeal_result": "申诉成立（剔除）"}),
    )
    .ok("2026-10-12", "exclude", "leader", json!({}));
    assert_eq!(run.state(), "excluded");
}

// ------------------------------------------------------------------ suggestions: months

/// 代表法第五十一条: a reply within 3 months of 交办 (03-31 → 06-30), 6 for a difficult one (→ 09-30);
/// the reply needs the delegate contacted first; only one extension.
#[test]
fn suggestion_reply_limit_in_months_from_assignment() {
    let mut run = fresh("proposal_reply");
    run.ok(
        "2026-04-01",
        "create",
        "handler",
        json!({"kind": "人大代表建议", "proposal_number": "第12号", "title": "关于加装电梯的建议",
               "proposer": "区人大代表", "handling_role": "主办", "assigned_on": "2026-03-31"}),
    );
    let c = run.clock("reply_limit", "2026-04-01");
    assert_eq!(
        (c.started_on, c.due),
        (d("2026-03-31"), Some(d("2026-06-30")))
    );
    assert_eq!(c.unit.code(), "months");
    run.refused(
        "2026-05-06",
        "reply",
        "leader",
        json!({"reply_result": "A（已解决或采纳）", "reply": "已落实"}),
        "common.invalid_state",
    );
    run.ok(
        "2026-04-10",
        "contact",
        "handler",
        json!({"contacted_on": "2026-04-10"}),
    )
    .ok(
        "2026-06-01",
        "extend",
        "leader",
        json!({"reason": "涉及多个部门，需统筹研究"}),
    );
    run.refused(
        "2026-06-02",
        "extend",
        "leader",
        json!({"reason": "再次延期理由"}),
        "common.barred_after",
    );
    assert_eq!(
        run.clock("reply_limit", "2026-06-02").due,
        Some(d("2026-09-30"))
    );
    run.ok(
        "2026-09-30",
        "reply",
        "leader",
        json!({"reply_result": "B（正在解决或列入计划）", "reply": "已列入年度计划"}),
    );
    assert_eq!(
        run.clock("reply_limit", "2026-09-30").status,
        ClockStatus::Met
    );
    run.ok(
        "2026-10-12",
        "record_feedback",
        "handler",
        json!({"satisfaction": "满意"}),
    );
    run.refused(
        "2026-10-13",
        "rehandle",
        "leader",
        json!({"reason": "代表不满意"}),
        "proposal.rehandle_needs_dissatisfaction",
    );
}
