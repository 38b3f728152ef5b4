//! `/api/nodes` (argus addition, admin): remote nodes. Registering one
//! returns its token, once (only its SHA-256 is kept); a node's inputs are
//! mapped to sensors (`channel` empty), which the monitor then treats like
//! wired ones. The list says whether supervision sees each node online.

use std::collections::BTreeMap;

use actix_web::{delete, get, post, put, web, HttpResponse};
use argus_db::models::{NewNode, NodeInput, NodeRow, Sensor};
use argus_protocol::Command;
use chrono::{DateTime, Duration, Utc};
use diesel::pg::PgConnection;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::services::nodes::new_token;
use crate::services::shapes::local;
use crate::state::AppState;
use crate::store::{query, transact};

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_nodes)
        .service(create_node)
        .service(update_node)
        .service(new_node_token)
        .service(revoke_node_tokens);
}

/// A node's settings (create: `name` required; update: any).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NodeEdit {
    name: Option<String>,
    description: Option<String>,
    /// The RockBLOCK modem's IMEI (15 digits), if it reports by satellite.
    imei: Option<String>,
    /// Expected heartbeat, seconds (default 15).
    heartbeat_seconds: Option<i32>,
    /// Offline after this many seconds without a sign of life (default 30).
    timeout_seconds: Option<i32>,
    enabled: Option<bool>,
    /// An MQTT device's availability topic (`zigbee2mqtt/door/availability`).
    mqtt_availability: Option<String>,
    /// The node's input names → `sensor.id`, or for an input read from MQTT
    /// `{"sensor", "mqtt_topic", "json_pointer", "active_value"}`.
    #[schema(value_type = Option<BTreeMap<String, Object>>)]
    inputs: Option<BTreeMap<String, InputSpec>>,
    /// How long the issued token lives, days (1–3650, default 365).
    token_days: Option<i64>,
}

/// One input: a sensor, and where an MQTT input's state is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum InputSpec {
    /// `sensor.id` alone (HTTP, WebSocket, satellite).
    Sensor(i32),
    /// Read from an MQTT topic.
    Mqtt {
        sensor: i32,
        mqtt_topic: String,
        json_pointer: Option<String>,
        active_value: Option<String>,
    },
}

fn checked_topic(topic: &str, what: &str) -> Result<(), ApiError> {
    // Wildcards would map many devices to one sensor.
    if topic.is_empty() || topic.len() > 256 || topic.contains(['+', '#', '\0']) {
        return Err(ApiError::BadRequest(format!(
            "{what}: an MQTT topic of 1 to 256 characters without wildcards"
        )));
    }
    Ok(())
}

fn checked(edit: &NodeEdit, current: Option<&NodeRow>) -> Result<(i32, i32), ApiError> {
    if let Some(name) = &edit.name {
        if name.trim().is_empty() || name.len() > 64 {
            return Err(ApiError::BadRequest("name: 1 to 64 characters".into()));
        }
    }
    if let Some(imei) = &edit.imei {
        if imei.len() != 15 || !imei.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::BadRequest("imei: 15 digits".into()));
        }
    }
    let heartbeat = edit
        .heartbeat_seconds
        .or(current.map(|n| n.heartbeat_seconds))
        .unwrap_or(15);
    let timeout = edit
        .timeout_seconds
        .or(current.map(|n| n.timeout_seconds))
        .unwrap_or(30);
    if !(1..=86_400).contains(&heartbeat) || timeout <= heartbeat || timeout > 604_800 {
        return Err(ApiError::BadRequest(
            "heartbeat_seconds 1–86400 and timeout_seconds above it (at most 604800)".into(),
        ));
    }
    if let Some(topic) = &edit.mqtt_availability {
        checked_topic(topic, "mqtt_availability")?;
    }
    for (name, spec) in edit.inputs.iter().flatten() {
        if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ApiError::BadRequest(
                "inputs: names of 1 to 64 printable ASCII characters".into(),
            ));
        }
        if let InputSpec::Mqtt {
            mqtt_topic,
            json_pointer,
            active_value,
            ..
        } = spec
        {
            checked_topic(mqtt_topic, "mqtt_topic")?;
            if json_pointer
                .as_ref()
                .is_some_and(|p| !p.starts_with('/') || p.len() > 128)
            {
                return Err(ApiError::BadRequest(
                    "json_pointer: a JSON pointer such as /contact".into(),
                ));
            }
            if active_value.as_ref().is_some_and(|v| v.len() > 64) {
                return Err(ApiError::BadRequest(
                    "active_value: at most 64 characters".into(),
                ));
            }
        }
    }
    Ok((heartbeat, timeout))
}

