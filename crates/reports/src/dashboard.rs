//! A case type's dashboard cards: the `dashboard.toml` of its folder
//! (`case_types/<code>/dashboard.toml`), parsed and checked with file:line diagnostics. The web
//! dashboard renders whatever the registry's folders declare, in their order.
//!
//! ```toml
//! [[figure]]                      # a key figure: this year so far against the same period last year
//! indicator = "hotline.received"  # an indicator of the catalogue
//! label = "12345工单受理"          # optional: the card's label (default: the indicator's)
//! order = 10                      # place among every card (default 100)
//! cases = { due = "overdue" }     # optional: also link to this case type's list, filtered
//! compare_units = true            # optional: a bar chart comparing the sub-units on it
//!
//! [[trend]]                       # a monthly line chart, this year against last year
//! indicator = "hotline.received"
//! title = "12345工单受理量（按月）" # optional (default: the indicator's label + （按月）)
//! order = 10
//! ```
//!
//! The case-list filters are the list page's query parameters: `q`, `state` (a state of the
//! case type), `category`, `from` and `to` (`YYYY-MM-DD`), `due` (`overdue`, `soon`, `open`),
//! `sort` (`new`, `old`, `due`); the case type itself is the folder's.

use std::collections::BTreeMap;
use std::path::Path;

use fazhi_workflow::{CaseType, Diagnostic, Registry};
use serde::Deserialize;
use toml::Spanned;

use crate::casetype::DEFAULT_ORDER;
use crate::source::Src;

/// The file of a case-type folder that holds its dashboard cards.
pub const DASHBOARD_FILE: &str = "dashboard.toml";

/// Key figures that belong to no case type (the officers register), with their order.
pub const FRAME_FIGURES: &[(&str, i64)] = &[("officers.certified", 1000)];

/// The case-list filters a card may link with, and the values allowed (empty: any value
/// checked by [`check_filter`]).
const FILTERS: &[(&str, &[&str])] = &[
    ("q", &[]),
    ("state", &[]),
    ("category", &[]),
    ("from", &[]),
    ("to", &[]),
    ("due", &["overdue", "soon", "open"]),
    ("sort", &["new", "old", "due"]),
];

/// A key-figure card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureCard {
    /// The case type that declares it (`None` for [`FRAME_FIGURES`]).
    pub case_type: Option<String>,
    pub indicator: String,
    pub label: Option<String>,
    pub order: i64,
    /// `/cases?type=<code>&…`: the case list behind the card, when declared.
    pub cases_link: Option<String>,
    pub compare_units: bool,
}

/// A monthly trend chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendCard {
    pub case_type: String,
    pub indicator: String,
    pub title: Option<String>,
    pub order: i64,
}

/// Every card of the dashboard, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DashboardCards {
    pub figures: Vec<FigureCard>,
    pub trends: Vec<TrendCard>,
}

