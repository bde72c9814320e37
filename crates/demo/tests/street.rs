//! The generated street is complete, deterministic and replayable: every script follows the
//! transitions, roles, inputs and statutory guards of `docs/case-types.md`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use fazhi_demo::{DEMO_PASSWORD, DemoCase, DemoStreet, generate, generate_tickets};
use fazhi_domain::{IdNumber, Money, PersonName, Phone, Role, Scope, UnitKind, Uscc, UsccCheck};
use jiff::civil::{Date, Weekday, date};
use serde_json::Value;

/// The built-in case types these tests know (tests may name them).
const HOTLINE_TICKET: &str = "hotline_ticket";
const ENFORCEMENT_CASE: &str = "enforcement_case";

const END: Date = date(2026, 11, 20);

fn street() -> &'static DemoStreet {
    static STREET: std::sync::OnceLock<DemoStreet> = std::sync::OnceLock::new();
    STREET.get_or_init(|| generate(2026, END))
}

/// Official working days strictly after `a` up to and including `b`.
fn registry() -> &'static fazhi_workflow::Registry {
    static R: std::sync::OnceLock<fazhi_workflow::Registry> = std::sync::OnceLock::new();
    R.get_or_init(fazhi_workflow::Registry::embedded)
}

fn wd_between(a: Date, b: Date) -> i32 {
    fazhi_calendar::national()
        .working_days_between(a, b)
        .expect("test dates are inside the calendar")
}

fn text<'a>(input: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

#[test]
fn the_same_seed_gives_the_same_street_and_another_seed_a_different_one() {
    let a = generate(7, END);
    let b = generate(7, END);
    assert_eq!(a, b);
    let c = generate(8, END);
    assert_ne!(a, c);
    assert_ne!(a.cases, c.cases);
}

#[test]
fn organisation_has_district_street_communities_grids_and_departments() {
    let s = street();
    let kinds = |k: UnitKind| s.units.iter().filter(|u| u.kind == k).count();
    assert_eq!(kinds(UnitKind::District), 1);
    assert_eq!(kinds(UnitKind::Street), 1);
    let communities = kinds(UnitKind::Community);
    assert!((8..=12).contains(&communities), "{communities}");
    let codes: HashSet<&str> = s.units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes.len(), s.units.len(), "unit codes are unique");
    for u in &s.units {
        if let Some(parent) = &u.parent {
            let p = s.unit(parent).expect("parent exists");
            assert!(p.kind.may_contain(u.kind), "{} under {}", u.name, p.name);
        }
    }
    for c in s.units.iter().filter(|u| u.kind == UnitKind::Community) {
        let grids: Vec<_> = s
            .units
            .iter()
            .filter(|u| u.parent.as_deref() == Some(c.code.as_str()))
            .collect();
        assert!((2..=4).contains(&grids.len()));
        assert!(grids.iter().all(|g| g.kind == UnitKind::Grid));
        assert_eq!(grids[0].name, format!("{}第一网格", c.name));
    }
    let departments: Vec<&str> = s.departments.iter().map(|d| d.name.as_str()).collect();
    for name in [
        "党政办公室",
        "司法所",
        "综合行政执法队",
        "信访办",
        "12345热线办",
        "城市管理科",
        "平安建设办",
    ] {
        assert!(departments.contains(&name), "{name}");
    }
    assert_eq!(s.unit(fazhi_demo::DISTRICT_CODE).unwrap().name, "滨江区");
    assert_eq!(s.unit(fazhi_demo::STREET_CODE).unwrap().name, "望江街道");
}

