//! `fazhi-reports`: the annual report on rule-of-law government construction
//! (法治政府建设年度报告) — model, template, figure filling and output as HTML, Markdown and
//! DOCX in the official document format (GB/T 9704-2012).
//!
//! Pure: no database, no clock, no I/O. The caller computes the indicators
//! ([`ReportDoc::placeholder_ids`] says which), calls [`fill`], then a renderer:
//!
//! ```
//! use std::collections::BTreeMap;
//! use fazhi_reports::{Figure, fill, render_markdown, template};
//!
//! let doc = template("某街道办事处", 2024);
//! let mut figures = BTreeMap::new();
//! figures.insert("hotline.received".to_owned(), Figure::computed(5571.0, "件", "12345工单受理量"));
//! let filled = fill(&doc, &figures);
//! assert!(filled.missing.contains(&"hotline.closed".to_owned())); // not supplied: a marker, not 0
//! let md = render_markdown(&filled);
//! assert!(md.contains("全年受理12345工单5571件"));
//! assert!(md.contains("【缺数：hotline.closed】"));
//! ```

pub mod casetype;
pub mod dashboard;
pub mod disclosure;
pub mod disclosure_render;
pub mod documents;
pub mod docx;
pub mod fill;
pub mod html;
pub mod markdown;
pub mod model;
pub mod number;
pub mod numbering;
pub mod placeholder;
pub mod render;
pub mod sample;
mod source;
pub mod template;

pub use casetype::{
    CaseTypeReport, Paragraph, Part, REPORT_FILE, case_type_reports, check_reports, parse_report,
};
pub use dashboard::{
    DASHBOARD_FILE, DashboardCards, FigureCard, TrendCard, check_dashboards, dashboard_cards,
    parse_dashboard,
};
pub use disclosure::{
    DisclosureReport, DisclosureSource, Narrative, Request, check_disclosure, disclosure_sources,
};
pub use disclosure_render::{
    render_disclosure_docx, render_disclosure_html, render_disclosure_html_fragment,
    render_disclosure_markdown,
};
pub use docx::render_docx;
pub use fill::{Diagnostic, Filled, FilledSection, Para, Severity, Span, UsedFigure, fill};
pub use html::{STYLESHEET, render_html, render_html_fragment};
pub use markdown::render_markdown;
pub use model::{Block, Figure, ReportDoc, Section, Signature, cn_date};
pub use number::{format_value, yoy_text};
pub use placeholder::Format;
pub use render::APPENDIX_HEADING;
pub use template::{
    SECTION_KEYS, compose, frame_indicators, template, template_for, template_indicators,
};
