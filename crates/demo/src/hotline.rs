//! 12345 hotline ticket scripts (`hotline_ticket` in `docs/case-types.md`).

use jiff::civil::Date;
use serde_json::{Map, Value, json};

use crate::days::{add_workdays, count_workdays, workdays};
use crate::model::DemoCase;
use crate::org::{self, Community, Skeleton};
use crate::people;
use crate::rng::DemoRng;
use crate::{HOTLINE_TICKET, step};

/// Category weights: 咨询 35%, 投诉 30%, 求助 15%, 举报 8%, 建议 10%, 表扬 2%.
pub(crate) const CATEGORIES: &[(&str, u32)] = &[
    ("咨询", 35),
    ("投诉", 30),
    ("求助", 15),
    ("举报", 8),
    ("建议", 10),
    ("表扬", 2),
];

/// Handling limits in working days per category, matching the defaults in the workflow's
/// `hotline_limits.toml` (咨询 3, 求助 5, 投诉 10, 举报 15, 建议 10, 表扬 3).
pub(crate) fn limit_days(category: &str) -> u32 {
    match category {
        "咨询" | "表扬" => 3,
        "求助" => 5,
        "投诉" | "建议" => 10,
        "举报" => 15,
        _ => 5,
    }
}

const CHANNELS: &[(&str, u32)] = &[
    ("电话", 70),
    ("微信", 10),
    ("网站", 8),
    ("APP", 8),
    ("信件", 1),
    ("其他", 3),
];

/// Satisfaction at the first revisit: ~8.5% 不满意.
const SATISFACTION: &[(&str, u32)] = &[("满意", 755), ("基本满意", 160), ("不满意", 85)];
/// Satisfaction after a reopened ticket was handled again.
const SATISFACTION_AGAIN: &[(&str, u32)] = &[("满意", 50), ("基本满意", 40), ("不满意", 10)];

/// A ticket template. Placeholders: `{community}` (`望湖社区`), `{estate}` (`望湖花园`),
/// `{road}` (`望湖路`), `{address}` (a full address).
struct Template {
    category: &'static str,
    content: &'static str,
    department: &'static str,
    reply: &'static str,
    /// A plausible wrong first dispatch (the ticket is then returned).
    misroute: Option<&'static str>,
}

const fn t(
    category: &'static str,
    content: &'static str,
    department: &'static str,
    reply: &'static str,
    misroute: Option<&'static str>,
) -> Template {
    Template {
        category,
        content,
        department,
        reply,
        misroute,
    }
}

