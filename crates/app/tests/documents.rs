//! Case documents through the app (issue 21): issued only after the step that produces them,
//! numbered per unit, kind and year, stored with their SHA-256 and audited, never changed (a
//! correction is a new document with the next number), served once; 公告送达 counts as served 30
//! days after the announcement. On SQLite and on PostgreSQL.

use std::sync::Arc;

use fazhi_app::cases::{CreateCase, TakeTransition};
use fazhi_app::{Actor, App, AppError, FixedClock};
use fazhi_domain::{CaseId, Role, Scope, UserId};
use fazhi_store::org::{self, NewCertificate, NewOfficer};
use fazhi_store::{AuditFilter, Db, UnitRow, on_both};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

async fn seed(db: &Db) -> (UnitRow, i64) {
    let mut tx = db.begin().await.unwrap();
    let d = org::insert_unit(&mut tx, None, "D", "滨江区", "district")
        .await
        .unwrap();
    let street = org::insert_unit(&mut tx, Some(&d), "S", "望江街道", "street")
        .await
        .unwrap();
    for code in ["ZF01", "ZF02"] {
        let id = org::insert_officer(
            &mut tx,
            &NewOfficer {
                code,
                name: &format!("执法人员{code}"),
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
                officer_id: id,
                number: &format!("3301{code}"),
                domain: "城市管理",
                valid_from: "2024-01-01",
                valid_to: "2028-12-31",
                annual_check_year: Some(2026),
            },
        )
        .await
        .unwrap();
    }
    let user = org::insert_user(
        &mut tx,
        &org::NewUser {
            login: "officer_s",
            display_name: "街道执法",
            password_hash: "x",
            unit_id: street.id,
            department_id: None,
            scope: "unit_subtree",
            roles: &["officer".to_string(), "leader".to_string()],
            created_at: 0,
        },
    )
    .await
    .unwrap()
    .0;
    tx.commit().await.unwrap();
    (street, user)
}

fn actor(id: i64, unit: &UnitRow, roles: &[Role]) -> Actor {
    Actor {
        id: UserId(id),
        login: "officer_s".into(),
        display_name: "街道执法".into(),
        roles: roles.to_vec(),
        scope: Scope::UnitSubtree,
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        unit_name: unit.name.clone(),
        department_id: None,
    }
}

