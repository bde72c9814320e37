//! The street's organisation: units, departments, accounts and enforcement officers.

use fazhi_domain::{Role, Scope, Sex, UnitKind};
use jiff::civil::Date;

use crate::days::plus_days;
use crate::model::{DemoCertificate, DemoDepartment, DemoOfficer, DemoUnit, DemoUser};
use crate::people;
use crate::rng::DemoRng;

/// District code (fictional: `330199` is not assigned in GB/T 2260).
pub const DISTRICT_CODE: &str = "330199";
/// District name.
pub const DISTRICT_NAME: &str = "滨江区";
/// Street code.
pub const STREET_CODE: &str = "330199001";
/// Street name.
pub const STREET_NAME: &str = "望江街道";

/// A community template: name stem, login stem, roads and residential estates.
pub(crate) struct CommunityTemplate {
    pub stem: &'static str,
    pub login: &'static str,
    pub roads: &'static [&'static str],
    pub estates: &'static [&'static str],
}

const COMMUNITIES: &[CommunityTemplate] = &[
    CommunityTemplate {
        stem: "望湖",
        login: "wanghu",
        roads: &["望湖路", "望江路"],
        estates: &["望湖花园", "望湖嘉苑"],
    },
    CommunityTemplate {
        stem: "江畔",
        login: "jiangpan",
        roads: &["江畔路", "滨河路"],
        estates: &["江畔家园", "滨河公寓"],
    },
    CommunityTemplate {
        stem: "春晓",
        login: "chunxiao",
        roads: &["春晓路", "文涛路"],
        estates: &["春晓苑", "文涛里"],
    },
    CommunityTemplate {
        stem: "观澜",
        login: "guanlan",
        roads: &["观澜路", "江南大道"],
        estates: &["观澜府", "锦绣江南"],
    },
    CommunityTemplate {
        stem: "听涛",
        login: "tingtao",
        roads: &["听涛路", "秋涛路"],
        estates: &["听涛小区", "秋涛北苑"],
    },
    CommunityTemplate {
        stem: "月明",
        login: "yueming",
        roads: &["月明路", "江晖路"],
        estates: &["月湾家园", "江晖苑"],
    },
    CommunityTemplate {
        stem: "星河",
        login: "xinghe",
        roads: &["星民路", "星河路"],
        estates: &["星河湾", "星民新村"],
    },
    CommunityTemplate {
        stem: "枫林",
        login: "fenglin",
        roads: &["枫林路", "长河路"],
        estates: &["枫林苑", "长河新村"],
    },
    CommunityTemplate {
        stem: "滨河",
        login: "binhe",
        roads: &["滨河路", "闻涛路"],
        estates: &["滨河人家", "闻涛苑"],
    },
    CommunityTemplate {
        stem: "秋水",
        login: "qiushui",
        roads: &["秋水路", "浦沿路"],
        estates: &["秋水苑", "浦沿新村"],
    },
    CommunityTemplate {
        stem: "临江",
        login: "linjiang",
        roads: &["临江路", "江边路"],
        estates: &["临江花园", "江边人家"],
    },
    CommunityTemplate {
        stem: "云帆",
        login: "yunfan",
        roads: &["云帆路", "启航路"],
        estates: &["云帆公寓", "启航嘉园"],
    },
];

/// The street's departments: (code, name).
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("office", "党政办公室"),
    ("justice", "司法所"),
    ("enforcement", "综合行政执法队"),
    ("letters", "信访办"),
    ("hotline", "12345热线办"),
    ("urban", "城市管理科"),
    ("safety", "平安建设办"),
];

/// Values of the `enforcement_domain` dictionary with their certificate-number letter.
pub const ENFORCEMENT_DOMAINS: &[(&str, char)] = &[
    ("城市管理", 'A'),
    ("住房建设", 'B'),
    ("水务", 'C'),
    ("生态环境", 'D'),
    ("消防", 'E'),
    ("安全生产", 'F'),
    ("市场监管", 'G'),
    ("其他", 'H'),
];

