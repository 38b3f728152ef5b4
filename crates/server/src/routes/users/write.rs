//! Writing users (contract §5.1): create (admin, validated as on PUT, which
//! ArPI skipped), update (yourself or, as an admin, anyone; your own PIN
//! needs the old one, checked like a login and counted for lock-out),
//! delete (admin; the user's cards go with it, history blocks it with 409).

use actix_web::{delete, post, put, web, HttpRequest, HttpResponse};
use argus_db::hash::{fourkey_of, hash_secret, verify_secret};
use argus_db::models::User;
use argus_db::schema::{arm, card, disarm, user};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::pin_of;
use crate::auth::{AdminToken, UserToken};
use crate::error::ApiError;
use crate::lockout::client_address;
use crate::services::changes::{object, record_change};
use crate::state::AppState;
use crate::store::transact;
use argus_protocol::lockout::{Attempt, Verdict};

/// `user.name` is `varchar(32)`.
const NAME_LENGTH: usize = 32;
/// `user.email` is `varchar(255)`.
const EMAIL_LENGTH: usize = 255;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(create_user)
        .service(update_user)
        .service(delete_user);
}

fn check_user_name(name: &str) -> Result<(), ApiError> {
    let len = name.chars().count();
    if len == 0 || len > NAME_LENGTH {
        return Err(ApiError::BadRequest(format!(
            "Incorrect 'user name' field length ({len})"
        )));
    }
    Ok(())
}

fn check_email(email: &str) -> Result<(), ApiError> {
    let len = email.chars().count();
    if len > EMAIL_LENGTH {
        return Err(ApiError::BadRequest(format!(
            "Incorrect 'email' field length ({len})"
        )));
    }
    let valid = email.is_empty()
        || email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        }) && !email.contains(char::is_whitespace);
    if !valid {
        return Err(ApiError::BadRequest("Invalid 'email' format".into()));
    }
    Ok(())
}

fn check_role(role: &str) -> Result<(), ApiError> {
    if role == "admin" || role == "user" {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!("Unknown role ({role})")))
    }
}

/// A PIN: 4–12 digits (ArPI's messages).
pub fn check_pin(pin: &str) -> Result<(), ApiError> {
    if !(4..=12).contains(&pin.len()) {
        return Err(ApiError::BadRequest(
            "Access code length (>=4, <=12)".into(),
        ));
    }
    if !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::BadRequest("Access code only number".into()));
    }
    Ok(())
}

/// bcrypt of a PIN and of its first four digits, on the blocking pool under
/// the hashing limit.
async fn hash_pin(state: &AppState, pin: String) -> Result<(String, String), ApiError> {
    let _permit = state.shared.hashing_permit().await?;
    web::block(move || -> Result<(String, String), String> {
        let access = hash_secret(&pin).map_err(|e| e.to_string())?;
        let fourkey = hash_secret(fourkey_of(&pin)).map_err(|e| e.to_string())?;
        Ok((access, fourkey))
    })
    .await?
    .map_err(ApiError::internal)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NewUserBody {
    name: String,
    #[serde(default = "default_role")]
    role: String,
    #[schema(value_type = String)]
    access_code: Value,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

fn default_role() -> String {
    "user".into()
}

/// `POST /api/users` (admin) → `null`.
#[post("/users")]
async fn create_user(
    state: web::Data<AppState>,
    admin: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body: NewUserBody = serde_json::from_value(body.into_inner())
        .map_err(|e| ApiError::BadRequest(format!("Invalid request: {e}")))?;
    check_user_name(&body.name)?;
    check_role(&body.role)?;
    let email = body.email.unwrap_or_default();
    check_email(&email)?;
    let pin = pin_of(Some(&body.access_code))
        .ok_or_else(|| ApiError::BadRequest("Access code only number".into()))?;
    check_pin(&pin)?;
    let (access, fourkey) = hash_pin(&state, pin).await?;
    transact(&state.db, move |conn| {
        // ArPI's ids are application-assigned; the sequence may lag behind.
        let next: Option<i32> = user::table.select(diesel::dsl::max(user::id)).first(conn)?;
        let id = next.unwrap_or(0) + 1;
        diesel::insert_into(user::table)
            .values((
                user::id.eq(id),
                user::name.eq(&body.name),
                user::email.eq(&email),
                user::role.eq(&body.role),
                user::access_code.eq(&access),
                user::fourkey_code.eq(&fourkey),
                user::comment.eq(&body.comment),
            ))
            .execute(conn)?;
        record_change(conn, admin.0.id, &format!("user {id} created"))
    })
    .await?;
    state.credentials_changed().await;
    Ok(HttpResponse::Ok().json(Value::Null))
}

/// Whether `pin` is the user's current PIN (legacy hashes accepted).
async fn pin_matches(state: &AppState, id: i32, pin: String) -> Result<bool, ApiError> {
    let _permit = state.shared.hashing_permit().await?;
    let salt = state.config.salt.as_ref().map(|s| s.0.clone());
    let stored = transact(&state.db, move |conn| Ok(User::find(conn, id)?.access_code)).await?;
    web::block(move || verify_secret(&pin, &stored, salt.as_deref()).ok())
        .await
        .map_err(ApiError::from)
}

/// The fields a PUT may change, after the rules above.
#[derive(Default)]
struct UserChange {
    name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    comment: Option<Option<String>>,
    pin: Option<String>,
    fourkey: Option<String>,
}

fn text(body: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::BadRequest(format!("Invalid '{key}' field"))),
    }
}

