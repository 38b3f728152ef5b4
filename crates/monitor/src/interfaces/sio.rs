//! Socket.IO for browsers (socketioxide on hyper, Engine.IO v4, polling and
//! WebSocket, path `/socket.io/`). A client connects with `?token=<device
//! token>`: HS256 with `SECRET`, and the token's `origin` must match the
//! `Referer`'s scheme and host (contract §2.1); [`gate`] checks that before
//! an Engine.IO session exists and caps sessions per client address and in
//! all. A client that joins is first told the current state (system, arm,
//! areas, power, sensors, alert, siren), then every change. One task
//! forwards the live-event hub to every socket; an emit never waits for a
//! browser, and each socket's buffer is bounded. `/nodes` on the same
//! listener is remote nodes' WebSocket (`nodes::socket`), `/metrics` the
//! monitor's Prometheus text (`runtime::metrics`).

pub mod gate;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use socketioxide::extract::{SocketRef, State};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use crate::installation::Installation;
use crate::interfaces::nodes::{socket, NodeLinks};
use crate::runtime::live::{Latest, LiveEvent};
use gate::{ClientAddr, Gate, Refused};

/// How long a handshake may wait before joining the namespace.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Packets buffered per socket before emits to it fail (socketioxide's default).
const SOCKET_BUFFER: usize = 128;
/// Clients send nothing; this bounds what a hostile one can make us read.
const MAX_PAYLOAD: u64 = 4096;

/// Where `/nodes` on this listener goes: remote nodes' WebSocket.
#[derive(Debug, Clone)]
pub struct NodeRoute {
    /// The installation (the node tokens it caches).
    pub installation: tokio::sync::watch::Receiver<Arc<Installation>>,
    /// The nodes task and connections.
    pub links: NodeLinks,
}

/// What `/metrics` answers, set once the monitor runs (503 until then).
pub type Scrape = Arc<std::sync::OnceLock<Box<dyn Fn() -> String + Send + Sync>>>;

