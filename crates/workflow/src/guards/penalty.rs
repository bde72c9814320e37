//! The procedure of 《中华人民共和国行政处罚法》 (law file §1): limitation, notice, the statement
//! and hearing windows, legal review of major decisions, education, the simple procedure, evidence
//! and unpaid fines. Defaults name the usual fields and transitions; a definition may rename them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::env::{
    GuardEnv, Mk, calendar_refusal, date_of, dict_label, last_event, last_index, present, str_of,
    yuan,
};
use super::{GuardInfo, GuardKind, OneOrMany, ParamType, Ref, field_ref, p, transition_ref};
use crate::refusal::{Refusal, XZCFF};

macro_rules! default_str {
    ($($f:ident = $v:literal),* $(,)?) => {
        $( fn $f() -> String { $v.to_owned() } )*
    };
}

default_str! {
    act_on = "act_on",
    discovered_on = "discovered_on",
    limitation_extended = "limitation_extended",
    notify = "notify",
    waive_rights = "waive_rights",
    request_hearing = "request_hearing",
    hold_hearing = "hold_hearing",
    major_case = "major_case",
    submit_review = "submit_review",
    pass_review = "pass_review",
    outcome = "outcome",
    education_record = "education_record",
    procedure = "procedure",
    party_kind = "party_kind",
    penalty = "penalty",
    fine_amount = "fine_amount",
    hearing_date = "hearing_date",
    reject_review = "reject_review",
}

fn hearing_concluded() -> OneOrMany {
    OneOrMany::One(hold_hearing())
}

const fn n2() -> i64 {
    2
}
const fn n5() -> i64 {
    5
}
const fn n7() -> i64 {
    7
}
const fn n1() -> i64 {
    1
}
const fn n200() -> i64 {
    200
}
const fn n3000() -> i64 {
    3000
}
const fn yes() -> bool {
    true
}

fn notice_missing(mk: &Mk<'_>, notice: &str) -> Refusal {
    mk.r(
        "enforcement.notice_not_given",
        "尚未告知当事人拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利，不得作出行政处罚决定",
    )
    .param("notice", notice)
}

/// 《中华人民共和国行政处罚法》第三十六条: no penalty for an act not discovered within two years
/// (five in the listed cases).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitationPeriod {
    #[serde(default = "n2")]
    pub years: i64,
    #[serde(default = "n5")]
    pub extended_years: i64,
    #[serde(default = "act_on")]
    pub act_field: String,
    #[serde(default = "discovered_on")]
    pub discovered_field: String,
    #[serde(default = "limitation_extended")]
    pub extended_field: String,
    #[serde(default = "yes")]
    pub warn_if_unknown: bool,
}