impl DashboardCards {
    /// Every indicator id the cards use (figures first, then trends), without repeats.
    pub fn indicators(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let ids = self.figures.iter().map(|f| &f.indicator);
        for id in ids.chain(self.trends.iter().map(|t| &t.indicator)) {
            if !out.contains(id) {
                out.push(id.clone());
            }
        }
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    figure: Vec<Spanned<RawFigure>>,
    #[serde(default)]
    trend: Vec<Spanned<RawTrend>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    indicator: Spanned<String>,
    label: Option<Spanned<String>>,
    order: Option<i64>,
    cases: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    #[serde(default)]
    compare_units: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrend {
    indicator: Spanned<String>,
    title: Option<Spanned<String>>,
    order: Option<i64>,
}

/// Percent-encodes a query value (everything but ASCII letters, digits and `-_.~`).
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&v[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&v[8..10].parse::<u8>().unwrap_or(0))
}

/// Why the filter `key = value` cannot link the case list of `ct`, in Chinese.
fn check_filter(ct: Option<&CaseType>, key: &str, value: &str) -> Option<String> {
    let Some((_, allowed)) = FILTERS.iter().find(|(k, _)| *k == key) else {
        let keys: Vec<&str> = FILTERS.iter().map(|(k, _)| *k).collect();
        return Some(format!(
            "案件列表没有筛选条件“{key}”，可用：{}",
            keys.join("、")
        ));
    };
    if value.trim().is_empty() {
        return Some(format!("筛选条件“{key}”的值不能为空"));
    }
    if !allowed.is_empty() && !allowed.contains(&value) {
        return Some(format!(
            "筛选条件“{key}”的值“{value}”无法识别，可用：{}",
            allowed.join("、")
        ));
    }
    match key {
        "from" | "to" if !is_date(value) => Some(format!(
            "筛选条件“{key}”应为日期（YYYY-MM-DD），不是“{value}”"
        )),
        "state" if ct.is_some_and(|ct| ct.state(value).is_none()) => {
            Some(format!("筛选条件state：本案件类型没有状态“{value}”"))
        }
        _ => None,
    }
}

/// Parses the `dashboard.toml` of case type `code` (`ct`, its definition, checks state
/// filters). With `known`, every indicator must be known (pass the catalogue's `resolve`).
/// Returns the cards when there is no error, and every diagnostic.
pub fn parse_dashboard(
    code: &str,
    ct: Option<&CaseType>,
    path: &Path,
    text: &str,
    known: Option<&dyn Fn(&str) -> bool>,
) -> (Option<DashboardCards>, Vec<Diagnostic>) {
    let src = Src { path, text };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            return (
                None,
                vec![src.error(
                    e.span(),
                    format!("invalid dashboard file: {}", e.message().trim()),
                    format!("看板卡片文件格式错误：{}", e.message().trim()),
                )],
            );
        }
    };
    let mut diags = Vec::new();
    let check_indicator = |s: &Spanned<String>, diags: &mut Vec<Diagnostic>| -> String {
        let id = s.get_ref().trim().to_owned();
        if id.is_empty() {
            diags.push(src.error(
                Some(s.span()),
                "indicator must not be empty",
                "indicator（指标编号）不能为空",
            ));
        } else if let Some(known) = known
            && !known(&id)
        {
            diags.push(src.error(
                Some(s.span()),
                format!("unknown indicator `{id}`"),
                format!("指标“{id}”不存在"),
            ));
        }
        id
    };
    let mut cards = DashboardCards::default();
    for rf in &raw.figure {
        let f = rf.get_ref();
        let indicator = check_indicator(&f.indicator, &mut diags);
        let cases_link = f.cases.as_ref().map(|c| {
            let mut link = format!("/cases?type={}", urlencode(code));
            for (k, v) in c.get_ref() {
                if let Some(problem) = check_filter(ct, k, v.get_ref()) {
                    diags.push(src.error(
                        Some(v.span()),
                        format!("bad case-list filter `{k} = \"{}\"`", v.get_ref()),
                        format!("cases（案件列表链接）有误：{problem}"),
                    ));
                }
                link.push_str(&format!("&{}={}", urlencode(k), urlencode(v.get_ref())));
            }
            link
        });
        cards.figures.push(FigureCard {
            case_type: Some(code.to_owned()),
            indicator,
            label: f
                .label
                .as_ref()
                .map(|l| l.get_ref().trim().to_owned())
                .filter(|l| !l.is_empty()),
            order: f.order.unwrap_or(DEFAULT_ORDER),
            cases_link,
            compare_units: f.compare_units,
        });
    }
    for rt in &raw.trend {
        let t = rt.get_ref();
        let indicator = check_indicator(&t.indicator, &mut diags);
        cards.trends.push(TrendCard {
            case_type: code.to_owned(),
            indicator,
            title: t
                .title
                .as_ref()
                .map(|l| l.get_ref().trim().to_owned())
                .filter(|l| !l.is_empty()),
            order: t.order.unwrap_or(DEFAULT_ORDER),
        });
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    (Some(cards), diags)
}