#[test]
fn every_role_has_accounts_with_plausible_names_and_valid_phones() {
    let s = street();
    assert_eq!(DEMO_PASSWORD, "fazhi-demo-2026");
    let logins: HashSet<&str> = s.users.iter().map(|u| u.login.as_str()).collect();
    assert_eq!(logins.len(), s.users.len(), "logins are unique");
    for login in [
        "admin", "leader", "handler", "legal", "legal2", "officer1", "viewer",
    ] {
        assert!(logins.contains(login), "{login}");
    }
    for role in Role::ALL {
        assert!(s.users.iter().any(|u| u.role == *role), "{role:?}");
    }
    assert_eq!(
        s.users
            .iter()
            .filter(|u| u.role == Role::LegalReviewer)
            .count(),
        2
    );
    let community_staff = s
        .users
        .iter()
        .filter(|u| u.login.starts_with("sq_"))
        .count();
    assert_eq!(
        community_staff,
        s.units
            .iter()
            .filter(|u| u.kind == UnitKind::Community)
            .count()
    );
    for u in &s.users {
        assert!(s.unit(&u.unit).is_some());
        if let Some(d) = &u.department {
            assert!(s.departments.iter().any(|x| &x.code == d));
        }
        let n = u.display_name.chars().count();
        assert!((2..=4).contains(&n), "{}", u.display_name);
        PersonName::parse(&u.display_name).unwrap();
        Phone::parse(&u.phone).unwrap();
        if u.role == Role::Officer {
            assert_eq!(u.scope, Scope::Department);
        }
    }
}

#[test]
fn officers_have_certificates_one_expired_one_expiring() {
    let s = street();
    assert!((8..=12).contains(&s.officers.len()));
    let numbers: HashSet<&str> = s
        .officers
        .iter()
        .flat_map(|o| o.certificates.iter().map(|c| c.number.as_str()))
        .collect();
    for o in &s.officers {
        assert_eq!(s.user(&o.login).unwrap().role, Role::Officer);
        IdNumber::parse(&o.id_number, END).unwrap();
        for c in &o.certificates {
            assert_eq!(c.number.chars().count(), 10);
            if c.domain == fazhi_demo::MEDIATOR_QUALIFICATION {
                assert!(c.number.starts_with("浙调"));
                assert!(c.valid_from < s.start && c.valid_to > s.end);
                continue;
            }
            assert!(c.number.starts_with("浙执"));
            assert!(
                fazhi_demo::ENFORCEMENT_DOMAINS
                    .iter()
                    .any(|(d, _)| *d == c.domain)
            );
            assert!(c.valid_from < c.valid_to);
        }
    }
    assert_eq!(
        numbers.len(),
        s.officers
            .iter()
            .map(|o| o.certificates.len())
            .sum::<usize>()
    );
    let expired = s.officer_with_expired_certificate();
    let expiring = s.officer_with_expiring_certificate();
    assert_ne!(expired.login, expiring.login);
    let lapsed = expired
        .certificates
        .iter()
        .find(|c| c.valid_to < END)
        .unwrap();
    // After the expiry the officer is never on a case of that certificate's domain.
    let mut used_before = false;
    for case in s.cases_of(ENFORCEMENT_CASE) {
        if case.steps[0].input["domain"] != lapsed.domain.as_str() {
            continue;
        }
        for step in &case.steps {
            if let Some(officers) = step.input.get("officers").and_then(Value::as_array) {
                let on_case = officers.iter().any(|o| o == expired.login.as_str());
                if step.on > lapsed.valid_to {
                    assert!(!on_case, "{}", case.reference);
                }
                used_before |= on_case;
            }
        }
    }
    assert!(
        used_before,
        "the officer worked before the certificate lapsed"
    );
}

