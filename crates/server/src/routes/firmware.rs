//! `/api/firmware` (argus addition, admin): firmware bundles for remote
//! nodes. `POST /api/firmware` `{name, version}` makes one; `PUT
//! /api/firmware/{id}/files?path=lib/main.py` stores a file (the raw body,
//! at most 16 MiB); `GET /api/firmware/{id}` is its manifest (each file's
//! size and SHA-256).

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use argus_db::models::FirmwareRow;
use serde::Deserialize;
use serde_json::json;

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::services::firmware::{manifest, store};
use crate::state::AppState;
use crate::store::{query, transact};

/// The largest file a bundle takes.
const MAX_FILE: usize = 16 * 1024 * 1024;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(create_firmware)
        .service(get_firmware)
        .service(put_file);
}

/// A new bundle.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewFirmware {
    name: String,
    version: String,
}

/// `POST /api/firmware` → 201 `{"id", "name", "version"}`.
#[post("/firmware")]
async fn create_firmware(
    state: web::Data<AppState>,
    _: AdminToken,
    body: web::Json<NewFirmware>,
) -> Result<HttpResponse, ApiError> {
    let NewFirmware { name, version } = body.into_inner();
    let ok = |s: &str, max: usize| !s.trim().is_empty() && s.len() <= max;
    if !ok(&name, 64) || !ok(&version, 32) {
        return Err(ApiError::BadRequest(
            "name: 1–64 characters, version: 1–32".into(),
        ));
    }
    let row = transact(&state.db, move |c| {
        FirmwareRow::create(c, name.trim(), version.trim()).map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => ApiError::Conflict("this name and version exist".into()),
            other => other.into(),
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .json(json!({ "id": row.id, "name": row.name, "version": row.version })))
}

#[derive(Deserialize)]
struct FileQuery {
    path: String,
}

/// `PUT /api/firmware/{id}/files?path=…` → `{"path", "size", "sha256"}`.
#[put("/firmware/{id}/files")]
async fn put_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    use futures_util::StreamExt;
    let id = id.into_inner();
    // The default body limit is for JSON; a firmware file may be larger.
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("body: {e}")))?;
        if body.len() + chunk.len() > MAX_FILE {
            return Err(ApiError::BadRequest("a file holds at most 16 MiB".into()));
        }
        body.extend_from_slice(&chunk);
    }
    let q: FileQuery = web::Query::<FileQuery>::from_query(req.query_string())
        .map_err(|_| ApiError::BadRequest("path is required".into()))?
        .into_inner();
    query(&state.db, move |c| FirmwareRow::find(c, id))
        .await?
        .ok_or_else(|| ApiError::NotFound("no such firmware".into()))?;
    let root = state.config.firmware_dir.clone();
    let file = web::block(move || store(&root, id, &q.path, &body))
        .await?
        .map_err(ApiError::BadRequest)?;
    let row = file.clone();
    transact(&state.db, move |c| Ok(FirmwareRow::put_file(c, &row)?)).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "path": file.path, "size": file.size, "sha256": file.sha256 })))
}

/// `GET /api/firmware/{id}` → `{"id", "name", "version", "manifest"}`.
#[get("/firmware/{id}")]
async fn get_firmware(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, files) = query(&state.db, move |c| {
        Ok((FirmwareRow::find(c, id)?, FirmwareRow::files(c, id)?))
    })
    .await?;
    let row = row.ok_or_else(|| ApiError::NotFound("no such firmware".into()))?;
    Ok(HttpResponse::Ok().json(json!({
        "id": row.id, "name": row.name, "version": row.version, "manifest": manifest(&files),
    })))
}
