//! A second example payload: the daily report of a vector database node,
//! shaped like the reports real projects send. It nests: sections inside
//! sections, optional values, and lists of records, every one of them on
//! the docs page (`docs/telemetry.md`) and under the build's guard.

use std::collections::BTreeMap;

use telemetry_core::{ResourceBucket, Telemetry, TelemetrySection, TelemetryValue};

/// The report a node sends once a day when telemetry is enabled.
#[derive(Clone, Debug, Telemetry)]
#[telemetry(
    schema_version = "1.0",
    docs = "docs/telemetry.md",
    endpoint = "https://telemetry.vectordb.example/v1/report"
)]
pub struct NodeReport {
    /// Which release and build run, to know where fixes matter most.
    pub app: AppInfo,
    /// The platform, to decide which builds and accelerators to support.
    pub system: SystemInfo,
    /// One entry per collection (sizes bucketed, never names), to tune the
    /// index defaults to the shapes people use.
    pub collections: Vec<CollectionStats>,
    /// Requests in the last day per API family (`search`, `upsert`, ...), to
    /// know which APIs have to stay fast.
    pub requests_by_api: BTreeMap<String, u64>,
    /// Random for each process start and never stored, so the receiver can
    /// drop one session's duplicate reports.
    pub session_nonce: String,
}

/// The node's own build.
#[derive(Clone, Debug, TelemetrySection)]
pub struct AppInfo {
    /// The release, to know when an old one can be retired.
    pub version: String,
    /// The build flavour, to know which ones to keep shipping.
    #[telemetry(values = "default | gpu | minimal")]
    pub flavour: Flavour,
    /// Milliseconds from start to ready, absent before the node is ready,
    /// to catch slow starts.
    pub startup_ms: Option<u64>,
}

/// Which build of the node runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, TelemetryValue)]
pub enum Flavour {
    /// The standard build.
    Default,
    /// Built with GPU indexing.
    Gpu,
    /// Built without optional features.
    Minimal,
}

/// The machine, as far as the node can tell.
#[derive(Clone, Debug, TelemetrySection)]
pub struct SystemInfo {
    /// Linux distribution family, absent where it cannot be read.
    pub distribution: Option<String>,
    /// Memory in whole GiB, absent where it cannot be read, to set the
    /// default cache sizes.
    pub memory_gib: Option<u32>,
    /// The processor, to pick the SIMD paths worth maintaining.
    pub cpu: CpuInfo,
    /// GPU models, absent when the build has no GPU support, to decide
    /// which accelerators to support.
    pub gpu_devices: Option<Vec<GpuDevice>>,
}

/// The processor.
#[derive(Clone, Debug, TelemetrySection)]
pub struct CpuInfo {
    /// The architecture (`x86_64`, `aarch64`), to know which to build for.
    pub arch: String,
    /// Cores, to size default thread pools.
    pub cores: u32,
    /// SIMD extensions present (`avx2`, `neon`, ...), to pick the kernels
    /// worth maintaining.
    pub simd: Vec<String>,
}

/// One GPU.
#[derive(Clone, Debug, TelemetrySection)]
pub struct GpuDevice {
    /// The vendor, to know which toolkits to build against.
    pub vendor: String,
    /// The model family, to know which generations to test on.
    pub model: String,
    /// Memory in whole GiB, absent where the driver does not say, to set
    /// batch sizes.
    pub memory_gib: Option<u32>,
}

/// The shape of one collection: never its name or contents.
#[derive(Clone, Debug, TelemetrySection)]
pub struct CollectionStats {
    /// Vector dimensions, to know which sizes to optimize for.
    pub dimensions: u32,
    /// The distance function, to know which ones to optimize.
    #[telemetry(values = "cosine | dot | euclid")]
    pub distance: Distance,
    /// How many vectors, as an order of magnitude.
    #[telemetry(values = "<1K | 1K-5K | 5K-10K | >10K")]
    pub size: ResourceBucket,
    /// Whether vectors are kept on disk, to know how common that mode is.
    pub on_disk: bool,
}

/// A collection's distance function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, TelemetryValue)]
pub enum Distance {
    /// Cosine similarity.
    Cosine,
    /// Dot product.
    Dot,
    /// Euclidean distance.
    Euclid,
}

impl NodeReport {
    /// A report as a node with one GPU and two collections would send it.
    pub fn example(session_nonce: &str) -> NodeReport {
        NodeReport {
            app: AppInfo {
                version: "1.12.4".to_owned(),
                flavour: Flavour::Gpu,
                startup_ms: Some(840),
            },
            system: SystemInfo {
                distribution: Some("debian".to_owned()),
                memory_gib: None,
                cpu: CpuInfo {
                    arch: "x86_64".to_owned(),
                    cores: 16,
                    simd: vec!["avx2".to_owned(), "avx512f".to_owned()],
                },
                gpu_devices: Some(vec![GpuDevice {
                    vendor: "nvidia".to_owned(),
                    model: "L4".to_owned(),
                    memory_gib: Some(24),
                }]),
            },
            collections: vec![
                CollectionStats {
                    dimensions: 768,
                    distance: Distance::Cosine,
                    size: ResourceBucket::From1KTo5K,
                    on_disk: false,
                },
                CollectionStats {
                    dimensions: 1536,
                    distance: Distance::Dot,
                    size: ResourceBucket::Over10K,
                    on_disk: true,
                },
            ],
            requests_by_api: BTreeMap::from([
                ("search".to_owned(), 12_040),
                ("upsert".to_owned(), 310),
            ]),
            session_nonce: session_nonce.to_owned(),
        }
    }
}
