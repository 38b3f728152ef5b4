//! The IPC server: NDJSON requests on a Unix socket, answered concurrently.
//!
//! Each connection has a reader that parses frames and a writer that sends
//! responses as they complete; every request runs in its own task (at most
//! [`MAX_IN_FLIGHT`] per connection), so a slow command such as a siren test
//! never holds up another call. Bad frames get an error reply; nothing a client
//! sends can panic the monitor.

use argus_protocol::framing::{decode, encode};
use argus_protocol::ipc::salvage_id;
use argus_protocol::{Command, LineReader, Reply, Request, Response};
use std::future::Future;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, Semaphore};

/// Requests one connection may have running at once.
pub const MAX_IN_FLIGHT: usize = 32;
/// The longest a request may run before it is answered with a timeout error.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What answers IPC commands.
pub trait Handler: Send + Sync + 'static {
    /// Runs one command.
    fn handle(&self, command: Command) -> impl Future<Output = Reply> + Send;
}

/// Binds the IPC socket: creates its directory, removes a stale socket file
/// and sets the mode (`PERMISSIONS`).
pub fn bind(path: &Path, mode: u32) -> std::io::Result<UnixListener> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::remove_file(path) {
        Ok(()) => tracing::info!(ipc.socket = %path.display(), "removed a stale IPC socket"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(listener)
}

/// Accepts connections until dropped; dropping (or aborting) this future
/// closes every connection it accepted.
pub async fn serve<H: Handler>(listener: UnixListener, handler: Arc<H>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(stream, Arc::clone(&handler)));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "IPC accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// The reply to a line that is not a valid request.
fn rejection(line: &[u8], error: &argus_protocol::FrameError) -> Response {
    let value: Option<serde_json::Value> = serde_json::from_slice(line).ok();
    let action = value
        .as_ref()
        .and_then(|v| v.get("action"))
        .and_then(|a| a.as_str());
    let message = match action {
        Some(a) if !Command::ACTIONS.contains(&a) => format!("Unknown command: {a}"),
        _ => format!("invalid request: {error}"),
    };
    Response {
        id: salvage_id(line),
        reply: Reply::error(message),
    }
}

async fn send(tx: &mpsc::Sender<Vec<u8>>, response: &Response) {
    match encode(response) {
        Ok(line) => {
            let _ = tx.send(line).await;
        }
        Err(e) => tracing::error!(error = %e, "cannot encode an IPC response"),
    }
}

async fn connection<H: Handler>(stream: UnixStream, handler: Arc<H>) {
    let (mut reader, mut writer) = stream.into_split();
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(MAX_IN_FLIGHT);
    let writer_task = tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            if writer.write_all(&line).await.is_err() {
                break;
            }
        }
    });
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut lines = LineReader::new();
    'read: while let Ok(n @ 1..) = reader.read(lines.buffer()).await {
        for frame in lines.filled(n) {
            let line = match frame {
                Ok(line) => line,
                Err(e) => {
                    send(
                        &tx,
                        &Response {
                            id: None,
                            reply: Reply::error(format!("invalid request: {e}")),
                        },
                    )
                    .await;
                    continue;
                }
            };
            let request: Request = match decode(&line) {
                Ok(r) => r,
                Err(e) => {
                    send(&tx, &rejection(&line, &e)).await;
                    continue;
                }
            };
            let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else {
                break 'read;
            };
            let (handler, tx) = (Arc::clone(&handler), tx.clone());
            tokio::spawn(async move {
                let action = request.command.action();
                let started = std::time::Instant::now();
                let reply = tokio::time::timeout(REQUEST_TIMEOUT, handler.handle(request.command))
                    .await
                    .unwrap_or_else(|_| {
                        tracing::warn!(ipc.action = %action, "IPC request timed out");
                        Reply::error(format!("{action} timed out"))
                    });
                crate::runtime::metrics::METRICS
                    .ipc
                    .observe(started.elapsed());
                send(
                    &tx,
                    &Response {
                        id: Some(request.id),
                        reply,
                    },
                )
                .await;
                drop(permit);
            });
        }
    }
    drop(tx);
    let _ = writer_task.await;
}