/// `/metrics` on this listener: the Prometheus text, or 503 while starting.
fn metrics(scrape: &Scrape) -> Response<Full<Bytes>> {
    let (status, body) = match scrape.get() {
        Some(render) => (hyper::StatusCode::OK, render()),
        None => (
            hyper::StatusCode::SERVICE_UNAVAILABLE,
            "starting\n".to_owned(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}

/// What the namespace handlers share.
#[derive(Clone)]
struct Live {
    gate: Gate,
    latest: Arc<Mutex<Latest>>,
}

fn client_of(socket: &SocketRef) -> IpAddr {
    socket
        .req_parts()
        .extensions
        .get::<ClientAddr>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0)
}

async fn on_connect(socket: SocketRef, State(live): State<Live>) {
    let sid = socket.id.to_string();
    live.gate.joined(sid.clone(), client_of(&socket));
    let gate = live.gate.clone();
    socket.on_disconnect(move || async move {
        gate.left(&sid);
    });
    let replay = live.latest.lock().map(|l| l.replay()).unwrap_or_default();
    for event in replay {
        emit_to(&socket, &event);
    }
    tracing::debug!(socket.id = %socket.id, "live client connected");
}

/// The namespace connect repeats the handshake's check (a session opened
/// before a user was deleted, or a WebSocket opened without polling first).
async fn check_token(socket: SocketRef, State(live): State<Live>) -> Result<(), Refused> {
    let parts = socket.req_parts();
    let referer = parts.headers.get("referer").and_then(|v| v.to_str().ok());
    live.gate
        .check(parts.uri.query(), referer)
        .inspect_err(|e| tracing::info!(reason = %e, "live client refused"))
}

fn refusal<B>(refused: &Refused) -> Response<Either<B, Full<Bytes>>> {
    let body = serde_json::json!({"code": 4, "message": refused.to_string()}).to_string();
    let mut response = Response::new(Either::Right(Full::new(Bytes::from(body))));
    *response.status_mut() =
        hyper::StatusCode::from_u16(refused.status()).unwrap_or(hyper::StatusCode::FORBIDDEN);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

/// Serves Socket.IO on `bind` until the task is dropped; returns the bound
/// address. `latest` (see [`crate::runtime::live::track`]) is replayed to each new client.
pub async fn serve(
    bind: SocketAddr,
    gate: Gate,
    latest: Arc<Mutex<Latest>>,
    hub: broadcast::Sender<LiveEvent>,
    nodes: NodeRoute,
    scrape: Scrape,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (svc, io) = SocketIo::builder()
        .req_path("/socket.io")
        .connect_timeout(CONNECT_TIMEOUT)
        .max_buffer_size(SOCKET_BUFFER)
        .max_payload(MAX_PAYLOAD)
        .with_state(Live {
            gate: gate.clone(),
            latest,
        })
        .build_svc();
    io.ns("/", on_connect.with(check_token));

    let forward_io = io.clone();
    let mut rx = hub.subscribe();
    let task = tokio::spawn(async move {
        let accept = async {
            loop {
                let Ok((stream, peer)) = listener.accept().await else {
                    continue;
                };
                // Small frames: send them now, not after a delayed ACK.
                let _ = stream.set_nodelay(true);
                let (svc, gate, nodes, scrape) =
                    (svc.clone(), gate.clone(), nodes.clone(), scrape.clone());
                let service = hyper::service::service_fn(move |req: Request<_>| {
                    let (svc, gate, nodes, scrape) =
                        (svc.clone(), gate.clone(), nodes.clone(), scrape.clone());
                    async move {
                        if req.uri().path() == "/metrics" {
                            return Ok(metrics(&scrape).map(Either::Right));
                        }
                        if req.uri().path() == socket::PATH {
                            let r = socket::upgrade(
                                req,
                                &nodes.installation,
                                &nodes.links.hub,
                                &nodes.links.sockets,
                            );
                            return Ok(r.map(Either::Right));
                        }
                        admit(&svc, &gate, peer.ip(), req).await
                    }
                });
                tokio::spawn(async move {
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades();
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "live connection ended");
                    }
                });
            }
        };
        let forward = async {
            loop {
                match rx.recv().await {
                    Ok(event) => emit(&forward_io, &event).await,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "live events skipped")
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        };
        tokio::join!(accept, forward);
    });
    Ok((addr, task))
}

/// The HTTP layer: a request that would open a session passes the gate
/// first; every request carries its client address on to the namespace.
async fn admit<S, B>(
    svc: &S,
    gate: &Gate,
    peer: IpAddr,
    mut req: Request<hyper::body::Incoming>,
) -> Result<Response<Either<B, Full<Bytes>>>, S::Error>
where
    S: hyper::service::Service<Request<hyper::body::Incoming>, Response = Response<B>>,
{
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let client = gate
        .trusted
        .client(Some(peer), header("x-real-ip"), header("x-forwarded-for"))
        .unwrap_or(peer);
    if gate::opens_session(req.uri().query()) {
        let referer = header("referer");
        if let Err(refused) = gate.admit(client, req.uri().query(), referer) {
            tracing::debug!(reason = %refused, client = %client, "live handshake refused");
            return Ok(refusal(&refused));
        }
    }
    req.extensions_mut().insert(ClientAddr(client));
    svc.call(req).await.map(|r| r.map(Either::Left))
}

/// Emits one event to every client; `None` goes out with no argument.
async fn emit(io: &SocketIo, event: &LiveEvent) {
    let result = match &event.payload {
        Some(value) => io.emit(event.name, &(value,)).await,
        None => io.emit(event.name, &[(); 0]).await,
    };
    if let Err(e) = result {
        tracing::debug!(event = event.name, error = %e, "live event not delivered to every client");
    }
}

/// Emits one event to one client.
fn emit_to(socket: &SocketRef, event: &LiveEvent) {
    let result = match &event.payload {
        Some(value) => socket.emit(event.name, &(value,)),
        None => socket.emit(event.name, &[(); 0]),
    };
    if let Err(e) = result {
        tracing::debug!(event = event.name, error = %e, "live state not delivered");
    }
}
