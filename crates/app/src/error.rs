use serde::Serialize;

/// A problem with one input field, in Chinese for the user, with a stable code for machines.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> FieldProblem {
        FieldProblem {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// What a use case can answer besides success. The web layer maps each to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("未登录或登录已过期")]
    Unauthenticated,
    #[error("{0}")]
    LoginFailed(String),
    #[error("无权执行此操作：{0}")]
    Forbidden(String),
    #[error("未找到：{0}")]
    NotFound(String),
    /// Field-level input errors; nothing was written.
    #[error("输入有误")]
    Invalid(Vec<FieldProblem>),
    /// The law (a workflow guard) refuses the step; nothing was written.
    #[error("依法不能执行此操作")]
    Refused(Vec<fazhi_workflow::Refusal>),
    #[error("{0}")]
    Conflict(String),
    #[error("内部错误")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldProblem::new(field, code, message)])
    }
}

impl From<fazhi_store::StoreError> for AppError {
    fn from(e: fazhi_store::StoreError) -> Self {
        use fazhi_store::StoreError::*;
        match e {
            NotFound(what) => AppError::NotFound(what),
            Conflict(what) => AppError::Conflict(format!("数据已被他人修改或重复：{what}")),
            other => {
                tracing::error!(error = %other, "store failure");
                AppError::Internal(other.to_string())
            }
        }
    }
}
