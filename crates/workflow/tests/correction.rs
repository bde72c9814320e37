//! Dated scenarios of community correction (`case_types/correction_subject/`, 《中华人民共和国社区
//! 矫正法》) and of the generic kinds it brought (`min_prior_events`, `max_span`, clocks ending on a
//! field's date), on the official calendar: the reporting period across the Spring Festival and
//! the National Day holidays, a monitoring approval starting on the adjusted working Sunday
//! 2026-09-20, a term ending on a National Day holiday.

use fazhi_workflow::{
    BasicValidators, Calendar, CaseSnapshot, ClockState, ClockStatus, GuardContext, Refusals,
    Registry, WorkflowConfig, apply, clocks, plan,
};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

const OFFICER: &str = "correction_officer";

struct Run {
    snapshot: CaseSnapshot,
    calendar: Calendar,
    config: WorkflowConfig,
    registry: Registry,
}

impl Run {
    fn new() -> Run {
        Run {
            snapshot: CaseSnapshot {
                case_type: "correction_subject".to_owned(),
                ..CaseSnapshot::default()
            },
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
        let ct = self.registry.get("correction_subject").expect("case type");
        let roles = vec![role.to_owned()];
        let validators = BasicValidators;
        let ctx = GuardContext {
            on: d(on),
            actor_roles: &roles,
            officers: &[],
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

    fn ok(&mut self, on: &str, transition: &str, input: Value) -> &mut Run {
        if let Err(r) = self.try_step(on, transition, OFFICER, input) {
            panic!("{on} {transition} refused: {r}\n{r:#?}");
        }
        self
    }

    fn refused(&mut self, on: &str, transition: &str, input: Value, code: &str) -> Refusals {
        match self.try_step(on, transition, OFFICER, input) {
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
        let ct = self.registry.get("correction_subject").expect("case type");
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
}

fn received(effective: &str, received_on: &str, term_end: &str) -> Run {
    let mut run = Run::new();
    run.ok(
        received_on,
        "receive",
        json!({
            "subject_name": "某某",
            "subject_id_number": "110101199003074514",
            "residence": "望湖社区某小区",
            "correction_type": "缓刑",
            "offence": "危险驾驶罪",
            "decision_body": "人民法院",
            "decision_number": "（2026）浙0108刑初12号",
            "judgment_effective_on": effective,
            "documents_received_on": received_on,
            "term_end_on": term_end,
        }),
    );
    run
}

fn supervising(effective: &str, term_end: &str) -> Run {
    let mut run = received(effective, effective, term_end);
    run.ok(effective, "report", json!({"reported_on": effective}))
        .ok(
            effective,
            "set_plan",
            json!({"supervision_level": "普管", "correction_plan": "每月报告一次，参加教育学习和公益活动。", "correction_team": "司法所工作人员、社区网格员、家属"}),
        );
    assert_eq!(run.state(), "supervising");
    run
}

/// 《社区矫正法》第二十一条: ten days from the judgment taking effect. 2026-02-09 + 10 = 02-19, a
/// Spring Festival holiday: the period rolls past the holiday (02-15..23) to Tuesday 02-24.
#[test]
fn reporting_period_rolls_past_the_spring_festival_and_a_late_report_is_flagged() {
    let mut on_time = received("2026-02-09", "2026-02-12", "2027-02-08");
    let c = on_time.clock("report_limit", "2026-02-12");
    assert_eq!(c.due, Some(d("2026-02-24")));
    assert_eq!(c.status, ClockStatus::Running);
    assert!(c.basis.contains("第二十一条"), "{}", c.basis);
    on_time.ok("2026-02-24", "report", json!({"reported_on": "2026-02-24"}));
    assert_eq!(
        on_time.clock("report_limit", "2026-03-01").status,
        ClockStatus::Met
    );

    let mut late = received("2026-02-09", "2026-02-12", "2027-02-08");
    assert_eq!(
        late.clock("report_limit", "2026-02-25").status,
        ClockStatus::Overdue
    );
    late.ok(
        "2026-02-26",
        "report",
        json!({"reported_on": "2026-02-26", "reason": "春节后返程延误"}),
    );
    assert_eq!(
        late.clock("report_limit", "2026-03-01").status,
        ClockStatus::Missed
    );
}

/// Across the National Day holidays: 2026-09-24 + 10 = 10-04 (holiday) → Thursday 10-08.
#[test]
fn reporting_period_rolls_past_national_day() {
    let run = received("2026-09-24", "2026-09-28", "2027-09-23");
    let c = run.clock("report_limit", "2026-09-28");
    assert_eq!(c.due, Some(d("2026-10-08")));
    assert_eq!(
        run.clock("report_limit", "2026-10-08").status,
        ClockStatus::Running
    );
    assert_eq!(
        run.clock("report_limit", "2026-10-09").status,
        ClockStatus::Overdue
    );
}

/// Regular reports and visits restart their interval; a month without a report is overdue.
#[test]
fn regular_reports_restart_the_interval() {
    let mut run = supervising("2026-03-02", "2027-03-01");
    assert_eq!(
        run.clock("report_interval", "2026-03-02").due,
        Some(d("2026-04-01"))
    );
    run.ok(
        "2026-03-30",
        "record_report",
        json!({"report_note": "本月遵纪守法，按时参加公益活动。"}),
    );
    let c = run.clock("report_interval", "2026-04-02");
    assert_eq!(c.started_on, d("2026-03-30"));
    // 03-30 + 30 = 04-29, a working day.
    assert_eq!(c.due, Some(d("2026-04-29")));
    assert_eq!(
        run.clock("report_interval", "2026-04-30").status,
        ClockStatus::Overdue
    );
    assert_eq!(
        run.clock("visit_interval", "2026-03-02").due,
        Some(d("2026-06-01"))
    );
}

/// 《社区矫正法》第二十八条 and the 2020 rules: a 警告 on the ground of two 训诫 needs two 训诫; a
/// proposal to revoke on the ground of two 警告 needs two 警告 — since the last recorded correction.
#[test]
fn sanction_ladder_counts_warnings_since_the_last_correction() {
    let mut run = supervising("2026-03-02", "2028-03-01");
    let two_admonitions = "受到社区矫正机构两次训诫，仍不改正";
    let two_warnings = "受到社区矫正机构两次警告，仍不改正";
    run.ok("2026-04-07", "admonish", json!({"admonish_ground": "违反关于报告、会客、外出、迁居等规定，情节轻微", "reason": "未按时电话报告活动情况"}));
    let r = run.refused(
        "2026-04-20",
        "warn",
        json!({"warning_ground": two_admonitions, "reason": "再次未按时报告"}),
        "correction.warning_needs_two_admonitions",
    );
    let refusal = r.find("correction.warning_needs_two_admonitions").unwrap();
    assert_eq!(refusal.article.as_deref(), Some("第二十八条"));
    assert!(
        refusal.message_zh.contains("现有1次"),
        "{}",
        refusal.message_zh
    );
    run.ok(
        "2026-04-20",
        "admonish",
        json!({"admonish_ground": "其他违反监督管理规定，情节轻微", "reason": "再次未按时报告"}),
    )
    .ok(
        "2026-05-06",
        "warn",
        json!({"warning_ground": two_admonitions, "reason": "经两次训诫仍不改正"}),
    );
    // One 警告: a proposal on the two-warnings ground is refused, on another ground allowed.
    run.refused(
        "2026-05-20",
        "propose_revocation",
        json!({"revocation_kind": "撤销缓刑", "revocation_ground": two_warnings, "reason": "拟提请撤销缓刑"}),
        "correction.revocation_needs_two_warnings",
    );
    // A recorded correction wipes the slate: the first 警告 no longer counts.
    run.ok("2026-06-01", "record_correction", json!({"reason": "经教育后按时报告，表现好转"}))
        .ok("2026-07-01", "warn", json!({"warning_ground": "违反关于报告、会客、外出、迁居等规定，情节较重", "reason": "未经批准外出"}));
    run.refused(
        "2026-07-10",
        "propose_revocation",
        json!({"revocation_kind": "撤销缓刑", "revocation_ground": two_warnings, "reason": "拟提请撤销缓刑"}),
        "correction.revocation_needs_two_warnings",
    );
    run.ok("2026-07-15", "warn", json!({"warning_ground": "违反关于报告、会客、外出、迁居等规定，情节较重", "reason": "再次未经批准外出"}))
        .ok("2026-07-20", "propose_revocation", json!({"revocation_kind": "撤销缓刑", "revocation_ground": two_warnings, "reason": "两次警告仍不改正，提请撤销缓刑"}));
    // The police-penalty ground needs a penalty request first.
    run.refused(
        "2026-07-21",
        "propose_revocation",
        json!({"revocation_kind": "撤销缓刑", "revocation_ground": "因违反监督管理规定受到治安管理处罚，仍不改正", "reason": "拟提请撤销缓刑"}),
        "correction.revocation_needs_police_penalty",
    );
}

/// 《社区矫正法》第二十九条: at most three months per approval, only on the listed grounds; the
/// approval starting on the adjusted working Sunday 2026-09-20 may run to 12-19, not 12-20. The
/// monitoring clock ends on the approved end date.
#[test]
fn electronic_monitoring_is_bounded_to_three_months_on_listed_grounds() {
    let mut run = supervising("2026-03-02", "2028-03-01");
    // Not a listed ground: the dictionary refuses it.
    run.refused(
        "2026-09-20",
        "start_monitoring",
        json!({"monitoring_ground": "社区要求", "monitoring_from": "2026-09-20", "monitoring_to": "2026-12-19"}),
        "input.enum",
    );
    // The warned-for-not-reporting ground needs a 警告 first.
    run.refused(
        "2026-09-20",
        "start_monitoring",
        json!({"monitoring_ground": "拒不按照规定报告自己的活动情况，被给予警告", "monitoring_from": "2026-09-20", "monitoring_to": "2026-12-19"}),
        "correction.monitoring_ground_unsupported",
    );
    let r = run.refused(
        "2026-09-20",
        "start_monitoring",
        json!({"monitoring_ground": "违反人民法院禁止令", "monitoring_from": "2026-09-20", "monitoring_to": "2026-12-20"}),
        "correction.monitoring_too_long",
    );
    assert!(
        r.find("correction.monitoring_too_long")
            .unwrap()
            .message_zh
            .contains("最迟至2026-12-19")
    );
    run.ok(
        "2026-09-20",
        "start_monitoring",
        json!({"monitoring_ground": "违反人民法院禁止令", "monitoring_from": "2026-09-20", "monitoring_to": "2026-12-19"}),
    );
    let c = run.clock("monitoring_period", "2026-09-21");
    assert_eq!(
        c.due,
        Some(d("2026-12-19")),
        "ends on the approved date (a Saturday), not rolled"
    );
    assert_eq!(
        run.clock("monitoring_period", "2026-12-21").status,
        ClockStatus::Overdue
    );
    run.ok(
        "2026-12-18",
        "end_monitoring",
        json!({"reason": "审批期满，解除电子定位"}),
    );
    assert_eq!(
        run.clock("monitoring_period", "2026-12-21").status,
        ClockStatus::Met
    );
}

/// Leave: a 司法所 approves up to 7 days itself (configurable), longer needs the county body; no
/// trip longer than a month. Over the Labour Day holidays.
#[test]
fn leave_thresholds_are_checked() {
    let mut run = supervising("2026-03-02", "2028-03-01");
    let leave = |to: &str, approver: &str| json!({"leave_from": "2026-04-30", "leave_to": to, "leave_destination": "上海市", "leave_approver": approver, "reason": "探望住院的父亲"});
    run.ok("2026-04-28", "approve_leave", leave("2026-05-06", "司法所"));
    run.refused(
        "2026-04-28",
        "approve_leave",
        leave("2026-05-07", "司法所"),
        "correction.leave_needs_county_approval",
    );
    run.ok(
        "2026-04-28",
        "approve_leave",
        leave("2026-05-29", "县级社区矫正机构"),
    );
    run.refused(
        "2026-04-28",
        "approve_leave",
        leave("2026-05-30", "县级社区矫正机构"),
        "correction.leave_too_long",
    );
    run.refused(
        "2026-04-28",
        "approve_leave",
        leave("2026-04-29", "司法所"),
        "common.span_reversed",
    );
}

/// 《社区矫正法》第四十四条: correction ends on the term's last day, even a holiday (2026-10-05),
/// not before; the subject is then handed over to 安置帮教.
#[test]
fn correction_ends_on_the_terms_date_and_is_handed_over() {
    let mut run = supervising("2025-10-06", "2026-10-05");
    let c = run.clock("term_end", "2026-09-30");
    assert_eq!(c.due, Some(d("2026-10-05")));
    assert_eq!(c.status, ClockStatus::Running);
    run.refused(
        "2026-10-04",
        "end_correction",
        json!({"ended_on": "2026-10-04"}),
        "correction.term_not_expired",
    );
    assert_eq!(
        run.clock("term_end", "2026-10-06").status,
        ClockStatus::Overdue
    );
    run.ok(
        "2026-10-05",
        "end_correction",
        json!({"ended_on": "2026-10-05"}),
    );
    assert_eq!(run.state(), "ended");
    assert_eq!(run.clock("term_end", "2026-10-06").status, ClockStatus::Met);
    run.ok(
        "2026-10-09",
        "hand_over",
        json!({"handover_to": "望湖社区安置帮教工作站", "handover_on": "2026-10-09"}),
    );
    assert_eq!(run.state(), "handed_over");
}

/// Only the correction role may act on the case; the identity fields are restricted to it.
#[test]
fn only_the_correction_role_acts_and_sees_identity() {
    let mut run = Run::new();
    let r = run
        .try_step("2026-03-02", "receive", "handler", json!({}))
        .unwrap_err();
    assert!(r.find("common.role_not_allowed").is_some(), "{r:#?}");
    let reg = Registry::embedded();
    let ct = reg.get("correction_subject").unwrap();
    for code in [
        "subject_name",
        "subject_id_number",
        "subject_phone",
        "residence",
    ] {
        let f = ct.field(code).unwrap();
        assert!(f.personal && f.restricted(), "{code}");
        assert!(f.visible_to_roles(&["correction_officer"]));
        for other in [
            "admin",
            "leader",
            "handler",
            "legal_reviewer",
            "officer",
            "viewer",
        ] {
            assert!(!f.visible_to_roles(&[other]), "{code} visible to {other}");
        }
    }
}
