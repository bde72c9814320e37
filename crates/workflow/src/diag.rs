//! Diagnostics of definition and configuration checks.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// How bad a diagnostic is. Errors make a definition unusable; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in a definition or configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column (in characters).
    pub column: Option<usize>,
    pub severity: Severity,
    /// English, for developers.
    pub message: String,
    /// Simplified Chinese, for administrators.
    pub message_zh: String,
}

impl Diagnostic {
    /// A diagnostic at a byte span of `text` (the file at `path`), with its line and column;
    /// every crate that checks a case-type folder's files builds its diagnostics with it.
    pub fn at(
        path: &std::path::Path,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        severity: Severity,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = match span {
            Some(span) => {
                let (l, c) = line_col(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Diagnostic {
            file: path.to_path_buf(),
            line,
            column,
            severity,
            message: message.into(),
            message_zh: message_zh.into(),
        }
    }

    pub(crate) fn error(
        file: &SourceFile<'_>,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::at(
            &file.path,
            file.text,
            span,
            Severity::Error,
            message,
            message_zh,
        )
    }

    pub(crate) fn warning(
        file: &SourceFile<'_>,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, span, message, message_zh)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, ": {sev}: {}", self.message)
    }
}

/// Source text with its path, to turn byte offsets into lines and columns.
pub(crate) struct SourceFile<'a> {
    pub path: PathBuf,
    pub text: &'a str,
}

impl SourceFile<'_> {
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(self.text, offset)
    }
}

/// 1-based line and column (in characters) of a byte offset of `text`, for the file:line
/// diagnostics of every crate that reads a case-type folder's files.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
