//! The annual report (法治政府建设年度报告) of a unit and year: a draft document edited in the
//! app, filled from the indicators; freezing it snapshots every figure so a later change in the
//! records cannot change a published report silently; a diff shows what would change.

use std::collections::BTreeMap;

use fazhi_domain::{Role, UnitId};
use fazhi_reports::{Figure, Filled, ReportDoc};
use fazhi_store::reports::{self as store, ReportRow};
use fazhi_store::{AuditEntry, org};
use serde::Serialize;

use crate::{Actor, App, AppError};

/// A report with its parsed document.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub row: ReportRow,
    pub doc: ReportDoc,
    pub unit_name: String,
}

/// One figure whose value differs between the frozen snapshot and the records now.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FigureChange {
    pub id: String,
    pub label: String,
    pub frozen: Option<f64>,
    pub current: Option<f64>,
    pub unit: String,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Html,
    Markdown,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "docx" => Some(Format::Docx),
            "html" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

fn writer(actor: &Actor) -> Result<(), AppError> {
    if actor.has(Role::Admin) || actor.has(Role::Leader) || actor.has(Role::Handler) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "需要“系统管理员”“分管领导”或“承办人”角色".into(),
        ))
    }
}

fn parse_doc(row: &ReportRow) -> Result<ReportDoc, AppError> {
    serde_json::from_str(&row.body)
        .map_err(|e| AppError::Internal(format!("report {} body: {e}", row.id)))
}

impl App {
    async fn visible_unit(
        &self,
        actor: &Actor,
        unit: UnitId,
    ) -> Result<fazhi_store::UnitRow, AppError> {
        let u = org::unit(&self.db, unit).await?;
        if !u.path.starts_with(&actor.unit_path) {
            return Err(AppError::NotFound(format!("单位{unit}")));
        }
        Ok(u)
    }

