//! Case documents (文书, issue 21): a case type's templates (`documents.toml`, read by
//! `fazhi-reports`) filled from the case, previewed, issued as records and served.
//!
//! Issuing a document takes its number (文号) from the counter of the case's unit, the
//! template's kind and the year of issue inside the issuing transaction, renders the DOCX, stores
//! it as a content-addressed blob with its SHA-256 and writes the audit entry — all or nothing.
//! An issued document never changes (the database refuses it); a correction is a new document
//! that names the one it corrects.

use fazhi_domain::{CaseId, Role};
use fazhi_reports::documents::{
    self as docs, CaseTypeDocuments, DocContext, FilledDocument, Template,
};
use fazhi_store::cases as store;
use fazhi_store::documents::{self as records, DocumentRow, NewDocument};
use fazhi_store::{AuditEntry, org};
use fazhi_workflow::{CaseType, FieldKind};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError};

/// Media type of the issued file.
pub const DOCX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Methods of service (《中华人民共和国民事诉讼法》第八十七条至第九十五条, applied to
/// administrative penalties by 《中华人民共和国行政处罚法》第六十一条).
pub const SERVICE_METHODS: &[&str] = &[
    "直接送达",
    "留置送达",
    "委托送达",
    "邮寄送达",
    "电子送达",
    "公告送达",
];

/// 公告送达: the document counts as served once this many days have passed since the
/// announcement (《中华人民共和国民事诉讼法》第九十五条, 2021 amendment: 三十日).
pub const ANNOUNCEMENT_DAYS: i32 = 30;

/// The day an announced service (公告送达) counts as served: [`ANNOUNCEMENT_DAYS`] after the
/// announcement.
pub fn announced_service_date(announced_on: Date) -> Date {
    announced_on
        .checked_add(ANNOUNCEMENT_DAYS.days())
        .unwrap_or(announced_on)
}

/// A document of a case as the case page lists it: a template (not yet issued, or issued).
#[derive(Debug, Clone, Serialize)]
pub struct DocumentEntry {
    pub name: String,
    /// The step that produces it, and whether the case has taken it.
    pub transition: String,
    pub transition_label: String,
    pub ready: bool,
    /// Issued copies, first to last (a correction follows the document it corrects).
    pub issued: Vec<DocumentRow>,
}

fn field_text(t: &CaseType, code: &str, v: &Value) -> Option<String> {
    let f = t.field(code)?;
    let s = match v {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Bool(b) => (if *b { "是" } else { "否" }).to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("、"),
        Value::Object(_) => v.to_string(),
    };
    // Dictionary values are written by their labels (flag sets store codes).
    let label = |s: &str| {
        f.dictionary
            .as_deref()
            .and_then(|d| t.dictionary(d))
            .and_then(|es| es.iter().find(|e| e.value == s))
            .map(|e| e.label_zh.clone())
            .unwrap_or_else(|| s.to_owned())
    };
    let s = match v {
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(label)
            .collect::<Vec<_>>()
            .join("、"),
        _ => label(&s),
    };
    (!s.trim().is_empty()).then_some(s)
}

impl App {
    /// The templates of a case type (none when its folder has no `documents.toml`).
    pub fn case_type_documents(&self, code: &str) -> Result<CaseTypeDocuments, AppError> {
        match docs::case_type_documents(&self.registry, code) {
            Ok(Some(d)) => Ok(d),
            Ok(None) => Ok(CaseTypeDocuments {
                case_type: code.to_owned(),
                ..CaseTypeDocuments::default()
            }),
            Err(diags) => Err(AppError::Internal(format!(
                "documents.toml of {code}: {}",
                diags
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))),
        }
    }

    fn template_of(
        &self,
        t: &CaseType,
        name: &str,
    ) -> Result<(CaseTypeDocuments, Template), AppError> {
        let all = self.case_type_documents(&t.code)?;
        let tpl = all.template(name).cloned().ok_or_else(|| {
            AppError::invalid(
                "name",
                "unknown_document",
                format!(
                    "文书名称：{}没有名为“{name}”的文书模板{}",
                    t.name_zh,
                    if all.templates.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "，可用：{}",
                            all.templates
                                .iter()
                                .map(|t| t.name.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        )
                    }
                ),
            )
        })?;
        Ok((all, tpl))
    }

    /// The values a document of the case is filled from. `reveal`: personal data in full (the
    /// party's copy, 《中华人民共和国行政处罚法》第五十九条); otherwise masked. Fields the actor
    /// may not see (`visible_to`) are left out whatever `reveal` says: their placeholders stay
    /// empty, so such a document cannot be issued by that actor either.
    async fn document_context(
        &self,
        actor: &Actor,
        t: &CaseType,
        case_id: CaseId,
        reveal: bool,
    ) -> Result<DocContext, AppError> {
        let roles = actor.role_codes();
        let bundle = store::case_bundle(&self.db, case_id).await?;
        let case = &bundle.case;
        let mut c = DocContext::default();
        c.text("case.number", case.number.clone());
        c.date("case.opened_on", case.created_on.clone());
        c.text("case.type_name", t.name_zh.clone());
        let unit = org::unit(&self.db, case.unit_id).await?;
        c.text("unit.name", unit.name.clone());
        // The government above the unit reviews its decisions; a unit without one reviews …
        // nothing here: the placeholder stays empty and issuing names it.
        if let Some(pid) = unit.parent_id {
            let parent = org::unit(&self.db, pid).await?;
            let (body, court) = docs::review_bodies(&parent.name);
            c.text("unit.reconsideration_body", body);
            c.text("unit.court", court);
        }
        for f in t.fields.iter().filter(|f| f.visible_to_roles(&roles)) {
            let Some(v) = case.fields.get(&f.code) else {
                continue;
            };
            let id = format!("field.{}", f.code);
            match (f.kind, v) {
                (FieldKind::Money, Value::Number(n)) => c.money(&id, n.as_i64().unwrap_or(0)),
                (FieldKind::Date, Value::String(s)) if !s.is_empty() => c.date(&id, s.clone()),
                (FieldKind::OfficerList, Value::Array(ids)) => {
                    let mut names = Vec::new();
                    for i in ids.iter().filter_map(Value::as_i64) {
                        if let Ok(o) = org::officer(&self.db, fazhi_domain::OfficerId(i)).await {
                            names.push(o.name);
                        }
                    }
                    c.text(&id, names.join("、"));
                }
                _ => {
                    if let Some(s) = field_text(t, &f.code, v) {
                        let s = if f.personal && !reveal {
                            crate::cases::mask_value(f.kind, &s)
                        } else {
                            s
                        };
                        c.text(&id, s);
                    }
                }
            }
        }
        for e in &bundle.events {
            // The last time each step was taken.
            c.date(&format!("step.{}", e.transition), e.on_date.clone());
        }
        // The team with their certificate numbers (《中华人民共和国行政处罚法》第四十二条、
        // 第五十五条: officers show their certificates).
        let mut team = Vec::new();
        for oid in &bundle.officers {
            let o = org::officer(&self.db, *oid).await?;
            let certs = org::certificates_of(&self.db, *oid).await?;
            let cert = certs
                .iter()
                .filter(|c| !c.revoked && !c.pending_review())
                .map(|c| c.number.clone())
                .next_back();
            team.push(match cert {
                Some(n) => format!("{}（执法证号：{n}）", o.name),
                None => o.name.clone(),
            });
        }
        c.text("officers", team.join("、"));
        Ok(c)
    }

    /// Fills one template for the case: what the case page previews and `fazhi document
    /// render` writes. Personal data is masked unless the actor may reveal it.
    pub async fn document_preview(
        &self,
        actor: &Actor,
        case_id: CaseId,
        name: &str,
    ) -> Result<FilledDocument, AppError> {
        let case = self.case_row(actor, case_id).await?;
        let t = self
            .registry
            .get(&case.case_type)
            .ok_or_else(|| AppError::Internal(format!("case type {}", case.case_type)))?
            .clone();
        let (all, tpl) = self.template_of(&t, name)?;
        let mut ctx = self
            .document_context(actor, &t, case_id, actor.may_reveal_personal())
            .await?;
        // The last issued copy gives its number, date and service.
        let issued = records::documents_of(&self.db, case_id).await?;
        if let Some(d) = issued.iter().rev().find(|d| d.name == tpl.name) {
            if let Some(n) = &d.number {
                ctx.text("document.number", n.clone());
            }
            ctx.date("document.date", d.issued_on.clone());
        }
        service_values(&mut ctx, &issued);
        Ok(docs::fill_document(&tpl, &all.periods, &ctx))
    }

    /// The templates of the case with the copies issued of each.
    pub async fn case_documents(
        &self,
        actor: &Actor,
        case_id: CaseId,
    ) -> Result<Vec<DocumentEntry>, AppError> {
        let case = self.case_row(actor, case_id).await?;
        let Some(t) = self.registry.get(&case.case_type) else {
            return Ok(vec![]);
        };
        let all = self.case_type_documents(&t.code)?;
        let events = store::events(&self.db, case_id).await?;
        let issued = records::documents_of(&self.db, case_id).await?;
        Ok(all
            .templates
            .iter()
            .map(|tpl| DocumentEntry {
                name: tpl.name.clone(),
                transition: tpl.transition.clone(),
                transition_label: t
                    .transitions
                    .iter()
                    .find(|x| x.code == tpl.transition)
                    .map(|x| x.label_zh.clone())
                    .unwrap_or_default(),
                ready: events.iter().any(|e| e.transition == tpl.transition),
                issued: issued
                    .iter()
                    .filter(|d| d.name == tpl.name)
                    .cloned()
                    .collect(),
            })
            .collect())
    }

    /// Issues a document of the case: numbered (when its template has a kind), rendered to
    /// DOCX, stored with its SHA-256, audited. Refused before the step that produces it, by an
    /// actor who has none of that step's roles or the sign-off roles, and while a value it
    /// states is missing. `corrects`: the issued document this one corrects.
    pub async fn issue_document(
        &self,
        actor: &Actor,
        case_id: CaseId,
        name: &str,
        corrects: Option<i64>,
    ) -> Result<(DocumentRow, Vec<u8>), AppError> {
        let case = self.case_row(actor, case_id).await?;
        let t = self
            .registry
            .get(&case.case_type)
            .ok_or_else(|| AppError::Internal(format!("case type {}", case.case_type)))?
            .clone();
        let (all, tpl) = self.template_of(&t, name)?;
        let step = t.transitions.iter().find(|x| x.code == tpl.transition);
        let step_label = step.map(|s| s.label_zh.clone()).unwrap_or_default();
        let allowed: Vec<&str> = step
            .map(|s| s.roles.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let may = actor.has(Role::Admin)
            || actor
                .role_codes()
                .iter()
                .any(|r| allowed.contains(&r.as_str()) || tpl.sign_off.contains(r));
        if !may {
            return Err(AppError::Forbidden(format!(
                "您的角色不能出具{}（由“{step_label}”步骤的办理人或签批人出具）",
                tpl.name
            )));
        }
        let events = store::events(&self.db, case_id).await?;
        if !events.iter().any(|e| e.transition == tpl.transition) {
            return Err(AppError::invalid(
                "name",
                "step_not_taken",
                format!(
                    "文书名称：案件尚未办理“{step_label}”步骤，还不能出具{}",
                    tpl.name
                ),
            ));
        }
        let issued = records::documents_of(&self.db, case_id).await?;
        if let Some(old) = corrects {
            if !issued.iter().any(|d| d.id == old && d.name == tpl.name) {
                return Err(AppError::invalid(
                    "corrects",
                    "unknown_document",
                    format!("更正的文书：本案没有编号为{old}的{}", tpl.name),
                ));
            }
        } else if issued.iter().any(|d| d.name == tpl.name) {
            return Err(AppError::invalid(
                "name",
                "already_issued",
                format!(
                    "文书名称：{}已出具，已出具的文书不能修改；如需更正，请出具更正文书",
                    tpl.name
                ),
            ));
        }
        let mut ctx = self.document_context(actor, &t, case_id, true).await?;
        let today = self.clock.today();
        ctx.date("document.date", today.to_string());
        service_values(&mut ctx, &issued);
        // Check every value is there before taking a number.
        ctx.text("document.number", "〔文号〕");
        let probe = docs::fill_document(&tpl, &all.periods, &ctx);
        if !probe.missing.is_empty() {
            let labels: Vec<String> = probe
                .missing
                .iter()
                .map(|id| {
                    id.strip_prefix("field.")
                        .and_then(|f| t.field(f))
                        .map(|f| f.label_zh.clone())
                        .or_else(|| {
                            docs::FIXED_IDS
                                .iter()
                                .find(|(k, _)| k == id)
                                .map(|(_, l)| (*l).to_owned())
                        })
                        .unwrap_or_else(|| id.clone())
                })
                .collect();
            return Err(AppError::invalid(
                "name",
                "missing_values",
                format!(
                    "文书名称：{}缺少以下内容，请先在案件中补充：{}",
                    tpl.name,
                    labels.join("、")
                ),
            ));
        }
        let unit = org::unit(&self.db, case.unit_id).await?;
        let year = i32::from(today.year());
        let mut tx = self.db.begin().await?;
        let numbered = match &tpl.kind {
            Some(kind) => {
                let seq = records::next_number(&mut tx, case.unit_id, kind, year).await?;
                let number =
                    docs::document_number(&docs::unit_short_name(&unit.name), kind, year, seq);
                Some((kind.clone(), seq, number))
            }
            None => None,
        };
        match &numbered {
            Some((_, _, n)) => ctx.text("document.number", n.clone()),
            None => {
                ctx.values.remove("document.number");
            }
        }
        let filled = docs::fill_document(&tpl, &all.periods, &ctx);
        let bytes = docs::render_document_docx(&filled);
        let sha = hex::encode(Sha256::digest(&bytes));
        store::put_blob(&mut tx, &sha, &bytes).await?;
        let issued_on = today.to_string();
        let now = self.clock.now_ms();
        let id = records::insert_document(
            &mut tx,
            &NewDocument {
                case_id,
                unit_id: case.unit_id,
                name: &tpl.name,
                numbered: numbered
                    .as_ref()
                    .map(|(k, s, n)| (k.as_str(), year, *s, n.as_str())),
                sha256: &sha,
                media_type: DOCX_MEDIA_TYPE,
                corrects_id: corrects,
                issued_by: Some(actor.id).filter(|i| i.0 != 0),
                issued_on: &issued_on,
                at: now,
            },
        )
        .await?;
        let after = serde_json::json!({
            "document_id": id,
            "name": tpl.name,
            "number": numbered.as_ref().map(|(_, _, n)| n),
            "sha256": sha,
            "size": bytes.len(),
            "corrects": corrects,
        });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "issue_document",
            entity: "case",
            entity_id: &case_id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok((records::document(&self.db, id).await?, bytes))
    }

    /// Records how and when an issued document was served (送达) and to whom. For 公告送达
    /// `on` is the day of the announcement and the document counts as served
    /// [`ANNOUNCEMENT_DAYS`] later ([`announced_service_date`]), the date recorded. Recorded
    /// once; the date is not before issue nor in the future.
    pub async fn serve_document(
        &self,
        actor: &Actor,
        document_id: i64,
        method: &str,
        on: &str,
        recipient: &str,
    ) -> Result<DocumentRow, AppError> {
        let doc = records::document(&self.db, document_id)
            .await
            .map_err(|_| AppError::NotFound("文书不存在".into()))?;
        self.case_row(actor, doc.case_id).await?;
        if actor.has(Role::Viewer) && actor.roles.len() == 1 {
            return Err(AppError::Forbidden("查看人员不能登记送达".into()));
        }
        let mut problems = Vec::new();
        if !SERVICE_METHODS.contains(&method) {
            problems.push(crate::FieldProblem::new(
                "method",
                "unknown",
                format!(
                    "送达方式：“{method}”无法识别，应为{}",
                    SERVICE_METHODS.join("、")
                ),
            ));
        }
        let date: Option<Date> = on.trim().parse().ok();
        let today = self.clock.today();
        match date {
            None => problems.push(crate::FieldProblem::new(
                "on",
                "bad_date",
                "送达日期：应为YYYY-MM-DD格式的日期",
            )),
            Some(d) if d > today => problems.push(crate::FieldProblem::new(
                "on",
                "future",
                "送达日期：不能晚于今天",
            )),
            Some(d) if d.to_string() < doc.issued_on => problems.push(crate::FieldProblem::new(
                "on",
                "before_issue",
                format!("送达日期：不能早于文书出具日期{}", doc.issued_on),
            )),
            Some(_) => {}
        }
        let recipient = recipient.trim();
        if recipient.is_empty() || recipient.chars().count() > 100 {
            problems.push(crate::FieldProblem::new(
                "recipient",
                "length",
                "受送达人：必填，最多100个字符",
            ));
        }
        if doc.served_on.is_some() {
            problems.push(crate::FieldProblem::new(
                "document",
                "already_served",
                "文书：已登记送达，送达记录不能修改",
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let announced = date.unwrap_or(today);
        let served = if method == "公告送达" {
            announced_service_date(announced)
        } else {
            announced
        };
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        if !records::record_service(&mut tx, doc.id, method, &served.to_string(), recipient).await?
        {
            return Err(AppError::Conflict("文书已由他人登记送达，请刷新".into()));
        }
        let after = serde_json::json!({
            "document_id": doc.id,
            "method": method,
            "on": announced.to_string(),
            "served_on": served.to_string(),
            "recipient": recipient,
        });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "serve_document",
            entity: "case",
            entity_id: &doc.case_id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(records::document(&self.db, doc.id).await?)
    }

    /// The issued file of a document, for an actor who may see its case and read personal data.
    pub async fn document_file(
        &self,
        actor: &Actor,
        document_id: i64,
    ) -> Result<(DocumentRow, Vec<u8>), AppError> {
        let doc = records::document(&self.db, document_id)
            .await
            .map_err(|_| AppError::NotFound("文书不存在".into()))?;
        let case = self.case_row(actor, doc.case_id).await?;
        if !actor.may_reveal_personal() {
            return Err(AppError::Forbidden(
                "出具的文书载有当事人个人信息，您的角色不能下载".into(),
            ));
        }
        // The issued copy carries every field in full, those restricted to some roles
        // (`visible_to`, e.g. a correction subject's identity) included.
        let roles = actor.role_codes();
        if let Some(t) = self.registry.get(&case.case_type)
            && t.fields.iter().any(|f| !f.visible_to_roles(&roles))
        {
            return Err(AppError::Forbidden(
                "该类案件的文书载有限定角色可见的信息，您的角色不能下载".into(),
            ));
        }
        let data = store::blob(&self.db, &doc.sha256).await?;
        Ok((doc, data))
    }
}

/// The service values of the 送达回证: the last numbered document issued (the one being
/// served) with its service once recorded.
fn service_values(ctx: &mut DocContext, issued: &[DocumentRow]) {
    let Some(d) = issued.iter().rev().find(|d| d.number.is_some()) else {
        return;
    };
    ctx.text(
        "service.document",
        format!("{}（{}）", d.name, d.number.clone().unwrap_or_default()),
    );
    if let (Some(m), Some(on), Some(r)) = (&d.service_method, &d.served_on, &d.service_recipient) {
        ctx.text("service.method", m.clone());
        ctx.date("service.date", on.clone());
        ctx.text("service.recipient", r.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_service_counts_after_thirty_days() {
        // 民事诉讼法 第九十五条: announced 2026-04-10, served 2026-05-10 (counted in calendar days).
        let d = announced_service_date(jiff::civil::date(2026, 4, 10));
        assert_eq!(d, jiff::civil::date(2026, 5, 10));
        let d = announced_service_date(jiff::civil::date(2026, 12, 15));
        assert_eq!(d, jiff::civil::date(2027, 1, 14));
    }
}
