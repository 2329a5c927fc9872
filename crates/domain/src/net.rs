//! Client addresses behind reverse proxies. The socket peer is the client
//! unless it is one of the configured trusted proxies; only then is the
//! `X-Forwarded-For` header read, from the right, skipping the trusted
//! proxies, so that a client cannot choose its own address by sending the
//! header itself.

use std::net::IpAddr;

/// An address range in CIDR notation (`10.0.0.0/8`, `::1/128`); a single
/// address is a range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    addr: IpAddr,
    prefix: u8,
}

/// A malformed address range.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not an IP address or CIDR range (such as 10.0.0.1 or 10.0.0.0/8)")]
pub struct BadRange(pub String);

impl IpRange {
    /// Parses `ADDR` or `ADDR/PREFIX`.
    pub fn parse(text: &str) -> Result<Self, BadRange> {
        let bad = || BadRange(text.to_string());
        let t = text.trim();
        let (addr, prefix) = match t.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (t, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }

    /// Whether `ip` is in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let max = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

/// Parses a comma- or space-separated list of ranges.
pub fn parse_ranges(text: &str) -> Result<Vec<IpRange>, BadRange> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(IpRange::parse).collect()
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn trusted(ip: IpAddr, proxies: &[IpRange]) -> bool {
    proxies.iter().any(|r| r.contains(ip))
}

/// One `X-Forwarded-For` entry: an address, possibly with a port
/// (`1.2.3.4:5678`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let h = hop.trim();
    h.parse::<IpAddr>()
        .ok()
        .or_else(|| h.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| h.trim_start_matches('[').trim_end_matches(']').parse().ok())
        .map(canonical)
}

/// The real client of a request whose socket peer is `peer` and whose
/// `X-Forwarded-For` header values (in order) are `forwarded_for`.
///
/// When the peer is not a trusted proxy the header is ignored: it is whatever
/// the client wrote. Otherwise the hops are read from the right (the nearest
/// first), skipping trusted proxies; the first other address is the client.
/// A hop that is not an address stops the walk at the last trusted address
/// (so garbage written by the client cannot become its address), as does a
/// header of only trusted proxies.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], proxies: &[IpRange]) -> IpAddr {
    let peer = canonical(peer);
    if !trusted(peer, proxies) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.iter().flat_map(|v| v.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else { return client };
        client = ip;
        if !trusted(ip, proxies) {
            return ip;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn ranges_parse_and_match() {
        let r = IpRange::parse("10.0.0.0/8").expect("range");
        assert!(r.contains(ip("10.200.3.4")) && !r.contains(ip("11.0.0.1")));
        assert!(r.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped");
        let one = IpRange::parse("192.0.2.7").expect("one");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6 = IpRange::parse("2001:db8::/32").expect("v6");
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        assert!(IpRange::parse("0.0.0.0/0").expect("all").contains(ip("203.0.113.9")));
        for bad in ["", "10.0.0.0/33", "proxy", "10.0.0/8", "::1/129"] {
            assert!(IpRange::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_ranges("127.0.0.1, 10.0.0.0/8 ::1").expect("list").len(), 3);
        assert_eq!(IpRange::parse("10.0.0.0/8").expect("r").to_string(), "10.0.0.0/8");
        assert_eq!(IpRange::parse("::1").expect("r").to_string(), "::1");
    }

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxies = parse_ranges("127.0.0.1, 10.0.0.0/8").expect("ranges");
        // From a trusted proxy: the right-most untrusted hop.
        assert_eq!(client_address(ip("127.0.0.1"), &["203.0.113.5"], &proxies), ip("203.0.113.5"));
        assert_eq!(
            client_address(ip("127.0.0.1"), &["198.51.100.1, 203.0.113.5, 10.1.1.1"], &proxies),
            ip("203.0.113.5")
        );
        assert_eq!(client_address(ip("127.0.0.1"), &["198.51.100.1", "203.0.113.5:4431"], &proxies), ip("203.0.113.5"));
        assert_eq!(client_address(ip("127.0.0.1"), &["garbage, 203.0.113.5"], &proxies), ip("203.0.113.5"));
        assert_eq!(client_address(ip("127.0.0.1"), &["203.0.113.5, garbage"], &proxies), ip("127.0.0.1"));
        assert_eq!(client_address(ip("127.0.0.1"), &[], &proxies), ip("127.0.0.1"));
        assert_eq!(client_address(ip("127.0.0.1"), &["10.0.0.2"], &proxies), ip("10.0.0.2"));
        // From anyone else, the header is ignored: it cannot be spoofed.
        assert_eq!(client_address(ip("192.0.2.1"), &["203.0.113.5"], &proxies), ip("192.0.2.1"));
        assert_eq!(client_address(ip("127.0.0.1"), &["203.0.113.5"], &[]), ip("127.0.0.1"));
    }
}
