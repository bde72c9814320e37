//! Qualified persons from a register: the people named in a field must hold a valid
//! qualification (a certificate of the register: 执法证 of a domain, 人民调解员 …).
//! The people come from [`crate::GuardContext::officers`], loaded by the caller for the ids
//! named on the case and in the input.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::env::{GuardEnv, Mk, str_of};
use super::{GuardInfo, GuardKind, ParamType, Ref, field_ref, p};
use crate::plan::OfficerInfo;
use crate::refusal::{Refusal, XZCFF};

fn officers_default() -> String {
    "officers".to_owned()
}
fn domain_default() -> String {
    "domain".to_owned()
}
fn yes() -> bool {
    true
}
fn two() -> i64 {
    2
}
fn one() -> i64 {
    1
}

/// 《中华人民共和国行政处罚法》第四十二条: not fewer than `min` officers holding a valid
/// certificate of the case's domain (the value of `domain_field`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinCertifiedOfficers {
    #[serde(default = "two")]
    pub min: i64,
    #[serde(default = "officers_default")]
    pub officers_field: String,
    #[serde(default = "domain_default")]
    pub domain_field: String,
    #[serde(default = "yes")]
    pub annual_check: bool,
}

impl GuardKind for MinCertifiedOfficers {
    const INFO: GuardInfo = GuardInfo {
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
        codes: &["enforcement.min_certified_officers"],
    };

    fn refs(&self) -> Vec<Ref> {
        vec![
            field_ref("officers_field", &self.officers_field, true),
            field_ref("domain_field", &self.domain_field, true),
        ]
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let code = Self::INFO.codes[0];
        let ct = env.case_type;
        let Some(domain) = str_of(env.merged, &self.domain_field) else {
            return vec![
                mk.r(
                    code,
                    format!(
                        "{}：未填写，无法核验执法人员的执法证领域",
                        ct.field_label(&self.domain_field)
                    ),
                )
                .field(&self.domain_field)
                .param("min", self.min),
            ];
        };
        let count = count_qualified(
            env,
            &self.officers_field,
            domain,
            self.annual_check,
            Nouns {
                who: "执法人员",
                certificate: "执法证",
                category: "执法领域",
            },
        );
        if count.valid >= self.min {
            return Vec::new();
        }
        let mut msg = format!(
            "执法人员不少于{}人且须持有有效的“{domain}”领域执法证件，当前符合条件的只有{}人",
            self.min, count.valid
        );
        if !count.problems.is_empty() {
            msg.push_str(&format!("（{}）", count.problems.join("；")));
        }
        vec![
            mk.r(code, msg)
                .field(&self.officers_field)
                .param("min", self.min)
                .param("valid", count.valid)
                .param("domain", domain)
                .param("officers", Value::Array(count.details)),
        ]
    }
}

/// Generic: not fewer than `min` of the persons named in `persons_field` hold a valid
/// qualification `qualification` (or the value of `qualification_field`) in the register, e.g.
/// 《中华人民共和国人民调解法》第十九条: mediators appointed from the registered 人民调解员.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinQualifiedPersons {
    #[serde(default = "one")]
    pub min: i64,
    pub persons_field: String,
    #[serde(default)]
    pub qualification: Option<String>,
    #[serde(default)]
    pub qualification_field: Option<String>,
    #[serde(default = "yes")]
    pub annual_check: bool,
}

impl GuardKind for MinQualifiedPersons {
    const INFO: GuardInfo = GuardInfo {
        name: "min_qualified_persons",
        statute: None,
        article: None,
        description_zh: "所列人员中至少若干名在登记名册中具有有效资格（资格类别相符、未注销、在有效期内）",
        params: &[
            p("min", ParamType::Int, true),
            p("persons_field", ParamType::Field, true),
            p("qualification", ParamType::Str, false),
            p("qualification_field", ParamType::Field, false),
            p("annual_check", ParamType::Bool, false),
        ],
        codes: &["common.min_qualified_persons"],
    };

    fn refs(&self) -> Vec<Ref> {
        let mut v = vec![field_ref("persons_field", &self.persons_field, true)];
        if let Some(f) = &self.qualification_field {
            v.push(field_ref("qualification_field", f, true));
        }
        v
    }

    fn validate(&self) -> Vec<(String, String)> {
        if self.qualification.is_some() == self.qualification_field.is_some() {
            return vec![(
                "needs exactly one of `qualification` or `qualification_field`".to_owned(),
                "须且只能指定 qualification 或 qualification_field 之一".to_owned(),
            )];
        }
        Vec::new()
    }

