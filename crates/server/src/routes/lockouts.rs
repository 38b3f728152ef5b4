//! `GET/DELETE /api/lockouts` (argus addition, admin): the lock-out counters
//! of PIN and code attempts, and a way to clear them, so a household member
//! whose device an attacker locked out gets back in (`docs/ARCHITECTURE.md`,
//! "Lock-out").

use actix_web::{delete, get, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::state::AppState;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_lockouts).service(clear_lockouts);
}

/// `GET /api/lockouts` → `[{"kind","id","failures","locked_for"}]`, locked first.
#[get("/lockouts")]
async fn list_lockouts(state: web::Data<AppState>, _: AdminToken) -> HttpResponse {
    HttpResponse::Ok().json(state.shared.lockouts.list(&state.db).await)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ClearQuery {
    user_id: Option<i32>,
}

/// `DELETE /api/lockouts[?user_id=]` → `{"cleared": n}`: every counter, or
/// one user's and their devices'.
#[delete("/lockouts")]
async fn clear_lockouts(
    state: web::Data<AppState>,
    admin: AdminToken,
    q: web::Query<ClearQuery>,
) -> Result<HttpResponse, ApiError> {
    let cleared = state
        .shared
        .lockouts
        .clear(&state.db, q.user_id)
        .await
        .map_err(ApiError::DatabaseUnavailable)?;
    tracing::info!(admin.id = admin.0.id, cleared, "lock-outs cleared");
    Ok(HttpResponse::Ok().json(json!({ "cleared": cleared })))
}
