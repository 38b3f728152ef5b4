DROP TRIGGER argus_open_arm_on_disarm ON disarm;
DROP TRIGGER argus_open_arm_on_arm ON arm;
DROP FUNCTION argus_track_open_arm();
DROP TABLE argus_open_arm;
DROP INDEX argus_arm_sensor_arm_id_idx;
DROP INDEX argus_disarm_arm_id_idx;
DROP INDEX argus_disarm_time_idx;
