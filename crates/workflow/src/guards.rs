//! The guard catalogue: named, parameterised checks with their legal basis.
//!
//! A guard returns refusals (or overridable warnings). Each refusal carries a stable code, the
//! statute and the article it enforces, its parameters, and a Chinese message.

use fazhi_calendar::CalendarError;
use jiff::civil::Date;
use serde_json::{Map, Value, json};

use crate::model::{CaseType, GuardSpec, TransitionDef};
use crate::plan::{CaseSnapshot, GuardContext, HistoryEvent, OfficerInfo};
use crate::refusal::{Refusal, XZCFF};

/// Type of a guard parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Int,
    Bool,
    Str,
    /// A string or a list of strings.
    StrOrList,
    /// The code of a field of the case type.
    Field,
    /// The code of a transition of the case type.
    Transition,
}

/// A parameter a guard accepts.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub ty: ParamType,
    pub required: bool,
}

/// A guard of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct GuardInfo {
    pub name: &'static str,
    /// Default statute (generic guards take `statute`/`article` parameters instead).
    pub statute: Option<&'static str>,
    pub article: Option<&'static str>,
    pub description_zh: &'static str,
    pub params: &'static [ParamSpec],
}

const fn p(name: &'static str, ty: ParamType, required: bool) -> ParamSpec {
    ParamSpec { name, ty, required }
}

const BASIS_PARAMS: [ParamSpec; 2] = [
    p("statute", ParamType::Str, false),
    p("article", ParamType::Str, false),
];

