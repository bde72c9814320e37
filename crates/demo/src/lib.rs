//! fazhi-demo
