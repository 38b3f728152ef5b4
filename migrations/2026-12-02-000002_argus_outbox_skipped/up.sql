-- A call nobody needs to make any more (an earlier number acknowledged the alarm) is `skipped`,
-- neither delivered nor failed. Only argus's own table changes.
ALTER TABLE argus_outbox DROP CONSTRAINT argus_outbox_state_check;
ALTER TABLE argus_outbox ADD CONSTRAINT argus_outbox_state_check
    CHECK (state IN ('pending', 'sent', 'failed', 'skipped'));
