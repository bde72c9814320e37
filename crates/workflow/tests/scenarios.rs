//! Data-driven scenarios on the real calendar: dated events in, state, refusals and clocks out.
//!
//! Every event states what it expects (accepted, or refused with a code); `check` runs the
//! events through `plan`/`apply` like the store would and fails on the first surprise.

use fazhi_workflow::{
    BasicValidators, Calendar, CaseSnapshot, CertificateInfo, ClockState, ClockStatus, FieldCheck,
    FieldValidators, GuardContext, OfficerInfo, Plan, Refusal, Refusals, Registry, WarningLevel,
    WorkflowConfig, apply, clocks, plan,
};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

// ------------------------------------------------------------------ harness

struct Ev {
    on: &'static str,
    transition: &'static str,
    role: &'static str,
    input: Value,
    /// `None`: must be accepted; `Some(code)`: must be refused with (at least) this code.
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
    /// (event index, refusals) of refused events.
    refused: Vec<(usize, Refusals)>,
    /// (event index, plan) of accepted events.
    plans: Vec<(usize, Plan)>,
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

    fn plan(&self, event: usize) -> &Plan {
        &self
            .plans
            .iter()
            .find(|(i, _)| *i == event)
            .unwrap_or_else(|| panic!("event {event} was not accepted"))
            .1
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

fn cert(number: &str, domain: &str, from: &str, to: &str, check: Option<i16>) -> CertificateInfo {
    CertificateInfo {
        number: number.to_owned(),
        domain: domain.to_owned(),
        valid_from: d(from),
        valid_to: d(to),
        annual_check_year: check,
        revoked: false,
    }
}

/// 1, 2: valid 城市管理 certificates; 3: expired 2024-12-31; 4: 市场监管 only; 5: revoked;
/// 6: missed the annual check of 2025.
fn officers() -> Vec<OfficerInfo> {
    let o = |id, name: &str, c: CertificateInfo| OfficerInfo {
        id,
        name: name.to_owned(),
        certificates: vec![c],
    };
    let mut revoked = cert("ZF-005", "城市管理", "2022-01-01", "2028-12-31", Some(2025));
    revoked.revoked = true;
    vec![
        o(
            1,
            "张三",
            cert("ZF-001", "城市管理", "2023-01-01", "2028-12-31", Some(2025)),
        ),
        o(
            2,
            "李四",
            cert("ZF-002", "城市管理", "2023-01-01", "2028-12-31", Some(2025)),
        ),
        o(
            3,
            "王五",
            cert("ZF-003", "城市管理", "2020-01-01", "2024-12-31", Some(2023)),
        ),
        o(
            4,
            "赵六",
            cert("SJ-004", "市场监管", "2023-01-01", "2028-12-31", Some(2025)),
        ),
        o(5, "钱七", revoked),
        o(
            6,
            "孙八",
            cert("ZF-006", "城市管理", "2022-01-01", "2028-12-31", Some(2024)),
        ),
    ]
}

struct Setup {
    calendar: Calendar,
    config: WorkflowConfig,
    validators: Box<dyn FieldValidators>,
    start: Option<CaseSnapshot>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            calendar: Calendar::national(),
            config: WorkflowConfig::embedded(),
            validators: Box::new(BasicValidators),
            start: None,
        }
    }
}

fn check(case_type: &str, events: Vec<Ev>, today: &str) -> Outcome {
    check_with(case_type, events, today, Setup::default())
}

