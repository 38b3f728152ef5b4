-- Devices people already own (Zigbee2MQTT, ESPHome, Tasmota, Shelly) as node inputs: a topic per
-- input with a rule for its payload, and the device's availability topic for supervision.
ALTER TABLE argus_node_input
    ADD COLUMN mqtt_topic varchar(256),
    ADD COLUMN json_pointer varchar(128),
    ADD COLUMN active_value varchar(64);
ALTER TABLE argus_node ADD COLUMN mqtt_availability varchar(256);
