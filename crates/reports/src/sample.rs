//! Illustrative figures for every template indicator, in the magnitudes of the seed reports
//! (seed 000: 5571 tickets closed, 486 dissatisfied, 8.7%). For examples, tests and previews —
//! never for a real report.

use std::collections::BTreeMap;

use crate::model::Figure;

fn fig(value: f64, unit: &str, label: &str, definition: &str, source: &str) -> Figure {
    Figure {
        value: Some(value),
        unit: unit.to_owned(),
        label: label.to_owned(),
        manual: false,
        source: Some(source.to_owned()),
        definition: definition.to_owned(),
        previous: None,
    }
}

/// Sample figures keyed by indicator id (every indicator of [`crate::template`]).
pub fn figures() -> BTreeMap<String, Figure> {
    let h = "12345工单记录";
    let e = "行政执法案件记录";
    let o = "执法人员及执法证登记";
    let mut m = BTreeMap::new();
    let mut put = |id: &str, f: Figure| {
        m.insert(id.to_owned(), f);
    };
    put(
        "hotline.received",
        fig(
            5620.0,
            "件",
            "12345工单受理量",
            "年度内受理的12345工单数",
            h,
        )
        .with_previous(Some(4995.0)),
    );
    put(
        "hotline.closed",
        fig(
            5571.0,
            "件",
            "12345工单办结量",
            "年度内办结的12345工单数",
            h,
        ),
    );
    put(
        "hotline.close_rate",
        fig(5571.0 / 5620.0, "%", "12345工单办结率", "办结量÷受理量", h),
    );
    put(
        "hotline.on_time_rate",
        fig(
            0.9874,
            "%",
            "12345工单按期办结率",
            "在办理期限内办结的工单÷办结量",
            h,
        ),
    );
    put(
        "hotline.dissatisfied",
        fig(
            486.0,
            "件",
            "12345不满意工单数",
            "回访评价为不满意的工单数",
            h,
        ),
    );
    put(
        "hotline.dissatisfaction_rate",
        fig(0.087, "%", "12345工单不满意率", "不满意工单÷已回访工单", h),
    );
    put(
        "enforcement.filed",
        fig(
            118.0,
            "宗",
            "行政处罚立案数",
            "年度内立案的行政处罚案件数",
            e,
        )
        .with_previous(Some(130.0)),
    );
    put(
        "enforcement.fines_total",
        fig(
            3_371_857.0,
            "元",
            "罚没款金额",
            "已生效处罚决定的罚没款合计",
            e,
        ),
    );
    put(
        "enforcement.no_penalty",
        fig(101.0, "宗", "不予处罚案件数", "首违不罚、轻微不罚决定数", e),
    );
    put(
        "enforcement.legal_reviews",
        fig(
            36.0,
            "件",
            "重大执法决定法制审核数",
            "经法制审核的重大执法决定数",
            e,
        ),
    );
    put(
        "enforcement.published",
        fig(
            112.0,
            "件",
            "行政处罚决定公示数",
            "已公示的行政处罚决定数",
            e,
        ),
    );
    put(
        "enforcement.published_on_time_rate",
        fig(
            0.9821,
            "%",
            "处罚决定按时公示率",
            "在法定期限内公示的决定÷公示数",
            e,
        ),
    );
    put(
        "officers.certified",
        fig(27.0, "名", "持证执法人员数", "持有效执法证的在岗人员", o),
    );
    put(
        "officers.posts",
        fig(30.0, "个", "执法岗位数", "核定的执法岗位", o),
    );
    put(
        "officers.certified_share",
        fig(0.9, "%", "持证上岗率", "持证执法人员÷执法岗位", o),
    );
    put(
        "officers.legal_reviewers",
        fig(3.0, "名", "法制审核人员数", "从事法制审核的人员", o),
    );
    put(
        "legality_review.reviews",
        fig(
            131.0,
            "件",
            "合法性审查件数",
            "合同、规范性文件、重大决策的审查数",
            "合法性审查记录",
        ),
    );
    put(
        "legality_review.opinions",
        fig(
            98.0,
            "条",
            "法律意见条数",
            "审查中提出的意见条数",
            "合法性审查记录",
        ),
    );
    let mut study = fig(
        12.0,
        "次",
        "学法次数",
        "中心组学法、专题讲座次数",
        "党政办学法台账（人工填报）",
    );
    study.manual = true;
    put("study.sessions", study);
    m
}
