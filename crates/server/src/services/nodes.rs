//! Remote nodes' intake, shared by the node routes and the RockBLOCK
//! webhook: a batch of input changes is stored once per (node, sequence
//! number) together with the job that hands it to the monitor, in one
//! transaction, and only its commit is answered. A database failure is a
//! 5xx, so the sender retries; a retry stores nothing twice.

use argus_db::models::{JobRow, NewNodeEvent, NodeEventRow, NodeRow};
use argus_protocol::nodes::{EventBatch, EventsJob, JOB_NODE_EVENTS};
use argus_protocol::Command;
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::transact;

/// What became of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Intake {
    /// Sequence numbers stored now.
    pub accepted: Vec<i64>,
    /// Sequence numbers stored before (acknowledged again).
    pub duplicates: Vec<i64>,
}

/// Stores `batch` for `node` (already checked) with its job, and notes the
/// node as seen; in the caller's transaction.
pub fn store(
    conn: &mut PgConnection,
    node: i32,
    batch: &EventBatch,
    source: &str,
    address: Option<&str>,
    now: DateTime<Utc>,
) -> diesel::QueryResult<Intake> {
    let rows: Vec<NewNodeEvent<'_>> = batch
        .events
        .iter()
        .map(|e| NewNodeEvent {
            node_id: node,
            seq: e.seq,
            input: &e.input,
            state: e.state.as_str(),
            time: e.time.unwrap_or(now),
            source,
        })
        .collect();
    let stored = NodeEventRow::store(conn, &rows)?;
    if !stored.is_empty() {
        let job = EventsJob {
            events: stored.iter().map(|&(id, _)| id).collect(),
        };
        let payload = serde_json::to_string(&job).unwrap_or_default();
        JobRow::enqueue(conn, JOB_NODE_EVENTS, &payload)?;
    }
    NodeRow::seen(conn, node, now, address)?;
    let mut accepted: Vec<i64> = stored.into_iter().map(|(_, seq)| seq).collect();
    accepted.sort_unstable();
    let mut duplicates: Vec<i64> = batch
        .events
        .iter()
        .map(|e| e.seq)
        .filter(|s| accepted.binary_search(s).is_err())
        .collect();
    duplicates.sort_unstable();
    duplicates.dedup();
    Ok(Intake {
        accepted,
        duplicates,
    })
}

/// Checks and stores `batch` in one transaction, then tells the monitor
/// (after the commit, without waiting for it).
pub async fn take(
    state: &AppState,
    node: i32,
    batch: EventBatch,
    source: &'static str,
    address: Option<String>,
) -> Result<Intake, ApiError> {
    batch.check().map_err(ApiError::BadRequest)?;
    let intake = transact(&state.db, move |c| {
        store(c, node, &batch, source, address.as_deref(), Utc::now()).map_err(ApiError::from)
    })
    .await?;
    nudge(state, node, !intake.accepted.is_empty());
    Ok(intake)
}

/// Tells the monitor a node was seen (and jobs are queued). A monitor that
/// does not answer loses nothing: it polls the queue and reads `last_seen`.
pub fn nudge(state: &AppState, node: i32, jobs: bool) {
    let monitor = state.monitor.clone();
    actix_web::rt::spawn(async move {
        let _ = monitor.call(Command::NodeSeen { node_id: node }).await;
        if jobs {
            let _ = monitor.call(Command::NodeJobs).await;
        }
    });
}

/// A new node token: 256 random bits, hex, with a prefix that says what it is.
pub fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(format!(
        "argn_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}
