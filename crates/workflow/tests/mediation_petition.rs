//! Dated scenarios of the two case types added as folders (people's mediation, petitions) and of
//! the generic guard and clock kinds they use, on the real calendar: periods across the Spring
//! Festival, the National Day / Mid-Autumn holidays, the Labour Day and Dragon Boat holidays, and
//! the adjusted working Sunday 2026-09-20.

use fazhi_workflow::{Calendar, ClockStatus, HistoryEvent, Registry, WorkflowConfig, clocks};
use serde_json::{Map, Value, json};

mod support;

use support::{Run, d};

// ------------------------------------------------------------------ people's mediation

fn mediation_until_mediating(accept_on: &str) -> Run {
    let mut run = Run::new("mediation_case");
    run.ok(
        accept_on,
        "create",
        "handler",
        json!({
            "source": "12345转办",
            "referral_number": "GD20260001",
            "dispute_type": "邻里",
            "applicant_name": "王某",
            "respondent_name": "李某",
            "parties_count": 2,
            "content": "楼上漏水引发邻里纠纷",
        }),
    )
    .ok(
        accept_on,
        "accept",
        "handler",
        json!({"mediation_body": "社区人民调解委员会", "mediation_body_name": "某社区人民调解委员会"}),
    );
    run
}

/// 《人民调解法》第十九条: mediators come from the register; an enforcement officer or a revoked
/// mediator does not count, a registered mediator does.
#[test]
fn mediators_must_be_registered_people_s_mediators() {
    let mut run = mediation_until_mediating("2026-03-02");
    let r = run.refused(
        "2026-03-03",
        "assign_mediators",
        "handler",
        json!({"mediators": [12, 13]}),
        "mediation.mediator_not_registered",
    );
    let refusal = r.find("mediation.mediator_not_registered").unwrap();
    assert_eq!(
        refusal.statute.as_deref(),
        Some("《中华人民共和国人民调解法》")
    );
    assert_eq!(refusal.article.as_deref(), Some("第十九条、第十四条"));
    assert!(
        refusal
            .message_zh
            .contains("吴执法：资格证件ZF-012的资格类别为“城市管理”"),
        "{}",
        refusal.message_zh
    );
    assert!(
        refusal
            .message_zh
            .contains("郑前任：资格证件TJ-013已被注销或吊销"),
        "{}",
        refusal.message_zh
    );
    run.ok(
        "2026-03-03",
        "assign_mediators",
        "handler",
        json!({"mediators": [11, 12]}),
    );
    assert_eq!(run.state(), "mediating");
}