/// `PUT /api/user/<id>` → `null`, 204 when nothing changed.
#[put("/user/{id:\\d+}")]
async fn update_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: UserToken,
    id: web::Path<i32>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    token.0.self_or_admin(id)?;
    let is_admin = token.0.is_admin();
    let is_self = token.0.is(id);
    let body = object(&body)?.clone();
    let current = transact(&state.db, move |conn| {
        user::table
            .find(id)
            .select(User::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound("User not found".into()))
    })
    .await?;
    let mut change = UserChange {
        name: text(&body, "name")?,
        email: text(&body, "email")?,
        role: text(&body, "role")?,
        comment: body
            .contains_key("comment")
            .then(|| text(&body, "comment"))
            .transpose()?,
        ..UserChange::default()
    };
    if let Some(new_pin) = pin_of(body.get("newAccessCode")).filter(|p| !p.is_empty()) {
        if is_self {
            // The same counters as a login: the user's PIN is what is guessed.
            let attempt = Attempt {
                user: Some(id),
                address: Some(client_address(&req, &state.config.trusted_proxies)),
                ..Attempt::default()
            };
            if let Verdict::Locked { .. } = state.shared.lockouts.attempt(&state.db, &attempt).await
            {
                return Err(ApiError::BadRequest("Invalid old access code".into()));
            }
            let old = pin_of(body.get("oldAccessCode")).unwrap_or_default();
            if !pin_matches(&state, id, old).await? {
                return Err(ApiError::BadRequest("Invalid old access code".into()));
            }
            state.shared.lockouts.succeeded(&state.db, &attempt).await;
        }
        check_pin(&new_pin)?;
        if let Some(fourkey) = pin_of(body.get("fourkeyCode")).filter(|p| !p.is_empty()) {
            if fourkey.len() != 4 || !fourkey.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::BadRequest("Fourkey code length (=4)".into()));
            }
            change.fourkey = Some(fourkey);
        }
        change.pin = Some(new_pin);
    }
    if let Some(name) = &change.name {
        check_user_name(name)?;
    }
    if let Some(email) = &change.email {
        check_email(email)?;
    }
    if let Some(role) = &change.role {
        check_role(role)?;
        if *role != current.role && !is_admin {
            return Err(ApiError::Forbidden("Cannot change user role".into()));
        }
    }
    change.name = change.name.filter(|n| *n != current.name);
    change.email = change.email.filter(|e| Some(e) != current.email.as_ref());
    change.role = change.role.filter(|r| *r != current.role);
    change.comment = change.comment.filter(|c| *c != current.comment);
    if change.name.is_none()
        && change.email.is_none()
        && change.role.is_none()
        && change.comment.is_none()
        && change.pin.is_none()
    {
        return Err(ApiError::NoChange);
    }
    let hashes = match change.pin.take() {
        Some(pin) => {
            let fourkey = change.fourkey.take();
            let (access, derived) = hash_pin(&state, pin).await?;
            let fourkey = match fourkey {
                Some(f) => hash_pin(&state, f).await?.0,
                None => derived,
            };
            Some((access, fourkey))
        }
        None => None,
    };
    let actor = token.0.id;
    transact(&state.db, move |conn| {
        if let Some(role) = &change.role {
            if role != "admin" && current.role == "admin" {
                ensure_other_admin(conn, id)?;
            }
            diesel::update(user::table.find(id))
                .set(user::role.eq(role))
                .execute(conn)?;
        }
        if let Some(name) = &change.name {
            diesel::update(user::table.find(id))
                .set(user::name.eq(name))
                .execute(conn)?;
        }
        if let Some(email) = &change.email {
            diesel::update(user::table.find(id))
                .set(user::email.eq(email))
                .execute(conn)?;
        }
        if let Some(comment) = &change.comment {
            diesel::update(user::table.find(id))
                .set(user::comment.eq(comment))
                .execute(conn)?;
        }
        if let Some((access, fourkey)) = &hashes {
            User::set_access_code(conn, id, access, fourkey)?;
        }
        record_change(conn, actor, &format!("user {id} updated"))
    })
    .await?;
    state.credentials_changed().await;
    Ok(HttpResponse::Ok().json(Value::Null))
}

