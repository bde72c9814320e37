//! The layout of `case_facts`: a narrow row per case that the store keeps next to `cases`, so
//! that indicators scan indexed plain columns instead of parsing each case's JSON fields.
//!
//! Besides the case columns (type, unit path, state, category, dates, publication flag) a row has
//! generic slots, filled per case type as its folder declares in `case_types/<code>/facts.toml`
//! ([`Layouts::from_registry`], validated against the definition with file:line diagnostics):
//!
//! - `txt1`‥`txt6`: text/enum fields (the code of the stored string);
//! - `num1`‥`num4`: integer fields (money in fen, or integral numbers);
//! - `ev1_day`‥`ev8_day`: the first day one of a set of transitions was taken (from
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
//! The layouts are part of the schema: the store generates the backfill of the slots and the
//! rollup triggers from them at `migrate` and records their [`Layouts::fingerprint`]; a changed
//! layout rebuilds the slots and the rollup (a store test checks that the backfill and the
//! store's writes agree). A case type without a `facts.toml` has every slot NULL. Filters on
//! fields, transitions or clocks that have no slot still work: the store reads them from the
//! JSON fields, `case_events` or `case_clocks` instead (slower; fine for rare filters).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use fazhi_workflow::folders::FolderFile;
use fazhi_workflow::{CaseType, Diagnostic, FieldKind, Registry, Severity};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::plan::Col;

/// The name of the facts layout file in a case-type folder (`case_types/<code>/facts.toml`).
pub const FACTS_FILE: &str = "facts.toml";

/// The version of the schema the store generates from the layouts (triggers, backfill): part of
/// [`Layouts::fingerprint`], so that a change of the generator rebuilds like a changed layout.
pub const GENERATION: &str = "facts-schema-2";

/// Slots of one case type, as declared in its folder's `facts.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactLayout {
    pub case_type: String,
    /// Field codes of `txt1`‥`txt6` ([`TEXT_SLOTS`]).
    pub text: Vec<String>,
    /// Field codes of `num1`‥`num4` (integer values only; [`NUM_SLOTS`]).
    pub num: Vec<String>,
    /// Transition sets of `ev1`‥`ev8` ([`EVENT_SLOTS`]).
    pub events: Vec<Vec<String>>,
    /// Clock codes of `clk1`, `clk2`.
    pub clocks: Vec<String>,
    /// The columns the month rollup of the facts holds for this case type (dates as their
    /// month, coded texts as their code; see [`crate::months`]): those its indicators read.
    /// Every further column would multiply its groups; a condition on a column it does not hold
    /// is computed from the facts. The store generates its rollup triggers from these (a store
    /// test checks both agree).
    pub rollup: Vec<Col>,
}

/// The facts layouts of the case types of a [`Registry`] (those whose folder has a
/// `facts.toml`; a case type without one has every slot NULL and every rollup column held).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layouts {
    by_type: BTreeMap<String, FactLayout>,
}

