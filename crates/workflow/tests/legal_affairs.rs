//! Dated scenarios of the legal-affairs case types (legality review, major decisions, normative
//! documents, collective meetings, litigation and reconsideration) and of the guard kinds they use
//! (`linked_case`, `min_period`), on the official calendar: periods across the Spring Festival
//! (2026-02-14 a working Saturday, 02-15..23 holidays), the Mid-Autumn / National Day holidays
//! (2026-09-25..27, 10-01..07; 10-10 a working Saturday).

use fazhi_workflow::{
    BasicValidators, Calendar, CaseSnapshot, ClockState, ClockStatus, GuardContext, LinkedCase,
    Refusals, Registry, WorkflowConfig, apply, clocks, plan,
};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

/// A case run through `plan`/`apply` step by step, with the other cases of its matter.
struct Run {
    code: &'static str,
    snapshot: CaseSnapshot,
    linked: Vec<LinkedCase>,
    calendar: Calendar,
    config: WorkflowConfig,
    registry: Registry,
}

impl Run {
    fn new(code: &'static str) -> Run {
        Run {
            code,
            snapshot: CaseSnapshot {
                case_type: code.to_owned(),
                ..CaseSnapshot::default()
            },
            linked: Vec::new(),
            calendar: Calendar::national(),
            config: WorkflowConfig::embedded(),
            registry: Registry::embedded(),
        }
    }

    fn try_step(
        &mut self,
        on: &str,
        transition: &str,
        role: &str,
        input: Value,
    ) -> Result<(), Refusals> {
        let ct = self.registry.get(self.code).expect("case type");
        let roles = vec![role.to_owned()];
        let validators = BasicValidators;
        let ctx = GuardContext {
            on: d(on),
            actor_roles: &roles,
            officers: &[],
            calendar: &self.calendar,
            config: &self.config,
            validators: &validators,
            linked: &self.linked,
        };
        let input: Map<String, Value> = match input {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let p = plan(ct, &self.snapshot, transition, &input, &ctx)?;
        apply(&mut self.snapshot, &p, d(on));
        Ok(())
    }

    fn ok(&mut self, on: &str, transition: &str, role: &str, input: Value) -> &mut Run {
        if let Err(r) = self.try_step(on, transition, role, input) {
            panic!("{on} {transition} refused: {r}\n{r:#?}");
        }
        self
    }

    fn refused(
        &mut self,
        on: &str,
        transition: &str,
        role: &str,
        input: Value,
        code: &str,
    ) -> Refusals {
        match self.try_step(on, transition, role, input) {
            Ok(()) => panic!("{on} {transition} accepted, expected {code}"),
            Err(r) => {
                assert!(
                    r.find(code).is_some(),
                    "{on} {transition}: expected {code}, got {r:#?}"
                );
                r
            }
        }
    }

    fn state(&self) -> &str {
        self.snapshot.state.as_deref().unwrap_or_default()
    }

    fn clock(&self, code: &str, today: &str) -> ClockState {
        let ct = self.registry.get(self.code).expect("case type");
        clocks(
            ct,
            &self.snapshot.history,
            &self.snapshot.fields,
            d(today),
            &self.calendar,
            &self.config,
        )
        .into_iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("no clock {code}"))
    }

    /// This case as another case of its matter sees it.
    fn as_linked(&self) -> LinkedCase {
        let ct = self.registry.get(self.code).expect("case type");
        LinkedCase {
            case_type: self.code.to_owned(),
            case_type_name: ct.name_zh.clone(),
            number: format!("{}-{}", self.code, self.snapshot.history.len()),
            state: self.state().to_owned(),
            state_label: ct.state_label(self.state()),
            fields: self.snapshot.fields.clone(),
        }
    }
}

fn basis(r: &Refusals, code: &str) -> (String, String) {
    let f = r.find(code).expect("refusal");
    (
        f.statute.clone().unwrap_or_default(),
        f.article.clone().unwrap_or_default(),
    )
}

// ------------------------------------------------------------------ legality review

fn review_accepted(subject: &str, accept_on: &str) -> Run {
    let mut run = Run::new("legality_review");
    run.ok(
        accept_on,
        "create",
        "handler",
        json!({"subject_kind": subject, "subject_title": "某社区微更新项目实施方案", "materials": "草案及起草说明"}),
    )
    .ok(
        accept_on,
        "accept",
        "handler",
        json!({"reviewer_body": "司法所", "reviewers": "司法所审查人员"}),
    );
    run
}

