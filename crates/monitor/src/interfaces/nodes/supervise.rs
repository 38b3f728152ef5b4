//! Node supervision, pure: each node's last sign of life and its timeout;
//! a node seen again is online, one silent past its timeout is offline.
//! Time is given by the caller (milliseconds since the epoch), so tests run
//! on a paused clock.

use std::collections::BTreeMap;

use crate::engine::Millis;

/// A node came back or went quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Seen again after being offline.
    Online(i32),
    /// Silent past its timeout.
    Offline(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Watch {
    timeout: Millis,
    last_seen: Option<Millis>,
    online: bool,
}

/// Every supervised node.
#[derive(Debug, Clone, Default)]
pub struct Supervisor {
    nodes: BTreeMap<i32, Watch>,
}

/// One node as the API lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// `argus_node.id`.
    pub id: i32,
    /// Online now.
    pub online: bool,
    /// Last sign of life, ms since the epoch.
    pub last_seen: Option<Millis>,
}

impl Supervisor {
    /// Follows `nodes` (id, timeout, last seen as stored) from `now`. A node
    /// already followed keeps its state; a new one is online only if it was
    /// seen within its timeout (a restart raises nothing by itself).
    pub fn configure(&mut self, nodes: &[(i32, Millis, Option<Millis>)], now: Millis) {
        let mut next = BTreeMap::new();
        for &(id, timeout, stored) in nodes {
            let watch = match self.nodes.get(&id) {
                Some(w) => Watch {
                    timeout,
                    last_seen: w.last_seen.max(stored),
                    online: w.online,
                },
                None => Watch {
                    timeout,
                    last_seen: stored,
                    online: stored.is_some_and(|t| now - t <= timeout),
                },
            };
            next.insert(id, watch);
        }
        self.nodes = next;
    }

    /// A sign of life from `node` at `at`.
    pub fn seen(&mut self, node: i32, at: Millis) -> Option<Change> {
        let w = self.nodes.get_mut(&node)?;
        w.last_seen = w.last_seen.max(Some(at));
        if w.online {
            return None;
        }
        w.online = true;
        Some(Change::Online(node))
    }

    /// `node` said it is gone (an MQTT device's availability), at once.
    pub fn gone(&mut self, node: i32) -> Option<Change> {
        let w = self.nodes.get_mut(&node)?;
        if !w.online {
            return None;
        }
        w.online = false;
        Some(Change::Offline(node))
    }

    /// Nodes whose timeout passed by `now`, now offline.
    pub fn tick(&mut self, now: Millis) -> Vec<Change> {
        let mut changes = Vec::new();
        for (&id, w) in &mut self.nodes {
            let expired = w.last_seen.is_none_or(|t| now - t > w.timeout);
            if w.online && expired {
                w.online = false;
                changes.push(Change::Offline(id));
            }
        }
        changes
    }

    /// When the next online node times out.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.nodes
            .values()
            .filter(|w| w.online)
            .filter_map(|w| Some(w.last_seen? + w.timeout + 1))
            .min()
    }

    /// Whether `node` is online (`None`: not supervised).
    pub fn online(&self, node: i32) -> Option<bool> {
        self.nodes.get(&node).map(|w| w.online)
    }

    /// Every node.
    pub fn status(&self) -> Vec<Status> {
        self.nodes
            .iter()
            .map(|(&id, w)| Status {
                id,
                online: w.online,
                last_seen: w.last_seen,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Millis = 1000;

    #[test]
    fn seen_at_29_s_is_online_and_silent_at_31_s_is_offline() {
        let mut s = Supervisor::default();
        s.configure(&[(1, 30 * S, None)], 0);
        assert_eq!(s.online(1), Some(false), "never seen");
        assert_eq!(s.seen(1, 0), Some(Change::Online(1)));
        assert!(s.tick(29 * S).is_empty());
        assert_eq!(s.online(1), Some(true));
        assert_eq!(s.next_deadline(), Some(30 * S + 1));
        assert_eq!(s.tick(31 * S), [Change::Offline(1)]);
        assert!(s.tick(40 * S).is_empty(), "once");
        assert_eq!(s.next_deadline(), None);
        assert_eq!(s.seen(1, 41 * S), Some(Change::Online(1)));
        assert_eq!(s.seen(1, 42 * S), None);
    }

    #[test]
    fn a_restart_raises_nothing_for_a_node_seen_recently_and_keeps_states_on_reload() {
        let mut s = Supervisor::default();
        s.configure(
            &[(1, 30 * S, Some(95 * S)), (2, 30 * S, Some(10 * S))],
            100 * S,
        );
        assert_eq!((s.online(1), s.online(2)), (Some(true), Some(false)));
        assert!(s.tick(110 * S).is_empty());
        s.configure(&[(1, 60 * S, None)], 120 * S);
        assert_eq!(s.online(1), Some(true), "kept across a reload");
        assert_eq!(s.online(2), None, "removed");
        assert!(s.tick(150 * S).is_empty(), "the new timeout counts");
        assert_eq!(s.tick(156 * S), [Change::Offline(1)]);
        assert_eq!(s.seen(9, 0), None, "unknown nodes are not supervised");
        s.seen(1, 160 * S);
        assert_eq!(s.gone(1), Some(Change::Offline(1)), "said so itself");
        assert_eq!(s.gone(1), None);
    }

    #[test]
    fn a_late_sign_of_life_never_moves_last_seen_back() {
        let mut s = Supervisor::default();
        s.configure(&[(1, 30 * S, None)], 0);
        s.seen(1, 20 * S);
        s.seen(1, 5 * S);
        assert_eq!(s.status()[0].last_seen, Some(20 * S));
    }
}