    /// The report of `unit` for `year`, created from the standard template on first use.
    pub async fn report_open(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: i64,
    ) -> Result<Report, AppError> {
        let u = self.visible_unit(actor, unit).await?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::invalid(
                "year",
                "range",
                "年度：应为2000至2100之间的年份",
            ));
        }
        if let Some(row) = store::find(&self.db, unit, year).await? {
            let doc = parse_doc(&row)?;
            return Ok(Report {
                row,
                doc,
                unit_name: u.name,
            });
        }
        writer(actor)?;
        // Composed from the frame and the report paragraphs of the registry's case types (issue
        // 17 will pass the case types the unit runs).
        let doc =
            fazhi_reports::template_for(&self.registry, &u.name, year as i32).map_err(|d| {
                let lines: Vec<String> = d.iter().map(ToString::to_string).collect();
                AppError::Internal(format!("report.toml: {}", lines.join("; ")))
            })?;
        let body = serde_json::to_string(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let id = store::insert(&mut tx, unit, year, &doc.title, &body, now).await?;
        let after = serde_json::json!({ "unit": u.code, "year": year, "title": doc.title });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "create",
            entity: "report",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        let row = store::get(&self.db, id).await?;
        Ok(Report {
            row,
            doc,
            unit_name: u.name,
        })
    }

    pub async fn report(&self, actor: &Actor, id: i64) -> Result<Report, AppError> {
        let row = store::get(&self.db, id).await?;
        let u = self.visible_unit(actor, row.unit_id).await?;
        let doc = parse_doc(&row)?;
        Ok(Report {
            row,
            doc,
            unit_name: u.name,
        })
    }

    pub async fn reports(&self, actor: &Actor) -> Result<Vec<(ReportRow, String)>, AppError> {
        let units = org::units(&self.db).await?;
        Ok(store::list(&self.db)
            .await?
            .into_iter()
            .filter_map(|r| {
                units
                    .iter()
                    .find(|u| u.id == r.unit_id && u.path.starts_with(&actor.unit_path))
                    .map(|u| (r, u.name.clone()))
            })
            .collect())
    }

    /// Saves a draft's document. Refused once frozen (unfreeze first, which is audited).
    pub async fn report_save(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        doc: &ReportDoc,
    ) -> Result<i64, AppError> {
        writer(actor)?;
        let r = self.report(actor, id).await?;
        if r.row.status == "frozen" {
            return Err(AppError::Conflict("报告已定稿，修改前须先撤销定稿".into()));
        }
        let mut problems = Vec::new();
        if doc.title.trim().is_empty() {
            problems.push(crate::FieldProblem::new("title", "required", "标题：必填"));
        }
        if doc.title.chars().count() > 100 {
            problems.push(crate::FieldProblem::new(
                "title",
                "too_long",
                "标题：最多100个字符",
            ));
        }
        if doc.sections.is_empty() {
            problems.push(crate::FieldProblem::new(
                "sections",
                "required",
                "正文：至少需要一个部分",
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let body = serde_json::to_string(doc).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let v = store::save(&mut tx, id, version, &doc.title, &body, now)
            .await
            .map_err(|e| match e {
                fazhi_store::StoreError::Conflict(_) => {
                    AppError::Conflict("报告已被他人修改，请刷新后重试".into())
                }
                other => other.into(),
            })?;
        let before = serde_json::json!({ "version": version, "body": r.row.body });
        let after = serde_json::json!({ "version": v, "body": body });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "edit",
            entity: "report",
            entity_id: &id.to_string(),
            before: Some(&before),
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// The figures a report uses: the frozen snapshot once frozen, otherwise computed now.
    pub async fn report_figures(
        &self,
        actor: &Actor,
        r: &Report,
    ) -> Result<BTreeMap<String, Figure>, AppError> {
        if let Some(s) = &r.row.snapshot {
            return serde_json::from_str(s)
                .map_err(|e| AppError::Internal(format!("snapshot: {e}")));
        }
        self.current_figures(actor, r).await
    }

    async fn current_figures(
        &self,
        actor: &Actor,
        r: &Report,
    ) -> Result<BTreeMap<String, Figure>, AppError> {
        let ids = r.doc.placeholder_ids();
        let yoy = r.doc.yoy_ids();
        self.report_figure_values(actor, r.row.unit_id, r.row.year as i32, &ids, &yoy)
            .await
    }

    pub async fn report_filled(&self, actor: &Actor, r: &Report) -> Result<Filled, AppError> {
        let figures = self.report_figures(actor, r).await?;
        Ok(fazhi_reports::fill(&r.doc, &figures))
    }

    pub async fn report_render(
        &self,
        actor: &Actor,
        id: i64,
        format: Format,
    ) -> Result<Vec<u8>, AppError> {
        let r = self.report(actor, id).await?;
        let filled = self.report_filled(actor, &r).await?;
        Ok(match format {
            Format::Docx => fazhi_reports::render_docx(&filled),
            Format::Html => fazhi_reports::render_html(&filled).into_bytes(),
            Format::Markdown => fazhi_reports::render_markdown(&filled).into_bytes(),
        })
    }

    /// Freezes the report for publication: every figure it uses is snapshotted.
    pub async fn report_freeze(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> Result<(), AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "定稿需要“分管领导”或“系统管理员”角色".into(),
            ));
        }
        let r = self.report(actor, id).await?;
        if r.row.status == "frozen" {
            return Err(AppError::Conflict("报告已定稿".into()));
        }
        let figures = self.current_figures(actor, &r).await?;
        let snapshot =
            serde_json::to_string(&figures).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        store::set_frozen(
            &mut tx,
            id,
            version,
            Some(&snapshot),
            Some(&actor.login),
            now,
        )
        .await?;
        let after = serde_json::json!({ "status": "frozen", "figures": figures });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "freeze",
            entity: "report",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Returns a frozen report to draft (the snapshot stays in the audit log).
    pub async fn report_unfreeze(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> Result<(), AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "撤销定稿需要“分管领导”或“系统管理员”角色".into(),
            ));
        }
        let r = self.report(actor, id).await?;
        if r.row.status != "frozen" {
            return Err(AppError::Conflict("报告尚未定稿".into()));
        }
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        store::set_frozen(&mut tx, id, version, None, None, now).await?;
        let before = serde_json::json!({ "status": "frozen", "snapshot": r.row.snapshot });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "unfreeze",
            entity: "report",
            entity_id: &id.to_string(),
            before: Some(&before),
            after: None,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What would change if the frozen report were recomputed from today's records.
    pub async fn report_diff(&self, actor: &Actor, id: i64) -> Result<Vec<FigureChange>, AppError> {
        let r = self.report(actor, id).await?;
        let Some(s) = &r.row.snapshot else {
            return Ok(Vec::new());
        };
        let frozen: BTreeMap<String, Figure> =
            serde_json::from_str(s).map_err(|e| AppError::Internal(e.to_string()))?;
        let current = self.current_figures(actor, &r).await?;
        let mut out = Vec::new();
        for (id, f) in &frozen {
            let now = current.get(id).and_then(|c| c.value);
            let same = match (f.value, now) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                (None, None) => true,
                _ => false,
            };
            if !same {
                out.push(FigureChange {
                    id: id.clone(),
                    label: f.label.clone(),
                    frozen: f.value,
                    current: now,
                    unit: f.unit.clone(),
                });
            }
        }
        Ok(out)
    }
}

