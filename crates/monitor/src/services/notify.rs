//! Who is told what (issue 13, first part; not yet wired to the actor):
//! ArPI's subscription matrix (`notifications/subscriptions`: call1, call2,
//! sms1, sms2, email1, email2 × the four events) over the contacts in
//! `notifications/gsm` and `notifications/smtp`, and EN 50131's delay for
//! power reports. Pure: the caller passes the options and the time, and
//! stores what [`plan`] returns as outbox rows keyed by [`Delivery::key`],
//! so a delivery is identified the same way before and after a restart.

use serde::Deserialize;

use crate::devices::gsm::commands::GsmOption;
use crate::services::email::SmtpOption;

/// An event of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An alert began.
    AlertStarted,
    /// It ended.
    AlertStopped,
    /// Mains lost for longer than the delay.
    PowerOutageStarted,
    /// Mains back after a reported outage.
    PowerOutageStopped,
}

impl Kind {
    /// The matrix's column name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AlertStarted => "alert_started",
            Self::AlertStopped => "alert_stopped",
            Self::PowerOutageStarted => "power_outage_started",
            Self::PowerOutageStopped => "power_outage_stopped",
        }
    }
}

/// One row of the matrix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Subscription {
    /// Told when an alert begins.
    pub alert_started: bool,
    /// Told when it ends.
    pub alert_stopped: bool,
    /// Told of a power outage.
    pub power_outage_started: bool,
    /// Told when power returns.
    pub power_outage_stopped: bool,
}

impl Subscription {
    fn wants(&self, kind: Kind) -> bool {
        match kind {
            Kind::AlertStarted => self.alert_started,
            Kind::AlertStopped => self.alert_stopped,
            Kind::PowerOutageStarted => self.power_outage_started,
            Kind::PowerOutageStopped => self.power_outage_stopped,
        }
    }
}

/// `notifications/subscriptions` (its defaults are the registry's: nobody).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Subscriptions {
    /// The first number, called.
    pub call1: Subscription,
    /// The second number, called.
    pub call2: Subscription,
    /// The first number, by SMS.
    pub sms1: Subscription,
    /// The second number, by SMS.
    pub sms2: Subscription,
    /// The first address.
    pub email1: Subscription,
    /// The second address.
    pub email2: Subscription,
}

/// How a person is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A voice call through the modem.
    Call,
    /// An SMS through the modem.
    Sms,
    /// An e-mail.
    Email,
}

/// One message to one person. `Debug` hides the recipient (a phone
/// number or an address is never logged).
#[derive(Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The matrix row's channel.
    pub channel: Channel,
    /// 1 or 2: which contact of the channel.
    pub slot: u8,
    /// The number or address.
    pub recipient: String,
    /// What happened.
    pub kind: Kind,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("channel", &self.channel)
            .field("slot", &self.slot)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// The outbox key of this delivery for event `event` (an alert's key, a
    /// power event's id): unique per (event, channel, recipient slot).
    pub fn key(&self, event: &str) -> String {
        let channel = match self.channel {
            Channel::Call => "call",
            Channel::Sms => "sms",
            Channel::Email => "email",
        };
        format!("{event}:{}:{channel}{}", self.kind.as_str(), self.slot)
    }
}

