//! `argus-sim`: drives the simulated board of a running `argus-monitor`,
//! and feeds it telemetry readings.
//!
//! Run from the checkout with the same `ARGUS_DATA_DIR` as `scripts/dev.sh`
//! and it finds the monitor's socket by itself.

use anyhow::{bail, Context, Result};
use argus_monitor::interfaces::client::BlockingClient;
use argus_protocol::constants::PowerState;
use argus_protocol::ipc::SimLevel;
use argus_protocol::{Command, SimCommand};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// Drive the simulated alarm board.
#[derive(Debug, Parser)]
#[command(name = "argus-sim", version)]
struct Cli {
    /// The monitor's IPC socket [default: $MONITOR_INPUT_SOCKET, else
    /// $ARGUS_DATA_DIR/run/argus_monitor.sock with ARGUS_DATA_DIR defaulting to ./var].
    #[arg(long)]
    socket: Option<PathBuf>,
    #[command(subcommand)]
    command: SimAction,
}

#[derive(Debug, Subcommand)]
enum SimAction {
    /// Put an input in a state: active, idle, cut, short, or a level 0.0–1.0.
    Input {
        /// CH01–CH15, or a 0-based index.
        channel: String,
        /// active | idle | cut | short | LEVEL
        state: String,
    },
    /// Switch the power source: mains or battery.
    Power {
        /// mains | battery
        source: String,
    },
    /// Type keys on the simulated keypad.
    Keys {
        /// e.g. 1234#
        keys: String,
    },
    /// Present a card number to the simulated reader.
    Card {
        /// The card number.
        number: String,
    },
    /// Print the siren and output states.
    Outputs,
    /// Feed a telemetry reading (works with the real board too): watch a
    /// rule fire, e.g. `argus-sim reading cellar 1.5 --unit °C`.
    Reading {
        /// The telemetry sensor's name.
        sensor: String,
        /// The value.
        value: f64,
        /// Its unit.
        #[arg(long)]
        unit: Option<String>,
    },
}

fn socket_path(cli: Option<PathBuf>) -> PathBuf {
    cli.or_else(|| std::env::var_os("MONITOR_INPUT_SOCKET").map(PathBuf::from))
        .unwrap_or_else(|| {
            let data = std::env::var_os("ARGUS_DATA_DIR")
                .map_or_else(|| PathBuf::from("./var"), PathBuf::from);
            data.join("run/argus_monitor.sock")
        })
}

fn level(text: &str) -> Result<SimLevel> {
    Ok(match text.to_ascii_lowercase().as_str() {
        "active" => SimLevel::Active,
        "idle" => SimLevel::Idle,
        "cut" => SimLevel::Cut,
        "short" => SimLevel::Short,
        other => SimLevel::Level(
            other
                .parse()
                .with_context(|| format!("{other:?} is not active, idle, cut, short or a level"))?,
        ),
    })
}

fn run(cli: Cli) -> Result<()> {
    let command = match cli.command {
        SimAction::Reading {
            sensor,
            value,
            unit,
        } => {
            if !argus_protocol::telemetry::valid_sensor(&sensor) || !value.is_finite() {
                bail!("{sensor:?} {value}: a sensor name of letters, digits, '_', '-', '.' and a number");
            }
            Command::Telemetry {
                readings: vec![argus_protocol::telemetry::Reading {
                    sensor,
                    value,
                    unit,
                    time: chrono::Utc::now(),
                }],
            }
        }
        SimAction::Input { channel, state } => Command::Sim(SimCommand::Input {
            channel,
            level: level(&state)?,
        }),
        SimAction::Power { source } => Command::Sim(SimCommand::Power {
            source: match source.as_str() {
                "mains" | "network" => PowerState::Network,
                "battery" => PowerState::Battery,
                other => bail!("{other:?}: use mains or battery"),
            },
        }),
        SimAction::Keys { keys } => Command::Sim(SimCommand::Keys { keys }),
        SimAction::Card { number } => Command::Sim(SimCommand::Card { number }),
        SimAction::Outputs => Command::Sim(SimCommand::Outputs),
    };
    let path = socket_path(cli.socket);
    let mut client =
        BlockingClient::connect(&path, Duration::from_secs(10)).with_context(|| {
            format!(
                "connecting to {} (is scripts/dev.sh running? For another data directory \
                 set ARGUS_DATA_DIR, or source <data dir>/dev.env)",
                path.display()
            )
        })?;
    let reply = client.call(command)?;
    if !reply.result {
        bail!("{}", reply.message.unwrap_or_else(|| "refused".into()));
    }
    if let Some(value) = reply.value {
        println!("{}", serde_json::to_string_pretty(&value)?);
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("argus-sim: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn levels_parse() {
        assert_eq!(level("Active").unwrap(), SimLevel::Active);
        assert_eq!(level("0.47").unwrap(), SimLevel::Level(0.47));
        assert!(level("open").is_err());
    }
}
