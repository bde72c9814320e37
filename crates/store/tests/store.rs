//! Store tests: every test runs on SQLite (a temp file) and on PostgreSQL (a fresh database on
//! 127.0.0.1:5432, dropped afterwards). PostgreSQL being unreachable fails the test loudly,
//! unless FAZHI_TEST_POSTGRES=skip is set, which is reported on stderr.

use fazhi_domain::UnitId;
use fazhi_store::cases::{self, CaseFilter, CaseWrite};
use fazhi_store::org::{self, NewUser};
use fazhi_store::{AuditEntry, ConnectOptions, Db, StoreError, verify_chain};
use sqlx::Row;

use fazhi_store::on_both;
use fazhi_store::testing::seed_units;

fn case_write<'a>(
    unit: &'a fazhi_store::UnitRow,
    number: &'a str,
    fields: &'a serde_json::Map<String, serde_json::Value>,
    on: &'a str,
) -> CaseWrite<'a> {
    CaseWrite {
        case_type: "hotline_ticket",
        number,
        unit_id: unit.id,
        unit_path: &unit.path,
        department_id: None,
        owner_id: None,
        state: "received",
        title: "噪音扰民",
        category: Some("投诉"),
        created_on: on,
        closed_on: None,
        due_on: None,
        due_level: 0,
        published: false,
        fields,
        search_text: "噪音扰民 望江路128号",
        at: 1,
    }
}

