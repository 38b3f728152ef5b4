//! The ways in: IPC from the server and `argus-sim`, Socket.IO for browsers,
//! the keypad and the card reader. Each turns a request into engine inputs
//! or a reply; none is ever on the engine's path.
//!
//! - [`ipc`]: the NDJSON IPC server on a Unix socket.
//! - [`dispatch`]: a thin match from each IPC command to its handler.
//! - [`running`]: the parts of a running monitor the handlers act on.
//! - [`access`]: keypad keys, cards and PIN checks under the lock-out.
//! - [`mqtt`]: Home Assistant over MQTT: discovery, states, commands.
//! - [`nodes`]: remote nodes: supervision and their reported inputs.
//! - [`telemetry`]: environmental readings (Redis, MQTT, REST), stored and
//!   watched by threshold rules.
//! - [`sms`]: SMS commands (`<PIN> ARM`, …) from the configured numbers.
//! - [`trials`]: the test buttons, run in the background.
//! - [`sim`]: `argus-sim`'s commands on the simulated board.
//! - [`sio`]: Socket.IO, with admission and per-address caps.
//! - [`client`]: a blocking IPC client (`argus-sim`, tests).

pub mod access;
pub mod client;
pub mod dispatch;
pub mod ipc;
pub mod mqtt;
pub mod nodes;
pub mod running;
pub mod sim;
pub mod sio;
pub mod sms;
pub mod telemetry;
pub mod trials;
