-- Fast arm history (`/api/arms`) on large databases. ArPI's columns stay as
-- they are; only indexes, one argus table and triggers are added, and the
-- triggers keep the table right whoever writes `arm`/`disarm` (ArPI too).

-- Sessions closed by a disarm are paged by disarm time.
CREATE INDEX argus_disarm_time_idx ON disarm (time DESC NULLS FIRST, id DESC);
CREATE INDEX argus_disarm_arm_id_idx ON disarm (arm_id);
CREATE INDEX argus_arm_sensor_arm_id_idx ON arm_sensor (arm_id);

-- Arm sessions no disarm has closed yet (usually none or one). Finding them
-- with an anti-join costs a scan of both tables; this keeps them at hand.
CREATE TABLE argus_open_arm (
    arm_id integer PRIMARY KEY REFERENCES arm (id) ON DELETE CASCADE
);

INSERT INTO argus_open_arm (arm_id)
SELECT a.id FROM arm a
WHERE NOT EXISTS (SELECT 1 FROM disarm d WHERE d.arm_id = a.id);

CREATE FUNCTION argus_track_open_arm() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'arm' THEN
        INSERT INTO argus_open_arm (arm_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    -- disarm: a session reopens when its last disarm goes or points elsewhere.
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.arm_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM disarm WHERE arm_id = OLD.arm_id)
        AND EXISTS (SELECT 1 FROM arm WHERE id = OLD.arm_id) THEN
        INSERT INTO argus_open_arm (arm_id) VALUES (OLD.arm_id) ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.arm_id IS NOT NULL THEN
        DELETE FROM argus_open_arm WHERE arm_id = NEW.arm_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER argus_open_arm_on_arm
    AFTER INSERT ON arm
    FOR EACH ROW EXECUTE FUNCTION argus_track_open_arm();

CREATE TRIGGER argus_open_arm_on_disarm
    AFTER INSERT OR UPDATE OF arm_id OR DELETE ON disarm
    FOR EACH ROW EXECUTE FUNCTION argus_track_open_arm();