/// The editable text form of a report body, for a plain textarea:
///
/// ```text
/// 开头段落……（第一个标题之前的段落是开头）
///
/// # 2024年主要举措和成效
/// ## 政府职能依法全面履行
/// 正文段落，可含数据占位符，如{hotline.closed}。
///
/// - 一是……（以“- ”开头的连续行是“一是、二是”列举）
/// - 二是……
/// ## （下一个小标题）
/// ```
///
/// `#` to `####` give the depth (一、 （一） 1. （1）; numbers are added automatically, do not
/// type them); `#!` marks a run-in heading (the heading opens its first paragraph). Paragraphs are
/// separated by blank lines.
pub fn doc_to_outline(doc: &ReportDoc) -> String {
    fn blocks(out: &mut String, bs: &[fazhi_reports::Block]) {
        for b in bs {
            match b {
                fazhi_reports::Block::Paragraph(p) => {
                    for para in p.split('\n').filter(|x| !x.trim().is_empty()) {
                        out.push_str(para.trim());
                        out.push_str("\n\n");
                    }
                }
                fazhi_reports::Block::Items(items) => {
                    for i in items {
                        out.push_str("- ");
                        out.push_str(i.trim());
                        out.push('\n');
                    }
                    out.push('\n');
                }
            }
        }
    }
    fn section(out: &mut String, s: &fazhi_reports::Section, depth: usize) {
        out.push_str(&"#".repeat(depth + 1));
        if s.run_in {
            out.push('!');
        }
        out.push(' ');
        out.push_str(s.heading.trim());
        out.push('\n');
        blocks(out, &s.blocks);
        for c in &s.children {
            section(out, c, depth + 1);
        }
    }
    let mut out = String::new();
    blocks(&mut out, &doc.opening);
    for s in &doc.sections {
        section(&mut out, s, 0);
    }
    if !doc.closing.is_empty() {
        out.push_str("#结语\n");
        blocks(&mut out, &doc.closing);
    }
    out
}

