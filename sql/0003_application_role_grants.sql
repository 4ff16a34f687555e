-- What the server's role (fazhi_app, created by the migrator before this file runs) may do.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO fazhi_app', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO fazhi_app;

-- Platform tables: read what the server needs; append to the platform audit log only.
GRANT SELECT ON agencies, calendar_years, calendar_days, setting_defaults TO fazhi_app;
GRANT SELECT, INSERT ON platform_audit_log TO fazhi_app;

-- Tenant tables, under row-level security.
GRANT SELECT, INSERT, UPDATE, DELETE ON users, role_grants, sessions, idempotency_keys, agency_settings TO fazhi_app;
GRANT SELECT, INSERT ON agency_audit_log TO fazhi_app;
