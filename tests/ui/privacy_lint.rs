use std::net::SocketAddr;
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Which namespaces the graph spans.
    pub namespace_names: Vec<String>,
    /// Where the API listens.
    pub listen_address: SocketAddr,
    /// How many nodes carry a GPU.
    #[telemetry(reviewed = "  ")]
    pub user_count: u32,
}

fn main() {}
