//! What the three renderers share: the appendix rows.

use crate::fill::Filled;

/// Heading of the appendix every output ends with.
pub const APPENDIX_HEADING: &str = "附件：数据来源";

/// One row of the appendix table, all cells as text.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendixRow {
    pub number: usize,
    pub id: String,
    pub label: String,
    /// Exact number, or `缺数：reason`.
    pub value: String,
    pub missing: bool,
    pub unit: String,
    /// `系统计算` / `人工填报`.
    pub kind: String,
    pub definition: String,
    pub source: String,
}

/// The appendix rows of `f`, one per figure referenced, in order of first use.
pub fn appendix_rows(f: &Filled) -> Vec<AppendixRow> {
    f.figures
        .iter()
        .enumerate()
        .map(|(i, u)| AppendixRow {
            number: i + 1,
            id: u.id.clone(),
            label: u.label.clone(),
            value: match &u.missing_reason {
                Some(reason) => format!("缺数：{reason}"),
                None => u.value_text.clone(),
            },
            missing: u.missing_reason.is_some(),
            unit: if u.unit.trim().is_empty() {
                "—".to_owned()
            } else {
                u.unit.trim().to_owned()
            },
            kind: u.kind_text().to_owned(),
            definition: if u.definition.trim().is_empty() {
                "—".to_owned()
            } else {
                u.definition.trim().to_owned()
            },
            source: match &u.source {
                Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
                _ => "—".to_owned(),
            },
        })
        .collect()
}