const ORDINALS: &[&str] = &["一", "二", "三", "四"];

/// A community as generated: its unit, grids and templates for addresses.
pub(crate) struct Community {
    pub code: String,
    pub name: String,
    pub template: &'static CommunityTemplate,
    pub grids: Vec<String>,
}

/// Everything that depends only on the seed.
pub(crate) struct Skeleton {
    pub units: Vec<DemoUnit>,
    pub departments: Vec<DemoDepartment>,
    pub communities: Vec<Community>,
    pub users: Vec<DemoUser>,
    /// Logins of the officers, in order (`officer1` …), with the sex their name was drawn for.
    pub officer_logins: Vec<(String, Sex)>,
}

#[allow(clippy::too_many_arguments)]
fn user(
    rng: &mut DemoRng,
    sex: Option<Sex>,
    login: &str,
    role: Role,
    scope: Scope,
    unit: &str,
    department: Option<&str>,
    title: &str,
) -> DemoUser {
    let sex = sex.unwrap_or(if rng.chance(0.5) {
        Sex::Male
    } else {
        Sex::Female
    });
    DemoUser {
        login: login.to_owned(),
        display_name: people::name(rng, sex),
        role,
        scope,
        unit: unit.to_owned(),
        department: department.map(str::to_owned),
        title: title.to_owned(),
        phone: people::mobile(rng),
    }
}

/// Builds units, departments and accounts for `seed`.
pub(crate) fn skeleton(seed: u64) -> Skeleton {
    let mut rng = DemoRng::new(seed, 1);
    let mut units = vec![
        DemoUnit {
            code: DISTRICT_CODE.to_owned(),
            name: DISTRICT_NAME.to_owned(),
            kind: UnitKind::District,
            parent: None,
        },
        DemoUnit {
            code: STREET_CODE.to_owned(),
            name: STREET_NAME.to_owned(),
            kind: UnitKind::Street,
            parent: Some(DISTRICT_CODE.to_owned()),
        },
    ];

    // 8–12 communities, each with 2–4 grids.
    let n_communities = rng.range(8, 12) as usize;
    let mut chosen: Vec<usize> = (0..COMMUNITIES.len()).collect();
    for i in 0..n_communities {
        let j = i + rng.index(chosen.len() - i);
        chosen.swap(i, j);
    }
    chosen.truncate(n_communities);
    chosen.sort_unstable();
    let mut communities = Vec::new();
    for (i, &t) in chosen.iter().enumerate() {
        let template = &COMMUNITIES[t];
        let code = format!("{STREET_CODE}{:03}", i + 1);
        let name = format!("{}社区", template.stem);
        units.push(DemoUnit {
            code: code.clone(),
            name: name.clone(),
            kind: UnitKind::Community,
            parent: Some(STREET_CODE.to_owned()),
        });
        let n_grids = rng.range(2, 4) as usize;
        let mut grids = Vec::new();
        for (g, ordinal) in ORDINALS.iter().enumerate().take(n_grids) {
            let grid_code = format!("{code}{:02}", g + 1);
            units.push(DemoUnit {
                code: grid_code.clone(),
                name: format!("{name}第{ordinal}网格"),
                kind: UnitKind::Grid,
                parent: Some(code.clone()),
            });
            grids.push(grid_code);
        }
        communities.push(Community {
            code,
            name,
            template,
            grids,
        });
    }

    let departments = DEPARTMENTS
        .iter()
        .map(|(code, name)| DemoDepartment {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
            unit: STREET_CODE.to_owned(),
        })
        .collect();

    let s = STREET_CODE;
    let mut users = vec![
        user(
            &mut rng,
            None,
            "admin",
            Role::Admin,
            Scope::UnitSubtree,
            s,
            Some("office"),
            "系统管理员",
        ),
        user(
            &mut rng,
            None,
            "leader",
            Role::Leader,
            Scope::UnitSubtree,
            s,
            Some("office"),
            "街道办事处副主任",
        ),
        user(
            &mut rng,
            None,
            "handler",
            Role::Handler,
            Scope::Department,
            s,
            Some("hotline"),
            "12345热线办工作人员",
        ),
        user(
            &mut rng,
            None,
            "legal",
            Role::LegalReviewer,
            Scope::UnitSubtree,
            s,
            Some("justice"),
            "司法所法制审核员",
        ),
        user(
            &mut rng,
            None,
            "legal2",
            Role::LegalReviewer,
            Scope::UnitSubtree,
            s,
            Some("justice"),
            "司法所法制审核员",
        ),
        user(
            &mut rng,
            None,
            "viewer",
            Role::Viewer,
            Scope::UnitSubtree,
            s,
            Some("office"),
            "督查人员",
        ),
    ];
    for (code, name) in DEPARTMENTS {
        if *code == "hotline" {
            continue;
        }
        users.push(user(
            &mut rng,
            None,
            &format!("handler_{code}"),
            Role::Handler,
            Scope::Department,
            s,
            Some(code),
            &format!("{name}承办人"),
        ));
    }
    let n_officers = rng.range(8, 12) as usize;
    let mut officer_logins = Vec::new();
    for i in 1..=n_officers {
        let login = format!("officer{i}");
        let sex = if rng.chance(0.75) {
            Sex::Male
        } else {
            Sex::Female
        };
        users.push(user(
            &mut rng,
            Some(sex),
            &login,
            Role::Officer,
            Scope::Department,
            s,
            Some("enforcement"),
            "综合行政执法队队员",
        ));
        officer_logins.push((login, sex));
    }
    for c in &communities {
        users.push(user(
            &mut rng,
            None,
            &format!("sq_{}", c.template.login),
            Role::Handler,
            Scope::UnitSubtree,
            &c.code,
            None,
            &format!("{}工作人员", c.name),
        ));
    }
    // Last, so that the names drawn for the others stay as they were.
    users.push(user(
        &mut rng,
        None,
        "correction",
        Role::CorrectionOfficer,
        Scope::UnitSubtree,
        s,
        Some("justice"),
        "司法所社区矫正工作人员",
    ));

    Skeleton {
        units,
        departments,
        communities,
        users,
        officer_logins,
    }
}

