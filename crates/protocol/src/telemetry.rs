//! Telemetry readings (temperature, humidity, water, smoke…): the one shape
//! every source is turned into, and the parsing of what sources send.
//! sensorhub's stream message `{"sensor","value","timestamp"}` with
//! `YYYY-MM-DD HH:MM:SS` local time (or RFC 3339), an MQTT payload that is a
//! bare number or that JSON, and the REST batch. Pure: the clock is given,
//! and nothing here can fail except into [`Malformed`].

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest message a source may send (sensorhub's are ~80 bytes).
pub const MAX_MESSAGE: usize = 4 * 1024;
/// The most readings one REST request may carry.
pub const MAX_BATCH: usize = 200;
/// How far ahead of our clock a reading may be stamped: a reading from the
/// future would hold the latest value until that time came.
pub const MAX_AHEAD: chrono::Duration = chrono::Duration::minutes(5);

/// One reading, as argus stores and publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The telemetry sensor's name (`kitchen_temperature`).
    pub sensor: String,
    /// The value.
    pub value: f64,
    /// Its unit (`°C`, `%`), when the source said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// When it was measured.
    pub time: DateTime<Utc>,
}

/// What one source delivered since the monitor started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCounts {
    /// Readings taken in.
    pub accepted: u64,
    /// Messages that were not readings (skipped).
    pub malformed: u64,
    /// Readings dropped because the buffer was full.
    pub shed: u64,
}

/// The telemetry intake as the monitor sees it (`GET /api/telemetry/status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The Redis channel.
    pub redis: SourceCounts,
    /// `argus/telemetry/<sensor>` topics.
    pub mqtt: SourceCounts,
    /// `POST /api/telemetry`.
    pub rest: SourceCounts,
    /// Whether the Redis subscription is up (false when disabled).
    pub redis_connected: bool,
    /// Readings written to PostgreSQL (new ones; a repeat is not).
    pub stored: u64,
    /// Batch writes that failed (and were retried).
    pub write_errors: u64,
}

/// Why a message is not a reading (the counter's label).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// Longer than [`MAX_MESSAGE`].
    #[error("message longer than {MAX_MESSAGE} bytes")]
    TooLarge,
    /// Not JSON, or not an object.
    #[error("not a JSON object or a number")]
    NotJson,
    /// `sensor` missing or not a usable name.
    #[error("sensor: 1 to 64 letters, digits, '_', '-' or '.'")]
    Sensor,
    /// `value` missing, not a finite number.
    #[error("value: a finite number")]
    Value,
    /// `unit` not a short string.
    #[error("unit: a string of at most 16 characters")]
    Unit,
    /// `timestamp` not one of the two formats, or a local time that does
    /// not exist (a daylight-saving gap).
    #[error("timestamp: YYYY-MM-DD HH:MM:SS local time or RFC 3339")]
    Timestamp,
    /// Stamped more than [`MAX_AHEAD`] in the future.
    #[error("timestamp in the future")]
    Future,
}

impl Malformed {
    /// A short label, for counters.
    pub fn label(&self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::NotJson => "not_json",
            Self::Sensor => "sensor",
            Self::Value => "value",
            Self::Unit => "unit",
            Self::Timestamp => "timestamp",
            Self::Future => "future",
        }
    }
}

/// Whether `name` may name a telemetry sensor (it is also an MQTT topic
/// level, so no `/`, `+` or `#`).
pub fn valid_sensor(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A stream message (Redis `sensor_stream`): the sensor is in the message.
pub fn parse_stream(payload: &[u8], now: DateTime<Utc>) -> Result<Reading, Malformed> {
    let object = json_object(payload)?;
    reading(&object, None, now)
}

/// A message on `argus/telemetry/<sensor>`: a bare number, or the stream's
/// JSON (whose `sensor`, if any, the topic overrides).
pub fn parse_topic(sensor: &str, payload: &[u8], now: DateTime<Utc>) -> Result<Reading, Malformed> {
    if !valid_sensor(sensor) {
        return Err(Malformed::Sensor);
    }
    if payload.len() > MAX_MESSAGE {
        return Err(Malformed::TooLarge);
    }
    let text = std::str::from_utf8(payload)
        .map_err(|_| Malformed::NotJson)?
        .trim();
    if let Ok(value) = text.parse::<f64>() {
        return Ok(Reading {
            sensor: sensor.to_owned(),
            value: finite(value)?,
            unit: None,
            time: now,
        });
    }
    let object = json_object(payload)?;
    reading(&object, Some(sensor), now)
}

/// One item of a REST batch (the stream's shape).
pub fn parse_item(item: &Value, now: DateTime<Utc>) -> Result<Reading, Malformed> {
    let object = item.as_object().ok_or(Malformed::NotJson)?;
    reading(object, None, now)
}

fn json_object(payload: &[u8]) -> Result<serde_json::Map<String, Value>, Malformed> {
    if payload.len() > MAX_MESSAGE {
        return Err(Malformed::TooLarge);
    }
    match serde_json::from_slice(payload) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Malformed::NotJson),
    }
}

