//! What remote nodes send, whatever the transport (HTTP, the monitor's
//! WebSocket, a RockBLOCK message, MQTT): input changes numbered per node,
//! and the job that carries stored changes from the server to the monitor.
//! Each shape is defined here once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The most changes one batch may carry.
pub const MAX_BATCH: usize = 500;
/// The longest input name.
pub const MAX_INPUT_NAME: usize = 64;
/// `argus_job.kind` of stored node events for the monitor.
pub const JOB_NODE_EVENTS: &str = "node_events";
/// `argus_job.kind` of a RockBLOCK MT message to a node.
pub const JOB_ROCKBLOCK_MT: &str = "rockblock_mt";

/// What an input reads. Nodes may say it as the projects they come from
/// do: `open`/`closed`, `on`/`off`, `true`/`false`, `alarm`/`normal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "serde_json::Value")]
pub enum InputState {
    /// Active: open, motion, alarm.
    Active,
    /// Quiet: closed, no motion.
    Idle,
    /// Wiring cut (or the node's own tamper switch).
    Cut,
    /// Wiring shorted.
    Short,
}

impl InputState {
    /// The stored word (`argus_node_event.state`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Idle => "idle",
            Self::Cut => "cut",
            Self::Short => "short",
        }
    }

    /// A word (any case) as a state.
    pub fn parse(word: &str) -> Option<Self> {
        match word.trim().to_ascii_lowercase().as_str() {
            "active" | "open" | "on" | "true" | "1" | "alarm" | "detected" => Some(Self::Active),
            "idle" | "closed" | "off" | "false" | "0" | "normal" | "clear" => Some(Self::Idle),
            "cut" | "tamper" => Some(Self::Cut),
            "short" => Some(Self::Short),
            _ => None,
        }
    }
}

impl TryFrom<serde_json::Value> for InputState {
    type Error = String;

    fn try_from(v: serde_json::Value) -> Result<Self, String> {
        let parsed = match &v {
            serde_json::Value::String(s) => Self::parse(s),
            serde_json::Value::Bool(true) => Some(Self::Active),
            serde_json::Value::Bool(false) => Some(Self::Idle),
            _ => None,
        };
        parsed.ok_or_else(|| format!("unknown input state {v} (active, idle, cut or short)"))
    }
}

/// One input change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEvent {
    /// The node's sequence number: a change seen again is stored once.
    pub seq: i64,
    /// The node's name for the input (`door`, `pir1`).
    pub input: String,
    /// What it reads now.
    pub state: InputState,
    /// When the node saw it (default: when it arrived).
    #[serde(default)]
    pub time: Option<DateTime<Utc>>,
}

/// A batch of changes (`POST /api/nodes/<id>/events`, a WebSocket `events` message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// The changes, in any order.
    pub events: Vec<NodeEvent>,
}

impl EventBatch {
    /// Why the batch cannot be taken, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.events.is_empty() || self.events.len() > MAX_BATCH {
            return Err(format!("a batch holds 1 to {MAX_BATCH} events"));
        }
        for e in &self.events {
            if e.seq < 0 {
                return Err(format!("seq {} is negative", e.seq));
            }
            let name_ok = !e.input.is_empty()
                && e.input.len() <= MAX_INPUT_NAME
                && e.input.chars().all(|c| c.is_ascii_graphic());
            if !name_ok {
                return Err(format!(
                    "input names are 1 to {MAX_INPUT_NAME} printable ASCII characters"
                ));
            }
        }
        Ok(())
    }
}

/// The `node_events` job: stored `argus_node_event` rows to apply. The intake
/// writes it in SQL (`NodeEventRow::store_queued`, tested against this type's
/// shape), so a delivery is one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsJob {
    /// `argus_node_event.id`s.
    pub events: Vec<i64>,
}

/// What an admin may ask a node to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// Sound its local siren or buzzer briefly.
    TestSiren,
    /// Restart.
    Reboot,
    /// Fetch and install its pending firmware update.
    StartOta,
    /// Send heartbeats every `seconds`.
    SetHeartbeat,
}

