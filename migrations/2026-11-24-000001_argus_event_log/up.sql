-- argus's own event log (arm, disarm, alert, tamper, fault, lock-out, duress,
-- config change). A new table only: ArPI's tables are left exactly as they are.
CREATE TABLE argus_event (
    id bigserial PRIMARY KEY,
    time timestamptz NOT NULL DEFAULT now(),
    kind varchar(32) NOT NULL,
    user_id integer,
    keypad_id integer,
    origin varchar(32),
    area_id integer,
    sensor_id integer,
    detail varchar
);
CREATE INDEX argus_event_time_idx ON argus_event (time DESC);
CREATE INDEX argus_event_kind_time_idx ON argus_event (kind, time DESC);
