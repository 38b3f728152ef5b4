//! The modem's health: registration and signal checked every interval while
//! GSM notifications are on, published for `GET /api/gsm` and `/api/health`,
//! and each change of reachability or registration written to the event
//! log. A modem that does not answer (unplugged, hung) is tried again with
//! a doubling wait up to ten minutes, and each try reopens the port.

use argus_db::DbPool;
use argus_protocol::wire::ModemStatus;
use std::time::Duration;
use tokio::sync::watch;

use super::commands::GsmOption;
use super::GsmHandle;

/// The longest wait between checks of a modem that does not answer.
const LONGEST: Duration = Duration::from_secs(600);

/// What a change to `next` from `last` says in the event log, if anything.
pub fn change(last: &ModemStatus, next: &ModemStatus) -> Option<String> {
    if (last.enabled, last.reachable, &last.registration)
        == (next.enabled, next.reachable, &next.registration)
    {
        return None;
    }
    Some(match (next.enabled, next.reachable) {
        (false, _) => "off".into(),
        (true, false) => "not answering".into(),
        (true, true) => format!(
            "answering, {}, signal {}",
            next.registration.as_deref().unwrap_or("unknown"),
            next.signal.map_or("unknown".into(), |s| s.to_string())
        ),
    })
}

/// Starts checking every `every`; the receiver holds the latest status.
pub fn spawn(gsm: GsmHandle, pool: DbPool, every: Duration) -> watch::Receiver<ModemStatus> {
    let (tx, rx) = watch::channel(ModemStatus::default());
    tokio::spawn(async move {
        let mut enabled = false;
        let mut wait = every;
        loop {
            if let Ok(Some(o)) = crate::db::option::<GsmOption>(&pool, "notifications", "gsm").await
            {
                enabled = o.enabled;
            }
            let mut next = ModemStatus {
                enabled,
                checked: Some(argus_protocol::wire::local_time(chrono::Utc::now())),
                ..ModemStatus::default()
            };
            if enabled {
                match gsm.health().await {
                    Ok((registration, signal)) => {
                        next.reachable = true;
                        next.registration = registration.map(str::to_owned);
                        next.signal = signal;
                        next.signal_dbm = signal.map(|s| -113 + 2 * i32::from(s));
                        wait = every;
                    }
                    Err(_) => wait = (wait * 2).min(LONGEST).max(every),
                }
                next.last_error = gsm.last_error();
            }
            let changed = change(&tx.borrow(), &next);
            if let Some(detail) = changed {
                tracing::info!(modem = %detail, "modem status changed");
                crate::db::record_event(&pool, "gsm_status", None, None, "system", Some(detail));
            }
            tx.send_replace(next);
            tokio::time::sleep(wait).await;
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reachability_and_registration_changes_are_events() {
        let off = ModemStatus::default();
        let up = ModemStatus {
            enabled: true,
            reachable: true,
            registration: Some("home".into()),
            signal: Some(20),
            ..ModemStatus::default()
        };
        assert_eq!(change(&off, &off), None);
        assert_eq!(
            change(&off, &up).as_deref(),
            Some("answering, home, signal 20")
        );
        let weaker = ModemStatus {
            signal: Some(9),
            ..up.clone()
        };
        assert_eq!(change(&up, &weaker), None, "the signal alone is no event");
        let gone = ModemStatus {
            enabled: true,
            ..ModemStatus::default()
        };
        assert_eq!(change(&up, &gone).as_deref(), Some("not answering"));
    }
}
