//! SQL built at run time that PostgreSQL still plans only once per
//! connection. Diesel never caches `sql_query` statements, so each call is
//! parsed and planned anew; for `/api/arms` planning cost six times the
//! execution. A [`Statement`] carries its values as bind parameters, so its
//! text depends only on which filters are present (a handful of shapes) and
//! diesel's prepared-statement cache, keyed by that text, can keep it.

use argus_db::enums::ArmState;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Int4, Timestamptz, Untyped};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

/// A bind parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `int4`.
    Int(i32),
    /// `int8`.
    BigInt(i64),
    /// `timestamptz`.
    Time(DateTime<Utc>),
    /// `armstates`.
    Arm(ArmState),
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Sql(String),
    Bind(Value),
}

/// SQL text and bind parameters, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statement {
    parts: Vec<Part>,
}

impl Statement {
    /// Appends SQL text. Never pass client input here: bind it.
    pub fn sql(&mut self, text: &str) -> &mut Self {
        self.parts.push(Part::Sql(text.to_owned()));
        self
    }

    /// Appends a bind parameter (`$n`).
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.parts.push(Part::Bind(value));
        self
    }

    /// Appends another statement.
    pub fn extend(&mut self, other: &Statement) -> &mut Self {
        self.parts.extend(other.parts.iter().cloned());
        self
    }

    /// The text with `?` for each bind (for tests and logs).
    pub fn text(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Sql(s) => s.as_str(),
                Part::Bind(_) => "?",
            })
            .collect()
    }
}

impl QueryFragment<Pg> for Statement {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for part in &self.parts {
            match part {
                Part::Sql(s) => out.push_sql(s),
                Part::Bind(Value::Int(v)) => out.push_bind_param::<Int4, _>(v)?,
                Part::Bind(Value::BigInt(v)) => out.push_bind_param::<BigInt, _>(v)?,
                Part::Bind(Value::Time(v)) => out.push_bind_param::<Timestamptz, _>(v)?,
                Part::Bind(Value::Arm(v)) => {
                    out.push_bind_param::<argus_db::schema::sql_types::Armstates, _>(v)?;
                }
            }
        }
        Ok(())
    }
}

impl QueryId for Statement {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Statement {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for Statement {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_never_enter_the_text() {
        let mut s = Statement::default();
        s.sql("SELECT 1 WHERE a = ")
            .bind(Value::Int(7))
            .sql(" AND b < ")
            .bind(Value::Time(Utc::now()));
        assert_eq!(s.text(), "SELECT 1 WHERE a = ? AND b < ?");
        let mut t = Statement::default();
        t.sql("SELECT 1 WHERE a = ")
            .bind(Value::Int(8))
            .sql(" AND b < ")
            .bind(Value::Time(Utc::now()));
        assert_eq!(s.text(), t.text(), "one shape, one prepared statement");
    }
}
