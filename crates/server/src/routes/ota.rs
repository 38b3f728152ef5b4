//! Node updates (argus addition). An admin starts one: `POST
//! /api/nodes/{id}/ota` `{"firmware_id"}` (`ready`). The node, with its
//! token: `GET /api/nodes/{id}/ota` (its job, state and manifest, or
//! `{"job_id": 0, "state": "none"}`), `GET /api/nodes/{id}/ota/file?job=&path=`
//! (one file, HTTP Range honoured; the first download makes the job
//! `started`), `POST /api/nodes/{id}/ota/complete` `{"job", "ok", "error"}`
//! (`succeeded` or `failed`). Paths never leave the job's bundle.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use argus_db::models::{FirmwareRow, NodeRow, OtaJob};
use serde::Deserialize;
use serde_json::json;

use crate::auth::{AdminToken, NodeToken};
use crate::error::ApiError;
use crate::services::firmware::{existing, manifest};
use crate::services::nodes::json_body;
use crate::state::AppState;
use crate::store::{query, transact};

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(start_update)
        .service(node_update)
        .service(node_file)
        .service(node_complete);
}

/// Which firmware.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StartUpdate {
    firmware_id: i32,
}

/// `POST /api/nodes/{id}/ota` → 201 `{"job_id", "state"}`.
#[post("/nodes/{id}/ota")]
async fn start_update(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
    body: web::Json<StartUpdate>,
) -> Result<HttpResponse, ApiError> {
    let node = id.into_inner();
    let firmware = body.firmware_id;
    let job = transact(&state.db, move |c| {
        NodeRow::find(c, node)?.ok_or_else(|| ApiError::NotFound("no such node".into()))?;
        FirmwareRow::find(c, firmware)?
            .ok_or_else(|| ApiError::NotFound("no such firmware".into()))?;
        if FirmwareRow::files(c, firmware)?.is_empty() {
            return Err(ApiError::Conflict("the firmware has no files".into()));
        }
        if OtaJob::active(c, node)?.is_some() {
            return Err(ApiError::Conflict(
                "an update of this node is under way".into(),
            ));
        }
        Ok(OtaJob::create(c, node, firmware)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({ "job_id": job.id, "state": job.state })))
}

/// `GET /api/nodes/{id}/ota` (node token).
#[get("/nodes/{id}/ota")]
async fn node_update(
    state: web::Data<AppState>,
    token: NodeToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let node = token.for_node(id.into_inner())?.id;
    let found = query(&state.db, move |c| {
        let Some(job) = OtaJob::active(c, node)? else {
            return Ok(None);
        };
        let firmware = FirmwareRow::find(c, job.firmware_id)?;
        Ok(Some((
            job.clone(),
            firmware,
            FirmwareRow::files(c, job.firmware_id)?,
        )))
    })
    .await?;
    let Some((job, firmware, files)) = found else {
        return Ok(HttpResponse::Ok().json(json!({ "job_id": 0, "state": "none" })));
    };
    Ok(HttpResponse::Ok().json(json!({
        "job_id": job.id, "state": job.state,
        "firmware": firmware.map(|f| json!({"name": f.name, "version": f.version})),
        "manifest": manifest(&files),
    })))
}

#[derive(Deserialize)]
struct FileQuery {
    job: i32,
    path: String,
}

/// `GET /api/nodes/{id}/ota/file?job=&path=` (node token): the file, with Range.
#[get("/nodes/{id}/ota/file")]
async fn node_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: NodeToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let node = token.for_node(id.into_inner())?.id;
    // Read after the token: a stranger learns nothing of the shape.
    let q: FileQuery = web::Query::<FileQuery>::from_query(req.query_string())
        .map_err(|_| ApiError::BadRequest("job and path are required".into()))?
        .into_inner();
    let job_id = q.job;
    let job = query(&state.db, move |c| OtaJob::find(c, node, job_id))
        .await?
        .filter(|j| matches!(j.state.as_str(), "ready" | "started"))
        .ok_or_else(|| ApiError::NotFound("no such update under way".into()))?;
    let path = existing(&state.config.firmware_dir, job.firmware_id, &q.path).map_err(|e| {
        if e.starts_with("path") {
            ApiError::BadRequest(e)
        } else {
            ApiError::NotFound(e)
        }
    })?;
    if job.state == "ready" {
        transact(&state.db, move |c| {
            Ok(OtaJob::set_state(c, job.id, "started", None)?)
        })
        .await?;
    }
    let file = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|_| ApiError::NotFound("no such file".into()))?
        .use_last_modified(true)
        .set_content_type(actix_web::mime::APPLICATION_OCTET_STREAM);
    Ok(file.into_response(&req))
}

/// How the update went.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Completion {
    job: i32,
    ok: bool,
    error: Option<String>,
}

/// `POST /api/nodes/{id}/ota/complete` (node token) → `{"job_id", "state"}`.
#[post("/nodes/{id}/ota/complete")]
async fn node_complete(
    state: web::Data<AppState>,
    token: NodeToken,
    id: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let node = token.for_node(id.into_inner())?.id;
    let done: Completion = json_body(&body)?;
    let error: Option<String> = done.error.map(|e| e.chars().take(500).collect());
    let state_word = if done.ok { "succeeded" } else { "failed" };
    let job = done.job;
    transact(&state.db, move |c| {
        let found = OtaJob::find(c, node, job)?
            .filter(|j| matches!(j.state.as_str(), "ready" | "started"))
            .ok_or_else(|| ApiError::NotFound("no such update under way".into()))?;
        Ok(OtaJob::set_state(
            c,
            found.id,
            state_word,
            error.as_deref(),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "job_id": job, "state": state_word })))
}
