DROP TABLE argus_ota_job;
DROP TABLE argus_firmware_file;
DROP TABLE argus_firmware;
