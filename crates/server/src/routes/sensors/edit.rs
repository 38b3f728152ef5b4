//! Editing sensors (contract §5.6): create, read, update, soft-delete,
//! channel conflicts (409, where ArPI answered 500 on create), reference
//! resets, the alert/error queries and reorder.

use actix_web::{delete, get, post, put, web, HttpResponse};
use argus_db::enums::{ChannelType, ContactType, EolCount};
use argus_db::models::{Sensor, DEFAULT_THRESHOLD};
use argus_db::schema::{area, sensor, sensor_type, zone};
use argus_protocol::Command;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{AdminToken, DeviceToken};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::services::armed::{ensure_disarmed, NOT_ALLOWED};
use crate::services::changes::{check_name, configure, record_change, reorder};
use crate::services::entity::{self, Entity};
use crate::services::monitor::ask;
use crate::services::shapes::SensorJson;
use crate::state::AppState;
use crate::store::{query, transact};

/// `sensor.name` is `varchar(16)`.
const NAME_LENGTH: usize = 16;
/// The body of every channel conflict.
pub const CHANNEL_CONFLICT: &str = "Channel conflict with existing sensors";

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(create_sensor)
        .service(reset_references)
        .service(reset_reference)
        .service(sensor_alert)
        .service(sensor_error)
        .service(reorder_sensors)
        .service(get_sensor)
        .service(update_sensor)
        .service(delete_sensor);
}

/// The fields a client may set (`silentAlert` and `monitor*` on PUT only; a
/// new sensor gets ArPI's threshold of 100 with no period: instant).
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, AsChangeset, Insertable, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
#[diesel(
    table_name = sensor,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct SensorEdit {
    name: String,
    #[serde(default)]
    description: Option<String>,
    area_id: i32,
    zone_id: i32,
    channel: Option<i32>,
    #[serde(default = "basic")]
    #[schema(value_type = String)]
    channel_type: ChannelType,
    enabled: bool,
    #[serde(default = "normally_open")]
    #[schema(value_type = String)]
    sensor_contact_type: ContactType,
    #[serde(default = "single")]
    #[schema(value_type = String)]
    sensor_eol_count: EolCount,
    type_id: i32,
    #[serde(skip_deserializing)]
    silent_alert: Option<bool>,
    #[serde(skip_deserializing)]
    monitor_period: Option<i32>,
    #[serde(skip_deserializing)]
    monitor_threshold: Option<i32>,
    #[serde(skip_deserializing)]
    ui_hidden: bool,
}

fn basic() -> ChannelType {
    ChannelType::Basic
}
fn normally_open() -> ContactType {
    ContactType::No
}
fn single() -> EolCount {
    EolCount::Single
}

/// The PUT shape: every editable field, all accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SensorPut {
    name: String,
    description: Option<String>,
    area_id: i32,
    zone_id: i32,
    channel: Option<i32>,
    #[schema(value_type = String)]
    channel_type: ChannelType,
    enabled: bool,
    #[schema(value_type = String)]
    sensor_contact_type: ContactType,
    #[schema(value_type = String)]
    sensor_eol_count: EolCount,
    type_id: i32,
    silent_alert: Option<bool>,
    monitor_period: Option<i32>,
    monitor_threshold: Option<i32>,
    ui_hidden: bool,
}

impl SensorPut {
    fn of(s: &Sensor) -> Self {
        Self {
            name: s.name.clone(),
            description: s.description.clone(),
            area_id: s.area_id,
            zone_id: s.zone_id,
            channel: s.channel,
            channel_type: s.channel_type,
            enabled: s.enabled,
            sensor_contact_type: s.sensor_contact_type,
            sensor_eol_count: s.sensor_eol_count,
            type_id: s.type_id,
            silent_alert: s.silent_alert,
            monitor_period: s.monitor_period,
            monitor_threshold: s.monitor_threshold,
            ui_hidden: s.ui_hidden,
        }
    }

    fn into_edit(self) -> SensorEdit {
        SensorEdit {
            name: self.name,
            description: self.description,
            area_id: self.area_id,
            zone_id: self.zone_id,
            channel: self.channel,
            channel_type: self.channel_type,
            enabled: self.enabled,
            sensor_contact_type: self.sensor_contact_type,
            sensor_eol_count: self.sensor_eol_count,
            type_id: self.type_id,
            silent_alert: self.silent_alert,
            monitor_period: self.monitor_period,
            monitor_threshold: self.monitor_threshold,
            ui_hidden: self.ui_hidden,
        }
    }
}

