//! Filling a [`ReportDoc`] with figures: numbers computed, placeholders resolved, every figure
//! used collected for the appendix, every gap made visible.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Block, Figure, ReportDoc, Section};
use crate::number::{appendix_value, format_value, yoy_text};
use crate::numbering::{heading_number, item_lead};
use crate::placeholder::{self, Format, Token};

/// Text of the marker written where a figure is missing.
pub fn missing_marker(id: &str) -> String {
    format!("【缺数：{id}】")
}

/// Text of the marker written where a placeholder is malformed.
pub fn invalid_marker(raw: &str) -> String {
    format!("【占位符有误：{raw}】")
}

/// Text of the marker written where a year-on-year change cannot be stated (no figure for the
/// same period of the previous year, or a previous 0 to compare with).
pub fn no_previous_marker(id: &str) -> String {
    format!("【缺上年同期数：{id}】")
}

/// Marker written where the signature has no date.
pub const NO_DATE_MARKER: &str = "【待填：成文日期】";

/// A piece of filled text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Span {
    Text {
        text: String,
    },
    /// A figure written by its format; `id` links it to [`Filled::figures`].
    Figure {
        id: String,
        text: String,
    },
    /// A figure that could not be written: [`missing_marker`].
    Missing {
        id: String,
    },
    /// A malformed placeholder: [`invalid_marker`].
    Invalid {
        raw: String,
    },
    /// A year-on-year change that cannot be stated: [`no_previous_marker`].
    NoPrevious {
        id: String,
    },
}

impl Span {
    /// The text a reader sees.
    pub fn display(&self) -> String {
        match self {
            Span::Text { text } | Span::Figure { text, .. } => text.clone(),
            Span::Missing { id } => missing_marker(id),
            Span::Invalid { raw } => invalid_marker(raw),
            Span::NoPrevious { id } => no_previous_marker(id),
        }
    }
}

/// Concatenated display text of spans.
pub fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(Span::display).collect()
}

/// A filled paragraph; `lead` is an item's `一是`/`二是`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Para {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    pub spans: Vec<Span>,
}

/// A filled section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilledSection {
    /// 1 for `一、`, 2 for `（一）`, 3 for `1.`, 4 for `（1）`, 5+ deeper.
    pub level: usize,
    /// The computed number, e.g. `（二）`.
    pub number: String,
    pub heading: Vec<Span>,
    /// For a run-in heading: the paragraph that continues the heading's line (not repeated in
    /// `paras`). The heading then ends with its closing punctuation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_in: Option<Para>,
    pub paras: Vec<Para>,
    pub children: Vec<FilledSection>,
}

/// One figure referenced by the report, for the appendix 附件：数据来源.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsedFigure {
    pub id: String,
    /// The figure's label, or the id when the figure was not supplied.
    pub label: String,
    pub value: Option<f64>,
    /// Exact number as the appendix writes it, without unit (`5571`; `8.7` for 8.7 %), or `缺数`.
    pub value_text: String,
    pub unit: String,
    pub manual: bool,
    pub definition: String,
    pub source: Option<String>,
    /// Why the figure is missing (Chinese), `None` when it has a value.
    pub missing_reason: Option<String>,
    /// How many times the text uses it.
    pub uses: usize,
    /// False when no figure with this id was supplied at all.
    pub supplied: bool,
    /// The previous year's value, when the text states the change against it (`{id:yoy}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<f64>,
}

impl UsedFigure {
    /// `人工填报`, `系统计算`, or `未提供` when no figure was supplied.
    pub fn kind_text(&self) -> &'static str {
        match (self.supplied, self.manual) {
            (false, _) => "未提供",
            (true, true) => "人工填报",
            (true, false) => "系统计算",
        }
    }
}

/// Severity of a [`Diagnostic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// Something the writer should fix; never fatal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine code, e.g. `placeholder_unknown_format`, `figure_missing`.
    pub code: String,
    /// Where, in the document's own numbering: `一、（二）第3段`, `开头第1段`, `署名`.
    pub place: String,
    /// Chinese explanation.
    pub message: String,
}

