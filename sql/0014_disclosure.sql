-- 行政执法公示: the disclosure entries, and each agency's tamper-evident log of them.

-- A word list setting: extra redaction keywords, separated by 、 or commas.
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
        WHEN 'number_pattern' THEN length(value) BETWEEN 5 AND 60 AND strpos(value, '{year}') > 0 AND strpos(value, '{serial}') > 0
        WHEN 'word_list' THEN length(value) <= 500 AND value !~ '[\n\r\t]'
        ELSE false
    END
    $$;
ALTER TABLE setting_defaults DROP CONSTRAINT setting_defaults_value_type;
ALTER TABLE setting_defaults ADD CONSTRAINT setting_defaults_value_type
    CHECK (value_type IN ('integer', 'decimal', 'boolean', 'month_day', 'number_pattern', 'word_list'));

INSERT INTO setting_defaults (key, value_type, value, unit, minimum, maximum, description_zh, description_en, source) VALUES
('disclosure.prior_working_days', 'integer', '7', 'working days', 1, 60,
 '执法人员名单、权责清单变更的公示期限', 'working days to publish changes of the enforcement personnel list and the power list', 'agency choice'),
('disclosure.redaction_name_keywords', 'word_list', '', 'words', NULL, NULL,
 '脱敏时其后为自然人姓名的附加词语（以顿号分隔）', 'extra words after which redaction expects a natural person''s name', 'agency choice'),
('disclosure.redaction_address_keywords', 'word_list', '', 'words', NULL, NULL,
 '脱敏时其后为家庭住址的附加词语（以顿号分隔）', 'extra words after which redaction expects a home address', 'agency choice');

-- One row per thing made public, withdrawn or corrected. `content` is the redacted
-- public content; a withdrawal erases it, while `content_sha256` and the log leaf that
-- commits to it stay, so the log still verifies.
CREATE TABLE disclosure_entries (
    agency_id       uuid NOT NULL REFERENCES agencies (id),
    id              uuid NOT NULL,
    action          text NOT NULL CONSTRAINT disclosure_entries_action CHECK (action IN ('publish', 'withdraw', 'correct')),
    kind            text NOT NULL CONSTRAINT disclosure_entries_kind CHECK (kind IN ('enforcement_personnel', 'power_list', 'decision', 'annual_statistics')),
    subject         text NOT NULL,
    title           text NOT NULL,
    refers_to       uuid,
    content         text,
    content_sha256  bytea NOT NULL CONSTRAINT disclosure_entries_hash_length CHECK (length(content_sha256) = 32),
    category        text,
    party_type      text,
    item_code       text,
    occurred_on     date NOT NULL,
    due_on          date,
    due_provisional boolean NOT NULL DEFAULT false,
    state           text NOT NULL CONSTRAINT disclosure_entries_state CHECK (state IN ('draft', 'published', 'withdrawn', 'corrected')),
    published_at    timestamptz,
    late            boolean,
    released_by     uuid,
    superseded_by   uuid,
    source_outbox   bigint,
    leaf            bytea,
    leaf_index      bigint,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (agency_id, id),
    FOREIGN KEY (agency_id, refers_to) REFERENCES disclosure_entries (agency_id, id),
    CONSTRAINT disclosure_entries_published_has_leaf CHECK (state = 'draft' OR (leaf IS NOT NULL AND published_at IS NOT NULL)),
    CONSTRAINT disclosure_entries_withdrawn_has_no_content CHECK (state <> 'withdrawn' OR content IS NULL)
);
CREATE UNIQUE INDEX disclosure_entries_outbox ON disclosure_entries (agency_id, source_outbox) WHERE source_outbox IS NOT NULL;
CREATE UNIQUE INDEX disclosure_entries_leaf_index ON disclosure_entries (agency_id, leaf_index) WHERE leaf_index IS NOT NULL;
CREATE INDEX disclosure_entries_unsequenced ON disclosure_entries (agency_id, published_at, id) WHERE leaf IS NOT NULL AND leaf_index IS NULL;
CREATE INDEX disclosure_entries_listing ON disclosure_entries (agency_id, published_at DESC, id) WHERE state <> 'draft';
CREATE INDEX disclosure_entries_due ON disclosure_entries (agency_id, due_on) WHERE state = 'draft';

