//! `output`: relays driven through the DRV8860.

use diesel::prelude::*;

use crate::enums::OutputTrigger;
use crate::schema::output;

/// A row of `output`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = output, check_for_backend(diesel::pg::Pg))]
pub struct Output {
    pub id: i32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub channel: Option<i32>,
    pub state: bool,
    pub trigger_type: OutputTrigger,
    pub area_id: Option<i32>,
    pub delay: Option<i32>,
    pub duration: i32,
    pub default_state: Option<bool>,
    pub ui_order: Option<i32>,
    pub enabled: Option<bool>,
}

impl Output {
    /// Every output, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        output::table
            .order(output::id)
            .select(Self::as_select())
            .load(conn)
    }
}

finders!(Output, output);
