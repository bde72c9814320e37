//! Application errors as HTTP: one status per kind, a JSON body for the API, a page for people.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fazhi_app::AppError;
use serde::Serialize;

/// JSON error body of the API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// Stable machine code: unauthenticated, forbidden, not_found, invalid, refused, conflict, internal.
    pub error: String,
    /// Chinese message for people.
    pub message: String,
    /// Field problems (invalid) or legal refusals (refused), each naming its field or statute.
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<serde_json::Value>,
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated | AppError::LoginFailed(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Invalid(_) | AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub fn body_of(e: &AppError) -> ApiErrorBody {
    let (code, problems): (&str, Vec<serde_json::Value>) = match e {
        AppError::Unauthenticated | AppError::LoginFailed(_) => ("unauthenticated", vec![]),
        AppError::Forbidden(_) => ("forbidden", vec![]),
        AppError::NotFound(_) => ("not_found", vec![]),
        AppError::Invalid(p) => (
            "invalid",
            p.iter()
                .map(|p| serde_json::to_value(p).unwrap_or_default())
                .collect(),
        ),
        AppError::Refused(r) => (
            "refused",
            r.iter()
                .map(|r| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    if let (Some(o), Some(b)) = (v.as_object_mut(), r.basis_zh()) {
                        o.insert("basis".into(), b.into());
                    }
                    v
                })
                .collect(),
        ),
        AppError::Conflict(_) => ("conflict", vec![]),
        AppError::Internal(_) => ("internal", vec![]),
    };
    let message = match e {
        AppError::Invalid(p) => p
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        AppError::Refused(r) => r
            .iter()
            .map(|r| r.message_zh.clone())
            .collect::<Vec<_>>()
            .join("；"),
        // Internal details go to the log, not to the user.
        AppError::Internal(_) => "服务器内部错误，请稍后重试或联系管理员".into(),
        other => other.to_string(),
    };
    ApiErrorBody {
        error: code.into(),
        message,
        problems,
    }
}

/// An error answered as JSON (API routes).
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = ?self.0, "internal error");
        }
        let mut resp = (status, axum::Json(body_of(&self.0))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Basic realm=\"fazhi\""),
            );
        }
        resp
    }
}