impl Layouts {
    /// The layouts declared in the folders of `registry`, validated against its definitions.
    pub fn from_registry(registry: &Registry) -> Result<Layouts, Vec<Diagnostic>> {
        let mut out = Layouts::default();
        let mut diags = Vec::new();
        for ct in registry.types() {
            let Some(file) = registry.folder(&ct.code).and_then(|f| f.file(FACTS_FILE)) else {
                continue;
            };
            let (layout, d) = parse_layout(file, ct);
            diags.extend(d);
            if let Some(l) = layout {
                out.by_type.insert(l.case_type.clone(), l);
            }
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        Ok(out)
    }

    /// The layouts of the built-in case types.
    ///
    /// # Panics
    /// Only if the embedded `facts.toml` files are invalid, which the crate's tests rule out.
    pub fn embedded() -> Layouts {
        Layouts::from_registry(&Registry::embedded())
            .unwrap_or_else(|d| panic!("embedded facts layouts are invalid: {d:#?}"))
    }

    /// Layouts given directly (tests, tools); not validated against a registry.
    pub fn from_layouts(layouts: impl IntoIterator<Item = FactLayout>) -> Layouts {
        Layouts {
            by_type: layouts
                .into_iter()
                .map(|l| (l.case_type.clone(), l))
                .collect(),
        }
    }

    /// The layout of a case type, `None` when its folder declares none.
    pub fn get(&self, case_type: &str) -> Option<&FactLayout> {
        self.by_type.get(case_type)
    }

    /// Every layout, by case type.
    pub fn iter(&self) -> impl Iterator<Item = &FactLayout> {
        self.by_type.values()
    }

    /// Whether the month rollup holds `col` for `case_type` (every column for case types without
    /// a layout: their slot columns are all NULL, one group value each). The integer slots are
    /// never held (only summed).
    pub fn rollup_holds(&self, case_type: &str, col: Col) -> bool {
        !matches!(col, Col::Num(_)) && self.get(case_type).is_none_or(|l| l.rollup.contains(&col))
    }

    /// A canonical text of the layouts (one line per case type, sorted), which
    /// [`Layouts::fingerprint`] hashes.
    pub fn canonical(&self) -> String {
        let mut out = format!("{GENERATION}\n");
        for l in self.by_type.values() {
            let events: Vec<String> = l.events.iter().map(|s| s.join("|")).collect();
            let rollup: Vec<String> = l.rollup.iter().map(|c| col_name(*c)).collect();
            out.push_str(&format!(
                "{} text={} num={} events={} clocks={} rollup={}\n",
                l.case_type,
                l.text.join(","),
                l.num.join(","),
                events.join(","),
                l.clocks.join(","),
                rollup.join(",")
            ));
        }
        out
    }

    /// SHA-256 (hex) of [`Layouts::canonical`]: the store records it with the schema it
    /// generated, and rebuilds when it changes.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.canonical().as_bytes()))
    }

    /// SHA-256 (hex) of what fixes the slots of `case_facts` (everything but the rollup
    /// columns): when only the rollup columns change, the store rebuilds the rollup and its
    /// triggers but not the facts.
    pub fn slots_fingerprint(&self) -> String {
        let mut out = format!("{GENERATION}\n");
        for l in self.by_type.values() {
            let events: Vec<String> = l.events.iter().map(|s| s.join("|")).collect();
            out.push_str(&format!(
                "{} text={} num={} events={} clocks={}\n",
                l.case_type,
                l.text.join(","),
                l.num.join(","),
                events.join(","),
                l.clocks.join(",")
            ));
        }
        hex::encode(Sha256::digest(out.as_bytes()))
    }
}

/// Every diagnostic of the `facts.toml` files of a registry's folders (empty when clean), for
/// `fazhi workflow check DIR`.
pub fn check(registry: &Registry) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ct in registry.types() {
        if let Some(file) = registry.folder(&ct.code).and_then(|f| f.file(FACTS_FILE)) {
            out.extend(parse_layout(file, ct).1);
        }
    }
    out
}

/// The name of a rollup column in `facts.toml` (`created`, `closed`, `state`, `category`,
/// `published`, `txtN`, `numN`, `evN`, `clkN_status`, `clkN_due`).
pub fn col_name(c: Col) -> String {
    match c {
        Col::State => "state".into(),
        Col::Category => "category".into(),
        Col::Published => "published".into(),
        Col::CreatedOn => "created".into(),
        Col::ClosedOn => "closed".into(),
        Col::Text(n) => format!("txt{n}"),
        Col::Num(n) => format!("num{n}"),
        Col::Event(n) => format!("ev{n}"),
        Col::ClockStatus(n) => format!("clk{n}_status"),
        Col::ClockDue(n) => format!("clk{n}_due"),
    }
}

