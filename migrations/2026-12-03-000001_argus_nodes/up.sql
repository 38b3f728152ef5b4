-- Remote nodes (issue 15): devices that report from elsewhere (an ESP32 in the garage, a satellite
-- modem at a cabin). A node's inputs are mapped to ordinary `sensor` rows (channel NULL), so they
-- take part in the alarm like wired ones. New tables only: ArPI's are left exactly as they are.
CREATE TABLE argus_node (
    id serial PRIMARY KEY,
    name varchar(64) NOT NULL UNIQUE,
    description varchar,
    -- The RockBLOCK modem that speaks for it, if any.
    imei varchar(20) UNIQUE,
    heartbeat_seconds integer NOT NULL DEFAULT 15 CHECK (heartbeat_seconds BETWEEN 1 AND 86400),
    timeout_seconds integer NOT NULL DEFAULT 30 CHECK (timeout_seconds BETWEEN 2 AND 604800),
    last_seen timestamptz,
    last_address varchar(64),
    firmware varchar(64),
    enabled boolean NOT NULL DEFAULT true,
    created timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT argus_node_timeout_check CHECK (timeout_seconds > heartbeat_seconds)
);

-- Tokens are kept only as SHA-256 (they are 256 random bits; a slow hash adds nothing).
CREATE TABLE argus_node_token (
    id serial PRIMARY KEY,
    node_id integer NOT NULL REFERENCES argus_node (id) ON DELETE CASCADE,
    token_hash varchar(64) NOT NULL UNIQUE,
    created timestamptz NOT NULL DEFAULT now(),
    expires timestamptz NOT NULL,
    revoked timestamptz
);

CREATE TABLE argus_node_input (
    node_id integer NOT NULL REFERENCES argus_node (id) ON DELETE CASCADE,
    input varchar(64) NOT NULL,
    sensor_id integer NOT NULL UNIQUE REFERENCES sensor (id),
    PRIMARY KEY (node_id, input)
);

-- Every input change a node reported, once per (node, sequence number) whatever the transport.
CREATE TABLE argus_node_event (
    id bigserial PRIMARY KEY,
    node_id integer NOT NULL REFERENCES argus_node (id) ON DELETE CASCADE,
    seq bigint NOT NULL,
    input varchar(64) NOT NULL,
    state varchar(16) NOT NULL,
    time timestamptz NOT NULL,
    received timestamptz NOT NULL DEFAULT now(),
    source varchar(16) NOT NULL,
    CONSTRAINT argus_node_event_once UNIQUE (node_id, seq),
    CONSTRAINT argus_node_event_state_check CHECK (state IN ('active', 'idle', 'cut', 'short'))
);

-- The durable job queue: intake processing and outbound sends. A worker claims rows with
-- FOR UPDATE SKIP LOCKED and a lease; a row left `processing` past its lease is claimed again.
CREATE TABLE argus_job (
    id bigserial PRIMARY KEY,
    kind varchar(32) NOT NULL,
    payload varchar NOT NULL,
    state varchar(16) NOT NULL DEFAULT 'new',
    attempts integer NOT NULL DEFAULT 0,
    run_after timestamptz NOT NULL DEFAULT now(),
    leased_until timestamptz,
    last_error varchar,
    created timestamptz NOT NULL DEFAULT now(),
    finished timestamptz,
    CONSTRAINT argus_job_state_check CHECK (state IN ('new', 'processing', 'done', 'failed'))
);
CREATE INDEX argus_job_due_idx ON argus_job (run_after) WHERE state IN ('new', 'processing');

-- Each failed attempt, for the API's error list.
CREATE TABLE argus_job_error (
    id bigserial PRIMARY KEY,
    job_id bigint NOT NULL REFERENCES argus_job (id) ON DELETE CASCADE,
    kind varchar(32) NOT NULL,
    attempt integer NOT NULL,
    error varchar NOT NULL,
    time timestamptz NOT NULL DEFAULT now()
);

-- RockBLOCK MO deliveries as received; a retried delivery is the same row.
CREATE TABLE argus_rockblock_message (
    id bigserial PRIMARY KEY,
    imei varchar(20) NOT NULL,
    momsn integer NOT NULL,
    transmit_time varchar(32) NOT NULL,
    serial varchar(32),
    data varchar(1024) NOT NULL,
    iridium_latitude float8,
    iridium_longitude float8,
    iridium_cep float8,
    received timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT argus_rockblock_message_once UNIQUE (imei, momsn, transmit_time)
);
