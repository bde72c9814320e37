//! The decoded text as lines, with page noise (breadcrumbs, share buttons, footers, ICP
//! numbers, menus) marked and the report body delimited.

use regex::Regex;
use std::sync::LazyLock;

/// One line of the text (without its line terminator), as byte offsets.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    pub start: usize,
    pub end: usize,
    /// Page chrome, or outside the report body: no headings or figures are taken from it.
    pub noise: bool,
}

/// The text, its lines and the report body.
pub struct Document<'a> {
    pub text: &'a str,
    pub lines: Vec<Line>,
    /// Index of the title line, when one was recognised.
    pub title_line: Option<usize>,
    /// Byte offset where the body ends (end of its last line).
    pub body_end: usize,
}

/// Noise markers of web-page chrome. Only applied to short lines: a body paragraph that
/// happens to mention an address or a telephone number is long and stays.
static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"位置\s*[:：]|首页\s*[>＞›»/]|[>＞›»]\s*首页|发布日期|发布时间|发文日期|成文日期|",
        r"来源\s*[:：]|信息来源|浏览量|浏览次数|访问总数|访问量|阅读量|阅读次数|点击数|点击量|",
        r"浏览字号|字号\s*[:：]|【\s*大\s*中\s*小\s*】|分享到|打印本页|打印此页|【打印】|关闭窗口|",
        r"关闭本页|扫一扫|相关文章|相关链接|相关阅读|上一篇|下一篇|ICP|公网安备|网站标识码|",
        r"版权所有|©|(?i:copyright)|联系我们|友情链接|网站地图|站点地图|主办\s*[:：单]|",
        r"承办\s*[:：单]|技术支持|联系电话|电话\s*[:：]|地址\s*[:：]|邮编|无障碍|长者助手|",
        r"简体版|繁体版|English|IPv6|浏览器|当前页|手机版|移动版|收藏本页|设为首页|加入收藏|",
        r"索引号|主题分类|^\s*附件\s*[:：]?\s*$|登录|注册|返回顶部|^\s*[|｜]|",
        r"责任编辑|编辑\s*[:：]|审核\s*[:：]|校对\s*[:：]|作者\s*[:：]|文章来源|发布机构|发文机关|",
        r"信息索引|文\s*号\s*[:：]|有效性|我要纠错|二维码|政务微博|政务微信|微信扫|手机扫|字体\s*[:：]|",
        r"【\s*[大中小]\s*】|^\s*(首页|上一页|下一页|尾页|打印|关闭)\s*$"
    ))
    .expect("noise regex")
});

/// A line that reads like a report title.
static TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(法治|依法行政).{0,30}报告|报告.{0,10}法治").expect("title"));

fn is_noise(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return false;
    }
    let n = t.chars().count();
    if n > 120 {
        return false;
    }
    if NOISE.is_match(t) {
        return true;
    }
    // Menus: several items separated by bars.
    let bars = t.matches(['|', '｜']).count();
    bars >= 2 && n <= 80
}

/// True when a line carries report text: enough Chinese with clause punctuation, or a
/// numbered heading.
fn is_content(line: &str) -> bool {
    let t = line.trim_start_matches(is_blank);
    let han = t.chars().take(200).filter(|c| is_han(*c)).count();
    if han >= 15 && t.contains(['，', ',', '。', '：', ':', '；']) {
        return true;
    }
    let mut it = t.chars();
    matches!(
        (it.next(), it.next()),
        (Some('一' | '二' | '三'), Some('、' | '是')) | (Some('(' | '（'), Some('一'))
    )
}

/// True for blank characters, the ideographic space and NBSP included.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

/// True for CJK unified ideographs.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Whether a line is a title candidate, and how good.
pub fn title_score(line: &str) -> Option<u32> {
    let t = line.trim_matches(is_blank);
    let n = t.chars().count();
    if !(8..=90).contains(&n) || t.ends_with(['。', '：', ':', '，', ',']) || t.contains("现将")
    {
        return None;
    }
    if !TITLE.is_match(t) || t.contains(['。', '，', '；']) {
        return None;
    }
    let mut score = 1;
    if t.chars().any(|c| c.is_ascii_digit()) && t.contains('年') {
        score += 2;
    }
    if ["街道", "镇", "乡", "区", "县", "政府", "办事处"]
        .iter()
        .any(|u| t.contains(u))
    {
        score += 2;
    }
    if t.contains("关于") {
        score += 1;
    }
    Some(score)
}

