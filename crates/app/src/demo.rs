//! Loads a generated demo street through the same services a clerk uses: every case step is a
//! real transition (guards, clocks, audit), dated on the day the script says it happened.

use std::collections::HashMap;
use std::sync::Arc;

use fazhi_demo::DemoStreet;
use fazhi_store::org::{self, NewCertificate, NewOfficer, NewUser};
use fazhi_store::{AuditEntry, UnitRow};

use crate::cases::{CreateCase, TakeTransition};
use crate::{Actor, App, AppError, FixedClock};

/// What was loaded.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DemoSummary {
    pub units: usize,
    pub users: usize,
    pub officers: usize,
    pub cases: usize,
    pub steps: usize,
    pub evidence: usize,
}

/// Loads `street` into an empty database. `app` supplies the database, registry and config; its
/// clock is replaced by a fixed clock that follows the script's dates.
pub async fn load_demo(app: &App, street: &DemoStreet) -> Result<DemoSummary, AppError> {
    let clock = Arc::new(FixedClock::at(street.start));
    let mut app = app.clone();
    app.clock = clock.clone();
    let mut summary = DemoSummary::default();
    let now = app.clock.now_ms();

    // Organisation, users, officers: one audited transaction.
    let hash = crate::auth::hash_password(fazhi_demo::DEMO_PASSWORD)?;
    let mut tx = app.db.begin().await?;
    let mut units: HashMap<String, UnitRow> = HashMap::new();
    for u in &street.units {
        let parent = u.parent.as_ref().and_then(|p| units.get(p)).cloned();
        let row =
            org::insert_unit(&mut tx, parent.as_ref(), &u.code, &u.name, u.kind.code()).await?;
        let after = serde_json::to_value(&row).unwrap_or_default();
        tx.audit(AuditEntry {
            at: now,
            actor: "system",
            action: "create",
            entity: "unit",
            entity_id: &row.id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        units.insert(u.code.clone(), row);
    }
    summary.units = units.len();
    let mut depts = HashMap::new();
    for d in &street.departments {
        let unit = units.get(&d.unit).ok_or_else(|| {
            AppError::Internal(format!(
                "demo department {} has unknown unit {}",
                d.code, d.unit
            ))
        })?;
        let row = org::insert_department(&mut tx, unit.id, &d.code, &d.name).await?;
        let after = serde_json::to_value(&row).unwrap_or_default();
        tx.audit(AuditEntry {
            at: now,
            actor: "system",
            action: "create",
            entity: "department",
            entity_id: &row.id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        depts.insert(d.code.clone(), row.id);
    }
    let mut user_ids = HashMap::new();
    for u in &street.users {
        let unit = units
            .get(&u.unit)
            .ok_or_else(|| AppError::Internal(format!("demo user {} has unknown unit", u.login)))?;
        let roles = vec![u.role.code().to_string()];
        let id = org::insert_user(
            &mut tx,
            &NewUser {
                login: &u.login,
                display_name: &u.display_name,
                password_hash: &hash,
                unit_id: unit.id,
                department_id: u.department.as_ref().and_then(|d| depts.get(d)).copied(),
                scope: u.scope.code(),
                roles: &roles,
                created_at: now,
            },
        )
        .await?;
        let after = serde_json::json!({ "login": u.login, "display_name": u.display_name, "roles": roles, "scope": u.scope.code(), "unit": u.unit });
        tx.audit(AuditEntry {
            at: now,
            actor: "system",
            action: "create",
            entity: "user",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        user_ids.insert(u.login.clone(), (id, u.clone()));
    }
    summary.users = user_ids.len();
    for o in &street.officers {
        let user = user_ids.get(&o.login);
        let unit = user
            .map(|(_, u)| u.unit.clone())
            .unwrap_or_else(|| fazhi_demo::STREET_CODE.to_string());
        let unit_id = units
            .get(&unit)
            .map(|u| u.id)
            .ok_or_else(|| AppError::Internal("demo officer unit".into()))?;
        let legal_reviewer = user
            .map(|(_, u)| u.role == fazhi_domain::Role::LegalReviewer)
            .unwrap_or(false);
        let id = org::insert_officer(
            &mut tx,
            &NewOfficer {
                code: &o.login,
                name: &o.name,
                user_id: user.map(|(id, _)| *id),
                unit_id,
                department_id: depts.get("enforcement").copied(),
                legal_reviewer,
            },
        )
        .await?;
        let after = serde_json::json!({ "code": o.login, "name": o.name });
        tx.audit(AuditEntry {
            at: now,
            actor: "system",
            action: "create",
            entity: "officer",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        for c in &o.certificates {
            let (from, to) = (c.valid_from.to_string(), c.valid_to.to_string());
            let cid = org::insert_certificate(
                &mut tx,
                &NewCertificate {
                    officer_id: id,
                    number: &c.number,
                    domain: &c.domain,
                    valid_from: &from,
                    valid_to: &to,
                    annual_check_year: Some(c.annual_check_year as i64),
                },
            )
            .await?;
            let after = serde_json::to_value(c).unwrap_or_default();
            tx.audit(AuditEntry {
                at: now,
                actor: "system",
                action: "create",
                entity: "certificate",
                entity_id: &cid.to_string(),
                before: None,
                after: Some(&after),
            })
            .await?;
        }
        summary.officers += 1;
    }
    // The register of persons without an account (法律明白人 of the communities).
    for p in &street.register {
        let unit_id = units
            .get(&p.unit)
            .map(|u| u.id)
            .ok_or_else(|| AppError::Internal(format!("demo register unit {}", p.unit)))?;
        let id = org::insert_officer(
            &mut tx,
            &NewOfficer {
                code: &p.code,
                name: &p.name,
                user_id: None,
                unit_id,
                department_id: depts.get("justice").copied(),
                legal_reviewer: false,
            },
        )
        .await?;
        let after = serde_json::json!({ "code": p.code, "name": p.name });
        tx.audit(AuditEntry {
            at: now,
            actor: "system",
            action: "create",
            entity: "officer",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        let c = &p.certificate;
        let (from, to) = (c.valid_from.to_string(), c.valid_to.to_string());
        let cid = org::insert_certificate(
            &mut tx,
            &NewCertificate {
                officer_id: id,
                number: &c.number,
                domain: &c.domain,
                valid_from: &from,
                valid_to: &to,
                annual_check_year: Some(c.annual_check_year as i64),
            },
        )
        .await?;
        let after = serde_json::to_value(c).unwrap_or_default();
        tx.audit(AuditEntry {
            at: now,
            actor: "system",
            action: "create",
            entity: "certificate",
            entity_id: &cid.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
    }
    tx.commit().await?;

    // Cases, step by step, in date order across cases so "today" only moves forward.
    let mut actors: HashMap<String, Actor> = HashMap::new();
    for (login, (id, _)) in &user_ids {
        let row = org::user(&app.db, *id).await?;
        actors.insert(login.clone(), app.actor_for(&row).await?);
    }
    // Every script, the cases steps open included (after the case that opens them, so on a
    // shared day the opening step comes first): (case, index of the opening case and step).
    let mut scripts: Vec<(&fazhi_demo::DemoCase, Option<(usize, usize)>)> = Vec::new();
    for c in &street.cases {
        flatten(c, None, &mut scripts);
    }
    let mut steps: Vec<(jiff::civil::Date, usize, usize)> = Vec::new();
    for (ci, (c, _)) in scripts.iter().enumerate() {
        for (si, s) in c.steps.iter().enumerate() {
            steps.push((s.on, ci, si));
        }
    }
    steps.sort();
    let mut children: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (k, (_, by)) in scripts.iter().enumerate() {
        if let Some(by) = by {
            children.entry(*by).or_default().push(k);
        }
    }
    let mut ids = vec![None; scripts.len()];
    for (on, ci, si) in steps {
        clock.set(on);
        let (case, opened_by) = scripts[ci];
        let step = &case.steps[si];
        let actor = actors
            .get(&step.actor)
            .ok_or_else(|| AppError::Internal(format!("demo step actor {} unknown", step.actor)))?;
        let on_s = Some(on.to_string());
        if si == 0 && opened_by.is_none() {
            let o = app
                .create_case(
                    actor,
                    &CreateCase {
                        case_type: case.case_type.clone(),
                        transition: Some(step.transition.clone()),
                        unit_code: Some(case.unit.clone()),
                        on: on_s,
                        on_reason: Some("补录历史记录".into()),
                        input: step.input.clone(),
                    },
                )
                .await
                .map_err(|e| demo_error(case, step, e))?;
            ids[ci] = Some(o.case_id);
            summary.cases += 1;
        } else {
            let id = ids[ci].ok_or_else(|| {
                AppError::Internal(format!(
                    "demo case {}: step {} before the case exists",
                    case.reference, step.transition
                ))
            })?;
            if let Some(ev) = &step.evidence {
                app.add_evidence(
                    actor,
                    id,
                    &format!("{}.txt", ev.title),
                    "text/plain",
                    ev.content.as_bytes(),
                    &ev.title,
                )
                .await
                .map_err(|e| demo_error(case, step, e))?;
                summary.evidence += 1;
            }
            let o = app
                .transition(
                    actor,
                    id,
                    &TakeTransition {
                        transition: step.transition.clone(),
                        on: on_s,
                        on_reason: Some("补录历史记录".into()),
                        version: None,
                        input: step.input.clone(),
                    },
                )
                .await
                .map_err(|e| demo_error(case, step, e))?;
            // The cases the step opened take the scripts the step carries, in declared order
            // per case type.
            let mut opened = o.opened.iter();
            for &k in children.get(&(ci, si)).into_iter().flatten() {
                let child = scripts[k].0;
                let Some(found) = opened.find(|x| x.case_type == child.case_type) else {
                    return Err(AppError::Internal(format!(
                        "demo case {} step {}: the step opened no {} case",
                        case.reference, step.transition, child.case_type
                    )));
                };
                ids[k] = Some(found.case_id);
                summary.cases += 1;
            }
        }
        summary.steps += 1;
    }
    Ok(summary)
}

/// Appends `case` and, after it, the cases its steps open (recursively).
fn flatten<'a>(
    case: &'a fazhi_demo::DemoCase,
    opened_by: Option<(usize, usize)>,
    out: &mut Vec<(&'a fazhi_demo::DemoCase, Option<(usize, usize)>)>,
) {
    let me = out.len();
    out.push((case, opened_by));
    for (si, s) in case.steps.iter().enumerate() {
        for child in &s.opens {
            flatten(child, Some((me, si)), out);
        }
    }
}

fn demo_error(case: &fazhi_demo::DemoCase, step: &fazhi_demo::DemoStep, e: AppError) -> AppError {
    let detail = match &e {
        AppError::Refused(r) => r
            .iter()
            .map(|r| format!("{}: {}", r.code, r.message_zh))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::Invalid(p) => p
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    AppError::Internal(format!(
        "demo case {} step {} on {} failed: {detail}",
        case.reference, step.transition, step.on
    ))
}
