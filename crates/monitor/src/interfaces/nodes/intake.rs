//! The `node_events` jobs: stored changes (`argus_node_event`) as sensor
//! readings, through the nodes task, in sequence order, a claimed batch at
//! a time. An input no sensor
//! is mapped to is skipped (a configuration gap, not a retry); the alarm not
//! answering is a retry.

use std::collections::HashMap;

use argus_db::models::{JobRow, NodeEventRow};
use argus_protocol::nodes::{EventsJob, InputState};

use super::hub::{Applied, NodesHandle};
use crate::engine::Reading;
use crate::interfaces::running::Running;
use crate::runtime::jobs::{JobFailure, Outcomes};

/// The engine's reading for a node's state.
pub fn reading(state: InputState) -> Reading {
    match state {
        InputState::Active => Reading::Active,
        InputState::Idle => Reading::Idle,
        InputState::Cut => Reading::Cut,
        InputState::Short => Reading::Short,
    }
}

/// Runs a claimed batch of `node_events` jobs: their rows read in one
/// query and applied in sequence order, then one journal barrier for all.
pub async fn run(r: &Running, nodes: &NodesHandle, jobs: Vec<JobRow>) -> Outcomes {
    let mut outcomes: Outcomes = vec![Ok(()); jobs.len()];
    let mut owner: HashMap<i64, usize> = HashMap::new();
    for (i, job) in jobs.iter().enumerate() {
        match serde_json::from_str::<EventsJob>(&job.payload) {
            Ok(EventsJob { events }) => owner.extend(events.into_iter().map(|id| (id, i))),
            Err(e) => outcomes[i] = Err(JobFailure::Permanent(format!("payload: {e}"))),
        }
    }
    let ids: Vec<i64> = owner.keys().copied().collect();
    let rows = match crate::db::blocking(&r.db, move |c| NodeEventRow::by_ids(c, &ids)).await {
        Ok(rows) => rows,
        Err(e) => return retry_all(outcomes, &e.to_string()),
    };
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
        let applied = nodes
            .report(row.node_id, sensor, row.seq, reading(state))
            .await;
        if let (Applied::Not, Some(&i)) = (applied, owner.get(&row.id)) {
            outcomes[i] = Err(JobFailure::Retry(NOT_TAKEN.into()));
        }
    }
    if unmapped > 0 {
        tracing::info!(unmapped, "node inputs without a sensor were skipped");
    }
    // Done only once the journal has them: the jobs' rows are not read again.
    if nodes.barrier().await {
        outcomes
    } else {
        retry_all(outcomes, NOT_TAKEN)
    }
}

const NOT_TAKEN: &str = "the alarm did not take the change";

/// Every job not already failed for good is retried.
fn retry_all(outcomes: Outcomes, error: &str) -> Outcomes {
    outcomes
        .into_iter()
        .map(|o| match o {
            Err(JobFailure::Permanent(e)) => Err(JobFailure::Permanent(e)),
            _ => Err(JobFailure::Retry(error.to_owned())),
        })
        .collect()
}
