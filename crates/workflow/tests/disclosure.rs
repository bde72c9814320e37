//! Dated scenarios of disclosure requests (政府信息公开申请, 《政府信息公开条例》第三十条至第三十三条)
//! and of the generic clock and guard kinds they use (`restart_field`, a pause with `max`,
//! `date_passed`), on the official calendar: the Spring Festival 2026 with its adjusted working
//! Saturdays 2026-02-14 and 2026-02-28, the Mid-Autumn / National Day holidays with the adjusted
//! working Sunday 2026-09-20. Expected dates are counted by hand on the calendar data (start day
//! not counted).

use fazhi_workflow::ClockStatus;
use serde_json::{Value, json};

mod support;

use support::{Run, d};

// ------------------------------------------------------------------ disclosure requests

fn disclosure(received_on: &str) -> Run {
    let mut run = Run::new("disclosure_request");
    run.ok(
        received_on,
        "create",
        "handler",
        json!({
            "channel": "互联网（已双方确认）",
            "received_on": received_on,
            "applicant_type": "自然人",
            "applicant_name": "王某",
            "content": "申请公开某道路改造工程的立项批复",
        }),
    );
    run
}

/// 第三十条 and 第三十三条 through the Spring Festival: the supplement notice may be given on
/// the 7th working day, the adjusted working Saturday 2026-02-14, not on 2026-02-24; the reply
/// period then runs 20 working days from the supplement's receipt (2026-02-26, counting the
/// working Saturday 2026-02-28); third-party consultation (7 working days) is excluded; an
/// approved, notified extension adds 20 working days.
#[test]
fn disclosure_supplement_consultation_extension_spring_festival() {
    let mut run = disclosure("2026-02-05");
    let c = run.clock("reply_limit", "2026-02-05");
    assert_eq!(c.due, Some(d("2026-03-11")), "{:#?}", c.explanation_zh);
    let r = run.refused(
        "2026-02-24",
        "request_supplement",
        "handler",
        json!({"supplement_items": "请明确所需信息的名称", "supplement_deadline": "2026-03-06"}),
        "disclosure.supplement_notice_late",
    );
    assert!(r.to_string().contains("第三十条"), "{r}");
    run.ok(
        "2026-02-14",
        "request_supplement",
        "handler",
        json!({"supplement_items": "请明确所需信息的名称", "supplement_deadline": "2026-03-06"}),
    );
    assert_eq!(run.state(), "awaiting_supplement");
    assert_eq!(
        run.clock("reply_limit", "2026-02-25").status,
        ClockStatus::Paused
    );
    run.ok(
        "2026-02-26",
        "receive_supplement",
        "handler",
        json!({"supplement_received_on": "2026-02-26"}),
    );
    let c = run.clock("reply_limit", "2026-02-26");
    assert_eq!(c.started_on, d("2026-02-26"));
    assert_eq!(c.due, Some(d("2026-03-25")), "{:#?}", c.explanation_zh);
    assert_eq!(c.paused_days, 0);
    assert!(
        c.explanation_zh
            .iter()
            .any(|l| l.contains("收到补正日期为2026-02-26")),
        "{:#?}",
        c.explanation_zh
    );

    run.ok(
        "2026-03-05",
        "consult_third_party",
        "handler",
        json!({"third_party": "相关房屋征收户"}),
    );
    assert_eq!(
        run.clock("reply_limit", "2026-03-10").status,
        ClockStatus::Paused
    );
    assert_eq!(
        run.clock("third_party_window", "2026-03-05").due,
        Some(d("2026-03-26"))
    );
    run.ok(
        "2026-03-16",
        "third_party_reply",
        "handler",
        json!({"third_party_opinion": "不同意公开"}),
    );
    let c = run.clock("reply_limit", "2026-03-16");
    assert_eq!(c.paused_days, 7);
    assert_eq!(c.due, Some(d("2026-04-03")), "{:#?}", c.explanation_zh);
    assert_eq!(c.status, ClockStatus::Running);

    // 第三十三条: at most 20 working days (the field refuses more) …
    run.refused(
        "2026-03-18",
        "extend",
        "leader",
        json!({"extension_days": 25, "extension_approver": "党政办主任", "extension_notice": "已书面告知"}),
        "input.range",
    );
    run.ok(
        "2026-03-18",
        "extend",
        "leader",
        json!({"extension_days": 20, "extension_approver": "党政办主任", "extension_notice": "已书面告知申请人延期理由"}),
    );
    let c = run.clock("reply_limit", "2026-03-18");
    assert_eq!(c.extended_by, 20);
    assert_eq!(c.due, Some(d("2026-05-07")), "{:#?}", c.explanation_zh);
    // … and once.
    run.refused(
        "2026-04-20",
        "extend",
        "leader",
        json!({"extension_days": 5, "extension_approver": "党政办主任", "extension_notice": "再次延期"}),
        "disclosure.extended_once",
    );
    run.ok(
        "2026-04-30",
        "reply",
        "handler",
        json!({"outcome": "部分公开", "reply_form": "纸质"}),
    );
    let c = run.clock("reply_limit", "2026-05-20");
    assert_eq!(c.status, ClockStatus::Met);
    assert_eq!(run.state(), "replied");
}

