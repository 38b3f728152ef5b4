//! Outputs (contract §5.7): list, create, read, update, delete, reorder, and
//! pressing or releasing a button output through the monitor. Channel 0
//! drives the siren and is refused (409), as are channel conflicts; an
//! area is required exactly when the trigger is `area` (400).

use actix_web::{delete, get, post, put, web, HttpResponse};
use argus_db::enums::OutputTrigger;
use argus_db::models::Output;
use argus_db::schema::{area, output};
use argus_protocol::Command;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{AdminToken, UserToken};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::services::armed::NOT_ALLOWED;
use crate::services::changes::{configure, record_change, reorder};
use crate::services::entity::{self, Entity};
use crate::services::monitor::ask;
use crate::state::AppState;
use crate::store::{query, transact};

/// `output.name` is `varchar(16)`.
const NAME_LENGTH: usize = 16;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_outputs)
        .service(create_output)
        .service(reorder_outputs)
        .service(get_output)
        .service(update_output)
        .service(delete_output)
        .service(activate_output)
        .service(deactivate_output);
}

/// Contract `Output`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputJson {
    id: i32,
    name: Option<String>,
    description: Option<String>,
    channel: Option<i32>,
    state: bool,
    trigger_type: OutputTrigger,
    area_id: Option<i32>,
    delay: Option<i32>,
    duration: i32,
    default_state: Option<bool>,
    enabled: Option<bool>,
    ui_order: Option<i32>,
}

impl From<Output> for OutputJson {
    fn from(o: Output) -> Self {
        Self {
            id: o.id,
            name: o.name,
            description: o.description,
            channel: o.channel,
            state: o.state,
            trigger_type: o.trigger_type,
            area_id: o.area_id,
            delay: o.delay,
            duration: o.duration,
            default_state: o.default_state,
            enabled: o.enabled,
            ui_order: o.ui_order,
        }
    }
}

/// What a client sets; POST requires every field (as ArPI).
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, AsChangeset, Insertable, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
#[diesel(
    table_name = output,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct OutputEdit {
    name: Option<String>,
    description: Option<String>,
    channel: Option<i32>,
    #[schema(value_type = String)]
    trigger_type: OutputTrigger,
    area_id: Option<i32>,
    delay: Option<i32>,
    duration: i32,
    default_state: Option<bool>,
    enabled: Option<bool>,
}

impl OutputEdit {
    fn of(o: &Output) -> Self {
        Self {
            name: o.name.clone(),
            description: o.description.clone(),
            channel: o.channel,
            trigger_type: o.trigger_type,
            area_id: o.area_id,
            delay: o.delay,
            duration: o.duration,
            default_state: o.default_state,
            enabled: o.enabled,
        }
    }

    fn validate(
        &self,
        conn: &mut PgConnection,
        own_id: Option<i32>,
        outputs: i32,
    ) -> Result<(), ApiError> {
        let name_len = self.name.as_deref().map_or(0, |n| n.chars().count());
        if name_len > NAME_LENGTH {
            return Err(ApiError::BadRequest(format!(
                "Incorrect 'name' field length ({name_len}>{NAME_LENGTH})"
            )));
        }
        if self.duration < 0 || self.delay.is_some_and(|d| d < 0) {
            return Err(ApiError::BadRequest(
                "Duration is positive integer (>= 0)".into(),
            ));
        }
        match (self.trigger_type, self.area_id) {
            (OutputTrigger::Area, None) => {
                return Err(ApiError::BadRequest(
                    "Area ID must be provided for AREA trigger type".into(),
                ))
            }
            (OutputTrigger::Button | OutputTrigger::System, Some(_)) => {
                return Err(ApiError::BadRequest(
                    "Area ID must be None for BUTTON and SYSTEM trigger types".into(),
                ))
            }
            (OutputTrigger::Area, Some(id)) => {
                let exists: bool = diesel::select(diesel::dsl::exists(
                    area::table.filter(area::id.eq(id).and(area::deleted.is_distinct_from(true))),
                ))
                .get_result(conn)?;
                if !exists {
                    return Err(ApiError::BadRequest(format!("Unknown area ({id})")));
                }
            }
            _ => {}
        }
        if let Some(channel) = self.channel {
            if channel == 0 {
                return Err(ApiError::Conflict(
                    "Channel 0 drives the siren and cannot be used by an output".into(),
                ));
            }
            if !(1..outputs).contains(&channel) {
                return Err(ApiError::BadRequest(format!(
                    "Incorrect 'channel' (1..{})",
                    outputs - 1
                )));
            }
            let taken: bool = diesel::select(diesel::dsl::exists(
                output::table.filter(
                    output::channel
                        .eq(channel)
                        .and(output::id.ne(own_id.unwrap_or(-1))),
                ),
            ))
            .get_result(conn)?;
            if taken {
                return Err(ApiError::Conflict(
                    "Channel conflict with existing outputs".into(),
                ));
            }
        }
        Ok(())
    }
}

