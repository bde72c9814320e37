//! fazhi-calendar
