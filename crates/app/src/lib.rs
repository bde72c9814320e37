//! Use cases. Every change goes through one call here: one transaction that checks permission,
//! validates, runs the workflow, writes the rows and appends the audit entry. Nothing else writes
//! the case tables. Reads are scoped here too, so the web layer cannot forget a check.

pub mod access;
mod audit;
pub mod auth;
pub mod calendar;
pub mod case_import;
pub mod cases;
pub mod definitions;
pub mod demo;
pub mod documents;
mod error;
pub mod imports;
pub mod indicators;
pub mod org;
pub mod org_import;
pub mod publication;
pub mod reports;
pub mod setup;
pub mod units;
pub mod validators;

use std::sync::Arc;

pub use access::Actor;
pub use audit::deadline;
pub use error::{AppError, FieldProblem};
use fazhi_store::Db;
use fazhi_workflow::{Registry, WorkflowConfig};

/// Where "now" comes from: the system clock in production, a fixed clock in tests.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
    /// Today's civil date in China Standard Time.
    fn today(&self) -> jiff::civil::Date;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        jiff::Timestamp::now().as_millisecond()
    }
    fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .date()
    }
}

/// A clock that stays where it is put (tests, demo generation).
#[derive(Debug)]
pub struct FixedClock {
    ms: std::sync::atomic::AtomicI64,
}

impl FixedClock {
    pub fn at(date: jiff::civil::Date) -> FixedClock {
        let ms = date
            .at(9, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0);
        FixedClock { ms: ms.into() }
    }
    pub fn set(&self, date: jiff::civil::Date) {
        let other = FixedClock::at(date);
        self.ms
            .store(other.ms.into_inner(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.ms.load(std::sync::atomic::Ordering::SeqCst)
    }
    fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::from_millisecond(self.now_ms())
            .map(|t| {
                t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                    .date()
            })
            .unwrap_or(jiff::civil::date(2026, 1, 1))
    }
}

/// Limits on uploaded evidence.
#[derive(Debug, Clone)]
pub struct EvidenceLimits {
    pub max_bytes: usize,
    pub allowed_types: Vec<String>,
}

impl Default for EvidenceLimits {
    fn default() -> Self {
        EvidenceLimits {
            max_bytes: 20 * 1024 * 1024,
            allowed_types: [
                "image/jpeg",
                "image/png",
                "application/pdf",
                "video/mp4",
                "audio/mpeg",
                "text/plain",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        }
    }
}

/// The application: database, case-type registry, calendar, configuration and clock.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub registry: Arc<Registry>,
    pub calendar: Arc<fazhi_calendar::Calendar>,
    pub config: Arc<WorkflowConfig>,
    pub clock: Arc<dyn Clock>,
    pub evidence_limits: EvidenceLimits,
    pub throttle: Arc<auth::Throttle>,
}

impl App {
    pub fn new(db: Db, registry: Registry, config: WorkflowConfig, clock: Arc<dyn Clock>) -> App {
        App {
            db,
            registry: Arc::new(registry),
            calendar: Arc::new(fazhi_calendar::Calendar::national()),
            config: Arc::new(config),
            clock,
            evidence_limits: EvidenceLimits::default(),
            throttle: Arc::new(auth::Throttle::default()),
        }
    }
}