    fn eval(&self, env: &GuardEnv<'_>, mk: &Mk<'_>) -> Vec<Refusal> {
        let code = Self::INFO.codes[0];
        let ct = env.case_type;
        let who = ct.field_label(&self.persons_field);
        let qualification = match (&self.qualification, &self.qualification_field) {
            (Some(q), _) => q.as_str(),
            (None, Some(f)) => match str_of(env.merged, f) {
                Some(q) => q,
                None => {
                    return vec![
                        mk.r(
                            code,
                            format!("{}：未填写，无法核验{who}的资格", ct.field_label(f)),
                        )
                        .field(f)
                        .param("min", self.min),
                    ];
                }
            },
            (None, None) => return Vec::new(), // ruled out by validate
        };
        let count = count_qualified(
            env,
            &self.persons_field,
            qualification,
            self.annual_check,
            Nouns {
                who: &who,
                certificate: "资格证件",
                category: "资格类别",
            },
        );
        if count.valid >= self.min {
            return Vec::new();
        }
        let mut msg = format!(
            "{who}不少于{}人且须在名册中具有有效的“{qualification}”资格，当前符合条件的只有{}人",
            self.min, count.valid
        );
        if !count.problems.is_empty() {
            msg.push_str(&format!("（{}）", count.problems.join("；")));
        }
        vec![
            mk.r(code, msg)
                .field(&self.persons_field)
                .param("min", self.min)
                .param("valid", count.valid)
                .param("qualification", qualification)
                .param("persons", Value::Array(count.details)),
        ]
    }
}

/// How the messages name the people, their certificates and the certificates' category.
#[derive(Clone, Copy)]
struct Nouns<'a> {
    who: &'a str,
    certificate: &'a str,
    category: &'a str,
}

struct Count {
    valid: i64,
    problems: Vec<String>,
    details: Vec<Value>,
}

fn count_qualified(
    env: &GuardEnv<'_>,
    field: &str,
    qualification: &str,
    annual: bool,
    nouns: Nouns<'_>,
) -> Count {
    let mut count = Count {
        valid: 0,
        problems: Vec::new(),
        details: Vec::new(),
    };
    for id in person_ids(env.merged.get(field)) {
        let person = env.ctx.officers.iter().find(|o| o.id == id);
        let reason = match person {
            None => Some(format!("编号{id}：未找到{}信息", nouns.who)),
            Some(o) => certificate_problem(o, qualification, env.on(), annual, nouns)
                .map(|r| format!("{}：{r}", o.name)),
        };
        count.details.push(json!({
            "id": id,
            "name": person.map(|o| o.name.clone()),
            "problem": reason,
        }));
        match reason {
            None => count.valid += 1,
            Some(r) => count.problems.push(r),
        }
    }
    count
}

fn person_ids(v: Option<&Value>) -> Vec<i64> {
    let mut ids: Vec<i64> = match v {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_i64).collect(),
        Some(Value::Number(n)) => n.as_i64().into_iter().collect(),
        _ => Vec::new(),
    };
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Why a person cannot act with `qualification` on `on`, or `None` when a certificate
/// qualifies (right domain, not revoked, in its validity, annual check passed when required).
fn certificate_problem(
    o: &OfficerInfo,
    qualification: &str,
    on: Date,
    annual: bool,
    nouns: Nouns<'_>,
) -> Option<String> {
    let noun = nouns.certificate;
    if o.certificates.is_empty() {
        return Some(format!("无{noun}"));
    }
    let mut reasons = Vec::new();
    for c in &o.certificates {
        let reason = if c.domain != qualification {
            format!("{noun}{}的{}为“{}”", c.number, nouns.category, c.domain)
        } else if c.revoked {
            format!("{noun}{}已被注销或吊销", c.number)
        } else if on < c.valid_from {
            format!("{noun}{}自{}起生效", c.number, c.valid_from)
        } else if on > c.valid_to {
            format!("{noun}{}已于{}过期", c.number, c.valid_to)
        } else if annual
            && c.valid_from.year() < on.year() - 1
            && c.annual_check_year.is_none_or(|y| y < on.year() - 1)
        {
            format!("{noun}{}未通过{}年度年审", c.number, on.year() - 1)
        } else {
            return None;
        };
        reasons.push(reason);
    }
    Some(reasons.join("，"))
}