/// Parses the outline text back into the body of `base` (title, unit, year and signature are kept
/// from `base`). Problems name the line.
pub fn outline_to_doc(base: &ReportDoc, text: &str) -> Result<ReportDoc, AppError> {
    use fazhi_reports::{Block, Section};
    #[derive(Default)]
    struct Acc {
        para: Vec<String>,
        items: Vec<String>,
    }
    fn flush(acc: &mut Acc, into: &mut Vec<Block>) {
        if !acc.para.is_empty() {
            into.push(Block::Paragraph(acc.para.join("")));
            acc.para.clear();
        }
        if !acc.items.is_empty() {
            into.push(Block::Items(std::mem::take(&mut acc.items)));
        }
    }
    // Sections are collected flat with their depth, then nested.
    let mut opening = Vec::new();
    let mut closing = Vec::new();
    let mut flat: Vec<(usize, Section)> = Vec::new();
    let mut in_closing = false;
    let mut acc = Acc::default();
    let mut problems = Vec::new();
    fn dest<'a>(
        flat: &'a mut [(usize, Section)],
        opening: &'a mut Vec<Block>,
        closing: &'a mut Vec<Block>,
        in_closing: bool,
    ) -> &'a mut Vec<Block> {
        if in_closing {
            closing
        } else if let Some((_, s)) = flat.last_mut() {
            &mut s.blocks
        } else {
            opening
        }
    }
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            flush(
                &mut acc,
                dest(&mut flat, &mut opening, &mut closing, in_closing),
            );
            continue;
        }
        if line == "#结语" {
            flush(
                &mut acc,
                dest(&mut flat, &mut opening, &mut closing, in_closing),
            );
            in_closing = true;
            continue;
        }
        if line.starts_with('#') {
            flush(
                &mut acc,
                dest(&mut flat, &mut opening, &mut closing, in_closing),
            );
            if in_closing {
                problems.push(crate::FieldProblem::new(
                    "outline",
                    "heading_after_closing",
                    format!("正文第{}行：结语之后不能再有标题", n + 1),
                ));
                continue;
            }
            let depth = line.chars().take_while(|c| *c == '#').count();
            let rest = &line[depth..];
            let (run_in, heading) = match rest.strip_prefix('!') {
                Some(h) => (true, h.trim()),
                None => (false, rest.trim()),
            };
            if depth > 4 {
                problems.push(crate::FieldProblem::new(
                    "outline",
                    "too_deep",
                    format!("正文第{}行：标题最多四级（#至####）", n + 1),
                ));
                continue;
            }
            if heading.is_empty() {
                problems.push(crate::FieldProblem::new(
                    "outline",
                    "empty_heading",
                    format!("正文第{}行：标题内容为空", n + 1),
                ));
                continue;
            }
            let prev_depth = flat.last().map(|(d, _)| *d).unwrap_or(0);
            if depth > prev_depth + 1 || (flat.is_empty() && depth != 1) {
                problems.push(crate::FieldProblem::new(
                    "outline",
                    "skipped_level",
                    format!(
                        "正文第{}行：标题层级不能跳级（上一级是{}级）",
                        n + 1,
                        prev_depth
                    ),
                ));
                continue;
            }
            flat.push((
                depth,
                Section {
                    heading: heading.to_string(),
                    children: vec![],
                    blocks: vec![],
                    run_in,
                },
            ));
            continue;
        }
        if let Some(item) = line.strip_prefix("- ") {
            if !acc.para.is_empty() {
                let para = std::mem::take(&mut acc.para);
                dest(&mut flat, &mut opening, &mut closing, in_closing)
                    .push(Block::Paragraph(para.join("")));
            }
            acc.items.push(item.trim().to_string());
        } else {
            if !acc.items.is_empty() {
                dest(&mut flat, &mut opening, &mut closing, in_closing)
                    .push(Block::Items(std::mem::take(&mut acc.items)));
            }
            acc.para.push(line.to_string());
        }
    }
    flush(
        &mut acc,
        dest(&mut flat, &mut opening, &mut closing, in_closing),
    );
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    // Nest: each section becomes a child of the nearest shallower one before it.
    fn nest(
        flat: &mut std::iter::Peekable<std::vec::IntoIter<(usize, Section)>>,
        depth: usize,
    ) -> Vec<Section> {
        let mut out = Vec::new();
        while let Some((d, _)) = flat.peek() {
            if *d < depth {
                break;
            }
            let (d, mut s) = flat.next().expect("peeked");
            s.children = nest(flat, d + 1);
            out.push(s);
        }
        out
    }
    let mut it = flat.into_iter().peekable();
    let sections = nest(&mut it, 1);
    Ok(ReportDoc {
        opening,
        sections,
        closing,
        ..base.clone()
    })
}

