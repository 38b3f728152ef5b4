DROP TABLE argus_lockout_known;
DROP TABLE argus_lockout;
