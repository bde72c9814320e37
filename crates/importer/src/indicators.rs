//! Mapping figures to indicator ids. The mapping is data: `data/indicator_map.toml`, embedded
//! at compile time, one entry per indicator with its units and trigger regexes.
//!
//! A figure matches an indicator when its unit is one of the indicator's units, the `measure`
//! regex matches the figure's metric phrase, `exclude` does not, and — when the indicator has
//! a `context` regex — the context is found in the metric phrase, the sentence or the enclosing
//! headings. The confidence grows with how close the context was found.

use crate::figures::RawFigure;
use crate::text::Document;
use regex::Regex;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The embedded catalogue source.
pub const INDICATOR_MAP: &str = include_str!("../data/indicator_map.toml");

#[derive(Deserialize)]
struct File {
    indicator: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    id: String,
    label: String,
    #[serde(default)]
    units: Vec<String>,
    measure: String,
    #[serde(default)]
    context: Option<String>,
    #[serde(default)]
    exclude: Option<String>,
}

/// One indicator of the catalogue.
#[derive(Debug)]
pub struct Indicator {
    /// `<case_type or area>.<measure>`.
    pub id: String,
    /// Chinese label.
    pub label: String,
    /// Units a figure must have (empty: any).
    pub units: Vec<String>,
    measure: Regex,
    context: Option<Regex>,
    exclude: Option<Regex>,
}

static CATALOGUE: LazyLock<Vec<Indicator>> = LazyLock::new(|| {
    // The file is part of the crate and checked by a test, so a failure here is a build bug.
    let f: File = toml::from_str(INDICATOR_MAP).expect("data/indicator_map.toml is valid");
    f.indicator
        .into_iter()
        .map(|e| Indicator {
            measure: Regex::new(&e.measure).expect("measure regex"),
            context: e
                .context
                .as_deref()
                .map(|c| Regex::new(c).expect("context regex")),
            exclude: e
                .exclude
                .as_deref()
                .map(|c| Regex::new(c).expect("exclude regex")),
            id: e.id,
            label: e.label,
            units: e.units,
        })
        .collect()
});

/// Indicators by accepted unit (and those accepting any unit), so that each figure only runs
/// the regexes that can match it.
type UnitIndex = (
    HashMap<&'static str, Vec<&'static Indicator>>,
    Vec<&'static Indicator>,
);
static BY_UNIT: LazyLock<UnitIndex> = LazyLock::new(|| {
    let mut by_unit: HashMap<&'static str, Vec<&'static Indicator>> = HashMap::new();
    let mut any = Vec::new();
    for ind in catalogue() {
        if ind.units.is_empty() {
            any.push(ind);
        }
        for u in &ind.units {
            by_unit.entry(u.as_str()).or_default().push(ind);
        }
    }
    (by_unit, any)
});

/// The indicator catalogue.
pub fn catalogue() -> &'static [Indicator] {
    &CATALOGUE
}

/// The sentence around byte range `[s, e)` of the text: up to the enclosing full stops.
fn sentence(text: &str, s: usize, e: usize) -> &str {
    let is_stop = |c: char| matches!(c, '。' | '！' | '？' | '；' | ';' | '\n');
    // Bounded on both sides so that a text without full stops stays linear.
    const WINDOW: usize = 300;
    let lo = floor_boundary(text, s.saturating_sub(WINDOW));
    let hi = floor_boundary(text, (e + WINDOW).min(text.len()));
    let a = text[lo..s]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_stop(c))
        .map_or(lo, |(i, c)| lo + i + c.len_utf8());
    let b = text[e..hi].find(is_stop).map_or(hi, |i| e + i);
    &text[a..b]
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Maps every figure in place.
/// `innermost[i]` is the innermost section containing figure `i` (see
/// [`crate::sections::innermost`]).
pub fn map_all(
    doc: &Document,
    figures: &mut [RawFigure],
    innermost: &[Option<usize>],
    heads: &[String],
) {
    let (by_unit, any_unit) = &*BY_UNIT;
    for (k, f) in figures.iter_mut().enumerate() {
        let sent = sentence(doc.text, f.start, f.end);
        let head = innermost
            .get(k)
            .copied()
            .flatten()
            .map_or("", |i| heads[i].as_str());
        let mut best: Option<(f64, usize, &Indicator)> = None;
        let candidates = by_unit.get(f.unit.as_str()).into_iter().flatten();
        for &ind in candidates.chain(any_unit.iter()) {
            let Some(m) = ind.measure.find_iter(&f.metric).last() else {
                continue;
            };
            if ind.exclude.as_ref().is_some_and(|x| x.is_match(&f.metric)) {
                continue;
            }
            let conf = match &ind.context {
                None => 0.85,
                Some(c) if c.is_match(&f.metric) => 0.9,
                Some(c) if c.is_match(sent) => 0.75,
                Some(c) if c.is_match(head) => 0.6,
                Some(_) => continue,
            };
            // Matches closer to the number are more specific, then longer ones.
            let specificity = m.end() * 4 + m.len();
            let better =
                best.is_none_or(|(bc, bs, _)| conf > bc || (conf == bc && specificity > bs));
            if better {
                best = Some((conf, specificity, ind));
            }
        }
        if let Some((c, _, ind)) = best {
            f.indicator = Some(ind.id.clone());
            f.confidence = c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_loads_with_unique_well_formed_ids() {
        let c = catalogue();
        assert!(c.len() >= 37);
        let mut ids: Vec<&str> = c.iter().map(|i| i.id.as_str()).collect();
        for id in &ids {
            let (a, b) = id.split_once('.').expect("area.measure");
            assert!(!a.is_empty() && !b.is_empty() && id.is_ascii(), "{id}");
        }
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len(), "duplicate ids");
        for must in [
            "hotline.received",
            "hotline.closed",
            "hotline.close_rate",
            "hotline.dissatisfied",
            "hotline.dissatisfaction_rate",
            "enforcement.filed",
            "enforcement.fines_total",
            "enforcement.no_penalty",
            "enforcement.legal_reviews",
            "enforcement.published",
            "officers.certified",
            "officers.certified_share",
            "officers.legal_reviewers",
            "legality_review.reviews",
            "legality_review.opinions",
            "mediation.cases",
            "mediation.success_rate",
            "mediation.amount",
            "petition.received",
            "petition.closed",
            "petition.close_rate",
            "disclosure.requests",
            "disclosure.replied",
            "litigation.first_instance",
            "litigation.leader_appearance_rate",
            "publicity.activities",
            "publicity.materials",
            "legal_service.consultations",
            "demolition.cases",
            "demolition.area",
            "inspection.premises",
            "inspection.hazards_fixed",
            "wage_arrears.cases",
            "wage_arrears.recovered",
            "study.sessions",
            "collective_meeting.meetings",
            "service_rating.on_time_rate",
        ] {
            assert!(ids.contains(&must), "{must} missing");
        }
        assert!(c.iter().all(|i| !i.label.is_empty()));
    }
}
