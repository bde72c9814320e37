//! Administrative enforcement case scripts (`enforcement_case` in `docs/case-types.md`,
//! 《中华人民共和国行政处罚法》).

use fazhi_domain::Money;
use jiff::civil::Date;
use serde_json::{Map, Value, json};

use crate::days::{add_workdays, on_or_after, plus_days};
use crate::model::{DemoCase, DemoEvidence, DemoOfficer, DemoStep};
use crate::org::Skeleton;
use crate::people;
use crate::rng::DemoRng;
use crate::{ENFORCEMENT_CASE, step};

/// Who the party of a violation usually is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Party {
    Person,
    /// An organisation; `true` = individual business (个体工商户).
    Organisation(bool),
}

/// A kind of violation the street's enforcement team handles.
struct Violation {
    domain: &'static str,
    weight: u32,
    party: Party,
    /// Line of business, for organisation names.
    business: &'static str,
    /// Facts; placeholders `{address}`, `{estate}`, `{road}`, `{n}`.
    facts: &'static str,
    /// The statute(s), cited without article numbers.
    law: &'static str,
    /// Fine range in yuan.
    fine: (i64, i64),
    /// Whether the simple (on-the-spot) procedure fits (fine within arts. 51 limits).
    simple: bool,
    /// What the party admits in the interview record.
    admission: &'static str,
}

// A table row constructor: one argument per column keeps the table readable.
#[allow(clippy::too_many_arguments)]
const fn v(
    domain: &'static str,
    weight: u32,
    party: Party,
    business: &'static str,
    facts: &'static str,
    law: &'static str,
    fine: (i64, i64),
    simple: bool,
    admission: &'static str,
) -> Violation {
    Violation {
        domain,
        weight,
        party,
        business,
        facts,
        law,
        fine,
        simple,
        admission,
    }
}

