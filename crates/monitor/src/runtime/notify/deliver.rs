//! Delivery: one lane per way out (the modem for SMS and calls, e-mail, the
//! webhook, the receiving centre, whose lane also sends the link tests, and
//! the satellite), each taking the oldest due outbox row of its channels, sending
//! it and recording the outcome before the next, so a dead SMTP server never
//! holds up an SMS. A failed attempt is retried with exponential back-off;
//! after the last one the row is `failed` and a `notification_failed` event
//! is recorded and broadcast. The row is marked sent only after the send:
//! a monitor killed in between sends it again after the restart (at least
//! once; see ARCHITECTURE.md), and a database that fails the mark is retried
//! in memory, never answered by sending again.

use argus_db::models::OutboxRow;
use argus_db::records;
use argus_db::DbPool;
use chrono::Utc;
use diesel::Connection;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

use super::plan::Channel;
use crate::db::{self, blocking};
use crate::devices::gsm::{sms, GsmHandle};
use crate::runtime::live::LiveEvent;
use crate::runtime::metrics::METRICS;
use crate::services::sia::codes::{Event, Report};
use crate::services::sia::{SiaOption, Transmitter};
use crate::services::{email, rockblock, webhook};

/// Retries: the first after `first`, each later one twice as late (at most
/// ten minutes), `attempts` in all.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// Delay before the second attempt.
    pub first: Duration,
    /// Attempts before a row is `failed`.
    pub attempts: i32,
}

impl Default for Backoff {
    /// 10 s, 20 s, 40 s, … 10 min: 12 attempts span about an hour.
    fn default() -> Self {
        Self {
            first: Duration::from_secs(10),
            attempts: 12,
        }
    }
}

impl Backoff {
    /// The wait after attempt number `made` failed; `None` after the last.
    pub fn after(&self, made: i32) -> Option<Duration> {
        if made >= self.attempts {
            return None;
        }
        let doubling = u32::try_from(made.saturating_sub(1)).unwrap_or(0).min(16);
        Some(
            self.first
                .saturating_mul(1 << doubling)
                .min(Duration::from_secs(600)),
        )
    }
}

/// What the lanes send with.
#[derive(Debug, Clone)]
pub struct Outlets {
    /// The outbox and the options.
    pub pool: DbPool,
    /// The modem.
    pub gsm: GsmHandle,
    /// `notification_failed` for browsers.
    pub live: broadcast::Sender<LiveEvent>,
    /// Retry timing.
    pub backoff: Backoff,
}

/// The lanes and the channels each serves.
const LANES: [&[&str]; 5] = [
    &["sms", "call"],
    &["email"],
    &["webhook"],
    SIA_LANE,
    &["satellite"],
];
const SIA_LANE: &[&str] = &["sia"];

/// Tones played to the callee of an alarm call.
pub const CALL_TONES: &str = "9999";

/// The longest a lane sleeps without a nudge (a row queued by another
/// process, or a clock that jumped).
const IDLE_POLL: Duration = Duration::from_secs(60);

/// Starts every lane; `wake` is bumped when rows are queued.
pub fn spawn(outlets: Outlets, wake: watch::Receiver<u64>) {
    for channels in LANES {
        tokio::spawn(lane(outlets.clone(), channels, wake.clone()));
    }
}