fn check_with(case_type: &str, events: Vec<Ev>, today: &str, setup: Setup) -> Outcome {
    let registry = Registry::embedded();
    let ct = registry.get(case_type).expect("case type");
    let officers = officers();
    let mut snapshot = setup.start.unwrap_or_else(|| CaseSnapshot {
        case_type: case_type.to_owned(),
        ..CaseSnapshot::default()
    });
    let mut refused = Vec::new();
    let mut plans = Vec::new();
    for (i, e) in events.into_iter().enumerate() {
        let roles = vec![e.role.to_owned()];
        let ctx = GuardContext {
            on: d(e.on),
            actor_roles: &roles,
            officers: &officers,
            calendar: &setup.calendar,
            config: &setup.config,
            validators: setup.validators.as_ref(),
            linked: &[],
        };
        let input: Map<String, Value> = match e.input {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            other => panic!("event {i}: input must be an object, got {other}"),
        };
        match (plan(ct, &snapshot, e.transition, &input, &ctx), e.refused) {
            (Ok(p), None) => {
                apply(&mut snapshot, &p, d(e.on));
                if e.transition == "add_evidence" {
                    snapshot.evidence_count += 1;
                }
                plans.push((i, p));
            }
            (Ok(p), Some(code)) => {
                panic!(
                    "event {i} ({} {}) was accepted, expected refusal {code}: {p:#?}",
                    e.on, e.transition
                )
            }
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
        &setup.calendar,
        &setup.config,
    );
    Outcome {
        snapshot,
        refused,
        plans,
        clocks,
    }
}

// ------------------------------------------------------------------ enforcement fixtures

fn create_case(on: &'static str) -> Ev {
    ev(
        on,
        "create",
        "officer",
        json!({
            "domain": "城市管理",
            "discovered_on": on,
            "act_on": on,
            "procedure": "普通程序",
            "party_kind": "自然人",
            "party_name": "周某",
            "party_id_number": "110101199003071234",
            "party_phone": "13800138000",
            "address": "幸福路12号",
            "facts": "占道经营",
        }),
    )
}

fn file_case(on: &'static str) -> Ev {
    ev(on, "file", "leader", json!({ "officers": [1, 2] }))
}

fn notify(on: &'static str) -> Ev {
    ev(
        on,
        "notify",
        "officer",
        json!({
            "intended_penalty": "罚款",
            "intended_amount": "500",
            "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
        }),
    )
}

fn decide_fine(on: &'static str, amount: &str) -> Ev {
    ev(
        on,
        "decide",
        "leader",
        json!({
            "outcome": "处罚",
            "penalty": "罚款",
            "fine_amount": amount,
            "decision_number": "城管罚决字〔2026〕1号",
        }),
    )
}

/// Created, filed, one evidence item, notified on `notified`.
fn investigated(created: &'static str, filed: &'static str, notified: &'static str) -> Vec<Ev> {
    vec![
        create_case(created),
        file_case(filed),
        ev(filed, "add_evidence", "officer", Value::Null),
        notify(notified),
    ]
}

// ------------------------------------------------------------------ enforcement scenarios

#[test]
fn ordinary_procedure_runs_end_to_end_across_spring_festival_2026() {
    let mut events = investigated("2026-02-10", "2026-02-12", "2026-02-13");
    events.extend([
        // Notice 02-13 (Fri): window counts 02-14 (make-up Saturday), skips 02-15..23, ends 02-27.
        ev("2026-02-27", "submit_review", "officer", Value::Null)
            .refused("enforcement.statement_window_open"),
        // 02-28 is a working Saturday: the first day after the window.
        ev("2026-02-28", "submit_review", "officer", Value::Null),
        decide_fine("2026-03-02", "500"),
        ev("2026-03-05", "serve", "officer", Value::Null),
        ev("2026-03-06", "publish", "handler", Value::Null),
        ev(
            "2026-03-10",
            "record_payment",
            "officer",
            json!({ "paid_amount": "500" }),
        ),
        ev("2026-03-11", "close", "leader", Value::Null),
    ]);
    let o = check("enforcement_case", events, "2026-03-11");
    assert_eq!(o.state(), "closed");
    assert!(o.snapshot.published);
    let r = o.refusal(4, "enforcement.statement_window_open");
    assert_eq!(
        r.article.as_deref(),
        Some("第四十四条、第四十五条、第六十二条")
    );
    assert_eq!(r.params["due"], "2026-02-27");
    assert!(r.message_zh.contains("2026-02-28起"), "{}", r.message_zh);
    assert_eq!(o.snapshot.fields["fine_amount"], 50000);

    let filing = o.clock("filing_limit");
    assert_eq!(filing.due, Some(d("2026-03-09")));
    assert_eq!(filing.status, ClockStatus::Met);
    let decision = o.clock("decision_limit");
    assert_eq!(decision.due, Some(d("2026-05-13")));
    assert_eq!(decision.stopped_on, Some(d("2026-03-02")));
    assert_eq!(decision.status, ClockStatus::Met);
    assert_eq!(decision.basis, "《中华人民共和国行政处罚法》第六十条");
    let window = o.clock("statement_window");
    assert_eq!(window.due, Some(d("2026-02-27")));
    assert_eq!(window.status, ClockStatus::Elapsed);
    assert!(
        window
            .explanation_zh
            .iter()
            .any(|l| l == "2026-02-14 调休上班日（春节），计为工作日"),
        "{:#?}",
        window.explanation_zh
    );
    assert!(
        window
            .explanation_zh
            .iter()
            .any(|l| l == "跳过2026-02-15至2026-02-23 春节")
    );
    // Decided 03-02 (Mon): 7 working days → 03-11.
    assert_eq!(o.clock("service_limit").due, Some(d("2026-03-11")));
    assert_eq!(o.clock("service_limit").status, ClockStatus::Met);
    assert_eq!(o.clock("publicity_limit").due, Some(d("2026-03-11")));
    assert_eq!(o.clock("publicity_limit").status, ClockStatus::Met);
    // Served 03-05: 15 natural days → 03-20 (Friday).
    assert_eq!(o.clock("payment_limit").due, Some(d("2026-03-20")));
    assert_eq!(o.clock("payment_limit").status, ClockStatus::Met);
    assert!(!o.has_clock("withdrawal_limit"));
    for c in &o.clocks {
        assert!(c.calendar_version.starts_with("cn-2020-2026+sha256:"));
    }
}

#[test]
fn filing_with_an_expired_certificate_is_refused_under_article_42() {
    let o = check(
        "enforcement_case",
        vec![
            create_case("2026-03-02"),
            ev(
                "2026-03-03",
                "file",
                "leader",
                json!({ "officers": [1, 3] }),
            )
            .refused("enforcement.min_certified_officers"),
            ev(
                "2026-03-03",
                "file",
                "leader",
                json!({ "officers": [1, 2] }),
            ),
        ],
        "2026-03-03",
    );
    let r = o.refusal(1, "enforcement.min_certified_officers");
    assert_eq!(r.statute.as_deref(), Some("《中华人民共和国行政处罚法》"));
    assert_eq!(r.article.as_deref(), Some("第四十二条"));
    assert_eq!(r.field.as_deref(), Some("officers"));
    assert_eq!(r.params["valid"], 1);
    assert!(
        r.message_zh
            .contains("王五：执法证ZF-003已于2024-12-31过期"),
        "{}",
        r.message_zh
    );
    assert_eq!(o.state(), "investigating");
    assert_eq!(o.snapshot.fields["officers"], json!([1, 2]));
}

#[test]
fn certificates_of_another_domain_revoked_or_without_annual_check_do_not_count() {
    let o = check(
        "enforcement_case",
        vec![
            create_case("2026-03-02"),
            ev(
                "2026-03-03",
                "file",
                "leader",
                json!({ "officers": [4, 5, 6, 99] }),
            )
            .refused("enforcement.min_certified_officers"),
        ],
        "2026-03-03",
    );
    let r = o.refusal(1, "enforcement.min_certified_officers");
    assert_eq!(r.params["valid"], 0);
    for needle in [
        "执法领域为“市场监管”",
        "已被注销或吊销",
        "未通过2025年度年审",
        "编号99：未找到",
    ] {
        assert!(r.message_zh.contains(needle), "{needle}: {}", r.message_zh);
    }
}

#[test]
fn limitation_period_of_article_36_counts_from_the_act_to_discovery() {
    let create = |act: &'static str, extended: bool| {
        ev(
            "2025-06-01",
            "create",
            "officer",
            json!({
                "domain": "城市管理",
                "discovered_on": "2025-06-01",
                "act_on": act,
                "limitation_extended": extended,
            }),
        )
    };
    // Act 2023-05-31, discovered 2025-06-01: more than two years.
    let o = check(
        "enforcement_case",
        vec![
            create("2023-05-31", false),
            file_case("2025-06-03").refused("enforcement.limitation_period"),
        ],
        "2025-06-03",
    );
    let r = o.refusal(1, "enforcement.limitation_period");
    assert_eq!(r.article.as_deref(), Some("第三十六条"));
    assert_eq!(r.params["years"], 2);
    // Exactly two years is still in time.
    check(
        "enforcement_case",
        vec![create("2023-06-01", false), file_case("2025-06-03")],
        "2025-06-03",
    );
    // Five years when life/health or financial security is involved and harm resulted.
    check(
        "enforcement_case",
        vec![create("2023-05-31", true), file_case("2025-06-03")],
        "2025-06-03",
    );
}

#[test]
fn unknown_act_date_is_an_overridable_warning() {
    let create = ev(
        "2025-06-01",
        "create",
        "officer",
        json!({ "domain": "城市管理", "discovered_on": "2025-06-01" }),
    );
    let o = check(
        "enforcement_case",
        vec![
            create,
            file_case("2025-06-03").refused("enforcement.limitation_unverified"),
            ev(
                "2025-06-03",
                "file",
                "leader",
                json!({ "officers": [1, 2], "override_warnings": true }),
            ),
        ],
        "2025-06-03",
    );
    assert!(
        o.refusal(1, "enforcement.limitation_unverified")
            .overridable
    );
    assert_eq!(o.plan(2).warnings.len(), 1);
    assert_eq!(
        o.plan(2).warnings[0].code,
        "enforcement.limitation_unverified"
    );
    assert_eq!(o.state(), "investigating");
}

