//! `sensor`: inputs, their wiring, zone, area and runtime flags.

use diesel::prelude::*;

use crate::enums::{ChannelType, ContactType, EolCount};
use crate::schema::sensor;

/// `sensor.monitor_threshold`'s column default, which ArPI's seeds and
/// `POST /api/sensors/` store (contract §8.3). With no `monitor_period` it
/// means "instant, ignoring the global window" (§9.7).
pub const DEFAULT_THRESHOLD: i32 = 100;

/// A row of `sensor`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = sensor, check_for_backend(diesel::pg::Pg))]
pub struct Sensor {
    pub id: i32,
    pub channel: Option<i32>,
    pub channel_type: ChannelType,
    pub sensor_contact_type: ContactType,
    pub sensor_eol_count: EolCount,
    pub reference_value: Option<f64>,
    pub alert: bool,
    pub error: bool,
    pub enabled: bool,
    pub deleted: bool,
    pub name: String,
    pub description: Option<String>,
    pub silent_alert: Option<bool>,
    pub monitor_period: Option<i32>,
    pub monitor_threshold: Option<i32>,
    pub zone_id: i32,
    pub area_id: i32,
    pub type_id: i32,
    pub ui_order: Option<i32>,
    pub ui_hidden: bool,
}

/// A new sensor. Insert it with [`NewSensor::insert`], which writes
/// `monitor_threshold` explicitly, NULL included, so what the caller chose is
/// stored rather than the column default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sensor)]
pub struct NewSensor<'a> {
    pub channel: Option<i32>,
    pub channel_type: ChannelType,
    pub sensor_contact_type: ContactType,
    pub sensor_eol_count: EolCount,
    pub reference_value: Option<f64>,
    pub alert: bool,
    pub error: bool,
    pub enabled: bool,
    pub deleted: bool,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub silent_alert: Option<bool>,
    pub monitor_period: Option<i32>,
    #[diesel(skip_insertion)]
    pub monitor_threshold: Option<i32>,
    pub zone_id: i32,
    pub area_id: i32,
    pub type_id: i32,
    pub ui_order: Option<i32>,
    pub ui_hidden: bool,
}

impl NewSensor<'_> {
    /// Inserts the sensor; returns its id.
    pub fn insert(&self, conn: &mut PgConnection) -> QueryResult<i32> {
        diesel::insert_into(sensor::table)
            .values((self, sensor::monitor_threshold.eq(self.monitor_threshold)))
            .returning(sensor::id)
            .get_result(conn)
    }
}

impl Sensor {
    /// Every sensor, deleted ones included, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        sensor::table
            .order(sensor::id)
            .select(Self::as_select())
            .load(conn)
    }
}

finders!(Sensor, sensor, soft_deleted);