fn token_lifetime(edit: &NodeEdit) -> Result<Duration, ApiError> {
    match edit.token_days.unwrap_or(365) {
        days @ 1..=3650 => Ok(Duration::days(days)),
        _ => Err(ApiError::BadRequest("token_days: 1 to 3650".into())),
    }
}

/// Maps `inputs` to live sensors, or says which is not one.
fn set_inputs(
    c: &mut PgConnection,
    node: i32,
    inputs: &BTreeMap<String, InputSpec>,
) -> Result<(), ApiError> {
    let rows: Vec<NodeInput> = inputs
        .iter()
        .map(|(input, spec)| match spec.clone() {
            InputSpec::Sensor(sensor_id) => NodeInput {
                node_id: node,
                input: input.clone(),
                sensor_id,
                mqtt_topic: None,
                json_pointer: None,
                active_value: None,
            },
            InputSpec::Mqtt {
                sensor,
                mqtt_topic,
                json_pointer,
                active_value,
            } => NodeInput {
                node_id: node,
                input: input.clone(),
                sensor_id: sensor,
                mqtt_topic: Some(mqtt_topic),
                json_pointer,
                active_value,
            },
        })
        .collect();
    for row in &rows {
        if Sensor::find_live(c, row.sensor_id)?.is_none() {
            return Err(ApiError::BadRequest(format!(
                "inputs: no sensor {} (for '{}')",
                row.sensor_id, row.input
            )));
        }
    }
    NodeRow::set_inputs(c, node, &rows).map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ApiError::Conflict("inputs: a sensor is already another node's input".into()),
        other => other.into(),
    })
}

fn issue_token(
    c: &mut PgConnection,
    node: i32,
    lifetime: Duration,
) -> Result<(String, DateTime<Utc>), ApiError> {
    let token = new_token()?;
    let expires = Utc::now() + lifetime;
    NodeRow::add_token(c, node, &token, expires)?;
    Ok((token, expires))
}

fn shape(node: &NodeRow, inputs: &[NodeInput], online: Option<bool>) -> Value {
    let now = Utc::now();
    let recent = node
        .last_seen
        .is_some_and(|t| (now - t).num_seconds() < i64::from(node.timeout_seconds));
    json!({
        "id": node.id, "name": node.name, "description": node.description, "imei": node.imei,
        "heartbeat_seconds": node.heartbeat_seconds, "timeout_seconds": node.timeout_seconds,
        "enabled": node.enabled, "firmware": node.firmware,
        "last_seen": local(node.last_seen), "last_address": node.last_address,
        "online": online.unwrap_or(recent && node.enabled),
        "mqtt_availability": node.mqtt_availability,
        "inputs": inputs.iter().filter(|i| i.node_id == node.id)
            .map(|i| (i.input.clone(), match &i.mqtt_topic {
                None => json!(i.sensor_id),
                Some(topic) => json!({"sensor": i.sensor_id, "mqtt_topic": topic,
                    "json_pointer": i.json_pointer, "active_value": i.active_value}),
            })).collect::<serde_json::Map<_, _>>(),
    })
}

/// The monitor's supervision, by node id (`None` when it does not answer:
/// then `last_seen` decides).
async fn supervision(state: &AppState) -> BTreeMap<i64, bool> {
    let Ok(reply) = state.monitor.call(Command::NodesGetStatus).await else {
        return BTreeMap::new();
    };
    reply
        .value
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|n| Some((n.get("id")?.as_i64()?, n.get("online")?.as_bool()?)))
        .collect()
}

