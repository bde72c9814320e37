//! Figures: every quantitative statement of the report body.
//!
//! A figure is a numeral (Arabic or Chinese) with its multiplier (`万`, `亿`), its unit (a
//! counting word, `%`, `个百分点`, a measure) and adjacent qualifiers (`近`, `约`, `超`,
//! `余`, `多`, `以上`). Not figures: years and dates, ordinals (`第二次`), document numbers
//! (`〔2023〕7号`), codes and slogans (`“1310”`, `12345热线`, `5G`, `八五普法`, `三项制度`),
//! anything inside `《》` or a short quotation, rule constants (`20个工作日内`, `不低于5%`,
//! `3万元以上合同`), distributive quantities (`每个社区4个`).
//!
//! The scan is one pass over each body line with bounded look-around, so it is linear in the
//! size of the input.

use crate::numeral::{self, Decimal, Parsed, arabic_digit, is_chinese_numeral_char};
use crate::text::{Document, is_blank, is_han};
use crate::{Direction, Qualifier};

/// A figure with byte offsets.
#[derive(Clone, Debug)]
pub struct RawFigure {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub unit: String,
    pub qualifier: Option<Qualifier>,
    pub change: bool,
    pub direction: Option<Direction>,
    pub range: Option<[f64; 2]>,
    pub metric: String,
    pub indicator: Option<String>,
    pub confidence: f64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum UnitKind {
    Count,
    Percent,
    Money,
    Measure,
    Duration,
    Date,
}

/// Units, grouped by kind. Matching takes the longest unit.
const UNITS: &[(&str, UnitKind)] = &[
    ("个百分点", UnitKind::Percent),
    ("百分点", UnitKind::Percent),
    ("%", UnitKind::Percent),
    ("％", UnitKind::Percent),
    ("‰", UnitKind::Percent),
    ("平方公里", UnitKind::Measure),
    ("平方千米", UnitKind::Measure),
    ("平方米", UnitKind::Measure),
    ("立方米", UnitKind::Measure),
    ("公顷", UnitKind::Measure),
    ("亩", UnitKind::Measure),
    ("公里", UnitKind::Measure),
    ("千米", UnitKind::Measure),
    ("米", UnitKind::Measure),
    ("吨", UnitKind::Measure),
    ("千克", UnitKind::Measure),
    ("公斤", UnitKind::Measure),
    ("克", UnitKind::Measure),
    ("千瓦", UnitKind::Measure),
    ("元", UnitKind::Money),
    ("个工作日", UnitKind::Duration),
    ("工作日", UnitKind::Duration),
    ("个小时", UnitKind::Duration),
    ("小时", UnitKind::Duration),
    ("分钟", UnitKind::Duration),
    ("秒钟", UnitKind::Duration),
    ("个月", UnitKind::Duration),
    ("天", UnitKind::Duration),
    ("周年", UnitKind::Date),
    ("年度", UnitKind::Date),
    ("季度", UnitKind::Date),
    ("世纪", UnitKind::Date),
    ("年", UnitKind::Date),
    ("月", UnitKind::Date),
    ("日", UnitKind::Date),
    ("号", UnitKind::Date),
    ("时", UnitKind::Date),
    ("秒", UnitKind::Date),
    ("周", UnitKind::Date),
    ("岁", UnitKind::Date),
    ("级", UnitKind::Date),
    ("等", UnitKind::Date),
    ("届", UnitKind::Date),
    ("代", UnitKind::Date),
    ("人次", UnitKind::Count),
    ("件次", UnitKind::Count),
    ("家次", UnitKind::Count),
    ("间次", UnitKind::Count),
    ("宗次", UnitKind::Count),
    ("场次", UnitKind::Count),
    ("车次", UnitKind::Count),
    ("户次", UnitKind::Count),
    ("批次", UnitKind::Count),
    ("幅次", UnitKind::Count),
    ("架次", UnitKind::Count),
    ("台次", UnitKind::Count),
    ("起次", UnitKind::Count),
    ("份次", UnitKind::Count),
    ("班次", UnitKind::Count),
    ("课时", UnitKind::Count),
    ("大类", UnitKind::Count),
    ("名", UnitKind::Count),
    ("人", UnitKind::Count),
    ("位", UnitKind::Count),
    ("户", UnitKind::Count),
    ("家", UnitKind::Count),
    ("间", UnitKind::Count),
    ("处", UnitKind::Count),
    ("个", UnitKind::Count),
    ("项", UnitKind::Count),
    ("件", UnitKind::Count),
    ("宗", UnitKind::Count),
    ("起", UnitKind::Count),
    ("次", UnitKind::Count),
    ("场", UnitKind::Count),
    ("期", UnitKind::Count),
    ("栏", UnitKind::Count),
    ("份", UnitKind::Count),
    ("张", UnitKind::Count),
    ("本", UnitKind::Count),
    ("册", UnitKind::Count),
    ("条", UnitKind::Count),
    ("篇", UnitKind::Count),
    ("封", UnitKind::Count),
    ("幅", UnitKind::Count),
    ("块", UnitKind::Count),
    ("台", UnitKind::Count),
    ("辆", UnitKind::Count),
    ("艘", UnitKind::Count),
    ("套", UnitKind::Count),
    ("支", UnitKind::Count),
    ("座", UnitKind::Count),
    ("栋", UnitKind::Count),
    ("幢", UnitKind::Count),
    ("所", UnitKind::Count),
    ("批", UnitKind::Count),
    ("类", UnitKind::Count),
    ("种", UnitKind::Count),
    ("组", UnitKind::Count),
    ("轮", UnitKind::Count),
    ("笔", UnitKind::Count),
    ("单", UnitKind::Count),
    ("节", UnitKind::Count),
    ("堂", UnitKind::Count),
    ("棵", UnitKind::Count),
    ("株", UnitKind::Count),
    ("盏", UnitKind::Count),
    ("只", UnitKind::Count),
    ("倍", UnitKind::Count),
    ("分", UnitKind::Count),
];

/// Units by first character, longest first.
static UNIT_INDEX: std::sync::LazyLock<
    std::collections::HashMap<char, Vec<(&'static str, UnitKind)>>,
> = std::sync::LazyLock::new(|| {
    let mut m: std::collections::HashMap<char, Vec<(&'static str, UnitKind)>> =
        std::collections::HashMap::new();
    for &(u, k) in UNITS {
        if let Some(c) = u.chars().next() {
            m.entry(c).or_default().push((u, k));
        }
    }
    for v in m.values_mut() {
        v.sort_by_key(|(u, _)| std::cmp::Reverse(u.len()));
    }
    m
});

fn match_unit(rest: &str) -> Option<(&'static str, UnitKind)> {
    let first = rest.chars().next()?;
    UNIT_INDEX
        .get(&first)?
        .iter()
        .find(|(u, _)| rest.starts_with(u))
        .copied()
}

/// Clause delimiters: the metric phrase of a figure never crosses one.
fn is_delim(c: char) -> bool {
    matches!(
        c,
        '，' | ','
            | '；'
            | ';'
            | '。'
            | '：'
            | ':'
            | '！'
            | '!'
            | '？'
            | '?'
            | '、'
            | '（'
            | '('
            | '）'
            | ')'
            | '\n'
            | '\t'
    )
}

/// Characters after a figure that end its clause.
fn ends_clause(c: Option<char>) -> bool {
    c.is_none_or(|c| is_delim(c) || is_blank(c) || matches!(c, '”' | '"' | '’' | '】' | '》'))
}

/// Byte ranges of `《…》`, `〔…〕`, `[…]`, `【…】` and short quotations inside a line.
fn protected_ranges(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut book: Vec<usize> = Vec::new();
    let mut open_quote: Option<(usize, char)> = None;
    let mut bracket: Option<usize> = None;
    for (i, c) in line.char_indices() {
        match c {
            '《' | '〈' => book.push(i),
            '》' | '〉' => {
                if let Some(s) = book.pop()
                    && book.is_empty()
                {
                    out.push((s, i + c.len_utf8()));
                }
            }
            '〔' | '[' | '【' | '［' => bracket = Some(i),
            '〕' | ']' | '】' | '］' => {
                if let Some(s) = bracket.take() {
                    out.push((s, i + c.len_utf8()));
                }
            }
            '“' | '「' | '『' | '‘' => open_quote = Some((i, c)),
            '”' | '」' | '』' | '’' => {
                if let Some((s, _)) = open_quote.take()
                    && line[s..i].chars().count() <= 21
                {
                    out.push((s, i + c.len_utf8()));
                }
            }
            '"' => match open_quote {
                Some((s, '"')) => {
                    open_quote = None;
                    if line[s..i].chars().count() <= 21 {
                        out.push((s, i + 1));
                    }
                }
                _ => open_quote = Some((i, '"')),
            },
            _ => {}
        }
    }
    out.sort_unstable();
    // Keep only outermost ranges so that ends are increasing too.
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(out.len());
    for r in out {
        match merged.last_mut() {
            Some(last) if r.0 < last.1 => last.1 = last.1.max(r.1),
            _ => merged.push(r),
        }
    }
    merged
}

fn prev_char(s: &str, at: usize) -> Option<char> {
    s[..at].chars().next_back()
}

fn next_char(s: &str, at: usize) -> Option<char> {
    s.get(at..)?.chars().next()
}

/// Words before a number that make it a rule constant rather than a result.
const NORM_WORDS: &[&str] = &[
    "不低于",
    "不少于",
    "不超过",
    "不高于",
    "不得",
    "至少",
    "最多",
    "原则上",
    "应当",
    "必须",
    "控制在",
];

/// Verbs of change; the bool says whether the direction is an increase.
const CHANGE_VERBS: &[(&str, bool)] = &[
    ("增长", true),
    ("增加", true),
    ("上升", true),
    ("提高", true),
    ("提升", true),
    ("增速", true),
    ("增幅", true),
    ("扩大", true),
    ("下降", false),
    ("减少", false),
    ("降低", false),
    ("回落", false),
    ("收窄", false),
    ("降幅", false),
    ("节省", false),
    ("节约", false),
    ("缩短", false),
    ("压缩", false),
    ("下滑", false),
    ("减", false),
    ("增", true),
    ("降", false),
    ("升", true),
];

const COMPARE_WORDS: &[&str] = &[
    "同比",
    "环比",
    "较上年",
    "比上年",
    "较去年",
    "比去年",
    "较上月",
    "较同期",
    "比同期",
    "较上一年",
];

/// Leading fillers removed from a metric phrase.
const LEAD_FILLERS: &[&str] = &[
    "其中",
    "共计",
    "合计",
    "总计",
    "累计",
    "全年",
    "今年以来",
    "今年",
    "截至目前",
    "目前",
    "已经",
    "已",
    "并",
    "同时",
    "另有",
    "此外",
    "先后",
    "年内",
    "本年度",
    "以来",
    "共",
    "还",
    "均",
    "全面",
    "分别",
];
/// Trailing fillers removed from a metric phrase.
const TRAIL_FILLERS: &[&str] = &[
    "达到",
    "共计",
    "合计",
    "累计",
    "保持",
    "分别为",
    "分别",
    "均为",
    "均",
    "达",
    "为",
    "共",
    "计",
    "有",
    "了",
    "是",
    "已",
];

/// Extracts the figures of the body lines.
pub fn extract(doc: &Document) -> Vec<RawFigure> {
    let mut out = Vec::new();
    for (i, l) in doc.lines.iter().enumerate() {
        if l.noise || Some(i) == doc.title_line {
            continue;
        }
        let line = doc.line(i);
        let before = out.len();
        scan_line(line, &mut out);
        for f in &mut out[before..] {
            f.start += l.start;
            f.end += l.start;
        }
    }
    out
}

struct Num {
    start: usize,
    parsed: Parsed,
    chinese: bool,
}

fn scan_line(line: &str, out: &mut Vec<RawFigure>) {
    let first = out.len();
    // Computed on the first candidate only: most lines have no number at all.
    let protected_cell: std::cell::OnceCell<Vec<(usize, usize)>> = std::cell::OnceCell::new();
    // Candidates come in increasing order, so a moving cursor over the (sorted) protected
    // ranges keeps the check linear.
    let cursor = std::cell::Cell::new(0usize);
    let in_protected = |p: usize| {
        let protected = protected_cell.get_or_init(|| protected_ranges(line));
        let mut k = cursor.get();
        while k < protected.len() && protected[k].1 <= p {
            k += 1;
        }
        cursor.set(k);
        protected[k..]
            .iter()
            .take_while(|r| r.0 <= p)
            .any(|&(s, e)| s <= p && p < e)
    };
    let bytes = line.as_bytes();
    let mut i = 0;
    // End of the previous figure: a metric phrase starts after it.
    let mut last_end = 0;
    while i < line.len() {
        let b = bytes[i];
        // Fast path: ASCII that is not a digit, and UTF-8 lead bytes of characters that cannot
        // be numerals (numerals are U+3007, U+4E00..U+9FFF and U+FF10..U+FF19: lead bytes E3,
        // E4..E9 and EF).
        if (b < 0x80 && !b.is_ascii_digit()) || (b >= 0x80 && !matches!(b, 0xE3..=0xE9 | 0xEF)) {
            i += 1;
            continue;
        }
        {
            let Some(c) = next_char(line, i) else { break };
            let cl = c.len_utf8();
            let arabic = arabic_digit(c).is_some();
            let chinese =
                !arabic && (is_chinese_numeral_char(c) || line[i..].starts_with("百分之"));
            if !arabic && !chinese {
                i += cl;
                continue;
            }
            let prev = prev_char(line, i);
            // Inside a run (part of a code, a word or a longer numeral).
            if prev.is_some_and(|p| {
                p.is_ascii_alphanumeric()
                    || arabic_digit(p).is_some()
                    || matches!(p, '+' | '#' | '_' | '.' | '．' | '-' | '/' | '~' | '·')
                    || (chinese && is_chinese_numeral_char(p))
            }) {
                i = skip_run(line, i);
                continue;
            }
            let res = if arabic {
                numeral::parse_arabic(line, i).map(|p| Num {
                    start: i,
                    parsed: p,
                    chinese: false,
                })
            } else if line[i..].starts_with("百分之") {
                percent_words(line, i)
            } else {
                numeral::parse_chinese(line, i)
                    .or_else(|| round_hundreds(line, i, prev))
                    .map(|p| Num {
                        start: i,
                        parsed: p,
                        chinese: true,
                    })
            };
            let Some(num) = res else {
                i = skip_run(line, i);
                continue;
            };
            let num_end = num.parsed.end;
            match figure_at(line, &num, last_end, &in_protected) {
                Some(mut f) => {
                    i = f.end.max(num_end);
                    // "233宗57.91万平方米", "4期60栏", "192宗、320人次": a figure right after
                    // another one measures the same thing.
                    if out.len() > first
                        && let Some(prev) = out.last()
                        && f.metric.is_empty()
                        && line[last_end..f.start]
                            .chars()
                            .all(|c| is_delim(c) || is_blank(c) || c == '共')
                    {
                        f.metric = prev.metric.clone();
                    }
                    last_end = f.end;
                    out.push(f);
                }
                None => i = num_end.max(i + cl),
            }
        }
    }
}

/// Skips the character at `i` and the rest of the alphanumeric or numeral run it belongs to;
/// always advances.
fn skip_run(line: &str, i: usize) -> usize {
    let Some(first) = next_char(line, i) else {
        return line.len();
    };
    let mut j = i + first.len_utf8();
    let chinese = is_chinese_numeral_char(first);
    while let Some(c) = next_char(line, j) {
        let same = if chinese {
            is_chinese_numeral_char(c)
        } else {
            c.is_ascii_alphanumeric() || arabic_digit(c).is_some() || matches!(c, '.' | '．')
        };
        if !same {
            break;
        }
        j += c.len_utf8();
    }
    j
}

/// `百余人`, `近百次`, `上千人`, `数万份`: a bare 百/千/万 read as one hundred (thousand, ten
/// thousand) when a qualifier says it is a round approximate number.
fn round_hundreds(line: &str, i: usize, prev: Option<char>) -> Option<Parsed> {
    let c = next_char(line, i)?;
    let value = match c {
        '百' => 100,
        '千' => 1000,
        '万' => 10_000,
        _ => return None,
    };
    let end = i + c.len_utf8();
    let next = next_char(line, end);
    let qualified =
        matches!(next, Some('余' | '多')) || matches!(prev, Some('近' | '上' | '数' | '逾' | '超'));
    if !qualified || next.is_some_and(is_chinese_numeral_char) {
        return None;
    }
    Some(Parsed {
        value: Decimal::int(value),
        end,
        chars: 1,
        fractional: false,
    })
}

/// `百分之八十` → 80 %; `百分之百` → 100 %.
fn percent_words(line: &str, i: usize) -> Option<Num> {
    let at = i + "百分之".len();
    let (value, end) =
        if line[at..].starts_with('百') && !line[at + 3..].starts_with(is_chinese_numeral_char) {
            (Decimal::int(100), at + 3)
        } else if let Some(p) = numeral::parse_arabic(line, at) {
            (p.value, p.end)
        } else {
            let p = numeral::parse_chinese(line, at)?;
            (p.value, p.end)
        };
    Some(Num {
        start: i,
        parsed: Parsed {
            value,
            end,
            chars: line[i..end].chars().count(),
            fractional: false,
        },
        chinese: false,
    })
}

fn eat<'a>(s: &'a str, at: &mut usize, words: &[&'a str]) -> Option<&'a str> {
    let rest = s.get(*at..)?;
    for w in words {
        if rest.starts_with(w) {
            *at += w.len();
            return Some(w);
        }
    }
    None
}

fn skip_spaces(s: &str, at: usize, max: usize) -> usize {
    let mut j = at;
    let mut n = 0;
    while n < max {
        match next_char(s, j) {
            Some(c @ (' ' | '\u{3000}' | '\u{a0}')) => {
                j += c.len_utf8();
                n += 1;
            }
            _ => break,
        }
    }
    j
}

fn figure_at(
    line: &str,
    num: &Num,
    clause_floor: usize,
    in_protected: &dyn Fn(usize) -> bool,
) -> Option<RawFigure> {
    let start = num.start;
    let is_percent_words = line[start..].starts_with("百分之");
    if in_protected(start) {
        return None;
    }
    let prev = prev_char(line, start);
    if prev == Some('第') {
        return None;
    }
    let mut value = num.parsed.value;
    let mut p = num.parsed.end;
    let mut qualifier: Option<Qualifier> = None;
    let mut range: Option<[f64; 2]> = None;

    // What follows the numeral directly.
    let after = next_char(line, p);
    if !num.chinese {
        if after.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '+' | '#' | '_' | '@')) {
            return None;
        }
        if after == Some(':') && next_char(line, p + 1).is_some_and(|c| c.is_ascii_digit()) {
            return None; // a time of day
        }
    }
    // Ranges: 3-5次, 3至5次, 20%-30%.
    if let Some(sep) = after.filter(|c| matches!(c, '-' | '~' | '～' | '—' | '–' | '至' | '到'))
    {
        let q = p + sep.len_utf8();
        let second = if num.chinese {
            numeral::parse_chinese(line, q)
        } else {
            numeral::parse_arabic(line, q)
        };
        if let Some(second) = second {
            let rest = &line[second.end..];
            let unit = match_unit(rest);
            match unit {
                Some((_, UnitKind::Date)) => return None,
                None if matches!(sep, '-' | '/' | '~' | '—' | '–') => return None,
                None => {}
                Some(_) => {
                    range = Some([value.to_f64(), second.value.to_f64()]);
                    p = second.end;
                }
            }
        } else if matches!(sep, '-' | '~' | '—' | '–') && !num.chinese {
            // `20%-30%`-like forms are handled below; a dangling dash is not a figure marker.
        }
    }
    // Optional blank before the unit ("4 个", "2.7 %").
    let p_blank = skip_spaces(line, p, 2);
    let mut q = p_blank;
    if eat(line, &mut q, &["余", "多", "来"]).is_some() {
        qualifier = Some(Qualifier::Over);
    }
    let mut money_mult = false;
    if !num.chinese && !is_percent_words {
        if let Some((pow, len)) = numeral::parse_multiplier(&line[q..]) {
            value = value.scale(pow);
            q += len;
            money_mult = true;
            if let Some(r) = range.as_mut() {
                let f = 10f64.powi(pow);
                r[0] *= f;
                r[1] *= f;
            }
            if eat(line, &mut q, &["余", "多"]).is_some() {
                qualifier = Some(Qualifier::Over);
            }
        }
    } else if num.chinese {
        // 三十余万元: the multiplier is part of the Chinese numeral or follows 余.
        if eat(line, &mut q, &["万", "亿"]).is_some() {
            let pow = if line[..q].ends_with('万') { 4 } else { 8 };
            value = value.scale(pow);
            money_mult = true;
        }
    }
    let unit = if is_percent_words {
        Some(("%", UnitKind::Percent))
    } else {
        match_unit(&line[q..])
    };
    let end_after_unit;
    let unit_str: String;
    let kind;
    match unit {
        Some((u, k)) => {
            kind = Some(k);
            unit_str = u.to_string();
            end_after_unit = if is_percent_words { q } else { q + u.len() };
        }
        None => {
            kind = None;
            unit_str = String::new();
            end_after_unit = if money_mult { q } else { p };
        }
    }
    let mut end = end_after_unit;
    // Percentage ranges: 20%-30%, 20%至30%.
    if kind == Some(UnitKind::Percent) && range.is_none() {
        let mut it = line[end..].chars();
        if let Some(sep @ ('-' | '~' | '～' | '—' | '–' | '至' | '到')) = it.next() {
            let q2 = end + sep.len_utf8();
            if let Some(second) = numeral::parse_arabic(line, q2)
                && let Some((u2, UnitKind::Percent)) = match_unit(&line[second.end..])
            {
                range = Some([value.to_f64(), second.value.to_f64()]);
                end = second.end + u2.len();
            }
        }
    }
    // Suffix qualifiers.
    let mut threshold = false;
    {
        let mut r = end;
        if let Some(w) = eat(
            line,
            &mut r,
            &[
                "以上", "以下", "以内", "左右", "上下", "有余", "之多", "余", "多",
            ],
        ) {
            let follows_noun = next_char(line, r).is_some_and(is_han);
            match w {
                "以上" | "以下" | "以内" => {
                    if follows_noun {
                        threshold = true;
                    }
                    qualifier = Some(if w == "以上" {
                        Qualifier::Over
                    } else {
                        Qualifier::Under
                    });
                }
                "左右" | "上下" => qualifier = Some(Qualifier::About),
                "余" | "多" if kind.is_some() => {
                    // 多 after a unit is usually part of the next word (多次, 多元); only 余 is
                    // taken, and only before a delimiter.
                    if w == "余" && ends_clause(next_char(line, r)) {
                        qualifier = Some(Qualifier::Over);
                    } else {
                        r = end;
                    }
                }
                "余" | "多" => r = end,
                _ => qualifier = Some(Qualifier::Over),
            }
            end = r;
        }
    }
    if threshold {
        return None;
    }
    let follow = next_char(line, end);

    // Decide whether this is a figure.
    match kind {
        None => {
            if num.chinese || num.parsed.fractional && !money_mult {
                return None;
            }
            // A bare number only after a word that introduces an amount, and at clause end.
            let pre = line[..start].trim_end_matches(is_blank);
            let intro = ["共", "为", "达", "计", "是", "有", "至", "到", "合计"]
                .iter()
                .any(|w| pre.ends_with(w));
            if !intro || !ends_clause(follow) {
                return None;
            }
            let v = value.to_f64();
            if (1900.0..=2100.0).contains(&v) && value.is_integer() && !money_mult {
                return None;
            }
        }
        Some(UnitKind::Date) => return None,
        Some(UnitKind::Duration) if !ends_clause(follow) => return None,
        Some(UnitKind::Measure) => {
            let rest = &line[end..];
            if ["范围", "以内", "内", "距离", "半径", "以外", "之内"]
                .iter()
                .any(|w| rest.starts_with(w))
            {
                return None;
            }
        }
        _ => {}
    }
    if kind == Some(UnitKind::Duration) || kind == Some(UnitKind::Count) {
        let rest = &line[end..];
        if rest.starts_with('内') || rest.starts_with("以内") || rest.starts_with("之内") {
            return None;
        }
    }
    // Small Chinese numerals before a noun are determiners of names and slogans (三项制度,
    // 一支队伍, 两个领导小组): a figure only when it closes the clause or precedes a quoted title.
    if num.chinese && !is_percent_words {
        let v = value.to_f64();
        let small = v <= 10.0;
        let ok_follow = ends_clause(follow)
            || matches!(follow, Some('“' | '"' | '「' | '和' | '及' | '与' | '等'));
        if small && !ok_follow {
            return None;
        }
        // 二期 / 三批 / 十三号线 right after a name are ordinals.
        if matches!(unit_str.as_str(), "期" | "批" | "类" | "号")
            && !prev.is_some_and(|p| "开展举办出版组织共了分办".contains(p))
        {
            return None;
        }
        if prev.is_some_and(|p| p == '前' || p == '后' || p == '每' || p == '周' || p == '星')
        {
            return None;
        }
        // 一起 is "together" unless something happened: 发生一起, 查处一起.
        if v == 1.0 && unit_str == "起" && !prev.is_some_and(|p| "生理查办受了处".contains(p))
        {
            return None;
        }
    }
    // Rankings: 前10名, 前3位.
    if !num.chinese && prev == Some('前') && matches!(unit_str.as_str(), "名" | "位") {
        return None;
    }
    // Prefix qualifier.
    let mut span_start = start;
    {
        let pre = &line[clause_floor.min(start)..start];
        let pre_t = pre.trim_end_matches([' ', '\u{3000}']);
        let gap = pre.len() - pre_t.len();
        for (w, q) in [
            ("将近", Qualifier::Nearly),
            ("接近", Qualifier::Nearly),
            ("大约", Qualifier::About),
            ("超过", Qualifier::Over),
            ("不足", Qualifier::Under),
            ("不到", Qualifier::Under),
            ("近", Qualifier::Nearly),
            ("约", Qualifier::About),
            ("超", Qualifier::Over),
            ("逾", Qualifier::Over),
            ("数", Qualifier::Over),
            ("上", Qualifier::Over),
        ] {
            if pre_t.ends_with(w) && gap <= 1 {
                let before = &pre_t[..pre_t.len() - w.len()];
                let blocked = match w {
                    // Words that end in the qualifier's character: 最近, 就近; 村规民约, 节约;
                    // 人数, 总数.
                    "近" => {
                        before.ends_with(['最', '附', '临', '靠', '就', '邻', '亲', '贴', '远'])
                    }
                    "约" => before.ends_with([
                        '节', '签', '合', '预', '制', '履', '违', '特', '相', '邀', '民', '公',
                        '条', '规', '契', '婚', '毁', '解', '践', '赴', '守', '失', '缔', '立',
                        '誓', '简', '租', '要', '爽', '隐',
                    ]),
                    "超" => before.ends_with(['赶', '高']),
                    // 数十次, 上百人: only before a Chinese round number.
                    "数" | "上" => {
                        !num.chinese
                            || !line[start..].starts_with(['十', '百', '千', '万'])
                            || before.ends_with([
                                '人', '总', '次', '件', '户', '个', '分', '指', '函', '系', '基',
                                '倍', '多', '少', '半', '无', '岁', '票', '线', '以', '马', '晚',
                                '早',
                            ])
                    }
                    _ => false,
                };
                if !blocked {
                    span_start = start - gap - w.len();
                    qualifier = Some(q);
                }
                break;
            }
        }
    }
    // Clause prefix: from the last delimiter (or the previous figure) to the figure.
    let clause_start = clause_start(line, span_start).max(clause_floor.min(span_start));
    let prefix = &line[clause_start..span_start];
    // Distributive and normative quantities.
    if let Some(k) = prefix.rfind('每') {
        let gap = prefix[k..].chars().count();
        if gap <= 6 {
            return None;
        }
    }
    if NORM_WORDS.iter().any(|w| prefix.contains(w)) {
        return None;
    }

    // Change or level.
    let mut change = false;
    let mut direction = None;
    {
        let mut pt = prefix.trim_end_matches(is_blank);
        loop {
            let before = pt;
            for t in ["了", "达", "为", "约", "近", "超过", "超"] {
                pt = pt.strip_suffix(t).unwrap_or(pt);
            }
            if pt == before {
                break;
            }
        }
        if let Some(&(_, up)) = CHANGE_VERBS.iter().find(|(v, _)| pt.ends_with(v)) {
            let rate = matches!(kind, Some(UnitKind::Percent)) || unit_str == "倍";
            let compared = COMPARE_WORDS.iter().any(|w| prefix.contains(w));
            if rate || compared {
                change = true;
                direction = Some(if up {
                    Direction::Increase
                } else {
                    Direction::Decrease
                });
            }
        }
    }

    let metric = metric_phrase(prefix, &line[end..]);
    // The full-width percent sign is the same unit as `%`.
    let unit_out = if unit_str == "％" {
        "%".to_string()
    } else {
        unit_str
    };
    Some(RawFigure {
        start: span_start,
        end,
        value: value.to_f64(),
        unit: unit_out,
        qualifier,
        change,
        direction,
        range,
        metric,
        indicator: None,
        confidence: 0.0,
    })
}

/// Start of the clause that ends at `at`: after the last delimiter, where an enumeration comma
/// (`决策、合同、文书469份`) and a short parenthesis inside a word (`建(构)筑物`) do not count.
fn clause_start(line: &str, at: usize) -> usize {
    // Never look further back than a metric phrase can be long (keeps the scan linear).
    let floor = at.saturating_sub(120);
    let it = line[..at]
        .char_indices()
        .rev()
        .take_while(|&(i, _)| i >= floor);
    let mut inner_paren: Option<usize> = None;
    for (i, c) in it {
        match c {
            ')' | '）' => {
                // Look for the opening parenthesis within a few characters.
                let window: String = line[..i].chars().rev().take(5).collect();
                if window.contains(['(', '（']) && !window.contains(['，', ',', '。']) {
                    inner_paren = Some(i);
                    continue;
                }
                return i + c.len_utf8();
            }
            '(' | '（' if inner_paren.is_some() => inner_paren = None,
            '、' => {}
            c if is_delim(c) => return i + c.len_utf8(),
            _ => {}
        }
    }
    if floor == 0 {
        0
    } else {
        // Cut in the middle of a very long clause: start at a character boundary.
        (floor..at)
            .find(|&i| line.is_char_boundary(i))
            .unwrap_or(at)
    }
}

fn metric_phrase(prefix: &str, after: &str) -> String {
    let mut m = prefix.trim_matches(|c: char| is_blank(c) || c == '、');
    loop {
        let before = m;
        if let Some(rest) = LEAD_FILLERS.iter().find_map(|w| m.strip_prefix(w)) {
            m = rest;
        }
        // A leading year: "2023年，" is cut by the delimiter, "2023年以来" is not.
        let digits = m.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 4 && m[4..].starts_with('年') {
            m = m[7..].trim_start_matches('度');
        }
        if let Some(rest) = TRAIL_FILLERS.iter().find_map(|w| m.strip_suffix(w)) {
            m = rest;
        }
        m = m.trim_matches(|c: char| is_blank(c) || c == '、');
        if m == before {
            break;
        }
    }
    let mut out = m.to_string();
    // A count before its noun ("223名员工", "14个法律援助点"): add the noun.
    let noun: String = after
        .chars()
        .take_while(|&c| !is_delim(c) && arabic_digit(c).is_none() && !is_blank(c))
        .take(16)
        .collect();
    if !noun.is_empty() && noun.starts_with(is_han) {
        out.push_str(&noun);
    }
    let n = out.chars().count();
    if n > 40 {
        out = out.chars().skip(n - 40).collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figs(s: &str) -> Vec<(String, f64, String, bool)> {
        let mut v = Vec::new();
        scan_line(s, &mut v);
        v.into_iter()
            .map(|f| {
                (
                    s[f.start..f.end].to_string(),
                    f.value,
                    f.unit,
                    f.qualifier.is_some(),
                )
            })
            .collect()
    }

    fn one(s: &str) -> (String, f64, String, bool) {
        let v = figs(s);
        assert_eq!(v.len(), 1, "{s}: {v:?}");
        v.into_iter().next().unwrap()
    }

    #[test]
    fn counts_money_and_rates() {
        assert_eq!(
            one("各类事项合法性审查131次，"),
            ("131次".into(), 131.0, "次".into(), false)
        );
        assert_eq!(
            one("派发宣传单张近5万份，"),
            ("近5万份".into(), 50000.0, "份".into(), true)
        );
        assert_eq!(
            one("涉及金额0.5万余元。"),
            ("0.5万余元".into(), 5000.0, "元".into(), true)
        );
        assert_eq!(
            one("召开党工委会议三十余次，"),
            ("三十余次".into(), 30.0, "次".into(), true)
        );
        assert_eq!(
            one("涉及金额337.1857万元，"),
            ("337.1857万元".into(), 3371857.0, "元".into(), false)
        );
        assert_eq!(
            one("不满意率为8.7%。"),
            ("8.7%".into(), 8.7, "%".into(), false)
        );
        assert_eq!(
            one("持续推动4 个专项债项目"),
            ("4 个".into(), 4.0, "个".into(), false)
        );
        assert_eq!(
            one("学法讲座两次，"),
            ("两次".into(), 2.0, "次".into(), false)
        );
        assert_eq!(
            one("涉及金额1000余万元。"),
            ("1000余万元".into(), 1.0e7, "元".into(), true)
        );
        assert_eq!(
            one("实现分类率30%以上。"),
            ("30%以上".into(), 30.0, "%".into(), true)
        );
        assert_eq!(
            one("接待群众超14000人次，"),
            ("超14000人次".into(), 14000.0, "人次".into(), true)
        );
        assert_eq!(
            one("通过政府网站发布信息共137，"),
            ("137".into(), 137.0, "".into(), false)
        );
        assert_eq!(
            one("百分之八十的社区"),
            ("百分之八十".into(), 80.0, "%".into(), false)
        );
    }

    #[test]
    fn not_figures() {
        for s in [
            "2023年3月获“广州市第二批法治镇街”称号",
            "省委“1310”具体部署",
            "〔2023〕7号",
            "开展“八五”普法",
            "落实三项制度，",
            "在20个工作日内办结",
            "办结12345平台",
            "建设5G站点",
            "践行1分钟接报、3分钟流转",
            "实现3万元以上街道合同应审尽审",
            "全线贯通海口涌及支涌6米范围内楼房",
            "完成每个社区4个法律明白人审核",
            "第十一次会议",
            "按照不低于本单位执法人员总数5%的比率配置",
            "1-10月我街",
            "《调解化193名打工人》",
            "一是加强组织领导",
            "充分利用12.4宪法宣传日",
            "发布日期:2023-12-14 17:16:02",
            "动态管理三支队伍",
            "十九届二中、三中全会",
            "加快轨道交通十三号线二期、广佛肇高速",
        ] {
            assert!(figs(s).is_empty(), "{s}: {:?}", figs(s));
        }
    }

    #[test]
    fn round_numbers_rankings_and_together() {
        assert_eq!(
            one("覆盖群众百余人。"),
            ("百余人".into(), 100.0, "人".into(), true)
        );
        assert_eq!(
            one("近百人参加培训"),
            ("近百人".into(), 100.0, "人".into(), true)
        );
        assert_eq!(
            one("开展宣传数十次,"),
            ("数十次".into(), 10.0, "次".into(), true)
        );
        assert_eq!(one("发生一起。"), ("一起".into(), 1.0, "起".into(), false));
        assert_eq!(
            one("指导修订村规民约2项。"),
            ("2项".into(), 2.0, "项".into(), false)
        );
        assert_eq!(
            one("参训人数十余人。"),
            ("十余人".into(), 10.0, "人".into(), true)
        );
        for s in [
            "千方百计",
            "和群众在一起。",
            "排名全市前10名",
            "最多跑一次。",
            "十分重视",
        ] {
            assert!(figs(s).is_empty(), "{s}: {:?}", figs(s));
        }
        let mut v = Vec::new();
        scan_line("占比20%-30%。", &mut v);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].range, Some([20.0, 30.0]));
    }

    #[test]
    fn changes_and_ranges() {
        let mut v = Vec::new();
        scan_line(
            "同比下降2.7 %，降幅较上月收窄0.94个百分点，减少了6项证明",
            &mut v,
        );
        assert_eq!(v.len(), 3);
        assert!(v[0].change && v[0].direction == Some(Direction::Decrease));
        assert!(v[1].change);
        assert!(!v[2].change);
        let mut v = Vec::new();
        scan_line("每年开展3-5次", &mut v);
        assert!(v.is_empty());
        scan_line("开展培训3-5次。", &mut v);
        assert_eq!(v[0].range, Some([3.0, 5.0]));
    }
}
