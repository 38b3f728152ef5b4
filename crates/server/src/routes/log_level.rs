//! `GET/PUT /api/log_level` (argus addition, admin): the log filter of both
//! processes, changed while they run. The body is `{"filter": "debug"}` (any
//! `RUST_LOG` filter) or the seed backend's `{"ENABLED": "True"|"False"}`:
//! `True` is the default filter, `False` keeps errors only (an alarm never
//! logs nothing at all).

use actix_web::{get, put, web, HttpResponse};
use argus_db::logging::{current_filter, set_filter, DEFAULT_FILTER};
use argus_protocol::Command;
use serde::Deserialize;
use serde_json::json;

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::state::AppState;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(get_log_level).service(put_log_level);
}

/// A new filter, in either shape.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LogLevel {
    /// A `RUST_LOG` filter.
    filter: Option<String>,
    /// `"True"` or `"False"` (the seed's flag).
    #[serde(rename = "ENABLED")]
    enabled: Option<String>,
}

/// `GET /api/log_level` → `{"filter"}` (the server's).
#[get("/log_level")]
async fn get_log_level(_: AdminToken) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "filter": current_filter() }))
}

/// `PUT /api/log_level` → `{"filter", "monitor"}` (whether the monitor took it).
#[put("/log_level")]
async fn put_log_level(
    state: web::Data<AppState>,
    admin: AdminToken,
    body: web::Json<LogLevel>,
) -> Result<HttpResponse, ApiError> {
    let filter = match (&body.filter, body.enabled.as_deref()) {
        (Some(f), None) => f.trim().to_owned(),
        (None, Some("True" | "true")) => DEFAULT_FILTER.to_owned(),
        (None, Some("False" | "false")) => "error".to_owned(),
        (None, Some(_)) => {
            return Err(ApiError::BadRequest(
                "ENABLED is \"True\" or \"False\"".into(),
            ))
        }
        _ => return Err(ApiError::BadRequest("give either filter or ENABLED".into())),
    };
    if filter.is_empty() || filter.len() > 512 {
        return Err(ApiError::BadRequest("filter: 1 to 512 characters".into()));
    }
    set_filter(&filter).map_err(ApiError::BadRequest)?;
    tracing::warn!(admin.id = admin.0.id, filter = %filter, "log filter set");
    let monitor = state
        .monitor
        .call(Command::SetLogFilter {
            filter: filter.clone(),
        })
        .await
        .is_ok_and(|r| r.result);
    Ok(HttpResponse::Ok().json(json!({ "filter": filter, "monitor": monitor })))
}