impl SensorEdit {
    /// ArPI's validators (the channel range fixed: `-1..INPUT_NUMBER-1`) and
    /// the existence of the referenced area, zone and type.
    fn validate(&self, conn: &mut PgConnection, input_number: i32) -> Result<(), ApiError> {
        check_name(&self.name, NAME_LENGTH)?;
        if let Some(c) = self.channel {
            if !(-1..input_number).contains(&c) {
                return Err(ApiError::BadRequest(format!(
                    "Incorrect 'channel' (-1..{})",
                    input_number - 1
                )));
            }
        }
        if self.monitor_period.is_some_and(|p| p <= 0) {
            return Err(ApiError::BadRequest(
                "Incorrect 'monitor_period' (must be greater than 0)".into(),
            ));
        }
        if self
            .monitor_threshold
            .is_some_and(|t| !(0..=100).contains(&t))
        {
            return Err(ApiError::BadRequest(
                "Incorrect 'monitor_threshold' (0..100)".into(),
            ));
        }
        let area_ok: bool = diesel::select(diesel::dsl::exists(
            area::table.filter(
                area::id
                    .eq(self.area_id)
                    .and(area::deleted.is_distinct_from(true)),
            ),
        ))
        .get_result(conn)?;
        let zone_ok: bool = diesel::select(diesel::dsl::exists(
            zone::table.filter(
                zone::id
                    .eq(self.zone_id)
                    .and(zone::deleted.is_distinct_from(true)),
            ),
        ))
        .get_result(conn)?;
        let type_ok: bool = diesel::select(diesel::dsl::exists(
            sensor_type::table.filter(sensor_type::id.eq(self.type_id)),
        ))
        .get_result(conn)?;
        for (ok, what, id) in [
            (area_ok, "area", self.area_id),
            (zone_ok, "zone", self.zone_id),
            (type_ok, "sensor type", self.type_id),
        ] {
            if !ok {
                return Err(ApiError::BadRequest(format!("Unknown {what} ({id})")));
            }
        }
        Ok(())
    }

    /// ArPI's channel rule: a basic/normal input owns its channel; the two
    /// halves of a double-EOL channel (`channel_a`/`channel_b`) may share it
    /// with each other. Unassigned sensors (`-1`, none) never conflict.
    fn check_channel(&self, conn: &mut PgConnection, own_id: Option<i32>) -> Result<(), ApiError> {
        let Some(channel) = self.channel.filter(|c| *c >= 0) else {
            return Ok(());
        };
        let others: Vec<(i32, ChannelType)> = sensor::table
            .filter(sensor::channel.eq(channel).and(sensor::deleted.eq(false)))
            .select((sensor::id, sensor::channel_type))
            .load(conn)?;
        let conflict = others
            .iter()
            .filter(|(id, _)| Some(*id) != own_id)
            .any(|(_, other)| {
                let split =
                    |t: &ChannelType| matches!(t, ChannelType::ChannelA | ChannelType::ChannelB);
                !split(&self.channel_type) || !split(other) || *other == self.channel_type
            });
        if conflict {
            return Err(ApiError::Conflict(CHANNEL_CONFLICT.into()));
        }
        Ok(())
    }
}

impl Entity for Sensor {
    type New = SensorEdit;
    type Edit = SensorPut;
    const KIND: &'static str = "sensor";
    const LABEL: &'static str = "Sensor";

    fn lookup(conn: &mut PgConnection, id: i32) -> QueryResult<Option<Self>> {
        Sensor::find_live(conn, id)
    }

    fn id(&self) -> i32 {
        self.id
    }

    fn edit_of(&self) -> SensorPut {
        SensorPut::of(self)
    }

    fn insert(
        conn: &mut PgConnection,
        config: &ServerConfig,
        mut new: SensorEdit,
    ) -> Result<Self, ApiError> {
        new.silent_alert = Some(false);
        new.monitor_threshold = Some(DEFAULT_THRESHOLD);
        new.validate(conn, config.input_number)?;
        new.check_channel(conn, None)?;
        Ok(diesel::insert_into(sensor::table)
            .values((
                &new,
                sensor::alert.eq(false),
                sensor::error.eq(false),
                sensor::deleted.eq(false),
            ))
            .returning(Sensor::as_returning())
            .get_result(conn)?)
    }

    /// A new channel clears the reference value (the monitor calibrates again).
    fn update(
        conn: &mut PgConnection,
        config: &ServerConfig,
        id: i32,
        put: SensorPut,
        before: &SensorPut,
    ) -> Result<Self, ApiError> {
        let new_channel = put.channel != before.channel;
        let edit = put.into_edit();
        edit.validate(conn, config.input_number)?;
        edit.check_channel(conn, Some(id))?;
        diesel::update(sensor::table.find(id))
            .set(&edit)
            .execute(conn)?;
        if new_channel {
            diesel::update(sensor::table.find(id))
                .set(sensor::reference_value.eq(None::<f64>))
                .execute(conn)?;
        }
        entity::find(conn, id)
    }
}

