//! File/line diagnostics for the TOML files this crate reads from case-type folders, in the
//! diagnostic type of `fazhi workflow check` ([`fazhi_workflow::Diagnostic`]).

use std::ops::Range;
use std::path::Path;

use fazhi_workflow::{Diagnostic, Severity};

/// A file being checked: its path (as diagnostics name it) and its text.
pub(crate) struct Src<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Src<'_> {
    pub fn diag(
        &self,
        severity: Severity,
        span: Option<Range<usize>>,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::at(self.path, self.text, span, severity, en, zh)
    }

    pub fn error(
        &self,
        span: Option<Range<usize>>,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Diagnostic {
        self.diag(Severity::Error, span, en, zh)
    }

    /// The span of `needle` inside the source range `within` (e.g. a placeholder inside the
    /// string literal that holds it), or `within` itself when it is not found verbatim (an
    /// escape sequence in between).
    pub fn find_in(&self, within: &Range<usize>, needle: &str) -> Range<usize> {
        self.text
            .get(within.clone())
            .and_then(|s| s.find(needle))
            .map(|i| within.start + i..within.start + i + needle.len())
            .unwrap_or_else(|| within.clone())
    }
}