const VIOLATIONS: &[Violation] = &[
    v(
        "城市管理",
        22,
        Party::Person,
        "",
        "当事人未经批准在{address}人行道上擅自设摊经营，影响市容和行人通行。",
        "《城市市容和环境卫生管理条例》",
        (50, 200),
        true,
        "未经批准在人行道上设摊经营",
    ),
    v(
        "城市管理",
        14,
        Party::Organisation(true),
        "餐饮",
        "当事人经营的店铺超出门窗和外墙，在{address}店外摆放桌椅和商品经营。",
        "《城市市容和环境卫生管理条例》",
        (200, 2000),
        true,
        "在店外摆放桌椅经营",
    ),
    v(
        "城市管理",
        8,
        Party::Person,
        "",
        "当事人在{address}附近的公共设施上擅自张贴小广告。",
        "《城市市容和环境卫生管理条例》",
        (50, 200),
        true,
        "张贴小广告",
    ),
    v(
        "城市管理",
        6,
        Party::Organisation(false),
        "广告传媒",
        "当事人未经批准在{address}擅自设置户外广告牌一块。",
        "《城市市容和环境卫生管理条例》",
        (1000, 5000),
        false,
        "未经批准设置户外广告牌",
    ),
    v(
        "城市管理",
        6,
        Party::Organisation(false),
        "建筑装饰",
        "当事人所属渣土运输车辆在{road}沿途撒漏建筑垃圾，污染路面约{n}平方米。",
        "《城市建筑垃圾管理规定》",
        (5000, 20000),
        false,
        "运输途中未密闭导致撒漏",
    ),
    v(
        "城市管理",
        6,
        Party::Person,
        "",
        "当事人未取得建设工程规划许可证，在{estate}{n}幢屋顶擅自搭建建筑物。",
        "《中华人民共和国城乡规划法》",
        (3000, 20000),
        false,
        "未办理规划许可在屋顶搭建",
    ),
    v(
        "城市管理",
        6,
        Party::Person,
        "",
        "当事人未按规定分类投放生活垃圾，经现场劝导拒不改正。",
        "《浙江省生活垃圾管理条例》",
        (50, 200),
        true,
        "未按规定分类投放生活垃圾",
    ),
    v(
        "住房建设",
        5,
        Party::Organisation(false),
        "建筑工程",
        "当事人在{address}施工工地未对裸露土方采取覆盖、洒水等扬尘防治措施。",
        "《中华人民共和国大气污染防治法》",
        (10000, 50000),
        false,
        "工地裸土未覆盖",
    ),
    v(
        "住房建设",
        3,
        Party::Person,
        "",
        "当事人在住宅室内装饰装修活动中擅自拆改{estate}{n}幢住宅承重墙体。",
        "《住宅室内装饰装修管理办法》",
        (5000, 10000),
        false,
        "装修时拆改承重墙",
    ),
    v(
        "水务",
        4,
        Party::Organisation(true),
        "汽车维修",
        "当事人未取得污水排入排水管网许可证，向{road}市政雨水管网排放经营污水。",
        "《城镇排水与污水处理条例》",
        (2000, 20000),
        false,
        "将洗车污水排入雨水管网",
    ),
    v(
        "生态环境",
        5,
        Party::Organisation(true),
        "餐饮",
        "当事人经营的餐饮店位于{address}，未安装油烟净化设施，油烟直接排放。",
        "《中华人民共和国大气污染防治法》",
        (5000, 20000),
        false,
        "未安装油烟净化设施",
    ),
    v(
        "生态环境",
        3,
        Party::Organisation(false),
        "建筑工程",
        "当事人在{address}工地于22时后进行产生环境噪声污染的施工作业，未取得夜间施工证明。",
        "《中华人民共和国噪声污染防治法》",
        (5000, 50000),
        false,
        "夜间22时后施工",
    ),
    v(
        "消防",
        3,
        Party::Person,
        "",
        "当事人将私家车长时间停放在{estate}消防车通道内，占用、堵塞消防车通道。",
        "《中华人民共和国消防法》",
        (100, 500),
        false,
        "在消防车通道停车",
    ),
    v(
        "消防",
        2,
        Party::Organisation(false),
        "物业管理",
        "当事人作为{estate}物业服务企业，未履行消防安全职责，对地下车库电动自行车违规充电未予制止。",
        "《中华人民共和国消防法》",
        (5000, 20000),
        false,
        "未及时制止违规充电",
    ),
    v(
        "安全生产",
        3,
        Party::Organisation(false),
        "商贸",
        "当事人未按规定对从业人员进行安全生产教育和培训。",
        "《中华人民共和国安全生产法》",
        (10000, 30000),
        false,
        "未组织从业人员安全培训",
    ),
    v(
        "市场监管",
        3,
        Party::Organisation(true),
        "食品",
        "当事人在{address}经营场所销售超过保质期的预包装食品。",
        "《中华人民共和国食品安全法》",
        (5000, 50000),
        false,
        "销售过期食品",
    ),
    v(
        "市场监管",
        3,
        Party::Organisation(true),
        "商贸",
        "当事人在{address}经营场所销售商品未按规定明码标价。",
        "《中华人民共和国价格法》《明码标价和禁止价格欺诈规定》",
        (500, 3000),
        true,
        "部分商品未标价",
    ),
];

/// Which path a case takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    /// 简易程序: decided on the spot.
    Simple,
    /// 不予立案.
    NotFiled,
    /// Ordinary procedure ending in a penalty.
    Penalty,
    /// Ordinary procedure, penalty heavy enough for a hearing; legal review (art. 58).
    Major,
    /// Ordinary procedure, no penalty under art. 33 (education record).
    NoPenalty(&'static str),
    /// Ordinary procedure, facts not established.
    NotEstablished,
    /// Transfer to judicial organs.
    Transfer,
}

