//! The nodes task: every sign of life and every reported input passes
//! through it, so supervision and the engine see one order. A node that
//! goes silent past its timeout is an event (`node_offline`), a notification
//! (`node_offline` in the matrix; `node_online` when it is heard again) and, with
//! `nodes/supervision.tamper_when_armed`, its sensors read as cut: a tamper
//! alarm when their area is armed, a wiring fault when not. Seen again, they
//! read what the node last said.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{mpsc, oneshot, watch};

use super::supervise::{Change, Status, Supervisor};
use crate::engine::{Input, Reading};
use crate::installation::Installation;
use crate::interfaces::running::{Running, DURABLE_WAIT};
use crate::runtime::actor::now_ms;
use crate::runtime::actor::EngineHandle;

/// What the task is told.
enum Msg {
    Seen(i32),
    Available(i32, bool),
    Live {
        node: i32,
        sensor: i32,
        reading: Reading,
    },
    Report {
        node: i32,
        sensor: i32,
        seq: i64,
        reading: Reading,
        applied: oneshot::Sender<Applied>,
    },
}

/// What became of a reported change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The engine has it now.
    Now,
    /// A change as new or newer was applied before: nothing to do.
    Before,
    /// The alarm did not take it (send it again).
    Not,
}

/// The way to the nodes task.
#[derive(Debug, Clone)]
pub struct NodesHandle {
    tx: mpsc::Sender<Msg>,
    status: watch::Receiver<Vec<Status>>,
    engine: EngineHandle,
    saved: watch::Receiver<u64>,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inbox")
    }
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msg")
    }
}

impl NodesHandle {
    /// A sign of life (dropped when the task is flooded: the next one counts).
    pub fn seen(&self, node: i32) {
        let _ = self.tx.try_send(Msg::Seen(node));
    }

    /// An MQTT device's availability: online counts as a sign of life,
    /// offline is offline now.
    pub fn available(&self, node: i32, online: bool) {
        let _ = self.tx.try_send(Msg::Available(node, online));
    }

    /// `sensor` of `node` reads `reading`, live from MQTT (in order, no
    /// sequence number; dropped when the task is flooded, as the device
    /// repeats its state).
    pub fn live(&self, node: i32, sensor: i32, reading: Reading) {
        let _ = self.tx.try_send(Msg::Live {
            node,
            sensor,
            reading,
        });
    }

    /// `sensor` of `node` reads `reading` (change `seq`); what became of it
    /// (a change no newer than one applied is skipped).
    pub async fn report(&self, node: i32, sensor: i32, seq: i64, reading: Reading) -> Applied {
        let (applied, done) = oneshot::channel();
        let msg = Msg::Report {
            node,
            sensor,
            seq,
            reading,
            applied,
        };
        if self.tx.send(msg).await.is_err() {
            return Applied::Not;
        }
        done.await.unwrap_or(Applied::Not)
    }

    /// Waits until every change applied so far is in the state journal (a
    /// crash cannot lose it): one write covers every caller waiting at the
    /// time, so a batch of changes costs one, not one each.
    pub async fn barrier(&self) -> bool {
        self.engine
            .input_durable(Input::Tick, &self.saved, DURABLE_WAIT)
            .await
            .is_some()
    }

    /// Every node as supervision sees it.
    pub fn status(&self) -> Vec<Status> {
        self.status.borrow().clone()
    }
}

#[derive(Deserialize)]
struct SupervisionOption {
    tamper_when_armed: bool,
}

struct Hub {
    r: Running,
    supervisor: Supervisor,
    /// What each node sensor last read, and the change that said so.
    last: BTreeMap<i32, (i64, Reading)>,
    /// Nodes whose silence people were told of: only these are announced
    /// back (a node's first sign of life tells nobody).
    lost: BTreeSet<i32>,
    tamper: bool,
}

/// The task's inbox, made before the task so the dispatcher, the MQTT
/// session and the WebSocket can hold its handle first.
pub struct Inbox {
    rx: mpsc::Receiver<Msg>,
    status: watch::Sender<Vec<Status>>,
}

/// A handle and the inbox [`spawn`] serves; `saved` is the journal's
/// generation on disk.
pub fn channel(engine: EngineHandle, saved: watch::Receiver<u64>) -> (NodesHandle, Inbox) {
    let (tx, rx) = mpsc::channel(1024);
    let (status_tx, status) = watch::channel(Vec::new());
    (
        NodesHandle {
            tx,
            status,
            engine,
            saved,
        },
        Inbox {
            rx,
            status: status_tx,
        },
    )
}

