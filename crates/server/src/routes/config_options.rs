//! `GET/PUT /api/config/<name>/<section>` (admin, contract §5.9, §6): the
//! registered option sections with their defaults, saved or not; secrets
//! masked on read and kept when the mask comes back; an unknown section is
//! 404 `null` on GET and 400 on PUT, as are unknown fields; 409 while armed;
//! then the section's effect on the monitor.

use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpResponse};
use argus_db::models::OptionRow;
use argus_db::schema::option;
use argus_protocol::Command;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::services::armed::{ensure_disarmed, NOT_ALLOWED};
use crate::services::changes::{empty_ok, record_change, stored_option};
use crate::state::AppState;
use crate::store::transact;
use argus_protocol::options::{self, Effect, INTERNAL_READ};

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(get_option).service(put_option);
}

fn unknown(name: &str, section: &str) -> ApiError {
    ApiError::BadRequest(format!("Unknown option ({name}/{section})"))
}

/// `GET /api/config/<name>/<section>` → `{"name","section","value"}`: the
/// stored value over the section's defaults, so a never-saved section shows
/// its defaults (the web app hides a 404 section as "not configured").
/// An unregistered one is `null` with 404, as ArPI.
#[get("/config/{name}/{section}")]
async fn get_option(
    state: web::Data<AppState>,
    _: AdminToken,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (name, section) = path.into_inner();
    if (name.as_str(), section.as_str()) == INTERNAL_READ {
        // Read-only by design: Home Assistant needs this password.
        return Ok(HttpResponse::Ok().json(json!({
            "name": name, "section": section,
            "value": {
                "hostname": "arpi.local", "port": 8883, "username": "argus_reader",
                "password": state.config.reader_mqtt_password.0,
                "tls_enabled": true, "tls_insecure": true,
            }
        })));
    }
    let Some(registered) = options::find(&name, &section) else {
        return Err(ApiError::Refused(StatusCode::NOT_FOUND, Value::Null));
    };
    let stored = stored_option(&state, registered.name, registered.section).await?;
    Ok(HttpResponse::Ok().json(json!({
        "name": registered.name,
        "section": registered.section,
        "value": registered.read(stored.as_ref()),
    })))
}

/// `PUT /api/config/<name>/<section>` with the section's fields → `""`.
#[put("/config/{name}/{section}")]
async fn put_option(
    state: web::Data<AppState>,
    admin: AdminToken,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let (name, section) = path.into_inner();
    let registered = options::find(&name, &section).ok_or_else(|| unknown(&name, &section))?;
    ensure_disarmed(&state, NOT_ALLOWED).await?;
    let body = body.into_inner();
    transact(&state.db, move |conn| {
        let row = OptionRow::find(conn, registered.name, registered.section)?;
        let stored: Option<Value> = row
            .as_ref()
            .and_then(|r| r.value.as_deref())
            .and_then(|v| serde_json::from_str(v).ok());
        let value = registered
            .write(stored.as_ref(), &body)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?
            .to_string();
        match row {
            Some(r) => {
                diesel::update(option::table.find(r.id))
                    .set(option::value.eq(&value))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(option::table)
                    .values((
                        option::name.eq(registered.name),
                        option::section.eq(registered.section),
                        option::value.eq(&value),
                    ))
                    .execute(conn)?;
            }
        }
        record_change(
            conn,
            admin.0.id,
            &format!("option {}/{}", registered.name, registered.section),
        )
    })
    .await?;
    let command = match registered.effect {
        Effect::None => None,
        Effect::Reload => Some(Command::MonitorUpdateConfig),
        Effect::SecureConnection if state.config.use_ssh_connection => {
            Some(Command::MonitorUpdateSecureConnection)
        }
        Effect::Ssh if state.config.use_ssh_connection => Some(Command::UpdateSsh),
        Effect::SecureConnection | Effect::Ssh => None,
    };
    if let Some(command) = command {
        if let Err(e) = state.monitor.call(command).await {
            tracing::warn!(error = %e, "monitor not told about the option change");
        }
    }
    Ok(empty_ok())
}