const NOT_FILED_REASONS: &[&str] = &[
    "经现场核查，反映的违法事实不存在，不予立案。",
    "经核查，当事人在发现后已立即改正，违法行为轻微且未造成危害后果，不予立案。",
    "经核查，该事项不属于本街道综合行政执法事项目录范围，已移送有管辖权的部门，不予立案。",
];

const REJECT_REASONS: &[&str] = &[
    "证据不足，需补充当事人询问笔录和现场勘验图。",
    "违法事实认定不清，需补充调查违法行为持续时间。",
    "拟处罚金额与裁量基准不符，需重新核定。",
];

const HEARING_PLACES: &[&str] = &[
    "望江街道办事处三楼听证室",
    "望江街道综合行政执法队一楼会议室",
];

const WAIVERS: &[&str] = &[
    "本人对拟作出的行政处罚认定的事实、理由和依据无异议，自愿放弃陈述、申辩和要求听证的权利。",
    "当事人书面声明：已知悉享有陈述、申辩和要求听证的权利，现明确表示放弃上述权利。",
];

fn waiver(rng: &mut DemoRng) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("waiver_statement".into(), json!(rng.pick_str(WAIVERS)));
    m
}

/// A money input in 元 with two decimals (`"200.00"`), as the workflow expects.
fn yuan_text(fen: i64) -> String {
    Money::from_fen(fen)
        .expect("generated amounts are within range")
        .yuan_string()
}

fn paid(fen: i64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("paid_amount".into(), json!(yuan_text(fen)));
    m
}

const REVOKE_REASON: &str = "经复查，原处罚决定认定的当事人主体有误，依法撤销原处罚决定。";
const WITHDRAW_REASON: &str =
    "原处罚决定已撤销，依据《中华人民共和国行政处罚法》第四十八条撤回公示信息。";

/// Placeholder replaced by the real decision number once all cases are generated.
pub(crate) const DECISION_NUMBER_PENDING: &str = "";

fn date_cn(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn education_record(law: &str, outcome: &str) -> String {
    let basis = if outcome == "不予处罚（无主观过错）" {
        "当事人有证据足以证明其没有主观过错，依据《中华人民共和国行政处罚法》第三十三条第二款"
    } else if outcome == "不予处罚（首违）" {
        "当事人系初次违法且危害后果轻微并及时改正，依据《中华人民共和国行政处罚法》第三十三条第一款"
    } else {
        "当事人违法行为轻微并及时改正，没有造成危害后果，依据《中华人民共和国行政处罚法》第三十三条第一款"
    };
    format!(
        "执法人员向当事人宣讲了{law}的相关规定，指出其行为的违法性和可能造成的危害。当事人认识到错误，已当场改正，并签署《守法承诺书》，承诺今后自觉遵守相关规定。{basis}，不予行政处罚，并已对当事人进行批评教育。"
    )
}

/// Context shared by all cases of one street.
pub(crate) struct CaseFactory<'a> {
    pub skeleton: &'a Skeleton,
    pub officers: &'a [DemoOfficer],
    pub end: Date,
}

fn display_name<'a>(skeleton: &'a Skeleton, login: &'a str) -> &'a str {
    skeleton
        .users
        .iter()
        .find(|u| u.login == login)
        .map_or(login, |u| u.display_name.as_str())
}

