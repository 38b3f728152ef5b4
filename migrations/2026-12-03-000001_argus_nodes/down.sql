DROP TABLE argus_rockblock_message;
DROP TABLE argus_job_error;
DROP TABLE argus_job;
DROP TABLE argus_node_event;
DROP TABLE argus_node_input;
DROP TABLE argus_node_token;
DROP TABLE argus_node;