/// A report with its figures filled in: what the renderers take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filled {
    pub title: String,
    pub unit_name: String,
    pub year: i32,
    pub opening: Vec<Para>,
    pub sections: Vec<FilledSection>,
    pub closing: Vec<Para>,
    pub signature_unit: String,
    /// `None` → renderers print [`NO_DATE_MARKER`].
    pub signature_date: Option<String>,
    /// Every figure referenced, in order of first use (the appendix).
    pub figures: Vec<UsedFigure>,
    /// Ids of the figures that could not be written, in order of first use.
    pub missing: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Filled {
    /// True when nothing is missing and no diagnostic is an error: ready to publish.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
            && self.signature_date.is_some()
            && !self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
    }
}

struct Filler<'a> {
    figures: &'a BTreeMap<String, Figure>,
    used: Vec<UsedFigure>,
    index: BTreeMap<String, usize>,
    missing: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Filler<'_> {
    fn diag(&mut self, severity: Severity, code: &str, place: &str, message: String) {
        self.diagnostics.push(Diagnostic {
            severity,
            code: code.to_owned(),
            place: place.to_owned(),
            message,
        });
    }

    /// Record a use of `id` and say how to write it.
    fn resolve(&mut self, id: &str, format: Format, place: &str) -> Span {
        let fig = self.figures.get(id);
        let missing_reason = match fig {
            None => Some("未提供该指标".to_owned()),
            Some(Figure { value: None, .. }) => Some("无数据，无法计算".to_owned()),
            Some(Figure { value: Some(v), .. }) if !v.is_finite() => {
                Some("计算结果无效，如分母为零".to_owned())
            }
            Some(_) => None,
        };
        let slot = match self.index.get(id) {
            Some(&i) => i,
            None => {
                let (label, unit, manual, definition, source, value) = match fig {
                    Some(f) => (
                        if f.label.is_empty() {
                            id.to_owned()
                        } else {
                            f.label.clone()
                        },
                        f.unit.clone(),
                        f.manual,
                        f.definition.clone(),
                        f.source.clone(),
                        f.value.filter(|v| v.is_finite()),
                    ),
                    None => (
                        id.to_owned(),
                        String::new(),
                        false,
                        String::new(),
                        None,
                        None,
                    ),
                };
                let value_text = match value {
                    Some(v) => appendix_value(v, &unit),
                    None => "缺数".to_owned(),
                };
                self.used.push(UsedFigure {
                    id: id.to_owned(),
                    label,
                    value,
                    value_text,
                    unit,
                    manual,
                    definition,
                    source,
                    missing_reason: missing_reason.clone(),
                    uses: 0,
                    supplied: fig.is_some(),
                    previous: None,
                });
                self.index.insert(id.to_owned(), self.used.len() - 1);
                self.used.len() - 1
            }
        };
        self.used[slot].uses += 1;
        if let Some(reason) = missing_reason {
            if !self.missing.iter().any(|m| m == id) {
                self.missing.push(id.to_owned());
            }
            self.diag(
                Severity::Error,
                "figure_missing",
                place,
                format!("缺少数据“{id}”：{reason}"),
            );
            return Span::Missing { id: id.to_owned() };
        }
        let f = fig.expect("present when not missing");
        let v = f.value.expect("present when not missing");
        let unit = f.unit.trim();
        if format.is_percent() && unit != "%" && !unit.is_empty() {
            self.diag(
                Severity::Warning,
                "percent_format_on_non_ratio",
                place,
                format!("“{id}”的单位是“{unit}”，却按百分比格式书写"),
            );
        }
        if (format.is_percent() || (format == Format::Auto && unit == "%")) && v.abs() > 1.0 + 1e-9
        {
            self.diag(
                Severity::Warning,
                "percent_over_100",
                place,
                format!(
                    "“{id}”的值为{v}，按比例（0～1）换算后超过100%；若该值已是百分数，请改为小数"
                ),
            );
        }
        if format == Format::Yoy {
            return self.yoy(id, v, f, place);
        }
        Span::Figure {
            id: id.to_owned(),
            text: format_value(v, format, &f.unit),
        }
    }

    /// The change of `id` (value `v`) against the previous year, or a marker and an error.
    fn yoy(&mut self, id: &str, v: f64, f: &Figure, place: &str) -> Span {
        let previous = f.previous.filter(|p| p.is_finite());
        if let Some(slot) = self.index.get(id).copied()
            && previous.is_some()
        {
            let u = &mut self.used[slot];
            if u.previous.is_none() {
                u.previous = previous;
                u.value_text = format!(
                    "{}（上年同期{}）",
                    u.value_text,
                    appendix_value(previous.unwrap_or_default(), &u.unit)
                );
            }
        }
        let text = previous.and_then(|p| yoy_text(v, p, &f.unit));
        match text {
            Some(text) => Span::Figure {
                id: id.to_owned(),
                text,
            },
            None => {
                let reason = if previous.is_none() {
                    "没有上年同期的数据".to_owned()
                } else {
                    "上年同期为0，无法计算增减幅度".to_owned()
                };
                self.diag(
                    Severity::Error,
                    "figure_no_previous",
                    place,
                    format!("无法写出“{id}”的同比变化：{reason}，请改写此句或核实数据"),
                );
                Span::NoPrevious { id: id.to_owned() }
            }
        }
    }

    fn spans(&mut self, text: &str, place: &str) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        let push_text = |out: &mut Vec<Span>, s: &str| {
            if let Some(Span::Text { text }) = out.last_mut() {
                text.push_str(s);
            } else if !s.is_empty() {
                out.push(Span::Text { text: s.to_owned() });
            }
        };
        for tok in placeholder::parse(text) {
            match tok {
                Token::Text(t) => push_text(&mut out, &t),
                Token::Placeholder { id, format, .. } => {
                    let span = self.resolve(&id, format, place);
                    out.push(span);
                }
                Token::Invalid { raw, problem } => {
                    self.diag(
                        Severity::Error,
                        problem.code(),
                        place,
                        format!("{}：{raw}", problem.message()),
                    );
                    out.push(Span::Invalid { raw });
                }
                Token::Stray { raw, problem } => {
                    self.diag(
                        Severity::Warning,
                        problem.code(),
                        place,
                        format!("{}：{raw}", problem.message()),
                    );
                    push_text(&mut out, &raw);
                }
            }
        }
        out
    }

    fn blocks(&mut self, blocks: &[Block], place: &str) -> Vec<Para> {
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Paragraph(text) => {
                    for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
                        let p = format!("{place}第{}段", out.len() + 1);
                        let spans = self.spans(line, &p);
                        out.push(Para { lead: None, spans });
                    }
                }
                Block::Items(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let lead = item_lead(i);
                        let p = format!("{place}“{lead}”");
                        let spans = self.spans(item.trim(), &p);
                        out.push(Para {
                            lead: Some(lead),
                            spans,
                        });
                    }
                }
            }
        }
        out
    }

    fn sections(&mut self, sections: &[Section], depth: usize, prefix: &str) -> Vec<FilledSection> {
        sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let number = heading_number(depth, i);
                let place = format!("{prefix}{number}");
                let mut heading = self.spans(s.heading.trim(), &format!("{place}标题"));
                let mut paras = self.blocks(&s.blocks, &place);
                let run_in = if s.run_in && matches!(s.blocks.first(), Some(Block::Paragraph(_))) {
                    let ends = spans_text(&heading)
                        .chars()
                        .last()
                        .is_some_and(|c| "。！？：；.!?:;".contains(c));
                    if !ends {
                        heading.push(Span::Text {
                            text: "。".to_owned(),
                        });
                    }
                    (!paras.is_empty()).then(|| paras.remove(0))
                } else {
                    None
                };
                let children = self.sections(&s.children, depth + 1, &place);
                FilledSection {
                    level: depth + 1,
                    number,
                    heading,
                    run_in,
                    paras,
                    children,
                }
            })
            .collect()
    }
}

