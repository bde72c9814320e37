//! The router is built through [`Routes`], which records every `(method, path)` it registers as
//! it registers it. [`crate::route_table`] returns that record, so a test can enumerate what the
//! router serves (the authorization matrix, `tests/authz_matrix.rs`) without a hand-kept list
//! that could drift from it.

use axum::Router;
use axum::handler::Handler;
use axum::routing::MethodRouter;

use crate::AppState;

/// One registered route: an HTTP method and the full path pattern (`/api/v1/cases/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteEntry {
    pub method: &'static str,
    pub path: String,
}

/// A method router and the methods it was given.
pub struct Methods {
    router: MethodRouter<AppState>,
    methods: Vec<&'static str>,
}

pub fn get<H, T>(handler: H) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Methods {
        router: axum::routing::get(handler),
        methods: vec!["GET"],
    }
}

pub fn post<H, T>(handler: H) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Methods {
        router: axum::routing::post(handler),
        methods: vec!["POST"],
    }
}

pub fn delete<H, T>(handler: H) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Methods {
        router: axum::routing::delete(handler),
        methods: vec!["DELETE"],
    }
}

pub fn patch<H, T>(handler: H) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Methods {
        router: axum::routing::patch(handler),
        methods: vec!["PATCH"],
    }
}

impl Methods {
    pub fn put<H, T>(mut self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.put(handler);
        self.methods.push("PUT");
        self
    }

    pub fn post<H, T>(mut self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.post(handler);
        self.methods.push("POST");
        self
    }

    /// Changes the method router without adding methods (e.g. a body limit layer).
    pub fn map(mut self, f: impl FnOnce(MethodRouter<AppState>) -> MethodRouter<AppState>) -> Self {
        self.router = f(self.router);
        self
    }
}

/// A router and the record of what it serves.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteEntry>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn route(mut self, path: &str, methods: Methods) -> Self {
        for m in &methods.methods {
            self.table.push(RouteEntry {
                method: m,
                path: path.to_string(),
            });
        }
        self.router = self.router.route(path, methods.router);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.table.extend(other.table);
        self.router = self.router.merge(other.router);
        self
    }

    pub fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.table
            .extend(other.table.into_iter().map(|e| RouteEntry {
                method: e.method,
                path: format!("{prefix}{}", e.path),
            }));
        self.router = self.router.nest(prefix, other.router);
        self
    }

    /// Changes the router without adding routes (layers, fallbacks).
    pub fn map(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Self {
        self.router = f(self.router);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteEntry>) {
        (self.router, self.table)
    }
}
