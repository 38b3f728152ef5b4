//! Nodes on the monitor's WebSocket (`/nodes`, on the live-events port): a
//! node logs in with its token (`Authorization: Bearer`, or `?token=`),
//! checked against the hashes the installation caches, so it works while
//! PostgreSQL is down. Its changes go to the nodes task in sequence order
//! and are answered with what was taken; commands go out and come back
//! acknowledged. A newer connection of the same node replaces the older,
//! the server pings, and a connection silent for three ping periods (or
//! whose token was revoked) is closed.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argus_protocol::nodes::{EventBatch, FromNode, NodeCommand, ToNode};
use futures_util::{SinkExt, StreamExt};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Message, Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use super::hub::{Applied, NodesHandle};
use super::intake::reading;
use crate::installation::Installation;
use crate::runtime::actor::now_ms;

/// The path nodes connect to.
pub const PATH: &str = "/nodes";
const PING: Duration = Duration::from_secs(15);
const MAX_MESSAGE: usize = 64 * 1024;

/// A connection: its number and where its outbound messages go.
type Connection = (u64, mpsc::Sender<ToNode>);

/// Connected nodes: each one's newest connection.
#[derive(Debug, Clone, Default)]
pub struct Sockets {
    inner: Arc<Mutex<BTreeMap<i32, Connection>>>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl Sockets {
    /// Sends `command` to `node` if it is connected.
    pub fn command(&self, node: i32, command: NodeCommand) -> bool {
        let sender = self
            .inner
            .lock()
            .ok()
            .and_then(|m| m.get(&node).map(|(_, tx)| tx.clone()));
        sender.is_some_and(|tx| tx.try_send(ToNode::Command(command)).is_ok())
    }

    /// Registers a connection, replacing (and so closing) an older one.
    fn register(&self, node: i32) -> (u64, mpsc::Receiver<ToNode>) {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(64);
        if let Ok(mut m) = self.inner.lock() {
            m.insert(node, (id, tx));
        }
        (id, rx)
    }

    fn unregister(&self, node: i32, id: u64) {
        if let Ok(mut m) = self.inner.lock() {
            if m.get(&node).is_some_and(|(current, _)| *current == id) {
                m.remove(&node);
            }
        }
    }
}

/// The node whose live token (at `now`) has this hash.
pub fn node_of(installation: &Installation, hash: &str, now: i64) -> Option<i32> {
    installation
        .nodes
        .iter()
        .filter(|(_, n)| n.enabled)
        .find(|(_, n)| {
            n.tokens
                .iter()
                .any(|(h, expires)| h == hash && *expires > now)
        })
        .map(|(&id, _)| id)
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r
}

fn token(req: &Request<hyper::body::Incoming>) -> Option<String> {
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    header.or_else(|| {
        req.uri()
            .query()?
            .split('&')
            .find_map(|pair| pair.strip_prefix("token=").map(str::to_owned))
    })
}

/// Answers a request for [`PATH`]: 101 and a session, or why not.
pub fn upgrade(
    mut req: Request<hyper::body::Incoming>,
    installation: &watch::Receiver<Arc<Installation>>,
    nodes: &NodesHandle,
    sockets: &Sockets,
) -> Response<Full<Bytes>> {
    let hash = token(&req).map(|t| argus_db::models::node::token_hash(&t));
    let Some((node, hash)) =
        hash.and_then(|h| Some((node_of(&installation.borrow(), &h, now_ms())?, h)))
    else {
        return plain(StatusCode::UNAUTHORIZED, "invalid node token");
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let is_ws = header("upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
        && header("sec-websocket-version") == Some("13");
    let Some(key) = header("sec-websocket-key")
        .filter(|_| is_ws)
        .map(str::to_owned)
    else {
        return plain(StatusCode::BAD_REQUEST, "a WebSocket upgrade is expected");
    };
    let upgrade = hyper::upgrade::on(&mut req);
    let (installation, nodes, sockets) = (installation.clone(), nodes.clone(), sockets.clone());
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else { return };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        session(ws, (node, hash), installation, nodes, sockets).await;
    });
    let mut r = plain(StatusCode::SWITCHING_PROTOCOLS, "");
    let h = r.headers_mut();
    h.insert(
        "upgrade",
        hyper::header::HeaderValue::from_static("websocket"),
    );
    h.insert(
        "connection",
        hyper::header::HeaderValue::from_static("Upgrade"),
    );
    if let Ok(accept) = hyper::header::HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        h.insert("sec-websocket-accept", accept);
    }
    r
}

type Ws = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