/// The qualification of the officer register that people's mediators hold (人民调解员; the
/// `min_qualified_persons` guard of a case-type folder names it). Every other officer holds it
/// besides the enforcement certificates, with a `浙调` + 8-digit number, valid through the window.
pub const MEDIATOR_QUALIFICATION: &str = "人民调解员";

/// The domain of the register of 法律明白人 (the `legal_register` dictionary of
/// `publicity_activity`; the indicator `publicity.legal_understanders` counts its holders).
pub const LEGAL_UNDERSTANDER: &str = "法律明白人";

/// How many 法律明白人 the demo street has trained by the end of the window (the seeds: 法律明白人33名).
pub const LEGAL_UNDERSTANDERS: usize = 33;

/// The 法律明白人 of the communities, spread evenly: trained from the window's first months to
/// the middle of its second year, so the count grows year on year and is complete by the end of
/// the last full year; every qualification stays valid beyond `end`.
pub(crate) fn legal_understanders(
    seed: u64,
    skeleton: &Skeleton,
    start: Date,
    end: Date,
) -> Vec<crate::DemoRegistered> {
    let mut rng = DemoRng::new(seed, 4);
    let n = skeleton.communities.len().max(1);
    let mut out = Vec::new();
    for (ci, c) in skeleton.communities.iter().enumerate() {
        let count = LEGAL_UNDERSTANDERS / n + usize::from(ci < LEGAL_UNDERSTANDERS % n);
        for k in 0..count {
            let sex = if rng.chance(0.5) {
                Sex::Male
            } else {
                Sex::Female
            };
            let valid_from = plus_days(start, rng.range(-300, 500)).min(end);
            out.push(crate::DemoRegistered {
                code: format!("FM{:02}{:02}", ci + 1, k + 1),
                name: people::name(&mut rng, sex),
                unit: c.code.clone(),
                certificate: DemoCertificate {
                    number: format!("浙法明{:06}", rng.range(100_000, 999_999)),
                    domain: LEGAL_UNDERSTANDER.to_owned(),
                    valid_from,
                    valid_to: plus_days(end, rng.range(200, 900)),
                    annual_check_year: end.year(),
                },
            });
        }
    }
    out
}

