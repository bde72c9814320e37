//! The decision of 《中华人民共和国行政处罚法》 compared with what the party was told and what the
//! law asks of heavy decisions, and the money it imposes: the decision is not heavier than the
//! notice (第四十四条、第四十五条), serious cases are discussed by the heads (第五十七条第二款),
//! a fine is reconciled with what was paid, with the 3 %-a-day surcharge capped at the fine
//! (第六十七条、第七十二条), and a revoked decision is not executed. Defaults name the usual
//! fields and transitions; a definition may rename them.

use fazhi_calendar::PeriodUnit;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::env::{GuardEnv, Mk, calendar_refusal, last_index, str_of, yuan};
use super::{GuardInfo, GuardKind, OneOrMany, ParamType, Ref, field_ref, p, transition_ref};
use crate::refusal::{Refusal, XZCFF};

fn s(v: &str) -> String {
    v.to_owned()
}
fn notify() -> String {
    s("notify")
}
fn intended_penalty() -> String {
    s("intended_penalty")
}
fn intended_amount() -> String {
    s("intended_amount")
}
fn penalty() -> String {
    s("penalty")
}
fn fine_amount() -> String {
    s("fine_amount")
}
fn party_kind() -> String {
    s("party_kind")
}
fn citizen() -> String {
    s("自然人")
}
fn discussion() -> String {
    s("collective_discussion")
}
fn record_payment() -> String {
    s("record_payment")
}
fn paid_amount() -> String {
    s("paid_amount")
}
fn serve() -> String {
    s("serve")
}
fn decide() -> OneOrMany {
    OneOrMany::Many(vec![s("decide"), s("decide_on_spot")])
}
const fn n15() -> i64 {
    15
}
const fn n30() -> i64 {
    30
}

fn money(m: &Map<String, Value>, k: &str) -> Option<i64> {
    m.get(k).and_then(Value::as_i64)
}

/// 《中华人民共和国行政处罚法》第四十四条、第四十五条: the decision may not be heavier than the
/// penalty the party was notified of (in the last `notice` event). A penalty of another kind
/// ranked heavier in `order` (lightest first; by default the order of the penalty field's
/// dictionary), or a larger fine, needs a new notice and a new statement window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotHeavierThanNotice {
    #[serde(default = "notify")]
    pub notice: String,
    #[serde(default = "intended_penalty")]
    pub intended_penalty_field: String,
    #[serde(default = "intended_amount")]
    pub intended_amount_field: String,
    #[serde(default = "penalty")]
    pub penalty_field: String,
    #[serde(default = "fine_amount")]
    pub fine_field: String,
    #[serde(default)]
    pub order: Option<Vec<String>>,
}

impl GuardKind for NotHeavierThanNotice {
    const INFO: GuardInfo = GuardInfo {
        name: "not_heavier_than_notice",
        statute: Some(XZCFF),
        article: Some("第四十四条、第四十五条"),
        description_zh: "决定的处罚不得重于已告知的拟处罚（种类更重或罚款更多须重新告知）",
        params: &[
            p("notice", ParamType::Transition, false),
            p("intended_penalty_field", ParamType::Field, false),
            p("intended_amount_field", ParamType::Field, false),
            p("penalty_field", ParamType::Field, false),
            p("fine_field", ParamType::Field, false),
            p("order", ParamType::StrOrList, false),
        ],
        codes: &["enforcement.heavier_than_notice"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            transition_ref("notice", &self.notice, true),
            field_ref("intended_penalty_field", &self.intended_penalty_field, true),
            field_ref("intended_amount_field", &self.intended_amount_field, true),
            field_ref("penalty_field", &self.penalty_field, true),
            field_ref("fine_field", &self.fine_field, true),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let ct = env.case_type;
        let history = env.history();
        let Some(ni) = last_index(history, &self.notice) else {
            return Vec::new(); // `notice_given` refuses a decision without notice
        };
        let told = &history[ni];
        let Some(decided) = str_of(env.merged, &self.penalty_field) else {
            return Vec::new();
        };
        let intended = str_of(&told.input, &self.intended_penalty_field)
            .or_else(|| str_of(&env.snapshot.fields, &self.intended_penalty_field));
        let order: Vec<String> = match &self.order {
            Some(o) => o.clone(),
            None => ct
                .field(&self.penalty_field)
                .and_then(|f| f.dictionary.as_deref())
                .and_then(|d| ct.dictionary(d))
                .map(|e| e.iter().map(|x| x.value.clone()).collect())
                .unwrap_or_default(),
        };
        let rank = |v: &str| order.iter().position(|o| o == v);
        let heavier_kind = match intended {
            None => true,
            Some(i) if i == decided => false,
            Some(i) => match (rank(i), rank(decided)) {
                (Some(a), Some(b)) => b > a,
                _ => true,
            },
        };
        let told_fine = money(&told.input, &self.intended_amount_field)
            .or_else(|| money(&env.snapshot.fields, &self.intended_amount_field));
        let fine = money(env.merged, &self.fine_field).unwrap_or(0);
        let larger_fine = intended == Some(decided) && fine > told_fine.unwrap_or(0);
        if !heavier_kind && !larger_fine {
            return Vec::new();
        }
        let told_text = match (intended, told_fine) {
            (Some(i), Some(f)) if f > 0 => format!("“{i}”{}元", yuan(f)),
            (Some(i), _) => format!("“{i}”"),
            (None, _) => "（未告知拟处罚种类）".to_owned(),
        };
        let decided_text = if fine > 0 {
            format!("“{decided}”{}元", yuan(fine))
        } else {
            format!("“{decided}”")
        };
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "{}告知当事人的拟处罚为{told_text}，拟作出的决定为{decided_text}，重于告知内容；须重新告知当事人并给予陈述、申辩的期间后方可决定",
                    told.on
                ),
            )
            .field(&self.penalty_field)
            .param("notified_on", told.on.to_string())
            .param("intended_penalty", intended)
            .param("intended_fen", told_fine)
            .param("penalty", decided)
            .param("fine_fen", fine),
        ]
    }
}

