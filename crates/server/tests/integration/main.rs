//! Integration tests of argus-server: in-process HTTP against a real database
//! and a real monitor IPC server.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod auth;
mod catalog;
mod entities;
mod generic;
mod health;
mod history;
mod input;
mod ipc_client;
mod lockout;
mod matrix;
mod people;
mod settings;
mod support;
