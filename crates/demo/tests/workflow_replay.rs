//! Every generated script is accepted by the real workflow engine: the embedded case-type
//! definitions, their guards (with `fazhi-domain`'s validators) and the official calendar.

use fazhi_demo::{DemoCase, DemoStreet, generate, generate_tickets};
use fazhi_domain::{IdNumber, Phone, Uscc, UsccCheck};
use fazhi_workflow::{
    CaseSnapshot, CertificateInfo, FieldCheck, FieldValidators, GuardContext, LinkedCase,
    OfficerInfo, Registry, WorkflowConfig, apply, plan,
};
use jiff::civil::{Date, date};
use serde_json::{Map, Value};

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

/// Officer inputs (any field of kind officer_list) name logins; the workflow takes ids.
fn officer_ids(
    street: &DemoStreet,
    case_type: &fazhi_workflow::CaseType,
    input: &mut Map<String, Value>,
) {
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
}

/// Appends `case` and, after it, the cases its steps open (recursively), with the index of
/// the opening case and step.
fn flatten<'a>(
    case: &'a DemoCase,
    by: Option<(usize, usize)>,
    out: &mut Vec<(&'a DemoCase, Option<(usize, usize)>)>,
) {
    let me = out.len();
    out.push((case, by));
    for (si, s) in case.steps.iter().enumerate() {
        for child in &s.opens {
            flatten(child, Some((me, si)), out);
        }
    }
}

/// The create input of a case a step opens: the transition's declared `carry` and `set`.
fn opened_input(
    parent: &fazhi_workflow::CaseType,
    transition: &str,
    child_type: &str,
    fields: &Map<String, Value>,
) -> Map<String, Value> {
    let mut input = Map::new();
    for o in parent.capabilities.opened_by(transition) {
        if o.case_type != child_type {
            continue;
        }
        for (from, to) in &o.carry {
            if let Some(v) = fields.get(from).filter(|v| !v.is_null()) {
                input.insert(to.clone(), v.clone());
            }
        }
        for (to, v) in &o.set {
            input.insert(to.clone(), v.clone());
        }
    }
    input
}