/// The cards of every case type of the registry that has a `dashboard.toml`, with the frame's
/// key figures ([`FRAME_FIGURES`]), each list sorted by order (then case type, then place in
/// its file). Indicators are not checked against a catalogue here ([`check_dashboards`] does
/// that); any other error fails the whole load.
pub fn dashboard_cards(registry: &Registry) -> Result<DashboardCards, Vec<Diagnostic>> {
    let mut out = DashboardCards::default();
    let mut diags = Vec::new();
    for folder in registry.folders() {
        let Some(f) = folder.file(DASHBOARD_FILE) else {
            continue;
        };
        let (cards, d) = parse_dashboard(
            &folder.code,
            registry.get(&folder.code),
            &f.path,
            &f.text,
            None,
        );
        diags.extend(d);
        if let Some(c) = cards {
            out.figures.extend(c.figures);
            out.trends.extend(c.trends);
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    out.figures
        .extend(FRAME_FIGURES.iter().map(|(id, order)| FigureCard {
            case_type: None,
            indicator: (*id).to_owned(),
            label: None,
            order: *order,
            cases_link: None,
            compare_units: false,
        }));
    // Stable sorts: the place in the file breaks ties within a case type.
    out.figures
        .sort_by(|a, b| (a.order, &a.case_type).cmp(&(b.order, &b.case_type)));
    out.trends
        .sort_by(|a, b| (a.order, &a.case_type).cmp(&(b.order, &b.case_type)));
    Ok(out)
}

/// Every diagnostic of the `dashboard.toml` files of the registry's folders, indicators
/// checked against `known` (e.g. `|id| catalog.resolve(id).is_some()`). Empty when clean. For
/// `fazhi workflow check DIR`.
pub fn check_dashboards(registry: &Registry, known: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for folder in registry.folders() {
        if let Some(f) = folder.file(DASHBOARD_FILE) {
            let ct = registry.get(&folder.code);
            out.extend(parse_dashboard(&folder.code, ct, &f.path, &f.text, Some(known)).1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<DashboardCards>, Vec<Diagnostic>) {
        let known = |id: &str| id.starts_with("x.");
        parse_dashboard(
            "x_case",
            None,
            Path::new("x/dashboard.toml"),
            text,
            Some(&known),
        )
    }

    #[test]
    fn cards_parse_with_links() {
        let (c, d) = parse(
            "[[figure]]\nindicator = \"x.a\"\nlabel = \"甲\"\norder = 3\ncases = { due = \"overdue\", q = \"电梯 噪声\" }\ncompare_units = true\n\n[[trend]]\nindicator = \"x.a\"\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        let f = &c.figures[0];
        assert_eq!(f.label.as_deref(), Some("甲"));
        assert_eq!(f.order, 3);
        assert_eq!(
            f.cases_link.as_deref(),
            Some("/cases?type=x_case&due=overdue&q=%E7%94%B5%E6%A2%AF%20%E5%99%AA%E5%A3%B0")
        );
        assert!(f.compare_units);
        assert_eq!(c.trends[0].order, DEFAULT_ORDER);
        assert_eq!(c.indicators(), ["x.a"]);
    }

    #[test]
    fn unknown_indicators_and_bad_links_name_the_line() {
        let (c, d) = parse(
            "[[figure]]\nindicator = \"y.a\"\n\n[[figure]]\nindicator = \"x.b\"\ncases = { due = \"late\", colour = \"red\", from = \"2024-13-01\" }\n\n[[trend]]\nindicator = \"\"\n",
        );
        assert!(c.is_none());
        let got: Vec<(Option<usize>, &str)> =
            d.iter().map(|d| (d.line, d.message_zh.as_str())).collect();
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0].0, Some(2));
        assert!(got[0].1.contains("指标“y.a”不存在"));
        assert!(
            got.iter()
                .any(|(l, m)| *l == Some(6) && m.contains("没有筛选条件“colour”"))
        );
        assert!(got.iter().any(|(_, m)| m.contains("“late”无法识别")));
        assert!(got.iter().any(|(_, m)| m.contains("应为日期")));
        assert_eq!(got[4].0, Some(9));
        let (_, d) = parse("[[figure]]\nindicator = \"x.a\"\nlink = \"/cases\"\n");
        assert_eq!(d[0].line, Some(3), "{d:?}");
    }

    #[test]
    fn states_are_checked_against_the_case_type() {
        let registry = Registry::embedded();
        let ct = registry.types().next().unwrap();
        let state = ct.states[0].code.clone();
        let text = format!("[[figure]]\nindicator = \"x.a\"\ncases = {{ state = \"{state}\" }}\n");
        let (_, d) = parse_dashboard(&ct.code, Some(ct), Path::new("d.toml"), &text, None);
        assert!(d.is_empty(), "{d:?}");
        let text = "[[figure]]\nindicator = \"x.a\"\ncases = { state = \"no_such_state\" }\n";
        let (_, d) = parse_dashboard(&ct.code, Some(ct), Path::new("d.toml"), text, None);
        assert!(d[0].message_zh.contains("没有状态"), "{d:?}");
    }

    #[test]
    fn embedded_files_are_clean() {
        let registry = Registry::embedded();
        let catalog = fazhi_indicators::Catalog::embedded();
        let d = check_dashboards(&registry, &|id| catalog.resolve(id).is_some());
        assert!(d.is_empty(), "{d:#?}");
        let cards = dashboard_cards(&registry).unwrap();
        assert!(cards.figures.len() >= 8, "{cards:?}");
        assert!(cards.figures.windows(2).all(|w| w[0].order <= w[1].order));
        assert_eq!(cards.figures.last().unwrap().case_type, None);
        assert!(cards.trends.len() >= 2);
    }
}
