//! fazhi-importer
