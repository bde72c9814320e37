//! A case type's paragraphs of the annual report: the `report.toml` of its folder
//! (`case_types/<code>/report.toml`), parsed and checked with file:line diagnostics.
//!
//! ```toml
//! [report]
//! noun = "12345工单"   # how the report names the case type's matters in running text
//! order = 10           # place among the case types (optional, default 100)
//!
//! [[paragraph]]
//! part = "measures"    # measures | leaders | shortcomings | plan (一 to 四)
//! section = "functions" # measures only: the sub-section's key, see template::SECTION_KEYS
//! order = 20           # place within the section, among the frame's paragraphs (10, 20, …)
//! text = "坚持接诉即办。全年受理12345工单{hotline.received}件，{hotline.received:yoy}……"
//!
//! [[paragraph]]
//! part = "plan"
//! order = 30
//! heading = "提升矛盾纠纷化解实效" # shortcomings and plan: the run-in heading (required)
//! text = "……"
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use fazhi_workflow::{Diagnostic, Registry};
use serde::Deserialize;
use toml::Spanned;

use crate::placeholder::{self, Token};
use crate::source::Src;
use crate::template::SECTION_KEYS;

/// The file of a case-type folder that holds its report paragraphs.
pub const REPORT_FILE: &str = "report.toml";

/// Order of a case type (or a paragraph) that declares none.
pub const DEFAULT_ORDER: i64 = 100;

/// The four parts of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// 一、主要举措和成效 (sub-sections by the systems of the 法治政府建设实施纲要).
    Measures,
    /// 二、党政主要负责人履行推进法治建设第一责任人职责情况.
    Leaders,
    /// 三、存在的不足和原因 (run-in headings).
    Shortcomings,
    /// 四、下一年度工作计划 (run-in headings).
    Plan,
}

impl Part {
    pub const KEYS: &'static [&'static str] = &["measures", "leaders", "shortcomings", "plan"];

    pub fn parse(key: &str) -> Option<Part> {
        Some(match key {
            "measures" => Part::Measures,
            "leaders" => Part::Leaders,
            "shortcomings" => Part::Shortcomings,
            "plan" => Part::Plan,
            _ => return None,
        })
    }

    /// Parts whose paragraphs carry a run-in heading.
    pub fn has_heading(self) -> bool {
        matches!(self, Part::Shortcomings | Part::Plan)
    }
}

/// One paragraph a case type adds to the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub part: Part,
    /// The sub-section key ([`SECTION_KEYS`]) for [`Part::Measures`].
    pub section: Option<String>,
    pub order: i64,
    /// Run-in heading, for [`Part::Shortcomings`] and [`Part::Plan`].
    pub heading: Option<String>,
    /// One paragraph of text with placeholders.
    pub text: String,
}

/// The report paragraphs of one case type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTypeReport {
    /// The case type's code (its folder's name).
    pub code: String,
    /// How the report names its matters in running text, e.g. `12345工单`.
    pub noun: String,
    pub order: i64,
    pub paragraphs: Vec<Paragraph>,
}

