//! The clock (contract §5.10): reading it (admin) and setting the zone or
//! time, or syncing from NTP, through the monitor (admin; ArPI let anyone
//! set the clock). The monitor validates and runs the tools with argv only.

use actix_web::{get, put, web, HttpResponse};
use argus_protocol::Command;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Instant;

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::services::monitor::ask;
use crate::state::AppState;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(sync_clock)
        .service(get_clock)
        .service(set_clock);
}

/// When this process started serving (for `uptime_server`).
pub fn started() -> Instant {
    static STARTED: OnceLock<Instant> = OnceLock::new();
    *STARTED.get_or_init(Instant::now)
}

/// The IANA zone: `/etc/timezone`, else the `/etc/localtime` link, else UTC.
fn timezone() -> String {
    if let Ok(tz) = std::fs::read_to_string("/etc/timezone") {
        let tz = tz.trim();
        if !tz.is_empty() {
            return tz.to_owned();
        }
    }
    std::fs::read_link("/etc/localtime")
        .ok()
        .and_then(|p| {
            let s = p.to_string_lossy().into_owned();
            s.split_once("zoneinfo/").map(|(_, zone)| zone.to_owned())
        })
        .unwrap_or_else(|| "UTC".into())
}

/// The RTC's time (`YYYY-MM-DD HH:MM:SS`, UTC as the kernel keeps it), if one exists.
fn hardware_clock() -> Option<String> {
    let date = std::fs::read_to_string("/sys/class/rtc/rtc0/date").ok()?;
    let time = std::fs::read_to_string("/sys/class/rtc/rtc0/time").ok()?;
    Some(format!("{} {}", date.trim(), time.trim()))
}

fn uptime() -> Option<f64> {
    std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `GET /api/clock` → zone, system time, RTC, uptimes. `network` (an SNTP
/// query) and the other services' uptimes are `null`: argus does not reach
/// out to the Internet or to systemd for a status page.
#[get("/clock")]
async fn get_clock(_: AdminToken) -> Result<HttpResponse, ApiError> {
    let body = web::block(|| {
        json!({
            "timezone": timezone(),
            "system": chrono::Local::now().format("%Y-%m-%d %H:%M:%S %z").to_string(),
            "hw": hardware_clock(),
            "network": Value::Null,
            "uptime": uptime(),
            "uptime_server": started().elapsed().as_secs(),
            "uptime_mcp": Value::Null,
            "uptime_monitor": Value::Null,
            "uptime_nginx": Value::Null,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ClockBody {
    timezone: Option<String>,
    datetime: Option<String>,
}

/// `PUT /api/clock` `{"timezone"?, "datetime"?}` (admin).
#[put("/clock")]
async fn set_clock(
    state: web::Data<AppState>,
    _: AdminToken,
    body: web::Json<ClockBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.timezone.is_none() && body.datetime.is_none() {
        return Err(ApiError::BadRequest(
            "Nothing to set: timezone or datetime".into(),
        ));
    }
    let command = Command::MonitorSetClock {
        timezone: body.timezone,
        datetime: body.datetime,
    };
    ask(&state, command).await
}

/// `PUT /api/clock/sync` (admin; the web app calls it, ArPI had none).
#[put("/clock/sync")]
async fn sync_clock(state: web::Data<AppState>, _: AdminToken) -> Result<HttpResponse, ApiError> {
    ask(&state, Command::MonitorSyncClock).await
}
