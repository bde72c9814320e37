use std::borrow::Cow;

/// A value that failed validation.
///
/// `code` is stable (API, tests, message catalogue); `message_zh` names the reason in Chinese
/// without the field label — the caller prefixes it (`联系电话：手机号码应为11位`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message_zh}")]
pub struct FieldError {
    /// Stable machine-readable reason, e.g. `id_number.checksum`.
    pub code: &'static str,
    /// Human-readable reason in Simplified Chinese, without the field label.
    pub message_zh: Cow<'static, str>,
}

impl FieldError {
    /// An error with a fixed message.
    pub const fn new(code: &'static str, message_zh: &'static str) -> Self {
        Self {
            code,
            message_zh: Cow::Borrowed(message_zh),
        }
    }

    /// An error whose message carries parameters.
    pub fn with_message(code: &'static str, message_zh: String) -> Self {
        Self {
            code,
            message_zh: Cow::Owned(message_zh),
        }
    }

    /// The message with the field label in front: `身份证号：校验位不正确`.
    pub fn for_field(&self, label_zh: &str) -> String {
        format!("{label_zh}：{}", self.message_zh)
    }
}

/// A code string that names none of the variants of a code enum (role, scope, unit kind).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{what}代码：{code}")]
pub struct UnknownCode {
    /// What kind of code was expected, in Chinese (e.g. `角色`).
    pub what: &'static str,
    /// The offending input.
    pub code: String,
}
