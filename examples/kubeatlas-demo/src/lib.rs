//! The KubeAtlas demo server: a real user of telemetry-core.

pub mod payload;
