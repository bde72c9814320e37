//! fazhi-app
