//! What the routes of [`crate::routes::table::ROUTES`] take and give, from the Rust types
//! that parse and build them (utoipa derives on the route modules' body and
//! query structs; the option registry for option sections), so
//! `/api/openapi.json` tells a client, and schemathesis, what to send.

use serde_json::{json, Value};
use utoipa::openapi::path::ParameterIn;

use crate::routes::{
    alerts, areas, arms, cards, clock, config_tools, events, firmware, jobs, lockouts, log_level,
    monitoring, node_commands, node_intake, nodes, ota, outputs, sensors, telemetry,
    telemetry_rules, users, zones,
};

/// The request and response shapes of one route.
#[derive(Clone, Copy)]
pub struct Detail {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// As in [`crate::routes::table::ROUTES`].
    pub path: &'static str,
    /// The JSON body's schema.
    pub body: Option<fn() -> Value>,
    /// Query parameters (OpenAPI parameter objects).
    pub query: Option<fn() -> Vec<Value>>,
    /// The 200 response's schema.
    pub response: Option<fn() -> Value>,
}

fn schema<T: utoipa::PartialSchema>() -> Value {
    serde_json::to_value(T::schema()).unwrap_or_default()
}

fn params<T: utoipa::IntoParams>() -> Vec<Value> {
    T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect()
}

fn list<T: utoipa::PartialSchema>() -> Value {
    json!({ "type": "array", "items": schema::<T>() })
}

/// Any registered option section (PUT bodies are merged field by field).
fn option_section() -> Value {
    json!({ "oneOf": argus_protocol::options::SECTIONS.iter().map(|s| s.json_schema()).collect::<Vec<_>>() })
}

/// A route with nothing typed (the start of every entry).
const NOTHING: Detail = Detail {
    method: "",
    path: "",
    body: None,
    query: None,
    response: None,
};

const fn body(method: &'static str, path: &'static str, body: fn() -> Value) -> Detail {
    Detail {
        method,
        path,
        body: Some(body),
        ..NOTHING
    }
}

const fn query(method: &'static str, path: &'static str, query: fn() -> Vec<Value>) -> Detail {
    Detail {
        method,
        path,
        query: Some(query),
        ..NOTHING
    }
}

const fn response(method: &'static str, path: &'static str, response: fn() -> Value) -> Detail {
    Detail {
        method,
        path,
        response: Some(response),
        ..NOTHING
    }
}

/// `argus_protocol::nodes::EventBatch` (the protocol crate has no schema derive).
fn event_batch() -> Value {
    let max = argus_protocol::nodes::MAX_BATCH;
    let name = argus_protocol::nodes::MAX_INPUT_NAME;
    json!({
        "type": "object", "required": ["events"], "additionalProperties": false,
        "properties": { "events": { "type": "array", "minItems": 1, "maxItems": max, "items": {
            "type": "object", "required": ["seq", "input", "state"], "additionalProperties": false,
            "properties": {
                "seq": { "type": "integer", "minimum": 0 },
                "input": { "type": "string", "minLength": 1, "maxLength": name, "pattern": "^[!-~]+$" },
                "state": { "oneOf": [
                    { "type": "string", "enum": ["active", "idle", "cut", "short", "open", "closed", "on", "off"] },
                    { "type": "boolean" },
                ] },
                "time": { "type": "string", "format": "date-time" },
            },
        } } },
    })
}

