//! `POST /api/rockblock/incoming` (argus addition): RockBLOCK's MO webhook.
//! The delivery is stored (once per imei, momsn and transmit time: Rock7
//! retries until it gets a 200) with the node events its payload carries,
//! in one transaction, and only then answered 200; a database failure is a
//! 5xx so the delivery comes again. With `nodes/rockblock.jwt_public_key`
//! set, a delivery must carry Rock7's JWT for it.

use actix_web::{post, web, HttpRequest, HttpResponse};
use argus_db::models::NodeRow;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::services::changes::stored_option;
use crate::services::nodes::{nudge, store};
use crate::services::rockblock::{decode_hex, events, parse, verify_jwt};
use crate::state::AppState;
use crate::store::transact;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(rockblock_incoming);
}

#[derive(Deserialize)]
struct RockblockOption {
    jwt_public_key: Option<String>,
}

/// `POST /api/rockblock/incoming` (form or JSON) → `{"stored", "node", "accepted",
/// "duplicates", "error"}`.
#[post("/rockblock/incoming")]
async fn rockblock_incoming(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let json = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let delivery = parse(&body, json).map_err(ApiError::BadRequest)?;
    let stored = stored_option(&state, "nodes", "rockblock").await?;
    let option: Option<RockblockOption> =
        argus_protocol::options::typed("nodes", "rockblock", stored.as_ref());
    if let Some(key) = option
        .and_then(|o| o.jwt_public_key)
        .filter(|k| !k.trim().is_empty())
    {
        let jwt = delivery
            .jwt
            .as_deref()
            .ok_or_else(|| ApiError::Forbidden("JWT required".into()))?;
        verify_jwt(jwt, &key, &delivery.message).map_err(ApiError::Forbidden)?;
    }
    let message = delivery.message;
    let outcome = transact(&state.db, move |c| {
        let new = message.store(c)?.is_some();
        let node = NodeRow::by_imei(c, &message.imei)?.filter(|n| n.enabled);
        let (Some(node), true) = (node, new) else {
            return Ok((new, None, None, None));
        };
        let batch = decode_hex(&message.data).and_then(|payload| events(&payload));
        match batch {
            Ok(batch) if batch.events.is_empty() => {
                NodeRow::seen(c, node.id, Utc::now(), None)?;
                Ok((new, Some(node.id), None, None))
            }
            Ok(batch) => {
                NodeRow::seen(c, node.id, Utc::now(), None)?;
                let intake = store(c, node.id, &batch, "rockblock", Utc::now())?;
                Ok((new, Some(node.id), Some(intake), None))
            }
            // Kept as received; a retry would not read better.
            Err(e) => Ok((new, Some(node.id), None, Some(e))),
        }
    })
    .await?;
    let (stored, node, intake, error) = outcome;
    if let Some(node) = node {
        nudge(
            &state,
            node,
            intake.as_ref().is_some_and(|i| !i.accepted.is_empty()),
        );
    }
    if let Some(e) = &error {
        tracing::info!(error = %e, "a RockBLOCK payload was stored unread");
    }
    let intake = intake.unwrap_or_default();
    Ok(HttpResponse::Ok().json(json!({
        "stored": stored, "node": node, "accepted": intake.accepted,
        "duplicates": intake.duplicates, "error": error,
    })))
}