/// Every guard a definition may name.
pub const GUARDS: &[GuardInfo] = &[
    GuardInfo {
        name: "min_certified_officers",
        statute: Some(XZCFF),
        article: Some("第四十二条"),
        description_zh: "至少若干名持有效执法证（领域相符、未吊销、在有效期内、已年审）的执法人员",
        params: &[
            p("min", ParamType::Int, true),
            p("officers_field", ParamType::Field, false),
            p("domain_field", ParamType::Field, false),
            p("annual_check", ParamType::Bool, false),
        ],
    },
    GuardInfo {
        name: "limitation_period",
        statute: Some(XZCFF),
        article: Some("第三十六条"),
        description_zh: "违法行为在二年（特定情形五年）内未被发现的，不再给予行政处罚",
        params: &[
            p("years", ParamType::Int, false),
            p("extended_years", ParamType::Int, false),
            p("act_field", ParamType::Field, false),
            p("discovered_field", ParamType::Field, false),
            p("extended_field", ParamType::Field, false),
            p("warn_if_unknown", ParamType::Bool, false),
        ],
    },
    GuardInfo {
        name: "required_field",
        statute: None,
        article: None,
        description_zh: "字段必须已填写（可附条件）",
        params: &[
            p("field", ParamType::Field, true),
            p("when_field", ParamType::Field, false),
            p("equals", ParamType::StrOrList, false),
            BASIS_PARAMS[0],
            BASIS_PARAMS[1],
        ],
    },
    GuardInfo {
        name: "notice_given",
        statute: Some(XZCFF),
        article: Some("第四十四条、第六十二条"),
        description_zh: "作出行政处罚决定前已告知当事人",
        params: &[p("notice", ParamType::Transition, false)],
    },
    GuardInfo {
        name: "statement_window_elapsed_or_waived",
        statute: Some(XZCFF),
        article: Some("第四十四条、第四十五条、第六十二条"),
        description_zh: "陈述申辩期已届满或当事人明确放弃；已申请的听证已举行",
        params: &[
            p("days", ParamType::Int, false),
            p("notice", ParamType::Transition, false),
            p("waiver", ParamType::Transition, false),
            p("hearing_request", ParamType::Transition, false),
            p("hearing_held", ParamType::Transition, false),
        ],
    },
    GuardInfo {
        name: "legal_review_passed_if_major",
        statute: Some(XZCFF),
        article: Some("第五十八条"),
        description_zh: "重大执法决定须经法制审核通过",
        params: &[
            p("flags_field", ParamType::Field, false),
            p("submit", ParamType::Transition, false),
            p("pass", ParamType::Transition, false),
            p("hearing", ParamType::Transition, false),
        ],
    },
    GuardInfo {
        name: "education_record_if_no_penalty",
        statute: Some(XZCFF),
        article: Some("第三十三条"),
        description_zh: "不予行政处罚的，应当对当事人进行教育",
        params: &[
            p("outcome_field", ParamType::Field, false),
            p("record_field", ParamType::Field, false),
            p("outcomes", ParamType::StrOrList, false),
        ],
    },
    GuardInfo {
        name: "simple_procedure_limits",
        statute: Some(XZCFF),
        article: Some("第五十一条"),
        description_zh: "简易程序仅适用于警告或对自然人200元以下、对法人或其他组织3000元以下罚款",
        params: &[
            p("citizen_max_yuan", ParamType::Int, false),
            p("organisation_max_yuan", ParamType::Int, false),
            p("always", ParamType::Bool, false),
            p("procedure_field", ParamType::Field, false),
            p("party_kind_field", ParamType::Field, false),
            p("penalty_field", ParamType::Field, false),
            p("fine_field", ParamType::Field, false),
        ],
    },
    GuardInfo {
        name: "hearing_request_window",
        statute: Some(XZCFF),
        article: Some("第六十四条"),
        description_zh: "当事人应在告知后五个工作日内要求听证",
        params: &[
            p("days", ParamType::Int, false),
            p("notice", ParamType::Transition, false),
        ],
    },
    GuardInfo {
        name: "hearing_notice_period",
        statute: Some(XZCFF),
        article: Some("第六十四条"),
        description_zh: "应在举行听证的七个工作日前通知当事人",
        params: &[
            p("days", ParamType::Int, false),
            p("date_field", ParamType::Field, false),
        ],
    },
    GuardInfo {
        name: "evidence_required",
        statute: Some(XZCFF),
        article: Some("第四十七条、第五十四条"),
        description_zh: "已收集并记录证据",
        params: &[p("min", ParamType::Int, false)],
    },
    GuardInfo {
        name: "last_revisit_dissatisfied",
        statute: Some("本市12345热线工单办理规定（可配置）"),
        article: None,
        description_zh: "最近一次回访满意度为不满意时方可重办",
        params: &[
            p("field", ParamType::Field, false),
            p("value", ParamType::Str, false),
            p("revisit", ParamType::Transition, false),
        ],
    },
    GuardInfo {
        name: "reason_required",
        statute: None,
        article: None,
        description_zh: "必须说明理由",
        params: &[
            p("field", ParamType::Field, false),
            p("min_chars", ParamType::Int, false),
            BASIS_PARAMS[0],
            BASIS_PARAMS[1],
        ],
    },
    GuardInfo {
        name: "requires_event",
        statute: None,
        article: None,
        description_zh: "须先完成某一步骤",
        params: &[
            p("transition", ParamType::Transition, true),
            p("since", ParamType::Transition, false),
            BASIS_PARAMS[0],
            BASIS_PARAMS[1],
        ],
    },
    GuardInfo {
        name: "publication_state",
        statute: None,
        article: None,
        description_zh: "公示状态须为已公示或未公示",
        params: &[
            p("published", ParamType::Bool, true),
            BASIS_PARAMS[0],
            BASIS_PARAMS[1],
        ],
    },
    GuardInfo {
        name: "no_outstanding_fine",
        statute: Some(XZCFF),
        article: Some("第六十七条"),
        description_zh: "罚款已缴纳方可结案",
        params: &[
            p("fine_field", ParamType::Field, false),
            p("payment", ParamType::Transition, false),
        ],
    },
];

/// Looks a guard up by name.
pub fn guard_info(name: &str) -> Option<&'static GuardInfo> {
    GUARDS.iter().find(|g| g.name == name)
}

