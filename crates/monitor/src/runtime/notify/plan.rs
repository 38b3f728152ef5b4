//! Who is told what: ArPI's subscription matrix
//! (`notifications/subscriptions`: call1, call2, sms1, sms2, email1, email2
//! × the four events, plus argus's `duress`, `node_offline` and
//! `node_online` columns and `satellite` row) over the contacts in
//! `notifications/gsm`, `notifications/smtp` and `notifications/satellite`,
//! and the webhook, which is told everything but a duress alarm. Pure: the caller passes the options,
//! and stores what [`plan`] returns as outbox rows keyed by
//! [`Delivery::key`], so a delivery is named the same before and after a
//! restart.

use serde::{Deserialize, Serialize};

use crate::devices::gsm::commands::GsmOption;
use crate::services::email::SmtpOption;
pub use crate::services::rockblock::SatelliteOption;
pub use crate::services::webhook::WebhookOption;

/// An event of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// An alert began.
    AlertStarted,
    /// It ended.
    AlertStopped,
    /// Mains lost for longer than the delay.
    PowerOutageStarted,
    /// Mains back after a reported outage.
    PowerOutageStopped,
    /// A duress code was used: a silent alarm for the chosen contacts only.
    SilentAlarm,
    /// Armed (reported to a receiving centre only).
    Armed,
    /// Disarmed (reported to a receiving centre only).
    Disarmed,
    /// A remote node went silent past its timeout.
    NodeOffline,
    /// It was heard again.
    NodeOnline,
    /// A telemetry rule that notifies fired (a freezing cellar).
    TelemetryAlarm,
    /// It cleared.
    TelemetryCleared,
}

impl Kind {
    /// The matrix's column name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AlertStarted => "alert_started",
            Self::AlertStopped => "alert_stopped",
            Self::PowerOutageStarted => "power_outage_started",
            Self::PowerOutageStopped => "power_outage_stopped",
            // Never "duress": outbox rows and the webhook may be seen at the house.
            Self::SilentAlarm => "silent_alarm",
            Self::Armed => "armed",
            Self::Disarmed => "disarmed",
            Self::NodeOffline => "node_offline",
            Self::NodeOnline => "node_online",
            Self::TelemetryAlarm => "telemetry_alarm",
            Self::TelemetryCleared => "telemetry_cleared",
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
    /// Told of a duress code's silent alarm (argus addition).
    pub duress: bool,
    /// Told when a remote node goes silent (argus addition).
    pub node_offline: bool,
    /// Told when it is heard again (argus addition).
    pub node_online: bool,
    /// Told when a notifying telemetry rule fires or clears (argus addition).
    pub telemetry: bool,
}

impl Subscription {
    fn wants(&self, kind: Kind) -> bool {
        match kind {
            Kind::AlertStarted => self.alert_started,
            Kind::AlertStopped => self.alert_stopped,
            Kind::PowerOutageStarted => self.power_outage_started,
            Kind::PowerOutageStopped => self.power_outage_stopped,
            Kind::SilentAlarm => self.duress,
            Kind::NodeOffline => self.node_offline,
            Kind::NodeOnline => self.node_online,
            Kind::TelemetryAlarm | Kind::TelemetryCleared => self.telemetry,
            Kind::Armed | Kind::Disarmed => false,
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
    /// The RockBLOCK of `notifications/satellite`.
    pub satellite: Subscription,
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
    /// A signed JSON POST (`notifications/webhook`).
    Webhook,
    /// A report to the alarm receiving centre (`notifications/sia`).
    Sia,
    /// A RockBLOCK MT message (`notifications/satellite`).
    Satellite,
}

impl Channel {
    /// The outbox's `channel` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Webhook => "webhook",
            Self::Sia => "sia",
            Self::Satellite => "satellite",
        }
    }

    /// The inverse of [`Channel::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Call,
            Self::Sms,
            Self::Email,
            Self::Webhook,
            Self::Sia,
            Self::Satellite,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
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
        format!(
            "{event}:{}:{}{}",
            self.kind.as_str(),
            self.channel.as_str(),
            self.slot
        )
    }
}