fn serious_default() -> OneOrMany {
    OneOrMany::Many(vec![
        s("吊销许可证件"),
        s("降低资质等级"),
        s("责令停产停业"),
        s("责令关闭"),
        s("限制从业"),
    ])
}

/// 《中华人民共和国行政处罚法》第五十七条第二款: a serious case is decided by the heads
/// collectively. Serious is computed from the decision, not only declared: a penalty listed in
/// `penalties`, or a fine of at least `citizen_min_yuan` (natural persons) /
/// `organisation_min_yuan` (others) — thresholds are the department's rule (configurable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectiveDiscussionIfSerious {
    pub citizen_min_yuan: i64,
    pub organisation_min_yuan: i64,
    #[serde(default = "serious_default")]
    pub penalties: OneOrMany,
    #[serde(default = "penalty")]
    pub penalty_field: String,
    #[serde(default = "fine_amount")]
    pub fine_field: String,
    #[serde(default = "party_kind")]
    pub party_kind_field: String,
    #[serde(default = "citizen")]
    pub citizen_value: String,
    #[serde(default = "discussion")]
    pub discussion: String,
    /// The discussion must come after the last event of this transition (default: the notice).
    #[serde(default = "notify")]
    pub since: String,
}

impl GuardKind for CollectiveDiscussionIfSerious {
    const INFO: GuardInfo = GuardInfo {
        name: "collective_discussion_if_serious",
        statute: Some(XZCFF),
        article: Some("第五十七条第二款"),
        description_zh: "情节复杂或者重大违法行为给予行政处罚（吊销许可证件、责令停产停业、较大数额罚款等），行政机关负责人应当集体讨论决定",
        params: &[
            p("citizen_min_yuan", ParamType::Int, true),
            p("organisation_min_yuan", ParamType::Int, true),
            p("penalties", ParamType::StrOrList, false),
            p("penalty_field", ParamType::Field, false),
            p("fine_field", ParamType::Field, false),
            p("party_kind_field", ParamType::Field, false),
            p("citizen_value", ParamType::Str, false),
            p("discussion", ParamType::Transition, false),
            p("since", ParamType::Transition, false),
        ],
        codes: &["enforcement.collective_discussion_required"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            field_ref("penalty_field", &self.penalty_field, true),
            field_ref("fine_field", &self.fine_field, true),
            field_ref("party_kind_field", &self.party_kind_field, true),
            transition_ref("discussion", &self.discussion, true),
            transition_ref("since", &self.since, true),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let mut why = Vec::new();
        if let Some(p) = str_of(env.merged, &self.penalty_field)
            && self.penalties.to_vec().iter().any(|x| x == p)
        {
            why.push(format!("处罚种类为“{p}”"));
        }
        let citizen = str_of(env.merged, &self.party_kind_field) == Some(&self.citizen_value);
        let min = if citizen {
            self.citizen_min_yuan
        } else {
            self.organisation_min_yuan
        };
        let fine = money(env.merged, &self.fine_field).unwrap_or(0);
        if fine >= min * 100 {
            why.push(format!("罚款{}元，达到较大数额{min}元", yuan(fine)));
        }
        if why.is_empty() {
            return Vec::new();
        }
        let history = env.history();
        let start = last_index(history, &self.since).map_or(0, |i| i + 1);
        if history[start..]
            .iter()
            .any(|e| e.transition == self.discussion)
        {
            return Vec::new();
        }
        vec![
            mk.r(
                Self::INFO.codes[0],
                format!(
                    "本案{}，属于重大违法行为给予行政处罚，须经行政机关负责人集体讨论（“{}”）后方可决定",
                    why.join("，"),
                    env.case_type.transition_label(&self.discussion)
                ),
            )
            .param("criteria", why)
            .param("min_yuan", min),
        ]
    }
}

/// Parameters shared by the payment guards: what is owed on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FineOwed {
    #[serde(default = "fine_amount")]
    pub fine_field: String,
    #[serde(default = "record_payment")]
    pub payment: String,
    #[serde(default = "paid_amount")]
    pub paid_field: String,
    /// Transitions that impose the fine (a later one starts a new reckoning).
    #[serde(default = "decide")]
    pub decision: OneOrMany,
    /// A decision revoked by this transition is not executed: nothing is owed.
    #[serde(default)]
    pub revoked_by: Option<String>,
    /// Service starts the payment period of `due_days` natural days (第六十七条).
    #[serde(default = "serve")]
    pub served: String,
    #[serde(default = "n15")]
    pub due_days: i64,
    /// 第七十二条 leaves the surcharge to the agency (可以): it accrues only once this transition
    /// (the decision to impose it) has happened after the decision.
    #[serde(default)]
    pub surcharge_by: Option<String>,
    /// Surcharge per day late in thousandths of the fine (第七十二条: 3 % = 30), capped at the
    /// fine.
    #[serde(default = "n30")]
    pub surcharge_permille_per_day: i64,
    /// 第七十三条第三款: the surcharge is not counted while a review or suit is pending, from the
    /// day after this transition (the application or suit recorded) …
    #[serde(default)]
    pub suspended_by: Option<String>,
    /// … to the day this transition records its conclusion (inclusive); still pending: to the
    /// day of the reckoning.
    #[serde(default)]
    pub resumed_by: Option<String>,
}

