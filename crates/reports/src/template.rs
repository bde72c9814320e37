//! The report template: a frame that belongs to no case type (title, opening, the four parts
//! and the sub-sections of 一、主要举措和成效 by the systems of the 法治政府建设实施纲要, and the
//! paragraphs on officers, legality review, decisions, study …), composed with the paragraphs
//! of the case types a unit runs (each folder's `report.toml`, see [`crate::casetype`]). The
//! office edits the wording in the app; the figures stay placeholders.

use std::collections::BTreeSet;

use fazhi_workflow::Registry;

use crate::casetype::{CaseTypeReport, Part, case_type_reports};
use crate::model::{Block, ReportDoc, Section, Signature};
use crate::placeholder::{self, Token};

/// Where the frame's text lists the case types' nouns (`12345工单、行政执法案件、`).
const NOUNS: &str = "〔事项〕";

/// A sub-section of 一、主要举措和成效: its key (what `report.toml` names) and heading, and the
/// frame's own paragraphs with their order.
struct FrameSection {
    key: &'static str,
    heading: &'static str,
    items: &'static [(i64, &'static str)],
}

const MEASURES: &[FrameSection] = &[
    FrameSection {
        key: "functions",
        heading: "依法全面履行政府职能",
        items: &[(
            10,
            "深化“放管服”改革。按照“一窗式受理、一站式办理”要求，推动高频政务服务事项进驻便民服务中心集中办理，\
             公开政务服务事项清单和办事指南，线上线下同标准办理，持续优化法治化营商环境。",
        )],
    },
    FrameSection {
        key: "institutions",
        heading: "完善依法行政制度体系",
        items: &[
            (
                10,
                "规范行政规范性文件管理。严格落实起草、合法性审核、集体审议、备案和定期清理制度，\
                 对现行有效的文件开展动态清理，确保制度文件合法有效。",
            ),
            (
                20,
                "强化合法性审查。发挥法律顾问和司法所专业作用，对重大行政决策、行政规范性文件和重要合同\
                 实行“应审尽审”，全年开展合法性审查{legality_review.reviews}件次，\
                 提出法律意见{legality_review.opinions}条。",
            ),
        ],
    },
    FrameSection {
        key: "decisions",
        heading: "推进行政决策科学化、民主化、法治化",
        items: &[
            (
                10,
                "严格落实重大行政决策程序。认真贯彻《重大行政决策程序暂行条例》，\
                 对重大行政决策事项严格执行公众参与、专家论证、风险评估、合法性审查和集体讨论决定等法定程序。",
            ),
            (
                20,
                "坚持集体决策。严格执行党工委议事规则和“三重一大”事项集体决策制度，\
                 重大事项均经会议集体研究决定，决策过程全程留痕。",
            ),
        ],
    },
    FrameSection {
        key: "enforcement",
        heading: "严格规范公正文明执法",
        items: &[(
            10,
            "加强执法队伍建设。严格落实行政执法人员持证上岗和资格管理制度，\
             现有持证执法人员{officers.certified}名，执法岗位{officers.posts}个，\
             持证上岗率{officers.certified_share:pct1}，配备法制审核人员{officers.legal_reviewers}名。",
        )],
    },
    FrameSection {
        key: "emergencies",
        heading: "依法预防处置突发事件",
        items: &[
            (
                10,
                "完善应急预案体系。修订突发事件应急预案，明确各科室、社区职责分工，\
                 定期组织应急演练，提升依法处置突发事件能力。",
            ),
            (
                20,
                "加强风险隐患排查。常态化开展安全生产、消防安全隐患排查整治，\
                 对发现的问题建立台账、限期整改、跟踪销号。",
            ),
        ],
    },
    FrameSection {
        key: "disputes",
        heading: "依法有效化解社会矛盾纠纷",
        items: &[
            (
                10,
                "健全矛盾纠纷多元化解机制。坚持和发展新时代“枫桥经验”，\
                 发挥街道、社区两级人民调解组织作用，推动诉调、警调、访调有效衔接，\
                 把矛盾纠纷化解在基层、化解在萌芽状态。",
            ),
            (
                20,
                "推进信访工作法治化。严格落实《信访工作条例》，依法分类处理信访诉求，\
                 畅通群众诉求表达渠道，引导群众依法理性表达诉求。",
            ),
            (
                30,
                "完善公共法律服务。落实“一社区一法律顾问”制度，\
                 为群众提供法律咨询、法律援助和人民调解等便捷服务。",
            ),
        ],
    },
    FrameSection {
        key: "oversight",
        heading: "强化行政权力制约和监督",
        items: &[(
            20,
            "自觉接受各方面监督。认真办理人大代表建议和政协委员提案，\
             主动接受社会和舆论监督，强化内部审计监督和财务管理。",
        )],
    },
    FrameSection {
        key: "digital",
        heading: "推进法治政府建设数字化",
        items: &[(
            10,
            "依托法治工作平台，〔事项〕合法性审查等事项全程网上办理、全程留痕，\
             办理期限自动计算、临期自动预警，年度报告数据直接取自业务记录，做到可核查、可追溯。",
        )],
    },
];

