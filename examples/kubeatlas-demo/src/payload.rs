//! The KubeAtlas telemetry payload: the single source of truth for
//! `docs/telemetry.md`. Change a field here, bump `schema_version`, run
//! `TELEMETRY_BLESS=1 cargo build`, and commit the struct, the page and the
//! history together.

use std::collections::BTreeMap;

use telemetry_core::{ResourceBucket, SessionNonce, Telemetry, TelemetryValue};

/// Where KubeAtlas keeps its graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, TelemetryValue)]
pub enum Tier {
    /// Tier 1: everything in memory.
    Memory,
    /// Tier 2: persisted in PostgreSQL.
    Postgres,
}

/// The report KubeAtlas sends once a day when telemetry is enabled.
#[derive(Clone, Debug, Telemetry)]
#[telemetry(
    schema_version = "1.0",
    docs = "../../docs/telemetry.md",
    endpoint = "https://telemetry.kubeatlas.example/v1/report",
    raw_retention_days = 90
)]
pub struct KubeAtlasReport {
    /// The versions in the field tell us where fixes matter most and when an
    /// old release can be retired.
    pub kubeatlas_version: String,
    /// Which Kubernetes releases the test matrix has to cover.
    pub k8s_version: String,
    /// Which operating systems to build and test release binaries for.
    pub os: String,
    /// Which CPU architectures to build and test release binaries for.
    pub arch: String,
    /// How many installs run Tier 2, to decide how much to invest in persistence.
    #[telemetry(values = "memory | postgres")]
    pub tier: Tier,
    /// The graph's order of magnitude (never the exact count), to set
    /// realistic performance targets.
    #[telemetry(values = "<1K | 1K-5K | 5K-10K | >10K")]
    pub resource_bucket: ResourceBucket,
    /// Names of the enabled rule packs (no versions, no contents), to know
    /// which packs to keep maintaining.
    pub enabled_packs: Vec<String>,
    /// How many clusters one install federates, to learn how common
    /// multi-cluster setups are.
    pub cluster_count: u32,
    /// Cluster counts per platform family (counts only, never names).
    pub platform_distribution: BTreeMap<String, u32>,
    /// Random for each process start and never stored, so the receiver can
    /// drop one session's duplicate reports without linking sessions across
    /// restarts.
    pub session_nonce: String,
}

/// What the demo server knows about itself; a real server would read these
/// from its own state.
#[derive(Clone, Debug)]
pub struct Inventory {
    pub tier: Tier,
    pub resource_count: u64,
    pub enabled_packs: Vec<String>,
    pub clusters_by_platform: BTreeMap<String, u32>,
}

impl Default for Inventory {
    fn default() -> Self {
        Inventory {
            tier: Tier::Memory,
            resource_count: 1_742,
            enabled_packs: vec!["cis-benchmark".into(), "pod-security".into()],
            clusters_by_platform: BTreeMap::from([("eks".into(), 2), ("kind".into(), 1)]),
        }
    }
}

impl KubeAtlasReport {
    /// A fresh report from the server's current state.
    pub fn snapshot(inventory: &Inventory) -> KubeAtlasReport {
        KubeAtlasReport {
            kubeatlas_version: env!("CARGO_PKG_VERSION").to_owned(),
            k8s_version: "v1.31.2".to_owned(),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            tier: inventory.tier,
            resource_bucket: ResourceBucket::from_count(inventory.resource_count),
            enabled_packs: inventory.enabled_packs.clone(),
            cluster_count: inventory.clusters_by_platform.values().sum(),
            platform_distribution: inventory.clusters_by_platform.clone(),
            session_nonce: SessionNonce::current().to_hex(),
        }
    }
}