struct Owed {
    fine: i64,
    paid: i64,
    surcharge: i64,
    /// Days late not counted because a review or suit was pending (第七十三条第三款).
    suspended_days: i64,
    due: Option<Date>,
    revoked_on: Option<Date>,
}

impl FineOwed {
    fn refs(&self) -> Vec<Ref> {
        let mut v = vec![
            field_ref("fine_field", &self.fine_field, true),
            field_ref("paid_field", &self.paid_field, true),
            transition_ref("payment", &self.payment, true),
            transition_ref("served", &self.served, false),
        ];
        if let Some(r) = &self.revoked_by {
            v.push(transition_ref("revoked_by", r, true));
        }
        if let Some(r) = &self.surcharge_by {
            v.push(transition_ref("surcharge_by", r, true));
        }
        if let Some(r) = &self.suspended_by {
            v.push(transition_ref("suspended_by", r, true));
        }
        if let Some(r) = &self.resumed_by {
            v.push(transition_ref("resumed_by", r, true));
        }
        v
    }

    /// Pending reviews or suits after the decision: (recorded on, concluded on).
    fn suspensions(&self, after: &[crate::plan::HistoryEvent]) -> Vec<(Date, Option<Date>)> {
        let Some(by) = self.suspended_by.as_deref() else {
            return Vec::new();
        };
        let mut out: Vec<(Date, Option<Date>)> = Vec::new();
        for e in after {
            if e.transition == by {
                if out.last().is_none_or(|l| l.1.is_some()) {
                    out.push((e.on, None));
                }
            } else if self.resumed_by.as_deref() == Some(e.transition.as_str())
                && let Some(last) = out.last_mut()
                && last.1.is_none()
            {
                last.1 = Some(e.on);
            }
        }
        out
    }

