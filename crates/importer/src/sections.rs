//! The section tree: numbered headings (一、 / (一) / 1. / (1) / 1) / ① / 第一部分), list
//! items (一是、二是, also inside a paragraph), unnumbered part headings, and the four standard
//! parts recognised by meaning.
//!
//! Levels are assigned the way a reader does: the first marker kind met is level 1, a new kind
//! nests under the current heading, and a kind already open closes everything below it.

use crate::Part;
use crate::text::{Document, is_blank, is_han};
use regex::Regex;
use std::sync::LazyLock;

/// Numbering marker kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PartNo,   // 第一部分
    CnComma,  // 一、
    CnParen,  // (一)
    ArDot,    // 1. / 1、
    ArParen,  // (1)
    ArRParen, // 1)
    Circled,  // ①
    Shi,      // 一是
    Bare,     // an unnumbered part heading
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::PartNo => "第一部分",
            Kind::CnComma => "一、",
            Kind::CnParen => "(一)",
            Kind::ArDot => "1.",
            Kind::ArParen => "(1)",
            Kind::ArRParen => "1)",
            Kind::Circled => "①",
            Kind::Shi => "一是",
            Kind::Bare => "none",
        }
    }
}

/// A section with byte offsets.
#[derive(Clone, Debug)]
pub struct RawSection {
    pub level: u8,
    pub heading: String,
    pub part: Part,
    pub parts: Vec<Part>,
    pub start: usize,
    pub end: usize,
    pub marker: &'static str,
    pub parent: Option<usize>,
}

static LEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"第一责任人|主要负责人.{0,12}(职责|责任|情况)|主要领导.{0,8}(职责|责任)|法治建设.{0,4}主体责任|^[^安企]{0,8}压实主体责任|履行.{0,6}主体责任")
        .expect("leader")
});
static SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"存在的?(主要)?(问题|不足|短板|困难|差距)|不足(之处)?(和|与|及|的)?原因|(问题|不足|困难)(和|与|及)(原因|差距|不足|问题|挑战)|^[^，,]{0,12}(不足|短板|差距)[^，,]{0,6}$|薄弱环节|面临的?(主要)?(困难|问题|挑战)|短板弱项|^[^，,]{0,8}主要问题")
        .expect("shortcomings")
});
static PLAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"下一步|下一年|下步|下年度|明年|来年|今后|计划|思路|打算|工作安排|展望|努力方向|目标任务|工作要点")
        .expect("plan")
});
static MEASURES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"举措|成效|主要工作|工作(开展|推进|进展|完成)?情况|做法|成绩|工作回顾|进展|完成情况|开展情况|主要措施|工作总结")
        .expect("measures")
});

/// The parts a heading names, most specific first.
pub fn classify(heading: &str) -> Vec<Part> {
    let mut v = Vec::new();
    if LEADER.is_match(heading) {
        v.push(Part::LeaderDuty);
    }
    // A plan heading may also say 举措 (工作思路目标举措); a shortcomings heading names 问题.
    let short = SHORT.is_match(heading);
    let plan = PLAN.is_match(heading);
    if short {
        v.push(Part::Shortcomings);
    }
    if plan {
        v.push(Part::Plan);
    }
    if !short && !plan && MEASURES.is_match(heading) {
        v.push(Part::Measures);
    }
    // When both a problem part and a plan are named, keep their order of mention.
    if short && plan {
        let s = SHORT.find(heading).map_or(0, |m| m.start());
        let p = PLAN.find(heading).map_or(0, |m| m.start());
        if p < s {
            let (a, b) = (
                v.iter().position(|x| *x == Part::Shortcomings),
                v.iter().position(|x| *x == Part::Plan),
            );
            if let (Some(a), Some(b)) = (a, b) {
                v.swap(a, b);
            }
        }
    }
    v
}

fn cn_small(c: char) -> Option<u32> {
    Some(match c {
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        _ => return None,
    })
}

/// Parses a Chinese ordinal 1..=99 at the start of `s`; returns (value, bytes).
fn cn_ordinal(s: &str) -> Option<(u32, usize)> {
    let mut chars = s.char_indices();
    let mut vals = Vec::with_capacity(3);
    let mut end = 0;
    for (i, c) in chars.by_ref() {
        match cn_small(c) {
            Some(v) if vals.len() < 3 => {
                vals.push(v);
                end = i + c.len_utf8();
            }
            _ => break,
        }
    }
    let n = match vals.as_slice() {
        [d] => *d,
        [10, d] if *d < 10 => 10 + d,
        [d, 10] if *d < 10 && *d > 1 => d * 10,
        [d, 10, e] if *d < 10 && *d > 1 && *e < 10 => d * 10 + e,
        _ => return None,
    };
    Some((n, end))
}