-- What a published entry may still become: content only erased (withdrawal), the state
-- moved forward, the leaf index set once. Everything the log commits to is frozen.
CREATE FUNCTION fazhi_disclosure_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'disclosure entries are never deleted (a withdrawal erases content, the entry stays)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'disclosure_entries_frozen';
    END IF;
    IF OLD.leaf IS NOT NULL AND (
        NEW.leaf IS DISTINCT FROM OLD.leaf OR NEW.content_sha256 IS DISTINCT FROM OLD.content_sha256
        OR NEW.id <> OLD.id OR NEW.action <> OLD.action OR NEW.kind <> OLD.kind OR NEW.subject <> OLD.subject
        OR NEW.published_at IS DISTINCT FROM OLD.published_at
        OR (NEW.content IS NOT NULL AND NEW.content IS DISTINCT FROM OLD.content)
        OR (OLD.leaf_index IS NOT NULL AND NEW.leaf_index IS DISTINCT FROM OLD.leaf_index)) THEN
        RAISE EXCEPTION 'a published disclosure entry cannot be rewritten (only withdrawn or superseded)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'disclosure_entries_frozen';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER disclosure_entries_frozen BEFORE UPDATE OR DELETE ON disclosure_entries FOR EACH ROW EXECUTE FUNCTION fazhi_disclosure_entry_guard();
CREATE TRIGGER disclosure_entries_no_truncate BEFORE TRUNCATE ON disclosure_entries FOR EACH STATEMENT EXECUTE FUNCTION fazhi_disclosure_entry_guard();

-- The log: the hash of every complete perfect subtree, and every signed checkpoint.
CREATE TABLE disclosure_log_nodes (
    agency_id uuid NOT NULL REFERENCES agencies (id),
    level     smallint NOT NULL CONSTRAINT disclosure_log_nodes_level CHECK (level BETWEEN 0 AND 62),
    index     bigint NOT NULL CONSTRAINT disclosure_log_nodes_index CHECK (index >= 0),
    hash      bytea NOT NULL CONSTRAINT disclosure_log_nodes_hash_length CHECK (length(hash) = 32),
    PRIMARY KEY (agency_id, level, index)
);
CREATE TABLE disclosure_checkpoints (
    agency_id  uuid NOT NULL REFERENCES agencies (id),
    size       bigint NOT NULL CONSTRAINT disclosure_checkpoints_size CHECK (size >= 0),
    root       bytea NOT NULL CONSTRAINT disclosure_checkpoints_root_length CHECK (length(root) = 32),
    note       text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (agency_id, size)
);
CREATE TRIGGER disclosure_log_nodes_append_only BEFORE UPDATE OR DELETE ON disclosure_log_nodes FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change();
CREATE TRIGGER disclosure_log_nodes_no_truncate BEFORE TRUNCATE ON disclosure_log_nodes FOR EACH STATEMENT EXECUTE FUNCTION fazhi_refuse_change();
CREATE TRIGGER disclosure_checkpoints_append_only BEFORE UPDATE OR DELETE ON disclosure_checkpoints FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change();
CREATE TRIGGER disclosure_checkpoints_no_truncate BEFORE TRUNCATE ON disclosure_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION fazhi_refuse_change();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['disclosure_entries', 'disclosure_log_nodes', 'disclosure_checkpoints']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY agency_isolation ON %I USING (agency_id = fazhi_current_agency()) WITH CHECK (agency_id = fazhi_current_agency())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT ON disclosure_entries, disclosure_log_nodes, disclosure_checkpoints TO fazhi_app;
GRANT UPDATE (content, state, published_at, late, released_by, superseded_by, leaf, leaf_index) ON disclosure_entries TO fazhi_app;
