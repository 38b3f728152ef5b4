//! From notices to outbox rows. The actor hands every notice here and keeps
//! it in the state journal; this task holds power reports for their delay,
//! expands each notice by the subscription matrix read in the same
//! transaction that inserts its rows, and only after the commit tells the
//! actor to forget it. PostgreSQL down means the notices wait (in memory and
//! in the journal) and are written, once, when it returns.

use argus_db::models::{NewOutbox, OutboxRow};
use argus_db::DbPool;
use diesel::pg::PgConnection;
use diesel::Connection;
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

use super::notice::{Decided, Notice, PowerHold};
use super::plan::{self, Channel, Contacts};
use crate::db::{blocking, option_in};
use crate::engine::model::Millis;
use crate::services::webhook;

/// Wall-clock milliseconds (the actor's clock, without depending on it).
fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// `notifications/power`.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct PowerOption {
    /// Seconds mains must be gone before the outage is reported.
    pub report_delay_seconds: i64,
}

/// `system/location`, as far as messages need it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LocationOption {
    /// The installation's name.
    pub name: Option<String>,
}

/// The queue's ends: notices in, forgotten notice ids back to the actor,
/// and a nudge for the delivery lanes.
pub struct Wiring {
    /// Notices from the actor.
    pub notices: mpsc::UnboundedReceiver<Notice>,
    /// Ids of notices now in the outbox (or dropped): the actor forgets them.
    pub done: mpsc::UnboundedSender<Vec<String>>,
    /// Bumped after rows were added.
    pub wake: watch::Sender<u64>,
}

/// One outbox row before insertion.
#[derive(Clone, PartialEq, Eq)]
pub struct Row {
    key: String,
    kind: &'static str,
    channel: &'static str,
    slot: i32,
    recipient: String,
    body: String,
}

/// The rows of `notice` for `contacts`: the message text for people, the
/// signed JSON for the webhook.
pub fn rows(notice: &Notice, contacts: &Contacts, location: Option<String>) -> Vec<Row> {
    let facts = notice.facts(location);
    let text = plan::text(notice.kind, &facts);
    plan::plan(notice.kind, contacts)
        .into_iter()
        .map(|d| Row {
            key: d.key(&notice.event),
            kind: notice.kind.as_str(),
            channel: d.channel.as_str(),
            slot: i32::from(d.slot),
            body: match d.channel {
                Channel::Sia => serde_json::to_string(&notice.sia).unwrap_or_default(),
                Channel::Webhook => webhook::body(&webhook::Message {
                    event: notice.kind.as_str(),
                    id: &notice.event,
                    time_ms: notice.time,
                    location: facts.location.as_deref(),
                    sensors: &facts.sensors,
                    areas: &facts.areas,
                    who: facts.who.as_deref(),
                    node: facts.node.as_deref(),
                    text: &text,
                }),
                _ => text.clone(),
            },
            recipient: d.recipient,
        })
        .collect()
}

fn contacts(conn: &mut PgConnection) -> diesel::QueryResult<Contacts> {
    Ok(Contacts {
        subscriptions: option_in(conn, "notifications", "subscriptions")?.unwrap_or_default(),
        gsm: option_in(conn, "notifications", "gsm")?.unwrap_or_default(),
        smtp: option_in(conn, "notifications", "smtp")?.unwrap_or_default(),
        webhook: option_in(conn, "notifications", "webhook")?.unwrap_or_default(),
        satellite: option_in(conn, "notifications", "satellite")?.unwrap_or_default(),
        sia: option_in::<crate::services::sia::SiaOption>(conn, "notifications", "sia")?
            .is_some_and(|s| s.enabled),
    })
}

fn delay_ms(conn: &mut PgConnection) -> diesel::QueryResult<Millis> {
    let power: Option<PowerOption> = option_in(conn, "notifications", "power")?;
    Ok(power.map_or(60, |p| p.report_delay_seconds) * 1000)
}

/// Inserts the rows of `notices` in one transaction; returns how many were new.
fn write(conn: &mut PgConnection, notices: &[Notice]) -> diesel::QueryResult<usize> {
    conn.transaction(|conn| {
        let contacts = contacts(conn)?;
        let location: Option<LocationOption> = option_in(conn, "system", "location")?;
        let location = location.and_then(|l| l.name);
        let all: Vec<Row> = notices
            .iter()
            .flat_map(|n| rows(n, &contacts, location.clone()))
            .collect();
        let new: Vec<NewOutbox<'_>> = all
            .iter()
            .map(|r| NewOutbox {
                key: &r.key,
                kind: r.kind,
                channel: r.channel,
                slot: r.slot,
                recipient: &r.recipient,
                body: &r.body,
            })
            .collect();
        OutboxRow::enqueue(conn, &new)
    })
}