impl CommandKind {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TestSiren => "test_siren",
            Self::Reboot => "reboot",
            Self::StartOta => "start_ota",
            Self::SetHeartbeat => "set_heartbeat",
        }
    }
}

/// A command to a node, numbered so its acknowledgement can name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCommand {
    /// Unique per node (the job's id for satellite nodes).
    pub id: i64,
    /// What to do.
    pub command: CommandKind,
    /// `set_heartbeat`'s interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
}

impl NodeCommand {
    /// As a satellite message: `AR1;cmd;<id>;<command>[;<seconds>]`.
    pub fn satellite_text(&self) -> String {
        let mut text = format!("AR1;cmd;{};{}", self.id, self.command.as_str());
        if let Some(s) = self.seconds {
            text.push_str(&format!(";{s}"));
        }
        text
    }
}

/// What a node sends on the monitor's WebSocket (`/nodes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FromNode {
    /// Input changes (answered with [`ToNode::Accepted`]).
    Events {
        /// As in [`EventBatch`].
        events: Vec<NodeEvent>,
    },
    /// A sign of life.
    Heartbeat,
    /// A command's outcome.
    Ack {
        /// [`NodeCommand::id`].
        id: i64,
        /// Done.
        ok: bool,
    },
}

/// What the monitor sends a node on its WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToNode {
    /// The changes of an `events` message: taken now, or seen before.
    Accepted {
        /// Sequence numbers applied now.
        accepted: Vec<i64>,
        /// Sequence numbers seen before (acknowledged again).
        duplicates: Vec<i64>,
    },
    /// Something to do; answer with [`FromNode::Ack`].
    Command(NodeCommand),
    /// A message that could not be taken, and why (the connection stays).
    Error {
        /// Why.
        error: String,
    },
}

/// The `rockblock_mt` job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MtJob {
    /// `argus_node.id` (its modem's IMEI is looked up when sending).
    pub node_id: i32,
    /// The message.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_command_reads_as_a_short_satellite_text() {
        let c = NodeCommand {
            id: 7,
            command: CommandKind::SetHeartbeat,
            seconds: Some(600),
        };
        assert_eq!(c.satellite_text(), "AR1;cmd;7;set_heartbeat;600");
        let back: NodeCommand =
            serde_json::from_value(json!({"id": 7, "command": "set_heartbeat", "seconds": 600}))
                .unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn states_are_read_in_the_words_other_projects_use() {
        for (word, state) in [
            (json!("OPEN"), InputState::Active),
            (json!("closed"), InputState::Idle),
            (json!(true), InputState::Active),
            (json!(false), InputState::Idle),
            (json!("tamper"), InputState::Cut),
            (json!("short"), InputState::Short),
        ] {
            assert_eq!(InputState::try_from(word).unwrap(), state);
        }
        assert!(InputState::try_from(json!(3)).is_err());
        assert!(InputState::try_from(json!("ajar")).is_err());
    }

    #[test]
    fn a_batch_is_checked_before_anything_is_stored() {
        let batch = |events: serde_json::Value| -> EventBatch {
            serde_json::from_value(json!({ "events": events })).unwrap()
        };
        assert!(batch(json!([{"seq": 1, "input": "door", "state": "open"}]))
            .check()
            .is_ok());
        assert!(batch(json!([])).check().is_err());
        assert!(
            batch(json!([{"seq": -1, "input": "door", "state": "open"}]))
                .check()
                .is_err()
        );
        assert!(
            batch(json!([{"seq": 1, "input": "a door", "state": "open"}]))
                .check()
                .is_err()
        );
        let too_many: Vec<_> = (0..=MAX_BATCH)
            .map(|i| json!({"seq": i, "input": "d", "state": "idle"}))
            .collect();
        assert!(batch(json!(too_many)).check().is_err());
        assert!(serde_json::from_value::<EventBatch>(
            json!({"events": [{"seq": 1, "input": "d", "state": "idle", "x": 1}]})
        )
        .is_err());
    }
}
