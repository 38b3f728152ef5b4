-- Every job is updated twice (claimed, done), so a busy queue leaves dead rows whose entries its
-- partial indexes keep returning until a vacuum: the default (a fifth of the table) lets a claim
-- slow down by milliseconds on a table that only grows. Vacuum after every thousand dead rows.
ALTER TABLE argus_job SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
