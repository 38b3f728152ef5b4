//! A user's codes (contract §5.1): the one-time registration code that
//! registers a device (self or admin), and the MCP key and tokens (admin).
//! MCP tokens carry the user's current `mcp_key`, so deleting the key
//! revokes every token issued with it; unlimited lifetimes are refused.

use actix_web::{delete, get, post, web, HttpResponse};
use argus_db::hash::{hash_secret, normalize_registration_code};
use argus_db::schema::user;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::{now_seconds, AdminToken, UserToken};
use crate::error::ApiError;
use crate::services::changes::record_change;
use crate::state::AppState;
use crate::store::transact;

/// The longest MCP token lifetime accepted (one year).
pub const MCP_MAX_TTL: i64 = 365 * 24 * 3600;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(create_registration_code)
        .service(delete_registration_code)
        .service(create_mcp_token)
        .service(has_mcp_token)
        .service(delete_mcp_token);
}

/// `n` random bytes as upper-case hex.
fn random_hex(n: usize) -> Result<String, ApiError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(bytes.iter().map(|b| format!("{b:02X}")).collect())
}

/// `(registration_code is set, mcp_key is set)`, or 404.
fn code_flags(conn: &mut PgConnection, id: i32) -> Result<(bool, bool), ApiError> {
    let row: Option<(Option<String>, Option<String>)> = user::table
        .find(id)
        .select((user::registration_code, user::mcp_key))
        .first(conn)
        .optional()?;
    let (code, mcp) = row.ok_or_else(|| ApiError::NotFound("User not found".into()))?;
    Ok((code.is_some(), mcp.is_some()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExpiryQuery {
    expiry: Option<String>,
}

/// `GET /api/user/<id>/registration_code?expiry=<s>` → `{"code"}` (shown
/// once; only its bcrypt hash is stored).
#[get("/user/{id:\\d+}/registration_code")]
async fn create_registration_code(
    state: web::Data<AppState>,
    token: UserToken,
    id: web::Path<i32>,
    q: web::Query<ExpiryQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    token.0.self_or_admin(id)?;
    let expiry = match q
        .expiry
        .as_deref()
        .filter(|s| !s.is_empty() && *s != "null")
    {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(secs) if secs > 0 => Some(chrono::Utc::now() + chrono::Duration::seconds(secs)),
            _ => return Err(ApiError::BadRequest(format!("Invalid expiry ({s})"))),
        },
    };
    if transact(&state.db, move |conn| code_flags(conn, id))
        .await?
        .0
    {
        return Err(ApiError::BadRequest("Already has registration code".into()));
    }
    let code = random_hex(6)?;
    let normalized = normalize_registration_code(&code);
    let _permit = state.shared.hashing_permit().await?;
    let hash = web::block(move || hash_secret(&normalized))
        .await?
        .map_err(ApiError::internal)?;
    let actor = token.0.id;
    transact(&state.db, move |conn| {
        // Re-checked inside the transaction: two concurrent requests give one code.
        let updated = diesel::update(
            user::table.filter(user::id.eq(id).and(user::registration_code.is_null())),
        )
        .set((
            user::registration_code.eq(&hash),
            user::registration_expiry.eq(expiry),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(ApiError::BadRequest("Already has registration code".into()));
        }
        record_change(
            conn,
            actor,
            &format!("user {id}: registration code created"),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "code": code })))
}

/// `DELETE /api/user/<id>/registration_code` → `null`.
#[delete("/user/{id:\\d+}/registration_code")]
async fn delete_registration_code(
    state: web::Data<AppState>,
    token: UserToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    token.0.self_or_admin(id)?;
    let actor = token.0.id;
    transact(&state.db, move |conn| {
        code_flags(conn, id)?;
        argus_db::models::User::clear_registration_code(conn, id)?;
        record_change(
            conn,
            actor,
            &format!("user {id}: registration code deleted"),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(Value::Null))
}

/// ArPI's MCP token claims.
#[derive(Debug, Serialize, Deserialize)]
pub struct McpClaims {
    /// `user.id`.
    pub id: i64,
    /// The user's `mcp_key` when the token was issued.
    pub secret: String,
    /// Issue time, UNIX seconds.
    pub timestamp: i64,
    /// Lifetime in seconds.
    pub ttl: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TtlQuery {
    ttl: Option<String>,
}

/// `POST /api/user/<id>/mcp_token?ttl=<s>` (admin) → the token as a JSON
/// string; creates the user's MCP key if it has none.
#[post("/user/{id:\\d+}/mcp_token")]
async fn create_mcp_token(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
    q: web::Query<TtlQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let ttl = q
        .ttl
        .as_deref()
        .unwrap_or("0")
        .parse::<i64>()
        .ok()
        .filter(|t| (1..=MCP_MAX_TTL).contains(t))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "ttl must be between 1 and {MCP_MAX_TTL} seconds (tokens without expiry are refused)"
            ))
        })?;
    let Some(secret) = state.config.mcp_secret.clone() else {
        return Err(ApiError::Conflict(
            "MCP is not configured (MCP_SECRET)".into(),
        ));
    };
    let fresh = random_hex(32)?;
    let actor = admin.0.id;
    let key = transact(&state.db, move |conn| {
        code_flags(conn, id)?;
        diesel::update(user::table.filter(user::id.eq(id).and(user::mcp_key.is_null())))
            .set(user::mcp_key.eq(&fresh))
            .execute(conn)?;
        let key: Option<String> = user::table.find(id).select(user::mcp_key).first(conn)?;
        record_change(conn, actor, &format!("user {id}: MCP token issued"))?;
        key.ok_or_else(|| ApiError::internal("mcp_key not stored"))
    })
    .await?;
    let claims = McpClaims {
        id: i64::from(id),
        secret: key,
        timestamp: now_seconds(),
        ttl,
    };
    let token =
        argus_protocol::jwt::sign(&claims, secret.0.as_bytes()).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(token))
}

/// `GET /api/user/<id>/mcp_token` (admin) → `{"has_mcp_token": bool}`.
#[get("/user/{id:\\d+}/mcp_token")]
async fn has_mcp_token(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (_, has) = transact(&state.db, move |conn| code_flags(conn, id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "has_mcp_token": has })))
}

/// `DELETE /api/user/<id>/mcp_token` (admin) → `null`; the key goes, and
/// with it every token issued for it.
#[delete("/user/{id:\\d+}/mcp_token")]
async fn delete_mcp_token(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = admin.0.id;
    transact(&state.db, move |conn| {
        code_flags(conn, id)?;
        diesel::update(user::table.find(id))
            .set(user::mcp_key.eq(None::<String>))
            .execute(conn)?;
        record_change(conn, actor, &format!("user {id}: MCP key deleted"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_hex_of_the_asked_length() {
        let code = random_hex(6).unwrap();
        assert_eq!(code.len(), 12);
        assert!(code
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        assert_ne!(code, random_hex(6).unwrap());
    }
}