#[test]
fn volumes_and_mix_are_realistic() {
    let s = street();
    let tickets: Vec<&DemoCase> = s.cases_of(HOTLINE_TICKET).collect();
    let cases: Vec<&DemoCase> = s.cases_of(ENFORCEMENT_CASE).collect();
    assert!((4000..=8500).contains(&tickets.len()), "{}", tickets.len());
    assert!((300..=650).contains(&cases.len()), "{}", cases.len());

    let mut categories: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &tickets {
        *categories
            .entry(text(&t.steps[0].input, "category").unwrap())
            .or_default() += 1;
    }
    for (category, share) in [
        ("咨询", 0.35),
        ("投诉", 0.30),
        ("求助", 0.15),
        ("举报", 0.08),
        ("建议", 0.10),
        ("表扬", 0.02),
    ] {
        let got = categories[category] as f64 / tickets.len() as f64;
        assert!((got - share).abs() < 0.035, "{category}: {got}");
    }

    let first_revisits: Vec<&str> = tickets
        .iter()
        .filter_map(|t| t.steps.iter().find(|s| s.transition == "revisit"))
        .map(|s| text(&s.input, "satisfaction").unwrap())
        .collect();
    let dissatisfied = first_revisits.iter().filter(|s| **s == "不满意").count() as f64
        / first_revisits.len() as f64;
    assert!((0.065..=0.105).contains(&dissatisfied), "{dissatisfied}");
    let has = |t: &&&DemoCase, tr: &str| t.steps.iter().any(|s| s.transition == tr);
    assert!(tickets.iter().filter(|t| has(t, "reopen")).count() >= 20);
    assert!(tickets.iter().filter(|t| has(t, "return")).count() >= 20);
    assert!(
        tickets
            .iter()
            .filter(|t| has(t, "approve_extension"))
            .count()
            >= 10
    );
    let open = tickets
        .iter()
        .filter(|t| t.last_transition() != "revisit")
        .count();
    assert!(open >= 10, "{open} tickets still open at the end");

    fn domain<'a>(c: &&'a DemoCase) -> &'a str {
        text(&c.steps[0].input, "domain").unwrap()
    }
    let urban = cases.iter().filter(|c| domain(c) == "城市管理").count();
    assert!(urban * 2 > cases.len(), "城市管理 dominates");
    assert!(cases.iter().map(domain).collect::<BTreeSet<_>>().len() >= 5);
    let count = |tr: &str| {
        cases
            .iter()
            .filter(|c| c.steps.iter().any(|s| s.transition == tr))
            .count()
    };
    assert!(count("decide_on_spot") >= 10);
    assert!(count("hold_hearing") >= 2);
    assert!(count("not_file") >= 2);
    assert!(count("reject_review") >= 1);
    assert_eq!(count("revoke_decision"), 1);
    assert_eq!(count("withdraw_publication"), 1);
    let art33 = cases
        .iter()
        .filter(|c| {
            c.steps
                .iter()
                .any(|s| s.transition == "decide" && s.input.contains_key("education_record"))
        })
        .count();
    assert!(art33 >= 8, "{art33}");
    let still_open = cases
        .iter()
        .filter(|c| {
            !matches!(
                c.last_transition(),
                "close" | "not_file" | "withdraw_publication"
            )
        })
        .count();
    assert!(still_open >= 3);

    // Publication within 7 working days mostly, a few late (国办发〔2018〕118号).
    let mut on_time = 0;
    let mut late = 0;
    for c in &cases {
        let decided = c.steps.iter().find(|s| s.transition == "decide");
        let published = c.steps.iter().find(|s| s.transition == "publish");
        if let (Some(d), Some(p)) = (decided, published) {
            if wd_between(d.on, p.on) <= 7 {
                on_time += 1;
            } else {
                late += 1;
            }
        }
    }
    assert!(
        late >= 1 && late * 6 < on_time,
        "{on_time} on time, {late} late"
    );
}

#[test]
fn two_full_years_before_the_current_one_with_the_declared_growth() {
    let s = street();
    assert_eq!(s.start, date(2024, 1, 1));
    for case_type in [HOTLINE_TICKET, ENFORCEMENT_CASE] {
        let per_year = |year: i16| {
            s.cases_of(case_type)
                .filter(|c| c.created_on.year() == year)
                .count() as f64
        };
        let (y2024, y2025) = (per_year(2024), per_year(2025));
        // Same period of the current year (1 January … 20 November) against last year.
        let period = |year: i16| {
            s.cases_of(case_type)
                .filter(|c| {
                    c.created_on.year() == year
                        && (c.created_on.month(), c.created_on.day()) <= (END.month(), END.day())
                })
                .count() as f64
        };
        assert!(y2024 > 0.0 && y2025 > 0.0, "{case_type}");
        assert!(
            y2025 > y2024 && y2025 < y2024 * 1.25,
            "{case_type}: 2025 {y2025} against 2024 {y2024}"
        );
        let (last, now) = (period(2025), period(2026));
        assert!(
            now > last * 0.98 && now < last * 1.25,
            "{case_type}: same period 2026 {now} against 2025 {last}"
        );
    }
}

