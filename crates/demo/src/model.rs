//! The generated data: plain structs, serialisable, comparable (the determinism test compares
//! two runs with `==`).

use fazhi_domain::{Role, Scope, UnitKind};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A whole demo street: organisation, accounts, officers and case scripts from 1 January two
/// years before `end` up to `end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoStreet {
    /// The seed it was generated from.
    pub seed: u64,
    /// First day of the script window: 1 January of the year two years before `end`'s year.
    pub start: Date,
    /// Last day of the script window; no step is dated after it.
    pub end: Date,
    /// District, street, communities and grids, parents before children.
    pub units: Vec<DemoUnit>,
    /// The street's departments.
    pub departments: Vec<DemoDepartment>,
    /// Every login account, officers included. All share [`crate::DEMO_PASSWORD`].
    pub users: Vec<DemoUser>,
    /// Enforcement officers (each also has a user account with the same login).
    pub officers: Vec<DemoOfficer>,
    /// Case scripts, ordered by `created_on` (hotline tickets and enforcement cases interleaved).
    pub cases: Vec<DemoCase>,
    /// Residents on the register of persons without an account: the 法律明白人 of the
    /// communities, each with a certificate of the domain [`crate::LEGAL_UNDERSTANDER`].
    #[serde(default)]
    pub register: Vec<DemoRegistered>,
}

/// A resident on the register of persons (no account, no enforcement certificate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoRegistered {
    /// Stable code in the register (`FM0101`: community 01, person 01).
    pub code: String,
    /// Fictional name.
    pub name: String,
    /// Code of the community the person serves.
    pub unit: String,
    pub certificate: DemoCertificate,
}

/// An organisational unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoUnit {
    /// Stable code, hierarchical: district `330199`, street `330199001`, community
    /// `330199001001`, grid `33019900100101`.
    pub code: String,
    /// Chinese name (`望湖社区第一网格`).
    pub name: String,
    /// Level.
    pub kind: UnitKind,
    /// Code of the parent unit; `None` for the district.
    pub parent: Option<String>,
}

/// A department of the street.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoDepartment {
    /// Stable code (`enforcement`, `hotline`, …); hotline `assignee_department` inputs use it.
    pub code: String,
    /// Chinese name (`综合行政执法队`).
    pub name: String,
    /// Code of the unit the department belongs to (the street).
    pub unit: String,
}

/// A login account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoUser {
    /// Login name; step `actor`s refer to it.
    pub login: String,
    /// Fictional Chinese name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Data scope.
    pub scope: Scope,
    /// Code of the user's unit.
    pub unit: String,
    /// Code of the user's department; `None` for community staff.
    pub department: Option<String>,
    /// Job title shown next to the name (`综合行政执法队队员`).
    pub title: String,
    /// Work mobile number (normalised, valid per `fazhi_domain::Phone`).
    pub phone: String,
}

/// An enforcement officer (执法人员) with certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoOfficer {
    /// Login of the officer's user account; this is the identifier used in the `officers`
    /// input of `file` and `decide_on_spot`.
    pub login: String,
    /// Fictional name (same as the user's display name).
    pub name: String,
    /// Fictional but valid ID number (GB 11643 checksum).
    pub id_number: String,
    /// Enforcement certificates, one per domain.
    pub certificates: Vec<DemoCertificate>,
}

/// An enforcement certificate (执法证).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoCertificate {
    /// Fictional number, `浙执` + domain letter + 7 digits (`浙执A0012345`).
    pub number: String,
    /// Value of the `enforcement_domain` dictionary (`城市管理`, …).
    pub domain: String,
    /// First day of validity.
    pub valid_from: Date,
    /// Last day of validity.
    pub valid_to: Date,
    /// Year of the last passed annual check (年审).
    pub annual_check_year: i16,
}

impl DemoCertificate {
    /// Whether the certificate is valid on `on`.
    pub fn valid_on(&self, on: Date) -> bool {
        self.valid_from <= on && on <= self.valid_to
    }
}

/// The script of one case: the create step followed by every later transition, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoCase {
    /// Stable reference within the demo, after the script's `reference` pattern.
    pub reference: String,
    /// Code of the case type (a folder `case_types/<code>/` with a `demo.toml`).
    pub case_type: String,
    /// Code of the unit where the matter is located (a grid).
    pub unit: String,
    /// Code of the department that owns the case (the script's `department`).
    pub department: String,
    /// Date of the `create` step.
    pub created_on: Date,
    /// Steps in the order they are to be applied; `steps[0].transition == "create"`.
    pub steps: Vec<DemoStep>,
}

impl DemoCase {
    /// The last transition applied (the case's current position in its script).
    pub fn last_transition(&self) -> &str {
        self.steps.last().map_or("", |s| s.transition.as_str())
    }
}

/// One transition of a script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoStep {
    /// Date the step happens (a Monday–Friday working day).
    pub on: Date,
    /// Transition code of `docs/case-types.md`.
    pub transition: String,
    /// Login of the acting user (holds a role allowed for the transition).
    pub actor: String,
    /// Input fields by field code of `docs/case-types.md`; value formats in the crate docs.
    pub input: Map<String, Value>,
    /// For `add_evidence`: the evidence item to attach through the evidence service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<DemoEvidence>,
    /// The case this step opens (the transition's declared `opens`), with its own script: the
    /// workflow creates it with the step, so its `steps` are the transitions after that
    /// creation (none is `create`), dated on or after this step. Empty for most steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opens: Vec<DemoCase>,
}

/// An evidence item to attach (the app stores it as a text file and hashes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoEvidence {
    /// Kind (`现场检查笔录`, `现场照片`, `询问笔录`, …).
    pub kind: String,
    /// Title (`现场检查笔录（2026年3月5日）`).
    pub title: String,
    /// Text content of the item.
    pub content: String,
}

impl DemoStreet {
    /// The user with this login.
    pub fn user(&self, login: &str) -> Option<&DemoUser> {
        self.users.iter().find(|u| u.login == login)
    }

    /// The officer with this login.
    pub fn officer(&self, login: &str) -> Option<&DemoOfficer> {
        self.officers.iter().find(|o| o.login == login)
    }

    /// The unit with this code.
    pub fn unit(&self, code: &str) -> Option<&DemoUnit> {
        self.units.iter().find(|u| u.code == code)
    }

    /// The officer whose certificate expired before `end` (for showing the two-certified-officers
    /// guard of 《中华人民共和国行政处罚法》第四十二条: filing with this officer after the expiry
    /// date must be refused). Scripts never assign this officer after the expiry date.
    pub fn officer_with_expired_certificate(&self) -> &DemoOfficer {
        self.officers
            .iter()
            .find(|o| o.certificates.iter().any(|c| c.valid_to < self.end))
            .expect("the generator always creates one expired certificate")
    }

    /// The officer whose certificate expires within 30 days after `end` (for the warning list).
    pub fn officer_with_expiring_certificate(&self) -> &DemoOfficer {
        self.officers
            .iter()
            .find(|o| {
                o.certificates.iter().any(|c| {
                    c.valid_to >= self.end && c.valid_to <= crate::days::plus_days(self.end, 30)
                })
            })
            .expect("the generator always creates one certificate expiring soon")
    }

    /// The cases of one case type, in creation order.
    pub fn cases_of<'a>(&'a self, case_type: &'a str) -> impl Iterator<Item = &'a DemoCase> + 'a {
        self.cases.iter().filter(move |c| c.case_type == case_type)
    }
}
