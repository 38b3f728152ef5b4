//! The running alarm between inputs and the outside world: the engine actor
//! and its loop, what its effects become (live events, the database write
//! queue, the journal, notifications) and systemd's watchdog.
//!
//! - [`actor`]: the task that owns the engine and applies its effects in order.
//! - [`live`]: engine effects as ArPI's Socket.IO events, and the last state.
//! - [`metrics`]: counters and gauges for `/metrics` (Prometheus text).
//! - [`persist`]: engine records as database writes, queued in order, retried.
//! - [`journal`]: the local state file a restart resumes from.
//! - [`notify`]: notifications as journaled notices, outbox rows and deliveries.
//! - [`view`]: the state as one value, for machine consumers (MQTT).
//! - [`jobs`]: the durable job queue's worker (claims with a lease, retries).
//! - [`systemd`]: `READY=1` and a watchdog fed only while the loop turns.

pub mod actor;
pub mod jobs;
pub mod journal;
pub mod live;
pub mod metrics;
pub mod notify;
pub mod persist;
pub mod systemd;
pub mod view;
