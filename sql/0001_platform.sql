-- Platform tables: shared by every agency. The application role reads the agency
-- directory, the calendar and the setting defaults, and may only append to the
-- platform audit log; everything else here changes through the owner.

-- The agency the current transaction acts for, set with
--   SELECT set_config('fazhi.agency_id', '<uuid>', true)   -- i.e. SET LOCAL
-- NULL when none is set, so row-level security then matches no tenant row.
CREATE FUNCTION fazhi_current_agency() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('fazhi.agency_id', true), '')::uuid $$;

-- Refuses UPDATE, DELETE and TRUNCATE on append-only tables, for every role, the owner
-- included; the application role is also denied those privileges outright.
CREATE FUNCTION fazhi_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '表 % 只可追加，不可 % / table % is append-only: % is not allowed',
        TG_TABLE_NAME, TG_OP, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a correction as a new row instead.';
END
$$;

CREATE TABLE agencies (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code          text NOT NULL UNIQUE
                  CONSTRAINT agencies_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$'),
    name          text NOT NULL CONSTRAINT agencies_name_length CHECK (length(name) BETWEEN 1 AND 200),
    -- 行政区划代码: the six-digit division code of the agency's jurisdiction.
    division_code text NOT NULL CONSTRAINT agencies_division_code_format CHECK (division_code ~ '^[0-9]{6}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);
COMMENT ON TABLE agencies IS 'The agency directory (tenants). Code ''platform'' is reserved for platform administrators.';

INSERT INTO agencies (code, name, division_code) VALUES ('platform', '平台 / Platform', '000000');

-- The national working-day calendar. A year is covered once its schedule is loaded;
-- deadlines in uncovered years are provisional.
CREATE TABLE calendar_years (
    year      integer PRIMARY KEY CONSTRAINT calendar_years_range CHECK (year BETWEEN 1949 AND 2200),
    source    text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE calendar_days (
    day           date PRIMARY KEY,
    kind          text NOT NULL CONSTRAINT calendar_days_kind CHECK (kind IN ('holiday', 'workday')),
    name          text NOT NULL CONSTRAINT calendar_days_name CHECK (length(name) BETWEEN 1 AND 100),
    -- The schedule the day belongs to: 2023's New Year holiday began on 2022-12-31.
    schedule_year integer NOT NULL REFERENCES calendar_years (year) ON DELETE CASCADE,
    -- 调休: only a weekend day can be declared a working day.
    CONSTRAINT calendar_days_workday_on_weekend CHECK (kind = 'holiday' OR extract(isodow FROM day) >= 6)
);
CREATE INDEX calendar_days_schedule_year ON calendar_days (schedule_year);

-- Every configurable number of the domain, with its default; agencies may override.
CREATE FUNCTION fazhi_setting_value_is_valid(value_type text, value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE value_type
        WHEN 'integer'   THEN value ~ '^-?[0-9]{1,18}$'
        WHEN 'decimal'   THEN value ~ '^-?[0-9]{1,20}(\.[0-9]{1,10})?$'
        WHEN 'boolean'   THEN value IN ('true', 'false')
        -- A day that exists in a leap year (so 02-29 is allowed; 02-30 and 04-31 are not).
        WHEN 'month_day' THEN value ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                              AND substr(value, 4, 2)::int <= CASE substr(value, 1, 2)
                                  WHEN '02' THEN 29 WHEN '04' THEN 30 WHEN '06' THEN 30
                                  WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END
        ELSE false
    END
    $$;

CREATE TABLE setting_defaults (
    key            text PRIMARY KEY CONSTRAINT setting_defaults_key_format CHECK (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    value_type     text NOT NULL CONSTRAINT setting_defaults_value_type CHECK (value_type IN ('integer', 'decimal', 'boolean', 'month_day')),
    value          text NOT NULL,
    unit           text NOT NULL,
    minimum        numeric,
    maximum        numeric,
    description_zh text NOT NULL,
    description_en text NOT NULL,
    source         text NOT NULL,
    CONSTRAINT setting_defaults_value_valid CHECK (fazhi_setting_value_is_valid(value_type, value))
);

-- Calls whose agency is unknown (a login naming no existing agency, a malformed token).
CREATE TABLE platform_audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    claimed_agency text,
    username      text,
    roles         text[] NOT NULL DEFAULT '{}',
    method        text NOT NULL,
    target_ids    text[] NOT NULL DEFAULT '{}',
    status        text NOT NULL,
    reason        text,
    peer          text,
    request_id    text,
    duration_us   bigint NOT NULL CONSTRAINT platform_audit_log_duration CHECK (duration_us >= 0)
);
CREATE INDEX platform_audit_log_at ON platform_audit_log (at);

CREATE TRIGGER platform_audit_log_append_only BEFORE UPDATE OR DELETE ON platform_audit_log
    FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change();
CREATE TRIGGER platform_audit_log_no_truncate BEFORE TRUNCATE ON platform_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fazhi_refuse_change();
