-- An idempotency key's claim is a lease the live server renews while its call runs
-- (lease_until), held under a token of its own (claim). A claim whose lease ran out while
-- still 'running' did not commit anything (the acting transaction marks it 'acted'), so the
-- next retry takes the key over at once instead of waiting for the key to expire; one that
-- ran out 'acted' committed without keeping its outcome, which a retry is told.
ALTER TABLE idempotency_keys ADD COLUMN claim uuid;
ALTER TABLE idempotency_keys ADD COLUMN lease_until timestamptz;

-- Marks the claim as acted inside the acting transaction, and refuses to let a call act on
-- a claim that is no longer its own (its lease ran out and a retry took the key over).
CREATE FUNCTION fazhi_idempotency_act(agency uuid, holder uuid, the_key text, the_claim uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE idempotency_keys SET state = 'acted'
    WHERE agency_id = agency AND user_id = holder AND key = the_key AND claim = the_claim AND state IN ('running', 'acted');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the idempotency claim on this key was lost; the call must not act'
            USING ERRCODE = 'FZ001';
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION fazhi_idempotency_act(uuid, uuid, text, uuid) TO fazhi_app;
