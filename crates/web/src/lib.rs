//! HTTP: server-rendered pages in Simplified Chinese, the JSON API under `/api/v1`, the OpenAPI
//! document, and the public pages of published enforcement decisions. The one place where
//! application errors become HTTP statuses.

mod admin_org;
mod api;
mod assets;
mod auth;
mod case_import;
mod charts;
mod disclosure_reports;
mod error;
mod extract;
mod figures;
mod forms;
mod imports;
mod pages;
mod reports;
mod route_table;
mod setup;
mod views;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use fazhi_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};

/// Responses smaller than this many bytes are sent uncompressed.
const COMPRESS_ABOVE: u64 = 4096;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi_json;
pub use route_table::RouteEntry;
pub use setup::SetupToken;

/// Web-layer settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// While the database has no unit: the one-time token that opens `/setup` to another
    /// machine (printed on the console at start). `None`: the page is open to this machine only.
    pub setup_token: Option<SetupToken>,
    /// Reverse proxies in front of the server. A request whose peer is one of them is counted
    /// (login throttle, audit) against the address the proxy appended to `X-Forwarded-For`
    /// (`auth::client_ip`); otherwise every client would share the proxy's address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
}

/// Every route the application serves, as the router is built from it.
fn routes() -> route_table::Routes {
    route_table::Routes::new()
        .merge(pages::routes())
        .merge(setup::routes())
        .merge(admin_org::routes())
        .merge(case_import::routes())
        .merge(imports::routes())
        .merge(reports::routes())
        .merge(disclosure_reports::routes())
        .merge(figures::routes())
        .nest("/api/v1", api::routes())
        .route("/api/openapi.json", route_table::get(api::openapi_handler))
        .merge(assets::routes())
}

/// Every `(method, path)` the router of [`router`] serves, recorded while it is built (the
/// authorization matrix test enumerates the routes from this).
pub fn route_table() -> Vec<RouteEntry> {
    routes().into_parts().1
}

/// The whole application as one router.
pub fn router(app: App, config: WebConfig) -> Router {
    let menu = views::menu_of(&app.registry);
    let state = AppState { app, config };
    let (routes, _) = routes().into_parts();
    routes
        // Security headers on every answer (pages, API, errors, assets).
        .layer(axum::middleware::from_fn(security_headers))
        // Every page's menu lists the case types of this registry, in declared order.
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let menu = menu.clone();
                async move {
                    let page = views::RUNS.scope(std::cell::RefCell::new(None), next.run(req));
                    views::MENU.scope(menu, page).await
                }
            },
        ))
        .layer(RequestBodyLimitLayer::new(25 * 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Compressing a small response (an API answer, a redirect) costs the server more than
        // it saves on a street office's network: gzip sets up about 256 KiB of state per
        // response (docs/benchmarks.md, "HTTP writes on loopback"). Pages and large lists are
        // still compressed.
        .layer(
            CompressionLayer::new().compress_when(
                SizeAbove::new(COMPRESS_ABOVE)
                    .and(NotForContentType::GRPC)
                    .and(NotForContentType::IMAGES)
                    .and(NotForContentType::SSE),
            ),
        )
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The Content-Security-Policy of every answer: only this origin's scripts, styles and images
/// (inline style attributes are used by the templates), no framing, no plugins.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    resp
}

/// Serves until the process is stopped. Returns the bound address through `on_bound` first.
pub async fn serve(
    app: App,
    config: WebConfig,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_bound(listener.local_addr()?);
    axum::serve(
        listener,
        router(app, config).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
