ALTER TABLE argus_node DROP COLUMN mqtt_availability;
ALTER TABLE argus_node_input DROP COLUMN active_value, DROP COLUMN json_pointer, DROP COLUMN mqtt_topic;
