//! Areas (contract §5.4): create, read, rename, soft-delete (409 while sensors
//! or outputs use the area), reorder, and arming one area through the monitor.

use actix_web::{delete, get, post, put, web, HttpResponse};
use argus_db::enums::ArmState;
use argus_db::models::Area;
use argus_db::schema::{area, output, sensor};
use argus_protocol::ipc::{ArmRequest, DisarmRequest};
use argus_protocol::Command;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{AdminToken, UserToken};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::services::armed::NOT_ALLOWED_AREA;
use crate::services::changes::{check_name, configure, record_change, reorder};
use crate::services::entity::{self, Entity};
use crate::services::monitor::{arm_command, ask};
use crate::services::shapes::area_json;
use crate::state::AppState;
use crate::store::{query, transact};

/// `area.name` is `varchar(32)`.
const NAME_LENGTH: usize = 32;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_areas)
        .service(create_area)
        .service(reorder_areas)
        .service(arm_area)
        .service(disarm_area)
        .service(get_area)
        .service(update_area)
        .service(delete_area);
}

/// What a client may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AsChangeset, utoipa::ToSchema)]
#[diesel(table_name = area)]
pub(crate) struct AreaEdit {
    name: String,
}

impl Entity for Area {
    type New = AreaEdit;
    type Edit = AreaEdit;
    const KIND: &'static str = "area";
    const LABEL: &'static str = "Area";
    const NOT_ALLOWED: &'static str = NOT_ALLOWED_AREA;

    fn lookup(conn: &mut PgConnection, id: i32) -> QueryResult<Option<Self>> {
        Area::find_live(conn, id)
    }

    fn id(&self) -> i32 {
        self.id
    }

    fn edit_of(&self) -> AreaEdit {
        AreaEdit {
            name: self.name.clone(),
        }
    }

    fn check_new(new: &AreaEdit) -> Result<(), ApiError> {
        check_name(&new.name, NAME_LENGTH)
    }

    fn insert(conn: &mut PgConnection, _: &ServerConfig, new: AreaEdit) -> Result<Self, ApiError> {
        Ok(diesel::insert_into(area::table)
            .values((
                area::name.eq(&new.name),
                area::arm_state.eq(ArmState::Disarm),
                area::deleted.eq(false),
            ))
            .returning(Area::as_returning())
            .get_result(conn)?)
    }

    fn update(
        conn: &mut PgConnection,
        _: &ServerConfig,
        id: i32,
        edit: AreaEdit,
        _: &AreaEdit,
    ) -> Result<Self, ApiError> {
        check_name(&edit.name, NAME_LENGTH)?;
        Ok(diesel::update(area::table.find(id))
            .set(&edit)
            .returning(Area::as_returning())
            .get_result(conn)?)
    }
}

/// `POST /api/areas/` `{"name"}` → 201 Area.
#[post("/areas/")]
async fn create_area(
    state: web::Data<AppState>,
    admin: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let row: Area = entity::create(&state, admin.0.id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(area_json(row)))
}

/// `GET /api/area/<id>` (admin).
#[get("/area/{id:\\d+}")]
async fn get_area(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let row: Area = entity::get(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(area_json(row)))
}

/// `PUT /api/area/<id>` `{"name"}` → Area, or 204 when unchanged.
#[put("/area/{id:\\d+}")]
async fn update_area(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let row: Area = entity::update(&state, admin.0.id, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(area_json(row)))
}

/// `DELETE /api/area/<id>`: soft delete → 204; 409 while sensors or outputs
/// use it (ArPI answered 204 and kept it).
#[delete("/area/{id:\\d+}")]
async fn delete_area(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    configure(&state, NOT_ALLOWED_AREA, move |conn| {
        entity::find::<Area>(conn, id)?;
        let sensors: Vec<i32> = sensor::table
            .filter(sensor::area_id.eq(id).and(sensor::deleted.eq(false)))
            .select(sensor::id)
            .load(conn)?;
        let outputs: Vec<i32> = output::table
            .filter(output::area_id.eq(id))
            .select(output::id)
            .load(conn)?;
        if !sensors.is_empty() || !outputs.is_empty() {
            return Err(ApiError::Conflict(format!(
                "Area is in use (sensors {sensors:?}, outputs {outputs:?})"
            )));
        }
        diesel::update(area::table.find(id))
            .set(area::deleted.eq(true))
            .execute(conn)?;
        record_change(conn, admin.0.id, &format!("area {id} deleted"))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `PUT /api/areas/reorder` `[{"id","uiOrder"}]` → `""`.
#[put("/areas/reorder")]
async fn reorder_areas(
    state: web::Data<AppState>,
    _: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    reorder!(&state.db, body.into_inner(), area)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AreaQuery {
    area_id: Option<String>,
    #[serde(rename = "type")]
    arm_type: Option<String>,
}

fn area_id(q: &AreaQuery) -> Result<i32, ApiError> {
    q.area_id
        .as_deref()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ApiError::BadRequest("Missing or invalid area_id".into()))
}

async fn existing_area(state: &AppState, id: i32) -> Result<(), ApiError> {
    transact(&state.db, move |conn| {
        entity::find::<Area>(conn, id).map(|_| ())
    })
    .await
}

/// `PUT /api/area/arm?area_id=&type=arm_away|arm_stay`.
#[put("/area/arm")]
async fn arm_area(
    state: web::Data<AppState>,
    user: UserToken,
    q: web::Query<AreaQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = area_id(&q)?;
    existing_area(&state, id).await?;
    let request = ArmRequest {
        user_id: i32::try_from(user.0.id).ok(),
        area_id: Some(id),
        ..ArmRequest::default()
    };
    let command = arm_command(q.arm_type.as_deref(), request)?;
    ask(&state, command).await
}

/// `PUT /api/area/disarm?area_id=`.
#[put("/area/disarm")]
async fn disarm_area(
    state: web::Data<AppState>,
    user: UserToken,
    q: web::Query<AreaQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = area_id(&q)?;
    existing_area(&state, id).await?;
    let request = DisarmRequest {
        user_id: i32::try_from(user.0.id).ok(),
        area_id: Some(id),
        ..DisarmRequest::default()
    };
    ask(&state, Command::MonitorDisarm(request)).await
}

/// `GET /api/areas/`: not deleted, by name.
#[get("/areas/")]
async fn list_areas(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let mut areas = query(&state.db, Area::all).await?;
    areas.retain(|a| a.deleted != Some(true));
    areas.sort_by(|a, b| a.name.cmp(&b.name));
    let json: Vec<_> = areas.into_iter().map(area_json).collect();
    Ok(HttpResponse::Ok().json(json))
}
