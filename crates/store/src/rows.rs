//! Plain row types returned by the store. Typed IDs come from `fazhi-domain`.

use fazhi_domain::{CaseId, CertificateId, DepartmentId, EvidenceId, OfficerId, UnitId, UserId};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnitRow {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub code: String,
    pub name: String,
    pub kind: String,
    /// Materialised path of ids, e.g. `/1/2/7/`; a subtree is a prefix range.
    pub path: String,
    /// When the unit was closed (epoch ms); `None`: open. A closed unit takes no new cases,
    /// users, departments, officers or sub-units and keeps its history (migration 0020).
    pub closed_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DepartmentRow {
    pub id: DepartmentId,
    pub unit_id: UnitId,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub unit_id: UnitId,
    pub department_id: Option<DepartmentId>,
    pub scope: String,
    /// Role codes, comma-separated in storage.
    pub roles: Vec<String>,
    pub active: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficerRow {
    pub id: OfficerId,
    pub code: String,
    pub name: String,
    pub user_id: Option<UserId>,
    pub unit_id: UnitId,
    pub department_id: Option<DepartmentId>,
    pub legal_reviewer: bool,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateRow {
    pub id: CertificateId,
    pub officer_id: OfficerId,
    pub number: String,
    pub domain: String,
    pub valid_from: String,
    pub valid_to: String,
    pub annual_check_year: Option<i64>,
    pub revoked: bool,
    /// Who entered it through the application (it then waits for review); `None`: entered by
    /// the operator or loaded, counts at once.
    pub requested_by: Option<String>,
    /// Who approved it (a second person, see `App::approve_certificate`).
    pub reviewed_by: Option<String>,
}

impl CertificateRow {
    /// Entered through the application and not yet approved by a second person: it does not
    /// count for any guard.
    pub fn pending_review(&self) -> bool {
        self.requested_by.is_some() && self.reviewed_by.is_none()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    pub id: CaseId,
    pub case_type: String,
    pub number: String,
    pub unit_id: UnitId,
    pub unit_path: String,
    pub department_id: Option<DepartmentId>,
    pub owner_id: Option<UserId>,
    pub state: String,
    pub title: String,
    pub category: Option<String>,
    pub created_on: String,
    pub closed_on: Option<String>,
    pub due_on: Option<String>,
    pub due_level: i64,
    pub published: bool,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub case_id: CaseId,
    pub seq: i64,
    pub transition: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub on_date: String,
    pub at: i64,
    pub actor_id: Option<UserId>,
    pub input: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClockRow {
    pub case_id: CaseId,
    pub code: String,
    pub label: String,
    pub basis: String,
    pub started_on: String,
    pub due_on: Option<String>,
    pub status: String,
    pub level: String,
    pub calendar_version: String,
    /// JSON detail: unit, length, pauses, extensions and the explanation lines.
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    pub id: EvidenceId,
    pub case_id: CaseId,
    pub sha256: String,
    pub filename: String,
    pub media_type: String,
    pub size: i64,
    pub description: String,
    pub uploaded_by: Option<UserId>,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicationRow {
    pub id: i64,
    pub case_id: CaseId,
    pub published_on: String,
    pub withdrawn_on: Option<String>,
    pub withdraw_reason: Option<String>,
    pub title: String,
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionRow {
    pub id: String,
    pub user_id: UserId,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
}