/// Checks the parameters of a guard against the catalogue and the case type.
/// Returns English messages paired with Chinese ones.
pub(crate) fn check_params(
    spec: &GuardSpec,
    field_exists: &dyn Fn(&str) -> bool,
    transition_exists: &dyn Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(info) = guard_info(&spec.name) else {
        out.push((
            format!("unknown guard `{}`", spec.name),
            format!("未知的校验规则“{}”", spec.name),
        ));
        return out;
    };
    for (k, v) in &spec.params {
        let Some(ps) = info.params.iter().find(|p| p.name == k) else {
            let allowed: Vec<&str> = info.params.iter().map(|p| p.name).collect();
            out.push((
                format!(
                    "guard `{}` has no parameter `{k}` (allowed: {})",
                    spec.name,
                    allowed.join(", ")
                ),
                format!("校验规则“{}”没有参数“{k}”", spec.name),
            ));
            continue;
        };
        let ok = match ps.ty {
            ParamType::Int => v.as_i64().is_some_and(|n| n >= 0),
            ParamType::Bool => v.is_boolean(),
            ParamType::Str => v.is_string(),
            ParamType::StrOrList => {
                v.is_string() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
            }
            ParamType::Field | ParamType::Transition => v.is_string(),
        };
        if !ok {
            let expected = match ps.ty {
                ParamType::Int => "a non-negative integer",
                ParamType::Bool => "a boolean",
                ParamType::StrOrList => "a string or a list of strings",
                _ => "a string",
            };
            out.push((
                format!("guard `{}` parameter `{k}` must be {expected}", spec.name),
                format!("校验规则“{}”的参数“{k}”类型错误", spec.name),
            ));
            continue;
        }
        if let Some(s) = v.as_str() {
            if ps.ty == ParamType::Field && !field_exists(s) {
                out.push((
                    format!(
                        "guard `{}` parameter `{k}` names unknown field `{s}`",
                        spec.name
                    ),
                    format!("校验规则“{}”的参数“{k}”引用了不存在的字段“{s}”", spec.name),
                ));
            }
            if ps.ty == ParamType::Transition && !transition_exists(s) {
                out.push((
                    format!(
                        "guard `{}` parameter `{k}` names unknown transition `{s}`",
                        spec.name
                    ),
                    format!("校验规则“{}”的参数“{k}”引用了不存在的流转“{s}”", spec.name),
                ));
            }
        }
    }
    for ps in info.params.iter().filter(|p| p.required) {
        if !spec.params.contains_key(ps.name) {
            out.push((
                format!(
                    "guard `{}` is missing required parameter `{}`",
                    spec.name, ps.name
                ),
                format!("校验规则“{}”缺少必需参数“{}”", spec.name, ps.name),
            ));
        }
    }
    // Defaults that name fields/transitions must exist too.
    for (param, default, is_field) in default_refs(&spec.name) {
        if spec.params.contains_key(*param) {
            continue;
        }
        let exists = if *is_field {
            field_exists(default)
        } else {
            transition_exists(default)
        };
        if !exists {
            out.push((
                format!(
                    "guard `{}` needs {} `{default}` (default of `{param}`); set `{param}`",
                    spec.name,
                    if *is_field { "field" } else { "transition" }
                ),
                format!(
                    "校验规则“{}”默认引用的{}“{default}”不存在，请设置参数“{param}”",
                    spec.name,
                    if *is_field { "字段" } else { "流转" }
                ),
            ));
        }
    }
    out
}

/// Default field/transition references of guards: (param, default, is_field).
fn default_refs(name: &str) -> &'static [(&'static str, &'static str, bool)] {
    match name {
        "min_certified_officers" => &[
            ("officers_field", "officers", true),
            ("domain_field", "domain", true),
        ],
        "limitation_period" => &[("discovered_field", "discovered_on", true)],
        "notice_given" => &[("notice", "notify", false)],
        "statement_window_elapsed_or_waived" => &[("notice", "notify", false)],
        "legal_review_passed_if_major" => &[
            ("flags_field", "major_case", true),
            ("submit", "submit_review", false),
            ("pass", "pass_review", false),
        ],
        "education_record_if_no_penalty" => &[
            ("outcome_field", "outcome", true),
            ("record_field", "education_record", true),
        ],
        "simple_procedure_limits" => &[
            ("party_kind_field", "party_kind", true),
            ("penalty_field", "penalty", true),
            ("fine_field", "fine_amount", true),
        ],
        "hearing_request_window" => &[("notice", "notify", false)],
        "hearing_notice_period" => &[("date_field", "hearing_date", true)],
        "last_revisit_dissatisfied" => &[
            ("field", "satisfaction", true),
            ("revisit", "revisit", false),
        ],
        "reason_required" => &[("field", "reason", true)],
        "no_outstanding_fine" => &[("fine_field", "fine_amount", true)],
        _ => &[],
    }
}

/// Everything a guard may read.
pub(crate) struct GuardEnv<'a> {
    pub case_type: &'a CaseType,
    pub transition: &'a TransitionDef,
    pub snapshot: &'a CaseSnapshot,
    /// Normalised input of this step.
    pub input: &'a Map<String, Value>,
    /// Case fields with this step's updates applied.
    pub merged: &'a Map<String, Value>,
    pub ctx: &'a GuardContext<'a>,
}

