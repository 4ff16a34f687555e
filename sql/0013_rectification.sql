-- 责令整改: the working days an inspection finding's rectification order gives.
INSERT INTO setting_defaults (key, value_type, value, unit, minimum, maximum, description_zh, description_en, source) VALUES
('inspection.rectification_working_days', 'integer', '15', 'working days', 1, 120,
 '检查发现问题的整改期限', 'working days a rectification order gives after an inspection finding', 'agency choice');
