//! Metadata: title, reporting unit, level, reporting year and region.

use crate::sections::RawSection;
use crate::text::{Document, is_blank, is_han};
use crate::{Extraction, Part};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// What [`detect`] finds.
#[derive(Default)]
pub struct Meta {
    pub title: Option<String>,
    pub unit: Option<String>,
    pub level: Option<String>,
    pub year: Option<i32>,
    pub region: Option<String>,
}

/// Unit suffixes, longest first.
const UNIT_SUFFIXES: &[&str] = &[
    "街道办事处",
    "镇人民政府",
    "乡人民政府",
    "区人民政府",
    "县人民政府",
    "街道",
    "镇政府",
    "乡政府",
    "区政府",
    "县政府",
];

static UNIT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"街道办事处|街道|镇人民政府|乡人民政府|镇政府|乡政府|区人民政府|县人民政府|区政府|县政府|镇|乡")
        .expect("unit")
});
/// Unit mentions in running text: `X街道`, `X镇`, and `X街` only before an organ of the street
/// (`黄石街党工委`, `石门街办事处`), since a bare `X街` is usually a street name.
static BODY_UNIT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"街道|镇|街(?:党工委|工委|办事处)").expect("body unit"));
static REGION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\p{Han}{2,4}?(?:省|自治区))?\p{Han}{2,4}?市\p{Han}{1,4}?(?:新区|区|县)")
        .expect("region")
});
static REGION_FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\p{Han}{2,3}(?:省|自治区))?(?:\p{Han}{2,3}(?:市|自治州|州|盟|地区))?(?:\p{Han}{1,4}(?:新区|区|县|旗))?$")
        .expect("region")
});
static YEAR_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("year"));
static REPORT_YEAR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"现将.{0,12}?((?:19|20)\d{2})\s*年|((?:19|20)\d{2})\s*年度?.{0,16}(法治政府建设|依法行政).{0,12}(报告|情况)")
        .expect("report year")
});

/// Characters that end a place-name walk backwards: region suffixes, punctuation, words that
/// cannot be part of a street or town name.
fn is_name_boundary(prefix: &str) -> bool {
    const STOPS: &[&str] = &[
        "人民政府",
        "政府",
        "市",
        "区",
        "县",
        "省",
        "州",
        "中共",
        "关于",
        "委员会",
        "党工委",
        "党委",
        "共",
    ];
    STOPS.iter().any(|s| prefix.ends_with(s))
}

/// Walks back from byte `at` (the start of a unit suffix) over at most five Han characters
/// until a boundary; returns the start of the name.
fn name_start(s: &str, at: usize) -> Option<usize> {
    let mut start = at;
    let mut n = 0;
    for (i, c) in s[..at].char_indices().rev() {
        if !is_han(c) || is_name_boundary(&s[..start]) || n >= 5 {
            break;
        }
        start = i;
        n += 1;
    }
    if is_name_boundary(&s[..start]) || start == 0 || !s[..start].ends_with(is_han) {
        (n >= 2).then_some(start)
    } else {
        None
    }
}

/// A title that starts with its unit: `静海区2023年度法治政府建设情况报告`,
/// `广州市海珠区2023年…`, `黄石街2022年…`.
static TITLE_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:关于)?((?:\p{Han}{2,3}(?:省|自治区))?(?:\p{Han}{2,3}(?:市|自治州|州|盟))?)(\p{Han}{1,5}?(?:新区|区|县|旗|街道|街|镇|乡))(?:人民政府|政府|办事处)?(?:关于)?(?:\d|二〇|本年度|年度)")
        .expect("title unit")
});

/// Finds `<name><suffix>` in a title or signature line; returns (unit, region prefix).
fn unit_in_line(line: &str) -> Option<(String, Option<String>)> {
    let found = unit_with_suffix(line);
    if found.is_some() {
        return found;
    }
    let c = TITLE_UNIT.captures(line.trim_matches(is_blank))?;
    let unit = c.get(2)?.as_str().to_string();
    let region = c
        .get(1)
        .map(|m| m.as_str())
        .filter(|r| !r.is_empty())
        .map(clean_region);
    Some((unit, region))
}

fn unit_with_suffix(line: &str) -> Option<(String, Option<String>)> {
    let mut found = None;
    for m in UNIT_RE.find_iter(line) {
        if let Some(s) = name_start(line, m.start()) {
            let suffix = UNIT_SUFFIXES
                .iter()
                .find(|x| line[m.start()..].starts_with(*x))
                .map_or(m.as_str(), |x| x);
            let unit = format!("{}{}", &line[s..m.start()], suffix);
            let region = region_before(&line[..s]);
            found = Some((unit, region));
            // The last government unit on a signature line is the office itself.
        }
    }
    found
}

