//! Imported annual reports (issue 4): a published 法治政府建设年度报告 of any unit — a street of this
//! organisation or of another district — read by `fazhi-importer` and stored against its unit and
//! year with its source, then compared figure by figure: units side by side for a year, a unit's
//! years side by side, every figure linking back to its place in the original text.
//!
//! Published reports are public documents: every logged-in user may read them; importing needs
//! the admin, leader or handler role. One file is one audited transaction; a refused file writes
//! nothing.

use std::collections::{BTreeMap, HashMap};

use fazhi_domain::{Role, UnitId};
use fazhi_importer::Part;
use fazhi_store::imports::{self as store, ImportedReportRow, NewImportedReport};
use fazhi_store::{AuditEntry, StoreError, org};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError, FieldProblem};

pub use fazhi_importer::{Extraction, Format, extract_text};

/// Largest report file accepted.
pub const MAX_REPORT_BYTES: usize = 20 * 1024 * 1024;

/// What one stored import gives back.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub id: i64,
    pub unit_name: String,
    /// The unit of the org tree the name was matched to, if any.
    pub unit_id: Option<UnitId>,
    pub year: i32,
    pub title: Option<String>,
    pub source_name: String,
    pub sha256: String,
    pub sections: usize,
    pub figures: usize,
    /// Figures mapped to an indicator.
    pub mapped: usize,
    /// The importer's warnings (undecodable bytes and the like).
    pub warnings: Vec<String>,
}

/// A stored report in a list: its metadata and figure counts.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    #[serde(flatten)]
    pub row: ImportedReportRow,
    pub figures: usize,
    pub mapped: usize,
}

/// A stored report with its extraction; `extraction.decoded_text` is the text the figure
/// offsets (characters) refer to.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedReport {
    #[serde(flatten)]
    pub row: ImportedReportRow,
    pub extraction: Extraction,
}

/// The years and unit names there are imported reports for (compare page selectors).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportChoices {
    /// Newest first.
    pub years: Vec<i64>,
    /// One name per unit (names that denote the same unit are merged), sorted.
    pub units: Vec<String>,
}

/// One figure of one imported report, with where to find it: `/imports/{import_id}#f{figure}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FigureRef {
    pub import_id: i64,
    /// Index in the report's `figures`.
    pub figure: usize,
    #[serde(serialize_with = "integral")]
    pub value: f64,
    pub unit: String,
    pub approx: bool,
    /// As written (`近5万份`).
    pub text: String,
    /// What is counted, as the report words it.
    pub metric: String,
    pub confidence: f64,
    /// A change (同比增长5%) rather than a level.
    pub change: bool,
}

/// A matrix cell: the figure chosen for the indicator (highest confidence, levels before
/// changes) and the other figures of the same report mapped to it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cell {
    #[serde(flatten)]
    pub best: FigureRef,
    pub others: Vec<FigureRef>,
}

/// A column of the matrix: one imported report.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub import_id: i64,
    pub unit_name: String,
    pub unit_id: Option<UnitId>,
    pub year: i64,
    pub title: Option<String>,
    pub source_name: String,
    pub figures: usize,
    pub mapped: usize,
}

/// A row of the matrix: one indicator of the catalogue, a cell per column.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub indicator: String,
    /// The catalogue's Chinese label.
    pub label: String,
    pub cells: Vec<Option<Cell>>,
}

/// The figures of one report that no indicator took.
#[derive(Debug, Clone, Serialize)]
pub struct Unmatched {
    pub import_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub figures: Vec<FigureRef>,
}

/// Indicator × report matrix: units of a year (`by = "year"`) or years of a unit (`by = "unit"`).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub by: String,
    pub year: Option<i64>,
    pub unit: Option<String>,
    pub columns: Vec<Column>,
    /// In catalogue order; only indicators at least one report has.
    pub rows: Vec<MatrixRow>,
    pub unmatched: Vec<Unmatched>,
}

