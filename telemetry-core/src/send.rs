//! One report, one HTTPS POST: a total timeout, no retry, no redirects, no
//! proxy from the environment.

use std::fmt;
use std::time::Duration;

use crate::endpoint::Endpoint;

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

/// The HTTP client every report uses.
pub(crate) fn agent(timeout: Duration, user_agent: &str) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        // Statuses are judged below, so a 3xx is a failure, not a response.
        .http_status_as_error(false)
        // HTTPS_PROXY and friends must not route reports elsewhere.
        .proxy(None)
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
        let agent = super::agent(super::SEND_TIMEOUT, "test");
        let config = agent.config();
        assert_eq!(
            config.timeouts().global,
            Some(std::time::Duration::from_secs(10))
        );
        assert_eq!(config.max_redirects(), 0);
        assert!(config.proxy().is_none());
    }
}
