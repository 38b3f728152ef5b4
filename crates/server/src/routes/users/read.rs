//! Reading users (contract §5.1, §7 `User`): `GET /api/users`,
//! `GET /api/user/<id>` (self or admin), `GET /api/user/<id>/name`.

use actix_web::{get, web, HttpResponse};
use argus_db::models::{Card, User};
use argus_db::schema::{card, user};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::auth::{DeviceToken, UserToken};
use crate::error::ApiError;
use crate::services::shapes::local;
use crate::state::AppState;
use crate::store::query;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_users)
        .service(get_user)
        .service(get_user_name);
}

/// The contract's User JSON (no hash ever leaves the server).
fn user_json(u: &User, cards: &[Card]) -> Value {
    json!({
        "id": u.id,
        "name": u.name,
        "email": u.email.clone().unwrap_or_default(),
        "hasRegistrationCode": u.registration_code.is_some(),
        "hasCard": cards.iter().any(|c| c.user_id == u.id),
        "registrationExpiry": local(u.registration_expiry),
        "role": u.role,
        "comment": u.comment,
    })
}

/// `GET /api/users`: every user, admins first (ordered by role, then id).
#[get("/users")]
async fn list_users(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let (mut users, cards) = query(&state.db, |c| Ok((User::all(c)?, Card::all(c)?))).await?;
    users.sort_by(|a, b| a.role.cmp(&b.role).then(a.id.cmp(&b.id)));
    Ok(HttpResponse::Ok().json(
        users
            .iter()
            .map(|u| user_json(u, &cards))
            .collect::<Vec<_>>(),
    ))
}

fn user_not_found() -> ApiError {
    ApiError::NotFound("User not found".into())
}

/// `GET /api/user/<id>`: yourself, or anyone as an admin.
#[get("/user/{id:\\d+}")]
async fn get_user(
    state: web::Data<AppState>,
    token: UserToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    token.0.self_or_admin(id)?;
    let (user, cards) = query(&state.db, move |c| {
        let user = User::find(c, id).optional()?;
        let cards = card::table
            .filter(card::user_id.eq(id))
            .select(Card::as_select())
            .load(c)?;
        Ok((user, cards))
    })
    .await?;
    let user = user.ok_or_else(user_not_found)?;
    Ok(HttpResponse::Ok().json(user_json(&user, &cards)))
}

/// `GET /api/user/<id>/name` → the name as a JSON string (404 when unknown).
#[get("/user/{id:\\d+}/name")]
async fn get_user_name(
    state: web::Data<AppState>,
    _: DeviceToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let name: Option<String> = query(&state.db, move |c| {
        user::table.find(id).select(user::name).first(c).optional()
    })
    .await?;
    Ok(HttpResponse::Ok().json(name.ok_or_else(user_not_found)?))
}
