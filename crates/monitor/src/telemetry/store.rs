//! The batch writer: whatever readings wait are written together in one
//! statement (up to [`MAX_BATCH`]), so a single reading is written at once
//! and a flood costs a statement per few thousand rows. While a write runs
//! the next batch gathers; a failed write is retried with a doubling wait,
//! the intake shedding meanwhile once its buffer is full. The latest values
//! a batch moved forward go to Socket.IO and MQTT as `telemetry_change`.
//! Every hour it also forgets what `telemetry/retention` no longer keeps.

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

/// Runs the writer until the intake is gone.
pub async fn run(
    db: DbPool,
    mut rx: mpsc::Receiver<Reading>,
    intake: Intake,
    live: broadcast::Sender<LiveEvent>,
) {
    let mut prune_at = tokio::time::Instant::now();
    loop {
        let Some(first) = rx.recv().await else {
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
        write(&db, Arc::new(batch), &intake, &live).await;
        if tokio::time::Instant::now() >= prune_at {
            prune_at += PRUNE_EVERY;
            prune(&db).await;
        }
    }
}

/// Writes one batch, retrying until PostgreSQL takes it.
async fn write(
    db: &DbPool,
    batch: Arc<Vec<Reading>>,
    intake: &Intake,
    live: &broadcast::Sender<LiveEvent>,
) {
    let mut wait = Duration::from_millis(200);
    loop {
        let readings = batch.clone();
        match crate::db::blocking(db, move |c| telemetry::store(c, &readings)).await {
            Ok(stored) => {
                intake.stored(stored.inserted);
                for latest in &stored.latest {
                    let _ = live.send(event(latest));
                }
                return;
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