fn contact(value: Option<&String>) -> Option<String> {
    value
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The deliveries `kind` asks for: every subscribed matrix row whose channel
/// is enabled and whose contact is set, calls first in the order they are
/// tried (call 1, then call 2), then SMS, then e-mail.
pub fn plan(
    kind: Kind,
    subscriptions: &Subscriptions,
    gsm: &GsmOption,
    smtp: &SmtpOption,
) -> Vec<Delivery> {
    let phones = [gsm.phone_number_1.as_ref(), gsm.phone_number_2.as_ref()];
    let mails = [smtp.email_address_1.as_ref(), smtp.email_address_2.as_ref()];
    let rows = [
        (
            Channel::Call,
            1,
            subscriptions.call1,
            gsm.enabled,
            phones[0],
        ),
        (
            Channel::Call,
            2,
            subscriptions.call2,
            gsm.enabled,
            phones[1],
        ),
        (Channel::Sms, 1, subscriptions.sms1, gsm.enabled, phones[0]),
        (Channel::Sms, 2, subscriptions.sms2, gsm.enabled, phones[1]),
        (
            Channel::Email,
            1,
            subscriptions.email1,
            smtp.enabled,
            mails[0],
        ),
        (
            Channel::Email,
            2,
            subscriptions.email2,
            smtp.enabled,
            mails[1],
        ),
    ];
    rows.into_iter()
        .filter(|(_, _, row, enabled, _)| *enabled && row.wants(kind))
        .filter_map(|(channel, slot, _, _, to)| {
            Some(Delivery {
                channel,
                slot,
                recipient: contact(to)?,
                kind,
            })
        })
        .collect()
}

/// What a message says about an event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// `system/location.name`, if set.
    pub location: Option<String>,
    /// The sensors involved, by name.
    pub sensors: Vec<String>,
    /// Their areas, by name.
    pub areas: Vec<String>,
    /// Who armed or disarmed, if a person did.
    pub who: Option<String>,
    /// When, in the system's time zone (`YYYY-MM-DD HH:MM:SS`).
    pub time: String,
}

/// The text of a message: what happened, where, which sensors and areas,
/// who, when. A missing location is left out (ArPI wrote "Location: None").
pub fn text(kind: Kind, facts: &Facts) -> String {
    let what = match kind {
        Kind::AlertStarted => "Alarm",
        Kind::AlertStopped => "Alarm ended",
        Kind::PowerOutageStarted => "Power outage: running on battery",
        Kind::PowerOutageStopped => "Power restored",
    };
    let mut lines = vec![match facts.location.as_deref().map(str::trim) {
        Some(place) if !place.is_empty() => format!("{what} at {place}"),
        _ => what.to_owned(),
    }];
    if !facts.sensors.is_empty() {
        lines.push(format!("Sensors: {}", facts.sensors.join(", ")));
    }
    if !facts.areas.is_empty() {
        lines.push(format!("Areas: {}", facts.areas.join(", ")));
    }
    if let Some(who) = &facts.who {
        lines.push(format!("By: {who}"));
    }
    lines.push(format!("Time: {}", facts.time));
    lines.join("\n")
}

/// Power reports after a delay (EN 50131): an outage is reported once it
/// has lasted `delay_ms`; a return to mains within the delay reports
/// nothing, and a return after a reported outage reports its end.
#[derive(Debug, Clone, Default)]
pub struct PowerReports {
    delay_ms: i64,
    lost_at: Option<i64>,
    reported: bool,
}

impl PowerReports {
    /// Reports after `delay_ms` (the option's 1 minute to 1 hour).
    pub fn new(delay_ms: i64) -> Self {
        Self {
            delay_ms,
            ..Self::default()
        }
    }

    /// Mains (`true`) or battery (`false`) at `now`.
    pub fn mains(&mut self, on_mains: bool, now: i64) -> Option<Kind> {
        match (on_mains, self.lost_at) {
            (false, None) => {
                self.lost_at = Some(now);
                self.due(now)
            }
            (true, Some(_)) => {
                self.lost_at = None;
                std::mem::take(&mut self.reported).then_some(Kind::PowerOutageStopped)
            }
            _ => None,
        }
    }

    /// The outage report once it is due.
    pub fn due(&mut self, now: i64) -> Option<Kind> {
        let lost = self.lost_at?;
        if self.reported || now - lost < self.delay_ms {
            return None;
        }
        self.reported = true;
        Some(Kind::PowerOutageStarted)
    }