/// 《人民调解法》第三十三条: judicial confirmation within 30 days of the agreement taking effect.
/// Effective 2026-01-16: day 30 is Sunday 2026-02-15, inside the Spring Festival holiday
/// (02-15…02-23), so the period ends on the next working day, Tuesday 2026-02-24.
#[test]
fn judicial_confirmation_window_runs_from_the_agreement_date_across_the_spring_festival() {
    let agreement = |effective: &str| {
        json!({
            "agreement_form": "书面",
            "agreement_number": "（2026）调字第7号",
            "agreement_content": "李某赔偿王某维修费",
            "amount_involved": "12000",
            "agreement_effective_on": effective,
            "parties_count": 2,
        })
    };
    let mut run = mediation_until_mediating("2026-01-05");
    run.ok(
        "2026-01-06",
        "assign_mediators",
        "handler",
        json!({"mediators": [11]}),
    );
    // An agreement cannot take effect after the day it is recorded.
    run.refused(
        "2026-01-20",
        "reach_agreement",
        "handler",
        agreement("2026-01-21"),
        "common.date_in_future",
    );
    // A written agreement has a number (第二十九条).
    let mut no_number = agreement("2026-01-16");
    no_number
        .as_object_mut()
        .unwrap()
        .remove("agreement_number");
    run.refused(
        "2026-01-20",
        "reach_agreement",
        "handler",
        no_number,
        "common.required_field",
    );
    run.ok(
        "2026-01-20",
        "reach_agreement",
        "handler",
        agreement("2026-01-16"),
    );
    assert_eq!(run.snapshot.fields["amount_involved"], json!(1_200_000));

    let window = run.clock("confirmation_window", "2026-02-10");
    assert_eq!(
        window.started_on,
        d("2026-01-16"),
        "starts on the agreement date, not the event"
    );
    assert_eq!(window.due, Some(d("2026-02-24")));
    assert_eq!(window.status, ClockStatus::Running);
    assert!(
        window
            .explanation_zh
            .iter()
            .any(|l| l.contains("协议生效日期为2026-01-16")),
        "{:#?}",
        window.explanation_zh
    );
    // The reference target of 司法部令第75号 stopped in time (accepted 01-05, agreed 01-20).
    let target = run.clock("mediation_target", "2026-02-10");
    assert_eq!(target.status, ClockStatus::Met);

    let mut late = Run::new("mediation_case");
    late.snapshot = run.snapshot.clone();
    let r = late.refused(
        "2026-02-25",
        "apply_confirmation",
        "handler",
        json!({"confirmation_court": "某区人民法院"}),
        "mediation.confirmation_window_closed",
    );
    let refusal = r.find("mediation.confirmation_window_closed").unwrap();
    assert_eq!(refusal.article.as_deref(), Some("第三十三条"));
    assert_eq!(refusal.params["due"], json!("2026-02-24"));
    assert_eq!(refusal.field.as_deref(), Some("agreement_effective_on"));

    run.ok(
        "2026-02-24",
        "apply_confirmation",
        "handler",
        json!({"confirmation_court": "某区人民法院"}),
    )
    .ok(
        "2026-03-06",
        "record_confirmation",
        "handler",
        json!({"confirmation_result": "确认有效"}),
    )
    .ok(
        "2026-04-10",
        "follow_up",
        "handler",
        json!({"performance": "已履行"}),
    );
    assert_eq!(run.state(), "closed");
    let window = run.clock("confirmation_window", "2026-04-10");
    assert_eq!(
        (window.status, window.stopped_on),
        (ClockStatus::Met, Some(d("2026-02-24")))
    );
}

/// The 30-day reference target of 《人民调解工作若干规定》第三十三条 from acceptance on
/// 2026-09-04: day 30 is Sunday 2026-10-04 inside the National Day holiday (10-01…10-07), so it
/// ends on Thursday 2026-10-08. A failed mediation records the route the parties were told of.
#[test]
fn mediation_target_rolls_over_national_day_and_failure_records_the_guidance() {
    let mut run = mediation_until_mediating("2026-09-04");
    let target = run.clock("mediation_target", "2026-09-30");
    assert_eq!(target.due, Some(d("2026-10-08")));
    assert_eq!(target.status, ClockStatus::Running);
    run.refused(
        "2026-10-09",
        "fail",
        "handler",
        json!({"failure_reason": "对方拒绝调解"}),
        "input.required",
    );
    run.ok(
        "2026-10-09",
        "fail",
        "handler",
        json!({"failure_reason": "对方拒绝继续调解", "guidance": "诉讼"}),
    );
    assert_eq!(run.state(), "failed");
    assert_eq!(
        run.clock("mediation_target", "2026-10-09").status,
        ClockStatus::Missed
    );
    assert!(
        run.clocks("2026-10-09")
            .iter()
            .all(|c| c.code != "confirmation_window")
    );
}

// ------------------------------------------------------------------ petitions

fn petition_registered(on: &str) -> Run {
    let mut run = Run::new("petition");
    run.ok(
        on,
        "create",
        "handler",
        json!({
            "channel": "来访",
            "petitioner_name": "陈某",
            "petitioner_count": 1,
            "subject": "小区加装电梯补贴",
            "content": "反映加装电梯补贴未发放",
        }),
    );
    run
}

