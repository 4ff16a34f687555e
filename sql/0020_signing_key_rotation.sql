-- An agency's disclosure-log key can be rotated: the old key is retired, not deleted, so
-- every checkpoint it signed keeps verifying and stays published next to the new one.
-- At most one key per agency and purpose is in use; the retired ones are kept forever.
ALTER TABLE agency_signing_keys ADD COLUMN retired_at timestamptz;
ALTER TABLE agency_signing_keys DROP CONSTRAINT agency_signing_keys_pkey;
ALTER TABLE agency_signing_keys ADD PRIMARY KEY (agency_id, purpose, public_key);
CREATE UNIQUE INDEX agency_signing_keys_in_use ON agency_signing_keys (agency_id, purpose) WHERE retired_at IS NULL;
GRANT UPDATE (retired_at) ON agency_signing_keys TO fazhi_app;
