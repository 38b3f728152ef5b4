//! Remote nodes: [`supervise`] (who is online, pure), [`hub`] (the task
//! that owns supervision and is the one writer of node sensors to the
//! engine), [`intake`] (stored node events from the job queue, applied in
//! sequence order), [`outbound`] (commands to satellite nodes).

pub mod hub;
pub mod intake;
pub mod outbound;
pub mod supervise;
