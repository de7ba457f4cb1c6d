//! One report, one HTTPS POST: a total timeout, no retry, no redirects, and
//! a proxy only as a CONNECT tunnel (see `proxy`).

use std::fmt;
use std::time::Duration;

use ureq::tls::{RootCerts, TlsConfig};

use crate::endpoint::Endpoint;
use crate::proxy::ProxySetting;

/// The total time one send may take, connect to last byte.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a send failed; logged once and counted, never retried.
#[derive(Debug)]
pub(crate) enum SendError {
    /// Transport: refused, reset, timed out, TLS, ...
    Transport(ureq::Error),
    /// The receiver answered, but not with a 2xx (a redirect included:
    /// redirects are never followed).
    Status(u16),
    /// The application's snapshot function panicked.
    Snapshot,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Transport(err) => write!(f, "{err}"),
            SendError::Status(status) => write!(f, "the receiver answered HTTP {status}"),
            SendError::Snapshot => f.write_str("building the report panicked"),
        }
    }
}

/// Roots a test's loopback TLS receiver is signed with (the test seam);
/// empty, the bundled roots are the only ones trusted.
#[derive(Clone, Debug, Default)]
pub(crate) struct TestRoots(Vec<ureq::tls::Certificate<'static>>);

impl TestRoots {
    #[cfg_attr(not(feature = "test-seam"), allow(dead_code))]
    pub(crate) fn from_pem(pem: &[u8]) -> Result<TestRoots, String> {
        let certificate = ureq::tls::Certificate::from_pem(pem).map_err(|e| e.to_string())?;
        Ok(TestRoots(vec![certificate]))
    }
}

/// The HTTP client every report uses. `proxy` is the only proxy it may use
/// (ureq's own reading of the environment is off), and only to tunnel.
pub(crate) fn agent(
    timeout: Duration,
    user_agent: &str,
    proxy: Option<&ProxySetting>,
    test_roots: &TestRoots,
) -> ureq::Agent {
    let proxy = proxy.and_then(|proxy| ureq::Proxy::new(&proxy.url).ok());
    let roots = match test_roots.0.as_slice() {
        [] => RootCerts::WebPki,
        certificates => RootCerts::new_with_certs(certificates),
    };
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        // Statuses are judged below, so a 3xx is a failure, not a response.
        .http_status_as_error(false)
        .proxy(proxy)
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .user_agent(user_agent)
        .build()
        .into()
}

pub(crate) fn send(agent: &ureq::Agent, endpoint: &Endpoint, body: &[u8]) -> Result<(), SendError> {
    let response = agent
        .post(endpoint.as_str())
        .header("content-type", "application/json")
        .send(body)
        .map_err(SendError::Transport)?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(SendError::Status(status))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_client_never_retries_redirects_or_waits_past_ten_seconds() {
        let agent = super::agent(super::SEND_TIMEOUT, "test", None, &Default::default());
        let config = agent.config();
        assert_eq!(
            config.timeouts().global,
            Some(std::time::Duration::from_secs(10))
        );
        assert_eq!(config.max_redirects(), 0);
        assert!(config.proxy().is_none());
        assert!(matches!(
            config.tls_config().root_certs(),
            super::RootCerts::WebPki
        ));
    }
}
