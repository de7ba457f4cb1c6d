//! The demo server's config file (`kubeatlas.toml`), with telemetry
//! embedded as `[telemetry] enabled = ...`, off unless set.

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;
use telemetry_core::TelemetryConfig;

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the HTTP API listens.
    pub listen: SocketAddr,
    pub telemetry: TelemetryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            telemetry: TelemetryConfig::default(),
        }
    }
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|err| err.to_string())
    }

    /// Reads the file; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Config, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text).map_err(|err| format!("{}: {err}", path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(err) => Err(format!("{}: {err}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Config;

    #[test]
    fn telemetry_is_off_unless_enabled() {
        assert!(!Config::parse("").unwrap().telemetry.enabled);
        assert!(!Config::parse("[telemetry]\n").unwrap().telemetry.enabled);
        assert!(
            Config::parse("[telemetry]\nenabled = true\n")
                .unwrap()
                .telemetry
                .enabled
        );
        assert!(Config::parse("[telemetry]\nendpoint = \"https://x\"\n").is_err());
    }
}
