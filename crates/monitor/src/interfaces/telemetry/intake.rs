//! The one door every reading comes through, whatever its source: counted
//! per source, and bounded. A reading is handed to the writer and to the
//! rules without waiting; when either is full it is shed and counted, so a
//! burst larger than PostgreSQL's write rate never blocks a source or the
//! alarm and never grows memory without limit. A malformed message is
//! counted and logged at most once a minute per source.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argus_protocol::telemetry::{Malformed, Reading, SourceCounts, Status};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Readings waiting for the writer at most (a few MB).
pub const STORE_BOUND: usize = 20_000;
/// Readings waiting for the rules at most.
pub const RULES_BOUND: usize = 10_000;
/// How often a source's malformed messages are logged at most.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// Where a reading came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The Redis channel.
    Redis = 0,
    /// `argus/telemetry/<sensor>`.
    Mqtt = 1,
    /// `POST /api/telemetry`.
    Rest = 2,
}

#[derive(Debug, Default)]
struct Counts {
    accepted: AtomicU64,
    malformed: AtomicU64,
    shed: AtomicU64,
}

impl Counts {
    fn read(&self) -> SourceCounts {
        SourceCounts {
            accepted: self.accepted.load(Ordering::Relaxed),
            malformed: self.malformed.load(Ordering::Relaxed),
            shed: self.shed.load(Ordering::Relaxed),
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    sources: [Counts; 3],
    logged: Mutex<[Option<Instant>; 3]>,
    redis_connected: AtomicBool,
    stored: AtomicU64,
    write_errors: AtomicU64,
}

/// The sending side, cloned into every source.
#[derive(Debug, Clone)]
pub struct Intake {
    store: mpsc::Sender<Reading>,
    rules: mpsc::Sender<Reading>,
    shared: Arc<Shared>,
}

/// The receiving sides: the writer's and the rules'.
#[derive(Debug)]
pub struct Outlets {
    /// For the batch writer.
    pub store: mpsc::Receiver<Reading>,
    /// For the rules.
    pub rules: mpsc::Receiver<Reading>,
}

/// A new intake.
pub fn channel() -> (Intake, Outlets) {
    let (store, store_rx) = mpsc::channel(STORE_BOUND);
    let (rules, rules_rx) = mpsc::channel(RULES_BOUND);
    let intake = Intake {
        store,
        rules,
        shared: Arc::default(),
    };
    (
        intake,
        Outlets {
            store: store_rx,
            rules: rules_rx,
        },
    )
}

impl Intake {
    /// Takes a reading in; false when it was shed (a buffer was full).
    pub fn submit(&self, source: Source, reading: Reading) -> bool {
        let counts = &self.shared.sources[source as usize];
        // The rules first: they are what raises an alarm, and far faster.
        let ruled = self.rules.try_send(reading.clone()).is_ok();
        let stored = self.store.try_send(reading).is_ok();
        if ruled && stored {
            counts.accepted.fetch_add(1, Ordering::Relaxed);
        } else {
            counts.shed.fetch_add(1, Ordering::Relaxed);
        }
        ruled && stored
    }

    /// A message from `source`: taken in when it is a reading, counted and
    /// skipped when not.
    pub fn message(&self, source: Source, parsed: Result<Reading, Malformed>) {
        match parsed {
            Ok(reading) => {
                self.submit(source, reading);
            }
            Err(why) => self.malformed(source, &why),
        }
    }

    /// Counts a malformed message (logged at most once a minute).
    pub fn malformed(&self, source: Source, why: &Malformed) {
        let total = self.shared.sources[source as usize]
            .malformed
            .fetch_add(1, Ordering::Relaxed)
            + 1;
        let now = Instant::now();
        let Ok(mut logged) = self.shared.logged.lock() else {
            return;
        };
        let last = &mut logged[source as usize];
        if last.is_none_or(|at| now.duration_since(at) >= LOG_EVERY) {
            *last = Some(now);
            // The reason only: a message body may carry anything.
            tracing::warn!(source = ?source, reason = why.label(), total, "malformed telemetry skipped");
        }
    }

    /// Whether the Redis subscription is up.
    pub fn redis_connected(&self, up: bool) {
        self.shared.redis_connected.store(up, Ordering::Relaxed);
    }

    /// A batch was written: `new` readings were new.
    pub fn stored(&self, new: usize) {
        self.shared
            .stored
            .fetch_add(u64::try_from(new).unwrap_or(0), Ordering::Relaxed);
    }

    /// A batch write failed (it is retried).
    pub fn write_failed(&self) {
        self.shared.write_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Every counter.
    pub fn status(&self) -> Status {
        let s = &self.shared;
        Status {
            redis: s.sources[Source::Redis as usize].read(),
            mqtt: s.sources[Source::Mqtt as usize].read(),
            rest: s.sources[Source::Rest as usize].read(),
            redis_connected: s.redis_connected.load(Ordering::Relaxed),
            stored: s.stored.load(Ordering::Relaxed),
            write_errors: s.write_errors.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn reading(n: usize) -> Reading {
        Reading {
            sensor: "t".into(),
            value: n as f64,
            unit: None,
            time: Utc::now(),
        }
    }

    #[tokio::test]
    async fn a_burst_past_the_bound_is_shed_and_counted_without_waiting() {
        let (intake, mut outlets) = channel();
        for n in 0..RULES_BOUND + 5 {
            intake.submit(Source::Mqtt, reading(n));
        }
        let status = intake.status();
        assert_eq!(status.mqtt.accepted, RULES_BOUND as u64);
        assert_eq!(status.mqtt.shed, 5);
        assert_eq!(outlets.rules.len(), RULES_BOUND);
        assert!(outlets.rules.recv().await.is_some());
    }

    #[tokio::test]
    async fn malformed_messages_are_counted_per_source() {
        let (intake, _outlets) = channel();
        intake.message(Source::Redis, Err(Malformed::NotJson));
        intake.message(Source::Redis, Err(Malformed::Value));
        intake.message(Source::Rest, Ok(reading(1)));
        let status = intake.status();
        assert_eq!((status.redis.malformed, status.redis.accepted), (2, 0));
        assert_eq!((status.rest.malformed, status.rest.accepted), (0, 1));
    }
}
