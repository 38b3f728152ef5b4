//! What argus reports to an alarm receiving centre, in the two vocabularies
//! DC-09 carries: SIA-DCS event codes (`BA`, `OP`, …) and Contact ID
//! (ADM-CID) qualifier + event numbers (`1130`, `1401`, …). Pure.

use serde::{Deserialize, Serialize};

/// One reportable event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// An intrusion alarm on a zone.
    Burglary,
    /// A tamper (sabotage) alarm on a zone.
    Tamper,
    /// A fire or smoke alarm (a sensor whose type says so).
    Fire,
    /// A water or flood alarm (a sensor whose type says so).
    Water,
    /// Mains lost (after the report delay).
    AcLoss,
    /// Armed away, by a user.
    ArmedAway,
    /// Armed stay (perimeter), by a user.
    ArmedStay,
    /// Disarmed, by a user.
    Disarmed,
    /// A duress code was used.
    Duress,
    /// The periodic link test (the receiver's supervision).
    LinkTest,
    /// A remote node went silent (its restore: heard again).
    NodeLost,
}

/// An event, new or restored, in an area, for a zone or user number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// What.
    pub event: Event,
    /// A restoral (the alarm ended, mains came back).
    pub restore: bool,
    /// The area (partition) number, 0 for the whole system.
    pub area: u32,
    /// The zone (sensor) number, or the user number for arm, disarm and duress.
    pub number: u32,
}

impl Report {
    /// The SIA-DCS event code.
    pub fn sia_code(&self) -> &'static str {
        match (self.event, self.restore) {
            (Event::Burglary, false) => "BA",
            (Event::Burglary, true) => "BR",
            (Event::Tamper, false) => "TA",
            (Event::Tamper, true) => "TR",
            (Event::Fire, false) => "FA",
            (Event::Fire, true) => "FR",
            (Event::Water, false) => "WA",
            (Event::Water, true) => "WR",
            (Event::AcLoss, false) => "AT",
            (Event::AcLoss, true) => "AR",
            (Event::ArmedAway, _) => "CL",
            (Event::ArmedStay, _) => "NL",
            (Event::Disarmed, _) => "OP",
            (Event::Duress, _) => "HA",
            (Event::LinkTest, _) => "RP",
            // Communications fail and restoral: what receivers (pysiaalarm
            // among them) translate Contact ID 381 into.
            (Event::NodeLost, false) => "YC",
            (Event::NodeLost, true) => "YK",
        }
    }

    /// Contact ID: qualifier (1 new event or opening, 3 restore or
    /// closing) and the three-digit event number.
    pub fn contact_id(&self) -> (u8, u16) {
        let event = match self.event {
            Event::Burglary => 130,
            Event::Tamper => 137,
            Event::Fire => 110,
            Event::Water => 113,
            Event::AcLoss => 301,
            Event::ArmedAway | Event::Disarmed => 401,
            Event::ArmedStay => 441,
            Event::Duress => 121,
            Event::LinkTest => 602,
            // Loss of supervision, RF: a wireless point stopped reporting.
            Event::NodeLost => 381,
        };
        let closing = matches!(self.event, Event::ArmedAway | Event::ArmedStay);
        (if self.restore || closing { 3 } else { 1 }, event)
    }

    /// The data block of a message, between `[` and `]`, for `account`.
    pub fn data(&self, account: &str, contact_id: bool) -> String {
        if contact_id {
            let (q, event) = self.contact_id();
            format!(
                "#{account}|{q}{event:03} {:02} {:03}",
                self.area.min(99),
                self.number.min(999)
            )
        } else {
            format!(
                "#{account}|Nri{}/{}{:03}",
                self.area,
                self.sia_code(),
                self.number
            )
        }
    }
}

/// The alarm event a sensor raises, from its type's name (ArPI's types are
/// Motion, Tamper, Open, Break; an installation may add Smoke or Water) and
/// whether it fired while its area was disarmed (a 24-hour zone: tamper).
pub fn alarm_of(type_name: Option<&str>, disarmed: bool) -> Event {
    let name = type_name.unwrap_or_default().to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["fire", "smoke", "heat"]) {
        Event::Fire
    } else if has(&["water", "flood", "leak"]) {
        Event::Water
    } else if has(&["tamper", "sabotage"]) || disarmed {
        Event::Tamper
    } else {
        Event::Burglary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(event: Event, restore: bool, number: u32) -> Report {
        Report {
            event,
            restore,
            area: 1,
            number,
        }
    }

    #[test]
    fn each_event_has_its_standard_codes() {
        let cases = [
            (Event::Burglary, false, "BA", (1, 130)),
            (Event::Burglary, true, "BR", (3, 130)),
            (Event::Tamper, false, "TA", (1, 137)),
            (Event::Fire, false, "FA", (1, 110)),
            (Event::Water, true, "WR", (3, 113)),
            (Event::AcLoss, false, "AT", (1, 301)),
            (Event::AcLoss, true, "AR", (3, 301)),
            (Event::ArmedAway, false, "CL", (3, 401)),
            (Event::ArmedStay, false, "NL", (3, 441)),
            (Event::Disarmed, false, "OP", (1, 401)),
            (Event::Duress, false, "HA", (1, 121)),
            (Event::LinkTest, false, "RP", (1, 602)),
            (Event::NodeLost, false, "YC", (1, 381)),
            (Event::NodeLost, true, "YK", (3, 381)),
        ];
        for (event, restore, sia, cid) in cases {
            let r = report(event, restore, 3);
            assert_eq!((r.sia_code(), r.contact_id()), (sia, cid), "{event:?}");
        }
    }

    #[test]
    fn the_data_block_names_account_area_and_number() {
        let r = report(Event::Burglary, false, 3);
        assert_eq!(r.data("1234", false), "#1234|Nri1/BA003");
        assert_eq!(r.data("1234", true), "#1234|1130 01 003");
        let big = Report {
            area: 120,
            number: 5000,
            ..r
        };
        assert_eq!(
            big.data("1234", true),
            "#1234|1130 99 999",
            "fields keep their width"
        );
    }

    #[test]
    fn a_sensor_type_or_a_disarmed_area_chooses_the_alarm() {
        assert_eq!(alarm_of(Some("Motion"), false), Event::Burglary);
        assert_eq!(alarm_of(Some("Motion"), true), Event::Tamper);
        assert_eq!(alarm_of(Some("Tamper"), false), Event::Tamper);
        assert_eq!(alarm_of(Some("Smoke detector"), true), Event::Fire);
        assert_eq!(alarm_of(Some("Water leak"), true), Event::Water);
        assert_eq!(alarm_of(None, false), Event::Burglary);
    }
}
