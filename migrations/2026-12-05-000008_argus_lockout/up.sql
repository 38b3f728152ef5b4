-- Lock-out counters every server instance shares (argus; docs/SCALING.md):
-- one row per counter, on the database's clock in milliseconds, so two
-- instances behind a load balancer charge the same attempts.
CREATE TABLE argus_lockout (
    kind varchar(16) NOT NULL,
    id varchar(128) NOT NULL,
    failures integer NOT NULL DEFAULT 0,
    last_ms bigint NOT NULL,
    locked_until_ms bigint,
    PRIMARY KEY (kind, id)
);

-- (user, device) pairs that have logged in: an attacker's failures on the
-- user's or the address's counter do not hold these devices.
CREATE TABLE argus_lockout_known (
    user_id integer NOT NULL,
    device varchar(128) NOT NULL,
    seen timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, device)
);
