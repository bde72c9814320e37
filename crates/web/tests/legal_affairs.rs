//! The legal-affairs case types (folders `legality_review`, `major_decision`,
//! `normative_document`, `collective_meeting`, `litigation_case`) over HTTP on real dates: the
//! decision chain is enforced across the cases of a matter — a major decision cannot go to the
//! meeting (nor be decided) without a passed legality review, the latest review wins — then the
//! figures the annual report prints are counted from these records, on SQLite and PostgreSQL.

#[allow(dead_code)]
mod support;

use std::sync::Arc;

use fazhi_app::{App, FixedClock};
use fazhi_indicators::Period;
use fazhi_workflow::{Registry, WorkflowConfig};
use jiff::civil::date;
use serde_json::{Value, json};
use support::{Api, Backend, spawn_app};

async fn walk(h: &Api, id: i64, steps: &[(&str, &str, Value)]) {
    for (tr, on, input) in steps {
        let (s, out) = h.step(id, tr, Some(on), input.clone()).await;
        assert_eq!(s, 200, "{tr} on {on}: {out}");
    }
}

async fn created(h: &Api, case_type: &str, on: &str, input: Value) -> i64 {
    let (s, out) = h.create(case_type, Some("C1"), Some(on), input).await;
    assert_eq!(s, 201, "{case_type} on {on}: {out}");
    out["case_id"].as_i64().unwrap()
}

/// Takes a step that opens one linked case; returns the linked case's id.
async fn opens(h: &Api, id: i64, tr: &str, on: &str, input: Value, case_type: &str) -> i64 {
    let (s, out) = h.step(id, tr, Some(on), input).await;
    assert_eq!(s, 200, "{tr} on {on}: {out}");
    let opened = &out["opened"][0];
    assert_eq!(opened["case_type"], case_type, "{out}");
    opened["case_id"].as_i64().unwrap()
}

/// A step that must be refused with `code`; returns the error body as text.
async fn refused(h: &Api, id: i64, tr: &str, on: &str, input: Value, code: &str) -> String {
    let (s, out) = h.step(id, tr, Some(on), input).await;
    assert_eq!(s, 422, "{tr} on {on} should be refused: {out}");
    let text = out.to_string();
    assert!(
        text.contains(code),
        "{tr} on {on}: expected {code} in {text}"
    );
    text
}

