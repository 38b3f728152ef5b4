//! The GSM modem (SIM900 class) on a serial port: SMS out and in, voice calls
//! with DTMF acknowledgement. [`at`] parses what the modem says; [`modem`]
//! speaks AT commands over any byte stream; [`service`] owns the port on its
//! own thread, reconnects after errors and answers requests in order, so a
//! slow or dead modem never holds up the engine or IPC; [`commands`] are the
//! REST tools' tests and inbox; [`sms`] says how much text a message holds;
//! [`supervise`] checks registration and signal and publishes them.
//! Phone numbers and message texts are never logged.

pub mod at;
pub mod commands;
pub mod modem;
pub mod service;
pub mod sms;
pub mod supervise;

pub use modem::{GsmError, Modem};
pub use service::{GsmHandle, GsmSettings};
