//! The skeleton the five seed reports share, pre-filled with draft sentences that use the
//! platform's indicators. The office edits the wording in the app; the figures stay placeholders.

use crate::model::{Block, ReportDoc, Section, Signature};

/// Indicator ids the template uses (all of them computed by the platform's indicator engine).
pub const TEMPLATE_INDICATORS: &[&str] = &[
    "hotline.received",
    "hotline.closed",
    "hotline.close_rate",
    "hotline.on_time_rate",
    "hotline.dissatisfied",
    "hotline.dissatisfaction_rate",
    "enforcement.filed",
    "enforcement.fines_total",
    "enforcement.no_penalty",
    "enforcement.legal_reviews",
    "enforcement.published",
    "enforcement.published_on_time_rate",
    "officers.certified",
    "officers.posts",
    "officers.certified_share",
    "officers.legal_reviewers",
    "legality_review.reviews",
    "legality_review.opinions",
    "study.sessions",
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

fn items(list: &[&str]) -> Block {
    Block::Items(list.iter().map(|s| (*s).to_owned()).collect())
}

/// The report skeleton for `unit_name` and `year`: title, opening, 一、主要举措和成效 grouped by
/// the systems of the 法治政府建设实施纲要（2021—2025年）, 二、第一责任人职责, 三、不足和原因,
/// 四、下一年度工作计划, and the signature (date left open: this crate has no clock).
pub fn template(unit_name: &str, year: i32) -> ReportDoc {
    let next = year + 1;
    let opening = vec![Block::Paragraph(format!(
        "{year}年，{unit_name}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，\
         认真落实《法治政府建设实施纲要（2021—2025年）》和上级关于法治政府建设的工作部署，\
         紧紧围绕中心工作，坚持依法履职、严格规范公正文明执法、多元化解矛盾纠纷，\
         推动法治政府建设各项任务落地见效。现将{year}年度法治政府建设情况报告如下："
    ))];

    let measures = sec(
        format!("{year}年主要举措和成效"),
        vec![],
        vec![
            sec(
                "依法全面履行政府职能",
                vec![items(&[
                    "深化“放管服”改革。按照“一窗式受理、一站式办理”要求，推动高频政务服务事项进驻便民服务中心集中办理，\
                     公开政务服务事项清单和办事指南，线上线下同标准办理，持续优化法治化营商环境。",
                    "坚持接诉即办。全年受理12345工单{hotline.received}件，办结{hotline.closed}件，\
                     办结率{hotline.close_rate:pct1}，按期办结率{hotline.on_time_rate:pct1}；\
                     不满意工单{hotline.dissatisfied}件，不满意率{hotline.dissatisfaction_rate:pct1}。\
                     对群众反映集中的问题建立台账、跟踪督办，推动从“接诉即办”向“未诉先办”延伸。",
                ])],
                vec![],
            ),
            sec(
                "完善依法行政制度体系",
                vec![items(&[
                    "规范行政规范性文件管理。严格落实起草、合法性审核、集体审议、备案和定期清理制度，\
                     对现行有效的文件开展动态清理，确保制度文件合法有效。",
                    "强化合法性审查。发挥法律顾问和司法所专业作用，对重大行政决策、行政规范性文件和重要合同\
                     实行“应审尽审”，全年开展合法性审查{legality_review.reviews}件次，\
                     提出法律意见{legality_review.opinions}条。",
                ])],
                vec![],
            ),
            sec(
                "推进行政决策科学化、民主化、法治化",
                vec![items(&[
                    "严格落实重大行政决策程序。认真贯彻《重大行政决策程序暂行条例》，\
                     对重大行政决策事项严格执行公众参与、专家论证、风险评估、合法性审查和集体讨论决定等法定程序。",
                    "坚持集体决策。严格执行党工委议事规则和“三重一大”事项集体决策制度，\
                     重大事项均经会议集体研究决定，决策过程全程留痕。",
                ])],
                vec![],
            ),
            sec(
                "严格规范公正文明执法",
                vec![items(&[
                    "加强执法队伍建设。严格落实行政执法人员持证上岗和资格管理制度，\
                     现有持证执法人员{officers.certified}名，执法岗位{officers.posts}个，\
                     持证上岗率{officers.certified_share:pct1}，配备法制审核人员{officers.legal_reviewers}名。",
                    "全面落实行政执法“三项制度”。全年行政处罚立案{enforcement.filed}宗，\
                     罚没款{enforcement.fines_total:money}元；重大执法决定法制审核{enforcement.legal_reviews}件，\
                     做到应审尽审；执法全过程记录，做到全程留痕、可回溯管理。",
                    "推行包容审慎监管。落实“首违不罚”“轻微不罚”清单，\
                     全年依法作出不予处罚决定{enforcement.no_penalty}宗，实现执法效果与社会效果相统一。",
                ])],
                vec![],
            ),
            sec(
                "依法预防处置突发事件",
                vec![items(&[
                    "完善应急预案体系。修订突发事件应急预案，明确各科室、社区职责分工，\
                     定期组织应急演练，提升依法处置突发事件能力。",
                    "加强风险隐患排查。常态化开展安全生产、消防安全隐患排查整治，\
                     对发现的问题建立台账、限期整改、跟踪销号。",
                ])],
                vec![],
            ),
            sec(
                "依法有效化解社会矛盾纠纷",
                vec![items(&[
                    "健全矛盾纠纷多元化解机制。坚持和发展新时代“枫桥经验”，\
                     发挥街道、社区两级人民调解组织作用，推动诉调、警调、访调有效衔接，\
                     把矛盾纠纷化解在基层、化解在萌芽状态。",
                    "推进信访工作法治化。严格落实《信访工作条例》，依法分类处理信访诉求，\
                     畅通群众诉求表达渠道，引导群众依法理性表达诉求。",
                    "完善公共法律服务。落实“一社区一法律顾问”制度，\
                     为群众提供法律咨询、法律援助和人民调解等便捷服务。",
                ])],
                vec![],
            ),
            sec(
                "强化行政权力制约和监督",
                vec![items(&[
                    "推进政务公开。严格落实行政执法公示制度，全年公示行政处罚决定{enforcement.published}件，\
                     按时公示率{enforcement.published_on_time_rate:pct1}，依法保护当事人个人信息。",
                    "自觉接受各方面监督。认真办理人大代表建议和政协委员提案，\
                     主动接受社会和舆论监督，强化内部审计监督和财务管理。",
                ])],
                vec![],
            ),
            sec(
                "推进法治政府建设数字化",
                vec![items(&[
                    "依托法治工作平台，12345工单、行政执法案件、合法性审查等事项全程网上办理、全程留痕，\
                     办理期限自动计算、临期自动预警，年度报告数据直接取自业务记录，做到可核查、可追溯。",
                ])],
                vec![],
            ),
        ],
    );

    let leaders = sec(
        "党政主要负责人履行推进法治建设第一责任人职责情况",
        vec![items(&[
            "加强组织领导。街道党政主要负责人认真履行推进法治建设第一责任人职责，\
             将法治建设与经济社会发展同部署、同推进、同督促、同考核，\
             定期听取法治政府建设工作汇报，研究解决重大问题。",
            "带头尊法学法守法用法。坚持领导干部带头学法，全年通过党工委理论学习中心组、专题讲座等形式\
             组织学法{study.sessions}次，不断提升运用法治思维和法治方式解决问题的能力。",
            "严格依法决策。坚持重大事项集体研究决定，带头落实行政机关负责人出庭应诉制度，\
             将履行推进法治建设第一责任人职责情况列入年终述职内容。",
        ])],
        vec![],
    );

    let shortcomings = sec(
        "存在的不足和原因",
        vec![Block::Paragraph(
            "回顾一年来的工作，法治政府建设取得了一定成效，但对照上级要求和群众期盼，仍存在一些不足：".to_owned(),
        )],
        vec![
            run_in(
                "执法力量与执法任务不相匹配",
                "行政执法权下放后，执法事项多、专业性强，具备法律专业背景的执法人员偏少，\
                 部分执法人员身兼多职，执法办案能力有待进一步提高。",
            ),
            run_in(
                "数字化赋能有待加强",
                "各业务系统之间数据共享不够充分，信息化手段在执法监督、矛盾纠纷化解中的应用还需深化。",
            ),
            run_in(
                "法治宣传教育的针对性有待提升",
                "普法形式较为单一，面向企业和重点人群的精准普法还需加强。",
            ),
        ],
    );

    let plan = sec(
        format!("{next}年工作计划"),
        vec![Block::Paragraph(format!(
            "{next}年，我们将继续深入学习贯彻习近平法治思想，重点做好以下工作："
        ))],
        vec![
            run_in(
                "持续加强党对法治建设的领导",
                "严格落实党政主要负责人履行推进法治建设第一责任人职责，完善法治建设议事协调机制，\
                 推动法治政府建设各项任务落实落细。",
            ),
            run_in(
                "推进严格规范公正文明执法",
                "加强执法人员培训和持证管理，全面落实行政执法“三项制度”，提高执法办案质量。",
            ),
            run_in(
                "提升矛盾纠纷化解实效",
                "坚持和发展新时代“枫桥经验”，完善多元化解机制，推动接诉即办向主动治理延伸。",
            ),
            run_in(
                "深化法治政府建设数字化",
                "用好法治工作平台，推进业务数据互联互通，以数据支撑科学决策和精准监督。",
            ),
        ],
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
    fn template_uses_exactly_the_listed_indicators() {
        let doc = template("某街道办事处", 2024);
        let ids: Vec<String> = doc.placeholder_ids().into_iter().collect();
        let mut want: Vec<String> = TEMPLATE_INDICATORS.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(ids, want);
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
