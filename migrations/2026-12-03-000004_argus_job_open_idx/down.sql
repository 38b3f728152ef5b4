DROP INDEX argus_job_open_idx;
