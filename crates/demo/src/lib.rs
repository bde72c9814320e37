//! fazhi-demo: a deterministic demo street (pure data, no database, no I/O, no clock).
//!
//! [`generate`] builds the fictional 滨江区望江街道 (district code `330199`, not assigned in
//! GB/T 2260): 8–12 communities with 2–4 grids each, seven street departments, accounts for
//! every role, 8–12 enforcement officers with certificates, and twelve months of case scripts
//! ending at `end`. The same seed always gives the same street (`==`). [`generate_tickets`]
//! streams any number of hotline ticket scripts for benchmarks.
//!
//! All names, addresses, ID numbers, phone numbers and credit codes are fictional; numbers carry
//! correct check characters so they pass `fazhi-domain`'s validators.
//!
//! # Scripts
//!
//! A [`DemoCase`] is replayed by applying its [`DemoStep`]s in order through the workflow:
//! `steps[0]` is `create`; each step names the transition code and the acting user's login
//! (whose role is allowed for the transition in `docs/case-types.md`). Steps after `end` are cut
//! off, so recent cases are still open. Step dates are Monday–Friday working days of the
//! official calendar (`fazhi-calendar`; a rough holiday fallback outside its years).
//!
//! Input values (`DemoStep::input`, keyed by the field codes of `docs/case-types.md`):
//!
//! | kind | JSON |
//! | --- | --- |
//! | text, long text | string |
//! | enum | string: the Chinese dictionary value (`投诉`, `城市管理`, `不予处罚（首违）`) |
//! | phone | string, normalised (`13812345678`, `0571-87654321`) |
//! | id_number / uscc | string, 18 characters |
//! | money (`intended_amount`, `fine_amount`, `paid_amount`) | string in **元** with two decimals (`"200.00"`); the workflow stores fen |
//! | date (`discovered_on`, `act_on`, `hearing_date`) | string `YYYY-MM-DD` |
//! | department (`assignee_department`) | string: the department `code` (`enforcement`) |
//! | officer list (`officers`) | array of officer **logins** (`["officer3", "officer7"]`); the seeder maps them to `OfficerId`s, which the workflow expects |
//! | bool set (`major_case`) | array of criterion codes (`["complex"]`) |
//! | `extension_days` | integer |
//!
//! Inputs follow the workflow's definitions (`case_types/<code>/case_type.toml`), which add a
//! few fields to the contract: `request_extension` carries `extension_days` and `reason`;
//! `reopen`, `not_file`, `reject_review`, `revoke_decision` and `withdraw_publication` carry
//! `reason`; `schedule_hearing` carries `hearing_date` and `hearing_place`; `waive_rights`
//! carries `waiver_statement`; `record_payment` carries `paid_amount`; `notify` carries
//! `intended_penalty`, `intended_amount` (fines), `legal_basis` and, for major cases,
//! `major_case`; `decide_on_spot` repeats the party fields and `facts` of the create step
//! (its `procedure` and `outcome` are set by the definition). `add_evidence` has an empty
//! input; its [`DemoStep::evidence`] is the item to attach through the evidence service.
//! `decision_number` is unique across the street.
//!
//! # Accounts
//!
//! Every account's password is [`DEMO_PASSWORD`]. Logins: `admin`, `leader`, `handler` (12345热线办),
//! `handler_<department>` (one per other department), `legal`, `legal2`, `officer1`…`officerN`,
//! `viewer`, and `sq_<community>` (community staff, role handler, scope unit subtree).
//!
//! # Officers
//!
//! `officer1`'s 城市管理 certificate expired 30–60 days before `end`
//! ([`DemoStreet::officer_with_expired_certificate`]); scripts never assign that officer to a
//! case after the expiry date, so a scenario can try it and show the two-certified-officers
//! guard (《中华人民共和国行政处罚法》第四十二条). `officer2`'s 城市管理 certificate expires 5–25
//! days after `end` ([`DemoStreet::officer_with_expiring_certificate`]).

mod days;
mod enforcement;
mod hotline;
mod model;
mod org;
mod people;
mod rng;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde_json::Map;

