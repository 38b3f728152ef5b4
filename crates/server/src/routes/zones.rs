//! Zones (contract §5.5): create, read, update (204 when unchanged), delete
//! (409 while sensors use the zone), reorder.

use actix_web::{delete, get, post, put, web, HttpResponse};
use argus_db::models::Zone;
use argus_db::schema::{sensor, zone};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{AdminToken, UserToken};
use crate::error::ApiError;
use crate::services::armed::NOT_ALLOWED;
use crate::services::changes::{check_name, configure, edit_entity, parse, record_change, reorder};
use crate::services::shapes::ZoneJson;
use crate::state::AppState;
use crate::store::{query, transact};

/// `zone.name` is `varchar(32)`.
const NAME_LENGTH: usize = 32;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_zones)
        .service(create_zone)
        .service(reorder_zones)
        .service(get_zone)
        .service(update_zone)
        .service(delete_zone);
}

/// What a client may set.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, AsChangeset, Insertable, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
#[diesel(
    table_name = zone,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct ZoneEdit {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    disarmed_delay: Option<i32>,
    #[serde(default = "zero")]
    away_alert_delay: Option<i32>,
    #[serde(default = "zero")]
    stay_alert_delay: Option<i32>,
    #[serde(default = "zero")]
    away_arm_delay: Option<i32>,
    #[serde(default = "zero")]
    stay_arm_delay: Option<i32>,
}

fn zero() -> Option<i32> {
    Some(0)
}

impl ZoneEdit {
    fn of(z: &Zone) -> Self {
        Self {
            name: z.name.clone(),
            description: z.description.clone(),
            disarmed_delay: z.disarmed_delay,
            away_alert_delay: z.away_alert_delay,
            stay_alert_delay: z.stay_alert_delay,
            away_arm_delay: z.away_arm_delay,
            stay_arm_delay: z.stay_arm_delay,
        }
    }

    fn validate(&self) -> Result<(), ApiError> {
        check_name(&self.name, NAME_LENGTH)?;
        let delays = [
            self.disarmed_delay,
            self.away_alert_delay,
            self.stay_alert_delay,
            self.away_arm_delay,
            self.stay_arm_delay,
        ];
        if delays.iter().flatten().any(|d| *d < 0) {
            return Err(ApiError::BadRequest(
                "Delay is positive integer (>= 0)".into(),
            ));
        }
        Ok(())
    }
}

fn find(conn: &mut PgConnection, id: i32) -> Result<Zone, ApiError> {
    Zone::find_live(conn, id)?.ok_or_else(|| ApiError::NotFound("Zone not found".into()))
}

/// `POST /api/zones/` → 201 Zone.
#[post("/zones/")]
async fn create_zone(
    state: web::Data<AppState>,
    admin: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let edit: ZoneEdit = parse(body.into_inner())?;
    edit.validate()?;
    let created = configure(&state, NOT_ALLOWED, move |conn| {
        let row: Zone = diesel::insert_into(zone::table)
            .values((&edit, zone::deleted.eq(false)))
            .returning(Zone::as_returning())
            .get_result(conn)?;
        record_change(conn, admin.0.id, &format!("zone {} created", row.id))?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(ZoneJson::from(created)))
}

/// `GET /api/zone/<id>` (admin).
#[get("/zone/{id:\\d+}")]
async fn get_zone(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = transact(&state.db, move |conn| find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(ZoneJson::from(row)))
}

/// `PUT /api/zone/<id>`: any zone field → Zone, or 204 when unchanged.
#[put("/zone/{id:\\d+}")]
async fn update_zone(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let updated = edit_entity(
        &state,
        NOT_ALLOWED,
        body.into_inner(),
        move |conn| Ok(ZoneEdit::of(&find(conn, id)?)),
        move |conn, edit: ZoneEdit, _| {
            edit.validate()?;
            let row: Zone = diesel::update(zone::table.find(id))
                .set(&edit)
                .returning(Zone::as_returning())
                .get_result(conn)?;
            record_change(conn, admin.0.id, &format!("zone {id} updated"))?;
            Ok(row)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(ZoneJson::from(updated)))
}

/// `DELETE /api/zone/<id>`: hard delete → 204; 409 while sensors use it.
#[delete("/zone/{id:\\d+}")]
async fn delete_zone(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    configure(&state, NOT_ALLOWED, move |conn| {
        find(conn, id)?;
        let sensors: Vec<i32> = sensor::table
            .filter(sensor::zone_id.eq(id))
            .select(sensor::id)
            .load(conn)?;
        if !sensors.is_empty() {
            return Err(ApiError::Conflict(format!(
                "Zone is in use (sensors {sensors:?})"
            )));
        }
        diesel::delete(zone::table.find(id)).execute(conn)?;
        record_change(conn, admin.0.id, &format!("zone {id} deleted"))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `PUT /api/zones/reorder` `[{"id","uiOrder"}]` → `""`.
#[put("/zones/reorder")]
async fn reorder_zones(
    state: web::Data<AppState>,
    _: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    reorder!(&state.db, body.into_inner(), zone)
}

/// `GET /api/zones/`: not deleted.
#[get("/zones/")]
async fn list_zones(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let zones = query(&state.db, Zone::all).await?;
    let json: Vec<ZoneJson> = zones
        .into_iter()
        .filter(|z| z.deleted != Some(true))
        .map(ZoneJson::from)
        .collect();
    Ok(HttpResponse::Ok().json(json))
}