/// Starts the task.
pub fn spawn(r: Running, inbox: Inbox) {
    let Inbox {
        mut rx,
        status: status_tx,
    } = inbox;
    let mut installation = r.installation.clone();
    let mut hub = Hub {
        r,
        supervisor: Supervisor::default(),
        last: BTreeMap::new(),
        lost: BTreeSet::new(),
        tamper: true,
    };
    tokio::spawn(async move {
        let current = installation.borrow_and_update().clone();
        hub.configure(&current).await;
        loop {
            status_tx.send_replace(hub.supervisor.status());
            let wait = hub
                .supervisor
                .next_deadline()
                .map(|at| Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0)));
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(Msg::Seen(node)) | Some(Msg::Available(node, true)) => hub.seen(node).await,
                    Some(Msg::Available(node, false)) => {
                        if let Some(change) = hub.supervisor.gone(node) {
                            hub.apply(change).await;
                        }
                    }
                    Some(Msg::Live { node, sensor, reading }) => hub.live(node, sensor, reading).await,
                    Some(Msg::Report { node, sensor, seq, reading, applied }) => {
                        hub.seen(node).await;
                        let _ = applied.send(hub.report(sensor, seq, reading).await);
                    }
                    None => return,
                },
                changed = installation.changed() => {
                    if changed.is_err() { return }
                    let current = installation.borrow_and_update().clone();
                    hub.configure(&current).await;
                }
                () = async { tokio::time::sleep(wait.unwrap_or_default()).await }, if wait.is_some() => {
                    for change in hub.supervisor.tick(now_ms()) {
                        hub.apply(change).await;
                    }
                }
            }
        }
    });
}

fn installation_nodes(installation: &Installation) -> Vec<(i32, i64, Option<i64>)> {
    installation
        .nodes
        .iter()
        .filter(|(_, n)| n.enabled)
        .map(|(&id, n)| (id, n.timeout_ms, n.last_seen))
        .collect()
}

impl Hub {
    async fn configure(&mut self, installation: &Arc<Installation>) {
        self.supervisor
            .configure(&installation_nodes(installation), now_ms());
        if let Ok(Some(o)) =
            crate::db::option::<SupervisionOption>(&self.r.db, "nodes", "supervision").await
        {
            self.tamper = o.tamper_when_armed;
        }
    }

    async fn seen(&mut self, node: i32) {
        if let Some(change) = self.supervisor.seen(node, now_ms()) {
            self.apply(change).await;
        }
    }

    /// A change without a sequence number (MQTT delivers in order).
    async fn live(&mut self, node: i32, sensor: i32, reading: Reading) {
        self.seen(node).await;
        let seq = self.last.get(&sensor).map_or(0, |&(s, _)| s);
        self.last.insert(sensor, (seq, reading));
        self.input(sensor, reading).await;
    }

    async fn report(&mut self, sensor: i32, seq: i64, reading: Reading) -> Applied {
        if self.last.get(&sensor).is_some_and(|&(last, _)| seq <= last) {
            return Applied::Before;
        }
        self.last.insert(sensor, (seq, reading));
        if self.input(sensor, reading).await {
            Applied::Now
        } else {
            Applied::Not
        }
    }

    /// Applied, not yet journaled: callers that must not lose it wait on
    /// [`NodesHandle::barrier`] (once for all their changes).
    async fn input(&self, sensor: i32, reading: Reading) -> bool {
        self.r
            .engine
            .input(Input::Sensor { sensor, reading })
            .await
            .is_some()
    }

    async fn apply(&mut self, change: Change) {
        let installation = self.r.installation.borrow().clone();
        let (node, online) = match change {
            Change::Online(n) => (n, true),
            Change::Offline(n) => (n, false),
        };
        let Some(info) = installation.nodes.get(&node) else {
            return;
        };
        tracing::info!(node = %info.name, online, "node supervision changed");
        crate::db::record_event(
            &self.r.db,
            if online {
                "node_online"
            } else {
                "node_offline"
            },
            None,
            None,
            "node",
            Some(info.name.clone()),
        );
        let announce = if online {
            self.lost.remove(&node)
        } else {
            self.lost.insert(node)
        };
        let notice = crate::runtime::notify::notice::of_node(&installation, node, online, now_ms());
        if let (true, Some(n)) = (announce, notice) {
            self.r.engine.notify(n).await;
        }
        if !self.tamper {
            return;
        }
        for &sensor in info.inputs.values() {
            let reading = if online {
                self.last.get(&sensor).map_or(Reading::Idle, |&(_, r)| r)
            } else {
                Reading::Cut
            };
            self.input(sensor, reading).await;
        }
    }
}
