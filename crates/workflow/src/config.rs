//! Configurable limits: hotline handling limits per category, publicity limits per province,
//! warning thresholds and the weekend roll rule.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fazhi_calendar::{PeriodUnit, RollRule};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Diagnostic, SourceFile};

const HOTLINE_LIMITS: &str = include_str!("../config/hotline_limits.toml");
const ENFORCEMENT: &str = include_str!("../config/enforcement.toml");
const CLOCKS: &str = include_str!("../config/clocks.toml");

/// File names of the configuration files inside a configuration directory.
pub const CONFIG_FILES: &[&str] = &["hotline_limits.toml", "enforcement.toml", "clocks.toml"];

/// A configured period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodLimit {
    pub n: u32,
    pub unit: PeriodUnit,
    /// Legal or regulatory basis shown with the clock.
    pub basis: String,
}

/// Thresholds of the graded warnings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WarningThresholds {
    /// At most this many units left → 临期 (DueSoon).
    pub due_soon_days: u32,
    /// At most this fraction of the period left → 预警 (Warning).
    pub warning_fraction: f64,
}

/// Configuration that workflow guards and clocks read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkflowConfig {
    /// 12345 category → handling limit (no national rule: law file §9).
    pub hotline_limits: BTreeMap<String, PeriodLimit>,
    /// Publicity limit of penalty decisions when no provincial value applies (国办发〔2018〕118号).
    pub publicity_default: PeriodLimit,
    /// Province code → publicity limit.
    pub publicity_by_province: BTreeMap<String, PeriodLimit>,
    /// Province whose values apply (2-digit code), if any.
    pub province: Option<String>,
    pub warnings: WarningThresholds,
    pub roll: RollRule,
    /// A step (the create included) dated more than this many calendar days before today needs
    /// a reason (补录原因, `on_reason`). clocks.toml `backdate_reason_days`.
    pub backdate_reason_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHotline {
    basis: String,
    #[serde(default)]
    configurable_default: bool,
    categories: BTreeMap<String, Spanned<RawLimit>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    n: u32,
    unit: Spanned<String>,
    #[serde(default)]
    basis: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnforcement {
    publicity: RawPublicity,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublicity {
    n: u32,
    unit: Spanned<String>,
    basis: String,
    #[serde(default)]
    provinces: BTreeMap<String, Spanned<RawLimit>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClocks {
    roll_weekends: bool,
    /// Missing in a clocks.toml override written before the setting existed: the default.
    #[serde(default = "default_backdate_reason_days")]
    backdate_reason_days: u32,
    warnings: RawWarnings,
}

fn default_backdate_reason_days() -> u32 {
    30
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWarnings {
    due_soon_days: u32,
    warning_fraction: Spanned<f64>,
}

fn parse<T: for<'de> Deserialize<'de>>(file: &SourceFile<'_>) -> Result<T, Vec<Diagnostic>> {
    toml::from_str(file.text).map_err(|e| {
        vec![Diagnostic::error(
            file,
            e.span(),
            format!("invalid TOML: {}", e.message()),
            format!("TOML格式错误：{}", e.message()),
        )]
    })
}

fn unit(file: &SourceFile<'_>, s: &Spanned<String>, diags: &mut Vec<Diagnostic>) -> PeriodUnit {
    PeriodUnit::from_code(s.get_ref()).unwrap_or_else(|| {
        diags.push(bad_unit(file, s));
        PeriodUnit::WorkingDays
    })
}

pub(crate) fn bad_unit(file: &SourceFile<'_>, s: &Spanned<String>) -> Diagnostic {
    Diagnostic::error(
        file,
        Some(s.span()),
        format!(
            "bad unit `{}` (expected natural_days, working_days, hours or minutes)",
            s.get_ref()
        ),
        format!(
            "期限单位“{}”无效，应为 natural_days、working_days、hours 或 minutes",
            s.get_ref()
        ),
    )
}

impl WorkflowConfig {
    /// The embedded defaults (crates/workflow/config/*.toml).
    ///
    /// # Panics
    /// Only if the embedded files are invalid, which the crate's tests rule out.
    pub fn embedded() -> WorkflowConfig {
        WorkflowConfig::from_sources(
            (
                Path::new("embedded:config/hotline_limits.toml"),
                HOTLINE_LIMITS,
            ),
            (Path::new("embedded:config/enforcement.toml"), ENFORCEMENT),
            (Path::new("embedded:config/clocks.toml"), CLOCKS),
        )
        .unwrap_or_else(|d| panic!("embedded workflow configuration is invalid: {d:?}"))
    }

    /// Builds the configuration from the text of the three files (path, text).
    pub fn from_sources(
        hotline: (&Path, &str),
        enforcement: (&Path, &str),
        clocks: (&Path, &str),
    ) -> Result<WorkflowConfig, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let hf = SourceFile {
            path: hotline.0.to_path_buf(),
            text: hotline.1,
        };
        let ef = SourceFile {
            path: enforcement.0.to_path_buf(),
            text: enforcement.1,
        };
        let cf = SourceFile {
            path: clocks.0.to_path_buf(),
            text: clocks.1,
        };
        let h: Option<RawHotline> = parse(&hf).map_err(|d| diags.extend(d)).ok();
        let e: Option<RawEnforcement> = parse(&ef).map_err(|d| diags.extend(d)).ok();
        let c: Option<RawClocks> = parse(&cf).map_err(|d| diags.extend(d)).ok();
        let (Some(h), Some(e), Some(c)) = (h, e, c) else {
            return Err(diags);
        };
        let _ = h.configurable_default;
        let mut hotline_limits = BTreeMap::new();
        for (cat, lim) in &h.categories {
            let lim = lim.get_ref();
            let u = unit(&hf, &lim.unit, &mut diags);
            hotline_limits.insert(
                cat.clone(),
                PeriodLimit {
                    n: lim.n,
                    unit: u,
                    basis: lim.basis.clone().unwrap_or_else(|| h.basis.clone()),
                },
            );
        }
        let publicity_default = PeriodLimit {
            n: e.publicity.n,
            unit: unit(&ef, &e.publicity.unit, &mut diags),
            basis: e.publicity.basis.clone(),
        };
        let mut publicity_by_province = BTreeMap::new();
        for (code, lim) in &e.publicity.provinces {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                diags.push(Diagnostic::error(
                    &ef,
                    Some(lim.span()),
                    format!("province code `{code}` must be two digits"),
                    format!("省级行政区划代码“{code}”应为两位数字"),
                ));
            }
            let l = lim.get_ref();
            publicity_by_province.insert(
                code.clone(),
                PeriodLimit {
                    n: l.n,
                    unit: unit(&ef, &l.unit, &mut diags),
                    basis: l.basis.clone().unwrap_or_else(|| e.publicity.basis.clone()),
                },
            );
        }
        let fraction = *c.warnings.warning_fraction.get_ref();
        if !(0.0..=1.0).contains(&fraction) {
            diags.push(Diagnostic::error(
                &cf,
                Some(c.warnings.warning_fraction.span()),
                "warning_fraction must be between 0 and 1",
                "预警比例 warning_fraction 应在0到1之间",
            ));
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        Ok(WorkflowConfig {
            hotline_limits,
            publicity_default,
            publicity_by_province,
            province: None,
            warnings: WarningThresholds {
                due_soon_days: c.warnings.due_soon_days,
                warning_fraction: fraction,
            },
            roll: RollRule {
                roll_weekends: c.roll_weekends,
            },
            backdate_reason_days: c.backdate_reason_days,
        })
    }

    /// Embedded defaults, with each of `hotline_limits.toml`, `enforcement.toml` and
    /// `clocks.toml` found in `dir` replacing its embedded counterpart. This is the explicit load
    /// function: the only place the crate reads configuration files.
    pub fn load_dir(dir: &Path) -> Result<WorkflowConfig, Vec<Diagnostic>> {
        let mut texts: Vec<(PathBuf, String)> = Vec::new();
        let defaults = [HOTLINE_LIMITS, ENFORCEMENT, CLOCKS];
        let mut diags = Vec::new();
        for (name, default) in CONFIG_FILES.iter().zip(defaults) {
            let path = dir.join(name);
            if path.exists() {
                match std::fs::read_to_string(&path) {
                    Ok(text) => texts.push((path, text)),
                    Err(e) => diags.push(Diagnostic {
                        file: path,
                        line: None,
                        column: None,
                        severity: crate::Severity::Error,
                        message: format!("cannot read: {e}"),
                        message_zh: format!("无法读取文件：{e}"),
                    }),
                }
            } else {
                texts.push((
                    PathBuf::from(format!("embedded:config/{name}")),
                    default.to_owned(),
                ));
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        WorkflowConfig::from_sources(
            (&texts[0].0, &texts[0].1),
            (&texts[1].0, &texts[1].1),
            (&texts[2].0, &texts[2].1),
        )
    }

    /// The same configuration with another province's values applied.
    pub fn with_province(mut self, province: Option<&str>) -> WorkflowConfig {
        self.province = province.map(str::to_owned);
        self
    }

    /// The publicity limit that applies to the configured province.
    pub fn publicity_limit(&self) -> &PeriodLimit {
        self.province
            .as_deref()
            .and_then(|p| self.publicity_by_province.get(p))
            .unwrap_or(&self.publicity_default)
    }

    /// Looks up a configured limit: table `hotline_limits` by category, `publicity` (key ignored).
    pub fn limit(&self, table: &str, key: Option<&str>) -> Option<&PeriodLimit> {
        match table {
            "hotline_limits" => key.and_then(|k| self.hotline_limits.get(k)),
            "publicity" => Some(self.publicity_limit()),
            _ => None,
        }
    }
}

/// Names of the configuration tables clocks may reference.
pub const LIMIT_TABLES: &[&str] = &["hotline_limits", "publicity"];

impl Default for WorkflowConfig {
    fn default() -> Self {
        WorkflowConfig::embedded()
    }
}
