-- The enforcement corps: officers, exams, training hours, credentials (行政执法证) with their
-- whole history, annual reviews, and credential numbers that are never reused.

CREATE TABLE officers (
    agency_id         uuid NOT NULL REFERENCES agencies (id),
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id           uuid,
    name              text NOT NULL CONSTRAINT officers_name_length CHECK (length(name) BETWEEN 1 AND 100),
    unit              text NOT NULL CONSTRAINT officers_unit_length CHECK (length(unit) BETWEEN 1 AND 100),
    position          text NOT NULL CONSTRAINT officers_position_length CHECK (length(position) BETWEEN 1 AND 100),
    -- Personal data, encrypted by the server (AES-GCM) with a key from its configuration:
    -- the database never holds the plain resident ID number or contact details.
    id_number_sealed  bytea NOT NULL,
    -- HMAC of the number under another configured key, so one person is one officer per
    -- agency without the number itself being stored.
    id_number_index   bytea NOT NULL CONSTRAINT officers_id_number_index_length CHECK (length(id_number_index) = 32),
    id_number_masked  text NOT NULL CONSTRAINT officers_id_number_masked_format CHECK (id_number_masked ~ '^[0-9]{4}\*{10}[0-9]{3}[0-9X]$'),
    contact_sealed    bytea,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, id),
    CONSTRAINT officers_id_number_unique UNIQUE (agency_id, id_number_index),
    CONSTRAINT officers_user_unique UNIQUE (agency_id, user_id),
    FOREIGN KEY (agency_id, user_id) REFERENCES users (agency_id, id)
);

-- 资格考试 results.
CREATE TABLE exam_results (
    agency_id  uuid NOT NULL,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    officer_id uuid NOT NULL,
    day        date NOT NULL,
    score      integer NOT NULL CONSTRAINT exam_results_score_range CHECK (score BETWEEN 0 AND 100),
    recorded_by uuid,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, id),
    FOREIGN KEY (agency_id, officer_id) REFERENCES officers (agency_id, id)
);

-- Training hours per officer and year.
CREATE TABLE training_hours (
    agency_id  uuid NOT NULL,
    officer_id uuid NOT NULL,
    year       integer NOT NULL CONSTRAINT training_hours_year_range CHECK (year BETWEEN 2000 AND 2100),
    hours      integer NOT NULL CONSTRAINT training_hours_hours_range CHECK (hours BETWEEN 0 AND 2000),
    PRIMARY KEY (agency_id, officer_id, year),
    FOREIGN KEY (agency_id, officer_id) REFERENCES officers (agency_id, id)
);

-- The next serial number of an agency's credentials in a year. Taken with a row lock and
-- never given back, so a number is never reused, also under concurrent issuance.
CREATE TABLE credential_number_counters (
    agency_id uuid NOT NULL REFERENCES agencies (id),
    year      integer NOT NULL,
    next      integer NOT NULL CONSTRAINT credential_number_counters_next_positive CHECK (next >= 1),
    PRIMARY KEY (agency_id, year)
);

CREATE TABLE credentials (
    agency_id   uuid NOT NULL,
    id          uuid NOT NULL,
    officer_id  uuid NOT NULL,
    -- <agency code>-<year>-<serial>: the agency prefix makes it unique in the deployment.
    number      text,
    state       text NOT NULL CONSTRAINT credentials_state CHECK (state IN ('applied', 'rejected', 'active', 'suspended', 'revoked', 'expired', 'superseded')),
    categories  text[] NOT NULL CONSTRAINT credentials_categories_present CHECK (cardinality(categories) > 0),
    areas       text[] NOT NULL CONSTRAINT credentials_areas_present CHECK (cardinality(areas) > 0),
    exam_day    date NOT NULL,
    exam_score  integer NOT NULL,
    valid_from  date,
    valid_until date,
    successor   text,
    -- Bumped by every transition: a change applies only to the version it read.
    version     integer NOT NULL DEFAULT 1,
    PRIMARY KEY (agency_id, id),
    CONSTRAINT credentials_number_unique UNIQUE (agency_id, number),
    CONSTRAINT credentials_issued_has_number CHECK ((state IN ('applied', 'rejected')) = (number IS NULL)),
    FOREIGN KEY (agency_id, officer_id) REFERENCES officers (agency_id, id)
);
CREATE INDEX credentials_officer ON credentials (agency_id, officer_id);

-- Every change of every credential, kept forever.
CREATE TABLE credential_transitions (
    agency_id     uuid NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    credential_id uuid NOT NULL,
    from_state    text NOT NULL,
    to_state      text NOT NULL,
    event         text NOT NULL,
    reason        text NOT NULL,
    actor         text NOT NULL,
    at            timestamptz NOT NULL,
    PRIMARY KEY (agency_id, id),
    FOREIGN KEY (agency_id, credential_id) REFERENCES credentials (agency_id, id)
);
CREATE INDEX credential_transitions_credential ON credential_transitions (agency_id, credential_id, id);
CREATE TRIGGER credential_transitions_append_only BEFORE UPDATE OR DELETE ON credential_transitions
    FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change();
CREATE TRIGGER credential_transitions_no_truncate BEFORE TRUNCATE ON credential_transitions
    FOR EACH STATEMENT EXECUTE FUNCTION fazhi_refuse_change();

-- 年度审验: one review per credential and year.
CREATE TABLE credential_reviews (
    agency_id      uuid NOT NULL,
    credential_id  uuid NOT NULL,
    year           integer NOT NULL,
    training_hours integer NOT NULL CONSTRAINT credential_reviews_hours CHECK (training_hours >= 0),
    outcome        text NOT NULL CONSTRAINT credential_reviews_outcome CHECK (outcome IN ('passed', 'failed_suspend', 'failed_revoke')),
    reviewer       text NOT NULL,
    recorded_on    date NOT NULL,
    PRIMARY KEY (agency_id, credential_id, year),
    FOREIGN KEY (agency_id, credential_id) REFERENCES credentials (agency_id, id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['officers', 'exam_results', 'training_hours', 'credential_number_counters', 'credentials', 'credential_transitions', 'credential_reviews']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY agency_isolation ON %I USING (agency_id = fazhi_current_agency()) WITH CHECK (agency_id = fazhi_current_agency())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON officers, exam_results, training_hours, credential_number_counters, credentials, credential_reviews TO fazhi_app;
GRANT SELECT, INSERT ON credential_transitions TO fazhi_app;
