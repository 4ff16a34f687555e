-- A claimed idempotency key is marked 'acted' inside each transaction its call commits, so
-- a key whose call failed is given back only when nothing of the call committed.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_state;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_state CHECK (state IN ('running', 'acted', 'done'));