/// The column of a name of [`col_name`] (any slot number; the caller checks it is declared).
pub fn parse_col(s: &str) -> Option<Col> {
    let num = |rest: &str| rest.parse::<u8>().ok().filter(|n| *n >= 1);
    Some(match s {
        "state" => Col::State,
        "category" => Col::Category,
        "published" => Col::Published,
        "created" => Col::CreatedOn,
        "closed" => Col::ClosedOn,
        _ => {
            if let Some(r) = s.strip_prefix("txt") {
                Col::Text(num(r)?)
            } else if let Some(r) = s.strip_prefix("num") {
                Col::Num(num(r)?)
            } else if let Some(r) = s.strip_prefix("clk") {
                if let Some(n) = r.strip_suffix("_status") {
                    Col::ClockStatus(num(n)?)
                } else {
                    Col::ClockDue(num(r.strip_suffix("_due")?)?)
                }
            } else if let Some(r) = s.strip_prefix("ev") {
                Col::Event(num(r)?)
            } else {
                return None;
            }
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacts {
    #[serde(default)]
    text: Vec<Spanned<String>>,
    #[serde(default)]
    num: Vec<Spanned<String>>,
    #[serde(default)]
    events: Vec<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    clocks: Vec<Spanned<String>>,
    #[serde(default)]
    rollup: Vec<Spanned<String>>,
}

struct FileCk<'a> {
    file: &'a FolderFile,
    diags: Vec<Diagnostic>,
}

impl FileCk<'_> {
    fn err(&mut self, span: Option<Range<usize>>, en: String, zh: String) {
        self.diags.push(Diagnostic::at(
            &self.file.path,
            &self.file.text,
            span,
            Severity::Error,
            en,
            zh,
        ));
    }

    /// At most `max` entries in `list`.
    fn fits<T>(&mut self, list: &[Spanned<T>], max: usize, what: &str) {
        if let Some(extra) = list.get(max) {
            self.err(
                Some(extra.span()),
                format!(
                    "`{what}` has {} entries; there are only {max} slots",
                    list.len()
                ),
                format!("“{what}”有{}项，最多只有{max}个槽位", list.len()),
            );
        }
    }
}

/// Parses and validates one `facts.toml` against its case type: fields, transitions and clocks
/// exist, field kinds fit the slot (text slots: text or dictionary fields; integer slots: money or numbers),
/// no more entries than slots, rollup columns known and declared.
pub fn parse_layout(file: &FolderFile, ct: &CaseType) -> (Option<FactLayout>, Vec<Diagnostic>) {
    let mut ck = FileCk {
        file,
        diags: Vec::new(),
    };
    let raw: RawFacts = match toml::from_str(&file.text) {
        Ok(r) => r,
        Err(e) => {
            ck.err(
                e.span(),
                format!("invalid facts layout: {}", e.message().trim()),
                format!("事实表布局文件格式错误：{}", e.message().trim()),
            );
            return (None, ck.diags);
        }
    };
    ck.fits(&raw.text, TEXT_SLOTS, "text");
    ck.fits(&raw.num, NUM_SLOTS, "num");
    ck.fits(&raw.events, EVENT_SLOTS, "events");
    ck.fits(&raw.clocks, CLOCK_SLOTS, "clocks");
    let mut seen = BTreeSet::new();
    for (list, slot) in [(&raw.text, "text"), (&raw.num, "num")] {
        for f in list {
            let code = f.get_ref();
            if !seen.insert(code.clone()) {
                ck.err(
                    Some(f.span()),
                    format!("field `{code}` has two slots"),
                    format!("字段“{code}”重复占用槽位"),
                );
            }
            let Some(fd) = ct.field(code) else {
                ck.err(
                    Some(f.span()),
                    format!("case type `{}` has no field `{code}`", ct.code),
                    format!("案件类型“{}”没有字段“{code}”", ct.code),
                );
                continue;
            };
            if fd.input_only {
                ck.err(
                    Some(f.span()),
                    format!("field `{code}` is input-only: it is not stored with the case"),
                    format!("字段“{code}”仅用于办理输入，不随案件保存，不能放入事实表"),
                );
            }
            let fits = match slot {
                "text" => matches!(fd.kind, FieldKind::Text | FieldKind::Enum),
                // Numbers: only integral values fill the slot (a fraction is NULL).
                _ => matches!(
                    fd.kind,
                    FieldKind::Money | FieldKind::Area | FieldKind::Number
                ),
            };
            if !fits {
                let (en, zh) = match slot {
                    "text" => (
                        "a text slot holds text or dictionary fields",
                        "文本槽位只能放文本或字典字段",
                    ),
                    _ => (
                        "an integer slot holds money (fen) or number fields",
                        "整数槽位只能放金额（分）或数字字段",
                    ),
                };
                ck.err(
                    Some(f.span()),
                    format!("field `{code}` ({:?}): {en}", fd.kind),
                    format!("字段“{code}”：{zh}"),
                );
            }
        }
    }
    let mut sets: Vec<Vec<String>> = Vec::new();
    for set in &raw.events {
        if set.get_ref().is_empty() {
            ck.err(
                Some(set.span()),
                "an event slot needs at least one transition".into(),
                "事件槽位至少要有一个办理动作".into(),
            );
        }
        let mut codes: Vec<String> = Vec::new();
        for t in set.get_ref() {
            let code = t.get_ref();
            if ct.transition(code).is_none() {
                ck.err(
                    Some(t.span()),
                    format!("case type `{}` has no transition `{code}`", ct.code),
                    format!("案件类型“{}”没有办理动作“{code}”", ct.code),
                );
            }
            if codes.contains(code) {
                ck.err(
                    Some(t.span()),
                    format!("transition `{code}` twice in one event slot"),
                    format!("办理动作“{code}”在同一事件槽位中重复"),
                );
            }
            codes.push(code.clone());
        }
        let mut sorted = codes.clone();
        sorted.sort();
        if sets.contains(&sorted) {
            ck.err(
                Some(set.span()),
                "the same transition set has two event slots".into(),
                "同一组办理动作重复占用事件槽位".into(),
            );
        }
        sets.push(sorted);
    }
    let mut clocks_seen = BTreeSet::new();
    for c in &raw.clocks {
        let code = c.get_ref();
        if ct.clock(code).is_none() {
            ck.err(
                Some(c.span()),
                format!("case type `{}` has no clock `{code}`", ct.code),
                format!("案件类型“{}”没有期限“{code}”", ct.code),
            );
        }
        if !clocks_seen.insert(code.clone()) {
            ck.err(
                Some(c.span()),
                format!("clock `{code}` has two slots"),
                format!("期限“{code}”重复占用槽位"),
            );
        }
    }
    let mut rollup = Vec::new();
    for r in &raw.rollup {
        let name = r.get_ref();
        let declared = |n: u8, len: usize| usize::from(n) <= len;
        let col = parse_col(name).filter(|c| match c {
            Col::Text(n) => declared(*n, raw.text.len()),
            Col::Event(n) => declared(*n, raw.events.len()),
            Col::ClockStatus(n) | Col::ClockDue(n) => declared(*n, raw.clocks.len()),
            _ => true,
        });
        match col {
            None => ck.err(
                Some(r.span()),
                format!(
                    "`{name}` is not a rollup column of this layout (state, category, published, \
                     created, closed, or a declared txtN, evN, clkN_status, clkN_due)"
                ),
                format!("“{name}”不是本布局可汇总的列（state、category、published、created、closed，或已声明的 txtN、evN、clkN_status、clkN_due）"),
            ),
            Some(Col::Num(_)) => ck.err(
                Some(r.span()),
                format!("`{name}`: integer slots are summed, never held as a rollup key"),
                format!("“{name}”：整数槽位只求和，不作为汇总分组列"),
            ),
            Some(c) if rollup.contains(&c) => ck.err(
                Some(r.span()),
                format!("rollup column `{name}` twice"),
                format!("汇总列“{name}”重复"),
            ),
            Some(c) => rollup.push(c),
        }
    }
    if ck.diags.iter().any(Diagnostic::is_error) {
        return (None, ck.diags);
    }
    let strings = |v: &[Spanned<String>]| v.iter().map(|s| s.get_ref().clone()).collect();
    let layout = FactLayout {
        case_type: ct.code.clone(),
        text: strings(&raw.text),
        num: strings(&raw.num),
        events: raw.events.iter().map(|s| strings(s.get_ref())).collect(),
        clocks: strings(&raw.clocks),
        rollup,
    };
    (Some(layout), ck.diags)
}

/// The code of the empty text in `fact_values` (seeded by migration 0009): a coded column is
/// "set" when it is neither NULL nor this.
pub const EMPTY_CODE: i64 = 0;

/// How many slots of each kind `case_facts` has (migration 0026 widened them from 4, 2, 4, 2:
/// the store's statements, the generated triggers and the backfill follow these constants).
pub const TEXT_SLOTS: usize = 6;
pub const NUM_SLOTS: usize = 4;
pub const EVENT_SLOTS: usize = 8;
pub const CLOCK_SLOTS: usize = 2;

/// The slot columns of `case_facts` in the order the store binds them: `txt1`‥, `num1`‥,
/// `ev1_day`‥, then `clkN_status`, `clkN_due_day` per clock.
pub fn slot_columns() -> Vec<String> {
    let mut out: Vec<String> = (1..=TEXT_SLOTS).map(|i| format!("txt{i}")).collect();
    out.extend((1..=NUM_SLOTS).map(|i| format!("num{i}")));
    out.extend((1..=EVENT_SLOTS).map(|i| format!("ev{i}_day")));
    for i in 1..=CLOCK_SLOTS {
        out.push(format!("clk{i}_status"));
        out.push(format!("clk{i}_due_day"));
    }
    out
}

impl FactLayout {
    /// Slot (1-based) of a text field.
    pub fn text_slot(&self, field: &str) -> Option<u8> {
        slot(self.text.iter().position(|f| f == field))
    }

    /// Slot (1-based) of an integer field.
    pub fn num_slot(&self, field: &str) -> Option<u8> {
        slot(self.num.iter().position(|f| f == field))
    }

    /// Slot (1-based) holding the first date of exactly this set of transitions.
    pub fn event_slot(&self, transitions: &[String]) -> Option<u8> {
        slot(self.events.iter().position(|set| {
            set.len() == transitions.len() && set.iter().all(|t| transitions.contains(t))
        }))
    }

    /// Slot (1-based) of a clock.
    pub fn clock_slot(&self, clock: &str) -> Option<u8> {
        slot(self.clocks.iter().position(|c| c == clock))
    }

    /// The event slots (1-based) whose transition set contains `transition`.
    pub fn event_slots_of(&self, transition: &str) -> Vec<u8> {
        self.events
            .iter()
            .enumerate()
            .filter(|(_, set)| set.iter().any(|t| t == transition))
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
                .get(f)
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
            out[i] = fields.get(f).and_then(serde_json::Value::as_i64);
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

    /// The built-in folders declare exactly the layouts the store had before they moved to
    /// `facts.toml` (the generated schema and the benchmarks depend on them).
    #[test]
    fn the_built_in_layouts_are_the_declared_ones() {
        let l = Layouts::embedded();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            l.get("hotline_ticket"),
            Some(&FactLayout {
                case_type: "hotline_ticket".into(),
                text: s(&["satisfaction", "channel"]),
                num: vec![],
                events: vec![
                    s(&["dispatch"]),
                    s(&["reply"]),
                    s(&["revisit"]),
                    s(&["reopen"])
                ],
                clocks: s(&["handling_limit"]),
                rollup: vec![
                    Col::CreatedOn,
                    Col::ClosedOn,
                    Col::Category,
                    Col::Text(1),
                    Col::Event(2),
                    Col::ClockStatus(1),
                    Col::ClockDue(1),
                ],
            })
        );
        assert_eq!(
            l.get("enforcement_case"),
            Some(&FactLayout {
                case_type: "enforcement_case".into(),
                text: s(&["domain", "outcome", "procedure", "penalty"]),
                num: s(&["fine_amount", "paid_amount"]),
                events: vec![
                    s(&["file"]),
                    s(&["pass_review"]),
                    s(&["decide", "decide_on_spot"]),
                    s(&["publish"]),
                ],
                clocks: s(&["publicity_limit", "decision_limit"]),
                rollup: vec![
                    Col::Text(1),
                    Col::Text(2),
                    Col::Event(1),
                    Col::Event(2),
                    Col::Event(3),
                    Col::Event(4),
                    Col::ClockStatus(1),
                    Col::ClockDue(1),
                ],
            })
        );
        assert!(check(&Registry::embedded()).is_empty());
        assert_eq!(l.get("other_case"), None);
        assert!(l.rollup_holds("other_case", Col::Text(3)));
        assert!(!l.rollup_holds("hotline_ticket", Col::Text(2)));
        assert!(!l.rollup_holds("enforcement_case", Col::Num(1)));
    }

    /// A registry whose ticket folder has this `facts.toml` (or none).
    fn registry_with(facts: Option<&str>) -> Result<Registry, Vec<Diagnostic>> {
        let mut folders = fazhi_workflow::folders::embedded_folders();
        let folder = folders.get_mut("hotline_ticket").unwrap();
        match facts {
            Some(text) => {
                folder.files.insert(
                    FACTS_FILE.into(),
                    FolderFile {
                        path: "test/hotline_ticket/facts.toml".into(),
                        text: text.into(),
                    },
                );
            }
            None => {
                folder.files.remove(FACTS_FILE);
            }
        }
        Registry::from_folders(folders)
    }

    /// (line, English message) of each diagnostic of a ticket `facts.toml`.
    fn diags(text: &str) -> Vec<(Option<usize>, String)> {
        let reg = registry_with(Some(text)).unwrap();
        let d = check(&reg);
        assert_eq!(
            Layouts::from_registry(&reg).err().unwrap_or_default(),
            d,
            "from_registry fails with the same diagnostics"
        );
        d.into_iter().map(|d| (d.line, d.message)).collect()
    }

    #[test]
    fn bad_layouts_are_refused_with_file_and_line() {
        let d = diags("text = [\"satisfaction\",\n  \"no_such_field\"]\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].0, Some(2));
        assert!(d[0].1.contains("no field `no_such_field`"), "{d:?}");
        for (text, line, needle) in [
            ("num = [\"satisfaction\"]", 1, "money"),
            ("text = [\"created_on_x\"]", 1, "no field"),
            (
                "\n\nevents = [[\"dispatch\"], [\"fly\"]]",
                3,
                "no transition `fly`",
            ),
            ("events = [[]]", 1, "at least one transition"),
            ("events = [[\"reply\"], [\"reply\"]]", 1, "two event slots"),
            ("clocks = [\"no_clock\"]", 1, "no clock `no_clock`"),
            (
                "text = [\"satisfaction\", \"channel\", \"satisfaction\"]",
                1,
                "two slots",
            ),
            (
                "clocks = [\"handling_limit\"]\nrollup = [\"clk2_due\"]",
                2,
                "not a rollup column",
            ),
            (
                "text = [\"channel\"]\nrollup = [\"txt2\"]",
                2,
                "not a rollup column",
            ),
            ("rollup = [\"num1\"]", 1, "summed"),
            ("rollup = [\"created\", \"created\"]", 1, "twice"),
            ("rollup = [\"month\"]", 1, "not a rollup column"),
            ("texts = []", 1, "unknown field"),
            (
                "text = [\"satisfaction\", \"channel\", \"a\", \"b\", \"c\", \"d\", \"e\"]",
                1,
                "only 6 slots",
            ),
        ] {
            let d = diags(text);
            assert!(
                d.iter()
                    .any(|(l, m)| *l == Some(line) && m.contains(needle)),
                "{text}: {d:?}"
            );
        }
    }

    #[test]
    fn a_case_type_without_facts_toml_has_no_layout_and_a_change_changes_the_fingerprint() {
        let none = Layouts::from_registry(&registry_with(None).unwrap()).unwrap();
        assert!(none.get("hotline_ticket").is_none());
        assert!(none.get("enforcement_case").is_some());
        assert!(none.rollup_holds("hotline_ticket", Col::Text(2)));
        let embedded = Layouts::embedded();
        assert_ne!(none.fingerprint(), embedded.fingerprint());
        assert_eq!(embedded.fingerprint(), Layouts::embedded().fingerprint());
        let moved = Layouts::from_registry(
            &registry_with(Some(
                "text = [\"channel\", \"satisfaction\"]\nrollup = [\"created\", \"txt2\"]",
            ))
            .unwrap(),
        )
        .unwrap();
        let t = moved.get("hotline_ticket").unwrap();
        assert_eq!(t.text_slot("satisfaction"), Some(2));
        assert_eq!(t.rollup, vec![Col::CreatedOn, Col::Text(2)]);
        assert_ne!(moved.fingerprint(), embedded.fingerprint());
        assert_ne!(moved.slots_fingerprint(), embedded.slots_fingerprint());
        let rollup_only = Layouts::from_registry(
            &registry_with(Some(
                "text = [\"satisfaction\", \"channel\"]\nevents = [[\"dispatch\"], [\"reply\"], \
                 [\"revisit\"], [\"reopen\"]]\nclocks = [\"handling_limit\"]\nrollup = [\"created\"]",
            ))
            .unwrap(),
        )
        .unwrap();
        assert_ne!(rollup_only.fingerprint(), embedded.fingerprint());
        assert_eq!(
            rollup_only.slots_fingerprint(),
            embedded.slots_fingerprint()
        );
        for c in [
            Col::State,
            Col::Category,
            Col::Published,
            Col::CreatedOn,
            Col::ClosedOn,
            Col::Text(3),
            Col::Num(2),
            Col::Event(4),
            Col::ClockStatus(2),
            Col::ClockDue(1),
        ] {
            assert_eq!(parse_col(&col_name(c)), Some(c));
        }
        assert_eq!(parse_col("txt0"), None);
        assert_eq!(parse_col("clk1"), None);
    }
}