/// Starts the queue.
pub fn spawn(pool: DbPool, wiring: Wiring) {
    tokio::spawn(run(pool, wiring));
}

struct Queue {
    hold: PowerHold,
    waiting: Vec<Notice>,
    delay_ms: Millis,
    done: mpsc::UnboundedSender<Vec<String>>,
}

impl Queue {
    fn admit(&mut self, notice: Notice) {
        let decided = self.hold.admit(notice, self.delay_ms, now_ms());
        self.take(decided);
    }

    /// Writes the waiting notices' rows; whether PostgreSQL took them (then
    /// the actor may forget them).
    async fn flush(&mut self, pool: &DbPool, backoff: Duration) -> bool {
        let batch = self.waiting.clone();
        let written = blocking(pool, move |conn| {
            let n = write(conn, &batch)?;
            Ok::<_, diesel::result::Error>((n, delay_ms(conn)?))
        })
        .await;
        match written {
            Ok((rows, delay)) => {
                tracing::info!(notices = self.waiting.len(), rows, "notifications queued");
                let ids = self.waiting.drain(..).map(|n| n.id()).collect();
                let _ = self.done.send(ids);
                self.delay_ms = delay;
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, notices = self.waiting.len(), retry_ms = backoff.as_millis() as u64,
                    "cannot queue notifications yet; they wait in the journal");
                false
            }
        }
    }

    fn take(&mut self, decided: Decided) {
        self.waiting.extend(decided.queue);
        if !decided.dropped.is_empty() {
            tracing::info!(
                notices = decided.dropped.len(),
                "power was back within the report delay; nothing to send"
            );
            let _ = self
                .done
                .send(decided.dropped.iter().map(Notice::id).collect());
        }
    }
}

async fn run(pool: DbPool, wiring: Wiring) {
    let Wiring {
        mut notices,
        done,
        wake,
    } = wiring;
    let mut q = Queue {
        hold: PowerHold::default(),
        waiting: Vec::new(),
        delay_ms: 60_000,
        done,
    };
    if let Ok(d) = blocking(&pool, delay_ms).await {
        q.delay_ms = d;
    }
    let mut backoff = Duration::from_millis(100);
    loop {
        let due = q.hold.due(q.delay_ms, now_ms());
        q.take(due);
        if !q.waiting.is_empty() && q.flush(&pool, backoff).await {
            wake.send_modify(|n| *n += 1);
            backoff = Duration::from_millis(100);
        }
        let wait = match (q.waiting.is_empty(), q.hold.next_deadline(q.delay_ms)) {
            (false, _) => Some(backoff),
            (true, Some(at)) => Some(Duration::from_millis(
                u64::try_from(at - now_ms()).unwrap_or(0),
            )),
            (true, None) => None,
        };
        tokio::select! {
            notice = notices.recv() => match notice {
                Some(n) => {
                    q.admit(n);
                    while let Ok(n) = notices.try_recv() {
                        q.admit(n);
                    }
                }
                None => return,
            },
            () = tokio::time::sleep(wait.unwrap_or(Duration::from_secs(3600))), if wait.is_some() => {
                if !q.waiting.is_empty() {
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::notify::plan::Kind;
    use argus_protocol::options::typed;

    #[test]
    fn a_notice_becomes_one_row_per_delivery_with_the_text_or_the_signed_json() {
        let notice = Notice {
            event: "alert-1700000000000".into(),
            kind: Kind::AlertStarted,
            time: 1_700_000_000_000,
            since: 1_700_000_000_000,
            sensors: vec!["Kitchen door".into()],
            areas: vec!["House".into()],
            who: None,
            node: None,
            reading: None,
            sia: None,
        };
        let subs = serde_json::json!({"sms1": {"alert_started": true}});
        let contacts = Contacts {
            subscriptions: typed("notifications", "subscriptions", Some(&subs)).unwrap(),
            gsm: crate::devices::gsm::commands::GsmOption {
                enabled: true,
                phone_number_1: Some("+3611".into()),
                ..Default::default()
            },
            webhook: plan::WebhookOption {
                enabled: true,
                url: Some("http://127.0.0.1:9/h".into()),
                secret: None,
            },
            ..Contacts::default()
        };
        let rows = rows(&notice, &contacts, Some("Cabin".into()));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].key, "alert-1700000000000:alert_started:sms1");
        assert!(rows[0]
            .body
            .starts_with("Alarm at Cabin\nSensors: Kitchen door"));
        assert_eq!(rows[1].channel, "webhook");
        let json: serde_json::Value = serde_json::from_str(&rows[1].body).unwrap();
        assert_eq!(json["event"], "alert_started");
        assert_eq!(json["location"], "Cabin");
        assert_eq!(json["sensors"][0], "Kitchen door");
    }
}