/// The keys of the sub-sections of 一、主要举措和成效, in their order: what a `report.toml`
/// paragraph of part `measures` names as its `section`.
pub const SECTION_KEYS: &[&str] = &[
    "functions",
    "institutions",
    "decisions",
    "enforcement",
    "emergencies",
    "disputes",
    "oversight",
    "digital",
];

const LEADERS: &[(i64, &str)] = &[
    (
        10,
        "加强组织领导。街道党政主要负责人认真履行推进法治建设第一责任人职责，\
         将法治建设与经济社会发展同部署、同推进、同督促、同考核，\
         定期听取法治政府建设工作汇报，研究解决重大问题。",
    ),
    (
        20,
        "带头尊法学法守法用法。坚持领导干部带头学法，全年通过党工委理论学习中心组、专题讲座等形式\
         组织学法{study.sessions}次，不断提升运用法治思维和法治方式解决问题的能力。",
    ),
    (
        30,
        "严格依法决策。坚持重大事项集体研究决定，带头落实行政机关负责人出庭应诉制度，\
         将履行推进法治建设第一责任人职责情况列入年终述职内容。",
    ),
];

const SHORTCOMINGS: &[(i64, &str, &str)] = &[
    (
        20,
        "数字化赋能有待加强",
        "各业务系统之间数据共享不够充分，信息化手段在执法监督、矛盾纠纷化解中的应用还需深化。",
    ),
    (
        30,
        "法治宣传教育的针对性有待提升",
        "普法形式较为单一，面向企业和重点人群的精准普法还需加强。",
    ),
];

const PLAN: &[(i64, &str, &str)] = &[
    (
        10,
        "持续加强党对法治建设的领导",
        "严格落实党政主要负责人履行推进法治建设第一责任人职责，完善法治建设议事协调机制，\
         推动法治政府建设各项任务落实落细。",
    ),
    (
        40,
        "深化法治政府建设数字化",
        "用好法治工作平台，推进业务数据互联互通，以数据支撑科学决策和精准监督。",
    ),
];

fn sec(heading: impl Into<String>, blocks: Vec<Block>, children: Vec<Section>) -> Section {
    Section {
        heading: heading.into(),
        children,
        blocks,
        run_in: false,
    }
}

fn run_in(heading: &str, text: &str) -> Section {
    Section {
        heading: heading.to_owned(),
        children: vec![],
        blocks: vec![Block::Paragraph(text.to_owned())],
        run_in: true,
    }
}

/// One paragraph on its way into the composed document: sort key (order, frame before case
/// types, case type's rank, declaration index), heading, text.
type Entry = ((i64, usize, usize, usize), Option<String>, String);

