//! Who is calling: a session cookie (pages and API), an API token (`Authorization: Bearer`, the
//! way machines call the API) or HTTP Basic credentials.
//! Unsafe methods from a cookie session must carry the session's CSRF token and, when the
//! browser sends one, an Origin matching the Host.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use fazhi_app::{Actor, AppError};
use fazhi_store::SessionRow;

use crate::AppState;
use crate::error::ApiError;

pub const COOKIE: &str = "fazhi_session";

pub fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address, for the login throttle and the audit log (see [`client_ip`]).
pub fn client_addr(parts: &Parts, trusted_proxies: &[IpAddr]) -> String {
    let Some(peer) = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "unknown".into();
    };
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_ip(peer, &forwarded, trusted_proxies).to_string()
}

/// The peer, unless the peer is a trusted proxy: then the rightmost address of
/// `X-Forwarded-For` (all its headers, in order) that is not itself a trusted proxy. Entries to
/// the left of it were written by the client and are not believed; an unparsable entry stops
/// the walk (the last trusted hop's peer is used).
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted_proxies.contains(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

pub fn session_cookie(id: &str, secure: bool, max_age: i64) -> String {
    format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Origin must match Host when present (a cross-site form post carries a foreign Origin).
pub fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return !matches!(
            parts
                .headers
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok()),
            Some("cross-site")
        );
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .map(|(_, h)| h == host)
        .unwrap_or(false)
}

async fn from_cookie(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<(SessionRow, Actor)>, AppError> {
    match cookie_value(parts, COOKIE) {
        Some(id) if !id.is_empty() => state.app.session_actor(id).await,
        _ => Ok(None),
    }
}

/// A page visitor who may or may not be logged in.
pub struct MaybeUser(pub Option<(SessionRow, Actor)>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        from_cookie(parts, state)
            .await
            .map(MaybeUser)
            .map_err(|e| ApiError(e).into_response())
    }
}

/// A logged-in page user; others are sent to the login page. For unsafe methods the Origin is
/// checked here and the CSRF token by the form extractor.
pub struct PageUser {
    pub actor: Actor,
    pub session: SessionRow,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match from_cookie(parts, state).await {
            Ok(Some((session, actor))) => {
                if parts.method != Method::GET
                    && parts.method != Method::HEAD
                    && !same_origin(parts)
                {
                    return Err((StatusCode::FORBIDDEN, "跨站请求被拒绝").into_response());
                }
                // The menu shows only the case types the user's unit runs.
                let runs = state
                    .app
                    .actor_case_types(&actor)
                    .await
                    .map_err(|e| ApiError(e).into_response())?;
                let _ = crate::views::RUNS.try_with(|r| *r.borrow_mut() = Some(runs));
                Ok(PageUser { actor, session })
            }
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let next = if parts.method == Method::GET {
                    next
                } else {
                    "/"
                };
                Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response())
            }
            Err(e) => Err(ApiError(e).into_response()),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// An API caller: HTTP Basic credentials, or a session cookie plus `X-CSRF-Token` on unsafe methods.
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if let Some(token) = authorization.and_then(|v| v.strip_prefix("Bearer ")) {
            let actor = state
                .app
                .token_actor(token, &client_addr(parts, &state.config.trusted_proxies))
                .await?;
            return Ok(ApiUser(actor));
        }
        if let Some(basic) = authorization.and_then(|v| v.strip_prefix("Basic ")) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(basic.trim())
                .map_err(|_| AppError::Unauthenticated)?;
            let text = String::from_utf8(decoded).map_err(|_| AppError::Unauthenticated)?;
            let (login, password) = text.split_once(':').ok_or(AppError::Unauthenticated)?;
            let actor = state
                .app
                .basic_auth(
                    login,
                    password,
                    &client_addr(parts, &state.config.trusted_proxies),
                )
                .await?;
            return Ok(ApiUser(actor));
        }
        let (session, actor) = from_cookie(parts, state)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if parts.method != Method::GET && parts.method != Method::HEAD {
            let token = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if token != session.csrf || !same_origin(parts) {
                return Err(
                    AppError::Forbidden("缺少或错误的CSRF令牌（X-CSRF-Token）".into()).into(),
                );
            }
        }
        Ok(ApiUser(actor))
    }
}

#[cfg(test)]
mod tests {
    use super::client_ip;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        // Direct client: the header is the client's own claim.
        assert_eq!(
            client_ip(ip("203.0.113.7"), &["198.51.100.1"], &trusted),
            ip("203.0.113.7")
        );
        // No proxies configured: the peer, whatever the header says.
        assert_eq!(client_ip(proxy, &["198.51.100.1"], &[]), proxy);
        // Through the proxy: the address it appended.
        assert_eq!(
            client_ip(proxy, &["198.51.100.1"], &trusted),
            ip("198.51.100.1")
        );
        // A forged leftmost entry is not believed; two trusted hops are skipped.
        assert_eq!(
            client_ip(proxy, &["1.2.3.4, 198.51.100.1", "10.0.0.3"], &trusted),
            ip("198.51.100.1")
        );
        // Garbage from the client before the proxy's entry does not matter; garbage as the
        // proxy's own entry falls back to the proxy.
        assert_eq!(
            client_ip(proxy, &["nonsense, 198.51.100.1"], &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(client_ip(proxy, &["nonsense"], &trusted), proxy);
        assert_eq!(client_ip(proxy, &[], &trusted), proxy);
    }
}
