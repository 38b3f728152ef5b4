//! Telling people: an engine notification becomes a [`notice::Notice`]
//! (kept in the state journal by the actor), then outbox rows by the
//! subscription matrix ([`queue`], [`plan`]), then messages sent by the
//! delivery lanes ([`deliver`]) with retries. Nothing here is on the alarm
//! path: the actor hands a notice over without waiting.

pub mod deliver;
pub mod notice;
pub mod plan;
pub mod queue;

use argus_db::DbPool;
use tokio::sync::{mpsc, watch};

/// The actor's ends of the pipeline.
#[derive(Debug)]
pub struct Pipeline {
    /// Where the actor hands notices.
    pub notices: mpsc::UnboundedSender<notice::Notice>,
    /// Ids of notices safely in the outbox (or dropped), for the journal.
    pub done: mpsc::UnboundedReceiver<Vec<String>>,
}

/// Starts the queue and the delivery lanes.
pub fn start(pool: DbPool, outlets: deliver::Outlets) -> Pipeline {
    let (notices, rx) = mpsc::unbounded_channel();
    let (done_tx, done) = mpsc::unbounded_channel();
    let (wake, woken) = watch::channel(0);
    queue::spawn(
        pool,
        queue::Wiring {
            notices: rx,
            done: done_tx,
            wake,
        },
    );
    deliver::spawn(outlets, woken);
    Pipeline { notices, done }
}
