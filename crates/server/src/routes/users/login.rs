//! Identity (contract §3.2–3.3): a registration code buys a device token; a
//! PIN on a registered device buys a 15-minute user token. bcrypt runs on the
//! blocking pool under a concurrency limit; every attempt is charged to the
//! target user, the device and the address first (`lockout`), without ever
//! holding a worker in a sleep. A wrong PIN, or a locked one, answers
//! `200 false`.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use argus_db::hash::{normalize_registration_code, verify_secret};
use argus_db::models::User;
use argus_protocol::ipc::Pin;
use argus_protocol::jwt::{self, DeviceClaims};
use argus_protocol::lockout::{Attempt, Verdict};
use argus_protocol::Command;
use serde::Deserialize;
use serde_json::{json, Value};

use super::pin_of;
use crate::auth::{now_seconds, DeviceToken, UserClaims};
use crate::error::ApiError;
use crate::lockout::{client_address, login_attempt};
use crate::state::AppState;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(register_device).service(authenticate);
}

fn register_failed(reason: &str) -> ApiError {
    ApiError::Refused(
        StatusCode::BAD_REQUEST,
        json!({ "error": "Failed to register device", "reason": reason }),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RegisterBody {
    #[schema(value_type = String)]
    registration_code: Option<Value>,
}

/// `POST /api/user/register_device` `{"registration_code"}` → `{"device_token"}`.
#[post("/user/register_device")]
async fn register_device(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let Some(origin) = req
        .headers()
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return Err(register_failed("Missing Origin header"));
    };
    let code = match &body.registration_code {
        Some(Value::String(s)) if !s.trim().is_empty() => normalize_registration_code(s),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(register_failed("Missing registration code")),
    };
    let address = client_address(&req, &state.config.trusted_proxies);
    // The code names its user only once checked: the address is what is counted.
    let attempt = Attempt {
        address: Some(address),
        ..Attempt::default()
    };
    if let Verdict::Locked { .. } = state.shared.lockouts.attempt(&state.db, &attempt).await {
        return Err(register_failed("User not found"));
    }
    let _permit = state.shared.hashing_permit().await?;
    let pool = state.db.clone();
    let found = web::block(move || -> Result<Option<(i32, bool)>, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        for user in User::all(&mut conn).map_err(|e| e.to_string())? {
            let Some(stored) = user.registration_code.as_deref() else {
                continue;
            };
            if verify_secret(&code, stored, None).ok() {
                let expired = user
                    .registration_expiry
                    .is_some_and(|t| t < chrono::Utc::now());
                if !expired {
                    User::clear_registration_code(&mut conn, user.id).map_err(|e| e.to_string())?;
                }
                return Ok(Some((user.id, expired)));
            }
        }
        Ok(None)
    })
    .await?
    .map_err(ApiError::DatabaseUnavailable)?;
    match found {
        Some((_, true)) => Err(register_failed("Expired registration code")),
        Some((user_id, false)) => {
            state.shared.lockouts.succeeded(&state.db, &attempt).await;
            let secret = state
                .config
                .secret
                .as_ref()
                .map(|s| s.0.as_bytes().to_vec())
                .unwrap_or_default();
            let claims = DeviceClaims {
                ip: Some(address.to_string()),
                origin: Some(origin),
                user_id: i64::from(user_id),
            };
            let token = jwt::sign(&claims, &secret).map_err(ApiError::internal)?;
            Ok(HttpResponse::Ok().json(json!({ "device_token": token })))
        }
        None => Err(register_failed("User not found")),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct AuthenticateBody {
    device_token: Option<String>,
    #[schema(value_type = String)]
    access_code: Option<Value>,
}

fn invalid_user() -> ApiError {
    ApiError::BadRequest("invalid user id".into())
}

/// `POST /api/user/authenticate` `{"device_token","access_code"}` →
/// `{"user_token"}`, or `200 false` for a wrong PIN (or while locked out).
#[post("/user/authenticate")]
async fn authenticate(
    state: web::Data<AppState>,
    req: HttpRequest,
    _registered: DeviceToken,
    body: web::Json<AuthenticateBody>,
) -> Result<HttpResponse, ApiError> {
    let secret = state
        .config
        .secret
        .as_ref()
        .map(|s| s.0.as_bytes().to_vec())
        .unwrap_or_default();
    let Some(device) = body
        .device_token
        .as_deref()
        .and_then(|t| jwt::verify::<DeviceClaims>(t, &secret).ok())
    else {
        return Err(invalid_user());
    };
    let Some(pin) = pin_of(body.access_code.as_ref()) else {
        return Ok(HttpResponse::Ok().json(false));
    };
    let Ok(user_id) = i32::try_from(device.user_id) else {
        return Err(invalid_user());
    };
    let attempt = login_attempt(&device, client_address(&req, &state.config.trusted_proxies));
    let locked = match state.shared.lockouts.attempt(&state.db, &attempt).await {
        Verdict::Locked { .. } => return Ok(HttpResponse::Ok().json(false)),
        Verdict::Allowed { locked } => locked,
    };
    let checked = match pin_in_database(&state, user_id, pin.clone()).await {
        Err(ApiError::DatabaseUnavailable(e)) => {
            tracing::info!(error = %e, "database unavailable: the monitor checks the PIN");
            pin_with_monitor(&state, user_id, pin).await?
        }
        other => other?,
    };
    let user = match checked {
        PinCheck::UnknownUser => return Err(invalid_user()),
        PinCheck::Wrong => {
            if !locked.is_empty() {
                tracing::warn!(
                    user.id = user_id,
                    "too many wrong PINs: locked out with back-off"
                );
                record_lockout(&state, user_id).await;
            }
            return Ok(HttpResponse::Ok().json(false));
        }
        PinCheck::Right(user) => user,
    };
    state.shared.lockouts.succeeded(&state.db, &attempt).await;
    let origin = req
        .headers()
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let claims = UserClaims {
        id: i64::from(user.id),
        name: user.name,
        role: user.role,
        origin,
        timestamp: now_seconds(),
    };
    let token = jwt::sign(&claims, &secret).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(json!({ "user_token": token })))
}

/// Who a PIN check found.
#[derive(Debug, serde::Deserialize)]
struct PinOwner {
    id: i32,
    name: String,
    role: String,
}

/// What a PIN check said.
#[derive(Debug)]
enum PinCheck {
    UnknownUser,
    Wrong,
    Right(PinOwner),
}

/// Checks user `user_id`'s PIN in the database (upgrading a legacy hash).
async fn pin_in_database(
    state: &AppState,
    user_id: i32,
    pin: String,
) -> Result<PinCheck, ApiError> {
    let _permit = state.shared.hashing_permit().await?;
    let pool = state.db.clone();
    let salt = state.config.salt.as_ref().map(|s| s.0.clone());
    web::block(move || -> Result<PinCheck, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let user = match User::find(&mut conn, user_id) {
            Ok(u) => u,
            Err(diesel::result::Error::NotFound) => return Ok(PinCheck::UnknownUser),
            Err(e) => return Err(e.to_string()),
        };
        let verified = verify_secret(&pin, &user.access_code, salt.as_deref());
        if verified.needs_upgrade() {
            if let (Ok(a), Ok(f)) = (
                argus_db::hash::hash_secret(&pin),
                argus_db::hash::hash_secret(argus_db::hash::fourkey_of(&pin)),
            ) {
                User::set_access_code(&mut conn, user.id, &a, &f).map_err(|e| e.to_string())?;
            }
        }
        Ok(if verified.ok() {
            PinCheck::Right(PinOwner {
                id: user.id,
                name: user.name,
                role: user.role,
            })
        } else {
            PinCheck::Wrong
        })
    })
    .await?
    .map_err(ApiError::DatabaseUnavailable)
}

/// Checks the PIN against the monitor's copy of the hashes, so an app can
/// still log in and disarm while PostgreSQL is down.
async fn pin_with_monitor(
    state: &AppState,
    user_id: i32,
    pin: String,
) -> Result<PinCheck, ApiError> {
    let reply = state
        .monitor
        .call(Command::MonitorCheckPin {
            user_id,
            access_code: Pin(pin),
        })
        .await?;
    if !reply.result {
        return Ok(PinCheck::Wrong);
    }
    reply
        .value
        .and_then(|v| serde_json::from_value(v).ok())
        .map(PinCheck::Right)
        .ok_or_else(|| ApiError::internal("the monitor's PIN check answered no user"))
}

/// Writes a `lockout` event (best effort: the lock-out holds either way).
async fn record_lockout(state: &AppState, user_id: i32) {
    let pool = state.db.clone();
    let _ = web::block(move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        argus_db::records::record_event(
            &mut conn,
            chrono::Utc::now(),
            "lockout",
            Some(user_id),
            None,
            Some("rest"),
            None,
            None,
        )
        .map_err(|e| e.to_string())
    })
    .await;
}