/// 第三十条: no supplement in the time given — abandoned only once that time has passed, with
/// the outcome of table 三 (六) 1 set by the step.
#[test]
fn disclosure_abandoned_after_the_supplement_time() {
    let mut run = disclosure("2026-03-02");
    run.ok(
        "2026-03-04",
        "request_supplement",
        "handler",
        json!({"supplement_items": "请补充身份证明", "supplement_deadline": "2026-03-18"}),
    );
    let r = run.refused(
        "2026-03-18",
        "abandon",
        "handler",
        json!({}),
        "disclosure.supplement_time_not_over",
    );
    assert!(r.to_string().contains("2026-03-18"), "{r}");
    // a second notice is not allowed (第三十条: 一次性告知)
    run.ok("2026-03-19", "abandon", "handler", json!({}));
    assert_eq!(run.state(), "abandoned");
    assert_eq!(
        run.snapshot.fields.get("outcome").and_then(Value::as_str),
        Some("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
    );
    let c = run.clock("reply_limit", "2026-03-20");
    assert_eq!(c.status, ClockStatus::Met);
    assert_eq!(c.stopped_on, Some(d("2026-03-19")));
}

/// 第三十二条、第三十三条: a third party that stays silent — only its 15 working days are
/// excluded; the clock runs again afterwards (through the Mid-Autumn and National Day holidays
/// and the adjusted working Sunday 2026-09-20).
#[test]
fn disclosure_silent_third_party_excludes_at_most_15_working_days() {
    let mut run = disclosure("2026-09-14");
    assert_eq!(
        run.clock("reply_limit", "2026-09-14").due,
        Some(d("2026-10-16"))
    );
    run.ok(
        "2026-09-16",
        "consult_third_party",
        "handler",
        json!({"third_party": "项目建设单位"}),
    );
    // 2026-09-17, 18, 20 (working Sunday), 21, 22, 23, 24: 7 working days so far, still paused
    let c = run.clock("reply_limit", "2026-09-25");
    assert_eq!(c.status, ClockStatus::Paused);
    assert_eq!(c.paused_days, 7);
    assert_eq!(c.due, Some(d("2026-10-27")), "{:#?}", c.explanation_zh);
    // 20 working days of silence by 2026-10-20: 15 are excluded, then the clock runs
    let c = run.clock("reply_limit", "2026-10-20");
    assert_eq!(c.paused_days, 15);
    assert_eq!(c.status, ClockStatus::Running, "{:#?}", c.explanation_zh);
    assert_eq!(c.due, Some(d("2026-11-06")), "{:#?}", c.explanation_zh);
    assert!(
        c.explanation_zh
            .iter()
            .any(|l| l.contains("上限15个工作日")),
        "{:#?}",
        c.explanation_zh
    );
    assert_eq!(
        run.clock("third_party_window", "2026-10-20").status,
        ClockStatus::Elapsed
    );
}

/// The applicant's column and a withdrawal's outcome (table 三 (六) 3 其他); organisations must
/// be named (第二十九条).
#[test]
fn disclosure_organisation_named_and_withdrawal() {
    let mut run = Run::new("disclosure_request");
    run.refused(
        "2026-06-01",
        "create",
        "handler",
        json!({"channel": "当面提交", "received_on": "2026-06-01", "applicant_type": "法律服务机构", "content": "申请公开某执法决定"}),
        "common.required_field",
    );
    run.ok(
        "2026-06-01",
        "create",
        "handler",
        json!({"channel": "当面提交", "received_on": "2026-06-01", "applicant_type": "法律服务机构", "organisation_name": "某律师事务所", "content": "申请公开某执法决定"}),
    );
    run.refused(
        "2026-06-03",
        "withdraw",
        "handler",
        json!({}),
        "input.required",
    );
    run.ok(
        "2026-06-03",
        "withdraw",
        "handler",
        json!({"reason": "申请人书面申请撤回"}),
    );
    assert_eq!(
        run.snapshot.fields.get("outcome").and_then(Value::as_str),
        Some("其他")
    );
}