fn ar_ordinal(s: &str) -> Option<(u32, usize)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    Some((s[..digits].parse().ok()?, digits))
}

/// Recognises a marker at the start of `s`: (kind, number, marker length in bytes).
fn marker_at(s: &str) -> Option<(Kind, u32, usize)> {
    let first = s.chars().next()?;
    if first == '第' {
        let (n, l) = cn_ordinal(&s[3..])?;
        let rest = &s[3 + l..];
        if rest.starts_with("部分") || rest.starts_with('章') {
            let ml = if rest.starts_with('章') { 3 } else { 6 };
            return Some((Kind::PartNo, n, 3 + l + ml));
        }
        return None;
    }
    if first == '(' || first == '（' {
        let inner = &s[first.len_utf8()..];
        if let Some((n, l)) = cn_ordinal(inner) {
            let c = inner[l..].chars().next()?;
            if c == ')' || c == '）' {
                return Some((Kind::CnParen, n, first.len_utf8() + l + c.len_utf8()));
            }
        }
        if let Some((n, l)) = ar_ordinal(inner) {
            let c = inner[l..].chars().next()?;
            if c == ')' || c == '）' {
                return Some((Kind::ArParen, n, first.len_utf8() + l + c.len_utf8()));
            }
        }
        return None;
    }
    if ('①'..='⑳').contains(&first) {
        return Some((
            Kind::Circled,
            first as u32 - '①' as u32 + 1,
            first.len_utf8(),
        ));
    }
    if let Some((n, l)) = cn_ordinal(s) {
        let c = s[l..].chars().next()?;
        return match c {
            '、' | '．' | '.' => Some((Kind::CnComma, n, l + c.len_utf8())),
            '是' => Some((Kind::Shi, n, l + c.len_utf8())),
            _ => None,
        };
    }
    if let Some((n, l)) = ar_ordinal(s) {
        let mut it = s[l..].chars();
        let c = it.next()?;
        let next = it.next();
        if next.is_some_and(|x| x.is_ascii_digit() || x == '%') {
            return None;
        }
        return match c {
            '.' | '．' | '、' => Some((Kind::ArDot, n, l + c.len_utf8())),
            ')' | '）' => Some((Kind::ArRParen, n, l + c.len_utf8())),
            _ => None,
        };
    }
    None
}

/// The heading of a list item (`一是…`, `(1)…`): up to the first full stop, or up to the first
/// comma when the sentence is long ("一是领导带头学,将…纳入…").
fn item_text(line: &str) -> String {
    let full = heading_text(line);
    if full.chars().count() <= 30 {
        return full;
    }
    match full.find([',', '，']) {
        Some(i) if full[..i].chars().count() >= 4 => full[..i].to_string(),
        _ => full,
    }
}

/// The heading text of a heading starting at byte `start` of `line`: up to the first full stop
/// (or semicolon), at most 80 characters.
fn heading_text(line: &str) -> String {
    let cap = line.char_indices().nth(120).map_or(line.len(), |(i, _)| i);
    let end = line[..cap]
        .find(['。', '！', '？', '；', ';', '!', '?'])
        .unwrap_or(cap);
    let t = line[..end].trim_end_matches(is_blank);
    t.chars().take(80).collect()
}

struct Open {
    kind: Kind,
    number: u32,
    section: usize,
}

struct Builder {
    stack: Vec<Open>,
    out: Vec<RawSection>,
}

impl Builder {
    /// Tries to open a heading; returns true when accepted.
    fn open(
        &mut self,
        kind: Kind,
        number: u32,
        start: usize,
        heading: String,
        inline: bool,
    ) -> bool {
        if let Some(p) = self.stack.iter().position(|o| o.kind == kind) {
            let last = self.stack[p].number;
            if !(number == 1 || (number > last && number <= last + 3)) {
                return false;
            }
            self.stack.truncate(p);
        } else if !self.stack.is_empty() || inline {
            // A new kind of numbering starts a new list.
            if number != 1 && kind != Kind::Bare {
                return false;
            }
        }
        if kind == Kind::Bare {
            self.stack.clear();
        }
        let level = (self.stack.len() + 1).min(u8::MAX as usize) as u8;
        let parent = self.stack.last().map(|o| o.section);
        self.out.push(RawSection {
            level,
            heading,
            part: Part::Other,
            parts: Vec::new(),
            start,
            end: start,
            marker: kind.label(),
            parent,
        });
        self.stack.push(Open {
            kind,
            number,
            section: self.out.len() - 1,
        });
        true
    }