fn opinion(op: &str, urgent: Option<&str>) -> Value {
    let mut v = json!({"opinion": op, "opinion_items": 3, "opinion_text": "建议修改第五条"});
    if let Some(u) = urgent {
        v["urgent_reason"] = json!(u);
    }
    v
}

/// 《重大行政决策程序暂行条例》第二十七条: a major decision's review takes generally at least 7
/// working days. Accepted on Wed 2026-02-11: 02-12, 02-13, the working Saturday 02-14, then the
/// Spring Festival (02-15..23), 02-24, 02-25, 02-26, 02-27 — the 7th working day is 02-27.
#[test]
fn major_decision_review_takes_seven_working_days_across_the_spring_festival() {
    let mut run = review_accepted("重大行政决策", "2026-02-11");
    let r = run.refused(
        "2026-02-26",
        "give_opinion",
        "handler",
        opinion("合法", None),
        "legal.review_too_short",
    );
    assert_eq!(
        basis(&r, "legal.review_too_short"),
        (
            "《重大行政决策程序暂行条例》".to_owned(),
            "第二十七条".to_owned()
        )
    );
    let msg = &r.find("legal.review_too_short").unwrap().message_zh;
    assert!(msg.contains("2026-02-27"), "{msg}");
    assert!(msg.contains("缩短审查时间的理由"), "{msg}");
    // Shortened with a stated reason (urgency) it is accepted the same day.
    let mut urgent = review_accepted("重大行政决策", "2026-02-11");
    urgent.ok(
        "2026-02-26",
        "give_opinion",
        "handler",
        opinion("合法", Some("防汛应急需要")),
    );
    run.ok(
        "2026-02-27",
        "give_opinion",
        "handler",
        opinion("合法", None),
    );
    assert_eq!(run.state(), "opined");
}

/// 国办发〔2018〕115号（六）: a normative document's review takes at least 5 working days and at
/// most 15. Accepted Thu 2026-09-24: Mid-Autumn 09-25..27, 09-28, 09-29, 09-30, National Day
/// 10-01..07, 10-08, 10-09 → the 5th working day is 10-09; with the working Saturday 10-10 the
/// 15th is 10-22. Other subjects (a contract) have no minimum.
#[test]
fn normative_document_review_between_five_and_fifteen_working_days_over_national_day() {
    let mut run = review_accepted("行政规范性文件", "2026-09-24");
    let r = run.refused(
        "2026-10-08",
        "give_opinion",
        "handler",
        opinion("修改后合法", None),
        "legal.review_too_short",
    );
    assert_eq!(basis(&r, "legal.review_too_short").1, "（六）");
    assert_eq!(
        run.clock("review_period", "2026-10-08").due,
        Some(d("2026-10-22"))
    );
    run.ok(
        "2026-10-09",
        "give_opinion",
        "handler",
        opinion("修改后合法", None),
    );
    let c = run.clock("review_period", "2026-10-09");
    assert_eq!(c.status, ClockStatus::Met);

    let mut late = review_accepted("行政规范性文件", "2026-09-24");
    late.ok(
        "2026-10-23",
        "give_opinion",
        "handler",
        opinion("合法", None),
    );
    assert_eq!(
        late.clock("review_period", "2026-10-23").status,
        ClockStatus::Missed
    );

    let mut contract = review_accepted("合同", "2026-09-24");
    contract.ok(
        "2026-09-28",
        "give_opinion",
        "handler",
        opinion("不合法", None),
    );
}

/// 国办发〔2018〕115号（七）: an opinion not (fully) adopted needs the reason.
#[test]
fn non_adoption_needs_its_reason() {
    let mut run = review_accepted("合同", "2026-03-02");
    run.ok(
        "2026-03-04",
        "give_opinion",
        "handler",
        opinion("修改后合法", None),
    );
    let r = run.refused(
        "2026-03-10",
        "follow_up",
        "handler",
        json!({"adoption": "部分采纳"}),
        "common.required_field",
    );
    assert_eq!(basis(&r, "common.required_field").1, "（七）");
    run.ok(
        "2026-03-10",
        "follow_up",
        "handler",
        json!({"adoption": "部分采纳", "non_adoption_reason": "第五条属政策性安排，已在审议时说明"}),
    );
    assert_eq!(run.state(), "closed");
}

// ------------------------------------------------------------------ major decision

