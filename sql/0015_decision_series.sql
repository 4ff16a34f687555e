-- Decisions other than penalties (licences, grants, confirmations) get numbers of their own
-- series, so a marriage registration never carries a penalty decision's number.
INSERT INTO setting_defaults (key, value_type, value, unit, minimum, maximum, description_zh, description_en, source) VALUES
('case.act_decision_number_pattern', 'number_pattern', '民决字〔{year}〕第{serial}号', 'pattern', NULL, NULL,
 '非处罚类行政执法决定（许可、给付、确认等）文号格式（{year} 为年份，{serial} 为三位以上序号）',
 'the number pattern of decisions other than penalties: licences, grants, confirmations ({year}, {serial} of at least three digits)', 'agency choice');

-- One counter per agency, number pattern and year: two kinds of decision that share a
-- pattern share its serials, so their numbers never collide. Existing counters belong to
-- the pattern the agency used for every decision until now. The owner reads across
-- agencies here, so row security is lifted for this transaction only.
ALTER TABLE decision_number_counters ADD COLUMN pattern text;
ALTER TABLE decision_number_counters NO FORCE ROW LEVEL SECURITY;
ALTER TABLE agency_settings NO FORCE ROW LEVEL SECURITY;
UPDATE decision_number_counters c
SET pattern = coalesce((SELECT s.value FROM agency_settings s WHERE s.agency_id = c.agency_id AND s.key = 'case.decision_number_pattern'),
                       (SELECT d.value FROM setting_defaults d WHERE d.key = 'case.decision_number_pattern'));
ALTER TABLE agency_settings FORCE ROW LEVEL SECURITY;
ALTER TABLE decision_number_counters FORCE ROW LEVEL SECURITY;
ALTER TABLE decision_number_counters ALTER COLUMN pattern SET NOT NULL;
ALTER TABLE decision_number_counters DROP CONSTRAINT decision_number_counters_pkey;
ALTER TABLE decision_number_counters ADD PRIMARY KEY (agency_id, pattern, year);
