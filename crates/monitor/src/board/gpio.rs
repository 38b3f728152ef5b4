//! The real boards on the GPIO character device.

use tokio::sync::mpsc;

use super::{BoardEvent, BoardHandle};

/// The real board backends could not start.
#[derive(Debug, thiserror::Error)]
#[error("board v{version}: {problem}")]
pub struct GpioError {
    version: u8,
    problem: String,
}

/// Starts the real board `version` (2 or 3).
pub fn spawn(
    version: u8,
    _sample_rate: u32,
    _events: mpsc::UnboundedSender<BoardEvent>,
) -> Result<BoardHandle, GpioError> {
    Err(GpioError {
        version,
        problem: "the gpio-cdev backend is not built into this version; set USE_SIMULATOR=true"
            .into(),
    })
}
