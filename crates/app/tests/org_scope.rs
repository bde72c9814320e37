//! Organisation writes stay inside the actor's data scope (issue 16, finding 3), certificate
//! changes are reviewed by a second person before they count for 《行政处罚法》第四十二条, and the
//! audit log is scoped and masked (finding 4). Each test runs on SQLite and on PostgreSQL.

use std::sync::Arc;

use fazhi_app::cases::{CreateCase, TakeTransition};
use fazhi_app::org::{NewCertificateInput, NewOfficerInput, NewUnitInput, NewUserInput};
use fazhi_app::{Actor, App, AppError, FixedClock};
use fazhi_domain::{Role, Scope, UnitId, UserId};
use fazhi_store::org::{self, NewCertificate, NewOfficer};
use fazhi_store::{AuditFilter, Db, UnitRow, on_both};
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::{Map, Value, json};

struct World {
    /// The user behind the street officer who files cases.
    officer_user: i64,
    street: UnitRow,
    c1: UnitRow,
    c2: UnitRow,
}

async fn seed(db: &Db) -> World {
    let mut tx = db.begin().await.unwrap();
    let d = org::insert_unit(&mut tx, None, "D", "滨江区", "district")
        .await
        .unwrap();
    let street = org::insert_unit(&mut tx, Some(&d), "S", "望江街道", "street")
        .await
        .unwrap();
    let c1 = org::insert_unit(&mut tx, Some(&street), "C1", "望湖社区", "community")
        .await
        .unwrap();
    let c2 = org::insert_unit(&mut tx, Some(&street), "C2", "江畔社区", "community")
        .await
        .unwrap();
    org::insert_department(&mut tx, street.id, "DS", "综合执法队")
        .await
        .unwrap();
    // ZF01 holds a valid certificate; ZF02's expired on 2026-06-30.
    for (code, to) in [("ZF01", "2028-12-31"), ("ZF02", "2026-06-30")] {
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
                number: &format!("证{code}"),
                domain: "城市管理",
                valid_from: "2024-01-01",
                valid_to: to,
                annual_check_year: Some(2026),
            },
        )
        .await
        .unwrap();
    }
    let officer_user = org::insert_user(
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
    World {
        officer_user,
        street,
        c1,
        c2,
    }
}

fn app(db: &Db) -> App {
    App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        Arc::new(FixedClock::at(jiff::civil::date(2026, 11, 20))),
    )
}

fn actor(id: i64, login: &str, unit: &UnitRow, roles: &[Role]) -> Actor {
    Actor {
        id: UserId(id),
        login: login.into(),
        display_name: login.into(),
        roles: roles.to_vec(),
        scope: Scope::UnitSubtree,
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        unit_name: unit.name.clone(),
        department_id: None,
    }
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, AppError>, what: &str) {
    match r {
        Err(AppError::Forbidden(_)) => {}
        other => panic!("{what}: expected Forbidden, got {other:?}"),
    }
}

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

fn user_input(login: &str, unit: &str, dept: Option<&str>) -> NewUserInput {
    NewUserInput {
        login: login.into(),
        display_name: "新用户".into(),
        password: "Qz7!longpassword".into(),
        unit_code: unit.into(),
        department_code: dept.map(String::from),
        roles: vec!["handler".into()],
        scope: "unit_subtree".into(),
    }
}

fn cert(number: &str) -> NewCertificateInput {
    NewCertificateInput {
        number: number.into(),
        domain: "城市管理".into(),
        valid_from: "2026-07-01".into(),
        valid_to: "2029-06-30".into(),
        annual_check_year: Some(2026),
    }
}