fn decision_until_consulted() -> Run {
    let mut run = Run::new("major_decision");
    run.ok(
        "2026-01-05",
        "create",
        "handler",
        json!({"title": "老旧小区加装电梯补贴办法", "area": "城市建设与管理", "catalogue_year": 2026, "drafting_unit": "城市管理办公室"}),
    )
    .ok(
        "2026-01-19",
        "solicit_comments",
        "handler",
        json!({"draft_summary": "草案及说明", "comment_start": "2026-01-20", "comment_end": "2026-02-19"}),
    )
    .ok(
        "2026-02-24",
        "close_comments",
        "handler",
        json!({"comments_received": 45, "comments_adopted": 12}),
    );
    run
}

/// 《重大行政决策程序暂行条例》第十五条: the comment period is generally at least 30 days (the
/// start day not counted: from 2026-01-20 to no earlier than 02-19, across the Spring Festival);
/// a shorter one needs its reason; comments are collected only after the period.
#[test]
fn comment_period_of_thirty_days_or_a_stated_reason() {
    let mut run = Run::new("major_decision");
    run.ok(
        "2026-01-05",
        "create",
        "handler",
        json!({"title": "老旧小区加装电梯补贴办法", "area": "城市建设与管理", "catalogue_year": 2026, "drafting_unit": "城市管理办公室"}),
    );
    let r = run.refused(
        "2026-01-19",
        "solicit_comments",
        "handler",
        json!({"draft_summary": "草案", "comment_start": "2026-01-20", "comment_end": "2026-02-18"}),
        "decision.comment_period_too_short",
    );
    assert_eq!(
        basis(&r, "decision.comment_period_too_short"),
        (
            "《重大行政决策程序暂行条例》".to_owned(),
            "第十五条".to_owned()
        )
    );
    let f = r.find("decision.comment_period_too_short").unwrap();
    assert_eq!(f.field.as_deref(), Some("short_period_reason"));
    assert!(f.message_zh.contains("2026-02-19"), "{}", f.message_zh);
    run.ok(
        "2026-01-19",
        "solicit_comments",
        "handler",
        json!({"draft_summary": "草案", "comment_start": "2026-01-20", "comment_end": "2026-02-19"}),
    );
    // The clock shows the window as the law counts it: 30 days end on 02-19, a Spring Festival
    // holiday, so the period rolls to the next working day, 02-24.
    assert_eq!(
        run.clock("comment_period", "2026-02-10").due,
        Some(d("2026-02-24"))
    );
    run.refused(
        "2026-02-19",
        "close_comments",
        "handler",
        json!({"comments_received": 3, "comments_adopted": 1}),
        "decision.comment_period_running",
    );
    run.ok(
        "2026-02-20",
        "close_comments",
        "handler",
        json!({"comments_received": 3, "comments_adopted": 1}),
    );

    let mut short = Run::new("major_decision");
    short
        .ok(
            "2026-01-05",
            "create",
            "handler",
            json!({"title": "防汛应急安置点设置方案", "area": "社会治理", "catalogue_year": 2026, "drafting_unit": "平安办"}),
        )
        .ok(
            "2026-01-19",
            "solicit_comments",
            "handler",
            json!({"draft_summary": "草案", "comment_start": "2026-01-20", "comment_end": "2026-01-30", "short_period_reason": "汛前须完成安置点设置"}),
        );
    assert_eq!(short.state(), "soliciting");
}

