//! The embedded definitions and configuration validate clean.

use std::path::Path;

use fazhi_workflow::{Registry, WorkflowConfig, check_definition};

#[test]
fn embedded_definitions_validate_without_diagnostics() {
    for (name, text) in [
        (
            "hotline_ticket.toml",
            include_str!("../../../case_types/hotline_ticket/case_type.toml"),
        ),
        (
            "enforcement_case.toml",
            include_str!("../../../case_types/enforcement_case/case_type.toml"),
        ),
        (
            "mediation_case.toml",
            include_str!("../../../case_types/mediation_case/case_type.toml"),
        ),
        (
            "petition.toml",
            include_str!("../../../case_types/petition/case_type.toml"),
        ),
        (
            "grid_event.toml",
            include_str!("../../../case_types/grid_event/case_type.toml"),
        ),
        (
            "inspection.toml",
            include_str!("../../../case_types/inspection/case_type.toml"),
        ),
        (
            "demolition.toml",
            include_str!("../../../case_types/demolition/case_type.toml"),
        ),
        (
            "wage_arrears_case.toml",
            include_str!("../../../case_types/wage_arrears_case/case_type.toml"),
        ),
        (
            "dispatch_event.toml",
            include_str!("../../../case_types/dispatch_event/case_type.toml"),
        ),
        (
            "service_rating.toml",
            include_str!("../../../case_types/service_rating/case_type.toml"),
        ),
        (
            "proposal_reply.toml",
            include_str!("../../../case_types/proposal_reply/case_type.toml"),
        ),
        (
            "opinion_incident.toml",
            include_str!("../../../case_types/opinion_incident/case_type.toml"),
        ),
    ] {
        let (ct, diags) = check_definition(Path::new(name), text);
        assert!(diags.is_empty(), "{name}: {diags:#?}");
        assert!(ct.is_some(), "{name}");
    }
    let reg = Registry::embedded();
    let codes: Vec<&str> = reg.types().map(|t| t.code.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "collective_meeting",
            "correction_subject",
            "demolition",
            "disclosure_request",
            "dispatch_event",
            "enforcement_case",
            "grid_event",
            "hotline_ticket",
            "inspection",
            "legal_service",
            "legality_review",
            "litigation_case",
            "major_decision",
            "mediation_case",
            "normative_document",
            "opinion_incident",
            "petition",
            "proposal_reply",
            "publicity_activity",
            "service_rating",
            "study_session",
            "wage_arrears_case",
        ]
    );
}

#[test]
fn embedded_configuration_has_the_documented_defaults() {
    let cfg = WorkflowConfig::embedded();
    let n = |c: &str| cfg.hotline_limits[c].n;
    assert_eq!(
        (
            n("咨询"),
            n("求助"),
            n("投诉"),
            n("举报"),
            n("建议"),
            n("表扬")
        ),
        (3, 5, 10, 15, 10, 3)
    );
    assert_eq!(
        cfg.hotline_limits["投诉"].basis,
        "本市12345热线工单办理规定（可配置）"
    );
    assert_eq!(cfg.publicity_limit().n, 7);
    assert_eq!(cfg.publicity_limit().basis, "国办发〔2018〕118号");
    assert!(cfg.roll.roll_weekends);
}

#[test]
fn every_guard_and_clock_of_the_embedded_definitions_cites_its_basis() {
    use fazhi_workflow::guards::{GUARDS, guard_info};
    let reg = Registry::embedded();
    for ct in reg.types() {
        for t in &ct.transitions {
            for g in &t.guards {
                assert!(guard_info(&g.name).is_some(), "known guard {}", g.name);
                let statute = g.statute.as_deref();
                assert!(
                    statute.is_some_and(|s| s.contains('《')
                        || s.contains("规定")
                        || s.contains('号')),
                    "{}.{}: guard {} cites no statute",
                    ct.code,
                    t.code,
                    g.name
                );
            }
        }
        for c in &ct.clocks {
            assert!(
                c.basis.contains('《') || c.basis.contains("规定") || c.basis.contains('号'),
                "{}.{}: {}",
                ct.code,
                c.code,
                c.basis
            );
        }
    }
    // Guards with a fixed legal basis name both statute and article (except the configurable
    // hotline rule, which has no national article).
    for g in GUARDS {
        if let Some(s) = g.statute
            && s.starts_with('《')
        {
            assert!(g.article.is_some_and(|a| a.starts_with('第')), "{}", g.name);
        }
    }
}

