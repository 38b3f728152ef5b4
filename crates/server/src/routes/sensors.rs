//! Sensors, one resource in two files: listing them ([`list`]) and editing
//! them ([`edit`]).

use actix_web::web;

pub mod edit;
pub mod list;

/// Mounts the routes of this resource.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.configure(list::config).configure(edit::config);
}