    fn top_kind(&self) -> Option<(Kind, u32)> {
        self.stack.last().map(|o| (o.kind, o.number))
    }
}

/// Detects the section tree of a document.
pub fn detect(doc: &Document) -> Vec<RawSection> {
    let mut b = Builder {
        stack: Vec::new(),
        out: Vec::new(),
    };
    for (li, l) in doc.lines.iter().enumerate() {
        if l.noise || Some(li) == doc.title_line {
            continue;
        }
        let line = doc.line(li);
        let lead = line.len() - line.trim_start_matches(is_blank).len();
        let body = &line[lead..];
        if body.is_empty() {
            continue;
        }
        let mut inline_from = 0;
        if let Some((kind, n, ml)) = marker_at(body) {
            let after = body[ml..].trim_start_matches(is_blank);
            // A marker must be followed by text, not by a number or punctuation.
            let ok = after
                .chars()
                .next()
                .is_some_and(|c| is_han(c) || c.is_ascii_alphanumeric() || "“\"《‘「".contains(c));
            let text = if matches!(kind, Kind::Shi | Kind::ArParen | Kind::Circled) {
                item_text(body)
            } else {
                heading_text(body)
            };
            if ok && b.open(kind, n, l.start + lead, text, false) {
                inline_from = ml;
            }
        } else if is_bare_part_heading(body) {
            b.open(Kind::Bare, 1, l.start + lead, heading_text(body), false);
            continue;
        }
        scan_inline(&mut b, body, l.start + lead, inline_from);
    }
    finish(doc, &mut b.out);
    b.out
}

/// A short unnumbered line that names a standard part (`存在的问题`, `下一步工作打算`).
fn is_bare_part_heading(s: &str) -> bool {
    let t = s.trim_matches(is_blank);
    let n = t.chars().count();
    if !(4..=30).contains(&n) || t.contains(['，', ',', '。', '；', ';', '：', ':']) {
        return false;
    }
    let parts = classify(t);
    !parts.is_empty() && !t.contains("报告")
}

/// Finds list items inside a paragraph: `一是…` after a sentence end (or after a comma when it
/// continues a list), and `(1)…` after a colon or sentence end.
fn scan_inline(b: &mut Builder, body: &str, base: usize, from: usize) {
    let bytes = body.as_bytes();
    let mut i = from;
    while i < body.len() {
        let Some(c) = body[i..].chars().next() else {
            break;
        };
        let cl = c.len_utf8();
        let strong = matches!(c, '。' | '；' | ';' | '：' | ':' | '！' | '？' | '!' | '?');
        let weak = matches!(c, '，' | ',');
        if strong || weak {
            let mut j = i + cl;
            while j < body.len() && bytes[j] == b' ' {
                j += 1;
            }
            let rest = &body[j..];
            if let Some((kind, n, _)) = marker_at(rest)
                && (kind == Kind::Shi || (kind == Kind::ArParen && strong))
            {
                let continues = b
                    .top_kind()
                    .is_some_and(|(k, last)| k == kind && n == last + 1);
                let starts = n == 1 && (strong || list_follows(rest, kind));
                if continues || starts {
                    b.open(kind, n, base + j, item_text(rest), true);
                }
            }
        }
        i += cl;
    }
}

/// True when an inline `一是` after a comma is followed by `二是` in the same paragraph.
fn list_follows(rest: &str, kind: Kind) -> bool {
    match kind {
        Kind::Shi => {
            let cap = rest.char_indices().nth(400).map_or(rest.len(), |(i, _)| i);
            rest[..cap].contains("二是")
        }
        _ => false,
    }
}

