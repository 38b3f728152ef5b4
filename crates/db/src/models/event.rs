//! `argus_event`: argus's event log (arm, disarm, alert, lock-out, duress, …).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::argus_event;

/// A row of `argus_event`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = argus_event, check_for_backend(diesel::pg::Pg))]
pub struct EventRow {
    pub id: i64,
    pub time: DateTime<Utc>,
    pub kind: String,
    pub user_id: Option<i32>,
    pub keypad_id: Option<i32>,
    pub origin: Option<String>,
    pub area_id: Option<i32>,
    pub sensor_id: Option<i32>,
    pub detail: Option<String>,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only this kind.
    pub kind: Option<String>,
    /// At or after.
    pub since: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

impl EventRow {
    /// Events matching `filter`, newest first.
    pub fn list(conn: &mut PgConnection, filter: &EventFilter) -> QueryResult<Vec<Self>> {
        let mut q = argus_event::table.into_boxed();
        if let Some(kind) = &filter.kind {
            q = q.filter(argus_event::kind.eq(kind.clone()));
        }
        if let Some(since) = filter.since {
            q = q.filter(argus_event::time.ge(since));
        }
        if let Some(until) = filter.until {
            q = q.filter(argus_event::time.lt(until));
        }
        q.order((argus_event::time.desc(), argus_event::id.desc()))
            .limit(filter.limit)
            .offset(filter.offset)
            .select(Self::as_select())
            .load(conn)
    }
}
