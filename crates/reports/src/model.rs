//! The report model: what the lead stores as JSON and what [`crate::fill`] reads.

use serde::{Deserialize, Serialize};

/// An annual report on rule-of-law government construction, before its figures are filled in.
///
/// Stored as JSON (`serde_json::to_string(&doc)` / `from_str`). Fields added after the first
/// version (`closing`, `signature`, `Section::run_in`) default when absent, so older JSON keeps
/// loading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDoc {
    /// Full title, e.g. `XX街道办事处关于2024年度法治政府建设情况的报告`. Plain text (no placeholders).
    pub title: String,
    /// The reporting unit, e.g. `广州市海珠区人民政府海幢街道办事处`.
    pub unit_name: String,
    /// The year reported on.
    pub year: i32,
    /// Paragraphs before the first numbered part ("现将……报告如下：").
    pub opening: Vec<Block>,
    /// The numbered parts. Depth 0 is numbered `一、`, depth 1 `（一）`, depth 2 `1.`, depth 3
    /// `（1）`, deeper `①`. Numbers are computed, never typed into `heading`.
    pub sections: Vec<Section>,
    /// Paragraphs after the last part (a concluding paragraph, as in some seeds). Optional.
    #[serde(default)]
    pub closing: Vec<Block>,
    /// The signature block (发文机关署名 and 成文日期).
    #[serde(default)]
    pub signature: Signature,
}

/// One numbered part of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Heading text without its number, e.g. `2024年主要举措和成效`. May contain placeholders.
    pub heading: String,
    /// Sub-sections, numbered one level deeper.
    #[serde(default)]
    pub children: Vec<Section>,
    /// Body of this section, rendered before its children.
    #[serde(default)]
    pub blocks: Vec<Block>,
    /// Run-in heading (`（一）法治意识有待提升。机关干部……`): the heading is set at the start of the
    /// first paragraph instead of on a line of its own; a full stop is added when the heading has
    /// no closing punctuation. Only applies when the first block is a [`Block::Paragraph`].
    #[serde(default, skip_serializing_if = "is_false")]
    pub run_in: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A block of body text. Texts may contain figure placeholders, see [`crate::placeholder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// One paragraph. A `\n` inside starts a new paragraph; blank lines are ignored.
    Paragraph(String),
    /// Enumerated items, each its own paragraph, prefixed `一是` `二是` … (computed).
    Items(Vec<String>),
}

/// 发文机关署名 and 成文日期. Without a date the renderers print a visible
/// `【待填：成文日期】` marker (this crate has no clock).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub unit_name: String,
    /// Arabic-numeral date as GB/T 9704 writes it, e.g. `2025年1月15日`; see [`cn_date`].
    #[serde(default)]
    pub date: Option<String>,
}

/// `cn_date(2025, 1, 5)` → `2025年1月5日` (no zero padding, as GB/T 9704-2012 writes 成文日期).
pub fn cn_date(year: i32, month: u32, day: u32) -> String {
    format!("{year}年{month}月{day}日")
}

/// One figure that a placeholder can refer to, as the indicator engine (or a clerk, for a manual
/// figure) supplies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// `None` when the indicator could not be computed: rendered as a missing marker, never 0.
    pub value: Option<f64>,
    /// `件` `宗` `人` `元` `%` … For `%` the value is a **fraction** (0.087 = 8.7%), the indicator
    /// engine's convention for ratios.
    pub unit: String,
    /// Human label, e.g. `12345工单受理量`.
    pub label: String,
    /// Entered by hand rather than computed from records.
    #[serde(default)]
    pub manual: bool,
    /// Where the number comes from (query, register, person who entered it).
    #[serde(default)]
    pub source: Option<String>,
    /// What is counted (口径).
    #[serde(default)]
    pub definition: String,
    /// The same indicator for the same period of the previous year, for the `yoy` form
    /// (`{id:yoy}` → `同比增长12.5%`). `None` when the previous year has no figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<f64>,
}

impl Figure {
    /// A computed figure with no source or definition (tests and quick use).
    pub fn computed(value: f64, unit: &str, label: &str) -> Self {
        Figure {
            value: Some(value),
            unit: unit.to_owned(),
            label: label.to_owned(),
            manual: false,
            source: None,
            definition: String::new(),
            previous: None,
        }
    }

    /// The same figure with the previous year's value for the `yoy` form.
    pub fn with_previous(self, previous: Option<f64>) -> Self {
        Figure { previous, ..self }
    }
}

impl ReportDoc {
    /// Every placeholder id used anywhere in the document (title excluded), sorted — the
    /// indicators the caller must compute before [`crate::fill`].
    pub fn placeholder_ids(&self) -> std::collections::BTreeSet<String> {
        self.placeholder_uses()
            .into_iter()
            .filter(|id| !id.ends_with(crate::placeholder::YOY_SUFFIX))
            .chain(self.yoy_ids())
            .collect()
    }

    /// The ids used in the year-on-year form (`{id:yoy}`): for these the caller also supplies
    /// [`Figure::previous`], the value of the same period of the previous year.
    pub fn yoy_ids(&self) -> std::collections::BTreeSet<String> {
        self.placeholder_uses()
            .into_iter()
            .filter_map(|id| {
                id.strip_suffix(crate::placeholder::YOY_SUFFIX)
                    .map(str::to_owned)
            })
            .collect()
    }

    /// Placeholder ids, the yoy uses marked with [`crate::placeholder::YOY_SUFFIX`].
    fn placeholder_uses(&self) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        let mut visit = |text: &str| {
            for tok in crate::placeholder::parse(text) {
                if let crate::placeholder::Token::Placeholder { id, format, .. } = tok {
                    out.insert(if format == crate::placeholder::Format::Yoy {
                        format!("{id}{}", crate::placeholder::YOY_SUFFIX)
                    } else {
                        id
                    });
                }
            }
        };
        fn blocks(bs: &[Block], visit: &mut dyn FnMut(&str)) {
            for b in bs {
                match b {
                    Block::Paragraph(t) => visit(t),
                    Block::Items(items) => items.iter().for_each(|t| visit(t)),
                }
            }
        }
        fn sections(ss: &[Section], visit: &mut dyn FnMut(&str)) {
            for s in ss {
                visit(&s.heading);
                blocks(&s.blocks, visit);
                sections(&s.children, visit);
            }
        }
        blocks(&self.opening, &mut visit);
        sections(&self.sections, &mut visit);
        blocks(&self.closing, &mut visit);
        out
    }
}
