//! Every generated script is accepted by the real workflow engine: the embedded case-type
//! definitions, their guards (with `fazhi-domain`'s validators) and the official calendar.

use fazhi_demo::{DemoCase, DemoStreet, generate, generate_tickets};
use fazhi_domain::{IdNumber, Phone, Uscc, UsccCheck};
use fazhi_workflow::{
    CaseSnapshot, CertificateInfo, FieldCheck, FieldValidators, GuardContext, OfficerInfo,
    Registry, WorkflowConfig, apply, plan,
};
use jiff::civil::{Date, date};
use serde_json::Value;

/// The built-in case types these tests know (tests may name them).
const HOTLINE_TICKET: &str = "hotline_ticket";
const ENFORCEMENT_CASE: &str = "enforcement_case";

/// The GB 11643 / GB 32100 / phone checks of `fazhi-domain`, plugged into the workflow.
struct DomainValidators;

impl FieldValidators for DomainValidators {
    fn id_number(&self, raw: &str, on: Date) -> FieldCheck {
        match IdNumber::parse(raw, on) {
            Ok(id) => FieldCheck::Valid(id.reveal().to_owned()),
            Err(e) => FieldCheck::Invalid {
                code: e.code.to_owned(),
                message_zh: e.message_zh.into_owned(),
            },
        }
    }

    fn uscc(&self, raw: &str) -> FieldCheck {
        match Uscc::parse(raw) {
            Ok((code, UsccCheck::Valid)) => FieldCheck::Valid(code.as_str().to_owned()),
            Ok((code, check)) => {
                let w = check.warning().expect("a mismatch has a warning");
                FieldCheck::Warning {
                    value: code.as_str().to_owned(),
                    code: w.code.to_owned(),
                    message_zh: w.message_zh.into_owned(),
                }
            }
            Err(e) => FieldCheck::Invalid {
                code: e.code.to_owned(),
                message_zh: e.message_zh.into_owned(),
            },
        }
    }

    fn phone(&self, raw: &str) -> FieldCheck {
        match Phone::parse(raw) {
            Ok(p) => FieldCheck::Valid(p.reveal().to_owned()),
            Err(e) => FieldCheck::Invalid {
                code: e.code.to_owned(),
                message_zh: e.message_zh.into_owned(),
            },
        }
    }
}

/// Officers as the workflow sees them: id = position in `street.officers` + 1.
fn officer_infos(street: &DemoStreet) -> Vec<OfficerInfo> {
    street
        .officers
        .iter()
        .enumerate()
        .map(|(i, o)| OfficerInfo {
            id: i as i64 + 1,
            name: o.name.clone(),
            certificates: o
                .certificates
                .iter()
                .map(|c| CertificateInfo {
                    number: c.number.clone(),
                    domain: c.domain.clone(),
                    valid_from: c.valid_from,
                    valid_to: c.valid_to,
                    annual_check_year: Some(c.annual_check_year),
                    revoked: false,
                })
                .collect(),
        })
        .collect()
}

/// Replays one script; returns a description of the first refused step.
fn replay(
    street: &DemoStreet,
    registry: &Registry,
    config: &WorkflowConfig,
    officers: &[OfficerInfo],
    case: &DemoCase,
) -> Result<CaseSnapshot, String> {
    let case_type = registry
        .get(&case.case_type)
        .ok_or_else(|| format!("unknown case type {}", case.case_type))?;
    let mut snapshot = CaseSnapshot {
        case_type: case.case_type.clone(),
        ..CaseSnapshot::default()
    };
    for step in &case.steps {
        let role = street
            .user(&step.actor)
            .ok_or_else(|| format!("unknown actor {}", step.actor))?
            .role;
        let roles = vec![role.code().to_owned()];
        let mut input = step.input.clone();
        // Officer inputs (any field of kind officer_list) name logins; the workflow takes ids.
        let officer_fields: Vec<String> = input
            .keys()
            .filter(|k| {
                case_type
                    .field(k)
                    .is_some_and(|f| f.kind == fazhi_workflow::FieldKind::OfficerList)
            })
            .cloned()
            .collect();
        for key in officer_fields {
            let Some(Value::Array(logins)) = input.get(&key) else {
                continue;
            };
            let ids: Vec<Value> = logins
                .iter()
                .map(|l| {
                    let login = l.as_str().unwrap_or_default();
                    let index = street
                        .officers
                        .iter()
                        .position(|o| o.login == login)
                        .unwrap_or_else(|| panic!("unknown officer {login}"));
                    Value::from(index as i64 + 1)
                })
                .collect();
            input.insert(key, Value::from(ids));
        }
        let ctx = GuardContext {
            on: step.on,
            actor_roles: &roles,
            officers,
            calendar: fazhi_calendar::national(),
            config,
            validators: &DomainValidators,
            linked: &[],
        };
        match plan(case_type, &snapshot, &step.transition, &input, &ctx) {
            Ok(p) => {
                assert!(p.warnings.is_empty(), "no overridden warnings in demo data");
                apply(&mut snapshot, &p, step.on);
                if step.transition == "add_evidence" {
                    snapshot.evidence_count += 1;
                }
            }
            Err(refusals) => {
                return Err(format!(
                    "{} step {} on {} by {}: {}",
                    case.reference, step.transition, step.on, step.actor, refusals
                ));
            }
        }
    }
    Ok(snapshot)
}