#[test]
fn every_personal_number_passes_the_domain_validators() {
    let s = street();
    for case in &s.cases {
        let input = &case.steps[0].input;
        for key in ["caller_phone", "party_phone"] {
            if let Some(p) = text(input, key) {
                let parsed = Phone::parse(p).unwrap();
                assert_eq!(parsed.reveal(), p, "stored normalised");
            }
        }
        if let Some(id) = text(input, "party_id_number") {
            IdNumber::parse(id, END).unwrap();
        }
        if let Some(code) = text(input, "party_uscc") {
            assert_eq!(Uscc::parse(code).unwrap().1, UsccCheck::Valid);
        }
        for key in ["caller_name", "party_name"] {
            if let Some(name) = text(input, key) {
                PersonName::parse(name).unwrap();
            }
        }
    }
}

#[test]
fn scripts_replay_on_working_days_within_the_window() {
    let s = street();
    let references: HashSet<&str> = s.cases.iter().map(|c| c.reference.as_str()).collect();
    assert_eq!(references.len(), s.cases.len());
    let mut previous = s.start;
    for case in &s.cases {
        assert!(case.created_on >= previous, "cases are in creation order");
        previous = case.created_on;
        // The first step opens the case: a transition of its type from no state.
        let first = registry()
            .get(&case.case_type)
            .and_then(|t| t.transition(&case.steps[0].transition))
            .unwrap_or_else(|| panic!("{}: unknown first step", case.reference));
        assert!(first.from.is_empty(), "{}: first step", case.reference);
        assert_eq!(case.steps[0].on, case.created_on);
        assert_eq!(s.unit(&case.unit).unwrap().kind, UnitKind::Grid);
        let mut last = case.created_on;
        for step in &case.steps {
            assert!(step.on >= last && step.on <= s.end && step.on >= s.start);
            assert!(!matches!(
                step.on.weekday(),
                Weekday::Saturday | Weekday::Sunday
            ));
            assert!(fazhi_calendar::national().is_working_day(step.on).unwrap());
            last = step.on;
        }
    }
}

#[test]
fn scripts_follow_the_contract() {
    for (seed, end) in [
        (2026, END),
        (1, date(2025, 12, 31)),
        (99, date(2026, 6, 30)),
    ] {
        let s = if seed == 2026 {
            street().clone()
        } else {
            generate(seed, end)
        };
        let mut decision_numbers = HashSet::new();
        for case in &s.cases {
            let result = match case.case_type.as_str() {
                HOTLINE_TICKET => replay_ticket(&s, case),
                ENFORCEMENT_CASE => replay_enforcement(&s, case, &mut decision_numbers),
                // Other case types exist only as folders; workflow_replay.rs replays them
                // through the engine.
                _ => Ok(()),
            };
            if let Err(e) = result {
                panic!("seed {seed}, {}: {e}\n{case:#?}", case.reference);
            }
        }
        // Volumes hold for every seed and window.
        let tickets = s.cases_of(HOTLINE_TICKET).count();
        let cases = s.cases_of(ENFORCEMENT_CASE).count();
        // Two full years before `end`'s year plus that year to date.
        assert!(
            (4000..=8500).contains(&tickets),
            "seed {seed}: {tickets} tickets"
        );
        assert!((300..=650).contains(&cases), "seed {seed}: {cases} cases");
        // About 150 mediations and 230 petitions a year (their folders' demo.toml).
        let mediations = s.cases_of("mediation_case").count();
        let petitions = s.cases_of("petition").count();
        assert!(
            (250..=650).contains(&mediations),
            "seed {seed}: {mediations} mediations"
        );
        assert!(
            (400..=950).contains(&petitions),
            "seed {seed}: {petitions} petitions"
        );
        assert!((8..=12).contains(&s.officers.len()));
        s.officer_with_expired_certificate();
        s.officer_with_expiring_certificate();
    }
}

fn role_of(s: &DemoStreet, login: &str) -> Result<Role, String> {
    s.user(login)
        .map(|u| u.role)
        .ok_or_else(|| format!("unknown actor {login}"))
}

fn check_keys(
    input: &serde_json::Map<String, Value>,
    allowed: &[&str],
    required: &[&str],
) -> Result<(), String> {
    for k in input.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("unexpected input {k}"));
        }
    }
    for k in required {
        match input.get(*k) {
            None | Some(Value::Null) => return Err(format!("missing input {k}")),
            Some(Value::String(v)) if v.trim().is_empty() => {
                return Err(format!("empty input {k}"));
            }
            _ => {}
        }
    }
    Ok(())
}