async fn session(
    mut ws: Ws,
    (node, hash): (i32, String),
    mut installation: watch::Receiver<Arc<Installation>>,
    nodes: NodesHandle,
    sockets: Sockets,
) {
    let (id, mut outbound) = sockets.register(node);
    nodes.seen(node);
    tracing::info!(node, "node connected");
    let mut ping = tokio::time::interval(PING);
    let mut silent_pings = 0u32;
    loop {
        tokio::select! {
            frame = ws.next() => {
                let Some(Ok(frame)) = frame else { break };
                silent_pings = 0;
                nodes.seen(node);
                let answer = match frame {
                    Message::Text(text) => {
                        let current = installation.borrow().clone();
                        handle(node, text.as_str(), &current, &nodes).await
                    }
                    Message::Binary(_) => Some(ToNode::Error { error: "text frames of JSON only".into() }),
                    Message::Close(_) => break,
                    _ => None,
                };
                if let Some(answer) = answer {
                    if send(&mut ws, &answer).await.is_err() { break }
                }
            }
            out = outbound.recv() => {
                // None: a newer connection of this node took over.
                let Some(out) = out else { break };
                if send(&mut ws, &out).await.is_err() { break }
            }
            _ = ping.tick() => {
                silent_pings += 1;
                if silent_pings > 3 || ws.send(Message::Ping(Bytes::new())).await.is_err() { break }
            }
            changed = installation.changed() => {
                // Its token revoked (or rotated away), or the node disabled: the session ends.
                let still = changed.is_ok()
                    && node_of(&installation.borrow_and_update(), &hash, now_ms()) == Some(node);
                if !still { break }
            }
        }
    }
    let _ = ws.close(None).await;
    sockets.unregister(node, id);
    tracing::info!(node, "node disconnected");
}

async fn send(ws: &mut Ws, message: &ToNode) -> Result<(), ()> {
    let text = serde_json::to_string(message).map_err(drop)?;
    ws.send(Message::text(text)).await.map_err(drop)
}

/// One message from `node`; the answer, if it gets one.
async fn handle(
    node: i32,
    text: &str,
    installation: &Installation,
    nodes: &NodesHandle,
) -> Option<ToNode> {
    let message: FromNode = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            return Some(ToNode::Error {
                error: format!("not a node message: {e}"),
            })
        }
    };
    match message {
        FromNode::Heartbeat => None,
        FromNode::Ack { id, ok } => {
            tracing::info!(node, command = id, ok, "node acknowledged a command");
            None
        }
        FromNode::Events { events } => {
            let batch = EventBatch { events };
            if let Err(error) = batch.check() {
                return Some(ToNode::Error { error });
            }
            let inputs = installation
                .nodes
                .get(&node)
                .map(|n| n.inputs.clone())
                .unwrap_or_default();
            let (mut accepted, mut duplicates) = (Vec::new(), Vec::new());
            let mut events = batch.events;
            events.sort_by_key(|e| e.seq);
            for e in events {
                let Some(&sensor) = inputs.get(&e.input) else {
                    // Not mapped: nothing to apply, nothing to send again.
                    accepted.push(e.seq);
                    continue;
                };
                match nodes.report(node, sensor, e.seq, reading(e.state)).await {
                    Applied::Now => accepted.push(e.seq),
                    Applied::Before => duplicates.push(e.seq),
                    Applied::Not => {
                        return Some(ToNode::Error {
                            error: "the alarm did not take the changes; send them again".into(),
                        })
                    }
                }
            }
            // Acknowledged only once the journal has them.
            if !accepted.is_empty() && !nodes.barrier().await {
                return Some(ToNode::Error {
                    error: "the alarm did not take the changes; send them again".into(),
                });
            }
            Some(ToNode::Accepted {
                accepted,
                duplicates,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::installation::NodeInfo;

    #[test]
    fn a_token_is_live_for_its_enabled_node_until_it_expires() {
        let hash = argus_db::models::node::token_hash("argn_1");
        let node = |enabled| NodeInfo {
            name: "garage".into(),
            timeout_ms: 30_000,
            last_seen: None,
            enabled,
            imei: None,
            inputs: Default::default(),
            mqtt: Vec::new(),
            availability: None,
            tokens: vec![(hash.clone(), 1_000)],
        };
        let mut installation = Installation::default();
        installation.nodes.insert(4, node(true));
        assert_eq!(node_of(&installation, &hash, 999), Some(4));
        assert_eq!(node_of(&installation, &hash, 1_000), None, "expired");
        assert_eq!(node_of(&installation, "other", 0), None);
        installation.nodes.insert(4, node(false));
        assert_eq!(node_of(&installation, &hash, 0), None, "disabled");
    }
}
