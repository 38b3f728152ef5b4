//! A blocking IPC client, for `argus-sim` and tests.

use argus_protocol::framing::{decode, encode, read_frame};
use argus_protocol::{Command, FrameError, LineReader, Reply, Request, Response};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// An IPC call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Connecting or talking failed.
    #[error("cannot reach the monitor")]
    Io(#[from] std::io::Error),
    /// A frame could not be read or written.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The monitor closed the connection before answering.
    #[error("the monitor closed the connection")]
    Closed,
}

/// One connection to the monitor; calls are answered in order.
#[derive(Debug)]
pub struct BlockingClient {
    stream: UnixStream,
    lines: LineReader,
    next_id: u64,
}

impl BlockingClient {
    /// Connects; every read and write is bounded by `timeout`.
    pub fn connect(path: &Path, timeout: Duration) -> Result<Self, ClientError> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Self {
            stream,
            lines: LineReader::new(),
            next_id: 1,
        })
    }

    /// Sends a command and waits for its reply.
    pub fn call(&mut self, command: Command) -> Result<Reply, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        self.stream.write_all(&encode(&Request { id, command })?)?;
        loop {
            let line = read_frame(&mut self.stream, &mut self.lines)?.ok_or(ClientError::Closed)?;
            let response: Response = decode(&line)?;
            if response.id == Some(id) {
                return Ok(response.reply);
            }
        }
    }
}