/// Every route with a typed body, query or response.
pub const DETAILS: &[Detail] = &[
    body(
        "POST",
        "/api/user/register_device",
        schema::<users::login::RegisterBody>,
    ),
    body(
        "POST",
        "/api/user/authenticate",
        schema::<users::login::AuthenticateBody>,
    ),
    body("POST", "/api/users", schema::<users::write::NewUserBody>),
    body("POST", "/api/areas/", schema::<areas::AreaEdit>),
    body("PUT", "/api/area/{id}", schema::<areas::AreaEdit>),
    body(
        "PUT",
        "/api/areas/reorder",
        list::<crate::services::changes::Order>,
    ),
    body("POST", "/api/zones/", schema::<zones::ZoneEdit>),
    body("PUT", "/api/zone/{id}", schema::<zones::ZoneEdit>),
    body(
        "PUT",
        "/api/zones/reorder",
        list::<crate::services::changes::Order>,
    ),
    body("POST", "/api/sensors/", schema::<sensors::edit::SensorEdit>),
    body(
        "PUT",
        "/api/sensor/{id}",
        schema::<sensors::edit::SensorPut>,
    ),
    body(
        "PUT",
        "/api/sensor/reorder",
        list::<crate::services::changes::Order>,
    ),
    body("POST", "/api/outputs/", schema::<outputs::OutputEdit>),
    body("PUT", "/api/output/{id}", schema::<outputs::OutputEdit>),
    body(
        "PUT",
        "/api/output/reorder",
        list::<crate::services::changes::Order>,
    ),
    body("PUT", "/api/clock", schema::<clock::ClockBody>),
    body("PUT", "/api/config/{name}/{section}", option_section),
    query("PUT", "/api/monitoring/arm", params::<monitoring::ArmQuery>),
    query("PUT", "/api/area/arm", params::<areas::AreaQuery>),
    query("PUT", "/api/area/disarm", params::<areas::AreaQuery>),
    query("GET", "/api/arms", params::<arms::ArmsQuery>),
    query("GET", "/api/arms/count", params::<arms::ArmsQuery>),
    query("GET", "/api/alerts", params::<alerts::Page>),
    query("GET", "/api/events", params::<events::EventQuery>),
    query("GET", "/api/jobs/errors", params::<jobs::ErrorsQuery>),
    body("PUT", "/api/log_level", schema::<log_level::LogLevel>),
    body("POST", "/api/nodes", schema::<nodes::NodeEdit>),
    body("POST", "/api/firmware", schema::<firmware::NewFirmware>),
    body("POST", "/api/nodes/{id}/ota", schema::<ota::StartUpdate>),
    body(
        "POST",
        "/api/nodes/{id}/ota/complete",
        schema::<ota::Completion>,
    ),
    body(
        "POST",
        "/api/nodes/{id}/commands",
        schema::<node_commands::CommandBody>,
    ),
    body("PUT", "/api/nodes/{id}", schema::<nodes::NodeEdit>),
    body("POST", "/api/nodes/{id}/events", event_batch),
    body(
        "POST",
        "/api/nodes/{id}/heartbeat",
        schema::<node_intake::Heartbeat>,
    ),
    query("GET", "/api/cards", params::<cards::CardsQuery>),
    query(
        "GET",
        "/api/config/test_syren",
        params::<config_tools::SirenQuery>,
    ),
    query(
        "GET",
        "/api/user/{id}/registration_code",
        params::<users::codes::ExpiryQuery>,
    ),
    query(
        "POST",
        "/api/user/{id}/mcp_token",
        params::<users::codes::TtlQuery>,
    ),
    query("DELETE", "/api/lockouts", params::<lockouts::ClearQuery>),
    response(
        "GET",
        "/api/sensors/",
        list::<crate::services::shapes::SensorJson>,
    ),
    response(
        "GET",
        "/api/sensor/{id}",
        schema::<crate::services::shapes::SensorJson>,
    ),
    body("POST", "/api/telemetry", schema::<telemetry::Batch>),
    query(
        "GET",
        "/api/telemetry/{sensor}",
        params::<telemetry::HistoryQuery>,
    ),
    query(
        "GET",
        "/api/telemetry/{sensor}/chart.svg",
        params::<telemetry::HistoryQuery>,
    ),
    body(
        "POST",
        "/api/telemetry/rules",
        schema::<telemetry_rules::RuleEdit>,
    ),
    body(
        "PUT",
        "/api/telemetry/rules/{id}",
        schema::<telemetry_rules::RuleEdit>,
    ),
];

/// The details of `method path`, merged (a route may have a body and a query).
pub fn of(method: &str, path: &str) -> Detail {
    let mut merged = NOTHING;
    for d in DETAILS
        .iter()
        .filter(|d| d.method == method && d.path == path)
    {
        merged.body = merged.body.or(d.body);
        merged.query = merged.query.or(d.query);
        merged.response = merged.response.or(d.response);
    }
    merged
}
