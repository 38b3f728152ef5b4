//! The `rockblock_mt` job: a command to a satellite node through Rock7.
//! Rock7's own trouble is retried; a refusal (credentials, credit, size) is
//! final and stays in the job's errors.

use argus_db::models::JobRow;
use argus_protocol::nodes::MtJob;

use crate::interfaces::running::Running;
use crate::runtime::jobs::JobFailure;
use crate::services::rockblock::{self, MtOption};

/// Runs one `rockblock_mt` job.
pub async fn satellite(r: &Running, job: &JobRow) -> Result<(), JobFailure> {
    let MtJob { node_id, text } = serde_json::from_str(&job.payload)
        .map_err(|e| JobFailure::Permanent(format!("payload: {e}")))?;
    let imei = r
        .installation
        .borrow()
        .nodes
        .get(&node_id)
        .and_then(|n| n.imei.clone())
        .ok_or_else(|| JobFailure::Permanent(format!("node {node_id} has no RockBLOCK modem")))?;
    let option: MtOption = crate::db::option(&r.db, "nodes", "rockblock")
        .await
        .map_err(|e| JobFailure::Retry(e.to_string()))?
        .ok_or_else(|| JobFailure::Permanent("nodes/rockblock does not read".into()))?;
    let sent =
        tokio::task::spawn_blocking(move || rockblock::send(&option, &imei, text.as_bytes()))
            .await
            .map_err(|e| JobFailure::Retry(e.to_string()))?;
    match sent {
        Ok(id) => {
            tracing::info!(job = job.id, mt = id, "satellite message queued at Rock7");
            Ok(())
        }
        Err(e) if e.retryable() => Err(JobFailure::Retry(e.to_string())),
        Err(e) => Err(JobFailure::Permanent(e.to_string())),
    }
}
