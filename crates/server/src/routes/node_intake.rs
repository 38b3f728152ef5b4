//! What remote nodes call (argus addition, node token): `POST
//! /api/nodes/{id}/events`, a batch of input changes answered after its
//! durable insert (`{"accepted", "duplicates"}`: a change sent again is
//! acknowledged, not stored twice), and `POST /api/nodes/{id}/heartbeat`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use argus_db::models::NodeRow;
use argus_protocol::nodes::EventBatch;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use crate::auth::NodeToken;
use crate::error::ApiError;
use crate::lockout::client_address;
use crate::services::nodes::{json_body, nudge, take};
use crate::state::AppState;
use crate::store::transact;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(node_events).service(node_heartbeat);
}

fn address(req: &HttpRequest, state: &AppState) -> String {
    client_address(req, &state.config.trusted_proxies).to_string()
}

/// `POST /api/nodes/{id}/events`. The body is read after the token is
/// checked (a stranger learns nothing about the shape).
#[post("/nodes/{id}/events")]
async fn node_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: NodeToken,
    id: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let node = token.for_node(id.into_inner())?;
    let batch: EventBatch = json_body(&body)?;
    let intake = take(&state, node.id, batch, "http", Some(address(&req, &state))).await?;
    Ok(HttpResponse::Ok().json(intake))
}

/// What a heartbeat may say besides "alive".
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Heartbeat {
    /// The firmware version running.
    firmware: Option<String>,
}

/// `POST /api/nodes/{id}/heartbeat` → `{"heartbeat_seconds", "timeout_seconds"}`
/// (so a node learns its interval).
#[post("/nodes/{id}/heartbeat")]
async fn node_heartbeat(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: NodeToken,
    id: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let node = token.for_node(id.into_inner())?;
    let beat: Heartbeat = if body.iter().all(u8::is_ascii_whitespace) {
        Heartbeat::default()
    } else {
        json_body(&body)?
    };
    let firmware = beat.firmware;
    if firmware.as_ref().is_some_and(|f| f.len() > 64) {
        return Err(ApiError::BadRequest(
            "firmware: at most 64 characters".into(),
        ));
    }
    let address = address(&req, &state);
    let id = node.id;
    transact(&state.db, move |c| {
        use argus_db::schema::argus_node as n;
        use diesel::prelude::*;
        NodeRow::seen(c, id, Utc::now(), Some(&address))?;
        if let Some(f) = firmware {
            diesel::update(n::table.find(id))
                .set(n::firmware.eq(f))
                .execute(c)?;
        }
        Ok(())
    })
    .await?;
    nudge(&state, node.id, false);
    Ok(HttpResponse::Ok().json(json!({
        "heartbeat_seconds": node.heartbeat_seconds,
        "timeout_seconds": node.timeout_seconds,
    })))
}