const TEMPLATES: &[Template] = &[
    // 咨询
    t(
        "咨询",
        "咨询{community}居家养老服务补贴的申请条件和办理流程。",
        "office",
        "已电话告知来电人：户籍在本街道、年满80周岁或经评估为失能的老人可申请居家养老服务补贴，需携带身份证、户口簿到{community}党群服务中心提出申请，社区初审后报街道审核。来电人表示清楚。",
        None,
    ),
    t(
        "咨询",
        "咨询小区加装电梯的政策补贴及申请流程。",
        "urban",
        "已告知来电人：既有住宅加装电梯需本单元业主表决同意并公示，由业主代表向街道提交申请材料，竣工验收后可申请财政补助。已将办事指南发送给来电人。",
        Some("office"),
    ),
    t(
        "咨询",
        "咨询{community}是否有免费法律咨询服务，何时可以咨询律师。",
        "justice",
        "已告知来电人：{community}公共法律服务工作室每周三下午有律师值班，提供免费法律咨询；也可拨打12348公共法律服务热线。",
        None,
    ),
    t(
        "咨询",
        "咨询如何申请人民调解解决与邻居之间的相邻纠纷。",
        "justice",
        "已告知来电人可向{community}人民调解委员会或街道人民调解委员会申请调解，调解不收费；达成协议后可依法申请司法确认。",
        None,
    ),
    t(
        "咨询",
        "咨询生活垃圾分类投放时间及大件垃圾清运预约方式。",
        "urban",
        "已告知来电人：{estate}垃圾定时定点投放时间为每日7:00-9:00、18:00-20:00，大件垃圾可联系物业或社区预约，每周二、周五统一清运。",
        None,
    ),
    t(
        "咨询",
        "咨询临时救助的申请条件和所需材料。",
        "office",
        "已告知来电人：因突发事件、意外事故等导致基本生活暂时困难的家庭可申请临时救助，需向{community}提交申请书、身份证明及困难情况说明，街道审核后发放。",
        None,
    ),
    t(
        "咨询",
        "咨询信访事项复查的申请期限和受理机关。",
        "petition",
        "已告知来电人：对信访事项处理意见不服的，可自收到书面答复之日起30日内向原办理机关的上一级机关请求复查。",
        Some("justice"),
    ),
    t(
        "咨询",
        "咨询在{road}沿街店铺设置店招店牌需要办理哪些手续。",
        "urban",
        "已告知来电人：设置店招店牌应符合本区店招店牌设置规范，向街道城市管理科提交设置方案，审核同意后方可设置。",
        Some("enforcement"),
    ),
    // 投诉
    t(
        "投诉",
        "反映{community}{estate}附近工地夜间施工噪音扰民，要求处理。",
        "enforcement",
        "经现场核查，该工地确有22时后施工的情况，执法队员已责令施工单位立即停止夜间施工，并告知其确需连续施工的应依法办理夜间施工证明。后续将加强夜间巡查。",
        Some("urban"),
    ),
    t(
        "投诉",
        "反映{address}一家餐饮店油烟直排，影响周边居民生活，要求处理。",
        "enforcement",
        "执法队员已到现场检查，该店油烟净化设施未正常使用，已责令其限期清洗维护并规范使用，经复查已整改到位。",
        Some("urban"),
    ),
    t(
        "投诉",
        "反映{address}人行道上有流动摊贩占道经营，影响行人通行，要求处理。",
        "enforcement",
        "执法队员已到现场劝离流动摊贩，对当事人进行了宣传教育，并将该路段纳入每日重点巡查范围。",
        None,
    ),
    t(
        "投诉",
        "反映{estate}有业主在屋顶擅自搭建建筑物，要求查处。",
        "enforcement",
        "经现场核实，该业主在屋顶搭建彩钢棚约20平方米，执法队员已立案调查并下达责令限期改正通知书，后续将督促其自行拆除。",
        Some("urban"),
    ),
    t(
        "投诉",
        "反映{address}附近垃圾清运不及时，异味严重，要求处理。",
        "urban",
        "已联系环卫作业单位增加该点位清运频次至每日两次，并对垃圾房进行了冲洗消杀，现场已恢复整洁。",
        None,
    ),
    t(
        "投诉",
        "反映{estate}物业服务不到位，电梯多次故障无人维修，要求处理。",
        "urban",
        "已约谈物业服务企业负责人，责成其联系电梯维保单位全面检修，目前电梯已恢复正常运行，物业承诺建立故障快速响应机制。",
        Some("office"),
    ),
    t(
        "投诉",
        "反映{road}沿线广场舞音响音量过大，影响居民休息，要求协调。",
        "safety",
        "社区工作人员已与广场舞队伍负责人沟通，约定活动时间不超过21时并控制音量，后续将不定时回访。",
        Some("enforcement"),
    ),
    t(
        "投诉",
        "反映与楼上邻居因卫生间漏水问题发生纠纷，多次协商未果，要求调解。",
        "justice",
        "司法所会同{community}人民调解委员会组织双方调解，双方达成协议：楼上住户负责维修防水层并承担楼下修复费用，纠纷已化解。",
        Some("petition"),
    ),
    t(
        "投诉",
        "反映此前反映的问题一直没有得到答复，要求有关部门尽快处理。",
        "petition",
        "信访办已调取来电人此前诉求的办理记录，督促承办部门限期办理，并由专人向来电人当面说明办理进展。",
        None,
    ),
    t(
        "投诉",
        "反映{estate}地下车库有电动自行车违规充电，存在安全隐患。",
        "safety",
        "已会同物业开展专项检查，清理违规充电车辆和私拉电线，并在车库增设集中充电设施提示牌。",
        Some("enforcement"),
    ),
    // 求助
    t(
        "求助",
        "反映{address}路灯损坏多日，夜间出行不便，请求尽快维修。",
        "urban",
        "已通知路灯维护单位到场检修，更换损坏灯具，路灯已恢复照明。",
        None,
    ),
    t(
        "求助",
        "反映{address}窨井盖破损，存在安全隐患，请求处理。",
        "urban",
        "已设置警示标志并通知产权单位更换井盖，目前已修复完毕。",
        None,
    ),
    t(
        "求助",
        "来电人称其年迈父亲独居在{estate}，近两日联系不上，请求社区上门查看。",
        "safety",
        "网格员已会同物业上门查看，老人身体无恙，因手机欠费未能接通电话；已帮助老人充值并将其纳入独居老人定期走访名单。",
        Some("office"),
    ),
    t(
        "求助",
        "反映{estate}楼道内堆放大量杂物堵塞通道，请求协助清理。",
        "safety",
        "社区已联合物业张贴清理通知并上门劝导，楼道杂物已全部清理完毕。",
        Some("urban"),
    ),
    t(
        "求助",
        "反映{estate}小区内雨后积水严重，请求疏通排水管道。",
        "urban",
        "已联系市政养护单位对小区周边雨水管道进行疏通，积水已排除。",
        None,
    ),
    // 举报
    t(
        "举报",
        "举报{address}有商户长期在店外占道经营。",
        "enforcement",
        "执法队员已到现场核查，对店外经营行为予以制止，依法责令当事人改正，并将持续跟踪巡查。",
        None,
    ),
    t(
        "举报",
        "举报{estate}有群租房，存在消防安全隐患。",
        "safety",
        "已会同派出所、社区对该房屋进行检查，责令房东拆除违规隔断、清退超员租户，并签订消防安全承诺书。",
        Some("enforcement"),
    ),
    t(
        "举报",
        "举报{road}附近有人夜间非法倾倒建筑垃圾。",
        "enforcement",
        "执法队员通过调取监控锁定运输车辆，已立案调查，倾倒的建筑垃圾已责令当事人清运。",
        Some("urban"),
    ),
    t(
        "举报",
        "举报{address}一家小作坊无证生产加工食品。",
        "enforcement",
        "已会同市场监管所对该场所进行检查，当事人未取得食品生产许可，已责令停止生产并依法处理。",
        None,
    ),
    // 建议
    t(
        "建议",
        "建议在{road}增设非机动车停车位。",
        "urban",
        "感谢您的建议。经实地查看，已在{road}沿线合适位置施划非机动车停车位约40个。",
        None,
    ),
    t(
        "建议",
        "建议{community}增设老年食堂供餐点。",
        "office",
        "感谢您的建议。街道已将{community}列入今年老年助餐服务点建设计划，预计年内投入使用。",
        None,
    ),
    t(
        "建议",
        "建议在{estate}周边增设公共厕所。",
        "urban",
        "感谢您的建议。经调研，已协调周边沿街单位开放内部厕所供公众使用，并设置指引标识。",
        None,
    ),
    t(
        "建议",
        "建议加强{road}周边夜间治安巡逻。",
        "safety",
        "感谢您的建议。已协调派出所和平安志愿者加强该区域夜间巡逻频次。",
        None,
    ),
    t(
        "建议",
        "建议{community}定期开展法律知识讲座。",
        "justice",
        "感谢您的建议。司法所已与{community}商定每月举办一次“法律进社区”讲座，首期主题为婚姻家庭纠纷预防。",
        None,
    ),
    // 表扬
    t(
        "表扬",
        "表扬{community}网格员热心帮助独居老人，服务周到。",
        "office",
        "感谢您的肯定，已将表扬转达{community}及网格员本人，我们将继续做好为民服务工作。",
        None,
    ),
    t(
        "表扬",
        "表扬街道综合行政执法队快速处理了{road}占道经营问题。",
        "enforcement",
        "感谢您的肯定，已转达综合行政执法队，我们将继续加强市容秩序管理。",
        None,
    ),
    t(
        "表扬",
        "表扬司法所调解员耐心调解邻里纠纷。",
        "justice",
        "感谢您的肯定，已转达司法所，我们将继续做好矛盾纠纷化解工作。",
        None,
    ),
];

