//! Keypads (contract §5.8): read one, update or create one (`PUT` creates
//! when the id is new), delete one (ArPI's was a no-op); every write tells the
//! monitor to reconfigure the keypad and answers with its reply.

use actix_web::{delete, get, put, web, HttpResponse};
use argus_db::models::{Keypad, KeypadType};
use argus_db::schema::{keypad, keypad_type};
use argus_protocol::Command;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{AdminToken, UserToken};
use crate::error::ApiError;
use crate::services::armed::{ensure_disarmed, NOT_ALLOWED};
use crate::services::changes::{merge, record_change};
use crate::services::monitor::ask;
use crate::services::shapes::{KeypadJson, TypeJson};
use crate::state::AppState;
use crate::store::{query, transact};

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_keypads)
        .service(list_keypad_types)
        .service(get_keypad)
        .service(put_keypad)
        .service(delete_keypad);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AsChangeset)]
#[serde(rename_all = "camelCase")]
#[diesel(table_name = keypad, treat_none_as_null = true)]
struct KeypadEdit {
    enabled: Option<bool>,
    type_id: i32,
}

/// `GET /api/keypad/<id>` (admin).
#[get("/keypad/{id:\\d+}")]
async fn get_keypad(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = transact(&state.db, move |conn| Ok(Keypad::find(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::NotFound("Keypad not found".into()))?;
    Ok(HttpResponse::Ok().json(KeypadJson::from(row)))
}

/// `PUT /api/keypad/<id>` `{"enabled"?, "typeId"?}`: updates, or creates
/// the keypad (then `typeId` is required); 409 `No changes made`.
#[put("/keypad/{id:\\d+}")]
async fn put_keypad(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    ensure_disarmed(&state, NOT_ALLOWED).await?;
    let body = body.into_inner();
    transact(&state.db, move |conn| {
        let existing = Keypad::find(conn, id)?;
        let current = match &existing {
            Some(k) => KeypadEdit {
                enabled: k.enabled,
                type_id: k.type_id,
            },
            None => KeypadEdit {
                enabled: Some(true),
                type_id: -1,
            },
        };
        let edit = merge(&current, &body)?;
        if existing.is_some() && edit == current {
            return Err(ApiError::Conflict("No changes made".into()));
        }
        let known: bool = diesel::select(diesel::dsl::exists(
            keypad_type::table.filter(keypad_type::id.eq(edit.type_id)),
        ))
        .get_result(conn)?;
        if !known {
            return Err(ApiError::BadRequest(format!(
                "Unknown keypad type ({})",
                edit.type_id
            )));
        }
        if existing.is_some() {
            diesel::update(keypad::table.find(id))
                .set(&edit)
                .execute(conn)?;
        } else {
            diesel::insert_into(keypad::table)
                .values((
                    keypad::id.eq(id),
                    keypad::enabled.eq(edit.enabled),
                    keypad::type_id.eq(edit.type_id),
                ))
                .execute(conn)?;
        }
        record_change(conn, admin.0.id, &format!("keypad {id} updated"))
    })
    .await?;
    ask(&state, Command::MonitorUpdateKeypad).await
}

/// `DELETE /api/keypad/<id>`: deletes the row and reconfigures the keypad.
#[delete("/keypad/{id:\\d+}")]
async fn delete_keypad(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    ensure_disarmed(&state, NOT_ALLOWED).await?;
    transact(&state.db, move |conn| {
        let deleted = diesel::delete(keypad::table.find(id)).execute(conn)?;
        if deleted == 0 {
            return Err(ApiError::NotFound("Keypad not found".into()));
        }
        record_change(conn, admin.0.id, &format!("keypad {id} deleted"))
    })
    .await?;
    ask(&state, Command::MonitorUpdateKeypad).await
}

/// `GET /api/keypads/`.
#[get("/keypads/")]
async fn list_keypads(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let keypads = query(&state.db, Keypad::all).await?;
    let json: Vec<KeypadJson> = keypads.into_iter().map(KeypadJson::from).collect();
    Ok(HttpResponse::Ok().json(json))
}

/// `GET /api/keypadtypes` (admin).
#[get("/keypadtypes")]
async fn list_keypad_types(
    state: web::Data<AppState>,
    _: AdminToken,
) -> Result<HttpResponse, ApiError> {
    let types = query(&state.db, KeypadType::all).await?;
    let json: Vec<TypeJson> = types
        .into_iter()
        .map(|t| TypeJson::new(t.id, t.name, t.description))
        .collect();
    Ok(HttpResponse::Ok().json(json))
}