async fn units_form_a_tree_and_subtrees_are_prefix_ranges(db: &Db) {
    let (d, s, c) = seed_units(db).await;
    assert_eq!(d.path, format!("/{}/", d.id));
    assert_eq!(c.path, format!("/{}/{}/{}/", d.id, s.id, c.id));
    let mut tx = db.begin().await.unwrap();
    let f = serde_json::Map::new();
    let n1 = cases::next_number(&mut tx, "12345-2026").await.unwrap();
    let n2 = cases::next_number(&mut tx, "12345-2026").await.unwrap();
    assert_eq!(
        (n1.as_str(), n2.as_str()),
        ("12345-2026-000001", "12345-2026-000002")
    );
    cases::insert_case(&mut tx, &case_write(&c, &n1, &f, "2026-03-02"))
        .await
        .unwrap();
    cases::insert_case(&mut tx, &case_write(&s, &n2, &f, "2026-03-03"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let list = |p: &str| CaseFilter {
        unit_path: Some(p.to_string()),
        limit: 50,
        ..Default::default()
    };
    let (rows, total) = cases::list_cases(db, &list(&s.path)).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(rows[0].number, n2, "newest first");
    let (rows, total) = cases::list_cases(db, &list(&c.path)).await.unwrap();
    assert_eq!((total, rows[0].number.as_str()), (1, n1.as_str()));
    let q = CaseFilter {
        query: Some("128号".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(cases::list_cases(db, &q).await.unwrap().1, 2);
    let q = CaseFilter {
        query: Some("100%".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        cases::list_cases(db, &q).await.unwrap().1,
        0,
        "% is escaped, not a wildcard"
    );
}

async fn stale_versions_are_conflicts(db: &Db) {
    let (_, _, c) = seed_units(db).await;
    let f = serde_json::Map::new();
    let mut tx = db.begin().await.unwrap();
    let id = cases::insert_case(&mut tx, &case_write(&c, "N-1", &f, "2026-03-02"))
        .await
        .unwrap();
    let v = cases::update_case(&mut tx, id, 1, &case_write(&c, "N-1", &f, "2026-03-02"))
        .await
        .unwrap();
    assert_eq!(v, 2);
    // Another write between the two updates affects a row; the update's own count decides.
    tx.audit(AuditEntry {
        at: 1,
        actor: "admin",
        action: "test",
        entity: "case",
        entity_id: &id.to_string(),
        before: None,
        after: None,
    })
    .await
    .unwrap();
    let err = cases::update_case(&mut tx, id, 1, &case_write(&c, "N-1", &f, "2026-03-02"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    tx.commit().await.unwrap();
}

async fn a_case_bundle_is_the_case_with_its_events_evidence_and_officers(db: &Db) {
    let (_, s, c) = seed_units(db).await;
    let f = serde_json::Map::new();
    let input = serde_json::Map::new();
    let mut tx = db.begin().await.unwrap();
    let other = cases::insert_case(&mut tx, &case_write(&s, "N-0", &f, "2026-03-01"))
        .await
        .unwrap();
    let id = cases::insert_case(&mut tx, &case_write(&c, "N-1", &f, "2026-03-02"))
        .await
        .unwrap();
    for (case, seq, transition, on) in [
        (id, 1, "create", "2026-03-02"),
        (id, 2, "dispatch", "2026-03-03"),
        (other, 1, "create", "2026-03-01"),
    ] {
        let event = cases::NewEvent {
            case_id: case,
            seq,
            transition,
            from_state: None,
            to_state: "received",
            on_date: on,
            at: seq,
            actor_id: None,
            input: &input,
        };
        cases::insert_event(&mut tx, "hotline_ticket", &event)
            .await
            .unwrap();
    }
    cases::put_blob(&mut tx, "ab", b"x").await.unwrap();
    for case in [id, other] {
        cases::insert_evidence(
            &mut tx,
            &cases::NewEvidence {
                case_id: case,
                sha256: "ab",
                filename: "现场照片.jpg",
                media_type: "image/jpeg",
                size: 1,
                description: "现场",
                uploaded_by: None,
                at: 2,
            },
        )
        .await
        .unwrap();
    }
    let mut officers = Vec::new();
    for code in ["ZF002", "ZF001"] {
        officers.push(
            org::insert_officer(
                &mut tx,
                &org::NewOfficer {
                    code,
                    name: "执法人员",
                    user_id: None,
                    unit_id: s.id,
                    department_id: None,
                    legal_reviewer: false,
                },
            )
            .await
            .unwrap(),
        );
    }
    cases::set_case_officers(&mut tx, id, &officers)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let b = cases::case_bundle(db, id).await.unwrap();
    assert_eq!(json(&b.case), json(&cases::case(db, id).await.unwrap()));
    assert_eq!(json(&b.events), json(&cases::events(db, id).await.unwrap()));
    assert_eq!(b.events.len(), 2);
    assert_eq!(b.evidence.len(), 1);
    assert_eq!(
        json(&b.evidence),
        json(&cases::evidence_of(db, id).await.unwrap())
    );
    assert_eq!(b.officers, cases::case_officers(db, id).await.unwrap());
    assert_eq!(b.officers.len(), 2);
    // A case without events, evidence or officers, and one that does not exist.
    let mut tx = db.begin().await.unwrap();
    let bare = cases::insert_case(&mut tx, &case_write(&c, "N-2", &f, "2026-03-04"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let b = cases::case_bundle(db, bare).await.unwrap();
    assert_eq!(b.case.number, "N-2");
    assert!(b.events.is_empty() && b.evidence.is_empty() && b.officers.is_empty());
    assert!(matches!(
        cases::case_bundle(db, fazhi_domain::CaseId(999_999)).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn units_and_departments_created_later_or_elsewhere_are_found(db: &Db) {
    let (d, s, _) = seed_units(db).await;
    // Cached lookups answer what the database holds.
    assert_eq!(org::unit(db, s.id).await.unwrap(), s);
    assert_eq!(org::unit(db, s.id).await.unwrap(), s);
    assert_eq!(
        org::unit_by_code(db, &s.code).await.unwrap(),
        Some(s.clone())
    );
    assert_eq!(org::unit_by_code(db, "NEW-C").await.unwrap(), None);
    assert_eq!(org::department_by_code(db, "new-dept").await.unwrap(), None);
    // A unit and a department rolled back are not found …
    let mut tx = db.begin().await.unwrap();
    org::insert_unit(&mut tx, Some(&s), "NEW-C", "新社区", "community")
        .await
        .unwrap();
    org::insert_department(&mut tx, d.id, "new-dept", "新部门")
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(org::unit_by_code(db, "NEW-C").await.unwrap(), None);
    assert_eq!(org::department_by_code(db, "new-dept").await.unwrap(), None);
    // … and once committed, through another connection of the same database (another process),
    // they are.
    let other = Db::connect(db.url(), ConnectOptions::default())
        .await
        .unwrap();
    let mut tx = other.begin().await.unwrap();
    let c = org::insert_unit(&mut tx, Some(&s), "NEW-C", "新社区", "community")
        .await
        .unwrap();
    let dept = org::insert_department(&mut tx, d.id, "new-dept", "新部门")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    other.close().await;
    assert_eq!(
        org::unit_by_code(db, "NEW-C").await.unwrap(),
        Some(c.clone())
    );
    assert_eq!(org::unit(db, c.id).await.unwrap(), c);
    assert_eq!(
        org::department_by_code(db, "new-dept").await.unwrap(),
        Some(dept)
    );
}

/// Rows compared through their JSON form (they derive `Serialize`, not `PartialEq`).
fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap()
}

async fn audit_chain_verifies_and_names_the_first_altered_entry(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    for i in 0..5 {
        let after = serde_json::json!({"n": i});
        tx.audit(AuditEntry {
            at: i,
            actor: "admin",
            action: "test",
            entity: "thing",
            entity_id: "1",
            before: None,
            after: Some(&after),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    // A rolled-back transaction leaves no entries and does not move the head.
    let mut tx = db.begin().await.unwrap();
    tx.audit(AuditEntry {
        at: 9,
        actor: "x",
        action: "y",
        entity: "z",
        entity_id: "1",
        before: None,
        after: None,
    })
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(verify_chain(db).await.unwrap(), Ok(5));
    // The database refuses updates and deletes.
    assert!(
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE id = 3")
            .execute(db.pool())
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE id = 5")
            .execute(db.pool())
            .await
            .is_err()
    );
    // Someone with raw file access drops the triggers and edits entry 3.
    match db.backend() {
        fazhi_store::Backend::Sqlite => {
            sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(db.pool())
                .await
                .unwrap();
        }
        fazhi_store::Backend::Postgres => {
            sqlx::query("DROP TRIGGER audit_log_no_update ON audit_log")
                .execute(db.pool())
                .await
                .unwrap();
        }
    }
    sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE id = 3")
        .execute(db.pool())
        .await
        .unwrap();
    let problem = verify_chain(db).await.unwrap().unwrap_err();
    assert_eq!(problem.id, 3);
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(n, 5);
}

async fn users_are_unique_by_login(db: &Db) {
    let (_, s, _) = seed_units(db).await;
    let roles = vec!["handler".to_string()];
    let u = NewUser {
        login: "wang",
        display_name: "王某",
        password_hash: "h",
        unit_id: s.id,
        department_id: None,
        scope: "unit_subtree",
        roles: &roles,
        created_at: 0,
    };
    let mut tx = db.begin().await.unwrap();
    org::insert_user(&mut tx, &u).await.unwrap();
    assert!(matches!(
        org::insert_user(&mut tx, &u).await,
        Err(StoreError::Conflict(_))
    ));
    tx.commit().await.unwrap();
    let got = org::user_by_login(db, "wang").await.unwrap().unwrap();
    assert_eq!(got.roles, roles);
    assert_eq!(got.unit_id, UnitId(s.id.0));
}

#[tokio::test]
async fn units_form_a_tree_and_subtree_lists_use_prefix_ranges() {
    on_both!(units_form_a_tree_and_subtrees_are_prefix_ranges);
}

#[tokio::test]
async fn updates_with_a_stale_version_are_refused_as_conflicts() {
    on_both!(stale_versions_are_conflicts);
}

#[tokio::test]
async fn the_audit_chain_verifies_and_names_the_first_altered_entry() {
    on_both!(audit_chain_verifies_and_names_the_first_altered_entry);
}

#[tokio::test]
async fn a_case_bundle_reads_what_the_single_reads_read() {
    on_both!(a_case_bundle_is_the_case_with_its_events_evidence_and_officers);
}

#[tokio::test]
async fn unit_and_department_lookups_find_what_was_committed_since() {
    on_both!(units_and_departments_created_later_or_elsewhere_are_found);
}

#[tokio::test]
async fn logins_are_unique() {
    on_both!(users_are_unique_by_login);
}

#[tokio::test]
async fn a_mistyped_sqlite_path_is_an_error_not_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such.db");
    let err = Db::connect(
        &format!("sqlite://{}", path.display()),
        ConnectOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::MissingDatabase(_)), "{err}");
    assert!(!path.exists());
}

#[tokio::test]
async fn both_migration_sets_define_the_same_tables_and_columns() {
    use fazhi_store::testing::migration_columns as columns;
    let s = include_str!("../migrations/sqlite/0001_init.sql");
    let p = include_str!("../migrations/postgres/0001_init.sql");
    assert_eq!(columns(s), columns(p));
}