impl App {
    /// The report figures for `ids`, from the indicator engine for the unit's subtree and the
    /// whole year; for the ids in `yoy` (used as `{id:yoy}`) also the previous year's value, from
    /// the same engine ([`Figure::previous`]; `None` when the previous year cannot be computed).
    /// Ids the catalogue does not know are left out, so the report shows them as missing (never
    /// as 0).
    async fn report_figure_values(
        &self,
        _actor: &Actor,
        unit: UnitId,
        year: i32,
        ids: &std::collections::BTreeSet<String>,
        yoy: &std::collections::BTreeSet<String>,
    ) -> Result<BTreeMap<String, Figure>, AppError> {
        let year = i16::try_from(year)
            .map_err(|_| AppError::invalid("year", "range", "年度：超出范围"))?;
        let all = self.figures_for_report(unit, year).await?;
        // Only ids the catalogue knows (an empty list would compute every indicator). A year the
        // engine cannot compute (before the calendar) leaves every previous value out.
        let wanted: Vec<String> = yoy
            .iter()
            .filter(|id| all.contains_key(*id))
            .cloned()
            .collect();
        let previous = if wanted.is_empty() {
            BTreeMap::new()
        } else {
            match self.figures_for_report_ids(unit, year - 1, &wanted).await {
                Ok(p) => p,
                Err(AppError::Invalid(_)) => BTreeMap::new(),
                Err(e) => return Err(e),
            }
        };
        // The indicator engine gives percentages as 0–100; the report renderer takes fractions
        // (0.087 → 8.7%).
        let fraction = |f: &crate::indicators::Figure| {
            if f.unit == "%" {
                f.value.map(|v| v / 100.0)
            } else {
                f.value
            }
        };
        Ok(ids
            .iter()
            .filter_map(|id| {
                all.get(id).map(|f| {
                    let value = fraction(f);
                    let previous = previous.get(id).and_then(fraction);
                    (
                        id.clone(),
                        Figure {
                            value,
                            unit: f.unit.clone(),
                            label: f.label.clone(),
                            manual: f.manual,
                            source: Some(f.source.clone()).filter(|s| !s.is_empty()),
                            definition: f.definition_summary.clone(),
                            previous,
                        },
                    )
                })
            })
            .collect())
    }

    /// Indicator ids and Chinese labels, for the report editor.
    pub fn indicator_labels(&self) -> Vec<(String, String)> {
        crate::indicators::catalog()
            .indicators()
            .map(|i| (i.id.clone(), format!("{}（{}）", i.label_zh, i.unit)))
            .collect()
    }
}

/// The 政府信息公开工作年度报告 of a unit and year (`fazhi_reports::disclosure`).
impl App {
    /// The requests of every case type that fills table 三, in `unit`'s subtree, received up to
    /// the end of `year` and not closed before it began. Reads only the number, the dates, the
    /// applicant type and the outcome (no personal data).
    pub async fn disclosure_requests(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: i32,
    ) -> Result<(Vec<fazhi_reports::Request>, Vec<String>), AppError> {
        let u = self.visible_unit(actor, unit).await?;
        let sources = fazhi_reports::disclosure_sources(&self.registry).map_err(|d| {
            let lines: Vec<String> = d.iter().map(ToString::to_string).collect();
            AppError::Internal(format!("report.toml [disclosure]: {}", lines.join("; ")))
        })?;
        let start = format!("{year:04}-01-01");
        let end = format!("{year:04}-12-31");
        let mut out = Vec::new();
        for s in &sources {
            const PAGE: i64 = 500;
            let mut offset = 0;
            loop {
                let filter = fazhi_store::cases::CaseFilter {
                    case_type: Some(s.case_type.clone()),
                    unit_path: Some(u.path.clone()),
                    created_to: Some(end.clone()),
                    sort: fazhi_store::cases::Sort::CreatedAsc,
                    offset,
                    limit: PAGE,
                    ..Default::default()
                };
                let (rows, _) = fazhi_store::cases::list_cases(&self.db, &filter).await?;
                let n = rows.len() as i64;
                for c in rows {
                    let text = |f: &str| {
                        c.fields
                            .get(f)
                            .and_then(serde_json::Value::as_str)
                            .map(str::to_owned)
                    };
                    if c.closed_on.as_deref().is_some_and(|d| d < start.as_str()) {
                        continue;
                    }
                    out.push(fazhi_reports::Request {
                        case_id: c.id.0,
                        number: c.number.clone(),
                        received_on: text(&s.received_field)
                            .unwrap_or_else(|| c.created_on.clone()),
                        applicant: text(&s.applicant_field).unwrap_or_default(),
                        outcome: text(&s.outcome_field),
                        closed_on: c.closed_on.clone(),
                    });
                }
                if n < PAGE {
                    break;
                }
                offset += PAGE;
            }
        }
        Ok((out, sources.into_iter().map(|s| s.case_type).collect()))
    }

