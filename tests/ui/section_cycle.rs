// Two sections that hold each other have no finite docs table either. The
// derives cannot see the cycle (each waits for the other's fields), so the
// compiler reports both fields' types as macros it cannot find.
use telemetry_core::TelemetrySection;

#[derive(TelemetrySection)]
pub struct Cluster {
    /// Node pools.
    pub pools: Vec<Pool>,
}

#[derive(TelemetrySection)]
pub struct Pool {
    /// The cluster the pool belongs to.
    pub cluster: Option<Cluster>,
}

fn main() {}
