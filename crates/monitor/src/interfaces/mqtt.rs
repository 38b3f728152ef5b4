//! Home Assistant over MQTT: [`discovery`] (what HA is told: panels,
//! binary sensors, topics, states), [`attributes`] (what a panel's card
//! shows), [`command`] (what HA may ask), [`settings`] (which broker, which
//! prefix), [`tls`] (how the broker is trusted), [`client`] (the session
//! with the broker), [`arpi`] (ArPI's own topics, for those who use them),
//! [`devices`] (Zigbee2MQTT, ESPHome, Tasmota and Shelly devices as node
//! inputs). None of it is on the alarm's path: the session follows the
//! actor's state view and hands commands to the engine like any other
//! interface.

pub mod arpi;
pub mod attributes;
pub mod client;
pub mod command;
pub mod devices;
pub mod discovery;
pub mod settings;
pub mod tls;
