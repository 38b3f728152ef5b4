//! The ordered write queue to PostgreSQL. The engine never waits for it: ops
//! are queued without blocking and written in order, those waiting together
//! in one transaction (a flood of sensor changes costs a commit per batch,
//! not per change), retried with back-off until PostgreSQL accepts them. [`ops`] turns engine effects into
//! these writes.

pub mod ops;

use argus_db::enums::ArmState as DbArmState;
use argus_db::records::{self, ArmSensorSnapshot};
use argus_db::DbPool;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

use crate::engine::model::Millis;

/// The most ops written in one transaction.
const BATCH: usize = 256;

/// One write.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// An arm (merged into the open session if any).
    Arm {
        /// The system state after it.
        state: DbArmState,
        /// When.
        time: Millis,
        /// Who.
        user: Option<i32>,
        /// Which keypad.
        keypad: Option<i32>,
        /// Sensor snapshots.
        sensors: Vec<(i32, Option<u32>)>,
    },
    /// A disarm, closing the open session and (maybe) an alert.
    Disarm {
        /// When.
        time: Millis,
        /// Who.
        user: Option<i32>,
        /// Which keypad.
        keypad: Option<i32>,
        /// The engine's key of the alert it ended.
        alert: Option<u64>,
    },
    /// An alert opened.
    AlertStart {
        /// Engine key.
        key: u64,
        /// When.
        time: Millis,
        /// Silent.
        silent: bool,
    },
    /// A sensor joined the alert.
    AlertSensor {
        /// Engine key.
        key: u64,
        /// The sensor.
        sensor: i32,
        /// When.
        time: Millis,
        /// Its delay.
        delay: u32,
        /// The alert is silent (so far).
        alert_silent: bool,
    },
    /// A sensor of the alert returned to normal.
    AlertSensorEnd {
        /// Engine key.
        key: u64,
        /// The sensor.
        sensor: i32,
        /// When.
        time: Millis,
    },
    /// The alert ended.
    AlertEnd {
        /// Engine key.
        key: u64,
        /// When.
        time: Millis,
    },
    /// Close alerts left open by a previous run.
    CloseStaleAlerts {
        /// When.
        time: Millis,
    },
    /// `sensor.alert`.
    SensorAlert(i32, bool),
    /// `sensor.error`.
    SensorError(i32, bool),
    /// `area.arm_state`.
    AreaState(i32, DbArmState),
    /// `output.state`.
    OutputState(i32, bool),
    /// `argus_event`.
    Event {
        /// When.
        time: Millis,
        /// Kind (`swinger_shutdown`, …).
        kind: &'static str,
        /// Who.
        user: Option<i32>,
        /// Which keypad.
        keypad: Option<i32>,
        /// Origin label.
        origin: Option<String>,
        /// The sensor concerned.
        sensor: Option<i32>,
        /// Free-form detail (never secrets).
        detail: Option<String>,
    },
}

/// The sending side of the queue.
#[derive(Debug, Clone)]
pub struct PersistHandle {
    tx: mpsc::UnboundedSender<Op>,
    /// Ops waiting (sent but not yet written).
    pending: watch::Receiver<usize>,
}

impl PersistHandle {
    /// Queues an op; never blocks.
    pub fn send(&self, op: Op) {
        if self.tx.send(op).is_err() {
            tracing::error!("the database writer has stopped; a record was dropped");
        }
    }

    /// Ops not yet written (for health and tests).
    pub fn backlog(&self) -> watch::Receiver<usize> {
        self.pending.clone()
    }
}

fn time(ms: Millis) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Starts the writer.
pub fn spawn(pool: DbPool) -> PersistHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let (pending_tx, pending) = watch::channel(0usize);
    tokio::spawn(writer(pool, rx, pending_tx));
    PersistHandle { tx, pending }
}