impl<'a> Document<'a> {
    /// Splits `text` into lines and marks noise and the body.
    pub fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    let end = if i > start && bytes[i - 1] == b'\r' {
                        i - 1
                    } else {
                        i
                    };
                    lines.push(Line {
                        start,
                        end,
                        noise: false,
                    });
                    start = i + 1;
                }
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                    lines.push(Line {
                        start,
                        end: i,
                        noise: false,
                    });
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        if start < text.len() {
            lines.push(Line {
                start,
                end: text.len(),
                noise: false,
            });
        }
        for l in &mut lines {
            l.noise = is_noise(&text[l.start..l.end]);
        }
        // The title: the best candidate among the first lines of the page.
        let mut title_line = None;
        let mut best = 0;
        for (i, l) in lines.iter().enumerate().take(60) {
            if l.noise {
                continue;
            }
            if let Some(s) = title_score(&text[l.start..l.end])
                && s > best
            {
                best = s;
                title_line = Some(i);
            }
        }
        // Everything before the title, or before the first line of report text, is chrome.
        let first = title_line.or_else(|| {
            lines
                .iter()
                .position(|l| !l.noise && is_content(&text[l.start..l.end]))
        });
        if let Some(first) = first {
            for l in &mut lines[..first] {
                l.noise = true;
            }
        }
        let body_end = lines
            .iter()
            .rev()
            .find(|l| !l.noise && !text[l.start..l.end].trim_matches(is_blank).is_empty())
            .map_or(0, |l| l.start + trim_end_len(&text[l.start..l.end]));
        Document {
            text,
            lines,
            title_line,
            body_end,
        }
    }

    /// The text of line `i`.
    pub fn line(&self, i: usize) -> &'a str {
        let l = self.lines[i];
        &self.text[l.start..l.end]
    }

    /// Converts byte offsets into character offsets in one pass.
    pub fn char_offsets(&self, offsets: impl Iterator<Item = usize>) -> CharMap {
        let mut v: Vec<usize> = offsets.collect();
        v.sort_unstable();
        v.dedup();
        let mut out = Vec::with_capacity(v.len());
        let mut chars = 0usize;
        let mut pos = 0usize;
        for b in v {
            let b = b.min(self.text.len());
            chars += count_chars(&self.text.as_bytes()[pos..b]);
            pos = b;
            out.push((b, chars));
        }
        CharMap(out)
    }
}

fn trim_end_len(s: &str) -> usize {
    s.trim_end_matches(is_blank).len()
}

/// Counts UTF-8 characters (bytes that are not continuation bytes).
pub fn count_chars(b: &[u8]) -> usize {
    b.iter().filter(|&&x| (x as i8) >= -0x40).count()
}

/// Byte → character offset lookup built by [`Document::char_offsets`].
pub struct CharMap(Vec<(usize, usize)>);

impl CharMap {
    /// The character offset of a byte offset that was passed in.
    pub fn get(&self, byte: usize) -> usize {
        match self.0.binary_search_by_key(&byte, |p| p.0) {
            Ok(i) => self.0[i].1,
            Err(i) => i.checked_sub(1).map_or(0, |j| self.0[j].1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_chrome_is_noise_and_report_lines_are_not() {
        for l in [
            "您当前所在的位置: 首页 > 政务公开 > 法治政府建设",
            "发布日期:2023-12-14 17:16:02 来源:海幢街",
            "粤ICP备05083207号-1网站标识码:4401050003",
            "联系我们 | 友情链接 | 站点地图",
            "明珠湾区| English |简体版|繁体版| 无障碍浏览|长者助手|登录",
            "扫一扫在手机打开当前页",
        ] {
            assert!(is_noise(l), "{l}");
        }
        for l in [
            "一、2023年主要工作",
            "(三)经费保障和执法硬件亟待优化。",
            "广州市海珠区人民政府海幢街道办事处",
        ] {
            assert!(!is_noise(l), "{l}");
        }
    }

    #[test]
    fn lines_and_body() {
        let t =
            "首页 > 新闻\r\n标题关于2023年度法治政府建设情况的报告\r\n  一、主要工作\n版权所有 ©";
        let d = Document::new(t);
        assert_eq!(d.lines.len(), 4);
        assert!(d.lines[0].noise && !d.lines[1].noise && d.lines[3].noise);
        assert_eq!(d.title_line, Some(1));
        assert_eq!(&t[d.body_end - "主要工作".len()..d.body_end], "主要工作");
    }
}