const EXTENSION_REASONS: &[&str] = &[
    "涉及多个产权单位，需协调相关单位共同现场会商。",
    "需委托第三方检测机构出具检测报告。",
    "当事人外出，需待其返回后现场核实。",
    "涉及维修资金使用，需业主表决。",
];

const REOPEN_REASONS: &[&str] = &[
    "来电人对答复不满意，反映问题未实际解决，要求重新办理。",
    "回访时来电人表示现场情况仍未改善，要求重新办理。",
    "来电人认为答复内容与实际情况不符，要求重新核实办理。",
];

const REPLY_AGAIN: &[&str] = &[
    "经重新办理，承办人员再次到现场核实，并与来电人当面沟通，相关问题已整改到位，将持续跟踪。",
    "经重新办理，已召集相关单位现场协调，明确了整改措施和完成时限，并向来电人作了说明。",
    "经重新办理，已对问题点位开展复查，确认整改完成，来电人表示认可。",
];

/// Indices into [`TEMPLATES`] per category, computed once.
fn templates_of(category: &str) -> &'static [usize] {
    static INDEX: std::sync::OnceLock<Vec<(&'static str, Vec<usize>)>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        CATEGORIES
            .iter()
            .map(|(c, _)| {
                let ids = (0..TEMPLATES.len())
                    .filter(|i| TEMPLATES[*i].category == *c)
                    .collect();
                (*c, ids)
            })
            .collect()
    });
    index
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, ids)| ids.as_slice())
        .expect("every category has templates")
}

