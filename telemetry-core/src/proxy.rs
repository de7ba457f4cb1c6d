//! An egress proxy from the environment, for CONNECT only. A proxy does not
//! change where a report goes: TLS runs through the tunnel end to end with
//! the compiled-in host, verified against the bundled roots, so the proxy
//! sees neither the report nor can it answer in the endpoint's name. It
//! sees the endpoint's host and port, and when a report is sent.

use std::fmt;

/// The variables read, in order: the first one set is the proxy.
pub const PROXY_VARS: &[&str] = &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
/// Hosts that bypass the proxy: a comma-separated list of names, domain
/// suffixes (`.example.com` or `example.com`), addresses, or `*`.
pub const NO_PROXY_VARS: &[&str] = &["NO_PROXY", "no_proxy"];

/// The proxy a report goes through.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ProxySetting {
    /// As given, credentials included: ureq sends them to the proxy.
    pub url: String,
    /// `scheme://host:port`, credentials left out: for logs.
    pub shown: String,
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The proxy for `host` given the variables `env` returns: `Ok(None)`
/// when none is set or `NO_PROXY` matches; an error for a proxy that is
/// not an `http://` or `https://` CONNECT proxy.
pub(crate) fn from_env(
    host: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<ProxySetting>, String> {
    let set = |names: &'static [&'static str]| {
        names.iter().find_map(|name| {
            env(name)
                .filter(|value| !value.trim().is_empty())
                .map(|value| (*name, value))
        })
    };
    let Some((name, value)) = set(PROXY_VARS) else {
        return Ok(None);
    };
    if let Some((_, list)) = set(NO_PROXY_VARS) {
        if bypasses(&list, host) {
            return Ok(None);
        }
    }
    let value = value.trim();
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("http".to_owned(), value),
    };
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "{name} names a {scheme}:// proxy; reports go only through an http:// or https:// proxy (CONNECT)"
        ));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host_port.is_empty() {
        return Err(format!("{name} has no proxy host"));
    }
    Ok(Some(ProxySetting {
        url: format!("{scheme}://{rest}"),
        shown: format!("{scheme}://{host_port}"),
    }))
}

/// Whether `NO_PROXY`'s `list` names `host`.
pub(crate) fn bypasses(list: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    list.split(',')
        .map(|entry| entry.trim().to_ascii_lowercase())
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            let entry = entry.trim_start_matches("*.").trim_start_matches('.');
            entry == "*"
                || host == entry
                || host
                    .strip_suffix(entry)
                    .is_some_and(|prefix| prefix.ends_with('.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn https_proxy_first_and_credentials_never_shown() {
        let proxy = from_env(
            "telemetry.example.com",
            env(&[
                ("ALL_PROXY", "http://all:3128"),
                ("https_proxy", "http://user:secret@proxy.corp:8080"),
            ]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(proxy.url, "http://user:secret@proxy.corp:8080");
        assert_eq!(proxy.shown, "http://proxy.corp:8080");
        assert_eq!(format!("{proxy:?}"), "http://proxy.corp:8080");
        let bare = from_env("h", env(&[("ALL_PROXY", "proxy.corp:3128")]))
            .unwrap()
            .unwrap();
        assert_eq!(bare.url, "http://proxy.corp:3128");
    }

    #[test]
    fn nothing_set_or_bypassed_means_no_proxy() {
        assert_eq!(from_env("h", env(&[])), Ok(None));
        assert_eq!(from_env("h", env(&[("HTTPS_PROXY", "  ")])), Ok(None));
        // HTTP_PROXY is for plain http: reports are https.
        assert_eq!(
            from_env("h", env(&[("HTTP_PROXY", "http://p:1")])),
            Ok(None)
        );
        let vars = [
            ("HTTPS_PROXY", "http://p:1"),
            ("NO_PROXY", "localhost, .example.com"),
        ];
        assert_eq!(from_env("telemetry.example.com", env(&vars)), Ok(None));
        assert!(from_env("example.org", env(&vars)).unwrap().is_some());
    }

    #[test]
    fn only_connect_proxies() {
        let err = from_env("h", env(&[("ALL_PROXY", "socks5://p:1080")])).unwrap_err();
        assert!(err.contains("socks5://"), "{err}");
        assert!(from_env("h", env(&[("HTTPS_PROXY", "http://")])).is_err());
    }

    #[test]
    fn no_proxy_matches_names_suffixes_addresses_and_star() {
        assert!(bypasses("example.com", "example.com"));
        assert!(bypasses("example.com", "telemetry.example.com"));
        assert!(bypasses(".example.com", "telemetry.example.com"));
        assert!(bypasses("*.example.com", "telemetry.EXAMPLE.com"));
        assert!(!bypasses("example.com", "badexample.com"));
        assert!(bypasses("10.0.0.1,127.0.0.1", "127.0.0.1"));
        assert!(bypasses("::1", "[::1]"));
        assert!(bypasses("*", "anything"));
        assert!(!bypasses("", "anything"));
    }
}
