//! Chinese descriptions of definitions, for lineage pages and report figures.

use fazhi_workflow::{CaseType, Registry};

use crate::load::Catalog;
use crate::model::{CaseSelect, DatePoint, Filter, FilterOp, Formula, Indicator, Subject, Window};

fn status_zh(code: &str) -> &str {
    match code {
        "running" => "计时中",
        "paused" => "暂停计时",
        "met" => "按期完成",
        "missed" => "逾期完成",
        "overdue" => "已超期",
        "elapsed" => "期间已届满",
        other => other,
    }
}

fn quoted(values: &[String], f: impl Fn(&str) -> String) -> String {
    values
        .iter()
        .map(|v| format!("“{}”", f(v)))
        .collect::<Vec<_>>()
        .join("或")
}

fn transitions_zh(ct: Option<&CaseType>, ts: &[String]) -> String {
    ts.iter()
        .map(|t| ct.map_or_else(|| t.clone(), |c| c.transition_label(t)))
        .collect::<Vec<_>>()
        .join("／")
}

/// `受理日期`, `办结日期`, `首次“立案”日期`.
pub fn date_point_zh(ct: Option<&CaseType>, p: &DatePoint) -> String {
    match p {
        DatePoint::Created => "受理（登记）日期".into(),
        DatePoint::Closed => "办结日期".into(),
        DatePoint::Event(ts) => format!("首次“{}”日期", transitions_zh(ct, ts)),
    }
}

fn field_label(ct: Option<&CaseType>, code: &str) -> String {
    ct.map_or_else(|| code.to_string(), |c| c.field_label(code))
}

/// One filter in Chinese, e.g. `回访满意度为“不满意”`.
pub fn filter_zh(ct: Option<&CaseType>, f: &Filter) -> String {
    let subject = match &f.subject {
        Subject::State => "状态".to_string(),
        Subject::Category => ct
            .and_then(|c| c.field("category"))
            .map_or_else(|| "类别".to_string(), |fd| fd.label_zh.clone()),
        Subject::Published => "公示状态".to_string(),
        Subject::CreatedOn => "受理（登记）日期".to_string(),
        Subject::ClosedOn => "办结日期".to_string(),
        Subject::Field(code) => field_label(ct, code),
        Subject::Event(ts) => format!("首次“{}”日期", transitions_zh(ct, ts)),
        Subject::Clock(c) => format!(
            "时限“{}”",
            ct.and_then(|t| t.clock(c))
                .map_or_else(|| c.clone(), |d| d.label_zh.clone())
        ),
    };
    let value = |v: &str| -> String {
        match &f.subject {
            Subject::State => ct.map_or_else(|| v.to_string(), |c| c.state_label(v)),
            Subject::Clock(_) => status_zh(v).to_string(),
            _ => v.to_string(),
        }
    };
    match &f.op {
        FilterOp::In(v) => format!("{subject}为{}", quoted(v, value)),
        FilterOp::NotIn(v) => format!("{subject}不为{}", quoted(v, value)),
        FilterOp::Set(true) => match &f.subject {
            Subject::Event(ts) => format!("已经过“{}”环节", transitions_zh(ct, ts)),
            Subject::ClosedOn => "已办结".into(),
            Subject::Clock(_) => format!("有{subject}"),
            _ => format!("{subject}已填写"),
        },
        FilterOp::Set(false) => match &f.subject {
            Subject::Event(ts) => format!("未经过“{}”环节", transitions_zh(ct, ts)),
            Subject::ClosedOn => "未办结".into(),
            Subject::Clock(_) => format!("无{subject}"),
            _ => format!("{subject}未填写"),
        },
        FilterOp::Is(true) => "已公示".into(),
        FilterOp::Is(false) => "未公示".into(),
        FilterOp::Within(Window::Period) => format!("{subject}在期间内"),
        FilterOp::Within(Window::UntilEnd) => format!("{subject}不晚于期末"),
        FilterOp::Cmp(op, n) => {
            let money = matches!(&f.subject, Subject::Field(code)
                if ct.and_then(|c| c.field(code)).is_some_and(|fd| fd.kind == fazhi_workflow::FieldKind::Money));
            if money {
                format!("{subject}{}{}元", op.label_zh(), n / 100.0)
            } else {
                format!("{subject}{}{n}", op.label_zh())
            }
        }
    }
}

