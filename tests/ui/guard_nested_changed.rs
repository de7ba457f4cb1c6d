// A change inside a section, declared in another module after the payload,
// fails the payload's build: the error names the full path and points at
// the field that changed. The fixtures sit in tests/ui/pages.
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "../../../../tests/ui/pages/guard.md")]
pub struct NestedChanged {
    /// Platform facts, to decide which builds to ship.
    pub system: platform::SystemInfo,
}

mod platform {
    use telemetry_core::TelemetrySection;

    #[derive(TelemetrySection)]
    pub struct SystemInfo {
        /// Linux distribution family, absent where it cannot be read.
        pub distribution: String,
        /// The processor, to pick the SIMD paths worth maintaining.
        pub cpu: CpuInfo,
    }

    #[derive(TelemetrySection)]
    pub struct CpuInfo {
        /// Cores, to size default thread pools.
        pub cores: u32,
        /// Threads per core, to tell SMT machines apart.
        pub threads_per_core: u32,
    }
}

fn main() {}
