//! `GET /api/health`: whether the database and the monitor answer (200
//! when both do, 503 otherwise; the body says which), and the modem's
//! summary (a modem in trouble is reported, not a 503: the alarm works).
//! For supervisors and load balancers (argus): `GET /api/health/live` (the
//! process answers) and `GET /api/health/ready` (database, monitor and a job
//! queue that keeps up, 503 otherwise).

use actix_web::{get, web, HttpResponse};
use argus_protocol::wire::ModemStatus;
use argus_protocol::Command;
use serde_json::{json, Value};

use crate::state::AppState;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(get_health).service(live).service(ready);
}

async fn database(state: &AppState) -> Value {
    let pool = state.db.clone();
    let checked = web::block(move || -> Result<usize, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        argus_db::migrate::pending(&mut conn)
            .map(|p| p.len())
            .map_err(|e| e.to_string())
    })
    .await;
    match checked {
        Ok(Ok(pending)) => json!({ "up": true, "pending_migrations": pending }),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health: database down");
            json!({ "up": false })
        }
        Err(e) => {
            tracing::warn!(error = %e, "health: database check failed");
            json!({ "up": false })
        }
    }
}

/// The MQTT session: enabled, connected, and why not.
async fn mqtt(state: &AppState) -> Value {
    match state.monitor.call(Command::MqttGetStatus).await {
        Ok(reply) if reply.result => reply.value.unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// The modem's summary (its last error only on `/api/gsm`, behind a token).
async fn modem(state: &AppState) -> Value {
    match state.monitor.call(Command::GsmGetStatus).await {
        Ok(reply) if reply.result => {
            let status: ModemStatus = reply
                .value
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            json!({ "enabled": status.enabled, "reachable": status.reachable,
                "registration": status.registration, "signal": status.signal })
        }
        _ => Value::Null,
    }
}

async fn monitor(state: &AppState) -> Value {
    match state.monitor.call(Command::MonitorGetState).await {
        Ok(reply) if reply.result => {
            json!({ "up": true, "state": reply.value.and_then(|v| v.get("state").cloned()) })
        }
        Ok(reply) => json!({ "up": false, "error": reply.message }),
        Err(e) => {
            tracing::warn!(error = %e, "health: monitor down");
            json!({ "up": false })
        }
    }
}

/// `GET /api/health`.
#[get("/health")]
async fn get_health(state: web::Data<AppState>) -> HttpResponse {
    let (database, monitor, modem, mqtt) = tokio::join!(
        database(&state),
        monitor(&state),
        modem(&state),
        mqtt(&state)
    );
    let up = database["up"] == json!(true) && monitor["up"] == json!(true);
    let body = json!({
        "status": if up { "ok" } else { "degraded" },
        "version": crate::VERSION,
        "database": database,
        "monitor": monitor,
        "modem": modem,
        "mqtt": mqtt,
    });
    if up {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// More unfinished jobs than this, or one older than [`STALE_JOB`], and the
/// server is not ready (the monitor is not keeping up).
const BACKLOG_LIMIT: i64 = 1_000;
/// How old the oldest unfinished job may be.
const STALE_JOB: chrono::Duration = chrono::Duration::minutes(5);

/// `GET /api/health/live`: the process answers.
#[get("/health/live")]
async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "live": true }))
}

async fn queue(state: &AppState) -> Value {
    let backlog = crate::store::query(&state.db, argus_db::models::JobRow::backlog).await;
    match backlog {
        Ok((count, oldest)) => {
            let stale = oldest.is_some_and(|t| chrono::Utc::now() - t > STALE_JOB);
            json!({ "up": count <= BACKLOG_LIMIT && !stale, "backlog": count,
                    "oldest": crate::services::shapes::local(oldest) })
        }
        Err(_) => json!({ "up": false }),
    }
}

/// `GET /api/health/ready`: 200 when the database, the monitor and the job
/// queue are all right, else 503; the body says which is not.
#[get("/health/ready")]
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let (database, monitor, queue) = tokio::join!(database(&state), monitor(&state), queue(&state));
    let up = [&database, &monitor, &queue]
        .iter()
        .all(|part| part["up"] == json!(true));
    let body = json!({ "ready": up, "database": database, "monitor": monitor, "queue": queue });
    if up {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
