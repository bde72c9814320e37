//! fazhi-domain
