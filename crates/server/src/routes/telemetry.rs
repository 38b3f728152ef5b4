//! `/api/telemetry` (argus addition): environmental readings. `POST` takes
//! a batch in sensorhub's shape (each item checked, the bad ones named and
//! skipped) and hands it to the monitor, which buffers, stores and watches
//! it; `latest` lists each sensor's newest value; `{sensor}` gives bucketed
//! min/max/avg for plotting; `chart.svg` draws it; `status` counts what each
//! source delivered, was malformed or shed.

use actix_web::{get, post, web, HttpResponse};
use argus_db::models::telemetry::{self, Rule};
use argus_protocol::telemetry::{parse_item, valid_sensor, MAX_BATCH};
use argus_protocol::Command;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{AdminToken, UserToken};
use crate::error::ApiError;
use crate::services::chart;
use crate::services::monitor::ask;
use crate::state::AppState;
use crate::store::query;

/// The most buckets one history request may ask for.
const MAX_BUCKETS: i64 = 10_000;

/// Mounts the routes of this module (the fixed paths before `{sensor}`).
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(post_readings)
        .service(latest)
        .service(status)
        .service(chart_svg)
        .service(history);
}

/// `POST /api/telemetry` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Batch {
    /// 1–200 readings `{"sensor", "value", "unit"?, "timestamp"?}`; the
    /// timestamp is RFC 3339 or `YYYY-MM-DD HH:MM:SS` local time (now when
    /// left out).
    #[schema(value_type = Vec<Object>)]
    readings: Vec<Value>,
}

/// `POST /api/telemetry` → `{"accepted", "shed", "rejected": [{"index", "error"}]}`.
#[post("/telemetry")]
async fn post_readings(
    state: web::Data<AppState>,
    _: UserToken,
    body: web::Json<Batch>,
) -> Result<HttpResponse, ApiError> {
    let items = body.into_inner().readings;
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::BadRequest(format!(
            "readings: 1 to {MAX_BATCH} items"
        )));
    }
    let now = Utc::now();
    let mut readings = Vec::with_capacity(items.len());
    let mut rejected = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match parse_item(item, now) {
            Ok(r) => readings.push(r),
            Err(e) => rejected.push(json!({"index": index, "error": e.to_string()})),
        }
    }
    if readings.is_empty() {
        return Ok(HttpResponse::BadRequest()
            .json(json!({"error": "no reading in the batch is valid", "rejected": rejected})));
    }
    let reply = state.monitor.call(Command::Telemetry { readings }).await?;
    if !reply.result {
        return Err(ApiError::Conflict(
            reply.message.unwrap_or_else(|| "telemetry refused".into()),
        ));
    }
    let value = reply.value.unwrap_or(Value::Null);
    Ok(HttpResponse::Accepted().json(json!({
        "accepted": value["accepted"],
        "shed": value["shed"],
        "rejected": rejected,
    })))
}

/// `GET /api/telemetry/latest` → `[{"sensor", "value", "unit", "time", "received"}]`.
#[get("/telemetry/latest")]
async fn latest(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let rows = query(&state.db, telemetry::latest).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// `GET /api/telemetry/status` → the monitor's counters per source.
#[get("/telemetry/status")]
async fn status(state: web::Data<AppState>, _: AdminToken) -> Result<HttpResponse, ApiError> {
    ask(&state, Command::TelemetryGetStatus).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// RFC 3339; default `to` minus a day.
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<DateTime<Utc>>,
    /// RFC 3339; default now.
    #[param(value_type = Option<String>, format = DateTime)]
    to: Option<DateTime<Utc>>,
    /// Bucket length in seconds (default: about 200 buckets); whole hours
    /// read the hourly roll-ups.
    step: Option<i64>,
}

/// The window and step a query asks for, checked.
fn window(sensor: &str, q: &HistoryQuery) -> Result<(DateTime<Utc>, DateTime<Utc>, i64), ApiError> {
    if !valid_sensor(sensor) {
        return Err(ApiError::BadRequest(
            "sensor: 1 to 64 letters, digits, '_', '-' or '.'".into(),
        ));
    }
    let to = q.to.unwrap_or_else(Utc::now);
    let from = q.from.unwrap_or(to - Duration::days(1));
    if from >= to {
        return Err(ApiError::BadRequest("from must be before to".into()));
    }
    let span = (to - from).num_seconds().max(1);
    let step = q.step.unwrap_or_else(|| (span / 200).max(60));
    if step < 1 || span / step > MAX_BUCKETS {
        return Err(ApiError::BadRequest(format!(
            "step: at least 1 second and at most {MAX_BUCKETS} buckets"
        )));
    }
    Ok((from, to, step))
}

/// `GET /api/telemetry/{sensor}?from&to&step` → `{"sensor", "from", "to",
/// "step", "buckets": [{"start", "min", "max", "avg", "count"}]}`.
#[get("/telemetry/{sensor}")]
async fn history(
    state: web::Data<AppState>,
    _: UserToken,
    sensor: web::Path<String>,
    q: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let sensor = sensor.into_inner();
    let (from, to, step) = window(&sensor, &q)?;
    let name = sensor.clone();
    let buckets = query(&state.db, move |c| {
        telemetry::history(c, &name, from, to, step)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "sensor": sensor, "from": from, "to": to, "step": step, "buckets": buckets,
    })))
}

/// `GET /api/telemetry/{sensor}/chart.svg?from&to` → `image/svg+xml`.
#[get("/telemetry/{sensor}/chart.svg")]
async fn chart_svg(
    state: web::Data<AppState>,
    _: UserToken,
    sensor: web::Path<String>,
    q: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let sensor = sensor.into_inner();
    let (from, to, step) = window(&sensor, &q)?;
    let name = sensor.clone();
    let (buckets, rules, unit) = query(&state.db, move |c| {
        let unit = telemetry::latest(c)?
            .into_iter()
            .find(|l| l.sensor == name)
            .and_then(|l| l.unit);
        Ok((
            telemetry::history(c, &name, from, to, step)?,
            Rule::all(c)?,
            unit,
        ))
    })
    .await?;
    let thresholds: Vec<f64> = rules
        .iter()
        .filter(|r| r.sensor == sensor && r.enabled)
        .flat_map(|r| [r.above, r.below])
        .flatten()
        .collect();
    let title = match unit {
        Some(unit) => format!("{sensor} ({unit})"),
        None => sensor.clone(),
    };
    let svg = chart::svg(&title, (from, to), &buckets, &thresholds).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}