async fn writer(pool: DbPool, mut rx: mpsc::UnboundedReceiver<Op>, pending: watch::Sender<usize>) {
    let mut queue: VecDeque<Op> = VecDeque::new();
    let mut alerts: HashMap<u64, i32> = HashMap::new();
    let mut backoff = Duration::from_millis(100);
    loop {
        if queue.is_empty() {
            pending.send_replace(0);
            match rx.recv().await {
                Some(op) => queue.push_back(op),
                None => return,
            }
        }
        while let Ok(op) = rx.try_recv() {
            queue.push_back(op);
        }
        pending.send_replace(queue.len());
        let batch: Vec<Op> = queue.iter().take(BATCH).cloned().collect();
        let count = batch.len();
        let known = alerts.clone();
        match crate::db::blocking(&pool, move |conn| apply_all(conn, &batch, known)).await {
            Ok(learned) => {
                alerts = learned;
                queue.drain(..count);
                backoff = Duration::from_millis(100);
            }
            Err(e) => {
                tracing::warn!(error = %e, queued = queue.len(), retry_ms = backoff.as_millis() as u64, "database write failed; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

fn alert_id(
    conn: &mut diesel::pg::PgConnection,
    key: u64,
    known: &HashMap<u64, i32>,
) -> diesel::QueryResult<Option<i32>> {
    match known.get(&key) {
        Some(&id) => Ok(Some(id)),
        None => records::open_alert(conn),
    }
}

/// Writes `ops` in one transaction; the alert ids known after them (only
/// once committed: a batch rolled back learned nothing).
fn apply_all(
    conn: &mut diesel::pg::PgConnection,
    ops: &[Op],
    mut known: HashMap<u64, i32>,
) -> diesel::QueryResult<HashMap<u64, i32>> {
    use diesel::Connection;
    conn.transaction(|conn| {
        for op in ops {
            if let Some((key, id)) = apply(conn, op, &known)? {
                known.insert(key, id);
            }
        }
        Ok(known)
    })
}

/// Writes one op; returns an alert key → id mapping it learned.
fn apply(
    conn: &mut diesel::pg::PgConnection,
    op: &Op,
    known: &HashMap<u64, i32>,
) -> diesel::QueryResult<Option<(u64, i32)>> {
    match op {
        Op::Arm {
            state,
            time: t,
            user,
            keypad,
            sensors,
        } => {
            let snaps: Vec<ArmSensorSnapshot> = sensors
                .iter()
                .map(|&(sensor_id, delay)| ArmSensorSnapshot {
                    sensor_id,
                    delay: delay.and_then(|d| i32::try_from(d).ok()),
                })
                .collect();
            records::record_arm(conn, *state, time(*t), *user, *keypad, &snaps)?;
        }
        Op::Disarm {
            time: t,
            user,
            keypad,
            alert,
        } => {
            let alert_id = match alert {
                Some(key) => alert_id(conn, *key, known)?,
                None => None,
            };
            records::record_disarm(conn, time(*t), *user, *keypad, alert_id)?;
        }
        Op::AlertStart {
            key,
            time: t,
            silent,
        } => {
            let id = records::start_alert(conn, time(*t), *silent)?;
            return Ok(Some((*key, id)));
        }
        Op::AlertSensor {
            key,
            sensor,
            time: t,
            delay,
            alert_silent,
        } => {
            if let Some(id) = alert_id(conn, *key, known)? {
                records::add_alert_sensor(
                    conn,
                    id,
                    *sensor,
                    time(*t),
                    i32::try_from(*delay).unwrap_or(i32::MAX),
                    *alert_silent,
                )?;
            }
        }
        Op::AlertSensorEnd {
            key,
            sensor,
            time: t,
        } => {
            if let Some(id) = alert_id(conn, *key, known)? {
                records::end_alert_sensor(conn, id, *sensor, time(*t))?;
            }
        }
        Op::AlertEnd { key, time: t } => {
            if let Some(id) = alert_id(conn, *key, known)? {
                records::end_alert(conn, id, time(*t))?;
            }
        }
        Op::CloseStaleAlerts { time: t } => {
            let closed = records::close_open_alerts(conn, time(*t))?;
            if closed > 0 {
                tracing::info!(alerts = closed, "closed alerts left open by a previous run");
            }
        }
        Op::SensorAlert(id, v) => {
            records::set_sensor_alert(conn, *id, *v)?;
        }
        Op::SensorError(id, v) => {
            records::set_sensor_error(conn, *id, *v)?;
        }
        Op::AreaState(id, s) => {
            records::set_area_state(conn, *id, *s)?;
        }
        Op::OutputState(id, s) => {
            records::set_output_state(conn, *id, *s)?;
        }
        Op::Event {
            time: t,
            kind,
            user,
            keypad,
            origin,
            sensor,
            detail,
        } => {
            records::record_event(
                conn,
                time(*t),
                kind,
                *user,
                *keypad,
                origin.as_deref(),
                *sensor,
                detail.as_deref(),
            )?;
        }
    }
    Ok(None)
}
