//! Definition versions: recording the definitions cases are opened under, and moving cases in
//! flight to a changed definition by an explicit, audited migration (issue 15 §1).
//!
//! A case records the version tag of its definition when it is opened (`cases.rs`, create path).
//! [`App::record_definitions`] keeps the text of every version in use, so that
//! [`App::migrate_cases`] can compare a case's clocks under the definition it was opened under
//! and the current one (`fazhi_workflow::compare_clocks`). A case whose version was never
//! recorded (opened before versions existed) is compared against its stored clocks. Each case
//! moved gets one transaction: its definition version, clocks and due summary, a row in
//! `case_definition_migrations` and an audit entry naming every clock that moved, from what due
//! date to what.

use std::path::Path;

use fazhi_domain::CaseId;
use fazhi_store::AuditEntry;
use fazhi_store::cases as store_cases;
use fazhi_store::definitions as store;
use fazhi_workflow::{
    CaseType, ClockChange, ClockChangeKind, ClockStatus, MigrationPlan, check_definition,
    compare_clocks,
};
use serde::Serialize;

use crate::cases::{clock_rows, due_summary, history_of};
use crate::{App, AppError};

/// The file of a case-type folder that holds the definition.
const DEFINITION_FILE: &str = "case_type.toml";

/// What a migration did (or, in a dry run, would do) to one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseMigration {
    pub case_id: CaseId,
    pub number: String,
    pub state: String,
    pub from_version: Option<String>,
    pub to_version: String,
    /// Only the clocks whose due date or status changes.
    pub clocks: Vec<ClockChange>,
    /// Why the case cannot move (it stays on its version).
    pub problems_zh: Vec<String>,
    pub migrated: bool,
}

/// The outcome of `migrate_cases` for one case type.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationReport {
    pub case_type: String,
    pub to_version: String,
    pub dry_run: bool,
    pub cases: Vec<CaseMigration>,
}

impl MigrationReport {
    pub fn migrated(&self) -> usize {
        self.cases.iter().filter(|c| c.migrated).count()
    }
}

impl App {
    /// Records the text of every loaded definition version (audited; nothing for versions already
    /// recorded). Returns how many were new.
    pub async fn record_definitions(&self, actor: &str) -> Result<usize, AppError> {
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let mut recorded = 0;
        for ct in self.registry.types() {
            let Some(text) = self
                .registry
                .folder(&ct.code)
                .and_then(|f| f.file(DEFINITION_FILE))
            else {
                continue;
            };
            let tag = ct.version_tag();
            if store::record_definition(&mut tx, &tag, &ct.code, &text.text, now).await? {
                recorded += 1;
                let after = serde_json::json!({ "case_type": ct.code, "version": tag });
                tx.audit(AuditEntry {
                    at: now,
                    actor,
                    action: "record_definition",
                    entity: "case_type",
                    entity_id: &ct.code,
                    before: None,
                    after: Some(&after),
                })
                .await?;
            }
        }
        tx.commit().await?;
        Ok(recorded)
    }

    /// Moves the open cases of a type that were opened under another definition version to the
    /// current one. With `dry_run` nothing is written. Cases the current definition cannot take
    /// (a state or a transition of their history no longer exists) stay and are reported.
    pub async fn migrate_cases(
        &self,
        actor: &str,
        case_type: &str,
        dry_run: bool,
    ) -> Result<MigrationReport, AppError> {
        let current = self.registry.get(case_type).ok_or_else(|| {
            AppError::invalid(
                "type",
                "unknown_case_type",
                format!("案件类型：未知的类型“{case_type}”"),
            )
        })?;
        if !dry_run {
            self.record_definitions(actor).await?;
        }
        let to_version = current.version_tag();
        let today = self.clock.today();
        let mut report = MigrationReport {
            case_type: case_type.to_owned(),
            to_version: to_version.clone(),
            dry_run,
            cases: Vec::new(),
        };
        for vc in store::cases_not_on_version(&self.db, case_type, &to_version).await? {
            let case = &vc.case;
            let events = store_cases::events(&self.db, case.id).await?;
            let history = history_of(&events);
            let old = match &vc.definition_version {
                Some(v) => self.recorded_definition(v).await?,
                None => None,
            };
            let plan = match &old {
                Some(old) => compare_clocks(
                    old,
                    current,
                    Some(&case.state),
                    &history,
                    &case.fields,
                    today,
                    &self.calendar,
                    &self.config,
                ),
                None => {
                    let stored = store_cases::clocks(&self.db, case.id).await?;
                    compare_with_stored(current, case, &history, &stored, today, self)
                }
            };
            let mut m = CaseMigration {
                case_id: case.id,
                number: case.number.clone(),
                state: case.state.clone(),
                from_version: vc.definition_version.clone(),
                to_version: to_version.clone(),
                clocks: plan.changed().cloned().collect(),
                problems_zh: plan.problems_zh.clone(),
                migrated: false,
            };
            if !dry_run && plan.can_migrate() {
                self.write_migration(actor, current, case, &vc.definition_version, &m, &history)
                    .await?;
                m.migrated = true;
            }
            report.cases.push(m);
        }
        Ok(report)
    }

