//! Fictional people and organisations: names, ID numbers, phone numbers, credit codes.
//!
//! Every number is generated to pass `fazhi-domain`'s validators (check characters computed
//! with the same functions), with fictional address codes: province codes are real (so the
//! province check passes) but the county part `99` is not assigned in GB/T 2260.

use fazhi_domain::{IdNumber, Sex, Uscc};
use jiff::civil::Date;

use crate::rng::DemoRng;

/// Common surnames with rough frequency weights.
const SURNAMES: &[(&str, u32)] = &[
    ("王", 70),
    ("李", 70),
    ("张", 65),
    ("刘", 55),
    ("陈", 50),
    ("杨", 35),
    ("黄", 25),
    ("赵", 25),
    ("吴", 25),
    ("周", 25),
    ("徐", 20),
    ("孙", 18),
    ("马", 16),
    ("朱", 16),
    ("胡", 15),
    ("郭", 14),
    ("何", 13),
    ("高", 13),
    ("林", 13),
    ("罗", 12),
    ("郑", 12),
    ("梁", 11),
    ("谢", 10),
    ("宋", 9),
    ("唐", 9),
    ("许", 9),
    ("韩", 8),
    ("冯", 8),
    ("邓", 8),
    ("曹", 8),
    ("彭", 7),
    ("曾", 7),
    ("肖", 7),
    ("田", 7),
    ("董", 7),
    ("袁", 6),
    ("潘", 6),
    ("蒋", 6),
    ("蔡", 6),
    ("余", 6),
    ("杜", 5),
    ("叶", 5),
    ("程", 5),
    ("沈", 5),
    ("姚", 4),
    ("陆", 4),
    ("汪", 4),
    ("方", 4),
    ("金", 4),
    ("钱", 3),
    ("楼", 2),
    ("应", 2),
    ("欧阳", 1),
];

/// Second-to-last characters of two-character given names (both sexes).
const GIVEN_FIRST: &[&str] = &[
    "建", "国", "志", "文", "晓", "海", "永", "立", "明", "子", "家", "思", "嘉", "俊", "佳", "雨",
    "一", "天", "欣", "梓", "金", "春", "秋", "振", "宏", "新", "少", "丽", "玉", "云",
];
/// Given-name characters more common for men.
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
    "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "峰", "东", "晨", "博", "泽",
    "明", "亮", "成",
];
/// Given-name characters more common for women.
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "英", "燕", "萍", "红", "梅", "琳", "雪",
    "婷", "慧", "颖", "倩", "欣", "悦", "佳", "怡", "丹", "莉", "洁", "蓉", "云", "琴", "璐", "薇",
];

/// Fictional household-registration address codes: real province prefixes, unassigned county.
const REGION_CODES: &[(&str, u32)] = &[
    ("330199", 60),
    ("330299", 8),
    ("330399", 6),
    ("330699", 5),
    ("340199", 5),
    ("360499", 4),
    ("410199", 4),
    ("510199", 3),
    ("320599", 3),
    ("430199", 2),
];

/// A fictional person.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub name: String,
    /// Matches the ID number's sex digit and the given name (checked by tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub sex: Sex,
    pub id_number: String,
    pub mobile: String,
}

/// A fictional full name for someone of `sex`.
pub(crate) fn name(rng: &mut DemoRng, sex: Sex) -> String {
    let surname = *rng.weighted(SURNAMES);
    let pool = match sex {
        Sex::Male => GIVEN_MALE,
        Sex::Female => GIVEN_FEMALE,
    };
    let mut out = surname.to_owned();
    if rng.chance(0.3) {
        let given = rng.pick_str(pool);
        out.push_str(given);
    } else {
        let first = rng.pick_str(GIVEN_FIRST);
        let second = rng.pick_str(pool);
        out.push_str(first);
        out.push_str(second);
    }
    out
}

/// A name as callers often give it on the phone: `王先生`, `李女士`.
pub(crate) fn courtesy_name(rng: &mut DemoRng, sex: Sex) -> String {
    let surname = *rng.weighted(SURNAMES);
    let suffix = match sex {
        Sex::Male => "先生",
        Sex::Female => "女士",
    };
    format!("{surname}{suffix}")
}