/// 《重大行政决策程序暂行条例》第二十六条、第二十八条: no meeting without a passed legality
/// review (the linked review of the matter; the latest wins), and 第三十条: the head speaks last.
#[test]
fn no_meeting_without_a_passed_legality_review_latest_wins() {
    let mut run = decision_until_consulted();
    run.ok(
        "2026-02-25",
        "request_review",
        "handler",
        json!({"draft_summary": "草案（征求意见后修改稿）"}),
    );
    // No review in the matter yet.
    let r = run.refused(
        "2026-02-26",
        "submit_to_meeting",
        "handler",
        json!({}),
        "linked.case_missing",
    );
    assert_eq!(basis(&r, "linked.case_missing").1, "第二十六条、第二十八条");

    // The review found the draft unlawful.
    let mut review = review_accepted("重大行政决策", "2026-02-25");
    review.ok(
        "2026-03-06",
        "give_opinion",
        "handler",
        opinion("不合法", None),
    );
    run.linked = vec![review.as_linked()];
    let r = run.refused(
        "2026-03-06",
        "submit_to_meeting",
        "handler",
        json!({}),
        "decision.legality_review_not_passed",
    );
    let f = r.find("decision.legality_review_not_passed").unwrap();
    assert_eq!(f.statute.as_deref(), Some("《重大行政决策程序暂行条例》"));
    assert!(f.message_zh.contains("不合法"), "{}", f.message_zh);
    assert!(f.message_zh.contains("通过合法性审查"), "{}", f.message_zh);

    // The revised draft is reviewed again and passes: the latest review wins.
    run.ok(
        "2026-03-09",
        "request_review",
        "handler",
        json!({"draft_summary": "修改稿"}),
    );
    let mut second = review_accepted("重大行政决策", "2026-03-09");
    second.ok(
        "2026-03-18",
        "give_opinion",
        "handler",
        opinion("修改后合法", None),
    );
    run.linked.push(second.as_linked());
    run.ok("2026-03-18", "submit_to_meeting", "handler", json!({}));

    let meeting = |head: &str| {
        json!({"meeting_kind": "主任办公会议", "meeting_on": "2026-03-20", "minutes_number": "2026-05",
               "decision_result": "通过", "head_spoke_last": head, "dissent": "一名成员建议扩大补贴范围"})
    };
    let r = run.refused(
        "2026-03-20",
        "decide",
        "leader",
        meeting("否"),
        "decision.head_not_last",
    );
    assert_eq!(basis(&r, "decision.head_not_last").1, "第三十条");
    // A later review found it unlawful after all: the meeting may not decide.
    let mut third = review_accepted("重大行政决策", "2026-03-09");
    third.ok(
        "2026-03-19",
        "give_opinion",
        "handler",
        opinion("不合法", None),
    );
    run.linked.push(third.as_linked());
    run.refused(
        "2026-03-20",
        "decide",
        "leader",
        meeting("是"),
        "decision.legality_review_not_passed",
    );
    run.linked.pop();
    run.ok("2026-03-20", "decide", "leader", meeting("是"))
        .ok(
            "2026-03-23",
            "report_party",
            "handler",
            json!({"party_report_on": "2026-03-23"}),
        )
        .ok(
            "2026-03-25",
            "publish",
            "handler",
            json!({"publish_channel": "街道政务公开栏及门户网站"}),
        )
        .ok(
            "2026-03-30",
            "archive",
            "handler",
            json!({"archive_number": "JC-2026-01"}),
        );
    assert_eq!(run.state(), "archived");
}

/// 第三十一条: a decision not adopted is not reported and issued.
#[test]
fn a_decision_not_adopted_is_not_reported() {
    let mut run = decision_until_consulted();
    run.ok(
        "2026-02-25",
        "request_review",
        "handler",
        json!({"draft_summary": "修改稿"}),
    );
    let mut review = review_accepted("重大行政决策", "2026-02-25");
    review.ok(
        "2026-03-06",
        "give_opinion",
        "handler",
        opinion("合法", None),
    );
    run.linked = vec![review.as_linked()];
    run.ok("2026-03-06", "submit_to_meeting", "handler", json!({}))
        .ok(
            "2026-03-10",
            "decide",
            "leader",
            json!({"meeting_kind": "党工委会议", "meeting_on": "2026-03-10", "minutes_number": "2026-06",
                   "decision_result": "暂缓", "head_spoke_last": "是"}),
        );
    let r = run.refused(
        "2026-03-11",
        "report_party",
        "handler",
        json!({"party_report_on": "2026-03-11"}),
        "decision.not_adopted",
    );
    assert_eq!(basis(&r, "decision.not_adopted").1, "第三十一条");
}

// ------------------------------------------------------------------ proactive disclosure (art. 26)

/// A normative document through review and deliberation (deliberated on `on`).
fn document_deliberated(on: &str) -> Run {
    let mut run = Run::new("normative_document");
    run.ok(
        "2026-09-01",
        "create",
        "handler",
        json!({"title": "街道社区微更新项目管理办法", "drafting_unit": "城市管理办公室", "market_related": "否"}),
    )
    .ok(
        "2026-09-10",
        "request_review",
        "handler",
        json!({"draft_summary": "草案及起草说明"}),
    );
    let mut review = review_accepted("行政规范性文件", "2026-09-10");
    review.ok(
        "2026-09-21",
        "give_opinion",
        "handler",
        opinion("合法", None),
    );
    run.linked = vec![review.as_linked()];
    run.ok(
        on,
        "deliberate",
        "leader",
        json!({"meeting_kind": "主任办公会议", "deliberated_on": on}),
    );
    run
}

