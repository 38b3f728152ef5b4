//! A notice: one engine notification with the names it needs, as the actor
//! keeps it in the state journal until its outbox rows are in PostgreSQL,
//! and [`PowerHold`], EN 50131's report delay for mains transitions. Pure.

use serde::{Deserialize, Serialize};

use super::plan::{Facts, Kind};
use crate::engine::model::Millis;
use crate::engine::{AlertType, ArmState, Engine, Notification, Origin, Record};
use crate::installation::Installation;
use crate::services::sia::codes::{self, Event, Report};

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
    /// The remote node it is about, by name.
    #[serde(default)]
    pub node: Option<String>,
    /// The telemetry reading it is about, with its rule.
    #[serde(default)]
    pub reading: Option<String>,
    /// What a receiving centre is told, if anything.
    #[serde(default)]
    pub sia: Option<Report>,
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
            node: self.node.clone(),
            reading: self.reading.clone(),
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

fn notice(
    installation: &Installation,
    event: String,
    kind: Kind,
    (time, since): (Millis, Millis),
    sensors: &[i32],
    who: Option<&Origin>,
) -> Notice {
    let (sensors, areas) = names(sensors, installation);
    Notice {
        event,
        kind,
        time,
        since,
        sensors,
        areas,
        who: who
            .and_then(Origin::user)
            .and_then(|u| installation.credentials.user_name(u))
            .map(str::to_owned),
        node: None,
        reading: None,
        sia: None,
    }
}

/// The report of an alarm on `sensor` (its area, its number, its type).
fn alarm_report(installation: &Installation, sensor: i32, disarmed: bool, restore: bool) -> Report {
    let type_name = installation
        .sensors
        .get(&sensor)
        .and_then(|s| installation.sensor_types.get(&s.type_id));
    let area = installation
        .config
        .sensors
        .get(&sensor)
        .map_or(0, |s| s.area);
    Report {
        event: codes::alarm_of(type_name.map(String::as_str), disarmed),
        restore,
        area: u32::try_from(area).unwrap_or(0),
        number: u32::try_from(sensor).unwrap_or(0),
    }
}

fn user_number(origin: &Origin) -> u32 {
    origin
        .user()
        .and_then(|u| u32::try_from(u).ok())
        .unwrap_or(0)
}

/// The notice of `n` (the engine after the input that made it), `None` for
/// what nobody is told (a wiring fault is in the event log).
pub fn of(n: &Notification, engine: &Engine, installation: &Installation) -> Option<Notice> {
    let now = engine.snapshot().now;
    let report = |event, restore, number| Report {
        event,
        restore,
        area: 0,
        number,
    };
    let (mut notice, sia) = match n {
        Notification::AlertStarted { start, sensor, .. } => {
            let disarmed = engine
                .alert()
                .is_some_and(|a| a.alert_type == AlertType::Sabotage);
            let n = notice(
                installation,
                format!("alert-{start}"),
                Kind::AlertStarted,
                (*start, *start),
                &[*sensor],
                None,
            );
            (n, alarm_report(installation, *sensor, disarmed, false))
        }
        Notification::AlertStopped {
            start,
            sensors,
            alert_type,
            ..
        } => {
            let first = sensors.first().copied().unwrap_or(0);
            let disarmed = *alert_type == AlertType::Sabotage;
            let n = notice(
                installation,
                format!("alert-{start}"),
                Kind::AlertStopped,
                (now, *start),
                sensors,
                None,
            );
            (n, alarm_report(installation, first, disarmed, true))
        }
        Notification::PowerOutageStarted { since } => (
            notice(
                installation,
                format!("power-{since}"),
                Kind::PowerOutageStarted,
                (*since, *since),
                &[],
                None,
            ),
            report(Event::AcLoss, false, 0),
        ),
        Notification::PowerOutageStopped { since } => (
            notice(
                installation,
                format!("power-{since}"),
                Kind::PowerOutageStopped,
                (now, *since),
                &[],
                None,
            ),
            report(Event::AcLoss, true, 0),
        ),
        Notification::Duress { origin } => (
            notice(
                installation,
                format!("silent-{now}"),
                Kind::SilentAlarm,
                (now, now),
                &[],
                Some(origin),
            ),
            report(Event::Duress, false, user_number(origin)),
        ),
        Notification::WiringFault { .. } => return None,
    };
    notice.sia = Some(sia);
    Some(notice)
}