fn reading(
    object: &serde_json::Map<String, Value>,
    sensor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reading, Malformed> {
    let sensor = match sensor {
        Some(s) => s,
        None => object
            .get("sensor")
            .and_then(Value::as_str)
            .ok_or(Malformed::Sensor)?,
    };
    if !valid_sensor(sensor) {
        return Err(Malformed::Sensor);
    }
    let value = object
        .get("value")
        .and_then(Value::as_f64)
        .ok_or(Malformed::Value)?;
    let unit = match object.get("unit") {
        None | Some(Value::Null) => None,
        Some(Value::String(u)) if u.chars().count() <= 16 => Some(u.clone()),
        Some(_) => return Err(Malformed::Unit),
    };
    let time = match object.get("timestamp").or_else(|| object.get("time")) {
        None | Some(Value::Null) => now,
        Some(Value::String(t)) => timestamp(t)?,
        Some(_) => return Err(Malformed::Timestamp),
    };
    if time > now + MAX_AHEAD {
        return Err(Malformed::Future);
    }
    Ok(Reading {
        sensor: sensor.to_owned(),
        value: finite(value)?,
        unit,
        time,
    })
}

fn finite(value: f64) -> Result<f64, Malformed> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Malformed::Value)
    }
}

/// RFC 3339, or sensorhub's naive local time (the earlier of an hour that
/// happens twice when the clocks go back).
pub fn timestamp(text: &str) -> Result<DateTime<Utc>, Malformed> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .map_err(|_| Malformed::Timestamp)?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(Malformed::Timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn sensorhubs_message_reads_in_local_time_and_rfc_3339_in_its_zone() {
        let local = parse_stream(
            br#"{"sensor":"temperature","value":21.3,"timestamp":"2026-12-02 10:00:00"}"#,
            now(),
        );
        let expected = Local
            .from_local_datetime(
                &NaiveDateTime::parse_from_str("2026-12-02 10:00:00", "%Y-%m-%d %H:%M:%S")
                    .unwrap_or_default(),
            )
            .earliest()
            .map(|t| t.with_timezone(&Utc));
        assert_eq!(local.as_ref().ok().map(|r| r.time), expected);
        assert_eq!(local.as_ref().ok().map(|r| r.value), Some(21.3));
        let zoned = parse_stream(
            br#"{"sensor":"t","value":-4,"timestamp":"2026-12-02T11:00:00+01:00","unit":"C"}"#,
            now(),
        );
        assert_eq!(
            zoned,
            Ok(Reading {
                sensor: "t".into(),
                value: -4.0,
                unit: Some("C".into()),
                time: now() - chrono::Duration::hours(2),
            })
        );
    }

    #[test]
    fn a_topic_takes_a_bare_number_or_the_json_and_names_the_sensor() {
        let bare = parse_topic("cellar", b" 7.5\n", now());
        assert_eq!(
            bare.map(|r| (r.sensor, r.value, r.time)),
            Ok(("cellar".into(), 7.5, now()))
        );
        let json = parse_topic("cellar", br#"{"sensor":"other","value":1}"#, now());
        assert_eq!(json.map(|r| r.sensor), Ok("cellar".into()));
        assert_eq!(parse_topic("a/b", b"1", now()), Err(Malformed::Sensor));
        assert_eq!(parse_topic("x", b"NaN", now()), Err(Malformed::Value));
        assert_eq!(parse_topic("x", b"inf", now()), Err(Malformed::Value));
    }

    #[test]
    fn wrong_shapes_and_types_say_what_is_wrong() {
        let cases: &[(&[u8], Malformed)] = &[
            (b"not json", Malformed::NotJson),
            (b"[1,2]", Malformed::NotJson),
            (br#"{"value":1}"#, Malformed::Sensor),
            (br#"{"sensor":"","value":1}"#, Malformed::Sensor),
            (br#"{"sensor":"a+b","value":1}"#, Malformed::Sensor),
            (br#"{"sensor":"t","value":"21.3"}"#, Malformed::Value),
            (br#"{"sensor":"t","value":null}"#, Malformed::Value),
            (br#"{"sensor":"t","value":1,"unit":7}"#, Malformed::Unit),
            (
                br#"{"sensor":"t","value":1,"timestamp":"yesterday"}"#,
                Malformed::Timestamp,
            ),
            (
                br#"{"sensor":"t","value":1,"timestamp":1733140000}"#,
                Malformed::Timestamp,
            ),
            (
                br#"{"sensor":"t","value":1,"timestamp":"2027-01-01T00:00:00Z"}"#,
                Malformed::Future,
            ),
        ];
        for (payload, why) in cases {
            assert_eq!(
                parse_stream(payload, now()).err().as_ref(),
                Some(why),
                "{payload:?}"
            );
        }
        let big = vec![b' '; MAX_MESSAGE + 1];
        assert_eq!(parse_stream(&big, now()), Err(Malformed::TooLarge));
        assert_eq!(parse_topic("t", &big, now()), Err(Malformed::TooLarge));
    }

    #[test]
    fn a_batch_item_is_the_stream_shape_and_a_missing_time_is_now() {
        let item = json!({"sensor": "attic", "value": 30});
        assert_eq!(parse_item(&item, now()).map(|r| r.time), Ok(now()));
        assert_eq!(parse_item(&json!(5), now()), Err(Malformed::NotJson));
    }
}