/// The paragraphs of `part` (and `section`) from the case types, with their sort keys.
fn case_type_entries(
    case_types: &[&CaseTypeReport],
    part: Part,
    section: Option<&str>,
) -> Vec<Entry> {
    let mut out = Vec::new();
    for (rank, ct) in case_types.iter().enumerate() {
        for (i, p) in ct.paragraphs.iter().enumerate() {
            if p.part == part && p.section.as_deref() == section {
                out.push(((p.order, 1, rank, i), p.heading.clone(), p.text.clone()));
            }
        }
    }
    out
}

fn sorted(mut entries: Vec<Entry>) -> Vec<(Option<String>, String)> {
    entries.sort_by_key(|e| e.0);
    entries.into_iter().map(|(_, h, t)| (h, t)).collect()
}

/// The report for `unit_name` and `year`, composed from the frame and the paragraphs of
/// `case_types` (the case types the unit runs, in the order given): title, opening,
/// 一、主要举措和成效 grouped by the systems of the 法治政府建设实施纲要（2021—2025年） (a
/// sub-section left without paragraphs is left out), 二、第一责任人职责, 三、不足和原因,
/// 四、下一年度工作计划, and the signature (date left open: this crate has no clock).
pub fn compose(unit_name: &str, year: i32, case_types: &[&CaseTypeReport]) -> ReportDoc {
    let next = year + 1;
    let nouns: String = case_types.iter().map(|c| format!("{}、", c.noun)).collect();
    let opening = vec![Block::Paragraph(format!(
        "{year}年，{unit_name}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，\
         认真落实《法治政府建设实施纲要（2021—2025年）》和上级关于法治政府建设的工作部署，\
         紧紧围绕中心工作，坚持依法履职、严格规范公正文明执法、多元化解矛盾纠纷，\
         推动法治政府建设各项任务落地见效。现将{year}年度法治政府建设情况报告如下："
    ))];

    let frame_entries = |items: &[(i64, &str)]| -> Vec<Entry> {
        items
            .iter()
            .enumerate()
            .map(|(i, (order, text))| ((*order, 0, 0, i), None, text.replace(NOUNS, &nouns)))
            .collect()
    };
    let headed_entries = |items: &[(i64, &str, &str)]| -> Vec<Entry> {
        items
            .iter()
            .enumerate()
            .map(|(i, (order, h, text))| {
                ((*order, 0, 0, i), Some((*h).to_owned()), (*text).to_owned())
            })
            .collect()
    };

    let mut subsections = Vec::new();
    for fs in MEASURES {
        let mut entries = frame_entries(fs.items);
        entries.extend(case_type_entries(case_types, Part::Measures, Some(fs.key)));
        let items: Vec<String> = sorted(entries).into_iter().map(|(_, t)| t).collect();
        if !items.is_empty() {
            subsections.push(sec(fs.heading, vec![Block::Items(items)], vec![]));
        }
    }
    let measures = sec(format!("{year}年主要举措和成效"), vec![], subsections);

    let mut entries = frame_entries(LEADERS);
    entries.extend(case_type_entries(case_types, Part::Leaders, None));
    let leaders = sec(
        "党政主要负责人履行推进法治建设第一责任人职责情况",
        vec![Block::Items(
            sorted(entries).into_iter().map(|(_, t)| t).collect(),
        )],
        vec![],
    );

    let headed = |frame: &[(i64, &str, &str)], part: Part| -> Vec<Section> {
        let mut entries = headed_entries(frame);
        entries.extend(case_type_entries(case_types, part, None));
        sorted(entries)
            .into_iter()
            .map(|(h, t)| run_in(h.as_deref().unwrap_or_default(), &t))
            .collect()
    };
    let shortcomings = sec(
        "存在的不足和原因",
        vec![Block::Paragraph(
            "回顾一年来的工作，法治政府建设取得了一定成效，但对照上级要求和群众期盼，仍存在一些不足：".to_owned(),
        )],
        headed(SHORTCOMINGS, Part::Shortcomings),
    );

    let plan = sec(
        format!("{next}年工作计划"),
        vec![Block::Paragraph(format!(
            "{next}年，我们将继续深入学习贯彻习近平法治思想，重点做好以下工作："
        ))],
        headed(PLAN, Part::Plan),
    );

    let mut sections = vec![measures, leaders, shortcomings, plan];
    let kind = unit_kind(unit_name);
    if kind != "街道" {
        for s in &mut sections {
            rename_unit_kind(s, kind);
        }
    }
    ReportDoc {
        title: format!("{unit_name}关于{year}年度法治政府建设情况的报告"),
        unit_name: unit_name.to_owned(),
        year,
        opening,
        sections,
        closing: vec![],
        signature: Signature {
            unit_name: unit_name.to_owned(),
            date: None,
        },
    }
}

