//! Which client address a request really comes from. `X-Real-IP` and
//! `X-Forwarded-For` are believed only from a trusted proxy (nginx: loopback
//! or the Unix socket by default); from anyone else they are the client's
//! own words and the peer address stands. Shared by the REST server and the
//! monitor's Socket.IO, so a forged header buys nothing in either.

use std::net::IpAddr;
use std::str::FromStr;

/// A network, `addr/prefix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// Whether `ip` is inside.
    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
            let shift = u32::from(width.saturating_sub(prefix));
            bits.checked_shr(shift).unwrap_or(0)
        }
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                masked(u32::from(n).into(), 32, self.prefix)
                    == masked(u32::from(i).into(), 32, self.prefix)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                masked(u128::from(n), 128, self.prefix) == masked(u128::from(i), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A network that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an address or network: {0:?}")]
pub struct BadNet(pub String);

impl FromStr for Net {
    type Err = BadNet;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadNet(s.to_owned());
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let addr = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(width);
        if prefix > width {
            return Err(bad());
        }
        Ok(Self { addr, prefix })
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Net>);

impl Default for TrustedProxies {
    /// Loopback: nginx on the same board.
    fn default() -> Self {
        Self(vec![
            Net {
                addr: IpAddr::from([127, 0, 0, 0]),
                prefix: 8,
            },
            Net {
                addr: IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
                prefix: 128,
            },
        ])
    }
}

impl FromStr for TrustedProxies {
    type Err = BadNet;

    /// A comma-separated list of addresses and networks; empty trusts none
    /// (but the Unix socket).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Net::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    /// Whether `peer` is one of them.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(peer))
    }

    /// The client's address. `peer` is `None` on a Unix socket, which only
    /// the local proxy can reach (its mode says so), so it is trusted.
    /// From a trusted peer: `X-Real-IP`, else the last `X-Forwarded-For`
    /// entry (what that proxy saw), else the peer itself.
    pub fn client(
        &self,
        peer: Option<IpAddr>,
        real_ip: Option<&str>,
        forwarded_for: Option<&str>,
    ) -> Option<IpAddr> {
        if let Some(peer) = peer.filter(|p| !self.trusts(*p)) {
            return Some(canonical(peer));
        }
        let header = real_ip
            .map(str::trim)
            .and_then(|v| v.parse::<IpAddr>().ok())
            .or_else(|| {
                forwarded_for
                    .and_then(|v| v.rsplit(',').next())
                    .map(str::trim)
                    .and_then(|v| v.parse::<IpAddr>().ok())
            });
        header.or(peer).map(canonical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn headers_count_only_from_a_trusted_proxy() {
        let t = TrustedProxies::default();
        assert_eq!(
            t.client(Some(ip("127.0.0.1")), Some("10.1.2.3"), None),
            Some(ip("10.1.2.3"))
        );
        assert_eq!(
            t.client(Some(ip("192.0.2.7")), Some("10.1.2.3"), Some("10.9.9.9")),
            Some(ip("192.0.2.7")),
            "forged by the client"
        );
        assert_eq!(
            t.client(None, None, Some("10.0.0.5, 10.1.2.3")),
            Some(ip("10.1.2.3"))
        );
        assert_eq!(t.client(None, Some("garbage"), None), None);
        assert_eq!(
            t.client(Some(ip("::ffff:192.0.2.7")), Some("10.1.2.3"), None),
            Some(ip("192.0.2.7"))
        );
        assert_eq!(
            t.client(Some(ip("::1")), None, None),
            Some(ip("::1")),
            "no header: the proxy itself"
        );
    }

    #[test]
    fn networks_parse_and_match() {
        let t: TrustedProxies = "10.0.0.0/8, 192.168.1.5,::1".parse().unwrap();
        assert!(t.trusts(ip("10.200.0.1")));
        assert!(t.trusts(ip("192.168.1.5")));
        assert!(!t.trusts(ip("192.168.1.6")));
        assert!(!t.trusts(ip("127.0.0.1")));
        assert!(t.trusts(ip("::1")));
        let none: TrustedProxies = "".parse().unwrap();
        assert!(!none.trusts(ip("127.0.0.1")));
        assert!("10.0.0.0/33".parse::<Net>().is_err());
        assert!("nonsense".parse::<Net>().is_err());
        assert!("0.0.0.0/0".parse::<Net>().unwrap().contains(ip("8.8.8.8")));
    }
}
