//! `zone`: delay profiles; NULL means "ignored in that mode".

use diesel::prelude::*;

use crate::schema::zone;

/// A row of `zone`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = zone, check_for_backend(diesel::pg::Pg))]
pub struct Zone {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub disarmed_delay: Option<i32>,
    pub away_alert_delay: Option<i32>,
    pub stay_alert_delay: Option<i32>,
    pub away_arm_delay: Option<i32>,
    pub stay_arm_delay: Option<i32>,
    pub deleted: Option<bool>,
    pub ui_order: Option<i32>,
}

/// A new zone.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = zone)]
pub struct NewZone<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub disarmed_delay: Option<i32>,
    pub away_alert_delay: Option<i32>,
    pub stay_alert_delay: Option<i32>,
    pub away_arm_delay: Option<i32>,
    pub stay_arm_delay: Option<i32>,
    pub deleted: Option<bool>,
    pub ui_order: Option<i32>,
}

impl Zone {
    /// Every zone, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        zone::table
            .order(zone::id)
            .select(Self::as_select())
            .load(conn)
    }
}

finders!(Zone, zone, soft_deleted);
