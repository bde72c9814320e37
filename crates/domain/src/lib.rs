//! fazhi-domain: the vocabulary every other crate shares.
//!
//! * typed IDs ([`UnitId`], [`CaseId`], …) — never raw integers in public signatures;
//! * roles, data scopes and unit kinds with their stable codes (see `docs/case-types.md`);
//! * validated values parsed at the edge: [`IdNumber`] (GB 11643), [`Uscc`] (GB 32100),
//!   [`Phone`], [`Money`], [`PersonName`];
//! * personal-data types whose `Debug`/`Display` mask the value ([`Personal`], [`Mask`]).
//!
//! The crate does no I/O and never reads the clock: whoever needs "today" passes it in.
//! Every validation failure is a [`FieldError`] with a stable `code` and a Chinese message naming
//! the reason; callers prefix the field label (e.g. `身份证号：校验位不正确`).

#[macro_use]
mod code_enum;
mod error;
mod id_number;
mod ids;
mod mask;
mod money;
mod personal;
mod phone;
mod role;
mod text;
mod unit;
mod uscc;

pub use error::{FieldError, UnknownCode};
pub use id_number::{IdNumber, Sex};
pub use ids::{CaseId, CertificateId, DepartmentId, EvidenceId, OfficerId, UnitId, UserId};
pub use mask::{mask_id_number, mask_name, mask_phone};
pub use money::Money;
pub use personal::{Mask, PersonName, Personal};
pub use phone::{Phone, PhoneKind};
pub use role::{Role, Scope};
pub use unit::UnitKind;
pub use uscc::{Uscc, UsccCheck};