impl Entity for Output {
    type New = OutputEdit;
    type Edit = OutputEdit;
    const KIND: &'static str = "output";
    const LABEL: &'static str = "Output";

    fn lookup(conn: &mut PgConnection, id: i32) -> QueryResult<Option<Self>> {
        Output::find(conn, id)
    }

    fn id(&self) -> i32 {
        self.id
    }

    fn edit_of(&self) -> OutputEdit {
        OutputEdit::of(self)
    }

    fn insert(
        conn: &mut PgConnection,
        config: &ServerConfig,
        new: OutputEdit,
    ) -> Result<Self, ApiError> {
        new.validate(conn, None, config.output_number)?;
        Ok(diesel::insert_into(output::table)
            .values((&new, output::state.eq(false)))
            .returning(Output::as_returning())
            .get_result(conn)?)
    }

    fn update(
        conn: &mut PgConnection,
        config: &ServerConfig,
        id: i32,
        edit: OutputEdit,
        _: &OutputEdit,
    ) -> Result<Self, ApiError> {
        edit.validate(conn, Some(id), config.output_number)?;
        Ok(diesel::update(output::table.find(id))
            .set(&edit)
            .returning(Output::as_returning())
            .get_result(conn)?)
    }
}

/// `GET /api/outputs/`.
#[get("/outputs/")]
async fn list_outputs(state: web::Data<AppState>, _: UserToken) -> Result<HttpResponse, ApiError> {
    let rows = query(&state.db, Output::all).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(OutputJson::from).collect::<Vec<_>>()))
}

/// `POST /api/outputs/` → 201 Output.
#[post("/outputs/")]
async fn create_output(
    state: web::Data<AppState>,
    admin: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let row: Output = entity::create(&state, admin.0.id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(OutputJson::from(row)))
}

/// `GET /api/output/<id>` (admin).
#[get("/output/{id:\\d+}")]
async fn get_output(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let row: Output = entity::get(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(OutputJson::from(row)))
}

/// `PUT /api/output/<id>` → Output, 204 when unchanged.
#[put("/output/{id:\\d+}")]
async fn update_output(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let row: Output =
        entity::update(&state, admin.0.id, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(OutputJson::from(row)))
}

/// `DELETE /api/output/<id>`: hard delete → 204.
#[delete("/output/{id:\\d+}")]
async fn delete_output(
    state: web::Data<AppState>,
    admin: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    configure(&state, NOT_ALLOWED, move |conn| {
        entity::find::<Output>(conn, id)?;
        diesel::delete(output::table.find(id)).execute(conn)?;
        record_change(conn, admin.0.id, &format!("output {id} deleted"))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A button output, or 404/409.
async fn button(state: &AppState, id: i32, verb: &str) -> Result<(), ApiError> {
    let row = transact(&state.db, move |conn| entity::find::<Output>(conn, id)).await?;
    if row.trigger_type != OutputTrigger::Button {
        return Err(ApiError::Conflict(format!(
            "Only buttons can be {verb} manually"
        )));
    }
    Ok(())
}

/// `PUT /api/output/<id>/activate`.
#[put("/output/{id:\\d+}/activate")]
async fn activate_output(
    state: web::Data<AppState>,
    _: UserToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let output_id = id.into_inner();
    button(&state, output_id, "activated").await?;
    ask(&state, Command::ActivateOutput { output_id }).await
}

/// `PUT /api/output/<id>/deactivate`.
#[put("/output/{id:\\d+}/deactivate")]
async fn deactivate_output(
    state: web::Data<AppState>,
    _: UserToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let output_id = id.into_inner();
    button(&state, output_id, "deactivated").await?;
    ask(&state, Command::DeactivateOutput { output_id }).await
}

/// `PUT /api/output/reorder` `[{"id","uiOrder"}]` → `""`.
#[put("/output/reorder")]
async fn reorder_outputs(
    state: web::Data<AppState>,
    _: AdminToken,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    reorder!(&state.db, body.into_inner(), output)
}