#[test]
fn notice_requires_evidence_and_the_party() {
    let o = check(
        "enforcement_case",
        vec![
            ev(
                "2026-03-02",
                "create",
                "officer",
                json!({ "domain": "城市管理", "discovered_on": "2026-03-02", "act_on": "2026-03-01" }),
            ),
            file_case("2026-03-03"),
            notify("2026-03-04").refused("enforcement.evidence_required"),
        ],
        "2026-03-04",
    );
    let r = o.refusal(2, "enforcement.evidence_required");
    assert_eq!(r.article.as_deref(), Some("第四十七条、第五十四条"));
    let missing = o.refusal(2, "common.required_field");
    assert_eq!(missing.article.as_deref(), Some("第四十四条"));
    let (_, all) = &o.refused[0];
    let fields: Vec<_> = all.iter().filter_map(|r| r.field.as_deref()).collect();
    assert!(
        fields.contains(&"party_kind")
            && fields.contains(&"party_name")
            && fields.contains(&"facts")
    );
}

#[test]
fn decision_without_notice_is_refused_under_article_62() {
    // A case imported in state `notified` without its notice event.
    let start = CaseSnapshot {
        case_type: "enforcement_case".to_owned(),
        state: Some("notified".to_owned()),
        ..CaseSnapshot::default()
    };
    let o = check_with(
        "enforcement_case",
        vec![decide_fine("2026-03-02", "100").refused("enforcement.notice_not_given")],
        "2026-03-02",
        Setup {
            start: Some(start),
            ..Setup::default()
        },
    );
    let r = o.refusal(0, "enforcement.notice_not_given");
    assert_eq!(r.article.as_deref(), Some("第四十四条、第六十二条"));
}

#[test]
fn waiver_ends_the_statement_window_early() {
    let mut events = investigated("2026-02-10", "2026-02-12", "2026-02-13");
    events.extend([
        decide_fine("2026-02-24", "500").refused("enforcement.statement_window_open"),
        ev(
            "2026-02-24",
            "waive_rights",
            "officer",
            json!({ "waiver_statement": "" }),
        )
        .refused("common.reason_required"),
        ev(
            "2026-02-24",
            "waive_rights",
            "officer",
            json!({ "waiver_statement": "当事人书面声明放弃陈述、申辩和听证权利" }),
        ),
        decide_fine("2026-02-24", "500"),
    ]);
    let o = check("enforcement_case", events, "2026-02-24");
    assert_eq!(o.state(), "decided");
    assert_eq!(o.clock("statement_window").status, ClockStatus::Met);
    assert_eq!(
        o.clock("statement_window").stopped_on,
        Some(d("2026-02-24"))
    );
}

#[test]
fn major_case_decision_without_legal_review_is_refused_under_article_58() {
    let mut events = vec![
        create_case("2026-03-02"),
        file_case("2026-03-03"),
        ev("2026-03-04", "add_evidence", "officer", Value::Null),
        ev(
            "2026-03-05",
            "notify",
            "officer",
            json!({
                "intended_penalty": "责令停产停业",
                "legal_basis": "《中华人民共和国大气污染防治法》第一百零八条",
                "major_case": ["public_interest"],
            }),
        ),
    ];
    let decide = || {
        ev(
            "2026-03-16",
            "decide",
            "leader",
            json!({ "outcome": "处罚", "penalty": "责令停产停业", "decision_number": "城管罚决字〔2026〕2号" }),
        )
    };
    events.extend([
        decide().refused("enforcement.legal_review_required"),
        ev("2026-03-16", "submit_review", "officer", Value::Null),
        decide().refused("enforcement.legal_review_required"),
        ev("2026-03-17", "pass_review", "officer", Value::Null).refused("common.role_not_allowed"),
        ev("2026-03-17", "pass_review", "legal_reviewer", Value::Null),
        // 责令停产停业 is also serious (art. 57(2)): the heads discuss it.
        ev(
            "2026-03-17",
            "collective_discussion",
            "leader",
            json!({ "reason": "经负责人集体讨论，同意责令停产停业" }),
        ),
        decide(),
    ]);
    let o = check("enforcement_case", events, "2026-03-17");
    let r = o.refusal(4, "enforcement.legal_review_required");
    assert_eq!(r.article.as_deref(), Some("第五十八条"));
    assert!(
        r.message_zh.contains("涉及重大公共利益"),
        "{}",
        r.message_zh
    );
    assert!(
        o.refusal(6, "enforcement.legal_review_required")
            .message_zh
            .contains("不得作出决定")
    );
    assert_eq!(o.state(), "decided");
}

#[test]
fn no_penalty_under_article_33_needs_an_education_record() {
    let mut events = investigated("2026-03-02", "2026-03-03", "2026-03-04");
    let decide = |record: Option<&str>| {
        let mut input =
            json!({ "outcome": "不予处罚（首违）", "decision_number": "城管不罚字〔2026〕1号" });
        if let Some(r) = record {
            input["education_record"] = json!(r);
        }
        ev("2026-03-12", "decide", "leader", input)
    };
    events.extend([
        decide(None).refused("enforcement.education_record_required"),
        decide(Some("2026-03-12当面进行法治教育，当事人承诺改正")),
    ]);
    let o = check("enforcement_case", events, "2026-03-12");
    let r = o.refusal(4, "enforcement.education_record_required");
    assert_eq!(r.article.as_deref(), Some("第三十三条"));
    assert_eq!(r.field.as_deref(), Some("education_record"));
    assert_eq!(o.state(), "decided");
    assert!(!o.snapshot.fields.contains_key("fine_amount"));
}

#[test]
fn decision_to_fine_needs_penalty_and_amount() {
    let mut events = investigated("2026-03-02", "2026-03-03", "2026-03-04");
    events.push(
        ev(
            "2026-03-12",
            "decide",
            "leader",
            json!({ "outcome": "处罚", "penalty": "罚款", "decision_number": "X" }),
        )
        .refused("common.required_field"),
    );
    let o = check("enforcement_case", events, "2026-03-12");
    let r = o.refusal(4, "common.required_field");
    assert_eq!(r.field.as_deref(), Some("fine_amount"));
    assert_eq!(r.article.as_deref(), Some("第五十九条"));
}