    /// When [`PowerReports::due`] next has something to say.
    pub fn next_deadline(&self) -> Option<i64> {
        match (self.lost_at, self.reported) {
            (Some(lost), false) => Some(lost + self.delay_ms),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argus_protocol::options::typed;

    fn contacts() -> (GsmOption, SmtpOption) {
        let gsm = GsmOption {
            enabled: true,
            pin_code: None,
            phone_number_1: Some("+3611".into()),
            phone_number_2: Some(" ".into()),
        };
        let smtp = SmtpOption {
            enabled: true,
            email_address_1: Some("a@example.org".into()),
            email_address_2: Some("b@example.org".into()),
            ..SmtpOption::default()
        };
        (gsm, smtp)
    }

    #[test]
    fn an_unsaved_matrix_tells_nobody() {
        let subs: Subscriptions = typed("notifications", "subscriptions", None).unwrap();
        let (gsm, smtp) = contacts();
        assert!(plan(Kind::AlertStarted, &subs, &gsm, &smtp).is_empty());
    }

    #[test]
    fn each_subscribed_row_with_a_contact_and_an_enabled_channel_is_one_delivery() {
        let stored = serde_json::json!({
            "call1": {"alert_started": true}, "call2": {"alert_started": true},
            "sms1": {"alert_started": true, "alert_stopped": true},
            "email2": {"alert_started": true}, "email1": {"power_outage_started": true}
        });
        let subs: Subscriptions = typed("notifications", "subscriptions", Some(&stored)).unwrap();
        let (gsm, mut smtp) = contacts();
        let started = plan(Kind::AlertStarted, &subs, &gsm, &smtp);
        let rows: Vec<(Channel, u8)> = started.iter().map(|d| (d.channel, d.slot)).collect();
        assert_eq!(
            rows,
            [(Channel::Call, 1), (Channel::Sms, 1), (Channel::Email, 2)],
            "call 2 has no number"
        );
        assert_eq!(started[2].recipient, "b@example.org");
        assert_eq!(started[0].key("alert-7"), "alert-7:alert_started:call1");
        assert_eq!(plan(Kind::AlertStopped, &subs, &gsm, &smtp).len(), 1);
        smtp.enabled = false;
        assert!(plan(Kind::PowerOutageStarted, &subs, &gsm, &smtp).is_empty());
        assert!(
            !format!("{started:?}").contains("+3611"),
            "numbers never logged"
        );
    }

    #[test]
    fn a_message_says_what_where_which_who_and_when_and_never_none() {
        let facts = Facts {
            location: Some("Cabin".into()),
            sensors: vec!["Kitchen door".into(), "Hall".into()],
            areas: vec!["House".into()],
            who: None,
            time: "2026-12-02 01:30:00".into(),
        };
        assert_eq!(
            text(Kind::AlertStarted, &facts),
            "Alarm at Cabin\nSensors: Kitchen door, Hall\nAreas: House\nTime: 2026-12-02 01:30:00"
        );
        let nowhere = Facts {
            time: "t".into(),
            ..Facts::default()
        };
        let power = text(Kind::PowerOutageStarted, &nowhere);
        assert_eq!(power, "Power outage: running on battery\nTime: t");
        assert!(!power.contains("None"));
    }

    #[test]
    fn a_short_outage_reports_nothing_and_a_long_one_reports_start_and_end_once() {
        let mut p = PowerReports::new(60_000);
        assert_eq!(p.mains(false, 0), None);
        assert_eq!(p.next_deadline(), Some(60_000));
        assert_eq!(p.due(59_999), None);
        assert_eq!(
            p.mains(true, 59_999),
            None,
            "back within the delay: nothing"
        );
        assert_eq!(p.next_deadline(), None);

        assert_eq!(p.mains(false, 100_000), None);
        assert_eq!(p.mains(false, 120_000), None, "still on battery");
        assert_eq!(p.due(160_000), Some(Kind::PowerOutageStarted));
        assert_eq!(p.due(200_000), None, "once");
        assert_eq!(p.mains(true, 300_000), Some(Kind::PowerOutageStopped));
        assert_eq!(p.mains(true, 301_000), None);
    }
}
