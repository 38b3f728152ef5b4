//! What the monitor needs to accept a PIN or a card without PostgreSQL: each
//! user's id, name, role and bcrypt PIN hash, and each enabled card's bcrypt
//! hash and owner. Loaded with the installation, refreshed on every
//! configuration reload and after user or card changes
//! (`monitor_update_credentials`), kept in the state journal (mode 0600).
//! Nothing here is ever in clear, and ArPI's legacy SHA-256 hashes are left
//! out (they are weak once `SALT` is known): such a user is checked against
//! the database and upgraded to bcrypt on first use, as before.

use argus_db::hash::{is_bcrypt, verify_secret};
use argus_db::models::{Card, User};
use diesel::pg::PgConnection;
use serde::{Deserialize, Serialize};

/// A user as a PIN check needs them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCredential {
    /// `user.id`.
    pub id: i32,
    /// `user.name` (for the user token).
    pub name: String,
    /// `user.role`.
    pub role: String,
    /// bcrypt of the PIN (`None`: a legacy hash, checked in the database).
    access_code: Option<String>,
}

/// A card as a disarm needs it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CardCredential {
    user_id: i32,
    /// bcrypt of the card number.
    code: String,
}

/// The cache.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    users: Vec<UserCredential>,
    cards: Vec<CardCredential>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("users", &self.users.len())
            .field("cards", &self.cards.len())
            .finish()
    }
}

impl std::fmt::Debug for UserCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCredential")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Reads every user and enabled card.
    pub fn load(conn: &mut PgConnection) -> diesel::QueryResult<Self> {
        Ok(Self {
            users: User::all(conn)?
                .into_iter()
                .map(|u| UserCredential {
                    id: u.id,
                    access_code: is_bcrypt(&u.access_code).then_some(u.access_code),
                    name: u.name,
                    role: u.role,
                })
                .collect(),
            cards: Card::all(conn)?
                .into_iter()
                .filter(|c| c.enabled != Some(false) && is_bcrypt(&c.code))
                .map(|c| CardCredential {
                    user_id: c.user_id,
                    code: c.code,
                })
                .collect(),
        })
    }

    /// Whether some PINs can only be checked in the database.
    pub fn has_legacy(&self) -> bool {
        self.users.iter().any(|u| u.access_code.is_none())
    }

    /// Whether the cache holds any user (an installation always has one; an
    /// empty cache means the users are not known yet).
    pub fn knows_users(&self) -> bool {
        !self.users.is_empty()
    }

    /// User `id`'s name.
    pub fn user_name(&self, id: i32) -> Option<&str> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.as_str())
    }

    /// Whether user `id` exists (a device token of a deleted user is refused).
    pub fn has_user(&self, id: i64) -> bool {
        self.users.iter().any(|u| i64::from(u.id) == id)
    }

    fn pin_is(user: &UserCredential, pin: &str) -> bool {
        user.access_code
            .as_deref()
            .is_some_and(|hash| verify_secret(pin, hash, None).ok())
    }

    /// The user whose PIN this is (a keypad does not know whose it is:
    /// bcrypt against each user in turn). Blocking: seconds of CPU for many users.
    pub fn user_by_pin(&self, pin: &str) -> Option<&UserCredential> {
        self.users.iter().find(|u| Self::pin_is(u, pin))
    }

    /// User `id`, if `pin` is theirs (one bcrypt). Blocking.
    pub fn user_with_pin(&self, id: i32, pin: &str) -> Option<&UserCredential> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .filter(|u| Self::pin_is(u, pin))
    }

    /// The owner of the enabled card with this number. Blocking.
    pub fn card_owner(&self, number: &str) -> Option<i32> {
        self.cards
            .iter()
            .find(|c| verify_secret(number, &c.code, None).ok())
            .map(|c| c.user_id)
    }

    /// A cache of these users and cards (tests).
    #[cfg(test)]
    pub fn of(users: &[(i32, &str, &str)], cards: &[(i32, &str)]) -> Self {
        let hash = |s: &str| argus_db::hash::hash_secret(s).unwrap();
        Self {
            users: users
                .iter()
                .map(|(id, role, pin)| UserCredential {
                    id: *id,
                    name: format!("user {id}"),
                    role: (*role).into(),
                    access_code: Some(hash(pin)),
                })
                .collect(),
            cards: cards
                .iter()
                .map(|(user_id, number)| CardCredential {
                    user_id: *user_id,
                    code: hash(number),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_and_cards_match_their_hashes_only() {
        let c = Credentials::of(&[(1, "admin", "1234"), (2, "user", "1111")], &[(2, "0042")]);
        assert_eq!(c.user_by_pin("1111").map(|u| u.id), Some(2));
        assert!(c.user_by_pin("9999").is_none());
        assert_eq!(
            c.user_with_pin(1, "1234").map(|u| u.role.as_str()),
            Some("admin")
        );
        assert!(c.user_with_pin(1, "1111").is_none(), "another user's PIN");
        assert_eq!(c.card_owner("0042"), Some(2));
        assert!(c.has_user(2) && !c.has_user(3) && !c.has_legacy());
        assert!(c.card_owner("0043").is_none());
        let shown = format!("{c:?} {:?}", c.users[0]);
        let journal = serde_json::to_string(&c).unwrap();
        for clear in ["1234", "1111", "0042"] {
            assert!(!shown.contains(clear), "{shown}");
            assert!(!journal.contains(&format!("\"{clear}\"")), "{journal}");
        }
        assert_eq!(journal.matches("$2b$").count(), 3, "bcrypt only");
    }
}
