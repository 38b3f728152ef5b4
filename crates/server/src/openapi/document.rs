//! The OpenAPI 3 document made from [`crate::routes::table::ROUTES`] and the shapes of
//! [`super::schemas`]: security by guard, the error responses every guard
//! can give, path and query parameters, bodies and typed responses.

use serde_json::{json, Map, Value};

use super::schemas;
use crate::routes::table::{Auth, Route, ROUTES};

fn security(auth: Auth) -> Value {
    match auth {
        Auth::None => json!([]),
        Auth::Device => json!([{ "deviceToken": [] }]),
        Auth::User => json!([{ "userToken": [] }]),
        Auth::Admin => json!([{ "adminToken": [] }]),
        Auth::Node => json!([{ "nodeToken": [] }]),
    }
}

fn responses(auth: Auth) -> Value {
    let mut r = Map::new();
    r.insert("200".into(), json!({ "description": "Success" }));
    r.insert(
        "400".into(),
        json!({ "$ref": "#/components/responses/BadRequest" }),
    );
    if auth != Auth::None {
        r.insert(
            "403".into(),
            json!({ "$ref": "#/components/responses/Refused" }),
        );
    }
    if matches!(auth, Auth::User | Auth::Admin | Auth::Node) {
        r.insert(
            "401".into(),
            json!({ "$ref": "#/components/responses/Expired" }),
        );
    }
    Value::Object(r)
}

/// A path parameter's schema: ids are `1..=i32::MAX`; option names and
/// sections are those of the registry.
fn path_schema(name: &str) -> Value {
    let names = |f: fn(&argus_protocol::options::Section) -> &'static str| {
        let mut v: Vec<&str> = argus_protocol::options::SECTIONS.iter().map(f).collect();
        v.push(if name == "name" {
            "mqtt"
        } else {
            "internal_read"
        });
        v.sort_unstable();
        v.dedup();
        v
    };
    match name {
        "id" => json!({ "type": "integer", "minimum": 1, "maximum": i32::MAX }),
        "name" => json!({ "type": "string", "enum": names(|s| s.name) }),
        "section" => json!({ "type": "string", "enum": names(|s| s.section) }),
        _ => json!({ "type": "string" }),
    }
}

fn parameters(route: &Route, detail: &schemas::Detail) -> Value {
    let mut params: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": path_schema(name) }))
        .collect();
    params.extend(detail.query.map(|q| q()).unwrap_or_default());
    Value::Array(params)
}

/// The operation object of `route`.
fn operation(route: &Route) -> Value {
    let detail = schemas::of(route.method, route.path);
    let mut responses = responses(route.auth);
    if let (Some(schema), Value::Object(r)) = (detail.response, &mut responses) {
        r.insert(
            "200".into(),
            json!({ "description": "Success", "content": { "application/json": { "schema": schema() } } }),
        );
    }
    let mut op = json!({
        "summary": route.summary,
        "security": security(route.auth),
        "parameters": parameters(route, &detail),
        "responses": responses,
    });
    if let Some(body) = detail.body {
        op["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": body() } } });
    }
    op
}

/// The OpenAPI 3 document of [`ROUTES`].
pub fn document(version: &str) -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let entry = paths
            .entry(route.path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(methods) = entry {
            methods.insert(route.method.to_ascii_lowercase(), operation(route));
        }
    }
    let bearer = json!({ "type": "http", "scheme": "bearer", "bearerFormat": "JWT" });
    let error = json!({ "type": "object", "properties": { "error": { "type": "string" } } });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "argus REST API",
            "version": version,
            "description": "ArPI-compatible home-security API. Device tokens come from \
                POST /api/user/register_device, user tokens (15 min, renewed in the \
                User-Token response header) from POST /api/user/authenticate.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "deviceToken": bearer, "userToken": bearer, "adminToken": bearer,
                "nodeToken": { "type": "http", "scheme": "bearer" },
            },
            "schemas": { "Error": error },
            "responses": {
                "BadRequest": { "description": "Invalid request", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "Refused": { "description": "Missing or wrong token, or role", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "Expired": { "description": "User token expired", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        },
    })
}
