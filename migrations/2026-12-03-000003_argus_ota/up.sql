-- Firmware for remote nodes (issue 15): bundles of files an admin uploads (kept on disk under
-- ARGUS_FIRMWARE_DIR, described here with their size and SHA-256), and per-node update jobs.
CREATE TABLE argus_firmware (
    id serial PRIMARY KEY,
    name varchar(64) NOT NULL,
    version varchar(32) NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT argus_firmware_once UNIQUE (name, version)
);

CREATE TABLE argus_firmware_file (
    firmware_id integer NOT NULL REFERENCES argus_firmware (id) ON DELETE CASCADE,
    path varchar(255) NOT NULL,
    size bigint NOT NULL,
    sha256 varchar(64) NOT NULL,
    PRIMARY KEY (firmware_id, path)
);

CREATE TABLE argus_ota_job (
    id serial PRIMARY KEY,
    node_id integer NOT NULL REFERENCES argus_node (id) ON DELETE CASCADE,
    firmware_id integer NOT NULL REFERENCES argus_firmware (id),
    state varchar(16) NOT NULL DEFAULT 'init',
    error varchar,
    created timestamptz NOT NULL DEFAULT now(),
    updated timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT argus_ota_job_state_check
        CHECK (state IN ('init', 'ready', 'started', 'succeeded', 'failed'))
);
