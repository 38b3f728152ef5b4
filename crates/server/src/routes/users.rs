//! Users, one resource in four files: reading them ([`read`]), writing them
//! ([`write`](mod@write)), their registration code and MCP tokens ([`codes`]), and
//! logging in with a registration code or a PIN ([`login`]).

use actix_web::web;
use serde_json::Value;

pub mod codes;
pub mod login;
pub mod read;
pub mod write;

/// Mounts the routes of this resource.
pub fn config(cfg: &mut web::ServiceConfig) {
    // ArPI's registration order, so literal paths still win over `{id}`.
    cfg.configure(login::config)
        .configure(codes::config)
        .configure(write::config)
        .configure(read::config);
}

/// A PIN given as a JSON string or number (ArPI accepts both).
pub fn pin_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