/// Sets ends and parts.
fn finish(doc: &Document, out: &mut [RawSection]) {
    let n = out.len();
    // Ends with a stack of open sections: linear in the number of sections.
    let mut open: Vec<usize> = Vec::new();
    for i in 0..n {
        while let Some(&j) = open.last() {
            if out[j].level >= out[i].level {
                out[j].end = out[i].start.max(out[j].start);
                open.pop();
            } else {
                break;
            }
        }
        open.push(i);
    }
    for j in open {
        out[j].end = doc.body_end.max(out[j].start);
    }
    let mut seen_late = false;
    let mut seen_short = false;
    for i in 0..n {
        let own = classify(&out[i].heading);
        out[i].parts = own.clone();
        match out[i].parent {
            None => {
                // After the problems part comes the plan, however it is worded
                // ("三、2024年重点工作").
                let after_problems = seen_short
                    && (out[i].heading.contains('年') || out[i].heading.contains("工作"));
                let part = own.first().copied().unwrap_or(if after_problems {
                    Part::Plan
                } else if seen_late {
                    Part::Other
                } else {
                    Part::Measures
                });
                if part == Part::Shortcomings || own.contains(&Part::Shortcomings) {
                    seen_short = true;
                }
                if matches!(part, Part::Shortcomings | Part::Plan) {
                    seen_late = true;
                }
                out[i].part = part;
            }
            Some(p) => {
                let (pp, pparts) = (out[p].part, out[p].parts.clone());
                let merged: Vec<Part> = own
                    .iter()
                    .copied()
                    .filter(|x| pparts.len() > 1 && pparts.contains(x))
                    .collect();
                out[i].part = if let Some(x) = merged.first() {
                    *x
                } else if pp == Part::Measures && own.contains(&Part::LeaderDuty) {
                    Part::LeaderDuty
                } else if pp == Part::Other && !own.is_empty() {
                    own[0]
                } else {
                    pp
                };
            }
        }
    }
}

/// For each position (byte offset, in increasing order), the innermost section containing it.
pub fn innermost(
    sections: &[RawSection],
    positions: impl Iterator<Item = usize>,
) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    let mut next = 0;
    let mut open: Vec<usize> = Vec::new();
    for p in positions {
        while next < sections.len() && sections[next].start <= p {
            while open
                .last()
                .is_some_and(|&j| sections[j].level >= sections[next].level)
            {
                open.pop();
            }
            open.push(next);
            next += 1;
        }
        while open.last().is_some_and(|&j| sections[j].end <= p) {
            open.pop();
        }
        out.push(open.last().copied());
    }
    out
}

/// Heading texts of a section and its ancestors, innermost first, by section index.
pub fn heading_texts(_doc: &Document, sections: &[RawSection]) -> Vec<String> {
    sections
        .iter()
        .map(|s| {
            let mut t = s.heading.clone();
            let mut p = s.parent;
            let mut depth = 0;
            while let Some(i) = p {
                if depth >= 2 {
                    break;
                }
                t.push('\n');
                t.push_str(&sections[i].heading);
                p = sections[i].parent;
                depth += 1;
            }
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_by_meaning() {
        assert_eq!(classify("一、2023年主要工作"), vec![Part::Measures]);
        assert_eq!(classify("一、工作开展情况"), vec![Part::Measures]);
        assert_eq!(classify("二、2023年工作存在问题"), vec![Part::Shortcomings]);
        assert_eq!(classify("三、存在的不足和原因"), vec![Part::Shortcomings]);
        assert_eq!(
            classify("四、2022年推进法治政府建设的工作思路目标举措"),
            vec![Part::Plan]
        );
        assert_eq!(classify("二、下一步工作计划"), vec![Part::Plan]);
        assert_eq!(
            classify("二、党政主要负责人履行推进法治建设第一责任人职责情况"),
            vec![Part::LeaderDuty]
        );
        assert_eq!(
            classify("三、存在的问题及下一步工作打算"),
            vec![Part::Shortcomings, Part::Plan]
        );
        assert!(classify("(二)加快转变政府职能").is_empty());
        assert_eq!(classify("二、面临的困难和问题"), vec![Part::Shortcomings]);
    }

    #[test]
    fn markers() {
        assert_eq!(marker_at("一、主要").map(|m| m.0), Some(Kind::CnComma));
        assert_eq!(
            marker_at("(十二)x").map(|m| (m.0, m.1)),
            Some((Kind::CnParen, 12))
        );
        assert_eq!(
            marker_at("（3）x").map(|m| (m.0, m.1)),
            Some((Kind::ArParen, 3))
        );
        assert_eq!(marker_at("12.4宪法日"), None);
        assert_eq!(marker_at("2、x").map(|m| m.0), Some(Kind::ArDot));
        assert_eq!(marker_at("三是x").map(|m| (m.0, m.1)), Some((Kind::Shi, 3)));
        assert_eq!(
            marker_at("第二部分 x").map(|m| (m.0, m.1)),
            Some((Kind::PartNo, 2))
        );
        assert_eq!(marker_at("1-10月"), None);
        assert_eq!(marker_at("一批"), None);
    }
}