impl CaseTypeReport {
    /// Every placeholder id its paragraphs use.
    pub fn placeholder_ids(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for p in &self.paragraphs {
            for t in p.heading.iter().chain(std::iter::once(&p.text)) {
                for tok in placeholder::parse(t) {
                    if let Token::Placeholder { id, .. } = tok {
                        out.insert(id);
                    }
                }
            }
        }
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    report: Spanned<RawHead>,
    #[serde(default)]
    paragraph: Vec<Spanned<RawParagraph>>,
    /// Table 三 of the disclosure report: parsed and checked by `crate::disclosure`.
    #[serde(default, rename = "disclosure")]
    _disclosure: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHead {
    noun: Spanned<String>,
    order: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParagraph {
    part: Spanned<String>,
    section: Option<Spanned<String>>,
    order: Option<i64>,
    heading: Option<Spanned<String>>,
    text: Spanned<String>,
}

/// Checks the placeholders of `text` (a string literal at `span` in the file): malformed ones,
/// and, with `known`, ids that are not indicators of the catalogue.
fn check_text(
    src: &Src<'_>,
    span: &std::ops::Range<usize>,
    text: &str,
    known: Option<&dyn Fn(&str) -> bool>,
    diags: &mut Vec<Diagnostic>,
) {
    for tok in placeholder::parse(text) {
        match tok {
            Token::Invalid { raw, problem } | Token::Stray { raw, problem } => {
                let at = src.find_in(span, raw.get(..raw.len().min(40)).unwrap_or(&raw));
                diags.push(src.error(
                    Some(at),
                    format!("bad placeholder `{raw}` ({})", problem.code()),
                    format!("{}：{raw}", problem.message()),
                ));
            }
            Token::Placeholder { id, raw, .. } => {
                if let Some(known) = known
                    && !known(&id)
                {
                    diags.push(src.error(
                        Some(src.find_in(span, &raw)),
                        format!("unknown indicator `{id}` in placeholder `{raw}`"),
                        format!("占位符{raw}中的指标“{id}”不存在"),
                    ));
                }
            }
            Token::Text(_) => {}
        }
    }
}

/// Parses the `report.toml` of case type `code`. With `known`, every placeholder's indicator
/// id must be known (pass the catalogue's `resolve`). Returns the paragraphs when there is no
/// error, and every diagnostic.
pub fn parse_report(
    code: &str,
    path: &Path,
    text: &str,
    known: Option<&dyn Fn(&str) -> bool>,
) -> (Option<CaseTypeReport>, Vec<Diagnostic>) {
    let src = Src { path, text };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            return (
                None,
                vec![src.error(
                    e.span(),
                    format!("invalid report file: {}", e.message().trim()),
                    format!("报告段落文件格式错误：{}", e.message().trim()),
                )],
            );
        }
    };
    let mut diags = Vec::new();
    let head = raw.report.get_ref();
    let noun = head.noun.get_ref().trim().to_owned();
    if noun.is_empty() {
        diags.push(src.error(
            Some(head.noun.span()),
            "report.noun must not be empty",
            "report.noun（报告中对本类事项的称呼）不能为空",
        ));
    }
    let mut paragraphs = Vec::new();
    for rp in &raw.paragraph {
        let p = rp.get_ref();
        let part_key = p.part.get_ref().trim();
        let Some(part) = Part::parse(part_key) else {
            diags.push(src.error(
                Some(p.part.span()),
                format!(
                    "unknown part `{part_key}` (expected one of: {})",
                    Part::KEYS.join(", ")
                ),
                format!(
                    "part（所属部分）“{part_key}”无法识别，应为：{}",
                    Part::KEYS.join("、")
                ),
            ));
            continue;
        };
        let mut ok = true;
        let section = match (&p.section, part) {
            (Some(s), Part::Measures) => {
                let key = s.get_ref().trim();
                if !SECTION_KEYS.contains(&key) {
                    diags.push(src.error(
                        Some(s.span()),
                        format!(
                            "unknown section `{key}` (expected one of: {})",
                            SECTION_KEYS.join(", ")
                        ),
                        format!(
                            "section（所属小节）“{key}”无法识别，应为：{}",
                            SECTION_KEYS.join("、")
                        ),
                    ));
                    ok = false;
                }
                Some(key.to_owned())
            }
            (None, Part::Measures) => {
                diags.push(src.error(
                    Some(rp.span()),
                    "a paragraph of part `measures` needs a `section`",
                    format!(
                        "“主要举措和成效”部分的段落须指明section（所属小节），可选：{}",
                        SECTION_KEYS.join("、")
                    ),
                ));
                ok = false;
                None
            }
            (Some(s), _) => {
                diags.push(src.error(
                    Some(s.span()),
                    format!("only part `measures` has sections, not `{part_key}`"),
                    "只有“主要举措和成效”部分（measures）分小节，此处不应写section",
                ));
                ok = false;
                None
            }
            (None, _) => None,
        };
        let heading = match (&p.heading, part.has_heading()) {
            (Some(h), true) => {
                let t = h.get_ref().trim();
                if t.is_empty() || t.contains('\n') {
                    diags.push(src.error(
                        Some(h.span()),
                        "heading must be one non-empty line",
                        "heading（标题）须为非空的一行文字",
                    ));
                    ok = false;
                }
                check_text(&src, &h.span(), t, known, &mut diags);
                Some(t.to_owned())
            }
            (None, true) => {
                diags.push(src.error(
                    Some(rp.span()),
                    format!("a paragraph of part `{part_key}` needs a `heading`"),
                    "“存在的不足”和“工作计划”部分的段落须有heading（标题）",
                ));
                ok = false;
                None
            }
            (Some(h), false) => {
                diags.push(src.error(
                    Some(h.span()),
                    format!("paragraphs of part `{part_key}` have no heading"),
                    "只有“存在的不足”和“工作计划”部分的段落有heading（标题）",
                ));
                ok = false;
                None
            }
            (None, false) => None,
        };
        let body = p.text.get_ref().trim();
        if body.is_empty() {
            diags.push(src.error(
                Some(p.text.span()),
                "text must not be empty",
                "text（段落正文）不能为空",
            ));
            ok = false;
        } else if body.contains('\n') {
            diags.push(src.error(
                Some(p.text.span()),
                "text is one paragraph: end each line inside \"\"\" with a backslash",
                "text须为一段文字：多行书写时每行末尾加反斜杠“\\”续行",
            ));
            ok = false;
        }
        check_text(&src, &p.text.span(), body, known, &mut diags);
        if ok {
            paragraphs.push(Paragraph {
                part,
                section,
                order: p.order.unwrap_or(DEFAULT_ORDER),
                heading,
                text: body.to_owned(),
            });
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    (
        Some(CaseTypeReport {
            code: code.to_owned(),
            noun,
            order: head.order.unwrap_or(DEFAULT_ORDER),
            paragraphs,
        }),
        diags,
    )
}

/// The report paragraphs of every case type of the registry that has a `report.toml`, ordered
/// by their `order` (then code). Placeholder ids are not checked against a catalogue here
/// ([`check_reports`] does that); any other error fails the whole load.
pub fn case_type_reports(registry: &Registry) -> Result<Vec<CaseTypeReport>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for folder in registry.folders() {
        let Some(f) = folder.file(REPORT_FILE) else {
            continue;
        };
        let (r, d) = parse_report(&folder.code, &f.path, &f.text, None);
        diags.extend(d);
        out.extend(r);
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    out.sort_by(|a, b| (a.order, &a.code).cmp(&(b.order, &b.code)));
    Ok(out)
}

/// Every diagnostic of the `report.toml` files of the registry's folders, placeholders checked
/// against `known` (e.g. `|id| catalog.resolve(id).is_some()`). Empty when clean. For
/// `fazhi workflow check DIR`.
pub fn check_reports(registry: &Registry, known: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for folder in registry.folders() {
        if let Some(f) = folder.file(REPORT_FILE) {
            out.extend(parse_report(&folder.code, &f.path, &f.text, Some(known)).1);
        }
    }
    out.extend(crate::disclosure::check_disclosure(registry));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<CaseTypeReport>, Vec<Diagnostic>) {
        let known = |id: &str| id.starts_with("x.");
        parse_report("x_case", Path::new("x/report.toml"), text, Some(&known))
    }

    fn lines(d: &[Diagnostic]) -> Vec<(usize, String)> {
        d.iter()
            .map(|d| (d.line.unwrap_or(0), d.message.clone()))
            .collect()
    }

    #[test]
    fn a_good_file_parses() {
        let (r, d) = parse(
            "[report]\nnoun = \"某事项\"\norder = 5\n\n[[paragraph]]\npart = \"measures\"\nsection = \"functions\"\norder = 15\ntext = \"\"\"\\\n受理{x.a}件，\\\n{x.a:yoy}。\"\"\"\n\n[[paragraph]]\npart = \"plan\"\nheading = \"标题\"\ntext = \"正文。\"\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let r = r.unwrap();
        assert_eq!(r.noun, "某事项");
        assert_eq!(r.order, 5);
        assert_eq!(r.paragraphs[0].text, "受理{x.a}件，{x.a:yoy}。");
        assert_eq!(r.paragraphs[0].section.as_deref(), Some("functions"));
        assert_eq!(r.paragraphs[1].order, DEFAULT_ORDER);
        assert_eq!(r.paragraphs[1].heading.as_deref(), Some("标题"));
        assert_eq!(r.placeholder_ids().into_iter().collect::<Vec<_>>(), ["x.a"]);
    }

    #[test]
    fn problems_name_file_and_line() {
        let text = "[report]\nnoun = \"某事项\"\n\n[[paragraph]]\npart = \"measures\"\nsection = \"nowhere\"\ntext = \"甲\"\n\n[[paragraph]]\npart = \"leaders\"\ntext = \"受理{y.b}件，{x.c:bogus}\"\n\n[[paragraph]]\npart = \"middle\"\ntext = \"乙\"\n\n[[paragraph]]\npart = \"plan\"\ntext = \"丙\"\n";
        let (r, d) = parse(text);
        assert!(r.is_none());
        let l = lines(&d);
        assert_eq!(l.len(), 5, "{l:?}");
        assert_eq!(l[0].0, 6);
        assert!(l[0].1.contains("unknown section `nowhere`"), "{l:?}");
        assert_eq!(l[1].0, 11);
        assert!(l[1].1.contains("unknown indicator `y.b`"), "{l:?}");
        assert_eq!(d[1].column, Some(11));
        assert!(l[2].1.contains("placeholder_unknown_format"), "{l:?}");
        assert_eq!(l[3].0, 14);
        assert!(l[3].1.contains("unknown part `middle`"), "{l:?}");
        assert!(l[4].1.contains("needs a `heading`"), "{l:?}");
        assert!(d.iter().all(|d| d.file == Path::new("x/report.toml")));
        assert!(d[0].message_zh.contains("section"), "{}", d[0].message_zh);
    }

    #[test]
    fn syntax_and_unknown_keys_are_errors() {
        let (_, d) = parse("[report]\nnoun = \"某\"\ncolour = 1\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, Some(3), "{d:?}");
        let (_, d) = parse("[report]\nnoun = \n");
        assert_eq!(d[0].line, Some(2), "{d:?}");
        let (_, d) = parse(
            "[report]\nnoun = \"某\"\n[[paragraph]]\npart = \"leaders\"\ntext = \"\"\"\n一行\n两行\"\"\"\n",
        );
        assert!(d[0].message.contains("one paragraph"), "{d:?}");
        let (_, d) = parse(
            "[report]\nnoun = \"某\"\n[[paragraph]]\npart = \"leaders\"\nsection = \"functions\"\ntext = \"甲\"\n",
        );
        assert!(d[0].message.contains("only part `measures`"), "{d:?}");
    }

    #[test]
    fn embedded_files_are_clean() {
        let registry = Registry::embedded();
        let catalog = fazhi_indicators::Catalog::embedded();
        let d = check_reports(&registry, &|id| catalog.resolve(id).is_some());
        assert!(d.is_empty(), "{d:#?}");
        let all = case_type_reports(&registry).unwrap();
        assert!(all.len() >= 2);
        assert!(all.windows(2).all(|w| w[0].order <= w[1].order));
    }
}
