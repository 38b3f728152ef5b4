//! What each IPC command does: reads the monitor's shared state and hands
//! commands to the parts that own them.

use argus_protocol::constants::{MonitoringState, PowerState};
use argus_protocol::{Command, Reply};
use serde_json::json;
use tokio::sync::watch;

use crate::ipc::Handler;

/// Answers IPC commands from the monitor's published state.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    state: watch::Receiver<MonitoringState>,
    power: watch::Receiver<PowerState>,
    simulator: bool,
}

impl Dispatcher {
    /// A dispatcher over the given state channels.
    pub fn new(
        state: watch::Receiver<MonitoringState>,
        power: watch::Receiver<PowerState>,
        simulator: bool,
    ) -> Self {
        Self {
            state,
            power,
            simulator,
        }
    }
}

impl Handler for Dispatcher {
    async fn handle(&self, command: Command) -> Reply {
        match command {
            Command::MonitorGetState => Reply::ok_value(json!({ "state": *self.state.borrow() })),
            Command::PowerGetState => Reply::ok_value(json!({ "state": *self.power.borrow() })),
            Command::Sim(_) if !self.simulator => {
                Reply::error("the simulated board is not in use (USE_SIMULATOR=false)")
            }
            other => Reply::error(format!(
                "{} is not available in this version of argus-monitor",
                other.action()
            )),
        }
    }
}
