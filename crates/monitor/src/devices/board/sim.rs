//! The simulated board: every input idle at its wiring's level and mains
//! power at start; `argus-sim` changes levels over IPC; outputs are only
//! remembered (and shown by `argus-sim outputs`).

use argus_protocol::constants::PowerState;
use tokio::sync::mpsc;

use super::{BoardCommand, BoardEvent, BoardHandle, OutputStates};

/// Starts the simulated board. `initial` gives each input's idle level.
pub fn spawn(initial: Vec<(u8, f64)>, events: mpsc::UnboundedSender<BoardEvent>) -> BoardHandle {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut outputs = OutputStates::default();
        for (channel, level) in initial {
            let _ = events.send(BoardEvent::Level { channel, level });
        }
        let _ = events.send(BoardEvent::Power(PowerState::Network));
        while let Some(command) = rx.recv().await {
            match command {
                BoardCommand::SetOutput { channel, on } => {
                    if let Some(c) = outputs.channels.get_mut(usize::from(channel)) {
                        *c = on;
                    }
                }
                BoardCommand::Outputs(reply) => {
                    let _ = reply.send(outputs);
                }
                BoardCommand::SimulateLevel { channel, level } => {
                    let _ = events.send(BoardEvent::Level { channel, level });
                }
                BoardCommand::SimulatePower(power) => {
                    let _ = events.send(BoardEvent::Power(power));
                }
            }
        }
    });
    BoardHandle::new(tx, true)
}