fn on_spot(kind: &str, penalty: &str, fine: Option<&str>, officers: &[i64]) -> Value {
    let mut v = json!({
        "officers": officers,
        "party_kind": kind,
        "party_name": if kind == "自然人" { "吴某" } else { "某某商贸有限公司" },
        "facts": "店外占道堆放杂物",
        "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
        "penalty": penalty,
        "decision_number": "当场罚〔2026〕8号",
    });
    if let Some(f) = fine {
        v["fine_amount"] = json!(f);
    }
    v
}

fn spot_create(kind: &str) -> Ev {
    let mut input =
        json!({ "domain": "城市管理", "discovered_on": "2026-03-02", "act_on": "2026-03-02" });
    input["party_kind"] = json!(kind);
    ev("2026-03-02", "create", "officer", input)
}

#[test]
fn simple_procedure_allows_200_yuan_for_a_citizen_and_refuses_201() {
    let o = check(
        "enforcement_case",
        vec![
            spot_create("自然人"),
            ev(
                "2026-03-02",
                "decide_on_spot",
                "officer",
                on_spot("自然人", "罚款", Some("201"), &[1, 2]),
            )
            .refused("enforcement.simple_procedure_limits"),
            ev(
                "2026-03-02",
                "decide_on_spot",
                "officer",
                on_spot("自然人", "罚款", Some("200"), &[1, 2]),
            ),
        ],
        "2026-03-02",
    );
    let r = o.refusal(1, "enforcement.simple_procedure_limits");
    assert_eq!(r.article.as_deref(), Some("第五十一条"));
    assert_eq!(r.params["max_yuan"], 200);
    assert!(r.message_zh.contains("201.00元"), "{}", r.message_zh);
    assert_eq!(o.state(), "decided");
    assert_eq!(o.snapshot.fields["procedure"], "简易程序");
    assert_eq!(o.snapshot.fields["fine_amount"], 20000);
    assert_eq!(o.clock("filing_limit").status, ClockStatus::Met);
}

#[test]
fn simple_procedure_allows_3000_yuan_for_an_organisation_and_a_warning() {
    check(
        "enforcement_case",
        vec![
            spot_create("法人或其他组织"),
            ev(
                "2026-03-02",
                "decide_on_spot",
                "officer",
                on_spot("法人或其他组织", "罚款", Some("3000.01"), &[1, 2]),
            )
            .refused("enforcement.simple_procedure_limits"),
            ev(
                "2026-03-02",
                "decide_on_spot",
                "officer",
                on_spot("法人或其他组织", "暂扣许可证件", None, &[1, 2]),
            )
            .refused("enforcement.simple_procedure_limits"),
            ev(
                "2026-03-02",
                "decide_on_spot",
                "officer",
                on_spot("法人或其他组织", "罚款", Some("3000"), &[1, 2]),
            ),
        ],
        "2026-03-02",
    );
    check(
        "enforcement_case",
        vec![
            spot_create("自然人"),
            ev(
                "2026-03-02",
                "decide_on_spot",
                "officer",
                on_spot("自然人", "警告", None, &[1, 2]),
            ),
        ],
        "2026-03-02",
    );
}

#[test]
fn on_the_spot_penalty_still_needs_two_certified_officers() {
    let o = check(
        "enforcement_case",
        vec![
            spot_create("自然人"),
            ev(
                "2026-03-02",
                "decide_on_spot",
                "officer",
                on_spot("自然人", "警告", None, &[1]),
            )
            .refused("enforcement.min_certified_officers"),
        ],
        "2026-03-02",
    );
    assert_eq!(
        o.refusal(1, "enforcement.min_certified_officers")
            .article
            .as_deref(),
        Some("第四十二条")
    );
    assert_eq!(o.state(), "clue");
}

#[test]
fn simple_procedure_limits_apply_to_ordinary_decide_when_procedure_is_simple() {
    let mut events = investigated("2026-03-02", "2026-03-03", "2026-03-04");
    events.insert(
        2,
        ev(
            "2026-03-03",
            "amend",
            "officer",
            json!({ "procedure": "简易程序" }),
        ),
    );
    events.push(decide_fine("2026-03-12", "250").refused("enforcement.simple_procedure_limits"));
    events.push(decide_fine("2026-03-12", "150"));
    let o = check("enforcement_case", events, "2026-03-12");
    assert_eq!(o.state(), "decided");
}

#[test]
fn hearing_request_window_spans_national_day_2024_and_its_make_up_sunday() {
    // Notice 2024-09-27 (Fri): 09-29 (Sunday make-up) counts, 10-01..07 skipped, window ends 10-10.
    let base = || investigated("2024-09-20", "2024-09-23", "2024-09-27");
    let mut late = base();
    late.push(
        ev("2024-10-11", "request_hearing", "officer", Value::Null)
            .refused("enforcement.hearing_request_late"),
    );
    let o = check("enforcement_case", late, "2024-10-11");
    let r = o.refusal(4, "enforcement.hearing_request_late");
    assert_eq!(r.article.as_deref(), Some("第六十四条"));
    assert_eq!(r.params["due"], "2024-10-10");
    let mut in_time = base();
    in_time.push(ev("2024-10-10", "request_hearing", "officer", Value::Null));
    let o = check("enforcement_case", in_time, "2024-10-10");
    assert_eq!(o.clock("statement_window").due, Some(d("2024-10-10")));
    assert_eq!(o.clock("statement_window").status, ClockStatus::Running);
}

#[test]
fn hearing_scheduled_only_5_working_days_ahead_is_refused_and_hearing_tolls_the_decision_limit() {
    let mut events = investigated("2026-09-01", "2026-09-02", "2026-09-21");
    let schedule = |date: &str| {
        ev(
            "2026-09-28",
            "schedule_hearing",
            "officer",
            json!({ "hearing_date": date, "hearing_place": "街道综合执法队听证室" }),
        )
    };
    events.extend([
        schedule("2026-10-13").refused("common.requires_event"),
        ev("2026-09-25", "request_hearing", "officer", Value::Null),
        // 7 working days after 09-28: 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12,
        // 10-13. 10-10 is only 5 working days ahead.
        schedule("2026-10-10").refused("enforcement.hearing_notice_too_short"),
        schedule("2026-10-13"),
        decide_fine("2026-10-12", "500").refused("enforcement.hearing_pending"),
        ev("2026-10-13", "hold_hearing", "officer", Value::Null),
    ]);
    let o = check("enforcement_case", events, "2026-10-13");
    let r = o.refusal(6, "enforcement.hearing_notice_too_short");
    assert_eq!(r.article.as_deref(), Some("第六十四条"));
    assert_eq!(r.params["earliest"], "2026-10-13");
    assert_eq!(
        o.refusal(8, "enforcement.hearing_pending")
            .article
            .as_deref(),
        Some("第六十三条、第六十四条")
    );
    // hold_hearing sets the art. 58 criterion.
    assert_eq!(o.snapshot.fields["major_case"], json!(["hearing_held"]));
    // decision_limit: filed 09-02 + 90 days = 12-01, plus 15 paused days (09-28..10-13) = 12-16.
    let c = o.clock("decision_limit");
    assert_eq!(c.paused_days, 15);
    assert_eq!(c.due, Some(d("2026-12-16")));
    assert_eq!(c.status, ClockStatus::Running);
    assert!(
        c.explanation_zh
            .iter()
            .any(|l| l.contains("因听证暂停计时")),
        "{:#?}",
        c.explanation_zh
    );

    // After the hearing the decision needs legal review (art. 58, hearing held).
    let mut after = investigated("2026-09-01", "2026-09-02", "2026-09-21");
    after.extend([
        ev("2026-09-25", "request_hearing", "officer", Value::Null),
        schedule("2026-10-13"),
        ev("2026-10-13", "hold_hearing", "officer", Value::Null),
        decide_fine("2026-10-14", "500").refused("enforcement.legal_review_required"),
    ]);
    check("enforcement_case", after, "2026-10-14");
}

