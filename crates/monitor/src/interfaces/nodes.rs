//! Remote nodes: [`supervise`] (who is online, pure), [`hub`] (the task
//! that owns supervision and is the one writer of node sensors to the
//! engine), [`intake`] (stored node events from the job queue, applied in
//! sequence order), [`outbound`] (commands to satellite nodes),
//! [`mqtt_rule`] (how an MQTT device's payload reads as an input, pure),
//! [`socket`] (nodes on the monitor's WebSocket, `/nodes`).

pub mod hub;
pub mod intake;
pub mod mqtt_rule;
pub mod outbound;
pub mod socket;
pub mod supervise;

/// The ways to the nodes: the task, and their WebSocket connections.
#[derive(Debug, Clone)]
pub struct NodeLinks {
    /// The nodes task.
    pub hub: hub::NodesHandle,
    /// Nodes connected by WebSocket.
    pub sockets: socket::Sockets,
}
