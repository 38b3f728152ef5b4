//! systemd integration: `READY=1` once the monitor serves, and `WATCHDOG=1`
//! from a task that sends it only while the engine loop proves it is alive.
//! The datagram itself is `argus_db::systemd`'s, shared with the server.

use std::time::Duration;
use tokio::sync::watch;

use crate::engine::model::Millis;

pub use argus_db::systemd::{notify, watchdog_period};

/// Pings the watchdog at half its period while the engine's heartbeat is
/// younger than the period.
pub fn spawn_watchdog(period: Duration, heartbeat: watch::Receiver<Millis>, now: fn() -> Millis) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period / 2);
        loop {
            tick.tick().await;
            let age = now() - *heartbeat.borrow();
            if u128::try_from(age).unwrap_or(0) < period.as_millis() {
                if let Err(e) = notify("WATCHDOG=1") {
                    tracing::warn!(error = %e, "systemd watchdog notification failed");
                }
            } else {
                tracing::error!(
                    age_ms = age,
                    "the engine loop is stuck; not feeding the watchdog"
                );
            }
        }
    });
}
