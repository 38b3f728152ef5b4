//! `/api/monitoring/*` and `/api/power`: the arm state and arming through the
//! monitor (contract §5.3).

use actix_web::{get, put, web, HttpResponse};
use argus_protocol::ipc::{ArmRequest, DisarmRequest};
use argus_protocol::Command;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{DeviceToken, UserToken};
use crate::error::ApiError;
use crate::services::armed::stored_arm_state;
use crate::services::monitor::{arm_command, ask, monitoring_state};
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
    ask(&state, command).await
}

/// `PUT /api/monitoring/disarm`.
#[put("/monitoring/disarm")]
async fn put_disarm(state: web::Data<AppState>, user: UserToken) -> Result<HttpResponse, ApiError> {
    let request = DisarmRequest {
        user_id: i32::try_from(user.0.id).ok(),
        ..DisarmRequest::default()
    };
    ask(&state, Command::MonitorDisarm(request)).await
}

/// `GET /api/monitoring/state` → `{"state": "monitoring_…"}`.
#[get("/monitoring/state")]
async fn get_monitoring_state(
    state: web::Data<AppState>,
    _: DeviceToken,
) -> Result<HttpResponse, ApiError> {
    ask(&state, Command::MonitorGetState).await
}

/// `GET /api/monitoring/isAlert` (the web app calls it; ArPI has none) → bool.
#[get("/monitoring/isAlert")]
async fn get_is_alert(
    state: web::Data<AppState>,
    _: DeviceToken,
) -> Result<HttpResponse, ApiError> {
    let reply = state.monitor.call(Command::MonitorGetState).await?;
    Ok(HttpResponse::Ok().json(matches!(
        monitoring_state(&reply),
        "monitoring_alert" | "monitoring_sabotage"
    )))
}

/// `GET /api/power` → `{"state": "network"|"battery"}`.
#[get("/power")]
async fn get_power(state: web::Data<AppState>, _: DeviceToken) -> Result<HttpResponse, ApiError> {
    ask(&state, Command::PowerGetState).await
}
