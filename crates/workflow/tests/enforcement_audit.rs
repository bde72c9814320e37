//! The legal audit of `enforcement_case` (issue 22): each defect class and each article added,
//! as a dated scenario on the official calendar, through `plan`/`apply` like the store.

use fazhi_workflow::{
    BasicValidators, Calendar, CaseSnapshot, CertificateInfo, ClockState, ClockStatus,
    GuardContext, OfficerInfo, Refusal, Refusals, Registry, WorkflowConfig, apply, clocks, plan,
};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

struct Ev {
    on: &'static str,
    transition: &'static str,
    role: &'static str,
    input: Value,
    refused: Option<&'static str>,
}

fn ev(on: &'static str, transition: &'static str, role: &'static str, input: Value) -> Ev {
    Ev {
        on,
        transition,
        role,
        input,
        refused: None,
    }
}

impl Ev {
    fn refused(mut self, code: &'static str) -> Ev {
        self.refused = Some(code);
        self
    }
}

struct Outcome {
    snapshot: CaseSnapshot,
    refused: Vec<(usize, Refusals)>,
    clocks: Vec<ClockState>,
}

impl Outcome {
    fn state(&self) -> &str {
        self.snapshot.state.as_deref().unwrap_or("")
    }

    fn refusal(&self, event: usize, code: &str) -> &Refusal {
        let (_, r) = self
            .refused
            .iter()
            .find(|(i, _)| *i == event)
            .unwrap_or_else(|| panic!("event {event} was not refused"));
        r.find(code)
            .unwrap_or_else(|| panic!("event {event}: no refusal {code} in {r:#?}"))
    }

    fn clock(&self, code: &str) -> &ClockState {
        self.clocks
            .iter()
            .find(|c| c.code == code)
            .unwrap_or_else(|| panic!("no clock {code} in {:#?}", self.clocks))
    }

    fn has_clock(&self, code: &str) -> bool {
        self.clocks.iter().any(|c| c.code == code)
    }
}

fn cert(number: &str, from: &str, to: &str) -> CertificateInfo {
    CertificateInfo {
        number: number.to_owned(),
        domain: "城市管理".to_owned(),
        valid_from: d(from),
        valid_to: d(to),
        annual_check_year: Some(2025),
        revoked: false,
    }
}

/// 1, 2, 8, 9: valid 城市管理 certificates; 7: certificate valid until 2026-03-31.
fn officers() -> Vec<OfficerInfo> {
    let o = |id, name: &str, c: CertificateInfo| OfficerInfo {
        id,
        name: name.to_owned(),
        certificates: vec![c],
    };
    vec![
        o(1, "张三", cert("ZF-001", "2023-01-01", "2028-12-31")),
        o(2, "李四", cert("ZF-002", "2023-01-01", "2028-12-31")),
        o(7, "周九", cert("ZF-007", "2023-01-01", "2026-03-31")),
        o(8, "吴十", cert("ZF-008", "2023-01-01", "2028-12-31")),
        o(9, "郑十一", cert("ZF-009", "2023-01-01", "2028-12-31")),
    ]
}

