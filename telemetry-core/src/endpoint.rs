//! Where reports may go: the payload's compile-time `https://` endpoint, or,
//! through the test seam only, a loopback receiver. Nothing else.

use std::fmt;
use std::net::IpAddr;

/// A destination the reporter accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint(String);

/// Why an endpoint was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError(String);

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EndpointError {}

impl Endpoint {
    /// The host (a name, or an address without brackets), for `NO_PROXY`.
    pub(crate) fn host(&self) -> &str {
        host_of(split_url(&self.0).map_or("", |(_, authority)| authority))
    }

    /// The payload's own endpoint: must be `https://` with a host. The
    /// derive already checks this; the reporter checks again rather than
    /// trust a hand-written `Telemetry` impl.
    pub(crate) fn compiled(url: &str) -> Result<Endpoint, EndpointError> {
        match split_url(url) {
            Some(("https", host)) if !host.is_empty() => Ok(Endpoint(url.to_owned())),
            _ => Err(EndpointError(format!(
                "telemetry endpoint {url:?} is not an https:// URL with a host"
            ))),
        }
    }

    /// A test receiver: `http://` or `https://` to a literal loopback
    /// address (127.0.0.0/8 or `[::1]`). Host names are refused, so no DNS
    /// lookup can send a report anywhere else.
    #[cfg_attr(not(feature = "test-seam"), allow(dead_code))]
    pub(crate) fn loopback(url: &str) -> Result<Endpoint, EndpointError> {
        let refused = |why: &str| EndpointError(format!("test endpoint {url:?} refused: {why}"));
        let Some((scheme, authority)) = split_url(url) else {
            return Err(refused("not an http:// or https:// URL"));
        };
        if scheme != "http" && scheme != "https" {
            return Err(refused("not an http:// or https:// URL"));
        }
        if authority.contains('@') {
            return Err(refused("user info is not allowed"));
        }
        match host_of(authority).parse::<IpAddr>() {
            Ok(ip) if ip.is_loopback() => Ok(Endpoint(url.to_owned())),
            Ok(_) => Err(refused(
                "only loopback addresses (127.0.0.0/8, ::1) are allowed",
            )),
            Err(_) => Err(refused(
                "only literal loopback addresses (127.0.0.0/8, ::1) are allowed, not host names",
            )),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// `(scheme, authority)` of an absolute URL.
/// The host of an authority: `[::1]:8443` -> `::1`, `a.example:443` -> `a.example`.
fn host_of(authority: &str) -> &str {
    match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    }
}

fn split_url(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    Some((scheme, authority))
}

#[cfg(test)]
mod tests {
    use super::Endpoint;

    #[test]
    fn the_host_is_what_no_proxy_matches() {
        let host = |url| Endpoint::compiled(url).unwrap().host().to_owned();
        assert_eq!(
            host("https://telemetry.example.com/v1/report"),
            "telemetry.example.com"
        );
        assert_eq!(
            host("https://telemetry.example.com:8443/v1"),
            "telemetry.example.com"
        );
        assert_eq!(
            Endpoint::loopback("https://[::1]:9/x").unwrap().host(),
            "::1"
        );
    }

    #[test]
    fn compiled_endpoints_are_https_only() {
        assert!(Endpoint::compiled("https://telemetry.example.com/v1/report").is_ok());
        assert!(Endpoint::compiled("http://telemetry.example.com/v1/report").is_err());
        assert!(Endpoint::compiled("https:///v1").is_err());
    }

    #[test]
    fn the_seam_takes_literal_loopback_addresses_only() {
        for ok in [
            "http://127.0.0.1:8080/report",
            "https://127.0.0.1:443/",
            "http://127.1.2.3:9",
            "http://[::1]:8080/x",
        ] {
            assert!(Endpoint::loopback(ok).is_ok(), "{ok} refused");
        }
        for refused in [
            "http://10.0.0.1:80/",
            "http://192.168.1.10/",
            "https://telemetry.example.com/v1/report",
            "http://localhost:8080/",
            "http://127.0.0.1.evil.example/",
            "http://user@127.0.0.1/",
            "http://[::2]:80/",
            "ftp://127.0.0.1/",
            "127.0.0.1:80",
        ] {
            let err = Endpoint::loopback(refused).unwrap_err();
            assert!(err.to_string().contains("refused"), "{refused}: {err}");
        }
    }
}
