//! Authentication as ArPI's web app expects it (contract §3): device tokens
//! (no expiry) and user tokens (900 s, renewed on every response through the
//! `User-Token` header), HS256 with `SECRET`. The guards are extractors with
//! the contract's exact 401/403 bodies: [`DeviceToken`] (`@registered`),
//! [`UserToken`] (role user or admin) and [`AdminToken`].

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use argus_protocol::jwt::{self, scheme_and_netloc};
use serde::{Deserialize, Serialize};
use std::future::{ready, Ready};

use crate::state::AppState;

/// How long a user token is valid (`USER_TOKEN_EXPIRY`).
pub const USER_TOKEN_SECONDS: i64 = 15 * 60;
/// The renewal header.
pub const USER_TOKEN_HEADER: &str = "User-Token";

/// Claims of a user token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserClaims {
    /// `user.id`.
    pub id: i64,
    /// `user.name`.
    pub name: String,
    /// `admin` or `user`.
    pub role: String,
    /// The page origin.
    pub origin: Option<String>,
    /// Issue time, UNIX seconds.
    pub timestamp: i64,
}

/// A refused request, with the contract's status and body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// 403 `missing device token`.
    #[error("missing device token")]
    MissingDevice,
    /// 403 `invalid device token`.
    #[error("invalid device token")]
    InvalidDevice,
    /// 403 `operation not permitted (missing token)`.
    #[error("operation not permitted (missing token)")]
    MissingUser,
    /// 403 `operation not permitted (wrong token)`.
    #[error("operation not permitted (wrong token)")]
    WrongToken,
    /// 401 `token expired`.
    #[error("token expired")]
    Expired,
    /// 403 `operation not permitted (role)`.
    #[error("operation not permitted (role)")]
    Role,
    /// 503: the server has no `SECRET`.
    #[error("authentication is not configured")]
    NoSecret,
}

impl ResponseError for AuthError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        use actix_web::http::StatusCode;
        match self {
            Self::Expired => StatusCode::UNAUTHORIZED,
            Self::NoSecret => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .json(serde_json::json!({ "error": self.to_string() }))
    }
}

/// The second word of `Authorization` (ArPI takes it whatever the scheme).
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    value.split_whitespace().nth(1).map(str::to_owned)
}

/// Seconds since the epoch.
pub fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}

fn secret(req: &HttpRequest) -> Result<Vec<u8>, AuthError> {
    req.app_data::<actix_web::web::Data<AppState>>()
        .and_then(|s| s.config.secret.clone())
        .map(|s| s.0.into_bytes())
        .ok_or(AuthError::NoSecret)
}

/// Any JWT signed with `SECRET` (a device or a user token), no expiry.
#[derive(Debug, Clone)]
pub struct DeviceToken(pub serde_json::Value);

impl FromRequest for DeviceToken {
    type Error = AuthError;
    type Future = Ready<Result<Self, AuthError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready((|| {
            let secret = secret(req)?;
            let token = bearer(req).ok_or(AuthError::MissingDevice)?;
            jwt::verify::<serde_json::Value>(&token, &secret)
                .map(DeviceToken)
                .map_err(|_| AuthError::InvalidDevice)
        })())
    }
}

/// A fresh user token to send back in `User-Token`.
#[derive(Debug, Clone)]
struct Renewal(String);

fn user_claims(req: &HttpRequest) -> Result<UserClaims, AuthError> {
    let secret = secret(req)?;
    let token = bearer(req).ok_or(AuthError::MissingUser)?;
    let value: serde_json::Value =
        jwt::verify(&token, &secret).map_err(|_| AuthError::WrongToken)?;
    // A device token has no timestamp: ArPI answers "token expired".
    let Some(timestamp) = value.get("timestamp").and_then(serde_json::Value::as_i64) else {
        return Err(AuthError::Expired);
    };
    if now_seconds() - timestamp > USER_TOKEN_SECONDS {
        return Err(AuthError::Expired);
    }
    let claims: UserClaims = serde_json::from_value(value).map_err(|_| AuthError::WrongToken)?;
    // Renew with the origin of the page that called (`Referer`), as ArPI.
    let origin = req
        .headers()
        .get("referer")
        .and_then(|v| v.to_str().ok())
        .and_then(scheme_and_netloc)
        .or_else(|| claims.origin.clone());
    let renewed = UserClaims {
        origin,
        timestamp: now_seconds(),
        ..claims.clone()
    };
    if let Ok(token) = jwt::sign(&renewed, &secret) {
        req.extensions_mut().insert(Renewal(token));
    }
    Ok(claims)
}

/// A valid user token, role `user` or `admin`.
#[derive(Debug, Clone)]
pub struct UserToken(pub UserClaims);

impl FromRequest for UserToken {
    type Error = AuthError;
    type Future = Ready<Result<Self, AuthError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(user_claims(req).and_then(|c| {
            if c.role == "user" || c.role == "admin" {
                Ok(UserToken(c))
            } else {
                Err(AuthError::Role)
            }
        }))
    }
}

/// A valid user token with role `admin`.
#[derive(Debug, Clone)]
pub struct AdminToken(pub UserClaims);

impl FromRequest for AdminToken {
    type Error = AuthError;
    type Future = Ready<Result<Self, AuthError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(user_claims(req).and_then(|c| {
            if c.role == "admin" {
                Ok(AdminToken(c))
            } else {
                Err(AuthError::Role)
            }
        }))
    }
}

/// Middleware: adds the renewed `User-Token` to every successful response
/// whose handler took a user or admin token.
pub async fn renew_user_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let renewal = res.request().extensions().get::<Renewal>().cloned();
    if let Some(Renewal(token)) = renewal {
        if res.status().is_success() {
            if let Ok(value) = HeaderValue::from_str(&token) {
                res.headers_mut()
                    .insert(HeaderName::from_static("user-token"), value);
            }
        }
    }
    Ok(res)
}
