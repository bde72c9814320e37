//! The two case types added only as folders (`case_types/mediation_case`, `case_types/petition`)
//! walked over HTTP on real dates, then counted by their indicators: the figures the annual
//! report prints (调处纠纷…件, 调解成功率, 涉及金额; 受理信访…件, 办结…件, 按期办结率) come from these
//! records, not from typed-in numbers.

#[allow(dead_code)]
mod support;

use std::sync::Arc;

use fazhi_app::{App, FixedClock};
use fazhi_indicators::Period;
use fazhi_store::org::{self, NewCertificate, NewOfficer};
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

#[tokio::test]
async fn mediation_and_petitions_are_walked_on_real_dates_and_counted() {
    // "Today" is the last day of 2026-Q1; every step below carries its own date.
    let t = spawn_app(Backend::Sqlite, date(2026, 3, 31)).await;
    // A registered mediator (《中华人民共和国人民调解法》第十四条): an officer-like register entry
    // qualified by a certificate of the domain 人民调解员.
    let street = fazhi_store::org::unit_by_code(&t.db, "S")
        .await
        .unwrap()
        .unwrap();
    let mut tx = t.db.begin().await.unwrap();
    let mediator = org::insert_officer(
        &mut tx,
        &NewOfficer {
            code: "TJ01",
            name: "周调解",
            user_id: None,
            unit_id: street.id,
            department_id: None,
            legal_reviewer: false,
        },
    )
    .await
    .unwrap();
    org::insert_certificate(
        &mut tx,
        &NewCertificate {
            officer_id: mediator,
            number: "调解员证0001",
            domain: "人民调解员",
            valid_from: "2025-01-01",
            valid_to: "2028-12-31",
            annual_check_year: Some(2025),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let h = t.api("handler");

    // Mediation A: referred by 12345, agreement on 2026-02-13 (the Friday before the Spring
    // Festival holiday 02-15..02-23), judicial confirmation applied for in time.
    let a = created(
        &h,
        "mediation_case",
        "2026-02-02",
        json!({"source": "12345转办", "referral_number": "RX2026-000001", "dispute_type": "邻里",
               "applicant_name": "王五", "applicant_phone": "13900001111", "respondent_name": "赵六",
               "parties_count": 2, "address": "望湖社区3幢", "content": "楼上卫生间漏水，邻里协商不成"}),
    )
    .await;
    walk(
        &h,
        a,
        &[
            ("accept", "2026-02-03", json!({"mediation_body": "社区人民调解委员会", "mediation_body_name": "望湖社区人民调解委员会"})),
            ("assign_mediators", "2026-02-04", json!({"mediators": [mediator.0]})),
            ("record_session", "2026-02-10", json!({"session_note": "双方到场，查看漏水点位"})),
            ("reach_agreement", "2026-02-13", json!({"agreement_form": "书面", "agreement_number": "望湖调〔2026〕1号",
                "agreement_content": "楼上住户承担维修费用并赔偿损失", "amount_involved": "12000.00",
                "agreement_effective_on": "2026-02-13", "parties_count": 2})),
        ],
    )
    .await;
    // 《人民调解法》第三十三条: within 30 days of the agreement taking effect (2026-02-13 + 30
    // natural days = 2026-03-15, a Sunday). A day after the window is refused with the article.
    let (s, refused) = h
        .step(
            a,
            "apply_confirmation",
            Some("2026-03-17"),
            json!({"confirmation_court": "滨江区人民法院"}),
        )
        .await;
    assert_eq!(s, 422, "{refused}");
    let text = refused.to_string();
    assert!(
        text.contains("mediation.confirmation_window_closed"),
        "{text}"
    );
    assert!(text.contains("第三十三条"), "{text}");
    walk(
        &h,
        a,
        &[(
            "apply_confirmation",
            "2026-03-13",
            json!({"confirmation_court": "滨江区人民法院"}),
        )],
    )
    .await;

    // Mediation B: a party's application, mediation fails and the parties are told to sue.
    let b = created(
        &h,
        "mediation_case",
        "2026-02-09",
        json!({"source": "当事人申请", "dispute_type": "物业", "content": "物业费争议"}),
    )
    .await;
    walk(
        &h,
        b,
        &[
            ("accept", "2026-02-10", json!({"mediation_body": "人民调解工作室", "mediation_body_name": "望江街道金牌调解工作室"})),
            ("assign_mediators", "2026-02-11", json!({"mediators": [mediator.0]})),
            ("fail", "2026-03-02", json!({"failure_reason": "双方对收费标准分歧较大", "guidance": "诉讼"})),
        ],
    )
    .await;
    // Mediation C: not accepted (a party refuses mediation, 第十七条).
    let c = created(
        &h,
        "mediation_case",
        "2026-03-20",
        json!({"source": "网格", "dispute_type": "婚姻家庭", "content": "家庭财产分割纠纷"}),
    )
    .await;
    walk(
        &h,
        c,
        &[(
            "not_accept",
            "2026-03-23",
            json!({"reason": "一方当事人明确拒绝调解"}),
        )],
    )
    .await;

    // Petition 1: accepted, replied within 60 days, then 复查 requested within 30 days.
    let p1 = created(
        &h,
        "petition",
        "2026-01-05",
        json!({"channel": "来信", "petitioner_name": "钱七", "petitioner_phone": "13700002222",
               "subject": "小区停车难", "content": "建议在望湖社区增设停车位"}),
    )
    .await;
    walk(
        &h,
        p1,
        &[
            ("accept", "2026-01-12", json!({"category": "建议意见", "acceptance_notice": "您的来信已受理，将在六十日内办结。"})),
            ("reply", "2026-02-26", json!({"result": "予以支持", "reply": "已协调增设停车位40个。"})),
            ("request_recheck", "2026-03-20", json!({"request_reason": "停车位数量仍不足"})),
        ],
    )
    .await;
    // Petition 2: a claim with a statutory route is diverted (《信访工作条例》第三十一条).
    let p2 = created(
        &h,
        "petition",
        "2026-01-06",
        json!({"channel": "来访", "subject": "劳动报酬", "content": "要求支付拖欠工资"}),
    )
    .await;
    walk(
        &h,
        p2,
        &[
            ("accept", "2026-01-08", json!({"category": "申诉求决", "acceptance_notice": "已受理。"})),
            ("divert", "2026-01-09", json!({"category": "申诉求决", "statutory_route": "仲裁", "reason": "属劳动争议仲裁受理范围"})),
        ],
    )
    .await;
    // Petition 3: accepted, still being handled.
    let p3 = created(
        &h,
        "petition",
        "2026-03-02",
        json!({"channel": "网上信访", "subject": "噪音", "content": "商铺夜间噪音扰民"}),
    )
    .await;
    walk(
        &h,
        p3,
        &[(
            "accept",
            "2026-03-03",
            json!({"category": "检举控告", "acceptance_notice": "已受理。"}),
        )],
    )
    .await;

    // The indicators over 2026-Q1 for the street.
    let app = App::new(
        t.db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(date(2026, 3, 31))),
    );
    let user = fazhi_store::org::user_by_login(&t.db, "leader")
        .await
        .unwrap()
        .unwrap();
    let leader = app.actor_for(&user).await.unwrap();
    let period: Period = "2026-Q1".parse().unwrap();
    let got = app
        .compute_indicators(&leader, street.id, period, &[])
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
        ("mediation.applications", Some(3.0)),
        ("mediation.cases", Some(2.0)),
        ("mediation.agreed", Some(1.0)),
        ("mediation.failed", Some(1.0)),
        ("mediation.concluded", Some(2.0)),
        ("mediation.success_rate", Some(50.0)),
        ("mediation.amount", Some(12_000.0)),
        ("mediation.parties", Some(2.0)),
        ("mediation.from_referrals", Some(1.0)),
        ("mediation.confirmations", Some(1.0)),
        // Accepted 02-03 and 02-10, concluded 02-13 and 03-02: both within a month.
        ("mediation.on_time_rate", Some(100.0)),
        ("mediation.avg_days", Some(15.0)),
        ("petition.registered", Some(3.0)),
        ("petition.received", Some(3.0)),
        ("petition.closed", Some(1.0)),
        ("petition.received_closed", Some(1.0)),
        ("petition.close_rate", Some(100.0 / 3.0)),
        ("petition.on_time_rate", Some(100.0)),
        ("petition.diverted", Some(1.0)),
        ("petition.rechecks", Some(1.0)),
        ("petition.reviews", Some(0.0)),
        ("petition.avg_days", Some(45.0)),
    ] {
        match (want, value(id)) {
            (Some(w), Some(g)) => assert!((w - g).abs() < 1e-9, "{id}: want {w}, got {g}"),
            (w, g) => assert_eq!(w, g, "{id}"),
        }
    }
    let (_, v) = t.api("admin").get("/api/v1/audit/verify").await;
    assert_eq!(v["ok"], true, "{v}");
    t.stop().await;
}
