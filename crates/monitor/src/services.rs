//! What the monitor does for people beyond the alarm loop, each behind the
//! option section that configures it: e-mail, SSH access, remote access.
//! The notification pipeline (`runtime::notify`) sends through these; MQTT
//! and remote nodes, which bring inputs, are `interfaces`.
//!
//! - [`email`]: SMTP through lettre (`notifications/smtp`).
//! - [`sia`]: SIA DC-09 reports to an alarm receiving centre (`notifications/sia`).
//! - [`http`]: the HTTP client agent the others share.
//! - [`webhook`]: the signed JSON POST channel (`notifications/webhook`).
//! - [`rockblock`]: RockBLOCK MT messages to satellite nodes (`nodes/rockblock`).
//! - [`ssh`]: the SSH service (`network/access`).
//! - [`remote`]: dynamic DNS and certificates (`network/dyndns`).

pub mod email;
pub mod http;
pub mod remote;
pub mod rockblock;
pub mod sia;
pub mod ssh;
pub mod webhook;