    /// The fine, what was paid towards it, and the surcharge accrued by `on`.
    fn owed(&self, env: &GuardEnv<'_>, on: Date) -> Result<Owed, Box<Refusal>> {
        let history = env.history();
        let decisions = self.decision.to_vec();
        let start = history
            .iter()
            .rposition(|e| decisions.contains(&e.transition))
            .unwrap_or(0);
        let after = &history[start..];
        let fine = money(env.merged, &self.fine_field).unwrap_or(0);
        let revoked_on = self
            .revoked_by
            .as_deref()
            .and_then(|r| after.iter().rev().find(|e| e.transition == r).map(|e| e.on));
        let payments: Vec<(Date, i64)> = after
            .iter()
            .filter(|e| e.transition == self.payment)
            .map(|e| (e.on, money(&e.input, &self.paid_field).unwrap_or(0)))
            .collect();
        let paid: i64 = payments.iter().map(|p| p.1).sum();
        // 第八十五条: a period ending on a rest day ends on the next working day (configured roll).
        let due = match after.iter().find(|e| e.transition == self.served) {
            Some(sv) => Some(
                env.ctx
                    .calendar
                    .due(
                        sv.on,
                        self.due_days.max(0) as u32,
                        PeriodUnit::NaturalDays,
                        env.ctx.config.roll,
                    )
                    .map_err(|e| Box::new(calendar_refusal(&e)))?
                    .due,
            ),
            None => None,
        };
        let mut surcharge = 0;
        let mut suspended_days = 0;
        let imposed = self
            .surcharge_by
            .as_deref()
            .is_some_and(|t| after.iter().any(|e| e.transition == t));
        if let Some(due) = due
            && on > due
            && imposed
            && self.surcharge_permille_per_day > 0
        {
            // Accrues daily from the day after the period until the fine itself is paid in full.
            let mut cum = 0;
            let mut settled = None;
            for (d, amount) in &payments {
                cum += amount;
                if cum >= fine {
                    settled = Some(*d);
                    break;
                }
            }
            let end = settled.map_or(on, |d| d.min(on));
            if end > due {
                // 第七十三条第三款: days of a pending review or suit are not counted.
                for (from, to) in self.suspensions(after) {
                    let lo = from.max(due);
                    let hi = to.unwrap_or(end).min(end);
                    if hi > lo {
                        suspended_days += i64::from((hi - lo).get_days());
                    }
                }
                let days = (i64::from((end - due).get_days()) - suspended_days).max(0);
                surcharge = (fine * self.surcharge_permille_per_day / 1000)
                    .saturating_mul(days)
                    .min(fine);
            }
        }
        Ok(Owed {
            fine,
            paid,
            surcharge,
            suspended_days,
            due,
            revoked_on,
        })
    }
}

/// 《中华人民共和国行政处罚法》第六十七条、第七十二条: the case is closed only when the fine (and
/// any surcharge accrued by the last payment) is paid in full; a revoked decision owes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoOutstandingFine {
    pub owed: FineOwed,
}

const OWED_PARAMS: [super::ParamSpec; 11] = [
    p("fine_field", ParamType::Field, false),
    p("payment", ParamType::Transition, false),
    p("paid_field", ParamType::Field, false),
    p("decision", ParamType::StrOrList, false),
    p("revoked_by", ParamType::Transition, false),
    p("served", ParamType::Transition, false),
    p("due_days", ParamType::Int, false),
    p("surcharge_by", ParamType::Transition, false),
    p("surcharge_permille_per_day", ParamType::Int, false),
    p("suspended_by", ParamType::Transition, false),
    p("resumed_by", ParamType::Transition, false),
];

impl GuardKind for NoOutstandingFine {
    const INFO: GuardInfo = GuardInfo {
        name: "no_outstanding_fine",
        statute: Some(XZCFF),
        article: Some("第六十七条、第七十二条"),
        description_zh: "罚款（及逾期加处的罚款）已足额缴纳方可结案；已撤销的决定不再执行",
        params: &OWED_PARAMS,
        codes: &["enforcement.fine_unpaid"],
    };

    fn refs(&self) -> Vec<Ref> {
        self.owed.refs()
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        // The surcharge stops accruing at the last payment (the day the account was settled).
        let last_paid = env
            .history()
            .iter()
            .rev()
            .find(|e| e.transition == self.owed.payment)
            .map_or(env.on(), |e| e.on);
        let o = match self.owed.owed(env, last_paid) {
            Ok(o) => o,
            Err(r) => return vec![*r],
        };
        if o.revoked_on.is_some() || o.fine <= 0 {
            return Vec::new();
        }
        let total = o.fine + o.surcharge;
        if o.paid >= total {
            return Vec::new();
        }
        let mut msg = format!("罚款{}元尚未足额缴纳（已缴{}元", yuan(o.fine), yuan(o.paid));
        if o.surcharge > 0 {
            msg.push_str(&format!(
                "，逾期加处罚款{}元，合计应缴{}元",
                yuan(o.surcharge),
                yuan(total)
            ));
        }
        msg.push_str(&format!("，尚欠{}元），不能结案", yuan(total - o.paid)));
        vec![
            mk.r(Self::INFO.codes[0], msg)
                .field(&self.owed.fine_field)
                .param("fine_fen", o.fine)
                .param("paid_fen", o.paid)
                .param("surcharge_fen", o.surcharge)
                .param("suspended_days", o.suspended_days)
                .param("outstanding_fen", total - o.paid),
        ]
    }
}

