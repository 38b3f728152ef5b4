//! A notice: one engine notification with the names it needs, as the actor
//! keeps it in the state journal until its outbox rows are in PostgreSQL,
//! and [`PowerHold`], EN 50131's report delay for mains transitions. Pure.

use serde::{Deserialize, Serialize};

use super::plan::{Facts, Kind};
use crate::engine::model::Millis;
use crate::engine::{Notification, Origin};
use crate::installation::Installation;

/// One event to tell people about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The event's name in outbox keys: `alert-<start>`, `power-<since>`,
    /// `silent-<time>` (wall-clock milliseconds, unique for the
    /// installation's life, unlike the engine's alert numbers).
    pub event: String,
    /// What happened.
    pub kind: Kind,
    /// When it happened.
    pub time: Millis,
    /// When the alert or outage began (`time` for the rest).
    pub since: Millis,
    /// The sensors involved, by name.
    pub sensors: Vec<String>,
    /// Their areas, by name.
    pub areas: Vec<String>,
    /// The user behind it (a duress code's owner), by name.
    pub who: Option<String>,
}

impl Notice {
    /// Names this notice among those waiting (the journal's and the acks').
    pub fn id(&self) -> String {
        format!("{}:{}", self.event, self.kind.as_str())
    }

    /// What the message says, `location` added.
    pub fn facts(&self, location: Option<String>) -> Facts {
        Facts {
            location,
            sensors: self.sensors.clone(),
            areas: self.areas.clone(),
            who: self.who.clone(),
            time: argus_protocol::wire::local_time_ms(self.time),
        }
    }
}

fn names(sensors: &[i32], installation: &Installation) -> (Vec<String>, Vec<String>) {
    let mut areas: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for id in sensors {
        if let Some(s) = installation.sensors.get(id) {
            found.push(s.name.clone());
        }
        let area = installation
            .config
            .sensors
            .get(id)
            .and_then(|s| installation.areas.get(&s.area));
        if let Some(a) = area {
            if !areas.contains(&a.name) {
                areas.push(a.name.clone());
            }
        }
    }
    (found, areas)
}

/// The notice of `n` at `now`, `None` for what the matrix has no column for
/// (a wiring fault is in the event log).
pub fn of(n: &Notification, installation: &Installation, now: Millis) -> Option<Notice> {
    let notice = |event: String, kind, time, since, sensors: &[i32], who| {
        let (sensors, areas) = names(sensors, installation);
        Notice {
            event,
            kind,
            time,
            since,
            sensors,
            areas,
            who,
        }
    };
    Some(match n {
        Notification::AlertStarted { start, sensor, .. } => notice(
            format!("alert-{start}"),
            Kind::AlertStarted,
            *start,
            *start,
            &[*sensor],
            None,
        ),
        Notification::AlertStopped { start, sensors, .. } => notice(
            format!("alert-{start}"),
            Kind::AlertStopped,
            now,
            *start,
            sensors,
            None,
        ),
        Notification::PowerOutageStarted { since } => notice(
            format!("power-{since}"),
            Kind::PowerOutageStarted,
            *since,
            *since,
            &[],
            None,
        ),
        Notification::PowerOutageStopped { since } => notice(
            format!("power-{since}"),
            Kind::PowerOutageStopped,
            now,
            *since,
            &[],
            None,
        ),
        Notification::Duress { origin } => {
            let who = Origin::user(origin)
                .and_then(|u| installation.credentials.user_name(u))
                .map(str::to_owned);
            notice(
                format!("silent-{now}"),
                Kind::SilentAlarm,
                now,
                now,
                &[],
                who,
            )
        }
        Notification::WiringFault { .. } => return None,
    })
}

/// What [`PowerHold`] decided about the notices given to it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decided {
    /// To queue, in order.
    pub queue: Vec<Notice>,
    /// Never to be sent (an outage shorter than the delay, start and end).
    pub dropped: Vec<Notice>,
}

/// Holds a power outage's start until it has lasted the delay; an outage
/// shorter than that is dropped with its end, a longer one reports both.
/// The decision depends only on the notices' own times, so replaying them
/// from the journal after a restart decides the same.
#[derive(Debug, Default)]
pub struct PowerHold {
    held: Vec<Notice>,
}