/// A valid ID number for someone born on `birth`.
pub(crate) fn id_number(rng: &mut DemoRng, sex: Sex, birth: Date) -> String {
    let region = *rng.weighted(REGION_CODES);
    let seq_base = rng.range_u32(0, 99) * 10;
    let last = rng.range_u32(0, 4) * 2 + u32::from(sex == Sex::Male);
    let first17 = format!(
        "{region}{:04}{:02}{:02}{:03}",
        birth.year(),
        birth.month(),
        birth.day(),
        seq_base + last
    );
    let check = IdNumber::compute_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// A valid mainland mobile number.
pub(crate) fn mobile(rng: &mut DemoRng) -> String {
    let prefix = *rng.weighted(&[("13", 30), ("15", 25), ("17", 10), ("18", 25), ("19", 10)]);
    format!("{prefix}{}", rng.digits(9))
}

/// A valid landline of the (fictional) city, area code 0571.
pub(crate) fn landline(rng: &mut DemoRng) -> String {
    format!("0571-8{}", rng.digits(7))
}

/// A fictional adult born between 18 and 75 years before `today`.
pub(crate) fn person(rng: &mut DemoRng, today: Date) -> Person {
    let sex = if rng.chance(0.55) {
        Sex::Male
    } else {
        Sex::Female
    };
    adult(rng, today, sex, 18, 75)
}

/// A fictional person of `sex` aged `min_age..=max_age` on `today`.
pub(crate) fn adult(
    rng: &mut DemoRng,
    today: Date,
    sex: Sex,
    min_age: i16,
    max_age: i16,
) -> Person {
    let year = today.year() - rng.range(i64::from(min_age) + 1, i64::from(max_age)) as i16;
    let month = rng.range(1, 12) as i8;
    let day = rng.range(1, 28) as i8;
    let birth = Date::new(year, month, day).expect("day ≤ 28 exists in every month");
    Person {
        name: name(rng, sex),
        sex,
        id_number: id_number(rng, sex, birth),
        mobile: mobile(rng),
    }
}

/// GB 32100 symbols usable in the organisation-code body.
const USCC_BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Value of an organisation-code character for the GB 11714 check (digits 0–9, A = 10 …).
fn gb11714_value(c: u8) -> u32 {
    if c.is_ascii_digit() {
        u32::from(c - b'0')
    } else {
        u32::from(c - b'A') + 10
    }
}

/// A valid unified social credit code registered by the market regulator (`9`) of the
/// fictional district, entity type `1` (company) or `2` (individual business, 个体工商户 uses
/// `92`). The organisation code body starts with `MA` like codes issued since 2015 and carries
/// its own GB 11714 check character.
pub(crate) fn uscc(rng: &mut DemoRng, individual_business: bool) -> String {
    let entity = if individual_business { '2' } else { '1' };
    let mut body = String::from("MA");
    for _ in 0..6 {
        body.push(char::from(*rng.pick(USCC_BODY)));
    }
    // GB 11714 check over the eight body characters (weights 3 7 9 10 5 8 4 2).
    let sum: u32 = body
        .bytes()
        .zip([3u32, 7, 9, 10, 5, 8, 4, 2])
        .map(|(c, w)| gb11714_value(c) * w)
        .sum();
    let c9 = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        v => char::from_digit(v, 10).expect("0..=9"),
    };
    body.push(c9);
    let first17 = format!("9{entity}330199{body}");
    let check = Uscc::compute_check_char(&first17).expect("17 GB 32100 symbols");
    format!("{first17}{check}")
}

/// Trade names (字号) for fictional organisations.
const TRADE_NAMES: &[&str] = &[
    "鑫源", "恒丰", "聚福", "和顺", "佳禾", "祥瑞", "宏达", "锦程", "兴旺", "惠民", "顺意", "嘉禾",
    "永盛", "福满", "金桥", "远航", "德润", "益康", "新月", "江南",
];

/// A fictional organisation name for a kind of business (`餐饮`, `建筑装饰`, …).
pub(crate) fn organisation_name(rng: &mut DemoRng, business: &str, individual: bool) -> String {
    let trade = rng.pick(TRADE_NAMES);
    if individual {
        let shop = match business {
            "餐饮" => "小吃店",
            "食品" => "食品店",
            "商贸" => "便利店",
            "汽车维修" => "汽修店",
            "再生资源回收" => "回收站",
            _ => "经营部",
        };
        format!("滨江区望江{trade}{shop}")
    } else {
        format!("滨江{trade}{business}有限公司")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fazhi_domain::{IdNumber, Phone, Uscc, UsccCheck};
    use jiff::civil::date;

    #[test]
    fn generated_numbers_pass_the_domain_validators() {
        let mut rng = DemoRng::new(7, 0);
        let today = date(2026, 6, 30);
        for _ in 0..500 {
            let p = person(&mut rng, today);
            let id = IdNumber::parse(&p.id_number, today).unwrap();
            assert_eq!(id.sex(), p.sex);
            assert!(id.age_on(today) >= 18);
            Phone::parse(&p.mobile).unwrap();
            Phone::parse(&landline(&mut rng)).unwrap();
            let individual = rng.chance(0.5);
            let (_, check) = Uscc::parse(&uscc(&mut rng, individual)).unwrap();
            assert_eq!(check, UsccCheck::Valid);
        }
    }

    #[test]
    fn names_are_two_to_four_chinese_characters() {
        let mut rng = DemoRng::new(1, 0);
        for _ in 0..500 {
            let n = name(&mut rng, Sex::Female);
            let len = n.chars().count();
            assert!((2..=4).contains(&len), "{n}");
            assert!(SURNAMES.iter().any(|(s, _)| n.starts_with(s)));
        }
    }
}
