//! `option`: configuration sections stored as JSON text.

use diesel::prelude::*;

use crate::schema::option;

/// A row of `option`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = option, check_for_backend(diesel::pg::Pg))]
pub struct OptionRow {
    pub id: i32,
    pub name: String,
    pub section: String,
    pub value: Option<String>,
}

/// A new option.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = option)]
pub struct NewOption<'a> {
    pub name: &'a str,
    pub section: &'a str,
    pub value: Option<String>,
}

impl OptionRow {
    /// Every option, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        option::table
            .order(option::id)
            .select(Self::as_select())
            .load(conn)
    }

    /// The option `name`/`section`, if stored.
    pub fn find(conn: &mut PgConnection, name: &str, section: &str) -> QueryResult<Option<Self>> {
        option::table
            .filter(option::name.eq(name).and(option::section.eq(section)))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }
}
