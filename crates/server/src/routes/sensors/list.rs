//! Listing sensors and sensor types (contract §5.6, §7), also while
//! PostgreSQL is down.

use actix_web::{get, web, HttpResponse};
use argus_db::models::{Sensor, SensorType};
use serde::Deserialize;

use crate::auth::UserToken;
use crate::error::ApiError;
use crate::services::shapes::{SensorJson, TypeJson};
use crate::state::AppState;
use crate::store::query;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_sensors).service(list_sensor_types);
}

#[derive(Deserialize)]
struct SensorQuery {
    alerting: Option<String>,
}

/// The sensors, not deleted. While PostgreSQL is down: the last listing,
/// with `alert` as the monitor knows it now (the app shows what went off).
async fn current_sensors(state: &AppState) -> Result<Vec<Sensor>, ApiError> {
    match query(&state.db, Sensor::all).await {
        Ok(mut sensors) => {
            sensors.retain(|s| !s.deleted);
            if let Ok(mut last) = state.shared.sensors.lock() {
                *last = Some(sensors.clone());
            }
            Ok(sensors)
        }
        Err(ApiError::DatabaseUnavailable(e)) => {
            let last = state.shared.sensors.lock().ok().and_then(|l| l.clone());
            let mut sensors = last.ok_or(ApiError::DatabaseUnavailable(e))?;
            let live = state.live().await?;
            let alerting: Vec<i64> = live["alerting"]
                .as_array()
                .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
                .unwrap_or_default();
            for s in &mut sensors {
                s.alert = alerting.contains(&i64::from(s.id));
            }
            Ok(sensors)
        }
        Err(e) => Err(e),
    }
}

/// `GET /api/sensors/?alerting=true`: not deleted, by channel.
#[get("/sensors/")]
async fn list_sensors(
    state: web::Data<AppState>,
    _: UserToken,
    q: web::Query<SensorQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut sensors = current_sensors(&state).await?;
    if q.alerting
        .as_deref()
        .is_some_and(|a| a.eq_ignore_ascii_case("true"))
    {
        sensors.retain(|s| s.alert);
    }
    sensors.sort_by_key(|s| (s.channel, s.id));
    Ok(HttpResponse::Ok().json(
        sensors
            .into_iter()
            .map(SensorJson::from)
            .collect::<Vec<_>>(),
    ))
}

/// `GET /api/sensortypes`.
#[get("/sensortypes")]
async fn list_sensor_types(
    state: web::Data<AppState>,
    _: UserToken,
) -> Result<HttpResponse, ApiError> {
    let types = query(&state.db, SensorType::all).await?;
    let json: Vec<TypeJson> = types
        .into_iter()
        .map(|t| TypeJson::new(t.id, t.name, t.description))
        .collect();
    Ok(HttpResponse::Ok().json(json))
}