struct Params<'a> {
    spec: &'a GuardSpec,
}

impl Params<'_> {
    fn int(&self, k: &str, default: i64) -> i64 {
        self.spec
            .params
            .get(k)
            .and_then(Value::as_i64)
            .unwrap_or(default)
    }
    fn bool(&self, k: &str, default: bool) -> bool {
        self.spec
            .params
            .get(k)
            .and_then(Value::as_bool)
            .unwrap_or(default)
    }
    fn str<'b>(&'b self, k: &str, default: &'b str) -> &'b str {
        self.spec
            .params
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or(default)
    }
    fn opt_str(&self, k: &str) -> Option<&str> {
        self.spec.params.get(k).and_then(Value::as_str)
    }
    fn list(&self, k: &str) -> Option<Vec<String>> {
        match self.spec.params.get(k)? {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Array(a) => Some(
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// Whether a stored value counts as present.
pub(crate) fn present(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn date_of(m: &Map<String, Value>, k: &str) -> Option<Date> {
    str_of(m, k).and_then(|s| s.parse().ok())
}

/// Index of the last event of a transition.
pub(crate) fn last_index(history: &[HistoryEvent], transition: &str) -> Option<usize> {
    history.iter().rposition(|e| e.transition == transition)
}

fn last_event<'a>(history: &'a [HistoryEvent], transition: &str) -> Option<&'a HistoryEvent> {
    last_index(history, transition).map(|i| &history[i])
}

fn calendar_refusal(e: &CalendarError) -> Refusal {
    Refusal::new("calendar.out_of_range", e.to_string())
}

/// Evaluates one guard. Overridable warnings come back with `overridable` set.
pub(crate) fn eval(spec: &GuardSpec, env: &GuardEnv<'_>) -> Vec<Refusal> {
    let prm = Params { spec };
    let info = guard_info(&spec.name);
    let statute = prm
        .opt_str("statute")
        .or(info.and_then(|i| i.statute))
        .map(str::to_owned);
    let article = prm
        .opt_str("article")
        .or(info.and_then(|i| i.article))
        .map(str::to_owned);
    let mk = |code: &str, msg: String| {
        Refusal::new(code, msg).basis_opt(statute.as_deref(), article.as_deref())
    };
    let history = &env.snapshot.history;
    let ct = env.case_type;
    let on = env.ctx.on;
    let cal = env.ctx.calendar;
    let mut out = Vec::new();
    match spec.name.as_str() {
        // 《中华人民共和国行政处罚法》第四十二条: not fewer than two credentialed officers.
        "min_certified_officers" => {
            let min = prm.int("min", 2);
            let officers_field = prm.str("officers_field", "officers");
            let domain_field = prm.str("domain_field", "domain");
            let annual = prm.bool("annual_check", true);
            let ids = officer_ids(env.merged.get(officers_field));
            let Some(domain) = str_of(env.merged, domain_field) else {
                out.push(
                    mk(
                        "enforcement.min_certified_officers",
                        format!(
                            "{}：未填写，无法核验执法人员的执法证领域",
                            ct.field_label(domain_field)
                        ),
                    )
                    .field(domain_field)
                    .param("min", min),
                );
                return out;
            };
            let mut valid = 0i64;
            let mut problems = Vec::new();
            let mut details = Vec::new();
            for id in &ids {
                let officer = env.ctx.officers.iter().find(|o| o.id == *id);
                let reason = match officer {
                    None => Some(format!("编号{id}：未找到执法人员信息")),
                    Some(o) => certificate_problem(o, domain, on, annual)
                        .map(|r| format!("{}：{r}", o.name)),
                };
                details.push(json!({
                    "id": id,
                    "name": officer.map(|o| o.name.clone()),
                    "problem": reason,
                }));
                match reason {
                    None => valid += 1,
                    Some(r) => problems.push(r),
                }
            }
            if valid < min {
                let mut msg = format!(
                    "执法人员不少于{min}人且须持有有效的“{domain}”领域执法证件，当前符合条件的只有{valid}人"
                );
                if !problems.is_empty() {
                    msg.push_str(&format!("（{}）", problems.join("；")));
                }
                out.push(
                    mk("enforcement.min_certified_officers", msg)
                        .field(officers_field)
                        .param("min", min)
                        .param("valid", valid)
                        .param("domain", domain)
                        .param("officers", Value::Array(details)),
                );
            }
        }
        // 《中华人民共和国行政处罚法》第三十六条.
        "limitation_period" => {
            let discovered_field = prm.str("discovered_field", "discovered_on");
            let act_field = prm.str("act_field", "act_on");
            let extended_field = prm.str("extended_field", "limitation_extended");
            let extended = env
                .merged
                .get(extended_field)
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let years = if extended {
                prm.int("extended_years", 5)
            } else {
                prm.int("years", 2)
            };
            let Some(discovered) = date_of(env.merged, discovered_field) else {
                out.push(
                    mk(
                        "common.required_field",
                        format!(
                            "{}：必填，用于核验追责时效",
                            ct.field_label(discovered_field)
                        ),
                    )
                    .field(discovered_field),
                );
                return out;
            };
            if discovered > on {
                out.push(
                    mk(
                        "enforcement.discovered_in_future",
                        format!(
                            "{}：{discovered}晚于办理日期{on}",
                            ct.field_label(discovered_field)
                        ),
                    )
                    .field(discovered_field),
                );
            }
            match date_of(env.merged, act_field) {
                Some(act) if act > discovered => out.push(
                    mk(
                        "enforcement.act_after_discovery",
                        format!(
                            "{}：{act}晚于{}{discovered}",
                            ct.field_label(act_field),
                            ct.field_label(discovered_field)
                        ),
                    )
                    .field(act_field),
                ),
                Some(act) => {
                    let limit = act
                        .checked_add(jiff::Span::new().years(years))
                        .unwrap_or(act);
                    if discovered > limit {
                        out.push(
                            mk(
                                "enforcement.limitation_period",
                                format!(
                                    "违法行为发生（终了）于{act}，至{discovered}发现已超过{years}年，依法不再给予行政处罚"
                                ),
                            )
                            .field(act_field)
                            .param("act_on", act.to_string())
                            .param("discovered_on", discovered.to_string())
                            .param("years", years),
                        );
                    }
                }
                None if prm.bool("warn_if_unknown", true) => out.push(
                    mk(
                        "enforcement.limitation_unverified",
                        format!(
                            "未填写{}，无法核验{years}年追责时效；请补充，或确认未超过时效后继续",
                            ct.field_label(act_field)
                        ),
                    )
                    .field(act_field)
                    .param("years", years)
                    .overridable(),
                ),
                None => {}
            }
        }
        "required_field" => {
            let field = prm.str("field", "");
            let condition = match (prm.opt_str("when_field"), prm.list("equals")) {
                (Some(wf), Some(values)) => {
                    let actual = str_of(env.merged, wf);
                    match actual {
                        Some(a) if values.iter().any(|v| v == a) => {
                            Some(Some(format!("{}为“{a}”时", ct.field_label(wf))))
                        }
                        _ => None,
                    }
                }
                (Some(wf), None) => present(env.merged.get(wf))
                    .then(|| Some(format!("已填写{}时", ct.field_label(wf)))),
                _ => Some(None),
            };
            if let Some(cond) = condition
                && !present(env.merged.get(field))
            {
                let msg = match cond {
                    Some(c) => format!("{}：{c}必填", ct.field_label(field)),
                    None => format!("{}：必填", ct.field_label(field)),
                };
                out.push(mk("common.required_field", msg).field(field));
            }
        }
        // 《中华人民共和国行政处罚法》第四十四条、第六十二条.
        "notice_given" => {
            let notice = prm.str("notice", "notify");
            if last_index(history, notice).is_none() {
                out.push(notice_missing(ct, notice, &mk));
            }
        }
        // 《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十二条、第六十四条、第八十五条.
        "statement_window_elapsed_or_waived" => {
            let days = prm.int("days", 5).max(0) as u32;
            let notice = prm.str("notice", "notify");
            let waiver = prm.str("waiver", "waive_rights");
            let request = prm.str("hearing_request", "request_hearing");
            let held = prm.str("hearing_held", "hold_hearing");
            let Some(ni) = last_index(history, notice) else {
                out.push(notice_missing(ct, notice, &mk));
                return out;
            };
            let after = &history[ni + 1..];
            if after.iter().any(|e| e.transition == waiver) {
                return out;
            }
            let notified_on = history[ni].on;
            match cal.add_working_days(notified_on, days) {
                Err(e) => out.push(calendar_refusal(&e)),
                Ok(due) if on <= due => {
                    let next = cal
                        .add_working_days(due, 1)
                        .map_or_else(|_| "期满后".to_owned(), |d| format!("{d}起"));
                    out.push(
                        mk(
                            "enforcement.statement_window_open",
                            format!(
                                "陈述申辩期尚未届满：{notified_on}告知当事人，{days}个工作日的陈述申辩期至{due}届满；当事人未明确放弃陈述、申辩和听证权利，{next}方可{}",
                                env.transition.label_zh
                            ),
                        )
                        .param("notified_on", notified_on.to_string())
                        .param("due", due.to_string())
                        .param("days", days),
                    );
                }
                Ok(_) => {}
            }
            if let Some(ri) = after.iter().rposition(|e| e.transition == request) {
                let requested = &after[ri];
                if !after[ri + 1..].iter().any(|e| e.transition == held) {
                    out.push(
                        Refusal::new(
                            "enforcement.hearing_pending",
                            format!(
                                "当事人已于{}要求听证，听证尚未举行，不得{}",
                                requested.on, env.transition.label_zh
                            ),
                        )
                        .basis(XZCFF, "第六十三条、第六十四条")
                        .param("requested_on", requested.on.to_string()),
                    );
                }
            }
        }
        // 《中华人民共和国行政处罚法》第五十八条.
        "legal_review_passed_if_major" => {
            let flags_field = prm.str("flags_field", "major_case");
            let submit = prm.str("submit", "submit_review");
            let pass = prm.str("pass", "pass_review");
            let hearing = prm.str("hearing", "hold_hearing");
            let mut reasons: Vec<String> = env
                .merged
                .get(flags_field)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|v| dict_label(ct, flags_field, v))
                        .collect()
                })
                .unwrap_or_default();
            if last_index(history, hearing).is_some()
                && !env
                    .merged
                    .get(flags_field)
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|v| v == "hearing_held"))
            {
                reasons.push("经过听证程序".to_owned());
            }
            if !reasons.is_empty() {
                let passed = match last_index(history, submit) {
                    Some(si) => history[si + 1..].iter().any(|e| e.transition == pass),
                    None => false,
                };
                if !passed {
                    out.push(
                        mk(
                            "enforcement.legal_review_required",
                            format!(
                                "本案属于重大执法决定（{}），未经法制审核或者审核未通过的，不得作出决定",
                                reasons.join("、")
                            ),
                        )
                        .param("criteria", reasons),
                    );
                }
            }
        }
        // 《中华人民共和国行政处罚法》第三十三条.
        "education_record_if_no_penalty" => {
            let outcome_field = prm.str("outcome_field", "outcome");
            let record_field = prm.str("record_field", "education_record");
            let outcomes = prm.list("outcomes").unwrap_or_else(|| {
                vec![
                    "不予处罚（轻微）".to_owned(),
                    "不予处罚（首违）".to_owned(),
                    "不予处罚（无主观过错）".to_owned(),
                ]
            });
            if let Some(o) = str_of(env.merged, outcome_field)
                && outcomes.iter().any(|x| x == o)
                && !present(env.merged.get(record_field))
            {
                out.push(
                    mk(
                        "enforcement.education_record_required",
                        format!(
                            "{}：处理结果为“{o}”，对当事人不予行政处罚的，应当对当事人进行教育，须填写教育记录",
                            ct.field_label(record_field)
                        ),
                    )
                    .field(record_field)
                    .param("outcome", o),
                );
            }
        }
        // 《中华人民共和国行政处罚法》第五十一条、第五十二条.
        "simple_procedure_limits" => {
            let applies = prm.bool("always", false)
                || str_of(env.merged, prm.str("procedure_field", "procedure")) == Some("简易程序");
            if !applies {
                return out;
            }
            let kind_field = prm.str("party_kind_field", "party_kind");
            let penalty_field = prm.str("penalty_field", "penalty");
            let fine_field = prm.str("fine_field", "fine_amount");
            let citizen_max = prm.int("citizen_max_yuan", 200);
            let org_max = prm.int("organisation_max_yuan", 3000);
            let penalty = str_of(env.merged, penalty_field);
            match penalty {
                Some("警告") | None => {}
                Some("罚款") => {
                    let max = match str_of(env.merged, kind_field) {
                        Some("自然人") => Some(("自然人", citizen_max)),
                        Some(_) => Some(("法人或其他组织", org_max)),
                        None => {
                            out.push(
                                mk(
                                    "enforcement.simple_procedure_limits",
                                    format!(
                                        "{}：适用简易程序罚款时必填（自然人{citizen_max}元以下、法人或其他组织{org_max}元以下）",
                                        ct.field_label(kind_field)
                                    ),
                                )
                                .field(kind_field),
                            );
                            None
                        }
                    };
                    let fine = env.merged.get(fine_field).and_then(Value::as_i64);
                    if let (Some((who, max)), Some(fen)) = (max, fine)
                        && fen > max * 100
                    {
                        out.push(
                            mk(
                                "enforcement.simple_procedure_limits",
                                format!(
                                    "简易程序只能对{who}处以{max}元以下罚款，本案罚款{}元，应适用普通程序",
                                    yuan(fen)
                                ),
                            )
                            .field(fine_field)
                            .param("party_kind", who)
                            .param("max_yuan", max)
                            .param("fine_fen", fen),
                        );
                    }
                }
                Some(other) => out.push(
                    mk(
                        "enforcement.simple_procedure_limits",
                        format!("简易程序只适用于警告或罚款，不能当场作出“{other}”"),
                    )
                    .field(penalty_field)
                    .param("penalty", other),
                ),
            }
        }
        // 《中华人民共和国行政处罚法》第六十四条第一项、第八十五条.
        "hearing_request_window" => {
            let days = prm.int("days", 5).max(0) as u32;
            let notice = prm.str("notice", "notify");
            let Some(n) = last_event(history, notice) else {
                out.push(notice_missing(ct, notice, &mk));
                return out;
            };
            match cal.add_working_days(n.on, days) {
                Err(e) => out.push(calendar_refusal(&e)),
                Ok(due) if on > due => out.push(
                    mk(
                        "enforcement.hearing_request_late",
                        format!(
                            "听证申请已逾期：当事人应在告知后{days}个工作日内要求听证（{}告知，至{due}届满）",
                            n.on
                        ),
                    )
                    .param("notified_on", n.on.to_string())
                    .param("due", due.to_string()),
                ),
                Ok(_) => {}
            }
        }
        // 《中华人民共和国行政处罚法》第六十四条第二项、第八十五条.
        "hearing_notice_period" => {
            let days = prm.int("days", 7).max(0) as u32;
            let date_field = prm.str("date_field", "hearing_date");
            if let Some(hearing) = date_of(env.merged, date_field) {
                match cal.add_working_days(on, days) {
                    Err(e) => out.push(calendar_refusal(&e)),
                    Ok(earliest) if hearing < earliest => out.push(
                        mk(
                            "enforcement.hearing_notice_too_short",
                            format!(
                                "{}：应在举行听证的{days}个工作日前通知当事人，{on}通知的听证最早可安排在{earliest}，不能安排在{hearing}",
                                ct.field_label(date_field)
                            ),
                        )
                        .field(date_field)
                        .param("earliest", earliest.to_string())
                        .param("hearing_date", hearing.to_string()),
                    ),
                    Ok(_) => {}
                }
            }
        }
        // 《中华人民共和国行政处罚法》第四十七条、第五十四条.
        "evidence_required" => {
            let min = prm.int("min", 1);
            if i64::from(env.snapshot.evidence_count) < min {
                out.push(
                    mk(
                        "enforcement.evidence_required",
                        format!(
                            "尚无足够的证据材料：调查取证应当全面、客观、公正并全过程记录，至少需要{min}份证据，当前{}份",
                            env.snapshot.evidence_count
                        ),
                    )
                    .param("min", min)
                    .param("count", env.snapshot.evidence_count),
                );
            }
        }
        "last_revisit_dissatisfied" => {
            let field = prm.str("field", "satisfaction");
            let value = prm.str("value", "不满意");
            let revisit = prm.str("revisit", "revisit");
            let last = last_event(history, revisit)
                .and_then(|e| str_of(&e.input, field))
                .or_else(|| str_of(&env.snapshot.fields, field));
            if last != Some(value) {
                out.push(
                    mk(
                        "hotline.reopen_requires_dissatisfaction",
                        format!(
                            "只有最近一次回访{}为“{value}”的工单才能重办（最近一次回访：{}）",
                            ct.field_label(field),
                            last.unwrap_or("无")
                        ),
                    )
                    .field(field)
                    .param("last", last),
                );
            }
        }
        "reason_required" => {
            let field = prm.str("field", "reason");
            let min_chars = prm.int("min_chars", 2).max(0) as usize;
            let given = str_of(env.input, field).map_or(0, |s| s.trim().chars().count());
            if given < min_chars {
                out.push(
                    mk(
                        "common.reason_required",
                        format!(
                            "{}：{}须说明理由（至少{min_chars}个字）",
                            ct.field_label(field),
                            env.transition.label_zh
                        ),
                    )
                    .field(field),
                );
            }
        }
        "requires_event" => {
            let t = prm.str("transition", "");
            let since = prm.opt_str("since");
            let start = since
                .and_then(|s| last_index(history, s))
                .map_or(0, |i| i + 1);
            if !history[start..].iter().any(|e| e.transition == t) {
                out.push(
                    mk(
                        "common.requires_event",
                        format!(
                            "须先“{}”，才能“{}”",
                            ct.transition_label(t),
                            env.transition.label_zh
                        ),
                    )
                    .param("transition", t),
                );
            }
        }
        "publication_state" => {
            let want = prm.bool("published", false);
            if env.snapshot.published != want {
                let (code, msg) = if want {
                    ("enforcement.not_published", "该决定尚未公示，无需撤回公示")
                } else {
                    (
                        "enforcement.already_published",
                        "该决定已公示，不能重复公示",
                    )
                };
                out.push(mk(code, msg.to_owned()));
            }
        }
        // 《中华人民共和国行政处罚法》第六十七条.
        "no_outstanding_fine" => {
            let fine_field = prm.str("fine_field", "fine_amount");
            let payment = prm.str("payment", "record_payment");
            let fine = env
                .merged
                .get(fine_field)
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if fine > 0 && last_index(history, payment).is_none() {
                out.push(
                    mk(
                        "enforcement.fine_unpaid",
                        format!("罚款{}元尚未缴纳，不能结案", yuan(fine)),
                    )
                    .field(fine_field)
                    .param("fine_fen", fine),
                );
            }
        }
        other => out.push(Refusal::new(
            "definition.unknown_guard",
            format!("案件类型定义引用了未知的校验规则“{other}”"),
        )),
    }
    out
}