/// Fill `doc` with `figures` (keyed by placeholder id). Total: never fails; problems become
/// visible markers in the text, entries in [`Filled::missing`] and [`Filled::diagnostics`].
pub fn fill(doc: &ReportDoc, figures: &BTreeMap<String, Figure>) -> Filled {
    let mut f = Filler {
        figures,
        used: Vec::new(),
        index: BTreeMap::new(),
        missing: Vec::new(),
        diagnostics: Vec::new(),
    };
    let opening = f.blocks(&doc.opening, "开头");
    let sections = f.sections(&doc.sections, 0, "");
    let closing = f.blocks(&doc.closing, "结尾");
    let signature_unit = if doc.signature.unit_name.trim().is_empty() {
        doc.unit_name.clone()
    } else {
        doc.signature.unit_name.clone()
    };
    let signature_date = doc
        .signature
        .date
        .as_ref()
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if signature_date.is_none() {
        f.diag(
            Severity::Warning,
            "signature_no_date",
            "署名",
            "尚未填写成文日期".to_owned(),
        );
    }
    if doc.title.contains('{') {
        f.diag(
            Severity::Warning,
            "title_placeholder",
            "标题",
            "标题中的占位符不会被替换".to_owned(),
        );
    }
    Filled {
        title: doc.title.clone(),
        unit_name: doc.unit_name.clone(),
        year: doc.year,
        opening,
        sections,
        closing,
        signature_unit,
        signature_date,
        figures: f.used,
        missing: f.missing,
        diagnostics: f.diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Signature;

    fn doc(text: &str) -> ReportDoc {
        ReportDoc {
            title: "T".into(),
            unit_name: "某街道办事处".into(),
            year: 2024,
            opening: vec![Block::Paragraph(text.into())],
            sections: vec![],
            closing: vec![],
            signature: Signature {
                unit_name: String::new(),
                date: Some("2025年1月5日".into()),
            },
        }
    }

    fn figs() -> BTreeMap<String, Figure> {
        let mut m = BTreeMap::new();
        m.insert(
            "hotline.received".into(),
            Figure::computed(5571.0, "件", "12345工单受理量"),
        );
        m.insert(
            "hotline.dissatisfaction_rate".into(),
            Figure::computed(0.087, "%", "12345工单不满意率"),
        );
        m.insert(
            "hotline.closed".into(),
            Figure {
                value: None,
                ..Figure::computed(0.0, "件", "12345工单办结量")
            },
        );
        m.insert("x.share".into(), Figure::computed(0.4746, "%", "某占比"));
        m.insert(
            "enforcement.fines_total".into(),
            Figure::computed(3_371_857.0, "元", "罚没款金额"),
        );
        m
    }

    fn text(f: &Filled) -> String {
        spans_text(&f.opening[0].spans)
    }

    #[test]
    fn fills_figures_in_seed_style() {
        let f = fill(
            &doc(
                "受理{hotline.received}件，不满意率{hotline.dissatisfaction_rate:pct1}，占比{x.share:pct2}，罚款{enforcement.fines_total:wan}元。",
            ),
            &figs(),
        );
        assert_eq!(
            text(&f),
            "受理5571件，不满意率8.7%，占比47.46%，罚款337.19万元。"
        );
        assert!(f.missing.is_empty());
        assert!(f.is_complete(), "{:?}", f.diagnostics);
        assert_eq!(f.figures.len(), 4);
        assert_eq!(f.figures[0].value_text, "5571");
        assert_eq!(f.signature_unit, "某街道办事处");
    }

    #[test]
    fn missing_is_a_marker_never_zero() {
        let f = fill(
            &doc("办结{hotline.closed}件，结案{enforcement.closed}宗，又办结{hotline.closed}件。"),
            &figs(),
        );
        assert_eq!(
            text(&f),
            "办结【缺数：hotline.closed】件，结案【缺数：enforcement.closed】宗，又办结【缺数：hotline.closed】件。"
        );
        assert_eq!(f.missing, vec!["hotline.closed", "enforcement.closed"]);
        assert!(!f.is_complete());
        assert!(!text(&f).contains('0'));
        let closed = &f.figures[0];
        assert_eq!(closed.value_text, "缺数");
        assert_eq!(closed.uses, 2);
        assert_eq!(closed.label, "12345工单办结量");
        assert_eq!(f.figures[1].label, "enforcement.closed");
        assert!(f.diagnostics.iter().any(|d| d.code == "figure_missing"));
    }

    #[test]
    fn non_finite_is_missing() {
        let mut m = figs();
        m.insert("r".into(), Figure::computed(f64::NAN, "%", "率"));
        let f = fill(&doc("率{r}"), &m);
        assert_eq!(text(&f), "率【缺数：r】");
        assert_eq!(f.missing, vec!["r"]);
    }

    #[test]
    fn bad_syntax_is_a_diagnostic_not_a_panic() {
        let f = fill(&doc("甲{hotline.received:xyz}乙{受理}丙{未闭合"), &figs());
        assert_eq!(
            text(&f),
            "甲【占位符有误：{hotline.received:xyz}】乙【占位符有误：{受理}】丙{未闭合"
        );
        let codes: Vec<_> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "placeholder_unknown_format",
                "placeholder_bad_id",
                "placeholder_unclosed"
            ]
        );
        assert_eq!(f.diagnostics[0].place, "开头第1段");
        assert!(!f.is_complete());
    }

    #[test]
    fn year_on_year_increase_decrease_equal_and_no_data() {
        let mut m = figs();
        let with =
            |v: f64, unit: &str, p: Option<f64>| Figure::computed(v, unit, "某数").with_previous(p);
        m.insert("up".into(), with(5620.0, "件", Some(4995.0)));
        m.insert("down".into(), with(91.0, "件", Some(100.0)));
        m.insert("same".into(), with(100.0, "件", Some(100.0)));
        m.insert("rate".into(), with(0.987, "%", Some(0.975)));
        let f = fill(
            &doc("受理{up}件，{up:yoy}；纠纷{down:yoy}；{same:yoy}；按期率{rate:yoy}。"),
            &m,
        );
        assert_eq!(
            text(&f),
            "受理5620件，同比增长12.5%；纠纷同比减少9%；与上年持平；按期率同比提高1.2个百分点。"
        );
        assert!(f.is_complete(), "{:?}", f.diagnostics);
        assert_eq!(f.figures[0].value_text, "5620（上年同期4995）");
        assert_eq!(f.figures[0].previous, Some(4995.0));
        // No previous year: a marker the clerk sees and an error, never a made-up change.
        m.insert("new".into(), with(12.0, "件", None));
        m.insert("zero".into(), with(12.0, "件", Some(0.0)));
        let f = fill(&doc("{new:yoy}，{zero:yoy}，{absent:yoy}"), &m);
        assert_eq!(
            text(&f),
            "【缺上年同期数：new】，【缺上年同期数：zero】，【缺数：absent】"
        );
        assert!(!f.is_complete());
        let codes: Vec<_> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            ["figure_no_previous", "figure_no_previous", "figure_missing"]
        );
        assert!(f.diagnostics[1].message.contains("上年同期为0"));
        assert_eq!(f.figures[0].value_text, "12");
        let ids: Vec<String> = doc("{a}{b:yoy}").placeholder_ids().into_iter().collect();
        assert_eq!(ids, ["a", "b"]);
        let yoy: Vec<String> = doc("{a}{b:yoy}{b}").yoy_ids().into_iter().collect();
        assert_eq!(yoy, ["b"]);
    }

    #[test]
    fn percent_over_one_warns() {
        let mut m = figs();
        m.insert("r".into(), Figure::computed(8.7, "%", "率"));
        let f = fill(&doc("{r}"), &m);
        assert_eq!(text(&f), "870%");
        assert!(f.diagnostics.iter().any(|d| d.code == "percent_over_100"));
    }

    #[test]
    fn numbering_items_and_run_in() {
        let mut d = doc("开头");
        d.sections = vec![
            Section {
                heading: "甲".into(),
                children: vec![
                    Section {
                        heading: "乙".into(),
                        children: vec![],
                        blocks: vec![Block::Items(vec!["a".into(), "b".into()])],
                        run_in: false,
                    },
                    Section {
                        heading: "丙".into(),
                        children: vec![],
                        blocks: vec![Block::Paragraph("正文一\n\n正文二".into())],
                        run_in: true,
                    },
                ],
                blocks: vec![],
                run_in: false,
            },
            Section {
                heading: "丁".into(),
                children: vec![],
                blocks: vec![],
                run_in: true,
            },
        ];
        let f = fill(&d, &figs());
        assert_eq!(f.sections[0].number, "一、");
        assert_eq!(f.sections[1].number, "二、");
        let c = &f.sections[0].children;
        assert_eq!(c[0].number, "（一）");
        assert_eq!(c[0].paras[1].lead.as_deref(), Some("二是"));
        assert_eq!(c[1].number, "（二）");
        assert_eq!(spans_text(&c[1].heading), "丙。");
        assert_eq!(spans_text(&c[1].run_in.as_ref().unwrap().spans), "正文一");
        assert_eq!(c[1].paras.len(), 1);
        assert!(f.sections[1].run_in.is_none());
        assert_eq!(spans_text(&f.sections[1].heading), "丁");
    }
}