/// The region written right before a unit name: the longest `省…市…区/县` suffix of `prefix`
/// (`广州市海珠区`, `成都市`, `光山县`, `河南省信阳市光山县`).
fn region_before(prefix: &str) -> Option<String> {
    let p = prefix
        .trim_end_matches(is_blank)
        .trim_end_matches("人民政府")
        .trim_end_matches("政府")
        .trim_end_matches(is_blank);
    // A region name is short: try the start positions among the last few characters only.
    let starts: Vec<usize> = p.char_indices().rev().take(16).map(|(i, _)| i).collect();
    let mut best = None;
    for &s in &starts {
        let cand = &p[s..];
        let first = cand.chars().next()?;
        if !is_han(first) || "在于的和与及对为是我了将由向到从经被等各全本该共中".contains(first)
        {
            continue;
        }
        if REGION_FULL.is_match(cand) {
            best = Some(cand);
        }
    }
    best.map(clean_region)
}

fn clean_region(r: &str) -> String {
    let r = r.trim_start_matches("中共").trim_start_matches('共');
    r.to_string()
}

/// A unit from frequent `<name>街道` / `<name>镇` mentions in the body.
fn unit_from_body(doc: &Document) -> Option<String> {
    const NOT_NAME: &[char] = &[
        '我', '全', '本', '各', '该', '此', '每', '个', '和', '、', '的', '在', '等', '与', '及',
        '由', '到', '向', '对', '将', '为', '了', '乡', '城', '市',
    ];
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut suffix_of: HashMap<&str, &str> = HashMap::new();
    for (i, l) in doc.lines.iter().enumerate() {
        if l.noise {
            continue;
        }
        let line = doc.line(i);
        for m in BODY_UNIT_RE.find_iter(line) {
            let suffix = m.as_str();
            // Candidate names of 2..=4 characters ending right before the suffix.
            let mut start = m.start();
            for k in 1..=4 {
                let Some((i, c)) = line[..start].char_indices().next_back() else {
                    break;
                };
                if !is_han(c) {
                    break;
                }
                start = i;
                if k == 1 && NOT_NAME.contains(&c) {
                    break;
                }
                if k >= 2 {
                    let name = &line[start..m.start()];
                    if NOT_NAME.contains(&name.chars().next().unwrap_or(' ')) {
                        continue;
                    }
                    *counts.entry(name).or_default() += 1;
                    suffix_of
                        .entry(name)
                        .or_insert(if suffix.starts_with("街道") {
                            "街道"
                        } else if suffix.starts_with('街') {
                            "街"
                        } else {
                            "镇"
                        });
                }
            }
        }
    }
    // The longest name that is nearly as frequent as its own two-character tail.
    let mut best: Option<(&str, usize)> = None;
    for (&name, &c) in &counts {
        if c < 2 {
            continue;
        }
        let tail_start = name.char_indices().rev().nth(1).map_or(0, |(i, _)| i);
        let tail = counts.get(&name[tail_start..]).copied().unwrap_or(c);
        if c * 10 < tail * 6 {
            continue;
        }
        let better = match best {
            None => true,
            Some((b, bc)) => {
                let (nl, bl) = (name.chars().count(), b.chars().count());
                if name.ends_with(b) || b.ends_with(name) {
                    nl > bl
                } else {
                    c > bc || (c == bc && name < b)
                }
            }
        };
        if better {
            best = Some((name, c));
        }
    }
    best.map(|(n, _)| format!("{}{}", n, suffix_of.get(n).copied().unwrap_or("街道")))
}

/// Level from the unit name.
pub fn level_of(unit: &str) -> Option<String> {
    let l = if unit.contains("街道") || unit.ends_with('街') {
        "street"
    } else if unit.contains('镇') || unit.contains('乡') {
        "township"
    } else if unit.contains('区') || unit.contains('县') {
        "district"
    } else {
        return None;
    };
    Some(l.to_string())
}

/// The HTML `<title>` as a report title, site suffixes removed.
pub fn title_from_html(t: &str) -> Option<String> {
    let t = t
        .split(['_', '|', '｜'])
        .next()
        .unwrap_or(t)
        .split(" - ")
        .next()
        .unwrap_or(t)
        .trim_matches(is_blank);
    crate::text::title_score(t).map(|_| t.to_string())
}

/// Fills unit, level and region from a title found outside the text.
pub fn fill_unit_from_title(ex: &mut Extraction, title: &str) {
    if let Some((u, r)) = unit_in_line(title) {
        ex.level = level_of(&u);
        ex.unit = Some(u);
        if ex.region.is_none() {
            ex.region = r;
        }
    }
}

