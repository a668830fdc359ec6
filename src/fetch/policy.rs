//! The address policy: which destinations citelock may connect to. Private,
//! loopback, link-local and other non-public addresses are refused unless
//! allowed, and the check sits where names are resolved (a custom resolver)
//! and on every URL before it is requested, so each redirect hop is covered.
//! With a proxy configured the proxy resolves names and the policy cannot see
//! the real address (README: fetch policy).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// Why an address is not public, or `None` when it is.
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return classify_v4(v4);
            }
            let s = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if s[0] & 0xfe00 == 0xfc00 {
                Some("unique local (fc00::/7)")
            } else if s[0] & 0xffc0 == 0xfe80 {
                Some("link-local (fe80::/10)")
            } else if s[0] & 0xff00 == 0xff00 {
                Some("multicast")
            } else if s[0] == 0x64 && s[1] == 0xff9b {
                // NAT64 (64:ff9b::/96) embeds an IPv4 address.
                let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
                classify_v4(v4)
            } else {
                None
            }
        }
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback (127.0.0.0/8)")
    } else if o[0] == 10 || (o[0] == 172 && (16..=31).contains(&o[1])) || (o[0] == 192 && o[1] == 168) {
        Some("private")
    } else if o[0] == 169 && o[1] == 254 {
        Some("link-local (169.254.0.0/16)")
    } else if o[0] == 100 && (64..=127).contains(&o[1]) {
        Some("shared address space (100.64.0.0/10)")
    } else if o[0] == 0 {
        Some("this network (0.0.0.0/8)")
    } else if ip.is_broadcast() || o[0] >= 224 {
        Some("multicast or reserved")
    } else {
        None
    }
}

/// What the user allowed.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Permit every non-public address.
    pub allow_private: bool,
    /// Exactly these origins (host, port) are permitted even when non-public.
    pub allow_hosts: Vec<(String, u16)>,
}

/// A destination the policy refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused: {host} is {why}; pass --allow-host {host}:PORT or --allow-private to permit it")]
pub struct Refusal {
    /// The host as written in the URL.
    pub host: String,
    /// What kind of address it is.
    pub why: String,
}

impl Policy {
    /// Whether `host` is one of the allowed origins' hosts (any port).
    fn host_allowed(&self, host: &str) -> bool {
        self.allow_private || self.allow_hosts.iter().any(|(h, _)| h.eq_ignore_ascii_case(host))
    }

    /// Checks a URL before it is requested (every hop). IP literals are checked
    /// here, since no resolver sees them; names are checked again when resolved.
    pub fn check_url(&self, url: &url::Url) -> Result<(), Refusal> {
        let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
        let port = url.port_or_known_default().unwrap_or(0);
        let listed = self.allow_hosts.iter().any(|(h, p)| h.eq_ignore_ascii_case(&host) && *p == port);
        if self.allow_private || listed {
            return Ok(());
        }
        if self.allow_hosts.iter().any(|(h, _)| h.eq_ignore_ascii_case(&host)) {
            return Err(Refusal { host: host.clone(), why: format!("allowed only on other ports, not {port}") });
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => {
                classify(IpAddr::V4(ip)).map_or(Ok(()), |why| Err(Refusal { host, why: why.into() }))
            }
            Some(url::Host::Ipv6(ip)) => {
                classify(IpAddr::V6(ip)).map_or(Ok(()), |why| Err(Refusal { host, why: why.into() }))
            }
            Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") => {
                Err(Refusal { host, why: "loopback (localhost)".into() })
            }
            _ => Ok(()),
        }
    }

    /// Filters resolved addresses: the public ones, or all of them for an allowed host.
    pub fn filter(&self, host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Refusal> {
        if self.host_allowed(host) {
            return Ok(addrs);
        }
        let first_reason = addrs.iter().find_map(|a| classify(a.ip()));
        let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| classify(a.ip()).is_none()).collect();
        if public.is_empty() {
            let why = first_reason.map_or("not resolvable to any address".to_owned(), |w| format!("{w} when resolved"));
            return Err(Refusal { host: host.to_owned(), why });
        }
        Ok(public)
    }
}

