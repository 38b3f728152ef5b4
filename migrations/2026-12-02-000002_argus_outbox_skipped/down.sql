UPDATE argus_outbox SET state = 'sent' WHERE state = 'skipped';
ALTER TABLE argus_outbox DROP CONSTRAINT argus_outbox_state_check;
ALTER TABLE argus_outbox ADD CONSTRAINT argus_outbox_state_check
    CHECK (state IN ('pending', 'sent', 'failed'));
