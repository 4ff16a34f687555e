-- 权责清单: the power list. Administrators edit a draft; publishing copies it into the
-- next numbered version, which never changes afterwards. Acts cite (version, code).

CREATE TABLE power_list_draft (
    agency_id               uuid NOT NULL REFERENCES agencies (id),
    code                    text NOT NULL CONSTRAINT power_list_draft_code CHECK (code ~ '^[A-Z0-9-]{2,32}$'),
    name                    text NOT NULL,
    category                text NOT NULL,
    enforcement_category    text NOT NULL,
    legal_basis             text NOT NULL,
    unit                    text NOT NULL,
    major                   text NOT NULL CONSTRAINT power_list_draft_major CHECK (major IN ('yes', 'no', 'conditional')),
    minimum_officers        integer NOT NULL CONSTRAINT power_list_draft_officers CHECK (minimum_officers BETWEEN 1 AND 10),
    published               boolean NOT NULL,
    disclosure_working_days integer,
    updated_by              uuid NOT NULL,
    updated_at              timestamptz NOT NULL,
    PRIMARY KEY (agency_id, code)
);

CREATE TABLE power_list_versions (
    agency_id    uuid NOT NULL REFERENCES agencies (id),
    version      integer NOT NULL CONSTRAINT power_list_versions_positive CHECK (version >= 1),
    published_at timestamptz NOT NULL,
    published_by text NOT NULL,
    reason       text NOT NULL,
    PRIMARY KEY (agency_id, version)
);

CREATE TABLE power_list_items (
    agency_id               uuid NOT NULL,
    version                 integer NOT NULL,
    code                    text NOT NULL,
    name                    text NOT NULL,
    category                text NOT NULL CONSTRAINT power_list_items_category CHECK (category IN
                                ('licensing', 'penalty', 'coercion', 'levy', 'benefit', 'inspection', 'confirmation', 'reward', 'adjudication', 'other')),
    enforcement_category    text NOT NULL,
    legal_basis             text NOT NULL,
    unit                    text NOT NULL,
    major                   text NOT NULL CONSTRAINT power_list_items_major CHECK (major IN ('yes', 'no', 'conditional')),
    minimum_officers        integer NOT NULL CONSTRAINT power_list_items_officers CHECK (minimum_officers BETWEEN 1 AND 10),
    published               boolean NOT NULL,
    disclosure_working_days integer,
    PRIMARY KEY (agency_id, version, code),
    FOREIGN KEY (agency_id, version) REFERENCES power_list_versions (agency_id, version)
);

-- Published versions are part of the public record: never changed, never removed.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['power_list_versions', 'power_list_items']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change()', t || '_append_only', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION fazhi_refuse_change()', t || '_no_truncate', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['power_list_draft', 'power_list_versions', 'power_list_items']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY agency_isolation ON %I USING (agency_id = fazhi_current_agency()) WITH CHECK (agency_id = fazhi_current_agency())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON power_list_draft TO fazhi_app;
GRANT SELECT, INSERT ON power_list_versions, power_list_items TO fazhi_app;

-- A new version of the power list is announced through the public-record outbox.
ALTER TABLE public_record_outbox DROP CONSTRAINT public_record_outbox_topic;
ALTER TABLE public_record_outbox ADD CONSTRAINT public_record_outbox_topic CHECK (topic IN ('enforcement_personnel', 'power_list'));
