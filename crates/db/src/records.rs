//! The monitor's runtime writes, exactly as ArPI makes them: arm sessions with
//! their sensor snapshots, disarms, alerts and their sensors, runtime flags
//! (`sensor.alert`, `sensor.error`, `area.arm_state`, `output.state`) and
//! argus's event log. Each function is one transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::enums::ArmState;
use crate::models::arm::open_arm;
use crate::models::Sensor;
use crate::schema::{
    alert, alert_sensor, area, argus_event, arm, arm_sensor, disarm, output, sensor,
};

/// What an `arm_sensor` row snapshots of one sensor.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmSensorSnapshot {
    /// `sensor.id`.
    pub sensor_id: i32,
    /// Its effective delay in the armed mode (`None` = ignored).
    pub delay: Option<i32>,
}

/// The open alert (`end_time` NULL), newest first.
pub fn open_alert(conn: &mut PgConnection) -> QueryResult<Option<i32>> {
    alert::table
        .filter(alert::end_time.is_null())
        .order(alert::id.desc())
        .select(alert::id)
        .first(conn)
        .optional()
}

/// Records an arm: a new `arm` row with `arm_sensor` snapshots, or, when an
/// arm session is open, that row's type becomes `state` (ArPI merges per-area
/// arms into one session, `MIXED` when modes differ).
pub fn record_arm(
    conn: &mut PgConnection,
    state: ArmState,
    time: DateTime<Utc>,
    user_id: Option<i32>,
    keypad_id: Option<i32>,
    sensors: &[ArmSensorSnapshot],
) -> QueryResult<i32> {
    conn.transaction(|conn| {
        let arm_id = match open_arm(conn)? {
            Some(id) => {
                diesel::update(arm::table.find(id))
                    .set(arm::type_.eq(state))
                    .execute(conn)?;
                id
            }
            None => diesel::insert_into(arm::table)
                .values((
                    arm::type_.eq(state),
                    arm::time.eq(time),
                    arm::user_id.eq(user_id),
                    arm::keypad_id.eq(keypad_id),
                ))
                .returning(arm::id)
                .get_result(conn)?,
        };
        for snap in sensors {
            let Some(row) = sensor::table
                .find(snap.sensor_id)
                .select(Sensor::as_select())
                .first(conn)
                .optional()?
            else {
                continue;
            };
            let Sensor {
                channel,
                type_id,
                name,
                description,
                enabled,
                ..
            } = row;
            diesel::insert_into(arm_sensor::table)
                .values((
                    arm_sensor::arm_id.eq(arm_id),
                    arm_sensor::sensor_id.eq(snap.sensor_id),
                    arm_sensor::channel.eq(channel.unwrap_or(-1)),
                    arm_sensor::type_id.eq(type_id),
                    arm_sensor::description.eq(description.unwrap_or_else(|| name.clone())),
                    arm_sensor::name.eq(name),
                    arm_sensor::timestamp.eq(time),
                    arm_sensor::delay.eq(snap.delay),
                    arm_sensor::enabled.eq(enabled),
                ))
                .execute(conn)?;
        }
        Ok(arm_id)
    })
}

/// Records a disarm linked to the open arm session (if any) and to the alert
/// it closed (if any).
pub fn record_disarm(
    conn: &mut PgConnection,
    time: DateTime<Utc>,
    user_id: Option<i32>,
    keypad_id: Option<i32>,
    alert_id: Option<i32>,
) -> QueryResult<i32> {
    conn.transaction(|conn| {
        let arm_id = open_arm(conn)?;
        diesel::insert_into(disarm::table)
            .values((
                disarm::time.eq(time),
                disarm::user_id.eq(user_id),
                disarm::keypad_id.eq(keypad_id),
                disarm::alert_id.eq(alert_id),
                disarm::arm_id.eq(arm_id),
            ))
            .returning(disarm::id)
            .get_result(conn)
    })
}

/// Opens an alert; returns `alert.id`.
pub fn start_alert(
    conn: &mut PgConnection,
    start: DateTime<Utc>,
    silent: bool,
) -> QueryResult<i32> {
    diesel::insert_into(alert::table)
        .values((alert::start_time.eq(start), alert::silent.eq(silent)))
        .returning(alert::id)
        .get_result(conn)
}