fn check(events: Vec<Ev>, today: &str) -> Outcome {
    let registry = Registry::embedded();
    let ct = registry.get("enforcement_case").expect("case type");
    let officers = officers();
    let calendar = Calendar::national();
    let config = WorkflowConfig::embedded();
    let mut snapshot = CaseSnapshot {
        case_type: "enforcement_case".to_owned(),
        ..CaseSnapshot::default()
    };
    let mut refused = Vec::new();
    for (i, e) in events.into_iter().enumerate() {
        let roles = vec![e.role.to_owned()];
        let ctx = GuardContext {
            on: d(e.on),
            actor_roles: &roles,
            officers: &officers,
            calendar: &calendar,
            config: &config,
            validators: &BasicValidators,
            linked: &[],
        };
        let input: Map<String, Value> = match e.input {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        match (plan(ct, &snapshot, e.transition, &input, &ctx), e.refused) {
            (Ok(p), None) => {
                apply(&mut snapshot, &p, d(e.on));
                if e.transition == "add_evidence" {
                    snapshot.evidence_count += 1;
                }
            }
            (Ok(p), Some(code)) => panic!(
                "event {i} ({} {}) was accepted, expected refusal {code}: {p:#?}",
                e.on, e.transition
            ),
            (Err(r), None) => panic!(
                "event {i} ({} {}) was refused: {r}\n{r:#?}",
                e.on, e.transition
            ),
            (Err(r), Some(code)) => {
                assert!(
                    r.find(code).is_some(),
                    "event {i} ({} {}): expected refusal {code}, got {r:#?}",
                    e.on,
                    e.transition
                );
                refused.push((i, r));
            }
        }
    }
    let clocks = clocks(
        ct,
        &snapshot.history,
        &snapshot.fields,
        d(today),
        &calendar,
        &config,
    );
    Outcome {
        snapshot,
        refused,
        clocks,
    }
}

fn create(on: &'static str, organisation: bool) -> Ev {
    let (kind, name) = if organisation {
        ("法人或其他组织", "某餐饮管理有限公司")
    } else {
        ("自然人", "周某")
    };
    ev(
        on,
        "create",
        "officer",
        json!({
            "domain": "城市管理",
            "discovered_on": on,
            "act_on": on,
            "procedure": "普通程序",
            "party_kind": kind,
            "party_name": name,
            "address": "幸福路12号",
            "facts": "占道经营",
        }),
    )
}

fn file(on: &'static str, team: &[i64]) -> Ev {
    ev(on, "file", "leader", json!({ "officers": team }))
}

fn notify(on: &'static str, penalty: &str, amount: Option<&str>) -> Ev {
    let mut input = json!({
        "intended_penalty": penalty,
        "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
    });
    if let Some(a) = amount {
        input["intended_amount"] = json!(a);
    }
    ev(on, "notify", "officer", input)
}

fn decide(on: &'static str, penalty: &str, fine: Option<&str>) -> Ev {
    let mut input = json!({
        "outcome": "处罚",
        "penalty": penalty,
        "decision_number": "望江执罚决〔2026〕1号",
    });
    if let Some(f) = fine {
        input["fine_amount"] = json!(f);
    }
    ev(on, "decide", "leader", input)
}

fn fine(on: &'static str, amount: &str) -> Ev {
    decide(on, "罚款", Some(amount))
}

/// Created 03-02 (Mon), filed 03-03 by 张三 and 李四, evidence, notice of a 500 元 fine 03-04
/// (Wed): the 5-working-day statement window ends 03-11.
fn notified_of_500() -> Vec<Ev> {
    vec![
        create("2026-03-02", false),
        file("2026-03-03", &[1, 2]),
        ev("2026-03-03", "add_evidence", "officer", Value::Null),
        notify("2026-03-04", "罚款", Some("500")),
    ]
}

fn pay(on: &'static str, amount: &str) -> Ev {
    ev(
        on,
        "record_payment",
        "officer",
        json!({ "paid_amount": amount }),
    )
}

fn reason(text: &str) -> Value {
    json!({ "reason": text })
}

// ------------------------------------------------------------------ 1. checked where it must hold

/// Defect 1, 《行政处罚法》第四十二条: the team's certificates are checked on the date of every
/// act, not only at filing; a new team can be assigned.
#[test]
fn a_certificate_lapsing_after_filing_stops_the_notice_and_the_decision_under_article_42() {
    let events = vec![
        create("2026-03-02", false),
        file("2026-03-03", &[1, 7]),
        ev("2026-03-04", "add_evidence", "officer", Value::Null),
        // 周九's certificate ends 2026-03-31.
        notify("2026-04-01", "罚款", Some("500")).refused("enforcement.min_certified_officers"),
        ev("2026-04-01", "add_evidence", "officer", Value::Null)
            .refused("enforcement.min_certified_officers"),
        ev(
            "2026-04-01",
            "reassign_officers",
            "leader",
            json!({ "officers": [1, 2] }),
        )
        .refused("common.reason_required"),
        ev(
            "2026-04-01",
            "reassign_officers",
            "leader",
            json!({ "officers": [1, 2], "reason": "周九执法证到期，更换承办人员" }),
        ),
        notify("2026-04-01", "罚款", Some("500")),
    ];
    let o = check(events, "2026-04-01");
    let r = o.refusal(3, "enforcement.min_certified_officers");
    assert_eq!(r.article.as_deref(), Some("第四十二条"));
    assert!(
        r.message_zh.contains("已于2026-03-31过期"),
        "{}",
        r.message_zh
    );
    assert_eq!(o.state(), "notified");
    assert_eq!(o.snapshot.fields["officers"], json!([1, 2]));

    // Notified while valid (03-25), decided after the lapse (04-02): refused on the decision's date.
    let events = vec![
        create("2026-03-02", false),
        file("2026-03-03", &[1, 7]),
        ev("2026-03-04", "add_evidence", "officer", Value::Null),
        notify("2026-03-25", "罚款", Some("500")),
        fine("2026-04-02", "500").refused("enforcement.min_certified_officers"),
        ev(
            "2026-04-02",
            "reassign_officers",
            "leader",
            json!({ "officers": [1, 8], "reason": "周九执法证到期，更换承办人员" }),
        ),
        fine("2026-04-02", "500"),
        ev("2026-04-03", "serve", "officer", Value::Null),
    ];
    let o = check(events, "2026-04-03");
    assert_eq!(o.state(), "served");
}

/// 《行政处罚法》第四十三条: a recused officer leaves the team and cannot come back.
#[test]
fn a_recused_officer_is_replaced_and_cannot_return_under_article_43() {
    let events = vec![
        create("2026-03-02", false),
        file("2026-03-03", &[1, 2]),
        ev("2026-03-03", "add_evidence", "officer", Value::Null),
        ev(
            "2026-03-05",
            "recuse",
            "leader",
            json!({ "recused_officers": [2], "officers": [1, 2], "reason": "李四系当事人近亲属" }),
        )
        .refused("enforcement.recused_officer_acts"),
        ev(
            "2026-03-05",
            "recuse",
            "leader",
            json!({ "recused_officers": [2], "officers": [1], "reason": "李四系当事人近亲属" }),
        )
        .refused("enforcement.min_certified_officers"),
        ev(
            "2026-03-05",
            "recuse",
            "leader",
            json!({ "recused_officers": [2], "officers": [1, 8], "reason": "李四系当事人近亲属" }),
        ),
        ev(
            "2026-03-06",
            "reassign_officers",
            "leader",
            json!({ "officers": [1, 2], "reason": "人员调整" }),
        )
        .refused("enforcement.recused_officer_acts"),
        notify("2026-03-06", "罚款", Some("500")),
    ];
    let o = check(events, "2026-03-06");
    let r = o.refusal(3, "enforcement.recused_officer_acts");
    assert_eq!(r.article.as_deref(), Some("第四十三条"));
    assert!(r.message_zh.contains("李四"), "{}", r.message_zh);
    assert_eq!(o.snapshot.fields["officers"], json!([1, 8]));
    assert_eq!(o.state(), "notified");
}

// ------------------------------------------------------------------ 2. dates bind what follows

/// Defect 2, 《行政处罚法》第六十四条: a hearing is held on (or after) the date the party was
/// notified for, chaired by someone who did not investigate.
#[test]
fn a_hearing_cannot_be_held_before_its_notified_date_nor_chaired_by_an_investigator() {
    let mut events = notified_of_500();
    events.extend([
        ev("2026-03-06", "request_hearing", "officer", Value::Null),
        // 7 working days after 03-06 (Fri): 03-17 at the earliest; 03-20 is notified.
        ev(
            "2026-03-06",
            "schedule_hearing",
            "officer",
            json!({ "hearing_date": "2026-03-20", "hearing_place": "街道听证室" }),
        ),
        ev(
            "2026-03-18",
            "hold_hearing",
            "officer",
            json!({ "hearing_chair": [9] }),
        )
        .refused("enforcement.hearing_before_notified_date"),
        ev(
            "2026-03-20",
            "hold_hearing",
            "officer",
            json!({ "hearing_chair": [1] }),
        )
        .refused("enforcement.hearing_chair_investigated"),
        ev(
            "2026-03-20",
            "hold_hearing",
            "officer",
            json!({ "hearing_chair": [9] }),
        ),
    ]);
    let o = check(events, "2026-03-20");
    let r = o.refusal(6, "enforcement.hearing_before_notified_date");
    assert_eq!(r.article.as_deref(), Some("第六十四条"));
    assert_eq!(r.params["date"], "2026-03-20");
    let r = o.refusal(7, "enforcement.hearing_chair_investigated");
    assert_eq!(r.article.as_deref(), Some("第六十四条第四项"));
    assert!(r.message_zh.contains("张三"), "{}", r.message_zh);
    // The chair is recorded; the case's team is unchanged.
    assert_eq!(o.snapshot.fields["hearing_chair"], json!([9]));
    assert_eq!(o.snapshot.fields["officers"], json!([1, 2]));
}

// ------------------------------------------------------------------ 3. the latest word wins

/// Defect 3, 《行政处罚法》第五十八条: a legal review passed and then rejected is not passed.
#[test]
fn a_legal_review_passed_then_rejected_does_not_count_under_article_58() {
    let events = vec![
        create("2026-03-02", false),
        file("2026-03-03", &[1, 2]),
        ev("2026-03-03", "add_evidence", "officer", Value::Null),
        ev(
            "2026-03-04",
            "notify",
            "officer",
            json!({
                "intended_penalty": "罚款",
                "intended_amount": "500",
                "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
                "major_case": ["complex"],
            }),
        ),
        ev("2026-03-12", "submit_review", "officer", Value::Null),
        ev("2026-03-13", "pass_review", "legal_reviewer", Value::Null),
        ev(
            "2026-03-16",
            "reject_review",
            "legal_reviewer",
            reason("复核发现违法事实认定不清，撤回通过意见，退回补充调查"),
        ),
        ev("2026-03-16", "add_evidence", "officer", Value::Null),
        notify("2026-03-17", "罚款", Some("500")),
        // The window of the new notice ends 03-24.
        fine("2026-03-25", "500").refused("enforcement.legal_review_required"),
        ev("2026-03-25", "submit_review", "officer", Value::Null),
        ev("2026-03-26", "pass_review", "legal_reviewer", Value::Null),
        fine("2026-03-26", "500"),
    ];
    let o = check(events, "2026-03-26");
    let r = o.refusal(9, "enforcement.legal_review_required");
    assert_eq!(r.article.as_deref(), Some("第五十八条"));
    assert_eq!(o.state(), "decided");
}

// ------------------------------------------------------------------ 4. told versus decided

/// Defect 4, 《行政处罚法》第四十四条、第四十五条: a decision heavier than the notice needs a new
/// notice and a new statement window; a lighter one does not.
#[test]
fn a_decision_heavier_than_the_notice_needs_a_new_notice_and_window_under_articles_44_45() {
    let mut events = notified_of_500();
    events.extend([
        fine("2026-03-12", "5000").refused("enforcement.heavier_than_notice"),
        decide("2026-03-12", "吊销许可证件", None).refused("enforcement.heavier_than_notice"),
        notify("2026-03-12", "罚款", Some("5000")),
        // New window: 03-12 (Thu) + 5 working days = 03-19.
        fine("2026-03-19", "5000").refused("enforcement.statement_window_open"),
        fine("2026-03-20", "5000"),
    ]);
    let o = check(events, "2026-03-20");
    let r = o.refusal(4, "enforcement.heavier_than_notice");
    assert_eq!(r.article.as_deref(), Some("第四十四条、第四十五条"));
    assert_eq!(r.params["intended_fen"], 50000);
    assert_eq!(r.params["fine_fen"], 500000);
    assert!(r.message_zh.contains("2026-03-04"), "{}", r.message_zh);
    assert_eq!(o.state(), "decided");
    assert_eq!(o.clock("statement_window").started_on, d("2026-03-12"));

    let mut lighter = notified_of_500();
    lighter.push(fine("2026-03-12", "300"));
    assert_eq!(check(lighter, "2026-03-12").state(), "decided");
    let mut warning = notified_of_500();
    warning.push(decide("2026-03-12", "警告", None));
    assert_eq!(check(warning, "2026-03-12").state(), "decided");
}

// ------------------------------------------------------------------ art. 57(2)

/// 《行政处罚法》第五十七条第二款: serious penalties are flagged from the decision itself and
/// need the heads' collective discussion after the notice.
#[test]
fn serious_penalties_need_collective_discussion_under_article_57_2() {
    let events = vec![
        create("2026-03-02", true),
        file("2026-03-03", &[1, 2]),
        ev("2026-03-03", "add_evidence", "officer", Value::Null),
        notify("2026-03-04", "责令停产停业", None),
        decide("2026-03-12", "责令停产停业", None)
            .refused("enforcement.collective_discussion_required"),
        ev("2026-03-12", "collective_discussion", "leader", Value::Null)
            .refused("common.reason_required"),
        ev(
            "2026-03-12",
            "collective_discussion",
            "leader",
            reason("经负责人集体讨论，同意责令停产停业"),
        ),
        decide("2026-03-12", "责令停产停业", None),
    ];
    let o = check(events, "2026-03-12");
    let r = o.refusal(4, "enforcement.collective_discussion_required");
    assert_eq!(r.article.as_deref(), Some("第五十七条第二款"));
    assert_eq!(o.state(), "decided");

    // A citizen's fine of 10,000 元 is serious; 9,990 元 is not (the configured amounts).
    let big = |amount: &'static str, refused: bool| {
        let mut events = vec![
            create("2026-03-02", false),
            file("2026-03-03", &[1, 2]),
            ev("2026-03-03", "add_evidence", "officer", Value::Null),
            notify("2026-03-04", "罚款", Some(amount)),
        ];
        let e = fine("2026-03-12", amount);
        events.push(if refused {
            e.refused("enforcement.collective_discussion_required")
        } else {
            e
        });
        check(events, "2026-03-12")
    };
    let o = big("10000", true);
    assert_eq!(
        o.refusal(4, "enforcement.collective_discussion_required")
            .params["min_yuan"],
        10000
    );
    assert_eq!(big("9990", false).state(), "decided");
}

