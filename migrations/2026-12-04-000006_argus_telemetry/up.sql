-- Telemetry (issue 16): readings of environmental sensors, new tables only.
-- A reading is identified by its sensor and time, so a source that sends one again stores it once,
-- and the one index serves both that check and every history query.
CREATE TABLE argus_telemetry_reading (
    sensor varchar(64) NOT NULL,
    time timestamptz NOT NULL,
    value float8 NOT NULL,
    PRIMARY KEY (sensor, time)
);

-- The newest reading of each sensor: replaced only by a reading with a later time.
CREATE TABLE argus_telemetry_latest (
    sensor varchar(64) PRIMARY KEY,
    value float8 NOT NULL,
    unit varchar(16),
    time timestamptz NOT NULL,
    received timestamptz NOT NULL DEFAULT now()
);

-- Hourly roll-ups (UTC hours), kept far longer than the raw readings; avg = sum / count.
CREATE TABLE argus_telemetry_hourly (
    sensor varchar(64) NOT NULL,
    hour timestamptz NOT NULL,
    min float8 NOT NULL,
    max float8 NOT NULL,
    sum float8 NOT NULL,
    count int8 NOT NULL,
    PRIMARY KEY (sensor, hour)
);

-- A threshold on a sensor: above and/or below, held for hold_seconds, cleared past the hysteresis.
-- 'alarm' drives alarm_sensor_id (a sensor without a channel, in a 24-hour zone) through the engine;
-- 'notify' only tells the people subscribed to telemetry.
CREATE TABLE argus_telemetry_rule (
    id serial PRIMARY KEY,
    name varchar(64) NOT NULL,
    sensor varchar(64) NOT NULL,
    above float8,
    below float8,
    hold_seconds int4 NOT NULL DEFAULT 0 CHECK (hold_seconds >= 0),
    hysteresis float8 NOT NULL DEFAULT 0 CHECK (hysteresis >= 0),
    action varchar(16) NOT NULL CHECK (action IN ('alarm', 'notify')),
    alarm_sensor_id int4 REFERENCES sensor (id),
    enabled bool NOT NULL DEFAULT true,
    CHECK (above IS NOT NULL OR below IS NOT NULL),
    CHECK (action <> 'alarm' OR alarm_sensor_id IS NOT NULL)
);