    /// The report computed from the records, with the clerk's narrative and manual figures.
    pub async fn disclosure_report(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: i32,
        narrative: &fazhi_reports::Narrative,
    ) -> Result<fazhi_reports::DisclosureReport, AppError> {
        Ok(self
            .disclosure_inputs(actor, unit, year, narrative)
            .await?
            .build())
    }

    /// Everything the report is computed from, read now: the requests, the cells of table 二
    /// computed from indicators, and the clerk's part.
    pub async fn disclosure_inputs(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: i32,
        narrative: &fazhi_reports::Narrative,
    ) -> Result<DisclosureInputs, AppError> {
        let u = self.visible_unit(actor, unit).await?;
        let (requests, sources) = self.disclosure_requests(actor, unit, year).await?;
        let mut table2_computed = Vec::new();
        if !narrative.table2_indicators.is_empty() {
            let ids: Vec<String> = narrative.table2_indicators.values().cloned().collect();
            let period: fazhi_indicators::Period = year
                .to_string()
                .parse()
                .map_err(|_| AppError::invalid("year", "range", "年度：无效的年份"))?;
            let got = self.compute_indicators(actor, unit, period, &ids).await?;
            for (cell, id) in &narrative.table2_indicators {
                let v = got.values.iter().find(|v| &v.id == id).ok_or_else(|| {
                    AppError::invalid(
                        "table2_indicators",
                        "unknown",
                        format!("table2_indicators：指标“{id}”不存在"),
                    )
                })?;
                table2_computed.push(ComputedCell {
                    cell: cell.clone(),
                    indicator: id.clone(),
                    label: v.label.clone(),
                    value: v.value,
                });
            }
        }
        Ok(DisclosureInputs {
            unit_name: u.name,
            year,
            requests,
            sources,
            narrative: narrative.clone(),
            table2_computed,
        })
    }

