//! The layout of `case_facts`: a narrow row per case that the store keeps next to `cases`, so
//! that indicators scan indexed plain columns instead of parsing each case's JSON fields.
//!
//! Besides the case columns (type, unit path, state, category, dates, publication flag) a row has
//! generic slots, filled per case type as declared here:
//!
//! - `txt1`‥`txt4`: text/enum fields (the code of the stored string);
//! - `num1`, `num2`: integer fields (money in fen);
//! - `ev1_day`‥`ev4_day`: the first day one of a set of transitions was taken (from
//!   `case_events`);
//! - `clk1_status`/`clk1_due_day`, `clk2_status`/`clk2_due_day`: stored status and due date of a
//!   clock (from `case_clocks`).
//!
//! Dates in `case_facts` are day numbers (days since 1970-01-01, see [`day_number`]), and the text
//! columns (state, category, `txtN`, `clkN_status`) hold integer codes of the `fact_values`
//! dictionary (one code per distinct text, never changed; the empty text is [`EMPTY_CODE`]):
//! comparing and subtracting integers is markedly cheaper than text in a scan over a million
//! rows.
//!
//! The layout is part of the schema: migration 0009 (the latest to rebuild the table) backfills
//! existing cases with the same layout (a store test checks that the backfill and the store's
//! writes agree). Filters on fields, transitions or clocks that have no slot still work: the
//! store reads them from the JSON fields, `case_events` or `case_clocks` instead (slower; fine
//! for rare filters).

use crate::plan::Col;

/// Slots of one case type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactLayout {
    pub case_type: &'static str,
    /// Field codes of `txt1`‥`txt4`.
    pub text: &'static [&'static str],
    /// Field codes of `num1`, `num2` (integer values only).
    pub num: &'static [&'static str],
    /// Transition sets of `ev1`‥`ev4`.
    pub events: &'static [&'static [&'static str]],
    /// Clock codes of `clk1`, `clk2`.
    pub clocks: &'static [&'static str],
    /// The columns the month rollup of the facts holds for this case type (dates as their
    /// month, coded texts as their code; see [`crate::months`]): those the built-in catalogue
    /// reads. Every further column would multiply its groups; a condition on a column it does not
    /// hold is computed from the facts. Part of the schema: migration 0010 writes the others as
    /// "not held" for this case type (a store test checks both agree).
    pub rollup: &'static [Col],
}

/// Whether the month rollup holds `col` for `case_type` (every column for case types without a
/// layout: their slot columns are all NULL, one group value each). The integer slots are never
/// held (only summed).
pub fn rollup_holds(case_type: &str, col: Col) -> bool {
    !matches!(col, Col::Num(_)) && layout(case_type).is_none_or(|l| l.rollup.contains(&col))
}

/// The code of the empty text in `fact_values` (seeded by migration 0009): a coded column is
/// "set" when it is neither NULL nor this.
pub const EMPTY_CODE: i64 = 0;

pub const TEXT_SLOTS: usize = 4;
pub const NUM_SLOTS: usize = 2;
pub const EVENT_SLOTS: usize = 4;
pub const CLOCK_SLOTS: usize = 2;

/// The layouts of the built-in case types.
pub const LAYOUTS: &[FactLayout] = &[
    FactLayout {
        case_type: "hotline_ticket",
        text: &["satisfaction", "channel"],
        num: &[],
        events: &[&["dispatch"], &["reply"], &["revisit"], &["reopen"]],
        clocks: &["handling_limit"],
        // Received and closed, by category, satisfaction, handling clock, first reply.
        rollup: &[
            Col::CreatedOn,
            Col::ClosedOn,
            Col::Category,
            Col::Text(1),
            Col::Event(2),
            Col::ClockStatus(1),
            Col::ClockDue(1),
        ],
    },
    FactLayout {
        case_type: "enforcement_case",
        text: &["domain", "outcome", "procedure", "penalty"],
        num: &["fine_amount", "paid_amount"],
        events: &[
            &["file"],
            &["pass_review"],
            &["decide", "decide_on_spot"],
            &["publish"],
        ],
        clocks: &["publicity_limit", "decision_limit"],
        // Filed, reviewed, decided and published, by domain and outcome, publicity clock.
        rollup: &[
            Col::Text(1),
            Col::Text(2),
            Col::Event(1),
            Col::Event(2),
            Col::Event(3),
            Col::Event(4),
            Col::ClockStatus(1),
            Col::ClockDue(1),
        ],
    },
];

pub fn layout(case_type: &str) -> Option<&'static FactLayout> {
    LAYOUTS.iter().find(|l| l.case_type == case_type)
}

