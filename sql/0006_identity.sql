-- Sign-in: failed attempts per agency and username (known or not), password rules, and
-- agency creation by the platform operator.

CREATE TABLE login_failures (
    agency_id uuid NOT NULL REFERENCES agencies (id),
    username  text NOT NULL CONSTRAINT login_failures_username_length CHECK (length(username) BETWEEN 1 AND 256),
    at        timestamptz NOT NULL,
    id        bigint GENERATED ALWAYS AS IDENTITY,
    peer      text,
    PRIMARY KEY (agency_id, username, at, id)
);
ALTER TABLE login_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_failures FORCE ROW LEVEL SECURITY;
CREATE POLICY agency_isolation ON login_failures
    USING (agency_id = fazhi_current_agency()) WITH CHECK (agency_id = fazhi_current_agency());
GRANT SELECT, INSERT, DELETE ON login_failures TO fazhi_app;

INSERT INTO setting_defaults (key, value_type, value, unit, minimum, maximum, description_zh, description_en, source) VALUES
('password.minimum_character_classes', 'integer', '2', 'classes', 1, 4,
 '密码须包含的字符类别数（小写、大写、数字、符号）', 'kinds of characters a password needs (lower case, upper case, digits, symbols)', 'agency choice');

-- Only the operator creates agencies. The application role cannot write the agency
-- directory; this function, owned by the owner, does it for a transaction acting for the
-- platform agency, and nothing else.
CREATE FUNCTION fazhi_create_agency(new_code text, new_name text, new_division_code text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    created uuid;
BEGIN
    IF fazhi_current_agency() IS DISTINCT FROM (SELECT id FROM agencies WHERE code = 'platform') THEN
        RAISE EXCEPTION '只有平台机构可以创建机构 / only the platform agency creates agencies'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO agencies (code, name, division_code) VALUES (new_code, new_name, new_division_code)
        RETURNING id INTO created;
    RETURN created;
END
$$;
REVOKE ALL ON FUNCTION fazhi_create_agency(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fazhi_create_agency(text, text, text) TO fazhi_app;
