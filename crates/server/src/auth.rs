//! Authentication as ArPI's web app expects it (contract §3): device tokens
//! (no expiry) and user tokens (900 s, renewed on every response through the
//! `User-Token` header), HS256 with `SECRET`. The guards are extractors with
//! the contract's exact 401/403 bodies: [`DeviceToken`] (`@registered`),
//! [`UserToken`] (role user or admin) and [`AdminToken`].

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use argus_protocol::jwt::{self, scheme_and_netloc};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

use crate::directory::Lookup;
use crate::error::{ApiError, AuthError};
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

impl UserClaims {
    /// Whether the token's user is an admin.
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }

    /// Whether the token's user is `user_id`.
    pub fn is(&self, user_id: i32) -> bool {
        self.id == i64::from(user_id)
    }

    /// Yourself, or anyone as an admin; else 401 `{"error":"Unauthorized"}`
    /// (ArPI's answer on `GET /api/user/<id>`).
    pub fn self_or_admin(&self, user_id: i32) -> Result<(), crate::error::ApiError> {
        if self.is_admin() || self.is(user_id) {
            Ok(())
        } else {
            Err(crate::error::ApiError::Unauthorized)
        }
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

fn app_state(req: &HttpRequest) -> Result<actix_web::web::Data<AppState>, AuthError> {
    req.app_data::<actix_web::web::Data<AppState>>()
        .cloned()
        .ok_or(AuthError::NoSecret)
}

fn secret(state: &AppState) -> Result<Vec<u8>, AuthError> {
    state
        .config
        .secret
        .clone()
        .map(|s| s.0.into_bytes())
        .ok_or(AuthError::NoSecret)
}

/// A guard's future (extractors that consult the user directory).
type Guard<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// Any JWT signed with `SECRET` (a device or a user token), no expiry,
/// whose user (`user_id`, or `id` for a user token) still exists.
#[derive(Debug, Clone)]
pub struct DeviceToken(pub serde_json::Value);

impl FromRequest for DeviceToken {
    type Error = ApiError;
    type Future = Guard<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = app_state(req);
        Box::pin(async move {
            let state = state?;
            let secret = secret(&state)?;
            let token = token.ok_or(AuthError::MissingDevice)?;
            let claims = jwt::verify::<serde_json::Value>(&token, &secret)
                .map_err(|_| AuthError::InvalidDevice)?;
            let owner = claims
                .get("user_id")
                .or_else(|| claims.get("id"))
                .and_then(serde_json::Value::as_i64);
            if let Some(id) = owner {
                if state.shared.directory.lookup(&state.db, id).await == Lookup::Unknown {
                    return Err(AuthError::InvalidDevice.into());
                }
            }
            Ok(DeviceToken(claims))
        })
    }
}

/// A fresh user token to send back in `User-Token`.
#[derive(Debug, Clone)]
struct Renewal(String);

/// The claims of a valid, unexpired user token of a user who still exists,
/// with their current name and role; queues the renewed token.
async fn user_claims(
    state: Result<actix_web::web::Data<AppState>, AuthError>,
    token: Option<String>,
    referer: Option<String>,
    extensions: &mut Option<Renewal>,
) -> Result<UserClaims, AuthError> {
    let state = state?;
    let secret = secret(&state)?;
    let token = token.ok_or(AuthError::MissingUser)?;
    let value: serde_json::Value =
        jwt::verify(&token, &secret).map_err(|_| AuthError::WrongToken)?;
    // A device token has no timestamp: ArPI answers "token expired".
    let Some(timestamp) = value.get("timestamp").and_then(serde_json::Value::as_i64) else {
        return Err(AuthError::Expired);
    };
    if now_seconds() - timestamp > USER_TOKEN_SECONDS {
        return Err(AuthError::Expired);
    }
    let mut claims: UserClaims =
        serde_json::from_value(value).map_err(|_| AuthError::WrongToken)?;
    match state.shared.directory.lookup(&state.db, claims.id).await {
        Lookup::Known(person) => {
            claims.name = person.name;
            claims.role = person.role;
        }
        Lookup::Unknown => return Err(AuthError::WrongToken),
        Lookup::Unavailable => {}
    }
    // Renew with the origin of the page that called (`Referer`), as ArPI.
    let origin = referer
        .as_deref()
        .and_then(scheme_and_netloc)
        .or_else(|| claims.origin.clone());
    let renewed = UserClaims {
        origin,
        timestamp: now_seconds(),
        ..claims.clone()
    };
    if let Ok(token) = jwt::sign(&renewed, &secret) {
        *extensions = Some(Renewal(token));
    }
    Ok(claims)
}

/// Runs [`user_claims`] for `req` and keeps the renewal for the middleware.
fn user_guard(req: &HttpRequest, admin_only: bool) -> Guard<UserClaims> {
    let req = req.clone();
    Box::pin(async move {
        let referer = req
            .headers()
            .get("referer")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut renewal = None;
        let claims = user_claims(app_state(&req), bearer(&req), referer, &mut renewal).await?;
        let allowed = if admin_only {
            claims.role == "admin"
        } else {
            claims.role == "user" || claims.role == "admin"
        };
        if !allowed {
            return Err(AuthError::Role.into());
        }
        if let Some(r) = renewal {
            req.extensions_mut().insert(r);
        }
        Ok(claims)
    })
}

/// A valid user token, role `user` or `admin`.
#[derive(Debug, Clone)]
pub struct UserToken(pub UserClaims);

impl FromRequest for UserToken {
    type Error = ApiError;
    type Future = Guard<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let guard = user_guard(req, false);
        Box::pin(async move { guard.await.map(UserToken) })
    }
}

/// A valid user token with role `admin`.
#[derive(Debug, Clone)]
pub struct AdminToken(pub UserClaims);

impl FromRequest for AdminToken {
    type Error = ApiError;
    type Future = Guard<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let guard = user_guard(req, true);
        Box::pin(async move { guard.await.map(AdminToken) })
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

/// A live token of an enabled remote node (argus addition), given as
/// `Authorization: Bearer <node token>`; the node it belongs to.
#[derive(Debug, Clone)]
pub struct NodeToken(pub argus_db::models::NodeRow);

impl NodeToken {
    /// The node, if it is `id` (a node never acts for another).
    pub fn for_node(self, id: i32) -> Result<argus_db::models::NodeRow, AuthError> {
        if self.0.id == id {
            Ok(self.0)
        } else {
            Err(AuthError::OtherNode)
        }
    }
}

impl FromRequest for NodeToken {
    type Error = ApiError;
    type Future = Guard<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = app_state(req);
        Box::pin(async move {
            let state = state?;
            let token = token.ok_or(AuthError::MissingNode)?;
            let hash = argus_db::models::node::token_hash(&token);
            if let Some(node) = state.shared.nodes.known_token(&hash) {
                return Ok(NodeToken(node));
            }
            let node = crate::store::query(&state.db, move |c| {
                argus_db::models::NodeRow::by_token(c, &token, chrono::Utc::now())
            })
            .await?;
            if let Some(n) = &node {
                state.shared.nodes.remember_token(hash, n.clone());
            }
            node.map(NodeToken)
                .ok_or_else(|| AuthError::InvalidNode.into())
        })
    }
}
