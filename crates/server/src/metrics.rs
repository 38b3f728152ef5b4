//! `GET /metrics` (Prometheus text) on the server's own listener, which
//! nginx does not proxy: whether PostgreSQL and the monitor answer, the
//! IPC round trip of this scrape, the monitoring state, the backlogs of the
//! job queue and the notification outbox (read when scraped), and how many
//! answers were refused for want of the database.

use std::fmt::Write;
use std::time::Instant;

use actix_web::{web, HttpResponse};
use argus_db::models::{JobRow, OutboxRow};
use argus_protocol::Command;

use crate::services::monitor::monitoring_state;
use crate::state::AppState;
use crate::store::query;

fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

/// The exposition.
pub async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    let mut out = String::new();
    let started = Instant::now();
    let reply = state.monitor.call(Command::MonitorGetState).await;
    let ipc = started.elapsed().as_secs_f64();
    gauge(
        &mut out,
        "argus_monitor_up",
        "The monitor answered this scrape.",
        u8::from(reply.is_ok()),
    );
    if let Ok(reply) = &reply {
        gauge(
            &mut out,
            "argus_ipc_round_trip_seconds",
            "This scrape's IPC round trip to the monitor.",
            ipc,
        );
        let _ = writeln!(
            out,
            "# HELP argus_monitoring_state The monitoring state (1 for the current one).\n# TYPE argus_monitoring_state gauge\nargus_monitoring_state{{state=\"{}\"}} 1",
            monitoring_state(reply)
        );
    }
    let backlogs = query(&state.db, |c| {
        Ok((JobRow::backlog(c)?.0, OutboxRow::backlog(c)?))
    })
    .await;
    gauge(
        &mut out,
        "argus_database_up",
        "PostgreSQL answered this scrape.",
        u8::from(backlogs.is_ok()),
    );
    let refused = crate::error::DATABASE_UNAVAILABLE.load(std::sync::atomic::Ordering::Relaxed);
    let _ = writeln!(
        out,
        "# HELP argus_database_errors_total Answers refused (503) because PostgreSQL did not answer.\n# TYPE argus_database_errors_total counter\nargus_database_errors_total {refused}"
    );
    if let Ok((jobs, outbox)) = backlogs {
        gauge(
            &mut out,
            "argus_job_backlog",
            "Jobs waiting (node intake, outbound sends).",
            jobs,
        );
        gauge(
            &mut out,
            "argus_notification_queue_depth",
            "Notifications waiting to be delivered.",
            outbox,
        );
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(out)
}
