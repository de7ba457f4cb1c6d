use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Which versions are in use.
    pub version: String,
    /// Which Kubernetes versions to test against.
    #[telemetry(rename = "version")]
    pub k8s_version: String,
    /// Which operating systems to build for.
    #[telemetry(rename = "operating system")]
    pub os: String,
}

fn main() {}