// ------------------------------------------------------------------ 5. money by its amount

fn decided_and_served(amount: &'static str) -> Vec<Ev> {
    let mut events = notified_of_500();
    events.extend([
        fine("2026-03-12", amount),
        // Served Monday 03-16: 15 days → 03-31 (Tuesday).
        ev("2026-03-16", "serve", "officer", Value::Null),
    ]);
    events
}

/// 《行政处罚法》第七十三条第三款: the surcharge is not counted while a review or suit is
/// pending. Due 03-31; surcharge imposed 04-01; review applied for 04-02 and concluded 04-20
/// (04-03 to 04-20, 18 days, not counted); paid 04-25: 25 days late − 18 = 7 days × 15 元 = 105 元.
#[test]
fn the_surcharge_is_not_counted_while_a_review_or_suit_is_pending_under_article_73_3() {
    let mut events = decided_and_served("500");
    let base = events.len();
    events.extend([
        ev("2026-04-01", "impose_surcharge", "leader", Value::Null),
        ev(
            "2026-04-02",
            "conclude_appeal",
            "officer",
            reason("复议维持"),
        )
        .refused("enforcement.no_pending_appeal"),
        ev(
            "2026-04-02",
            "record_appeal",
            "officer",
            reason("当事人申请行政复议"),
        ),
        ev(
            "2026-04-20",
            "conclude_appeal",
            "officer",
            reason("复议维持原处罚决定"),
        ),
        pay("2026-04-25", "606").refused("enforcement.payment_exceeds_owed"),
        pay("2026-04-25", "605"),
        ev("2026-04-25", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-04-25");
    let r = o.refusal(base + 4, "enforcement.payment_exceeds_owed");
    assert_eq!(r.params["surcharge_fen"], 10500);
    assert_eq!(r.params["suspended_days"], 18);
    assert_eq!(r.statute.as_deref(), Some("《中华人民共和国行政处罚法》"));
    assert_eq!(o.state(), "closed");

    // Still pending on the day of payment (04-10): only 04-01 and 04-02 count, 30 元.
    let mut events = decided_and_served("500");
    let base = events.len();
    events.extend([
        ev("2026-04-01", "impose_surcharge", "leader", Value::Null),
        ev(
            "2026-04-02",
            "record_appeal",
            "officer",
            reason("当事人提起行政诉讼"),
        ),
        pay("2026-04-10", "531").refused("enforcement.payment_exceeds_owed"),
        pay("2026-04-10", "530"),
        ev("2026-04-10", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-04-10");
    assert_eq!(
        o.refusal(base + 2, "enforcement.payment_exceeds_owed")
            .params["surcharge_fen"],
        3000
    );
    assert_eq!(o.state(), "closed");
}

/// Defect 5, 《行政处罚法》第六十七条: paying 1 元 of 500 元 does not close the case.
#[test]
fn a_partial_payment_does_not_close_the_case_under_article_67() {
    let mut events = decided_and_served("500");
    events.extend([
        pay("2026-03-20", "1"),
        ev("2026-03-20", "close", "leader", Value::Null).refused("enforcement.fine_unpaid"),
        pay("2026-03-23", "500").refused("enforcement.payment_exceeds_owed"),
        pay("2026-03-23", "499"),
        ev("2026-03-23", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-03-23");
    let r = o.refusal(7, "enforcement.fine_unpaid");
    assert_eq!(r.params["outstanding_fen"], 49900);
    assert_eq!(r.article.as_deref(), Some("第六十七条、第七十二条"));
    assert_eq!(o.state(), "closed");
    assert_eq!(o.clock("payment_limit").due, Some(d("2026-03-31")));
}

/// 《行政处罚法》第七十二条: after the 15 days the agency may impose 3 % of the fine a day,
/// capped at the fine; it stops accruing when the fine is paid.
#[test]
fn the_late_payment_surcharge_is_3_percent_a_day_capped_at_the_fine_under_article_72() {
    let mut events = decided_and_served("500");
    events.extend([
        ev("2026-03-31", "impose_surcharge", "leader", Value::Null)
            .refused("enforcement.fine_not_overdue"),
        ev("2026-04-01", "impose_surcharge", "leader", Value::Null),
        // 04-03: 3 days late, 3 × 15 元 = 45 元 on top of 500 元.
        pay("2026-04-03", "546").refused("enforcement.payment_exceeds_owed"),
        pay("2026-04-03", "500"),
        ev("2026-04-03", "close", "leader", Value::Null).refused("enforcement.fine_unpaid"),
        // The fine was paid on 04-03: the surcharge stays 45 元.
        pay("2026-04-10", "46").refused("enforcement.payment_exceeds_owed"),
        pay("2026-04-10", "45"),
        ev("2026-04-10", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-04-10");
    assert_eq!(
        o.refusal(6, "enforcement.fine_not_overdue").params["due"],
        "2026-03-31"
    );
    assert_eq!(
        o.refusal(8, "enforcement.payment_exceeds_owed").params["surcharge_fen"],
        4500
    );
    assert_eq!(
        o.refusal(10, "enforcement.fine_unpaid").params["outstanding_fen"],
        4500
    );
    assert_eq!(o.state(), "closed");

    // Paid on 2026-06-01, 62 days late: 930 元 capped at the fine, 1,000 元 in all.
    let mut events = decided_and_served("500");
    events.extend([
        ev("2026-04-01", "impose_surcharge", "leader", Value::Null),
        pay("2026-06-01", "1000.01").refused("enforcement.payment_exceeds_owed"),
        pay("2026-06-01", "1000"),
        ev("2026-06-01", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-06-01");
    assert_eq!(
        o.refusal(7, "enforcement.payment_exceeds_owed").params["surcharge_fen"],
        50000
    );
    assert_eq!(o.state(), "closed");
}

/// Defect 5: a revoked decision is not executed; the case closes without payment.
#[test]
fn a_revoked_decision_is_not_paid_nor_served_and_its_payment_clock_stops() {
    let mut events = decided_and_served("500");
    events.extend([
        ev(
            "2026-03-17",
            "revoke_decision",
            "leader",
            reason("经复查，原处罚决定认定的当事人主体有误，依法撤销"),
        ),
        pay("2026-03-18", "500").refused("enforcement.decision_revoked"),
        ev("2026-03-18", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-04-30");
    assert_eq!(o.state(), "closed");
    let c = o.clock("payment_limit");
    assert_eq!(c.stopped_on, Some(d("2026-03-17")));
    assert_eq!(c.status, ClockStatus::Met);

    let mut events = notified_of_500();
    events.extend([
        fine("2026-03-12", "500"),
        ev(
            "2026-03-13",
            "revoke_decision",
            "leader",
            reason("认定事实错误，撤销决定"),
        ),
        ev("2026-03-16", "serve", "officer", Value::Null).refused("common.barred_after"),
    ]);
    check(events, "2026-03-16");
}

/// Defect 5, 《行政处罚法》第五十七条: a decision not to penalise carries no fine (whose
/// payment clock would otherwise run and never let the case close).
#[test]
fn a_decision_not_to_penalise_cannot_carry_a_fine_under_article_57() {
    let mut events = notified_of_500();
    let no_penalty = |fine: Option<&str>| {
        let mut input = json!({
            "outcome": "不予处罚（轻微）",
            "education_record": "已当场批评教育，当事人签署守法承诺书",
            "decision_number": "望江执不罚〔2026〕1号",
        });
        if let Some(f) = fine {
            input["fine_amount"] = json!(f);
        }
        ev("2026-03-12", "decide", "leader", input)
    };
    events.extend([
        no_penalty(Some("500")).refused("enforcement.penalty_without_penalty_outcome"),
        no_penalty(None),
        ev("2026-03-16", "serve", "officer", Value::Null),
        ev("2026-03-17", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-06-30");
    let r = o.refusal(4, "enforcement.penalty_without_penalty_outcome");
    assert_eq!(r.article.as_deref(), Some("第五十七条"));
    assert_eq!(r.field.as_deref(), Some("fine_amount"));
    assert_eq!(o.state(), "closed");
    assert!(!o.has_clock("payment_limit"));
    // Not published: no publication clock goes overdue.
    assert!(!o.has_clock("publicity_limit"));
}

// ------------------------------------------------------------------ 6. the 90 days of art. 60

fn filed_and_waived_in_june(extra: Vec<Ev>) -> Vec<Ev> {
    // Filed 2026-03-03: 90 days → 2026-06-01 (Monday).
    let mut events = vec![
        create("2026-03-02", false),
        file("2026-03-03", &[1, 2]),
        ev("2026-03-03", "add_evidence", "officer", Value::Null),
    ];
    events.extend(extra);
    events.extend([
        notify("2026-06-08", "罚款", Some("500")),
        ev(
            "2026-06-09",
            "waive_rights",
            "officer",
            json!({ "waiver_statement": "当事人书面放弃陈述、申辩和听证的权利" }),
        ),
    ]);
    events
}

/// Defect 6, 《行政处罚法》第六十条: a decision on day 106 states why it is late; an approved
/// extension (configurable rule, +30 days) or a tolled period (testing/appraisal) keeps it in time.
#[test]
fn the_90_day_decision_clock_has_extensions_tolling_and_a_reason_when_missed_under_article_60() {
    let mut events = filed_and_waived_in_june(Vec::new());
    events.extend([
        fine("2026-06-17", "500").refused("enforcement.decision_late_reason_required"),
        ev(
            "2026-06-17",
            "decide",
            "leader",
            json!({
                "outcome": "处罚", "penalty": "罚款", "fine_amount": "500",
                "decision_number": "望江执罚决〔2026〕9号",
                "late_reason": "当事人下落不明，多次联系未果",
            }),
        ),
    ]);
    let o = check(events, "2026-06-17");
    let r = o.refusal(5, "enforcement.decision_late_reason_required");
    assert_eq!(r.article.as_deref(), Some("第六十条"));
    assert_eq!(r.params["due"], "2026-06-01");
    let c = o.clock("decision_limit");
    assert_eq!(c.due, Some(d("2026-06-01")));
    assert_eq!(c.status, ClockStatus::Missed);
    // The reason is kept in the history.
    let last = o.snapshot.history.last().unwrap();
    assert_eq!(last.input["late_reason"], "当事人下落不明，多次联系未果");

    // Extension approved 05-20: +30 days → 07-01.
    let mut events = filed_and_waived_in_june(vec![
        ev(
            "2026-05-20",
            "approve_decision_extension",
            "leader",
            Value::Null,
        )
        .refused("common.reason_required"),
        ev(
            "2026-05-20",
            "approve_decision_extension",
            "leader",
            reason("案情复杂，需补充调取监控录像"),
        ),
    ]);
    events.push(fine("2026-06-17", "500"));
    let o = check(events, "2026-06-17");
    let c = o.clock("decision_limit");
    assert_eq!(c.extended_by, 30);
    assert_eq!(c.due, Some(d("2026-07-01")));
    assert_eq!(c.status, ClockStatus::Met);

    // Testing/appraisal 03-10 → 03-30 is not counted: 20 days.
    let mut events = filed_and_waived_in_june(vec![
        ev("2026-03-10", "start_appraisal", "officer", Value::Null),
        ev("2026-03-30", "end_appraisal", "officer", Value::Null),
        ev("2026-03-31", "end_appraisal", "officer", Value::Null).refused("common.requires_event"),
    ]);
    events.push(fine("2026-06-17", "500"));
    let o = check(events, "2026-06-17");
    let c = o.clock("decision_limit");
    assert_eq!(c.paused_days, 20);
    assert_eq!(c.status, ClockStatus::Met);
    assert!(
        c.explanation_zh.iter().any(|l| l.contains("检测")),
        "{:#?}",
        c.explanation_zh
    );
}

// ------------------------------------------------------------------ 7. the other endings of art. 57

/// Defect 7, 《行政处罚法》第五十七条: facts not established, transfer to the judicial organs
/// and 撤销立案 end a case without a penalty notice; a penalty still needs one; decisions not to
/// penalise are not published and start no publication clock.
#[test]
fn cases_end_without_penalty_notice_when_the_law_says_so_under_article_57() {
    let investigated = || {
        vec![
            create("2026-03-02", false),
            file("2026-03-03", &[1, 2]),
            ev("2026-03-03", "add_evidence", "officer", Value::Null),
        ]
    };
    let outcome = |o: &str, n: &str| {
        ev(
            "2026-03-05",
            "decide",
            "leader",
            json!({ "outcome": o, "decision_number": n }),
        )
    };
    let mut events = investigated();
    events.extend([
        fine("2026-03-05", "500").refused("enforcement.notice_not_given"),
        outcome("不予处罚（事实不成立）", "望江执不罚〔2026〕2号"),
        ev("2026-03-06", "publish", "handler", Value::Null).refused("enforcement.not_publishable"),
    ]);
    let o = check(events, "2026-04-30");
    assert_eq!(o.state(), "decided");
    assert!(!o.has_clock("publicity_limit"));
    assert_eq!(
        o.refusal(5, "enforcement.not_publishable")
            .article
            .as_deref(),
        Some("第四十八条")
    );

    let mut events = investigated();
    events.push(outcome("移送司法机关", "望江执移〔2026〕1号"));
    assert_eq!(check(events, "2026-03-05").state(), "decided");

    let mut events = investigated();
    events.extend([
        ev("2026-03-05", "terminate", "leader", Value::Null).refused("common.reason_required"),
        ev(
            "2026-03-05",
            "terminate",
            "leader",
            reason("经调查，违法行为系他人所为，撤销立案"),
        ),
    ]);
    let o = check(events, "2026-03-05");
    assert_eq!(o.state(), "terminated");
    let c = o.clock("decision_limit");
    assert_eq!(c.stopped_on, Some(d("2026-03-05")));
    assert_eq!(c.status, ClockStatus::Met);
}

// ------------------------------------------------------------------ articles not yet built

fn filed() -> Vec<Ev> {
    vec![
        create("2026-03-02", false),
        file("2026-03-03", &[1, 2]),
        ev("2026-03-03", "add_evidence", "officer", Value::Null),
    ]
}

/// 《行政处罚法》第五十六条: preserved evidence is decided on within 7 working days; late needs a
/// reason.
#[test]
fn preserved_evidence_is_decided_within_7_working_days_under_article_56() {
    let mut events = filed();
    events.extend([
        ev(
            "2026-03-04",
            "decide_preserved_evidence",
            "leader",
            reason("解除保存"),
        )
        .refused("common.requires_event"),
        ev(
            "2026-03-04",
            "preserve_evidence",
            "leader",
            reason("证据可能灭失，经负责人批准先行登记保存"),
        ),
        // 03-04 (Wed) + 7 working days = 03-13 (Fri).
        ev(
            "2026-03-13",
            "decide_preserved_evidence",
            "leader",
            reason("依法予以没收"),
        ),
    ]);
    let o = check(events, "2026-03-13");
    let c = o.clock("preservation_limit");
    assert_eq!(c.due, Some(d("2026-03-13")));
    assert_eq!(c.status, ClockStatus::Met);

    let mut events = filed();
    events.extend([
        ev(
            "2026-03-04",
            "preserve_evidence",
            "leader",
            reason("证据可能灭失，经负责人批准先行登记保存"),
        ),
        ev(
            "2026-03-16",
            "decide_preserved_evidence",
            "leader",
            reason("解除保存"),
        )
        .refused("common.late_reason_required"),
        ev(
            "2026-03-16",
            "decide_preserved_evidence",
            "leader",
            json!({ "reason": "解除保存", "late_reason": "检测机构出具报告延迟" }),
        ),
    ]);
    let o = check(events, "2026-03-16");
    assert_eq!(
        o.refusal(4, "common.late_reason_required")
            .article
            .as_deref(),
        Some("第五十六条")
    );
    assert_eq!(o.clock("preservation_limit").status, ClockStatus::Missed);
}

/// 《行政处罚法》第六十一条: electronic service only with the party's consent.
#[test]
fn electronic_service_needs_the_party_s_consent_under_article_61() {
    let mut events = notified_of_500();
    events.extend([
        fine("2026-03-12", "500"),
        ev("2026-03-13", "serve", "officer", json!({ "service_method": "电子送达" }))
            .refused("enforcement.e_service_without_consent"),
        ev(
            "2026-03-13",
            "serve",
            "officer",
            json!({ "service_method": "电子送达", "e_service_consent": "送达地址确认书（同意电子送达）" }),
        ),
    ]);
    let o = check(events, "2026-03-13");
    assert_eq!(
        o.refusal(5, "enforcement.e_service_without_consent")
            .article
            .as_deref(),
        Some("第六十一条")
    );
    assert_eq!(o.state(), "served");
}

/// 《行政处罚法》第六十四条: a party who does not come on the notified date waives the hearing;
/// a closed hearing states its ground.
#[test]
fn a_no_show_on_the_notified_date_waives_the_hearing_and_closed_hearings_state_why() {
    let scheduled = || {
        let mut events = notified_of_500();
        events.extend([
            ev("2026-03-06", "request_hearing", "officer", Value::Null),
            ev(
                "2026-03-06",
                "schedule_hearing",
                "officer",
                json!({ "hearing_date": "2026-03-20", "hearing_place": "街道听证室" }),
            ),
        ]);
        events
    };
    let mut events = scheduled();
    events.extend([
        fine("2026-03-19", "500").refused("enforcement.hearing_pending"),
        ev("2026-03-19", "hearing_no_show", "officer", Value::Null)
            .refused("enforcement.hearing_before_notified_date"),
        ev("2026-03-20", "hearing_no_show", "officer", Value::Null),
        fine("2026-03-20", "500"),
    ]);
    let o = check(events, "2026-03-20");
    assert_eq!(o.state(), "decided");
    // The decision clock did not run from the scheduling to the no-show: 03-06 → 03-20.
    assert_eq!(o.clock("decision_limit").paused_days, 14);

    let mut events = scheduled();
    events.extend([
        ev(
            "2026-03-20",
            "hold_hearing",
            "officer",
            json!({ "hearing_chair": [9], "hearing_publicity": "不公开（涉及商业秘密）" }),
        )
        .refused("common.reason_required"),
        ev(
            "2026-03-20",
            "hold_hearing",
            "officer",
            json!({
                "hearing_chair": [9],
                "hearing_publicity": "不公开（涉及商业秘密）",
                "reason": "涉及当事人配方等商业秘密",
            }),
        ),
    ]);
    let o = check(events, "2026-03-20");
    assert_eq!(
        o.refusal(6, "common.reason_required").article.as_deref(),
        Some("第六十四条第三项")
    );
}

fn on_spot(fine: Option<&str>) -> Vec<Ev> {
    let mut input = json!({
        "officers": [1, 2],
        "party_kind": "自然人",
        "party_name": "周某",
        "facts": "占道经营",
        "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
        "penalty": if fine.is_some() { "罚款" } else { "警告" },
        "decision_number": "望江执简罚〔2026〕1号",
    });
    if let Some(f) = fine {
        input["fine_amount"] = json!(f);
    }
    vec![
        create("2026-03-02", false),
        ev("2026-03-02", "decide_on_spot", "officer", input),
        ev("2026-03-02", "serve", "officer", Value::Null),
    ]
}

/// 《行政处罚法》第五十二条第三款: an on-the-spot decision is filed with the agency before the
/// case closes.
#[test]
fn an_on_the_spot_decision_is_filed_with_the_agency_under_article_52() {
    let mut events = on_spot(None);
    events.extend([
        ev("2026-03-03", "close", "leader", Value::Null)
            .refused("enforcement.on_spot_decision_not_filed"),
        ev(
            "2026-03-03",
            "file_on_spot_decision",
            "officer",
            Value::Null,
        ),
        ev(
            "2026-03-03",
            "file_on_spot_decision",
            "officer",
            Value::Null,
        )
        .refused("common.barred_after"),
        ev("2026-03-03", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-03-03");
    assert_eq!(
        o.refusal(3, "enforcement.on_spot_decision_not_filed")
            .article
            .as_deref(),
        Some("第五十二条第三款")
    );
    assert_eq!(o.state(), "closed");

    // An ordinary decision has nothing to file.
    let mut events = notified_of_500();
    events.extend([
        fine("2026-03-12", "500"),
        ev(
            "2026-03-12",
            "file_on_spot_decision",
            "officer",
            Value::Null,
        )
        .refused("common.field_value_not_allowed"),
    ]);
    check(events, "2026-03-12");
}

/// 《行政处罚法》第六十八条至第七十条: collection on the spot only on a ground, 一百元以下 only up
/// to 100 元, always with a receipt.
#[test]
fn on_the_spot_collection_needs_a_ground_and_a_receipt_under_articles_68_to_70() {
    let pay_spot = |input: Value| ev("2026-03-02", "record_payment", "officer", input);
    let mut events = on_spot(Some("150"));
    events.extend([
        pay_spot(json!({ "paid_amount": "150", "payment_channel": "当场收缴" }))
            .refused("enforcement.on_spot_collection_ground"),
        pay_spot(json!({
            "paid_amount": "150", "payment_channel": "当场收缴",
            "on_spot_ground": "依法给予一百元以下罚款", "receipt_number": "省财政罚没收据0012345",
        }))
        .refused("enforcement.on_spot_collection_over_100"),
        pay_spot(json!({
            "paid_amount": "150", "payment_channel": "当场收缴",
            "on_spot_ground": "不当场收缴事后难以执行",
        }))
        .refused("enforcement.on_spot_receipt_required"),
        pay_spot(json!({
            "paid_amount": "150", "payment_channel": "当场收缴",
            "on_spot_ground": "不当场收缴事后难以执行", "receipt_number": "省财政罚没收据0012345",
        })),
    ]);
    let o = check(events, "2026-03-02");
    assert_eq!(
        o.refusal(3, "enforcement.on_spot_collection_ground")
            .article
            .as_deref(),
        Some("第六十八条、第六十九条")
    );
    assert_eq!(
        o.refusal(4, "enforcement.on_spot_collection_over_100")
            .params["max_yuan"],
        100
    );
    assert_eq!(o.state(), "executed");
}

/// 《行政处罚法》第七十一条、第八十五条: cash collected on the spot on Thursday 2026-09-24 is
/// handed to the agency within two working days: 09-25–27 is 中秋节 on the official calendar, so
/// the days are 09-28 and 09-29 (Tuesday). Late, it needs the reason; the case does not close
/// before the hand-over.
#[test]
fn cash_collected_on_the_spot_is_handed_over_within_two_working_days_under_article_71() {
    let spot = json!({
        "paid_amount": "150", "payment_channel": "当场收缴",
        "on_spot_ground": "不当场收缴事后难以执行", "receipt_number": "省财政罚没收据0012345",
    });
    let mut events = on_spot(Some("150"));
    let base = events.len();
    events.extend([
        ev("2026-09-24", "hand_over_cash", "officer", Value::Null).refused("common.invalid_state"),
        ev("2026-09-24", "record_payment", "officer", spot),
        ev(
            "2026-09-24",
            "file_on_spot_decision",
            "officer",
            Value::Null,
        ),
        ev("2026-09-30", "close", "leader", Value::Null)
            .refused("enforcement.cash_not_handed_over"),
        ev("2026-09-30", "hand_over_cash", "officer", Value::Null)
            .refused("common.late_reason_required"),
        ev(
            "2026-09-30",
            "hand_over_cash",
            "officer",
            json!({ "late_reason": "经办人员出差，延迟一日交款" }),
        ),
        ev("2026-09-30", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-09-30");
    let c = o.clock("cash_handover_limit");
    assert_eq!(c.due, Some(d("2026-09-29")));
    assert_eq!(c.status, ClockStatus::Missed);
    assert!(c.basis.contains("第七十一条"));
    assert_eq!(
        o.refusal(base + 3, "enforcement.cash_not_handed_over")
            .article
            .as_deref(),
        Some("第七十一条")
    );
    assert_eq!(o.state(), "closed");

    // In time (handed over 09-29), no reason needed; a bank payment has no such clock.
    let mut events = on_spot(Some("150"));
    events.extend([
        ev("2026-09-24", "record_payment", "officer", json!({
            "paid_amount": "150", "payment_channel": "当场收缴",
            "on_spot_ground": "不当场收缴事后难以执行", "receipt_number": "省财政罚没收据0012346",
        })),
        ev("2026-09-29", "hand_over_cash", "officer", Value::Null),
    ]);
    let o = check(events, "2026-09-29");
    assert_eq!(o.clock("cash_handover_limit").status, ClockStatus::Met);
    let mut events = decided_and_served("500");
    events.extend([
        pay("2026-03-20", "500"),
        ev("2026-03-20", "hand_over_cash", "officer", Value::Null)
            .refused("enforcement.no_cash_collected"),
    ]);
    let o = check(events, "2026-03-20");
    assert!(!o.has_clock("cash_handover_limit"));
}

/// 《行政处罚法》第七十三条: a review application or a suit does not suspend execution.
#[test]
fn review_or_suit_does_not_suspend_payment_under_article_73() {
    let mut events = decided_and_served("500");
    events.extend([
        ev(
            "2026-03-20",
            "record_appeal",
            "officer",
            reason("当事人已申请行政复议"),
        ),
        pay("2026-03-25", "500"),
        ev("2026-03-25", "close", "leader", Value::Null),
    ]);
    let o = check(events, "2026-03-25");
    assert_eq!(o.state(), "closed");
    assert_eq!(o.clock("payment_limit").status, ClockStatus::Met);
}

// ------------------------------------------------------------------ service date (issue 21)

/// 《行政处罚法》第六十一条、第六十七条: the 15 days to pay run from the day the decision was
/// served, recorded as `served_on` when the step is entered later (a registered letter's receipt,
/// or the end of a 公告送达's 30 days) — not from the day the officer records it.
#[test]
fn the_payment_period_runs_from_the_recorded_service_date_under_articles_61_and_67() {
    let served = |recorded: &'static str, served_on: Option<&'static str>| {
        let mut events = notified_of_500();
        let input = match served_on {
            Some(s) => json!({ "service_method": "邮寄送达", "served_on": s }),
            None => json!({ "service_method": "邮寄送达" }),
        };
        events.extend([
            fine("2026-03-12", "500"),
            ev(recorded, "serve", "officer", input),
        ]);
        check(events, recorded)
    };
    // The receipt is signed Wednesday 03-18; the officer records it Friday 03-20:
    // 03-18 + 15 days = Thursday 04-02, a working day.
    let o = served("2026-03-20", Some("2026-03-18"));
    assert_eq!(o.state(), "served");
    assert_eq!(o.clock("payment_limit").due, Some(d("2026-04-02")));
    // Without the date the period runs from the recording: 03-20 + 15 = Saturday 04-04, in the
    // 清明节 holiday (04-04 to 04-06), so the last day rolls past it.
    let o = served("2026-03-20", None);
    let due = o.clock("payment_limit").due.unwrap();
    assert!(due > d("2026-04-06"), "{due}");
    // A service date after the day it is recorded is refused.
    let mut events = notified_of_500();
    events.extend([
        fine("2026-03-12", "500"),
        ev(
            "2026-03-16",
            "serve",
            "officer",
            json!({ "service_method": "邮寄送达", "served_on": "2026-03-17" }),
        )
        .refused("common.date_in_future"),
    ]);
    let o = check(events, "2026-03-16");
    assert_eq!(o.state(), "decided");
}