fn replay_ticket(s: &DemoStreet, case: &DemoCase) -> Result<(), String> {
    let mut state = "";
    let mut last_satisfaction = "";
    let mut pending_extension = false;
    for step in &case.steps {
        let role = role_of(s, &step.actor)?;
        let allowed_roles: &[Role];
        let input = &step.input;
        let next = match (step.transition.as_str(), state) {
            ("create", "") => {
                allowed_roles = &[Role::Handler, Role::Admin];
                let fields = [
                    "channel",
                    "caller_name",
                    "caller_phone",
                    "category",
                    "address",
                    "content",
                ];
                check_keys(input, &fields, &fields)?;
                let channel = text(input, "channel").unwrap();
                if !["电话", "网站", "微信", "APP", "信件", "其他"].contains(&channel) {
                    return Err(format!("channel {channel}"));
                }
                "received"
            }
            ("dispatch", "received") => {
                allowed_roles = &[Role::Handler, Role::Leader];
                check_keys(input, &["assignee_department"], &["assignee_department"])?;
                let d = text(input, "assignee_department").unwrap();
                if !s.departments.iter().any(|x| x.code == d) {
                    return Err(format!("unknown department {d}"));
                }
                "dispatched"
            }
            ("return", "dispatched") => {
                allowed_roles = &[Role::Handler];
                check_keys(input, &["return_reason"], &["return_reason"])?;
                "received"
            }
            ("accept", "dispatched") => {
                allowed_roles = &[Role::Handler];
                check_keys(input, &[], &[])?;
                "handling"
            }
            ("request_extension", "handling") => {
                allowed_roles = &[Role::Handler];
                check_keys(
                    input,
                    &["extension_days", "reason"],
                    &["extension_days", "reason"],
                )?;
                if input["extension_days"].as_u64().unwrap_or(0) == 0 {
                    return Err("extension_days".into());
                }
                pending_extension = true;
                "handling"
            }
            ("approve_extension", "handling") if pending_extension => {
                allowed_roles = &[Role::Leader];
                check_keys(input, &[], &[])?;
                pending_extension = false;
                "handling"
            }
            ("reply", "handling") => {
                allowed_roles = &[Role::Handler];
                check_keys(input, &["reply"], &["reply"])?;
                "replied"
            }
            ("revisit", "replied") => {
                allowed_roles = &[Role::Handler];
                check_keys(input, &["satisfaction"], &["satisfaction"])?;
                last_satisfaction = text(input, "satisfaction").unwrap();
                if !["满意", "基本满意", "不满意"].contains(&last_satisfaction) {
                    return Err(format!("satisfaction {last_satisfaction}"));
                }
                "closed"
            }
            ("reopen", "closed") if last_satisfaction == "不满意" => {
                allowed_roles = &[Role::Handler, Role::Leader];
                check_keys(input, &["reason"], &["reason"])?;
                "handling"
            }
            (t, st) => return Err(format!("transition {t} not allowed in state {st:?}")),
        };
        if !allowed_roles.contains(&role) {
            return Err(format!(
                "{} ({role:?}) may not {}",
                step.actor, step.transition
            ));
        }
        state = next;
    }
    Ok(())
}

/// A money input: 元 text with at most two decimals (the workflow's money input format).
fn yuan(v: &Value) -> Result<Money, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("money input {v} is not 元 text"))?;
    Money::parse(s).map_err(|e| format!("money input {s}: {e}"))
}

fn officers_ok(s: &DemoStreet, domain: &str, on: Date, officers: &Value) -> Result<(), String> {
    let list: Vec<&str> = officers
        .as_array()
        .ok_or("officers is not an array")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let distinct: BTreeSet<&str> = list.iter().copied().collect();
    let certified = distinct
        .iter()
        .filter(|login| {
            s.officer(login).is_some_and(|o| {
                o.certificates
                    .iter()
                    .any(|c| c.domain == domain && c.valid_on(on))
            })
        })
        .count();
    // 《中华人民共和国行政处罚法》第四十二条
    if certified < 2 {
        return Err(format!(
            "only {certified} certified officers for {domain} on {on}"
        ));
    }
    Ok(())
}