/// The report composed from the frame and every case type of `registry` that has report
/// paragraphs (issue 17 will pass the case types a unit runs to [`compose`] instead).
pub fn template_for(
    registry: &Registry,
    unit_name: &str,
    year: i32,
) -> Result<ReportDoc, Vec<fazhi_workflow::Diagnostic>> {
    let all = case_type_reports(registry)?;
    let refs: Vec<&CaseTypeReport> = all.iter().collect();
    Ok(compose(unit_name, year, &refs))
}

/// The report composed over the built-in case types ([`Registry::embedded`]).
///
/// # Panics
/// Only if a built-in `report.toml` is invalid, which the crate's tests rule out.
pub fn template(unit_name: &str, year: i32) -> ReportDoc {
    template_for(&Registry::embedded(), unit_name, year)
        .unwrap_or_else(|d| panic!("built-in report.toml files are invalid: {d:#?}"))
}

fn ids_in(text: &str, out: &mut BTreeSet<String>) {
    for tok in placeholder::parse(text) {
        if let Token::Placeholder { id, .. } = tok {
            out.insert(id);
        }
    }
}

/// The indicator ids the frame's own paragraphs use (none of them belongs to a case type).
pub fn frame_indicators() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for fs in MEASURES {
        fs.items.iter().for_each(|(_, t)| ids_in(t, &mut out));
    }
    LEADERS.iter().for_each(|(_, t)| ids_in(t, &mut out));
    for (_, h, t) in SHORTCOMINGS.iter().chain(PLAN) {
        ids_in(h, &mut out);
        ids_in(t, &mut out);
    }
    out
}

/// The indicator ids a template composed from `case_types` uses: the frame's and those of the
/// case types' placeholders.
pub fn template_indicators(case_types: &[&CaseTypeReport]) -> BTreeSet<String> {
    let mut out = frame_indicators();
    for c in case_types {
        out.extend(c.placeholder_ids());
    }
    out
}

/// `街道` for a street office, `镇` / `乡` for a township government: the word the draft
/// sentences use for the unit.
pub fn unit_kind(unit_name: &str) -> &'static str {
    let n = unit_name.trim().trim_end_matches("人民政府");
    if n.ends_with('镇') {
        "镇"
    } else if n.ends_with('乡') {
        "乡"
    } else {
        "街道"
    }
}