    async fn recorded_definition(&self, version: &str) -> Result<Option<CaseType>, AppError> {
        let Some(text) = store::definition_text(&self.db, version).await? else {
            return Ok(None);
        };
        let (ct, _) = check_definition(Path::new(&format!("recorded:{version}")), &text);
        Ok(ct)
    }

    async fn write_migration(
        &self,
        actor: &str,
        current: &CaseType,
        case: &fazhi_store::CaseRow,
        from: &Option<String>,
        m: &CaseMigration,
        history: &[fazhi_workflow::HistoryEvent],
    ) -> Result<(), AppError> {
        let now = self.clock.now_ms();
        let today = self.clock.today();
        let clocks = fazhi_workflow::clocks(
            current,
            history,
            &case.fields,
            today,
            &self.calendar,
            &self.config,
        );
        let (due_on, due_level) = due_summary(current, &clocks);
        let changes =
            serde_json::to_value(&m.clocks).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        store::migrate_case(
            &mut tx,
            case.id,
            case.version,
            from.as_deref(),
            &m.to_version,
            due_on.as_deref(),
            due_level,
            &changes,
            actor,
            now,
        )
        .await?;
        store_cases::replace_clocks(
            &mut tx,
            case.id,
            &case.case_type,
            &clock_rows(case.id, &clocks),
        )
        .await?;
        let before = serde_json::json!({ "definition_version": from, "due_on": case.due_on });
        let after = serde_json::json!({
            "definition_version": m.to_version,
            "due_on": due_on,
            "clocks": changes,
        });
        tx.audit(AuditEntry {
            at: now,
            actor,
            action: "migrate_definition",
            entity: "case",
            entity_id: &case.id.to_string(),
            before: Some(&before),
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A case without a recorded definition: its stored clocks (computed under the definition it
/// was last moved with) against the clocks of the current definition.
fn compare_with_stored(
    current: &CaseType,
    case: &fazhi_store::CaseRow,
    history: &[fazhi_workflow::HistoryEvent],
    stored: &[fazhi_store::ClockRow],
    today: jiff::civil::Date,
    app: &App,
) -> MigrationPlan {
    // The comparison against itself supplies the problems (missing states and transitions).
    let mut plan = compare_clocks(
        current,
        current,
        Some(&case.state),
        history,
        &case.fields,
        today,
        &app.calendar,
        &app.config,
    );
    plan.version_before = "未记录".to_owned();
    let status = |s: &str| -> Option<ClockStatus> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    };
    let mut clocks = Vec::new();
    for c in &plan.clocks {
        let old = stored.iter().find(|s| s.code == c.code);
        let due_before = old
            .and_then(|o| o.due_on.as_deref())
            .and_then(|d| d.parse().ok());
        let status_before = old.and_then(|o| status(&o.status));
        let kind = match old {
            None => ClockChangeKind::Added,
            Some(_) if due_before == c.due_after && status_before == c.status_after => {
                ClockChangeKind::Unchanged
            }
            Some(_) => ClockChangeKind::Moved,
        };
        clocks.push(ClockChange {
            kind,
            due_before,
            status_before,
            basis_before: old.map(|o| o.basis.clone()),
            ..c.clone()
        });
    }
    for o in stored
        .iter()
        .filter(|o| !plan.clocks.iter().any(|c| c.code == o.code))
    {
        clocks.push(ClockChange {
            code: o.code.clone(),
            label_zh: o.label.clone(),
            kind: ClockChangeKind::Removed,
            due_before: o.due_on.as_deref().and_then(|d| d.parse().ok()),
            due_after: None,
            status_before: status(&o.status),
            status_after: None,
            basis_before: Some(o.basis.clone()),
            basis_after: None,
        });
    }
    plan.clocks = clocks;
    plan
}