/// 《信访工作条例》第二十二条、第二十三条: routed within 15 days; the receiving body's 15 days for
/// the written notice restart when the matter is routed; an objection that the matter is outside
/// the body's remit within 5 working days. Routed Friday 2026-09-18: the adjusted working Sunday
/// 2026-09-20 counts, so the 5 working days end on Thursday 2026-09-24.
#[test]
fn routing_and_the_remit_objection_window_count_the_adjusted_working_sunday() {
    let mut run = petition_registered("2026-09-16");
    run.ok(
        "2026-09-18",
        "route",
        "handler",
        json!({"route_to": "街道城管办"}),
    );
    let routing = run.clock("routing_limit", "2026-09-18");
    assert_eq!(
        (routing.status, routing.due),
        (ClockStatus::Met, Some(d("2026-10-08")))
    );
    let notice = run.clock("acceptance_notice_limit", "2026-09-18");
    assert_eq!(
        notice.started_on,
        d("2026-09-18"),
        "restarted by the routing"
    );
    // 2026-10-03 falls in the National Day holiday → next working day 2026-10-08.
    assert_eq!(notice.due, Some(d("2026-10-08")));

    let mut late = Run::new("petition");
    late.snapshot = run.snapshot.clone();
    let r = late.refused(
        "2026-09-28",
        "return_outside_remit",
        "handler",
        json!({"reason": "不属于本机关职权范围"}),
        "petition.objection_late",
    );
    assert_eq!(
        r.find("petition.objection_late").unwrap().params["due"],
        json!("2026-09-24")
    );
    run.ok(
        "2026-09-24",
        "return_outside_remit",
        "handler",
        json!({"reason": "不属于本机关职权范围"}),
    );
    assert_eq!(run.state(), "registered");
}

/// 《信访工作条例》第三十一条: only 申诉求决 matters are diverted to a statutory route.
#[test]
fn only_claims_are_diverted_to_their_statutory_route() {
    let mut run = petition_registered("2026-03-02");
    run.ok(
        "2026-03-04",
        "accept",
        "handler",
        json!({"category": "建议意见", "acceptance_notice": "已受理，按建议意见类办理"}),
    );
    run.refused(
        "2026-03-05",
        "divert",
        "handler",
        json!({"statutory_route": "行政复议"}),
        "petition.divert_only_claims",
    );
    run.ok(
        "2026-03-05",
        "divert",
        "handler",
        json!({"category": "申诉求决", "statutory_route": "行政复议", "reason": "属行政复议受理范围"}),
    );
    assert_eq!(run.state(), "diverted");
    let handling = run.clock("handling_limit", "2026-03-05");
    assert_eq!(handling.status, ClockStatus::Met);
}

