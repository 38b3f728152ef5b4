//! RFID cards (contract §5.2, §5.1): list, read, enable/describe, delete
//! (owner or admin), a user's cards (self or admin; ArPI needed no token),
//! and opening the 60-second learning window (self or admin).

use actix_web::{delete, get, put, web, HttpResponse};
use argus_db::models::Card;
use argus_db::schema::{card, user};
use argus_protocol::Command;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{UserClaims, UserToken};
use crate::error::ApiError;
use crate::services::changes::{merge, record_change};
use crate::services::monitor::ask;
use crate::state::AppState;
use crate::store::transact;

/// How long a learning window stays open.
const LEARNING_SECONDS: i64 = 60;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_cards)
        .service(get_card)
        .service(update_card)
        .service(delete_card)
        .service(user_cards)
        .service(register_card);
}

/// Contract `Card` (the number's hash never leaves the server).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardJson {
    id: i32,
    user_id: i32,
    description: Option<String>,
    enabled: Option<bool>,
}

impl From<Card> for CardJson {
    fn from(c: Card) -> Self {
        Self {
            id: c.id,
            user_id: c.user_id,
            description: c.description,
            enabled: c.enabled,
        }
    }
}

fn cards_of(conn: &mut PgConnection, user_id: i32) -> QueryResult<Vec<Card>> {
    card::table
        .filter(card::user_id.eq(user_id))
        .order((card::description, card::id))
        .select(Card::as_select())
        .load(conn)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct CardsQuery {
    user_id: Option<String>,
}

/// `GET /api/cards?userId=`: a user's cards (yours unless you are an admin),
/// by description; an admin without `userId` sees every card.
#[get("/cards")]
async fn list_cards(
    state: web::Data<AppState>,
    token: UserToken,
    q: web::Query<CardsQuery>,
) -> Result<HttpResponse, ApiError> {
    let requested = match q
        .user_id
        .as_deref()
        .filter(|s| !s.is_empty() && *s != "null")
    {
        None => None,
        Some(s) => Some(
            s.parse::<i32>()
                .map_err(|_| ApiError::BadRequest(format!("Invalid userId ({s})")))?,
        ),
    };
    let claims = token.0;
    let target = match requested {
        Some(id) => {
            claims.self_or_admin(id)?;
            Some(id)
        }
        None if claims.is_admin() => None,
        None => Some(i32::try_from(claims.id).map_err(|_| ApiError::Unauthorized)?),
    };
    let cards = transact(&state.db, move |conn| {
        Ok(match target {
            Some(id) => cards_of(conn, id)?,
            None => card::table
                .order((card::description, card::id))
                .select(Card::as_select())
                .load(conn)?,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(cards.into_iter().map(CardJson::from).collect::<Vec<_>>()))
}

/// The card, if the caller owns it or is an admin (else 403 `Not authorized`).
fn owned(conn: &mut PgConnection, claims: &UserClaims, id: i32) -> Result<Card, ApiError> {
    let c = card::table
        .find(id)
        .select(Card::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound("Card not found".into()))?;
    if claims.is_admin() || claims.is(c.user_id) {
        Ok(c)
    } else {
        Err(ApiError::Forbidden("Not authorized".into()))
    }
}

/// `GET /api/card/<id>`.
#[get("/card/{id:\\d+}")]
async fn get_card(
    state: web::Data<AppState>,
    token: UserToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let c = transact(&state.db, move |conn| owned(conn, &token.0, id)).await?;
    Ok(HttpResponse::Ok().json(CardJson::from(c)))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AsChangeset)]
#[diesel(table_name = card, treat_none_as_null = true)]
struct CardEdit {
    enabled: Option<bool>,
    description: Option<String>,
}

/// `PUT /api/card/<id>` `{"enabled","description"}` → Card, 204 unchanged.
#[put("/card/{id:\\d+}")]
async fn update_card(
    state: web::Data<AppState>,
    token: UserToken,
    id: web::Path<i32>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let c = transact(&state.db, move |conn| {
        let c = owned(conn, &token.0, id)?;
        let current = CardEdit {
            enabled: c.enabled,
            description: c.description.clone(),
        };
        let edit = merge(&current, &body)?;
        if edit == current {
            return Err(ApiError::NoChange);
        }
        let c: Card = diesel::update(card::table.find(id))
            .set(&edit)
            .returning(Card::as_returning())
            .get_result(conn)?;
        record_change(conn, token.0.id, &format!("card {id} updated"))?;
        Ok(c)
    })
    .await?;
    state.credentials_changed().await;
    Ok(HttpResponse::Ok().json(CardJson::from(c)))
}

/// `DELETE /api/card/<id>` → `null`.
#[delete("/card/{id:\\d+}")]
async fn delete_card(
    state: web::Data<AppState>,
    token: UserToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    transact(&state.db, move |conn| {
        owned(conn, &token.0, id)?;
        diesel::delete(card::table.find(id)).execute(conn)?;
        record_change(conn, token.0.id, &format!("card {id} deleted"))
    })
    .await?;
    state.credentials_changed().await;
    Ok(HttpResponse::Ok().json(Value::Null))
}

fn existing_user(conn: &mut PgConnection, id: i32) -> Result<(), ApiError> {
    let exists: bool =
        diesel::select(diesel::dsl::exists(user::table.find(id))).get_result(conn)?;
    if exists {
        Ok(())
    } else {
        Err(ApiError::NotFound("User not found".into()))
    }
}

/// `GET /api/user/<id>/cards` (self or admin).
#[get("/user/{id:\\d+}/cards")]
async fn user_cards(
    state: web::Data<AppState>,
    token: UserToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    token.0.self_or_admin(id)?;
    let cards = transact(&state.db, move |conn| {
        existing_user(conn, id)?;
        Ok(cards_of(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(cards.into_iter().map(CardJson::from).collect::<Vec<_>>()))
}

/// `PUT /api/user/<id>/register_card` (self or admin): opens this user's
/// learning window for 60 s, closes everyone else's, and tells the monitor;
/// the outcome arrives as Socket.IO `card_registered`.
#[put("/user/{id:\\d+}/register_card")]
async fn register_card(
    state: web::Data<AppState>,
    token: UserToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    token.0.self_or_admin(id)?;
    transact(&state.db, move |conn| {
        existing_user(conn, id)?;
        diesel::update(user::table)
            .set(user::card_registration_expiry.eq(None::<chrono::DateTime<chrono::Utc>>))
            .execute(conn)?;
        let until = chrono::Utc::now() + chrono::Duration::seconds(LEARNING_SECONDS);
        diesel::update(user::table.find(id))
            .set(user::card_registration_expiry.eq(until))
            .execute(conn)?;
        Ok(())
    })
    .await?;
    ask(&state, Command::MonitorRegisterCard).await
}
