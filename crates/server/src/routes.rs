//! The route table: every resource module mounts itself under `/api`; anything
//! else answers ArPI's 404 `Invalid route`.

use actix_web::web;

use crate::error::ApiError;

pub mod alerts;
pub mod areas;
pub mod arms;
pub mod cards;
pub mod catalog;
pub mod changes;
pub mod clock;
pub mod config_options;
pub mod config_tools;
pub mod events;
pub mod generic;
pub mod health;
pub mod keypads;
pub mod lockouts;
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
    // Malformed bodies, query strings and paths: 400 with a JSON error.
    cfg.app_data(
        web::JsonConfig::default()
            .error_handler(|e, _| ApiError::BadRequest(format!("Invalid JSON body: {e}")).into()),
    )
    .app_data(
        web::QueryConfig::default().error_handler(|e, _| {
            ApiError::BadRequest(format!("Invalid query string: {e}")).into()
        }),
    )
    .app_data(
        web::PathConfig::default()
            .error_handler(|e, _| ApiError::BadRequest(format!("Invalid path: {e}")).into()),
    );
    cfg.service(
        web::scope("/api")
            .configure(alerts::config)
            .configure(areas::config)
            .configure(arms::config)
            .configure(cards::config)
            .configure(catalog::config)
            .configure(clock::config)
            .configure(config_tools::config)
            .configure(config_options::config)
            .configure(events::config)
            .configure(lockouts::config)
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
