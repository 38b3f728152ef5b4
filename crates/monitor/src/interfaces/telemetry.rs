//! Telemetry: readings of environmental sensors (temperature, humidity,
//! water, smoke) from sensorhub's Redis channel, MQTT topics
//! `argus/telemetry/<sensor>` and `POST /api/telemetry` (through the IPC),
//! stored in batches and watched by threshold rules that raise alarms
//! through the engine or notify.
//!
//! - [`intake`]: the one bounded, counted door every reading comes through.
//! - [`store`]: the batch writer to PostgreSQL, and retention.
//! - [`rules`]: the thresholds, pure.
//! - [`watch`]: runs the rules and acts on them.
//! - [`redis`]: the Redis subscriber.

pub mod intake;
pub mod redis;
pub mod rules;
pub mod store;
pub mod watch;

use crate::interfaces::running::Running;
use intake::Intake;

/// Starts the writer, the rules and the Redis subscriber on the receiving
/// sides of `intake` (MQTT and the IPC send to it too).
pub fn spawn(r: &Running, intake: &Intake, outlets: intake::Outlets) {
    tokio::spawn(store::run(
        r.db.clone(),
        outlets.store,
        intake.clone(),
        r.live.clone(),
    ));
    tokio::spawn(watch::run(r.clone(), outlets.rules));
    tokio::spawn(redis::run(r.clone(), intake.clone()));
}
