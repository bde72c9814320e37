//! Server-side SVG charts for the dashboard: no JavaScript, no build chain. Every mark carries a
//! `<title>` (hover text) and, where given, a link to the records behind it.

use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// A "nice" upper bound for an axis (1, 2, 5 × 10^k).
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if v <= m * p {
            return m * p;
        }
    }
    10.0 * p
}

/// One line of a line chart; `None` values leave a gap (missing, not zero).
pub struct Series<'a> {
    pub name: &'a str,
    pub color: &'a str,
    pub values: Vec<Option<f64>>,
}

/// A line chart of monthly values with x labels, e.g. this year vs last year.
pub fn line_chart(x_labels: &[String], series: &[Series<'_>], width: u32, height: u32) -> String {
    let (l, r, t, b) = (44.0, 12.0, 22.0, 26.0);
    let (w, h) = (width as f64 - l - r, height as f64 - t - b);
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .fold(0.0, f64::max),
    );
    let n = x_labels.len().max(2);
    let x = |i: usize| l + w * i as f64 / (n - 1) as f64;
    let y = |v: f64| t + h - h * v / max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" font-size="11" font-family="sans-serif">"#
    );
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{l}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e2e8f0"/><text x="{}" y="{:.1}" text-anchor="end" fill="#66788a">{}</text>"##,
            l + w,
            l - 6.0,
            yy + 4.0,
            fmt_num(v)
        );
    }
    for (i, lab) in x_labels.iter().enumerate() {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#66788a">{}</text>"##,
            x(i),
            height as f64 - 8.0,
            esc(lab)
        );
    }
    for (si, se) in series.iter().enumerate() {
        let mut d = String::new();
        let mut pen_up = true;
        for (i, v) in se.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen_up { "M" } else { "L" },
                        x(i),
                        y(*v)
                    );
                    pen_up = false;
                }
                None => pen_up = true,
            }
        }
        let _ = write!(
            s,
            r#"<path d="{d}" fill="none" stroke="{}" stroke-width="2"/>"#,
            se.color
        );
        for (i, v) in se.values.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"><title>{} {}：{}</title></circle>"#,
                    x(i),
                    y(*v),
                    se.color,
                    esc(se.name),
                    esc(&x_labels.get(i).cloned().unwrap_or_default()),
                    fmt_num(*v)
                );
            }
        }
        let lx = l + 8.0 + si as f64 * 110.0;
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="4" width="10" height="10" fill="{}"/><text x="{}" y="13" fill="#1f2933">{}</text>"##,
            se.color,
            lx + 14.0,
            esc(se.name)
        );
    }
    s.push_str("</svg>");
    s
}

/// One bar: label, value (None = missing), optional link.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub href: Option<String>,
}

/// Horizontal bars, e.g. child units side by side.
pub fn bar_chart(bars: &[Bar], unit: &str, width: u32) -> String {
    let row = 24.0;
    let (l, r) = (120.0, 60.0);
    let height = (bars.len() as f64 * row + 8.0).max(32.0);
    let w = width as f64 - l - r;
    let max = nice_max(bars.iter().filter_map(|b| b.value).fold(0.0, f64::max));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" font-size="12" font-family="sans-serif">"#
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * row;
        let _ = write!(
            s,
            r##"<text x="{}" y="{:.1}" text-anchor="end" fill="#1f2933">{}</text>"##,
            l - 8.0,
            y + 15.0,
            esc(&b.label)
        );
        let body = match b.value {
            Some(v) => {
                let bw = (w * v / max).max(1.0);
                format!(
                    r##"<rect x="{l}" y="{:.1}" width="{bw:.1}" height="16" rx="2" fill="#b4232a"><title>{}：{}{}</title></rect><text x="{:.1}" y="{:.1}" fill="#1f2933">{}{}</text>"##,
                    y + 2.0,
                    esc(&b.label),
                    fmt_num(v),
                    esc(unit),
                    l + bw + 6.0,
                    y + 15.0,
                    fmt_num(v),
                    esc(unit)
                )
            }
            None => format!(
                r##"<text x="{l}" y="{:.1}" fill="#c53030">缺数</text>"##,
                y + 15.0
            ),
        };
        match &b.href {
            Some(h) => {
                let _ = write!(s, r#"<a href="{}">{body}</a>"#, esc(h));
            }
            None => s.push_str(&body),
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_use_nice_bounds() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(130.0), 200.0);
        assert_eq!(nice_max(5571.0), 10000.0);
    }

    #[test]
    fn missing_values_are_gaps_not_zero() {
        let labels: Vec<String> = (1..=4).map(|m| format!("{m}月")).collect();
        let svg = line_chart(
            &labels,
            &[Series {
                name: "今年",
                color: "#b4232a",
                values: vec![Some(10.0), None, Some(30.0), Some(20.0)],
            }],
            400,
            200,
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(
            svg.matches('M').count(),
            2,
            "the line restarts after the gap"
        );
        let bars = bar_chart(
            &[
                Bar {
                    label: "望湖社区".into(),
                    value: None,
                    href: None,
                },
                Bar {
                    label: "<x>".into(),
                    value: Some(5.0),
                    href: Some("/cases?a=1&b=2".into()),
                },
            ],
            "件",
            400,
        );
        assert!(
            bars.contains("缺数") && bars.contains("&lt;x&gt;") && bars.contains("a=1&amp;b=2")
        );
    }
}
