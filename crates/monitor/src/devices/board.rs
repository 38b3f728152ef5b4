//! The alarm board: input levels in, relay and siren states out.
//!
//! Every board runs as a task behind a [`BoardHandle`] and reports
//! [`BoardEvent`]s on a channel; the runtime classifies levels into sensor
//! readings ([`wiring`]). Backends: the simulated board ([`sim`]), driven by
//! `argus-sim`, and the real boards v2 and v3 on `gpio-cdev` ([`gpio`]).

pub mod gpio;
pub mod sim;
pub mod wiegand;
pub mod wiring;

use argus_protocol::constants::PowerState;
use tokio::sync::{mpsc, oneshot};

/// The DRV8860's eight channels; channel 0 (`GO`) drives the siren.
pub const OUTPUT_CHANNELS: usize = 8;
/// ArPI's output channel names, by channel.
pub const OUTPUT_NAMES: [&str; OUTPUT_CHANNELS] = ["GO", "R1", "R0", "O4", "O3", "O2", "O1", "O0"];

/// Something the board observed.
#[derive(Debug, Clone, PartialEq)]
pub enum BoardEvent {
    /// An input's level changed: a ratio of the ADC reference (v3) or 0.0/1.0 (v2).
    Level {
        /// 0-based input channel.
        channel: u8,
        /// The level.
        level: f64,
    },
    /// The power source changed.
    Power(PowerState),
    /// A key pressed on the keypad.
    Key(char),
    /// A card presented to the reader (its number).
    Card(String),
}

/// The state of the outputs, as the board drives them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputStates {
    /// Channel states; channel 0 is the siren.
    pub channels: [bool; OUTPUT_CHANNELS],
}

/// A request to the board task.
#[derive(Debug)]
pub enum BoardCommand {
    /// Switch an output channel (0 = siren).
    SetOutput {
        /// Channel 0–7.
        channel: u8,
        /// On or off.
        on: bool,
    },
    /// Read what the outputs are set to.
    Outputs(oneshot::Sender<OutputStates>),
    /// Simulated board only: put a level on an input.
    SimulateLevel {
        /// 0-based input channel.
        channel: u8,
        /// The level.
        level: f64,
    },
    /// Simulated board only: switch the power source.
    SimulatePower(PowerState),
}

/// A cheap handle to the board task.
#[derive(Debug, Clone)]
pub struct BoardHandle {
    tx: mpsc::UnboundedSender<BoardCommand>,
    simulated: bool,
}

impl BoardHandle {
    /// Wraps a board task's command channel.
    pub fn new(tx: mpsc::UnboundedSender<BoardCommand>, simulated: bool) -> Self {
        Self { tx, simulated }
    }

    /// Whether this is the simulated board.
    pub fn simulated(&self) -> bool {
        self.simulated
    }

    /// Sends a command; a stopped board is logged, never a panic.
    pub fn send(&self, command: BoardCommand) {
        if self.tx.send(command).is_err() {
            tracing::error!("the board task has stopped");
        }
    }

    /// Switches an output channel.
    pub fn set_output(&self, channel: u8, on: bool) {
        self.send(BoardCommand::SetOutput { channel, on });
    }

    /// Reads the output states.
    pub async fn outputs(&self) -> Option<OutputStates> {
        let (tx, rx) = oneshot::channel();
        self.send(BoardCommand::Outputs(tx));
        rx.await.ok()
    }
}
