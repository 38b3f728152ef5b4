//! `keypad` and `keypad_type`: the (single) keypad and its kind.

use diesel::prelude::*;

use crate::schema::{keypad, keypad_type};

/// A row of `keypad_type`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = keypad_type, check_for_backend(diesel::pg::Pg))]
pub struct KeypadType {
    pub id: i32,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// A new keypad type with an explicit id (DSC = 1, WIEGAND = 2).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = keypad_type)]
pub struct NewKeypadType<'a> {
    pub id: i32,
    pub name: &'a str,
    pub description: &'a str,
}

/// A row of `keypad`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = keypad, check_for_backend(diesel::pg::Pg))]
pub struct Keypad {
    pub id: i32,
    pub enabled: Option<bool>,
    pub type_id: i32,
}

/// A new keypad.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = keypad)]
pub struct NewKeypad {
    pub enabled: Option<bool>,
    pub type_id: i32,
}

impl KeypadType {
    /// Every keypad type, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        keypad_type::table
            .order(keypad_type::id)
            .select(Self::as_select())
            .load(conn)
    }
}

impl Keypad {
    /// Every keypad, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        keypad::table
            .order(keypad::id)
            .select(Self::as_select())
            .load(conn)
    }
}

finders!(Keypad, keypad);
