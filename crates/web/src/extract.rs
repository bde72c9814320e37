//! Request extractors of the API that bound a request before any work and answer every rejection
//! in the documented JSON error shape (`{error, message, problems}`), never `text/plain`.
//!
//! A JSON body is limited in bytes ([`MAX_JSON_BYTES`]) and, before it is deserialised, in shape:
//! keys per object, values in all, nesting depth and string length ([`Shape`]). The problem names
//! the field (the JSON path) and the reason, in Chinese.

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::ApiErrorBody;

/// Largest JSON request body.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// Limits on the shape of a JSON request body.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub max_keys_per_object: usize,
    pub max_values: usize,
    pub max_depth: usize,
    pub max_string_chars: usize,
    pub max_array_len: usize,
}

/// The API's limits: a case input has a few dozen fields, a long text a few thousand characters.
pub const SHAPE: Shape = Shape {
    max_keys_per_object: 200,
    max_values: 5_000,
    max_depth: 8,
    max_string_chars: 20_000,
    max_array_len: 1_000,
};

/// A refusal of the request itself (before the application sees it), in the API's error shape.
#[derive(Debug)]
pub struct Rejection {
    pub status: StatusCode,
    pub code: &'static str,
    pub field: String,
    pub reason: &'static str,
    pub message: String,
}

impl Rejection {
    pub fn bad(field: impl Into<String>, reason: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            status: StatusCode::BAD_REQUEST,
            code: "invalid",
            field: field.into(),
            reason,
            message: message.into(),
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            error: self.code.into(),
            problems: vec![
                json!({"field": self.field, "code": self.reason, "message": self.message}),
            ],
            message: self.message,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// Checks `v` against `shape`; the error names the JSON path of the first offending value.
pub fn check_shape(v: &Value, shape: &Shape) -> Result<(), Rejection> {
    let mut count = 0usize;
    // Iterative walk: the path is rebuilt only for the value that fails.
    let mut stack: Vec<(&Value, usize, String)> = vec![(v, 0, String::new())];
    while let Some((v, depth, path)) = stack.pop() {
        count += 1;
        let field = || {
            if path.is_empty() {
                "body".to_string()
            } else {
                path.clone()
            }
        };
        if count > shape.max_values {
            return Err(Rejection::bad(
                "body",
                "too_many_values",
                format!("请求体：值过多（最多{}个）", shape.max_values),
            ));
        }
        if depth > shape.max_depth {
            return Err(Rejection::bad(
                field(),
                "too_deep",
                format!("{}：嵌套层次过深（最多{}层）", field(), shape.max_depth),
            ));
        }
        match v {
            Value::Object(m) => {
                if m.len() > shape.max_keys_per_object {
                    return Err(Rejection::bad(
                        field(),
                        "too_many_keys",
                        format!(
                            "{}：字段过多（{}个，最多{}个）",
                            field(),
                            m.len(),
                            shape.max_keys_per_object
                        ),
                    ));
                }
                for (k, x) in m {
                    if k.chars().count() > 100 {
                        return Err(Rejection::bad(
                            field(),
                            "key_too_long",
                            format!("{}：字段名过长（最多100个字符）", field()),
                        ));
                    }
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    stack.push((x, depth + 1, p));
                }
            }
            Value::Array(a) => {
                if a.len() > shape.max_array_len {
                    return Err(Rejection::bad(
                        field(),
                        "too_many_items",
                        format!("{}：列表过长（最多{}项）", field(), shape.max_array_len),
                    ));
                }
                for (i, x) in a.iter().enumerate() {
                    stack.push((x, depth + 1, format!("{}[{i}]", field())));
                }
            }
            Value::String(s)
                if s.len() > shape.max_string_chars
                    && s.chars().count() > shape.max_string_chars =>
            {
                return Err(Rejection::bad(
                    field(),
                    "too_long",
                    format!(
                        "{}：文本过长（最多{}个字符）",
                        field(),
                        shape.max_string_chars
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// A JSON body, bounded in size and shape, deserialised with the offending field named.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Rejection;
    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(Rejection {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                field: "content-type".into(),
                reason: "content_type",
                message: "请求头Content-Type：应为application/json".into(),
            });
        }
        let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON_BYTES)
            .await
            .map_err(|_| Rejection {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "too_large",
                field: "body".into(),
                reason: "too_large",
                message: format!("请求体：过大（最多{}KB）", MAX_JSON_BYTES / 1024),
            })?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
            Rejection::bad(
                "body",
                "json",
                format!(
                    "请求体：不是有效的JSON（第{}行第{}列）",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        check_shape(&v, &SHAPE)?;
        serde_path_to_error::deserialize::<_, T>(v)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." {
                    "body".to_string()
                } else {
                    path
                };
                let inner = e.into_inner().to_string();
                let reason = if inner.starts_with("missing field") {
                    "required"
                } else if inner.starts_with("unknown variant") {
                    "unknown"
                } else {
                    "type"
                };
                let message = match reason {
                    "required" => {
                        let name = inner.split('`').nth(1).unwrap_or("").to_string();
                        return Rejection::bad(name.clone(), reason, format!("{name}：必填"));
                    }
                    _ => format!("{field}：取值类型不正确（{inner}）"),
                };
                Rejection::bad(field, reason, message)
            })
    }
}

/// A path parameter; a malformed one (e.g. a non-numeric id) is a 400 naming the parameter.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Rejection;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| {
                let name = match &e {
                    axum::extract::rejection::PathRejection::FailedToDeserializePathParams(d) => {
                        match d.kind() {
                            axum::extract::path::ErrorKind::ParseErrorAtKey { key, .. }
                            | axum::extract::path::ErrorKind::InvalidUtf8InPathParam { key } => {
                                key.clone()
                            }
                            _ => "id".to_string(),
                        }
                    }
                    _ => "id".to_string(),
                };
                Rejection::bad(
                    name.clone(),
                    "path",
                    format!("路径参数{name}：格式不正确（应为整数编号）"),
                )
            })
    }
}

/// Query parameters; a malformed one is a 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Rejection;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        if q.len() > 8 * 1024 {
            return Err(Rejection::bad(
                "query",
                "too_long",
                "查询参数：过长（最多8KB）",
            ));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(q));
        serde_path_to_error::deserialize::<_, T>(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner().to_string();
                if let Some(name) = inner.strip_prefix("missing field `") {
                    let name = name.trim_end_matches('`');
                    return Rejection::bad(name, "required", format!("查询参数{name}：必填"));
                }
                let field = if path == "." {
                    "query".to_string()
                } else {
                    path
                };
                Rejection::bad(
                    field.clone(),
                    "type",
                    format!("查询参数{field}：取值不正确（{inner}）"),
                )
            })
    }
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

/// The API's answer to a path no route matches.
pub async fn api_not_found() -> Response {
    Rejection {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        field: "path".into(),
        reason: "not_found",
        message: "接口不存在".into(),
    }
    .into_response()
}

/// A multipart body (API uploads); a missing or malformed multipart content type (no boundary)
/// is a 400 in the error shape naming the `file` field, not the framework's plain text.
pub struct ApiMultipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = Rejection;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|_| {
                Rejection::bad(
                    "file",
                    "multipart",
                    "上传内容：应为 multipart/form-data 格式（含 boundary）",
                )
            })
    }
}
