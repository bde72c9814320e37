//! The step-by-step harness the dated scenario tests of the folder case types share: a case run
//! through `plan`/`apply` on the official calendar, with its clocks.
#![allow(dead_code)]

use fazhi_workflow::{
    BasicValidators, Calendar, CaseSnapshot, CertificateInfo, ClockState, GuardContext,
    OfficerInfo, Refusals, Registry, WorkflowConfig, apply, clocks, plan,
};
use jiff::civil::Date;
use serde_json::{Map, Value};

pub fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

/// 11: a registered mediator; 12: an enforcement officer without a mediator qualification;
/// 13: a mediator whose registration has been revoked.
pub fn register() -> Vec<OfficerInfo> {
    let cert = |number: &str, domain: &str, revoked| CertificateInfo {
        number: number.to_owned(),
        domain: domain.to_owned(),
        valid_from: d("2024-01-01"),
        valid_to: d("2028-12-31"),
        annual_check_year: Some(2025),
        revoked,
    };
    vec![
        OfficerInfo {
            id: 11,
            name: "周调解".to_owned(),
            certificates: vec![cert("TJ-011", "人民调解员", false)],
        },
        OfficerInfo {
            id: 12,
            name: "吴执法".to_owned(),
            certificates: vec![cert("ZF-012", "城市管理", false)],
        },
        OfficerInfo {
            id: 13,
            name: "郑前任".to_owned(),
            certificates: vec![cert("TJ-013", "人民调解员", true)],
        },
    ]
}

/// A case run through `plan`/`apply` step by step.
pub struct Run {
    pub code: &'static str,
    pub snapshot: CaseSnapshot,
    pub calendar: Calendar,
    pub config: WorkflowConfig,
    pub registry: Registry,
    /// The register the person guards read ([`register`] unless a test says otherwise).
    pub people: Vec<OfficerInfo>,
}

impl Run {
    pub fn new(code: &'static str) -> Run {
        Run::with_register(code, register())
    }

    pub fn with_register(code: &'static str, people: Vec<OfficerInfo>) -> Run {
        Run {
            code,
            snapshot: CaseSnapshot {
                case_type: code.to_owned(),
                ..CaseSnapshot::default()
            },
            calendar: Calendar::national(),
            config: WorkflowConfig::embedded(),
            registry: Registry::embedded(),
            people,
        }
    }

    pub fn try_step(
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
            officers: &self.people,
            calendar: &self.calendar,
            config: &self.config,
            validators: &validators,
            linked: &[],
        };
        let input: Map<String, Value> = match input {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let p = plan(ct, &self.snapshot, transition, &input, &ctx)?;
        apply(&mut self.snapshot, &p, d(on));
        Ok(())
    }

    /// The step must be accepted.
    pub fn ok(&mut self, on: &str, transition: &str, role: &str, input: Value) -> &mut Run {
        if let Err(r) = self.try_step(on, transition, role, input) {
            panic!("{on} {transition} refused: {r}\n{r:#?}");
        }
        self
    }

    /// The step must be refused with `code`; returns the refusals.
    pub fn refused(
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

    pub fn state(&self) -> &str {
        self.snapshot.state.as_deref().unwrap_or_default()
    }

    pub fn clocks(&self, today: &str) -> Vec<ClockState> {
        let ct = self.registry.get(self.code).expect("case type");
        clocks(
            ct,
            &self.snapshot.history,
            &self.snapshot.fields,
            d(today),
            &self.calendar,
            &self.config,
        )
    }

    pub fn clock(&self, code: &str, today: &str) -> ClockState {
        self.clocks(today)
            .into_iter()
            .find(|c| c.code == code)
            .unwrap_or_else(|| panic!("no clock {code}"))
    }
}