fn replay_all(street: &DemoStreet, cases: &[DemoCase]) -> Vec<String> {
    let registry = Registry::embedded();
    let config = WorkflowConfig::embedded();
    let officers = officer_infos(street);
    cases
        .iter()
        .filter_map(|c| replay(street, &registry, &config, &officers, c).err())
        .collect()
}

#[test]
fn every_script_of_every_case_type_is_accepted_by_the_workflow() {
    for (seed, end) in [(2026, date(2026, 11, 20)), (11, date(2025, 12, 31))] {
        let street = generate(seed, end);
        // Every case type of the registry with a demo script has cases in the street.
        let registry = Registry::embedded();
        for ct in registry.types() {
            if registry
                .folder(&ct.code)
                .and_then(|f| f.file("demo.toml"))
                .is_some()
            {
                // Some types are rare by nature (a street answers about 13 proposals a year).
                assert!(street.cases_of(&ct.code).count() >= 5, "{}", ct.code);
            }
        }
        let failures = replay_all(&street, &street.cases);
        assert!(
            failures.is_empty(),
            "seed {seed}: {} refused scripts, first ones:\n{}",
            failures.len(),
            failures
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn streamed_tickets_are_accepted_by_the_workflow() {
    let end = date(2026, 6, 30);
    let street = generate(3, end);
    let tickets: Vec<DemoCase> = generate_tickets(3, 2_000, date(2026, 1, 5), end).collect();
    let failures = replay_all(&street, &tickets);
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(10)].join("\n")
    );
}

#[test]
fn the_expired_officer_is_refused_by_the_two_officer_guard() {
    // The scenario the generator documents: filing a 城市管理 case with the officer whose
    // certificate lapsed must be refused (《中华人民共和国行政处罚法》第四十二条).
    let end = date(2026, 11, 20);
    let street = generate(2026, end);
    let expired = street.officer_with_expired_certificate();
    let lapsed = expired
        .certificates
        .iter()
        .find(|c| c.valid_to < end)
        .unwrap();
    let case = street
        .cases_of(ENFORCEMENT_CASE)
        .find(|c| {
            c.steps[0].input["domain"] == lapsed.domain.as_str()
                && c.steps
                    .iter()
                    .any(|s| s.transition == "file" && s.on > lapsed.valid_to)
        })
        .expect("a case of that domain filed after the expiry");
    let mut tampered = case.clone();
    let file = tampered
        .steps
        .iter_mut()
        .find(|s| s.transition == "file")
        .unwrap();
    let partner = file.input["officers"][1].clone();
    file.input.insert(
        "officers".into(),
        serde_json::json!([expired.login, partner]),
    );
    let err = replay_all(&street, std::slice::from_ref(&tampered));
    assert_eq!(err.len(), 1);
    assert!(err[0].contains("step file"), "{}", err[0]);
    // The untouched script passes.
    assert!(replay_all(&street, std::slice::from_ref(case)).is_empty());
}

#[test]
fn deadlines_are_mostly_met_with_a_realistic_few_missed() {
    use fazhi_workflow::{ClockStatus, clocks};
    use std::collections::BTreeMap;

    let end = date(2026, 11, 20);
    let street = generate(2026, end);
    let registry = Registry::embedded();
    let config = WorkflowConfig::embedded();
    let officers = officer_infos(&street);
    // Tallied for the ticket and enforcement clocks this test is about (other types reuse
    // clock codes such as `handling_limit`).
    let mut tally: BTreeMap<(String, String), usize> = BTreeMap::new();
    for case in street
        .cases
        .iter()
        .filter(|c| [HOTLINE_TICKET, ENFORCEMENT_CASE].contains(&c.case_type.as_str()))
    {
        let snapshot = replay(&street, &registry, &config, &officers, case).unwrap();
        let ct = registry.get(&case.case_type).unwrap();
        for c in clocks(
            ct,
            &snapshot.history,
            &snapshot.fields,
            end,
            fazhi_calendar::national(),
            &config,
        ) {
            *tally
                .entry((c.code.clone(), format!("{:?}", c.status)))
                .or_default() += 1;
        }
    }
    let n = |code: &str, status: ClockStatus| {
        tally
            .get(&(code.to_owned(), format!("{status:?}")))
            .copied()
            .unwrap_or(0)
    };
    let tickets = street.cases_of(HOTLINE_TICKET).count();
    let missed = n("handling_limit", ClockStatus::Missed);
    assert!(
        missed * 50 > tickets && missed * 8 < tickets,
        "{missed} of {tickets} tickets replied late; all clocks: {tally:#?}"
    );
    assert!(n("handling_limit", ClockStatus::Overdue) * 50 < tickets);
    let published_late = n("publicity_limit", ClockStatus::Missed);
    let published = published_late + n("publicity_limit", ClockStatus::Met);
    assert!(published_late >= 1 && published_late * 6 < published);
    assert_eq!(n("filing_limit", ClockStatus::Missed), 0);
    assert_eq!(n("decision_limit", ClockStatus::Missed), 0);
    assert_eq!(n("service_limit", ClockStatus::Missed), 0);
    assert!(n("payment_limit", ClockStatus::Missed) >= 1);
    assert_eq!(n("withdrawal_limit", ClockStatus::Met), 1);
}