fn integral<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// The Chinese name of a standard part of the annual report.
pub fn part_label(p: Part) -> &'static str {
    match p {
        Part::Measures => "主要举措和成效",
        Part::LeaderDuty => "第一责任人职责",
        Part::Shortcomings => "存在的不足和原因",
        Part::Plan => "下一年度工作计划",
        Part::Other => "其他",
    }
}

/// The catalogue's Chinese label of an indicator id (the id itself when unknown).
pub fn indicator_label(id: &str) -> String {
    fazhi_importer::catalogue()
        .iter()
        .find(|i| i.id == id)
        .map(|i| i.label.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The key under which unit names denote the same unit: blanks removed, a trailing 办事处 or
/// 人民政府 dropped, and 街道 shortened to 街 (海幢街道办事处, 海幢街道 and 海幢街 are one unit).
pub fn unit_key(name: &str) -> String {
    let mut s: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    for suffix in ["办事处", "人民政府"] {
        if let Some(x) = s.strip_suffix(suffix) {
            s = x.to_string();
            break;
        }
    }
    if let Some(x) = s.strip_suffix("街道") {
        s = format!("{x}街");
    }
    s
}

fn writer(actor: &Actor) -> Result<(), AppError> {
    if actor.has(Role::Admin) || actor.has(Role::Leader) || actor.has(Role::Handler) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "导入报告需要“系统管理员”“分管领导”或“承办人”角色".into(),
        ))
    }
}

fn year_in_range(y: i64) -> bool {
    (2000..=2100).contains(&y)
}

fn parse_extraction(row: &ImportedReportRow) -> Result<Extraction, AppError> {
    serde_json::from_str(&row.extraction)
        .map_err(|e| AppError::Internal(format!("imported report {}: extraction: {e}", row.id)))
}

fn counts(ex: &Extraction) -> (usize, usize) {
    (
        ex.figures.len(),
        ex.figures.iter().filter(|f| f.indicator.is_some()).count(),
    )
}

fn figure_ref(import_id: i64, index: usize, f: &fazhi_importer::Figure) -> FigureRef {
    FigureRef {
        import_id,
        figure: index,
        value: f.value,
        unit: f.unit.clone(),
        approx: f.approx,
        text: f.text.clone(),
        metric: f.metric.clone(),
        confidence: f.confidence,
        change: f.change,
    }
}

/// Builds the matrix over `reports` (one column each, in the given order).
fn matrix(
    by: &str,
    year: Option<i64>,
    unit: Option<String>,
    reports: &[(ImportedReportRow, Extraction)],
) -> Comparison {
    // indicator -> per column: figure indexes in document order.
    let mut by_indicator: HashMap<&str, Vec<Vec<usize>>> = HashMap::new();
    let mut unmatched = Vec::new();
    for (col, (row, ex)) in reports.iter().enumerate() {
        let mut loose = Vec::new();
        for (i, f) in ex.figures.iter().enumerate() {
            match f.indicator.as_deref() {
                Some(id) => by_indicator
                    .entry(id)
                    .or_insert_with(|| vec![Vec::new(); reports.len()])[col]
                    .push(i),
                None => loose.push(figure_ref(row.id, i, f)),
            }
        }
        unmatched.push(Unmatched {
            import_id: row.id,
            unit_name: row.unit_name.clone(),
            year: row.year,
            figures: loose,
        });
    }
    let catalogue = fazhi_importer::catalogue();
    let mut order: Vec<&str> = catalogue
        .iter()
        .map(|i| i.id.as_str())
        .filter(|id| by_indicator.contains_key(id))
        .collect();
    let mut unknown: Vec<&str> = by_indicator
        .keys()
        .copied()
        .filter(|id| !catalogue.iter().any(|i| i.id == *id))
        .collect();
    unknown.sort_unstable();
    order.extend(unknown);
    let rows = order
        .into_iter()
        .map(|id| {
            let cells = by_indicator[id]
                .iter()
                .zip(reports)
                .map(|(idx, (row, ex))| {
                    let best = idx.iter().copied().min_by(|&a, &b| {
                        let (fa, fb) = (&ex.figures[a], &ex.figures[b]);
                        fa.change
                            .cmp(&fb.change)
                            .then(fb.confidence.total_cmp(&fa.confidence))
                            .then(a.cmp(&b))
                    })?;
                    Some(Cell {
                        best: figure_ref(row.id, best, &ex.figures[best]),
                        others: idx
                            .iter()
                            .filter(|&&i| i != best)
                            .map(|&i| figure_ref(row.id, i, &ex.figures[i]))
                            .collect(),
                    })
                })
                .collect();
            MatrixRow {
                indicator: id.to_string(),
                label: indicator_label(id),
                cells,
            }
        })
        .collect();
    let columns = reports
        .iter()
        .map(|(row, ex)| {
            let (figures, mapped) = counts(ex);
            Column {
                import_id: row.id,
                unit_name: row.unit_name.clone(),
                unit_id: row.unit_id,
                year: row.year,
                title: row.title.clone(),
                source_name: row.source_name.clone(),
                figures,
                mapped,
            }
        })
        .collect();
    Comparison {
        by: by.into(),
        year,
        unit,
        columns,
        rows,
        unmatched,
    }
}