fn contact(value: Option<&String>) -> Option<String> {
    value
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The contacts and switches [`plan`] reads (never logged).
#[derive(Clone, Default)]
pub struct Contacts {
    /// `notifications/subscriptions`.
    pub subscriptions: Subscriptions,
    /// `notifications/gsm`.
    pub gsm: GsmOption,
    /// `notifications/smtp`.
    pub smtp: SmtpOption,
    /// `notifications/webhook`.
    pub webhook: WebhookOption,
    /// `notifications/satellite`.
    pub satellite: SatelliteOption,
    /// `notifications/sia.enabled`: every event goes to the receiving centre.
    pub sia: bool,
}

/// The deliveries `kind` asks for: every subscribed matrix row whose channel
/// is enabled and whose contact is set: SMS, then calls in the order they
/// are tried (call 1, then call 2), then e-mail, then the satellite, then
/// the webhook, then the receiving centre, which is told every event (duress, arming and
/// disarming too: that is what its codes are for).
pub fn plan(kind: Kind, contacts: &Contacts) -> Vec<Delivery> {
    let Contacts {
        subscriptions,
        gsm,
        smtp,
        webhook,
        satellite,
        sia,
    } = contacts;
    let phones = [gsm.phone_number_1.as_ref(), gsm.phone_number_2.as_ref()];
    let mails = [smtp.email_address_1.as_ref(), smtp.email_address_2.as_ref()];
    // SMS first: a message takes seconds, a call up to a minute per number.
    let rows = [
        (Channel::Sms, 1, subscriptions.sms1, gsm.enabled, phones[0]),
        (Channel::Sms, 2, subscriptions.sms2, gsm.enabled, phones[1]),
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
        (
            Channel::Satellite,
            1,
            subscriptions.satellite,
            satellite.enabled,
            satellite.imei.as_ref(),
        ),
    ];
    let mut deliveries: Vec<Delivery> = rows
        .into_iter()
        .filter(|(_, _, row, enabled, _)| *enabled && row.wants(kind))
        .filter_map(|(channel, slot, _, _, to)| {
            Some(Delivery {
                channel,
                slot,
                recipient: contact(to)?,
                kind,
            })
        })
        .collect();
    let hook = contact(webhook.url.as_ref()).filter(|_| webhook.enabled);
    let private = matches!(kind, Kind::SilentAlarm | Kind::Armed | Kind::Disarmed);
    if let (Some(url), false) = (hook, private) {
        deliveries.push(Delivery {
            channel: Channel::Webhook,
            slot: 1,
            recipient: url,
            kind,
        });
    }
    if *sia {
        deliveries.push(Delivery {
            channel: Channel::Sia,
            slot: 1,
            recipient: "receiver".into(),
            kind,
        });
    }
    deliveries
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
    /// The remote node, by name.
    pub node: Option<String>,
    /// A telemetry reading and its rule (`Cellar: 2.1 °C (Freezing cellar)`).
    pub reading: Option<String>,
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
        Kind::SilentAlarm => "Silent alarm",
        Kind::Armed => "Armed",
        Kind::Disarmed => "Disarmed",
        Kind::NodeOffline => "Remote node offline",
        Kind::NodeOnline => "Remote node back online",
        Kind::TelemetryAlarm => "Telemetry alarm",
        Kind::TelemetryCleared => "Telemetry back to normal",
    };
    let mut lines = vec![match facts.location.as_deref().map(str::trim) {
        Some(place) if !place.is_empty() => format!("{what} at {place}"),
        _ => what.to_owned(),
    }];
    if let Some(node) = &facts.node {
        lines.push(format!("Node: {node}"));
    }
    if let Some(reading) = &facts.reading {
        lines.push(format!("Reading: {reading}"));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use argus_protocol::options::typed;

    fn contacts(subscriptions: Option<serde_json::Value>) -> Contacts {
        Contacts {
            subscriptions: typed("notifications", "subscriptions", subscriptions.as_ref()).unwrap(),
            gsm: GsmOption {
                enabled: true,
                pin_code: None,
                phone_number_1: Some("+3611".into()),
                phone_number_2: Some(" ".into()),
            },
            smtp: SmtpOption {
                enabled: true,
                email_address_1: Some("a@example.org".into()),
                email_address_2: Some("b@example.org".into()),
                ..SmtpOption::default()
            },
            webhook: WebhookOption::default(),
            satellite: SatelliteOption::default(),
            sia: false,
        }
    }

    #[test]
    fn an_unsaved_matrix_tells_nobody() {
        assert!(plan(Kind::AlertStarted, &contacts(None)).is_empty());
        assert!(plan(Kind::SilentAlarm, &contacts(None)).is_empty());
    }

    #[test]
    fn each_subscribed_row_with_a_contact_and_an_enabled_channel_is_one_delivery() {
        let stored = serde_json::json!({
            "call1": {"alert_started": true}, "call2": {"alert_started": true},
            "sms1": {"alert_started": true, "alert_stopped": true},
            "email2": {"alert_started": true}, "email1": {"power_outage_started": true}
        });
        let mut c = contacts(Some(stored));
        let started = plan(Kind::AlertStarted, &c);
        let rows: Vec<(Channel, u8)> = started.iter().map(|d| (d.channel, d.slot)).collect();
        assert_eq!(
            rows,
            [(Channel::Sms, 1), (Channel::Call, 1), (Channel::Email, 2)],
            "call 2 has no number"
        );
        assert_eq!(started[2].recipient, "b@example.org");
        assert_eq!(started[1].key("alert-7"), "alert-7:alert_started:call1");
        assert_eq!(plan(Kind::AlertStopped, &c).len(), 1);
        c.smtp.enabled = false;
        assert!(plan(Kind::PowerOutageStarted, &c).is_empty());
        assert!(
            !format!("{started:?}").contains("+3611"),
            "numbers never logged"
        );
    }

    #[test]
    fn the_webhook_hears_everything_but_a_duress_alarm_which_only_ticked_rows_hear() {
        let mut c = contacts(Some(serde_json::json!({"sms1": {"duress": true}})));
        c.webhook = WebhookOption {
            enabled: true,
            url: Some("http://127.0.0.1:9/hook".into()),
            secret: None,
        };
        for kind in [Kind::AlertStarted, Kind::PowerOutageStopped] {
            let all = plan(kind, &c);
            assert_eq!(all.len(), 1);
            assert_eq!(all[0].channel, Channel::Webhook);
        }
        let silent = plan(Kind::SilentAlarm, &c);
        let rows: Vec<(Channel, u8)> = silent.iter().map(|d| (d.channel, d.slot)).collect();
        assert_eq!(rows, [(Channel::Sms, 1)]);
        assert!(!silent[0].key("silent-1").contains("duress"));
        c.webhook.enabled = false;
        assert!(plan(Kind::AlertStarted, &c).is_empty());
        c.sia = true;
        for kind in [Kind::SilentAlarm, Kind::Armed, Kind::Disarmed] {
            let rows: Vec<Channel> = plan(kind, &c).iter().map(|d| d.channel).collect();
            assert_eq!(rows.last(), Some(&Channel::Sia), "{kind:?}");
        }
        for channel in [
            Channel::Call,
            Channel::Sms,
            Channel::Email,
            Channel::Webhook,
        ] {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
    }

    #[test]
    fn a_node_going_silent_reaches_the_ticked_rows_and_the_satellite() {
        let mut c = contacts(Some(serde_json::json!({
            "sms1": {"node_offline": true},
            "satellite": {"node_offline": true, "node_online": true}
        })));
        assert_eq!(plan(Kind::NodeOffline, &c).len(), 1, "satellite is off");
        c.satellite = SatelliteOption {
            enabled: true,
            imei: Some("300234010753370".into()),
        };
        let off: Vec<(Channel, u8)> = plan(Kind::NodeOffline, &c)
            .iter()
            .map(|d| (d.channel, d.slot))
            .collect();
        assert_eq!(off, [(Channel::Sms, 1), (Channel::Satellite, 1)]);
        let on = plan(Kind::NodeOnline, &c);
        assert_eq!(on.len(), 1);
        assert_eq!(on[0].recipient, "300234010753370");
        assert!(plan(Kind::AlertStarted, &c).is_empty());
        assert_eq!(Channel::parse("satellite"), Some(Channel::Satellite));
        let facts = Facts {
            node: Some("Garage".into()),
            sensors: vec!["Garage door".into()],
            time: "t".into(),
            ..Facts::default()
        };
        assert_eq!(
            text(Kind::NodeOffline, &facts),
            "Remote node offline\nNode: Garage\nSensors: Garage door\nTime: t"
        );
    }

    #[test]
    fn a_telemetry_rule_reaches_the_rows_ticked_for_telemetry_with_its_reading() {
        let c = contacts(Some(serde_json::json!({"email1": {"telemetry": true}})));
        for kind in [Kind::TelemetryAlarm, Kind::TelemetryCleared] {
            let to: Vec<(Channel, u8)> =
                plan(kind, &c).iter().map(|d| (d.channel, d.slot)).collect();
            assert_eq!(to, [(Channel::Email, 1)], "{kind:?}");
        }
        assert!(plan(Kind::AlertStarted, &c).is_empty());
        let facts = Facts {
            reading: Some("cellar: 1.5 (Cold cellar)".into()),
            time: "t".into(),
            ..Facts::default()
        };
        assert_eq!(
            text(Kind::TelemetryAlarm, &facts),
            "Telemetry alarm\nReading: cellar: 1.5 (Cold cellar)\nTime: t"
        );
    }

    #[test]
    fn a_message_says_what_where_which_who_and_when_and_never_none() {
        let facts = Facts {
            location: Some("Cabin".into()),
            sensors: vec!["Kitchen door".into(), "Hall".into()],
            areas: vec!["House".into()],
            who: None,
            node: None,
            reading: None,
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
}
