-- The notification outbox (issue 13): one row per (event, channel, recipient slot), written in the
-- same transaction as the record that causes it, so a message survives a restart and `key` makes
-- queueing it twice a no-op. A new table only: ArPI's tables are left exactly as they are.
CREATE TABLE argus_outbox (
    id bigserial PRIMARY KEY,
    key varchar(160) NOT NULL UNIQUE,
    kind varchar(32) NOT NULL,
    channel varchar(16) NOT NULL,
    slot integer NOT NULL,
    recipient varchar NOT NULL,
    body varchar NOT NULL,
    state varchar(16) NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt timestamptz NOT NULL DEFAULT now(),
    last_error varchar,
    created timestamptz NOT NULL DEFAULT now(),
    sent timestamptz,
    CONSTRAINT argus_outbox_state_check CHECK (state IN ('pending', 'sent', 'failed'))
);
CREATE INDEX argus_outbox_due_idx ON argus_outbox (next_attempt) WHERE state = 'pending';
