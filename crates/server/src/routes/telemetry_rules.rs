//! `/api/telemetry/rules` (argus addition): thresholds on telemetry sensors.
//! Anyone signed in reads them; an admin creates, replaces and deletes them,
//! and the monitor reloads them at once. An `alarm` rule drives a sensor
//! without a channel (put it in a 24-hour zone of the right type: water,
//! fire…); a `notify` rule only tells the people subscribed to telemetry.

use actix_web::{delete, get, post, put, web, HttpResponse};
use argus_db::models::telemetry::{NewRule, Rule};
use argus_db::models::Sensor;
use argus_protocol::telemetry::valid_sensor;
use diesel::pg::PgConnection;
use serde::Deserialize;

use crate::auth::{AdminToken, UserToken};
use crate::error::ApiError;
use crate::services::changes::reload_monitor;
use crate::state::AppState;
use crate::store::{query, transact};

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_rules)
        .service(create_rule)
        .service(update_rule)
        .service(delete_rule);
}

/// A rule as a client sends it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleEdit {
    name: String,
    /// The telemetry sensor watched.
    sensor: String,
    /// Breached above this value.
    above: Option<f64>,
    /// Breached below this value.
    below: Option<f64>,
    /// Seconds the breach must hold (default 0).
    hold_seconds: Option<i32>,
    /// How far back past the threshold the value must come to clear (default 0).
    hysteresis: Option<f64>,
    /// `alarm` or `notify`.
    action: String,
    /// For `alarm`: the sensor (no channel) the engine sees active while it fires.
    alarm_sensor_id: Option<i32>,
    enabled: Option<bool>,
}

impl RuleEdit {
    /// The row, or what is wrong with it.
    fn checked(self) -> Result<NewRule, ApiError> {
        let bad = |m: &str| Err(ApiError::BadRequest(m.into()));
        if self.name.trim().is_empty() || self.name.chars().count() > 64 {
            return bad("name: 1 to 64 characters");
        }
        if !valid_sensor(&self.sensor) {
            return bad("sensor: 1 to 64 letters, digits, '_', '-' or '.'");
        }
        let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
        if (self.above.is_none() && self.below.is_none())
            || !finite(self.above)
            || !finite(self.below)
        {
            return bad("a rule needs a finite above and/or below");
        }
        if let (Some(a), Some(b)) = (self.above, self.below) {
            if b >= a {
                return bad("below must be less than above");
            }
        }
        let hold_seconds = self.hold_seconds.unwrap_or(0);
        if !(0..=86_400).contains(&hold_seconds) {
            return bad("hold_seconds: 0 to 86400");
        }
        let hysteresis = self.hysteresis.unwrap_or(0.0);
        if !hysteresis.is_finite() || hysteresis < 0.0 {
            return bad("hysteresis: a number of at least 0");
        }
        let alarm_sensor_id = match (self.action.as_str(), self.alarm_sensor_id) {
            ("alarm", Some(id)) => Some(id),
            ("alarm", None) => return bad("an alarm rule needs alarm_sensor_id"),
            ("notify", _) => None,
            _ => return bad("action: alarm or notify"),
        };
        Ok(NewRule {
            name: self.name.trim().to_owned(),
            sensor: self.sensor,
            above: self.above,
            below: self.below,
            hold_seconds,
            hysteresis,
            action: self.action,
            alarm_sensor_id,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// An alarm rule's sensor must exist and have no channel (the board would
/// drive it too).
fn alarm_sensor_ok(conn: &mut PgConnection, rule: &NewRule) -> Result<(), ApiError> {
    let Some(id) = rule.alarm_sensor_id else {
        return Ok(());
    };
    match Sensor::find_live(conn, id).map_err(ApiError::from)? {
        Some(s) if s.channel.is_none() => Ok(()),
        Some(_) => Err(ApiError::BadRequest(
            "alarm_sensor_id: a sensor without a channel".into(),
        )),
        None => Err(ApiError::BadRequest(format!(
            "alarm_sensor_id: no sensor {id}"
        ))),
    }
}

/// `GET /api/telemetry/rules` → every rule.
#[get("/telemetry/rules")]
async fn list_rules(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(query(&state.db, Rule::all).await?))
}

/// `POST /api/telemetry/rules` → 201 with the rule.
#[post("/telemetry/rules")]
async fn create_rule(
    state: web::Data<AppState>,
    _: AdminToken,
    body: web::Json<RuleEdit>,
) -> Result<HttpResponse, ApiError> {
    let rule = body.into_inner().checked()?;
    let created = transact(&state.db, move |c| {
        alarm_sensor_ok(c, &rule)?;
        Rule::create(c, &rule).map_err(ApiError::from)
    })
    .await?;
    reload_monitor(&state).await;
    Ok(HttpResponse::Created().json(created))
}

/// `PUT /api/telemetry/rules/{id}` → the rule as replaced.
#[put("/telemetry/rules/{id}")]
async fn update_rule(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
    body: web::Json<RuleEdit>,
) -> Result<HttpResponse, ApiError> {
    let (id, rule) = (id.into_inner(), body.into_inner().checked()?);
    let updated = transact(&state.db, move |c| {
        alarm_sensor_ok(c, &rule)?;
        Rule::update(c, id, &rule)?.ok_or_else(|| ApiError::NotFound(format!("No rule {id}")))
    })
    .await?;
    reload_monitor(&state).await;
    Ok(HttpResponse::Ok().json(updated))
}

/// `DELETE /api/telemetry/rules/{id}` → 204.
#[delete("/telemetry/rules/{id}")]
async fn delete_rule(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if !query(&state.db, move |c| Rule::delete(c, id)).await? {
        return Err(ApiError::NotFound(format!("No rule {id}")));
    }
    reload_monitor(&state).await;
    Ok(HttpResponse::NoContent().finish())
}
