//! Zones (contract §5.5): create, read, update (204 when unchanged), delete
//! (409 while sensors use the zone), reorder.

use actix_web::{delete, get, post, put, web, HttpResponse};
use argus_db::models::Zone;
use argus_db::schema::{sensor, zone};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{AdminToken, UserToken};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::services::armed::NOT_ALLOWED;
use crate::services::changes::{check_name, configure, record_change, reorder};
use crate::services::entity::{self, Entity};
use crate::services::shapes::ZoneJson;
use crate::state::AppState;
use crate::store::query;

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

impl Entity for Zone {
    type New = ZoneEdit;
    type Edit = ZoneEdit;
    const KIND: &'static str = "zone";
    const LABEL: &'static str = "Zone";

    fn lookup(conn: &mut PgConnection, id: i32) -> QueryResult<Option<Self>> {
        Zone::find_live(conn, id)
    }

    fn id(&self) -> i32 {
        self.id
    }

    fn edit_of(&self) -> ZoneEdit {
        ZoneEdit::of(self)
    }

    fn check_new(new: &ZoneEdit) -> Result<(), ApiError> {
        new.validate()
    }

    fn insert(conn: &mut PgConnection, _: &ServerConfig, new: ZoneEdit) -> Result<Self, ApiError> {
        Ok(diesel::insert_into(zone::table)
            .values((&new, zone::deleted.eq(false)))
            .returning(Zone::as_returning())
            .get_result(conn)?)
    }

    fn update(
        conn: &mut PgConnection,
        _: &ServerConfig,
        id: i32,
        edit: ZoneEdit,
        _: &ZoneEdit,
    ) -> Result<Self, ApiError> {
        edit.validate()?;
        Ok(diesel::update(zone::table.find(id))
            .set(&edit)
            .returning(Zone::as_returning())
            .get_result(conn)?)
    }
}

/// `POST /api/zones/` → 201 Zone.
#[post("/zones/")]
async fn create_zone(
    state: web::Data<AppState>,
    admin: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let row: Zone = entity::create(&state, admin.0.id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(ZoneJson::from(row)))
}

/// `GET /api/zone/<id>` (admin).
#[get("/zone/{id:\\d+}")]
async fn get_zone(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let row: Zone = entity::get(&state, id.into_inner()).await?;
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
    let row: Zone = entity::update(&state, admin.0.id, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ZoneJson::from(row)))
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
        entity::find::<Zone>(conn, id)?;
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
