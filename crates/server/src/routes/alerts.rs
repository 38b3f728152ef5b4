//! `GET /api/alert` (the open alert or `null`) and `GET /api/alerts` (newest
//! first; argus adds optional `limit`/`offset`), in the contract's Alert shape.
//! Three queries whatever the number of alerts (ArPI: one per alert).

use actix_web::{get, web, HttpResponse};
use argus_db::models::Alert;
use serde::Deserialize;

use crate::auth::{DeviceToken, UserToken};
use crate::error::ApiError;
use crate::services::shapes::alert_json;
use crate::state::AppState;
use crate::store::query;
use argus_protocol::wire;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(get_alert).service(list_alerts);
}

/// Loads alerts with their sensors and arm types as JSON.
async fn alerts_json(
    state: &AppState,
    open_only: bool,
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<wire::Alert>, ApiError> {
    query(&state.db, move |conn| {
        let alerts: Vec<Alert> = if open_only {
            Alert::open(conn)?.into_iter().collect()
        } else {
            Alert::page(conn, limit, offset)?
        };
        let ids: Vec<i32> = alerts.iter().map(|a| a.id).collect();
        let sensors = Alert::sensors(conn, &ids)?;
        let types = Alert::arm_types(conn, &alerts)?;
        Ok(alerts
            .iter()
            .map(|a| alert_json(a, types.get(&a.id).copied(), &sensors))
            .collect())
    })
    .await
}

/// `GET /api/alert` → the open Alert or `null`.
#[get("/alert")]
async fn get_alert(state: web::Data<AppState>, _: DeviceToken) -> Result<HttpResponse, ApiError> {
    match alerts_json(&state, true, None, 0).await {
        Ok(mut open) => Ok(HttpResponse::Ok().json(open.pop())),
        // During an alarm the app must still show what went off.
        Err(ApiError::DatabaseUnavailable(_)) => {
            Ok(HttpResponse::Ok().json(state.live().await?["alert"].take()))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Page {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/alerts[?limit=&offset=]` → `[Alert]`, newest first.
#[get("/alerts")]
async fn list_alerts(
    state: web::Data<AppState>,
    _: UserToken,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    if page.limit.is_some_and(|l| l < 0) || page.offset.is_some_and(|o| o < 0) {
        return Err(ApiError::BadRequest(
            "limit and offset must not be negative".into(),
        ));
    }
    Ok(HttpResponse::Ok()
        .json(alerts_json(&state, false, page.limit, page.offset.unwrap_or(0)).await?))
}
