-- What credentials need around them: the outbox of the public list of enforcement
-- personnel, each agency's signing key for verification codes, and the client
-- certificates issued to credentials.

-- 事前公开: every change of a credential's state queues an entry for the public list of
-- enforcement personnel. The disclosure publisher reads unpublished rows in id order and
-- marks them published; the payload holds only what the public may see.
CREATE TABLE public_record_outbox (
    agency_id    uuid NOT NULL REFERENCES agencies (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    topic        text NOT NULL CONSTRAINT public_record_outbox_topic CHECK (topic IN ('enforcement_personnel')),
    subject      text NOT NULL,
    event        text NOT NULL,
    payload      jsonb NOT NULL,
    occurred_at  timestamptz NOT NULL,
    published_at timestamptz,
    PRIMARY KEY (agency_id, id)
);
CREATE INDEX public_record_outbox_unpublished ON public_record_outbox (agency_id, id) WHERE published_at IS NULL;

-- An agency's Ed25519 key for a purpose (verification codes now, the disclosure log
-- later). The private key is sealed by the server with a key derived from its configured
-- secret; the database never holds it in plain form. Created on first use, never replaced
-- in place (codes already printed must keep verifying).
CREATE TABLE agency_signing_keys (
    agency_id          uuid NOT NULL REFERENCES agencies (id),
    purpose            text NOT NULL CONSTRAINT agency_signing_keys_purpose CHECK (purpose IN ('credential_code', 'disclosure_log')),
    public_key         bytea NOT NULL CONSTRAINT agency_signing_keys_public_length CHECK (length(public_key) = 32),
    private_key_sealed bytea NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, purpose)
);

-- Client certificates signed for credentials: who asked, for which credential, until when.
CREATE TABLE client_certificates (
    agency_id     uuid NOT NULL,
    serial        text NOT NULL,
    credential_id uuid NOT NULL,
    not_after     timestamptz NOT NULL,
    issued_at     timestamptz NOT NULL,
    issued_by     uuid NOT NULL,
    PRIMARY KEY (agency_id, serial),
    FOREIGN KEY (agency_id, credential_id) REFERENCES credentials (agency_id, id)
);
CREATE INDEX client_certificates_credential ON client_certificates (agency_id, credential_id);

-- Contact details, sealed like the ID number.
ALTER TABLE officers ADD COLUMN contact_masked text;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['public_record_outbox', 'agency_signing_keys', 'client_certificates']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY agency_isolation ON %I USING (agency_id = fazhi_current_agency()) WITH CHECK (agency_id = fazhi_current_agency())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT ON public_record_outbox, agency_signing_keys, client_certificates TO fazhi_app;
GRANT UPDATE (published_at) ON public_record_outbox TO fazhi_app;

INSERT INTO setting_defaults (key, value_type, value, unit, minimum, maximum, description_zh, description_en, source) VALUES
('credential.certificate_days', 'integer', '30', 'days', 1, 366,
 '与执法证绑定的客户端证书有效天数（不超过证件有效期）', 'days a client certificate bound to a credential is valid (never past the credential''s term)', 'agency choice');
