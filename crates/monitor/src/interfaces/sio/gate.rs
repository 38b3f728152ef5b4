//! Admission to Socket.IO before any session exists. A request that would
//! open an Engine.IO session (no `sid`) must carry a device token of a user
//! that exists and a `Referer` of the token's origin (the same check as the
//! namespace connect), and its client address must be under the session
//! caps; anything else is answered here with 403 or 429 and costs the
//! monitor nothing that outlives the request. Sessions are counted from the
//! handshake (pending, until the namespace is joined or the connect timeout
//! passes) to the disconnect, per client address and in all.

use argus_protocol::jwt::{self, DeviceClaims};
use argus_protocol::peer::TrustedProxies;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

use crate::installation::Installation;

/// Why a connection was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// No `token` query parameter.
    #[error("missing token")]
    MissingToken,
    /// The token does not verify with `SECRET`.
    #[error("invalid token")]
    InvalidToken,
    /// The token's origin is not the page's.
    #[error("origin mismatch")]
    OriginMismatch,
    /// The monitor has no `SECRET` configured.
    #[error("live events are disabled (no SECRET)")]
    NoSecret,
    /// The token's user no longer exists.
    #[error("unknown user")]
    UnknownUser,
    /// Too many sessions from this address or in all.
    #[error("too many live sessions")]
    TooMany,
}

impl Refused {
    /// The HTTP status of a refused handshake.
    pub fn status(&self) -> u16 {
        match self {
            Self::TooMany => 429,
            _ => 403,
        }
    }
}

/// The client address of a request, put in its extensions by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// How many sessions are allowed.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Per client address.
    pub per_address: usize,
    /// In all.
    pub total: usize,
    /// How long a handshake counts before its namespace is joined.
    pub pending_for: Duration,
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        pair.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
    })
}

/// Whether a request opens a new Engine.IO session.
pub fn opens_session(query: Option<&str>) -> bool {
    query.and_then(|q| query_param(q, "sid")).is_none()
}

/// Checks a token and origin.
pub fn authorize(
    query: Option<&str>,
    referer: Option<&str>,
    secret: Option<&[u8]>,
) -> Result<DeviceClaims, Refused> {
    let secret = secret.ok_or(Refused::NoSecret)?;
    let token = query
        .and_then(|q| query_param(q, "token"))
        .filter(|t| !t.is_empty())
        .ok_or(Refused::MissingToken)?;
    let token = percent_decode(token);
    let claims: DeviceClaims = jwt::verify(&token, secret).map_err(|_| Refused::InvalidToken)?;
    let origin = claims.origin.as_deref().and_then(jwt::scheme_and_netloc);
    let page = referer.and_then(jwt::scheme_and_netloc);
    if origin.is_none() || origin != page {
        return Err(Refused::OriginMismatch);
    }
    Ok(claims)
}

/// Decodes `%XX` escapes (tokens are base64url, so only stray escapes matter).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug, Default)]
struct Sessions {
    /// Handshakes whose namespace is not joined yet, oldest first.
    pending: VecDeque<(Instant, IpAddr)>,
    /// Joined sessions by socket id.
    joined: HashMap<String, IpAddr>,
}

impl Sessions {
    fn expire(&mut self, now: Instant, pending_for: Duration) {
        while self
            .pending
            .front()
            .is_some_and(|(t, _)| now.saturating_duration_since(*t) >= pending_for)
        {
            self.pending.pop_front();
        }
    }

    fn count(&self, addr: IpAddr) -> usize {
        self.pending.iter().filter(|(_, a)| *a == addr).count()
            + self.joined.values().filter(|a| **a == addr).count()
    }

    fn total(&self) -> usize {
        self.pending.len() + self.joined.len()
    }
}

/// The admission rules, shared by the HTTP layer and the namespace.
#[derive(Clone)]
pub struct Gate {
    secret: Arc<Option<Vec<u8>>>,
    installation: Option<watch::Receiver<Arc<Installation>>>,
    /// Whose forwarding headers to believe.
    pub trusted: TrustedProxies,
    limits: Limits,
    sessions: Arc<Mutex<Sessions>>,
}

impl Gate {
    /// A gate; with `installation`, a token whose user was deleted is refused.
    pub fn new(
        secret: Option<Vec<u8>>,
        installation: Option<watch::Receiver<Arc<Installation>>>,
        trusted: TrustedProxies,
        limits: Limits,
    ) -> Self {
        Self {
            secret: Arc::new(secret),
            installation,
            trusted,
            limits,
            sessions: Arc::default(),
        }
    }

