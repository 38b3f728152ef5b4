//! The route table: every resource module mounts itself under `/api`; anything
//! else answers ArPI's 404 `Invalid route`.

use actix_web::web;

use crate::error::ApiError;

pub mod alerts;
pub mod areas;
pub mod cards;
pub mod catalog;
pub mod changes;
pub mod events;
pub mod generic;
pub mod health;
pub mod keypads;
pub mod monitoring;
pub mod outputs;
pub mod sensors;
pub mod ssh_keys;
pub mod user;
pub mod user_codes;
pub mod user_edit;
pub mod users;
pub mod zones;

/// Mounts every route.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .configure(alerts::config)
            .configure(areas::config)
            .configure(cards::config)
            .configure(catalog::config)
            .configure(events::config)
            .configure(generic::config)
            .configure(health::config)
            .configure(keypads::config)
            .configure(monitoring::config)
            .configure(outputs::config)
            .configure(sensors::config)
            .configure(ssh_keys::config)
            .configure(user::config)
            .configure(user_codes::config)
            .configure(user_edit::config)
            .configure(users::config)
            .configure(zones::config),
    )
    .default_service(web::to(invalid_route));
}

async fn invalid_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::InvalidRoute)
}
