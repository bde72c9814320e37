//! Illustrative figures for every indicator of the built-in template, in the magnitudes of the
//! seed reports (seed 000: 5571 tickets closed, 486 dissatisfied, 8.7%). For examples, tests and
//! previews — never for a real report. The figures are data (`sample_figures.toml`), so that no
//! Rust names a case type's indicator.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::Figure;

const SAMPLE: &str = include_str!("../sample_figures.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    figure: Vec<RawFigure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    id: String,
    value: f64,
    previous: Option<f64>,
    unit: String,
    label: String,
    definition: String,
    source: String,
    #[serde(default)]
    manual: bool,
}

/// Sample figures keyed by indicator id (every indicator of [`crate::template`]).
///
/// # Panics
/// Only if the embedded `sample_figures.toml` is invalid, which the crate's tests rule out.
pub fn figures() -> BTreeMap<String, Figure> {
    let raw: RawFile = toml::from_str(SAMPLE)
        .unwrap_or_else(|e| panic!("embedded sample_figures.toml is invalid: {e}"));
    raw.figure
        .into_iter()
        .map(|f| {
            (
                f.id,
                Figure {
                    value: Some(f.value),
                    unit: f.unit,
                    label: f.label,
                    manual: f.manual,
                    source: Some(f.source),
                    definition: f.definition,
                    previous: f.previous,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_indicator_has_a_sample() {
        let figures = super::figures();
        let doc = crate::template("某街道办事处", 2024);
        for id in doc.placeholder_ids() {
            assert!(figures.contains_key(&id), "{id}");
        }
        for id in doc.yoy_ids() {
            assert!(figures[&id].previous.is_some(), "{id}");
        }
    }
}