    /// Token, origin and user of a connecting client.
    pub fn check(&self, query: Option<&str>, referer: Option<&str>) -> Result<(), Refused> {
        let claims = authorize(query, referer, self.secret.as_deref())?;
        if let Some(installation) = &self.installation {
            let credentials = &installation.borrow().credentials;
            // With no users known (no database yet, an old journal) the signature decides.
            if credentials.knows_users() && !credentials.has_user(claims.user_id) {
                return Err(Refused::UnknownUser);
            }
        }
        Ok(())
    }

    /// A handshake from `addr`: checked, then counted as pending.
    pub fn admit(
        &self,
        addr: IpAddr,
        query: Option<&str>,
        referer: Option<&str>,
    ) -> Result<(), Refused> {
        self.check(query, referer)?;
        let now = Instant::now();
        let mut s = self
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.expire(now, self.limits.pending_for);
        if s.count(addr) >= self.limits.per_address || s.total() >= self.limits.total {
            return Err(Refused::TooMany);
        }
        s.pending.push_back((now, addr));
        Ok(())
    }

    /// A session from `addr` joined the namespace as socket `sid`.
    pub fn joined(&self, sid: String, addr: IpAddr) {
        let mut s = self
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(i) = s.pending.iter().position(|(_, a)| *a == addr) {
            s.pending.remove(i);
        }
        s.joined.insert(sid, addr);
    }

    /// Socket `sid` disconnected.
    pub fn left(&self, sid: &str) {
        let mut s = self
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.joined.remove(sid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(origin: &str) -> String {
        jwt::sign(
            &DeviceClaims {
                ip: None,
                origin: Some(origin.into()),
                user_id: 1,
            },
            b"s",
        )
        .unwrap()
    }

    #[test]
    fn a_device_token_from_the_same_origin_is_accepted() {
        let q = format!(
            "EIO=4&transport=polling&token={}",
            token("http://localhost:4200")
        );
        assert!(authorize(Some(&q), Some("http://localhost:4200/en/"), Some(b"s")).is_ok());
        assert!(opens_session(Some(&q)));
        assert!(!opens_session(Some(&format!("{q}&sid=abc"))));
    }

    #[test]
    fn everything_else_is_refused() {
        let q = format!("token={}", token("http://localhost:4200"));
        let refused = |query: Option<&str>, referer: Option<&str>, secret: Option<&[u8]>| {
            authorize(query, referer, secret).unwrap_err()
        };
        assert_eq!(refused(None, None, Some(b"s")), Refused::MissingToken);
        assert_eq!(
            refused(Some("token="), None, Some(b"s")),
            Refused::MissingToken
        );
        assert_eq!(
            refused(
                Some("token=undefined"),
                Some("http://localhost:4200/"),
                Some(b"s")
            ),
            Refused::InvalidToken,
            "the web app before registration"
        );
        assert_eq!(
            refused(Some(&q), Some("http://localhost:4200/"), Some(b"x")),
            Refused::InvalidToken
        );
        assert_eq!(
            refused(Some(&q), Some("http://evil.example/"), Some(b"s")),
            Refused::OriginMismatch
        );
        assert_eq!(refused(Some(&q), None, Some(b"s")), Refused::OriginMismatch);
        assert_eq!(
            refused(Some(&q), Some("http://localhost:4200/"), None),
            Refused::NoSecret
        );
    }

    #[test]
    fn sessions_are_capped_per_address_and_in_all_and_freed() {
        let gate = Gate::new(
            Some(b"s".to_vec()),
            None,
            TrustedProxies::default(),
            Limits {
                per_address: 2,
                total: 3,
                pending_for: Duration::from_secs(60),
            },
        );
        let q = format!("token={}", token("http://localhost:4200"));
        let page = Some("http://localhost:4200/");
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(gate.admit(a, Some(&q), page).is_ok());
        gate.joined("s1".into(), a);
        assert!(gate.admit(a, Some(&q), page).is_ok());
        assert_eq!(gate.admit(a, Some(&q), page), Err(Refused::TooMany));
        assert!(gate.admit(b, Some(&q), page).is_ok());
        assert_eq!(
            gate.admit(b, Some(&q), page),
            Err(Refused::TooMany),
            "in all"
        );
        gate.left("s1");
        assert!(
            gate.admit(b, Some(&q), page).is_ok(),
            "a disconnect frees its place"
        );
        assert_eq!(
            gate.admit(a, Some("token=x"), page),
            Err(Refused::InvalidToken),
            "checked before counted"
        );
    }
}
