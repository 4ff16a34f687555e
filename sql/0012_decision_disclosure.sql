-- Decisions to publish are queued, with their due date, in the public-record outbox.
ALTER TABLE public_record_outbox DROP CONSTRAINT public_record_outbox_topic;
ALTER TABLE public_record_outbox ADD CONSTRAINT public_record_outbox_topic CHECK (topic IN ('enforcement_personnel', 'power_list', 'decision'));