fn notice_missing(ct: &CaseType, notice: &str, mk: &dyn Fn(&str, String) -> Refusal) -> Refusal {
    let _ = ct;
    mk(
        "enforcement.notice_not_given",
        "尚未告知当事人拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利，不得作出行政处罚决定"
            .to_owned(),
    )
    .param("notice", notice)
}

fn dict_label(ct: &CaseType, field: &str, value: &str) -> String {
    ct.field(field)
        .and_then(|f| f.dictionary.as_deref())
        .and_then(|d| ct.dictionary(d))
        .and_then(|entries| entries.iter().find(|e| e.value == value))
        .map_or_else(|| value.to_owned(), |e| e.label_zh.clone())
}

/// Formats fen as 元 with two decimals.
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    format!("{sign}{}.{:02}", f / 100, f % 100)
}

fn officer_ids(v: Option<&Value>) -> Vec<i64> {
    let mut ids: Vec<i64> = match v {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_i64).collect(),
        Some(Value::Number(n)) => n.as_i64().into_iter().collect(),
        _ => Vec::new(),
    };
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Why an officer cannot act in `domain` on `on`, or `None` when a certificate qualifies.
/// 《中华人民共和国行政处罚法》第四十二条: 具有行政执法资格的执法人员.
fn certificate_problem(o: &OfficerInfo, domain: &str, on: Date, annual: bool) -> Option<String> {
    if o.certificates.is_empty() {
        return Some("无执法证".to_owned());
    }
    let mut reasons = Vec::new();
    for c in &o.certificates {
        let reason = if c.domain != domain {
            format!("执法证{}的执法领域为“{}”", c.number, c.domain)
        } else if c.revoked {
            format!("执法证{}已被注销或吊销", c.number)
        } else if on < c.valid_from {
            format!("执法证{}自{}起生效", c.number, c.valid_from)
        } else if on > c.valid_to {
            format!("执法证{}已于{}过期", c.number, c.valid_to)
        } else if annual
            && c.valid_from.year() < on.year() - 1
            && c.annual_check_year.is_none_or(|y| y < on.year() - 1)
        {
            format!("执法证{}未通过{}年度年审", c.number, on.year() - 1)
        } else {
            return None;
        };
        reasons.push(reason);
    }
    Some(reasons.join("，"))
}