async fn lane(outlets: Outlets, channels: &'static [&'static str], mut wake: watch::Receiver<u64>) {
    let mut sia = Transmitter::default();
    let mut link_test = None;
    loop {
        let next = blocking(&outlets.pool, move |conn| {
            OutboxRow::due(conn, channels, Utc::now(), 1)
        })
        .await;
        let wait = match next {
            Ok(mut rows) if !rows.is_empty() => {
                let row = rows.remove(0);
                let outcome = send(&outlets, &row, &mut sia).await;
                settle(&outlets, row, outcome).await;
                continue;
            }
            Ok(_) => blocking(&outlets.pool, move |conn| {
                OutboxRow::next_due(conn, channels)
            })
            .await
            .ok()
            .flatten()
            .map_or(IDLE_POLL, |at| {
                (at - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .min(IDLE_POLL)
            }),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the outbox; trying again");
                Duration::from_secs(2)
            }
        };
        let wait = if channels == SIA_LANE {
            wait.min(link_tested(&outlets, &mut sia, &mut link_test).await)
        } else {
            wait
        };
        tokio::select! {
            changed = wake.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Sends one row. A call counts only when the callee presses `1`; any other
/// digits (a PIN typed by mistake, or by a stranger) change nothing.
async fn send(outlets: &Outlets, row: &OutboxRow, sia: &mut Transmitter) -> Result<(), String> {
    match Channel::parse(&row.channel) {
        Some(Channel::Sms) => {
            for part in sms::parts(&row.body, 3) {
                outlets.gsm.send_sms(&row.recipient, &part).await?;
            }
            Ok(())
        }
        Some(Channel::Call) => {
            let digits = outlets.gsm.call(&row.recipient, CALL_TONES).await?;
            if digits.starts_with('1') {
                Ok(())
            } else {
                Err("the call was not acknowledged".into())
            }
        }
        Some(Channel::Email) => {
            let option: email::SmtpOption = db::option(&outlets.pool, "notifications", "smtp")
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            let subject = format!("[ArPI] {}", row.body.lines().next().unwrap_or("Alarm"));
            let (to, body) = (row.recipient.clone(), row.body.clone());
            run_blocking(move || {
                email::send(&option, &to, &subject, &body).map_err(|e| e.to_string())
            })
            .await
        }
        Some(Channel::Webhook) => {
            let option: super::plan::WebhookOption =
                db::option(&outlets.pool, "notifications", "webhook")
                    .await
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default();
            let (url, key, body) = (row.recipient.clone(), row.key.clone(), row.body.clone());
            run_blocking(move || {
                webhook::post(&url, option.secret.as_deref(), &key, &body)
                    .map_err(|e| e.to_string())
            })
            .await
        }
        Some(Channel::Sia) => {
            let option: SiaOption = db::option(&outlets.pool, "notifications", "sia")
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            let report: Report = serde_json::from_str(&row.body).map_err(|e| e.to_string())?;
            let which = sia.send(&option, &report).await?;
            tracing::info!(
                receiver = which,
                code = report.sia_code(),
                "the receiving centre acknowledged"
            );
            Ok(())
        }
        Some(Channel::Satellite) => {
            let option: rockblock::MtOption = db::option(&outlets.pool, "nodes", "rockblock")
                .await
                .map_err(|e| e.to_string())?
                .ok_or("nodes/rockblock does not read")?;
            let (imei, text) = (row.recipient.clone(), row.body.clone());
            run_blocking(move || {
                rockblock::send(&option, &imei, rockblock::clip(&text).as_bytes())
                    .map(drop)
                    .map_err(|e| e.to_string())
            })
            .await
        }
        None => Err(format!("unknown channel {}", row.channel)),
    }
}

/// Sends the link test when it is due (the first at start-up); returns how
/// long until the next. Its outcome is logged: the receiver supervises the
/// link by these tests, so a missing one is the centre's alarm, not ours.
async fn link_tested(
    outlets: &Outlets,
    sia: &mut Transmitter,
    due: &mut Option<tokio::time::Instant>,
) -> Duration {
    let option: SiaOption = db::option(&outlets.pool, "notifications", "sia")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let Ok(every) = u64::try_from(option.link_test_seconds) else {
        return IDLE_POLL;
    };
    if !option.enabled || every == 0 {
        *due = None;
        return IDLE_POLL;
    }
    let now = tokio::time::Instant::now();
    let at = *due.get_or_insert(now);
    if now >= at {
        let test = Report {
            event: Event::LinkTest,
            restore: false,
            area: 0,
            number: 0,
        };
        match sia.send(&option, &test).await {
            Ok(which) => tracing::debug!(receiver = which, "link test acknowledged"),
            Err(e) => tracing::warn!(error = %e, "the link test was not acknowledged"),
        }
        *due = Some(now + Duration::from_secs(every));
    }
    due.map_or(IDLE_POLL, |at| at.saturating_duration_since(now))
}

async fn run_blocking(
    f: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> Result<(), String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())?
}

/// Records the outcome of one attempt, retrying the database until it takes it.
async fn settle(outlets: &Outlets, row: OutboxRow, outcome: Result<(), String>) {
    let made = row.attempts + 1;
    let retry = outcome
        .as_ref()
        .err()
        .and_then(|_| outlets.backoff.after(made));
    let label = format!("{}{} {}", row.channel, row.slot, row.kind);
    match &outcome {
        Ok(()) => tracing::info!(delivery = %label, attempts = made, "notification delivered"),
        Err(_) if retry.is_some() => {
            METRICS.notification_attempts_failed.bump();
            tracing::warn!(delivery = %label, attempts = made, retry_s = retry.map(|d| d.as_secs()), "notification not delivered yet")
        }
        Err(_) => {
            METRICS.notification_attempts_failed.bump();
            METRICS.notifications_failed.bump();
            tracing::error!(delivery = %label, attempts = made, "notification failed for good")
        }
    }
    let mut wait = Duration::from_millis(100);
    loop {
        let (row, outcome, label) = (row.clone(), outcome.clone(), label.clone());
        let saved = blocking(&outlets.pool, move |conn| {
            conn.transaction(|conn| record(conn, &row, &outcome, retry, &label))
        })
        .await;
        match saved {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(error = %e, "cannot record a delivery yet; holding it");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
    if outcome.is_err() && retry.is_none() {
        let _ = outlets.live.send(LiveEvent {
            name: "notification_failed",
            payload: Some(serde_json::json!({
                "channel": row.channel, "slot": row.slot, "event": row.kind,
            })),
        });
    }
}

fn record(
    conn: &mut diesel::pg::PgConnection,
    row: &OutboxRow,
    outcome: &Result<(), String>,
    retry: Option<Duration>,
    label: &str,
) -> diesel::QueryResult<()> {
    let now = Utc::now();
    match outcome {
        Ok(()) => {
            OutboxRow::mark_sent(conn, row.id, now)?;
            if row.channel == "call" {
                OutboxRow::skip_other_calls(conn, row)?;
            }
        }
        Err(error) => {
            let at = retry.and_then(|d| chrono::Duration::from_std(d).ok().map(|d| now + d));
            OutboxRow::mark_attempt_failed(conn, row.id, error, now, at)?;
            if at.is_none() {
                let detail = format!("{label} after {} attempts", row.attempts + 1);
                records::record_event(
                    conn,
                    now,
                    "notification_failed",
                    None,
                    None,
                    Some("system"),
                    None,
                    Some(&detail),
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_ten_minutes_and_stop_after_the_last_attempt() {
        let b = Backoff::default();
        let waits: Vec<u64> = (1..=12)
            .filter_map(|n| b.after(n))
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 600, 600, 600, 600, 600]);
        assert_eq!(b.after(12), None);
        let quick = Backoff {
            first: Duration::from_millis(50),
            attempts: 3,
        };
        assert_eq!(quick.after(1), Some(Duration::from_millis(50)));
        assert_eq!(quick.after(2), Some(Duration::from_millis(100)));
        assert_eq!(quick.after(3), None);
    }
}
