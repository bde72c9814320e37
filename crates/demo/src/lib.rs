//! fazhi-demo: a deterministic demo street (pure data, no database, no I/O, no clock).
//!
//! [`generate`] builds the fictional 滨江区望江街道 (district code `330199`, not assigned in
//! GB/T 2260): 8–12 communities with 2–4 grids each, seven street departments, accounts for
//! every role, 8–12 enforcement officers with certificates, and case scripts from 1 January two
//! years before `end` up to `end` for every case type whose folder has a `demo.toml` (two full
//! years plus the current year to date, so "same period last year" has data). The same seed
//! always gives the same street (`==`). [`generate_tickets`] streams any number of scripts of
//! the case type whose `demo.toml` declares `stream = true`, for benchmarks.
//!
//! The organisation (units, departments, accounts, officers) is built here; what cases arise,
//! what they say and which paths they take is read from each case type's
//! `case_types/<code>/demo.toml` by one generic generator (format: `crates/demo/README.md`;
//! [`check_demo`] validates a script against its definition with file:line diagnostics). A new
//! case type needs a folder with a `demo.toml`, no Rust.
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
//! Input values (`DemoStep::input`, keyed by the field codes of `docs/case-types.md`) are
//! those the workflow expects: strings for text, enum (the Chinese dictionary value), phone,
//! ID number and credit code; money as a string in **元** with two decimals (`"200.00"`);
//! dates as `YYYY-MM-DD`; departments by code; officer lists as arrays of officer **logins**
//! (the seeder maps them to `OfficerId`s); bool sets as arrays of criterion codes. An
//! `add_evidence` step carries its item in [`DemoStep::evidence`]. Fields numbered by a
//! script's `[[numbering]]` (decision numbers) are unique across the street.

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

mod check;
mod days;
mod engine;
mod model;
mod org;
mod people;
mod rng;
mod script;

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::{Date, Weekday};
use serde_json::{Value, json};

use fazhi_workflow::folders::Folder;
use fazhi_workflow::{CaseType, Diagnostic, Registry};

pub use model::{
    DemoCase, DemoCertificate, DemoDepartment, DemoEvidence, DemoOfficer, DemoRegistered, DemoStep,
    DemoStreet, DemoUnit, DemoUser,
};
pub use org::{
    DEPARTMENTS, DISTRICT_CODE, DISTRICT_NAME, ENFORCEMENT_DOMAINS, LEGAL_UNDERSTANDER,
    LEGAL_UNDERSTANDERS, MEDIATOR_QUALIFICATION, STREET_CODE, STREET_NAME,
};

use crate::days::workdays;
use crate::engine::World;
use crate::rng::DemoRng;
use crate::script::{Diags, Script};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "fazhi-demo-2026";

/// The file of a case-type folder this crate reads.
pub const DEMO_FILE: &str = "demo.toml";

/// Checks the `demo.toml` of `folder` (if any) against the case type's definition `ct`:
/// the format, transitions, roles, inputs, dictionary values and departments. Returns every
/// problem with file and line (empty when the folder has no demo script or it is valid).
/// `fazhi workflow check DIR` calls it for each folder.
pub fn check_demo(registry: &Registry, folder: &Folder, ct: &CaseType) -> Vec<Diagnostic> {
    let Some(file) = folder.file(DEMO_FILE) else {
        return Vec::new();
    };
    match script::compile(&ct.code, &file.path, &file.text) {
        Err(d) => d,
        Ok(s) => {
            let mut d = Diags::new(&file.path, &file.text);
            check::against_definition(&s, ct, registry, &mut d);
            d.out
        }
    }
}