impl PowerHold {
    /// Takes `notice` at `now`.
    pub fn admit(&mut self, notice: Notice, delay_ms: Millis, now: Millis) -> Decided {
        let mut decided = Decided::default();
        match notice.kind {
            Kind::PowerOutageStarted => {
                self.held.push(notice);
                return self.due(delay_ms, now);
            }
            Kind::PowerOutageStopped => {
                let start = self
                    .held
                    .iter()
                    .position(|h| h.event == notice.event)
                    .map(|i| self.held.remove(i));
                if notice.time - notice.since < delay_ms {
                    decided.dropped.extend(start);
                    decided.dropped.push(notice);
                } else {
                    decided.queue.extend(start);
                    decided.queue.push(notice);
                }
            }
            _ => decided.queue.push(notice),
        }
        decided
    }

    /// The held starts whose outage has lasted the delay at `now`.
    pub fn due(&mut self, delay_ms: Millis, now: Millis) -> Decided {
        let (queue, held) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|h| now - h.since >= delay_ms);
        self.held = held;
        Decided {
            queue,
            dropped: Vec::new(),
        }
    }

    /// When [`PowerHold::due`] next has something.
    pub fn next_deadline(&self, delay_ms: Millis) -> Option<Millis> {
        self.held.iter().map(|h| h.since + delay_ms).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn power(kind: Kind, since: Millis, time: Millis) -> Notice {
        Notice {
            event: format!("power-{since}"),
            kind,
            time,
            since,
            sensors: Vec::new(),
            areas: Vec::new(),
            who: None,
        }
    }

    const MINUTE: Millis = 60_000;

    #[test]
    fn a_short_outage_reports_nothing_and_a_long_one_reports_start_and_end_once() {
        let mut hold = PowerHold::default();
        let start = power(Kind::PowerOutageStarted, 0, 0);
        assert_eq!(hold.admit(start.clone(), MINUTE, 0), Decided::default());
        assert_eq!(hold.next_deadline(MINUTE), Some(MINUTE));
        assert!(hold.due(MINUTE, MINUTE - 1).queue.is_empty());
        let end = power(Kind::PowerOutageStopped, 0, MINUTE - 1);
        let decided = hold.admit(end.clone(), MINUTE, MINUTE - 1);
        assert_eq!(decided.dropped, [start, end], "back within the delay");
        assert!(decided.queue.is_empty());
        assert_eq!(hold.next_deadline(MINUTE), None);

        let start = power(Kind::PowerOutageStarted, 100_000, 100_000);
        hold.admit(start.clone(), MINUTE, 100_000);
        assert_eq!(hold.due(MINUTE, 160_000).queue, [start]);
        assert!(hold.due(MINUTE, 200_000).queue.is_empty(), "once");
        let end = power(Kind::PowerOutageStopped, 100_000, 300_000);
        assert_eq!(hold.admit(end.clone(), MINUTE, 300_000).queue, [end]);
    }

    #[test]
    fn a_replay_after_a_restart_decides_by_the_notices_own_times() {
        // Both were in the journal; the monitor comes back an hour later.
        let mut hold = PowerHold::default();
        let start = power(Kind::PowerOutageStarted, 0, 0);
        let end = power(Kind::PowerOutageStopped, 0, 10_000);
        assert!(hold.admit(start, MINUTE, 3_600_000).queue.len() == 1);
        let mut again = PowerHold::default();
        again.admit(power(Kind::PowerOutageStarted, 0, 0), MINUTE, 0);
        let decided = again.admit(end, MINUTE, 3_600_000);
        assert_eq!(decided.dropped.len(), 2, "it lasted 10 s: nothing to say");
    }

    #[test]
    fn other_notices_pass_at_once_and_keys_never_say_duress() {
        let mut hold = PowerHold::default();
        let inst = Installation::default();
        let silent = of(
            &Notification::Duress {
                origin: Origin::User(1),
            },
            &inst,
            5,
        )
        .unwrap();
        assert_eq!(silent.id(), "silent-5:silent_alarm");
        assert_eq!(hold.admit(silent.clone(), MINUTE, 5).queue, [silent]);
        let alert = of(
            &Notification::AlertStarted {
                alert: 1,
                start: 7,
                sensor: 3,
            },
            &inst,
            9,
        )
        .unwrap();
        assert_eq!((alert.event.as_str(), alert.time), ("alert-7", 7));
        assert!(of(&Notification::WiringFault { sensor: 3 }, &inst, 1).is_none());
    }
}