fn department_name(code: &str) -> &'static str {
    org::DEPARTMENTS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("相关部门", |(_, name)| *name)
}

fn handler_of(department: &str) -> String {
    if department == "hotline" {
        "handler".to_owned()
    } else {
        format!("handler_{department}")
    }
}

/// Builds the address text for a community.
pub(crate) fn address(rng: &mut DemoRng, community: &Community) -> String {
    let t = community.template;
    match rng.range(0, 3) {
        0 | 1 => format!("{}{}号", rng.pick(t.roads), rng.range(1, 399)),
        2 => format!(
            "{}{}幢{}单元",
            rng.pick(t.estates),
            rng.range(1, 32),
            rng.range(1, 4)
        ),
        _ => {
            let a = rng.pick(t.roads);
            let b = t.roads.iter().find(|r| *r != a).unwrap_or(a);
            format!("{a}与{b}交叉口")
        }
    }
}

fn fill(text: &str, community: &Community, estate: &str, road: &str, address: &str) -> String {
    text.replace("{community}", &community.name)
        .replace("{estate}", estate)
        .replace("{road}", road)
        .replace("{address}", address)
}

/// Generates ticket scripts for a street skeleton.
pub(crate) struct TicketFactory<'a> {
    pub skeleton: &'a Skeleton,
}

impl TicketFactory<'_> {
    /// One ticket created on `created` (a workday); steps after `end` are cut off, so tickets
    /// created near `end` stay open.
    pub(crate) fn ticket(
        &self,
        rng: &mut DemoRng,
        reference: String,
        created: Date,
        end: Date,
    ) -> DemoCase {
        let category = *rng.weighted(CATEGORIES);
        let template = &TEMPLATES[*rng.pick(templates_of(category))];
        let community = rng.pick(&self.skeleton.communities);
        let grid = rng.pick(&community.grids).clone();
        let estate = *rng.pick(community.template.estates);
        let road = *rng.pick(community.template.roads);
        let addr = address(rng, community);
        let content = fill(template.content, community, estate, road, &addr);
        let reply = fill(template.reply, community, estate, road, &addr);

        let caller_name = {
            let sex = if rng.chance(0.5) {
                fazhi_domain::Sex::Male
            } else {
                fazhi_domain::Sex::Female
            };
            if rng.chance(0.4) {
                people::courtesy_name(rng, sex)
            } else {
                people::name(rng, sex)
            }
        };
        let caller_phone = if rng.chance(0.92) {
            people::mobile(rng)
        } else {
            people::landline(rng)
        };

        let mut steps = Vec::with_capacity(8);
        let mut input = Map::new();
        input.insert("channel".into(), json!(rng.weighted(CHANNELS)));
        input.insert("caller_name".into(), json!(caller_name));
        input.insert("caller_phone".into(), json!(caller_phone));
        input.insert("category".into(), json!(category));
        input.insert("address".into(), json!(addr));
        input.insert("content".into(), json!(content));
        steps.push(step(created, "create", "handler", input));

        let dispatcher = |rng: &mut DemoRng| {
            if rng.chance(0.9) { "handler" } else { "leader" }
        };
        let dispatch_input = |dept: &str| {
            let mut m = Map::new();
            m.insert("assignee_department".into(), json!(dept));
            m
        };
        let mut day = add_workdays(created, u32::from(rng.chance(0.3)));
        let dept = template.department;
        if let Some(wrong) = template.misroute.filter(|_| rng.chance(0.08)) {
            steps.push(step(
                day,
                "dispatch",
                dispatcher(rng),
                dispatch_input(wrong),
            ));
            day = add_workdays(day, rng.range_u32(0, 1));
            let mut m = Map::new();
            m.insert(
                "return_reason".into(),
                json!(format!(
                    "该诉求不属于{}职责范围，建议改派{}办理。",
                    department_name(wrong),
                    department_name(dept)
                )),
            );
            steps.push(step(day, "return", &handler_of(wrong), m));
            day = add_workdays(day, rng.range_u32(0, 1));
        }
        steps.push(step(day, "dispatch", dispatcher(rng), dispatch_input(dept)));
        day = add_workdays(day, u32::from(rng.chance(0.35)));
        let handler = handler_of(dept);
        steps.push(step(day, "accept", &handler, Map::new()));

        let limit = limit_days(category);
        let mut deadline = add_workdays(created, limit);
        if limit >= 5 && rng.chance(0.05) {
            let ext: u32 = if rng.chance(0.6) { 5 } else { 10 };
            let request_day = add_workdays(day, rng.range_u32(1, 2))
                .min(deadline)
                .max(day);
            let mut m = Map::new();
            m.insert("extension_days".into(), json!(ext));
            m.insert("reason".into(), json!(rng.pick(EXTENSION_REASONS)));
            steps.push(step(request_day, "request_extension", &handler, m));
            day = add_workdays(request_day, rng.range_u32(0, 1));
            steps.push(step(day, "approve_extension", "leader", Map::new()));
            deadline = add_workdays(deadline, ext);
        }

        let reply_day = reply_date(rng, day, deadline);
        let mut m = Map::new();
        m.insert("reply".into(), json!(reply));
        steps.push(step(reply_day, "reply", &handler, m));
        let revisit_day = add_workdays(reply_day, rng.range_u32(1, 3));
        let satisfaction = *rng.weighted(SATISFACTION);
        steps.push(step(
            revisit_day,
            "revisit",
            "handler",
            satisfaction_input(satisfaction),
        ));

        if satisfaction == "不满意" && rng.chance(0.45) {
            let reopen_day = add_workdays(revisit_day, rng.range_u32(0, 2));
            let actor = if rng.chance(0.7) { "handler" } else { "leader" };
            let mut m = Map::new();
            m.insert("reason".into(), json!(rng.pick(REOPEN_REASONS)));
            steps.push(step(reopen_day, "reopen", actor, m));
            let deadline = add_workdays(reopen_day, limit);
            let reply_day = reply_date(rng, reopen_day, deadline);
            let mut m = Map::new();
            m.insert("reply".into(), json!(rng.pick(REPLY_AGAIN)));
            steps.push(step(reply_day, "reply", &handler, m));
            let revisit_day = add_workdays(reply_day, rng.range_u32(1, 2));
            let again = *rng.weighted(SATISFACTION_AGAIN);
            steps.push(step(
                revisit_day,
                "revisit",
                "handler",
                satisfaction_input(again),
            ));
        }

        steps.retain(|s| s.on <= end);
        DemoCase {
            reference,
            case_type: HOTLINE_TICKET.to_owned(),
            unit: grid,
            department: "hotline".to_owned(),
            created_on: created,
            steps,
        }
    }
}

