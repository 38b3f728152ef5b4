-- The worker claims open jobs in id order: an index of open jobs only, so a claim reads those and
-- never the done ones, however many accumulate.
CREATE INDEX argus_job_open_idx ON argus_job (id) WHERE state IN ('new', 'processing');
