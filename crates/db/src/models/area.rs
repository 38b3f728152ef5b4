//! `area`: partitions of the house, each armed independently.

use diesel::prelude::*;

use crate::enums::ArmState;
use crate::schema::area;

/// A row of `area`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = area, check_for_backend(diesel::pg::Pg))]
pub struct Area {
    pub id: i32,
    pub name: String,
    pub arm_state: ArmState,
    pub deleted: Option<bool>,
    pub ui_order: Option<i32>,
}

/// A new area.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = area)]
pub struct NewArea<'a> {
    pub name: &'a str,
    pub arm_state: ArmState,
    pub deleted: Option<bool>,
    pub ui_order: Option<i32>,
}

impl Area {
    /// Every area, deleted ones included, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        area::table
            .order(area::id)
            .select(Self::as_select())
            .load(conn)
    }
}

finders!(Area, area, soft_deleted);
