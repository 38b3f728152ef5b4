//! Remote nodes' intake, shared by the node routes and the RockBLOCK
//! webhook: a batch of input changes is stored once per (node, sequence
//! number) together with the job that hands it to the monitor, in one
//! transaction, and only its commit is answered. A database failure is a
//! 5xx, so the sender retries; a retry stores nothing twice.

use argus_db::models::{JobRow, NewNodeEvent, NodeEventRow, NodeRow};
use argus_protocol::nodes::{EventBatch, JOB_NODE_EVENTS};
use argus_protocol::Command;
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::query;

/// What became of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Intake {
    /// Sequence numbers stored now.
    pub accepted: Vec<i64>,
    /// Sequence numbers stored before (acknowledged again).
    pub duplicates: Vec<i64>,
}

/// Stores `batch` for `node` (already checked) with its job, in one
/// statement (atomic by itself, or part of the caller's transaction). (The node's `last_seen` is written apart, see
/// [`Throttle`]: one row every request of a busy node would update is a lock
/// they would all queue behind.)
pub fn store(
    conn: &mut PgConnection,
    node: i32,
    batch: &EventBatch,
    source: &str,
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
    let stored = NodeEventRow::store_queued(conn, &rows, JOB_NODE_EVENTS)?;
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
    refuse_when_behind(state).await?;
    let intake = query(&state.db, move |c| {
        store(c, node, &batch, source, Utc::now())
    })
    .await?;
    seen(state, node, address);
    nudge(state, node, !intake.accepted.is_empty());
    Ok(intake)
}

/// More open jobs than this and new changes are refused with 503 (the node
/// keeps them and sends them again): the monitor applies each change through
/// the engine, and a flood it cannot keep up with must not grow the queue,
/// or delay what queues behind it, without bound.
pub const MAX_BACKLOG: i64 = 2_000;

/// 503 while the monitor is more than [`MAX_BACKLOG`] jobs behind (the
/// count is read at most every 200 ms).
async fn refuse_when_behind(state: &AppState) -> Result<(), ApiError> {
    let open = match state.shared.nodes.backlog() {
        Some(open) => open,
        None => {
            let (open, _) = crate::store::query(&state.db, JobRow::backlog).await?;
            state.shared.nodes.set_backlog(open);
            open
        }
    };
    if open > MAX_BACKLOG {
        return Err(ApiError::Refused(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "error": "the alarm is behind on node changes; send them again shortly" }),
        ));
    }
    Ok(())
}

/// Writes the node's `last_seen` (and address), at most once a second,
/// without holding the request.
pub fn seen(state: &AppState, node: i32, address: Option<String>) {
    if !state.shared.nodes.due_write(node) {
        return;
    }
    let db = state.db.clone();
    actix_web::rt::spawn(async move {
        let written = crate::store::query(&db, move |c| {
            NodeRow::seen(c, node, Utc::now(), address.as_deref())
        })
        .await;
        if let Err(e) = written {
            tracing::debug!(node, error = %e, "last_seen not written");
        }
    });
}

/// Tells the monitor a node was seen (at most once a second) and that jobs
/// are queued (one wake-up in flight at a time: the worker takes every job
/// due when it wakes). A monitor that does not answer loses nothing: it
/// polls the queue every second.
pub fn nudge(state: &AppState, node: i32, jobs: bool) {
    let tell = state.shared.nodes.due_tell(node);
    let wake = jobs && state.shared.nodes.start_wake();
    if !tell && !wake {
        return;
    }
    let (monitor, shared) = (state.monitor.clone(), state.shared.clone());
    actix_web::rt::spawn(async move {
        if wake {
            // Cleared first: jobs stored from now on need a wake-up of their own.
            shared.nodes.wake_sent();
            let _ = monitor.call(Command::NodeJobs).await;
        }
        if tell {
            let _ = monitor.call(Command::NodeSeen { node_id: node }).await;
        }
    });
}

/// A JSON body read after the caller's token was checked (node routes take
/// the raw body, so a stranger is refused before its shape is judged).
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("Invalid JSON body: {e}")))
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
