//! `GET /api/jobs/errors` (argus addition, admin): the job queue's failed
//! attempts, newest first, and its backlog, so an installer sees why a node's
//! events or an outbound send did not go through.

use actix_web::{get, web, HttpResponse};
use argus_db::models::{JobErrorRow, JobRow};
use serde::Deserialize;
use serde_json::json;

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::services::shapes::local;
use crate::state::AppState;
use crate::store::query;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(job_errors);
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ErrorsQuery {
    limit: Option<i64>,
}

/// `GET /api/jobs/errors[?limit=]` → `{"backlog", "oldest", "errors": [...]}`.
#[get("/jobs/errors")]
async fn job_errors(
    state: web::Data<AppState>,
    _: AdminToken,
    q: web::Query<ErrorsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be 1–1000".into()));
    }
    let ((backlog, oldest), errors) = query(&state.db, move |c| {
        Ok((JobRow::backlog(c)?, JobErrorRow::latest(c, limit)?))
    })
    .await?;
    let errors: Vec<_> = errors
        .into_iter()
        .map(|e| json!({"id": e.id, "job_id": e.job_id, "kind": e.kind, "attempt": e.attempt, "error": e.error, "time": local(Some(e.time))}))
        .collect();
    Ok(HttpResponse::Ok()
        .json(json!({ "backlog": backlog, "oldest": local(oldest), "errors": errors })))
}
