use telemetry_core::TelemetrySection;

#[derive(TelemetrySection)]
pub struct Directory {
    /// Files in this directory.
    pub file_count: u32,
    /// Subdirectories.
    pub children: Vec<Directory>,
    /// The first child.
    pub first: Option<Self>,
}

fn main() {}
