//! ArPI's JSON Web Tokens: HS256 with `SECRET`, compact form
//! `base64url(header).base64url(claims).base64url(signature)`. Only HS256 is
//! accepted (no `none`, no key confusion); the signature is compared in
//! constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A token that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    #[error("malformed token")]
    Malformed,
    /// Not HS256.
    #[error("unsupported token algorithm")]
    Algorithm,
    /// The signature does not match `SECRET`.
    #[error("bad token signature")]
    Signature,
    /// The claims are not what was expected.
    #[error("unexpected token claims")]
    Claims,
}

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length.
    <HmacSha256 as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// Signs `claims` (HS256).
pub fn sign<C: Serialize>(claims: &C, secret: &[u8]) -> Result<String, TokenError> {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload =
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).map_err(|_| TokenError::Claims)?);
    let signing_input = format!("{header}.{payload}");
    let mut m = mac(secret);
    m.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    Ok(format!("{signing_input}.{signature}"))
}

/// Checks a token's signature and algorithm and returns its claims.
pub fn verify<C: DeserializeOwned>(token: &str, secret: &[u8]) -> Result<C, TokenError> {
    let mut parts = token.trim().split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| TokenError::Malformed)?,
    )
    .map_err(|_| TokenError::Malformed)?;
    if header.get("alg").and_then(serde_json::Value::as_str) != Some("HS256") {
        return Err(TokenError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    let mut m = mac(secret);
    m.update(
        format!(
            "{}.{payload}",
            token.trim().split('.').next().unwrap_or_default()
        )
        .as_bytes(),
    );
    m.verify_slice(&signature)
        .map_err(|_| TokenError::Signature)?;
    let claims = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&claims).map_err(|_| TokenError::Claims)
}

/// Claims of a device token (`POST /api/user/register_device`): no expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DeviceClaims {
    /// The registering client's address.
    pub ip: Option<String>,
    /// The registering page's `Origin`.
    pub origin: Option<String>,
    /// The user the device belongs to.
    pub user_id: i64,
}

impl DeviceClaims {
    /// A short digest of the claims: what the lock-out counts as "this
    /// device". Any spelling of the same token (whitespace, another copy)
    /// is the same device; devices registered by the same user from the same
    /// address and page share it.
    pub fn identity(&self) -> String {
        use sha2::Digest;
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&canonical);
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

/// `scheme://host[:port]` of a URL, for comparing an origin with a `Referer`.
pub fn scheme_and_netloc(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let netloc = rest.split(['/', '?', '#']).next()?;
    (!scheme.is_empty() && !netloc.is_empty()).then(|| {
        format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            netloc.to_ascii_lowercase()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"argus";

    #[test]
    fn round_trip() {
        let claims = DeviceClaims {
            ip: Some("127.0.0.1".into()),
            origin: Some("http://localhost:4200".into()),
            user_id: 1,
        };
        let token = sign(&claims, SECRET).unwrap();
        assert_eq!(verify::<DeviceClaims>(&token, SECRET).unwrap(), claims);
        assert_eq!(
            verify::<DeviceClaims>(&token, b"other"),
            Err(TokenError::Signature)
        );
    }

    #[test]
    fn a_token_from_python_jose_verifies() {
        // jwt.encode({"ip": "127.0.0.1", "origin": "http://localhost", "user_id": 1}, "argus", "HS256")
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD
            .encode(br#"{"ip":"127.0.0.1","origin":"http://localhost","user_id":1}"#);
        let mut m = mac(SECRET);
        m.update(format!("{header}.{payload}").as_bytes());
        let token = format!(
            "{header}.{payload}.{}",
            URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
        );
        let claims: DeviceClaims = verify(&token, SECRET).unwrap();
        assert_eq!(claims.user_id, 1);
    }

    #[test]
    fn none_algorithm_and_garbage_are_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"user_id":1}"#);
        assert_eq!(
            verify::<DeviceClaims>(&format!("{header}.{payload}."), SECRET),
            Err(TokenError::Algorithm)
        );
        assert_eq!(
            verify::<DeviceClaims>("a.b", SECRET),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            verify::<DeviceClaims>("", SECRET),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn origins_compare_by_scheme_and_netloc() {
        assert_eq!(
            scheme_and_netloc("https://arpi.local/en/index.html?x=1").as_deref(),
            Some("https://arpi.local")
        );
        assert_eq!(
            scheme_and_netloc("http://localhost:4200").as_deref(),
            Some("http://localhost:4200")
        );
        assert_eq!(scheme_and_netloc("nonsense"), None);
    }
}