async fn step(app: &App, a: &Actor, id: CaseId, t: &str, on: &str, input: Value) {
    app.transition(
        a,
        id,
        &TakeTransition {
            transition: t.into(),
            on: Some(on.into()),
            on_reason: None,
            version: None,
            input: fields(input),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{t}: {e:?}"));
}

fn invalid_code<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Invalid(p)) => p[0].code.clone(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn issue_number_correct_and_serve(db: &Db) {
    let (street, user) = seed(db).await;
    let app = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2026, 11, 20))),
    );
    let officer = actor(user, &street, &[Role::Officer, Role::Leader]);
    let c = app
        .create_case(
            &officer,
            &CreateCase {
                case_type: "enforcement_case".into(),
                unit_code: None,
                on: Some("2026-11-03".into()),
                on_reason: None,
                transition: None,
                input: fields(json!({"domain": "城市管理", "discovered_on": "2026-11-02",
                    "procedure": "普通程序", "party_kind": "自然人", "party_name": "李四",
                    "party_id_number": "360426199101010071", "address": "望江路88号",
                    "facts": "当事人未经批准在人行道上擅自设摊经营"})),
            },
        )
        .await
        .unwrap()
        .case_id;
    // Not before the step that produces it.
    let r = app
        .issue_document(&officer, c, "行政处罚告知书", None)
        .await;
    assert_eq!(invalid_code(r), "step_not_taken");
    let r = app.issue_document(&officer, c, "不存在的文书", None).await;
    assert_eq!(invalid_code(r), "unknown_document");
    step(
        &app,
        &officer,
        c,
        "file",
        "2026-11-04",
        json!({"officers": ["ZF01", "ZF02"], "act_on": "2026-11-01"}),
    )
    .await;
    // A form without a number.
    let (form, _) = app
        .issue_document(&officer, c, "立案审批表", None)
        .await
        .unwrap();
    assert_eq!(form.number, None);
    app.add_evidence(
        &officer,
        c,
        "现场.jpg",
        "image/jpeg",
        b"\xff\xd8\xff photo",
        "现场照片",
    )
    .await
    .unwrap();
    step(
        &app,
        &officer,
        c,
        "notify",
        "2026-11-05",
        json!({"intended_penalty": "罚款", "intended_amount": "500",
               "legal_basis": "《城市市容和环境卫生管理条例》第三十六条"}),
    )
    .await;
    // Issued: numbered, stored with its SHA-256, audited.
    let (doc, bytes) = app
        .issue_document(&officer, c, "行政处罚告知书", None)
        .await
        .unwrap();
    assert_eq!(doc.number.as_deref(), Some("望江执罚告字〔2026〕第1号"));
    assert_eq!(doc.issued_on, "2026-11-20");
    assert_eq!(doc.sha256, hex::encode(Sha256::digest(&bytes)));
    let (_, stored) = app.document_file(&officer, doc.id).await.unwrap();
    assert_eq!(stored, bytes);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    // The text of the document, without the runs' markup (a placeholder's value is a run).
    let mut text = String::new();
    let mut in_tag = false;
    for ch in xml.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    for needle in [
        "望江执罚告字〔2026〕第1号",
        "李四",
        "拟罚款人民币伍佰元整（¥500.00）",
        "五个工作日内",
        "执法人员ZF01（执法证号：3301ZF01）",
    ] {
        assert!(text.contains(needle), "notice lacks {needle}: {text}");
    }
    // Never issued twice; a correction takes the next number and names the old one.
    let r = app
        .issue_document(&officer, c, "行政处罚告知书", None)
        .await;
    assert_eq!(invalid_code(r), "already_issued");
    let (fix, _) = app
        .issue_document(&officer, c, "行政处罚告知书", Some(doc.id))
        .await
        .unwrap();
    assert_eq!(fix.number.as_deref(), Some("望江执罚告字〔2026〕第2号"));
    assert_eq!(fix.corrects_id, Some(doc.id));
    let audit = fazhi_store::audit::list(
        db,
        &AuditFilter {
            entity: Some("case".into()),
            entity_id: Some(c.to_string()),
            limit: 100,
            ..AuditFilter::default()
        },
    )
    .await
    .unwrap();
    let issued: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "issue_document")
        .collect();
    assert_eq!(issued.len(), 3, "form, notice and correction audited");
    // The preview shows the issued number; a viewer sees the party masked.
    let p = app
        .document_preview(&officer, c, "行政处罚告知书")
        .await
        .unwrap();
    assert_eq!(p.number.as_deref(), Some("望江执罚告字〔2026〕第2号"));
    let viewer = actor(user, &street, &[Role::Viewer]);
    let p = app
        .document_preview(&viewer, c, "行政处罚告知书")
        .await
        .unwrap();
    assert!(!fazhi_reports::documents::document_text(&p).contains("李四："));
    assert!(matches!(
        app.document_file(&viewer, doc.id).await,
        Err(AppError::Forbidden(_))
    ));
    // 公告送达 on 11-05: served 30 days later (民事诉讼法 第九十五条); recorded once.
    let r = app
        .serve_document(&officer, fix.id, "飞鸽传书", "2026-11-20", "李四")
        .await;
    assert_eq!(invalid_code(r), "unknown");
    let served = app
        .serve_document(&officer, fix.id, "公告送达", "2026-11-20", "李四")
        .await
        .unwrap();
    assert_eq!(served.served_on.as_deref(), Some("2026-12-20"));
    let served = app
        .serve_document(&officer, doc.id, "直接送达", "2026-11-20", "李四")
        .await
        .unwrap();
    assert_eq!(served.served_on.as_deref(), Some("2026-11-20"));
    let r = app
        .serve_document(&officer, doc.id, "邮寄送达", "2026-11-20", "李四")
        .await;
    assert_eq!(invalid_code(r), "already_served");
    let r = app
        .serve_document(&officer, form.id, "直接送达", "2026-11-21", "李四")
        .await;
    assert_eq!(invalid_code(r), "future");
    // The case page's list.
    let list = app.case_documents(&officer, c).await.unwrap();
    let notice = list.iter().find(|e| e.name == "行政处罚告知书").unwrap();
    assert!(notice.ready);
    assert_eq!(notice.issued.len(), 2);
    assert!(
        !list
            .iter()
            .find(|e| e.name == "行政处罚决定书")
            .unwrap()
            .ready
    );
}

#[tokio::test]
async fn documents_are_issued_numbered_corrected_and_served() {
    on_both!(issue_number_correct_and_serve);
}