#[test]
fn decision_limit_is_paused_during_a_hearing_and_resumes_after() {
    let mut events = investigated("2026-03-01", "2026-03-02", "2026-03-20");
    events.extend([
        ev("2026-03-24", "request_hearing", "officer", Value::Null),
        ev(
            "2026-04-01",
            "schedule_hearing",
            "officer",
            json!({ "hearing_date": "2026-04-15", "hearing_place": "听证室" }),
        ),
    ]);
    let paused = check("enforcement_case", events, "2026-04-10");
    let c = paused.clock("decision_limit");
    assert_eq!(c.status, ClockStatus::Paused);
    assert_eq!(c.paused_days, 9);

    let mut events = investigated("2026-03-01", "2026-03-02", "2026-03-20");
    events.extend([
        ev("2026-03-24", "request_hearing", "officer", Value::Null),
        ev(
            "2026-04-01",
            "schedule_hearing",
            "officer",
            json!({ "hearing_date": "2026-04-15", "hearing_place": "听证室" }),
        ),
        ev("2026-04-15", "hold_hearing", "officer", Value::Null),
    ]);
    let o = check("enforcement_case", events, "2026-04-16");
    let c = o.clock("decision_limit");
    // 03-02 + 90 = 05-31 (Sunday); + 14 tolled days = 06-14 (Sunday) → rolls to 06-15.
    assert_eq!(c.paused_days, 14);
    assert_eq!(c.due, Some(d("2026-06-15")));
    assert_eq!(c.status, ClockStatus::Running);
}

#[test]
fn decision_limit_warning_levels_follow_the_configured_thresholds() {
    let events = || vec![create_case("2024-09-02"), file_case("2024-09-02")];
    // Filed 2024-09-02: 90 days → 12-01 (Sunday) → 12-02.
    let level = |today: &'static str| {
        let o = check("enforcement_case", events(), today);
        let c = o.clock("decision_limit").clone();
        assert_eq!(c.due, Some(d("2024-12-02")));
        (c.level, c.status, c.remaining)
    };
    assert_eq!(
        level("2024-11-01"),
        (WarningLevel::Normal, ClockStatus::Running, Some(31))
    );
    assert_eq!(
        level("2024-11-02"),
        (WarningLevel::Warning, ClockStatus::Running, Some(30))
    );
    assert_eq!(
        level("2024-11-30"),
        (WarningLevel::DueSoon, ClockStatus::Running, Some(2))
    );
    assert_eq!(
        level("2024-12-02"),
        (WarningLevel::DueSoon, ClockStatus::Running, Some(0))
    );
    assert_eq!(
        level("2024-12-03"),
        (WarningLevel::Overdue, ClockStatus::Overdue, Some(-1))
    );
}

#[test]
fn filing_limit_extension_adds_15_working_days_once() {
    let o = check(
        "enforcement_case",
        vec![
            create_case("2026-02-10"),
            ev(
                "2026-03-02",
                "approve_filing_extension",
                "leader",
                json!({ "reason": "需检测鉴定" }),
            ),
            ev(
                "2026-03-03",
                "approve_filing_extension",
                "leader",
                json!({ "reason": "再次延长" }),
            ),
        ],
        "2026-03-10",
    );
    let c = o.clock("filing_limit");
    // 15 working days from 02-10 → 03-09; +15 (the second approval is capped) → 03-30.
    assert_eq!(c.extended_by, 15);
    assert_eq!(c.due, Some(d("2026-03-30")));
    assert_eq!(
        c.basis,
        "《市场监督管理行政处罚程序规定》第十八条（部门规章，作为默认值）"
    );
}

#[test]
fn publication_late_is_missed_and_withdrawal_clock_runs_only_after_publication() {
    let mut events = investigated("2026-09-01", "2026-09-02", "2026-09-10");
    events.extend([
        decide_fine("2026-09-28", "500"),
        // Late: the reason is recorded (the sibling of art. 60's reason for lateness).
        ev("2026-10-14", "publish", "handler", Value::Null).refused("common.late_reason_required"),
        ev(
            "2026-10-14",
            "publish",
            "handler",
            json!({ "late_reason": "国庆假期期间公示平台维护" }),
        ),
        ev("2026-10-14", "publish", "handler", Value::Null)
            .refused("enforcement.already_published"),
        ev(
            "2026-10-20",
            "revoke_decision",
            "leader",
            json!({ "reason": "复议决定撤销原处罚决定" }),
        ),
    ]);
    let o = check("enforcement_case", events, "2026-10-22");
    // 7 working days after 09-28 → 10-13 (10-10 is a make-up Saturday).
    let p = o.clock("publicity_limit");
    assert_eq!(p.due, Some(d("2026-10-13")));
    assert_eq!(p.status, ClockStatus::Missed);
    assert_eq!(p.level, WarningLevel::Overdue);
    let w = o.clock("withdrawal_limit");
    assert_eq!(w.due, Some(d("2026-10-23")));
    assert_eq!(w.level, WarningLevel::DueSoon);
    assert_eq!(w.remaining, Some(1));

    // Without publication, revoking starts no withdrawal clock and withdrawing is refused.
    let mut events = investigated("2026-09-01", "2026-09-02", "2026-09-10");
    events.extend([
        decide_fine("2026-09-28", "500"),
        ev(
            "2026-10-20",
            "revoke_decision",
            "leader",
            json!({ "reason": "复议决定撤销" }),
        ),
        ev(
            "2026-10-20",
            "withdraw_publication",
            "handler",
            json!({ "reason": "撤销" }),
        )
        .refused("enforcement.not_published"),
    ]);
    let o = check("enforcement_case", events, "2026-10-22");
    assert!(!o.has_clock("withdrawal_limit"));
    assert_eq!(o.clock("publicity_limit").status, ClockStatus::Overdue);
}