impl CaseFactory<'_> {
    /// Officers certified for `domain` on every day from `from` to `to`.
    fn eligible(&self, domain: &str, from: Date, to: Date) -> Vec<&str> {
        self.officers
            .iter()
            .filter(|o| {
                o.certificates
                    .iter()
                    .any(|c| c.domain == domain && c.valid_on(from) && c.valid_on(to))
            })
            .map(|o| o.login.as_str())
            .collect()
    }

    fn pick_path(rng: &mut DemoRng, violation: &Violation) -> Path {
        if violation.simple && rng.chance(0.6) {
            return Path::Simple;
        }
        let heavy = violation.fine.1 >= 10_000;
        let roll = rng.range(0, 999);
        match roll {
            0..=59 => Path::NotFiled,
            60..=219 => {
                let outcome: &&'static str = rng.weighted(&[
                    ("不予处罚（轻微）", 40),
                    ("不予处罚（首违）", 50),
                    ("不予处罚（无主观过错）", 10),
                ]);
                Path::NoPenalty(outcome)
            }
            220..=239 => Path::NotEstablished,
            240..=249 => Path::Transfer,
            250..=399 if heavy => Path::Major,
            _ => Path::Penalty,
        }
    }

    /// One case created on `created`. `revoke` asks for a decision that is later revoked and
    /// its publication withdrawn.
    pub(crate) fn case(
        &self,
        rng: &mut DemoRng,
        reference: String,
        created: Date,
        revoke: bool,
    ) -> DemoCase {
        let weights: Vec<(usize, u32)> = VIOLATIONS
            .iter()
            .enumerate()
            .map(|(i, v)| (i, v.weight))
            .collect();
        let violation = &VIOLATIONS[*rng.weighted(&weights)];
        let mut path = Self::pick_path(rng, violation);
        if revoke {
            path = Path::Penalty;
        }

        let community = rng.pick(&self.skeleton.communities);
        let grid = rng.pick(&community.grids).clone();
        // Violations happen on the street: a road address or a crossing.
        let address = loop {
            let a = crate::hotline::address(rng, community);
            if !a.ends_with("单元") {
                break a;
            }
        };
        let estate = *rng.pick(community.template.estates);
        let road = *rng.pick(community.template.roads);
        let discovered = plus_days(created, -rng.range(0, 3));
        let finding = violation
            .facts
            .replace("{address}", &address)
            .replace("{estate}", estate)
            .replace("{road}", road)
            .replace("{n}", &rng.range(2, 40).to_string());
        let facts = format!("{}，执法人员巡查发现，{finding}", date_cn(discovered));

        // Officers: two certified for the domain from creation until the case is likely done.
        let file_day = add_workdays(created, rng.range_u32(1, 8));
        let until = plus_days(created, 120).min(self.end).max(file_day);
        let mut pool = self.eligible(violation.domain, created, until);
        let a = pool.remove(rng.index(pool.len()));
        let b = pool.remove(rng.index(pool.len()));
        let officers = [a.to_owned(), b.to_owned()];

        // The party.
        let party_kind = match violation.party {
            Party::Person => "自然人",
            Party::Organisation(_) => "法人或其他组织",
        };
        let mut create = Map::new();
        create.insert("domain".into(), json!(violation.domain));
        create.insert(
            "procedure".into(),
            json!(if path == Path::Simple {
                "简易程序"
            } else {
                "普通程序"
            }),
        );
        create.insert("party_kind".into(), json!(party_kind));
        match violation.party {
            Party::Person => {
                let p = people::person(rng, self.end);
                create.insert("party_name".into(), json!(p.name));
                create.insert("party_id_number".into(), json!(p.id_number));
                create.insert("party_phone".into(), json!(p.mobile));
            }
            Party::Organisation(individual) => {
                create.insert(
                    "party_name".into(),
                    json!(people::organisation_name(
                        rng,
                        violation.business,
                        individual
                    )),
                );
                create.insert("party_uscc".into(), json!(people::uscc(rng, individual)));
                let phone = if rng.chance(0.6) {
                    people::mobile(rng)
                } else {
                    people::landline(rng)
                };
                create.insert("party_phone".into(), json!(phone));
            }
        }
        create.insert("address".into(), json!(address));
        create.insert("facts".into(), json!(facts));
        create.insert("discovered_on".into(), json!(discovered.to_string()));
        // 《中华人民共和国行政处罚法》第三十六条 counts the limitation from the act (or its end).
        let act_on = plus_days(discovered, -rng.range(0, 10));
        create.insert("act_on".into(), json!(act_on.to_string()));

        let mut steps = vec![step(created, "create", a, create.clone())];
        let legal_basis = format!("{}的有关规定", violation.law);
        let is_org = matches!(violation.party, Party::Organisation(_));

        if path == Path::Simple {
            self.simple(
                rng,
                &mut steps,
                violation,
                &officers,
                created,
                is_org,
                &legal_basis,
                &create,
            );
        } else if path == Path::NotFiled {
            let mut m = Map::new();
            m.insert("reason".into(), json!(rng.pick(NOT_FILED_REASONS)));
            steps.push(step(file_day, "not_file", "leader", m));
        } else {
            self.ordinary(
                rng,
                &mut steps,
                Ordinary {
                    violation,
                    path,
                    officers: &officers,
                    file_day,
                    address: &address,
                    finding: &finding,
                    legal_basis: &legal_basis,
                    is_org,
                    revoke,
                },
            );
        }

        // Publication and service interleave; keep the script in date order (stable, so
        // same-day steps keep their logical order), then cut at `end`.
        steps.sort_by_key(|s| s.on);
        steps.retain(|s| s.on <= self.end);
        DemoCase {
            reference,
            case_type: ENFORCEMENT_CASE.to_owned(),
            unit: grid,
            department: "enforcement".to_owned(),
            created_on: created,
            steps,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn simple(
        &self,
        rng: &mut DemoRng,
        steps: &mut Vec<DemoStep>,
        violation: &Violation,
        officers: &[String; 2],
        day: Date,
        is_org: bool,
        legal_basis: &str,
        create: &Map<String, Value>,
    ) {
        // 《中华人民共和国行政处罚法》第五十一条: ≤200 yuan (citizen) / ≤3,000 yuan (organisation)
        // or a warning.
        let cap = if is_org { 3000 } else { 200 };
        let warning = rng.chance(0.15);
        let mut m = Map::new();
        m.insert("officers".into(), json!(officers));
        // The on-the-spot decision form repeats the party and the facts (arts. 52, 59).
        for key in [
            "party_kind",
            "party_name",
            "party_id_number",
            "party_uscc",
            "facts",
        ] {
            if let Some(v) = create.get(key) {
                m.insert(key.into(), v.clone());
            }
        }
        m.insert("legal_basis".into(), json!(legal_basis));
        let fine_yuan = if warning {
            m.insert("penalty".into(), json!("警告"));
            0
        } else {
            let (lo, hi) = (violation.fine.0.min(cap), violation.fine.1.min(cap));
            // Round to 10 yuan.
            let yuan = rng.range(lo / 10, hi / 10) * 10;
            m.insert("penalty".into(), json!("罚款"));
            m.insert("fine_amount".into(), json!(yuan_text(yuan * 100)));
            yuan
        };
        m.insert("decision_number".into(), json!(DECISION_NUMBER_PENDING));
        let a = officers[0].as_str();
        steps.push(step(day, "decide_on_spot", a, m));
        steps.push(step(day, "serve", a, Map::new()));
        let mut last = day;
        if fine_yuan > 0 {
            // 《中华人民共和国行政处罚法》第六十八条: ≤100 yuan may be collected on the spot.
            last = if fine_yuan <= 100 && rng.chance(0.7) {
                day
            } else {
                on_or_after(plus_days(day, rng.range(1, 12)))
            };
            steps.push(step(last, "record_payment", a, paid(fine_yuan * 100)));
        }
        steps.push(step(
            add_workdays(last, rng.range_u32(1, 8)),
            "close",
            "leader",
            Map::new(),
        ));
    }

    fn evidence(&self, rng: &mut DemoRng, kind: &str, on: Date, o: &Ordinary<'_>) -> DemoEvidence {
        let (a, b) = (
            display_name(self.skeleton, &o.officers[0]),
            display_name(self.skeleton, &o.officers[1]),
        );
        let content = match kind {
            "现场检查笔录" => format!(
                "检查时间：{}。检查地点：{}。执法人员{a}、{b}向当事人出示执法证件，表明身份，告知其有申请回避的权利。现场检查情况：{}当事人在场，对检查情况无异议并签字确认。",
                date_cn(on),
                o.address,
                o.finding
            ),
            "现场照片" => format!(
                "现场照片{}张，由执法人员{a}于{}在{}拍摄，反映违法行为现场状况。",
                rng.range(3, 12),
                date_cn(on),
                o.address
            ),
            "询问笔录" => format!(
                "询问时间：{}。询问人：{a}、{b}。当事人陈述：承认存在{}的情况，对执法人员告知的事实无异议，愿意配合调查并改正。",
                date_cn(on),
                o.violation.admission
            ),
            "执法记录仪视频" => format!(
                "执法记录仪视频1段，时长{}分钟，由{a}于{}拍摄，记录了现场检查和告知的全过程。",
                rng.range(4, 25),
                date_cn(on)
            ),
            "营业执照复印件" => {
                "当事人营业执照复印件1份，经当事人核对并签字确认与原件一致。".to_owned()
            }
            _ => "当事人身份证复印件1份，经当事人核对并签字确认与原件一致。".to_owned(),
        };
        DemoEvidence {
            kind: kind.to_owned(),
            title: format!("{kind}（{}）", date_cn(on)),
            content,
        }
    }

    fn ordinary(&self, rng: &mut DemoRng, steps: &mut Vec<DemoStep>, o: Ordinary<'_>) {
        let officer = o.officers[0].as_str();
        let mut m = Map::new();
        m.insert("officers".into(), json!(o.officers));
        let filer = if rng.chance(0.6) { "leader" } else { officer };
        steps.push(step(o.file_day, "file", filer, m));

        // Evidence (art. 47: full-process record).
        let mut kinds = vec!["现场检查笔录", "现场照片"];
        if rng.chance(0.7) {
            kinds.push("询问笔录");
        }
        if rng.chance(0.4) {
            kinds.push("执法记录仪视频");
        }
        kinds.push(if o.is_org {
            "营业执照复印件"
        } else {
            "身份证复印件"
        });
        let mut day = o.file_day;
        for kind in kinds {
            day = add_workdays(day, u32::from(rng.chance(0.4)));
            let mut s = step(day, "add_evidence", officer, Map::new());
            s.evidence = Some(self.evidence(rng, kind, day, &o));
            steps.push(s);
        }

        // What is intended and what is decided.
        let (penalty, fine_yuan) = match o.path {
            Path::Major => {
                if o.is_org && rng.chance(0.3) {
                    ("责令停产停业", 0)
                } else {
                    let hi = o.violation.fine.1;
                    ("罚款", rng.range(hi / 2 / 100, hi / 100) * 100)
                }
            }
            _ if o.violation.fine.1 <= 500 && rng.chance(0.3) => ("警告", 0),
            _ => {
                let (lo, hi) = o.violation.fine;
                let upper = if o.path == Path::Penalty && hi >= 10_000 {
                    hi / 2
                } else {
                    hi
                };
                ("罚款", rng.range(lo / 10, upper / 10) * 10)
            }
        };
        let notify_input = |rng: &mut DemoRng| {
            let mut m = Map::new();
            m.insert("intended_penalty".into(), json!(penalty));
            if fine_yuan > 0 {
                m.insert("intended_amount".into(), json!(yuan_text(fine_yuan * 100)));
            }
            m.insert("legal_basis".into(), json!(o.legal_basis));
            if o.path == Path::Major {
                let criteria: &[&str] = if rng.chance(0.5) {
                    &["public_interest"]
                } else {
                    &["complex"]
                };
                m.insert("major_case".into(), json!(criteria));
            }
            m
        };

        // Legal review after `submit_review` on `day`; sometimes sent back for more evidence, a
        // fresh notice (the party then waives) and a second submission. Returns the pass date.
        let review = |rng: &mut DemoRng, steps: &mut Vec<DemoStep>, mut day: Date, reject: f64| {
            let reviewer = if rng.chance(0.5) { "legal" } else { "legal2" };
            if rng.chance(reject) {
                day = add_workdays(day, rng.range_u32(1, 3));
                let mut m = Map::new();
                m.insert("reason".into(), json!(rng.pick_str(REJECT_REASONS)));
                steps.push(step(day, "reject_review", reviewer, m));
                day = add_workdays(day, rng.range_u32(2, 6));
                let mut s = step(day, "add_evidence", officer, Map::new());
                s.evidence = Some(self.evidence(rng, "询问笔录", day, &o));
                steps.push(s);
                day = add_workdays(day, rng.range_u32(1, 3));
                steps.push(step(day, "notify", officer, notify_input(rng)));
                day = add_workdays(day, rng.range_u32(0, 2));
                steps.push(step(day, "waive_rights", officer, waiver(rng)));
                day = add_workdays(day, rng.range_u32(0, 1));
                steps.push(step(day, "submit_review", officer, Map::new()));
            }
            day = add_workdays(day, rng.range_u32(1, 4));
            steps.push(step(day, "pass_review", reviewer, Map::new()));
            day
        };

        day = add_workdays(day, rng.range_u32(2, 10));
        steps.push(step(day, "notify", officer, notify_input(rng)));

        let decide_day;
        if o.path == Path::Major {
            // 《中华人民共和国行政处罚法》第六十四条: request within 5 working days of the notice;
            // the party is told the hearing date at least 7 working days ahead.
            day = add_workdays(day, rng.range_u32(1, 3));
            steps.push(step(day, "request_hearing", officer, Map::new()));
            day = add_workdays(day, rng.range_u32(1, 2));
            let hearing = add_workdays(day, rng.range_u32(8, 12));
            let mut m = Map::new();
            m.insert("hearing_date".into(), json!(hearing.to_string()));
            m.insert("hearing_place".into(), json!(rng.pick_str(HEARING_PLACES)));
            steps.push(step(day, "schedule_hearing", officer, m));
            steps.push(step(hearing, "hold_hearing", officer, Map::new()));
            day = add_workdays(hearing, rng.range_u32(1, 3));
            steps.push(step(day, "submit_review", officer, Map::new()));
            day = review(rng, steps, day, 0.25);
            decide_day = add_workdays(day, rng.range_u32(1, 3));
        } else {
            // Arts. 44, 45, 62: the party states its case within 5 working days or waives.
            let waived = rng.chance(0.35);
            if waived {
                day = add_workdays(day, rng.range_u32(0, 1));
                steps.push(step(day, "waive_rights", officer, waiver(rng)));
            } else {
                day = add_workdays(day, rng.range_u32(6, 9));
            }
            if rng.chance(0.3) {
                steps.push(step(day, "submit_review", officer, Map::new()));
                day = review(rng, steps, day, 0.08);
            }
            decide_day = add_workdays(day, rng.range_u32(0, 3));
        }

        // The decision.
        let mut m = Map::new();
        let outcome = match o.path {
            Path::NoPenalty(outcome) => outcome,
            Path::NotEstablished => "不予处罚（事实不成立）",
            Path::Transfer => "移送司法机关",
            _ => "处罚",
        };
        m.insert("outcome".into(), json!(outcome));
        let fined = outcome == "处罚" && fine_yuan > 0;
        if outcome == "处罚" {
            m.insert("penalty".into(), json!(penalty));
            if fined {
                m.insert("fine_amount".into(), json!(yuan_text(fine_yuan * 100)));
            }
        }
        if let Path::NoPenalty(outcome) = o.path {
            m.insert(
                "education_record".into(),
                json!(education_record(o.violation.law, outcome)),
            );
        }
        m.insert("decision_number".into(), json!(DECISION_NUMBER_PENDING));
        steps.push(step(decide_day, "decide", "leader", m));

        // Service (art. 61: 7 working days), payment (art. 67: 15 days), closing.
        let serve_day = add_workdays(decide_day, rng.range_u32(0, 3));
        steps.push(step(serve_day, "serve", officer, Map::new()));
        let mut last = serve_day;
        if fined {
            let days = if rng.chance(0.04) {
                rng.range(16, 25)
            } else {
                rng.range(2, 14)
            };
            last = on_or_after(plus_days(serve_day, days));
            steps.push(step(last, "record_payment", officer, paid(fine_yuan * 100)));
        }
        let close_day = add_workdays(last, rng.range_u32(1, 10));
        steps.push(step(close_day, "close", "leader", Map::new()));

        // Publication (国办发〔2018〕118号: 7 working days), a few late.
        let publisher = if rng.chance(0.8) {
            "handler_enforcement"
        } else {
            "leader"
        };
        let publish_day = if rng.chance(0.08) {
            add_workdays(decide_day, rng.range_u32(9, 14))
        } else {
            add_workdays(decide_day, rng.range_u32(1, 5))
        };
        steps.push(step(publish_day, "publish", publisher, Map::new()));

        if o.revoke {
            let revoke_day = add_workdays(publish_day.max(close_day), rng.range_u32(5, 15));
            let mut m = Map::new();
            m.insert("reason".into(), json!(REVOKE_REASON));
            steps.push(step(revoke_day, "revoke_decision", "leader", m));
            // Art. 48: withdraw within 3 working days.
            let mut m = Map::new();
            m.insert("reason".into(), json!(WITHDRAW_REASON));
            steps.push(step(
                add_workdays(revoke_day, rng.range_u32(1, 2)),
                "withdraw_publication",
                publisher,
                m,
            ));
        }
    }
}

/// Parameters of an ordinary-procedure case.
struct Ordinary<'a> {
    violation: &'a Violation,
    path: Path,
    officers: &'a [String; 2],
    file_day: Date,
    address: &'a str,
    /// The filled-in facts sentence (without the date).
    finding: &'a str,
    legal_basis: &'a str,
    is_org: bool,
    revoke: bool,
}