/// How names become addresses: the system resolver, or a test's stand-in.
pub trait Lookup: Send + Sync + 'static {
    /// Resolves `host` (port 0).
    fn lookup(&self, host: &str) -> std::io::Result<Vec<SocketAddr>>;
}

/// The system resolver (`getaddrinfo`).
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: &str) -> std::io::Result<Vec<SocketAddr>> {
        use std::net::ToSocketAddrs;
        Ok((host, 0).to_socket_addrs()?.collect())
    }
}

/// The resolver reqwest calls: looks up, then applies the policy.
pub struct Resolver {
    /// The policy.
    pub policy: Arc<Policy>,
    /// The lookup.
    pub lookup: Arc<dyn Lookup>,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let lookup = self.lookup.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = tokio::task::spawn_blocking({
                let host = host.clone();
                move || lookup.lookup(&host)
            })
            .await
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??;
            let allowed = policy.filter(&host, addrs)?;
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classifies_every_non_public_range() {
        for (addr, expect) in [
            ("127.0.0.1", true),
            ("127.255.0.9", true),
            ("10.1.2.3", true),
            ("172.16.0.1", true),
            ("172.31.255.255", true),
            ("172.32.0.1", false),
            ("192.168.1.1", true),
            ("169.254.169.254", true),
            ("100.64.0.1", true),
            ("0.0.0.0", true),
            ("224.0.0.1", true),
            ("255.255.255.255", true),
            ("8.8.8.8", false),
            ("93.184.216.34", false),
            ("::1", true),
            ("::", true),
            ("fc00::1", true),
            ("fd12:3456::1", true),
            ("fe80::1", true),
            ("ff02::1", true),
            ("::ffff:127.0.0.1", true),
            ("::ffff:10.0.0.1", true),
            ("::ffff:8.8.8.8", false),
            ("64:ff9b::a00:1", true),
            ("2001:4860:4860::8888", false),
        ] {
            assert_eq!(classify(ip(addr)).is_some(), expect, "{addr}");
        }
    }

    #[test]
    fn urls_are_checked_per_hop_with_exact_origins() {
        let p = Policy { allow_private: false, allow_hosts: vec![("127.0.0.1".into(), 8080)] };
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(p.check_url(&u("http://127.0.0.1:8080/x")).is_ok());
        assert!(p.check_url(&u("http://127.0.0.1:8081/x")).is_err(), "another port of an allowed host");
        assert!(p.check_url(&u("http://10.0.0.1/x")).is_err());
        assert!(p.check_url(&u("http://[::ffff:192.168.0.1]/")).is_err());
        assert!(p.check_url(&u("http://localhost:9/")).is_err());
        assert!(p.check_url(&u("https://example.org/")).is_ok(), "names are checked at resolution");
        let open = Policy { allow_private: true, allow_hosts: vec![] };
        assert!(open.check_url(&u("http://10.0.0.1/x")).is_ok());
    }

    #[test]
    fn resolution_keeps_public_addresses_only() {
        let p = Policy::default();
        let sa = |s: &str| SocketAddr::new(ip(s), 0);
        assert_eq!(p.filter("mixed.test", vec![sa("10.0.0.1"), sa("8.8.8.8")]).unwrap(), vec![sa("8.8.8.8")]);
        let err = p.filter("inside.test", vec![sa("192.168.0.10")]).unwrap_err();
        assert!(err.why.contains("private"), "{err}");
        let allowed = Policy { allow_private: false, allow_hosts: vec![("inside.test".into(), 443)] };
        assert_eq!(allowed.filter("inside.test", vec![sa("192.168.0.10")]).unwrap().len(), 1);
    }
}
