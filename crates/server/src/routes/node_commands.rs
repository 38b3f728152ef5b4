//! `POST /api/nodes/{id}/commands` (argus addition, admin): a command to a
//! node (test its siren, reboot, start its update, set its heartbeat). A
//! node connected to the monitor's WebSocket gets it there at once; a
//! satellite node through Rock7 from the job queue (retried, its errors
//! listed by `/api/jobs/errors`). The answer is the command's id, which the
//! node's acknowledgement names.

use actix_web::{post, web, HttpResponse};
use argus_db::models::{JobRow, NodeRow};
use argus_db::schema::argus_job;
use argus_protocol::nodes::{CommandKind, MtJob, NodeCommand, JOB_ROCKBLOCK_MT};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::services::nodes::nudge;
use crate::state::AppState;
use crate::store::transact;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(command_node);
}

/// A command.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommandBody {
    /// `test_siren`, `reboot`, `start_ota` or `set_heartbeat`.
    #[schema(value_type = String)]
    command: CommandKind,
    /// `set_heartbeat`'s interval, 1–86400 s.
    seconds: Option<u32>,
}

/// `POST /api/nodes/{id}/commands` → 202 `{"id", "via"}`.
#[post("/nodes/{id}/commands")]
async fn command_node(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
    body: web::Json<CommandBody>,
) -> Result<HttpResponse, ApiError> {
    let node_id = id.into_inner();
    let CommandBody { command, seconds } = body.into_inner();
    match (command, seconds) {
        (CommandKind::SetHeartbeat, Some(1..=86_400)) => {}
        (CommandKind::SetHeartbeat, _) => {
            return Err(ApiError::BadRequest(
                "set_heartbeat needs seconds, 1 to 86400".into(),
            ))
        }
        (_, Some(_)) => {
            return Err(ApiError::BadRequest(
                "only set_heartbeat takes seconds".into(),
            ))
        }
        (_, None) => {}
    }
    let node = crate::store::query(&state.db, move |c| NodeRow::find(c, node_id))
        .await?
        .ok_or_else(|| ApiError::NotFound("no such node".into()))?;
    if node.imei.is_none() {
        // Numbered by the clock: unique enough for one node's acknowledgements.
        let id = chrono::Utc::now().timestamp_millis();
        let command = NodeCommand {
            id,
            command,
            seconds,
        };
        let reply = state
            .monitor
            .call(argus_protocol::Command::SendNodeCommand { node_id, command })
            .await?;
        if !reply.result {
            return Err(ApiError::Conflict("the node is not connected".into()));
        }
        return Ok(HttpResponse::Accepted().json(json!({ "id": id, "via": "websocket" })));
    }
    let id = transact(&state.db, move |c| {
        // The job's id numbers the command, so the job is written, then its payload.
        let id = JobRow::enqueue(c, JOB_ROCKBLOCK_MT, "")?;
        let text = NodeCommand {
            id,
            command,
            seconds,
        }
        .satellite_text();
        let payload = serde_json::to_string(&MtJob { node_id, text }).unwrap_or_default();
        diesel::update(argus_job::table.find(id))
            .set(argus_job::payload.eq(payload))
            .execute(c)?;
        Ok(id)
    })
    .await?;
    nudge(&state, node_id, true);
    Ok(HttpResponse::Accepted().json(json!({ "id": id, "via": "rockblock" })))
}