fn replay_enforcement(
    s: &DemoStreet,
    case: &DemoCase,
    decision_numbers: &mut HashSet<String>,
) -> Result<(), String> {
    const ART33: [&str; 3] = [
        "不予处罚（轻微）",
        "不予处罚（首违）",
        "不予处罚（无主观过错）",
    ];
    let create = &case.steps[0].input;
    let domain = text(create, "domain").ok_or("domain")?.to_owned();
    let is_person = text(create, "party_kind") == Some("自然人");
    let mut state = "";
    let mut evidence = 0;
    let mut notified_on: Option<Date> = None;
    let mut waived = false;
    let mut hearing_requested = false;
    let mut hearing_date: Option<Date> = None;
    let mut hearing_held = false;
    let mut major = false;
    let mut review_passed = false;
    let mut fined = false;
    let mut fine = Money::ZERO;
    let mut published = false;
    let mut revoked = false;
    let mut decided_on: Option<Date> = None;
    for step in &case.steps {
        let role = role_of(s, &step.actor)?;
        let input = &step.input;
        let on = step.on;
        let (roles, next): (&[Role], &str) = match (step.transition.as_str(), state) {
            ("create", "") => {
                let common = [
                    "domain",
                    "procedure",
                    "party_kind",
                    "party_name",
                    "party_phone",
                    "address",
                    "facts",
                    "discovered_on",
                    "act_on",
                ];
                let mut allowed = common.to_vec();
                allowed.push(if is_person {
                    "party_id_number"
                } else {
                    "party_uscc"
                });
                check_keys(input, &allowed, &allowed)?;
                let discovered: Date = text(input, "discovered_on")
                    .unwrap()
                    .parse()
                    .map_err(|_| "discovered_on")?;
                if discovered > on {
                    return Err("discovered after creation".into());
                }
                let act: Date = text(input, "act_on")
                    .unwrap()
                    .parse()
                    .map_err(|_| "act_on")?;
                if act > discovered {
                    return Err("act after discovery".into());
                }
                (&[Role::Officer, Role::Handler], "clue")
            }
            ("file", "clue") => {
                check_keys(input, &["officers"], &["officers"])?;
                officers_ok(s, &domain, on, &input["officers"])?;
                let discovered: Date = text(create, "discovered_on").unwrap().parse().unwrap();
                if (on - discovered).get_days() > 730 {
                    return Err("filed after the limitation (art. 36)".into());
                }
                if wd_between(case.created_on, on) > 15 {
                    return Err("filing later than 15 working days".into());
                }
                (&[Role::Officer, Role::Leader], "investigating")
            }
            ("not_file", "clue") => {
                check_keys(input, &["reason"], &["reason"])?;
                (&[Role::Leader], "not_filed")
            }
            ("add_evidence", "investigating") => {
                check_keys(input, &[], &[])?;
                let e = step.evidence.as_ref().ok_or("evidence missing")?;
                if e.content.is_empty() || e.title.is_empty() {
                    return Err("empty evidence".into());
                }
                evidence += 1;
                (&[Role::Officer], "investigating")
            }
            ("notify", "investigating") => {
                check_keys(
                    input,
                    &[
                        "intended_penalty",
                        "intended_amount",
                        "legal_basis",
                        "major_case",
                    ],
                    &["intended_penalty", "legal_basis"],
                )?;
                if evidence == 0 {
                    return Err("notice without evidence (art. 47)".into());
                }
                if let Some(Value::Array(criteria)) = input.get("major_case") {
                    major |= !criteria.is_empty();
                    for c in criteria {
                        let c = c.as_str().unwrap_or("");
                        if ![
                            "public_interest",
                            "hearing_held",
                            "complex",
                            "other_required",
                        ]
                        .contains(&c)
                        {
                            return Err(format!("major_case {c}"));
                        }
                    }
                }
                if let Some(a) = input.get("intended_amount") {
                    yuan(a)?;
                }
                if text(input, "intended_penalty") == Some("罚款")
                    && !input.contains_key("intended_amount")
                {
                    return Err("fine intended without amount".into());
                }
                notified_on = Some(on);
                waived = false;
                (&[Role::Officer], "notified")
            }
            ("request_hearing", "notified") => {
                check_keys(input, &[], &[])?;
                // Art. 64: within 5 working days after the notice.
                if wd_between(notified_on.unwrap(), on) > 5 {
                    return Err("hearing requested too late".into());
                }
                hearing_requested = true;
                (&[Role::Officer], "notified")
            }
            ("schedule_hearing", "notified") if hearing_requested => {
                let keys = ["hearing_date", "hearing_place"];
                check_keys(input, &keys, &keys)?;
                let d: Date = text(input, "hearing_date")
                    .unwrap()
                    .parse()
                    .map_err(|_| "hearing_date")?;
                // Art. 64: notify 7 working days before.
                if wd_between(on, d) < 7 {
                    return Err("hearing less than 7 working days after scheduling".into());
                }
                hearing_date = Some(d);
                (&[Role::Officer], "notified")
            }
            ("hold_hearing", "notified") if hearing_date.is_some_and(|d| d <= on) => {
                check_keys(input, &[], &[])?;
                hearing_held = true;
                (&[Role::Officer], "notified")
            }
            ("waive_rights", "notified") => {
                check_keys(input, &["waiver_statement"], &["waiver_statement"])?;
                waived = true;
                (&[Role::Officer], "notified")
            }
            ("submit_review", "notified") => {
                check_keys(input, &[], &[])?;
                if !waived && wd_between(notified_on.unwrap(), on) <= 5 {
                    return Err("statement window still open".into());
                }
                review_passed = false;
                (&[Role::Officer], "reviewing")
            }
            ("pass_review", "reviewing") => {
                check_keys(input, &[], &[])?;
                review_passed = true;
                (&[Role::LegalReviewer], "reviewing")
            }
            ("reject_review", "reviewing") => {
                check_keys(input, &["reason"], &["reason"])?;
                (&[Role::LegalReviewer], "investigating")
            }
            ("decide", "notified" | "reviewing") => {
                check_keys(
                    input,
                    &[
                        "outcome",
                        "penalty",
                        "fine_amount",
                        "education_record",
                        "decision_number",
                    ],
                    &["outcome", "decision_number"],
                )?;
                if state == "reviewing" && !review_passed {
                    return Err("decision before review passed".into());
                }
                // Art. 62.
                if !waived && wd_between(notified_on.unwrap(), on) <= 5 {
                    return Err("decision inside the statement window".into());
                }
                // Art. 58.
                if (major || hearing_held) && !review_passed {
                    return Err("major case decided without legal review".into());
                }
                let outcome = text(input, "outcome").unwrap();
                if ART33.contains(&outcome) && text(input, "education_record").is_none() {
                    return Err("art. 33 without education record".into());
                }
                if outcome == "处罚" && text(input, "penalty").is_none() {
                    return Err("penalty missing".into());
                }
                if let Some(a) = input.get("fine_amount") {
                    fine = yuan(a)?;
                    fined = !fine.is_zero();
                }
                if text(input, "penalty") == Some("罚款") && !fined {
                    return Err("fine without amount".into());
                }
                if !decision_numbers.insert(text(input, "decision_number").unwrap().to_owned()) {
                    return Err("duplicate decision number".into());
                }
                decided_on = Some(on);
                (&[Role::Leader], "decided")
            }
            ("decide_on_spot", "clue") => {
                let party_key = if is_person {
                    "party_id_number"
                } else {
                    "party_uscc"
                };
                let required = [
                    "officers",
                    "party_kind",
                    "party_name",
                    party_key,
                    "facts",
                    "penalty",
                    "legal_basis",
                    "decision_number",
                ];
                let mut allowed = required.to_vec();
                allowed.push("fine_amount");
                check_keys(input, &allowed, &required)?;
                for key in ["party_kind", "party_name", party_key, "facts"] {
                    if input[key] != create[key] {
                        return Err(format!("{key} differs from the create step"));
                    }
                }
                if text(create, "procedure") != Some("简易程序") {
                    return Err("on-the-spot decision in ordinary procedure".into());
                }
                officers_ok(s, &domain, on, &input["officers"])?;
                // Arts. 51–52.
                let cap = if is_person { 20_000 } else { 300_000 };
                match text(input, "penalty") {
                    Some("警告") => {}
                    Some("罚款") => {
                        fine = yuan(input.get("fine_amount").ok_or("fine_amount")?)?;
                        if fine.is_zero() || fine.fen() > cap {
                            return Err(format!("on-the-spot fine {fine} over the limit"));
                        }
                        fined = true;
                    }
                    other => return Err(format!("on-the-spot penalty {other:?}")),
                }
                if !decision_numbers.insert(text(input, "decision_number").unwrap().to_owned()) {
                    return Err("duplicate decision number".into());
                }
                (&[Role::Officer], "decided")
            }
            ("serve", "decided") => {
                check_keys(input, &[], &[])?;
                if let Some(d) = decided_on {
                    // Art. 61: 7 working days.
                    if wd_between(d, on) > 7 {
                        return Err("served late".into());
                    }
                }
                (&[Role::Officer], "served")
            }
            ("record_payment", "served") if fined => {
                check_keys(input, &["paid_amount"], &["paid_amount"])?;
                if yuan(&input["paid_amount"])? != fine {
                    return Err("paid amount differs from the fine".into());
                }
                (&[Role::Officer], "executed")
            }
            // Art. 57(2): serious cases are discussed by the heads before the decision.
            ("collective_discussion", "notified" | "reviewing") => {
                check_keys(input, &["reason"], &["reason"])?;
                (&[Role::Leader], state)
            }
            // Art. 52(3): on-the-spot decisions are filed with the agency.
            ("file_on_spot_decision", "decided" | "served" | "executed")
                if text(create, "procedure") == Some("简易程序") =>
            {
                check_keys(input, &[], &[])?;
                (&[Role::Officer, Role::Leader], state)
            }
            ("close", "executed") => (&[Role::Leader], "closed"),
            ("close", "served") if !fined => (&[Role::Leader], "closed"),
            ("publish", "decided" | "served" | "executed" | "closed") if !published => {
                // A late publication states why (国办发〔2018〕118号 period missed).
                check_keys(input, &["late_reason"], &[])?;
                published = true;
                (&[Role::Handler, Role::Leader], state)
            }
            ("revoke_decision", "decided" | "served" | "executed" | "closed") => {
                check_keys(input, &["reason"], &["reason"])?;
                revoked = true;
                (&[Role::Leader], state)
            }
            ("withdraw_publication", _) if published && revoked => {
                check_keys(input, &["reason"], &["reason"])?;
                (&[Role::Handler, Role::Leader], state)
            }
            (t, st) => return Err(format!("transition {t} not allowed in state {st:?}")),
        };
        if !roles.contains(&role) {
            return Err(format!(
                "{} ({role:?}) may not {}",
                step.actor, step.transition
            ));
        }
        state = next;
    }
    Ok(())
}