impl GuardKind for LimitationPeriod {
    const INFO: GuardInfo = GuardInfo {
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
        codes: &[
            "enforcement.limitation_period",
            "enforcement.limitation_unverified",
            "enforcement.discovered_in_future",
            "enforcement.act_after_discovery",
            "common.required_field",
        ],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            field_ref("discovered_field", &self.discovered_field, true),
            field_ref("act_field", &self.act_field, false),
            field_ref("extended_field", &self.extended_field, false),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let on = env.on();
        let (discovered_field, act_field) = (&self.discovered_field, &self.act_field);
        let extended = env
            .merged
            .get(&self.extended_field)
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let years = if extended {
            self.extended_years
        } else {
            self.years
        };
        let mut out = Vec::new();
        let Some(discovered) = date_of(env.merged, discovered_field) else {
            out.push(
                mk.r(
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
                mk.r(
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
                mk.r(
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
                        mk.r(
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
            None if self.warn_if_unknown => out.push(
                mk.r(
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
        out
    }
}

/// 《中华人民共和国行政处罚法》第四十四条、第六十二条: no decision without notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeGiven {
    #[serde(default = "notify")]
    pub notice: String,
}

impl GuardKind for NoticeGiven {
    const INFO: GuardInfo = GuardInfo {
        name: "notice_given",
        statute: Some(XZCFF),
        article: Some("第四十四条、第六十二条"),
        description_zh: "作出行政处罚决定前已告知当事人",
        params: &[p("notice", ParamType::Transition, false)],
        codes: &["enforcement.notice_not_given"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![transition_ref("notice", &self.notice, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        if last_index(env.history(), &self.notice).is_none() {
            return vec![notice_missing(mk, &self.notice)];
        }
        Vec::new()
    }
}

/// 《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十二条、第六十四条、第八十五条.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementWindowElapsedOrWaived {
    #[serde(default = "n5")]
    pub days: i64,
    #[serde(default = "notify")]
    pub notice: String,
    #[serde(default = "waive_rights")]
    pub waiver: String,
    #[serde(default = "request_hearing")]
    pub hearing_request: String,
    /// Transitions that conclude a requested hearing (held, or the party's no-show: 第六十四条).
    #[serde(default = "hearing_concluded")]
    pub hearing_held: OneOrMany,
}

impl GuardKind for StatementWindowElapsedOrWaived {
    const INFO: GuardInfo = GuardInfo {
        name: "statement_window_elapsed_or_waived",
        statute: Some(XZCFF),
        article: Some("第四十四条、第四十五条、第六十二条"),
        description_zh: "陈述申辩期已届满或当事人明确放弃；已申请的听证已举行",
        params: &[
            p("days", ParamType::Int, false),
            p("notice", ParamType::Transition, false),
            p("waiver", ParamType::Transition, false),
            p("hearing_request", ParamType::Transition, false),
            p("hearing_held", ParamType::StrOrList, false),
        ],
        codes: &[
            "enforcement.statement_window_open",
            "enforcement.hearing_pending",
            "enforcement.notice_not_given",
        ],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            transition_ref("notice", &self.notice, true),
            transition_ref("waiver", &self.waiver, false),
            transition_ref("hearing_request", &self.hearing_request, false),
        ]
        .into_iter()
        .chain(
            self.hearing_held
                .to_vec()
                .into_iter()
                .map(|t| transition_ref("hearing_held", &t, false)),
        )
        .collect()
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let history = env.history();
        let days = self.days.max(0) as u32;
        let mut out = Vec::new();
        let Some(ni) = last_index(history, &self.notice) else {
            return vec![notice_missing(mk, &self.notice)];
        };
        let after = &history[ni + 1..];
        if after.iter().any(|e| e.transition == self.waiver) {
            return out;
        }
        let notified_on = history[ni].on;
        let cal = env.ctx.calendar;
        match cal.add_working_days(notified_on, days) {
            Err(e) => out.push(calendar_refusal(&e)),
            Ok(due) if env.on() <= due => {
                let next = cal
                    .add_working_days(due, 1)
                    .map_or_else(|_| "期满后".to_owned(), |d| format!("{d}起"));
                out.push(
                    mk.r(
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
        if let Some(ri) = after
            .iter()
            .rposition(|e| e.transition == self.hearing_request)
        {
            let requested = &after[ri];
            if !after[ri + 1..]
                .iter()
                .any(|e| self.hearing_held.to_vec().contains(&e.transition))
            {
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
        out
    }
}

/// 《中华人民共和国行政处罚法》第五十八条: a major decision needs a passed legal review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalReviewPassedIfMajor {
    #[serde(default = "major_case")]
    pub flags_field: String,
    #[serde(default = "submit_review")]
    pub submit: String,
    #[serde(default = "pass_review")]
    pub pass: String,
    /// A rejection after a pass undoes it: the latest outcome counts.
    #[serde(default = "reject_review")]
    pub reject: String,
    #[serde(default = "hold_hearing")]
    pub hearing: String,
}

impl GuardKind for LegalReviewPassedIfMajor {
    const INFO: GuardInfo = GuardInfo {
        name: "legal_review_passed_if_major",
        statute: Some(XZCFF),
        article: Some("第五十八条"),
        description_zh: "重大执法决定须经法制审核通过",
        params: &[
            p("flags_field", ParamType::Field, false),
            p("submit", ParamType::Transition, false),
            p("pass", ParamType::Transition, false),
            p("reject", ParamType::Transition, false),
            p("hearing", ParamType::Transition, false),
        ],
        codes: &["enforcement.legal_review_required"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            field_ref("flags_field", &self.flags_field, true),
            transition_ref("submit", &self.submit, true),
            transition_ref("pass", &self.pass, true),
            transition_ref("reject", &self.reject, false),
            transition_ref("hearing", &self.hearing, false),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let history = env.history();
        let flags = env.merged.get(&self.flags_field).and_then(Value::as_array);
        let mut reasons: Vec<String> = flags
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|v| dict_label(ct, &self.flags_field, v))
                    .collect()
            })
            .unwrap_or_default();
        if last_index(history, &self.hearing).is_some()
            && !flags.is_some_and(|a| a.iter().any(|v| v == "hearing_held"))
        {
            reasons.push("经过听证程序".to_owned());
        }
        if reasons.is_empty() {
            return Vec::new();
        }
        // The latest outcome of the latest submission counts (a pass later rejected is no pass).
        let passed = match last_index(history, &self.submit) {
            Some(si) => history[si + 1..]
                .iter()
                .rev()
                .find(|e| e.transition == self.pass || e.transition == self.reject)
                .is_some_and(|e| e.transition == self.pass),
            None => false,
        };
        if passed {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "本案属于重大执法决定（{}），未经法制审核或者审核未通过的，不得作出决定",
                    reasons.join("、")
                ),
            )
            .param("criteria", reasons),
        ]
    }
}

fn no_penalty_outcomes() -> OneOrMany {
    OneOrMany::Many(vec![
        "不予处罚（轻微）".to_owned(),
        "不予处罚（首违）".to_owned(),
        "不予处罚（无主观过错）".to_owned(),
    ])
}

/// 《中华人民共和国行政处罚法》第三十三条: no penalty → the party is educated (recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EducationRecordIfNoPenalty {
    #[serde(default = "outcome")]
    pub outcome_field: String,
    #[serde(default = "education_record")]
    pub record_field: String,
    #[serde(default = "no_penalty_outcomes")]
    pub outcomes: OneOrMany,
}

impl GuardKind for EducationRecordIfNoPenalty {
    const INFO: GuardInfo = GuardInfo {
        name: "education_record_if_no_penalty",
        statute: Some(XZCFF),
        article: Some("第三十三条"),
        description_zh: "不予行政处罚的，应当对当事人进行教育",
        params: &[
            p("outcome_field", ParamType::Field, false),
            p("record_field", ParamType::Field, false),
            p("outcomes", ParamType::StrOrList, false),
        ],
        codes: &["enforcement.education_record_required"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            field_ref("outcome_field", &self.outcome_field, true),
            field_ref("record_field", &self.record_field, true),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let outcomes = self.outcomes.to_vec();
        match str_of(env.merged, &self.outcome_field) {
            Some(o)
                if outcomes.iter().any(|x| x == o)
                    && !present(env.merged.get(&self.record_field)) =>
            {
                vec![
                    mk.r(
                        Self::INFO.codes[0],
                        format!(
                            "{}：处理结果为“{o}”，对当事人不予行政处罚的，应当对当事人进行教育，须填写教育记录",
                            env.case_type.field_label(&self.record_field)
                        ),
                    )
                    .field(&self.record_field)
                    .param("outcome", o),
                ]
            }
            _ => Vec::new(),
        }
    }
}

/// 《中华人民共和国行政处罚法》第五十一条、第五十二条: the simple procedure only for a warning or
/// a fine up to 200 元 (citizens) / 3000 元 (organisations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimpleProcedureLimits {
    #[serde(default = "n200")]
    pub citizen_max_yuan: i64,
    #[serde(default = "n3000")]
    pub organisation_max_yuan: i64,
    #[serde(default)]
    pub always: bool,
    #[serde(default = "procedure")]
    pub procedure_field: String,
    #[serde(default = "party_kind")]
    pub party_kind_field: String,
    #[serde(default = "penalty")]
    pub penalty_field: String,
    #[serde(default = "fine_amount")]
    pub fine_field: String,
}

impl GuardKind for SimpleProcedureLimits {
    const INFO: GuardInfo = GuardInfo {
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
        codes: &["enforcement.simple_procedure_limits"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            field_ref("procedure_field", &self.procedure_field, false),
            field_ref("party_kind_field", &self.party_kind_field, true),
            field_ref("penalty_field", &self.penalty_field, true),
            field_ref("fine_field", &self.fine_field, true),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let code = Self::INFO.codes[0];
        let ct = env.case_type;
        let applies = self.always || str_of(env.merged, &self.procedure_field) == Some("简易程序");
        if !applies {
            return Vec::new();
        }
        let (citizen_max, org_max) = (self.citizen_max_yuan, self.organisation_max_yuan);
        let mut out = Vec::new();
        match str_of(env.merged, &self.penalty_field) {
            Some("警告") | None => {}
            Some("罚款") => {
                let max = match str_of(env.merged, &self.party_kind_field) {
                    Some("自然人") => Some(("自然人", citizen_max)),
                    Some(_) => Some(("法人或其他组织", org_max)),
                    None => {
                        out.push(
                            mk.r(
                                code,
                                format!(
                                    "{}：适用简易程序罚款时必填（自然人{citizen_max}元以下、法人或其他组织{org_max}元以下）",
                                    ct.field_label(&self.party_kind_field)
                                ),
                            )
                            .field(&self.party_kind_field),
                        );
                        None
                    }
                };
                let fine = env.merged.get(&self.fine_field).and_then(Value::as_i64);
                if let (Some((who, max)), Some(fen)) = (max, fine)
                    && fen > max * 100
                {
                    out.push(
                        mk.r(
                            code,
                            format!(
                                "简易程序只能对{who}处以{max}元以下罚款，本案罚款{}元，应适用普通程序",
                                yuan(fen)
                            ),
                        )
                        .field(&self.fine_field)
                        .param("party_kind", who)
                        .param("max_yuan", max)
                        .param("fine_fen", fen),
                    );
                }
            }
            Some(other) => out.push(
                mk.r(
                    code,
                    format!("简易程序只适用于警告或罚款，不能当场作出“{other}”"),
                )
                .field(&self.penalty_field)
                .param("penalty", other),
            ),
        }
        out
    }
}

/// 《中华人民共和国行政处罚法》第六十四条第一项、第八十五条: a hearing is requested within five
/// working days of the notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HearingRequestWindow {
    #[serde(default = "n5")]
    pub days: i64,
    #[serde(default = "notify")]
    pub notice: String,
}

impl GuardKind for HearingRequestWindow {
    const INFO: GuardInfo = GuardInfo {
        name: "hearing_request_window",
        statute: Some(XZCFF),
        article: Some("第六十四条"),
        description_zh: "当事人应在告知后五个工作日内要求听证",
        params: &[
            p("days", ParamType::Int, false),
            p("notice", ParamType::Transition, false),
        ],
        codes: &[
            "enforcement.hearing_request_late",
            "enforcement.notice_not_given",
        ],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![transition_ref("notice", &self.notice, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let days = self.days.max(0) as u32;
        let Some(n) = last_event(env.history(), &self.notice) else {
            return vec![notice_missing(mk, &self.notice)];
        };
        match env.ctx.calendar.add_working_days(n.on, days) {
            Err(e) => vec![calendar_refusal(&e)],
            Ok(due) if env.on() > due => vec![
                mk.r(
                    Self::INFO.codes[0],
                    format!(
                        "听证申请已逾期：当事人应在告知后{days}个工作日内要求听证（{}告知，至{due}届满）",
                        n.on
                    ),
                )
                .param("notified_on", n.on.to_string())
                .param("due", due.to_string()),
            ],
            Ok(_) => Vec::new(),
        }
    }
}

/// 《中华人民共和国行政处罚法》第六十四条第二项、第八十五条: the party is told of the hearing
/// seven working days before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HearingNoticePeriod {
    #[serde(default = "n7")]
    pub days: i64,
    #[serde(default = "hearing_date")]
    pub date_field: String,
}

impl GuardKind for HearingNoticePeriod {
    const INFO: GuardInfo = GuardInfo {
        name: "hearing_notice_period",
        statute: Some(XZCFF),
        article: Some("第六十四条"),
        description_zh: "应在举行听证的七个工作日前通知当事人",
        params: &[
            p("days", ParamType::Int, false),
            p("date_field", ParamType::Field, false),
        ],
        codes: &["enforcement.hearing_notice_too_short"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![field_ref("date_field", &self.date_field, true)]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let days = self.days.max(0) as u32;
        let on = env.on();
        let Some(hearing) = date_of(env.merged, &self.date_field) else {
            return Vec::new();
        };
        match env.ctx.calendar.add_working_days(on, days) {
            Err(e) => vec![calendar_refusal(&e)],
            Ok(earliest) if hearing < earliest => vec![
                mk.r(
                    Self::INFO.codes[0],
                    format!(
                        "{}：应在举行听证的{days}个工作日前通知当事人，{on}通知的听证最早可安排在{earliest}，不能安排在{hearing}",
                        env.case_type.field_label(&self.date_field)
                    ),
                )
                .field(&self.date_field)
                .param("earliest", earliest.to_string())
                .param("hearing_date", hearing.to_string()),
            ],
            Ok(_) => Vec::new(),
        }
    }
}

/// 《中华人民共和国行政处罚法》第四十七条、第五十四条: a recorded investigation (evidence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequired {
    #[serde(default = "n1")]
    pub min: i64,
}

impl GuardKind for EvidenceRequired {
    const INFO: GuardInfo = GuardInfo {
        name: "evidence_required",
        statute: Some(XZCFF),
        article: Some("第四十七条、第五十四条"),
        description_zh: "已收集并记录证据",
        params: &[p("min", ParamType::Int, false)],
        codes: &["enforcement.evidence_required"],
    };

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let count = env.snapshot.evidence_count;
        if i64::from(count) >= self.min {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "尚无足够的证据材料：调查取证应当全面、客观、公正并全过程记录，至少需要{}份证据，当前{count}份",
                    self.min
                ),
            )
            .param("min", self.min)
            .param("count", count),
        ]
    }
}
