-- ArPI's schema at Alembic head 4df9df54d928 (ArPI v2.4.0), column for column.
-- A database created here is interchangeable with one ArPI created: same tables,
-- columns, types, enum labels, defaults, keys, and the alembic_version row.

CREATE TYPE armstates AS ENUM ('AWAY', 'STAY', 'MIXED', 'DISARM');
CREATE TYPE channel_types AS ENUM ('basic', 'normal', 'channel_a', 'channel_b');
CREATE TYPE sensor_contact_types AS ENUM ('NO', 'NC');
CREATE TYPE sensor_eol_count AS ENUM ('single', 'double');
CREATE TYPE output_trigger_type AS ENUM ('area', 'system', 'button');

CREATE TABLE alembic_version (
    version_num varchar(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version (version_num) VALUES ('4df9df54d928');

CREATE TABLE "user" (
    id serial PRIMARY KEY,
    name varchar(32) NOT NULL,
    email varchar(255),
    role varchar(12) NOT NULL,
    registration_code varchar(64) UNIQUE,
    registration_expiry timestamptz,
    card_registration_expiry timestamptz,
    access_code varchar(64) NOT NULL,
    fourkey_code varchar(64) NOT NULL,
    mcp_key varchar(64),
    comment varchar
);

CREATE TABLE card (
    id serial PRIMARY KEY,
    code varchar(64) NOT NULL,
    user_id integer NOT NULL REFERENCES "user" (id),
    enabled boolean,
    description varchar
);

CREATE TABLE area (
    id serial PRIMARY KEY,
    name varchar(32) NOT NULL,
    arm_state armstates NOT NULL,
    deleted boolean,
    ui_order integer
);

CREATE TABLE zone (
    id serial PRIMARY KEY,
    name varchar(32) NOT NULL,
    description varchar NOT NULL,
    disarmed_delay integer,
    away_alert_delay integer,
    stay_alert_delay integer,
    away_arm_delay integer,
    stay_arm_delay integer,
    deleted boolean,
    ui_order integer
);

CREATE TABLE sensor_type (
    id serial PRIMARY KEY,
    name varchar(16),
    description varchar
);

CREATE TABLE sensor (
    id serial PRIMARY KEY,
    channel integer,
    channel_type channel_types NOT NULL DEFAULT 'normal',
    sensor_contact_type sensor_contact_types NOT NULL DEFAULT 'NC',
    sensor_eol_count sensor_eol_count NOT NULL DEFAULT 'single',
    reference_value double precision,
    alert boolean NOT NULL DEFAULT false,
    error boolean NOT NULL DEFAULT false,
    enabled boolean NOT NULL DEFAULT true,
    deleted boolean NOT NULL DEFAULT false,
    name varchar(16) NOT NULL DEFAULT '',
    description varchar,
    silent_alert boolean DEFAULT false,
    monitor_period integer,
    monitor_threshold integer DEFAULT 100,
    zone_id integer NOT NULL REFERENCES zone (id),
    area_id integer NOT NULL REFERENCES area (id),
    type_id integer NOT NULL REFERENCES sensor_type (id),
    ui_order integer,
    ui_hidden boolean NOT NULL
);

CREATE TABLE keypad_type (
    id serial PRIMARY KEY,
    name varchar(32),
    description varchar
);

CREATE TABLE keypad (
    id serial PRIMARY KEY,
    enabled boolean,
    type_id integer NOT NULL REFERENCES keypad_type (id)
);

CREATE TABLE output (
    id serial PRIMARY KEY,
    name varchar(16),
    description varchar,
    channel integer,
    state boolean NOT NULL,
    trigger_type output_trigger_type NOT NULL,
    area_id integer REFERENCES area (id),
    delay integer,
    duration integer NOT NULL,
    default_state boolean,
    ui_order integer,
    enabled boolean
);

CREATE TABLE option (
    id serial PRIMARY KEY,
    name varchar(32) NOT NULL,
    section varchar(32) NOT NULL,
    value varchar
);

CREATE TABLE alert (
    id serial PRIMARY KEY,
    start_time timestamptz,
    end_time timestamptz,
    silent boolean
);

CREATE TABLE arm (
    id serial PRIMARY KEY,
    type armstates NOT NULL,
    time timestamptz NOT NULL,
    keypad_id integer REFERENCES keypad (id),
    user_id integer REFERENCES "user" (id),
    alert_id integer REFERENCES alert (id)
);

CREATE TABLE arm_sensor (
    id serial PRIMARY KEY,
    arm_id integer REFERENCES arm (id),
    sensor_id integer REFERENCES sensor (id),
    channel integer NOT NULL,
    type_id integer NOT NULL REFERENCES sensor_type (id),
    name varchar(16) NOT NULL DEFAULT '',
    description varchar NOT NULL,
    timestamp timestamptz,
    delay integer,
    enabled boolean NOT NULL
);

CREATE TABLE disarm (
    id serial PRIMARY KEY,
    time timestamptz,
    keypad_id integer REFERENCES keypad (id),
    user_id integer REFERENCES "user" (id),
    alert_id integer REFERENCES alert (id),
    arm_id integer REFERENCES arm (id)
);

CREATE TABLE alert_sensor (
    alert_id integer NOT NULL REFERENCES alert (id),
    sensor_id integer NOT NULL REFERENCES sensor (id),
    channel integer,
    type_id integer NOT NULL REFERENCES sensor_type (id),
    name varchar(16) NOT NULL DEFAULT '',
    description varchar,
    start_time timestamptz,
    end_time timestamptz,
    delay integer,
    silent boolean,
    monitor_period integer,
    monitor_threshold integer DEFAULT 100,
    PRIMARY KEY (alert_id, sensor_id)
);
