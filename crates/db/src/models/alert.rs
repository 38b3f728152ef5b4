//! `alert` and `alert_sensor`: alarm incidents and the sensors that took part.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::enums::ArmState;
use crate::schema::{alert, alert_sensor, arm, disarm};

/// A row of `alert`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = alert, check_for_backend(diesel::pg::Pg))]
pub struct Alert {
    pub id: i32,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub silent: Option<bool>,
}

/// A row of `alert_sensor`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = alert_sensor, check_for_backend(diesel::pg::Pg))]
pub struct AlertSensorRow {
    pub alert_id: i32,
    pub sensor_id: i32,
    pub channel: Option<i32>,
    pub type_id: i32,
    pub name: String,
    pub description: Option<String>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub delay: Option<i32>,
    pub silent: Option<bool>,
    pub monitor_period: Option<i32>,
    pub monitor_threshold: Option<i32>,
}

impl Alert {
    /// Every alert, newest first.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        alert::table
            .order((alert::start_time.desc(), alert::id.desc()))
            .select(Self::as_select())
            .load(conn)
    }

    /// The open alert, if any.
    pub fn open(conn: &mut PgConnection) -> QueryResult<Option<Self>> {
        alert::table
            .filter(alert::end_time.is_null())
            .order(alert::id.desc())
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The sensors of these alerts.
    pub fn sensors(conn: &mut PgConnection, ids: &[i32]) -> QueryResult<Vec<AlertSensorRow>> {
        alert_sensor::table
            .filter(alert_sensor::alert_id.eq_any(ids))
            .order((alert_sensor::alert_id, alert_sensor::start_time))
            .select(AlertSensorRow::as_select())
            .load(conn)
    }

    /// A page of alerts, newest first (`limit` None = all).
    pub fn page(
        conn: &mut PgConnection,
        limit: Option<i64>,
        offset: i64,
    ) -> QueryResult<Vec<Self>> {
        let query = alert::table
            .order((alert::start_time.desc(), alert::id.desc()))
            .select(Self::as_select())
            .offset(offset.max(0));
        match limit {
            Some(l) => query.limit(l.max(0)).load(conn),
            None => query.load(conn),
        }
    }

    /// [`Alert::arm_type`] of many alerts in two queries: by alert id, only
    /// those with a type (absent = a sabotage alert).
    pub fn arm_types(
        conn: &mut PgConnection,
        alerts: &[Self],
    ) -> QueryResult<std::collections::HashMap<i32, ArmState>> {
        let ids: Vec<i32> = alerts.iter().map(|a| a.id).collect();
        let mut types: std::collections::HashMap<i32, ArmState> = disarm::table
            .inner_join(arm::table.on(disarm::arm_id.eq(arm::id.nullable())))
            .filter(disarm::alert_id.eq_any(&ids))
            .select((disarm::alert_id.assume_not_null(), arm::type_))
            .load::<(i32, ArmState)>(conn)?
            .into_iter()
            .collect();
        let open: Vec<&Self> = alerts
            .iter()
            .filter(|a| a.end_time.is_none() && !types.contains_key(&a.id))
            .collect();
        if !open.is_empty() {
            if let Some(id) = super::arm::open_arm(conn)? {
                let kind: Option<ArmState> = arm::table
                    .find(id)
                    .select(arm::type_)
                    .first(conn)
                    .optional()?;
                if let Some(kind) = kind {
                    for a in open {
                        types.insert(a.id, kind);
                    }
                }
            }
        }
        Ok(types)
    }

    /// The arm type the alert happened under: the arm its disarm closed, or
    /// (still open) the open arm session; `None` = a sabotage alert.
    pub fn arm_type(&self, conn: &mut PgConnection) -> QueryResult<Option<ArmState>> {
        let closed: Option<ArmState> = disarm::table
            .inner_join(arm::table.on(disarm::arm_id.eq(arm::id.nullable())))
            .filter(disarm::alert_id.eq(self.id))
            .select(arm::type_)
            .first(conn)
            .optional()?;
        if closed.is_some() || self.end_time.is_some() {
            return Ok(closed);
        }
        match super::arm::open_arm(conn)? {
            Some(id) => arm::table
                .find(id)
                .select(arm::type_)
                .first(conn)
                .optional(),
            None => Ok(None),
        }
    }
}