/// Domains each officer holds a certificate for, besides 城市管理 (everyone has that one).
/// With eight or more officers every domain used by the case generator has at least two holders
/// whose certificates stay valid through the window.
fn extra_domains(officer_index: usize) -> &'static [&'static str] {
    match officer_index % 4 {
        0 => &["住房建设", "消防"],
        1 => &["生态环境", "水务"],
        2 => &["市场监管", "安全生产"],
        _ => &["住房建设", "生态环境", "市场监管"],
    }
}

/// Officers with certificates relative to `end`: officer 1's 城市管理 certificate expired
/// 30–60 days before `end`; officer 2's expires 5–25 days after `end`; all others are valid
/// through the whole window.
pub(crate) fn officers(seed: u64, skeleton: &Skeleton, start: Date, end: Date) -> Vec<DemoOfficer> {
    let mut rng = DemoRng::new(seed, 2);
    let check_year = if end.month() >= 3 {
        end.year()
    } else {
        end.year() - 1
    };
    let mut mediator_rng = DemoRng::new(seed, 3);
    let mut serial = rng.range(10_000, 40_000);
    let mut out = Vec::new();
    for (i, (login, sex)) in skeleton.officer_logins.iter().enumerate() {
        let sex = *sex;
        let account = skeleton
            .users
            .iter()
            .find(|u| &u.login == login)
            .expect("officer accounts exist");
        let birth = Date::new(
            end.year() - rng.range(25, 55) as i16,
            rng.range(1, 12) as i8,
            rng.range(1, 28) as i8,
        )
        .expect("day ≤ 28");
        let id_number = people::id_number(&mut rng, sex, birth);
        let mut domains = vec!["城市管理"];
        domains.extend_from_slice(extra_domains(i));
        let mut certificates = Vec::new();
        for (k, domain) in domains.iter().enumerate() {
            let letter = ENFORCEMENT_DOMAINS
                .iter()
                .find(|(d, _)| d == domain)
                .map(|(_, l)| *l)
                .expect("known domain");
            serial += rng.range(1, 400);
            let issued_years_before = rng.range(1, 3);
            let valid_from = plus_days(start, -(issued_years_before * 365 + rng.range(0, 200)));
            let (valid_to, annual_check_year) = match (i, k) {
                (0, 0) => (plus_days(end, -rng.range(30, 60)), check_year - 1),
                (1, 0) => (plus_days(end, rng.range(5, 25)), check_year),
                // Valid through the whole window and some months beyond (a certificate runs
                // for six years at most).
                _ => (
                    plus_days(end, rng.range(200, 900)).min(plus_days(valid_from, 6 * 365 + 900)),
                    check_year,
                ),
            };
            certificates.push(DemoCertificate {
                number: format!("浙执{letter}{serial:07}"),
                domain: (*domain).to_owned(),
                valid_from,
                valid_to,
                annual_check_year,
            });
        }
        if i % 2 == 1 {
            // A stream of its own, so the enforcement certificates stay as they were.
            let valid_from = plus_days(
                start,
                -(mediator_rng.range(1, 3) * 365 + mediator_rng.range(0, 200)),
            );
            certificates.push(DemoCertificate {
                number: format!("浙调{:08}", mediator_rng.range(100_000, 99_999_999)),
                domain: MEDIATOR_QUALIFICATION.to_owned(),
                valid_from,
                valid_to: plus_days(end, mediator_rng.range(200, 900)),
                annual_check_year: check_year,
            });
        }
        out.push(DemoOfficer {
            login: login.clone(),
            name: account.display_name.clone(),
            id_number,
            certificates,
        });
    }
    out
}
