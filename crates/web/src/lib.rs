//! fazhi-web
