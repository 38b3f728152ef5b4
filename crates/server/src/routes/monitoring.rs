//! `/api/monitoring/*` and `/api/power`: the arm state and arming through the
//! monitor (contract §5.3).

use actix_web::{get, put, web, HttpResponse};
use argus_protocol::ipc::{ArmRequest, DisarmRequest};
use argus_protocol::{Command, Reply};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::auth::{DeviceToken, UserToken};
use crate::error::ApiError;
use crate::state::AppState;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(get_arm_state)
        .service(put_arm)
        .service(put_disarm)
        .service(get_monitoring_state)
        .service(get_is_alert)
        .service(get_power);
}

/// ArPI's `process_ipc_response`: `message`, `value` and `other` merged into
/// one object; 200 on success. A refusal of what the request asked for
/// ([`Reply::invalid`]) is 400 `{"error"}`, one the system's state refuses
/// ([`Reply::conflict`], e.g. notifications not enabled) 409 `{"error"}`. An arm refused for open sensors is 409 with
/// their list; any other refusal 500 with the merged body, as ArPI.
pub fn ipc_response(reply: Reply) -> HttpResponse {
    if reply.is_invalid() {
        return HttpResponse::BadRequest()
            .json(json!({ "error": reply.message.unwrap_or_default() }));
    }
    if reply.is_conflict() {
        return HttpResponse::Conflict()
            .json(json!({ "error": reply.message.unwrap_or_default() }));
    }
    let message = reply.message.filter(|m| !m.is_empty());
    let mut body = Map::new();
    if let Some(m) = &message {
        body.insert("message".into(), m.clone().into());
    }
    for part in [reply.value, reply.other].into_iter().flatten() {
        match part {
            Value::Object(o) => body.extend(o),
            other => {
                body.insert("value".into(), other);
            }
        }
    }
    if reply.result {
        HttpResponse::Ok().json(Value::Object(body))
    } else if body.contains_key("open_sensors") {
        // The monitor's message names the first open sensors.
        let error = message.unwrap_or_else(|| "Sensors are open".into());
        body.insert("error".into(), error.into());
        HttpResponse::Conflict().json(Value::Object(body))
    } else {
        HttpResponse::InternalServerError().json(Value::Object(body))
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

/// `GET /api/monitoring/arm` → `{"type": "arm_away"|…}`.
#[get("/monitoring/arm")]
async fn get_arm_state(
    state: web::Data<AppState>,
    _: DeviceToken,
) -> Result<HttpResponse, ApiError> {
    let arm = match stored_arm_state(&state).await {
        Ok(arm) => json!(arm),
        Err(ApiError::DatabaseUnavailable(_)) => state.live().await?["arm"].take(),
        Err(e) => return Err(e),
    };
    Ok(HttpResponse::Ok().json(json!({ "type": arm })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ArmQuery {
    #[serde(rename = "type")]
    arm_type: Option<String>,
    /// argus: arm despite open sensors, bypassing them.
    #[serde(default)]
    force: bool,
}

/// The IPC command for `type=arm_away|arm_stay`, or 400 (ArPI: 503).
pub fn arm_command(arm_type: Option<&str>, request: ArmRequest) -> Result<Command, ApiError> {
    match arm_type {
        Some("arm_away") => Ok(Command::MonitorArmAway(request)),
        Some("arm_stay") => Ok(Command::MonitorArmStay(request)),
        Some(other) => Err(ApiError::BadRequest(format!(
            "Unknown arm type ({other}): use type=arm_away or type=arm_stay"
        ))),
        None => Err(ApiError::BadRequest(
            "Missing arm type: use type=arm_away or type=arm_stay".into(),
        )),
    }
}

/// `PUT /api/monitoring/arm?type=arm_away|arm_stay`.
#[put("/monitoring/arm")]
async fn put_arm(
    state: web::Data<AppState>,
    user: UserToken,
    query: web::Query<ArmQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = ArmRequest {
        user_id: i32::try_from(user.0.id).ok(),
        force: query.force,
        ..ArmRequest::default()
    };
    let command = arm_command(query.arm_type.as_deref(), request)?;
    Ok(ipc_response(state.monitor.call(command).await?))
}

/// `PUT /api/monitoring/disarm`.
#[put("/monitoring/disarm")]
async fn put_disarm(state: web::Data<AppState>, user: UserToken) -> Result<HttpResponse, ApiError> {
    let request = DisarmRequest {
        user_id: i32::try_from(user.0.id).ok(),
        ..DisarmRequest::default()
    };
    Ok(ipc_response(
        state.monitor.call(Command::MonitorDisarm(request)).await?,
    ))
}

/// `GET /api/monitoring/state` → `{"state": "monitoring_…"}`.
#[get("/monitoring/state")]
async fn get_monitoring_state(
    state: web::Data<AppState>,
    _: DeviceToken,
) -> Result<HttpResponse, ApiError> {
    Ok(ipc_response(
        state.monitor.call(Command::MonitorGetState).await?,
    ))
}

/// `GET /api/monitoring/isAlert` (the web app calls it; ArPI has none) → bool.
#[get("/monitoring/isAlert")]
async fn get_is_alert(
    state: web::Data<AppState>,
    _: DeviceToken,
) -> Result<HttpResponse, ApiError> {
    let reply = state.monitor.call(Command::MonitorGetState).await?;
    let current = reply
        .value
        .as_ref()
        .and_then(|v| v.get("state"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(HttpResponse::Ok().json(matches!(
        current,
        "monitoring_alert" | "monitoring_sabotage"
    )))
}

/// `GET /api/power` → `{"state": "network"|"battery"}`.
#[get("/power")]
async fn get_power(state: web::Data<AppState>, _: DeviceToken) -> Result<HttpResponse, ApiError> {
    Ok(ipc_response(
        state.monitor.call(Command::PowerGetState).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body(r: HttpResponse) -> (u16, Value) {
        let status = r.status().as_u16();
        let bytes = r.into_body().try_into_bytes().unwrap_or_default();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[test]
    fn replies_are_merged_as_arpi_does() {
        assert_eq!(body(ipc_response(Reply::ok())), (200, json!({})));
        assert_eq!(
            body(ipc_response(Reply::invalid("unknown time zone"))),
            (400, json!({"error": "unknown time zone"}))
        );
        assert_eq!(
            body(ipc_response(Reply::conflict(
                "GSM notifications are not enabled"
            ))),
            (409, json!({"error": "GSM notifications are not enabled"}))
        );
        assert_eq!(
            body(ipc_response(Reply::ok_value(
                json!({"state": "monitoring_ready"})
            ))),
            (200, json!({"state": "monitoring_ready"}))
        );
        let open = json!([{"id": 3, "name": "Kitchen", "channel": 3}]);
        let refused = Reply {
            result: false,
            message: Some("Arming refused: sensors are open: Kitchen (CH04)".into()),
            value: Some(json!({ "open_sensors": open })),
            other: None,
        };
        assert_eq!(
            body(ipc_response(refused)),
            (
                409,
                json!({"message": "Arming refused: sensors are open: Kitchen (CH04)",
                       "open_sensors": open,
                       "error": "Arming refused: sensors are open: Kitchen (CH04)"})
            )
        );
        let test = Reply {
            result: false,
            message: Some("Error in SMS sending!".into()),
            value: None,
            other: Some(json!({"phone1": false})),
        };
        assert_eq!(
            body(ipc_response(test)),
            (
                500,
                json!({"message": "Error in SMS sending!", "phone1": false})
            )
        );
    }
}
