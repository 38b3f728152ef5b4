//! The route table: every resource module mounts itself under `/api`. A path
//! that names a route of the table but with a parameter that is not a
//! number (`/api/user/abc`) is 400 naming the parameter; anything else
//! answers ArPI's 404 `Invalid route`.

use actix_web::web;

use crate::error::ApiError;

pub mod alerts;
pub mod areas;
pub mod arms;
pub mod cards;
pub mod clock;
pub mod config_options;
pub mod config_tools;
pub mod events;
pub mod firmware;
pub mod generic;
pub mod gsm;
pub mod health;
pub mod jobs;
pub mod keypads;
pub mod lockouts;
pub mod log_level;
pub mod monitoring;
pub mod node_commands;
pub mod node_intake;
pub mod nodes;
pub mod ota;
pub mod outputs;
pub mod rockblock;
pub mod sensors;
pub mod ssh_keys;
pub mod table;
pub mod telemetry;
pub mod telemetry_rules;
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
    .app_data(web::PathConfig::default().error_handler(|e, req| {
        let named = req
            .match_info()
            .iter()
            .find(|(_, v)| v.parse::<i32>().is_err())
            .map(|(name, value)| invalid_parameter(name, value));
        named
            .unwrap_or_else(|| ApiError::BadRequest(format!("Invalid path: {e}")))
            .into()
    }));
    cfg.service(
        web::scope("/api")
            .configure(alerts::config)
            .configure(areas::config)
            .configure(arms::config)
            .configure(cards::config)
            .configure(clock::config)
            .configure(config_tools::config)
            .configure(config_options::config)
            .configure(events::config)
            .configure(lockouts::config)
            .configure(log_level::config)
            .configure(generic::config)
            .configure(health::config)
            .configure(gsm::config)
            .configure(keypads::config)
            .configure(monitoring::config)
            .configure(jobs::config)
            .configure(nodes::config)
            .configure(node_intake::config)
            .configure(node_commands::config)
            .configure(rockblock::config)
            .configure(firmware::config)
            .configure(ota::config)
            .configure(outputs::config)
            .configure(sensors::config)
            .configure(ssh_keys::config)
            .configure(telemetry_rules::config)
            .configure(telemetry::config)
            .configure(users::config)
            .configure(zones::config),
    )
    .default_service(web::to(invalid_route));
}

fn invalid_parameter(name: &str, value: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "Invalid '{name}': expected a whole number (1 to 2147483647), got '{value}'"
    ))
}

/// The parameter of a route in the table that `path` names with a value
/// that is not a number, for `method`.
fn misnumbered(method: &str, path: &str) -> Option<(&'static str, String)> {
    let given: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    table::ROUTES
        .iter()
        .filter(|r| r.method == method)
        .find_map(|r| {
            let pattern: Vec<&str> = r.path.trim_end_matches('/').split('/').collect();
            if pattern.len() != given.len() {
                return None;
            }
            let mut bad = None;
            for (p, g) in pattern.iter().zip(&given) {
                match p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    Some(name) if g.parse::<u32>().is_err() && !g.is_empty() => {
                        bad.get_or_insert((name, (*g).to_owned()));
                    }
                    Some(_) => {}
                    None if p != g => return None,
                    None => {}
                }
            }
            bad
        })
}

async fn invalid_route(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    match misnumbered(req.method().as_str(), req.path()) {
        Some((name, value)) => Err(invalid_parameter(name, &value)),
        None => Err(ApiError::InvalidRoute),
    }
}

#[cfg(test)]
mod tests {
    use super::misnumbered;

    #[test]
    fn a_parameter_that_is_not_a_number_is_named() {
        assert_eq!(
            misnumbered("GET", "/api/user/abc"),
            Some(("id", "abc".to_owned()))
        );
        assert_eq!(
            misnumbered("PUT", "/api/sensor/x%20y"),
            Some(("id", "x%20y".to_owned()))
        );
        assert_eq!(
            misnumbered("GET", "/api/user/12"),
            None,
            "a number is no error"
        );
        assert_eq!(misnumbered("GET", "/api/nothing/abc"), None);
        assert_eq!(misnumbered("PATCH", "/api/user/abc"), None);
    }
}
