//! `/api/version` and `/api/board_version` (plain-text facts) and
//! `/api/openapi.json`; no auth.

use actix_web::{get, web, HttpResponse};

use crate::state::{ApiDocument, AppState};

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(get_version)
        .service(get_board_version)
        .service(get_openapi);
}

fn text(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// `GET /api/version` → `vX.Y.Z:<sha>`.
#[get("/version")]
async fn get_version() -> HttpResponse {
    text(crate::VERSION.to_owned())
}

/// `GET /api/board_version` → `2` or `3`.
#[get("/board_version")]
async fn get_board_version(state: web::Data<AppState>) -> HttpResponse {
    text(state.config.board_version.to_string())
}

/// `GET /api/openapi.json` → the OpenAPI 3 document of every route.
#[get("/openapi.json")]
async fn get_openapi(document: web::Data<ApiDocument>) -> HttpResponse {
    HttpResponse::Ok().json(&document.0)
}
