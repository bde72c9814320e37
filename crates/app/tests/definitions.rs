//! Definition versions end to end, on SQLite and PostgreSQL: a petition opened under the built-in
//! definition records its version; a local rule shortens the handling limit to 45 days (version
//! 2026.2); `migrate_cases` reports in a dry run what would move and writes nothing, then moves
//! the case in one audited transaction per case: version, clocks, due date, and a record of the
//! clock that moved (2026-03-10 → 2026-02-24); a second run finds nothing to do.

use std::sync::Arc;

use fazhi_app::cases::{CreateCase, TakeTransition};
use fazhi_app::{Actor, App, FixedClock};
use fazhi_store::definitions;
use fazhi_store::testing::seed_units;
use fazhi_store::{AuditFilter, Db, on_both};
use fazhi_workflow::{ClockChangeKind, Registry, WorkflowConfig};
use serde_json::{Map, Value, json};

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

/// The built-in definitions with petition's handling limit changed to 45 days, version 2026.2.
fn changed_registry() -> (Registry, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("case_types/petition");
    std::fs::create_dir_all(&folder).unwrap();
    let text = include_str!("../../../case_types/petition/case_type.toml")
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace(
            "stop = [\"reply\", \"divert\"]\nn = 60",
            "stop = [\"reply\", \"divert\"]\nn = 45",
        );
    std::fs::write(folder.join("case_type.toml"), text).unwrap();
    let reg = Registry::load_dir(dir.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    (reg, dir)
}

async fn versions_and_migration(db: &Db) {
    let (street, _, _) = seed_units(db).await;
    let mut actor = Actor::system(street.id, &street.path);
    actor.roles.push(fazhi_domain::Role::Handler);
    let clock = || Arc::new(FixedClock::at("2026-02-01".parse().unwrap()));
    let old = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        clock(),
    );
    let old_tag = old.registry.get("petition").unwrap().version_tag();
    assert_eq!(
        old.record_definitions("system").await.unwrap(),
        old.registry.types().count()
    );
    assert_eq!(old.record_definitions("system").await.unwrap(), 0);
    let created = old
        .create_case(
            &actor,
            &CreateCase {
                case_type: "petition".into(),
                transition: None,
                unit_code: None,
                on: Some("2026-01-05".into()),
                on_reason: None,
                input: fields(
                    json!({"channel": "来信", "subject": "噪音", "content": "夜间施工噪音"}),
                ),
            },
        )
        .await
        .unwrap();
    let id = created.case_id;
    old.transition(
        &actor,
        id,
        &TakeTransition {
            transition: "accept".into(),
            on: Some("2026-01-09".into()),
            on_reason: None,
            version: None,
            input: fields(json!({"category": "申诉求决", "acceptance_notice": "已受理"})),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        definitions::definition_version(db, id)
            .await
            .unwrap()
            .as_deref(),
        Some(old_tag.as_str())
    );

    let (registry, _dir) = changed_registry();
    let new = App::new(db.clone(), registry, WorkflowConfig::embedded(), clock());
    let new_tag = new.registry.get("petition").unwrap().version_tag();
    assert!(new_tag.starts_with("2026.2+"));

    let dry = new.migrate_cases("system", "petition", true).await.unwrap();
    assert_eq!(dry.cases.len(), 1);
    let c = &dry.cases[0];
    assert!(!c.migrated && c.problems_zh.is_empty(), "{c:#?}");
    assert_eq!(c.from_version.as_deref(), Some(old_tag.as_str()));
    assert_eq!(c.clocks.len(), 1, "{:#?}", c.clocks);
    assert_eq!(c.clocks[0].code, "handling_limit");
    assert_eq!(c.clocks[0].kind, ClockChangeKind::Moved);
    assert_eq!(c.clocks[0].due_before, Some("2026-03-10".parse().unwrap()));
    assert_eq!(c.clocks[0].due_after, Some("2026-02-24".parse().unwrap()));
    assert_eq!(
        definitions::definition_version(db, id)
            .await
            .unwrap()
            .as_deref(),
        Some(old_tag.as_str()),
        "a dry run writes nothing"
    );
    assert!(
        definitions::definition_migrations(db, id)
            .await
            .unwrap()
            .is_empty()
    );

    let done = new
        .migrate_cases("system", "petition", false)
        .await
        .unwrap();
    assert_eq!(done.migrated(), 1);
    assert_eq!(
        definitions::definition_version(db, id)
            .await
            .unwrap()
            .as_deref(),
        Some(new_tag.as_str())
    );
    let rows = definitions::definition_migrations(db, id).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].from_version.as_deref(), Some(old_tag.as_str()));
    assert_eq!(rows[0].changes[0]["due_before"], json!("2026-03-10"));
    assert_eq!(rows[0].changes[0]["due_after"], json!("2026-02-24"));
    let stored = fazhi_store::cases::clocks(db, id).await.unwrap();
    let handling = stored.iter().find(|c| c.code == "handling_limit").unwrap();
    assert_eq!(handling.due_on.as_deref(), Some("2026-02-24"));
    let case = fazhi_store::cases::case(db, id).await.unwrap();
    assert_eq!(case.due_on.as_deref(), Some("2026-02-24"));
    let audit = fazhi_store::audit::list(
        db,
        &AuditFilter {
            entity_id: Some(id.to_string()),
            limit: 100,
            ..AuditFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "migrate_definition" && a.entity_id == id.to_string()),
        "the migration is audited"
    );
    assert!(fazhi_store::verify_chain(db).await.unwrap().is_ok());
    // Nothing left to move.
    let again = new
        .migrate_cases("system", "petition", false)
        .await
        .unwrap();
    assert!(again.cases.is_empty());
}

#[tokio::test]
async fn cases_record_their_definition_version_and_move_only_by_an_audited_migration() {
    on_both!(versions_and_migration);
}