#[test]
fn the_enforcement_definition_follows_the_contract() {
    let reg = Registry::embedded();
    let ct = reg.get("enforcement_case").unwrap();
    let states: Vec<&str> = ct.states.iter().map(|s| s.code.as_str()).collect();
    for s in [
        "clue",
        "investigating",
        "notified",
        "reviewing",
        "decided",
        "served",
        "executed",
        "closed",
        "not_filed",
    ] {
        assert!(states.contains(&s), "{s}");
    }
    for t in [
        "create",
        "file",
        "not_file",
        "add_evidence",
        "notify",
        "request_hearing",
        "schedule_hearing",
        "hold_hearing",
        "waive_rights",
        "submit_review",
        "pass_review",
        "reject_review",
        "decide",
        "decide_on_spot",
        "serve",
        "record_payment",
        "close",
        "publish",
        "withdraw_publication",
        "revoke_decision",
    ] {
        assert!(ct.transition(t).is_some(), "{t}");
    }
    for c in [
        "filing_limit",
        "decision_limit",
        "statement_window",
        "service_limit",
        "payment_limit",
        "publicity_limit",
        "withdrawal_limit",
    ] {
        assert!(ct.clock(c).is_some(), "{c}");
    }
    let file = ct.transition("file").unwrap();
    assert_eq!(file.roles, vec!["officer", "leader"]);
    assert!(file.documents.contains(&"立案审批表".to_owned()));
    let decide = ct.transition("decide").unwrap();
    assert!(decide.documents.contains(&"行政处罚决定书".to_owned()));
    assert!(
        ct.transition("notify")
            .unwrap()
            .documents
            .contains(&"行政处罚告知书".to_owned())
    );
    assert!(
        ct.transition("serve")
            .unwrap()
            .documents
            .contains(&"送达回证".to_owned())
    );
    assert!(ct.field("party_id_number").unwrap().personal);
    assert_eq!(
        ct.field("fine_amount").unwrap().kind,
        fazhi_workflow::FieldKind::Money
    );
    let hotline = reg.get("hotline_ticket").unwrap();
    assert_eq!(hotline.dictionary("hotline_category").unwrap().len(), 6);
    assert!(hotline.field("caller_phone").unwrap().personal);
}

mod money {
    use fazhi_workflow::parse_money_fen;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn yuan_strings_parse_to_fen() {
        assert_eq!(parse_money_fen(&json!("200")), Some(20000));
        assert_eq!(parse_money_fen(&json!("200.5")), Some(20050));
        assert_eq!(parse_money_fen(&json!("200.50")), Some(20050));
        assert_eq!(parse_money_fen(&json!("0.01")), Some(1));
        assert_eq!(parse_money_fen(&json!(3000)), Some(300000));
        for bad in ["", "1.", ".5", "1.234", "-1", "1e3", "一百", " 1 2"] {
            assert_eq!(parse_money_fen(&json!(bad)), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn formatting_fen_as_yuan_parses_back(fen in 0i64..10_000_000_000) {
            let s = format!("{}.{:02}", fen / 100, fen % 100);
            prop_assert_eq!(parse_money_fen(&json!(s)), Some(fen));
        }
    }
}

mod validators {
    use fazhi_workflow::{BasicValidators, FieldCheck, FieldValidators};

    fn valid(c: FieldCheck) -> Option<String> {
        match c {
            FieldCheck::Valid(v) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn basic_validators_check_length_and_charset_and_normalise() {
        let v = BasicValidators;
        let on = jiff::civil::date(2026, 3, 2);
        assert_eq!(
            valid(v.id_number("11010519491231002x", on)).as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(valid(v.id_number("1101051949123100", on)), None);
        assert_eq!(valid(v.id_number("11010519491231002Y", on)), None);
        assert_eq!(
            valid(v.uscc("91110000600037341l")).as_deref(),
            Some("91110000600037341L")
        );
        assert_eq!(valid(v.uscc("91110000600037341I")), None);
        assert_eq!(
            valid(v.phone("+86 138 0013 8000")).as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            valid(v.phone("010-12345678")).as_deref(),
            Some("01012345678")
        );
        assert_eq!(valid(v.phone("12345")), None);
        assert_eq!(valid(v.phone("12800138000")), None);
    }
}
