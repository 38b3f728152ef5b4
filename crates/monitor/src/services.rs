//! What the monitor does for people beyond the alarm loop, each behind the
//! option section that configures it: e-mail, SSH access, remote access.
//! Notification channels, MQTT and remote nodes go here.
//!
//! - [`email`]: SMTP through lettre (`notifications/smtp`).
//! - [`notify`]: who is told what (the subscription matrix) and when power is reported.
//! - [`ssh`]: the SSH service (`network/access`).
//! - [`remote`]: dynamic DNS and certificates (`network/dyndns`).

pub mod email;
pub mod notify;
pub mod remote;
pub mod ssh;
