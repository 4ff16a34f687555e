-- 行政相对人: the parties of enforcement acts. A person's resident ID number is sealed by
-- the server like an officer's; organizations and institutions are known by their
-- unified social credit code.
CREATE TABLE parties (
    agency_id        uuid NOT NULL REFERENCES agencies (id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    kind             text NOT NULL CONSTRAINT parties_kind CHECK (kind IN ('organization', 'institution', 'person')),
    name             text NOT NULL CONSTRAINT parties_name_length CHECK (length(name) BETWEEN 1 AND 200),
    credit_code      text CONSTRAINT parties_credit_code_format CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
    institution_type text CONSTRAINT parties_institution_type CHECK (institution_type IN ('elderly_care', 'child_welfare', 'funeral', 'relief_station', 'other')),
    capacity         integer CONSTRAINT parties_capacity_range CHECK (capacity BETWEEN 0 AND 100000),
    id_number_sealed bytea,
    id_number_index  bytea CONSTRAINT parties_id_number_index_length CHECK (length(id_number_index) = 32),
    id_number_masked text CONSTRAINT parties_id_number_masked_format CHECK (id_number_masked ~ '^[0-9]{4}\*{10}[0-9]{3}[0-9X]$'),
    area             text NOT NULL CONSTRAINT parties_area_format CHECK (area ~ '^[0-9]{6}$'),
    created_by       uuid NOT NULL,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (agency_id, id),
    CONSTRAINT parties_credit_code_unique UNIQUE (agency_id, credit_code),
    CONSTRAINT parties_id_number_unique UNIQUE (agency_id, id_number_index),
    -- Each kind carries its own identifier and nothing of the others'.
    CONSTRAINT parties_identified CHECK (
        CASE kind
            WHEN 'person' THEN id_number_sealed IS NOT NULL AND id_number_index IS NOT NULL AND id_number_masked IS NOT NULL
                               AND credit_code IS NULL AND institution_type IS NULL AND capacity IS NULL
            WHEN 'institution' THEN credit_code IS NOT NULL AND institution_type IS NOT NULL AND capacity IS NOT NULL AND id_number_sealed IS NULL
            ELSE credit_code IS NOT NULL AND institution_type IS NULL AND capacity IS NULL AND id_number_sealed IS NULL
        END)
);
CREATE INDEX parties_name ON parties (agency_id, name, id);

ALTER TABLE parties ENABLE ROW LEVEL SECURITY;
ALTER TABLE parties FORCE ROW LEVEL SECURITY;
CREATE POLICY agency_isolation ON parties USING (agency_id = fazhi_current_agency()) WITH CHECK (agency_id = fazhi_current_agency());

GRANT SELECT, INSERT, UPDATE ON parties TO fazhi_app;
