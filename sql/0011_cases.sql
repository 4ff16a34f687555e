-- 执法案件 and the full-process record 执法全过程记录.

-- A text setting: the decision-number pattern is words, not a number.
CREATE OR REPLACE FUNCTION fazhi_setting_value_is_valid(value_type text, value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE value_type
        WHEN 'integer'   THEN value ~ '^-?[0-9]{1,18}$'
        WHEN 'decimal'   THEN value ~ '^-?[0-9]{1,20}(\.[0-9]{1,10})?$'
        WHEN 'boolean'   THEN value IN ('true', 'false')
        WHEN 'month_day' THEN value ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                              AND substr(value, 4, 2)::int <= CASE substr(value, 1, 2)
                                  WHEN '02' THEN 29 WHEN '04' THEN 30 WHEN '06' THEN 30
                                  WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END
        -- A decision-number pattern: {year} and {serial} where the numbers go.
        WHEN 'number_pattern' THEN length(value) BETWEEN 5 AND 60 AND strpos(value, '{year}') > 0 AND strpos(value, '{serial}') > 0
        ELSE false
    END
    $$;
ALTER TABLE setting_defaults DROP CONSTRAINT setting_defaults_value_type;
ALTER TABLE setting_defaults ADD CONSTRAINT setting_defaults_value_type CHECK (value_type IN ('integer', 'decimal', 'boolean', 'month_day', 'number_pattern'));

INSERT INTO setting_defaults (key, value_type, value, unit, minimum, maximum, description_zh, description_en, source) VALUES
('case.decision_number_pattern', 'number_pattern', '民罚决字〔{year}〕第{serial}号', 'pattern', NULL, NULL,
 '行政执法决定书文号格式（{year} 为年份，{serial} 为三位以上序号）', 'decision document number pattern ({year}, {serial} of at least three digits)', 'agency choice');

CREATE TABLE cases (
    agency_id       uuid NOT NULL,
    id              uuid NOT NULL,
    kind            text NOT NULL CONSTRAINT cases_kind CHECK (kind IN ('penalty', 'inspection', 'other')),
    item_version    integer NOT NULL,
    item_code       text NOT NULL,
    party_id        uuid NOT NULL,
    area            text NOT NULL CONSTRAINT cases_area_format CHECK (area ~ '^[0-9]{6}$'),
    status          text NOT NULL CONSTRAINT cases_status CHECK (status IN ('open', 'closed')),
    next_step       text,
    opened_on       date,
    decision_number text,
    fine            numeric(16, 2),
    -- The whole case as the domain's state machine holds it; the columns above index it.
    state           jsonb NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (agency_id, id),
    CONSTRAINT cases_decision_number_unique UNIQUE (agency_id, decision_number),
    FOREIGN KEY (agency_id, item_version, item_code) REFERENCES power_list_items (agency_id, version, code),
    FOREIGN KEY (agency_id, party_id) REFERENCES parties (agency_id, id)
);
CREATE INDEX cases_status ON cases (agency_id, status, opened_on);
CREATE INDEX cases_item ON cases (agency_id, item_code);
CREATE INDEX cases_party ON cases (agency_id, party_id);

-- Who took part, for searching cases by officer.
CREATE TABLE case_officers (
    agency_id  uuid NOT NULL,
    case_id    uuid NOT NULL,
    officer_id uuid NOT NULL,
    PRIMARY KEY (agency_id, case_id, officer_id),
    FOREIGN KEY (agency_id, case_id) REFERENCES cases (agency_id, id),
    FOREIGN KEY (agency_id, officer_id) REFERENCES officers (agency_id, id)
);
CREATE INDEX case_officers_officer ON case_officers (agency_id, officer_id);

-- 全过程记录: every event of every case, as it happened; never changed. A correction is a
-- new entry that points at the one it corrects.
CREATE TABLE case_record (
    agency_id  uuid NOT NULL,
    id         bigint GENERATED ALWAYS AS IDENTITY,
    case_id    uuid NOT NULL,
    step       text NOT NULL,
    event      text NOT NULL,
    actor      uuid NOT NULL,
    officers   uuid[] NOT NULL DEFAULT '{}',
    text       text NOT NULL CONSTRAINT case_record_text_length CHECK (length(text) <= 10000),
    evidence   text[] NOT NULL DEFAULT '{}' CONSTRAINT case_record_evidence_hashes CHECK (array_to_string(evidence, ',') ~ '^([0-9a-f]{64}(,[0-9a-f]{64})*)?$'),
    corrects   bigint,
    at         timestamptz NOT NULL,
    PRIMARY KEY (agency_id, id),
    FOREIGN KEY (agency_id, case_id) REFERENCES cases (agency_id, id),
    FOREIGN KEY (agency_id, corrects) REFERENCES case_record (agency_id, id)
);
CREATE INDEX case_record_case ON case_record (agency_id, case_id, id);
CREATE TRIGGER case_record_append_only BEFORE UPDATE OR DELETE ON case_record FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change();
CREATE TRIGGER case_record_no_truncate BEFORE TRUNCATE ON case_record FOR EACH STATEMENT EXECUTE FUNCTION fazhi_refuse_change();

-- The next serial of an agency's decision numbers in a year; never given back once committed.
CREATE TABLE decision_number_counters (
    agency_id uuid NOT NULL REFERENCES agencies (id),
    year      integer NOT NULL,
    next      integer NOT NULL CONSTRAINT decision_number_counters_next_positive CHECK (next >= 1),
    PRIMARY KEY (agency_id, year)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cases', 'case_officers', 'case_record', 'decision_number_counters']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY agency_isolation ON %I USING (agency_id = fazhi_current_agency()) WITH CHECK (agency_id = fazhi_current_agency())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON cases, decision_number_counters TO fazhi_app;
GRANT SELECT, INSERT ON case_officers, case_record TO fazhi_app;
