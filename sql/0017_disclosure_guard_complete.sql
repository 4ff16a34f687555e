-- A published disclosure entry is guarded completely, not only what its leaf commits to:
-- nothing may unpublish it (no way back to 'draft'), its content may be erased only by a
-- withdrawal, and every fact the public read (title, late, the day it was due, who
-- released it) stays as published. The only moves left are the lifecycle's own:
-- published -> corrected, published or corrected -> withdrawn, each pointing once at the
-- entry that superseded it; and the sequencer setting the leaf index once.
CREATE OR REPLACE FUNCTION fazhi_disclosure_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'disclosure entries are never deleted (a withdrawal erases content, the entry stays)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'disclosure_entries_frozen';
    END IF;
    IF OLD.state = 'draft' THEN
        RETURN NEW;
    END IF;
    IF NOT (NEW.state = OLD.state
            OR (OLD.state = 'published' AND NEW.state IN ('corrected', 'withdrawn'))
            OR (OLD.state = 'corrected' AND NEW.state = 'withdrawn')) THEN
        RAISE EXCEPTION 'a published disclosure entry cannot go from % to %', OLD.state, NEW.state
            USING ERRCODE = 'check_violation', CONSTRAINT = 'disclosure_entries_frozen';
    END IF;
    IF NEW.content IS DISTINCT FROM OLD.content AND NOT (NEW.content IS NULL AND NEW.state = 'withdrawn') THEN
        RAISE EXCEPTION 'the content of a published disclosure entry is erased only by its withdrawal'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'disclosure_entries_frozen';
    END IF;
    IF (NEW.state <> OLD.state AND (NEW.superseded_by IS NULL OR NEW.superseded_by IS NOT DISTINCT FROM OLD.superseded_by))
        OR (NEW.state = OLD.state AND NEW.superseded_by IS DISTINCT FROM OLD.superseded_by) THEN
        RAISE EXCEPTION 'a published disclosure entry is superseded by the correction or withdrawal that moves it, and only then'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'disclosure_entries_frozen';
    END IF;
    IF NEW.leaf IS DISTINCT FROM OLD.leaf OR NEW.content_sha256 IS DISTINCT FROM OLD.content_sha256
        OR NEW.id <> OLD.id OR NEW.agency_id <> OLD.agency_id OR NEW.action <> OLD.action OR NEW.kind <> OLD.kind
        OR NEW.subject <> OLD.subject OR NEW.title <> OLD.title
        OR NEW.refers_to IS DISTINCT FROM OLD.refers_to OR NEW.category IS DISTINCT FROM OLD.category
        OR NEW.party_type IS DISTINCT FROM OLD.party_type OR NEW.item_code IS DISTINCT FROM OLD.item_code
        OR NEW.occurred_on <> OLD.occurred_on OR NEW.due_on IS DISTINCT FROM OLD.due_on
        OR NEW.due_provisional <> OLD.due_provisional
        OR NEW.published_at IS DISTINCT FROM OLD.published_at OR NEW.late IS DISTINCT FROM OLD.late
        OR NEW.released_by IS DISTINCT FROM OLD.released_by
        OR (OLD.leaf_index IS NOT NULL AND NEW.leaf_index IS DISTINCT FROM OLD.leaf_index) THEN
        RAISE EXCEPTION 'a published disclosure entry cannot be rewritten (only withdrawn or superseded)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'disclosure_entries_frozen';
    END IF;
    RETURN NEW;
END
$$;
