//! Messages between `argus-server` and `argus-monitor` and how they travel.
//!
//! - [`ipc`]: typed requests (every ArPI IPC command plus the simulator's `sim`
//!   group) and replies in ArPI's envelope (`result`, `message`, `value`, `other`).
//! - [`framing`]: NDJSON, one JSON value per line with a maximum length, written
//!   against byte slices and `std::io` so sync and async callers share it.
//! - [`constants`]: the contract's string constants (monitoring states, …).
//! - [`jwt`]: ArPI's HS256 tokens (device and user tokens), signed and checked
//!   with `SECRET`; pure computation, shared by server and monitor.
//! - [`lockout`]: the one lock-out policy of every PIN entry point.
//! - [`peer`]: which client address to believe (trusted proxies).
//! - [`options`]: the registry of option sections, their defaults and secrets.
//! - [`telemetry`]: readings from every telemetry source, and their parsing.
//! - [`wire`]: the contract's JSON both processes send (Alert, Area).
//!
//! This crate holds data, framing and the pure rules both processes apply:
//! no diesel, actix, tokio or socketioxide.

pub mod constants;
pub mod framing;
pub mod ipc;
pub mod jwt;
pub mod lockout;
pub mod nodes;
pub mod options;
pub mod peer;
pub mod telemetry;
pub mod wire;

pub use framing::{FrameError, LineReader, MAX_FRAME_LEN};
pub use ipc::{
    ArmRequest, Command, DisarmRequest, OpenSensor, Reply, Request, Response, SimCommand,
};