/// 《中华人民共和国行政处罚法》第六十七条、第七十二条: a payment is recorded only against a
/// decision in force, and not beyond what is owed (the fine plus the surcharge accrued on the day
/// of payment: 3 % of the fine a day after the payment period, capped at the fine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PaymentWithinOwed {
    pub owed: FineOwed,
}

impl GuardKind for PaymentWithinOwed {
    const INFO: GuardInfo = GuardInfo {
        name: "payment_within_owed",
        statute: Some(XZCFF),
        article: Some("第六十七条、第七十二条"),
        description_zh: "缴款不得超过应缴金额（罚款及逾期每日按罚款数额百分之三加处的罚款，加处罚款不超过罚款数额）；已撤销的决定不再执行",
        params: &OWED_PARAMS,
        codes: &[
            "enforcement.payment_exceeds_owed",
            "enforcement.decision_revoked",
            "enforcement.no_fine",
        ],
    };

    fn refs(&self) -> Vec<Ref> {
        self.owed.refs()
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let on = env.on();
        let o = match self.owed.owed(env, on) {
            Ok(o) => o,
            Err(r) => return vec![*r],
        };
        if let Some(r) = o.revoked_on {
            return vec![
                mk.r(
                    Self::INFO.codes[1],
                    format!("该决定已于{r}撤销，不再执行，不能登记缴款"),
                )
                .param("revoked_on", r.to_string()),
            ];
        }
        if o.fine <= 0 {
            return vec![mk.r(Self::INFO.codes[2], "该决定未处罚款，无需登记缴款")];
        }
        let this = money(env.input, &self.owed.paid_field).unwrap_or(0);
        let total = o.fine + o.surcharge;
        let outstanding = total - o.paid;
        if this <= outstanding {
            return Vec::new();
        }
        let mut msg = format!(
            "{}：本次{}元超过尚欠金额{}元（罚款{}元，已缴{}元",
            env.case_type.field_label(&self.owed.paid_field),
            yuan(this),
            yuan(outstanding.max(0)),
            yuan(o.fine),
            yuan(o.paid)
        );
        if o.surcharge > 0 {
            let due = o.due.map(|d| d.to_string()).unwrap_or_default();
            msg.push_str(&format!(
                "，缴款期限{due}届满后逾期加处罚款{}元",
                yuan(o.surcharge)
            ));
        }
        msg.push('）');
        vec![
            mk.r(Self::INFO.codes[0], msg)
                .field(&self.owed.paid_field)
                .param("outstanding_fen", outstanding)
                .param("surcharge_fen", o.surcharge)
                .param("suspended_days", o.suspended_days),
        ]
    }
}

/// 《中华人民共和国行政处罚法》第七十二条: a surcharge is imposed only when the payment period
/// (第六十七条: 15 days from service, 第八十五条) has passed with the fine not paid in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FineOverdue {
    pub owed: FineOwed,
}

impl GuardKind for FineOverdue {
    const INFO: GuardInfo = GuardInfo {
        name: "fine_overdue",
        statute: Some(XZCFF),
        article: Some("第七十二条"),
        description_zh: "当事人到期未足额缴纳罚款的，方可加处罚款",
        params: &OWED_PARAMS,
        codes: &[
            "enforcement.fine_not_overdue",
            "enforcement.decision_revoked",
        ],
    };

    fn refs(&self) -> Vec<Ref> {
        self.owed.refs()
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let on = env.on();
        let o = match self.owed.owed(env, on) {
            Ok(o) => o,
            Err(r) => return vec![*r],
        };
        if let Some(r) = o.revoked_on {
            return vec![
                mk.r(Self::INFO.codes[1], format!("该决定已于{r}撤销，不再执行"))
                    .param("revoked_on", r.to_string()),
            ];
        }
        match o.due {
            Some(due) if on > due && o.paid < o.fine => Vec::new(),
            due => {
                let when = due.map_or_else(
                    || "决定尚未送达，缴款期限尚未起算".to_owned(),
                    |d| format!("缴款期限至{d}届满"),
                );
                vec![
                    mk.r(
                        Self::INFO.codes[0],
                        format!(
                            "{when}，罚款{}元已缴{}元；到期不缴纳罚款的方可加处罚款",
                            yuan(o.fine),
                            yuan(o.paid)
                        ),
                    )
                    .param("due", due.map(|d| d.to_string())),
                ]
            }
        }
    }
}