async fn chain_and_figures(backend: Backend) {
    let t = spawn_app(backend, date(2026, 3, 31)).await;
    let h = t.api("handler");
    let legal = t.api("legal");
    let leader = t.api("leader");

    // A major decision: catalogued, comments over 30 days (2026-01-20 → 02-19, across the
    // Spring Festival), a shorter period without a reason is refused (第十五条).
    let md = created(
        &h,
        "major_decision",
        "2026-01-05",
        json!({"title": "老旧小区加装电梯补贴办法", "area": "城市建设与管理", "catalogue_year": 2026, "drafting_unit": "城市管理办公室"}),
    )
    .await;
    let text = refused(
        &h,
        md,
        "solicit_comments",
        "2026-01-19",
        json!({"draft_summary": "草案及说明", "comment_start": "2026-01-20", "comment_end": "2026-02-10"}),
        "decision.comment_period_too_short",
    )
    .await;
    assert!(text.contains("第十五条"), "{text}");
    walk(
        &h,
        md,
        &[
            ("solicit_comments", "2026-01-19", json!({"draft_summary": "草案及说明", "comment_start": "2026-01-20", "comment_end": "2026-02-19"})),
            ("close_comments", "2026-02-24", json!({"comments_received": 45, "comments_adopted": 12})),
            ("risk_assessment", "2026-02-24", json!({"risk_level": "低风险", "risk_report": "社会稳定风险低"})),
        ],
    )
    .await;
    // 第二十五条: the draft goes to review, which opens a legality review in the matter.
    let r1 = opens(
        &h,
        md,
        "request_review",
        "2026-02-25",
        json!({"draft_summary": "草案（征求意见后修改稿）"}),
        "legality_review",
    )
    .await;
    let (_, review) = h.get(&format!("/api/v1/cases/{r1}")).await;
    assert_eq!(review["case"]["category"], "重大行政决策", "{review}");
    assert_eq!(review["matter"]["number"], "JC2026-000001", "{review}");
    // The review is under way, no opinion yet: refused with the article and the reason.
    let text = refused(
        &h,
        md,
        "submit_to_meeting",
        "2026-02-25",
        json!({}),
        "decision.legality_review_not_passed",
    )
    .await;
    assert!(text.contains("第二十六条、第二十八条"), "{text}");
    assert!(text.contains("通过合法性审查"), "{text}");
    // 第二十七条: at least 7 working days (02-26, 02-27, the working Saturday 02-28, 03-02 … 03-05).
    walk(
        &legal,
        r1,
        &[(
            "accept",
            "2026-02-25",
            json!({"reviewer_body": "司法所", "reviewers": "司法所审查人员"}),
        )],
    )
    .await;
    refused(
        &legal,
        r1,
        "give_opinion",
        "2026-03-04",
        json!({"opinion": "不合法", "opinion_items": 2, "opinion_text": "第三条缺乏依据"}),
        "legal.review_too_short",
    )
    .await;
    walk(
        &legal,
        r1,
        &[(
            "give_opinion",
            "2026-03-06",
            json!({"opinion": "不合法", "opinion_items": 2, "opinion_text": "第三条缺乏依据"}),
        )],
    )
    .await;
    let text = refused(
        &h,
        md,
        "submit_to_meeting",
        "2026-03-06",
        json!({}),
        "decision.legality_review_not_passed",
    )
    .await;
    assert!(text.contains("不合法"), "{text}");

    // The revised draft is reviewed again and passes: the latest review wins.
    let r2 = opens(
        &h,
        md,
        "request_review",
        "2026-03-09",
        json!({"draft_summary": "修改稿"}),
        "legality_review",
    )
    .await;
    walk(
        &legal,
        r2,
        &[
            (
                "accept",
                "2026-03-09",
                json!({"reviewer_body": "法律顾问", "reviewers": "街道法律顾问"}),
            ),
            (
                "give_opinion",
                "2026-03-18",
                json!({"opinion": "修改后合法", "opinion_items": 3, "opinion_text": "修改后合法"}),
            ),
        ],
    )
    .await;
    walk(&h, md, &[("submit_to_meeting", "2026-03-18", json!({}))]).await;
    walk(
        &leader,
        md,
        &[("decide", "2026-03-20", json!({"meeting_kind": "主任办公会议", "meeting_on": "2026-03-20", "minutes_number": "2026-05",
            "decision_result": "通过", "head_spoke_last": "是", "dissent": "一名成员建议扩大补贴范围"}))],
    )
    .await;
    walk(
        &h,
        md,
        &[
            (
                "report_party",
                "2026-03-23",
                json!({"party_report_on": "2026-03-23"}),
            ),
            (
                "publish",
                "2026-03-25",
                json!({"publish_channel": "街道门户网站"}),
            ),
        ],
    )
    .await;
    walk(
        &h,
        r1,
        &[("follow_up", "2026-03-09", json!({"adoption": "全部采纳"}))],
    )
    .await;

    // A normative document: reviewed (5 working days), deliberated, published 2026-01-16; the
    // 30-day filing limit runs to 02-15, a Spring Festival holiday, so to 02-24; filed 03-02: late.
    let nd = created(&h, "normative_document", "2026-01-06", json!({"title": "社区微更新项目管理办法", "drafting_unit": "社区建设办公室", "market_related": "否"})).await;
    let r3 = opens(
        &h,
        nd,
        "request_review",
        "2026-01-07",
        json!({"draft_summary": "办法草案"}),
        "legality_review",
    )
    .await;
    let text = refused(
        &leader,
        nd,
        "deliberate",
        "2026-01-07",
        json!({"meeting_kind": "主任办公会议", "deliberated_on": "2026-01-07"}),
        "document.legality_review_not_passed",
    )
    .await;
    assert!(text.contains("（七）"), "{text}");
    walk(
        &legal,
        r3,
        &[
            (
                "accept",
                "2026-01-07",
                json!({"reviewer_body": "司法所", "reviewers": "司法所审查人员"}),
            ),
            (
                "give_opinion",
                "2026-01-14",
                json!({"opinion": "合法", "opinion_items": 1, "opinion_text": "合法"}),
            ),
        ],
    )
    .await;
    walk(
        &leader,
        nd,
        &[(
            "deliberate",
            "2026-01-15",
            json!({"meeting_kind": "主任办公会议", "deliberated_on": "2026-01-15"}),
        )],
    )
    .await;
    walk(
        &h,
        nd,
        &[
            ("publish", "2026-01-16", json!({"doc_number": "望街规〔2026〕1号", "registration_number": "WJ-2026-001", "published_on": "2026-01-16", "valid_until": "2031-01-15"})),
            ("file", "2026-03-02", json!({"filed_with": "滨江区司法局", "filed_on": "2026-03-02"})),
        ],
    )
    .await;
    let (_, doc) = h.get(&format!("/api/v1/cases/{nd}")).await;
    let filing = doc["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "filing_limit")
        .cloned()
        .unwrap_or_default();
    assert_eq!(filing["detail"]["due"], "2026-02-24", "{doc}");
    assert_eq!(filing["detail"]["status"], "missed", "{doc}");

    // A collective meeting: a quorum of more than half is required.
    let cm = created(
        &h,
        "collective_meeting",
        "2026-03-16",
        json!({"meeting_kind": "党工委会议", "meeting_on": "2026-03-20", "topics": "研究重大事项", "topics_count": 6, "members_expected": 11, "cadre_matters": "否"}),
    )
    .await;
    let hold = |present: i64| json!({"meeting_on": "2026-03-20", "members_present": present, "decided_count": 6, "three_major_items": 2, "reviewed_items": 1, "dissent_items": 1, "dissent": "一名成员对预算有不同意见", "head_spoke_last": "是"});
    refused(&h, cm, "hold", "2026-03-20", hold(5), "meeting.no_quorum").await;
    walk(&h, cm, &[("hold", "2026-03-20", hold(9))]).await;

    // Litigation: one first-instance case heard with the head in court and lost; one heard
    // without (the excuse and the delegate are required); a reconsideration upheld.
    let l1 = created(&h, "litigation_case", "2026-01-12", json!({"proceeding": "行政诉讼", "instance": "一审", "party_role": "被告", "area": "行政强制", "disclosure_related": "否", "court_or_body": "滨江区人民法院", "summary": "请求撤销限期拆除决定"})).await;
    walk(
        &h,
        l1,
        &[
            ("receive_complaint", "2026-01-13", json!({"received_on": "2026-01-13"})),
            ("defend", "2026-01-23", json!({"defence_note": "答辩状及证据"})),
            ("hear", "2026-02-27", json!({"hearing_on": "2026-02-27", "head_appeared": "是", "appeared_head": "街道办事处主任"})),
            ("judge", "2026-03-16", json!({"decision_kind": "判决", "outcome": "撤销", "decided_on": "2026-03-16"})),
        ],
    )
    .await;
    refused(
        &h,
        l1,
        "close",
        "2026-03-20",
        json!({}),
        "litigation.correction_required",
    )
    .await;
    let l2 = created(&h, "litigation_case", "2026-01-20", json!({"proceeding": "行政诉讼", "instance": "一审", "party_role": "被告", "area": "信息公开", "disclosure_related": "是", "court_or_body": "滨江区人民法院", "summary": "请求判令公开"})).await;
    walk(
        &h,
        l2,
        &[
            (
                "receive_complaint",
                "2026-01-20",
                json!({"received_on": "2026-01-20"}),
            ),
            ("defend", "2026-02-03", json!({"defence_note": "答辩状"})),
        ],
    )
    .await;
    let text = refused(
        &h,
        l2,
        "hear",
        "2026-03-10",
        json!({"hearing_on": "2026-03-10", "head_appeared": "否"}),
        "common.required_field",
    )
    .await;
    assert!(text.contains("第三条第三款"), "{text}");
    walk(
        &h,
        l2,
        &[
            ("hear", "2026-03-10", json!({"hearing_on": "2026-03-10", "head_appeared": "否", "absence_reason": "参加防汛应急工作", "delegate": "司法所工作人员"})),
            ("judge", "2026-03-24", json!({"decision_kind": "判决", "outcome": "驳回诉讼请求", "decided_on": "2026-03-24"})),
        ],
    )
    .await;
    let l3 = created(&h, "litigation_case", "2026-02-02", json!({"proceeding": "行政复议", "instance": "复议", "party_role": "被申请人", "area": "行政处罚", "disclosure_related": "否", "court_or_body": "滨江区人民政府", "summary": "申请撤销罚款决定"})).await;
    refused(
        &h,
        l3,
        "receive_complaint",
        "2026-02-03",
        json!({"received_on": "2026-02-03"}),
        "litigation.wrong_proceeding",
    )
    .await;
    walk(
        &h,
        l3,
        &[
            (
                "receive_application",
                "2026-02-03",
                json!({"received_on": "2026-02-03"}),
            ),
            ("defend", "2026-02-10", json!({"defence_note": "答复书"})),
            (
                "judge",
                "2026-03-12",
                json!({"decision_kind": "复议决定", "outcome": "维持", "decided_on": "2026-03-12"}),
            ),
        ],
    )
    .await;

    // The figures for 2026-Q1 of the street.
    let app = App::new(
        t.db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(date(2026, 3, 31))),
    );
    let street = fazhi_store::org::unit_by_code(&t.db, "S")
        .await
        .unwrap()
        .unwrap();
    let user = fazhi_store::org::user_by_login(&t.db, "leader")
        .await
        .unwrap()
        .unwrap();
    let actor = app.actor_for(&user).await.unwrap();
    let period: Period = "2026-Q1".parse().unwrap();
    let got = app
        .compute_indicators(&actor, street.id, period, &[])
        .await
        .unwrap();
    let value = |id: &str| {
        got.values
            .iter()
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("{id} not computed"))
            .value
    };
    for (id, want) in [
        ("legality_review.reviews", Some(3.0)),
        ("legality_review.opinions", Some(6.0)),
        ("legality_review.by_subject.重大行政决策", Some(2.0)),
        ("legality_review.by_subject.行政规范性文件", Some(1.0)),
        ("legality_review.unlawful", Some(1.0)),
        ("legality_review.amended", Some(1.0)),
        ("legality_review.adoption_rate", Some(100.0)),
        ("major_decision.catalogued", Some(1.0)),
        ("major_decision.comments_received", Some(45.0)),
        ("major_decision.reviewed", Some(1.0)),
        ("major_decision.decided", Some(1.0)),
        ("major_decision.published", Some(1.0)),
        ("normative_document.issued", Some(1.0)),
        ("normative_document.filed", Some(1.0)),
        ("normative_document.filed_late", Some(1.0)),
        ("normative_document.filed_on_time_rate", Some(0.0)),
        ("normative_document.deliberated", Some(1.0)),
        ("normative_document.deliberated_reviewed", Some(1.0)),
        ("legality_review.document_review_rate", Some(100.0)),
        ("collective_meeting.meetings", Some(1.0)),
        ("collective_meeting.items", Some(6.0)),
        ("collective_meeting.three_major_items", Some(2.0)),
        ("litigation.cases", Some(2.0)),
        ("litigation.first_instance", Some(2.0)),
        ("litigation.second_instance", Some(0.0)),
        ("litigation.reconsiderations", Some(1.0)),
        ("litigation.heard", Some(2.0)),
        ("litigation.leader_appearances", Some(1.0)),
        ("litigation.leader_appearance_rate", Some(50.0)),
        ("litigation.judged", Some(2.0)),
        ("litigation.lost", Some(1.0)),
        ("litigation.first_instance_lost", Some(1.0)),
        ("litigation.lost_rate", Some(50.0)),
        ("litigation.reconsideration_by_outcome.维持", Some(1.0)),
        ("litigation.reconsideration_corrected", Some(0.0)),
        ("litigation.disclosure_cases", Some(1.0)),
    ] {
        assert_eq!(value(id), want, "{id}");
    }
}

#[tokio::test]
async fn decision_chain_and_legal_figures_on_sqlite() {
    chain_and_figures(Backend::Sqlite).await;
}

#[tokio::test]
async fn decision_chain_and_legal_figures_on_postgres() {
    chain_and_figures(Backend::Postgres).await;
}