/// Replays one script and the scripts of the cases its steps open, in date order (an opening
/// step before the opened case's steps); the cases a case opened are its linked cases (guard
/// `linked_case`). Returns the first case's snapshot, or a description of the first refused
/// step.
fn replay(
    street: &DemoStreet,
    registry: &Registry,
    config: &WorkflowConfig,
    officers: &[OfficerInfo],
    case: &DemoCase,
) -> Result<CaseSnapshot, String> {
    let mut scripts = Vec::new();
    flatten(case, None, &mut scripts);
    let mut snapshots: Vec<CaseSnapshot> = scripts
        .iter()
        .map(|(c, _)| CaseSnapshot {
            case_type: c.case_type.clone(),
            ..CaseSnapshot::default()
        })
        .collect();
    let mut steps: Vec<(Date, usize, usize)> = Vec::new();
    for (ci, (c, _)) in scripts.iter().enumerate() {
        for (si, s) in c.steps.iter().enumerate() {
            steps.push((s.on, ci, si));
        }
    }
    steps.sort();
    for (_, ci, si) in steps {
        let (current, _) = scripts[ci];
        let case_type = registry
            .get(&current.case_type)
            .ok_or_else(|| format!("unknown case type {}", current.case_type))?;
        let step = &current.steps[si];
        let role = street
            .user(&step.actor)
            .ok_or_else(|| format!("unknown actor {}", step.actor))?
            .role;
        let roles = vec![role.code().to_owned()];
        let mut input = step.input.clone();
        officer_ids(street, case_type, &mut input);
        // The cases this case opened so far, oldest first.
        let linked: Vec<LinkedCase> = scripts
            .iter()
            .enumerate()
            .filter(|(k, (_, by))| {
                by.is_some_and(|(p, _)| p == ci) && snapshots[*k].state.is_some()
            })
            .map(|(k, (c, _))| {
                let t = registry.get(&c.case_type).expect("known case type");
                let state = snapshots[k].state.clone().unwrap_or_default();
                LinkedCase {
                    case_type: c.case_type.clone(),
                    case_type_name: t.name_zh.clone(),
                    number: c.reference.clone(),
                    state_label: state.clone(),
                    state,
                    fields: snapshots[k].fields.clone(),
                }
            })
            .collect();
        let ctx = GuardContext {
            on: step.on,
            actor_roles: &roles,
            officers,
            calendar: fazhi_calendar::national(),
            config,
            validators: &DomainValidators,
            linked: &linked,
        };
        match plan(case_type, &snapshots[ci], &step.transition, &input, &ctx) {
            Ok(p) => {
                assert!(p.warnings.is_empty(), "no overridden warnings in demo data");
                apply(&mut snapshots[ci], &p, step.on);
                if step.transition == "add_evidence" {
                    snapshots[ci].evidence_count += 1;
                }
            }
            Err(refusals) => {
                return Err(format!(
                    "{} step {} on {} by {}: {}",
                    current.reference, step.transition, step.on, step.actor, refusals
                ));
            }
        }
        // The cases the step opens are created with it, from the carried fields.
        for (k, (child, by)) in scripts.iter().enumerate() {
            if *by != Some((ci, si)) {
                continue;
            }
            let target = registry
                .get(&child.case_type)
                .ok_or_else(|| format!("unknown case type {}", child.case_type))?;
            let input = opened_input(
                case_type,
                &step.transition,
                &child.case_type,
                &snapshots[ci].fields,
            );
            let ctx = GuardContext {
                on: step.on,
                actor_roles: &roles,
                officers,
                calendar: fazhi_calendar::national(),
                config,
                validators: &DomainValidators,
                linked: &[],
            };
            let create = target
                .create_transitions()
                .next()
                .map(|t| t.code.clone())
                .unwrap_or_default();
            let p = plan(target, &snapshots[k], &create, &input, &ctx)
                .map_err(|r| format!("{} opening {}: {r}", current.reference, child.case_type))?;
            apply(&mut snapshots[k], &p, step.on);
        }
    }
    Ok(snapshots.swap_remove(0))
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

#[test]
fn a_decision_reaches_its_meeting_through_the_review_it_opens_and_not_without_it() {
    // The built-in scripts of these case types open a legality review at `request_review`
    // (the definition's `opens`); the review's steps travel with the opening step.
    const MAJOR_DECISION: &str = "major_decision";
    const NORMATIVE_DOCUMENT: &str = "normative_document";
    const LEGALITY_REVIEW: &str = "legality_review";
    let end = date(2026, 11, 20);
    let street = generate(2026, end);
    for (code, meeting) in [
        (MAJOR_DECISION, "submit_to_meeting"),
        (NORMATIVE_DOCUMENT, "deliberate"),
    ] {
        let case = street
            .cases_of(code)
            .find(|c| c.steps.iter().any(|s| s.transition == meeting))
            .unwrap_or_else(|| panic!("a {code} case that reached `{meeting}`"));
        let opening = case
            .steps
            .iter()
            .find(|s| !s.opens.is_empty())
            .expect("the review request carries the review's script");
        let review = &opening.opens[0];
        assert_eq!(review.case_type, LEGALITY_REVIEW);
        assert_eq!(review.created_on, opening.on);
        assert!(
            review
                .steps
                .iter()
                .all(|s| s.on >= opening.on && s.transition != "create")
        );
        assert!(review.steps.iter().any(|s| s.transition == "give_opinion"));
        // Replayed with its review, the script passes.
        assert!(replay_all(&street, std::slice::from_ref(case)).is_empty());
        // Without it, the meeting is refused by the linked-review guard.
        let mut tampered = case.clone();
        for s in &mut tampered.steps {
            s.opens.clear();
        }
        let err = replay_all(&street, std::slice::from_ref(&tampered));
        assert_eq!(err.len(), 1, "{err:?}");
        assert!(err[0].contains(&format!("step {meeting}")), "{}", err[0]);
        // The linked-review guard's refusal names the requirement (通过合法性审查/审核).
        assert!(err[0].contains("通过合法性审"), "{}", err[0]);
    }
}
