DROP TABLE argus_outbox;