/// `POST /api/sensors/` → 201 Sensor.
#[post("/sensors/")]
async fn create_sensor(
    state: web::Data<AppState>,
    admin: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let row: Sensor = entity::create(&state, admin.0.id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(SensorJson::from(row)))
}

/// `GET /api/sensor/<id>` (admin).
#[get("/sensor/{id:\\d+}")]
async fn get_sensor(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let row: Sensor = entity::get(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SensorJson::from(row)))
}

/// `PUT /api/sensor/<id>` → Sensor, 204 when unchanged.
#[put("/sensor/{id:\\d+}")]
async fn update_sensor(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let row: Sensor =
        entity::update(&state, admin.0.id, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SensorJson::from(row)))
}

/// `DELETE /api/sensor/<id>`: soft delete → 204.
#[delete("/sensor/{id:\\d+}")]
async fn delete_sensor(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    configure(&state, NOT_ALLOWED, move |conn| {
        entity::find::<Sensor>(conn, id)?;
        diesel::update(sensor::table.find(id))
            .set(sensor::deleted.eq(true))
            .execute(conn)?;
        record_change(conn, admin.0.id, &format!("sensor {id} deleted"))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Clears reference values (one sensor or all), then asks the monitor to
/// reload, answering with its reply.
async fn clear_references(
    state: &AppState,
    admin: AdminToken,
    id: Option<i32>,
) -> Result<HttpResponse, ApiError> {
    ensure_disarmed(state, NOT_ALLOWED).await?;
    transact(&state.db, move |conn| {
        let target = sensor::table.filter(sensor::deleted.eq(false)).into_boxed();
        let target = match id {
            Some(id) => {
                entity::find::<Sensor>(conn, id)?;
                target.filter(sensor::id.eq(id))
            }
            None => target,
        };
        let ids: Vec<i32> = target.select(sensor::id).load(conn)?;
        diesel::update(sensor::table.filter(sensor::id.eq_any(&ids)))
            .set(sensor::reference_value.eq(None::<f64>))
            .execute(conn)?;
        let what = id.map_or_else(|| "all sensors".to_owned(), |i| format!("sensor {i}"));
        record_change(conn, admin.0.id, &format!("{what}: reference reset"))
    })
    .await?;
    ask(state, Command::MonitorUpdateConfig).await
}

/// `PUT /api/sensor/<id>/reset-reference`.
#[put("/sensor/{id:\\d+}/reset-reference")]
async fn reset_reference(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    clear_references(&state, admin, Some(id.into_inner())).await
}

/// `PUT /api/sensors/reset-references`.
#[put("/sensors/reset-references")]
async fn reset_references(
    state: web::Data<AppState>,
    admin: AdminToken,
) -> Result<HttpResponse, ApiError> {
    clear_references(&state, admin, None).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FlagQuery {
    sensor_id: Option<String>,
}

/// Whether any enabled, not deleted sensor (or the given one) has `flag`.
async fn any_flag(state: &AppState, q: &FlagQuery, alert: bool) -> Result<HttpResponse, ApiError> {
    let id = match q.sensor_id.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<i32>()
                .map_err(|_| ApiError::BadRequest(format!("Invalid sensorId ({s})")))?,
        ),
    };
    let found = query(&state.db, move |conn| {
        let mut q = sensor::table
            .filter(sensor::enabled.eq(true).and(sensor::deleted.eq(false)))
            .into_boxed();
        if let Some(id) = id {
            q = q.filter(sensor::id.eq(id));
        }
        q = if alert {
            q.filter(sensor::alert.eq(true))
        } else {
            q.filter(sensor::error.eq(true))
        };
        diesel::select(diesel::dsl::exists(q)).get_result::<bool>(conn)
    })
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// `GET /api/sensor/alert?sensorId=` → bool.
#[get("/sensor/alert")]
async fn sensor_alert(
    state: web::Data<AppState>,
    _: DeviceToken,
    q: web::Query<FlagQuery>,
) -> Result<HttpResponse, ApiError> {
    any_flag(&state, &q, true).await
}

/// `GET /api/sensor/error?sensorId=` → bool.
#[get("/sensor/error")]
async fn sensor_error(
    state: web::Data<AppState>,
    _: DeviceToken,
    q: web::Query<FlagQuery>,
) -> Result<HttpResponse, ApiError> {
    any_flag(&state, &q, false).await
}

/// `PUT /api/sensor/reorder` `[{"id","uiOrder"}]` → `""`.
#[put("/sensor/reorder")]
async fn reorder_sensors(
    state: web::Data<AppState>,
    _: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    reorder!(&state.db, body.into_inner(), sensor)
}