/// Adds a sensor to an alert (once), copying its description as ArPI does.
pub fn add_alert_sensor(
    conn: &mut PgConnection,
    alert_id: i32,
    sensor_id: i32,
    start: DateTime<Utc>,
    delay: i32,
    alert_silent: bool,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        let Some(row) = sensor::table
            .find(sensor_id)
            .select(Sensor::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(());
        };
        let Sensor {
            channel,
            type_id,
            name,
            description,
            silent_alert: silent,
            monitor_period: period,
            monitor_threshold: threshold,
            ..
        } = row;
        diesel::insert_into(alert_sensor::table)
            .values((
                alert_sensor::alert_id.eq(alert_id),
                alert_sensor::sensor_id.eq(sensor_id),
                alert_sensor::channel.eq(channel),
                alert_sensor::type_id.eq(type_id),
                alert_sensor::name.eq(name),
                alert_sensor::description.eq(description),
                alert_sensor::start_time.eq(start),
                alert_sensor::delay.eq(delay),
                alert_sensor::silent.eq(silent),
                alert_sensor::monitor_period.eq(period),
                alert_sensor::monitor_threshold.eq(threshold),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        diesel::update(alert::table.find(alert_id))
            .set(alert::silent.eq(alert_silent))
            .execute(conn)?;
        Ok(())
    })
}

/// A sensor of an alert returned to normal.
pub fn end_alert_sensor(
    conn: &mut PgConnection,
    alert_id: i32,
    sensor_id: i32,
    time: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(alert_sensor::table.find((alert_id, sensor_id)))
        .filter(alert_sensor::end_time.is_null())
        .set(alert_sensor::end_time.eq(time))
        .execute(conn)
}

/// Ends an alert (and every sensor part still open).
pub fn end_alert(conn: &mut PgConnection, alert_id: i32, time: DateTime<Utc>) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(
            alert_sensor::table
                .filter(alert_sensor::alert_id.eq(alert_id))
                .filter(alert_sensor::end_time.is_null()),
        )
        .set(alert_sensor::end_time.eq(time))
        .execute(conn)?;
        diesel::update(alert::table.find(alert_id))
            .set(alert::end_time.eq(time))
            .execute(conn)?;
        Ok(())
    })
}

/// `sensor.alert`.
pub fn set_sensor_alert(
    conn: &mut PgConnection,
    sensor_id: i32,
    value: bool,
) -> QueryResult<usize> {
    diesel::update(sensor::table.find(sensor_id))
        .set(sensor::alert.eq(value))
        .execute(conn)
}

/// `sensor.error`.
pub fn set_sensor_error(
    conn: &mut PgConnection,
    sensor_id: i32,
    value: bool,
) -> QueryResult<usize> {
    diesel::update(sensor::table.find(sensor_id))
        .set(sensor::error.eq(value))
        .execute(conn)
}

/// `area.arm_state`.
pub fn set_area_state(
    conn: &mut PgConnection,
    area_id: i32,
    state: ArmState,
) -> QueryResult<usize> {
    diesel::update(area::table.find(area_id))
        .set(area::arm_state.eq(state))
        .execute(conn)
}

/// `output.state`.
pub fn set_output_state(
    conn: &mut PgConnection,
    output_id: i32,
    state: bool,
) -> QueryResult<usize> {
    diesel::update(output::table.find(output_id))
        .set(output::state.eq(state))
        .execute(conn)
}

/// Appends to argus's event log.
#[expect(clippy::too_many_arguments, reason = "one argument per column")]
pub fn record_event(
    conn: &mut PgConnection,
    time: DateTime<Utc>,
    kind: &str,
    user_id: Option<i32>,
    keypad_id: Option<i32>,
    origin: Option<&str>,
    sensor_id: Option<i32>,
    detail: Option<&str>,
) -> QueryResult<usize> {
    diesel::insert_into(argus_event::table)
        .values((
            argus_event::time.eq(time),
            argus_event::kind.eq(kind),
            argus_event::user_id.eq(user_id),
            argus_event::keypad_id.eq(keypad_id),
            argus_event::origin.eq(origin),
            argus_event::sensor_id.eq(sensor_id),
            argus_event::detail.eq(detail),
        ))
        .execute(conn)
}

/// Closes every open alert (at start-up, when the monitor's journal says no
/// alert was under way). Returns how many were closed.
pub fn close_open_alerts(conn: &mut PgConnection, time: DateTime<Utc>) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let open: Vec<i32> = alert::table
            .filter(alert::end_time.is_null())
            .select(alert::id)
            .load(conn)?;
        for &id in &open {
            end_alert(conn, id, time)?;
        }
        Ok(open.len())
    })
}