async fn audit_count(app: &App) -> usize {
    let sys = Actor::system(UnitId(1), "/");
    app.audit_list(
        &sys,
        &AuditFilter {
            limit: 10_000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len()
}

async fn community_writes_stay_in_the_community(db: &Db) {
    let w = seed(db).await;
    let app = app(db);
    let admin_c1 = actor(101, "admin_c1", &w.c1, &[Role::Admin, Role::Leader]);
    let before = audit_count(&app).await;

    forbidden(
        app.create_department(&admin_c1, "S", "DX", "街道科室")
            .await,
        "department in the street",
    );
    forbidden(
        app.create_department(&admin_c1, "C2", "DY", "邻社区科室")
            .await,
        "department in a sibling community",
    );
    forbidden(
        app.create_unit(
            &admin_c1,
            &NewUnitInput {
                parent_code: None,
                code: "ROOT2".into(),
                name: "另一区".into(),
                kind: "district".into(),
            },
        )
        .await,
        "a new top-level unit",
    );
    // A user of the community may not be put into a department of the street.
    let r = app
        .create_user(&admin_c1, &user_input("u_c1", "C1", Some("DS")))
        .await;
    assert!(
        matches!(&r, Err(AppError::Forbidden(_)) | Err(AppError::Invalid(_))),
        "{r:?}"
    );
    // Officers: not at the street, not linked to a login of the street.
    let street_admin = actor(1, "admin_s", &w.street, &[Role::Admin]);
    app.create_user(&street_admin, &user_input("street_user", "S", None))
        .await
        .unwrap();
    let after_setup = audit_count(&app).await;
    forbidden(
        app.create_officer(
            &admin_c1,
            &NewOfficerInput {
                code: "ZF90".into(),
                name: "街道人员".into(),
                login: None,
                unit_code: "S".into(),
                department_code: None,
                legal_reviewer: false,
            },
        )
        .await,
        "officer at the street",
    );
    forbidden(
        app.create_officer(
            &admin_c1,
            &NewOfficerInput {
                code: "ZF91".into(),
                name: "社区人员".into(),
                login: Some("street_user".into()),
                unit_code: "C1".into(),
                department_code: None,
                legal_reviewer: false,
            },
        )
        .await,
        "officer linked to a street login",
    );
    let r = app
        .create_officer(
            &admin_c1,
            &NewOfficerInput {
                code: "ZF92".into(),
                name: "社区人员".into(),
                login: None,
                unit_code: "C1".into(),
                department_code: Some("DS".into()),
                legal_reviewer: false,
            },
        )
        .await;
    match r {
        Err(AppError::Invalid(p)) => assert_eq!(p[0].field, "department_code"),
        other => panic!("officer of the community in a street department: {other:?}"),
    }
    // A certificate for a street officer: refused outright.
    forbidden(
        app.add_certificate(&admin_c1, "ZF02", &cert("证ZF02-新"))
            .await,
        "certificate for a street officer",
    );
    assert_eq!(audit_count(&app).await, after_setup, "nothing written");
    assert_eq!(after_setup, before + 1, "only the street admin's user");
    // Inside the community everything still works.
    app.create_department(&admin_c1, "C1", "DC1", "社区工作站")
        .await
        .unwrap();
    app.create_officer(
        &admin_c1,
        &NewOfficerInput {
            code: "ZF93".into(),
            name: "社区人员".into(),
            login: None,
            unit_code: "C1".into(),
            department_code: Some("DC1".into()),
            legal_reviewer: false,
        },
    )
    .await
    .unwrap();
    let _ = w.c2;
}

async fn file_with(app: &App, officer: &Actor) -> Result<(), AppError> {
    let c = app
        .create_case(
            officer,
            &CreateCase {
                case_type: "enforcement_case".into(),
                transition: None,
                unit_code: None,
                on: Some("2026-11-03".into()),
                on_reason: None,
                input: fields(json!({"domain": "城市管理", "discovered_on": "2026-11-02", "act_on": "2026-11-01",
                    "procedure": "普通程序", "party_kind": "自然人", "party_name": "李四",
                    "party_id_number": "360426199101010071", "party_phone": "13912345678",
                    "address": "望江路88号", "facts": "当事人未经批准在人行道上擅自设摊经营"})),
            },
        )
        .await
        .unwrap();
    app.transition(
        officer,
        c.case_id,
        &TakeTransition {
            transition: "file".into(),
            on: Some("2026-11-04".into()),
            on_reason: None,
            version: None,
            input: fields(json!({"officers": ["ZF01", "ZF02"]})),
        },
    )
    .await
    .map(|_| ())
}

async fn a_new_certificate_counts_only_after_a_second_person_approves(db: &Db) {
    let w = seed(db).await;
    let app = app(db);
    let officer = actor(
        w.officer_user,
        "officer_s",
        &w.street,
        &[Role::Officer, Role::Leader],
    );
    let leader = actor(2, "leader_s", &w.street, &[Role::Leader]);
    let admin = actor(3, "admin_s", &w.street, &[Role::Admin]);
    let leader_c1 = actor(4, "leader_c1", &w.c1, &[Role::Leader]);

    // ZF02's certificate has expired: filing with ZF01 and ZF02 is refused (art. 42).
    assert!(matches!(
        file_with(&app, &officer).await,
        Err(AppError::Refused(_))
    ));
    // The street leader enters a renewed certificate: it waits for review and does not count.
    let before = audit_count(&app).await;
    app.add_certificate(&leader, "ZF02", &cert("证ZF02-2026"))
        .await
        .unwrap();
    assert_eq!(audit_count(&app).await, before + 1, "the entry is audited");
    let view = app
        .list_officers(&leader, jiff::civil::date(2026, 11, 4))
        .await
        .unwrap();
    let zf02 = view.iter().find(|o| o.officer.code == "ZF02").unwrap();
    assert!(
        !zf02.certified_on_date,
        "a pending certificate does not count"
    );
    assert!(
        zf02.certificates.iter().any(|c| c.status == "待复核"),
        "{:?}",
        zf02.certificates
    );
    assert!(matches!(
        file_with(&app, &officer).await,
        Err(AppError::Refused(_))
    ));
    // Whoever entered it cannot approve it; nor can a leader of a community.
    forbidden(
        app.approve_certificate(&leader, "证ZF02-2026").await,
        "self-approval",
    );
    forbidden(
        app.approve_certificate(&leader_c1, "证ZF02-2026").await,
        "approval from outside the officer's unit",
    );
    // A second person of the street approves: now it counts, and the approval is audited.
    let before = audit_count(&app).await;
    app.approve_certificate(&admin, "证ZF02-2026")
        .await
        .unwrap();
    assert_eq!(audit_count(&app).await, before + 1);
    let approval = app
        .audit_list(
            &admin,
            &AuditFilter {
                entity: Some("certificate".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        approval
            .iter()
            .any(|e| e.action == "approve" && e.actor == "admin_s"),
        "{approval:?}"
    );
    // Approving twice is refused.
    assert!(
        app.approve_certificate(&admin, "证ZF02-2026")
            .await
            .is_err()
    );
    file_with(&app, &officer).await.unwrap();
}

#[tokio::test]
async fn organisation_writes_stay_inside_the_actors_scope() {
    on_both!(community_writes_stay_in_the_community);
}

#[tokio::test]
async fn certificates_are_reviewed_before_they_count_for_article_42() {
    on_both!(a_new_certificate_counts_only_after_a_second_person_approves);
}

async fn create_enforcement(app: &App, actor: &Actor, unit: &str) -> i64 {
    app.create_case(
        actor,
        &CreateCase {
            case_type: "enforcement_case".into(),
            transition: None,
            unit_code: Some(unit.into()),
            on: Some("2026-11-03".into()),
            on_reason: None,
            input: fields(json!({"domain": "城市管理", "discovered_on": "2026-11-02", "act_on": "2026-11-01",
                "procedure": "普通程序", "party_kind": "自然人", "party_name": "李四",
                "party_id_number": "360426199101010071", "party_phone": "13912345678",
                "address": "望江路88号", "facts": "当事人李四（身份证360426199101010071，电话13912345678）设摊经营"})),
        },
    )
    .await
    .unwrap()
    .case_id
    .0
}

async fn the_audit_log_is_scoped_and_masked(db: &Db) {
    let w = seed(db).await;
    let app = app(db);
    let officer = actor(w.officer_user, "officer_s", &w.street, &[Role::Officer]);
    let in_c1 = create_enforcement(&app, &officer, "C1").await;
    let in_c2 = create_enforcement(&app, &officer, "C2").await;
    let leader_s = actor(2, "leader_s", &w.street, &[Role::Leader]);
    app.add_certificate(&leader_s, "ZF02", &cert("证ZF02-2026"))
        .await
        .unwrap();

    let all = AuditFilter {
        limit: 500,
        ..Default::default()
    };
    let ids = |rows: &[fazhi_store::AuditRow], entity: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r.entity == entity)
            .map(|r| r.entity_id.clone())
            .collect()
    };
    // The community leader sees his community's case only: not the sibling's, not the street's
    // certificate.
    let leader_c1 = actor(4, "leader_c1", &w.c1, &[Role::Leader]);
    let rows = app.audit_list(&leader_c1, &all).await.unwrap();
    assert_eq!(ids(&rows, "case"), vec![in_c1.to_string()], "{rows:#?}");
    assert!(ids(&rows, "certificate").is_empty());
    // Asking for the street explicitly does not widen the scope.
    let rows2 = app
        .audit_list(
            &leader_c1,
            &AuditFilter {
                unit_path: Some(w.street.path.clone()),
                ..all.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&rows2, "case"), vec![in_c1.to_string()]);
    // The street leader sees both cases and the certificate.
    let rows = app.audit_list(&leader_s, &all).await.unwrap();
    let mut cases = ids(&rows, "case");
    cases.sort();
    let mut want = vec![in_c1.to_string(), in_c2.to_string()];
    want.sort();
    assert_eq!(cases, want);
    assert_eq!(ids(&rows, "certificate").len(), 1);
    // No image shows the full ID number or phone, in fields or in free text.
    for r in &rows {
        for image in [&r.before, &r.after].into_iter().flatten() {
            assert!(
                !image.contains("360426199101010071") && !image.contains("13912345678"),
                "{image}"
            );
            assert!(!image.contains("\"李四\""), "{image}");
        }
    }
    assert!(
        rows.iter()
            .flat_map(|r| r.after.iter())
            .any(|a| a.contains("3604**********0071")),
        "masked, not dropped"
    );
    // The chain still verifies with the scope column added.
    assert!(app.audit_verify(&leader_s).await.unwrap().is_ok());
}

#[tokio::test]
async fn the_audit_log_is_scoped_to_the_leaders_units_and_masked() {
    on_both!(the_audit_log_is_scoped_and_masked);
}

async fn passwords_only_inside_scope(db: &Db) {
    let w = seed(db).await;
    let app = app(db);
    let admin_s = actor(1, "admin_s", &w.street, &[Role::Admin]);
    app.create_user(&admin_s, &user_input("street_admin2", "S", None))
        .await
        .unwrap();
    let admin_c1 = actor(101, "admin_c1", &w.c1, &[Role::Admin]);
    forbidden(
        app.set_password(&admin_c1, "street_admin2", "Another!long9pass")
            .await,
        "a street user's password",
    );
}

#[tokio::test]
async fn a_community_admin_cannot_set_a_street_users_password() {
    on_both!(passwords_only_inside_scope);
}

async fn imports_only_for_units_in_scope(db: &Db) {
    let w = seed(db).await;
    let app = app(db);
    let report = "望江街道2025年法治政府建设年度报告\n一、主要举措\n全年办理行政执法案件120件。\n"
        .as_bytes();
    let handler_c1 = actor(60, "handler_c1", &w.c1, &[Role::Handler]);
    // A community handler cannot store the street's report (named or detected).
    forbidden(
        app.import_report(
            &handler_c1,
            "r.txt",
            report,
            Some("望江街道".into()),
            Some(2025),
        )
        .await,
        "the street's report from a community",
    );
    forbidden(
        app.import_report(
            &handler_c1,
            "r.txt",
            report,
            Some("江畔社区".into()),
            Some(2025),
        )
        .await,
        "a sibling community's report",
    );
    // The street stores its own; a report of a unit outside this system is external.
    let handler_s = actor(61, "handler_s", &w.street, &[Role::Handler]);
    let own = app
        .import_report(
            &handler_s,
            "r.txt",
            report,
            Some("望江街道".into()),
            Some(2025),
        )
        .await
        .unwrap();
    assert_eq!(own.unit_id, Some(w.street.id));
    let external = app
        .import_report(
            &handler_c1,
            "h.txt",
            report,
            Some("海幢街道".into()),
            Some(2025),
        )
        .await
        .unwrap();
    assert_eq!(external.unit_id, None);
}

#[tokio::test]
async fn published_reports_are_imported_only_for_units_in_scope_or_as_external() {
    on_both!(imports_only_for_units_in_scope);
}
