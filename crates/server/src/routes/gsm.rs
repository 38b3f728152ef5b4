//! `GET /api/gsm` (argus addition): the modem's registration, signal
//! quality and last error, as the monitor last checked them.

use actix_web::{get, web, HttpResponse};
use argus_protocol::Command;

use crate::auth::DeviceToken;
use crate::error::ApiError;
use crate::services::monitor::ask;
use crate::state::AppState;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(get_gsm);
}

/// `GET /api/gsm` → `ModemStatus`.
#[get("/gsm")]
async fn get_gsm(state: web::Data<AppState>, _: DeviceToken) -> Result<HttpResponse, ApiError> {
    ask(&state, Command::GsmGetStatus).await
}
