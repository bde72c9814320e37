//! HTML output: a standalone page (`render_html`) or the `<article>` alone
//! (`render_html_fragment`) for embedding in the app. Figures link to their appendix row.

use crate::fill::{
    Filled, FilledSection, NO_DATE_MARKER, Para, Span, invalid_marker, missing_marker,
    no_previous_marker,
};
use crate::render::{APPENDIX_HEADING, AppendixRow, appendix_rows};

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Fragment id of a figure's appendix row.
fn anchor(id: &str) -> String {
    let slug: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("fig-{slug}")
}

/// The stylesheet `render_html` embeds, for pages that embed `render_html_fragment`.
pub const STYLESHEET: &str = r#".fazhi-report{max-width:156mm;margin:0 auto;color:#000;font-size:16pt;line-height:28.95pt;font-family:"仿宋_GB2312","FangSong_GB2312","仿宋","FangSong","STFangsong","Noto Serif CJK SC",serif}
.fazhi-report h1{font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","华文中宋","STZhongsong","宋体","SimSun","Noto Serif CJK SC",serif;font-size:22pt;line-height:1.5;font-weight:normal;text-align:center;margin:0 0 28.95pt}
.fazhi-report h2,.fazhi-report h3,.fazhi-report h4,.fazhi-report h5,.fazhi-report h6,.fazhi-report p{font-size:16pt;font-weight:normal;line-height:28.95pt;margin:0;text-indent:2em;text-align:justify}
.fazhi-report .l1{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif}
.fazhi-report .l2{font-family:"楷体_GB2312","KaiTi_GB2312","楷体","KaiTi","STKaiti",serif}
.fazhi-report .signature{margin-top:28.95pt}
.fazhi-report .signature p{text-align:right;text-indent:0;padding-right:2em}
.fazhi-report a.fig{color:inherit;text-decoration:none;border-bottom:1px dotted #666}
.fazhi-report mark.missing,.fazhi-report mark.invalid{background:#ffe08a;color:#b00000}
.fazhi-report .appendix{margin-top:2em;page-break-before:always}
.fazhi-report .appendix h2{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif;text-indent:0}
.fazhi-report table{border-collapse:collapse;width:100%;font-size:11pt;line-height:1.5}
.fazhi-report th,.fazhi-report td{border:1px solid #000;padding:2pt 4pt;vertical-align:top;text-align:left}
.fazhi-report th{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif;font-weight:normal}
.fazhi-report td code{font-size:9pt;color:#444}
"#;

fn spans(out: &mut String, spans: &[Span]) {
    for s in spans {
        match s {
            Span::Text { text } => out.push_str(&escape(text)),
            Span::Figure { id, text } => out.push_str(&format!(
                "<a class=\"fig\" href=\"#{}\" data-figure=\"{}\">{}</a>",
                anchor(id),
                escape(id),
                escape(text)
            )),
            Span::Missing { id } => out.push_str(&format!(
                "<mark class=\"missing\" data-figure=\"{}\">{}</mark>",
                escape(id),
                escape(&missing_marker(id))
            )),
            Span::Invalid { raw } => out.push_str(&format!(
                "<mark class=\"invalid\">{}</mark>",
                escape(&invalid_marker(raw))
            )),
            Span::NoPrevious { id } => out.push_str(&format!(
                "<mark class=\"missing\" data-figure=\"{}\">{}</mark>",
                escape(id),
                escape(&no_previous_marker(id))
            )),
        }
    }
}

fn para(out: &mut String, p: &Para) {
    out.push_str("<p>");
    if let Some(lead) = &p.lead {
        out.push_str(&escape(lead));
    }
    spans(out, &p.spans);
    out.push_str("</p>\n");
}

fn section(out: &mut String, s: &FilledSection) {
    let tag = format!("h{}", (s.level + 1).min(6));
    let class = format!("l{}", s.level.min(4));
    match &s.run_in {
        Some(p) => {
            out.push_str(&format!("<p><span class=\"{class}\">{}", escape(&s.number)));
            spans(out, &s.heading);
            out.push_str("</span>");
            if let Some(lead) = &p.lead {
                out.push_str(&escape(lead));
            }
            spans(out, &p.spans);
            out.push_str("</p>\n");
        }
        None => {
            out.push_str(&format!("<{tag} class=\"{class}\">{}", escape(&s.number)));
            spans(out, &s.heading);
            out.push_str(&format!("</{tag}>\n"));
        }
    }
    for p in &s.paras {
        para(out, p);
    }
    for c in &s.children {
        section(out, c);
    }
}

fn appendix(out: &mut String, rows: &[AppendixRow]) {
    out.push_str(&format!(
        "<section class=\"appendix\">\n<h2>{}</h2>\n",
        escape(APPENDIX_HEADING)
    ));
    if rows.is_empty() {
        out.push_str("<p>本报告未引用统计数据。</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th>序号</th><th>指标</th><th>数值</th><th>单位</th><th>类型</th><th>口径</th><th>来源</th></tr></thead>\n<tbody>\n");
    for r in rows {
        out.push_str(&format!(
            "<tr id=\"{}\"><td>{}</td><td>{}<br><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            anchor(&r.id),
            r.number,
            escape(&r.label),
            escape(&r.id),
            if r.missing {
                format!("<mark class=\"missing\">{}</mark>", escape(&r.value))
            } else {
                escape(&r.value)
            },
            escape(&r.unit),
            escape(&r.kind),
            escape(&r.definition),
            escape(&r.source),
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// The report as an `<article class="fazhi-report">` (styles not included).
pub fn render_html_fragment(f: &Filled) -> String {
    let mut out = String::new();
    out.push_str("<article class=\"fazhi-report\">\n");
    out.push_str(&format!("<h1>{}</h1>\n", escape(&f.title)));
    for p in &f.opening {
        para(&mut out, p);
    }
    for s in &f.sections {
        section(&mut out, s);
    }
    for p in &f.closing {
        para(&mut out, p);
    }
    out.push_str("<div class=\"signature\">\n");
    out.push_str(&format!("<p>{}</p>\n", escape(&f.signature_unit)));
    match &f.signature_date {
        Some(d) => out.push_str(&format!("<p>{}</p>\n", escape(d))),
        None => out.push_str(&format!(
            "<p><mark class=\"missing\">{}</mark></p>\n",
            escape(NO_DATE_MARKER)
        )),
    }
    out.push_str("</div>\n");
    appendix(&mut out, &appendix_rows(f));
    out.push_str("</article>\n");
    out
}

/// The report as a standalone HTML5 page with its stylesheet (official fonts named first,
/// common system CJK fonts as fallbacks).
pub fn render_html(f: &Filled) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLESHEET}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape(&f.title),
        render_html_fragment(f)
    )
}