/// 409 unless another admin remains (nobody could administer the system).
fn ensure_other_admin(conn: &mut PgConnection, id: i32) -> Result<(), ApiError> {
    let others: i64 = user::table
        .filter(user::role.eq("admin").and(user::id.ne(id)))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(ApiError::Conflict(
            "The last admin cannot be removed".into(),
        ));
    }
    Ok(())
}

/// `DELETE /api/user/<id>` (admin) → `null`. The user's cards are deleted
/// with it; arm or disarm history referencing the user answers 409 so the
/// log stays attributable.
#[delete("/user/{id:\\d+}")]
async fn delete_user(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    transact(&state.db, move |conn| {
        let target = user::table
            .find(id)
            .select(User::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound("User not found".into()))?;
        if target.role == "admin" {
            ensure_other_admin(conn, id)?;
        }
        let arms: i64 = arm::table
            .filter(arm::user_id.eq(id))
            .count()
            .get_result(conn)?;
        let disarms: i64 = disarm::table
            .filter(disarm::user_id.eq(id))
            .count()
            .get_result(conn)?;
        if arms + disarms > 0 {
            return Err(ApiError::Conflict(format!(
                "The user has arm/disarm history ({} records) and cannot be deleted",
                arms + disarms
            )));
        }
        diesel::delete(card::table.filter(card::user_id.eq(id))).execute(conn)?;
        diesel::delete(user::table.find(id)).execute(conn)?;
        record_change(conn, admin.0.id, &format!("user {id} deleted"))
    })
    .await?;
    state.credentials_changed().await;
    Ok(HttpResponse::Ok().json(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_emails_and_names_are_validated() {
        assert!(check_pin("1234").is_ok());
        assert!(check_pin("123456789012").is_ok());
        assert!(check_pin("123").is_err());
        assert!(check_pin("1234567890123").is_err());
        assert!(check_pin("12a4").is_err());
        assert!(check_email("").is_ok());
        assert!(check_email("a@b.hu").is_ok());
        assert!(check_email("a@b").is_err());
        assert!(check_email("a b@c.hu").is_err());
        assert!(check_user_name("").is_err());
        assert!(check_user_name(&"x".repeat(33)).is_err());
        assert!(check_role("root").is_err());
    }
}