/// Detects the metadata of a document.
pub fn detect(doc: &Document, sections: &[RawSection]) -> Meta {
    let mut m = Meta {
        title: doc
            .title_line
            .map(|i| doc.line(i).trim_matches(is_blank).to_string()),
        ..Meta::default()
    };
    if let Some((u, r)) = m.title.as_deref().and_then(unit_in_line) {
        m.unit = Some(u);
        m.region = r;
    }
    // Signature: a short line near the end of the body naming an office.
    if m.unit.is_none() {
        let tail: Vec<usize> = (0..doc.lines.len())
            .rev()
            .filter(|&i| !doc.lines[i].noise && !doc.line(i).trim().is_empty())
            .take(4)
            .collect();
        for i in tail {
            let line = doc.line(i).trim_matches(is_blank);
            if line.chars().count() <= 60
                && !line.contains(['。', '，', ','])
                && (line.ends_with("办事处") || line.ends_with("政府") || line.ends_with("街道"))
                && let Some((u, r)) = unit_in_line(line)
            {
                m.unit = Some(u);
                m.region = r;
                break;
            }
        }
    }
    if m.unit.is_none() {
        m.unit = unit_from_body(doc);
    }
    if m.region.is_none() {
        m.region = region_in_body(doc, m.unit.as_deref());
    }
    m.level = m.unit.as_deref().and_then(level_of);
    m.year = report_year(doc, sections, m.title.as_deref());
    m
}

/// A region: preferably written right before the unit's name, else the first `X市Y区`.
fn region_in_body(doc: &Document, unit: Option<&str>) -> Option<String> {
    let name = unit.map(|u| {
        UNIT_SUFFIXES
            .iter()
            .find_map(|s| u.strip_suffix(s))
            .unwrap_or(u)
    });
    let mut first = None;
    for (i, l) in doc.lines.iter().enumerate() {
        if l.noise {
            continue;
        }
        let line = doc.line(i);
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            for (at, _) in line.match_indices(n) {
                if let Some(r) = region_before(&line[..at]) {
                    return Some(r);
                }
            }
        }
        if first.is_none()
            && let Some(m) = REGION_RE.find(line)
        {
            first = Some(clean_region(m.as_str()));
        }
    }
    first
}

fn report_year(doc: &Document, sections: &[RawSection], title: Option<&str>) -> Option<i32> {
    let year_in = |s: &str| -> Option<i32> {
        YEAR_RE
            .captures(s)
            .and_then(|c| c.get(1))
            .and_then(|m| m.as_str().parse().ok())
    };
    if let Some(y) = title.and_then(year_in) {
        return Some(y);
    }
    // "现将2023年…报告如下" or "2020年度法治政府建设…情况" in the opening lines.
    let body: Vec<usize> = (0..doc.lines.len())
        .filter(|&i| !doc.lines[i].noise)
        .collect();
    for &i in body.iter().take(6) {
        if let Some(c) = REPORT_YEAR_RE.captures(doc.line(i)) {
            let y = c
                .get(1)
                .or_else(|| c.get(2))
                .and_then(|m| m.as_str().parse().ok());
            if y.is_some() {
                return y;
            }
        }
    }
    // The plan part names the next year.
    for s in sections.iter().filter(|s| s.parent.is_none()) {
        if s.part == Part::Plan
            && let Some(y) = year_in(&s.heading)
        {
            return Some(y - 1);
        }
    }
    for s in sections.iter().filter(|s| s.parent.is_none()) {
        if matches!(s.part, Part::Measures | Part::Shortcomings)
            && let Some(y) = year_in(&s.heading)
        {
            return Some(y);
        }
    }
    // An opening sentence "2023年，…".
    if let Some(&i) = body.first() {
        let line = doc.line(i).trim_start_matches(is_blank);
        if let Some(c) = YEAR_RE.captures(line)
            && c.get(0).is_some_and(|m| m.start() == 0)
        {
            return c.get(1).and_then(|m| m.as_str().parse().ok());
        }
    }
    // Most frequent year in the body text.
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for &i in &body {
        for c in YEAR_RE.captures_iter(doc.line(i)) {
            if let Some(y) = c.get(1).and_then(|m| m.as_str().parse::<i32>().ok()) {
                *counts.entry(y).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(y, c)| (c, y))
        .map(|(y, _)| y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_in_titles_and_signatures() {
        assert_eq!(
            unit_in_line("广州市海珠区人民政府海幢街道办事处关于2023年度法治政府建设情况的报告"),
            Some(("海幢街道办事处".into(), Some("广州市海珠区".into())))
        );
        assert_eq!(
            unit_in_line("广州市南沙区横沥镇人民政府2020年法治政府建设年度报告"),
            Some(("横沥镇人民政府".into(), Some("广州市南沙区".into())))
        );
        assert_eq!(
            unit_in_line("中共广州市白云区石门街工作委员会 广州市白云区人民政府石门街道办事处"),
            Some(("石门街道办事处".into(), Some("广州市白云区".into())))
        );
        assert_eq!(level_of("横沥镇人民政府").as_deref(), Some("township"));
        assert_eq!(level_of("某某区人民政府").as_deref(), Some("district"));
    }
}