/// Fills in decision numbers in decision-date order, one sequence per year and kind:
/// `望江执罚决〔2026〕12号` (ordinary penalty), `望江执简罚〔2026〕3号` (on the spot),
/// `望江执不罚〔2026〕5号` (no penalty), `望江执移〔2026〕1号` (transfer).
pub(crate) fn number_decisions(cases: &mut [DemoCase]) {
    let mut decisions: Vec<(Date, usize, usize)> = Vec::new();
    for (ci, case) in cases.iter().enumerate() {
        for (si, s) in case.steps.iter().enumerate() {
            if s.transition == "decide" || s.transition == "decide_on_spot" {
                decisions.push((s.on, ci, si));
            }
        }
    }
    decisions.sort();
    let mut counters: std::collections::BTreeMap<(i16, &'static str), u32> = Default::default();
    for (on, ci, si) in decisions {
        let s = &mut cases[ci].steps[si];
        let outcome = s.input.get("outcome").and_then(Value::as_str).unwrap_or("");
        let kind = if s.transition == "decide_on_spot" {
            "望江执简罚"
        } else if outcome == "处罚" {
            "望江执罚决"
        } else if outcome == "移送司法机关" {
            "望江执移"
        } else {
            "望江执不罚"
        };
        let n = counters.entry((on.year(), kind)).or_insert(0);
        *n += 1;
        s.input.insert(
            "decision_number".into(),
            json!(format!("{kind}〔{}〕{n}号", on.year())),
        );
    }
}