fn rename_unit_kind(s: &mut Section, kind: &str) {
    let fix = |t: &mut String| *t = t.replace("街道", kind);
    fix(&mut s.heading);
    for b in &mut s.blocks {
        match b {
            Block::Paragraph(t) => fix(t),
            Block::Items(list) => list.iter_mut().for_each(fix),
        }
    }
    for c in &mut s.children {
        rename_unit_kind(c, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_uses_exactly_the_derived_indicators() {
        let doc = template("某街道办事处", 2024);
        let all = case_type_reports(&Registry::embedded()).unwrap();
        let refs: Vec<&CaseTypeReport> = all.iter().collect();
        assert_eq!(doc.placeholder_ids(), template_indicators(&refs));
        let frame = frame_indicators();
        assert!(frame.contains("officers.certified") && frame.contains("study.sessions"));
        assert_eq!(doc.title, "某街道办事处关于2024年度法治政府建设情况的报告");
        assert_eq!(doc.sections[0].heading, "2024年主要举措和成效");
        assert_eq!(doc.sections[3].heading, "2025年工作计划");
        assert_eq!(doc.sections.len(), 4);
        let town = template("广州市南沙区横沥镇人民政府", 2020);
        let json = serde_json::to_string(&town).unwrap();
        assert!(!json.contains("街道"), "{json}");
        assert!(json.contains("镇党政主要负责人"));
        assert_eq!(unit_kind("某街道办事处"), "街道");
    }

    fn ct(
        code: &str,
        noun: &str,
        order: i64,
        paragraphs: Vec<crate::casetype::Paragraph>,
    ) -> CaseTypeReport {
        CaseTypeReport {
            code: code.into(),
            noun: noun.into(),
            order,
            paragraphs,
        }
    }

    fn para(
        part: Part,
        section: Option<&str>,
        order: i64,
        heading: Option<&str>,
        text: &str,
    ) -> crate::casetype::Paragraph {
        crate::casetype::Paragraph {
            part,
            section: section.map(str::to_owned),
            order,
            heading: heading.map(str::to_owned),
            text: text.into(),
        }
    }

    fn items(s: &Section) -> Vec<String> {
        match &s.blocks[0] {
            Block::Items(i) => i.clone(),
            b => panic!("{b:?}"),
        }
    }

    #[test]
    fn composition_places_paragraphs_by_part_section_and_order() {
        let a = ct(
            "a_case",
            "甲事项",
            1,
            vec![
                para(Part::Measures, Some("functions"), 5, None, "甲在前。"),
                para(Part::Measures, Some("functions"), 99, None, "甲在后。"),
                para(Part::Leaders, None, 25, None, "甲二部分。"),
                para(Part::Plan, None, 15, Some("甲计划"), "甲计划正文。"),
            ],
        );
        let b = ct(
            "b_case",
            "乙事项",
            2,
            vec![para(
                Part::Measures,
                Some("functions"),
                99,
                None,
                "乙同序在甲后。",
            )],
        );
        let doc = compose("某街道办事处", 2024, &[&a, &b]);
        let functions = &doc.sections[0].children[0];
        assert_eq!(functions.heading, "依法全面履行政府职能");
        let f = items(functions);
        assert_eq!(f[0], "甲在前。");
        assert!(f[1].starts_with("深化“放管服”改革"));
        assert_eq!(&f[2..], ["甲在后。", "乙同序在甲后。"]);
        assert_eq!(items(&doc.sections[1])[2], "甲二部分。");
        let plan = &doc.sections[3].children;
        assert_eq!(plan[1].heading, "甲计划");
        assert!(plan[1].run_in);
        let digital = doc.sections[0].children.last().unwrap();
        assert!(items(digital)[0].contains("依托法治工作平台，甲事项、乙事项、合法性审查等事项"));
        // Without case types the frame stands alone and no sub-section is empty.
        let bare = compose("某街道办事处", 2024, &[]);
        assert!(
            bare.sections[0]
                .children
                .iter()
                .all(|s| !items(s).is_empty())
        );
        assert_eq!(bare.placeholder_ids(), frame_indicators());
    }

    #[test]
    fn json_round_trip() {
        let doc = template("某街道办事处", 2024);
        let json = serde_json::to_string(&doc).unwrap();
        let back: ReportDoc = serde_json::from_str(&json).unwrap();
        assert_eq!(doc, back);
        // Older JSON without the optional fields still loads.
        let minimal = r#"{"title":"t","unit_name":"u","year":2024,"opening":[{"paragraph":"p"}],
            "sections":[{"heading":"h","blocks":[{"items":["a"]}]}]}"#;
        let d: ReportDoc = serde_json::from_str(minimal).unwrap();
        assert_eq!(d.sections[0].children.len(), 0);
        assert!(!d.sections[0].run_in);
    }
}