/// The whole route of 《信访工作条例》第三十四条至第三十六条: 60 days (+30 once, approved and told
/// to the petitioner), reply, 复查 requested within 30 days (ending in the Labour Day holiday →
/// 2026-05-06) and answered within 30, 复核 requested within 30 days (ending in the Dragon Boat
/// holiday → 2026-06-22) and answered within 30 with the hearing not counted; nothing after 复核.
#[test]
fn petition_handling_recheck_and_review_on_real_dates() {
    let mut run = petition_registered("2026-01-05");
    run.ok(
        "2026-01-09",
        "accept",
        "handler",
        json!({"category": "申诉求决", "acceptance_notice": "您反映的事项已受理"}),
    );
    let handling = run.clock("handling_limit", "2026-03-01");
    assert_eq!(handling.due, Some(d("2026-03-10")));
    // The extension needs the notice to the petitioner (第三十四条).
    run.refused(
        "2026-03-02",
        "approve_extension",
        "leader",
        json!({"reason": "情况复杂需进一步调查"}),
        "input.required",
    );
    run.ok(
        "2026-03-02",
        "approve_extension",
        "leader",
        json!({"reason": "情况复杂需进一步调查", "extension_notice": "因情况复杂，办理期限延长三十日"}),
    );
    let handling = run.clock("handling_limit", "2026-03-20");
    assert_eq!(
        (handling.due, handling.extended_by),
        (Some(d("2026-04-09")), 30)
    );
    let r = run.refused(
        "2026-03-20",
        "approve_extension",
        "leader",
        json!({"reason": "再次延期", "extension_notice": "再次延期"}),
        "petition.extension_once",
    );
    assert_eq!(
        r.find("petition.extension_once")
            .unwrap()
            .article
            .as_deref(),
        Some("第三十四条")
    );
    run.ok(
        "2026-04-01",
        "reply",
        "handler",
        json!({"result": "部分支持", "reply": "经调查，部分诉求予以支持"}),
    );
    assert_eq!(
        run.clock("handling_limit", "2026-04-01").status,
        ClockStatus::Met
    );

    // 复查 request window: 2026-04-01 + 30 = 2026-05-01 (Labour Day) → 2026-05-06.
    let window = run.clock("recheck_request_window", "2026-04-20");
    assert_eq!(window.due, Some(d("2026-05-06")));
    let mut late = Run::new("petition");
    late.snapshot = run.snapshot.clone();
    late.refused(
        "2026-05-07",
        "request_recheck",
        "handler",
        json!({"request_reason": "对处理意见不服"}),
        "petition.recheck_request_late",
    );
    run.ok(
        "2026-05-06",
        "request_recheck",
        "handler",
        json!({"request_reason": "对处理意见不服"}),
    );
    assert_eq!(
        run.clock("recheck_request_window", "2026-05-06").status,
        ClockStatus::Met
    );
    assert_eq!(
        run.clock("recheck_limit", "2026-05-06").due,
        Some(d("2026-06-05"))
    );
    run.ok(
        "2026-05-20",
        "answer_recheck",
        "leader",
        json!({"recheck_result": "维持", "recheck_reply": "维持原处理意见"}),
    )
    .ok("2026-05-21", "close", "handler", json!({}));
    // One 复查 only, even from the archive.
    run.refused(
        "2026-05-22",
        "request_recheck",
        "handler",
        json!({"request_reason": "仍不服"}),
        "petition.recheck_once",
    );
    // 复核 request window: 2026-05-20 + 30 = 2026-06-19 (Dragon Boat holiday) → 2026-06-22.
    assert_eq!(
        run.clock("review_request_window", "2026-06-01").due,
        Some(d("2026-06-22"))
    );
    run.ok(
        "2026-06-22",
        "request_review",
        "handler",
        json!({"request_reason": "对复查意见不服"}),
    );
    // The hearing (06-29 … 07-03, 4 days) is not counted: 30 + 4 days from 06-22 is Sunday
    // 2026-07-26, which rolls to Monday 2026-07-27.
    run.refused(
        "2026-06-29",
        "end_review_hearing",
        "handler",
        json!({}),
        "common.requires_event",
    );
    run.ok("2026-06-29", "start_review_hearing", "handler", json!({}))
        .ok("2026-07-03", "end_review_hearing", "handler", json!({}));
    let review = run.clock("review_limit", "2026-07-10");
    assert_eq!((review.paused_days, review.due), (4, Some(d("2026-07-27"))));
    run.ok(
        "2026-07-27",
        "answer_review",
        "leader",
        json!({"review_result": "维持", "review_reply": "复核维持"}),
    );
    assert_eq!(run.state(), "final");
    assert_eq!(
        run.clock("review_limit", "2026-07-27").status,
        ClockStatus::Met
    );
    // Nothing is accepted again after 复核.
    run.refused(
        "2026-07-28",
        "request_review",
        "handler",
        json!({"request_reason": "同一事实再次申请"}),
        "common.invalid_state",
    );
}

/// An extension whose grant does not record the notice to the party does not extend the clock
/// (`extension.notice_field`), and the explanation says why.
#[test]
fn an_extension_without_its_notice_does_not_extend_the_clock() {
    let registry = Registry::embedded();
    let ct = registry.get("petition").unwrap();
    let event = |t: &str, on: &str, input: Value| HistoryEvent {
        transition: t.to_owned(),
        on: d(on),
        input: input.as_object().cloned().unwrap_or_default(),
    };
    let history = vec![
        event("create", "2026-01-05", json!({})),
        event("accept", "2026-01-09", json!({})),
        event("approve_extension", "2026-03-02", json!({"reason": "复杂"})),
    ];
    let cal = Calendar::national();
    let cfg = WorkflowConfig::embedded();
    let all = clocks(ct, &history, &Map::new(), d("2026-03-05"), &cal, &cfg);
    let handling = all.iter().find(|c| c.code == "handling_limit").unwrap();
    assert_eq!(
        (handling.due, handling.extended_by),
        (Some(d("2026-03-10")), 0)
    );
    assert!(
        handling
            .explanation_zh
            .iter()
            .any(|l| l.contains("未记录对当事人的延期告知")),
        "{:#?}",
        handling.explanation_zh
    );
}