fn publish_document(run: &mut Run, on: &str) {
    run.ok(
        on,
        "publish",
        "handler",
        json!({"doc_number": "X街规〔2026〕1号", "registration_number": "XGSF-2026-001",
               "published_on": on, "valid_until": "2031-10-31"}),
    );
}

/// 《政府信息公开条例》第二十六条: a normative document (第二十条第（一）项) is published within
/// 20 working days of being formed (adopted at the deliberation). Deliberated Thu 2026-09-24:
/// Mid-Autumn 09-25..27, 09-28, 09-29, 09-30 (3), National Day 10-01..07, 10-08, 10-09 (5), the
/// working Saturday 10-10 (6), 10-12..16 (11), 10-19..23 (16), 10-26..29 (20): due 2026-10-29.
#[test]
fn proactive_disclosure_of_a_normative_document_across_national_day() {
    let mut run = document_deliberated("2026-09-24");
    let c = run.clock("proactive_disclosure", "2026-10-12");
    assert_eq!(c.status, ClockStatus::Running);
    assert_eq!(c.started_on, d("2026-09-24"));
    assert_eq!(c.due, Some(d("2026-10-29")), "{:#?}", c.explanation_zh);
    assert!(c.basis.contains("第二十六条"), "{}", c.basis);
    assert_eq!(
        run.clock("proactive_disclosure", "2026-10-30").status,
        ClockStatus::Overdue
    );
    let mut on_time = document_deliberated("2026-09-24");
    publish_document(&mut on_time, "2026-10-29");
    assert_eq!(on_time.state(), "in_force");
    assert_eq!(
        on_time.clock("proactive_disclosure", "2026-11-02").status,
        ClockStatus::Met
    );
    publish_document(&mut run, "2026-10-30");
    assert_eq!(
        run.clock("proactive_disclosure", "2026-11-02").status,
        ClockStatus::Missed
    );
}

/// A major decision through the meeting on `meeting_on` with `result`.
fn decision_decided(meeting_on: &str, result: &str) -> Run {
    let mut run = decision_until_consulted();
    run.ok(
        "2026-02-25",
        "request_review",
        "handler",
        json!({"draft_summary": "修改稿"}),
    );
    let mut review = review_accepted("重大行政决策", "2026-02-25");
    review.ok(
        "2026-03-06",
        "give_opinion",
        "handler",
        opinion("合法", None),
    );
    run.linked = vec![review.as_linked()];
    run.ok("2026-03-06", "submit_to_meeting", "handler", json!({}))
        .ok(
            meeting_on,
            "decide",
            "leader",
            json!({"meeting_kind": "党工委会议", "meeting_on": meeting_on, "minutes_number": "2026-06",
                   "decision_result": result, "head_spoke_last": "是"}),
        );
    run
}

/// 第二十六条 for an adopted major decision: formed at the meeting of Fri 2026-03-20; the
/// Qingming holiday 2026-04-04..06 is skipped: 03-23..27 (5), 03-30..04-03 (10), 04-07..10
/// (14), 04-13..17 (19), 04-20 (20). A decision not adopted (暂缓) is nothing to publish.
#[test]
fn proactive_disclosure_of_an_adopted_major_decision_across_qingming() {
    let mut run = decision_decided("2026-03-20", "通过");
    let c = run.clock("proactive_disclosure", "2026-03-23");
    assert_eq!(c.due, Some(d("2026-04-20")), "{:#?}", c.explanation_zh);
    assert_eq!(c.status, ClockStatus::Running);
    run.ok(
        "2026-03-23",
        "report_party",
        "handler",
        json!({"party_report_on": "2026-03-23"}),
    )
    .ok(
        "2026-04-20",
        "publish",
        "handler",
        json!({"publish_channel": "街道政务公开栏及门户网站"}),
    );
    assert_eq!(
        run.clock("proactive_disclosure", "2026-04-21").status,
        ClockStatus::Met
    );

    let deferred = decision_decided("2026-03-20", "暂缓");
    let ct = deferred.registry.get("major_decision").unwrap();
    let running: Vec<_> = clocks(
        ct,
        &deferred.snapshot.history,
        &deferred.snapshot.fields,
        d("2026-05-06"),
        &deferred.calendar,
        &deferred.config,
    )
    .into_iter()
    .filter(|c| c.code == "proactive_disclosure")
    .collect();
    assert!(running.is_empty(), "{running:#?}");
}
