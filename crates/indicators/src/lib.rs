//! fazhi-indicators: the figures of the annual report as data.
//!
//! - [`Catalog`]: indicator definitions (TOML, embedded defaults in `indicators/*.toml`,
//!   overridable from a folder) with file/line diagnostics, checked against the case types of a
//!   [`fazhi_workflow::Registry`].
//! - [`Period`]: year, quarter, month or custom range.
//! - [`plan()`]: the aggregates the database computes for a unit subtree and a period, as data
//!   (one conditional-aggregation scan per case type); [`evaluate`] turns the raw results into
//!   values; [`records`] describes the records behind a figure (lineage).
//! - [`facts`]: the layout of the `case_facts` table the store keeps for fast scans.
//! - [`months`]: what the store's rollup of those facts by month can decide, and the rest that
//!   only the facts can.
//!
//! Pure: no SQL text, no I/O except [`Catalog::load_dir`], no clock (the computation day is
//! passed in). The catalogue and the period rules are documented in `README.md`.

mod describe;
pub mod facts;
mod load;
mod model;
pub mod months;
mod period;
pub mod plan;

pub use describe::{date_point_zh, filter_zh, select_zh, summary_zh};
pub use fazhi_workflow::{Diagnostic, Severity};
pub use load::Catalog;
pub use model::{
    CLOCK_STATUSES, CaseSelect, CmpOp, DatePoint, Filter, FilterOp, Formula, Indicator,
    OfficerSelect, SourceRef, Stat, StockEnd, Subject, Target, Window,
};
pub use period::{Period, PeriodError};
pub use plan::{
    Computed, ManualEntry, ManualInput, Plan, RawResults, RecordSource, Scope, UnknownIndicator,
    evaluate, plan, records,
};
