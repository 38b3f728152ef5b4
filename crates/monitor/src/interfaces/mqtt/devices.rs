//! Devices people already own, read over the same MQTT session: each node
//! input mapped to a topic (Zigbee2MQTT, ESPHome, Tasmota, Shelly) becomes
//! a sensor reading, each availability topic feeds supervision. Both go to
//! the nodes task, which alone writes node sensors to the engine.

use std::collections::BTreeSet;

use crate::installation::Installation;
use crate::interfaces::nodes::hub::NodesHandle;
use crate::interfaces::nodes::{intake, mqtt_rule};

/// Every topic to subscribe to for enabled nodes.
pub fn topics(installation: &Installation) -> BTreeSet<String> {
    installation
        .nodes
        .values()
        .filter(|n| n.enabled)
        .flat_map(|n| {
            n.mqtt
                .iter()
                .map(|(t, ..)| t)
                .chain(n.availability.as_ref())
        })
        .cloned()
        .collect()
}

/// Hands a message on `topic` to the nodes task; whether it was a device's.
pub fn route(
    installation: &Installation,
    nodes: &NodesHandle,
    topic: &str,
    payload: &[u8],
) -> bool {
    let mut known = false;
    for (&id, node) in installation.nodes.iter().filter(|(_, n)| n.enabled) {
        for (input_topic, sensor, rule) in &node.mqtt {
            if input_topic == topic {
                known = true;
                if let Some(state) = mqtt_rule::read(rule, payload) {
                    nodes.live(id, *sensor, intake::reading(state));
                }
            }
        }
        if node.availability.as_deref() == Some(topic) {
            known = true;
            if let Some(online) = mqtt_rule::available(payload) {
                nodes.available(id, online);
            }
        }
    }
    known
}
