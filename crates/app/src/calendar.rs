//! The calendar's next year (issue 22): a year's official holiday arrangement loaded without a
//! new release (`fazhi calendar import`), validated, audited and recorded with the calendar
//! version it produces; the application's calendar is the embedded data plus the imported
//! years ([`App::load_calendar_years`] at start, and again after every import); every clock a
//! new year can move is recomputed and each change recorded in the audit log.

use std::sync::Arc;

use fazhi_calendar::Calendar;
use fazhi_domain::CaseId;
use fazhi_store::AuditEntry;
use fazhi_store::calendar as store;
use fazhi_store::cases as store_cases;
use serde::Serialize;

use crate::cases::{clock_rows, due_summary, history_of};
use crate::{App, AppError, FieldProblem};

/// One clock that an import moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockMove {
    pub code: String,
    pub label: String,
    pub due_before: Option<String>,
    pub due_after: Option<String>,
    pub status_before: String,
    pub status_after: String,
    pub level_before: String,
    pub level_after: String,
    pub provisional_before: bool,
    pub provisional_after: bool,
}

/// A case whose clocks an import moved.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRecompute {
    pub case_id: CaseId,
    pub number: String,
    pub clocks: Vec<ClockMove>,
}

/// What `fazhi calendar import` did.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarImport {
    pub year: i16,
    pub holidays: usize,
    pub workdays: usize,
    pub sha256: String,
    pub version_before: String,
    pub version_after: String,
    /// The same file was imported before: nothing was written.
    pub unchanged: bool,
    /// Cases whose clocks moved (recomputed on the new calendar, each audited).
    pub cases: Vec<CaseRecompute>,
}

fn provisional_of(detail: &serde_json::Value) -> bool {
    detail
        .get("provisional")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

fn sha256_hex(data: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data.as_bytes()))
}

impl App {
    /// Adds the imported years to the calendar (the embedded data, with the province overlay
    /// when one was applied). Called at start and after an import.
    pub async fn load_calendar_years(&mut self) -> Result<(), AppError> {
        let mut cal: Calendar = (*self.calendar).clone();
        for y in store::years(&self.db).await? {
            let year = i16::try_from(y.year).map_err(|_| {
                AppError::Internal(format!("calendar year {} out of range", y.year))
            })?;
            cal = cal.with_year(year, &y.data).map_err(|p| {
                AppError::Internal(format!("imported calendar year {year}: {}", p.join("; ")))
            })?;
        }
        self.calendar = Arc::new(cal);
        Ok(())
    }

