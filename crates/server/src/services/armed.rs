//! Whether the house counts as armed, for the writes refused while it is:
//! the `area` table (ArPI's rule) and the monitor, which knows first.

use actix_web::web;
use argus_protocol::Command;

use crate::error::ApiError;
use crate::services::monitor::monitoring_state;
use crate::state::AppState;

/// ArPI's body for a configuration change while armed.
pub const NOT_ALLOWED: &str = "Configuration changes are not allowed currently";
/// The same rule as the area routes word it.
pub const NOT_ALLOWED_AREA: &str = "Configuration changes are not allowed in the current state";

/// Monitoring states in which the system counts as armed.
const ARMED_STATES: [&str; 4] = [
    "monitoring_arm_delay",
    "monitoring_armed",
    "monitoring_alert_delay",
    "monitoring_alert",
];

/// 409 unless every area is disarmed: the `area` table says so (ArPI's
/// rule) and so does the monitor, which knows first (its rows follow through
/// a write queue). An unreachable monitor leaves the decision to the table.
pub async fn ensure_disarmed(state: &AppState, message: &str) -> Result<(), ApiError> {
    if is_disarmed(state).await? {
        Ok(())
    } else {
        Err(ApiError::Conflict(message.to_owned()))
    }
}

/// Whether every area is disarmed (see [`ensure_disarmed`]).
pub async fn is_disarmed(state: &AppState) -> Result<bool, ApiError> {
    if stored_arm_state(state).await? != "disarm" {
        return Ok(false);
    }
    match state.monitor.call(Command::MonitorGetState).await {
        Ok(reply) => Ok(!ARMED_STATES.contains(&monitoring_state(&reply))),
        Err(e) => {
            tracing::warn!(error = %e, "monitor not asked whether it is armed");
            Ok(true)
        }
    }
}

/// The system arm state from the `area` table (ArPI's `get_arm_state`).
pub async fn stored_arm_state(state: &AppState) -> Result<&'static str, ApiError> {
    let pool = state.db.clone();
    let areas = web::block(move || -> Result<Vec<argus_db::models::Area>, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        argus_db::models::Area::all(&mut conn).map_err(|e| e.to_string())
    })
    .await?
    .map_err(ApiError::DatabaseUnavailable)?;
    let modes: std::collections::BTreeSet<&str> = areas
        .iter()
        .filter(|a| a.deleted != Some(true))
        .map(|a| a.arm_state.api_str())
        .filter(|s| *s != "disarm")
        .collect();
    Ok(match modes.len() {
        0 => "disarm",
        1 => modes.into_iter().next().unwrap_or("disarm"),
        _ => "arm_mixed",
    })
}