impl FactLayout {
    /// Slot (1-based) of a text field.
    pub fn text_slot(&self, field: &str) -> Option<u8> {
        slot(self.text.iter().position(|f| *f == field))
    }

    /// Slot (1-based) of an integer field.
    pub fn num_slot(&self, field: &str) -> Option<u8> {
        slot(self.num.iter().position(|f| *f == field))
    }

    /// Slot (1-based) holding the first date of exactly this set of transitions.
    pub fn event_slot(&self, transitions: &[String]) -> Option<u8> {
        slot(self.events.iter().position(|set| {
            set.len() == transitions.len() && set.iter().all(|t| transitions.iter().any(|x| x == t))
        }))
    }

    /// Slot (1-based) of a clock.
    pub fn clock_slot(&self, clock: &str) -> Option<u8> {
        slot(self.clocks.iter().position(|c| *c == clock))
    }

    /// The event slots (1-based) whose transition set contains `transition`.
    pub fn event_slots_of(&self, transition: &str) -> Vec<u8> {
        self.events
            .iter()
            .enumerate()
            .filter(|(_, set)| set.contains(&transition))
            .filter_map(|(i, _)| slot(Some(i)))
            .collect()
    }

    /// Values of the text slots from a case's stored fields (strings only; anything else, or a
    /// missing field, is NULL).
    pub fn text_values(
        &self,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> [Option<String>; TEXT_SLOTS] {
        let mut out: [Option<String>; TEXT_SLOTS] = Default::default();
        for (i, f) in self.text.iter().enumerate().take(TEXT_SLOTS) {
            out[i] = fields
                .get(*f)
                .and_then(serde_json::Value::as_str)
                .map(String::from);
        }
        out
    }

    /// Values of the integer slots (integral JSON numbers only).
    pub fn num_values(
        &self,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> [Option<i64>; NUM_SLOTS] {
        let mut out = [None; NUM_SLOTS];
        for (i, f) in self.num.iter().enumerate().take(NUM_SLOTS) {
            out[i] = fields.get(*f).and_then(serde_json::Value::as_i64);
        }
        out
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (`None` when it is not a date).
pub fn day_number(date: &str) -> Option<i64> {
    let d: jiff::civil::Date = date.trim().parse().ok()?;
    Some(day_of(d))
}

/// Days since 1970-01-01 of a date.
pub fn day_of(d: jiff::civil::Date) -> i64 {
    // A civil date's distance from the epoch in whole days is exact (no time zone involved).
    let epoch = jiff::civil::date(1970, 1, 1);
    i64::from(epoch.until(d).map(|s| s.get_days()).unwrap_or(0))
}

/// The `YYYY-MM-DD` date of a day number.
pub fn date_of_day(day: i64) -> Option<String> {
    let epoch = jiff::civil::date(1970, 1, 1);
    let n = i32::try_from(day).ok()?;
    epoch
        .checked_add(jiff::Span::new().try_days(n).ok()?)
        .ok()
        .map(|d| d.to_string())
}

fn slot(i: Option<usize>) -> Option<u8> {
    i.and_then(|i| u8::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2025-01-01"), Some(20089));
        assert_eq!(
            day_number("2024-03-01").unwrap() - day_number("2024-02-28").unwrap(),
            2
        );
        for d in ["2000-02-29", "2025-12-31", "2099-01-01", "1969-12-31"] {
            assert_eq!(date_of_day(day_number(d).unwrap()).as_deref(), Some(d));
        }
        assert_eq!(day_number("2025-02-30"), None);
    }

    #[test]
    fn layouts_fit_the_slots_and_name_real_fields_transitions_and_clocks() {
        let reg = fazhi_workflow::Registry::embedded();
        for l in LAYOUTS {
            assert!(l.text.len() <= TEXT_SLOTS && l.num.len() <= NUM_SLOTS);
            assert!(l.events.len() <= EVENT_SLOTS && l.clocks.len() <= CLOCK_SLOTS);
            let ct = reg.get(l.case_type).expect(l.case_type);
            for f in l.text.iter().chain(l.num) {
                let fd = ct.field(f).expect(f);
                assert!(!fd.input_only, "{f}");
            }
            for f in l.num {
                assert_eq!(
                    ct.field(f).unwrap().kind,
                    fazhi_workflow::FieldKind::Money,
                    "{f}: integer slots hold money (fen)"
                );
            }
            for set in l.events {
                for t in *set {
                    assert!(ct.transition(t).is_some(), "{t}");
                }
            }
            for c in l.clocks {
                assert!(ct.clock(c).is_some(), "{c}");
            }
        }
    }
}
