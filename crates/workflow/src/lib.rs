//! fazhi-workflow: case types as data (TOML), transitions with guards that cite the statute, and
//! statutory clocks on the official working-day calendar.
//!
//! - [`Registry`] holds the case types: the embedded folders `case_types/<code>/` at the
//!   repository root ([`folders`]), optionally overridden or extended by a configuration folder
//!   ([`Registry::load_dir`], [`check_dir`]); other crates read their files of each folder
//!   through [`Registry::folder`].
//! - [`plan`] checks a transition against a case snapshot (state, role, input by field kind,
//!   guards) and returns either the [`Plan`] or every [`Refusal`].
//! - [`clocks()`] computes the clocks of a case from its history, on a [`fazhi_calendar::Calendar`].
//!
//! No I/O except the explicit load functions; no wall clock: dates are passed in.
//! The TOML format is described in `crates/workflow/README.md`.

mod clocks;
mod config;
mod diag;
mod doc;
pub mod folders;
pub mod guards;
mod input;
mod load;
mod model;
mod plan;
pub mod presentation;
mod refusal;
mod timeline;
mod versions;

pub use clocks::{ClockState, ClockStatus, WarningLevel, clocks};
pub use config::{CONFIG_FILES, LIMIT_TABLES, PeriodLimit, WarningThresholds, WorkflowConfig};
pub use diag::{Diagnostic, Severity, line_col};
pub use doc::{DOC_PREAMBLE, case_types_markdown};
pub use input::{
    BasicValidators, DATE_RANGE, FieldCheck, FieldValidators, USCC_ALPHABET, parse_field,
    parse_money_fen,
};
pub use load::{Registry, check_definition, check_dir};
pub use model::{
    CaseType, ClockDef, ClockKind, ClockLength, DefinitionVersion, DictEntry, ExtensionDef,
    FieldDef, FieldKind, GuardSpec, InputDef, PauseDef, ROLES, STAY, StateDef, TransitionDef,
    role_label_zh,
};
pub use plan::{
    CaseSnapshot, CertificateInfo, GuardContext, HistoryEvent, OVERRIDE_WARNINGS, OfficerInfo,
    Plan, apply, plan,
};
pub use presentation::{
    Capabilities, DispatchCapability, FieldCondition, ListColumn, OpensDef, Presentation,
    PublicationCapability, PublishedItem,
};
pub use refusal::{Refusal, Refusals};
pub use timeline::{TimelineError, TimelineEvent, parse_timeline, replay, timeline_clocks};
pub use versions::{ClockChange, ClockChangeKind, MigrationPlan, compare_clocks};

pub use fazhi_calendar::{Calendar, PeriodUnit};
pub use guards::linked::LinkedCase;
