//! A persistent, multiplexed IPC connection to the monitor.
//!
//! Calls share one connection: each request carries an id, a reader task
//! routes every response to its caller, and each call is bounded by a
//! timeout. A broken connection fails the calls in flight and is reopened by
//! the next call. One client lives in each HTTP worker (its socket belongs to
//! that worker's runtime).

use argus_protocol::framing::{decode, encode};
use argus_protocol::{Command, LineReader, Reply, Request, Response};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::OwnedWriteHalf;
use tokio::net::UnixStream;
use tokio::sync::oneshot;

/// Why a call got no reply.
#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    /// The socket could not be reached or written.
    #[error("cannot reach the monitor: {0}")]
    Unreachable(#[from] std::io::Error),
    /// No reply within the timeout.
    #[error("no reply within {0:?}")]
    Timeout(Duration),
    /// The connection closed before the reply came.
    #[error("the monitor closed the connection")]
    Closed,
    /// The request could not be encoded.
    #[error("cannot encode the request: {0}")]
    Encode(#[from] argus_protocol::FrameError),
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Reply>>>>;

struct Connection {
    writer: OwnedWriteHalf,
    pending: Pending,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// A client of the monitor's IPC socket.
pub struct IpcClient {
    path: PathBuf,
    timeout: Duration,
    next_id: AtomicU64,
    connection: tokio::sync::Mutex<Option<Connection>>,
}

impl std::fmt::Debug for IpcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpcClient")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn lock(pending: &Pending) -> std::sync::MutexGuard<'_, HashMap<u64, oneshot::Sender<Reply>>> {
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn read_responses(mut reader: tokio::net::unix::OwnedReadHalf, pending: Pending) {
    let mut lines = LineReader::new();
    while let Ok(n @ 1..) = reader.read(lines.buffer()).await {
        for frame in lines.filled(n) {
            let Ok(response) = frame.and_then(|line| decode::<Response>(&line)) else {
                tracing::warn!("ignoring an unreadable IPC response");
                continue;
            };
            if let Some(tx) = response.id.and_then(|id| lock(&pending).remove(&id)) {
                let _ = tx.send(response.reply);
            }
        }
    }
    // Dropping the senders fails every call still waiting.
    lock(&pending).clear();
}

impl IpcClient {
    /// A client for the socket at `path`; connects on first use.
    pub fn new(path: PathBuf, timeout: Duration) -> Self {
        Self {
            path,
            timeout,
            next_id: AtomicU64::new(1),
            connection: tokio::sync::Mutex::new(None),
        }
    }

    async fn connect(&self) -> Result<Connection, IpcError> {
        let stream = tokio::time::timeout(self.timeout, UnixStream::connect(&self.path))
            .await
            .map_err(|_| IpcError::Timeout(self.timeout))??;
        let (reader, writer) = stream.into_split();
        let pending: Pending = Arc::default();
        let reader = tokio::spawn(read_responses(reader, Arc::clone(&pending)));
        Ok(Connection {
            writer,
            pending,
            reader,
        })
    }

    /// Sends a command and waits (at most the timeout) for its reply.
    pub async fn call(&self, command: Command) -> Result<Reply, IpcError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let line = encode(&Request { id, command })?;
        let (tx, rx) = oneshot::channel();
        let pending = {
            let mut slot = self.connection.lock().await;
            if slot.as_ref().is_none_or(|c| c.reader.is_finished()) {
                *slot = Some(self.connect().await?);
            }
            let Some(connection) = slot.as_mut() else {
                return Err(IpcError::Closed);
            };
            lock(&connection.pending).insert(id, tx);
            let written =
                tokio::time::timeout(self.timeout, connection.writer.write_all(&line)).await;
            if !matches!(written, Ok(Ok(()))) {
                *slot = None;
                return Err(match written {
                    Ok(Err(e)) => IpcError::Unreachable(e),
                    _ => IpcError::Timeout(self.timeout),
                });
            }
            Arc::clone(&connection.pending)
        };
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err(IpcError::Closed),
            Err(_) => {
                lock(&pending).remove(&id);
                Err(IpcError::Timeout(self.timeout))
            }
        }
    }
}
