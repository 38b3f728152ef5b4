//! Hashes of PINs, registration codes and card numbers, as ArPI stores them.
//!
//! New hashes are bcrypt `$2b$` with cost 12. Existing databases may also hold
//! ArPI's legacy form, `sha256("<code>:<SALT>")` in hex; it still verifies, and
//! [`Verified::needs_upgrade`] tells the caller to store a bcrypt hash instead.

use sha2::{Digest, Sha256};

/// bcrypt cost, as ArPI (`bcrypt.gensalt()` default).
pub const BCRYPT_COST: u32 = 12;

/// Hashing failed (only bcrypt's internal errors; inputs are never rejected here).
#[derive(Debug, thiserror::Error)]
#[error("hashing failed: {0}")]
pub struct HashError(#[from] bcrypt::BcryptError);

/// The result of checking a secret against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// The secret does not match (or the stored value is no known hash).
    No,
    /// It matches a bcrypt hash.
    Yes,
    /// It matches a legacy SHA-256 hash, which should be replaced with bcrypt.
    YesLegacy,
}

impl Verified {
    /// Whether the secret matched.
    pub fn ok(self) -> bool {
        self != Self::No
    }

    /// Whether the stored hash should be rewritten as bcrypt.
    pub fn needs_upgrade(self) -> bool {
        self == Self::YesLegacy
    }
}

/// Hashes a secret with bcrypt `$2b$`, cost 12.
pub fn hash_secret(secret: &str) -> Result<String, HashError> {
    Ok(bcrypt::hash_with_result(secret, BCRYPT_COST)?.format_for_version(bcrypt::Version::TwoB))
}

/// Checks a secret against a stored bcrypt or legacy hash. `salt` is ArPI's
/// legacy `SALT`; without it, legacy hashes never match.
pub fn verify_secret(secret: &str, stored: &str, salt: Option<&str>) -> Verified {
    if is_bcrypt(stored) {
        return match bcrypt::verify(secret, stored) {
            Ok(true) => Verified::Yes,
            _ => Verified::No,
        };
    }
    match salt {
        Some(salt)
            if is_legacy(stored) && legacy_hash(secret, salt).eq_ignore_ascii_case(stored) =>
        {
            Verified::YesLegacy
        }
        _ => Verified::No,
    }
}

/// ArPI's legacy hash: hex SHA-256 of `"<code>:<SALT>"`.
pub fn legacy_hash(secret: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{secret}:{salt}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a stored value is a bcrypt hash.
pub fn is_bcrypt(stored: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|p| stored.starts_with(p))
}

/// Whether a stored value has the legacy SHA-256 form.
pub fn is_legacy(stored: &str) -> bool {
    stored.len() == 64 && stored.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Normalises a registration code as ArPI does before hashing or checking it:
/// trimmed, lower-cased, dashes removed.
pub fn normalize_registration_code(code: &str) -> String {
    code.trim().to_lowercase().replace('-', "")
}

/// The secret stored in `user.fourkey_code`: the first four characters of a PIN.
pub fn fourkey_of(pin: &str) -> &str {
    let end = pin.char_indices().nth(4).map_or(pin.len(), |(i, _)| i);
    &pin[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_round_trip_with_2b_prefix() {
        let hash = hash_secret("1234").unwrap();
        assert!(hash.starts_with("$2b$12$"), "{hash}");
        assert_eq!(verify_secret("1234", &hash, None), Verified::Yes);
        assert_eq!(verify_secret("4321", &hash, None), Verified::No);
    }

    #[test]
    fn legacy_hash_verifies_only_with_its_salt() {
        let stored = legacy_hash("1234", "pepper");
        assert_eq!(stored.len(), 64);
        assert_eq!(
            verify_secret("1234", &stored, Some("pepper")),
            Verified::YesLegacy
        );
        assert!(verify_secret("1234", &stored, Some("pepper")).needs_upgrade());
        assert_eq!(verify_secret("1234", &stored, Some("other")), Verified::No);
        assert_eq!(verify_secret("1234", &stored, None), Verified::No);
        assert_eq!(verify_secret("1235", &stored, Some("pepper")), Verified::No);
    }

    #[test]
    fn garbage_never_verifies() {
        assert_eq!(verify_secret("1234", "", Some("s")), Verified::No);
        assert_eq!(verify_secret("1234", "$2b$12$short", None), Verified::No);
    }

    #[test]
    fn registration_codes_are_normalised() {
        assert_eq!(normalize_registration_code(" ABCD-1234 "), "abcd1234");
    }

    #[test]
    fn fourkey_takes_four_characters() {
        assert_eq!(fourkey_of("123456"), "1234");
        assert_eq!(fourkey_of("12"), "12");
    }
}
