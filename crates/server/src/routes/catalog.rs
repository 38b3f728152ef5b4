//! Read-only listings of the configuration (contract §5.4–5.8, §7):
//! `GET /api/areas/`, `/api/zones/`, `/api/sensors/`, `/api/sensortypes`,
//! `/api/keypads/`, `/api/keypadtypes`, with the contract's camelCase shapes.

use actix_web::{get, web, HttpResponse};
use argus_db::models::{Area, Keypad, KeypadType, Sensor, SensorType, Zone};
use serde::{Deserialize, Serialize};

use crate::auth::{AdminToken, UserToken};
use crate::error::ApiError;
use crate::state::AppState;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_areas)
        .service(list_zones)
        .service(list_sensors)
        .service(list_sensor_types)
        .service(list_keypads)
        .service(list_keypad_types);
}

pub use crate::store::query;

/// Contract `Area`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AreaJson {
    id: i32,
    name: String,
    arm_state: &'static str,
    ui_order: Option<i32>,
}

impl From<Area> for AreaJson {
    fn from(a: Area) -> Self {
        Self {
            id: a.id,
            name: a.name,
            arm_state: a.arm_state.api_str(),
            ui_order: a.ui_order,
        }
    }
}

/// Contract `Zone`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneJson {
    id: i32,
    name: String,
    description: String,
    disarmed_delay: Option<i32>,
    away_alert_delay: Option<i32>,
    stay_alert_delay: Option<i32>,
    away_arm_delay: Option<i32>,
    stay_arm_delay: Option<i32>,
    ui_order: Option<i32>,
}

impl From<Zone> for ZoneJson {
    fn from(z: Zone) -> Self {
        Self {
            id: z.id,
            name: z.name,
            description: z.description,
            disarmed_delay: z.disarmed_delay,
            away_alert_delay: z.away_alert_delay,
            stay_alert_delay: z.stay_alert_delay,
            away_arm_delay: z.away_arm_delay,
            stay_arm_delay: z.stay_arm_delay,
            ui_order: z.ui_order,
        }
    }
}

/// Contract `Sensor`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SensorJson {
    id: i32,
    name: String,
    description: Option<String>,
    channel: Option<i32>,
    channel_type: &'static str,
    sensor_contact_type: &'static str,
    sensor_eol_count: &'static str,
    alert: bool,
    error: bool,
    zone_id: i32,
    area_id: i32,
    type_id: i32,
    enabled: bool,
    silent_alert: Option<bool>,
    monitor_period: Option<i32>,
    monitor_threshold: Option<i32>,
    ui_order: Option<i32>,
    ui_hidden: bool,
}

impl From<Sensor> for SensorJson {
    fn from(s: Sensor) -> Self {
        Self {
            id: s.id,
            name: s.name,
            description: s.description,
            channel: s.channel,
            channel_type: s.channel_type.db_label(),
            sensor_contact_type: s.sensor_contact_type.db_label(),
            sensor_eol_count: s.sensor_eol_count.db_label(),
            alert: s.alert,
            error: s.error,
            zone_id: s.zone_id,
            area_id: s.area_id,
            type_id: s.type_id,
            enabled: s.enabled,
            silent_alert: s.silent_alert,
            monitor_period: s.monitor_period,
            monitor_threshold: s.monitor_threshold,
            ui_order: s.ui_order,
            ui_hidden: s.ui_hidden,
        }
    }
}

/// Contract `SensorType` / `KeypadType`.
#[derive(Debug, Serialize)]
pub struct TypeJson {
    id: i32,
    name: Option<String>,
    description: Option<String>,
}

impl TypeJson {
    fn new(id: i32, name: Option<String>, description: Option<String>) -> Self {
        Self {
            id,
            name,
            description,
        }
    }
}

/// Contract `Keypad`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeypadJson {
    id: i32,
    type_id: i32,
    enabled: Option<bool>,
}

impl From<Keypad> for KeypadJson {
    fn from(k: Keypad) -> Self {
        Self {
            id: k.id,
            type_id: k.type_id,
            enabled: k.enabled,
        }
    }
}

/// `GET /api/areas/`: not deleted, by name.
#[get("/areas/")]
async fn list_areas(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let mut areas = query(&state, Area::all).await?;
    areas.retain(|a| a.deleted != Some(true));
    areas.sort_by(|a, b| a.name.cmp(&b.name));
    let json: Vec<AreaJson> = areas.into_iter().map(AreaJson::from).collect();
    Ok(HttpResponse::Ok().json(json))
}

/// `GET /api/zones/`: not deleted.
#[get("/zones/")]
async fn list_zones(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let zones = query(&state, Zone::all).await?;
    let json: Vec<ZoneJson> = zones
        .into_iter()
        .filter(|z| z.deleted != Some(true))
        .map(ZoneJson::from)
        .collect();
    Ok(HttpResponse::Ok().json(json))
}

#[derive(Deserialize)]
struct SensorQuery {
    alerting: Option<String>,
}

/// The sensors, not deleted. While PostgreSQL is down: the last listing,
/// with `alert` as the monitor knows it now (the app shows what went off).
async fn current_sensors(state: &AppState) -> Result<Vec<Sensor>, ApiError> {
    match query(state, Sensor::all).await {
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
    let types = query(&state, SensorType::all).await?;
    let json: Vec<TypeJson> = types
        .into_iter()
        .map(|t| TypeJson::new(t.id, t.name, t.description))
        .collect();
    Ok(HttpResponse::Ok().json(json))
}

/// `GET /api/keypads/`.
#[get("/keypads/")]
async fn list_keypads(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let keypads = query(&state, Keypad::all).await?;
    let json: Vec<KeypadJson> = keypads.into_iter().map(KeypadJson::from).collect();
    Ok(HttpResponse::Ok().json(json))
}

/// `GET /api/keypadtypes` (admin).
#[get("/keypadtypes")]
async fn list_keypad_types(
    state: web::Data<AppState>,
    _: AdminToken,
) -> Result<HttpResponse, ApiError> {
    let types = query(&state, KeypadType::all).await?;
    let json: Vec<TypeJson> = types
        .into_iter()
        .map(|t| TypeJson::new(t.id, t.name, t.description))
        .collect();
    Ok(HttpResponse::Ok().json(json))
}
