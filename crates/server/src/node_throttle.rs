//! What this server remembers about remote nodes between requests, so a
//! busy node costs little: when its `last_seen` was written and the monitor
//! told (at most once a second each), whether a wake-up of the monitor is
//! in flight, the job backlog (counted at most every 200 ms) and the tokens
//! checked in the last second. Process-local; nothing here is needed for
//! correctness across instances.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argus_db::models::NodeRow;

/// How often a busy node's sign of life is written and told to the monitor
/// (its supervision timeout is at least 2 s); also how long a checked token
/// is remembered.
const SEEN_EVERY: Duration = Duration::from_secs(1);
/// How long a backlog count stands.
const BACKLOG_FOR: Duration = Duration::from_millis(200);

/// What this server last did for each node, so a node sending hundreds of
/// requests a second costs one `last_seen` write and one `NodeSeen` a
/// second, and jobs queued meanwhile cost one wake-up of the monitor.
#[derive(Debug, Default)]
pub struct Throttle {
    written: Mutex<HashMap<i32, Instant>>,
    told: Mutex<HashMap<i32, Instant>>,
    waking: AtomicBool,
    /// The open jobs when last counted.
    backlog: Mutex<Option<(i64, Instant)>>,
    /// Tokens checked within the last second, by hash: a busy node costs one
    /// token query a second, and a revocation through another server
    /// instance takes effect within that second.
    tokens: Mutex<HashMap<String, (NodeRow, Instant)>>,
}

/// The most tokens remembered (then the memory is cleared).
const TOKENS_KEPT: usize = 10_000;

impl Throttle {
    /// The node of a token checked within the last second.
    pub fn known_token(&self, hash: &str) -> Option<NodeRow> {
        let map = self.tokens.lock().ok()?;
        let (node, at) = map.get(hash)?;
        (at.elapsed() < SEEN_EVERY).then(|| node.clone())
    }

    /// Remembers a token just checked.
    pub fn remember_token(&self, hash: String, node: NodeRow) {
        if let Ok(mut map) = self.tokens.lock() {
            if map.len() >= TOKENS_KEPT {
                map.clear();
            }
            map.insert(hash, (node, Instant::now()));
        }
    }

    /// Forgets `node`'s tokens (revoked or rotated here: at once).
    pub fn forget_tokens(&self, node: i32) {
        if let Ok(mut map) = self.tokens.lock() {
            map.retain(|_, (n, _)| n.id != node);
        }
    }
}

/// Whether `node` is due in `map` now (and notes it).
fn due(map: &Mutex<HashMap<i32, Instant>>, node: i32) -> bool {
    let Ok(mut map) = map.lock() else { return true };
    let now = Instant::now();
    match map.get(&node) {
        Some(&at) if now.duration_since(at) < SEEN_EVERY => false,
        _ => {
            map.insert(node, now);
            true
        }
    }
}

impl Throttle {
    /// Whether `node`'s `last_seen` is due to be written (and notes it).
    pub fn due_write(&self, node: i32) -> bool {
        due(&self.written, node)
    }

    /// Whether the monitor is due to be told `node` was seen (and notes it).
    pub fn due_tell(&self, node: i32) -> bool {
        due(&self.told, node)
    }

    /// Whether to send a wake-up now (none is in flight).
    pub fn start_wake(&self) -> bool {
        !self.waking.swap(true, Ordering::AcqRel)
    }

    /// The wake-up is on its way: jobs stored from now on need another.
    pub fn wake_sent(&self) {
        self.waking.store(false, Ordering::Release);
    }

    /// The open jobs, if counted within the last 200 ms.
    pub fn backlog(&self) -> Option<i64> {
        let b = self.backlog.lock().ok()?;
        b.filter(|(_, at)| at.elapsed() < BACKLOG_FOR)
            .map(|(n, _)| n)
    }

    /// Notes a fresh count of open jobs.
    pub fn set_backlog(&self, open: i64) {
        if let Ok(mut b) = self.backlog.lock() {
            *b = Some((open, Instant::now()));
        }
    }
}
