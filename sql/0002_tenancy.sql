-- Tenant tables: every row belongs to one agency, agency_id leads every primary key
-- (so the schema can later be distributed by agency unchanged), and row-level security
-- shows a transaction only the rows of the agency it set.

CREATE TABLE users (
    agency_id           uuid NOT NULL REFERENCES agencies (id),
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    username            text NOT NULL CONSTRAINT users_username_format CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    display_name        text NOT NULL CONSTRAINT users_display_name_length CHECK (length(display_name) BETWEEN 1 AND 100),
    -- scrypt in PHC string form: $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>
    password_hash       text NOT NULL CONSTRAINT users_password_hash_format CHECK (password_hash ~ '^\$scrypt\$ln=[0-9]+,r=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$'),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    disabled_at         timestamptz,
    PRIMARY KEY (agency_id, id),
    CONSTRAINT users_username_unique UNIQUE (agency_id, username)
);

CREATE TABLE role_grants (
    agency_id  uuid NOT NULL,
    user_id    uuid NOT NULL,
    role       text NOT NULL CONSTRAINT role_grants_role CHECK (role IN (
                   'officer', 'credential_admin', 'legal_reviewer', 'approver',
                   'compliance_officer', 'auditor', 'admin', 'platform_admin')),
    granted_by uuid,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, user_id, role),
    FOREIGN KEY (agency_id, user_id) REFERENCES users (agency_id, id) ON DELETE CASCADE
);

CREATE TABLE sessions (
    agency_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL,
    -- SHA-256 of the bearer token; the token itself is never stored.
    token_hash   bytea NOT NULL CONSTRAINT sessions_token_hash_length CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    ended_reason text,
    peer         text,
    PRIMARY KEY (agency_id, id),
    CONSTRAINT sessions_token_hash_unique UNIQUE (agency_id, token_hash),
    FOREIGN KEY (agency_id, user_id) REFERENCES users (agency_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (agency_id, user_id) WHERE ended_at IS NULL;

-- Every call an agency's users make, refused ones included. Append-only.
CREATE TABLE agency_audit_log (
    agency_id   uuid NOT NULL REFERENCES agencies (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id     uuid,
    username    text,
    roles       text[] NOT NULL DEFAULT '{}',
    method      text NOT NULL,
    target_ids  text[] NOT NULL DEFAULT '{}',
    status      text NOT NULL,
    reason      text,
    peer        text,
    request_id  text,
    duration_us bigint NOT NULL CONSTRAINT agency_audit_log_duration CHECK (duration_us >= 0),
    PRIMARY KEY (agency_id, id)
);
CREATE INDEX agency_audit_log_at ON agency_audit_log (agency_id, at);

CREATE TRIGGER agency_audit_log_append_only BEFORE UPDATE OR DELETE ON agency_audit_log
    FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change();
CREATE TRIGGER agency_audit_log_no_truncate BEFORE TRUNCATE ON agency_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fazhi_refuse_change();

-- A retried mutating call returns its first outcome. Scope is (agency, user).
CREATE TABLE idempotency_keys (
    agency_id   uuid NOT NULL,
    user_id     uuid NOT NULL,
    key         text NOT NULL CONSTRAINT idempotency_keys_key_length CHECK (length(key) BETWEEN 1 AND 128),
    method      text NOT NULL,
    -- SHA-256 of method and request: the same key with another request is refused.
    fingerprint bytea NOT NULL CONSTRAINT idempotency_keys_fingerprint_length CHECK (length(fingerprint) = 32),
    state       text NOT NULL DEFAULT 'running' CONSTRAINT idempotency_keys_state CHECK (state IN ('running', 'done')),
    -- The final outcome: a response, or a domain error (status and details). Never a secret.
    outcome_status  text,
    outcome_payload bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (agency_id, user_id, key),
    FOREIGN KEY (agency_id, user_id) REFERENCES users (agency_id, id) ON DELETE CASCADE,
    CONSTRAINT idempotency_keys_outcome CHECK ((state = 'done') = (outcome_status IS NOT NULL))
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (agency_id, expires_at);

CREATE TABLE agency_settings (
    agency_id  uuid NOT NULL REFERENCES agencies (id),
    key        text NOT NULL REFERENCES setting_defaults (key),
    value      text NOT NULL,
    updated_by uuid,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, key)
);

-- An override must have the type of its default and stay within its bounds.
CREATE FUNCTION fazhi_check_setting_override() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    d setting_defaults%ROWTYPE;
BEGIN
    SELECT * INTO d FROM setting_defaults WHERE key = NEW.key;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key names the unknown setting
    END IF;
    IF NOT fazhi_setting_value_is_valid(d.value_type, NEW.value) THEN
        RAISE EXCEPTION '设置 % 的值 "%" 不是 % / setting % needs a % value, got "%"',
            NEW.key, NEW.value, d.value_type, NEW.key, d.value_type, NEW.value
            USING ERRCODE = 'check_violation', CONSTRAINT = 'agency_settings_value_valid';
    END IF;
    IF d.value_type IN ('integer', 'decimal')
       AND ((d.minimum IS NOT NULL AND NEW.value::numeric < d.minimum)
            OR (d.maximum IS NOT NULL AND NEW.value::numeric > d.maximum)) THEN
        RAISE EXCEPTION '设置 % 的值 % 超出范围 [%, %] / setting % must lie in [%, %], got %',
            NEW.key, NEW.value, d.minimum, d.maximum, NEW.key, d.minimum, d.maximum, NEW.value
            USING ERRCODE = 'check_violation', CONSTRAINT = 'agency_settings_value_range';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER agency_settings_valid BEFORE INSERT OR UPDATE ON agency_settings
    FOR EACH ROW EXECUTE FUNCTION fazhi_check_setting_override();

-- Row-level security on every tenant table, forced so that even the owner sees only
-- the agency it set.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'role_grants', 'sessions', 'agency_audit_log', 'idempotency_keys', 'agency_settings']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY agency_isolation ON %I USING (agency_id = fazhi_current_agency()) WITH CHECK (agency_id = fazhi_current_agency())', t);
    END LOOP;
END
$$;
