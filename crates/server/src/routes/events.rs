//! `GET /api/events` (argus addition, admin): the event log, newest first,
//! filtered by `kind`, `since`/`until` (`YYYY-MM-DD`, local midnight) and
//! paginated with `limit` (default 50, at most 1000) and `offset`.

use actix_web::{get, web, HttpResponse};
use argus_db::models::{EventFilter, EventRow};
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use serde_json::json;

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::services::shapes::local;
use crate::state::AppState;
use crate::store::query;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_events);
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventQuery {
    kind: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

fn day(name: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let date = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| ApiError::BadRequest(format!("Invalid '{name}' date (YYYY-MM-DD)")))?;
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| ApiError::BadRequest(format!("Invalid '{name}' date")))?;
    Ok(Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc)))
}

/// `GET /api/events`.
#[get("/events")]
async fn list_events(
    state: web::Data<AppState>,
    _: AdminToken,
    q: web::Query<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = q.limit.unwrap_or(50);
    let offset = q.offset.unwrap_or(0);
    if !(1..=1000).contains(&limit) || offset < 0 {
        return Err(ApiError::BadRequest(
            "limit must be 1–1000 and offset not negative".into(),
        ));
    }
    let filter = EventFilter {
        kind: q.kind.clone().filter(|k| !k.is_empty()),
        since: day("since", q.since.as_deref())?,
        until: day("until", q.until.as_deref())?.map(|t| t + chrono::Duration::days(1)),
        limit,
        offset,
    };
    let rows = query(&state.db, move |c| EventRow::list(c, &filter)).await?;
    let json: Vec<_> = rows
        .into_iter()
        .map(|e| {
            json!({
                "id": e.id, "time": local(Some(e.time)), "kind": e.kind, "userId": e.user_id, "keypadId": e.keypad_id,
                "origin": e.origin, "areaId": e.area_id, "sensorId": e.sensor_id, "detail": e.detail,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json))
}