/// The filters of a selection in Chinese, the period rule first.
pub fn select_zh(registry: &Registry, sel: &CaseSelect) -> Vec<String> {
    let ct = registry.get(&sel.case_type);
    let name = ct.map_or_else(|| sel.case_type.clone(), |c| c.name_zh.clone());
    let mut out = vec![match &sel.stock {
        None => format!("{name}，按{}计入期间", date_point_zh(ct, &sel.period)),
        Some(stock) => {
            let mut ends = vec![format!("{}不晚于期末", date_point_zh(ct, &sel.period))];
            if let Some(e) = &stock.ended {
                ends.push(format!("{}为空或晚于期末", date_point_zh(ct, e)));
            }
            if !stock.end_states.is_empty() {
                let states: Vec<String> = stock
                    .end_states
                    .iter()
                    .map(|s| {
                        ct.and_then(|c| c.states.iter().find(|st| st.code == *s))
                            .map_or_else(|| s.clone(), |st| st.label_zh.clone())
                    })
                    .collect();
                ends.push(format!("未在期末或之前办结为“{}”", states.join("”“")));
            }
            format!("{name}期末存量：{}", ends.join("，且"))
        }
    }];
    out.extend(sel.filters.iter().map(|f| filter_zh(ct, f)));
    out
}

fn label_of(catalog: &Catalog, id: &str) -> String {
    catalog
        .get(id)
        .map_or_else(|| id.to_string(), |i| i.label_zh.clone())
}

/// One sentence describing how a figure is obtained.
pub fn summary_zh(catalog: &Catalog, registry: &Registry, ind: &Indicator) -> String {
    let conds = |sel: &CaseSelect| select_zh(registry, sel).join("；");
    match &ind.formula {
        Formula::Count(sel) => format!("计数：{}", conds(sel)),
        Formula::Sum {
            select,
            field,
            divisor,
        } => {
            let ct = registry.get(&select.case_type);
            let scale = if *divisor == 100.0 && ind.unit == "元" {
                "（以分存储，折算为元）".to_string()
            } else if *divisor != 1.0 {
                format!("（除以{divisor}）")
            } else {
                String::new()
            };
            format!("求和：{}{scale}；{}", field_label(ct, field), conds(select))
        }
        Formula::Ratio {
            numerator,
            denominator,
            percent,
        } => format!(
            "比率：{} ÷ {}{}；分母为0或缺失时不计算",
            label_of(catalog, numerator),
            label_of(catalog, denominator),
            if *percent { " × 100%" } else { "" }
        ),
        Formula::Duration {
            select,
            from,
            to,
            stat,
        } => {
            let ct = registry.get(&select.case_type);
            let stat = match stat {
                crate::model::Stat::Avg => "平均值".to_string(),
                crate::model::Stat::Percentile(p) => format!("{p}%分位数（最近秩法）"),
            };
            format!(
                "用时：从{}至{}的自然日数，取{stat}；{}",
                date_point_zh(ct, from),
                date_point_zh(ct, to),
                conds(select)
            )
        }
        Formula::OnTime { select, clock } => {
            let ct = registry.get(&select.case_type);
            let label = ct
                .and_then(|c| c.clock(clock))
                .map_or_else(|| clock.clone(), |d| d.label_zh.clone());
            format!(
                "按期率：时限“{label}”按期完成的案件数 ÷ 时限已有结果（按期完成、逾期完成、已超期，或计算当日已过期限仍在计时）的案件数 × 100%；{}",
                conds(select)
            )
        }
        Formula::Officers(sel) => {
            let mut parts = vec!["期末在岗执法人员".to_string()];
            if sel.certified {
                parts.push("期末持有有效执法证（未注销、在有效期内、按规定通过年审）".into());
            }
            match sel.legal_reviewer {
                Some(true) => parts.push("为法制审核人员".into()),
                Some(false) => parts.push("非法制审核人员".into()),
                None => {}
            }
            if let Some(d) = &sel.domain {
                parts.push(format!("执法证领域为“{d}”"));
            }
            format!("人数：{}", parts.join("；"))
        }
        Formula::Manual => "手工填报：由单位按期间填报数值并注明来源".into(),
    }
}
