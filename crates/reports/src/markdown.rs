//! Markdown (CommonMark + pipe tables) output.

use crate::fill::{
    Filled, FilledSection, NO_DATE_MARKER, Para, Span, invalid_marker, missing_marker,
    no_previous_marker,
};
use crate::render::{APPENDIX_HEADING, appendix_rows};

/// Escape inline Markdown in `s` (not line starts; see [`escape_line_start`]).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A paragraph must not start a heading, quote, list or rule by accident.
fn escape_line_start(line: String) -> String {
    match line.chars().next() {
        Some('#' | '-' | '+' | '=' | '>') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            // "1. " / "1) " would start an ordered list: escape the delimiter ("1\. ").
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let rest = &line[digits..];
            let delim = rest.starts_with(['.', ')']);
            let after = rest.get(1..).unwrap_or("");
            if delim && (after.is_empty() || after.starts_with([' ', '\t'])) {
                format!("{}\\{}", &line[..digits], rest)
            } else {
                line
            }
        }
        _ => line,
    }
}

fn spans(spans: &[Span]) -> String {
    let mut out = String::new();
    for s in spans {
        match s {
            Span::Text { text } | Span::Figure { text, .. } => out.push_str(&escape(text)),
            Span::Missing { id } => out.push_str(&format!("**{}**", escape(&missing_marker(id)))),
            Span::Invalid { raw } => out.push_str(&format!("**{}**", escape(&invalid_marker(raw)))),
            Span::NoPrevious { id } => {
                out.push_str(&format!("**{}**", escape(&no_previous_marker(id))))
            }
        }
    }
    out
}

fn para(out: &mut String, p: &Para) {
    let text = format!(
        "{}{}",
        p.lead.as_deref().map(escape).unwrap_or_default(),
        spans(&p.spans)
    );
    out.push_str(&escape_line_start(text));
    out.push_str("\n\n");
}

fn section(out: &mut String, s: &FilledSection) {
    let heading = format!("{}{}", escape(&s.number), spans(&s.heading));
    match &s.run_in {
        Some(p) => {
            let rest = format!(
                "{}{}",
                p.lead.as_deref().map(escape).unwrap_or_default(),
                spans(&p.spans)
            );
            out.push_str(&format!("**{heading}**{rest}\n\n"));
        }
        None => {
            let hashes = "#".repeat((s.level + 1).min(6));
            out.push_str(&format!("{hashes} {heading}\n\n"));
        }
    }
    for p in &s.paras {
        para(out, p);
    }
    for c in &s.children {
        section(out, c);
    }
}

fn cell(s: &str) -> String {
    escape(s).replace('\n', " ")
}

/// The report as Markdown: `#` title, `##` for `一、`, `###` for `（一）`, `####` for `1.`,
/// run-in headings in bold, signature, then the appendix table.
pub fn render_markdown(f: &Filled) -> String {
    let mut out = format!("# {}\n\n", escape(&f.title));
    for p in &f.opening {
        para(&mut out, p);
    }
    for s in &f.sections {
        section(&mut out, s);
    }
    for p in &f.closing {
        para(&mut out, p);
    }
    // Hard line break (two spaces) between unit and date.
    out.push_str(&format!("{}  \n", escape(&f.signature_unit)));
    match &f.signature_date {
        Some(d) => out.push_str(&format!("{}\n\n", escape(d))),
        None => out.push_str(&format!("**{}**\n\n", escape(NO_DATE_MARKER))),
    }
    out.push_str(&format!("## {APPENDIX_HEADING}\n\n"));
    let rows = appendix_rows(f);
    if rows.is_empty() {
        out.push_str("本报告未引用统计数据。\n");
        return out;
    }
    out.push_str("| 序号 | 指标 | 数值 | 单位 | 类型 | 口径 | 来源 |\n");
    out.push_str("| ---: | --- | ---: | --- | --- | --- | --- |\n");
    for r in rows {
        let value = if r.missing {
            format!("**{}**", cell(&r.value))
        } else {
            cell(&r.value)
        };
        out.push_str(&format!(
            "| {} | {}（`{}`） | {} | {} | {} | {} | {} |\n",
            r.number,
            cell(&r.label),
            r.id.replace('`', "'"),
            value,
            cell(&r.unit),
            cell(&r.kind),
            cell(&r.definition),
            cell(&r.source),
        ));
    }
    out
}