#[test]
fn withdrawal_within_3_working_days_is_met() {
    let mut events = investigated("2026-09-01", "2026-09-02", "2026-09-10");
    events.extend([
        decide_fine("2026-09-28", "500"),
        ev("2026-09-29", "publish", "leader", Value::Null),
        ev(
            "2026-09-30",
            "revoke_decision",
            "leader",
            json!({ "reason": "行政复议撤销" }),
        ),
        ev(
            "2026-10-09",
            "withdraw_publication",
            "handler",
            json!({ "reason": "决定已撤销" }),
        ),
    ]);
    let o = check("enforcement_case", events, "2026-10-09");
    // Revoked 09-30: 3 working days → 10-08, 10-09, 10-10 (make-up Saturday).
    let w = o.clock("withdrawal_limit");
    assert_eq!(w.due, Some(d("2026-10-10")));
    assert_eq!(w.status, ClockStatus::Met);
    assert!(!o.snapshot.published);
}

#[test]
fn payment_clock_runs_only_for_fines_and_closing_needs_payment() {
    let mut events = investigated("2026-03-02", "2026-03-03", "2026-03-04");
    events.extend([
        decide_fine("2026-03-12", "300"),
        ev("2026-03-13", "serve", "officer", Value::Null),
        ev("2026-03-16", "close", "leader", Value::Null).refused("enforcement.fine_unpaid"),
    ]);
    let o = check("enforcement_case", events, "2026-03-30");
    assert_eq!(
        o.refusal(6, "enforcement.fine_unpaid").article.as_deref(),
        Some("第六十七条、第七十二条")
    );
    // Served 03-13: 15 days → 03-28 (Saturday) → rolls to 03-30.
    let p = o.clock("payment_limit");
    assert_eq!(p.due, Some(d("2026-03-30")));
    assert_eq!(p.status, ClockStatus::Running);

    let mut events = investigated("2026-03-02", "2026-03-03", "2026-03-04");
    events.extend([
        ev(
            "2026-03-12",
            "decide",
            "leader",
            json!({ "outcome": "处罚", "penalty": "警告", "decision_number": "城管罚决字〔2026〕5号" }),
        ),
        ev("2026-03-13", "serve", "officer", Value::Null),
        ev("2026-03-16", "close", "leader", Value::Null),
    ]);
    let o = check("enforcement_case", events, "2026-03-16");
    assert!(!o.has_clock("payment_limit"));
    assert_eq!(o.state(), "closed");
}

#[test]
fn service_limit_becomes_overdue_on_the_real_calendar() {
    let mut events = investigated("2024-09-02", "2024-09-03", "2024-09-04");
    events.push(decide_fine("2024-09-20", "500"));
    // 7 working days after 09-20: 09-23..27, 09-29 (make-up Sunday), 09-30.
    let c = check("enforcement_case", events, "2024-10-08")
        .clock("service_limit")
        .clone();
    assert_eq!(c.due, Some(d("2024-09-30")));
    assert_eq!(c.status, ClockStatus::Overdue);
    assert_eq!(c.level, WarningLevel::Overdue);
    assert_eq!(c.remaining, Some(-1));
    assert!(
        c.explanation_zh
            .iter()
            .any(|l| l == "2024-09-29 调休上班日（国庆节），计为工作日")
    );
}

#[test]
fn clocks_past_the_calendar_data_say_so_instead_of_guessing() {
    let mut events = investigated("2026-12-01", "2026-12-02", "2026-12-03");
    events.push(decide_fine("2026-12-28", "500"));
    let o = check("enforcement_case", events, "2026-12-30");
    // 7 working days from 2026-12-28 run into 2027, whose official arrangement is not loaded:
    // counted with weekends as the only rest days (Wed 2027-01-06), and labelled provisional.
    let c = o.clock("service_limit");
    assert_eq!(c.due, Some(d("2027-01-06")));
    assert!(c.provisional, "{c:#?}");
    assert!(
        c.explanation_zh.iter().any(|l| l.contains("暂定")),
        "{:#?}",
        c.explanation_zh
    );
}

#[test]
fn review_rejection_returns_to_investigation_and_a_new_notice_restarts_the_window() {
    let mut events = investigated("2026-03-02", "2026-03-03", "2026-03-04");
    events.extend([
        ev("2026-03-12", "submit_review", "officer", Value::Null),
        ev("2026-03-13", "reject_review", "legal_reviewer", json!({}))
            .refused("common.reason_required"),
        ev(
            "2026-03-13",
            "reject_review",
            "legal_reviewer",
            json!({ "reason": "证据不足，补充调查" }),
        ),
        ev("2026-03-16", "add_evidence", "officer", Value::Null),
        notify("2026-03-17"),
    ]);
    let o = check("enforcement_case", events, "2026-03-18");
    assert_eq!(o.state(), "notified");
    let w = o.clock("statement_window");
    assert_eq!(w.started_on, d("2026-03-17"));
    assert_eq!(w.due, Some(d("2026-03-24")));
    assert_eq!(o.snapshot.evidence_count, 2);
}

// ------------------------------------------------------------------ input validation

struct ChecksumValidators;

impl FieldValidators for ChecksumValidators {
    fn id_number(&self, raw: &str, on: Date) -> FieldCheck {
        BasicValidators.id_number(raw, on)
    }
    fn uscc(&self, raw: &str) -> FieldCheck {
        match BasicValidators.uscc(raw) {
            FieldCheck::Valid(v) if v != "91110000600037341L" => FieldCheck::Warning {
                value: v,
                code: "input.uscc_checksum".to_owned(),
                message_zh: "校验码不符，请核对（部分早期试点地区代码校验码不符但合法）".to_owned(),
            },
            other => other,
        }
    }
    fn phone(&self, raw: &str) -> FieldCheck {
        BasicValidators.phone(raw)
    }
}

