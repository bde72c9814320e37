//! Refusals: a refused step as a value with a stable code, parameters and legal basis.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

/// 《中华人民共和国行政处罚法》
pub const XZCFF: &str = "《中华人民共和国行政处罚法》";

/// One reason why a step cannot be taken (or, in [`crate::Plan::warnings`], a warning that was
/// overridden).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    /// Stable code, e.g. `enforcement.min_certified_officers`.
    pub code: String,
    /// The input field concerned.
    pub field: Option<String>,
    /// Statute, e.g. 《中华人民共和国行政处罚法》.
    pub statute: Option<String>,
    /// Article, e.g. 第四十二条.
    pub article: Option<String>,
    /// Values the message was rendered from.
    pub params: Map<String, Value>,
    /// The message users read.
    pub message_zh: String,
    /// A warning the user may accept with the input flag `override_warnings: true`.
    pub overridable: bool,
}

impl Refusal {
    pub(crate) fn new(code: &str, message_zh: impl Into<String>) -> Refusal {
        Refusal {
            code: code.to_owned(),
            field: None,
            statute: None,
            article: None,
            params: Map::new(),
            message_zh: message_zh.into(),
            overridable: false,
        }
    }

    pub(crate) fn field(mut self, field: &str) -> Refusal {
        self.field = Some(field.to_owned());
        self
    }

    pub(crate) fn basis(mut self, statute: &str, article: &str) -> Refusal {
        self.statute = Some(statute.to_owned());
        self.article = Some(article.to_owned());
        self
    }

    pub(crate) fn basis_opt(mut self, statute: Option<&str>, article: Option<&str>) -> Refusal {
        self.statute = statute.map(str::to_owned);
        self.article = article.map(str::to_owned);
        self
    }

    pub(crate) fn param(mut self, key: &str, value: impl Into<Value>) -> Refusal {
        self.params.insert(key.to_owned(), value.into());
        self
    }

    pub(crate) fn overridable(mut self) -> Refusal {
        self.overridable = true;
        self
    }

    /// Statute and article together, e.g. 《中华人民共和国行政处罚法》第四十二条.
    pub fn basis_zh(&self) -> Option<String> {
        match (&self.statute, &self.article) {
            (Some(s), Some(a)) => Some(format!("{s}{a}")),
            (Some(s), None) => Some(s.clone()),
            (None, Some(a)) => Some(a.clone()),
            (None, None) => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_zh)?;
        if let Some(b) = self.basis_zh() {
            write!(f, "（依据：{b}）")?;
        }
        Ok(())
    }
}

/// All problems that stop a step, not only the first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusals(pub Vec<Refusal>);

impl Refusals {
    pub fn iter(&self) -> impl Iterator<Item = &Refusal> {
        self.0.iter()
    }

    /// The refusal with this code, if any.
    pub fn find(&self, code: &str) -> Option<&Refusal> {
        self.0.iter().find(|r| r.code == code)
    }

    /// Whether every refusal is an overridable warning.
    pub fn only_warnings(&self) -> bool {
        self.0.iter().all(|r| r.overridable)
    }
}

impl fmt::Display for Refusals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("；")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusals {}
