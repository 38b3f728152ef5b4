//! `card`: RFID cards (bcrypt of the card number) and card learning.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::hash::{hash_secret, verify_secret, HashError};
use crate::schema::{card, user};

/// A row of `card`. The code hash is never serialised.
#[derive(Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = card, check_for_backend(diesel::pg::Pg))]
pub struct Card {
    pub id: i32,
    pub code: String,
    pub user_id: i32,
    pub enabled: Option<bool>,
    pub description: Option<String>,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// Card learning failed.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// The database refused.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// What presenting a card during learning did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    /// Attached to this user.
    Registered(i32),
    /// The card is already known.
    Duplicate,
    /// No user has an open learning window.
    NoWindow,
}

impl Card {
    /// Every card, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        card::table
            .order(card::id)
            .select(Self::as_select())
            .load(conn)
    }

    /// The enabled card with this number (bcrypt against every card).
    pub fn find_by_number(conn: &mut PgConnection, number: &str) -> QueryResult<Option<Self>> {
        Ok(Self::all(conn)?
            .into_iter()
            .filter(|c| c.enabled != Some(false))
            .find(|c| verify_secret(number, &c.code, None).ok()))
    }

    /// Attaches a presented card to the user whose learning window is open.
    pub fn register(
        conn: &mut PgConnection,
        number: &str,
        now: DateTime<Utc>,
    ) -> Result<Registration, CardError> {
        let owner: Option<i32> = user::table
            .filter(user::card_registration_expiry.gt(now))
            .order(user::card_registration_expiry.desc())
            .select(user::id)
            .first(conn)
            .optional()?;
        let Some(owner) = owner else {
            return Ok(Registration::NoWindow);
        };
        diesel::update(user::table.find(owner))
            .set(user::card_registration_expiry.eq(None::<DateTime<Utc>>))
            .execute(conn)?;
        if Self::all(conn)?
            .iter()
            .any(|c| verify_secret(number, &c.code, None).ok())
        {
            return Ok(Registration::Duplicate);
        }
        let tail: String = number
            .chars()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let description = format!("{} ({tail})", now.format("%Y-%m-%d %H:%M"));
        diesel::insert_into(card::table)
            .values((
                card::code.eq(hash_secret(number)?),
                card::user_id.eq(owner),
                card::enabled.eq(true),
                card::description.eq(description),
            ))
            .execute(conn)?;
        Ok(Registration::Registered(owner))
    }

    /// Closes learning windows that ran out; returns whether any did.
    pub fn expire_windows(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<bool> {
        let n = diesel::update(user::table.filter(user::card_registration_expiry.le(now)))
            .set(user::card_registration_expiry.eq(None::<DateTime<Utc>>))
            .execute(conn)?;
        Ok(n > 0)
    }
}