#[test]
fn uscc_checksum_failure_is_a_warning_the_user_can_override() {
    let create = |uscc: &str, over: bool| {
        let mut v = json!({
            "domain": "市场监管",
            "discovered_on": "2026-03-02",
            "party_kind": "法人或其他组织",
            "party_uscc": uscc,
        });
        if over {
            v["override_warnings"] = json!(true);
        }
        ev("2026-03-02", "create", "officer", v)
    };
    let mut c1 = create("91350100M0001TGQXM", false);
    c1.refused = Some("input.uscc_checksum");
    let o = check_with(
        "enforcement_case",
        vec![c1, create("91350100M0001TGQXM", true)],
        "2026-03-02",
        Setup {
            validators: Box::new(ChecksumValidators),
            ..Setup::default()
        },
    );
    let r = o.refusal(0, "input.uscc_checksum");
    assert!(r.overridable);
    assert_eq!(r.field.as_deref(), Some("party_uscc"));
    assert!(r.message_zh.starts_with("统一社会信用代码："));
    let p = o.plan(1);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(o.snapshot.fields["party_uscc"], "91350100M0001TGQXM");
    // A malformed code stays a hard error even with the override.
    let o = check(
        "enforcement_case",
        vec![create("9135010OM0001TGQXM", true).refused("input.uscc_format")],
        "2026-03-02",
    );
    assert!(!o.refusal(0, "input.uscc_format").overridable);
}

#[test]
fn every_input_problem_is_reported_at_once_with_the_field_label() {
    let o = check(
        "hotline_ticket",
        vec![
            ev(
                "2026-03-02",
                "create",
                // A caller without the role is refused before the input is read (issue 16 §10);
                // the input problems are those of a caller who may take the step.
                "handler",
                json!({
                    "channel": "电报",
                    "caller_phone": "123",
                    "category": "投诉",
                    "content": "  ",
                    "mood": "angry",
                }),
            )
            .refused("input.enum"),
        ],
        "2026-03-02",
    );
    let (_, all) = &o.refused[0];
    let codes: Vec<&str> = all.iter().map(|r| r.code.as_str()).collect();
    assert!(!codes.contains(&"common.role_not_allowed"), "{codes:?}");
    for code in [
        "input.enum",
        "input.phone_format",
        "input.required",
        "input.unknown_field",
    ] {
        assert!(codes.contains(&code), "{code} missing in {codes:?}");
    }
    assert_eq!(o.refusal(0, "input.required").message_zh, "诉求内容：必填");
    assert!(
        o.refusal(0, "input.enum")
            .message_zh
            .starts_with("来源渠道：“电报”不是有效选项")
    );
    assert_eq!(o.state(), "");
    // A viewer gets only the role refusal: the input is not looked at.
    let v = check(
        "hotline_ticket",
        vec![
            ev(
                "2026-03-02",
                "create",
                "viewer",
                json!({"channel": "电报", "mood": "angry"}),
            )
            .refused("common.role_not_allowed"),
        ],
        "2026-03-02",
    );
    assert_eq!(v.refused[0].1.0.len(), 1, "{:?}", v.refused[0].1);
    assert!(
        v.refusal(0, "common.role_not_allowed")
            .message_zh
            .contains("承办人、系统管理员")
    );
}

#[test]
fn money_is_entered_in_yuan_and_stored_in_fen() {
    let mut events = investigated("2026-03-02", "2026-03-03", "2026-03-04");
    events.extend([
        decide_fine("2026-03-12", "200.505").refused("input.money"),
        decide_fine("2026-03-12", "-1").refused("input.money"),
        decide_fine("2026-03-12", "abc").refused("input.money"),
        decide_fine("2026-03-12", "200.5"),
    ]);
    let o = check("enforcement_case", events, "2026-03-12");
    assert_eq!(
        o.refusal(4, "input.money").message_zh,
        "罚款金额：必须是不小于0的金额，最多两位小数"
    );
    assert_eq!(o.snapshot.fields["fine_amount"], 20050);
}

#[test]
fn dates_numbers_and_state_are_checked() {
    let o = check(
        "enforcement_case",
        vec![
            ev(
                "2026-03-02",
                "create",
                "officer",
                json!({ "domain": "城市管理", "discovered_on": "2026/03/02" }),
            )
            .refused("input.date"),
            ev(
                "2026-03-02",
                "decide",
                "leader",
                json!({ "outcome": "处罚", "decision_number": "X" }),
            )
            .refused("common.invalid_state"),
        ],
        "2026-03-02",
    );
    assert_eq!(
        o.refusal(0, "input.date").message_zh,
        "发现日期：必须是YYYY-MM-DD格式的有效日期"
    );
    assert!(
        o.refusal(1, "common.invalid_state")
            .message_zh
            .contains("尚未创建")
    );
}

// ------------------------------------------------------------------ hotline scenarios

fn hotline_create(on: &'static str, category: &str) -> Ev {
    ev(
        on,
        "create",
        "handler",
        json!({
            "channel": "电话",
            "caller_name": "陈某",
            "caller_phone": "+86 138-0013-8000",
            "category": category,
            "address": "幸福路12号",
            "content": "小区门口夜间施工噪音扰民",
        }),
    )
}

fn to_handling(on: &'static str) -> Vec<Ev> {
    vec![
        ev(
            on,
            "dispatch",
            "handler",
            json!({ "assignee_department": "城管执法队" }),
        ),
        ev(on, "accept", "handler", Value::Null),
    ]
}

#[test]
fn hotline_complaint_with_approved_extension_across_national_day_2026() {
    let mut events = vec![hotline_create("2026-09-28", "投诉")];
    events.extend(to_handling("2026-09-28"));
    events.extend([
        ev("2026-10-09", "approve_extension", "leader", Value::Null)
            .refused("common.requires_event"),
        ev(
            "2026-10-09",
            "request_extension",
            "handler",
            json!({ "extension_days": 0, "reason": "需协调多部门" }),
        )
        .refused("input.range"),
        ev(
            "2026-10-09",
            "request_extension",
            "handler",
            json!({ "extension_days": 5, "reason": "需协调多部门" }),
        ),
        ev("2026-10-09", "approve_extension", "handler", Value::Null)
            .refused("common.role_not_allowed"),
        ev("2026-10-09", "approve_extension", "leader", Value::Null),
    ]);
    let o = check("hotline_ticket", events.into_iter().collect(), "2026-10-21");
    assert_eq!(o.snapshot.fields["caller_phone"], "13800138000");
    let c = o.clock("handling_limit");
    // 投诉: 10 working days from 09-28 → 10-16 (10-10 make-up Saturday counts); +5 → 10-23.
    assert_eq!(c.n, 10);
    assert_eq!(c.extended_by, 5);
    assert_eq!(c.due, Some(d("2026-10-23")));
    assert_eq!(c.basis, "本市12345热线工单办理规定（可配置）");
    assert_eq!(c.level, WarningLevel::DueSoon);
    assert!(
        c.explanation_zh
            .iter()
            .any(|l| l.contains("批准延期5个工作日")),
        "{:#?}",
        c.explanation_zh
    );
    assert!(
        c.explanation_zh
            .iter()
            .any(|l| l == "2026-10-10 调休上班日（国庆节），计为工作日")
    );
}

