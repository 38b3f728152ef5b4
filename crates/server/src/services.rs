//! What routes share, one layer below them: routes call these and never each
//! other.
//!
//! - [`armed`]: whether the house counts as armed (configuration writes wait).
//! - [`chart`]: a telemetry sensor's history as an SVG (plotters).
//! - [`changes`]: the shape of every configuration write (409 while armed, one
//!   transaction with its event, merge, reorder, monitor reload).
//! - [`entity`]: the create / read / update skeleton of configuration objects.
//! - [`firmware`]: firmware bundles on disk, paths confined to their bundle.
//! - [`monitor`]: IPC commands from requests, the monitor's replies as responses.
//! - [`nodes`]: remote nodes' intake (events stored once with their job) and tokens.
//! - [`rockblock`]: RockBLOCK MO deliveries, their payloads and JWTs (pure).
//! - [`shapes`]: the contract's JSON of areas, zones, sensors, keypads and alerts.

pub mod armed;
pub mod changes;
pub mod chart;
pub mod entity;
pub mod firmware;
pub mod monitor;
pub mod nodes;
pub mod rockblock;
pub mod shapes;
