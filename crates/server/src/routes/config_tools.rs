//! The rest of `/api/config` (contract §5.9): the tests (e-mail, SMS, call,
//! siren) run by the monitor and refused while armed, the modem's SMS inbox,
//! and the public facts: installation domains, installation id, location.

use actix_web::http::StatusCode;
use actix_web::{delete, get, web, HttpResponse};
use argus_protocol::Command;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::services::armed::is_disarmed;
use crate::services::changes::stored_option;
use crate::services::monitor::ask;
use crate::state::AppState;

/// The longest test siren (seconds); the default is ArPI's 5 s.
pub const MAX_TEST_SIREN_SECONDS: u32 = 30;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(test_email)
        .service(test_webhook)
        .service(test_sms)
        .service(test_call)
        .service(test_syren)
        .service(list_sms)
        .service(delete_sms)
        .service(public_access)
        .service(installation)
        .service(installation_id)
        .service(location_name);
}

/// Runs a test through the monitor, or 403 while armed (ArPI's body).
async fn run_test(state: &AppState, command: Command) -> Result<HttpResponse, ApiError> {
    if !is_disarmed(state).await? {
        return Err(ApiError::Refused(
            StatusCode::FORBIDDEN,
            json!({"result": false, "message": "Testing is not allowed currently."}),
        ));
    }
    ask(state, command).await
}

/// `GET /api/config/test_email`.
#[get("/config/test_email")]
async fn test_email(state: web::Data<AppState>, _: AdminToken) -> Result<HttpResponse, ApiError> {
    run_test(&state, Command::SendTestEmail).await
}

/// `GET /api/config/test_webhook` (argus addition).
#[get("/config/test_webhook")]
async fn test_webhook(state: web::Data<AppState>, _: AdminToken) -> Result<HttpResponse, ApiError> {
    run_test(&state, Command::SendTestWebhook).await
}

/// `GET /api/config/test_sms`.
#[get("/config/test_sms")]
async fn test_sms(state: web::Data<AppState>, _: AdminToken) -> Result<HttpResponse, ApiError> {
    run_test(&state, Command::SendTestSms).await
}

/// `GET /api/config/test_call`.
#[get("/config/test_call")]
async fn test_call(state: web::Data<AppState>, _: AdminToken) -> Result<HttpResponse, ApiError> {
    run_test(&state, Command::MakeTestCall).await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SirenQuery {
    duration: Option<String>,
}

/// `GET /api/config/test_syren?duration=<s>`: 1–30 s, default 5 (ArPI
/// ignored the web app's duration).
#[get("/config/test_syren")]
async fn test_syren(
    state: web::Data<AppState>,
    _: AdminToken,
    q: web::Query<SirenQuery>,
) -> Result<HttpResponse, ApiError> {
    let duration = match q
        .duration
        .as_deref()
        .filter(|s| !s.is_empty() && *s != "null")
    {
        None => 5,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=MAX_TEST_SIREN_SECONDS).contains(d))
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "Invalid duration ({s}): 1..{MAX_TEST_SIREN_SECONDS} seconds"
                ))
            })?,
    };
    run_test(
        &state,
        Command::SendTestSyren {
            duration: Some(duration),
        },
    )
    .await
}

/// `GET /api/config/sms` → `[{"idx","number","time","text"}]` or `null`.
#[get("/config/sms")]
async fn list_sms(state: web::Data<AppState>, _: AdminToken) -> Result<HttpResponse, ApiError> {
    let reply = state.monitor.call(Command::GetSmsMessages).await?;
    let value = if reply.result { reply.value } else { None };
    Ok(HttpResponse::Ok().json(value.unwrap_or(Value::Null)))
}

/// `DELETE /api/config/sms/<id>`.
#[delete("/config/sms/{id:\\d+}")]
async fn delete_sms(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let command = Command::DeleteSmsMessage {
        message_id: id.into_inner(),
    };
    ask(&state, command).await
}

/// `GET /api/config/public_access` → whether the public certificate exists.
#[get("/config/public_access")]
async fn public_access(
    state: web::Data<AppState>,
    _: AdminToken,
) -> Result<HttpResponse, ApiError> {
    let path = state.config.public_cert.clone();
    let exists = web::block(move || path.is_file()).await?;
    Ok(HttpResponse::Ok().json(exists))
}

/// `GET /api/config/installation` (no auth) → the domains the app may use.
#[get("/config/installation")]
async fn installation(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let hostname = stored_option(&state, "network", "dyndns")
        .await?
        .and_then(|v| v.get("hostname").and_then(Value::as_str).map(str::to_owned))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    Ok(HttpResponse::Ok().json(json!({"primaryDomain": hostname, "secondaryDomain": "localhost"})))
}

/// Lower-case hex SHA-256 of `SECRET`.
pub fn installation_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `GET /api/config/installation_id` (no auth) → text: 64 hex characters.
#[get("/config/installation_id")]
async fn installation_id(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let secret = state
        .config
        .secret
        .as_ref()
        .ok_or_else(|| ApiError::internal("SECRET is not set"))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(installation_hash(&secret.0)))
}

/// `GET /api/config/location_name` (no auth) → JSON string, `null` while no
/// location name is saved (as ArPI).
#[get("/config/location_name")]
async fn location_name(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let name = stored_option(&state, "system", "location")
        .await?
        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned));
    Ok(HttpResponse::Ok().json(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installation_id_is_sha256_hex() {
        assert_eq!(
            installation_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
