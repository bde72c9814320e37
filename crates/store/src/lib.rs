//! fazhi-store
