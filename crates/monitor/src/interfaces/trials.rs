//! The test buttons (test SMS, call, e-mail, webhook): each runs in its own
//! task; the request waits at most [`ANSWER_WITHIN`] for it, so a fast test
//! answers in ArPI's shape (`{"phone1": true, …}`, which the web app
//! shows) and a slow one (a modem that stays silent, an SMTP server that
//! times out) answers at once that it is running, never holding a request
//! or a thread for seconds. Either way the results are broadcast as the
//! Socket.IO event `notification_test` and written to the event log.

use argus_protocol::Reply;
use serde_json::json;
use std::future::Future;
use std::time::Duration;
use tokio::sync::oneshot;

use super::running::Running;
use crate::runtime::live::LiveEvent;

/// How long a test request waits for its results.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// Per-recipient outcomes: `None` where no recipient is configured.
pub type Results = Vec<(&'static str, Option<bool>)>;

/// Runs `work` (the `name` test) in the background; answers with its
/// results if they are in within [`ANSWER_WITHIN`].
pub async fn run(
    r: &Running,
    name: &'static str,
    failed: &'static str,
    work: impl Future<Output = Results> + Send + 'static,
) -> Reply {
    let (tx, rx) = oneshot::channel();
    let (live, pool) = (r.live.clone(), r.db.clone());
    tokio::spawn(async move {
        let results = work.await;
        report(&live, &pool, name, &results);
        let _ = tx.send(results);
    });
    match tokio::time::timeout(ANSWER_WITHIN, rx).await {
        Ok(Ok(results)) => Reply::per_recipient(&results, failed),
        _ => Reply {
            result: true,
            message: Some(format!(
                "The {name} test is running; its results follow as a notification_test event"
            )),
            value: None,
            other: Some(json!({})),
        },
    }
}

fn report(
    live: &tokio::sync::broadcast::Sender<LiveEvent>,
    pool: &argus_db::DbPool,
    name: &'static str,
    results: &Results,
) {
    let outcome: serde_json::Map<String, serde_json::Value> = results
        .iter()
        .filter_map(|(who, ok)| Some(((*who).to_owned(), (*ok)?.into())))
        .collect();
    let detail = results
        .iter()
        .filter_map(|(who, ok)| Some(format!("{who} {}", if (*ok)? { "sent" } else { "failed" })))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = live.send(LiveEvent {
        name: "notification_test",
        payload: Some(json!({"test": name, "results": outcome})),
    });
    crate::db::record_event(
        pool,
        "notification_test",
        None,
        None,
        "system",
        Some(format!("{name}: {detail}")),
    );
}
