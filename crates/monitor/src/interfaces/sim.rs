//! `argus-sim`'s commands, for the simulated board only: set an input's
//! level, switch the power source, read the outputs, type keys, present a
//! card.

use argus_protocol::{Reply, SimCommand};
use serde_json::json;

use crate::devices::board::{BoardCommand, OUTPUT_NAMES};
use crate::interfaces::access;
use crate::interfaces::running::Running;

/// The refusal on a real board.
pub const NOT_SIMULATED: &str = "the simulated board is not in use (USE_SIMULATOR=false)";

/// Runs one simulator command; `armed` is whether the system is armed now.
pub async fn handle(r: &Running, armed: bool, command: SimCommand) -> Reply {
    if !r.board.simulated() {
        return Reply::error(NOT_SIMULATED);
    }
    match command {
        SimCommand::Input { channel, level } => {
            let channel = match parse_channel(&channel, r.input_number) {
                Ok(c) => c,
                Err(e) => return Reply::error(e),
            };
            match r.engine.simulate(channel, level).await {
                Ok(v) => Reply::ok_value(
                    json!({ "channel": format!("CH{:02}", channel + 1), "level": v }),
                ),
                Err(e) => Reply::error(e),
            }
        }
        SimCommand::Power { source } => {
            r.board.send(BoardCommand::SimulatePower(source));
            Reply::ok()
        }
        SimCommand::Outputs => match r.board.outputs().await {
            Some(o) => {
                let outputs: serde_json::Map<String, serde_json::Value> = OUTPUT_NAMES
                    .iter()
                    .zip(o.channels)
                    .map(|(n, s)| ((*n).to_owned(), s.into()))
                    .collect();
                Reply::ok_value(json!({ "siren": o.channels[0], "outputs": outputs }))
            }
            None => Reply::error("the board has stopped"),
        },
        SimCommand::Keys { keys } => access::keys(r, &keys).await,
        SimCommand::Card { number } => access::card(r, armed, number).await,
    }
}

/// `CH01`…`CH15` or a 0-based index.
pub fn parse_channel(text: &str, input_number: u8) -> Result<u8, String> {
    let t = text.trim();
    let channel = match t.get(..2).filter(|p| p.eq_ignore_ascii_case("CH")) {
        Some(_) => t[2..].parse::<u8>().ok().and_then(|n| n.checked_sub(1)),
        None => t.parse::<u8>().ok(),
    };
    channel.filter(|&c| c < input_number).ok_or_else(|| {
        format!(
            "unknown channel {t:?}: use CH01–CH{input_number:02} or 0–{}",
            input_number.saturating_sub(1)
        )
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_by_name_or_index() {
        assert_eq!(parse_channel("CH01", 15), Ok(0));
        assert_eq!(parse_channel("ch15", 15), Ok(14));
        assert_eq!(parse_channel("3", 15), Ok(3));
        assert!(parse_channel("CH00", 15).is_err());
        assert!(parse_channel("CH16", 15).is_err());
        assert!(parse_channel("15", 15).is_err());
        assert!(parse_channel("door", 15).is_err());
    }
}
