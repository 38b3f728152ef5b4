//! The batch writer: whatever readings wait are written together in one
//! statement (up to [`MAX_BATCH`]), so a single reading is written at once
//! and a flood costs a statement per few thousand rows. While a write runs
//! the next batch gathers; a failed write is retried with a doubling wait,
//! the intake shedding meanwhile once its buffer is full. The latest values
//! a batch moved forward go to Socket.IO and MQTT as `telemetry_change`, at
//! most 200 a second (the newest value of each sensor held back goes out
//! the next second).
//! Every hour it also forgets what `telemetry/retention` no longer keeps.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use argus_db::models::telemetry;
use argus_db::DbPool;
use argus_protocol::telemetry::Reading;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{broadcast, mpsc};

use super::intake::Intake;
use crate::runtime::live::LiveEvent;

/// The most readings one statement writes.
pub const MAX_BATCH: usize = 5_000;
/// How often old readings are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// `telemetry/retention`.
#[derive(Debug, Clone, Copy, Deserialize)]
struct Retention {
    raw_days: i64,
    rollup_days: i64,
}

/// The live event of a latest value.
pub fn event(latest: &telemetry::Latest) -> LiveEvent {
    LiveEvent {
        name: "telemetry_change",
        payload: Some(json!({
            "sensor": latest.sensor,
            "value": latest.value,
            "unit": latest.unit,
            "time": latest.time.to_rfc3339(),
        })),
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// Runs the writer until the intake is gone.
pub async fn run(
    db: DbPool,
    mut rx: mpsc::Receiver<Reading>,
    intake: Intake,
    live: broadcast::Sender<LiveEvent>,
) {
    let mut prune_at = tokio::time::Instant::now();
    let mut told = Told::default();
    loop {
        let first = tokio::select! {
            first = rx.recv() => first,
            () = sleep_until(told.next()), if told.next().is_some() => {
                told.flush(&live);
                continue;
            }
        };
        let Some(first) = first else {
            return;
        };
        let mut batch = Vec::with_capacity(64);
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        for latest in write(&db, Arc::new(batch), &intake).await {
            told.offer(latest, &live);
        }
        if tokio::time::Instant::now() >= prune_at {
            prune_at += PRUNE_EVERY;
            prune(&db).await;
        }
    }
}

/// Latest values sent to the live hub per second at most: the hub also
/// carries the alarm's own events to every browser, and a flood of readings
/// must not make a browser skip those.
const TELL_PER_SECOND: usize = 200;
/// Sensors whose held-back value is remembered at most (names come from
/// outside).
const HELD_BOUND: usize = 10_000;
const SECOND: Duration = Duration::from_secs(1);

/// What went to the live hub this second, and the newest latest value of
/// each sensor held back past the budget (sent when the next second
/// starts, so a sensor's last value always goes out).
struct Told {
    since: tokio::time::Instant,
    sent: usize,
    held: HashMap<String, telemetry::Latest>,
}

impl Default for Told {
    fn default() -> Self {
        Self {
            since: tokio::time::Instant::now(),
            sent: 0,
            held: HashMap::new(),
        }
    }
}

impl Told {
    /// When held values may go out, if any wait.
    fn next(&self) -> Option<tokio::time::Instant> {
        (!self.held.is_empty()).then_some(self.since + SECOND)
    }

    fn roll(&mut self) {
        let now = tokio::time::Instant::now();
        if now.duration_since(self.since) >= SECOND {
            self.since = now;
            self.sent = 0;
        }
    }

    fn offer(&mut self, latest: telemetry::Latest, live: &broadcast::Sender<LiveEvent>) {
        self.roll();
        if self.sent < TELL_PER_SECOND && !self.held.contains_key(&latest.sensor) {
            self.sent += 1;
            let _ = live.send(event(&latest));
        } else if self.held.len() < HELD_BOUND || self.held.contains_key(&latest.sensor) {
            self.held.insert(latest.sensor.clone(), latest);
        }
    }

    fn flush(&mut self, live: &broadcast::Sender<LiveEvent>) {
        self.roll();
        let room = TELL_PER_SECOND.saturating_sub(self.sent);
        let going: Vec<String> = self.held.keys().take(room).cloned().collect();
        for sensor in going {
            if let Some(latest) = self.held.remove(&sensor) {
                self.sent += 1;
                let _ = live.send(event(&latest));
            }
        }
    }
}

/// Writes one batch, retrying until PostgreSQL takes it; the latest values
/// it moved forward.
async fn write(db: &DbPool, batch: Arc<Vec<Reading>>, intake: &Intake) -> Vec<telemetry::Latest> {
    let mut wait = Duration::from_millis(200);
    loop {
        let readings = batch.clone();
        match crate::db::blocking(db, move |c| telemetry::store(c, &readings)).await {
            Ok(stored) => {
                intake.stored(stored.inserted);
                return stored.latest;
            }
            Err(e) => {
                intake.write_failed();
                tracing::warn!(error = %e, readings = batch.len(), retry_ms = wait.as_millis() as u64, "telemetry not stored yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
    }
}

async fn prune(db: &DbPool) {
    let pruned = crate::db::blocking(db, |c| {
        let keep: Retention =
            crate::db::option_in(c, "telemetry", "retention")?.unwrap_or(Retention {
                raw_days: 30,
                rollup_days: 730,
            });
        let now = chrono::Utc::now();
        telemetry::prune(
            c,
            now - chrono::Duration::days(keep.raw_days),
            now - chrono::Duration::days(keep.rollup_days),
        )
    })
    .await;
    match pruned {
        Ok(0) => {}
        Ok(rows) => tracing::info!(rows, "old telemetry forgotten"),
        Err(e) => tracing::debug!(error = %e, "old telemetry was not pruned this time"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latest(sensor: usize, value: f64) -> telemetry::Latest {
        telemetry::Latest {
            sensor: format!("s{sensor}"),
            value,
            unit: None,
            time: chrono::Utc::now(),
            received: chrono::Utc::now(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn past_the_budget_values_wait_a_second_and_each_sensors_newest_goes_out() {
        let (live, mut rx) = broadcast::channel(1024);
        let mut told = Told::default();
        for s in 0..TELL_PER_SECOND + 50 {
            told.offer(latest(s, 1.0), &live);
        }
        told.offer(latest(TELL_PER_SECOND, 2.0), &live);
        assert_eq!(rx.len(), TELL_PER_SECOND);
        assert_eq!(told.held.len(), 50);
        let due = told.next().unwrap_or_else(tokio::time::Instant::now);
        tokio::time::sleep_until(due).await;
        told.flush(&live);
        assert!(told.next().is_none());
        let mut values = Vec::new();
        while let Ok(event) = rx.try_recv() {
            let payload = event.payload.unwrap_or_default();
            if payload["sensor"] == format!("s{TELL_PER_SECOND}") {
                values.push(payload["value"].as_f64());
            }
        }
        assert_eq!(values, vec![Some(2.0)], "held once, the newest");
    }
}