#[test]
fn hotline_consultation_limit_spans_the_2024_make_up_sunday() {
    let mut events = vec![hotline_create("2024-09-27", "咨询")];
    events.extend(to_handling("2024-09-27"));
    events.push(ev(
        "2024-10-09",
        "reply",
        "handler",
        json!({ "reply": "已答复政策口径" }),
    ));
    let o = check("hotline_ticket", events, "2024-10-09");
    let c = o.clock("handling_limit");
    // 3 working days from 09-27: 09-29 (make-up Sunday), 09-30, 10-08.
    assert_eq!(c.due, Some(d("2024-10-08")));
    assert_eq!(c.status, ClockStatus::Missed);
    assert_eq!(o.state(), "replied");
}

#[test]
fn hotline_reopen_only_when_the_last_revisit_was_dissatisfied() {
    let base = |satisfaction: &str| {
        let mut events = vec![hotline_create("2026-03-02", "求助")];
        events.extend(to_handling("2026-03-02"));
        events.push(ev(
            "2026-03-04",
            "reply",
            "handler",
            json!({ "reply": "已协调处理" }),
        ));
        events.push(ev(
            "2026-03-05",
            "revisit",
            "handler",
            json!({ "satisfaction": satisfaction }),
        ));
        events
    };
    let mut satisfied = base("满意");
    satisfied.push(
        ev(
            "2026-03-06",
            "reopen",
            "leader",
            json!({ "reason": "群众再次来电" }),
        )
        .refused("hotline.reopen_requires_dissatisfaction"),
    );
    let o = check("hotline_ticket", satisfied, "2026-03-06");
    let r = o.refusal(5, "hotline.reopen_requires_dissatisfaction");
    assert!(
        r.message_zh.contains("最近一次回访：满意"),
        "{}",
        r.message_zh
    );
    assert_eq!(o.state(), "closed");
    assert_eq!(o.clock("handling_limit").status, ClockStatus::Met);

    let mut dissatisfied = base("不满意");
    dissatisfied.extend([
        ev("2026-03-06", "reopen", "leader", json!({})).refused("common.reason_required"),
        ev(
            "2026-03-06",
            "reopen",
            "leader",
            json!({ "reason": "回访不满意，重新办理" }),
        ),
    ]);
    let o = check("hotline_ticket", dissatisfied, "2026-03-09");
    assert_eq!(o.state(), "handling");
    let c = o.clock("handling_limit");
    // Restarted on 03-06: 求助 5 working days → 03-13.
    assert_eq!(c.started_on, d("2026-03-06"));
    assert_eq!(c.due, Some(d("2026-03-13")));
    assert_eq!(c.status, ClockStatus::Running);
}

#[test]
fn hotline_return_sends_the_ticket_back_with_a_reason() {
    let o = check(
        "hotline_ticket",
        vec![
            hotline_create("2026-03-02", "举报"),
            ev(
                "2026-03-02",
                "dispatch",
                "handler",
                json!({ "assignee_department": 12 }),
            ),
            ev("2026-03-03", "return", "handler", json!({})).refused("input.required"),
            ev(
                "2026-03-03",
                "return",
                "handler",
                json!({ "return_reason": "不属于本部门职责" }),
            ),
        ],
        "2026-03-03",
    );
    assert_eq!(o.state(), "received");
    assert_eq!(o.snapshot.fields["return_reason"], "不属于本部门职责");
    // 举报: 15 working days from 03-02 → 03-23.
    assert_eq!(o.clock("handling_limit").due, Some(d("2026-03-23")));
}

#[test]
fn hotline_limits_come_from_configuration() {
    let mut config = WorkflowConfig::embedded();
    config.hotline_limits.get_mut("投诉").unwrap().n = 2;
    config.hotline_limits.get_mut("投诉").unwrap().unit = fazhi_workflow::PeriodUnit::NaturalDays;
    let o = check_with(
        "hotline_ticket",
        vec![hotline_create("2026-09-29", "投诉")],
        "2026-09-29",
        Setup {
            config,
            ..Setup::default()
        },
    );
    // 2 natural days → 10-01, a holiday → rolls to 10-08.
    assert_eq!(o.clock("handling_limit").due, Some(d("2026-10-08")));
}

#[test]
fn hubei_overlay_applies_to_clocks() {
    let o = check_with(
        "hotline_ticket",
        vec![hotline_create("2020-01-23", "求助")],
        "2020-02-10",
        Setup {
            calendar: Calendar::for_province("42").unwrap(),
            ..Setup::default()
        },
    );
    let c = o.clock("handling_limit");
    assert_eq!(c.due, Some(d("2020-02-20")));
    assert!(c.calendar_version.contains("+42:"));
}

// ------------------------------------------------------------------ issue 16, finding 11

#[test]
fn a_fractional_extension_is_refused_because_the_clock_moves_by_whole_days() {
    // 2026-09-28 (Mon): complaint; 2026-10-09 (Fri, after the National Day holiday 10-01..07):
    // 1.5 working days cannot move a due date, so it is refused with the field named; 2 is taken.
    let mut events = vec![hotline_create("2026-09-28", "投诉")];
    events.extend(to_handling("2026-09-28"));
    events.extend([
        ev(
            "2026-10-09",
            "request_extension",
            "handler",
            json!({ "extension_days": 1.5, "reason": "需协调多部门" }),
        )
        .refused("input.integer"),
        ev(
            "2026-10-09",
            "request_extension",
            "handler",
            json!({ "extension_days": "2.0", "reason": "需协调多部门" }),
        ),
    ]);
    let o = check("hotline_ticket", events, "2026-10-09");
    let r = o.refusal(3, "input.integer");
    assert_eq!(r.field.as_deref(), Some("extension_days"));
    assert!(r.message_zh.contains("延期天数"), "{}", r.message_zh);
}

#[test]
fn dates_outside_1949_10_01_to_2100_12_31_are_refused_with_the_field_named() {
    for bad in ["0000-01-01", "1949-09-30", "2101-01-01"] {
        let mut input = create_case("2026-11-03").input;
        input["act_on"] = json!(bad);
        let o = check(
            "enforcement_case",
            vec![ev("2026-11-03", "create", "officer", input).refused("input.date_range")],
            "2026-11-03",
        );
        assert_eq!(
            o.refusal(0, "input.date_range").field.as_deref(),
            Some("act_on"),
            "{bad}"
        );
    }
    let mut input = create_case("2026-11-03").input;
    input["act_on"] = json!("1949-10-01");
    check(
        "enforcement_case",
        vec![ev("2026-11-03", "create", "officer", input)],
        "2026-11-03",
    );
}