impl App {
    /// Reads one report file and stores it against its unit and year. The unit and the year come
    /// from the overrides, else from the report; when neither names one, the field is refused and
    /// nothing is written. The same file of the same unit and year is a conflict.
    pub async fn import_report(
        &self,
        actor: &Actor,
        source_name: &str,
        bytes: &[u8],
        unit_override: Option<String>,
        year_override: Option<i32>,
    ) -> Result<ImportOutcome, AppError> {
        writer(actor)?;
        let mut problems = Vec::new();
        let unit_override = unit_override
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        if let Some(u) = &unit_override
            && u.chars().count() > 64
        {
            problems.push(FieldProblem::new("unit", "too_long", "单位：最多64个字符"));
        }
        if let Some(y) = year_override
            && !year_in_range(y.into())
        {
            problems.push(FieldProblem::new(
                "year",
                "range",
                "年度：应为2000至2100之间的年份",
            ));
        }
        if bytes.is_empty() {
            problems.push(FieldProblem::new("file", "required", "报告文件：文件为空"));
        } else if bytes.len() > MAX_REPORT_BYTES {
            problems.push(FieldProblem::new(
                "file",
                "too_large",
                format!("报告文件：不能超过{}MB", MAX_REPORT_BYTES / (1024 * 1024)),
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let owned = bytes.to_vec();
        let mut ex = tokio::task::spawn_blocking(move || fazhi_importer::extract(&owned, None))
            .await
            .map_err(|e| AppError::Internal(format!("extraction task: {e}")))?;
        if ex.decoded_text.trim().is_empty() {
            return Err(AppError::invalid(
                "file",
                "unreadable",
                "报告文件：未能读出正文（文件为空、已损坏或不是文本、网页或Word文档）",
            ));
        }
        let unit_name = unit_override.or_else(|| {
            ex.unit
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(String::from)
        });
        let year = year_override.or(ex.year.filter(|y| year_in_range((*y).into())));
        if unit_name.is_none() {
            problems.push(FieldProblem::new(
                "unit",
                "undetected",
                "单位：无法从报告中识别，请指定",
            ));
        }
        if year.is_none() {
            problems.push(FieldProblem::new(
                "year",
                "undetected",
                "年度：无法从报告中识别，请指定",
            ));
        }
        let (Some(unit_name), Some(year)) = (unit_name, year) else {
            return Err(AppError::Invalid(problems));
        };
        let source_name: String = {
            let s = source_name.trim();
            let s = if s.is_empty() { "未命名" } else { s };
            s.chars().take(200).collect()
        };
        let sha256 = hex::encode(Sha256::digest(bytes));
        let key = unit_key(&unit_name);
        let units = org::units(&self.db).await?;
        let matches: Vec<&fazhi_store::UnitRow> =
            units.iter().filter(|u| unit_key(&u.name) == key).collect();
        // A unit of this system: only someone whose scope holds it may store its report; anyone
        // else would put words in its mouth (and into its comparison).
        if let Some(u) = matches.iter().find(|u| !actor.covers_unit(&u.path)) {
            return Err(AppError::Forbidden(format!(
                "报告单位“{}”是本系统的单位，不在您的数据范围内，不能以它的名义导入报告",
                u.name
            )));
        }
        // Not one of this system's units (or not uniquely): stored as an external unit, with
        // `unit_id` empty.
        let unit_id = match matches.as_slice() {
            [u] => Some(u.id),
            _ => None,
        };
        let text = std::mem::take(&mut ex.decoded_text);
        let extraction =
            serde_json::to_string(&ex).map_err(|e| AppError::Internal(e.to_string()))?;
        let (figures, mapped) = counts(&ex);
        let duplicate = |id: Option<i64>| {
            let which = id.map(|i| format!("（编号{i}）")).unwrap_or_default();
            AppError::Conflict(format!(
                "重复导入：{unit_name}{year}年度的同一份报告已经导入{which}，未再次保存"
            ))
        };
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        if let Some((id, _)) = store::same_file(&mut tx, year.into(), &sha256)
            .await?
            .into_iter()
            .find(|(_, name)| unit_key(name) == key)
        {
            tx.rollback().await?;
            return Err(duplicate(Some(id)));
        }
        let id = store::insert(
            &mut tx,
            &NewImportedReport {
                unit_name: &unit_name,
                unit_id,
                level: ex.level.as_deref(),
                region: ex.region.as_deref(),
                year: year.into(),
                title: ex.title.as_deref(),
                source_name: &source_name,
                sha256: &sha256,
                text: &text,
                extraction: &extraction,
                imported_at: now,
                imported_by: &actor.login,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => duplicate(None),
            other => other.into(),
        })?;
        let after = serde_json::json!({
            "unit": unit_name,
            "unit_id": unit_id,
            "year": year,
            "source": source_name,
            "sha256": sha256,
            "figures": figures,
        });
        tx.audit(AuditEntry {
            at: now,
            actor: &actor.login,
            action: "import",
            entity: "imported_report",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(ImportOutcome {
            id,
            unit_name,
            unit_id,
            year,
            title: ex.title,
            source_name,
            sha256,
            sections: ex.sections.len(),
            figures,
            mapped,
            warnings: ex.warnings,
        })
    }

    /// Every imported report, newest year first.
    pub async fn list_imports(&self, _actor: &Actor) -> Result<Vec<ImportSummary>, AppError> {
        store::list(&self.db, None)
            .await?
            .into_iter()
            .map(|row| {
                let (figures, mapped) = counts(&parse_extraction(&row)?);
                Ok(ImportSummary {
                    row,
                    figures,
                    mapped,
                })
            })
            .collect()
    }

    /// The years and units there are reports for.
    pub async fn import_choices(&self, _actor: &Actor) -> Result<ImportChoices, AppError> {
        let rows = store::list(&self.db, None).await?;
        let mut years: Vec<i64> = rows.iter().map(|r| r.year).collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let mut units: BTreeMap<String, String> = BTreeMap::new();
        for r in &rows {
            units
                .entry(unit_key(&r.unit_name))
                .or_insert_with(|| r.unit_name.clone());
        }
        let mut units: Vec<String> = units.into_values().collect();
        units.sort();
        Ok(ImportChoices { years, units })
    }

    /// One report with its text and extraction.
    pub async fn import_view(&self, _actor: &Actor, id: i64) -> Result<ImportedReport, AppError> {
        let mut row = store::get(&self.db, id).await.map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound(format!("导入的报告{id}")),
            other => other.into(),
        })?;
        let mut extraction = parse_extraction(&row)?;
        extraction.decoded_text = row.text.take().unwrap_or_default();
        Ok(ImportedReport { row, extraction })
    }

    /// The units' reports of `year` side by side (one column per report, by unit name).
    pub async fn compare_year(&self, _actor: &Actor, year: i64) -> Result<Comparison, AppError> {
        if !year_in_range(year) {
            return Err(AppError::invalid(
                "year",
                "range",
                "年度：应为2000至2100之间的年份",
            ));
        }
        let mut rows = store::list(&self.db, Some(year)).await?;
        rows.sort_by(|a, b| a.unit_name.cmp(&b.unit_name).then(a.id.cmp(&b.id)));
        let reports = rows
            .into_iter()
            .map(|r| parse_extraction(&r).map(|ex| (r, ex)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(matrix("year", Some(year), None, &reports))
    }

    /// A unit's reports side by side, oldest year first. Names that denote the same unit
    /// (海幢街道办事处, 海幢街道) are one unit.
    pub async fn compare_unit(
        &self,
        _actor: &Actor,
        unit_name: &str,
    ) -> Result<Comparison, AppError> {
        let name = unit_name.trim();
        if name.is_empty() {
            return Err(AppError::invalid("unit", "required", "单位：必填"));
        }
        let key = unit_key(name);
        let mut rows: Vec<ImportedReportRow> = store::list(&self.db, None)
            .await?
            .into_iter()
            .filter(|r| unit_key(&r.unit_name) == key)
            .collect();
        rows.sort_by(|a, b| a.year.cmp(&b.year).then(a.id.cmp(&b.id)));
        let reports = rows
            .into_iter()
            .map(|r| parse_extraction(&r).map(|ex| (r, ex)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(matrix("unit", None, Some(name.to_string()), &reports))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_of_one_unit_share_a_key() {
        assert_eq!(unit_key("海幢街道办事处"), "海幢街");
        assert_eq!(unit_key("海幢街道"), "海幢街");
        assert_eq!(unit_key("海幢街"), "海幢街");
        assert_eq!(unit_key("横沥镇人民政府"), "横沥镇");
        assert_ne!(unit_key("四季青街道"), unit_key("海幢街道"));
    }

    #[test]
    fn the_matrix_takes_the_most_confident_level_and_keeps_the_others() {
        let ex = fazhi_importer::extract_text(
            "海幢街道办事处2023年法治政府建设年度报告\n一、2023年主要工作\n全年受理12345热线事项1904件，办结12345平台工单5571条，办结率100%。学法讲座两次，发放材料123份。\n",
        );
        let row = ImportedReportRow {
            id: 7,
            unit_name: "海幢街道办事处".into(),
            unit_id: None,
            level: None,
            region: None,
            year: 2023,
            title: None,
            source_name: "a.txt".into(),
            sha256: String::new(),
            text: None,
            extraction: String::new(),
            imported_at: 0,
            imported_by: "t".into(),
        };
        let m = matrix("year", Some(2023), None, &[(row, ex.clone())]);
        assert_eq!(m.columns.len(), 1);
        let closed = m
            .rows
            .iter()
            .find(|r| r.indicator == "hotline.closed")
            .expect("hotline.closed row");
        assert_eq!(closed.label, "12345工单办结数");
        let cell = closed.cells[0].as_ref().unwrap();
        assert_eq!(cell.best.value, 5571.0);
        assert_eq!(cell.best.import_id, 7);
        assert_eq!(ex.figures[cell.best.figure].text, "5571条");
        let mapped = ex.figures.iter().filter(|f| f.indicator.is_some()).count();
        assert_eq!(
            m.unmatched[0].figures.len(),
            ex.figures.len() - mapped,
            "every unmapped figure is listed"
        );
        let v = serde_json::to_value(cell).unwrap();
        assert_eq!(v["value"], 5571, "integral values serialise as integers");
    }
}
