-- Two PostgreSQL roles for Fazhi (docs/security-operations.md). Run as a superuser AFTER
-- `fazhi migrate` has run as the owner role, and again after every upgrade's migrate (new
-- tables need their grants). The names fazhi_owner / fazhi_app are placeholders: tests replace
-- them.
--
--   fazhi_owner  owns the schema and runs migrations (`fazhi migrate`); never used by the server.
--   fazhi_app    the server's role (`fazhi serve`): reads and writes the case tables, may only
--                INSERT into the audit log and move its head; owns nothing, so it can neither
--                ALTER the audit tables nor drop their triggers, and TRUNCATE is refused.

GRANT USAGE ON SCHEMA public TO fazhi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fazhi_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO fazhi_app;
-- The audit tables: append and read; the head row is only ever updated.
REVOKE ALL ON audit_log, audit_head FROM fazhi_app;
GRANT SELECT, INSERT ON audit_log TO fazhi_app;
GRANT SELECT, UPDATE ON audit_head TO fazhi_app;
-- Migration bookkeeping is the owner's.
REVOKE ALL ON _sqlx_migrations FROM fazhi_app;
GRANT SELECT ON _sqlx_migrations TO fazhi_app;