pub use hotline::Tickets;
pub use model::{
    DemoCase, DemoCertificate, DemoDepartment, DemoEvidence, DemoOfficer, DemoStep, DemoStreet,
    DemoUnit, DemoUser,
};
pub use org::{
    DEPARTMENTS, DISTRICT_CODE, DISTRICT_NAME, ENFORCEMENT_DOMAINS, STREET_CODE, STREET_NAME,
};

use crate::days::{add_workdays, plus_days, workdays};
use crate::rng::DemoRng;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "fazhi-demo-2026";

/// Case-type code of 12345 hotline tickets.
pub const HOTLINE_TICKET: &str = "hotline_ticket";
/// Case-type code of administrative enforcement cases.
pub const ENFORCEMENT_CASE: &str = "enforcement_case";

pub(crate) fn step(
    on: Date,
    transition: &str,
    actor: &str,
    input: Map<String, serde_json::Value>,
) -> DemoStep {
    DemoStep {
        on,
        transition: transition.to_owned(),
        actor: actor.to_owned(),
        input,
        evidence: None,
    }
}

/// Expected hotline tickets on a workday: about nine, more in summer and on Mondays.
fn ticket_mean(day: Date) -> f64 {
    let season = match day.month() {
        1 => 0.85,
        2 => 0.75,
        7 | 8 => 1.25,
        9 => 1.05,
        10..=12 => 0.95,
        _ => 1.0,
    };
    let weekday = match day.weekday() {
        Weekday::Monday => 1.15,
        Weekday::Friday => 0.9,
        _ => 1.0,
    };
    9.0 * season * weekday
}

/// Generates the demo street for `seed` with case scripts for the twelve months ending at `end`.
///
/// Deterministic: equal arguments give equal streets.
pub fn generate(seed: u64, end: Date) -> DemoStreet {
    let start = end.checked_sub(1.year()).map_or(end, |d| plus_days(d, 1));
    let skeleton = org::skeleton(seed);
    let officers = org::officers(seed, &skeleton, start, end);

    let tickets = hotline::TicketFactory {
        skeleton: &skeleton,
    };
    let enforcement = enforcement::CaseFactory {
        skeleton: &skeleton,
        officers: &officers,
        end,
    };
    let mut ticket_rng = DemoRng::new(seed, 3);
    let mut case_rng = DemoRng::new(seed, 5);
    // One decision in the middle of the window is revoked and its publication withdrawn.
    let revoke_from = add_workdays(plus_days(start, 120), 0);
    let mut revoke_pending = true;

    let mut cases = Vec::new();
    let mut enforcement_seq: std::collections::BTreeMap<i16, u32> = Default::default();
    for day in workdays(start, end) {
        let slots = (2.0 * ticket_mean(day)).round() as u32;
        let n = (0..slots).filter(|_| ticket_rng.chance(0.5)).count() as u32;
        for seq in 1..=n {
            cases.push(tickets.ticket(&mut ticket_rng, hotline::reference(day, seq), day, end));
        }
        let n_cases = u32::from(case_rng.chance(0.62)) + u32::from(case_rng.chance(0.05));
        for _ in 0..n_cases {
            let seq = enforcement_seq.entry(day.year()).or_insert(0);
            *seq += 1;
            let reference = format!("ZF{}{:04}", day.year(), seq);
            let revoke = revoke_pending && day >= revoke_from;
            revoke_pending &= !revoke;
            cases.push(enforcement.case(&mut case_rng, reference, day, revoke));
        }
    }
    enforcement::number_decisions(&mut cases);

    DemoStreet {
        seed,
        start,
        end,
        units: skeleton.units,
        departments: skeleton.departments,
        users: skeleton.users,
        officers,
        cases,
    }
}

/// Streams `n` hotline ticket scripts created on the workdays of `start..=end`, in creation
/// order, spread evenly over the days. Lazy: memory does not grow with `n` (for 1 M-ticket
/// benchmarks). Units and users referenced are those of [`generate`] with the same `seed`;
/// steps after `end` are cut off. Yields nothing when the range has no workday.
pub fn generate_tickets(seed: u64, n: u64, start: Date, end: Date) -> Tickets {
    Tickets::new(seed, n, start, end)
}
