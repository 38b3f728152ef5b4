//! `user`: people, their PIN, registration code and role.

use diesel::prelude::*;

use crate::schema::user;

/// A row of `user`. The hash columns are never logged or serialised.
#[derive(Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = user, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i32,
    pub name: String,
    pub email: Option<String>,
    pub role: String,
    pub registration_code: Option<String>,
    pub registration_expiry: Option<chrono::DateTime<chrono::Utc>>,
    pub card_registration_expiry: Option<chrono::DateTime<chrono::Utc>>,
    pub access_code: String,
    pub fourkey_code: String,
    pub mcp_key: Option<String>,
    pub comment: Option<String>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A new user with an explicit id (ArPI generates 8-digit ids in the app).
#[derive(Clone, Insertable)]
#[diesel(table_name = user)]
pub struct NewUser<'a> {
    pub id: i32,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub role: &'a str,
    pub registration_code: Option<String>,
    pub registration_expiry: Option<chrono::DateTime<chrono::Utc>>,
    pub access_code: String,
    pub fourkey_code: String,
    pub comment: Option<&'a str>,
}

impl User {
    /// The user whose PIN this is (bcrypt against every user; legacy
    /// `sha256(code:SALT)` hashes are accepted and upgraded to bcrypt).
    pub fn find_by_pin(
        conn: &mut PgConnection,
        pin: &str,
        salt: Option<&str>,
    ) -> QueryResult<Option<Self>> {
        for u in Self::all(conn)? {
            let verified = crate::hash::verify_secret(pin, &u.access_code, salt);
            if verified.ok() {
                if verified.needs_upgrade() {
                    if let (Ok(access), Ok(fourkey)) = (
                        crate::hash::hash_secret(pin),
                        crate::hash::hash_secret(crate::hash::fourkey_of(pin)),
                    ) {
                        Self::set_access_code(conn, u.id, &access, &fourkey)?;
                    }
                }
                return Ok(Some(u));
            }
        }
        Ok(None)
    }

    /// Every user, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        user::table
            .order(user::id)
            .select(Self::as_select())
            .load(conn)
    }

    /// The user with this id.
    pub fn find(conn: &mut PgConnection, id: i32) -> QueryResult<Self> {
        user::table.find(id).select(Self::as_select()).first(conn)
    }

    /// Stores a new PIN hash (and its four-key hash, which ArPI keeps writing).
    pub fn set_access_code(
        conn: &mut PgConnection,
        id: i32,
        access_code: &str,
        fourkey_code: &str,
    ) -> QueryResult<usize> {
        diesel::update(user::table.find(id))
            .set((
                user::access_code.eq(access_code),
                user::fourkey_code.eq(fourkey_code),
            ))
            .execute(conn)
    }

    /// Clears a used registration code (single use).
    pub fn clear_registration_code(conn: &mut PgConnection, id: i32) -> QueryResult<usize> {
        diesel::update(user::table.find(id))
            .set((
                user::registration_code.eq(None::<String>),
                user::registration_expiry.eq(None::<chrono::DateTime<chrono::Utc>>),
            ))
            .execute(conn)
    }

    /// Stores a registration-code hash and its expiry (None = no expiry).
    pub fn set_registration_code(
        conn: &mut PgConnection,
        id: i32,
        code_hash: &str,
        expiry: Option<chrono::DateTime<chrono::Utc>>,
    ) -> QueryResult<usize> {
        diesel::update(user::table.find(id))
            .set((
                user::registration_code.eq(code_hash),
                user::registration_expiry.eq(expiry),
            ))
            .execute(conn)
    }
}
