//! sensorhub's source: a subscription to a Redis pub/sub channel
//! (`telemetry/redis`: `{enabled, url, channel}`, `sensor_stream` by
//! default) whose messages are `{"sensor","value","timestamp"}`. Every
//! message goes to the intake, a malformed one only counted; a Redis that
//! is down or goes away costs reconnects with a doubling wait, and a change
//! of the section (a reload) reconnects at once.

use std::time::Duration;

use argus_protocol::telemetry::parse_stream;
use futures_util::StreamExt;
use serde::Deserialize;

use super::intake::{Intake, Source};
use crate::interfaces::running::Running;

/// `telemetry/redis`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
struct RedisOption {
    enabled: bool,
    url: Option<String>,
    channel: Option<String>,
}

/// Runs the subscriber for the monitor's life.
pub async fn run(r: Running, intake: Intake) {
    let mut installation = r.installation.clone();
    let mut wait = Duration::from_secs(1);
    loop {
        let option = match crate::db::option::<RedisOption>(&r.db, "telemetry", "redis").await {
            Ok(o) => o.unwrap_or_default(),
            Err(_) => {
                // No database yet: look again shortly (readings wait in Redis's publishers).
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let (Some(url), Some(channel), true) = (option.url, option.channel, option.enabled) else {
            intake.redis_connected(false);
            if installation.changed().await.is_err() {
                return;
            }
            continue;
        };
        tokio::select! {
            outcome = subscribe(&url, &channel, &intake) => {
                intake.redis_connected(false);
                match outcome {
                    Ok(()) => wait = Duration::from_secs(1),
                    // The error only: the URL may carry a password.
                    Err(e) => tracing::warn!(error = %e, retry_s = wait.as_secs(), "Redis telemetry unavailable"),
                }
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = installation.changed() => {}
                }
                wait = (wait * 2).min(Duration::from_secs(60));
            }
            changed = installation.changed() => {
                intake.redis_connected(false);
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// Subscribes and reads until the connection ends.
async fn subscribe(url: &str, channel: &str, intake: &Intake) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    intake.redis_connected(true);
    tracing::info!(channel, "subscribed to Redis telemetry");
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        intake.message(
            Source::Redis,
            parse_stream(message.get_payload_bytes(), chrono::Utc::now()),
        );
    }
    tracing::warn!("the Redis telemetry subscription ended");
    Ok(())
}
