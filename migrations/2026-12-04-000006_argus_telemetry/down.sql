DROP TABLE argus_telemetry_rule;
DROP TABLE argus_telemetry_hourly;
DROP TABLE argus_telemetry_latest;
DROP TABLE argus_telemetry_reading;