fn satisfaction_input(value: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("satisfaction".into(), json!(value));
    m
}

/// Reply date: usually within the limit, about 5% late.
fn reply_date(rng: &mut DemoRng, accepted: Date, deadline: Date) -> Date {
    if rng.chance(0.05) {
        return add_workdays(deadline.max(accepted), rng.range_u32(1, 5));
    }
    if accepted >= deadline {
        return accepted;
    }
    let span = count_workdays(accepted, deadline);
    // Quick replies are more common than last-day ones.
    let offset = rng
        .range_u32(0, span.saturating_sub(1))
        .min(rng.range_u32(0, span.saturating_sub(1)));
    add_workdays(accepted, offset)
}

/// Reference of a ticket: `RX` + creation date + daily sequence.
pub(crate) fn reference(created: Date, seq: u32) -> String {
    format!(
        "RX{:04}{:02}{:02}{seq:05}",
        created.year(),
        created.month(),
        created.day()
    )
}

/// A lazy stream of ticket scripts (see [`crate::generate_tickets`]).
pub struct Tickets {
    skeleton: Skeleton,
    rng: DemoRng,
    days: Vec<Date>,
    end: Date,
    n: u64,
    next: u64,
    current_day: Option<Date>,
    seq: u32,
}

impl Tickets {
    pub(crate) fn new(seed: u64, n: u64, start: Date, end: Date) -> Self {
        let days = workdays(start, end);
        Self {
            skeleton: org::skeleton(seed),
            rng: DemoRng::new(seed, 4),
            end,
            n: if days.is_empty() { 0 } else { n },
            days,
            next: 0,
            current_day: None,
            seq: 0,
        }
    }
}

impl Iterator for Tickets {
    type Item = DemoCase;

    fn next(&mut self) -> Option<DemoCase> {
        if self.next >= self.n {
            return None;
        }
        let index = (u128::from(self.next) * self.days.len() as u128 / u128::from(self.n)) as usize;
        let day = self.days[index];
        if self.current_day == Some(day) {
            self.seq += 1;
        } else {
            self.current_day = Some(day);
            self.seq = 1;
        }
        self.next += 1;
        let factory = TicketFactory {
            skeleton: &self.skeleton,
        };
        Some(factory.ticket(&mut self.rng, reference(day, self.seq), day, self.end))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.n - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}
