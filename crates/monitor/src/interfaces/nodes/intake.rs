//! The `node_events` job: stored changes (`argus_node_event`) as sensor
//! readings, through the nodes task, in sequence order. An input no sensor
//! is mapped to is skipped (a configuration gap, not a retry); the alarm not
//! answering is a retry.

use argus_db::models::{JobRow, NodeEventRow};
use argus_protocol::nodes::{EventsJob, InputState};

use super::hub::{Applied, NodesHandle};
use crate::engine::Reading;
use crate::interfaces::running::Running;
use crate::runtime::jobs::JobFailure;

/// The engine's reading for a node's state.
pub fn reading(state: InputState) -> Reading {
    match state {
        InputState::Active => Reading::Active,
        InputState::Idle => Reading::Idle,
        InputState::Cut => Reading::Cut,
        InputState::Short => Reading::Short,
    }
}

/// Runs one `node_events` job.
pub async fn run(r: &Running, nodes: &NodesHandle, job: &JobRow) -> Result<(), JobFailure> {
    let EventsJob { events } = serde_json::from_str(&job.payload)
        .map_err(|e| JobFailure::Permanent(format!("payload: {e}")))?;
    let rows = crate::db::blocking(&r.db, move |c| NodeEventRow::by_ids(c, &events))
        .await
        .map_err(|e| JobFailure::Retry(e.to_string()))?;
    let installation = r.installation.borrow().clone();
    let mut unmapped = 0usize;
    for row in rows {
        let sensor = installation
            .nodes
            .get(&row.node_id)
            .and_then(|n| n.inputs.get(&row.input))
            .copied();
        let (Some(sensor), Some(state)) = (sensor, InputState::parse(&row.state)) else {
            unmapped += 1;
            continue;
        };
        if nodes
            .report(row.node_id, sensor, row.seq, reading(state))
            .await
            == Applied::Not
        {
            return Err(JobFailure::Retry(
                "the alarm did not take the change".into(),
            ));
        }
    }
    // Done only once the journal has it: the job's rows are not read again.
    if !nodes.barrier().await {
        return Err(JobFailure::Retry(
            "the alarm did not take the change".into(),
        ));
    }
    if unmapped > 0 {
        tracing::info!(
            job = job.id,
            unmapped,
            "node inputs without a sensor were skipped"
        );
    }
    Ok(())
}