#[test]
fn ticket_stream_is_lazy_ordered_and_complete() {
    let start = date(2026, 1, 5);
    let end = date(2026, 3, 31);
    // A billion tickets: only what is taken is generated.
    let first: Vec<DemoCase> = generate_tickets(5, 1_000_000_000, start, end)
        .take(3)
        .collect();
    assert_eq!(first.len(), 3);
    assert!(first.iter().all(|t| t.created_on == start));

    let stream = generate_tickets(5, 5_000, start, end);
    assert_eq!(stream.size_hint(), (5_000, Some(5_000)));
    let tickets: Vec<DemoCase> = stream.collect();
    assert_eq!(tickets.len(), 5_000);
    assert_eq!(
        tickets,
        generate_tickets(5, 5_000, start, end).collect::<Vec<_>>()
    );
    let street = generate(5, end);
    let mut refs = HashSet::new();
    let mut previous = start;
    for t in &tickets {
        assert!(refs.insert(t.reference.clone()));
        assert!(t.created_on >= previous && t.created_on <= end);
        previous = t.created_on;
        assert!(
            street.unit(&t.unit).is_some(),
            "units match generate() for the seed"
        );
        for step in &t.steps {
            assert!(street.user(&step.actor).is_some());
            assert!(step.on <= end);
        }
        replay_ticket(&street, t).unwrap();
    }
    assert_eq!(tickets.last().unwrap().created_on, date(2026, 3, 31));
    assert_eq!(
        generate_tickets(5, 10, date(2026, 2, 16), date(2026, 2, 20)).count(),
        0
    );
}
