//! `sensor_type`: Motion, Tamper, Open, Break.

use diesel::prelude::*;

use crate::schema::sensor_type;

/// A row of `sensor_type`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = sensor_type, check_for_backend(diesel::pg::Pg))]
pub struct SensorType {
    pub id: i32,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// A new sensor type with an explicit id (seeds pin ids 1–4).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sensor_type)]
pub struct NewSensorType<'a> {
    pub id: i32,
    pub name: &'a str,
    pub description: &'a str,
}

impl SensorType {
    /// Every sensor type, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        sensor_type::table
            .order(sensor_type::id)
            .select(Self::as_select())
            .load(conn)
    }
}
