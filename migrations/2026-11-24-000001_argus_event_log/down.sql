DROP TABLE argus_event;