    /// The stored disclosure report of `unit` for `year`, created (empty draft) on first use.
    pub async fn disclosure_open(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: i64,
    ) -> Result<StoredDisclosure, AppError> {
        let u = self.visible_unit(actor, unit).await?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::invalid(
                "year",
                "range",
                "年度：应为2000至2100之间的年份",
            ));
        }
        if let Some(row) = store::disclosure_find(&self.db, unit, year).await? {
            return stored_disclosure(row, u.name);
        }
        writer(actor)?;
        let body = serde_json::to_string(&fazhi_reports::Narrative::default())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let id = store::disclosure_insert(&mut tx, unit, year, &body, now).await?;
        let after = serde_json::json!({ "unit": u.code, "year": year });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "create",
            entity: "disclosure_report",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        stored_disclosure(store::disclosure_get(&self.db, id).await?, u.name)
    }

    /// The stored disclosure report of `unit` for `year`, if there is one (never creates).
    pub async fn disclosure_find(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: i64,
    ) -> Result<Option<StoredDisclosure>, AppError> {
        let u = self.visible_unit(actor, unit).await?;
        store::disclosure_find(&self.db, unit, year)
            .await?
            .map(|row| stored_disclosure(row, u.name))
            .transpose()
    }

    pub async fn disclosure_stored(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<StoredDisclosure, AppError> {
        let row = store::disclosure_get(&self.db, id).await?;
        let u = self.visible_unit(actor, row.unit_id).await?;
        stored_disclosure(row, u.name)
    }

    /// The stored disclosure reports of the units the actor sees, with the unit's name.
    pub async fn disclosure_reports(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(store::DisclosureReportRow, String)>, AppError> {
        let units = org::units(&self.db).await?;
        Ok(store::disclosure_list(&self.db)
            .await?
            .into_iter()
            .filter_map(|r| {
                units
                    .iter()
                    .find(|u| u.id == r.unit_id && u.path.starts_with(&actor.unit_path))
                    .map(|u| (r, u.name.clone()))
            })
            .collect())
    }

    /// Saves the clerk's part of a draft. Refused once frozen.
    pub async fn disclosure_save(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        narrative: &fazhi_reports::Narrative,
    ) -> Result<i64, AppError> {
        writer(actor)?;
        let r = self.disclosure_stored(actor, id).await?;
        if r.row.status == "frozen" {
            return Err(AppError::Conflict("报告已定稿，修改前须先撤销定稿".into()));
        }
        narrative
            .validate()
            .map_err(|m| AppError::invalid("narrative", "invalid", m))?;
        let body =
            serde_json::to_string(narrative).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let v = store::disclosure_save(&mut tx, id, version, &body, now)
            .await
            .map_err(|e| match e {
                fazhi_store::StoreError::Conflict(_) => {
                    AppError::Conflict("报告已被他人修改，请刷新后重试".into())
                }
                other => other.into(),
            })?;
        let before = serde_json::json!({ "version": version, "narrative": r.row.narrative });
        let after = serde_json::json!({ "version": v, "narrative": body });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "edit",
            entity: "disclosure_report",
            entity_id: &id.to_string(),
            before: Some(&before),
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// The report as it stands: the frozen snapshot once frozen, otherwise computed now from the
    /// records and the saved narrative.
    pub async fn disclosure_inputs_of(
        &self,
        actor: &Actor,
        r: &StoredDisclosure,
    ) -> Result<DisclosureInputs, AppError> {
        if let Some(s) = &r.row.snapshot {
            return serde_json::from_str(s)
                .map_err(|e| AppError::Internal(format!("disclosure snapshot: {e}")));
        }
        self.disclosure_inputs(actor, r.row.unit_id, r.row.year as i32, &r.narrative)
            .await
    }

    pub async fn disclosure_render(
        &self,
        actor: &Actor,
        id: i64,
        format: Format,
    ) -> Result<(String, Vec<u8>), AppError> {
        let r = self.disclosure_stored(actor, id).await?;
        let built = self.disclosure_inputs_of(actor, &r).await?.build();
        Ok((built.title.clone(), render_disclosure(&built, format)))
    }

    /// Freezes the report: refused while the form's own checks fail or a narrative section is
    /// unwritten; the snapshot holds every request counted (with its case number), the computed
    /// cells and the clerk's part, so the frozen report never changes.
    pub async fn disclosure_freeze(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> Result<(), AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "定稿需要“分管领导”或“系统管理员”角色".into(),
            ));
        }
        let r = self.disclosure_stored(actor, id).await?;
        if r.row.status == "frozen" {
            return Err(AppError::Conflict("报告已定稿".into()));
        }
        let inputs = self.disclosure_inputs_of(actor, &r).await?;
        let blockers = inputs.build().blockers();
        if !blockers.is_empty() {
            return Err(AppError::Invalid(
                blockers
                    .into_iter()
                    .map(|b| {
                        crate::FieldProblem::new("report", "check_failed", format!("不能定稿：{b}"))
                    })
                    .collect(),
            ));
        }
        let snapshot =
            serde_json::to_string(&inputs).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        store::disclosure_set_frozen(
            &mut tx,
            id,
            version,
            Some(&snapshot),
            Some(&actor.login),
            now,
        )
        .await
        .map_err(|e| match e {
            fazhi_store::StoreError::Conflict(_) => {
                AppError::Conflict("报告已被他人修改，请刷新后重试".into())
            }
            other => other.into(),
        })?;
        let after = serde_json::json!({ "status": "frozen", "snapshot": snapshot });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "freeze",
            entity: "disclosure_report",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Returns a frozen disclosure report to draft (the snapshot stays in the audit log).
    pub async fn disclosure_unfreeze(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> Result<(), AppError> {
        if !(actor.has(Role::Admin) || actor.has(Role::Leader)) {
            return Err(AppError::Forbidden(
                "撤销定稿需要“分管领导”或“系统管理员”角色".into(),
            ));
        }
        let r = self.disclosure_stored(actor, id).await?;
        if r.row.status != "frozen" {
            return Err(AppError::Conflict("报告尚未定稿".into()));
        }
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        store::disclosure_set_frozen(&mut tx, id, version, None, None, now)
            .await
            .map_err(|e| match e {
                fazhi_store::StoreError::Conflict(_) => {
                    AppError::Conflict("报告已被他人修改，请刷新后重试".into())
                }
                other => other.into(),
            })?;
        let before = serde_json::json!({ "status": "frozen", "snapshot": r.row.snapshot });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "unfreeze",
            entity: "disclosure_report",
            entity_id: &id.to_string(),
            before: Some(&before),
            after: None,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A stored disclosure report with its parsed narrative.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDisclosure {
    pub row: store::DisclosureReportRow,
    pub narrative: fazhi_reports::Narrative,
    pub unit_name: String,
}

fn stored_disclosure(
    row: store::DisclosureReportRow,
    unit_name: String,
) -> Result<StoredDisclosure, AppError> {
    let narrative = serde_json::from_str(&row.narrative)
        .map_err(|e| AppError::Internal(format!("disclosure report {} narrative: {e}", row.id)))?;
    Ok(StoredDisclosure {
        row,
        narrative,
        unit_name,
    })
}

/// A cell of table 二 computed from an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ComputedCell {
    pub cell: String,
    pub indicator: String,
    pub label: String,
    pub value: Option<f64>,
}

/// Everything a disclosure report is computed from; frozen as the report's snapshot (the
/// requests carry their case numbers: the lineage of every cell of table 三).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DisclosureInputs {
    pub unit_name: String,
    pub year: i32,
    pub requests: Vec<fazhi_reports::Request>,
    pub sources: Vec<String>,
    pub narrative: fazhi_reports::Narrative,
    pub table2_computed: Vec<ComputedCell>,
}

impl DisclosureInputs {
    /// The report (pure: the same inputs always give the same report).
    pub fn build(&self) -> fazhi_reports::DisclosureReport {
        let mut r = fazhi_reports::DisclosureReport::build(
            &self.unit_name,
            self.year,
            &self.requests,
            self.sources.clone(),
            &self.narrative,
        );
        for c in &self.table2_computed {
            r.set_table2_computed(&c.cell, &c.indicator, &c.label, c.value);
        }
        r
    }
}

/// Renders a disclosure report in `format`.
pub fn render_disclosure(r: &fazhi_reports::DisclosureReport, format: Format) -> Vec<u8> {
    match format {
        Format::Docx => fazhi_reports::render_disclosure_docx(r),
        Format::Html => fazhi_reports::render_disclosure_html(r).into_bytes(),
        Format::Markdown => fazhi_reports::render_disclosure_markdown(r).into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_round_trips_through_the_outline() {
        let doc = fazhi_reports::template("望江街道办事处", 2025);
        let text = doc_to_outline(&doc);
        let back = outline_to_doc(&doc, &text).unwrap();
        assert_eq!(back, doc);
        assert!(text.contains("# "), "{text}");
    }

    #[test]
    fn outline_problems_name_the_line() {
        let doc = fazhi_reports::template("望江街道办事处", 2025);
        let err = outline_to_doc(&doc, "开头。\n\n# 一部分\n### 跳级了\n").unwrap_err();
        match err {
            AppError::Invalid(p) => assert!(p[0].message.contains("第4行"), "{p:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn items_paragraphs_and_nesting_parse() {
        let doc = fazhi_reports::template("望江街道办事处", 2025);
        let d = outline_to_doc(
            &doc,
            "开头段。\n\n# 主要举措\n## 执法\n办结{hotline.closed}件。\n- 一项\n- 两项\n\n# 计划\n",
        )
        .unwrap();
        assert_eq!(
            d.opening,
            vec![fazhi_reports::Block::Paragraph("开头段。".into())]
        );
        assert_eq!(d.sections.len(), 2);
        assert_eq!(d.sections[0].children[0].blocks.len(), 2);
        assert_eq!(
            d.sections[0].children[0].blocks[1],
            fazhi_reports::Block::Items(vec!["一项".into(), "两项".into()])
        );
    }
}
