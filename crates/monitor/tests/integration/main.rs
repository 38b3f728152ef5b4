//! Integration tests of argus-monitor over its real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod gsm;
mod ipc;
