//! fazhi-workflow