/// Compiles and checks the demo scripts of every case type of `registry` that has one, in
/// registry order.
fn scripts(registry: &Registry) -> Result<Vec<Script>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for ct in registry.types() {
        let Some(folder) = registry.folder(&ct.code) else {
            continue;
        };
        let Some(file) = folder.file(DEMO_FILE) else {
            continue;
        };
        match script::compile(&ct.code, &file.path, &file.text) {
            Err(d) => errors.extend(d),
            Ok(s) => {
                let mut d = Diags::new(&file.path, &file.text);
                check::against_definition(&s, ct, registry, &mut d);
                if check::has_error(&d.out) {
                    errors.extend(d.out);
                } else {
                    let mut s = s;
                    s.opened = ct
                        .capabilities
                        .opens
                        .iter()
                        .map(|o| (o.transition.clone(), o.case_type.clone()))
                        .collect();
                    out.push(s);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.into_iter().filter(Diagnostic::is_error).collect())
    }
}

/// First day of the script window: 1 January two years before `end`'s year.
pub fn window_start(end: Date) -> Date {
    Date::new(end.year() - 2, 1, 1).unwrap_or(end)
}

/// A stable random-stream number per case type, so adding a case type does not change the
/// others' cases.
fn stream_of(code: &str) -> u64 {
    // FNV-1a.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in code.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 8) << 1
}

/// Expected arrivals on a workday: the declared mean of the last twelve months, times the
/// month and weekday factors, times the declared growth for the distance in years from the
/// middle of the last twelve months.
fn arrival_mean(s: &Script, day: Date, end: Date) -> f64 {
    let a = &s.arrivals;
    let month = a.months[(day.month() - 1) as usize];
    let weekday = match day.weekday() {
        Weekday::Monday => a.weekdays[0],
        Weekday::Tuesday => a.weekdays[1],
        Weekday::Wednesday => a.weekdays[2],
        Weekday::Thursday => a.weekdays[3],
        Weekday::Friday => a.weekdays[4],
        _ => 0.0,
    };
    let years = (day - end).get_days() as f64 / 365.25 + 0.5;
    a.per_workday * month * weekday * (1.0 + a.growth).powf(years)
}

/// How many cases arrive on `day`: a binomial draw with that mean.
fn arrivals(rng: &mut DemoRng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    let slots = (2.0 * mean).ceil().max(1.0);
    let p = mean / slots;
    (0..slots as u32).filter(|_| rng.chance(p)).count() as u32
}

/// A case reference from the script's pattern.
fn reference(pattern: &str, day: Date, seq: u32) -> String {
    let mut out = pattern
        .replace("{yyyy}", &format!("{:04}", day.year()))
        .replace("{mm}", &format!("{:02}", day.month()))
        .replace("{dd}", &format!("{:02}", day.day()));
    while let Some(start) = out.find("{seq") {
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let width: usize = out[start + 4..start + len]
            .trim_start_matches(':')
            .parse()
            .unwrap_or(1);
        out.replace_range(start..=start + len, &format!("{seq:0width$}"));
    }
    out
}

fn run_error(s: &Script, registry: &Registry, e: engine::RunError) -> Vec<Diagnostic> {
    let file = registry
        .folder(&s.case_type)
        .and_then(|f| f.file(DEMO_FILE));
    let (path, text) = file.map_or((Path::new(DEMO_FILE), ""), |f| {
        (f.path.as_path(), f.text.as_str())
    });
    let mut d = Diags::new(path, text);
    d.error(
        e.span,
        format!("demo script of `{}`: {}", s.case_type, e.message),
        format!("“{}”的演示脚本运行出错：{}", s.case_type, e.message),
    );
    d.out
}

/// Generates the demo street for `seed` with the built-in case types (the embedded folders),
/// case scripts from [`window_start`] to `end`.
///
/// Deterministic: equal arguments give equal streets. Panics when a built-in demo script is
/// invalid (tests keep them valid); use [`generate_for`] for configured case types.
pub fn generate(seed: u64, end: Date) -> DemoStreet {
    generate_for(&Registry::embedded(), seed, end).unwrap_or_else(|d| {
        panic!(
            "built-in demo scripts are invalid:\n{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// Generates the demo street for `seed` with the case types of `registry` (every folder with a
/// `demo.toml`). Errors are the scripts' diagnostics (file:line).
pub fn generate_for(
    registry: &Registry,
    seed: u64,
    end: Date,
) -> Result<DemoStreet, Vec<Diagnostic>> {
    let start = window_start(end);
    let skeleton = org::skeleton(seed);
    let officers = org::officers(seed, &skeleton, start, end);
    let scripts = scripts(registry)?;
    let world = World {
        skeleton: &skeleton,
        officers: &officers,
        end,
    };
    let mut rngs: Vec<DemoRng> = scripts
        .iter()
        .map(|s| DemoRng::new(seed, stream_of(&s.case_type)))
        .collect();
    let mut once_done: Vec<Vec<bool>> = scripts.iter().map(|s| vec![false; s.once.len()]).collect();
    let mut seqs: Vec<(Option<Date>, i16, u32)> = vec![(None, 0, 0); scripts.len()];
    let mut cases = Vec::new();
    for day in workdays(start, end) {
        for (i, s) in scripts.iter().enumerate() {
            let rng = &mut rngs[i];
            let n = arrivals(rng, arrival_mean(s, day, end));
            for _ in 0..n {
                let seq = &mut seqs[i];
                let same = if s.reference_per_day {
                    seq.0 == Some(day)
                } else {
                    seq.1 == day.year()
                };
                seq.2 = if same { seq.2 + 1 } else { 1 };
                seq.0 = Some(day);
                seq.1 = day.year();
                let mut extra: Vec<(String, Value)> = Vec::new();
                for (k, o) in s.once.iter().enumerate() {
                    let from = days::plus_days(end, -o.days_before_end);
                    if !once_done[i][k] && day >= from {
                        once_done[i][k] = true;
                        extra.extend(o.set.iter().cloned());
                    }
                }
                let case = engine::case(
                    s,
                    &world,
                    rng,
                    reference(&s.reference, day, seq.2),
                    day,
                    &extra,
                )
                .map_err(|e| run_error(s, registry, e))?;
                cases.push(case);
            }
        }
    }
    for s in &scripts {
        number(s, &mut cases);
    }
    let register = org::legal_understanders(seed, &skeleton, start, end);
    Ok(DemoStreet {
        seed,
        start,
        end,
        units: skeleton.units,
        departments: skeleton.departments,
        users: skeleton.users,
        officers,
        cases,
        register,
    })
}

/// Fills in the fields of the script's `[[numbering]]` in step-date order, one sequence per
/// year and format (the first rule that matches the step gives the format).
fn number(s: &Script, cases: &mut [DemoCase]) {
    for n in &s.numbering {
        let mut at: Vec<(Date, usize, usize)> = Vec::new();
        for (ci, case) in cases.iter().enumerate() {
            if case.case_type != s.case_type {
                continue;
            }
            for (si, step) in case.steps.iter().enumerate() {
                if step.input.contains_key(&n.field) {
                    at.push((step.on, ci, si));
                }
            }
        }
        at.sort();
        let mut counters: BTreeMap<(i16, usize), u32> = BTreeMap::new();
        for (on, ci, si) in at {
            let step = &mut cases[ci].steps[si];
            let Some((ri, rule)) = n.rules.iter().enumerate().find(|(_, r)| {
                r.transition.as_ref().is_none_or(|t| *t == step.transition)
                    && r.input
                        .iter()
                        .all(|(k, v)| step.input.get(k).and_then(Value::as_str) == Some(v.as_str()))
            }) else {
                continue;
            };
            let c = counters.entry((on.year(), ri)).or_insert(0);
            *c += 1;
            let text = rule
                .format
                .replace("{yyyy}", &on.year().to_string())
                .replace("{n}", &c.to_string());
            step.input.insert(n.field.clone(), json!(text));
        }
    }
}

/// The code of the case type [`generate_tickets`] streams: the built-in folder whose
/// `demo.toml` declares `stream = true`.
pub fn stream_case_type() -> String {
    stream_script().case_type.clone()
}

fn stream_script() -> &'static Script {
    static SCRIPT: std::sync::OnceLock<Script> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| {
        let registry = Registry::embedded();
        let scripts = scripts(&registry).unwrap_or_else(|d| {
            panic!(
                "built-in demo scripts are invalid:\n{}",
                d.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        scripts
            .into_iter()
            .find(|s| s.stream)
            .expect("one built-in demo.toml declares `stream = true`")
    })
}

/// A lazy stream of case scripts (see [`generate_tickets`]).
pub struct Tickets {
    script: &'static Script,
    skeleton: org::Skeleton,
    officers: Vec<DemoOfficer>,
    rng: DemoRng,
    days: Vec<Date>,
    end: Date,
    n: u64,
    next: u64,
    current_day: Option<Date>,
    seq: u32,
}

/// Streams `n` scripts of the streaming case type ([`stream_case_type`]: the built-in
/// `demo.toml` with `stream = true`, 12345 hotline tickets) created on the workdays of
/// `start..=end`, in creation order, spread evenly over the days. Lazy: memory does not grow
/// with `n` (for 1 M-ticket benchmarks). Units and users referenced are those of [`generate`]
/// with the same `seed`; steps after `end` are cut off. Yields nothing when the range has no
/// workday.
pub fn generate_tickets(seed: u64, n: u64, start: Date, end: Date) -> Tickets {
    let script = stream_script();
    let days = workdays(start, end);
    let skeleton = org::skeleton(seed);
    let officers = org::officers(seed, &skeleton, window_start(end).min(start), end);
    Tickets {
        script,
        skeleton,
        officers,
        rng: DemoRng::new(seed, stream_of(&script.case_type) | 1),
        end,
        n: if days.is_empty() { 0 } else { n },
        days,
        next: 0,
        current_day: None,
        seq: 0,
    }
}

impl Iterator for Tickets {
    type Item = DemoCase;

    fn next(&mut self) -> Option<DemoCase> {
        if self.next >= self.n {
            return None;
        }
        let index = (u128::from(self.next) * self.days.len() as u128 / u128::from(self.n)) as usize;
        let day = self.days[index];
        if self.current_day == Some(day) {
            self.seq += 1;
        } else {
            self.current_day = Some(day);
            self.seq = 1;
        }
        self.next += 1;
        let world = World {
            skeleton: &self.skeleton,
            officers: &self.officers,
            end: self.end,
        };
        let case = engine::case(
            self.script,
            &world,
            &mut self.rng,
            reference(&self.script.reference, day, self.seq),
            day,
            &[],
        )
        .unwrap_or_else(|e| {
            panic!(
                "built-in demo script {}: {}",
                self.script.case_type, e.message
            )
        });
        Some(case)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.n - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn references_follow_the_pattern() {
        assert_eq!(
            reference("RX{yyyy}{mm}{dd}{seq:5}", date(2026, 3, 5), 7),
            "RX2026030500007"
        );
        assert_eq!(
            reference("ZF{yyyy}{seq:4}", date(2026, 3, 5), 12),
            "ZF20260012"
        );
    }

    #[test]
    fn the_window_holds_two_full_years_before_the_current_one() {
        assert_eq!(window_start(date(2026, 11, 20)), date(2024, 1, 1));
    }
}