/// The notice of remote node `node` going silent (`online` false) or being
/// heard again at `time`, `None` for a node the installation does not have.
/// Its receiving-centre zone is the node's first sensor.
pub fn of_node(
    installation: &Installation,
    node: i32,
    online: bool,
    time: Millis,
) -> Option<Notice> {
    let info = installation.nodes.get(&node)?;
    let mut sensors: Vec<i32> = info.inputs.values().copied().collect();
    for &(_, sensor, _) in &info.mqtt {
        if !sensors.contains(&sensor) {
            sensors.push(sensor);
        }
    }
    let kind = if online {
        Kind::NodeOnline
    } else {
        Kind::NodeOffline
    };
    let mut n = notice(
        installation,
        format!("node{node}-{time}"),
        kind,
        (time, time),
        &sensors,
        None,
    );
    n.node = Some(info.name.clone());
    let first = sensors.first().copied();
    let area = first
        .and_then(|s| installation.config.sensors.get(&s))
        .map_or(0, |s| s.area);
    n.sia = Some(Report {
        event: Event::NodeLost,
        restore: online,
        area: u32::try_from(area).unwrap_or(0),
        number: first.and_then(|s| u32::try_from(s).ok()).unwrap_or(0),
    });
    Some(n)
}

/// The notice of a notifying telemetry rule that fired (or, `fired` false,
/// cleared) at `time`; `reading` says the sensor, value and rule.
pub fn of_telemetry(
    installation: &Installation,
    rule: i32,
    fired: bool,
    reading: String,
    time: Millis,
) -> Notice {
    let kind = if fired {
        Kind::TelemetryAlarm
    } else {
        Kind::TelemetryCleared
    };
    let mut n = notice(
        installation,
        format!("telemetry{rule}-{time}"),
        kind,
        (time, time),
        &[],
        None,
    );
    n.reading = Some(reading);
    n
}

/// The notice of an arm or a disarm (a receiving centre's opening and
/// closing reports), `None` for other records.
pub fn of_record(record: &Record, installation: &Installation) -> Option<Notice> {
    let (kind, event, time, origin, areas) = match record {
        Record::Arm {
            state,
            areas,
            origin,
            time,
            ..
        } => {
            let event = if *state == ArmState::Stay {
                Event::ArmedStay
            } else {
                Event::ArmedAway
            };
            (Kind::Armed, event, *time, origin, areas)
        }
        Record::Disarm {
            areas,
            origin,
            time,
            ..
        } => (Kind::Disarmed, Event::Disarmed, *time, origin, areas),
        _ => return None,
    };
    let mut n = notice(
        installation,
        format!("{}-{time}", kind.as_str()),
        kind,
        (time, time),
        &[],
        Some(origin),
    );
    n.areas = areas
        .iter()
        .filter_map(|a| installation.areas.get(a).map(|i| i.name.clone()))
        .collect();
    let area = match areas.as_slice() {
        [one] => u32::try_from(*one).unwrap_or(0),
        _ => 0,
    };
    n.sia = Some(Report {
        event,
        restore: false,
        area,
        number: user_number(origin),
    });
    Some(n)
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
            node: None,
            reading: None,
            sia: None,
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
    fn other_notices_pass_at_once_with_their_reports_and_keys_never_say_duress() {
        let mut hold = PowerHold::default();
        let inst = Installation::default();
        let (engine, _) = Engine::restore(
            inst.config.clone(),
            crate::engine::Snapshot {
                now: 5,
                ..Default::default()
            },
        );
        let silent = of(
            &Notification::Duress {
                origin: Origin::User(2),
            },
            &engine,
            &inst,
        )
        .unwrap();
        assert_eq!(silent.id(), "silent-5:silent_alarm");
        assert_eq!(
            silent.sia.map(|r| (r.event, r.number)),
            Some((Event::Duress, 2))
        );
        assert_eq!(hold.admit(silent.clone(), MINUTE, 5).queue, [silent]);
        let alert = of(
            &Notification::AlertStarted {
                alert: 1,
                start: 7,
                sensor: 3,
            },
            &engine,
            &inst,
        )
        .unwrap();
        assert_eq!((alert.event.as_str(), alert.time), ("alert-7", 7));
        assert_eq!(
            alert.sia.map(|r| (r.event, r.number)),
            Some((Event::Burglary, 3))
        );
        assert!(of(&Notification::WiringFault { sensor: 3 }, &engine, &inst).is_none());
        let disarm = of_record(
            &Record::Disarm {
                areas: vec![1],
                origin: Origin::User(4),
                time: 11,
                alert: None,
            },
            &inst,
        )
        .unwrap();
        assert_eq!(disarm.id(), "disarmed-11:disarmed");
        assert_eq!(
            disarm.sia,
            Some(Report {
                event: Event::Disarmed,
                restore: false,
                area: 1,
                number: 4
            })
        );
    }
}