/// `GET /api/nodes`.
#[get("/nodes")]
async fn list_nodes(state: web::Data<AppState>, _: AdminToken) -> Result<HttpResponse, ApiError> {
    let (nodes, inputs) = query(&state.db, |c| Ok((NodeRow::all(c)?, NodeRow::inputs(c)?))).await?;
    let online = supervision(&state).await;
    let list: Vec<Value> = nodes
        .iter()
        .map(|n| shape(n, &inputs, online.get(&i64::from(n.id)).copied()))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Reloads the monitor's configuration (best effort: it also reloads at start).
async fn reload(state: &AppState) {
    if let Err(e) = state.monitor.call(Command::MonitorUpdateConfig).await {
        tracing::warn!(error = %e, "the monitor did not take the node change yet");
    }
}

/// `POST /api/nodes` → 201 with the node and its token (shown only now).
#[post("/nodes")]
async fn create_node(
    state: web::Data<AppState>,
    _: AdminToken,
    body: web::Json<NodeEdit>,
) -> Result<HttpResponse, ApiError> {
    let edit = body.into_inner();
    let name = edit
        .name
        .clone()
        .ok_or_else(|| ApiError::BadRequest("name is required".into()))?;
    let (heartbeat, timeout) = checked(&edit, None)?;
    let lifetime = token_lifetime(&edit)?;
    let (node, inputs, token, expires) = transact(&state.db, move |c| {
        let node = NodeRow::create(
            c,
            &NewNode {
                name: name.trim(),
                description: edit.description.as_deref(),
                imei: edit.imei.as_deref(),
                heartbeat_seconds: heartbeat,
                timeout_seconds: timeout,
                mqtt_availability: edit.mqtt_availability.as_deref(),
            },
        )
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => ApiError::Conflict("a node with this name or IMEI exists".into()),
            other => other.into(),
        })?;
        set_inputs(c, node.id, &edit.inputs.unwrap_or_default())?;
        let (token, expires) = issue_token(c, node.id, lifetime)?;
        Ok((node, NodeRow::inputs(c)?, token, expires))
    })
    .await?;
    reload(&state).await;
    let mut body = shape(&node, &inputs, None);
    body["token"] = token.into();
    body["token_expires"] = local(Some(expires));
    Ok(HttpResponse::Created().json(body))
}

/// `PUT /api/nodes/{id}`: settings, inputs, enabled.
#[put("/nodes/{id}")]
async fn update_node(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
    body: web::Json<NodeEdit>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let edit = body.into_inner();
    let (node, inputs) = transact(&state.db, move |c| {
        use argus_db::schema::argus_node as n;
        use diesel::prelude::*;
        let current =
            NodeRow::find(c, id)?.ok_or_else(|| ApiError::NotFound("no such node".into()))?;
        let (heartbeat, timeout) = checked(&edit, Some(&current))?;
        diesel::update(n::table.find(id))
            .set((
                n::name.eq(edit
                    .name
                    .as_deref()
                    .map_or(current.name.as_str(), str::trim)),
                n::description.eq(edit.description.as_ref().or(current.description.as_ref())),
                n::imei.eq(edit.imei.as_ref().or(current.imei.as_ref())),
                n::heartbeat_seconds.eq(heartbeat),
                n::timeout_seconds.eq(timeout),
                n::enabled.eq(edit.enabled.unwrap_or(current.enabled)),
                n::mqtt_availability.eq(edit
                    .mqtt_availability
                    .as_ref()
                    .or(current.mqtt_availability.as_ref())),
            ))
            .execute(c)?;
        if let Some(inputs) = &edit.inputs {
            set_inputs(c, id, inputs)?;
        }
        let node =
            NodeRow::find(c, id)?.ok_or_else(|| ApiError::NotFound("no such node".into()))?;
        Ok((node, NodeRow::inputs(c)?))
    })
    .await?;
    state.shared.nodes.forget_tokens(id);
    reload(&state).await;
    Ok(HttpResponse::Ok().json(shape(&node, &inputs, None)))
}

/// `POST /api/nodes/{id}/token` → a new token; the node's other tokens are revoked.
#[post("/nodes/{id}/token")]
async fn new_node_token(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
    body: Option<web::Json<NodeEdit>>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lifetime = token_lifetime(&body.map(web::Json::into_inner).unwrap_or_default())?;
    let (token, expires) = transact(&state.db, move |c| {
        NodeRow::find(c, id)?.ok_or_else(|| ApiError::NotFound("no such node".into()))?;
        NodeRow::revoke_tokens(c, id, Utc::now())?;
        issue_token(c, id, lifetime)
    })
    .await?;
    state.shared.nodes.forget_tokens(id);
    reload(&state).await;
    Ok(HttpResponse::Ok().json(json!({ "token": token, "token_expires": local(Some(expires)) })))
}

/// `DELETE /api/nodes/{id}/token` → `{"revoked": n}`: the node is locked out.
#[delete("/nodes/{id}/token")]
async fn revoke_node_tokens(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let revoked = transact(&state.db, move |c| {
        NodeRow::find(c, id)?.ok_or_else(|| ApiError::NotFound("no such node".into()))?;
        Ok(NodeRow::revoke_tokens(c, id, Utc::now())?)
    })
    .await?;
    state.shared.nodes.forget_tokens(id);
    // The monitor drops the node's WebSocket when its token is gone.
    reload(&state).await;
    Ok(HttpResponse::Ok().json(json!({ "revoked": revoked })))
}