    /// Imports one year's official arrangement (JSON array of `{date, kind, name}`, every date
    /// in one year), then recomputes every clock the new year can move. All or nothing: the
    /// year, the moved clocks and their audit entries are written in one transaction; on
    /// success `self.calendar` is the new calendar.
    pub async fn import_calendar_year(
        &mut self,
        actor: &str,
        data: &str,
    ) -> Result<CalendarImport, AppError> {
        let invalid = |problems: Vec<String>| {
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|m| FieldProblem::new("file", "invalid_calendar", m))
                    .collect(),
            )
        };
        let year = fazhi_calendar::year_of(data).ok_or_else(|| {
            invalid(vec![
                "文件：应为节假日安排的JSON数组，每项含date（YYYY-MM-DD）、kind（holiday或workday）和name，未找到任何有效日期"
                    .to_owned(),
            ])
        })?;
        let arrangement = fazhi_calendar::validate_year(year, data).map_err(invalid)?;
        let new_cal = self.calendar.with_year(year, data).map_err(invalid)?;
        let sha256 = sha256_hex(data);
        let version_before = self.calendar.calendar_version().to_owned();
        let mut report = CalendarImport {
            year,
            holidays: arrangement.holidays(),
            workdays: arrangement.workdays(),
            sha256: sha256.clone(),
            version_before: version_before.clone(),
            version_after: new_cal.calendar_version().to_owned(),
            unchanged: false,
            cases: Vec::new(),
        };
        let previous = store::years(&self.db)
            .await?
            .into_iter()
            .find(|y| y.year == i64::from(year));
        if previous.as_ref().is_some_and(|p| p.sha256 == sha256) {
            report.unchanged = true;
            report.version_after = version_before;
            return Ok(report);
        }

        // Every clock the year can move: computed on the new calendar before anything is
        // written, compared with the stored clock.
        let today = self.clock.today();
        let from = format!("{year:04}-01-01");
        let mut writes = Vec::new();
        for id in store::cases_with_clocks_from(&self.db, &from).await? {
            let case = store_cases::case(&self.db, CaseId(id)).await?;
            let Some(t) = self.registry.get(&case.case_type) else {
                continue;
            };
            let events = store_cases::events(&self.db, case.id).await?;
            let history = history_of(&events);
            let stored = store_cases::clocks(&self.db, case.id).await?;
            let clocks =
                fazhi_workflow::clocks(t, &history, &case.fields, today, &new_cal, &self.config);
            let rows = clock_rows(case.id, &clocks);
            let mut moves = Vec::new();
            for r in &rows {
                let old = stored.iter().find(|s| s.code == r.code);
                let m = ClockMove {
                    code: r.code.clone(),
                    label: r.label.clone(),
                    due_before: old.and_then(|o| o.due_on.clone()),
                    due_after: r.due_on.clone(),
                    status_before: old.map(|o| o.status.clone()).unwrap_or_default(),
                    status_after: r.status.clone(),
                    level_before: old.map(|o| o.level.clone()).unwrap_or_default(),
                    level_after: r.level.clone(),
                    provisional_before: old.is_some_and(|o| provisional_of(&o.detail)),
                    provisional_after: provisional_of(&r.detail),
                };
                if m.due_before != m.due_after
                    || m.status_before != m.status_after
                    || m.level_before != m.level_after
                    || m.provisional_before != m.provisional_after
                {
                    moves.push(m);
                }
            }
            if moves.is_empty() {
                continue;
            }
            let (due_on, due_level) = due_summary(t, &clocks);
            report.cases.push(CaseRecompute {
                case_id: case.id,
                number: case.number.clone(),
                clocks: moves,
            });
            writes.push((case, rows, due_on, due_level));
        }

        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        store::put(
            &mut tx,
            &store::CalendarYear {
                year: i64::from(year),
                data: data.to_owned(),
                sha256: sha256.clone(),
                calendar_version: report.version_after.clone(),
                imported_by: actor.to_owned(),
                imported_at: now,
            },
        )
        .await?;
        let before = serde_json::json!({
            "calendar_version": version_before,
            "year_sha256": previous.as_ref().map(|p| p.sha256.clone()),
        });
        let after = serde_json::json!({
            "calendar_version": report.version_after,
            "year": year,
            "year_sha256": sha256,
            "holidays": report.holidays,
            "workdays": report.workdays,
            "cases_recomputed": report.cases.len(),
        });
        tx.audit(AuditEntry {
            at: now,
            actor,
            action: "import_calendar",
            entity: "calendar",
            entity_id: &year.to_string(),
            before: Some(&before),
            after: Some(&after),
        })
        .await?;
        for ((case, rows, due_on, due_level), rec) in writes.iter().zip(&report.cases) {
            store::set_due(
                &mut tx,
                case.id.0,
                case.version,
                due_on.as_deref(),
                *due_level,
                now,
            )
            .await?;
            store_cases::replace_clocks(&mut tx, case.id, &case.case_type, rows).await?;
            let before = serde_json::json!({
                "due_on": case.due_on,
                "calendar_version": version_before,
            });
            let after = serde_json::json!({
                "due_on": due_on,
                "calendar_version": report.version_after,
                "clocks": rec.clocks,
            });
            tx.audit(AuditEntry {
                at: now,
                actor,
                action: "recompute_clocks",
                entity: "case",
                entity_id: &case.id.to_string(),
                before: Some(&before),
                after: Some(&after),
            })
            .await?;
        }
        tx.commit().await?;
        self.calendar = Arc::new(new_cal);
        Ok(report)
    }
}
